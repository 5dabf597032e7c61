//! Each loss line's answers to the clause conditions of steps 3-5 (which program
//! exclusion takes it, which sub-limits and deductibles it matches), worked out once per
//! line before the steps run.
//!
//! When every clause condition is a truth table over the program's atom bits (at most
//! 64 atoms), a line's answers depend on its atom mask alone, and a program's lines
//! take few distinct masks: the answers are then kept in a small direct-mapped cache
//! keyed by mask, so a line usually costs one lookup instead of one test per clause.

use super::atoms::Atoms;
use super::plan::ClauseCond;
use crate::scenario::{Event, Line};

/// Slots of the cache (a power of two).
const SLOTS: usize = 256;

/// One line's answers when the program has at most 64 sub-limits and 64 deductibles.
#[derive(Clone, Copy, Debug, Default)]
struct Answer {
    /// The first program exclusion whose condition holds, or [`NONE`].
    exclusion: u32,
    /// Bit `i`: sub-limit `i`'s condition holds.
    sublimits: u64,
    /// Bit `i`: deductible `i`'s condition holds.
    deductibles: u64,
}

/// No exclusion holds.
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    mask: u64,
    filled: bool,
    answer: Answer,
}

/// The answers of the current event's lines, and the cache they come from.
#[derive(Clone, Debug)]
pub(crate) struct Answers {
    /// With a cache: each line's answer, in one place.
    lines: Vec<Answer>,
    /// Without a cache, per line: the first exclusion holding, or [`NONE`].
    exclusion: Vec<u32>,
    /// Without a cache, per line, `sub_words` words of sub-limit bits.
    sublimits: Vec<u64>,
    /// Without a cache, per line, `ded_words` words of deductible bits.
    deductibles: Vec<u64>,
    sub_words: usize,
    ded_words: usize,
    /// Answers by line mask; `None` when some answer is not a function of the mask.
    // INVARIANT: with a cache, `sub_words` and `ded_words` are at most 1.
    cache: Option<Box<[Slot; SLOTS]>>,
    /// With a cache: the sub-limit and deductible bits of any line (their union).
    any: Answer,
}

/// The clause conditions of steps 3-5, in written order.
pub(crate) struct Clauses<'c> {
    pub(crate) exclusions: &'c [ClauseCond],
    pub(crate) sublimits: &'c [ClauseCond],
    pub(crate) deductibles: &'c [ClauseCond],
}

impl Clauses<'_> {
    /// The first exclusion whose condition holds for `line`, or [`NONE`].
    fn first_exclusion(&self, ev: &Event<'_>, line: &Line<'_>, mask: u64) -> u32 {
        self.exclusions
            .iter()
            .position(|x| x.for_line(ev, line, mask))
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(NONE)
    }

    /// One line's answers, each condition tested, when there are at most 64 sub-limits
    /// and 64 deductibles.
    fn answer(&self, ev: &Event<'_>, line: &Line<'_>, mask: u64) -> Answer {
        let mut a = Answer {
            exclusion: self.first_exclusion(ev, line, mask),
            ..Answer::default()
        };
        set_bits(
            std::slice::from_mut(&mut a.sublimits),
            self.sublimits,
            |c| c.for_line(ev, line, mask),
        );
        set_bits(
            std::slice::from_mut(&mut a.deductibles),
            self.deductibles,
            |c| c.for_line(ev, line, mask),
        );
        a
    }
}

/// Sets bit `i % 64` of word `i / 64` of `words` when `holds(clauses[i])`, clearing the
/// others.
fn set_bits(words: &mut [u64], clauses: &[ClauseCond], holds: impl Fn(&ClauseCond) -> bool) {
    words.fill(0);
    for (word, chunk) in words.iter_mut().zip(clauses.chunks(64)) {
        for (bit, c) in (0u32..).zip(chunk) {
            *word |= u64::from(holds(c)) << bit;
        }
    }
}

/// Bit `i` of `bits` (false past 63).
#[inline]
fn has_bit(bits: u64, i: usize) -> bool {
    i < 64 && (bits >> i) & 1 == 1
}

/// Words of 64 bits for `n` clauses.
fn words(n: usize) -> usize {
    n.div_ceil(64)
}

