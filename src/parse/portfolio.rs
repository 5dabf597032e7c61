//! Portfolio files (spec section 15): `portfolio "NAME" { currency … program "KEY" "PATH"
//! vendor "NAME" { uses "KEY" TIER P%, … } }`.
//!
//! The portfolio's words are read only inside a portfolio and are not reserved in
//! programs; tiers are symbols as in programs.

use super::lex::*;
use super::{block, keyed_item, Block, ParseError, MAX_INPUT_BYTES};
use crate::ast::*;
use crate::span::Span;
use nom::Err as NomErr;

/// Keywords that start an item of a `portfolio` block.
pub const PORTFOLIO_ITEM_KEYWORDS: &[&str] = &["currency", "program", "vendor"];

/// Keywords that start an item of a `vendor` block.
pub const VENDOR_ITEM_KEYWORDS: &[&str] = &["uses"];

/// Every word of the portfolio grammar (checked against `grammar/specie.ebnf`).
pub const PORTFOLIO_WORDS: &[&str] = &["portfolio", "currency", "program", "vendor", "uses"];

/// Parses a portfolio file into its syntax tree.
///
/// ```
/// let p = specie::parse::parse_portfolio(r#"portfolio "Book" {
///   program "acme" "programs/acme.specie"
///   vendor "safe_ui" {
///     uses "acme" hot 60%, warm 10%
///   }
/// }"#).unwrap();
/// assert_eq!(p.portfolio.items.len(), 2);
/// ```
pub fn parse_portfolio(src: &str) -> Result<PortfolioFile, ParseError> {
    if src.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            size: src.len(),
            limit: MAX_INPUT_BYTES,
            span: (0, 0).into(),
        });
    }
    match portfolio_file(In::new(src)) {
        Ok((_, mut f)) => {
            super::trivia::attach_portfolio(src, &mut f);
            Ok(f)
        }
        Err(NomErr::Error(e)) | Err(NomErr::Failure(e)) => Err(e.into_parse_error(src)),
        Err(NomErr::Incomplete(_)) => {
            Err(PErr::expected(src.len(), Exp::Thing("more input")).into_parse_error(src))
        }
    }
}

fn portfolio_file(i: In) -> PResult<PortfolioFile> {
    let (i, kw_span) = kw("portfolio")(i)?;
    let (i, name) = cut(string_lit)(i)?;
    let (i, items) = cut(|x| block(x, portfolio_item))(i)?;
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
        PortfolioFile {
            header: Vec::new(),
            portfolio: PortfolioDecl {
                name,
                items,
                end_comments: Vec::new(),
                span,
            },
            footer: Vec::new(),
        },
    ))
}

fn portfolio_item(i: In) -> PResult<PortfolioItem> {
    keyed_item(
        i,
        PORTFOLIO_ITEM_KEYWORDS,
        Block::Named("portfolio"),
        |word, rest| {
            Some(match word {
                "currency" => cut(map(currency_code, PortfolioItemKind::Currency))(rest),
                "program" => cut(program)(rest),
                "vendor" => cut(vendor)(rest),
                _ => return None,
            })
        },
    )
}

fn program(i: In) -> PResult<PortfolioItemKind> {
    let (i, key) = string_lit(i)?;
    let (i, path) = string_lit(i)?;
    Ok((i, PortfolioItemKind::Program { key, path }))
}

fn vendor(i: In) -> PResult<PortfolioItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, items) = block(i, vendor_item)?;
    Ok((
        i,
        PortfolioItemKind::Vendor(VendorDecl {
            name,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn vendor_item(i: In) -> PResult<VendorItem> {
    keyed_item(
        i,
        VENDOR_ITEM_KEYWORDS,
        Block::Named("vendor"),
        |word, rest| {
            Some(match word {
                "uses" => cut(uses)(rest),
                _ => return None,
            })
        },
    )
}

fn uses(i: In) -> PResult<VendorItemKind> {
    let (mut i, program) = string_lit(i)?;
    let mut tiers = Vec::new();
    loop {
        let (rest, tier) = ident(i)?;
        let (rest, share) = percent(rest)?;
        tiers.push((tier, share));
        i = rest;
        match punct(",")(i) {
            Ok((rest, _)) => i = rest,
            Err(NomErr::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    Ok((i, VendorItemKind::Uses { program, tiers }))
}
