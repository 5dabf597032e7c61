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
use std::sync::atomic::{AtomicBool, Ordering};

/// The head and events of `text`, when it has the common layout and every event reads
/// and prepares; `None` otherwise.
pub(crate) fn read_common(
    program: &Program,
    text: &str,
    symbols: &Symbols,
) -> Option<(ScenarioHead, EventBatch)> {
    read_common_split(program, text, symbols, SPLIT_BYTES)
}

/// [`read_common`], reading the events on two threads when at least `split_bytes`
/// follow `"events":` (tests split small files this way).
pub(crate) fn read_common_split(
    program: &Program,
    text: &str,
    symbols: &Symbols,
    split_bytes: usize,
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
            "events" => batch = Some(events(c, program, &head, symbols, split_bytes)?),
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

/// Below this many bytes after `"events":`, one thread reads the events.
const SPLIT_BYTES: usize = 1 << 20;

/// How far past the middle of the events a boundary between two events is looked for.
const BOUNDARY_SEARCH: usize = 1 << 16;

/// The `events` array, each event scanned, checked and stored as it comes. A large array
/// is read on two threads: the second half from a boundary between two events found
/// near its middle (see [`split_events`]).
fn events<'a>(
    c: &mut Cursor<'a>,
    program: &Program,
    head: &ScenarioHead,
    symbols: &Symbols,
    split_bytes: usize,
) -> Option<EventBatch> {
    let prices = Prices::new(&head.prices).ok()?;
    let prep = Preparer::new(program, prices, head.currency.as_deref()).ok()?;
    let mut first = Part::default();
    if c.open_list(b'[', b']')? {
        let start = c.offset();
        let rest = c.bytes().len().saturating_sub(start);
        let boundary = if rest >= split_bytes && parallel() {
            boundary(c.bytes(), start.saturating_add(rest / 2))
        } else {
            None
        };
        match boundary {
            Some(at) => split_events(c, &prep, symbols, &mut first, at)?,
            None => {
                scan_events(c, &prep, symbols, &mut first, None, &AtomicBool::new(false))?;
            }
        }
    }
    // A duplicate id sends the file to the general read, which names it.
    let ids = (0..first.batch.len()).filter_map(|i| first.batch.key(i).map(|(_, id)| id));
    if first.ids.has_duplicates(ids) {
        return None;
    }
    Some(first.batch)
}

/// Events read by one thread, in the file's order, and their ids.
#[derive(Default)]
struct Part<'a> {
    batch: EventBatch,
    ids: IdOrder<'a>,
}

/// Whether the ids read came in strictly increasing order, and the first and last of
/// them. Files usually list their ids in order: then each id is compared with the one
/// before as it is read (on the reading threads), and no id is kept or sorted. Otherwise
/// the ids, which the batch stores anyway, are sorted once all are read; that costs less
/// than hashing each and needs no hasher an adversary could flood.
#[derive(Debug)]
struct IdOrder<'a> {
    first: Option<Cow<'a, str>>,
    last: Option<Cow<'a, str>>,
    increasing: bool,
}

impl Default for IdOrder<'_> {
    fn default() -> Self {
        IdOrder {
            first: None,
            last: None,
            increasing: true,
        }
    }
}

impl<'a> IdOrder<'a> {
    fn push(&mut self, id: Cow<'a, str>) {
        if self.increasing {
            self.increasing = self.last.as_ref().is_none_or(|last| *last < id);
        }
        if self.first.is_none() {
            self.first = Some(id.clone());
        }
        self.last = Some(id);
    }

    /// `other`'s ids after these.
    fn append(&mut self, other: IdOrder<'a>) {
        self.increasing = self.increasing
            && other.increasing
            && match (&self.last, &other.first) {
                (Some(last), Some(next)) => last < next,
                _ => true,
            };
        if self.first.is_none() {
            self.first = other.first;
        }
        if other.last.is_some() {
            self.last = other.last;
        }
    }

    /// Whether some id of `ids`, the ids these were made from, is there twice.
    fn has_duplicates<'i>(&self, ids: impl Iterator<Item = &'i str>) -> bool {
        // INVARIANT: strictly increasing ids are all different.
        if self.increasing {
            return false;
        }
        let mut ids: Vec<&str> = ids.collect();
        ids.sort_unstable();
        ids.windows(2).any(|w| matches!(w, [a, b] if a == b))
    }
}

