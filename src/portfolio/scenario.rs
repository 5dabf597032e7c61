//! Portfolio scenarios (spec section 15.1): each program's own events and the vendor
//! events, expanded into every program that uses the vendor. Read without building the
//! document's tree: each event is read from its own slice of the text, so every error
//! gives its line and column in the file.

use super::book::{BookProgram, Portfolio, Uses, Vendor};
use crate::money::{div_round_half_even, Fraction, Money};
use crate::program::Program;
use crate::scenario::{Attributes, DecimalValue, RawEvent, RawLine, Scenario, ScenarioError};
use crate::span::line_col;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use thiserror::Error;

/// Why a portfolio scenario cannot be read or expanded. Every error says where, with the
/// line and column in the file.
#[derive(Clone, Debug, Error, miette::Diagnostic, PartialEq, Eq)]
pub enum BookScenarioError {
    /// Malformed JSON, or JSON of the wrong shape (with the field path).
    #[error("invalid portfolio scenario at line {line}, column {column}: {message}")]
    #[diagnostic(code(specie::portfolio::scenario))]
    Shape {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, with the field.
        message: String,
    },
    /// What a vendor event says does not fit the book.
    #[error("vendor event `{event}` (line {line}, column {column}): {problem}")]
    #[diagnostic(code(specie::portfolio::vendor_event))]
    VendorEvent {
        /// The vendor event's id.
        event: String,
        /// 1-based line of the event.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// An event of one program (its own, or a vendor event's expansion) that does not fit
    /// that program.
    #[error("program `{program}`: {source} (line {line}, column {column})")]
    #[diagnostic(code(specie::portfolio::program_event))]
    ProgramEvent {
        /// The program's key.
        program: String,
        /// 1-based line of the event (or of the program's list).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The error.
        source: Box<crate::replay::ReplayError>,
    },
}

/// A vendor event as written (section 15.1).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVendorEvent<'a> {
    /// Unique id among the vendor events.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The vendor breached.
    #[serde(borrow)]
    pub vendor: Cow<'a, str>,
    /// Cause of loss of every expansion.
    #[serde(borrow)]
    pub cause: Cow<'a, str>,
    /// When it occurred.
    #[serde(borrow)]
    pub occurred: Cow<'a, str>,
    /// When it was discovered; defaults to `occurred`.
    #[serde(default, borrow)]
    pub discovered: Option<Cow<'a, str>>,
    /// The share of each dependent exposure lost: one percentage, or one per tier.
    pub damage: Damage,
    /// Attribute values, which every program reached must declare.
    #[serde(default, borrow)]
    pub attributes: Attributes<'a>,
}

/// A vendor event's damage: `"35%"` for every tier, or `{"hot": "35%", "warm": "5%"}` (a
/// tier missing is 0%).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Damage {
    /// One share for every tier.
    All(String),
    /// A share per tier.
    ByTier(BTreeMap<String, String>),
}

/// The document as written: the head by serde, every event kept as its slice of the text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document<'a> {
    #[serde(default)]
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // notes are for people
    notes: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    prices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    #[serde(default)]
    indices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    #[serde(default, borrow)]
    events: BTreeMap<String, Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    vendor_events: Vec<&'a RawValue>,
}

/// A portfolio scenario read and expanded: one section-5 scenario per program of the book
/// (its own events, then its vendor events' expansions), and the vendor events.
#[derive(Clone, Debug)]
pub struct BookScenario<'t> {
    /// The scenario's name.
    pub name: String,
    /// Per program, in book order: the scenario it replays.
    pub programs: Vec<Scenario>,
    /// The vendor events, in written order.
    pub vendor_events: Vec<RawVendorEvent<'t>>,
    /// Each vendor event's occurrence instant.
    pub vendor_occurred: Vec<crate::time::Instant>,
    /// Where each event starts in the text, by program and id, for errors.
    places: Vec<BTreeMap<String, (usize, usize)>>,
}

impl BookScenario<'_> {
    /// Line and column of event `id` of program `p` (its expansion's vendor event for an
    /// expansion), or of the file's start.
    pub fn place(&self, p: usize, id: &str) -> (usize, usize) {
        self.places
            .get(p)
            .and_then(|m| m.get(id))
            .copied()
            .unwrap_or((1, 1))
    }
}

/// The id of vendor event `id`'s expansion into program `key`: `V1@acme`.
pub fn expansion_id(id: &str, key: &str) -> String {
    format!("{id}@{key}")
}

