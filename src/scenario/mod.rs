//! Loss scenarios (spec section 5): reading JSON and JSON Lines, and validating events
//! against a program into the engine's [`Event`]s.
//!
//! Reading is in two steps. [`Scenario::from_json`] (or [`StreamHeader`] plus
//! [`RawEvent::from_json_line`]) checks the JSON's shape and reports malformed input with
//! line and column. [`Preparer::prepare`] then checks each event against the program —
//! attributes and their types, prices, quantities, instants — and values its loss lines,
//! naming the event id and field in every error.

mod attributes;
mod batch;
mod err;
mod general;
mod locate;
pub(crate) mod read;
pub(crate) mod scan;
mod symbols;
pub(crate) mod whole;

pub use attributes::Attributes;
pub use batch::{BatchView, EventBatch, ScenarioHead, MAX_EVENTS};
pub use err::ScenarioError;
pub use read::read_scenario;
pub use symbols::{Symbols, OTHER_SYMBOL};

use crate::ast::{AttrType, Valuation};
use crate::money::{Currency, Money};
use crate::program::{Program, Value};
use crate::suggest::did_you_mean;
use crate::time::{Duration, Instant};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// Most loss lines one event may have.
pub const MAX_LINES_PER_EVENT: usize = 10_000;

/// A decimal written in JSON as a string (`"61000.50"`) or a number (`61000.5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DecimalValue(#[serde(with = "rust_decimal::serde::str")] pub Decimal);

impl<'de> Deserialize<'de> for DecimalValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DecimalValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a decimal number, as a string or a JSON number")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<DecimalValue, E> {
                parse_decimal(s).map(DecimalValue).ok_or_else(|| {
                    if s.trim().parse::<f64>().is_ok_and(f64::is_finite) {
                        E::custom(format!(
                            "`{s}` is out of range of an exact decimal (at most 28 significant digits)"
                        ))
                    } else {
                        E::custom(format!("`{s}` is not a decimal number"))
                    }
                })
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<DecimalValue, E> {
                Ok(DecimalValue(Decimal::from(n)))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<DecimalValue, E> {
                Ok(DecimalValue(Decimal::from(n)))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<DecimalValue, E> {
                // The shortest text that reads back as this float, e.g. 0.1 → "0.1".
                self.visit_str(&n.to_string())
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether `s.trim()` is `s` for want of white space at its ends, seen without Unicode
/// tables: `s` starts and ends with visible ASCII. (`false` says nothing.)
pub(crate) fn nothing_to_trim(s: &str) -> bool {
    matches!((s.as_bytes().first(), s.as_bytes().last()),
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic())
}

fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = if nothing_to_trim(s) { s } else { s.trim() };
    plain_decimal(s.as_bytes())
        .or_else(|| Decimal::from_str(s).ok())
        .or_else(|| Decimal::from_scientific(s).ok())
}

/// The common decimal `-?digits[.digits]` of at most 18 digits, read without
/// `Decimal::from_str`'s generality; `None` leaves any other text (and `-0`) to it.
///
/// INVARIANT: when `Some(d)`, `Decimal::from_str` gives the same mantissa, scale and sign
/// (property test `plain_decimals_read_as_from_str`).
fn plain_decimal(s: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if digits.first() == Some(&b'.') || digits.last() == Some(&b'.') || digits.len() > 19 {
        return None;
    }
    let (mut mantissa, mut scale, mut count, mut dot) = (0i64, 0u32, 0usize, false);
    for c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa
                    .checked_mul(10)?
                    .checked_add(i64::from(c.wrapping_sub(b'0')))?;
                count = count.saturating_add(1);
                scale = scale.saturating_add(u32::from(dot));
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if count == 0 || count > 18 || (negative && mantissa == 0) {
        return None;
    }
    let signed = if negative {
        mantissa.checked_neg()?
    } else {
        mantissa
    };
    Decimal::try_new(signed, scale).ok()
}

/// A scenario as read: a name, prices and events, not yet checked against a program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name.
    #[serde(default)]
    pub name: String,
    /// Free-form notes (e.g. the hand arithmetic of a fixture); ignored by replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<serde_json::Value>,
    /// Currency the amounts are in; must be the program's when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Price series per asset: `[[instant, price], …]`.
    #[serde(default)]
    pub prices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    /// Index series for parametric covers: `[[instant, value], …]`, sorted by instant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    /// The events.
    #[serde(deserialize_with = "owned_events")]
    pub events: Vec<RawEvent<'static>>,
}

fn owned_events<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<RawEvent<'static>>, D::Error> {
    let events: Vec<RawEvent<'de>> = Vec::deserialize(d)?;
    Ok(events.into_iter().map(RawEvent::into_owned).collect())
}

