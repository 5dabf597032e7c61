//! Prepared events (or occurrences) stored compactly: all their text in one buffer, their
//! lines, attributes and recoveries in shared vectors, no allocation per event once the
//! buffers have grown. A stream's reading thread fills batches that the replaying thread
//! reads; a whole scenario can be kept as one batch (a few dozen bytes per event beside
//! its text, instead of a JSON tree). A batch may be a chain: events appended from
//! another batch keep that batch's buffers ([`EventBatch::append`]), and every accessor
//! numbers the chain's events in order.

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
    /// The events stored after these, in buffers of their own ([`EventBatch::append`]).
    // INVARIANT: events are pushed to the last batch of the chain only, so the chain's
    // order is the order of storing.
    next: Option<Box<EventBatch>>,
}

impl EventBatch {
    /// An empty batch.
    pub fn new() -> EventBatch {
        EventBatch::default()
    }

    /// Number of events stored.
    pub fn len(&self) -> usize {
        match &self.next {
            None => self.events.len(),
            Some(_) => self.chain().map(|b| b.events.len()).sum(),
        }
    }

    /// Whether no event is stored.
    pub fn is_empty(&self) -> bool {
        self.chain().all(|b| b.events.is_empty())
    }

    /// Whether any event stored belongs to a series.
    pub fn has_series(&self) -> bool {
        self.chain()
            .any(|b| b.events.iter().any(|e| e.series.is_some()))
    }

    /// Forgets every event, keeping the buffers' capacity (of the first batch of a chain).
    pub fn clear(&mut self) {
        self.text.clear();
        self.events.clear();
        self.lines.clear();
        self.attributes.clear();
        self.recoveries.clear();
        self.members.clear();
        self.next = None;
    }

    /// This batch and the ones appended after it, in order.
    fn chain(&self) -> impl Iterator<Item = &EventBatch> {
        std::iter::successors(Some(self), |b| b.next.as_deref())
    }

    /// The last batch of the chain: where events are pushed.
    fn last_mut(&mut self) -> &mut EventBatch {
        match self.next {
            Some(ref mut next) => next.last_mut(),
            None => self,
        }
    }

    /// The batch of the chain holding event `i`, and `i` within it.
    #[inline]
    fn locate(&self, i: usize) -> Option<(&EventBatch, usize)> {
        if i < self.events.len() {
            return Some((self, i));
        }
        self.locate_after(i)
    }

    /// [`EventBatch::locate`] of an event past this batch's own.
    fn locate_after(&self, i: usize) -> Option<(&EventBatch, usize)> {
        find_counted(self.chain().map(|b| (b, b.events.len())), i)
    }

    /// Moves `other`'s events after this batch's, as if they had been pushed here. They
    /// keep their own buffers: nothing is copied (a whole file's second reading thread
    /// hands its events over this way).
    pub(crate) fn append(&mut self, other: EventBatch) {
        let last = self.last_mut();
        if last.events.is_empty() {
            *last = other;
        } else if !other.is_empty() {
            last.next = Some(Box::new(other));
        }
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
        self.last_mut().push_here(ev, members);
    }

    /// [`EventBatch::push`] into this batch's own buffers.
    fn push_here(&mut self, ev: &Event<'_>, members: &[&str]) {
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
        let last = self.last_mut();
        let marks = (last.text.len(), last.lines.len(), last.attributes.len());
        match last.store_prepared(prep, raw, symbols) {
            Ok(stored) => {
                last.events.push(stored);
                Ok(())
            }
            Err(e) => {
                last.text.truncate(marks.0);
                last.lines.truncate(marks.1);
                last.attributes.truncate(marks.2);
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
        let (b, i) = self.locate(i)?;
        let s = b.events.get(i)?;
        Some((s.occurred, b.text(s.id)))
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
        let Some((b, i)) = self.locate(i) else { return };
        let Some(s) = b.events.get(i) else { return };
        for l in b.lines.get(s.lines.range()).unwrap_or(&[]) {
            lines.push(b.line(l));
        }
        for r in b.recoveries.get(s.recoveries.range()).unwrap_or(&[]) {
            recoveries.push(b.recovery(r));
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
    #[inline]
    pub fn event<'s>(
        &'s self,
        i: usize,
        lines: &'s [Line<'s>],
        recoveries: &'s [Recovery<'s>],
    ) -> Option<(Event<'s>, Vec<&'s str>)> {
        let (b, i) = self.locate(i)?;
        let s = b.events.get(i)?;
        let members = b
            .members
            .get(s.members.range())?
            .iter()
            .map(|m| b.text(*m))
            .collect();
        let ev = Event {
            id: b.text(s.id),
            cause: b.text(s.cause),
            cause_id: s.cause_id,
            occurred: s.occurred,
            discovered: s.discovered,
            lines: Cow::Borrowed(lines),
            attributes: Cow::Borrowed(b.attributes.get(s.attributes.range())?),
            series: s.series.map(|r| b.text(r)),
            recoveries: Cow::Borrowed(recoveries),
        };
        Some((ev, members))
    }

    /// A view of the batch that lends out all its events at once.
    pub fn view(&self) -> BatchView<'_> {
        BatchView {
            parts: self
                .chain()
                .map(|b| ViewPart {
                    batch: b,
                    lines: b.lines.iter().map(|l| b.line(l)).collect(),
                    recoveries: b.recoveries.iter().map(|r| b.recovery(r)).collect(),
                })
                .collect(),
        }
    }
}

