//! Prepared events (or occurrences) stored compactly: all their text in one buffer, their
//! lines, attributes and recoveries in shared vectors, no allocation per event once the
//! buffers have grown. A stream's reading thread fills batches that the replaying thread
//! reads; a whole scenario can be kept as one batch (a few dozen bytes per event beside
//! its text, instead of a JSON tree).

use super::{DecimalValue, Event, Line, Preparer, RawEvent, Recovery, ScenarioError, Symbols};
use crate::money::Money;
use crate::program::Value;
use crate::time::Instant;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

/// A range of one of the batch's buffers, in 32 bits (a batch holds less than 4 GiB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span32 {
    start: u32,
    end: u32,
}

impl Span32 {
    fn new(start: usize, end: usize) -> Span32 {
        Span32 {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The span `by` further on (saturating: [`EventBatch::append`] checks the sums first).
    fn shifted(self, by: u32) -> Span32 {
        Span32 {
            start: self.start.saturating_add(by),
            end: self.end.saturating_add(by),
        }
    }

    fn range(self) -> Range<usize> {
        (self.start as usize)..(self.end as usize)
    }
}

/// A stored event: spans of the batch's buffers.
#[derive(Clone, Debug)]
struct Stored {
    id: Span32,
    cause: Span32,
    cause_id: u32,
    occurred: Instant,
    discovered: Instant,
    series: Option<Span32>,
    lines: Span32,
    attributes: Span32,
    recoveries: Span32,
    members: Span32,
}

#[derive(Clone, Debug)]
struct StoredLine {
    tier: Span32,
    tier_id: u32,
    asset: Option<Span32>,
    asset_id: u32,
    value: Money,
    priced: Option<(Decimal, Decimal)>,
}

#[derive(Clone, Debug)]
struct StoredRecovery {
    at: Instant,
    value: Money,
    asset: Option<Span32>,
    priced: Option<(Decimal, Decimal)>,
    event: Span32,
}

/// Prepared events, stored compactly.
#[derive(Clone, Debug, Default)]
pub struct EventBatch {
    text: String,
    events: Vec<Stored>,
    lines: Vec<StoredLine>,
    attributes: Vec<Value>,
    recoveries: Vec<StoredRecovery>,
    /// Occurrence member ids, as spans of `text`.
    members: Vec<Span32>,
}

impl EventBatch {
    /// An empty batch.
    pub fn new() -> EventBatch {
        EventBatch::default()
    }

    /// Number of events stored.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is stored.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether any event stored belongs to a series.
    pub fn has_series(&self) -> bool {
        self.events.iter().any(|e| e.series.is_some())
    }

    /// Forgets every event, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.text.clear();
        self.events.clear();
        self.lines.clear();
        self.attributes.clear();
        self.recoveries.clear();
        self.members.clear();
    }

    /// Moves `other`'s events after this batch's, as if they had been pushed here;
    /// `None` (and this batch unchanged) when the result would not fit 32-bit offsets.
    pub(crate) fn append(&mut self, other: EventBatch) -> Option<()> {
        // This buffer's length, the offset of the other's spans, when the two together
        // fit 32 bits. INVARIANT: every span then fits too (each ends within its buffer),
        // and all are checked before anything moves, so nothing is half moved.
        let offset = |mine: usize, theirs: usize| {
            u32::try_from(mine.checked_add(theirs)?).ok()?;
            u32::try_from(mine).ok()
        };
        let text = offset(self.text.len(), other.text.len())?;
        let lines = offset(self.lines.len(), other.lines.len())?;
        let attributes = offset(self.attributes.len(), other.attributes.len())?;
        let recoveries = offset(self.recoveries.len(), other.recoveries.len())?;
        let members = offset(self.members.len(), other.members.len())?;
        let EventBatch {
            text: other_text,
            events: other_events,
            lines: other_lines,
            attributes: other_attributes,
            recoveries: other_recoveries,
            members: other_members,
        } = other;
        // Each buffer grows once, and the other's is freed before the next one grows.
        self.text.reserve_exact(other_text.len());
        self.text.push_str(&other_text);
        drop(other_text);
        let t = |s: Span32| s.shifted(text);
        self.events.reserve_exact(other_events.len());
        self.events.extend(other_events.into_iter().map(|e| Stored {
            id: t(e.id),
            cause: t(e.cause),
            series: e.series.map(t),
            lines: e.lines.shifted(lines),
            attributes: e.attributes.shifted(attributes),
            recoveries: e.recoveries.shifted(recoveries),
            members: e.members.shifted(members),
            ..e
        }));
        self.lines.reserve_exact(other_lines.len());
        self.lines
            .extend(other_lines.into_iter().map(|l| StoredLine {
                tier: t(l.tier),
                asset: l.asset.map(t),
                ..l
            }));
        self.attributes.reserve_exact(other_attributes.len());
        self.attributes.extend(other_attributes);
        self.recoveries.reserve_exact(other_recoveries.len());
        self.recoveries
            .extend(other_recoveries.into_iter().map(|r| StoredRecovery {
                asset: r.asset.map(t),
                event: t(r.event),
                ..r
            }));
        self.members.reserve_exact(other_members.len());
        self.members.extend(other_members.into_iter().map(t));
        Some(())
    }

    fn push_text(&mut self, s: &str) -> Span32 {
        let start = self.text.len();
        self.text.push_str(s);
        Span32::new(start, self.text.len())
    }

    fn text(&self, s: Span32) -> &str {
        self.text.get(s.range()).unwrap_or("")
    }

    /// Stores a valued line, its text in the batch's buffer.
    fn push_line(&mut self, l: &Line<'_>) {
        let tier = self.push_text(l.tier);
        let asset = l.asset.map(|a| self.push_text(a));
        self.lines.push(StoredLine {
            tier,
            tier_id: l.tier_id,
            asset,
            asset_id: l.asset_id,
            value: l.value,
            priced: l.priced,
        });
    }

    /// Stores `ev` (an occurrence of `members`, empty for a single event).
    pub fn push(&mut self, ev: &Event<'_>, members: &[&str]) {
        let id = self.push_text(ev.id);
        let cause = self.push_text(ev.cause);
        let series = ev.series.map(|s| self.push_text(s));
        let first_line = self.lines.len();
        for l in ev.lines.iter() {
            self.push_line(l);
        }
        let first_attr = self.attributes.len();
        self.attributes.extend(ev.attributes.iter().cloned());
        let first_recovery = self.recoveries.len();
        for r in ev.recoveries.iter() {
            let asset = r.asset.map(|a| self.push_text(a));
            let event = self.push_text(r.event);
            self.recoveries.push(StoredRecovery {
                at: r.at,
                value: r.value,
                asset,
                priced: r.priced,
                event,
            });
        }
        let first_member = self.members.len();
        for m in members {
            let m = self.push_text(m);
            self.members.push(m);
        }
        self.events.push(Stored {
            id,
            cause,
            cause_id: ev.cause_id,
            occurred: ev.occurred,
            discovered: ev.discovered,
            series,
            lines: Span32::new(first_line, self.lines.len()),
            attributes: Span32::new(first_attr, self.attributes.len()),
            recoveries: Span32::new(first_recovery, self.recoveries.len()),
            members: Span32::new(first_member, self.members.len()),
        });
    }

    /// Prepares `raw` with `prep` and stores it, as `push(&prep.prepare(raw, symbols)?, &[])`
    /// does, but straight into the batch's buffers instead of through the event's own
    /// lists. On error the batch is left as it was.
    pub(crate) fn push_prepared(
        &mut self,
        prep: &Preparer<'_>,
        raw: &RawEvent<'_>,
        symbols: &Symbols,
    ) -> Result<(), ScenarioError> {
        if !raw.recoveries.is_empty() {
            let ev = prep.prepare(raw, symbols)?;
            self.push(&ev, &[]);
            return Ok(());
        }
        let marks = (self.text.len(), self.lines.len(), self.attributes.len());
        match self.store_prepared(prep, raw, symbols) {
            Ok(stored) => {
                self.events.push(stored);
                Ok(())
            }
            Err(e) => {
                self.text.truncate(marks.0);
                self.lines.truncate(marks.1);
                self.attributes.truncate(marks.2);
                Err(e)
            }
        }
    }

    /// [`EventBatch::push_prepared`] of an event without recoveries, up to the event's
    /// own record, which it returns; on error, its lines, attributes and text may be
    /// partly stored.
    fn store_prepared(
        &mut self,
        prep: &Preparer<'_>,
        raw: &RawEvent<'_>,
        symbols: &Symbols,
    ) -> Result<Stored, ScenarioError> {
        let (occurred, discovered, at) = prep.instants(raw)?;
        let first_line = self.lines.len();
        for (n, l) in raw.losses.iter().enumerate() {
            let line = prep.line(raw, n, l, at, symbols)?;
            self.push_line(&line);
        }
        let first_attr = self.attributes.len();
        prep.attributes_into(raw, &mut self.attributes)?;
        let (recoveries, members) = (self.recoveries.len(), self.members.len());
        Ok(Stored {
            id: self.push_text(&raw.id),
            cause_id: Preparer::symbol(raw, &"cause", &raw.cause, symbols)?,
            cause: self.push_text(&raw.cause),
            occurred,
            discovered,
            series: raw.series.as_deref().map(|s| self.push_text(s)),
            lines: Span32::new(first_line, self.lines.len()),
            attributes: Span32::new(first_attr, self.attributes.len()),
            recoveries: Span32::new(recoveries, recoveries),
            members: Span32::new(members, members),
        })
    }

    /// The replay-order key of event `i`: (occurred, id).
    pub fn key(&self, i: usize) -> Option<(Instant, &str)> {
        let s = self.events.get(i)?;
        Some((s.occurred, self.text(s.id)))
    }

    /// Fills `lines` and `recoveries` with event `i`'s, for [`EventBatch::event`].
    pub fn parts_into<'b>(
        &'b self,
        i: usize,
        lines: &mut Vec<Line<'b>>,
        recoveries: &mut Vec<Recovery<'b>>,
    ) {
        lines.clear();
        recoveries.clear();
        let Some(s) = self.events.get(i) else { return };
        for l in self.lines.get(s.lines.range()).unwrap_or(&[]) {
            lines.push(self.line(l));
        }
        for r in self.recoveries.get(s.recoveries.range()).unwrap_or(&[]) {
            recoveries.push(self.recovery(r));
        }
    }