/// Reads a portfolio scenario and expands its vendor events into the book's programs.
pub fn read_book_scenario<'t>(
    portfolio: &Portfolio,
    text: &'t str,
) -> Result<BookScenario<'t>, BookScenarioError> {
    let doc: Document<'t> =
        crate::scenario::read_json(text, None).map_err(|e| shape(text, 0, "", &e))?;
    let mut places: Vec<BTreeMap<String, (usize, usize)>> =
        vec![BTreeMap::new(); portfolio.programs.len()];
    let mut own: Vec<Vec<RawEvent<'static>>> = vec![Vec::new(); portfolio.programs.len()];
    for (key, list) in &doc.events {
        let Some(p) = portfolio.program_index(key) else {
            let (line, column) = at(text, list.first().map_or("", |r| r.get()));
            return Err(BookScenarioError::Shape {
                line,
                column,
                message: format!(
                    "`events` has a list for `{key}`, which is not a program of the book{}",
                    crate::suggest::did_you_mean(
                        key,
                        portfolio.programs.iter().map(|b| b.key.as_str())
                    )
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default()
                ),
            });
        };
        for (n, raw) in list.iter().enumerate() {
            let ev: RawEvent<'t> = crate::scenario::read_json(raw.get(), None).map_err(|e| {
                shape(
                    text,
                    offset(text, raw.get()),
                    &format!("events.{key}[{n}]"),
                    &e,
                )
            })?;
            if let (Some(slot), Some(events)) = (places.get_mut(p), own.get_mut(p)) {
                slot.insert(ev.id.to_string(), at(text, raw.get()));
                events.push(ev.into_owned());
            }
        }
    }
    let mut vendor_events: Vec<RawVendorEvent<'t>> = Vec::new();
    let mut vendor_occurred = Vec::new();
    for (n, raw) in doc.vendor_events.iter().enumerate() {
        let v: RawVendorEvent<'t> = crate::scenario::read_json(raw.get(), None).map_err(|e| {
            shape(
                text,
                offset(text, raw.get()),
                &format!("vendor_events[{n}]"),
                &e,
            )
        })?;
        let (line, column) = at(text, raw.get());
        if vendor_events.iter().any(|w| w.id == v.id) {
            return Err(vendor_error(
                &v,
                (line, column),
                "the id is used by an earlier vendor event".to_string(),
                None,
            ));
        }
        let occurred =
            instants(&v).map_err(|problem| vendor_error(&v, (line, column), problem, None))?;
        let Some(vendor) = portfolio.vendor(&v.vendor) else {
            let help = crate::suggest::did_you_mean(
                &v.vendor,
                portfolio.vendors.iter().map(|x| x.name.as_str()),
            )
            .map(|s| format!("did you mean `{s}`?"));
            return Err(vendor_error(
                &v,
                (line, column),
                format!("vendor `{}` is not a vendor of the book", v.vendor),
                help,
            ));
        };
        for (p, event) in expand(portfolio, vendor, &v)
            .map_err(|problem| vendor_error(&v, (line, column), problem, None))?
        {
            if let (Some(slot), Some(events)) = (places.get_mut(p), own.get_mut(p)) {
                slot.insert(event.id.to_string(), (line, column));
                events.push(event);
            }
        }
        vendor_events.push(v);
        vendor_occurred.push(occurred);
    }
    let programs = own
        .into_iter()
        .map(|events| Scenario {
            name: doc.name.clone(),
            notes: None,
            currency: doc.currency.clone(),
            prices: doc.prices.clone(),
            indices: doc.indices.clone(),
            events,
        })
        .collect();
    Ok(BookScenario {
        name: doc.name,
        programs,
        vendor_events,
        vendor_occurred,
        places,
    })
}

/// A vendor event's occurrence instant; its discovery, when written, may not precede it.
fn instants(v: &RawVendorEvent<'_>) -> Result<crate::time::Instant, String> {
    use crate::time::Instant;
    let occurred = Instant::parse(&v.occurred).ok_or_else(|| {
        format!(
            "`occurred` has `{}`, not an RFC 3339 UTC instant",
            v.occurred
        )
    })?;
    if let Some(d) = &v.discovered {
        let discovered = Instant::parse(d)
            .ok_or_else(|| format!("`discovered` has `{d}`, not an RFC 3339 UTC instant"))?;
        if discovered < occurred {
            return Err(format!(
                "discovered {discovered} before it occurred {occurred}"
            ));
        }
    }
    Ok(occurred)
}

/// Vendor event `v`'s expansions: for each program using `vendor` (in written order) that
/// gets a line, its index and its event `V1@KEY`: the vendor event's cause, instants and
/// attributes, one amount line per tier of the `uses` item (in written order) of
/// round half-even(exposure × share × damage), lines of 0 left out. Each expansion is an
/// occurrence of its own: its series is its id.
fn expand(
    portfolio: &Portfolio,
    vendor: &Vendor,
    v: &RawVendorEvent<'_>,
) -> Result<Vec<(usize, RawEvent<'static>)>, String> {
    let mut out = Vec::new();
    for uses in &vendor.uses {
        let Some(book) = portfolio.programs.get(uses.program) else {
            continue;
        };
        if let Some(event) = expand_into(book, uses, v)? {
            out.push((uses.program, event));
        }
    }
    Ok(out)
}

