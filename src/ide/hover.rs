//! Hover: what the clause under the cursor does, in words, with its amounts (brief
//! section 17). Programs here; models and portfolios in [`super::hover_model`].

use super::names::{site_at, sites, NameKind};
use super::words::{block, condition, grouped, literal, money, share_of, under, written};
use crate::ast::{
    AmountOrPercent, AttributeDecl, DeductibleDecl, File, ItemKind, LayerDecl, LayerItemKind,
    SublimitDecl, TreatyDecl, TreatyForm, TreatyItemKind,
};
use crate::parse::{file_kind, FileKind};
use std::fmt::Write as _;

/// Markdown describing what is under byte `offset` of `src`, when something is: a clause,
/// a layer, a carrier, an attribute, a model's peril. Nothing when the text does not parse.
///
/// ```
/// let src = r#"program "P" {
///   sublimit "Hot wallets" 25M per occurrence, 50M aggregate when tier is hot
///   layer "Primary" 10M xs 0 { carrier "A" 100% }
/// }"#;
/// let h = specie::ide::hover(src, src.find("Hot").unwrap()).unwrap();
/// assert!(h.contains("at most 25M (USD 25,000,000) per occurrence"), "{h}");
/// assert!(h.contains("`tier is hot`"), "{h}");
/// ```
pub fn hover(src: &str, offset: usize) -> Option<String> {
    match file_kind(src) {
        FileKind::Program => {
            let file = crate::parse::parse(src).ok()?;
            program_hover(src, &file, offset)
        }
        FileKind::Model => super::hover_model::model(src, offset),
        FileKind::Portfolio => super::hover_model::portfolio(src, offset),
        FileKind::PortfolioModel => super::hover_model::portfolio_model(src, offset),
    }
}

