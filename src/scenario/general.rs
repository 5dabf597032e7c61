//! The general read of a scenario file: serde reads the whole document, each event
//! validated and stored as it comes, and every error is named as
//! [`super::Scenario::from_json`] names it. The reference the common read
//! ([`super::whole`]) must agree with.

use super::batch::{EventBatch, ScenarioHead, MAX_EVENTS};
use super::{DecimalValue, Preparer, Prices, RawEvent, ScenarioError, Symbols};
use crate::program::Program;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

/// The head alone, events skipped: the first read when prices follow the events.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadOnly {
    #[serde(default)]
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    notes: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    prices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    #[serde(default)]
    indices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    #[allow(dead_code)]
    events: serde::de::IgnoredAny,
}

/// [`read_scenario`] of any file, with serde reading every event.
pub(crate) fn read_generally(
    program: &Program,
    text: &str,
    symbols: &Symbols,
) -> Result<(ScenarioHead, EventBatch), ScenarioError> {
    if let Some(read) = read_once(program, text, symbols, None)? {
        return Ok(read);
    }
    let h: HeadOnly = serde_json::from_str(text).map_err(|e| shape_error(text, &e))?;
    let head = ScenarioHead {
        name: h.name,
        currency: h.currency,
        prices: h.prices,
        indices: h.indices,
    };
    read_once(program, text, symbols, Some(head))?.ok_or_else(|| ScenarioError::Json {
        line: 1,
        column: 1,
        message: "the scenario could not be read".to_string(),
    })
}

/// One read of the text; `known` is the head when already read. `None` when the prices or
/// currency came after the events and the read must start again with the head known.
fn read_once(
    program: &Program,
    text: &str,
    symbols: &Symbols,
    known: Option<ScenarioHead>,
) -> Result<Option<(ScenarioHead, EventBatch)>, ScenarioError> {
    let mut reader = TextReader {
        program,
        symbols,
        head_known: known.is_some(),
        head: known.unwrap_or_default(),
        batch: EventBatch::new(),
        failed: None,
        late: false,
        seen: HashSet::new(),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let read = (&mut reader).deserialize(&mut de).and_then(|()| de.end());
    if !reader.head_known && (reader.failed.is_some() || read.is_err()) {
        // Prices may follow the events: decide with the head read first.
        return Ok(None);
    }
    if let Some(e) = reader.failed {
        // A malformed file is reported as such first, as when it is read whole.
        return Err(super::locate::validate(text).err().unwrap_or(e));
    }
    read.map_err(|e| shape_error(text, &e))?;
    if reader.late {
        return Ok(None);
    }
    Ok(Some((reader.head, reader.batch)))
}

/// A malformed scenario's error, as the full read reports it (with the field path).
fn shape_error(text: &str, e: &serde_json::Error) -> ScenarioError {
    match super::locate::validate(text) {
        Err(full) => full,
        Ok(()) => super::ScenarioError::json(e),
    }
}

/// The read of a scenario object: head fields kept, events prepared as they come.
struct TextReader<'p, 't> {
    program: &'p Program,
    symbols: &'p Symbols,
    head_known: bool,
    head: ScenarioHead,
    batch: EventBatch,
    failed: Option<ScenarioError>,
    /// Prices or currency came after the events.
    late: bool,
    /// Ids read so far (borrowed from the text unless escaped), for duplicates.
    seen: HashSet<Cow<'t, str>>,
}

impl<'de> DeserializeSeed<'de> for &mut TextReader<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut TextReader<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a scenario object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        let mut events_read = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if keys.contains(&key) {
                return Err(A::Error::custom("duplicate field"));
            }
            let head = !self.head_known;
            match key.as_ref() {
                "events" => {
                    let preparer = Prices::new(&self.head.prices).and_then(|prices| {
                        Preparer::new(self.program, prices, self.head.currency.as_deref())
                    });
                    let preparer = match preparer {
                        Ok(p) => p,
                        Err(e) => {
                            self.failed = Some(e);
                            return Err(A::Error::custom("invalid head"));
                        }
                    };
                    map.next_value_seed(EventList {
                        preparer: &preparer,
                        symbols: self.symbols,
                        batch: &mut self.batch,
                        failed: &mut self.failed,
                        seen: &mut self.seen,
                    })?;
                    events_read = true;
                }
                "name" if head => self.head.name = map.next_value()?,
                "currency" if head => {
                    self.head.currency = map.next_value()?;
                    self.late |= events_read;
                }
                "prices" if head => {
                    self.head.prices = map.next_value()?;
                    self.late |= events_read;
                }
                "indices" if head => self.head.indices = map.next_value()?,
                "name" | "notes" | "currency" | "prices" | "indices" => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
                _ => return Err(A::Error::custom("unknown field")),
            }
            keys.push(key);
        }
        if !events_read {
            return Err(A::Error::custom("missing field `events`"));
        }
        Ok(())
    }
}

/// The `events` array: each event prepared and stored as it is read.
struct EventList<'x, 'p, 't> {
    preparer: &'x Preparer<'p>,
    symbols: &'x Symbols,
    batch: &'x mut EventBatch,
    failed: &'x mut Option<ScenarioError>,
    seen: &'x mut HashSet<Cow<'t, str>>,
}

impl<'de> DeserializeSeed<'de> for EventList<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventList<'_, '_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawEvent<'de>>()? {
            if self.batch.len() >= MAX_EVENTS {
                *self.failed = Some(ScenarioError::TooMany {
                    what: "events in one scenario",
                    count: self.batch.len().saturating_add(1),
                    limit: MAX_EVENTS,
                });
                return Err(serde::de::Error::custom("too many events"));
            }
            if self.seen.contains(&raw.id) {
                *self.failed = Some(ScenarioError::DuplicateId {
                    event: raw.id.to_string(),
                });
                return Err(serde::de::Error::custom("duplicate id"));
            }
            self.seen.insert(raw.id.clone());
            if let Err(e) = self.batch.push_prepared(self.preparer, &raw, self.symbols) {
                *self.failed = Some(e);
                return Err(serde::de::Error::custom("invalid event"));
            }
        }
        Ok(())
    }
}