fn own(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

/// An event as written in the scenario. Text fields borrow from the input where they can
/// (a line of a stream), and own their text otherwise (`RawEvent<'static>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent<'a> {
    /// Unique id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// Cause of loss.
    #[serde(borrow)]
    pub cause: Cow<'a, str>,
    /// When it occurred (RFC 3339, UTC).
    #[serde(borrow)]
    pub occurred: Cow<'a, str>,
    /// When it was discovered; defaults to `occurred`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub discovered: Option<Cow<'a, str>>,
    /// Loss lines.
    #[serde(borrow)]
    pub losses: Vec<RawLine<'a>>,
    /// Attribute values by name.
    #[serde(default, borrow, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes<'a>,
    /// Events with the same series are one occurrence (spec section 11.1).
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub series: Option<Cow<'a, str>>,
    /// Stolen assets that came back (spec section 11.2).
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub recoveries: Vec<RawRecovery<'a>>,
    /// The simulated year of a `simulate --events-out` line; accepted and ignored.
    #[serde(default, skip_serializing)]
    pub year: Option<u64>,
    /// The program of a book's `simulate --events-out` line (spec section 15.2);
    /// accepted and ignored.
    #[serde(default, borrow, skip_serializing)]
    pub program: Option<Cow<'a, str>>,
}

/// A recovery as written: an instant and either an amount or an asset quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecovery<'a> {
    /// When it came back (RFC 3339, UTC); its valuation instant.
    #[serde(borrow)]
    pub at: Cow<'a, str>,
    /// Amount in the program currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<DecimalValue>,
    /// Asset symbol.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub asset: Option<Cow<'a, str>>,
    /// Quantity of the asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<DecimalValue>,
}

/// A loss line: a tier and either an amount or an asset quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLine<'a> {
    /// Storage tier.
    #[serde(borrow)]
    pub tier: Cow<'a, str>,
    /// Amount in the program currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<DecimalValue>,
    /// Asset symbol.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub asset: Option<Cow<'a, str>>,
    /// Quantity of the asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<DecimalValue>,
}

fn json_error(e: &serde_json::Error) -> ScenarioError {
    let mut err = ScenarioError::json(e);
    if let ScenarioError::Json { message, .. } = &mut err {
        if let Some(pos) = message.rfind(" at line ") {
            message.truncate(pos);
        }
    }
    err
}

/// The error of reading `text` as a `T`. Well-formed JSON of the wrong shape is read a
/// second time, on this error path only, to find the field path and the id of the event it
/// belongs to (`events_key` names the array of events: `Some("events")` for a scenario,
/// `None` for one event of a stream).
fn read_error<'a, T: Deserialize<'a>>(
    text: &'a str,
    e: &serde_json::Error,
    events_key: Option<&str>,
) -> ScenarioError {
    if e.classify() != serde_json::error::Category::Data {
        return json_error(e);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let Err(tracked) = serde_path_to_error::deserialize::<_, T>(&mut de) else {
        return json_error(e);
    };
    let inner = tracked.inner();
    let mut message = inner.to_string();
    if let Some(pos) = message.rfind(" at line ") {
        message.truncate(pos);
    }
    let mut field = tracked.path().to_string();
    // serde names a missing field in the message and stops the path at its parent.
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        field = match field.as_str() {
            "." | "" => name.to_string(),
            parent => format!("{parent}.{name}"),
        };
    }
    ScenarioError::Shape {
        event: event_id_at(text, &field, events_key),
        field,
        line: inner.line(),
        column: inner.column(),
        message,
    }
}

/// Reads one JSON value of type `T` from `text` (one event, or a document whose events are
/// under `events_key`); an error says where, with the field path and the event's id.
pub(crate) fn read_json<'a, T: Deserialize<'a>>(
    text: &'a str,
    events_key: Option<&str>,
) -> Result<T, ScenarioError> {
    serde_json::from_str(text).map_err(|e| read_error::<T>(text, &e, events_key))
}

