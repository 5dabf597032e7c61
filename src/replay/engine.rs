//! The [`Replayer`]: the state one replay carries from event to event (aggregates,
//! reinstatement premium, totals), the event loop around the steps of section 6
//! (`steps.rs`), and the public results.

use super::answers::{Answers, Clauses};
use super::atoms::Atoms;
use super::plan::{ClauseCond, LayerPlan};
use super::trace::{NoTrace, Tracer};
use super::{
    warn, CarrierPaid, CarrierRecovered, ClauseRef, EventResult, LayerResult, LayerTotal,
    Occurrence, Outcome, Recovered, RecoveredOutcome, ReplayError, ReplayWarning, Totals,
    TraceStep, Uncovered, UncoveredKey,
};
use crate::ast::Basis;
use crate::money::Money;
use crate::program::Program;
use crate::reinsurance::Reinsurance;
use crate::scenario::{Event, Preparer, Prices, ScenarioError, Symbols};

/// State carried between events of one replay; takes events one at a time.
pub struct Replayer<'p> {
    pub(super) program: &'p Program,
    symbols: Symbols,
    pub(super) covers: Option<Vec<u32>>,
    pub(super) exclusions: Vec<ClauseCond>,
    pub(super) sublimits: Vec<ClauseCond>,
    pub(super) deductibles: Vec<ClauseCond>,
    pub(super) layers: Vec<LayerPlan>,
    pub(super) carrier_names: Vec<String>,
    pub(super) sublimit_left: Vec<Option<Money>>,
    pub(super) deductible_left: Vec<Option<Money>>,
    pub(super) layer_left: Vec<Option<Money>>,
    pub(super) layer_cumulative: Vec<i64>,
    pub(super) layer_premium: Vec<Money>,
    totals: TotalsAcc,
    /// Each line's covered value as the steps take from it.
    pub(super) covered: Vec<i64>,
    pub(super) weights: Vec<i128>,
    pub(super) matching: Vec<usize>,
    pub(super) parts: Vec<i64>,
    pub(super) scratch: Vec<(i128, usize)>,
    /// The atoms of every clause condition; `None` past 64 (conditions run as trees).
    pub(super) atoms: Option<Atoms>,
    /// This event's event-level atom bits.
    pub(super) event_mask: u64,
    /// Each line's answers to the clause conditions of steps 3-5.
    pub(super) answers: Answers,
    reinsurance: Reinsurers,
    exposures: warn::ExposureWatch,
    names: warn::NameWatch,
    /// A cause, tier or asset the program never names is an error, not a warning.
    strict: bool,
}

/// The treaties of a program, if it has any.
enum Reinsurers {
    /// No treaties.
    None,
    /// Treaties, with the entity index of each carrier of the totals' list.
    Some {
        eval: Box<Reinsurance>,
        carrier_entity: Vec<usize>,
        direct: Vec<Money>,
    },
    /// The treaty graph has a cycle: only possible for a program built by hand.
    Invalid,
}

#[derive(Default)]
struct TotalsAcc {
    ground_up: Money,
    paid: Money,
    uncovered: Vec<(UncoveredKey, Money)>,
    carriers: Vec<Money>,
    layers_paid: Vec<Money>,
    layers_unplaced: Vec<Money>,
    /// Summed recoveries; `None` until an event has some.
    recovered: Option<RecoveredOutcome>,
}

/// The atoms of every clause condition, each clause compiled over them; `None` (clauses
/// left as trees) past 64 atoms.
fn compile_atoms(mut clauses: Vec<&mut ClauseCond>, symbols: &Symbols) -> Option<Atoms> {
    let atoms = Atoms::new(clauses.iter().filter_map(|c| c.tree()), symbols)?;
    clauses.iter_mut().for_each(|c| c.attach(&atoms));
    Some(atoms)
}

fn overflow(ev: &Event<'_>, what: &'static str) -> ReplayError {
    ReplayError::Overflow {
        event: ev.id.to_string(),
        what,
    }
}

