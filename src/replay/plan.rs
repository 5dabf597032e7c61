//! The program compiled for the engine: conditions over interned symbols, each clause's
//! condition marked event-level or line-level, layers with integer carrier weights.

use super::atoms::{Atoms, FastCond};
use super::cond::ECond;
use crate::money::{share_weights, Fraction};
use crate::program::{Condition, Layer};
use crate::scenario::{Event, Line, Symbols};

/// A clause's condition (`when …`), or none.
#[derive(Clone, Debug)]
pub(crate) struct ClauseCond {
    cond: Option<ECond>,
    /// The condition over the program's atom bits, when the program has at most 64.
    fast: Option<FastCond>,
}

impl ClauseCond {
    pub(crate) fn new(c: Option<&Condition>, symbols: &mut Symbols) -> ClauseCond {
        ClauseCond {
            cond: c.map(|c| ECond::new(c, symbols)),
            fast: None,
        }
    }

    /// The condition tree, if any.
    pub(crate) fn tree(&self) -> Option<&ECond> {
        self.cond.as_ref()
    }

    /// Compiles the condition over `atoms` (built from every condition of the program).
    pub(crate) fn attach(&mut self, atoms: &Atoms) {
        self.fast = self.cond.as_ref().and_then(|c| atoms.compile(c));
    }

    /// Whether the answer is a function of the atom mask alone (no condition, or one
    /// compiled over the atoms).
    pub(crate) fn reads_mask_only(&self) -> bool {
        self.cond.is_none() || self.fast.is_some()
    }

    /// Whether the condition holds for `ev` (and `line`), whose atoms are `mask`.
    #[inline]
    fn holds(&self, ev: &Event<'_>, line: Option<&Line<'_>>, mask: u64) -> bool {
        match (&self.cond, &self.fast) {
            (None, _) => true,
            (Some(_), Some(fast)) => fast.holds(mask),
            (Some(c), None) => c.eval(ev, line),
        }
    }

    /// The answer for one line (whose atoms are `line_mask`).
    #[inline]
    pub(crate) fn for_line(&self, ev: &Event<'_>, line: &Line<'_>, line_mask: u64) -> bool {
        self.holds(ev, Some(line), line_mask)
    }

    /// The answer with no line: a line field never holds (layer exclusions, which
    /// type-checking keeps event-level).
    #[inline]
    pub(crate) fn for_event_only(&self, ev: &Event<'_>, event_mask: u64) -> bool {
        self.holds(ev, None, event_mask)
    }
}

/// A layer as the engine settles it.
#[derive(Clone, Debug)]
pub(crate) struct LayerPlan {
    pub(crate) attachment: i64,
    pub(crate) limit: i64,
    /// Layer exclusions (event-level by type-checking).
    pub(crate) exclusions: Vec<ClauseCond>,
    /// Carrier weights, then the unplaced weight last (0 when fully placed).
    pub(crate) weights: Vec<i128>,
    /// Global index of each carrier in the totals' carrier list.
    pub(crate) carrier_index: Vec<usize>,
    pub(crate) premium: Option<i64>,
    /// (count, rate) groups of reinstatements.
    pub(crate) reinstatements: Vec<(u64, Fraction)>,
    pub(crate) reinstated_total: u64,
    /// `pro rata as to time` (spec section 11.3).
    pub(crate) pro_rata: bool,
}

impl LayerPlan {
    /// The plan of `l`; `carrier_names` gathers the program's carriers in tower order.
    pub(crate) fn new(
        l: &Layer,
        symbols: &mut Symbols,
        carrier_names: &mut Vec<String>,
    ) -> LayerPlan {
        let shares: Vec<Fraction> = l.carriers.iter().map(|c| c.share).collect();
        let carrier_index = l
            .carriers
            .iter()
            .map(|c| match carrier_names.iter().position(|n| *n == c.name) {
                Some(i) => i,
                None => {
                    carrier_names.push(c.name.clone());
                    carrier_names.len().saturating_sub(1)
                }
            })
            .collect();
        LayerPlan {
            attachment: l.attachment.0,
            limit: l.limit.0,
            exclusions: l
                .exclusions
                .iter()
                .map(|e| ClauseCond::new(Some(&e.condition), symbols))
                .collect(),
            // INVARIANT: compiled shares are fractions of at most 24 decimals summing to at
            // most 1, so the weights fit; fall back to "all unplaced" rather than panic.
            weights: share_weights(&shares).unwrap_or_else(|| {
                let mut w = vec![0; shares.len()];
                w.push(1);
                w
            }),
            carrier_index,
            premium: l.premium.map(|p| p.0),
            reinstated_total: l.reinstatement_count(),
            reinstatements: l
                .reinstatements
                .iter()
                .map(|r| (u64::from(r.count), r.rate))
                .collect(),
            pro_rata: l.pro_rata_as_to_time,
        }
    }

    /// Number of carriers.
    pub(crate) fn carriers(&self) -> usize {
        self.weights.len().saturating_sub(1)
    }
}