/// The `id` of the event a field path points into, if it is a string.
fn event_id_at(text: &str, field: &str, events_key: Option<&str>) -> Option<String> {
    match events_key {
        None => {
            // One event of a stream: a line, bounded by the line limit.
            let root: serde_json::Value = serde_json::from_str(text).ok()?;
            root.get("id")?.as_str().map(str::to_string)
        }
        Some(key) => {
            let rest = field.strip_prefix(key)?.strip_prefix('[')?;
            let index: usize = rest.split(']').next()?.parse().ok()?;
            locate::event_id(text, key, index)
        }
    }
}

impl Scenario {
    /// Reads a scenario from JSON text (spec section 5).
    ///
    /// ```
    /// let s = specie::scenario::Scenario::from_json(r#"{"name": "n", "events": [
    ///   {"id": "E1", "cause": "external_hack", "occurred": "2026-03-14T02:10:00Z",
    ///    "losses": [{"tier": "hot", "amount": "2500000"}]}]}"#).unwrap();
    /// assert_eq!(s.events[0].id, "E1");
    /// ```
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        serde_json::from_str(text).map_err(|e| read_error::<Scenario>(text, &e, Some("events")))
    }

    /// The scenario as pretty JSON, ready for `specie replay`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl<'a> RawEvent<'a> {
    /// The same event owning all its text.
    pub fn into_owned(self) -> RawEvent<'static> {
        RawEvent {
            id: own(self.id),
            cause: own(self.cause),
            occurred: own(self.occurred),
            discovered: self.discovered.map(own),
            losses: self
                .losses
                .into_iter()
                .map(|l| RawLine {
                    tier: own(l.tier),
                    amount: l.amount,
                    asset: l.asset.map(own),
                    quantity: l.quantity,
                })
                .collect(),
            attributes: self.attributes.into_owned(),
            series: self.series.map(own),
            year: self.year,
            program: self.program.map(own),
            recoveries: self
                .recoveries
                .into_iter()
                .map(|r| RawRecovery {
                    at: own(r.at),
                    amount: r.amount,
                    asset: r.asset.map(own),
                    quantity: r.quantity,
                })
                .collect(),
        }
    }

    /// An event with no text, lines or attributes (not a valid one: it has no id).
    pub(crate) fn empty() -> RawEvent<'a> {
        RawEvent {
            id: Cow::Borrowed(""),
            cause: Cow::Borrowed(""),
            occurred: Cow::Borrowed(""),
            discovered: None,
            losses: Vec::new(),
            attributes: Attributes::new(),
            series: None,
            recoveries: Vec::new(),
            year: None,
            program: None,
        }
    }

    /// Back to [`RawEvent::empty`], keeping the buffers of lines and attributes.
    pub(crate) fn reset(&mut self) {
        self.id = Cow::Borrowed("");
        self.cause = Cow::Borrowed("");
        self.occurred = Cow::Borrowed("");
        self.discovered = None;
        self.losses.clear();
        self.attributes.clear();
        self.series = None;
        self.recoveries.clear();
        self.year = None;
        self.program = None;
    }

    /// Reads one event from a line of a JSON Lines stream, borrowing its text; errors
    /// carry the stream's line number.
    pub fn from_json_line(text: &'a str, line: usize) -> Result<RawEvent<'a>, ScenarioError> {
        if let Some(ev) = scan::scan_event(text) {
            return Ok(ev);
        }
        Self::from_json_line_by_serde(text, line)
    }

    /// [`RawEvent::from_json_line`] into `self`, reusing its buffers when the line has
    /// the common shape.
    pub(crate) fn read_json_line(
        &mut self,
        text: &'a str,
        line: usize,
    ) -> Result<(), ScenarioError> {
        if !scan::scan_event_into(text, self) {
            *self = Self::from_json_line_by_serde(text, line)?;
        }
        Ok(())
    }

    /// [`RawEvent::from_json_line`] by serde, which reads every shape and names errors.
    fn from_json_line_by_serde(text: &'a str, line: usize) -> Result<RawEvent<'a>, ScenarioError> {
        serde_json::from_str(text).map_err(|e| {
            let mut err = read_error::<RawEvent<'a>>(text, &e, None);
            if let ScenarioError::Json { line: l, .. } | ScenarioError::Shape { line: l, .. } =
                &mut err
            {
                *l = line;
            }
            err
        })
    }
}

/// The first line of a JSON Lines stream may be a header: `{"name": …, "prices": …}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamHeader {
    /// Scenario name.
    #[serde(default)]
    pub name: String,
    /// Free-form notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<serde_json::Value>,
    /// Currency, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Price series.
    #[serde(default)]
    pub prices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    /// Index series for parametric covers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    /// The simulated year a `--events-out` indices line belongs to (accepted, not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u64>,
}

