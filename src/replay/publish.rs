//! The public results of a replay: each event's outcome and the totals, in decimal amounts
//! with the names of clauses, layers, carriers and entities.

use super::engine::{Reinsurers, Replayer};
use super::outcome::{ClauseRef, Outcome, RecoveredOutcome, UncoveredKey};
use super::result::{
    CarrierPaid, CarrierRecovered, EventResult, LayerResult, LayerTotal, Recovered, Totals,
    Uncovered,
};
use super::Occurrence;
use crate::money::Money;

impl Replayer<'_> {
    pub(super) fn clause_name(&self, c: ClauseRef) -> Option<String> {
        let p = self.plan.program;
        let idx = |i: u32| usize::try_from(i).ok();
        match c {
            ClauseRef::None => None,
            ClauseRef::Exclusion(i) => p.exclusions.get(idx(i)?).map(|x| x.name.clone()),
            ClauseRef::Sublimit(i) => p.sublimits.get(idx(i)?).map(|x| x.name.clone()),
            ClauseRef::Deductible(i) => p.deductibles.get(idx(i)?).map(|x| x.name.clone()),
            ClauseRef::LayerExclusion(k, j) => p
                .layers
                .get(idx(k)?)
                .and_then(|l| l.exclusions.get(idx(j)?))
                .map(|x| x.name.clone()),
        }
    }

    fn uncovered_list(&self, list: &[(UncoveredKey, Money)]) -> Vec<Uncovered> {
        let cur = &self.plan.program.currency;
        list.iter()
            .map(|(k, m)| Uncovered {
                reason: k.reason,
                clause: self.clause_name(k.clause),
                layer: k
                    .layer
                    .and_then(|l| usize::try_from(l).ok())
                    .and_then(|l| self.plan.program.layers.get(l))
                    .map(|l| l.name.clone()),
                amount: cur.decimal(*m),
            })
            .collect()
    }

    /// The public result of an occurrence's outcome: [`Replayer::event_result`] with its
    /// member ids.
    pub fn occurrence_result(&self, occ: &Occurrence<'_>, out: &Outcome) -> EventResult {
        let mut r = self.event_result(occ.event.id, out);
        r.events = occ.members.iter().map(|m| (*m).to_string()).collect();
        r
    }

    /// The public result of one event's outcome.
    pub fn event_result(&self, id: &str, out: &Outcome) -> EventResult {
        let cur = &self.plan.program.currency;
        EventResult {
            id: id.to_string(),
            events: Vec::new(),
            ground_up: cur.decimal(out.ground_up),
            paid: cur.decimal(out.paid),
            uncovered: self.uncovered_list(&out.uncovered),
            layers: self
                .plan
                .program
                .layers
                .iter()
                .zip(&out.layers)
                .map(|(l, lo)| LayerResult {
                    layer: l.name.clone(),
                    band: cur.decimal(lo.band),
                    paid: cur.decimal(lo.paid),
                    unplaced: cur.decimal(lo.unplaced),
                    carriers: l
                        .carriers
                        .iter()
                        .zip(&lo.carriers)
                        .map(|(c, p)| CarrierPaid {
                            carrier: c.name.clone(),
                            paid: cur.decimal(*p),
                        })
                        .collect(),
                })
                .collect(),
            recovered: out.recovered.as_ref().map(|r| self.recovered(r, false)),
            entities: match &self.state.reinsurance {
                Reinsurers::Some { eval, .. } => eval.results(self.plan.program, &out.entities),
                _ => Vec::new(),
            },
        }
    }

    /// The public form of recoveries; `with_net` (totals) adds each carrier's net.
    fn recovered(&self, r: &RecoveredOutcome, with_net: bool) -> Recovered {
        let cur = &self.plan.program.currency;
        Recovered {
            total: cur.decimal(r.total),
            insured: cur.decimal(r.insured),
            carriers: self
                .plan
                .carrier_names
                .iter()
                .zip(&r.carriers)
                .zip(&self.state.totals.carriers)
                .map(|((name, amount), paid)| CarrierRecovered {
                    carrier: name.clone(),
                    amount: cur.decimal(*amount),
                    net: with_net.then(|| cur.decimal(Money(paid.0.saturating_sub(amount.0)))),
                })
                .collect(),
        }
    }

    /// Totals so far.
    pub fn totals(&self) -> Totals {
        let cur = &self.plan.program.currency;
        Totals {
            ground_up: cur.decimal(self.state.totals.ground_up),
            paid: cur.decimal(self.state.totals.paid),
            uncovered: self.uncovered_list(&self.state.totals.uncovered),
            carriers: self
                .plan
                .carrier_names
                .iter()
                .zip(&self.state.totals.carriers)
                .map(|(n, p)| CarrierPaid {
                    carrier: n.clone(),
                    paid: cur.decimal(*p),
                })
                .collect(),
            layers: self
                .plan
                .program
                .layers
                .iter()
                .enumerate()
                .map(|(k, l)| LayerTotal {
                    layer: l.name.clone(),
                    paid: cur.decimal(
                        self.state
                            .totals
                            .layers_paid
                            .get(k)
                            .copied()
                            .unwrap_or_default(),
                    ),
                    unplaced: cur.decimal(
                        self.state
                            .totals
                            .layers_unplaced
                            .get(k)
                            .copied()
                            .unwrap_or_default(),
                    ),
                    aggregate_remaining: self
                        .state
                        .layer_left
                        .get(k)
                        .copied()
                        .flatten()
                        .map(|m| cur.decimal(m)),
                    reinstatement_premium: cur
                        .decimal(self.state.layer_premium.get(k).copied().unwrap_or_default()),
                })
                .collect(),
            recovered: self
                .state
                .totals
                .recovered
                .as_ref()
                .map(|r| self.recovered(r, true)),
            entities: match &self.state.reinsurance {
                Reinsurers::Some { eval, .. } => eval.results(self.plan.program, eval.totals()),
                _ => Vec::new(),
            },
        }
    }
}