/// How [`scan_events`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// After the array's `]`.
    Closed,
    /// On the first byte of an event that starts at the offset it was asked to stop at.
    Stopped,
    /// On the first byte of an event that starts past that offset, none starting there.
    Passed,
}

/// Events from the cursor (on an element of the `events` array) into `part`, up to and
/// including the array's `]`, or up to the first element starting at or past `stop`.
/// `None` when an event does not read or prepare, more than [`MAX_EVENTS`] are read, or
/// `quit` is set.
fn scan_events<'a>(
    c: &mut Cursor<'a>,
    prep: &Preparer<'_>,
    symbols: &Symbols,
    part: &mut Part<'a>,
    stop: Option<usize>,
    quit: &AtomicBool,
) -> Option<End> {
    let mut raw = RawEvent::empty();
    loop {
        if let Some(stop) = stop {
            let at = c.offset();
            if at == stop {
                return Some(End::Stopped);
            }
            if at > stop {
                return Some(End::Passed);
            }
        }
        if quit.load(Ordering::Relaxed) {
            return None;
        }
        c.event(&mut raw)?;
        if part.batch.len() >= MAX_EVENTS {
            return None;
        }
        part.ids.push(raw.id.clone());
        part.batch.push_prepared(prep, &raw, symbols).ok()?;
        if !c.next_item(b']')? {
            return Some(End::Closed);
        }
    }
}

/// Reads the events before `at` here and those from `at` on a second thread, then joins
/// them. `at` is only a guess at a boundary (the bytes there could be inside a string):
/// it is one when this thread, reading from the start of the array, finds an element
/// starting exactly there. Then what the second thread read is what this one would have
/// read next, so its events are appended and reading goes on after its `]`; otherwise
/// its work is dropped and this thread reads on alone.
fn split_events<'a>(
    c: &mut Cursor<'a>,
    prep: &Preparer<'_>,
    symbols: &Symbols,
    first: &mut Part<'a>,
    at: usize,
) -> Option<()> {
    let quit = AtomicBool::new(false);
    let mut second_cursor = c.at(at);
    std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .name("specie-read".to_string())
            .spawn_scoped(scope, || {
                let mut part = Part::default();
                let end = scan_events(&mut second_cursor, prep, symbols, &mut part, None, &quit);
                (end, part, second_cursor.offset())
            });
        let Ok(second) = second else {
            // No thread to be had: one reads it all.
            return scan_events(c, prep, symbols, first, None, &quit).map(|_| ());
        };
        let mine = scan_events(c, prep, symbols, first, Some(at), &quit);
        if mine != Some(End::Stopped) {
            quit.store(true, Ordering::Relaxed);
        }
        let theirs = second.join().ok();
        match mine? {
            // The guess was inside an event: read on from the next one.
            End::Passed => {
                return scan_events(c, prep, symbols, first, None, &AtomicBool::new(false))
                    .map(|_| ());
            }
            // The guess was past the array.
            End::Closed => return Some(()),
            // The guess was a boundary: the second thread read the rest.
            End::Stopped => {}
        }
        let (end, part, offset) = theirs?;
        end?;
        if first.batch.len().saturating_add(part.batch.len()) > MAX_EVENTS {
            return None;
        }
        first.batch.append(part.batch);
        first.ids.append(part.ids);
        *c = c.at(offset);
        Some(())
    })
}

/// A guess at where an element of the events array starts: the first `{` at or after
/// `from` that follows `}` and `,` (white space between them allowed), within
/// [`BOUNDARY_SEARCH`] bytes.
fn boundary(b: &[u8], from: usize) -> Option<usize> {
    let end = from.saturating_add(BOUNDARY_SEARCH).min(b.len());
    let window = b.get(from..end)?;
    let is_ws = |x: &u8| matches!(x, b' ' | b'\t' | b'\n' | b'\r');
    for comma in memchr::memchr_iter(b',', window) {
        let comma = from.saturating_add(comma);
        let before = b.get(..comma)?.iter().rev().find(|x| !is_ws(x));
        let after = b
            .get(comma.saturating_add(1)..)?
            .iter()
            .position(|x| !is_ws(x));
        if let (Some(b'}'), Some(k)) = (before, after) {
            let open = comma.saturating_add(1).saturating_add(k);
            if b.get(open) == Some(&b'{') {
                return Some(open);
            }
        }
    }
    None
}

