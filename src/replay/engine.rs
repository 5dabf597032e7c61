//! The [`Replayer`]: a shared [`Plan`] of the program, the [`State`] one replay carries
//! from event to event (aggregates, reinstatement premium, totals, treaties, warnings),
//! and the [`Scratch`] buffers reused from event to event; the event loop around the steps
//! of section 6 (`steps.rs`).

use super::answers::{Answers, Clauses};
use super::fault::{Fault, OrFault};
use super::plan::{Plan, Treaties};
use super::slots::EventEntries;
use super::trace::{NoTrace, Tracer};
use super::warn::{ExposureWatch, NameWatch};
use super::{Outcome, RecoveredOutcome, ReplayError, ReplayWarning, TraceStep, UncoveredKey};
use crate::ast::Basis;
use crate::money::Money;
use crate::program::Program;
use crate::reinsurance::Reinsurance;
use crate::scenario::{Event, Preparer, Prices, ScenarioError, Symbols};
use std::sync::Arc;

/// Replays events of one program one at a time, carrying aggregates and totals between
/// them (one policy period).
pub struct Replayer<'p> {
    pub(super) plan: Arc<Plan<'p>>,
    pub(super) state: State,
    pub(super) scratch: Scratch,
    /// A cause, tier or asset the program never names is an error, not a warning.
    strict: bool,
}

/// What one replay carries from event to event.
pub(super) struct State {
    pub(super) sublimit_left: Vec<Option<Money>>,
    pub(super) deductible_left: Vec<Option<Money>>,
    pub(super) layer_left: Vec<Option<Money>>,
    /// Each layer's payments so far (100% figures), for reinstatement premium.
    pub(super) layer_cumulative: Vec<i64>,
    pub(super) layer_premium: Vec<Money>,
    pub(super) totals: TotalsAcc,
    pub(super) reinsurance: Reinsurers,
    pub(super) exposures: ExposureWatch,
    pub(super) names: NameWatch,
}

/// The treaties' running evaluation, if the program has treaties.
pub(super) enum Reinsurers {
    /// No treaties.
    None,
    /// Treaties: their evaluator and, per entity, what it paid directly in this event.
    Some {
        eval: Box<Reinsurance>,
        direct: Vec<Money>,
    },
    /// The treaty graph has a cycle: only possible for a program built by hand.
    Invalid,
}

/// Totals over the events replayed so far, in minor units.
#[derive(Default)]
pub(super) struct TotalsAcc {
    pub(super) ground_up: Money,
    pub(super) paid: Money,
    pub(super) uncovered: Vec<(UncoveredKey, Money)>,
    /// Per key slot (`Plan::slots`), its entry's place in `uncovered`; [`NO_ENTRY`] until
    /// the key is met.
    pub(super) entry_of_slot: Vec<u32>,
    pub(super) carriers: Vec<Money>,
    pub(super) layers_paid: Vec<Money>,
    pub(super) layers_unplaced: Vec<Money>,
    /// Summed recoveries; `None` until an event has some.
    pub(super) recovered: Option<RecoveredOutcome>,
}

/// No entry yet for a key slot.
const NO_ENTRY: u32 = u32::MAX;

/// Buffers reused from event to event: nothing here outlives an event.
pub(super) struct Scratch {
    /// Each line's covered value as the steps take from it.
    pub(super) covered: Vec<i64>,
    /// The sum of `covered`, kept as the steps take from it.
    pub(super) covered_sum: i64,
    pub(super) weights: Vec<i128>,
    pub(super) matching: Vec<usize>,
    pub(super) parts: Vec<i64>,
    /// The largest-remainder split's own scratch.
    pub(super) split: Vec<(i128, usize)>,
    /// This event's event-level atom bits.
    pub(super) event_mask: u64,
    /// Each line's answers to the clause conditions of steps 3-5.
    pub(super) answers: Answers,
    /// Where the event's uncovered entries are, by key slot.
    pub(super) entries: EventEntries,
    /// The layers the event's loss reached (a band above zero), tower order.
    pub(super) settled: Vec<usize>,
}