    fn line(&self, l: &StoredLine) -> Line<'_> {
        Line {
            tier: self.text(l.tier),
            tier_id: l.tier_id,
            asset: l.asset.map(|a| self.text(a)),
            asset_id: l.asset_id,
            value: l.value,
            priced: l.priced,
        }
    }

    fn recovery(&self, r: &StoredRecovery) -> Recovery<'_> {
        Recovery {
            at: r.at,
            value: r.value,
            asset: r.asset.map(|a| self.text(a)),
            priced: r.priced,
            event: self.text(r.event),
        }
    }

    /// Event `i` with the lines and recoveries [`EventBatch::parts_into`] gave, and its
    /// occurrence's member ids (empty for a single event).
    pub fn event<'s>(
        &'s self,
        i: usize,
        lines: &'s [Line<'s>],
        recoveries: &'s [Recovery<'s>],
    ) -> Option<(Event<'s>, Vec<&'s str>)> {
        let s = self.events.get(i)?;
        let members = self
            .members
            .get(s.members.range())?
            .iter()
            .map(|m| self.text(*m))
            .collect();
        let ev = Event {
            id: self.text(s.id),
            cause: self.text(s.cause),
            cause_id: s.cause_id,
            occurred: s.occurred,
            discovered: s.discovered,
            lines: Cow::Borrowed(lines),
            attributes: Cow::Borrowed(self.attributes.get(s.attributes.range())?),
            series: s.series.map(|r| self.text(r)),
            recoveries: Cow::Borrowed(recoveries),
        };
        Some((ev, members))
    }

    /// A view of the batch that lends out all its events at once.
    pub fn view(&self) -> BatchView<'_> {
        BatchView {
            batch: self,
            lines: self.lines.iter().map(|l| self.line(l)).collect(),
            recoveries: self.recoveries.iter().map(|r| self.recovery(r)).collect(),
        }
    }
}

