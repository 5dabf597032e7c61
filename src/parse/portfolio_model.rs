//! Portfolio model files (spec section 15.2): `portfolio model "NAME" { years … seed …
//! model "KEY" "PATH" vendor peril "NAME" { vendor … cause … frequency … damage …
//! discovered after … } }`.

use super::lex::*;
use super::model::{frequency, list};
use super::{block, keyed_item, Block, ParseError, MAX_INPUT_BYTES};
use crate::ast::*;
use crate::span::{Span, Spanned};
use nom::Err as NomErr;

/// Keywords that start an item of a `portfolio model` block.
pub const PORTFOLIO_MODEL_ITEM_KEYWORDS: &[&str] = &["years", "seed", "model", "vendor"];

/// Keywords that start an item of a `vendor peril` block.
pub const VENDOR_PERIL_ITEM_KEYWORDS: &[&str] =
    &["vendor", "cause", "frequency", "damage", "discovered"];

/// Every word of the portfolio model grammar (checked against `grammar/specie.ebnf`).
pub const PORTFOLIO_MODEL_WORDS: &[&str] = &[
    "portfolio",
    "model",
    "years",
    "seed",
    "vendor",
    "peril",
    "cause",
    "frequency",
    "damage",
    "fixed",
    "uniform",
    "to",
    "beta",
    "empirical",
    "discovered",
    "after",
];

/// Parses a portfolio model file into its syntax tree.
///
/// ```
/// let m = specie::parse::parse_portfolio_model(r#"portfolio model "Book model" {
///   years 1000
///   model "acme" "models/acme.specie"
///   vendor peril "Wallet UI compromise" {
///     vendor "safe_ui"
///     cause vendor_breach
///     frequency poisson 0.03 per year
///     damage hot beta 0.8 3.0, warm fixed 5%
///   }
/// }"#).unwrap();
/// assert_eq!(m.model.items.len(), 3);
/// ```
pub fn parse_portfolio_model(src: &str) -> Result<PortfolioModelFile, ParseError> {
    if src.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            size: src.len(),
            limit: MAX_INPUT_BYTES,
            span: (0, 0).into(),
        });
    }
    match file(In::new(src)) {
        Ok((_, f)) => Ok(f),
        Err(NomErr::Error(e)) | Err(NomErr::Failure(e)) => Err(e.into_parse_error(src)),
        Err(NomErr::Incomplete(_)) => {
            Err(PErr::expected(src.len(), Exp::Thing("more input")).into_parse_error(src))
        }
    }
}

fn file(i: In) -> PResult<PortfolioModelFile> {
    let (i, kw_span) = kw("portfolio")(i)?;
    let (i, _) = cut(kw("model"))(i)?;
    let (i, name) = cut(string_lit)(i)?;
    let (i, items) = cut(|x| block(x, item))(i)?;
    let span = Span::new(kw_span.start, off(&i));
    let (i, _) = ws(i)?;
    if !i.fragment().is_empty() {
        return Err(NomErr::Failure(PErr::expected(
            off(&i),
            Exp::Thing("end of input"),
        )));
    }
    Ok((
        i,
        PortfolioModelFile {
            header: Vec::new(),
            model: PortfolioModelDecl {
                name,
                items,
                end_comments: Vec::new(),
                span,
            },
            footer: Vec::new(),
        },
    ))
}

fn item(i: In) -> PResult<PortfolioModelItem> {
    keyed_item(
        i,
        PORTFOLIO_MODEL_ITEM_KEYWORDS,
        Block::Named("portfolio model"),
        |word, rest| {
            Some(match word {
                "years" => cut(map(amount, PortfolioModelItemKind::Years))(rest),
                "seed" => cut(map(amount, PortfolioModelItemKind::Seed))(rest),
                "model" => cut(model)(rest),
                "vendor" => cut(vendor_peril)(rest),
                _ => return None,
            })
        },
    )
}

fn model(i: In) -> PResult<PortfolioModelItemKind> {
    let (i, key) = string_lit(i)?;
    let (i, path) = string_lit(i)?;
    Ok((i, PortfolioModelItemKind::Model { key, path }))
}

fn vendor_peril(i: In) -> PResult<PortfolioModelItemKind> {
    let (i, _) = kw("peril")(i)?;
    let (i, name) = string_lit(i)?;
    let (i, items) = block(i, vendor_peril_item)?;
    Ok((
        i,
        PortfolioModelItemKind::VendorPeril(VendorPerilDecl {
            name,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn vendor_peril_item(i: In) -> PResult<VendorPerilItem> {
    keyed_item(
        i,
        VENDOR_PERIL_ITEM_KEYWORDS,
        Block::Named("vendor peril"),
        |word, rest| {
            Some(match word {
                "vendor" => cut(map(string_lit, VendorPerilItemKind::Vendor))(rest),
                "cause" => cut(map(ident, VendorPerilItemKind::Cause))(rest),
                "frequency" => cut(map(frequency, VendorPerilItemKind::Frequency))(rest),
                "damage" => cut(damage)(rest),
                "discovered" => cut(discovered_after)(rest),
                _ => return None,
            })
        },
    )
}

const FRACTION_WORDS: &[&str] = &["fixed", "uniform", "beta", "empirical"];

/// `damage FRACTION` or `damage TIER FRACTION, TIER FRACTION, …`.
fn damage(i: In) -> PResult<VendorPerilItemKind> {
    let (j, _) = ws(i)?;
    let next: String = j
        .fragment()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if FRACTION_WORDS.contains(&next.as_str()) {
        let (i, f) = fraction(i)?;
        return Ok((i, VendorPerilItemKind::Damage(vec![(None, f)])));
    }
    let mut parts = Vec::new();
    let mut i = i;
    loop {
        let (rest, tier) = ident(i)?;
        let (rest, f) = fraction(rest)?;
        parts.push((Some(tier), f));
        i = rest;
        match punct(",")(i) {
            Ok((rest, _)) => i = rest,
            Err(NomErr::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    Ok((i, VendorPerilItemKind::Damage(parts)))
}

fn fraction(i: In) -> PResult<Spanned<FractionDecl>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (i, (w, _)) = one_of_keywords(FRACTION_WORDS)(i)?;
    let (i, f) = match w {
        "fixed" => map(percent, FractionDecl::Fixed)(i)?,
        "uniform" => {
            let (i, a) = percent(i)?;
            let (i, _) = kw("to")(i)?;
            let (i, b) = percent(i)?;
            (i, FractionDecl::Uniform(a, b))
        }
        "beta" => {
            let (i, a) = amount(i)?;
            let (i, b) = amount(i)?;
            (i, FractionDecl::Beta(a, b))
        }
        _ => map(|x| list(x, percent), FractionDecl::Empirical)(i)?,
    };
    Ok((i, Spanned::new(f, Span::new(start, off(&i)))))
}

fn discovered_after(i: In) -> PResult<VendorPerilItemKind> {
    let (i, _) = kw("after")(i)?;
    let (i, d) = duration(i)?;
    Ok((i, VendorPerilItemKind::DiscoveredAfter(d)))
}
