//! One occurrence, several events (spec section 11.1): events of one series, or of one
//! cause within the program's `occurrence window`, are replayed as one event.
//!
//! [`Grouper`] takes events in replay order and gives back groups in the replay order of
//! their first member, each as soon as no later event can join it. A whole scenario is
//! pushed at once ([`group`]); a stream pushes line by line and replays each group when it
//! closes, so it holds only the open groups and the events behind them.
//!
//! What a stream holds: a window group stays open until an event arrives that occurred at
//! least the window after the group's first event; every event read meanwhile waits behind
//! it (replay order is the order of first members). A series in a stream must be on
//! consecutive lines: it closes at the first event that is not of it, and the stream keeps
//! the names of ended series to refuse a member that comes back later.

use crate::program::Program;
use crate::scenario::{Event, ScenarioError};
use crate::time::Instant;
use std::collections::{HashMap, HashSet, VecDeque};

/// An occurrence: the events of one group replayed as one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence<'a> {
    /// The event replayed: its first member's id, cause, occurred and attributes; the
    /// earliest `discovered`; every member's lines and recoveries in member order.
    pub event: Event<'a>,
    /// Member ids in replay order; empty for a single-event occurrence.
    pub members: Vec<&'a str>,
}

/// What grouping needs to know of an event.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key<'k> {
    /// Event id.
    pub id: &'k str,
    /// Cause as written (compared as text: two unknown causes are different causes).
    pub cause: &'k str,
    /// Occurrence instant.
    pub occurred: Instant,
    /// Series, if any.
    pub series: Option<&'k str>,
}

/// How a group was formed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// An event on its own (no window, no series).
    Single,
    /// A window group of one cause.
    Window,
    /// A series.
    Series(String),
}

/// Events replayed as one occurrence, in replay order.
#[derive(Debug)]
pub(crate) struct Group<T> {
    kind: Kind,
    first_id: String,
    cause: String,
    first_occurred: Instant,
    closed: bool,
    /// The members, in replay order.
    pub members: Vec<T>,
}

/// Groups events pushed in replay order into occurrences.
#[derive(Debug)]
pub(crate) struct Grouper<T> {
    /// The window in seconds; `None` without an `occurrence window`.
    window: Option<i64>,
    /// Streams: a series closes at the first event not of it.
    contiguous_series: bool,
    /// Groups not yet handed out, by sequence number from `front`.
    groups: VecDeque<Group<T>>,
    front: u64,
    /// The latest window group of each cause.
    latest: HashMap<String, u64>,
    /// Window groups that may still be open, in order of their first event.
    windows: VecDeque<u64>,
    /// Open series groups.
    series: HashMap<String, u64>,
    /// Streams: series already closed.
    ended: HashSet<String>,
}

impl<T> Grouper<T> {
    /// A grouper for `program`; `contiguous_series` for streams.
    pub(crate) fn new(program: &Program, contiguous_series: bool) -> Grouper<T> {
        Grouper {
            window: program.occurrence_window.map(|d| d.0),
            contiguous_series,
            groups: VecDeque::new(),
            front: 0,
            latest: HashMap::new(),
            windows: VecDeque::new(),
            series: HashMap::new(),
            ended: HashSet::new(),
        }
    }

    /// Whether the grouper has no window and nothing waiting: events without a series
    /// pass through it.
    pub(crate) fn is_idle(&self) -> bool {
        self.window.is_none() && self.groups.is_empty()
    }

    /// Whether an event with `series` can skip the grouper: no window, no series, nothing
    /// waiting.
    pub(crate) fn passes_through(&self, series: Option<&str>) -> bool {
        series.is_none() && self.is_idle()
    }

    fn get_mut(&mut self, seq: u64) -> Option<&mut Group<T>> {
        let idx = usize::try_from(seq.checked_sub(self.front)?).ok()?;
        self.groups.get_mut(idx)
    }

    fn open(&mut self, kind: Kind, key: &Key<'_>, item: T) -> u64 {
        let seq = self.front.saturating_add(self.groups.len() as u64);
        self.groups.push_back(Group {
            closed: kind == Kind::Single,
            kind,
            first_id: key.id.to_string(),
            cause: key.cause.to_string(),
            first_occurred: key.occurred,
            members: vec![item],
        });
        seq
    }

    /// Adds the next event in replay order; `line` is its stream line, for errors.
    pub(crate) fn push(&mut self, key: Key<'_>, item: T, line: usize) -> Result<(), ScenarioError> {
        if self.contiguous_series {
            self.end_other_series(key.series);
            if let Some(s) = key.series.filter(|s| self.ended.contains(*s)) {
                return Err(ScenarioError::SeriesSplit {
                    event: key.id.to_string(),
                    series: s.to_string(),
                    line,
                });
            }
        }
        match (key.series, self.window) {
            (Some(s), _) => self.push_series(s, &key, item)?,
            (None, Some(w)) => self.push_window(w, &key, item),
            (None, None) => {
                self.open(Kind::Single, &key, item);
            }
        }
        self.close_by_time(key.occurred);
        Ok(())
    }