impl State {
    /// The state at the start of the policy period: every aggregate full, totals zero.
    fn new(plan: &Plan<'_>) -> State {
        let program = plan.program;
        State {
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
                entry_of_slot: vec![NO_ENTRY; plan.slots.count()],
                carriers: vec![Money::ZERO; plan.carrier_names.len()],
                layers_paid: vec![Money::ZERO; program.layers.len()],
                layers_unplaced: vec![Money::ZERO; program.layers.len()],
                ..TotalsAcc::default()
            },
            reinsurance: match &plan.treaties {
                Treaties::None => Reinsurers::None,
                Treaties::Invalid => Reinsurers::Invalid,
                Treaties::Some { plan: treaties, .. } => Reinsurers::Some {
                    direct: vec![Money::ZERO; treaties.graph().entities.len()],
                    eval: Box::new(Reinsurance::with_plan(Arc::clone(treaties))),
                },
            },
            exposures: plan.exposures.clone(),
            names: plan.names.clone(),
        }
    }

    /// Back to the start of the policy period, keeping the buffers.
    fn reset(&mut self, program: &Program) {
        for (left, s) in self.sublimit_left.iter_mut().zip(&program.sublimits) {
            *left = s.aggregate;
        }
        for (left, d) in self.deductible_left.iter_mut().zip(&program.deductibles) {
            *left = d.aggregate;
        }
        for (left, l) in self.layer_left.iter_mut().zip(&program.layers) {
            *left = l.effective_aggregate();
        }
        self.layer_cumulative.iter_mut().for_each(|c| *c = 0);
        self.layer_premium.iter_mut().for_each(|m| *m = Money::ZERO);
        let t = &mut self.totals;
        t.ground_up = Money::ZERO;
        t.paid = Money::ZERO;
        t.uncovered.clear();
        t.entry_of_slot.fill(NO_ENTRY);
        t.carriers.iter_mut().for_each(|m| *m = Money::ZERO);
        t.layers_paid.iter_mut().for_each(|m| *m = Money::ZERO);
        t.layers_unplaced.iter_mut().for_each(|m| *m = Money::ZERO);
        t.recovered = None;
        if let Reinsurers::Some { eval, .. } = &mut self.reinsurance {
            eval.reset();
        }
        self.exposures.reset();
        self.names.reset();
    }
}

impl Scratch {
    fn new(plan: &Plan<'_>) -> Scratch {
        let answers = Answers::new(
            &Clauses {
                exclusions: &plan.exclusions,
                sublimits: &plan.sublimits,
                deductibles: &plan.deductibles,
            },
            plan.atoms.as_ref(),
        );
        Scratch {
            covered: Vec::new(),
            covered_sum: 0,
            weights: Vec::new(),
            matching: Vec::new(),
            parts: Vec::new(),
            split: Vec::new(),
            event_mask: 0,
            answers,
            entries: EventEntries::new(&plan.slots),
            settled: Vec::new(),
        }
    }
}

impl<'p> Replayer<'p> {
    /// A replayer at the start of the policy period: every aggregate full. Plans the
    /// program; to replay one program many times, plan it once ([`Replayer::with_plan`]).
    pub fn new(program: &'p Program) -> Replayer<'p> {
        Replayer::with_plan(Arc::new(Plan::new(program)))
    }

    /// A replayer of a shared plan, at the start of the policy period.
    pub fn with_plan(plan: Arc<Plan<'p>>) -> Replayer<'p> {
        Replayer {
            state: State::new(&plan),
            scratch: Scratch::new(&plan),
            plan,
            strict: false,
        }
    }

    /// Back to the start of the policy period: every aggregate full, totals zero. Cheaper
    /// than a new replayer when many independent events are tried (check verification).
    pub fn reset(&mut self) {
        self.state.reset(self.plan.program);
    }

    /// Makes a cause, tier or asset the program never names (and that is not standard) an
    /// error of the event that uses it, instead of a warning.
    pub fn set_strict(&mut self, strict: bool) {
        self.strict = strict;
    }

    /// The error a strict replay gives for `ev`'s names, without replaying it or noting
    /// its names for the warnings.
    pub fn check_names(&self, ev: &Event<'_>) -> Result<(), ReplayError> {
        let mut fresh = self.plan.names.clone();
        fresh.check(ev, self.strict).map_err(ReplayError::from)
    }

    /// Warnings about the events replayed so far (e.g. a loss line above its tier's
    /// declared exposure), one per kind and tier. They change no figure.
    pub fn warnings(&self) -> Vec<ReplayWarning> {
        let mut out = self.state.exposures.warnings(self.plan.program);
        out.extend(self.state.names.warnings());
        out
    }

    /// Layer `k`'s aggregate left so far; `None` when it has none.
    pub fn aggregate_left(&self, k: usize) -> Option<Money> {
        self.state.layer_left.get(k).copied().flatten()
    }

    /// Layer `k`'s reinstatement premium so far.
    pub fn reinstatement_premium(&self, k: usize) -> Money {
        self.state.layer_premium.get(k).copied().unwrap_or_default()
    }

    /// The program being replayed.
    pub fn program(&self) -> &'p Program {
        self.plan.program
    }

    /// The plan being replayed.
    pub fn plan(&self) -> &Arc<Plan<'p>> {
        &self.plan
    }

    /// The interned symbols, for preparing events.
    pub fn symbols(&self) -> &Symbols {
        &self.plan.symbols
    }