/// Vendor event `v`'s expansion into the program of one `uses` item: `None` when every
/// line is 0.
pub(crate) fn expand_into(
    book: &BookProgram,
    uses: &Uses,
    v: &RawVendorEvent<'_>,
) -> Result<Option<RawEvent<'static>>, String> {
    let program = &book.program;
    let mut losses = Vec::new();
    for (tier, share) in &uses.tiers {
        let damage = damage_of(&v.damage, tier)?;
        let exposure = program
            .exposures
            .iter()
            .find(|e| e.tier == *tier)
            .map_or(Money::ZERO, |e| e.amount);
        let amount = dependent_loss(exposure, *share, damage)
            .ok_or_else(|| format!("the `{tier}` loss of program `{}` overflows", book.key))?;
        if amount.0 != 0 {
            losses.push(RawLine {
                tier: Cow::Owned(tier.clone()),
                amount: Some(DecimalValue(program.currency.decimal(amount))),
                asset: None,
                quantity: None,
            });
        }
    }
    if losses.is_empty() {
        return Ok(None);
    }
    check_attributes(program, &book.key, &v.attributes)?;
    let id = expansion_id(&v.id, &book.key);
    Ok(Some(RawEvent {
        id: Cow::Owned(id.clone()),
        cause: Cow::Owned(v.cause.to_string()),
        occurred: Cow::Owned(v.occurred.to_string()),
        discovered: v.discovered.as_ref().map(|d| Cow::Owned(d.to_string())),
        losses,
        attributes: v.attributes.clone().into_owned(),
        series: Some(Cow::Owned(id)),
        recoveries: Vec::new(),
        year: None,
        program: None,
    }))
}

/// `round_half_even(exposure × share × damage)` in minor units, exactly.
pub fn dependent_loss(exposure: Money, share: Fraction, damage: Fraction) -> Option<Money> {
    let num = i128::from(exposure.0)
        .checked_mul(share.num)?
        .checked_mul(damage.num)?;
    let den = share.den()?.checked_mul(damage.den()?)?;
    let v = div_round_half_even(num, den)?;
    i64::try_from(v).ok().map(Money)
}

/// The damage of `tier`: the one share, or the tier's (0% when missing).
fn damage_of(d: &Damage, tier: &str) -> Result<Fraction, String> {
    let text = match d {
        Damage::All(p) => p.as_str(),
        Damage::ByTier(m) => match m.get(tier) {
            Some(p) => p.as_str(),
            None => return Ok(Fraction { num: 0, scale: 0 }),
        },
    };
    percent(text).ok_or_else(|| {
        format!("damage `{text}` is not a percentage from 0% to 100%, such as \"35%\"")
    })
}

/// `"35%"` as 0.35, when it is from 0% to 100%.
pub fn percent(text: &str) -> Option<Fraction> {
    let number = text.trim().strip_suffix('%')?;
    let d: Decimal = number.trim().parse().ok()?;
    if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
        return None;
    }
    Fraction::from_decimal(d.checked_div(Decimal::ONE_HUNDRED)?)
}

/// Every attribute of a vendor event must be declared by the program it reaches.
fn check_attributes(program: &Program, key: &str, attrs: &Attributes<'_>) -> Result<(), String> {
    for (name, _) in attrs.iter() {
        if !program.attributes.iter().any(|a| a.name == *name) {
            return Err(format!(
                "attribute `{name}` is not declared by program `{key}`, which the vendor event reaches"
            ));
        }
    }
    Ok(())
}

fn vendor_error(
    v: &RawVendorEvent<'_>,
    (line, column): (usize, usize),
    problem: String,
    help: Option<String>,
) -> BookScenarioError {
    BookScenarioError::VendorEvent {
        event: v.id.to_string(),
        line,
        column,
        problem,
        help,
    }
}

/// The byte offset of `part` (a slice of `text`) in `text`.
fn offset(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// Line and column where `part` (a slice of `text`) starts.
fn at(text: &str, part: &str) -> (usize, usize) {
    line_col(text, offset(text, part))
}

/// A reading error of the slice starting at byte `base` of `text`, whose fields are under
/// `prefix`, at its place in the whole file.
fn shape(text: &str, base: usize, prefix: &str, e: &ScenarioError) -> BookScenarioError {
    let (base_line, base_col) = line_col(text, base);
    let place = |line: usize, column: usize| {
        if line <= 1 {
            (base_line, base_col.saturating_add(column).saturating_sub(1))
        } else {
            (base_line.saturating_add(line).saturating_sub(1), column)
        }
    };
    match e {
        ScenarioError::Json {
            line,
            column,
            message,
        } => {
            let (line, column) = place(*line, *column);
            BookScenarioError::Shape {
                line,
                column,
                message: message.clone(),
            }
        }
        ScenarioError::Shape {
            event,
            field,
            line,
            column,
            message,
        } => {
            let (line, column) = place(*line, *column);
            let path = match (prefix.is_empty(), field.as_str()) {
                (true, f) => f.to_string(),
                (false, "." | "") => prefix.to_string(),
                (false, f) => format!("{prefix}.{f}"),
            };
            let event = event
                .as_ref()
                .map(|id| format!("event `{id}`: "))
                .unwrap_or_default();
            BookScenarioError::Shape {
                line,
                column,
                message: format!("{event}field `{path}`: {message}"),
            }
        }
        other => BookScenarioError::Shape {
            line: base_line,
            column: base_col,
            message: other.to_string(),
        },
    }
}
