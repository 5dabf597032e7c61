//! Text → syntax tree ([`crate::ast`]), with nom and nom_locate.
//!
//! The parser is a set of small nom parsers over a [`LocatedSpan`], one per token kind and
//! one per production of `grammar/specie.ebnf`. Leading whitespace and comments are skipped
//! by each token parser; comments are then attached to items by [`trivia`]. Errors keep the
//! furthest position reached and the set of things expected there, so that a message says
//! what could come at that spot.

mod err;
mod lex;
mod lexicon;
mod model;
mod portfolio;
mod portfolio_model;
mod trivia;

pub use err::ParseError;
pub use lexicon::{KEYWORDS, MAX_INPUT_BYTES, MAX_NESTING};
pub use model::{
    parse_model, INDEX_PERIL_ITEM_KEYWORDS, MODEL_ITEM_KEYWORDS, MODEL_WORDS, PERIL_ITEM_KEYWORDS,
};
pub use portfolio::{
    parse_portfolio, PORTFOLIO_ITEM_KEYWORDS, PORTFOLIO_WORDS, VENDOR_ITEM_KEYWORDS,
};
pub use portfolio_model::{
    parse_portfolio_model, PORTFOLIO_MODEL_ITEM_KEYWORDS, PORTFOLIO_MODEL_WORDS,
    VENDOR_PERIL_ITEM_KEYWORDS,
};

/// What a `.specie` file holds, told by its first word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A `program` (or anything else: the program parser names the error).
    Program,
    /// A `model` (section 12.1).
    Model,
    /// A `portfolio` (section 15).
    Portfolio,
    /// A `portfolio model` (section 15.2).
    PortfolioModel,
}

/// What `src` holds: its first word after comments and white space.
pub fn file_kind(src: &str) -> FileKind {
    let mut rest = src;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix('#') {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
            continue;
        }
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return match word.as_str() {
            "model" => FileKind::Model,
            "portfolio" => {
                let after = rest.get(word.len()..).unwrap_or("").trim_start();
                let next: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if next == "model" {
                    FileKind::PortfolioModel
                } else {
                    FileKind::Portfolio
                }
            }
            _ => FileKind::Program,
        };
    }
}

/// Whether `src` holds a model rather than a program: its first word is `model`.
pub fn is_model(src: &str) -> bool {
    file_kind(src) == FileKind::Model
}

use crate::ast::*;
use crate::span::{Span, Spanned};
use lex::*;
use nom::Err as NomErr;

/// Words read as keywords in one place only and not reserved (`pro rata as to time` after
/// a reinstatement list), so that they remain valid names elsewhere.
pub const CONTEXTUAL_WORDS: &[&str] = &["pro", "rata", "as", "time"];

/// Keywords that start a program item.
pub const ITEM_KEYWORDS: &[&str] = &[
    "insured",
    "currency",
    "period",
    "basis",
    "discovery",
    "occurrence",
    "retroactive",
    "valuation",
    "attribute",
    "exposure",
    "covers",
    "sublimit",
    "deductible",
    "coinsurance",
    "exclude",
    "layer",
    "parametric",
    "check",
    "treaty",
    "allow",
];

/// Keywords that start an item of a `check` block.
pub const CHECK_ITEM_KEYWORDS: &[&str] = &["event", "events", "loss", "with", "expect"];

/// The reasons an `expect uncovered REASON` may name (spec section 6).
pub const REASONS: &[&str] = &[
    "outside_period",
    "cause_not_covered",
    "excluded",
    "sublimit",
    "deductible",
    "coinsurance",
    "layer_excluded",
    "aggregate_exhausted",
    "unplaced_share",
    "tower_gap",
    "above_tower",
];

/// Keywords that start an item of a `parametric` block.
pub const PARAMETRIC_ITEM_KEYWORDS: &[&str] = &[
    "index",
    "trigger",
    "payout",
    "aggregate",
    "waiting",
    "carrier",
];

/// Keywords that start a layer item.
pub const LAYER_ITEM_KEYWORDS: &[&str] = &[
    "aggregate",
    "reinstatements",
    "premium",
    "carrier",
    "exclude",
];

/// Keywords that start an item of a `treaty` block.
pub const TREATY_ITEM_KEYWORDS: &[&str] = &["cedent", "reinsurer", "aggregate", "inures"];

/// Items reserved for later versions of the language (none at present).
const UNSUPPORTED_ITEMS: &[&str] = &[];

/// Parses a program's source text into its syntax tree.
///
/// ```
/// let file = specie::parse::parse(r#"
///     program "Demo" {
///       period 2026-01-01 to 2027-01-01
///       layer "Primary" 10M xs 0 { carrier "A" 100% }
///     }"#).unwrap();
/// assert_eq!(file.program.name.node, "Demo");
/// assert_eq!(file.program.items.len(), 2);
/// ```
pub fn parse(src: &str) -> Result<File, ParseError> {
    if src.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            size: src.len(),
            limit: MAX_INPUT_BYTES,
            span: (0, 0).into(),
        });
    }
    let input = In::new(src);
    let result = file(input);
    match result {
        Ok((_, mut f)) => {
            trivia::attach(src, &mut f);
            Ok(f)
        }
        Err(NomErr::Error(e)) | Err(NomErr::Failure(e)) => Err(e.into_parse_error(src)),
        Err(NomErr::Incomplete(_)) => {
            Err(PErr::expected(src.len(), Exp::Thing("more input")).into_parse_error(src))
        }
    }
}

