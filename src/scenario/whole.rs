//! A whole scenario file of the common layout, read with the event scanner
//! ([`super::scan`]): the head fields by serde, then each event scanned and stored
//! straight into a batch, with no serde pass over the events.
//!
//! Anything else gives `None` and the file is read the general way
//! ([`super::batch::read_scenario`]), which also names every error: an event the scanner
//! leaves to serde, currency or prices after the events, a repeated or unknown field, a
//! repeated id, an event that does not prepare. So this path changes the speed of a read,
//! never its result (property test `common_reads_equal_general_reads`).

use super::batch::{EventBatch, ScenarioHead, MAX_EVENTS};
use super::scan::Cursor;
use super::{Preparer, Prices, RawEvent, Symbols};
use crate::program::Program;
use std::borrow::Cow;

/// The head and events of `text`, when it has the common layout and every event reads
/// and prepares; `None` otherwise.
pub(crate) fn read_common(
    program: &Program,
    text: &str,
    symbols: &Symbols,
) -> Option<(ScenarioHead, EventBatch)> {
    let mut c = Cursor::new(text);
    let mut head = ScenarioHead::default();
    let mut batch = None;
    let mut seen: Vec<&str> = Vec::new();
    c.object(|c, key| {
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        match key {
            "events" => batch = Some(events(c, program, &head, symbols)?),
            "name" => head.name = c.value()?,
            "currency" if batch.is_none() => head.currency = c.value()?,
            "prices" if batch.is_none() => head.prices = c.value()?,
            "indices" => head.indices = c.value()?,
            "notes" => c.value::<serde::de::IgnoredAny>().map(|_| ())?,
            _ => return None,
        }
        Some(())
    })?;
    c.at_end().then_some(())?;
    Some((head, batch?))
}

/// The `events` array, each event scanned, checked and stored as it comes.
fn events<'a>(
    c: &mut Cursor<'a>,
    program: &Program,
    head: &ScenarioHead,
    symbols: &Symbols,
) -> Option<EventBatch> {
    let prices = Prices::new(&head.prices).ok()?;
    let prep = Preparer::new(program, prices, head.currency.as_deref()).ok()?;
    let mut batch = EventBatch::new();
    let mut raw = RawEvent::empty();
    // Ids are checked for duplicates once all are read: sorting borrowed ids costs less
    // than hashing each (files usually list them in order, which the sort sees at once),
    // and needs no hasher an adversary could flood. A duplicate sends the file to the
    // general read, which names it.
    let mut ids: Vec<Cow<'a, str>> = Vec::new();
    c.list(b'[', b']', |c| {
        c.event(&mut raw)?;
        if batch.len() >= MAX_EVENTS {
            return None;
        }
        ids.push(raw.id.clone());
        batch.push_prepared(&prep, &raw, symbols).ok()
    })?;
    ids.sort_unstable();
    if ids.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
        return None;
    }
    Some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_support::{event_line, Rng, BENCH_PROGRAM};
    use crate::replay::Replayer;
    use crate::scenario::read::agrees_with_general_read;
    use proptest::prelude::*;

    /// When the common read gives a result, the general read gives the same one; when the
    /// general read fails, the common read gives none. Returns whether it gave one.
    fn check(program: &Program, text: &str) -> Result<bool, TestCaseError> {
        let symbols = Replayer::new(program).symbols().clone();
        agrees_with_general_read(program, text, &symbols)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))
    }

    /// Every shipped scenario reads the same both ways, and the common way reads most of
    /// them (pretty-printed, with prices, series, recoveries and attributes).
    #[test]
    fn fixtures_read_the_same_both_ways() {
        let mut common = 0;
        let mut all = 0;
        for entry in std::fs::read_dir("fixtures/scenarios").unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Some((program, _)) = name.split_once("--") else {
                continue;
            };
            let Ok(source) = std::fs::read_to_string(format!("fixtures/programs/{program}.specie"))
            else {
                continue;
            };
            let program = crate::compile_str(&source).unwrap().program;
            let text = std::fs::read_to_string(&path).unwrap();
            all += 1;
            common += usize::from(check(&program, &text).unwrap());
        }
        assert!(all >= 10, "{all} fixtures");
        assert!(common * 2 >= all, "{common} of {all} read the common way");
    }

    /// A field of the head as written in a generated file: mostly good ones.
    fn head_field() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            8 => Just(r#""name": "generated""#),
            4 => Just(r#""currency": "USD""#),
            4 => Just(r#""prices": {"BTC": [["2026-01-01T00:00:00Z", "64000"]]}"#),
            4 => Just(r#""notes": {"why": [1, 2]}"#),
            4 => Just(r#""indices": {}"#),
            1 => Just(r#""name": 7"#),
            1 => Just(r#""currency": "EUR""#),
            1 => Just(r#""other": 1"#),
            1 => Just(r#""n\u0061me": "x""#),
        ]
    }

    /// Event `i` of a generated file: mostly good, some bad or read by serde only.
    fn event(i: u64, seed: u64, twist: usize) -> String {
        let mut line = String::new();
        event_line(i, &mut Rng(seed | 1), &mut line);
        match twist {
            0 => line.replacen(r#""amount":""#, r#""amount":"-"#, 1),
            1 => line.replacen("colluding_staff", "colluding", 1),
            2 => line.replacen(r#""cause":""#, r#""cause":"\u0061"#, 1),
            3 => line.replacen(r#"{"tier""#, "{\n  \"tier\"", 1),
            4 => line.replacen(r#""losses""#, r#""series":"S","losses""#, 1),
            5 => line.replacen(r#""id":"E"#, r#""id":"F"#, 1),
            _ => line,
        }
    }

    proptest! {
        /// Over generated files (head fields in any order, repeated or unknown, events
        /// good or bad, repeated ids, escapes, white space), the common read never
        /// differs from the general one.
        #[test]
        fn common_reads_equal_general_reads(
            head in proptest::collection::vec(head_field(), 0..5),
            events in proptest::collection::vec((any::<u64>(), 0usize..30), 0..6),
            at in any::<prop::sample::Index>(),
            repeat in 0u64..8,
            pad in prop_oneof![Just(""), Just(" "), Just("\n  ")],
        ) {
            let program = crate::compile_str(BENCH_PROGRAM).unwrap().program;
            let events: Vec<String> = (0u64..)
                .zip(&events)
                .map(|(i, (seed, twist))| event(if i == repeat { 0 } else { i }, *seed, *twist))
                .collect();
            let mut fields: Vec<String> = head.iter().map(|f| f.to_string()).collect();
            let k = at.index(fields.len() + 1);
            fields.insert(k, format!("\"events\": [{pad}{}{pad}]", events.join(&format!(",{pad}"))));
            let text = format!("{{{pad}{}{pad}}}", fields.join(&format!(",{pad}")));
            check(&program, &text)?;
        }
    }
}
