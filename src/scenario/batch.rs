//! Prepared events (or occurrences) stored compactly: all their text in one buffer, their
//! lines, attributes and recoveries in shared vectors, no allocation per event once the
//! buffers have grown. A stream's reading thread fills batches that the replaying thread
//! reads; a whole scenario can be kept as one batch (a few dozen bytes per event beside
//! its text, instead of a JSON tree).

use super::{Event, Line, Recovery};
use crate::money::Money;
use crate::program::Value;
use crate::time::Instant;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::ops::Range;

/// A stored event: ranges into the batch's buffers.
#[derive(Clone, Debug)]
struct Stored {
    id: Range<usize>,
    cause: Range<usize>,
    cause_id: u32,
    occurred: Instant,
    discovered: Instant,
    series: Option<Range<usize>>,
    lines: Range<usize>,
    attributes: Range<usize>,
    recoveries: Range<usize>,
    members: Range<usize>,
}

#[derive(Clone, Debug)]
struct StoredLine {
    tier: Range<usize>,
    tier_id: u32,
    asset: Option<Range<usize>>,
    asset_id: u32,
    value: Money,
    priced: Option<(Decimal, Decimal)>,
}

#[derive(Clone, Debug)]
struct StoredRecovery {
    at: Instant,
    value: Money,
    asset: Option<Range<usize>>,
    priced: Option<(Decimal, Decimal)>,
    event: Range<usize>,
}

/// Prepared events, stored compactly.
#[derive(Clone, Debug, Default)]
pub struct EventBatch {
    text: String,
    events: Vec<Stored>,
    lines: Vec<StoredLine>,
    attributes: Vec<Value>,
    recoveries: Vec<StoredRecovery>,
    /// Occurrence member ids, as ranges of `text`.
    members: Vec<Range<usize>>,
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

    /// Forgets every event, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.text.clear();
        self.events.clear();
        self.lines.clear();
        self.attributes.clear();
        self.recoveries.clear();
        self.members.clear();
    }

    fn text(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    /// Stores `ev` (an occurrence of `members`, empty for a single event).
    pub fn push(&mut self, ev: &Event<'_>, members: &[&str]) {
        let id = self.text(ev.id);
        let cause = self.text(ev.cause);
        let series = ev.series.map(|s| self.text(s));
        let first_line = self.lines.len();
        for l in ev.lines.iter() {
            let tier = self.text(l.tier);
            let asset = l.asset.map(|a| self.text(a));
            self.lines.push(StoredLine {
                tier,
                tier_id: l.tier_id,
                asset,
                asset_id: l.asset_id,
                value: l.value,
                priced: l.priced,
            });
        }
        let first_attr = self.attributes.len();
        self.attributes.extend(ev.attributes.iter().cloned());
        let first_recovery = self.recoveries.len();
        for r in ev.recoveries.iter() {
            let asset = r.asset.map(|a| self.text(a));
            let event = self.text(r.event);
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
            let m = self.text(m);
            self.members.push(m);
        }
        self.events.push(Stored {
            id,
            cause,
            cause_id: ev.cause_id,
            occurred: ev.occurred,
            discovered: ev.discovered,
            series,
            lines: first_line..self.lines.len(),
            attributes: first_attr..self.attributes.len(),
            recoveries: first_recovery..self.recoveries.len(),
            members: first_member..self.members.len(),
        });
    }

    /// A view of the batch that lends out its events.
    pub fn view(&self) -> BatchView<'_> {
        let text = |r: &Range<usize>| self.text.get(r.clone()).unwrap_or("");
        BatchView {
            batch: self,
            lines: self
                .lines
                .iter()
                .map(|l| Line {
                    tier: text(&l.tier),
                    tier_id: l.tier_id,
                    asset: l.asset.as_ref().map(text),
                    asset_id: l.asset_id,
                    value: l.value,
                    priced: l.priced,
                })
                .collect(),
            recoveries: self
                .recoveries
                .iter()
                .map(|r| Recovery {
                    at: r.at,
                    value: r.value,
                    asset: r.asset.as_ref().map(text),
                    priced: r.priced,
                    event: text(&r.event),
                })
                .collect(),
        }
    }
}

/// The events of a batch, lent out without copying.
pub struct BatchView<'b> {
    batch: &'b EventBatch,
    lines: Vec<Line<'b>>,
    recoveries: Vec<Recovery<'b>>,
}

impl<'b> BatchView<'b> {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.batch.events.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.batch.events.is_empty()
    }

    fn text(&self, r: &Range<usize>) -> &'b str {
        self.batch.text.get(r.clone()).unwrap_or("")
    }

    /// Event `i`, and its occurrence's member ids (empty for a single event).
    pub fn event(&self, i: usize) -> Option<(Event<'_>, Vec<&'b str>)> {
        let s = self.batch.events.get(i)?;
        let members = self
            .batch
            .members
            .get(s.members.clone())?
            .iter()
            .map(|r| self.text(r))
            .collect();
        let ev = Event {
            id: self.text(&s.id),
            cause: self.text(&s.cause),
            cause_id: s.cause_id,
            occurred: s.occurred,
            discovered: s.discovered,
            lines: Cow::Borrowed(self.lines.get(s.lines.clone())?),
            attributes: Cow::Borrowed(self.batch.attributes.get(s.attributes.clone())?),
            series: s.series.as_ref().map(|r| self.text(r)),
            recoveries: Cow::Borrowed(self.recoveries.get(s.recoveries.clone())?),
        };
        Some((ev, members))
    }

    /// The replay-order key of event `i`: (occurred, id).
    pub fn key(&self, i: usize) -> Option<(Instant, &'b str)> {
        let s = self.batch.events.get(i)?;
        Some((s.occurred, self.text(&s.id)))
    }
}
