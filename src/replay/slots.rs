//! A dense number for each uncovered key one plan's steps produce, so that the totals find
//! a key's entry by index instead of by searching the list (`Replayer::accumulate`).
//!
//! Slots, in order: the eleven reasons with no clause and no layer; the eleven reasons
//! with no clause, per layer; then program exclusions, sub-limits, deductibles and each
//! layer's exclusions, one slot per clause. A key of another shape (an `Outcome` built by
//! hand) has no slot and is found by search, as before.

use super::fault::{Fault, OrFault};
use super::outcome::{ClauseRef, Outcome, UncoveredKey};
use super::result::UncoveredReason;
use crate::money::Money;
use crate::program::Program;

/// Reasons, the width of a block of reason slots.
const REASONS: usize = UncoveredReason::ALL.len();

/// The slot numbering of one program's keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeySlots {
    layers: usize,
    exclusions: usize,
    sublimits: usize,
    deductibles: usize,
    /// Per layer, its first layer-exclusion slot and its number of exclusions.
    layer_exclusions: Vec<(usize, usize)>,
    count: usize,
}

impl KeySlots {
    /// The numbering of `program`'s keys.
    pub(crate) fn new(program: &Program) -> KeySlots {
        let layers = program.layers.len();
        let mut next = REASONS
            .saturating_mul(layers.saturating_add(1))
            .saturating_add(program.exclusions.len())
            .saturating_add(program.sublimits.len())
            .saturating_add(program.deductibles.len());
        let mut layer_exclusions = Vec::with_capacity(layers);
        for l in &program.layers {
            layer_exclusions.push((next, l.exclusions.len()));
            next = next.saturating_add(l.exclusions.len());
        }
        KeySlots {
            layers,
            exclusions: program.exclusions.len(),
            sublimits: program.sublimits.len(),
            deductibles: program.deductibles.len(),
            layer_exclusions,
            count: next,
        }
    }

    /// Number of slots.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// `key`'s slot, if it has one.
    #[inline]
    pub(crate) fn slot(&self, key: &UncoveredKey) -> Option<usize> {
        let reason = reason_index(key.reason);
        let clauses = REASONS.checked_mul(self.layers.checked_add(1)?)?;
        let within = |i: u32, n: usize| usize::try_from(i).ok().filter(|i| *i < n);
        match (key.clause, key.layer, key.reason) {
            (ClauseRef::None, None, _) => Some(reason),
            (ClauseRef::None, Some(k), _) => {
                let k = within(k, self.layers)?;
                REASONS.checked_mul(k.checked_add(1)?)?.checked_add(reason)
            }
            (ClauseRef::Exclusion(i), None, UncoveredReason::Excluded) => {
                clauses.checked_add(within(i, self.exclusions)?)
            }
            (ClauseRef::Sublimit(i), None, UncoveredReason::Sublimit) => clauses
                .checked_add(self.exclusions)?
                .checked_add(within(i, self.sublimits)?),
            (ClauseRef::Deductible(i), None, UncoveredReason::Deductible) => clauses
                .checked_add(self.exclusions)?
                .checked_add(self.sublimits)?
                .checked_add(within(i, self.deductibles)?),
            (ClauseRef::LayerExclusion(k, j), Some(kk), UncoveredReason::LayerExcluded)
                if k == kk =>
            {
                let (first, n) = *self.layer_exclusions.get(usize::try_from(k).ok()?)?;
                first.checked_add(within(j, n)?)
            }
            _ => None,
        }
    }
}

/// Entries searched one by one below this many; found by slot from there.
const SEARCHED: usize = 8;

/// Where each slotted key's entry is in the current event's [`Outcome::uncovered`], so
/// that an event adding to hundreds of keys (a wide tower's layers) finds each in one step.
#[derive(Clone, Debug, Default)]
pub(crate) struct EventEntries {
    slots: KeySlots,
    /// Per slot: the event it was last met in, and its entry's place then.
    at: Vec<(u64, u32)>,
    /// The current event's number (entries of other events are stale).
    event: u64,
}

impl EventEntries {
    /// Entries of `slots`' keys, none met yet.
    pub(crate) fn new(slots: &KeySlots) -> EventEntries {
        EventEntries {
            slots: slots.clone(),
            at: vec![(0, 0); slots.count()],
            event: 1,
        }
    }