/// Validated price series: for each asset, observations sorted by instant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prices {
    /// Sorted by asset (each event's lines look their asset up here by binary search,
    /// cheaper than hashing for the few assets a scenario prices).
    series: Vec<(String, Vec<(Instant, Decimal)>)>,
}

impl Prices {
    /// Validates raw series: instants parse, no two observations at one instant, prices
    /// not negative. Observations may be given in any order.
    pub fn new(
        raw: &BTreeMap<String, Vec<(String, DecimalValue)>>,
    ) -> Result<Prices, ScenarioError> {
        // INVARIANT: `raw` iterates in the order of its keys, so `series` is sorted.
        let mut series = Vec::with_capacity(raw.len());
        for (asset, obs) in raw {
            let mut v = Vec::with_capacity(obs.len());
            for (n, (at, price)) in obs.iter().enumerate() {
                let field = format!("prices.{asset}[{n}]");
                let instant = Instant::parse(at).ok_or_else(|| ScenarioError::Field {
                    event: "(prices)".to_string(),
                    field: field.clone(),
                    problem: format!("has `{at}`, not an RFC 3339 UTC instant"),
                })?;
                if price.0.is_sign_negative() && !price.0.is_zero() {
                    return Err(ScenarioError::Field {
                        event: "(prices)".to_string(),
                        field,
                        problem: format!("is negative ({})", price.0),
                    });
                }
                v.push((instant, price.0));
            }
            v.sort_by_key(|(i, _)| *i);
            if let Some(w) = v.windows(2).find(|w| matches!(w, [a, b] if a.0 == b.0)) {
                let instant = w.first().map(|(i, _)| i.to_string()).unwrap_or_default();
                return Err(ScenarioError::PriceSeries {
                    asset: asset.clone(),
                    instant,
                });
            }
            series.push((asset.clone(), v));
        }
        Ok(Prices { series })
    }

    /// The latest price of `asset` at or before `at`.
    pub fn at(&self, asset: &str, at: Instant) -> Option<Decimal> {
        let k = self
            .series
            .binary_search_by(|(name, _)| name.as_str().cmp(asset))
            .ok()?;
        let (_, s) = self.series.get(k)?;
        let idx = s.partition_point(|(i, _)| *i <= at);
        let prev = idx.checked_sub(1)?;
        s.get(prev).map(|(_, p)| *p)
    }
}

/// Validated index series: for each index, observations strictly increasing in time. A
/// series is a step function: each value holds until the next observation, and the series
/// ends at its last observation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Indices {
    series: HashMap<String, Vec<(Instant, Decimal)>>,
}

impl Indices {
    /// Validates raw series: instants parse and strictly increase (unsorted or duplicate
    /// instants are errors).
    pub fn new(
        raw: &BTreeMap<String, Vec<(String, DecimalValue)>>,
    ) -> Result<Indices, ScenarioError> {
        let mut series = HashMap::new();
        for (name, obs) in raw {
            if obs.is_empty() {
                // A series without observations is always a mistake: no cover could claim.
                return Err(ScenarioError::IndexSeries {
                    index: name.clone(),
                    problem:
                        "has no observation; give `[[instant, value], …]` or leave the index out"
                            .to_string(),
                });
            }
            let mut v: Vec<(Instant, Decimal)> = Vec::with_capacity(obs.len());
            for (n, (at, value)) in obs.iter().enumerate() {
                let instant = Instant::parse(at).ok_or_else(|| ScenarioError::IndexSeries {
                    index: name.clone(),
                    problem: format!("observation {n} has `{at}`, not an RFC 3339 UTC instant"),
                })?;
                if let Some((prev, _)) = v.last() {
                    if instant <= *prev {
                        return Err(ScenarioError::IndexSeries {
                            index: name.clone(),
                            problem: format!(
                                "observation {n} at {instant} is {} the one before it ({prev}); observations must be sorted with distinct instants",
                                if instant == *prev { "at the same instant as" } else { "earlier than" }
                            ),
                        });
                    }
                }
                v.push((instant, value.0));
            }
            series.insert(name.clone(), v);
        }
        Ok(Indices { series })
    }