    /// A preparer that validates raw events for this replayer.
    pub fn preparer(
        &self,
        prices: Prices,
        currency: Option<&str>,
    ) -> Result<Preparer<'p>, ScenarioError> {
        Preparer::new(self.plan.program, prices, currency)
    }

    pub(super) fn eligible(&self, ev: &Event<'_>) -> bool {
        let p = self.plan.program;
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
        self.state.names.check(ev, self.strict)?;
        self.state.exposures.observe(ev);
        self.settle(ev, out, trace)
            .map_err(|f| f.at(ev.id, "an amount"))?;
        // INVARIANT: conservation is checked, not assumed.
        let uncovered = out
            .uncovered_total()
            .or_overflow()
            .map_err(|f| f.at(ev.id, "uncovered total"))?;
        if out.paid.checked_add(uncovered) != Some(out.ground_up) {
            return Err(ReplayError::Conservation {
                event: ev.id.to_string(),
                ground_up: out.ground_up.0,
                paid: out.paid.0,
                uncovered: uncovered.0,
            });
        }
        self.recover(ev, out, trace)
            .map_err(|f| f.at(ev.id, "a recovery"))?;
        self.accumulate(out).map_err(|f| f.at(ev.id, "a total"))?;
        self.reinsure(out)
            .map_err(|f| f.at(ev.id, "a reinsurance amount"))
    }

    /// Section 9: every entity's gross, ceded and net for the event just replayed (none
    /// without treaties).
    #[inline]
    fn reinsure(&mut self, out: &mut Outcome) -> Result<(), Fault> {
        if let Reinsurers::None = self.state.reinsurance {
            out.entities.clear();
            return Ok(());
        }
        self.reinsure_entities(out)
    }

    /// [`Replayer::reinsure`] of a program with treaties.
    fn reinsure_entities(&mut self, out: &mut Outcome) -> Result<(), Fault> {
        let (eval, direct) = match &mut self.state.reinsurance {
            Reinsurers::None => {
                out.entities.clear();
                return Ok(());
            }
            Reinsurers::Invalid => return Err(Fault::TreatyCycle),
            Reinsurers::Some { eval, direct } => (eval, direct),
        };
        let Treaties::Some { carrier_entity, .. } = &self.plan.treaties else {
            return Err(Fault::TreatyCycle);
        };
        direct.iter_mut().for_each(|m| *m = Money::ZERO);
        for (plan, lo) in self.plan.layers.iter().zip(&out.layers) {
            for (g, paid) in plan.carrier_index.iter().zip(&lo.carriers) {
                let e = *carrier_entity.get(*g).or_broken()?;
                let d = direct.get_mut(e).or_broken()?;
                *d = d.checked_add(*paid).or_overflow()?;
            }
        }
        eval.evaluate(direct, &mut out.entities).or_overflow()
    }

    fn accumulate(&mut self, out: &Outcome) -> Result<(), Fault> {
        let t = &mut self.state.totals;
        t.ground_up = t.ground_up.checked_add(out.ground_up).or_overflow()?;
        t.paid = t.paid.checked_add(out.paid).or_overflow()?;
        for (i, (k, m)) in out.uncovered.iter().enumerate() {
            let slot = self.scratch.entries.slot_of_entry(out, i);
            let entry = match slot.and_then(|s| t.entry_of_slot.get(s)) {
                Some(&NO_ENTRY) => None,
                Some(e) => t.uncovered.get_mut(*e as usize),
                None => t.uncovered.iter_mut().find(|(kk, _)| kk == k),
            };
            if let Some(e) = entry {
                e.1 = e.1.checked_add(*m).or_overflow()?;
            } else {
                if let Some(e) = slot.and_then(|s| t.entry_of_slot.get_mut(s)) {
                    *e = u32::try_from(t.uncovered.len()).ok().or_broken()?;
                }
                t.uncovered.push((*k, *m));
            }
        }
        // INVARIANT: only the layers the tower step settled paid anything in this event;
        // `start_event` sized their carriers to the plan's.
        for k in &self.scratch.settled {
            let lo = out.layers.get(*k).or_broken()?;
            let lp = t.layers_paid.get_mut(*k).or_broken()?;
            *lp = lp.checked_add(lo.paid).or_overflow()?;
            let lu = t.layers_unplaced.get_mut(*k).or_broken()?;
            *lu = lu.checked_add(lo.unplaced).or_overflow()?;
            let plan = self.plan.layers.get(*k).or_broken()?;
            if lo.carriers.len() != plan.carrier_index.len() {
                return Err(Fault::Broken);
            }
            for (g, paid) in plan.carrier_index.iter().zip(&lo.carriers) {
                let c = t.carriers.get_mut(*g).or_broken()?;
                *c = c.checked_add(*paid).or_overflow()?;
            }
        }
        if let Some(r) = &out.recovered {
            let sum = t.recovered.get_or_insert_with(|| RecoveredOutcome {
                carriers: vec![Money::ZERO; r.carriers.len()],
                ..RecoveredOutcome::default()
            });
            sum.total = sum.total.checked_add(r.total).or_overflow()?;
            sum.insured = sum.insured.checked_add(r.insured).or_overflow()?;
            for (s, c) in sum.carriers.iter_mut().zip(&r.carriers) {
                *s = s.checked_add(*c).or_overflow()?;
            }
        }
        Ok(())
    }
}
