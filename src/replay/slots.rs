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
    /// The first slot of program exclusions, sub-limits and deductibles.
    exclusion_base: usize,
    sublimit_base: usize,
    deductible_base: usize,
    /// Per layer, its first layer-exclusion slot and its number of exclusions.
    layer_exclusions: Vec<(usize, usize)>,
    count: usize,
}

impl KeySlots {
    /// The numbering of `program`'s keys.
    pub(crate) fn new(program: &Program) -> KeySlots {
        let layers = program.layers.len();
        let exclusion_base = REASONS.saturating_mul(layers.saturating_add(1));
        let sublimit_base = exclusion_base.saturating_add(program.exclusions.len());
        let deductible_base = sublimit_base.saturating_add(program.sublimits.len());
        let mut next = deductible_base.saturating_add(program.deductibles.len());
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
            exclusion_base,
            sublimit_base,
            deductible_base,
            layer_exclusions,
            count: next,
        }
    }

    /// Number of slots.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// `key`'s slot, if it has one. Inlined where a step makes a key, the match folds to
    /// the one arm of the key's shape.
    #[inline]
    pub(crate) fn slot(&self, key: &UncoveredKey) -> Option<usize> {
        let reason = reason_index(key.reason);
        let within = |i: u32, n: usize| usize::try_from(i).ok().filter(|i| *i < n);
        match (key.clause, key.layer, key.reason) {
            (ClauseRef::None, None, _) => Some(reason),
            (ClauseRef::None, Some(k), _) => {
                let k = within(k, self.layers)?;
                REASONS.checked_mul(k.checked_add(1)?)?.checked_add(reason)
            }
            (ClauseRef::Exclusion(i), None, UncoveredReason::Excluded) => {
                self.exclusion_base.checked_add(within(i, self.exclusions)?)
            }
            (ClauseRef::Sublimit(i), None, UncoveredReason::Sublimit) => {
                self.sublimit_base.checked_add(within(i, self.sublimits)?)
            }
            (ClauseRef::Deductible(i), None, UncoveredReason::Deductible) => self
                .deductible_base
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

/// An entry whose key has no slot.
const NO_SLOT: u32 = u32::MAX;

/// Where each slotted key's entry is in the current event's [`Outcome::uncovered`], so
/// that adding to a key finds its entry in one step, and each entry's slot, so that the
/// totals find theirs in one step too (`Replayer::accumulate`).
#[derive(Clone, Debug, Default)]
pub(crate) struct EventEntries {
    slots: KeySlots,
    /// Per slot: the event it was last met in, and its entry's place then.
    at: Vec<(u64, u32)>,
    /// The current event's number (entries of other events are stale).
    event: u64,
    /// Per entry of the current event's outcome, its key's slot or [`NO_SLOT`].
    // INVARIANT: the steps add to `Outcome::uncovered` through `add` alone, so this list
    // and the outcome's entries grow in lockstep within one event.
    of_entry: Vec<u32>,
}

impl EventEntries {
    /// Entries of `slots`' keys, none met yet.
    pub(crate) fn new(slots: &KeySlots) -> EventEntries {
        EventEntries {
            slots: slots.clone(),
            at: vec![(0, 0); slots.count()],
            event: 1,
            of_entry: Vec::new(),
        }
    }

    /// A new event: every entry met so far is stale.
    pub(crate) fn next_event(&mut self) {
        self.event = self.event.wrapping_add(1);
        self.of_entry.clear();
    }

    /// Adds `amount` to `out`'s entry for the key, or appends one (nothing when zero).
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
        let slot = self.slots.slot(&key);
        self.add_at(out, key, slot, amount)
    }

    /// [`EventEntries::add`] of an amount that is not zero, to the key in `slot`.
    // INVARIANT: a slot met in this event holds its entry's place; the place is checked
    // against the key all the same, and a mismatch falls back to the search.
    fn add_at(
        &mut self,
        out: &mut Outcome,
        key: UncoveredKey,
        slot: Option<usize>,
        amount: Money,
    ) -> Result<(), Fault> {
        let Some(at) = slot.and_then(|s| self.at.get_mut(s)) else {
            return self.add_searched(out, key, amount);
        };
        if at.0 != self.event {
            let place = out.uncovered.len();
            *at = (self.event, u32::try_from(place).ok().or_broken()?);
            out.uncovered.push((key, amount));
            let slot = slot.and_then(|s| u32::try_from(s).ok()).unwrap_or(NO_SLOT);
            self.of_entry.push(slot);
            return Ok(());
        }
        match out.uncovered.get_mut(at.1 as usize) {
            Some((k, m)) if *k == key => {
                *m = m.checked_add(amount).or_overflow()?;
                Ok(())
            }
            _ => self.add_searched(out, key, amount),
        }
    }

    /// Adds by searching the entries, noting a new entry as without a slot.
    fn add_searched(
        &mut self,
        out: &mut Outcome,
        key: UncoveredKey,
        amount: Money,
    ) -> Result<(), Fault> {
        let before = out.uncovered.len();
        out.add(key, amount)?;
        if out.uncovered.len() > before {
            self.of_entry.push(NO_SLOT);
        }
        Ok(())
    }

    /// The slot of entry `i` of `out`'s uncovered amounts, when these are the entries
    /// this event added; `None` for a key without a slot.
    #[inline]
    pub(crate) fn slot_of_entry(&self, out: &Outcome, i: usize) -> Option<usize> {
        if self.of_entry.len() == out.uncovered.len() {
            let s = *self.of_entry.get(i)?;
            return (s != NO_SLOT).then_some(s as usize);
        }
        self.slots.slot(&out.uncovered.get(i)?.0)
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
        /// same order, same sums; and each entry's slot is its key's.
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
                prop_assert_eq!(entries.of_entry.len(), fast.uncovered.len());
                for (i, (k, _)) in fast.uncovered.iter().enumerate() {
                    let slots = KeySlots::new(&program);
                    prop_assert_eq!(entries.slot_of_entry(&fast, i), slots.slot(k));
                }
            }
        }
    }
}
