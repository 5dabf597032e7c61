//! Model files (spec section 12.1): `model "NAME" { years … seed … peril "NAME" { … } }`.
//!
//! The model's words (`peril`, `poisson`, `lognormal`, …) are read only inside a model and
//! are not reserved in programs; causes, tiers and attributes are symbols as in programs.

use super::lex::*;
use super::{block, keyed_item, Block, ParseError, MAX_INPUT_BYTES};
use crate::ast::*;
use crate::span::{Span, Spanned};
use nom::Err as NomErr;

/// Keywords that start an item of a `model` block.
pub const MODEL_ITEM_KEYWORDS: &[&str] = &["years", "seed", "peril", "index"];

/// Keywords that start an item of an `index peril` block.
pub const INDEX_PERIL_ITEM_KEYWORDS: &[&str] =
    &["index", "baseline", "frequency", "worst", "duration"];

/// Keywords that start an item of a `peril` block.
pub const PERIL_ITEM_KEYWORDS: &[&str] = &["cause", "frequency", "loss", "with", "discovered"];

/// Every word of the model grammar (checked against `grammar/specie.ebnf`).
pub const MODEL_WORDS: &[&str] = &[
    "model",
    "years",
    "seed",
    "peril",
    "cause",
    "frequency",
    "poisson",
    "negative",
    "binomial",
    "mean",
    "dispersion",
    "fixed",
    "per",
    "year",
    "loss",
    "uniform",
    "to",
    "lognormal",
    "median",
    "sigma",
    "pareto",
    "scale",
    "shape",
    "share",
    "of",
    "exposure",
    "beta",
    "empirical",
    "cap",
    "with",
    "discovered",
    "after",
    "index",
    "baseline",
    "worst",
    "duration",
    "from",
];

/// Parses a model file into its syntax tree.
///
/// ```
/// let m = specie::parse::parse_model(r#"model "m" {
///   years 1000
///   peril "Hot wallet drain" {
///     cause external_hack
///     frequency poisson 0.35 per year
///     loss hot lognormal median 3M sigma 1.8 cap exposure
///   }
/// }"#).unwrap();
/// assert_eq!(m.model.items.len(), 2);
/// ```
pub fn parse_model(src: &str) -> Result<ModelFile, ParseError> {
    if src.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            size: src.len(),
            limit: MAX_INPUT_BYTES,
            span: (0, 0).into(),
        });
    }
    match model_file(In::new(src)) {
        Ok((_, mut f)) => {
            super::trivia::attach_model(src, &mut f);
            Ok(f)
        }
        Err(NomErr::Error(e)) | Err(NomErr::Failure(e)) => Err(e.into_parse_error(src)),
        Err(NomErr::Incomplete(_)) => {
            Err(PErr::expected(src.len(), Exp::Thing("more input")).into_parse_error(src))
        }
    }
}

fn model_file(i: In) -> PResult<ModelFile> {
    let (i, kw_span) = kw("model")(i)?;
    let (i, name) = cut(string_lit)(i)?;
    let (i, items) = cut(|x| block(x, model_item))(i)?;
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
        ModelFile {
            header: Vec::new(),
            model: ModelDecl {
                name,
                items,
                end_comments: Vec::new(),
                span,
            },
            footer: Vec::new(),
        },
    ))
}

fn model_item(i: In) -> PResult<ModelItem> {
    keyed_item(
        i,
        MODEL_ITEM_KEYWORDS,
        Block::Named("model"),
        |word, rest| {
            Some(match word {
                "years" => cut(map(amount, ModelItemKind::Years))(rest),
                "seed" => cut(map(amount, ModelItemKind::Seed))(rest),
                "peril" => cut(peril)(rest),
                "index" => cut(index_peril)(rest),
                _ => return None,
            })
        },
    )
}

