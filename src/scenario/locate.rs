//! The error path of reading a scenario, in memory that does not grow with the scenario:
//! [`validate`] reports a whole file's first syntax or shape error (as
//! [`Scenario::from_json`](super::Scenario::from_json) would) reading one event at a time,
//! and [`event_id`] finds the `id` of the event an error points into without building the
//! document's tree.

use super::{DecimalValue, RawEvent};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

/// A scenario's shape, with its events read one at a time and dropped: the same fields,
/// the same errors and field paths as [`super::Scenario`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read for their errors only
pub(super) struct ScenarioShape {
    #[serde(default)]
    name: String,
    #[serde(default)]
    notes: Option<IgnoredAny>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    prices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    #[serde(default)]
    indices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    events: EventsShape,
}

/// A list of events, each checked as a [`RawEvent`] and dropped.
struct EventsShape;

impl<'de> Deserialize<'de> for EventsShape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventsShape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EventsShape, A::Error> {
                while seq.next_element::<RawEvent<'de>>()?.is_some() {}
                Ok(EventsShape)
            }
        }
        d.deserialize_seq(V)
    }
}

/// The first syntax or shape error of a whole scenario file, as
/// [`super::Scenario::from_json`] reports it, found without keeping the events.
pub(super) fn validate(text: &str) -> Result<(), super::ScenarioError> {
    match serde_json::from_str::<ScenarioShape>(text) {
        Ok(_) => Ok(()),
        Err(e) => Err(super::read_error::<ScenarioShape>(text, &e, Some("events"))),
    }
}

/// The `id` of element `index` of the array under `key` in the object `text` (when it is
/// a string), read without building the document: the read stops at that event.
pub(super) fn event_id(text: &str, key: &str, index: usize) -> Option<String> {
    let found = RefCell::new(None);
    let seed = Root {
        key,
        index,
        found: &found,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    // The read ends with an error on purpose once the id is found (or the event has none).
    let _ = seed.deserialize(&mut de);
    found.into_inner()
}

/// Looks for `key` in the root object.
struct Root<'f> {
    key: &'f str,
    index: usize,
    found: &'f RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scenario object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if k == self.key {
                return map.next_value_seed(Events {
                    index: self.index,
                    found: self.found,
                });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Skips to element `index` of the events.
struct Events<'f> {
    index: usize,
    found: &'f RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Events<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Events<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for _ in 0..self.index {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Event { found: self.found })?;
        Err(serde::de::Error::custom("stop: the event was read"))
    }
}

/// Reads an event's entries up to its `id`.
struct Event<'f> {
    found: &'f RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Event<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Event<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if k == "id" {
                if let serde_json::Value::String(id) = map.next_value::<serde_json::Value>()? {
                    *self.found.borrow_mut() = Some(id);
                }
                return Err(serde::de::Error::custom("stop: the id was read"));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_id_of_an_event_without_reading_on() {
        let text = r#"{"name":"n","events":[{"id":"A"},{"cause":"x","id":"B","losses":[1,2]},{"id":3}] garbage"#;
        assert_eq!(event_id(text, "events", 0).as_deref(), Some("A"));
        assert_eq!(event_id(text, "events", 1).as_deref(), Some("B"));
        assert_eq!(event_id(text, "events", 2), None); // not a string
        assert_eq!(event_id(text, "events", 3), None); // no such event
        assert_eq!(event_id(text, "other", 0), None);
        // The id is found even when the event breaks after it.
        assert_eq!(
            event_id(r#"{"events":[{"id":"C","losses":[}"#, "events", 0).as_deref(),
            Some("C")
        );
    }

    #[test]
    fn validate_reports_what_a_full_read_reports() {
        for text in [
            r#"{"events":[]}"#,
            r#"{"events":[{"id":"E","cause":"c","occurred":"2026-01-01T00:00:00Z","losses":[]}]}"#,
            r#"{"events":[{"id":"E","cause":"c","occurred":"2026-01-01T00:00:00Z","losses":[{"tier":"hot","amont":"1"}]}]}"#,
            r#"{"events":[{"id":"E","cause":"c","occurred":"2026-01-01T00:00:00Z","losses":[{"tier":"hot","quantity":[1]}]}]}"#,
            r#"{"name":"n","events":[{"id":"E"}], "extra": 1}"#,
            r#"{"name":"n","events":[{"id":"E"}]"#,
            r#"{"prices":{"BTC":[["2026-01-01T00:00:00Z","x"]]},"events":[]}"#,
            r#"{"name":"n"}"#,
            r#"[1]"#,
        ] {
            assert_eq!(
                validate(text).err(),
                super::super::Scenario::from_json(text).err(),
                "{text}"
            );
        }
    }
}