    fn push_series(&mut self, s: &str, key: &Key<'_>, item: T) -> Result<(), ScenarioError> {
        let Some(seq) = self.series.get(s).copied() else {
            let seq = self.open(Kind::Series(s.to_string()), key, item);
            self.series.insert(s.to_string(), seq);
            return Ok(());
        };
        let Some(g) = self.get_mut(seq) else {
            return Ok(());
        };
        if g.cause != key.cause {
            return Err(ScenarioError::SeriesCause {
                series: s.to_string(),
                first: g.first_id.clone(),
                first_cause: g.cause.clone(),
                other: key.id.to_string(),
                other_cause: key.cause.to_string(),
            });
        }
        g.members.push(item);
        Ok(())
    }

    fn push_window(&mut self, window: i64, key: &Key<'_>, item: T) {
        if let Some(seq) = self.latest.get(key.cause).copied() {
            if let Some(g) = self.get_mut(seq) {
                let since = key.occurred.0.saturating_sub(g.first_occurred.0);
                if !g.closed && since < window {
                    g.members.push(item);
                    return;
                }
                // INVARIANT: only the latest group of a cause can be joined.
                g.closed = true;
            }
        }
        let seq = self.open(Kind::Window, key, item);
        self.windows.push_back(seq);
        self.latest.insert(key.cause.to_string(), seq);
    }

    /// Streams: every open series other than `keep` ends.
    fn end_other_series(&mut self, keep: Option<&str>) {
        let only_keep = self.series.len() == 1 && keep.is_some_and(|k| self.series.contains_key(k));
        if self.series.is_empty() || only_keep {
            return;
        }
        let ending: Vec<String> = self
            .series
            .keys()
            .filter(|s| Some(s.as_str()) != keep)
            .cloned()
            .collect();
        for s in ending {
            if let Some(seq) = self.series.remove(&s) {
                if let Some(g) = self.get_mut(seq) {
                    g.closed = true;
                }
            }
            self.ended.insert(s);
        }
    }

    /// Window groups whose window has passed at `now` can take no later event.
    fn close_by_time(&mut self, now: Instant) {
        let Some(w) = self.window else { return };
        while let Some(seq) = self.windows.front().copied() {
            match self.get_mut(seq) {
                Some(g) if now.0.saturating_sub(g.first_occurred.0) < w => break,
                Some(g) => g.closed = true,
                None => {}
            }
            self.windows.pop_front();
        }
    }

    /// The first group, when no later event can join it.
    pub(crate) fn pop_ready(&mut self) -> Option<Group<T>> {
        if !self.groups.front()?.closed {
            return None;
        }
        let g = self.groups.pop_front()?;
        self.front = self.front.saturating_add(1);
        if let Kind::Series(s) = &g.kind {
            if self.series.get(s) == Some(&self.front.saturating_sub(1)) {
                self.series.remove(s);
                if self.contiguous_series {
                    self.ended.insert(s.clone());
                }
            }
        }
        Some(g)
    }

    /// The end of the events: every group closes.
    pub(crate) fn finish(&mut self) {
        for g in &mut self.groups {
            g.closed = true;
        }
        self.latest.clear();
        self.windows.clear();
    }
}

/// Merges a group's prepared members into one occurrence (spec section 11.1).
pub(crate) fn merge<'a>(mut members: Vec<Event<'a>>) -> Option<Occurrence<'a>> {
    if members.len() <= 1 {
        return members.pop().map(|event| Occurrence {
            event,
            members: Vec::new(),
        });
    }
    let ids: Vec<&'a str> = members.iter().map(|e| e.id).collect();
    let mut rest = members.into_iter();
    let mut event = rest.next()?;
    for m in rest {
        event.discovered = event.discovered.min(m.discovered);
        event.lines.to_mut().extend(m.lines.iter().cloned());
        if !m.recoveries.is_empty() {
            event
                .recoveries
                .to_mut()
                .extend(m.recoveries.iter().cloned());
        }
    }
    Some(Occurrence {
        event,
        members: ids,
    })
}

