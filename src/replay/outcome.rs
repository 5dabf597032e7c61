//! One event's outcome in integer minor units, as the steps of section 6 build it: the
//! engine's output before it becomes a public result.

use super::fault::{Fault, OrFault};
use crate::money::Money;
use crate::span::Span;

use super::result::UncoveredReason;

/// Which clause left an amount unpaid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClauseRef {
    /// No clause (period, cause, gaps, …).
    None,
    /// Program exclusion `i`.
    Exclusion(u32),
    /// Sub-limit `i`.
    Sublimit(u32),
    /// Deductible `i`.
    Deductible(u32),
    /// Exclusion `j` of layer `k` (tower order).
    LayerExclusion(u32, u32),
}

/// Key of an uncovered amount: reason, clause, layer (tower order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UncoveredKey {
    /// Why.
    pub reason: UncoveredReason,
    /// Which clause.
    pub clause: ClauseRef,
    /// Which layer, by tower index.
    pub layer: Option<u32>,
}

/// One layer's part of an event, in minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerOutcome {
    /// The band of the loss in the layer.
    pub band: Money,
    /// Paid by the layer's carriers (the sum of `carriers`).
    pub paid: Money,
    /// Per carrier, in written order.
    pub carriers: Vec<Money>,
    /// The part of the layer's payment no carrier took (reason `unplaced_share`). The
    /// layer's 100% figure, which erodes its aggregate, is `paid + unplaced`.
    pub unplaced: Money,
}

/// One event's outcome in minor units; reused between events to avoid allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Ground-up loss.
    pub ground_up: Money,
    /// Paid by carriers.
    pub paid: Money,
    /// Unpaid amounts in order of first production, no zero entries.
    pub uncovered: Vec<(UncoveredKey, Money)>,
    /// Every layer, tower order.
    pub layers: Vec<LayerOutcome>,
    /// Every entity after reinsurance (empty when the program has no treaties).
    pub entities: Vec<crate::reinsurance::EntityOutcome>,
    /// What came back and to whom (spec section 11.2); `None` without recoveries.
    pub recovered: Option<RecoveredOutcome>,
}

impl Outcome {
    /// Adds `amount` to the entry of `key`, or appends one (nothing when zero).
    pub(super) fn add(&mut self, key: UncoveredKey, amount: Money) -> Result<(), Fault> {
        if amount.0 == 0 {
            return Ok(());
        }
        if let Some(e) = self.uncovered.iter_mut().find(|(k, _)| *k == key) {
            e.1 = e.1.checked_add(amount).or_overflow()?;
        } else {
            self.uncovered.push((key, amount));
        }
        Ok(())
    }

    /// Sum of uncovered amounts.
    pub fn uncovered_total(&self) -> Option<Money> {
        self.uncovered
            .iter()
            .try_fold(Money::ZERO, |acc, (_, m)| acc.checked_add(*m))
    }
}

/// One step of an event's path, for `--explain`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// What happened, e.g. `sublimit`.
    pub step: &'static str,
    /// The clause or layer involved.
    pub name: Option<String>,
    /// Its source text.
    pub span: Option<Span>,
    /// Covered amount before the step.
    pub before: Money,
    /// Covered amount after the step.
    pub after: Money,
    /// Detail.
    pub note: String,
}

/// What came back of one event's loss, and to whom, in minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveredOutcome {
    /// The recoveries' total value.
    pub total: Money,
    /// The insured's part: its retained, excluded, unplaced and uncovered amounts.
    pub insured: Money,
    /// Each carrier's part, indexed like the totals' carrier list; at most what the carrier
    /// paid in the event.
    pub carriers: Vec<Money>,
}