/// The events of a batch, lent out without copying.
pub struct BatchView<'b> {
    batch: &'b EventBatch,
    lines: Vec<Line<'b>>,
    recoveries: Vec<Recovery<'b>>,
}

impl BatchView<'_> {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.batch.events.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.batch.events.is_empty()
    }

    /// Event `i`, and its occurrence's member ids (empty for a single event).
    pub fn event(&self, i: usize) -> Option<(Event<'_>, Vec<&str>)> {
        let s = self.batch.events.get(i)?;
        let lines = self.lines.get(s.lines.range())?;
        let recoveries = self.recoveries.get(s.recoveries.range())?;
        self.batch.event(i, lines, recoveries)
    }
}

/// A scenario's fields other than its events.
#[derive(Clone, Debug, Default)]
pub struct ScenarioHead {
    /// Scenario name.
    pub name: String,
    /// Currency, if stated.
    pub currency: Option<String>,
    /// Price series.
    pub prices: BTreeMap<String, Vec<(String, DecimalValue)>>,
    /// Index series for parametric covers.
    pub indices: BTreeMap<String, Vec<(String, DecimalValue)>>,
}

/// Most events one scenario file may hold (larger runs stream with `--events`).
pub const MAX_EVENTS: usize = 50_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::Replayer;
    use crate::scenario::Prices;

    const PROGRAM: &str = r#"program "p" {
      currency USD
      period 2026-01-01 to 2027-01-01
      attribute staff: count = 0
      attribute desk: text
      attribute documented: flag = true
      layer "L" 10M xs 0 { carrier "A" 100% }
    }"#;

    const HEAD: &str = r#""cause":"external_hack","occurred":"2026-03-01T00:00:00Z""#;

    fn raw(text: &str) -> RawEvent<'_> {
        RawEvent::from_json_line(text, 1).unwrap()
    }

    /// Every event of `batch` (with its members), compared through the public view.
    fn events(batch: &EventBatch) -> Vec<String> {
        let view = batch.view();
        (0..view.len())
            .map(|i| format!("{:?}", view.event(i).unwrap()))
            .collect()
    }

    fn prices() -> Prices {
        let mut series = BTreeMap::new();
        series.insert(
            "BTC".to_string(),
            vec![(
                "2026-01-01T00:00:00Z".to_string(),
                DecimalValue(Decimal::new(6_400_050, 2)),
            )],
        );
        Prices::new(&series).unwrap()
    }

    /// Events of every shape (amounts and asset quantities, attributes written or left to
    /// their defaults, a series, recoveries) stored straight into the batch read back as
    /// the same events as when prepared first and then stored.
    #[test]
    fn push_prepared_stores_what_push_of_prepare_stores() {
        let program = crate::compile_str(PROGRAM).unwrap().program;
        let replayer = Replayer::new(&program);
        let prep = replayer.preparer(prices(), None).unwrap();
        let lines = [
            format!(
                r#"{{"id":"E1",{HEAD},"losses":[{{"tier":"hot","amount":"12.50"}}],"attributes":{{"desk":"ny"}}}}"#
            ),
            format!(
                r#"{{"id":"E2",{HEAD},"losses":[{{"tier":"hot","asset":"BTC","quantity":"0.5"}},{{"tier":"cold","amount":"3"}}],"attributes":{{"desk":"ld","staff":2,"documented":false}}}}"#
            ),
            format!(
                r#"{{"id":"E3",{HEAD},"series":"S","discovered":"2026-03-02T00:00:00Z","losses":[],"attributes":{{"desk":"hk"}}}}"#
            ),
            format!(
                r#"{{"id":"E4",{HEAD},"losses":[{{"tier":"hot","amount":"100"}}],"attributes":{{"desk":"ny"}},"recoveries":[{{"at":"2026-03-05T00:00:00Z","amount":"40"}}]}}"#
            ),
        ];
        let (mut direct, mut through) = (EventBatch::new(), EventBatch::new());
        for text in &lines {
            let r = raw(text);
            direct.push_prepared(&prep, &r, replayer.symbols()).unwrap();
            through.push(&prep.prepare(&r, replayer.symbols()).unwrap(), &[]);
        }
        assert_eq!(direct.len(), 4);
        assert_eq!(events(&direct), events(&through));
    }

    /// An event that fails after some of it was stored (a bad second loss line, a bad or
    /// unknown attribute) gives the error `prepare` gives and leaves the batch as it was.
    #[test]
    fn a_bad_event_leaves_the_batch_as_it_was() {
        let program = crate::compile_str(PROGRAM).unwrap().program;
        let replayer = Replayer::new(&program);
        let prep = replayer.preparer(Prices::default(), None).unwrap();
        let good = format!(
            r#"{{"id":"E1",{HEAD},"losses":[{{"tier":"hot","amount":"1"}}],"attributes":{{"desk":"ny"}}}}"#
        );
        let mut batch = EventBatch::new();
        batch
            .push_prepared(&prep, &raw(&good), replayer.symbols())
            .unwrap();
        let before = (
            batch.text.clone(),
            batch.lines.len(),
            batch.attributes.len(),
            events(&batch),
        );
        for bad in [
            format!(
                r#"{{"id":"E2",{HEAD},"losses":[{{"tier":"hot","amount":"1"}},{{"tier":"warm","amount":"-2"}}],"attributes":{{"desk":"ny"}}}}"#
            ),
            format!(
                r#"{{"id":"E3",{HEAD},"losses":[{{"tier":"hot","amount":"1"}}],"attributes":{{"desk":"ny","staff":"many"}}}}"#
            ),
            format!(
                r#"{{"id":"E4",{HEAD},"losses":[{{"tier":"hot","amount":"1"}}],"attributes":{{"desk":"ny","staf":1}}}}"#
            ),
            format!(r#"{{"id":"E5",{HEAD},"losses":[{{"tier":"hot","amount":"1"}}]}}"#),
            format!(
                r#"{{"id":"E6",{HEAD},"losses":[{{"tier":"hot","asset":"BTC","quantity":"1"}}],"attributes":{{"desk":"ny"}}}}"#
            ),
        ] {
            let r = raw(&bad);
            let expected = prep.prepare(&r, replayer.symbols()).unwrap_err();
            let got = batch
                .push_prepared(&prep, &r, replayer.symbols())
                .unwrap_err();
            assert_eq!(format!("{got:?}"), format!("{expected:?}"), "{bad}");
            let after = (
                batch.text.clone(),
                batch.lines.len(),
                batch.attributes.len(),
                events(&batch),
            );
            assert_eq!(after, before, "{bad}");
        }
    }
}