    /// A new event: every entry met so far is stale.
    pub(crate) fn next_event(&mut self) {
        self.event = self.event.wrapping_add(1);
    }

    /// Adds `amount` to `out`'s entry for the key, or appends one (nothing when zero).
    // INVARIANT: every entry of the event is appended here; once there are `SEARCHED`,
    // each slotted one has its place noted, so a slotted key not noted in this event is
    // absent. A place found is checked against the key all the same, and a mismatch falls
    // back to the search.
    #[inline]
    pub(crate) fn add(
        &mut self,
        out: &mut Outcome,
        reason: UncoveredReason,
        clause: ClauseRef,
        layer: Option<u32>,
        amount: Money,
    ) -> Result<(), Fault> {
        if amount.0 == 0 {
            return Ok(());
        }
        let key = UncoveredKey {
            reason,
            clause,
            layer,
        };
        self.add_some(out, key, amount)
    }

    /// [`EventEntries::add`] of an amount that is not zero.
    fn add_some(
        &mut self,
        out: &mut Outcome,
        key: UncoveredKey,
        amount: Money,
    ) -> Result<(), Fault> {
        if out.uncovered.len() < SEARCHED {
            // The common event: a few entries, searched.
            out.add(key, amount)?;
            if out.uncovered.len() == SEARCHED {
                self.note_all(out)?;
            }
            return Ok(());
        }
        let Some(at) = self.slots.slot(&key).and_then(|s| self.at.get_mut(s)) else {
            return out.add(key, amount);
        };
        if at.0 != self.event {
            *at = (
                self.event,
                u32::try_from(out.uncovered.len()).ok().or_broken()?,
            );
            out.uncovered.push((key, amount));
            return Ok(());
        }
        match out.uncovered.get_mut(at.1 as usize) {
            Some((k, m)) if *k == key => {
                *m = m.checked_add(amount).or_overflow()?;
                Ok(())
            }
            _ => out.add(key, amount),
        }
    }

    /// Notes the place of every slotted entry of `out` (when the list grows past search).
    fn note_all(&mut self, out: &Outcome) -> Result<(), Fault> {
        for (i, (key, _)) in out.uncovered.iter().enumerate() {
            if let Some(at) = self.slots.slot(key).and_then(|s| self.at.get_mut(s)) {
                *at = (self.event, u32::try_from(i).ok().or_broken()?);
            }
        }
        Ok(())
    }
}