fn peril(i: In) -> PResult<ModelItemKind> {
    let (i, name) = string_lit(i)?;
    let (i, items) = block(i, peril_item)?;
    Ok((
        i,
        ModelItemKind::Peril(PerilDecl {
            name,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn index_peril(i: In) -> PResult<ModelItemKind> {
    let (i, _) = kw("peril")(i)?;
    let (i, name) = string_lit(i)?;
    let (i, items) = block(i, index_peril_item)?;
    Ok((
        i,
        ModelItemKind::IndexPeril(IndexPerilDecl {
            name,
            items,
            end_comments: Vec::new(),
        }),
    ))
}

fn index_peril_item(i: In) -> PResult<IndexPerilItem> {
    keyed_item(
        i,
        INDEX_PERIL_ITEM_KEYWORDS,
        Block::Named("index peril"),
        |word, rest| {
            Some(match word {
                "index" => cut(map(string_lit, IndexPerilItemKind::Index))(rest),
                "baseline" => cut(map(amount, IndexPerilItemKind::Baseline))(rest),
                "frequency" => cut(map(frequency, IndexPerilItemKind::Frequency))(rest),
                "worst" => cut(map(worst, IndexPerilItemKind::Worst))(rest),
                "duration" => cut(duration_item)(rest),
                _ => return None,
            })
        },
    )
}

/// A list `[x, …]` of what `item` reads (possibly empty).
pub(super) fn list<'a, T>(i: In<'a>, item: fn(In<'a>) -> PResult<'a, T>) -> PResult<'a, Vec<T>> {
    let (mut i, _) = punct("[")(i)?;
    let mut values = Vec::new();
    if let Ok((rest, _)) = punct("]")(i) {
        return Ok((rest, values));
    }
    loop {
        let (rest, v) = item(i)?;
        values.push(v);
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(NomErr::Error(_)) => {
                let (rest, _) = punct("]")(rest)?;
                return Ok((rest, values));
            }
            Err(e) => return Err(e),
        }
    }
}

fn worst(i: In) -> PResult<Spanned<WorstDecl>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (i, (w, _)) = one_of_keywords(&["fixed", "uniform", "beta", "empirical"])(i)?;
    let (i, d) = match w {
        "fixed" => map(amount, WorstDecl::Fixed)(i)?,
        "uniform" => {
            let (i, a) = amount(i)?;
            let (i, _) = kw("to")(i)?;
            let (i, b) = amount(i)?;
            (i, WorstDecl::Uniform(a, b))
        }
        "beta" => {
            let (i, a) = amount(i)?;
            let (i, b) = amount(i)?;
            let (i, _) = kw("from")(i)?;
            let (i, from) = amount(i)?;
            let (i, _) = kw("to")(i)?;
            let (i, to) = amount(i)?;
            (i, WorstDecl::Beta { a, b, from, to })
        }
        _ => map(|x| list(x, amount), WorstDecl::Empirical)(i)?,
    };
    Ok((i, Spanned::new(d, Span::new(start, off(&i)))))
}

fn duration_item(i: In) -> PResult<IndexPerilItemKind> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (i, (w, _)) = one_of_keywords(&["fixed", "uniform", "lognormal", "empirical"])(i)?;
    let (i, d) = match w {
        "fixed" => map(duration, DurationDistDecl::Fixed)(i)?,
        "uniform" => {
            let (i, a) = duration(i)?;
            let (i, _) = kw("to")(i)?;
            let (i, b) = duration(i)?;
            (i, DurationDistDecl::Uniform(a, b))
        }
        "lognormal" => {
            let (i, _) = kw("median")(i)?;
            let (i, median) = duration(i)?;
            let (i, _) = kw("sigma")(i)?;
            let (i, sigma) = amount(i)?;
            (i, DurationDistDecl::Lognormal { median, sigma })
        }
        _ => map(|x| list(x, duration), DurationDistDecl::Empirical)(i)?,
    };
    let dist = Spanned::new(d, Span::new(start, off(&i)));
    let (i, cap) = match kw("cap")(i) {
        Ok((i, _)) => {
            let (i, c) = duration(i)?;
            (i, Some(c))
        }
        Err(NomErr::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    Ok((i, IndexPerilItemKind::Duration { dist, cap }))
}

fn peril_item(i: In) -> PResult<PerilItem> {
    keyed_item(
        i,
        PERIL_ITEM_KEYWORDS,
        Block::Named("peril"),
        |word, rest| {
            Some(match word {
                "cause" => cut(map(ident, PerilItemKind::Cause))(rest),
                "frequency" => cut(map(frequency, PerilItemKind::Frequency))(rest),
                "loss" => cut(loss)(rest),
                "with" => cut(with)(rest),
                "discovered" => cut(discovered_after)(rest),
                _ => return None,
            })
        },
    )
}

pub(super) fn frequency(i: In) -> PResult<Spanned<FrequencyDecl>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (i, (w, _)) = one_of_keywords(&["poisson", "negative", "fixed"])(i)?;
    let (i, f) = match w {
        "poisson" => {
            let (i, l) = amount(i)?;
            (i, FrequencyDecl::Poisson(l))
        }
        "negative" => {
            let (i, _) = kw("binomial")(i)?;
            let (i, _) = kw("mean")(i)?;
            let (i, mean) = amount(i)?;
            let (i, _) = kw("dispersion")(i)?;
            let (i, dispersion) = amount(i)?;
            (i, FrequencyDecl::NegativeBinomial { mean, dispersion })
        }
        _ => {
            let (i, n) = amount(i)?;
            (i, FrequencyDecl::Fixed(n))
        }
    };
    let end = off(&i);
    let (i, _) = kw("per")(i)?;
    let (i, _) = kw("year")(i)?;
    Ok((i, Spanned::new(f, Span::new(start, end))))
}

fn loss(i: In) -> PResult<PerilItemKind> {
    let (i, tier) = ident(i)?;
    let (i, severity) = severity(i)?;
    let (i, _) = ws(i)?;
    let cap_start = off(&i);
    let (i, cap) = match kw("cap")(i) {
        Ok((i, _)) => match kw("exposure")(i) {
            Ok((i, _)) => (
                i,
                Some(Spanned::new(
                    CapDecl::Exposure,
                    Span::new(cap_start, off(&i)),
                )),
            ),
            Err(NomErr::Error(_)) => {
                let (i, a) = amount(i)?;
                let span = Span::new(cap_start, a.span.end);
                (i, Some(Spanned::new(CapDecl::Amount(a), span)))
            }
            Err(e) => return Err(e),
        },
        Err(NomErr::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    Ok((
        i,
        PerilItemKind::Loss {
            tier,
            severity,
            cap,
        },
    ))
}

fn severity(i: In) -> PResult<Spanned<SeverityDecl>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let (i, (w, _)) = one_of_keywords(&[
        "fixed",
        "uniform",
        "lognormal",
        "pareto",
        "share",
        "empirical",
    ])(i)?;
    let (i, s) = match w {
        "fixed" => {
            let (i, a) = amount(i)?;
            (i, SeverityDecl::Fixed(a))
        }
        "uniform" => {
            let (i, a) = amount(i)?;
            let (i, _) = kw("to")(i)?;
            let (i, b) = amount(i)?;
            (i, SeverityDecl::Uniform(a, b))
        }
        "lognormal" => {
            let (i, _) = kw("median")(i)?;
            let (i, median) = amount(i)?;
            let (i, _) = kw("sigma")(i)?;
            let (i, sigma) = amount(i)?;
            (i, SeverityDecl::Lognormal { median, sigma })
        }
        "pareto" => {
            let (i, _) = kw("scale")(i)?;
            let (i, scale) = amount(i)?;
            let (i, _) = kw("shape")(i)?;
            let (i, shape) = amount(i)?;
            (i, SeverityDecl::Pareto { scale, shape })
        }
        "share" => {
            let (i, _) = kw("of")(i)?;
            let (i, _) = kw("exposure")(i)?;
            let (i, _) = kw("beta")(i)?;
            let (i, a) = amount(i)?;
            let (i, b) = amount(i)?;
            (i, SeverityDecl::ShareOfExposure(a, b))
        }
        _ => {
            let (mut i, _) = punct("[")(i)?;
            let mut values = Vec::new();
            if let Ok((rest, _)) = punct("]")(i) {
                i = rest;
            } else {
                loop {
                    let (rest, v) = amount(i)?;
                    values.push(v);
                    match punct(",")(rest) {
                        Ok((rest, _)) => i = rest,
                        Err(NomErr::Error(_)) => {
                            let (rest, _) = punct("]")(rest)?;
                            i = rest;
                            break;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            (i, SeverityDecl::Empirical(values))
        }
    };
    Ok((i, Spanned::new(s, Span::new(start, off(&i)))))
}

fn with(i: In) -> PResult<PerilItemKind> {
    let (i, name) = ident(i)?;
    let (i, _) = punct("=")(i)?;
    let (i, value) = literal(i)?;
    Ok((i, PerilItemKind::With { name, value }))
}

fn discovered_after(i: In) -> PResult<PerilItemKind> {
    let (i, _) = kw("after")(i)?;
    let (i, d) = duration(i)?;
    Ok((i, PerilItemKind::DiscoveredAfter(d)))
}