/// Whether a second thread can run at the same time.
fn parallel() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
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

    /// The common read of `text` on one thread and on two (forced), shown as text.
    fn both_ways(text: &str) -> (Option<String>, Option<String>) {
        let program = crate::compile_str(BENCH_PROGRAM).unwrap().program;
        let symbols = Replayer::new(&program).symbols().clone();
        let read = |split| read_common_split(&program, text, &symbols, split);
        let shown =
            |r: Option<(ScenarioHead, EventBatch)>| r.as_ref().map(crate::scenario::read::shown);
        (shown(read(usize::MAX)), shown(read(0)))
    }

    /// `n` generated events, event `k` given the id `id` when asked.
    fn events_text(n: u64, rename: Option<(u64, &str)>) -> Vec<String> {
        (0..n)
            .map(|i| {
                let e = event(i, i * 7 + 1, 99);
                match rename {
                    Some((k, id)) if k == i => e.replacen(
                        &format!("\"id\":\"E{i:09}\""),
                        &format!("\"id\":\"{id}\""),
                        1,
                    ),
                    _ => e,
                }
            })
            .collect()
    }

    /// The guess at a boundary between two events (the middle of the array, then the next
    /// `}`, `,`, `{`) falls between events, inside an id, or past the array; the second
    /// half fails; an id repeats across the halves: two threads read what one reads.
    #[test]
    fn two_threads_read_what_one_reads() {
        // The guess falls between two events: both halves are used.
        let plain = format!(
            "{{\"name\":\"s\",\"events\":[\n{}\n]}}",
            events_text(40, None).join(",\n")
        );
        let (one, two) = both_ways(&plain);
        assert!(
            one.as_ref()
                .is_some_and(|s| s.matches("E000000039").count() == 1),
            "{one:?}"
        );
        assert_eq!(one, two);
        // The middle falls inside a long id full of `},{`: the guess is no boundary.
        let trap = "x},{".repeat(400);
        let text = format!(
            "{{\"events\":[{}]}}",
            events_text(3, Some((1, &trap))).join(",")
        );
        let (one, two) = both_ways(&text);
        assert!(one.as_ref().is_some_and(|s| s.contains(&trap)), "{one:?}");
        assert_eq!(one, two);
        // The middle falls past the array, in notes written like events.
        let notes = format!("[{}]", vec!["{}"; 600].join(","));
        let text = format!(
            "{{\"events\":[{}],\"notes\":{notes}}}",
            events_text(2, None).join(",")
        );
        let (one, two) = both_ways(&text);
        assert!(one.is_some());
        assert_eq!(one, two);
        // A bad event in the second half, or an id of the first half repeated there: no
        // common read either way (the general read names the error).
        let mut bad = events_text(40, None);
        bad[35] = bad[35].replacen("\"amount\":\"", "\"amount\":\"-", 1);
        let text = format!("{{\"events\":[{}]}}", bad.join(","));
        assert_eq!(both_ways(&text), (None, None));
        let text = format!(
            "{{\"events\":[{}]}}",
            events_text(40, Some((38, "E000000001"))).join(",")
        );
        assert_eq!(both_ways(&text), (None, None));
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

        /// Ids read by two threads (split anywhere) have a duplicate exactly when a set
        /// of them is smaller than their list, in order or not.
        #[test]
        fn id_order_check_finds_what_a_set_finds(
            ids in proptest::collection::vec(0u8..40, 0..12),
            sorted in any::<bool>(),
            at in any::<prop::sample::Index>(),
        ) {
            let mut ids: Vec<String> = ids.iter().map(|i| format!("E{i:02}")).collect();
            if sorted {
                ids.sort();
            }
            let set: std::collections::HashSet<&String> = ids.iter().collect();
            let k = at.index(ids.len() + 1);
            let (mut first, mut second) = (IdOrder::default(), IdOrder::default());
            for (i, id) in ids.iter().enumerate() {
                let part = if i < k { &mut first } else { &mut second };
                part.push(Cow::Borrowed(id.as_str()));
            }
            first.append(second);
            prop_assert_eq!(first.has_duplicates(ids.iter().map(String::as_str)), set.len() < ids.len());
        }
    }
}