impl<'p> Replayer<'p> {
    /// A replayer at the start of the policy period: every aggregate full.
    pub fn new(program: &'p Program) -> Replayer<'p> {
        let mut symbols = Symbols::default();
        let mut exclusions: Vec<ClauseCond> = program
            .exclusions
            .iter()
            .map(|e| ClauseCond::new(Some(&e.condition), &mut symbols))
            .collect();
        let mut sublimits: Vec<ClauseCond> = program
            .sublimits
            .iter()
            .map(|s| ClauseCond::new(s.condition.as_ref(), &mut symbols))
            .collect();
        let mut deductibles: Vec<ClauseCond> = program
            .deductibles
            .iter()
            .map(|d| ClauseCond::new(d.condition.as_ref(), &mut symbols))
            .collect();
        let covers = program
            .covers
            .as_ref()
            .map(|cs| cs.iter().map(|c| symbols.intern(c)).collect());
        let exposures = warn::ExposureWatch::new(program, |t| symbols.intern(t));
        let mut carrier_names: Vec<String> = Vec::new();
        let mut layers: Vec<LayerPlan> = program
            .layers
            .iter()
            .map(|l| LayerPlan::new(l, &mut symbols, &mut carrier_names))
            .collect();
        let atoms = compile_atoms(
            exclusions
                .iter_mut()
                .chain(&mut sublimits)
                .chain(&mut deductibles)
                .chain(layers.iter_mut().flat_map(|l| &mut l.exclusions))
                .collect(),
            &symbols,
        );
        let answers = Answers::new(
            &Clauses {
                exclusions: &exclusions,
                sublimits: &sublimits,
                deductibles: &deductibles,
            },
            atoms.as_ref(),
        );
        let reinsurance = if program.treaties.is_empty() {
            Reinsurers::None
        } else {
            match Reinsurance::new(program) {
                Ok(eval) => Reinsurers::Some {
                    carrier_entity: carrier_names
                        .iter()
                        .map(|n| eval.entity_index(n).unwrap_or(usize::MAX))
                        .collect(),
                    direct: vec![Money::ZERO; eval.graph().entities.len()],
                    eval: Box::new(eval),
                },
                Err(_) => Reinsurers::Invalid,
            }
        };
        // Interned last: the standard names take ids after every name the clauses use.
        let names = warn::NameWatch::new(program, |s| symbols.intern(s));
        Replayer {
            exposures,
            names,
            strict: false,
            reinsurance,
            program,
            symbols,
            covers,
            exclusions,
            sublimits,
            deductibles,
            layers,
            sublimit_left: program.sublimits.iter().map(|s| s.aggregate).collect(),
            deductible_left: program.deductibles.iter().map(|d| d.aggregate).collect(),
            layer_left: program
                .layers
                .iter()
                .map(|l| l.effective_aggregate())
                .collect(),
            layer_cumulative: vec![0; program.layers.len()],
            layer_premium: vec![Money::ZERO; program.layers.len()],
            totals: TotalsAcc {
                carriers: vec![Money::ZERO; carrier_names.len()],
                layers_paid: vec![Money::ZERO; program.layers.len()],
                layers_unplaced: vec![Money::ZERO; program.layers.len()],
                ..TotalsAcc::default()
            },
            carrier_names,
            covered: Vec::new(),
            weights: Vec::new(),
            matching: Vec::new(),
            parts: Vec::new(),
            scratch: Vec::new(),
            atoms,
            event_mask: 0,
            answers,
        }
    }

    /// Back to the start of the policy period: every aggregate full, totals zero. Cheaper
    /// than a new replayer when many independent events are tried (check verification).
    pub fn reset(&mut self) {
        let p = self.program;
        for (left, s) in self.sublimit_left.iter_mut().zip(&p.sublimits) {
            *left = s.aggregate;
        }
        for (left, d) in self.deductible_left.iter_mut().zip(&p.deductibles) {
            *left = d.aggregate;
        }
        for (left, l) in self.layer_left.iter_mut().zip(&p.layers) {
            *left = l.effective_aggregate();
        }
        self.layer_cumulative.iter_mut().for_each(|c| *c = 0);
        self.layer_premium.iter_mut().for_each(|m| *m = Money::ZERO);
        let t = &mut self.totals;
        t.ground_up = Money::ZERO;
        t.paid = Money::ZERO;
        t.uncovered.clear();
        t.carriers.iter_mut().for_each(|m| *m = Money::ZERO);
        t.layers_paid.iter_mut().for_each(|m| *m = Money::ZERO);
        t.layers_unplaced.iter_mut().for_each(|m| *m = Money::ZERO);
        t.recovered = None;
        if let Reinsurers::Some { eval, .. } = &mut self.reinsurance {
            eval.reset(p);
        }
        self.exposures.reset();
        self.names.reset();
    }

    /// Makes a cause, tier or asset the program never names (and that is not standard) an
    /// error of the event that uses it, instead of a warning.
    pub fn set_strict(&mut self, strict: bool) {
        self.strict = strict;
    }

    /// The error a strict replay gives for `ev`'s names, without replaying it or noting
    /// its names for the warnings.
    pub fn check_names(&self, ev: &Event<'_>) -> Result<(), ReplayError> {
        let mut fresh = self.names.clone();
        fresh.reset();
        fresh.check(ev, self.strict).map_err(ReplayError::from)
    }

    /// Warnings about the events replayed so far (e.g. a loss line above its tier's
    /// declared exposure), one per kind and tier. They change no figure.
    pub fn warnings(&self) -> Vec<ReplayWarning> {
        let mut out = self.exposures.warnings(self.program);
        out.extend(self.names.warnings());
        out
    }

    /// Layer `k`'s aggregate left so far; `None` when it has none.
    pub fn aggregate_left(&self, k: usize) -> Option<Money> {
        self.layer_left.get(k).copied().flatten()
    }

    /// Layer `k`'s reinstatement premium so far.
    pub fn reinstatement_premium(&self, k: usize) -> Money {
        self.layer_premium.get(k).copied().unwrap_or_default()
    }

    /// The program being replayed.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The interned symbols, for preparing events.
    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    /// A preparer that validates raw events for this replayer.
    pub fn preparer(
        &self,
        prices: Prices,
        currency: Option<&str>,
    ) -> Result<Preparer<'p>, ScenarioError> {
        Preparer::new(self.program, prices, currency)
    }