/// The events of a batch, lent out without copying.
pub struct BatchView<'b> {
    /// One part per batch of the chain.
    parts: Vec<ViewPart<'b>>,
}

/// The lines and recoveries of one batch of a chain (without the batches after it).
struct ViewPart<'b> {
    batch: &'b EventBatch,
    lines: Vec<Line<'b>>,
    recoveries: Vec<Recovery<'b>>,
}

impl BatchView<'_> {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.batch.events.len()).sum()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Event `i`, and its occurrence's member ids (empty for a single event).
    pub fn event(&self, i: usize) -> Option<(Event<'_>, Vec<&str>)> {
        let (p, i) = find_counted(self.parts.iter().map(|p| (p, p.batch.events.len())), i)?;
        let s = p.batch.events.get(i)?;
        let lines = p.lines.get(s.lines.range())?;
        let recoveries = p.recoveries.get(s.recoveries.range())?;
        // INVARIANT: `i` is within this part's own events, which come first in its
        // batch's chain.
        p.batch.event(i, lines, recoveries)
    }
}

/// The item of `counted` (items in order, each with its number of events) that holds
/// event `i` of them all, and `i` within it.
fn find_counted<T>(
    counted: impl IntoIterator<Item = (T, usize)>,
    mut i: usize,
) -> Option<(T, usize)> {
    for (item, n) in counted {
        match i.checked_sub(n) {
            None => return Some((item, i)),
            Some(rest) => i = rest,
        }
    }
    None
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

    /// Every way `batch` lends its events (view, `parts_into` and `event`, `key`) and
    /// what it says of them, as text.
    fn everything(batch: &EventBatch) -> Vec<String> {
        let mut all = vec![format!(
            "{} {} {}",
            batch.len(),
            batch.is_empty(),
            batch.has_series()
        )];
        all.extend(events(batch));
        let (mut lines, mut recoveries) = (Vec::new(), Vec::new());
        for i in 0..=batch.len() {
            batch.parts_into(i, &mut lines, &mut recoveries);
            all.push(format!(
                "{:?} {:?}",
                batch.key(i),
                batch.event(i, &lines, &recoveries)
            ));
        }
        all
    }

    proptest::proptest! {
        /// Events stored in one batch, or in two with the second appended to the first
        /// (and more stored after that), are the same events in the same order by every
        /// accessor.
        #[test]
        fn appended_batches_lend_what_one_batch_lends(
            shapes in proptest::collection::vec((0usize..4, proptest::bool::ANY), 0..8),
            split in proptest::prelude::any::<proptest::sample::Index>(),
            after in 0usize..3,
        ) {
            let program = crate::compile_str(PROGRAM).unwrap().program;
            let replayer = Replayer::new(&program);
            let prep = replayer.preparer(prices(), None).unwrap();
            let text = |i: usize, (shape, series): (usize, bool)| {
                let losses = [
                    r#"[{"tier":"hot","amount":"12.50"}]"#,
                    r#"[{"tier":"hot","asset":"BTC","quantity":"0.5"},{"tier":"cold","amount":"3"}]"#,
                    r#"[]"#,
                    r#"[{"tier":"warm","amount":"7"}],"recoveries":[{"at":"2026-03-05T00:00:00Z","amount":"1"}]"#,
                ][shape];
                let series = if series { r#""series":"S","# } else { "" };
                format!(r#"{{"id":"E{i}",{HEAD},{series}"attributes":{{"desk":"ny"}},"losses":{losses}}}"#)
            };
            let lines: Vec<String> = shapes.iter().enumerate().map(|(i, s)| text(i, *s)).collect();
            let k = split.index(lines.len() + 1);
            let extra: Vec<String> = (0..after).map(|j| text(100 + j, (j % 4, false))).collect();
            let (mut one, mut first, mut second) = (EventBatch::new(), EventBatch::new(), EventBatch::new());
            for (i, l) in lines.iter().chain(&extra).enumerate() {
                one.push_prepared(&prep, &raw(l), replayer.symbols()).unwrap();
                if i < k {
                    first.push_prepared(&prep, &raw(l), replayer.symbols()).unwrap();
                } else if i < lines.len() {
                    second.push_prepared(&prep, &raw(l), replayer.symbols()).unwrap();
                }
            }
            first.append(second);
            for l in &extra {
                first.push_prepared(&prep, &raw(l), replayer.symbols()).unwrap();
            }
            proptest::prop_assert_eq!(everything(&first), everything(&one));
        }
    }
}