    /// Series built elsewhere (a simulated year's): each must have strictly increasing
    /// instants, which the caller guarantees.
    pub(crate) fn from_series(series: HashMap<String, Vec<(Instant, Decimal)>>) -> Indices {
        Indices { series }
    }

    /// Every series, by index name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[(Instant, Decimal)])> {
        self.series.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The observations of `name`, if the scenario gives it.
    pub fn get(&self, name: &str) -> Option<&[(Instant, Decimal)]> {
        self.series.get(name).map(Vec::as_slice)
    }
}

/// An event checked against a program, with its lines valued: the engine's input. Its text
/// borrows from the [`RawEvent`] it was prepared from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// Unique id.
    pub id: &'a str,
    /// Cause as written.
    pub cause: &'a str,
    /// Interned cause.
    pub cause_id: u32,
    /// Occurrence instant.
    pub occurred: Instant,
    /// Discovery instant.
    pub discovered: Instant,
    /// Valued loss lines (borrowed from a batch of prepared events, or owned).
    pub lines: Cow<'a, [Line<'a>]>,
    /// Attribute values, indexed like [`Program::attributes`].
    pub attributes: Cow<'a, [Value]>,
    /// The series it belongs to, if any (spec section 11.1).
    pub series: Option<&'a str>,
    /// Valued recoveries (spec section 11.2); empty when none.
    pub recoveries: Cow<'a, [Recovery<'a>]>,
}

/// A valued recovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery<'a> {
    /// When it came back; its valuation instant.
    pub at: Instant,
    /// Its value at `at`, rounded half-even to the minor unit.
    pub value: Money,
    /// Asset, if it was a quantity.
    pub asset: Option<&'a str>,
    /// Quantity and price, when it was an asset quantity.
    pub priced: Option<(Decimal, Decimal)>,
    /// The event it was written on (an occurrence gathers its members' recoveries).
    pub event: &'a str,
}

impl Event<'_> {
    /// Ground-up loss: the sum of the lines' values, or `None` on overflow.
    pub fn ground_up(&self) -> Option<Money> {
        self.lines
            .iter()
            .try_fold(Money::ZERO, |a, l| a.checked_add(l.value))
    }
}

/// A valued loss line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// Tier as written.
    pub tier: &'a str,
    /// Interned tier.
    pub tier_id: u32,
    /// Asset, if the line was a quantity.
    pub asset: Option<&'a str>,
    /// Interned asset ([`OTHER_SYMBOL`] when none).
    pub asset_id: u32,
    /// Value after valuation (spec section 6, step 1).
    pub value: Money,
    /// Quantity and price, when the line was an asset quantity.
    pub priced: Option<(Decimal, Decimal)>,
}

/// A field of an event's list, `losses[2]`, formatted only when an error names it.
#[derive(Clone, Copy, Debug)]
struct FieldAt(&'static str, usize);

impl std::fmt::Display for FieldAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// A field of an element of an event's list, `losses[2].tier`, formatted only when an
/// error names it.
#[derive(Clone, Copy, Debug)]
struct FieldIn(&'static str, usize, &'static str);

impl std::fmt::Display for FieldIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}].{}", self.0, self.1, self.2)
    }
}

/// Checks raw events against one program and values their lines.
pub struct Preparer<'p> {
    program: &'p Program,
    prices: Prices,
}