fn file(i: In) -> PResult<File> {
    let (i, program) = program(i)?;
    let (i, _) = ws(i)?;
    if !i.fragment().is_empty() {
        return Err(NomErr::Failure(PErr::expected(
            off(&i),
            Exp::Thing("end of input"),
        )));
    }
    Ok((
        i,
        File {
            header: Vec::new(),
            program,
            footer: Vec::new(),
        },
    ))
}

fn program(i: In) -> PResult<ProgramDecl> {
    let (i, kw_span) = kw("program")(i)?;
    let (i, name) = cut(string_lit)(i)?;
    let (rest, items) = cut(|x| block(x, program_item))(i)?;
    let span = Span::new(kw_span.start, off(&rest));
    Ok((
        rest,
        ProgramDecl {
            name,
            items,
            end_comments: Vec::new(),
            span,
        },
    ))
}

/// `{ ITEM* }`: items until the closing brace.
fn block<'a, T>(i: In<'a>, mut item: impl FnMut(In<'a>) -> PResult<'a, T>) -> PResult<'a, Vec<T>> {
    let (mut i, _) = punct("{")(i)?;
    let mut items = Vec::new();
    loop {
        let (rest, _) = ws(i)?;
        i = rest;
        if let Ok((rest, _)) = punct("}")(i) {
            return Ok((rest, items));
        }
        let (rest, it) = item(i)?;
        items.push(it);
        i = rest;
    }
}

/// Reads the keyword at `i` for an item of a block, or fails with what a block allows.
fn item_keyword<'a>(i: In<'a>, keywords: &'static [&'static str]) -> PResult<'a, (In<'a>, Span)> {
    let start = off(&i);
    match word(i) {
        Ok((rest, w)) => Ok((rest, (w, Span::new(start, off(&rest))))),
        Err(_) => {
            let mut e = PErr::expected(start, Exp::Thing("an item"));
            e.expected.push(Exp::Punct("}"));
            let _ = keywords;
            Err(NomErr::Failure(e))
        }
    }
}

fn program_item(i: In) -> PResult<Item> {
    keyed_item(i, ITEM_KEYWORDS, Block::Program, |word, rest| {
        Some(match word {
            "insured" => cut(map(string_lit, ItemKind::Insured))(rest),
            "currency" => cut(map(currency_code, ItemKind::Currency))(rest),
            "period" => cut(period)(rest),
            "basis" => cut(basis)(rest),
            "discovery" => cut(discovery_window)(rest),
            "occurrence" => cut(occurrence_window)(rest),
            "retroactive" => cut(map(date, ItemKind::Retroactive))(rest),
            "valuation" => cut(valuation)(rest),
            "attribute" => cut(attribute)(rest),
            "exposure" => cut(exposure)(rest),
            "covers" => cut(covers)(rest),
            "sublimit" => cut(sublimit)(rest),
            "deductible" => cut(deductible)(rest),
            "coinsurance" => cut(map(percent, ItemKind::Coinsurance))(rest),
            "exclude" => cut(map(exclusion, ItemKind::Exclude))(rest),
            "layer" => cut(layer)(rest),
            "parametric" => cut(parametric)(rest),
            "check" => cut(check)(rest),
            "treaty" => cut(treaty)(rest),
            "allow" => cut(allow)(rest),
            _ => return None,
        })
    })
}

/// The block an item is written in, for the error an unknown keyword gives.
enum Block {
    /// The program block.
    Program,
    /// A layer block (program items are suggested there too).
    Layer,
    /// Another block, by its name.
    Named(&'static str),
}

/// One item of a block: its keyword (one of `keywords`), then what `body` parses for it;
/// `body` gives `None` for a keyword that starts no item there.
fn keyed_item<'a, K>(
    i: In<'a>,
    keywords: &'static [&'static str],
    block: Block,
    body: impl FnOnce(&str, In<'a>) -> Option<PResult<'a, K>>,
) -> PResult<'a, Item<K>> {
    let (rest, (w, kw_span)) = item_keyword(i, keywords)?;
    let word = *w.fragment();
    let Some(parsed) = body(word, rest) else {
        return Err(NomErr::Failure(match block {
            Block::Program => unknown_item(word, kw_span, false),
            Block::Layer => unknown_item(word, kw_span, true),
            Block::Named(name) => unknown_block_item(word, kw_span, name, keywords),
        }));
    };
    let (rest, kind) = parsed?;
    Ok((rest, Item::new(kind, Span::new(kw_span.start, off(&rest)))))
}