/// The program's currency code (`USD` when none is written).
fn currency(file: &File) -> String {
    file.program
        .items
        .iter()
        .find_map(|i| match &i.kind {
            ItemKind::Currency(c) => Some(c.node.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "USD".to_string())
}

fn program_hover(src: &str, file: &File, offset: usize) -> Option<String> {
    let cur = currency(file);
    // A name that refers to something declared elsewhere describes that thing.
    if let Some(site) = site_at(&sites(src), offset) {
        match site.kind {
            NameKind::Attribute => return attribute_named(file, &site.name),
            NameKind::Layer => return layer_named(file, &site.name, &cur),
            NameKind::Carrier => return Some(carrier(file, &site.name, &cur)),
            NameKind::Treaty => return treaty_named(file, &site.name, &cur),
            _ => {}
        }
    }
    let item = under(&file.program.items, offset)?;
    match &item.kind {
        ItemKind::Sublimit(s) => Some(sublimit(s, &cur)),
        ItemKind::Deductible(d) => Some(deductible(d, &cur)),
        ItemKind::Exclude(e) => Some(format!(
            "**Exclusion \"{}\"**: a loss line for which `{}` holds is not covered (reason `excluded`). Exclusions are tried in written order; a line goes to the first that matches.",
            e.name.node,
            condition(&e.condition)
        )),
        ItemKind::Layer(l) => Some(layer(l, &cur)),
        ItemKind::Attribute(a) => Some(attribute(a)),
        ItemKind::Treaty(t) => Some(treaty(t, &cur)),
        other => simple_item(other, &cur),
    }
}

/// Items described in one sentence.
fn simple_item(kind: &ItemKind, cur: &str) -> Option<String> {
    Some(match kind {
        ItemKind::Coinsurance(p) => format!(
            "**Coinsurance {}%**: the insured keeps {}% of each occurrence's loss left after deductibles (reason `coinsurance`).",
            p.node, p.node
        ),
        ItemKind::Covers(list) => {
            let names: Vec<&str> = list.iter().map(|c| c.node.as_str()).collect();
            format!(
                "**Covered causes**: {}. An event of any other cause is not covered (reason `cause_not_covered`).",
                names.join(", ")
            )
        }
        ItemKind::Exposure { tier, amount } => format!(
            "**Exposure**: {} held in the `{}` tier (used by the tower analysis and by models' `share of exposure`, not by replay).",
            money(&amount.node, cur),
            tier.node
        ),
        ItemKind::Currency(c) => format!(
            "**Currency {}**: every amount of the program is in {} and rounded to its minor unit.",
            c.node, c.node
        ),
        ItemKind::Allow(code) => format!(
            "**allow `{}`**: the tower analysis does not report this finding; the report lists it as silenced.",
            code.node
        ),
        _ => return None,
    })
}

fn sublimit(s: &SublimitDecl, cur: &str) -> String {
    let mut limits = Vec::new();
    if let Some(p) = &s.per_occurrence {
        limits.push(format!("at most {} per occurrence", money(&p.node, cur)));
    }
    if let Some(a) = &s.aggregate {
        limits.push(format!(
            "at most {} in the period (aggregate)",
            money(&a.node, cur)
        ));
    }
    let applies = match &s.condition {
        Some(c) => format!("the covered loss lines for which `{}` holds", condition(c)),
        None => "every covered loss line".to_string(),
    };
    format!(
        "**Sub-limit \"{}\"**: of {applies}, {} is covered; the rest is uncovered (reason `sublimit`).",
        s.name.node,
        limits.join(" and ")
    )
}

fn deductible(d: &DeductibleDecl, cur: &str) -> String {
    let name = d
        .name
        .as_ref()
        .map_or("deductible".to_string(), |n| n.node.clone());
    let mut s = format!("**Deductible \"{name}\"**: ");
    match (&d.amount.node, d.franchise.is_some()) {
        (AmountOrPercent::Amount(a), true) => {
            let _ = write!(s, "a franchise of {}: an occurrence whose covered loss is at or below it is not paid at all; above it nothing is deducted", money(a, cur));
        }
        (AmountOrPercent::Amount(a), false) => {
            let _ = write!(s, "the insured retains {} per occurrence", money(a, cur));
        }
        (AmountOrPercent::Percent(p), _) => {
            let _ = write!(
                s,
                "the insured retains {p}% of the covered loss per occurrence"
            );
        }
    }
    if let Some(m) = &d.min {
        let _ = write!(s, ", at least {}", money(&m.node, cur));
    }
    if let Some(m) = &d.max {
        let _ = write!(s, ", at most {}", money(&m.node, cur));
    }
    if let Some(a) = &d.aggregate {
        let _ = write!(
            s,
            "; it takes at most {} in the period (aggregate)",
            money(&a.node, cur)
        );
    }
    if let Some(c) = &d.condition {
        let _ = write!(
            s,
            "; it applies when `{}` holds for a covered line",
            condition(c)
        );
    }
    s.push_str(". Only the largest applicable deductible is taken (reason `deductible`).");
    s
}

fn layer(l: &LayerDecl, cur: &str) -> String {
    let top = l
        .limit
        .node
        .value()
        .zip(l.attachment.node.value())
        .and_then(|(a, b)| a.checked_add(b));
    let mut s = format!(
        "**Layer \"{}\"** ({} xs {}): pays the part of each occurrence's net loss above {}",
        l.name.node,
        written(&l.limit.node),
        written(&l.attachment.node),
        money(&l.attachment.node, cur),
    );
    if let Some(top) = top {
        let _ = write!(s, " up to {cur} {}", grouped(top));
    }
    let _ = write!(s, ", at most {} per occurrence.", money(&l.limit.node, cur));
    let mut placed = rust_decimal::Decimal::ZERO;
    let mut lines = Vec::new();
    for item in &l.items {
        match &item.kind {
            LayerItemKind::Aggregate(a) => {
                lines.push(format!("- annual aggregate {}", money(&a.node, cur)));
            }
            LayerItemKind::Reinstatements { list, pro_rata } => {
                let parts: Vec<String> = list
                    .iter()
                    .map(|r| format!("{} at {}%", r.count.node, r.rate.node))
                    .collect();
                let pr = if pro_rata.is_some() {
                    ", pro rata as to time"
                } else {
                    ""
                };
                lines.push(format!("- reinstatements {}{pr}", parts.join(", ")));
            }
            LayerItemKind::Premium(p) => {
                lines.push(format!("- premium {}", money(&p.node, cur)));
            }
            LayerItemKind::Carrier { name, share } => {
                placed = placed.checked_add(share.node).unwrap_or(placed);
                let part = share_of(&l.limit.node, share.node).unwrap_or_default();
                lines.push(format!(
                    "- carrier \"{}\" {}% ({cur} {part} of the limit)",
                    name.node, share.node
                ));
            }
            LayerItemKind::Exclude(e) => lines.push(format!(
                "- excludes \"{}\" when `{}` (reason `layer_excluded`)",
                e.name.node,
                condition(&e.condition)
            )),
        }
    }
    let unplaced = rust_decimal::Decimal::ONE_HUNDRED.checked_sub(placed);
    if let Some(u) = unplaced.filter(|u| *u > rust_decimal::Decimal::ZERO) {
        let part = share_of(&l.limit.node, u).unwrap_or_default();
        lines.push(format!(
            "- unplaced {u}% ({cur} {part} of the limit), which stays with the insured (reason `unplaced_share`)"
        ));
    }
    block(s, lines)
}

fn layer_named(file: &File, name: &str, cur: &str) -> Option<String> {
    file.program.items.iter().find_map(|i| match &i.kind {
        ItemKind::Layer(l) if l.name.node == name => Some(layer(l, cur)),
        _ => None,
    })
}

fn attribute(a: &AttributeDecl) -> String {
    let default = match &a.default {
        Some(d) => format!(
            "; an event that does not give it takes `{}`",
            literal(&d.node)
        ),
        None => "; every event must give it (no default)".to_string(),
    };
    format!(
        "**Attribute `{}`**: a `{}` fact an event may carry{default}.",
        a.name.node,
        a.ty.node.keyword()
    )
}

fn attribute_named(file: &File, name: &str) -> Option<String> {
    file.program.items.iter().find_map(|i| match &i.kind {
        ItemKind::Attribute(a) if a.name.node == name => Some(attribute(a)),
        _ => None,
    })
}

/// A carrier across the tower and the treaties.
fn carrier(file: &File, name: &str, cur: &str) -> String {
    let mut lines = Vec::new();
    for item in &file.program.items {
        match &item.kind {
            ItemKind::Layer(l) => {
                for li in &l.items {
                    if let LayerItemKind::Carrier { name: n, share } = &li.kind {
                        if n.node == name {
                            let part = share_of(&l.limit.node, share.node).unwrap_or_default();
                            lines.push(format!(
                                "- {}% of layer \"{}\" ({} xs {}): {cur} {part} per occurrence",
                                share.node,
                                l.name.node,
                                written(&l.limit.node),
                                written(&l.attachment.node)
                            ));
                        }
                    }
                }
            }
            ItemKind::Treaty(t) => lines.extend(treaty_role(t, name)),
            _ => {}
        }
    }
    let s = format!("**Carrier \"{name}\"**");
    block(s, lines)
}

/// What `name` does in treaty `t`: cedes, or takes a share.
fn treaty_role(t: &TreatyDecl, name: &str) -> Vec<String> {
    t.items
        .iter()
        .filter_map(|i| match &i.kind {
            TreatyItemKind::Cedent(c) if c.node == name => {
                Some(format!("- cedes under treaty \"{}\"", t.name.node))
            }
            TreatyItemKind::Reinsurer { name: n, share } if n.node == name => Some(format!(
                "- reinsures {}% of treaty \"{}\"",
                share.node, t.name.node
            )),
            _ => None,
        })
        .collect()
}

fn treaty(t: &TreatyDecl, cur: &str) -> String {
    let form = match &t.form {
        TreatyForm::QuotaShare(p) => format!("cedes {}% of what the cedent pays", p.node),
        TreatyForm::Excess { limit, attachment } => format!(
            "takes what the cedent pays per occurrence above {}, at most {}",
            money(&attachment.node, cur),
            money(&limit.node, cur)
        ),
    };
    let s = format!("**Treaty \"{}\"**: {form}.", t.name.node);
    let lines = t.items.iter().map(|i| match &i.kind {
        TreatyItemKind::Cedent(c) => format!("- cedent \"{}\"", c.node),
        TreatyItemKind::Reinsurer { name, share } => {
            format!("- reinsurer \"{}\" {}%", name.node, share.node)
        }
        TreatyItemKind::Aggregate(a) => format!("- annual aggregate {}", money(&a.node, cur)),
        TreatyItemKind::InuresAfter(list) => {
            let names: Vec<String> = list.iter().map(|n| format!("\"{}\"", n.node)).collect();
            format!("- applies after {}", names.join(", "))
        }
    });
    block(s, lines)
}

fn treaty_named(file: &File, name: &str, cur: &str) -> Option<String> {
    file.program.items.iter().find_map(|i| match &i.kind {
        ItemKind::Treaty(t) if t.name.node == name => Some(treaty(t, cur)),
        _ => None,
    })
}
