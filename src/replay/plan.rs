//! The program compiled for the engine: conditions over interned symbols, each clause's
//! condition marked event-level or line-level, layers with integer carrier weights.

use super::cond::ECond;
use crate::money::{share_weights, Fraction};
use crate::program::{Condition, Layer};
use crate::scenario::{Event, Line, Symbols};

/// A clause's condition (`when …`), or none.
#[derive(Clone, Debug)]
pub(crate) struct ClauseCond {
    cond: Option<ECond>,
    /// The condition reads no line field: one answer for the whole event.
    event_level: bool,
}

impl ClauseCond {
    pub(crate) fn new(c: Option<&Condition>, symbols: &mut Symbols) -> ClauseCond {
        let cond = c.map(|c| ECond::new(c, symbols));
        let event_level = cond.as_ref().is_none_or(ECond::event_level);
        ClauseCond { cond, event_level }
    }

    /// The answer for every line of `ev`, when the condition reads no line field.
    #[inline]
    pub(crate) fn for_event(&self, ev: &Event<'_>) -> Option<bool> {
        if !self.event_level {
            return None;
        }
        Some(self.cond.as_ref().is_none_or(|c| c.eval(ev, None)))
    }

    /// The answer for one line.
    #[inline]
    pub(crate) fn for_line(&self, ev: &Event<'_>, line: &Line<'_>) -> bool {
        self.cond.as_ref().is_none_or(|c| c.eval(ev, Some(line)))
    }
}

/// A layer as the engine settles it.
#[derive(Clone, Debug)]
pub(crate) struct LayerPlan {
    pub(crate) attachment: i64,
    pub(crate) limit: i64,
    /// Layer exclusions (event-level by type-checking).
    pub(crate) exclusions: Vec<ECond>,
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
                .map(|e| ECond::new(&e.condition, symbols))
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