    pub(super) fn eligible(&self, ev: &Event<'_>) -> bool {
        let p = self.program;
        match p.basis {
            Basis::Occurrence => {
                let end = p.period.end.saturating_add(p.discovery_window);
                p.period.start <= ev.occurred && ev.occurred < p.period.end && ev.discovered < end
            }
            Basis::Discovery => {
                p.period.start <= ev.discovered
                    && ev.discovered < p.period.end
                    && p.retroactive.is_none_or(|r| ev.occurred >= r)
            }
        }
    }

    /// Replays one event into `out`, updating aggregates and totals. With `trace`, records
    /// each step for `--explain`.
    pub fn event(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        trace: Option<&mut Vec<TraceStep>>,
    ) -> Result<(), ReplayError> {
        match trace {
            None => self.event_with(ev, out, &mut NoTrace),
            Some(t) => self.event_with(ev, out, t),
        }
    }

    /// [`Replayer::event`] with a tracer chosen at compile time.
    fn event_with<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        trace: &mut T,
    ) -> Result<(), ReplayError> {
        self.names.check(ev, self.strict)?;
        self.exposures.observe(ev);
        self.settle(ev, out, trace)
            .ok_or_else(|| overflow(ev, "an amount"))?;
        // INVARIANT: conservation is checked, not assumed.
        let uncovered = out
            .uncovered_total()
            .ok_or_else(|| overflow(ev, "uncovered total"))?;
        if out.paid.checked_add(uncovered) != Some(out.ground_up) {
            return Err(ReplayError::Conservation {
                event: ev.id.to_string(),
                ground_up: out.ground_up.0,
                paid: out.paid.0,
                uncovered: uncovered.0,
            });
        }
        self.recover(ev, out, trace)
            .ok_or_else(|| overflow(ev, "a recovery"))?;
        self.accumulate(out)
            .ok_or_else(|| overflow(ev, "a total"))?;
        self.reinsure(out)
            .ok_or_else(|| overflow(ev, "a reinsurance amount"))??;
        Ok(())
    }

    /// Section 9: every entity's gross, ceded and net for the event just replayed.
    fn reinsure(&mut self, out: &mut Outcome) -> Option<Result<(), ReplayError>> {
        let (eval, carrier_entity, direct) = match &mut self.reinsurance {
            Reinsurers::None => {
                out.entities.clear();
                return Some(Ok(()));
            }
            Reinsurers::Invalid => return Some(Err(ReplayError::TreatyCycle)),
            Reinsurers::Some {
                eval,
                carrier_entity,
                direct,
            } => (eval, carrier_entity, direct),
        };
        direct.iter_mut().for_each(|m| *m = Money::ZERO);
        for (plan, lo) in self.layers.iter().zip(&out.layers) {
            for (g, paid) in plan.carrier_index.iter().zip(&lo.carriers) {
                let e = *carrier_entity.get(*g)?;
                let d = direct.get_mut(e)?;
                *d = d.checked_add(*paid)?;
            }
        }
        eval.evaluate(direct, &mut out.entities)?;
        Some(Ok(()))
    }

    fn accumulate(&mut self, out: &Outcome) -> Option<()> {
        let t = &mut self.totals;
        t.ground_up = t.ground_up.checked_add(out.ground_up)?;
        t.paid = t.paid.checked_add(out.paid)?;
        for (k, m) in &out.uncovered {
            if let Some(e) = t.uncovered.iter_mut().find(|(kk, _)| kk == k) {
                e.1 = e.1.checked_add(*m)?;
            } else {
                t.uncovered.push((*k, *m));
            }
        }
        for (k, lo) in out.layers.iter().enumerate() {
            if lo.paid.0 == 0 && lo.unplaced.0 == 0 {
                continue;
            }
            let lp = t.layers_paid.get_mut(k)?;
            *lp = lp.checked_add(lo.paid)?;
            let lu = t.layers_unplaced.get_mut(k)?;
            *lu = lu.checked_add(lo.unplaced)?;
            let plan = self.layers.get(k)?;
            for (j, paid) in lo.carriers.iter().enumerate() {
                let c = t.carriers.get_mut(*plan.carrier_index.get(j)?)?;
                *c = c.checked_add(*paid)?;
            }
        }
        if let Some(r) = &out.recovered {
            let sum = t.recovered.get_or_insert_with(|| RecoveredOutcome {
                carriers: vec![Money::ZERO; r.carriers.len()],
                ..RecoveredOutcome::default()
            });
            sum.total = sum.total.checked_add(r.total)?;
            sum.insured = sum.insured.checked_add(r.insured)?;
            for (s, c) in sum.carriers.iter_mut().zip(&r.carriers) {
                *s = s.checked_add(*c)?;
            }
        }
        Some(())
    }

    pub(super) fn clause_name(&self, c: ClauseRef) -> Option<String> {
        let p = self.program;
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
        let cur = &self.program.currency;
        list.iter()
            .map(|(k, m)| Uncovered {
                reason: k.reason,
                clause: self.clause_name(k.clause),
                layer: k
                    .layer
                    .and_then(|l| usize::try_from(l).ok())
                    .and_then(|l| self.program.layers.get(l))
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
        let cur = &self.program.currency;
        EventResult {
            id: id.to_string(),
            events: Vec::new(),
            ground_up: cur.decimal(out.ground_up),
            paid: cur.decimal(out.paid),
            uncovered: self.uncovered_list(&out.uncovered),
            layers: self
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
            entities: match &self.reinsurance {
                Reinsurers::Some { eval, .. } => eval.results(self.program, &out.entities),
                _ => Vec::new(),
            },
        }
    }

    /// The public form of recoveries; `with_net` (totals) adds each carrier's net.
    fn recovered(&self, r: &RecoveredOutcome, with_net: bool) -> Recovered {
        let cur = &self.program.currency;
        Recovered {
            total: cur.decimal(r.total),
            insured: cur.decimal(r.insured),
            carriers: self
                .carrier_names
                .iter()
                .zip(&r.carriers)
                .zip(&self.totals.carriers)
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
        let cur = &self.program.currency;
        Totals {
            ground_up: cur.decimal(self.totals.ground_up),
            paid: cur.decimal(self.totals.paid),
            uncovered: self.uncovered_list(&self.totals.uncovered),
            carriers: self
                .carrier_names
                .iter()
                .zip(&self.totals.carriers)
                .map(|(n, p)| CarrierPaid {
                    carrier: n.clone(),
                    paid: cur.decimal(*p),
                })
                .collect(),
            layers: self
                .program
                .layers
                .iter()
                .enumerate()
                .map(|(k, l)| LayerTotal {
                    layer: l.name.clone(),
                    paid: cur.decimal(self.totals.layers_paid.get(k).copied().unwrap_or_default()),
                    unplaced: cur.decimal(
                        self.totals
                            .layers_unplaced
                            .get(k)
                            .copied()
                            .unwrap_or_default(),
                    ),
                    aggregate_remaining: self
                        .layer_left
                        .get(k)
                        .copied()
                        .flatten()
                        .map(|m| cur.decimal(m)),
                    reinstatement_premium: cur
                        .decimal(self.layer_premium.get(k).copied().unwrap_or_default()),
                })
                .collect(),
            recovered: self
                .totals
                .recovered
                .as_ref()
                .map(|r| self.recovered(r, true)),
            entities: match &self.reinsurance {
                Reinsurers::Some { eval, .. } => eval.results(self.program, eval.totals()),
                _ => Vec::new(),
            },
        }
    }
}