/// Groups a whole scenario's events, given in replay order, into occurrences in replay
/// order. A series may be spread over the scenario; it must keep one cause.
pub fn group<'a>(
    program: &Program,
    events: Vec<Event<'a>>,
) -> Result<Vec<Occurrence<'a>>, ScenarioError> {
    if program.occurrence_window.is_none() && events.iter().all(|e| e.series.is_none()) {
        return Ok(events
            .into_iter()
            .map(|event| Occurrence {
                event,
                members: Vec::new(),
            })
            .collect());
    }
    let mut g: Grouper<Event<'a>> = Grouper::new(program, false);
    for ev in events {
        let key = Key {
            id: ev.id,
            cause: ev.cause,
            occurred: ev.occurred,
            series: ev.series,
        };
        g.push(key, ev, 0)?;
    }
    g.finish();
    let mut out = Vec::new();
    while let Some(group) = g.pop_ready() {
        out.extend(merge(group.members));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(window: &str) -> Program {
        crate::compile_str(&format!(
            r#"program "p" {{ period 2026-01-01 to 2027-01-01 {window}
               layer "L" 1M xs 0 {{ carrier "A" 100% }} }}"#
        ))
        .unwrap()
        .program
    }

    /// Groups of (id, cause, seconds after the period start, series), pushed in order.
    fn groups(
        program: &Program,
        events: &[(&str, &str, i64, Option<&str>)],
        stream: bool,
    ) -> Result<Vec<Vec<String>>, ScenarioError> {
        let mut g: Grouper<String> = Grouper::new(program, stream);
        let mut out = Vec::new();
        for (n, (id, cause, at, series)) in events.iter().enumerate() {
            let key = Key {
                id,
                cause,
                occurred: Instant(program.period.start.0 + at),
                series: *series,
            };
            g.push(key, id.to_string(), n + 1)?;
            if stream {
                while let Some(done) = g.pop_ready() {
                    out.push(done.members);
                }
            }
        }
        g.finish();
        while let Some(done) = g.pop_ready() {
            out.push(done.members);
        }
        Ok(out)
    }

    #[test]
    fn the_window_is_strictly_less_than_its_length_after_the_first_event() {
        let p = program("occurrence window 72 hours");
        let h = 3600;
        // b: 72 h − 1 s after a joins; c: exactly 72 h after a opens a new group (its
        // window is measured from its own first event); d of another cause never joins.
        let evs = [
            ("a", "external_hack", 0, None),
            ("d", "insider_theft", h, None),
            ("b", "external_hack", 72 * h - 1, None),
            ("c", "external_hack", 72 * h, None),
            ("e", "external_hack", 143 * h, None),
        ];
        for stream in [false, true] {
            assert_eq!(
                groups(&p, &evs, stream).unwrap(),
                vec![vec!["a", "b"], vec!["d"], vec!["c", "e"]],
                "stream {stream}"
            );
        }
        let zero = program("occurrence window 0 hours");
        let same = [("a", "x", 0, None), ("b", "x", 0, None)];
        assert_eq!(
            groups(&zero, &same, false).unwrap(),
            vec![vec!["a"], vec!["b"]]
        );
    }

    #[test]
    fn series_group_whatever_their_instants_and_never_join_window_groups() {
        let p = program("occurrence window 72 hours");
        let day = 86_400;
        let evs = [
            ("a", "external_hack", 0, Some("s")),
            ("b", "external_hack", day, None),
            ("c", "external_hack", 200 * day, Some("s")),
        ];
        assert_eq!(
            groups(&p, &evs, false).unwrap(),
            vec![vec!["a", "c"], vec!["b"]]
        );
        // In a stream, a series must be on consecutive lines.
        let err = groups(&p, &evs, true).unwrap_err();
        assert!(
            matches!(err, ScenarioError::SeriesSplit { ref event, line: 3, .. } if event == "c"),
            "{err:?}"
        );
        let mixed = [
            ("a", "external_hack", 0, Some("s")),
            ("b", "insider_theft", 1, Some("s")),
        ];
        let err = groups(&p, &mixed, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "series `s`: event `b` has cause `insider_theft` but event `a` of the same series has `external_hack`"
        );
    }

    #[test]
    fn a_stream_hands_out_groups_in_order_as_soon_as_they_close() {
        let p = program("occurrence window 1 hours");
        let mut g: Grouper<&str> = Grouper::new(&p, true);
        let at = |s: i64| Instant(p.period.start.0 + s);
        let key = |id, s| Key {
            id,
            cause: "x",
            occurred: at(s),
            series: None,
        };
        g.push(key("a", 0), "a", 1).unwrap();
        g.push(
            Key {
                cause: "y",
                ..key("b", 10)
            },
            "b",
            2,
        )
        .unwrap();
        // a's window is still open: b waits behind it.
        assert!(g.pop_ready().is_none());
        g.push(key("c", 3600), "c", 3).unwrap();
        assert_eq!(g.pop_ready().unwrap().members, vec!["a"]);
        // b (cause y) closes only when an hour has passed since it.
        assert!(g.pop_ready().is_none());
        g.push(key("d", 3610), "d", 4).unwrap();
        assert_eq!(g.pop_ready().unwrap().members, vec!["b"]);
        assert!(g.pop_ready().is_none());
    }
}