fn unknown_item(word: &str, span: Span, in_layer: bool) -> PErr {
    if UNSUPPORTED_ITEMS.contains(&word) {
        return PErr::special(span.start, Special::Unsupported(word.to_string(), span.end));
    }
    let (here, there, there_name) = if in_layer {
        (
            LAYER_ITEM_KEYWORDS,
            ITEM_KEYWORDS,
            "at program level, outside any layer",
        )
    } else {
        (
            ITEM_KEYWORDS,
            LAYER_ITEM_KEYWORDS,
            "inside a `layer { … }` block",
        )
    };
    let help = if here.contains(&word) {
        format!(
            "`{word}` is written {}",
            if in_layer {
                "inside a layer"
            } else {
                "at program level"
            }
        )
    } else if there.contains(&word) {
        format!("`{word}` is written {there_name}")
    } else {
        let block = if in_layer { "layer" } else { "program" };
        return unknown_block_item(word, span, block, here);
    };
    PErr::special(
        span.start,
        Special::UnknownItem {
            word: word.to_string(),
            end: span.end,
            help,
        },
    )
}

/// An unknown word at the start of an item of a block: a suggestion, or the keywords allowed.
fn unknown_block_item(word: &str, span: Span, block: &str, keywords: &[&str]) -> PErr {
    let help = match crate::suggest::did_you_mean(word, keywords.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "{block} items start with one of: {}",
            keywords
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    PErr::special(
        span.start,
        Special::UnknownItem {
            word: word.to_string(),
            end: span.end,
            help,
        },
    )
}

fn period(i: In) -> PResult<ItemKind> {
    let (i, start) = date(i)?;
    let (i, _) = kw("to")(i)?;
    let (i, end) = date(i)?;
    Ok((i, ItemKind::Period { start, end }))
}

fn basis(i: In) -> PResult<ItemKind> {
    let (i, (w, span)) = one_of_keywords(&["occurrence", "discovery"])(i)?;
    let b = if w == "occurrence" {
        Basis::Occurrence
    } else {
        Basis::Discovery
    };
    Ok((i, ItemKind::Basis(Spanned::new(b, span))))
}

fn discovery_window(i: In) -> PResult<ItemKind> {
    let (i, _) = kw("window")(i)?;
    let (i, d) = duration(i)?;
    Ok((i, ItemKind::DiscoveryWindow(d)))
}

fn occurrence_window(i: In) -> PResult<ItemKind> {
    let (i, _) = kw("window")(i)?;
    let (i, d) = duration(i)?;
    Ok((i, ItemKind::OccurrenceWindow(d)))
}

fn valuation(i: In) -> PResult<ItemKind> {
    let (i, at) = kw("at")(i)?;
    let (i, (w, span)) = one_of_keywords(&["loss", "discovery"])(i)?;
    let v = if w == "loss" {
        Valuation::AtLoss
    } else {
        Valuation::AtDiscovery
    };
    Ok((i, ItemKind::Valuation(Spanned::new(v, at.join(span)))))
}

fn attribute(i: In) -> PResult<ItemKind> {
    let (i, name) = ident(i)?;
    let (i, _) = punct(":")(i)?;
    let (i, (w, span)) =
        one_of_keywords(&["flag", "count", "number", "amount", "duration", "text"])(i)?;
    let ty = match w {
        "flag" => AttrType::Flag,
        "count" => AttrType::Count,
        "number" => AttrType::Number,
        "amount" => AttrType::Amount,
        "duration" => AttrType::Duration,
        _ => AttrType::Text,
    };
    let (i, default) = match punct("=")(i) {
        Ok((i, _)) => {
            let (i, lit) = literal(i)?;
            (i, Some(lit))
        }
        Err(NomErr::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    Ok((
        i,
        ItemKind::Attribute(AttributeDecl {
            name,
            ty: Spanned::new(ty, span),
            default,
        }),
    ))
}

fn exposure(i: In) -> PResult<ItemKind> {
    let (i, tier) = ident_labelled(i, Exp::Thing("a storage tier such as `hot`"))?;
    let (i, amount) = amount(i)?;
    Ok((i, ItemKind::Exposure { tier, amount }))
}

fn covers(i: In) -> PResult<ItemKind> {
    let (i, causes) = symbol_list(i, Exp::Thing("a cause of loss such as `external_hack`"))?;
    Ok((i, ItemKind::Covers(causes)))
}

/// `S (, S)*`
fn symbol_list(i: In, what: Exp) -> PResult<Vec<Ident>> {
    let (mut i, first) = ident_labelled(i, what)?;
    let mut out = vec![first];
    loop {
        match punct(",")(i) {
            Ok((rest, _)) => {
                let (rest, s) = ident_labelled(rest, what)?;
                out.push(s);
                i = rest;
            }
            Err(NomErr::Error(_)) => return Ok((i, out)),
            Err(e) => return Err(e),
        }
    }
}

fn optional<'a, O>(r: PResult<'a, O>, i: In<'a>) -> Result<(In<'a>, Option<O>), NomErr<PErr>> {
    match r {
        Ok((rest, o)) => Ok((rest, Some(o))),
        Err(NomErr::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

fn when_clause(i: In) -> PResult<Option<Cond>> {
    match kw("when")(i) {
        Ok((rest, _)) => {
            let (rest, c) = cond(rest)?;
            Ok((rest, Some(c)))
        }
        Err(NomErr::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

fn sublimit(i: In) -> PResult<ItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, first) = amount(i)?;
    let (i, (w, _)) = one_of_keywords(&["per", "aggregate"])(i)?;
    let (i, per_occurrence, aggregate) = if w == "per" {
        let (i, _) = kw("occurrence")(i)?;
        let (i, agg) = optional(aggregate_suffix(i), i)?;
        (i, Some(first), agg)
    } else {
        (i, None, Some(first))
    };
    let (i, condition) = when_clause(i)?;
    Ok((
        i,
        ItemKind::Sublimit(SublimitDecl {
            name,
            per_occurrence,
            aggregate,
            condition,
        }),
    ))
}

/// `, A aggregate`
fn aggregate_suffix(i: In) -> PResult<Spanned<NumberLit>> {
    let (i, _) = punct(",")(i)?;
    let (i, a) = cut(amount)(i)?;
    let (i, _) = cut(kw("aggregate"))(i)?;
    Ok((i, a))
}

fn amount_or_percent(i: In) -> PResult<Spanned<AmountOrPercent>> {
    match percent(i) {
        Ok((rest, p)) => Ok((rest, Spanned::new(AmountOrPercent::Percent(p.node), p.span))),
        Err(NomErr::Error(e1)) => match amount(i) {
            Ok((rest, a)) => Ok((rest, Spanned::new(AmountOrPercent::Amount(a.node), a.span))),
            Err(NomErr::Error(e2)) => Err(NomErr::Error(e1.or(e2))),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

fn deductible(i: In) -> PResult<ItemKind> {
    let (i, name) = optional(string_lit(i), i)?;
    let (i, amount) = match amount_or_percent(i) {
        Ok(ok) => ok,
        Err(NomErr::Error(mut e)) => {
            if name.is_none() {
                e.expected.push(Exp::Thing("a string"));
            }
            return Err(NomErr::Error(e));
        }
        Err(e) => return Err(e),
    };
    let (i, min) = optional(preceded_kw("min", i), i)?;
    let (i, max) = optional(preceded_kw("max", i), i)?;
    let (i, franchise) = optional(kw("franchise")(i), i)?;
    let (i, _) = match kw("per")(i) {
        Ok(ok) => ok,
        Err(NomErr::Error(mut e)) => {
            // Say every optional part that could have come here.
            for k in ["min", "max", "franchise"] {
                e.expected.push(Exp::Kw(k));
            }
            return Err(NomErr::Error(e));
        }
        Err(e) => return Err(e),
    };
    let (i, _) = kw("occurrence")(i)?;
    let (i, aggregate) = optional(aggregate_suffix(i), i)?;
    let (i, condition) = when_clause(i)?;
    Ok((
        i,
        ItemKind::Deductible(DeductibleDecl {
            name,
            amount,
            min,
            max,
            franchise,
            aggregate,
            condition,
        }),
    ))
}

/// `KEYWORD AMOUNT`, returning the amount.
fn preceded_kw<'a>(k: &'static str, i: In<'a>) -> PResult<'a, Spanned<NumberLit>> {
    let (i, _) = kw(k)(i)?;
    cut(amount)(i)
}

fn exclusion(i: In) -> PResult<ExclusionDecl> {
    let (i, name) = string_lit(i)?;
    let (i, _) = kw("when")(i)?;
    let (i, condition) = cond(i)?;
    Ok((i, ExclusionDecl { name, condition }))
}

fn allow(i: In) -> PResult<ItemKind> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (mut i, first) = match word(i) {
        Ok(ok) => ok,
        Err(_) => {
            return Err(NomErr::Error(PErr::expected(
                start,
                Exp::Thing("a finding code such as `specie::tower::gap`"),
            )))
        }
    };
    let mut code = first.fragment().to_string();
    while let Ok((rest, _)) = nom::bytes::complete::tag::<_, _, PErr>("::")(i) {
        let (rest, w) = word(rest).map_err(|_| {
            NomErr::Failure(PErr::expected(off(&rest), Exp::Thing("a code segment")))
        })?;
        code.push_str("::");
        code.push_str(w.fragment());
        i = rest;
    }
    Ok((
        i,
        ItemKind::Allow(Spanned::new(code, Span::new(start, off(&i)))),
    ))
}

fn layer(i: In) -> PResult<ItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, limit) = amount(i)?;
    let (i, _) = kw("xs")(i)?;
    let (i, attachment) = amount(i)?;
    let (i, items) = block(i, layer_item)?;
    Ok((
        i,
        ItemKind::Layer(LayerDecl {
            name,
            limit,
            attachment,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn layer_item(i: In) -> PResult<LayerItem> {
    keyed_item(i, LAYER_ITEM_KEYWORDS, Block::Layer, |word, rest| {
        Some(match word {
            "aggregate" => cut(map(amount, LayerItemKind::Aggregate))(rest),
            "reinstatements" => cut(reinstatements)(rest),
            "premium" => cut(map(amount, LayerItemKind::Premium))(rest),
            "carrier" => cut(carrier)(rest),
            "exclude" => cut(map(exclusion, LayerItemKind::Exclude))(rest),
            _ => return None,
        })
    })
}

fn reinstatements(i: In) -> PResult<LayerItemKind> {
    let mut out = Vec::new();
    let mut i = i;
    loop {
        let (rest, count) = count_lit(i)?;
        let (rest, _) = kw("at")(rest)?;
        let (rest, rate) = percent(rest)?;
        out.push(ReinstatementDecl { count, rate });
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(NomErr::Error(_)) => {
                let (rest, pro_rata) = pro_rata_as_to_time(rest)?;
                return Ok((
                    rest,
                    LayerItemKind::Reinstatements {
                        list: out,
                        pro_rata,
                    },
                ));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The words `pro rata as to time` after a reinstatement list (spec section 11.3). They
/// are read only here and are not reserved, so `time` stays a valid attribute name.
fn pro_rata_as_to_time(i: In) -> PResult<Option<Span>> {
    let start = match kw("pro")(i) {
        Ok((_, s)) => s,
        Err(NomErr::Error(_)) => return Ok((i, None)),
        Err(e) => return Err(e),
    };
    let (rest, _) = kw("pro")(i)?;
    let (rest, _) = cut(kw("rata"))(rest)?;
    let (rest, _) = cut(kw("as"))(rest)?;
    let (rest, _) = cut(kw("to"))(rest)?;
    let (rest, end) = cut(kw("time"))(rest)?;
    Ok((rest, Some(start.join(end))))
}

fn carrier(i: In) -> PResult<LayerItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, share) = percent(i)?;
    Ok((i, LayerItemKind::Carrier { name, share }))
}

fn parametric(i: In) -> PResult<ItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, items) = block(i, parametric_item)?;
    Ok((
        i,
        ItemKind::Parametric(ParametricDecl {
            name,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn treaty(i: In) -> PResult<ItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, form) = match kw("quota")(i) {
        Ok((i, _)) => {
            let (i, _) = kw("share")(i)?;
            let (i, p) = percent(i)?;
            (i, TreatyForm::QuotaShare(p))
        }
        Err(NomErr::Error(e1)) => {
            let (i, limit) = match amount(i) {
                Ok(ok) => ok,
                Err(NomErr::Error(e2)) => return Err(NomErr::Error(e1.or(e2))),
                Err(e) => return Err(e),
            };
            let (i, _) = kw("xs")(i)?;
            let (i, attachment) = amount(i)?;
            let (i, _) = kw("per")(i)?;
            let (i, _) = kw("occurrence")(i)?;
            (i, TreatyForm::Excess { limit, attachment })
        }
        Err(e) => return Err(e),
    };
    let (i, items) = block(i, treaty_item)?;
    Ok((
        i,
        ItemKind::Treaty(TreatyDecl {
            name,
            form,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn treaty_item(i: In) -> PResult<TreatyItem> {
    keyed_item(
        i,
        TREATY_ITEM_KEYWORDS,
        Block::Named("treaty"),
        |word, rest| {
            Some(match word {
                "cedent" => cut(map(string_lit, TreatyItemKind::Cedent))(rest),
                "reinsurer" => cut(treaty_reinsurer)(rest),
                "aggregate" => cut(map(amount, TreatyItemKind::Aggregate))(rest),
                "inures" => cut(inures_after)(rest),
                _ => return None,
            })
        },
    )
}

fn treaty_reinsurer(i: In) -> PResult<TreatyItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, share) = percent(i)?;
    Ok((i, TreatyItemKind::Reinsurer { name, share }))
}

fn inures_after(i: In) -> PResult<TreatyItemKind> {
    let (mut i, _) = kw("after")(i)?;
    let mut names = Vec::new();
    loop {
        let (rest, name) = string_lit(i)?;
        names.push(name);
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(NomErr::Error(_)) => return Ok((rest, TreatyItemKind::InuresAfter(names))),
            Err(e) => return Err(e),
        }
    }
}

fn check(i: In) -> PResult<ItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, items) = block(i, check_item)?;
    Ok((
        i,
        ItemKind::Check(CheckDecl {
            name,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn check_item(i: In) -> PResult<CheckItem> {
    keyed_item(
        i,
        CHECK_ITEM_KEYWORDS,
        Block::Named("check"),
        |word, rest| {
            Some(match word {
                "event" => cut(map(cond, CheckItemKind::Event))(rest),
                "events" => cut(check_events)(rest),
                "loss" => cut(check_loss)(rest),
                "with" => cut(check_with)(rest),
                "expect" => cut(check_expect)(rest),
                _ => return None,
            })
        },
    )
}

fn check_events(i: In) -> PResult<CheckItemKind> {
    let (i, count) = count_lit(i)?;
    let (i, _) = kw("with")(i)?;
    let (i, condition) = cond(i)?;
    Ok((i, CheckItemKind::Events { count, condition }))
}

fn check_loss(i: In) -> PResult<CheckItemKind> {
    let (i, (w, _)) = one_of_keywords(&["up", "from"])(i)?;
    let (i, from, to) = if w == "up" {
        let (i, _) = kw("to")(i)?;
        let (i, to) = amount(i)?;
        (i, None, to)
    } else {
        let (i, from) = amount(i)?;
        let (i, _) = kw("to")(i)?;
        let (i, to) = amount(i)?;
        (i, Some(from), to)
    };
    let (i, each) = optional(kw("each")(i), i)?;
    Ok((
        i,
        CheckItemKind::Loss {
            from,
            to,
            each: each.is_some(),
        },
    ))
}

fn check_with(i: In) -> PResult<CheckItemKind> {
    let (i, name) = ident(i)?;
    let (i, _) = punct("=")(i)?;
    let (i, value) = literal(i)?;
    Ok((i, CheckItemKind::With { name, value }))
}

fn check_expect(i: In) -> PResult<CheckItemKind> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (i, (w, _)) = one_of_keywords(&["paid", "uncovered", "carrier", "layer", "retained"])(i)?;
    let (i, metric) = match w {
        "paid" => (i, Metric::Paid),
        "retained" => (i, Metric::Retained),
        "uncovered" => {
            let (j, _) = ws(i)?;
            match word(j) {
                Ok((rest, r)) if REASONS.contains(r.fragment()) => {
                    (rest, Metric::Uncovered(Some(r.fragment().to_string())))
                }
                Ok((_, r)) if !["and", "or"].contains(r.fragment()) => {
                    let mut e =
                        PErr::expected(off(&j), Exp::Thing("a reason such as `deductible`"));
                    e.expected.push(Exp::Thing("an operator"));
                    return Err(NomErr::Failure(e));
                }
                _ => (i, Metric::Uncovered(None)),
            }
        }
        kind => {
            let (i, name) = string_lit(i)?;
            let (i, _) = kw("paid")(i)?;
            let m = if kind == "carrier" {
                Metric::CarrierPaid(name.node)
            } else {
                Metric::LayerPaid(name.node)
            };
            (i, m)
        }
    };
    let metric = Spanned::new(metric, Span::new(start, off(&i)));
    let (i, op) = cmp_op(i)?;
    let (i, _) = ws(i)?;
    let bstart = off(&i);
    let (i, bound) = match percent(i) {
        Ok((i, p)) => {
            let (i, _) = kw("of")(i)?;
            let (i, _) = kw("loss")(i)?;
            (i, Bound::ShareOfLoss(p.node))
        }
        Err(NomErr::Error(_)) => {
            let (i, a) = amount(i)?;
            if let Ok((after, _)) = duration_unit(i) {
                let end = off(&after);
                let text = a.span.start;
                return Err(NomErr::Failure(PErr::special(
                    text,
                    Special::Number {
                        text: format!("{} {}", format_number(&a.node), after_word(i)),
                        end,
                        help: "a bound is an amount (`2.5M`) or a share of the loss (`50% of loss`), not a duration",
                    },
                )));
            }
            (i, Bound::Amount(a.node))
        }
        Err(e) => return Err(e),
    };
    let bound = Spanned::new(bound, Span::new(bstart, off(&i)));
    Ok((i, CheckItemKind::Expect { metric, op, bound }))
}

fn format_number(n: &NumberLit) -> String {
    format!("{}{}", n.mantissa, n.magnitude.suffix())
}

/// The word after spaces at `i` (for messages).
fn after_word(i: In) -> String {
    let s = i.fragment().trim_start_matches([' ', '\t']);
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("")
        .to_string()
}

fn direction(i: In) -> PResult<Spanned<Direction>> {
    let (i, (w, span)) = one_of_keywords(&["below", "above"])(i)?;
    let d = if w == "below" {
        Direction::Below
    } else {
        Direction::Above
    };
    Ok((i, Spanned::new(d, span)))
}

fn parametric_item(i: In) -> PResult<ParametricItem> {
    keyed_item(
        i,
        PARAMETRIC_ITEM_KEYWORDS,
        Block::Named("parametric"),
        |word, rest| {
            Some(match word {
                "index" => cut(map(string_lit, ParametricItemKind::Index))(rest),
                "trigger" => cut(trigger)(rest),
                "payout" => cut(payout)(rest),
                "aggregate" => cut(map(amount, ParametricItemKind::Aggregate))(rest),
                "waiting" => cut(waiting_period)(rest),
                "carrier" => cut(parametric_carrier)(rest),
                _ => return None,
            })
        },
    )
}

fn trigger(i: In) -> PResult<ParametricItemKind> {
    let (i, direction) = direction(i)?;
    let (i, threshold) = amount(i)?;
    let (i, _) = kw("for")(i)?;
    let (i, duration) = duration(i)?;
    Ok((
        i,
        ParametricItemKind::Trigger {
            direction,
            threshold,
            duration,
        },
    ))
}

fn payout(i: In) -> PResult<ParametricItemKind> {
    if let Ok((i, _)) = kw("linear")(i) {
        let (i, _) = kw("from")(i)?;
        let (i, from_percent) = percent(i)?;
        let (i, _) = kw("at")(i)?;
        let (i, from_at) = amount(i)?;
        let (i, _) = kw("to")(i)?;
        let (i, to_percent) = percent(i)?;
        let (i, _) = kw("at")(i)?;
        let (i, to_at) = amount(i)?;
        let (i, _) = kw("of")(i)?;
        let (i, notional) = amount(i)?;
        return Ok((
            i,
            ParametricItemKind::Linear {
                from_percent,
                from_at,
                to_percent,
                to_at,
                notional,
            },
        ));
    }
    let (i, percent) = match percent(i) {
        Ok(ok) => ok,
        Err(NomErr::Error(mut e)) => {
            e.expected.push(Exp::Kw("linear"));
            return Err(NomErr::Error(e));
        }
        Err(e) => return Err(e),
    };
    let (i, _) = kw("of")(i)?;
    let (i, notional) = amount(i)?;
    let (i, when) = match kw("when")(i) {
        Ok((i, _)) => {
            let (i, d) = direction(i)?;
            let (i, y) = amount(i)?;
            (i, Some((d, y)))
        }
        Err(NomErr::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    Ok((
        i,
        ParametricItemKind::Step {
            percent,
            notional,
            when,
        },
    ))
}

fn waiting_period(i: In) -> PResult<ParametricItemKind> {
    let (i, _) = kw("period")(i)?;
    let (i, d) = duration(i)?;
    Ok((i, ParametricItemKind::WaitingPeriod(d)))
}

fn parametric_carrier(i: In) -> PResult<ParametricItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, share) = percent(i)?;
    Ok((i, ParametricItemKind::Carrier { name, share }))
}

// ---------------------------------------------------------------------------------------
// Conditions

/// One open parenthesis level of [`cond`] (the outermost level has no parenthesis).
struct Level {
    /// Offset of `(`, or `None` for the outermost level.
    paren_start: Option<usize>,
    /// Finished `and`-groups of this level's `or`.
    or_parts: Vec<Cond>,
    /// Operands of the current `and`-group.
    and_parts: Vec<Cond>,
    /// Offsets of `not`s waiting for their operand.
    nots: Vec<usize>,
}

impl Level {
    fn new(paren_start: Option<usize>) -> Level {
        Level {
            paren_start,
            or_parts: Vec::new(),
            and_parts: Vec::new(),
            nots: Vec::new(),
        }
    }

    /// Applies pending `not`s to `operand` and adds it to the current `and`-group.
    fn push_operand(&mut self, mut operand: Cond) {
        while let Some(start) = self.nots.pop() {
            let span = Span::new(start, operand.span.end);
            operand = Cond {
                kind: CondKind::Not(Box::new(operand)),
                span,
            };
        }
        self.and_parts.push(operand);
    }

    fn finish(mut self) -> Cond {
        let group = combine(std::mem::take(&mut self.and_parts), CondKind::And);
        if self.or_parts.is_empty() {
            return group;
        }
        self.or_parts.push(group);
        combine(self.or_parts, CondKind::Or)
    }
}

/// `cond := or ; or := and ("or" and)* ; and := unary ("and" unary)* ;
/// unary := "not" unary | "(" cond ")" | test`.
///
/// Parsed with an explicit stack rather than recursion, so that nesting is bounded by
/// [`MAX_NESTING`] and never by the thread's stack.
fn cond(i: In) -> PResult<Cond> {
    let mut levels = vec![Level::new(None)];
    let mut depth = 0usize;
    let mut i = i;
    loop {
        // Expect an operand.
        let (rest, _) = ws(i)?;
        i = rest;
        let start = off(&i);
        if depth >= MAX_NESTING {
            return Err(NomErr::Failure(PErr::special(start, Special::TooDeep)));
        }
        let Some(level) = levels.last_mut() else {
            return Err(NomErr::Failure(PErr::expected(
                start,
                Exp::Thing("a condition"),
            )));
        };
        if let Some(("not", rest)) = peek_word(&i) {
            level.nots.push(start);
            depth = depth.saturating_add(1);
            i = rest;
            continue;
        }
        if let Ok((rest, _)) = punct("(")(i) {
            levels.push(Level::new(Some(start)));
            depth = depth.saturating_add(1);
            i = rest;
            continue;
        }
        let (rest, t) = test(i)?;
        depth = depth.saturating_sub(level.nots.len());
        level.push_operand(t);
        i = rest;
        // After an operand: `and`, `or`, `)` or the end of the condition.
        loop {
            let Some(level) = levels.last_mut() else {
                return Err(NomErr::Failure(PErr::expected(
                    off(&i),
                    Exp::Thing("a condition"),
                )));
            };
            let (next, _) = ws(i)?;
            match peek_word(&next) {
                Some(("and", rest)) => {
                    i = rest;
                    break;
                }
                Some(("or", rest)) => {
                    let group = combine(std::mem::take(&mut level.and_parts), CondKind::And);
                    level.or_parts.push(group);
                    i = rest;
                    break;
                }
                _ => {}
            }
            if level.paren_start.is_none() {
                let done = levels.pop().map(Level::finish);
                return match done {
                    Some(c) => Ok((i, c)),
                    None => Err(NomErr::Failure(PErr::expected(
                        off(&i),
                        Exp::Thing("a condition"),
                    ))),
                };
            }
            let (rest, close) = punct(")")(i).map_err(|e| {
                NomErr::Failure(match e {
                    NomErr::Error(mut p) | NomErr::Failure(mut p) => {
                        p.expected.push(Exp::Kw("and"));
                        p.expected.push(Exp::Kw("or"));
                        p
                    }
                    NomErr::Incomplete(_) => PErr::expected(off(&i), Exp::Punct(")")),
                })
            })?;
            i = rest;
            let Some(done) = levels.pop() else {
                return Err(NomErr::Failure(PErr::expected(
                    close.start,
                    Exp::Thing("a condition"),
                )));
            };
            let open = done.paren_start.unwrap_or(close.start);
            let mut inner = done.finish();
            inner.span = Span::new(open, close.end);
            depth = depth.saturating_sub(1);
            let Some(parent) = levels.last_mut() else {
                return Err(NomErr::Failure(PErr::expected(
                    close.start,
                    Exp::Thing("a condition"),
                )));
            };
            depth = depth.saturating_sub(parent.nots.len());
            parent.push_operand(inner);
        }
    }
}

fn combine(mut parts: Vec<Cond>, make: fn(Vec<Cond>) -> CondKind) -> Cond {
    if parts.len() == 1 {
        if let Some(c) = parts.pop() {
            return c;
        }
    }
    let span = parts
        .iter()
        .map(|c| c.span)
        .reduce(Span::join)
        .unwrap_or_default();
    Cond {
        kind: make(parts),
        span,
    }
}

fn test(i: In) -> PResult<Cond> {
    let (i, field) = ident_labelled(i, Exp::Thing("a condition"))?;
    let start = field.span.start;
    let finish = |rest: &In, t: Test| Cond {
        kind: CondKind::Test(t),
        span: Span::new(start, off(rest)),
    };
    let (next, _) = ws(i)?;
    let (after_not, negated) = match peek_word(&next) {
        Some(("is", rest)) => {
            let (rest, negated) = optional(kw("not")(rest), rest)?;
            let (rest, symbol) = cut(|x| ident_labelled(x, Exp::Thing("a symbol")))(rest)?;
            let t = Test::Is {
                field,
                negated: negated.is_some(),
                symbol,
            };
            return Ok((rest, finish(&rest, t)));
        }
        Some(("not", rest)) => (rest, true),
        _ => (next, false),
    };
    if let Ok((rest, _)) = kw("in")(after_not) {
        let (rest, _) = cut(punct("["))(rest)?;
        let (rest, symbols) = cut(|x| symbol_list(x, Exp::Thing("a symbol")))(rest)?;
        let (rest, _) = cut(punct("]"))(rest).map_err(|e| {
            e.map(|mut p| {
                p.expected.push(Exp::Punct(","));
                p
            })
        })?;
        let t = Test::In {
            field,
            negated,
            symbols,
        };
        return Ok((rest, finish(&rest, t)));
    }
    if negated {
        return Err(NomErr::Failure(PErr::expected(
            off(&after_not),
            Exp::Kw("in"),
        )));
    }
    if let Ok((rest, op)) = cmp_op(next) {
        let (rest, value) = cut(literal)(rest)?;
        let t = Test::Compare { field, op, value };
        return Ok((rest, finish(&rest, t)));
    }
    let t = Test::Flag { field };
    Ok((i, finish(&i, t)))
}

fn cmp_op(i: In) -> PResult<Spanned<CmpOp>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let s = i.fragment();
    let (op, n) = if s.starts_with("<=") {
        (CmpOp::Le, 2)
    } else if s.starts_with(">=") {
        (CmpOp::Ge, 2)
    } else if s.starts_with("==") {
        (CmpOp::Eq, 2)
    } else if s.starts_with("!=") {
        (CmpOp::Ne, 2)
    } else if s.starts_with('<') {
        (CmpOp::Lt, 1)
    } else if s.starts_with('>') {
        (CmpOp::Gt, 1)
    } else {
        return Err(NomErr::Error(PErr::expected(
            start,
            Exp::Thing("an operator"),
        )));
    };
    let (rest, _) = split(i, n)?;
    Ok((
        rest,
        Spanned::new(op, Span::new(start, start.saturating_add(n))),
    ))
}

#[cfg(test)]
mod tests;
