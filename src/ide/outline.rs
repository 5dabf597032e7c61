//! Document symbols: the outline of a file (program, layers and their carriers, clauses,
//! treaties, checks; a model's perils; a portfolio's programs and vendors).

use crate::ast::{
    Item, ItemKind, LayerItemKind, ModelItemKind, PortfolioItemKind, PortfolioModelItemKind, Str,
};
use crate::parse::{file_kind, FileKind};
use crate::span::Span;

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// The file's program, model, portfolio or portfolio model.
    File,
    /// A layer, parametric cover or treaty.
    Layer,
    /// A carrier's share.
    Carrier,
    /// A sub-limit, deductible, exclusion or coinsurance.
    Clause,
    /// An attribute.
    Attribute,
    /// A check.
    Check,
    /// A peril, index peril or vendor peril.
    Peril,
    /// A program of a portfolio.
    Program,
    /// A vendor.
    Vendor,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Its name as shown.
    pub name: String,
    /// A short description (`sublimit`, `10M xs 0`).
    pub detail: String,
    /// Its kind.
    pub kind: SymbolKind,
    /// Its whole text.
    pub span: Span,
    /// Its name's text.
    pub name_span: Span,
    /// Entries inside it.
    pub children: Vec<Symbol>,
}

/// The outline of `src`; empty when it does not parse.
///
/// ```
/// let src = r#"program "P" { layer "Primary" 10M xs 0 { carrier "A" 100% } }"#;
/// let o = specie::ide::outline(src);
/// assert_eq!(o[0].name, "P");
/// assert_eq!(o[0].children[0].name, "Primary");
/// assert_eq!(o[0].children[0].children[0].name, "A");
/// ```
pub fn outline(src: &str) -> Vec<Symbol> {
    match file_kind(src) {
        FileKind::Program => crate::parse::parse(src)
            .map(|f| {
                let p = &f.program;
                vec![entry(
                    &p.name,
                    "program",
                    SymbolKind::File,
                    p.span,
                    program_items(&p.items),
                )]
            })
            .unwrap_or_default(),
        FileKind::Model => crate::parse::parse_model(src)
            .map(|f| {
                let m = &f.model;
                let kids = m.items.iter().filter_map(|i| match &i.kind {
                    ModelItemKind::Peril(p) => {
                        Some(entry(&p.name, "peril", SymbolKind::Peril, i.span, vec![]))
                    }
                    ModelItemKind::IndexPeril(p) => Some(entry(
                        &p.name,
                        "index peril",
                        SymbolKind::Peril,
                        i.span,
                        vec![],
                    )),
                    _ => None,
                });
                vec![entry(
                    &m.name,
                    "model",
                    SymbolKind::File,
                    m.span,
                    kids.collect(),
                )]
            })
            .unwrap_or_default(),
        FileKind::Portfolio => crate::parse::parse_portfolio(src)
            .map(|f| {
                let p = &f.portfolio;
                let kids = p.items.iter().filter_map(|i| match &i.kind {
                    PortfolioItemKind::Program { key, path } => {
                        Some(entry(key, &path.node, SymbolKind::Program, i.span, vec![]))
                    }
                    PortfolioItemKind::Vendor(v) => {
                        Some(entry(&v.name, "vendor", SymbolKind::Vendor, i.span, vec![]))
                    }
                    PortfolioItemKind::Currency(_) => None,
                });
                vec![entry(
                    &p.name,
                    "portfolio",
                    SymbolKind::File,
                    p.span,
                    kids.collect(),
                )]
            })
            .unwrap_or_default(),
        FileKind::PortfolioModel => crate::parse::parse_portfolio_model(src)
            .map(|f| {
                let m = &f.model;
                let kids = m.items.iter().filter_map(|i| match &i.kind {
                    PortfolioModelItemKind::VendorPeril(v) => Some(entry(
                        &v.name,
                        "vendor peril",
                        SymbolKind::Peril,
                        i.span,
                        vec![],
                    )),
                    PortfolioModelItemKind::Model { key, path } => {
                        Some(entry(key, &path.node, SymbolKind::Program, i.span, vec![]))
                    }
                    _ => None,
                });
                vec![entry(
                    &m.name,
                    "portfolio model",
                    SymbolKind::File,
                    m.span,
                    kids.collect(),
                )]
            })
            .unwrap_or_default(),
    }
}

fn entry(name: &Str, detail: &str, kind: SymbolKind, span: Span, children: Vec<Symbol>) -> Symbol {
    Symbol {
        name: name.node.clone(),
        detail: detail.to_string(),
        kind,
        span,
        name_span: name.span,
        children,
    }
}

fn program_items(items: &[Item]) -> Vec<Symbol> {
    items
        .iter()
        .filter_map(|i| {
            let s = i.span;
            Some(match &i.kind {
                ItemKind::Sublimit(d) => entry(&d.name, "sublimit", SymbolKind::Clause, s, vec![]),
                ItemKind::Deductible(d) => {
                    let name = d.name.clone().unwrap_or(crate::span::Spanned {
                        node: "deductible".to_string(),
                        span: d.amount.span,
                    });
                    entry(&name, "deductible", SymbolKind::Clause, s, vec![])
                }
                ItemKind::Exclude(e) => entry(&e.name, "exclusion", SymbolKind::Clause, s, vec![]),
                ItemKind::Attribute(a) => entry(
                    &a.name,
                    a.ty.node.keyword(),
                    SymbolKind::Attribute,
                    s,
                    vec![],
                ),
                ItemKind::Layer(l) => {
                    let carriers = l
                        .items
                        .iter()
                        .filter_map(|li| match &li.kind {
                            LayerItemKind::Carrier { name, share } => Some(entry(
                                name,
                                &format!("{}%", share.node),
                                SymbolKind::Carrier,
                                li.span,
                                vec![],
                            )),
                            _ => None,
                        })
                        .collect();
                    let band = format!(
                        "{} xs {}",
                        super::words::written(&l.limit.node),
                        super::words::written(&l.attachment.node)
                    );
                    entry(&l.name, &band, SymbolKind::Layer, s, carriers)
                }
                ItemKind::Parametric(p) => {
                    entry(&p.name, "parametric", SymbolKind::Layer, s, vec![])
                }
                ItemKind::Treaty(t) => entry(&t.name, "treaty", SymbolKind::Layer, s, vec![]),
                ItemKind::Check(c) => entry(&c.name, "check", SymbolKind::Check, s, vec![]),
                _ => return None,
            })
        })
        .collect()
}