/// Bit `i` of the `per_line` words of line `li`.
#[inline]
fn bit(words: &[u64], per_line: usize, li: usize, i: usize) -> bool {
    let w = li.saturating_mul(per_line).saturating_add(i >> 6);
    words.get(w).is_some_and(|w| (w >> (i & 63)) & 1 == 1)
}

/// The cached answer for `mask`, worked out by `answer` on a miss.
#[inline]
fn cached(cache: &mut [Slot; SLOTS], mask: u64, answer: impl FnOnce() -> Answer) -> Answer {
    // Fibonacci hashing: the top 8 bits of mask × 2^64/φ pick one of 256 slots.
    let i = (mask.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
    match cache.get_mut(i) {
        Some(slot) if slot.filled && slot.mask == mask => slot.answer,
        Some(slot) => {
            *slot = Slot {
                mask,
                filled: true,
                answer: answer(),
            };
            slot.answer
        }
        None => answer(),
    }
}

impl Answers {
    /// Answers for `clauses`; cached by mask when `atoms` exist and every condition is
    /// compiled over them.
    pub(crate) fn new(clauses: &Clauses<'_>, atoms: Option<&Atoms>) -> Answers {
        let (sub_words, ded_words) = (
            words(clauses.sublimits.len()),
            words(clauses.deductibles.len()),
        );
        let by_mask = atoms.is_some()
            && sub_words <= 1
            && ded_words <= 1
            && clauses
                .exclusions
                .iter()
                .chain(clauses.sublimits)
                .chain(clauses.deductibles)
                .all(ClauseCond::reads_mask_only);
        Answers {
            lines: Vec::new(),
            exclusion: Vec::new(),
            sublimits: Vec::new(),
            deductibles: Vec::new(),
            sub_words,
            ded_words,
            cache: by_mask.then(|| Box::new([Slot::default(); SLOTS])),
            any: Answer::default(),
        }
    }

    /// Works out the answers of every line of `ev`, whose event-level atom bits are
    /// `event_mask` (`atoms` is `None` when conditions run as trees).
    pub(crate) fn fill(
        &mut self,
        clauses: &Clauses<'_>,
        ev: &Event<'_>,
        atoms: Option<&Atoms>,
        event_mask: u64,
    ) {
        if let (Some(cache), Some(atoms)) = (&mut self.cache, atoms) {
            self.any = Answer::default();
            self.lines.clear();
            for line in ev.lines.iter() {
                let mask = atoms.line_mask(ev, line, event_mask);
                let a = cached(cache, mask, || clauses.answer(ev, line, mask));
                self.any.sublimits |= a.sublimits;
                self.any.deductibles |= a.deductibles;
                self.lines.push(a);
            }
            return;
        }
        let (sw, dw) = (self.sub_words, self.ded_words);
        self.exclusion.clear();
        self.sublimits.clear();
        self.deductibles.clear();
        let n = ev.lines.len();
        self.exclusion.resize(n, NONE);
        self.sublimits.resize(n.saturating_mul(sw), 0);
        self.deductibles.resize(n.saturating_mul(dw), 0);
        for (li, line) in ev.lines.iter().enumerate() {
            let mask = atoms.map_or(0, |a| a.line_mask(ev, line, event_mask));
            if let Some(e) = self.exclusion.get_mut(li) {
                *e = clauses.first_exclusion(ev, line, mask);
            }
            let (s0, d0) = (li.saturating_mul(sw), li.saturating_mul(dw));
            if let Some(s) = self.sublimits.get_mut(s0..s0.saturating_add(sw)) {
                set_bits(s, clauses.sublimits, |c| c.for_line(ev, line, mask));
            }
            if let Some(d) = self.deductibles.get_mut(d0..d0.saturating_add(dw)) {
                set_bits(d, clauses.deductibles, |c| c.for_line(ev, line, mask));
            }
        }
    }

    /// The first program exclusion whose condition holds for line `li`.
    #[inline]
    pub(crate) fn exclusion(&self, li: usize) -> Option<usize> {
        let x = if self.cache.is_some() {
            self.lines.get(li)?.exclusion
        } else {
            *self.exclusion.get(li)?
        };
        if x == NONE {
            return None;
        }
        usize::try_from(x).ok()
    }

    /// Whether sub-limit `si`'s condition may hold for some line: `false` only when it
    /// holds for none.
    #[inline]
    pub(crate) fn sublimit_somewhere(&self, si: usize) -> bool {
        self.cache.is_none() || has_bit(self.any.sublimits, si)
    }

    /// Whether deductible `di`'s condition may hold for some line: `false` only when it
    /// holds for none.
    #[inline]
    pub(crate) fn deductible_somewhere(&self, di: usize) -> bool {
        self.cache.is_none() || has_bit(self.any.deductibles, di)
    }

    /// Whether sub-limit `si`'s condition holds for line `li`.
    #[inline]
    pub(crate) fn sublimit(&self, li: usize, si: usize) -> bool {
        if self.cache.is_some() {
            return self.lines.get(li).is_some_and(|a| has_bit(a.sublimits, si));
        }
        bit(&self.sublimits, self.sub_words, li, si)
    }

    /// Whether deductible `di`'s condition holds for line `li`.
    #[inline]
    pub(crate) fn deductible(&self, li: usize, di: usize) -> bool {
        if self.cache.is_some() {
            return self
                .lines
                .get(li)
                .is_some_and(|a| has_bit(a.deductibles, di));
        }
        bit(&self.deductibles, self.ded_words, li, di)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Condition;
    use crate::replay::atoms::tests::{condition, event};
    use crate::scenario::Symbols;
    use proptest::prelude::*;

    fn conds(cs: &[Option<Condition>], symbols: &mut Symbols) -> Vec<ClauseCond> {
        cs.iter()
            .map(|c| ClauseCond::new(c.as_ref(), symbols))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Answers taken from the cache by mask are the answers of the condition trees,
        /// event after event (hits, misses and replaced slots alike).
        #[test]
        fn cached_answers_equal_the_trees(
            exclusions in proptest::collection::vec(proptest::option::of(condition()), 0..4),
            sublimits in proptest::collection::vec(proptest::option::of(condition()), 0..5),
            deductibles in proptest::collection::vec(proptest::option::of(condition()), 0..4),
            events in proptest::collection::vec(
                (0usize..3, 0i64..4, 0u64..4, any::<bool>(),
                 proptest::collection::vec((0usize..3, 0i64..6), 1..4)),
                1..12,
            ),
        ) {
            let mut symbols = Symbols::default();
            let (mut fx, mut fs, mut fd) = (
                conds(&exclusions, &mut symbols),
                conds(&sublimits, &mut symbols),
                conds(&deductibles, &mut symbols),
            );
            let (tx, ts, td) = (fx.clone(), fs.clone(), fd.clone());
            let trees = fx.iter().chain(&fs).chain(&fd).filter_map(ClauseCond::tree);
            let atoms = Atoms::new(trees, &symbols).unwrap();
            fx.iter_mut().chain(&mut fs).chain(&mut fd).for_each(|c| c.attach(&atoms));
            let fast = Clauses { exclusions: &fx, sublimits: &fs, deductibles: &fd };
            let slow = Clauses { exclusions: &tx, sublimits: &ts, deductibles: &td };
            let mut cached = Answers::new(&fast, Some(&atoms));
            prop_assert!(cached.cache.is_some());
            let mut direct = Answers::new(&slow, None);
            prop_assert!(direct.cache.is_none());
            for (cause, occurred, staff, flag, lines) in &events {
                let ev = event(&mut symbols, *cause, *occurred, *staff, *flag, lines);
                let emask = atoms.event_mask(&ev);
                cached.fill(&fast, &ev, Some(&atoms), emask);
                direct.fill(&slow, &ev, None, 0);
                for li in 0..ev.lines.len() {
                    prop_assert_eq!(cached.exclusion(li), direct.exclusion(li));
                    for si in 0..sublimits.len() {
                        prop_assert_eq!(cached.sublimit(li, si), direct.sublimit(li, si));
                    }
                    for di in 0..deductibles.len() {
                        prop_assert_eq!(cached.deductible(li, di), direct.deductible(li, di));
                    }
                }
            }
        }
    }
}