impl<'p> Preparer<'p> {
    /// A preparer for `program` with the scenario's `prices`; `currency` is the scenario's
    /// stated currency, if any.
    pub fn new(
        program: &'p Program,
        prices: Prices,
        currency: Option<&str>,
    ) -> Result<Preparer<'p>, ScenarioError> {
        if let Some(code) = currency {
            match Currency::from_code(code) {
                None => {
                    return Err(ScenarioError::Currency {
                        code: code.to_string(),
                        problem: "is unknown: its minor-unit decimals are not known".to_string(),
                    })
                }
                Some(c) if c != program.currency => {
                    return Err(ScenarioError::Currency {
                        code: code.to_string(),
                        problem: format!(
                            "differs from the program currency {}",
                            program.currency.code
                        ),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(Preparer { program, prices })
    }

    fn field_err(
        ev: &RawEvent<'_>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Field {
            event: ev.id.to_string(),
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The interned id of the cause, tier or asset `name` at `field` of `ev`. A name the
    /// program never names ([`OTHER_SYMBOL`]) with white space before or after it is an
    /// error: `"hot "` can only be a mistake for `hot`, and would skip every clause tied
    /// to it.
    pub(super) fn symbol(
        ev: &RawEvent<'_>,
        field: &dyn std::fmt::Display,
        name: &str,
        symbols: &Symbols,
    ) -> Result<u32, ScenarioError> {
        let id = symbols.get(name);
        if id == OTHER_SYMBOL && name.trim() != name {
            return Err(Self::field_err(
                ev,
                field.to_string(),
                format!(
                    "has `{name}` with white space before or after it; write `{}`",
                    name.trim()
                ),
            ));
        }
        Ok(id)
    }

    /// Validates one event and values its lines (spec section 6, step 1); `symbols` are
    /// the engine's interned symbols ([`crate::replay::Replayer::symbols`]).
    pub fn prepare<'e>(
        &self,
        ev: &'e RawEvent<'_>,
        symbols: &Symbols,
    ) -> Result<Event<'e>, ScenarioError> {
        let (occurred, discovered, at) = self.instants(ev)?;
        let mut lines = Vec::with_capacity(ev.losses.len());
        for (n, l) in ev.losses.iter().enumerate() {
            lines.push(self.line(ev, n, l, at, symbols)?);
        }
        let mut attributes = Vec::with_capacity(self.program.attributes.len());
        self.attributes_into(ev, &mut attributes)?;
        let mut event = Event {
            id: &ev.id,
            cause: &ev.cause,
            cause_id: Self::symbol(ev, &"cause", &ev.cause, symbols)?,
            occurred,
            discovered,
            lines: Cow::Owned(lines),
            attributes: Cow::Owned(attributes),
            series: ev.series.as_deref(),
            recoveries: Cow::Borrowed(&[]),
        };
        let recoveries = self.recoveries(ev, &event)?;
        if !recoveries.is_empty() {
            event.recoveries = Cow::Owned(recoveries);
        }
        Ok(event)
    }

    /// The first checks of [`Preparer::prepare`]: the occurrence and discovery instants
    /// (discovery not before occurrence) and the number of loss lines. Returns the two
    /// instants and the valuation instant.
    pub(super) fn instants(
        &self,
        ev: &RawEvent<'_>,
    ) -> Result<(Instant, Instant, Instant), ScenarioError> {
        let occurred = Instant::parse(&ev.occurred).ok_or_else(|| {
            Self::field_err(
                ev,
                "occurred",
                format!("has `{}`, not an RFC 3339 UTC instant", ev.occurred),
            )
        })?;
        let discovered = match &ev.discovered {
            None => occurred,
            Some(d) => Instant::parse_beside(d, &ev.occurred, occurred).ok_or_else(|| {
                Self::field_err(
                    ev,
                    "discovered",
                    format!("has `{d}`, not an RFC 3339 UTC instant"),
                )
            })?,
        };
        if discovered < occurred {
            return Err(ScenarioError::DiscoveredBeforeOccurred {
                event: ev.id.to_string(),
                occurred: occurred.to_string(),
                discovered: discovered.to_string(),
            });
        }
        if ev.losses.len() > MAX_LINES_PER_EVENT {
            return Err(ScenarioError::TooMany {
                what: "loss lines in one event",
                count: ev.losses.len(),
                limit: MAX_LINES_PER_EVENT,
            });
        }
        let at = match self.program.valuation {
            Valuation::AtLoss => occurred,
            Valuation::AtDiscovery => discovered,
        };
        Ok((occurred, discovered, at))
    }

    /// Loss line `n` of `ev`, valued at `at`.
    pub(super) fn line<'e>(
        &self,
        ev: &RawEvent<'_>,
        n: usize,
        l: &'e RawLine<'_>,
        at: Instant,
        symbols: &Symbols,
    ) -> Result<Line<'e>, ScenarioError> {
        let (value, priced) = self.value(
            ev,
            FieldAt("losses", n),
            (&l.amount, l.asset.as_deref(), &l.quantity),
            at,
        )?;
        let asset_id = match l.asset.as_deref() {
            None => OTHER_SYMBOL,
            Some(a) => Self::symbol(ev, &FieldIn("losses", n, "asset"), a, symbols)?,
        };
        Ok(Line {
            tier: &l.tier,
            tier_id: Self::symbol(ev, &FieldIn("losses", n, "tier"), &l.tier, symbols)?,
            asset: l.asset.as_deref(),
            asset_id,
            value,
            priced,
        })
    }

    /// A line's or recovery's value at `at`: an amount, or a quantity of an asset at its
    /// price at or before `at`, rounded half-even (spec section 6, step 1). `field` names
    /// it in errors (`losses[2]`, `recoveries[0]`).
    fn value(
        &self,
        ev: &RawEvent<'_>,
        field: FieldAt,
        (amount, asset, quantity): (&Option<DecimalValue>, Option<&str>, &Option<DecimalValue>),
        at: Instant,
    ) -> Result<(Money, Option<(Decimal, Decimal)>), ScenarioError> {
        let currency = &self.program.currency;
        let negative = |d: &Decimal| d.is_sign_negative() && !d.is_zero();
        match (amount, asset, quantity) {
            (Some(a), None, None) => {
                if negative(&a.0) {
                    return Err(Self::field_err(
                        ev,
                        format!("{field}.amount"),
                        format!("is negative ({})", a.0),
                    ));
                }
                let v = currency.money_rounded(a.0).ok_or_else(|| {
                    Self::field_err(
                        ev,
                        format!("{field}.amount"),
                        format!("is too large: {}", currency.largest()),
                    )
                })?;
                Ok((v, None))
            }
            (None, Some(asset), Some(q)) => {
                if negative(&q.0) {
                    return Err(Self::field_err(
                        ev,
                        format!("{field}.quantity"),
                        format!("is negative ({})", q.0),
                    ));
                }
                let price =
                    self.prices
                        .at(asset, at)
                        .ok_or_else(|| ScenarioError::MissingPrice {
                            event: ev.id.to_string(),
                            asset: asset.to_string(),
                            instant: at.to_string(),
                        })?;
                if let Some(v) = currency.product_rounded(q.0, price) {
                    // The common case, in integers: the same value as below.
                    return Ok((v, Some((q.0, price))));
                }
                let v = q.0.checked_mul(price).ok_or_else(|| {
                    Self::field_err(
                        ev,
                        format!("{field}.quantity"),
                        "times its price overflows a decimal",
                    )
                })?;
                let v = currency.money_rounded(v).ok_or_else(|| {
                    Self::field_err(
                        ev,
                        format!("{field}.quantity"),
                        format!("is worth too much to represent: {}", currency.largest()),
                    )
                })?;
                Ok((v, Some((q.0, price))))
            }
            _ => Err(Self::field_err(
                ev,
                field.to_string(),
                "needs either `amount`, or `asset` with `quantity`",
            )),
        }
    }

    /// Values the event's recoveries, each at its own `at` instant (spec section 11.2):
    /// none before the occurrence, and together at most the event's ground-up loss.
    fn recoveries<'e>(
        &self,
        ev: &'e RawEvent<'_>,
        event: &Event<'e>,
    ) -> Result<Vec<Recovery<'e>>, ScenarioError> {
        if ev.recoveries.is_empty() {
            return Ok(Vec::new());
        }
        if ev.recoveries.len() > MAX_LINES_PER_EVENT {
            return Err(ScenarioError::TooMany {
                what: "recoveries of one event",
                count: ev.recoveries.len(),
                limit: MAX_LINES_PER_EVENT,
            });
        }
        let mut out = Vec::with_capacity(ev.recoveries.len());
        let mut total = Money::ZERO;
        for (n, r) in ev.recoveries.iter().enumerate() {
            let field = format!("recoveries[{n}]");
            let at = Instant::parse(&r.at).ok_or_else(|| {
                Self::field_err(
                    ev,
                    format!("{field}.at"),
                    format!("has `{}`, not an RFC 3339 UTC instant", r.at),
                )
            })?;
            if at < event.occurred {
                return Err(ScenarioError::RecoveryBeforeOccurrence {
                    event: ev.id.to_string(),
                    field: format!("{field}.at"),
                    at: at.to_string(),
                    occurred: event.occurred.to_string(),
                });
            }
            let (value, priced) = self.value(
                ev,
                FieldAt("recoveries", n),
                (&r.amount, r.asset.as_deref(), &r.quantity),
                at,
            )?;
            total = total.checked_add(value).ok_or_else(|| {
                Self::field_err(ev, field.clone(), "brings the recovered total out of range")
            })?;
            out.push(Recovery {
                at,
                value,
                asset: r.asset.as_deref(),
                priced,
                event: &ev.id,
            });
        }
        let ground_up = event.ground_up().ok_or_else(|| {
            Self::field_err(ev, "losses", "add up to more than can be represented")
        })?;
        if total > ground_up {
            let cur = &self.program.currency;
            return Err(ScenarioError::RecoveredAboveLoss {
                event: ev.id.to_string(),
                recovered: cur.decimal(total).to_string(),
                ground_up: cur.decimal(ground_up).to_string(),
            });
        }
        Ok(out)
    }

    /// The event's attribute values, in the program's order, appended to `out`
    /// (defaults for those not written).
    pub(super) fn attributes_into(
        &self,
        ev: &RawEvent<'_>,
        out: &mut Vec<Value>,
    ) -> Result<(), ScenarioError> {
        let decl = &self.program.attributes;
        for name in ev.attributes.keys() {
            if !decl.iter().any(|a| a.name == *name) {
                let help = did_you_mean(name, decl.iter().map(|a| a.name.as_str()))
                    .map(|s| format!("did you mean `{s}`?"));
                return Err(ScenarioError::UnknownAttribute {
                    event: ev.id.to_string(),
                    name: name.to_string(),
                    help,
                });
            }
        }
        out.reserve(decl.len());
        for a in decl {
            let v = match ev.attributes.get(a.name.as_str()) {
                None => a
                    .default
                    .clone()
                    .ok_or_else(|| ScenarioError::MissingAttribute {
                        event: ev.id.to_string(),
                        name: a.name.clone(),
                    })?,
                Some(json) => self.attribute_value(ev, &a.name, a.ty, json)?,
            };
            out.push(v);
        }
        Ok(())
    }

    fn attribute_value(
        &self,
        ev: &RawEvent<'_>,
        name: &str,
        ty: AttrType,
        json: &serde_json::Value,
    ) -> Result<Value, ScenarioError> {
        use serde_json::Value as J;
        let wrong = || ScenarioError::AttributeType {
            event: ev.id.to_string(),
            name: name.to_string(),
            expected: ty.keyword(),
            found: match json {
                J::Null => "null".to_string(),
                J::Bool(b) => format!("`{b}`"),
                J::Number(n) => format!("`{n}`"),
                J::String(s) => format!("\"{s}\""),
                J::Array(_) => "an array".to_string(),
                J::Object(_) => "an object".to_string(),
            },
        };
        let decimal = || match json {
            // Integers as serde holds them, without printing them to read them back.
            J::Number(n) if n.is_u64() => n.as_u64().map(Decimal::from),
            J::Number(n) if n.is_i64() => n.as_i64().map(Decimal::from),
            J::Number(n) => parse_decimal(&n.to_string()),
            J::String(s) => parse_decimal(s),
            _ => None,
        };
        Ok(match ty {
            AttrType::Flag => match json {
                J::Bool(b) => Value::Flag(*b),
                _ => return Err(wrong()),
            },
            AttrType::Count => {
                if let Some(n) = json.as_u64() {
                    return Ok(Value::Count(n));
                }
                let d = decimal().ok_or_else(wrong)?;
                if !d.fract().is_zero() || d.is_sign_negative() && !d.is_zero() {
                    return Err(wrong());
                }
                let d = d.normalize();
                Value::Count(u64::try_from(d.mantissa()).map_err(|_| wrong())?)
            }
            AttrType::Number => Value::Number(decimal().ok_or_else(wrong)?),
            AttrType::Amount => {
                let d = decimal().ok_or_else(wrong)?;
                Value::Amount(self.program.currency.money_rounded(d).ok_or_else(wrong)?)
            }
            AttrType::Duration => match json {
                J::String(s) => Value::Duration(parse_duration(s).ok_or_else(wrong)?),
                _ => return Err(wrong()),
            },
            AttrType::Text => match json {
                J::String(s) => Value::Text(s.clone()),
                _ => return Err(wrong()),
            },
        })
    }
}

/// Parses a duration as the language writes it: `2d`, `30 days`, `72h`, `1.5 hours`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))?;
    let (num, unit) = s.split_at(split);
    let amount = Decimal::from_str(&num.replace('_', "")).ok()?;
    let unit = crate::ast::DurationUnit::from_word(unit.trim())?;
    crate::ast::DurationLit { amount, unit }.to_duration()
}

#[cfg(test)]
mod tests;