/// `reason`'s place in [`UncoveredReason::ALL`].
fn reason_index(reason: UncoveredReason) -> usize {
    use UncoveredReason as R;
    match reason {
        R::OutsidePeriod => 0,
        R::CauseNotCovered => 1,
        R::Excluded => 2,
        R::Sublimit => 3,
        R::Deductible => 4,
        R::Coinsurance => 5,
        R::LayerExcluded => 6,
        R::AggregateExhausted => 7,
        R::UnplacedShare => 8,
        R::TowerGap => 9,
        R::AboveTower => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PROGRAM: &str = r#"program "Slots" {
  currency USD
  period 2026-01-01 to 2027-01-01
  sublimit "Hot" 1M per occurrence when tier is hot
  sublimit "Warm" 2M per occurrence when tier is warm
  deductible "Standard" 10k per occurrence
  exclude "Insider" when cause is insider_theft
  layer "Primary" 1M xs 0 { carrier "A" 100% exclude "Vendor" when cause is vendor_breach }
  layer "Excess" 4M xs 1M { carrier "B" 50% exclude "Keys" when cause is key_compromise exclude "Physical" when cause is physical_loss }
}"#;

    /// Every key the steps can produce for the program has a slot of its own, inside
    /// `count`; keys of other shapes have none.
    #[test]
    fn every_key_has_its_own_slot() {
        let program = crate::compile_str(PROGRAM).unwrap().program;
        let slots = KeySlots::new(&program);
        let key = |reason, clause, layer| UncoveredKey {
            reason,
            clause,
            layer,
        };
        let mut keys = Vec::new();
        for reason in UncoveredReason::ALL {
            keys.push(key(reason, ClauseRef::None, None));
            keys.push(key(reason, ClauseRef::None, Some(0)));
            keys.push(key(reason, ClauseRef::None, Some(1)));
        }
        keys.push(key(
            UncoveredReason::Excluded,
            ClauseRef::Exclusion(0),
            None,
        ));
        for i in 0..2 {
            keys.push(key(UncoveredReason::Sublimit, ClauseRef::Sublimit(i), None));
        }
        keys.push(key(
            UncoveredReason::Deductible,
            ClauseRef::Deductible(0),
            None,
        ));
        let lx = UncoveredReason::LayerExcluded;
        keys.push(key(lx, ClauseRef::LayerExclusion(0, 0), Some(0)));
        keys.push(key(lx, ClauseRef::LayerExclusion(1, 0), Some(1)));
        keys.push(key(lx, ClauseRef::LayerExclusion(1, 1), Some(1)));
        // 11 × 3 reason slots, 1 + 2 + 1 clauses, 1 + 2 layer exclusions.
        assert_eq!(slots.count(), 33 + 4 + 3);
        let mut taken: Vec<usize> = keys.iter().map(|k| slots.slot(k).unwrap()).collect();
        taken.sort_unstable();
        taken.dedup();
        assert_eq!(taken, (0..slots.count()).collect::<Vec<_>>());
        for other in [
            key(UncoveredReason::Excluded, ClauseRef::Exclusion(1), None),
            key(UncoveredReason::Sublimit, ClauseRef::Sublimit(2), None),
            key(UncoveredReason::Deductible, ClauseRef::Deductible(1), None),
            key(UncoveredReason::Sublimit, ClauseRef::Deductible(0), None),
            key(UncoveredReason::Excluded, ClauseRef::Exclusion(0), Some(0)),
            key(lx, ClauseRef::LayerExclusion(0, 1), Some(0)),
            key(lx, ClauseRef::LayerExclusion(1, 0), Some(0)),
            key(lx, ClauseRef::LayerExclusion(2, 0), Some(2)),
            key(UncoveredReason::TowerGap, ClauseRef::None, Some(2)),
        ] {
            assert_eq!(slots.slot(&other), None, "{other:?}");
        }
        for (i, reason) in UncoveredReason::ALL.into_iter().enumerate() {
            assert_eq!(reason_index(reason), i);
        }
    }

    /// A key of the test program: slotted ones of every kind, and shapes without a slot.
    fn any_key() -> impl Strategy<Value = UncoveredKey> {
        let reason = proptest::sample::select(UncoveredReason::ALL.to_vec());
        let clause = prop_oneof![
            Just(ClauseRef::None),
            (0u32..3).prop_map(ClauseRef::Exclusion),
            (0u32..3).prop_map(ClauseRef::Sublimit),
            (0u32..2).prop_map(ClauseRef::Deductible),
            (0u32..3, 0u32..3).prop_map(|(k, j)| ClauseRef::LayerExclusion(k, j)),
        ];
        (reason, clause, proptest::option::of(0u32..3)).prop_map(|(reason, clause, layer)| {
            UncoveredKey {
                reason,
                clause,
                layer,
            }
        })
    }

    proptest! {
        /// Event after event (the outcome cleared between them, as the steps do), the
        /// entries found by slot are the entries `Outcome::add` finds by search: same keys,
        /// same order, same sums, below and past `SEARCHED` entries.
        #[test]
        fn entries_by_slot_equal_entries_by_search(
            events in proptest::collection::vec(
                proptest::collection::vec((any_key(), -3i64..1_000), 0..40),
                1..6,
            ),
        ) {
            let program = crate::compile_str(PROGRAM).unwrap().program;
            let mut entries = EventEntries::new(&KeySlots::new(&program));
            let (mut fast, mut slow) = (Outcome::default(), Outcome::default());
            for adds in &events {
                fast.uncovered.clear();
                slow.uncovered.clear();
                entries.next_event();
                for (k, m) in adds {
                    entries.add(&mut fast, k.reason, k.clause, k.layer, Money(*m)).unwrap();
                    slow.add(*k, Money(*m)).unwrap();
                }
                prop_assert_eq!(&fast.uncovered, &slow.uncovered);
            }
        }
    }
}
