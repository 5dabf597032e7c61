//! The replay engine (spec section 6): events through the wording and the tower, exactly,
//! in integer minor units.
//!
//! [`Replayer`] holds the state that carries from event to event (aggregates, reinstatement
//! premium, totals) and takes events one at a time; [`replay`] sorts a whole scenario and
//! runs it. Every event satisfies conservation — ground-up = paid + uncovered — which the
//! engine checks before returning it.

mod cond;
mod err;
mod occurrence;
mod parametric;
mod recovery;
mod result;
mod stream;
mod warn;

pub use err::ReplayError;
pub use occurrence::{group, Occurrence};
pub use parametric::{
    evaluate as evaluate_parametric, excursions, Excursion, ExcursionOutcome, ParametricClaim,
};
pub use recovery::RecoveredOutcome;
pub use result::*;
pub use stream::{replay_stream, StreamError, StreamSummary, MAX_LINE_BYTES};
pub use warn::ReplayWarning;

use crate::ast::Basis;
use crate::money::{Fraction, Money};
use crate::program::{DeductibleAmount, Program};
use crate::reinsurance::Reinsurance;
use crate::scenario::{Event, Indices, Preparer, Prices, Scenario, ScenarioError, Symbols};
use crate::span::Span;
use cond::ECond;
use std::collections::HashSet;

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
    fn add(
        &mut self,
        reason: UncoveredReason,
        clause: ClauseRef,
        layer: Option<u32>,
        amount: Money,
    ) -> Option<()> {
        if amount.0 == 0 {
            return Some(());
        }
        let key = UncoveredKey {
            reason,
            clause,
            layer,
        };
        if let Some(e) = self.uncovered.iter_mut().find(|(k, _)| *k == key) {
            e.1 = e.1.checked_add(amount)?;
        } else {
            self.uncovered.push((key, amount));
        }
        Some(())
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

/// Records a trace step, building its text only when a trace is wanted.
macro_rules! note {
    ($trace:expr, $step:expr, $name:expr, $span:expr, $before:expr, $after:expr, $text:expr) => {
        if let Some(t) = $trace.as_deref_mut() {
            t.push(TraceStep {
                step: $step,
                name: $name,
                span: $span,
                before: Money($before),
                after: Money($after),
                note: $text,
            });
        }
    };
}

struct LayerPlan {
    attachment: i64,
    limit: i64,
    exclusions: Vec<ECond>,
    /// Carrier weights, then the unplaced weight last (0 when fully placed).
    weights: Vec<i128>,
    /// Global index of each carrier in the totals' carrier list.
    carrier_index: Vec<usize>,
    premium: Option<i64>,
    /// (count, rate) groups of reinstatements.
    reinstatements: Vec<(u64, Fraction)>,
    reinstated_total: u64,
    /// `pro rata as to time` (spec section 11.3).
    pro_rata: bool,
}

/// State carried between events of one replay; takes events one at a time.
pub struct Replayer<'p> {
    program: &'p Program,
    symbols: Symbols,
    covers: Option<Vec<u32>>,
    exclusions: Vec<ECond>,
    sublimits: Vec<Option<ECond>>,
    deductibles: Vec<Option<ECond>>,
    layers: Vec<LayerPlan>,
    carrier_names: Vec<String>,
    sublimit_left: Vec<Option<Money>>,
    deductible_left: Vec<Option<Money>>,
    layer_left: Vec<Option<Money>>,
    layer_cumulative: Vec<i64>,
    layer_premium: Vec<Money>,
    totals: TotalsAcc,
    covered: Vec<i64>,
    weights: Vec<i128>,
    matching: Vec<usize>,
    parts: Vec<i64>,
    scratch: Vec<(i128, usize)>,
    reinsurance: Reinsurers,
    exposures: warn::ExposureWatch,
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

pub(crate) use crate::money::{share_weights, split_into};

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
        let exclusions = program
            .exclusions
            .iter()
            .map(|e| ECond::new(&e.condition, &mut symbols))
            .collect();
        let sublimits = program
            .sublimits
            .iter()
            .map(|s| s.condition.as_ref().map(|c| ECond::new(c, &mut symbols)))
            .collect();
        let deductibles = program
            .deductibles
            .iter()
            .map(|d| d.condition.as_ref().map(|c| ECond::new(c, &mut symbols)))
            .collect();
        let covers = program
            .covers
            .as_ref()
            .map(|cs| cs.iter().map(|c| symbols.intern(c)).collect());
        let exposures = warn::ExposureWatch::new(program, |t| symbols.intern(t));
        let mut carrier_names: Vec<String> = Vec::new();
        let layers = program
            .layers
            .iter()
            .map(|l| {
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
                let reinstatements: Vec<(u64, Fraction)> = l
                    .reinstatements
                    .iter()
                    .map(|r| (u64::from(r.count), r.rate))
                    .collect();
                LayerPlan {
                    attachment: l.attachment.0,
                    limit: l.limit.0,
                    exclusions: l
                        .exclusions
                        .iter()
                        .map(|e| ECond::new(&e.condition, &mut symbols))
                        .collect(),
                    // INVARIANT: compiled shares are fractions of at most 24 decimals
                    // summing to at most 1, so the weights fit; fall back to "all
                    // unplaced" rather than panic.
                    weights: share_weights(&shares).unwrap_or_else(|| {
                        let mut w = vec![0; shares.len()];
                        w.push(1);
                        w
                    }),
                    carrier_index,
                    premium: l.premium.map(|p| p.0),
                    reinstated_total: l.reinstatement_count(),
                    pro_rata: l.pro_rata_as_to_time,
                    reinstatements,
                }
            })
            .collect();
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
        Replayer {
            exposures,
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
    }

    /// Warnings about the events replayed so far (e.g. a loss line above its tier's
    /// declared exposure), one per kind and tier. They change no figure.
    pub fn warnings(&self) -> Vec<ReplayWarning> {
        self.exposures.warnings(self.program)
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

    fn eligible(&self, ev: &Event<'_>) -> bool {
        let p = self.program;
        match p.basis {
            Basis::Occurrence => {
                let end = p
                    .period
                    .end
                    .checked_add(p.discovery_window)
                    .unwrap_or(p.period.end);
                p.period.start <= ev.occurred && ev.occurred < p.period.end && ev.discovered < end
            }
            Basis::Discovery => {
                p.period.start <= ev.discovered
                    && ev.discovered < p.period.end
                    && p.retroactive.is_none_or(|r| ev.occurred >= r)
            }
        }
    }

    /// Takes `amount` from the lines in `self.matching` pro rata to their covered value.
    fn take_pro_rata(&mut self, amount: i64) -> Option<()> {
        if amount == 0 {
            return Some(());
        }
        self.weights.clear();
        for i in &self.matching {
            self.weights.push(i128::from(*self.covered.get(*i)?));
        }
        split_into(amount, &self.weights, &mut self.parts, &mut self.scratch)?;
        for (i, part) in self.matching.iter().zip(&self.parts) {
            let c = self.covered.get_mut(*i)?;
            *c = c.checked_sub(*part)?;
        }
        Some(())
    }

    fn covered_total(&self) -> Option<i64> {
        self.covered.iter().try_fold(0i64, |a, c| a.checked_add(*c))
    }

    /// Replays one event into `out`, updating aggregates and totals. With `trace`, records
    /// each step for `--explain`.
    pub fn event(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        mut trace: Option<&mut Vec<TraceStep>>,
    ) -> Result<(), ReplayError> {
        self.exposures.observe(ev);
        self.event_inner(ev, out, &mut trace)
            .ok_or_else(|| overflow(ev, "an amount"))??;
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
        self.recover(ev, out, &mut trace)
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

    #[allow(clippy::too_many_lines)]
    fn event_inner(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        trace: &mut Option<&mut Vec<TraceStep>>,
    ) -> Option<Result<(), ReplayError>> {
        let program = self.program;
        out.uncovered.clear();
        out.layers
            .resize_with(self.layers.len(), LayerOutcome::default);
        for (lo, plan) in out.layers.iter_mut().zip(&self.layers) {
            lo.band = Money::ZERO;
            lo.paid = Money::ZERO;
            lo.unplaced = Money::ZERO;
            lo.carriers.clear();
            lo.carriers
                .resize(plan.weights.len().saturating_sub(1), Money::ZERO);
        }
        out.paid = Money::ZERO;
        self.covered.clear();
        let mut ground_up = 0i64;
        for l in &ev.lines {
            ground_up = ground_up.checked_add(l.value.0)?;
            self.covered.push(l.value.0);
        }
        out.ground_up = Money(ground_up);
        if let Some(t) = trace.as_deref_mut() {
            let mut running = 0i64;
            for (n, l) in ev.lines.iter().enumerate() {
                let before = running;
                running = running.saturating_add(l.value.0);
                let how = match (l.asset, &l.priced) {
                    (Some(a), Some((q, p))) => {
                        format!("{q} {a} x {p} = {}", program.currency.display(l.value))
                    }
                    _ => format!("amount {}", program.currency.display(l.value)),
                };
                t.push(TraceStep {
                    step: "valuation",
                    name: None,
                    span: None,
                    before: Money(before),
                    after: Money(running),
                    note: format!("line {} ({}): {how}", n.saturating_add(1), l.tier),
                });
            }
        }

        // Step 2: eligibility: a failing event is uncovered whole.
        let ineligible = if !self.eligible(ev) {
            Some(UncoveredReason::OutsidePeriod)
        } else if self
            .covers
            .as_ref()
            .is_some_and(|c| !c.contains(&ev.cause_id))
        {
            Some(UncoveredReason::CauseNotCovered)
        } else {
            None
        };
        if let Some(reason) = ineligible {
            out.add(reason, ClauseRef::None, None, Money(ground_up))?;
            note!(
                trace,
                "eligibility",
                None,
                None,
                ground_up,
                0,
                if reason == UncoveredReason::OutsidePeriod {
                    "outside the period or basis rules".to_string()
                } else {
                    format!("cause `{}` is not covered", ev.cause)
                }
            );
            return Some(Ok(()));
        }

        // Step 3: program exclusions, per line, first match.
        for (li, line) in ev.lines.iter().enumerate() {
            let c = *self.covered.get(li)?;
            if c == 0 {
                continue;
            }
            if let Some(xi) = self.exclusions.iter().position(|x| x.eval(ev, Some(line))) {
                let clause = program.exclusions.get(xi)?;
                out.add(
                    UncoveredReason::Excluded,
                    ClauseRef::Exclusion(u32::try_from(xi).ok()?),
                    None,
                    Money(c),
                )?;
                *self.covered.get_mut(li)? = 0;
                let total = self.covered_total()?;
                note!(
                    trace,
                    "exclusion",
                    Some(clause.name.clone()),
                    Some(clause.span),
                    total.checked_add(c)?,
                    total,
                    format!("line {} ({}) excluded", li.saturating_add(1), line.tier)
                );
            }
        }

        // Step 4: sub-limits in written order.
        for si in 0..self.sublimits.len() {
            self.matching.clear();
            let mut m = 0i64;
            for (li, line) in ev.lines.iter().enumerate() {
                let c = *self.covered.get(li)?;
                if c == 0 {
                    continue;
                }
                let applies = match self.sublimits.get(si)? {
                    None => true,
                    Some(cond) => cond.eval(ev, Some(line)),
                };
                if applies {
                    self.matching.push(li);
                    m = m.checked_add(c)?;
                }
            }
            if m == 0 {
                continue;
            }
            let clause = program.sublimits.get(si)?;
            let mut allowed = m;
            if let Some(per) = clause.per_occurrence {
                allowed = allowed.min(per.0);
            }
            if let Some(left) = self.sublimit_left.get(si)? {
                allowed = allowed.min(left.0.max(0));
            }
            let excess = m.checked_sub(allowed)?;
            if let Some(left) = self.sublimit_left.get_mut(si)?.as_mut() {
                left.0 = left.0.checked_sub(allowed)?;
            }
            if excess > 0 {
                let before = self.covered_total()?;
                self.take_pro_rata(excess)?;
                out.add(
                    UncoveredReason::Sublimit,
                    ClauseRef::Sublimit(u32::try_from(si).ok()?),
                    None,
                    Money(excess),
                )?;
                note!(
                    trace,
                    "sublimit",
                    Some(clause.name.clone()),
                    Some(clause.span),
                    before,
                    before.checked_sub(excess)?,
                    format!(
                        "matching lines worth {} capped at {}",
                        program.currency.display(Money(m)),
                        program.currency.display(Money(allowed))
                    )
                );
            }
        }

        // Step 5: the largest applicable deductible.
        let total = self.covered_total()?;
        if total > 0 {
            let mut best: Option<(usize, i64)> = None;
            for di in 0..self.deductibles.len() {
                let applies = match self.deductibles.get(di)? {
                    None => true,
                    Some(cond) => ev
                        .lines
                        .iter()
                        .zip(&self.covered)
                        .any(|(line, c)| *c > 0 && cond.eval(ev, Some(line))),
                };
                if !applies {
                    continue;
                }
                let d = program.deductibles.get(di)?;
                let mut amount = match &d.amount {
                    DeductibleAmount::Flat(a) if d.franchise => {
                        if total <= a.0 {
                            total
                        } else {
                            0
                        }
                    }
                    DeductibleAmount::Flat(a) => a.0,
                    DeductibleAmount::Percent { rate, min, max } => {
                        let mut x = rate.apply(Money(total))?.0;
                        if let Some(lo) = min {
                            x = x.max(lo.0);
                        }
                        if let Some(hi) = max {
                            x = x.min(hi.0);
                        }
                        x
                    }
                };
                if let Some(left) = self.deductible_left.get(di)? {
                    amount = amount.min(left.0.max(0));
                }
                if best.is_none_or(|(_, b)| amount > b) {
                    best = Some((di, amount));
                }
            }
            if let Some((di, amount)) = best {
                let take = amount.min(total);
                if take > 0 {
                    self.matching.clear();
                    self.matching.extend(
                        (0..self.covered.len())
                            .filter(|i| self.covered.get(*i).is_some_and(|c| *c > 0)),
                    );
                    self.take_pro_rata(take)?;
                    if let Some(left) = self.deductible_left.get_mut(di)?.as_mut() {
                        left.0 = left.0.checked_sub(take)?;
                    }
                    let d = program.deductibles.get(di)?;
                    out.add(
                        UncoveredReason::Deductible,
                        ClauseRef::Deductible(u32::try_from(di).ok()?),
                        None,
                        Money(take),
                    )?;
                    note!(
                        trace,
                        "deductible",
                        Some(d.name.clone()),
                        Some(d.span),
                        total,
                        total.checked_sub(take)?,
                        "largest applicable deductible".to_string()
                    );
                }
            }
        }

        // Step 6: coinsurance.
        let remaining = self.covered_total()?;
        let mut x = remaining;
        if let Some(p) = program.coinsurance {
            let kept = p.apply(Money(remaining))?.0;
            if kept > 0 {
                out.add(
                    UncoveredReason::Coinsurance,
                    ClauseRef::None,
                    None,
                    Money(kept),
                )?;
                x = remaining.checked_sub(kept)?;
                note!(
                    trace,
                    "coinsurance",
                    None,
                    None,
                    remaining,
                    x,
                    "insured's share".to_string()
                );
            }
        }

        // Step 7: the tower.
        let mut in_bands = 0i64;
        let mut top = 0i64;
        for k in 0..self.layers.len() {
            let plan = self.layers.get(k)?;
            let layer = program.layers.get(k)?;
            top = top.max(plan.attachment.checked_add(plan.limit)?);
            let band = x.checked_sub(plan.attachment)?.max(0).min(plan.limit);
            in_bands = in_bands.checked_add(band)?;
            let lo = out.layers.get_mut(k)?;
            lo.band = Money(band);
            if band == 0 {
                continue;
            }
            let k32 = u32::try_from(k).ok()?;
            if let Some(j) = plan.exclusions.iter().position(|c| c.eval(ev, None)) {
                let ex = layer.exclusions.get(j)?;
                out.add(
                    UncoveredReason::LayerExcluded,
                    ClauseRef::LayerExclusion(k32, u32::try_from(j).ok()?),
                    Some(k32),
                    Money(band),
                )?;
                note!(
                    trace,
                    "layer",
                    Some(layer.name.clone()),
                    Some(ex.span),
                    band,
                    0,
                    format!("band excluded by `{}`", ex.name)
                );
                continue;
            }
            let mut paid = band;
            if let Some(left) = self.layer_left.get(k)? {
                paid = paid.min(left.0.max(0));
            }
            if let Some(left) = self.layer_left.get_mut(k)?.as_mut() {
                left.0 = left.0.checked_sub(paid)?;
            }
            let short = band.checked_sub(paid)?;
            out.add(
                UncoveredReason::AggregateExhausted,
                ClauseRef::None,
                Some(k32),
                Money(short),
            )?;
            split_into(paid, &plan.weights, &mut self.parts, &mut self.scratch)?;
            let lo = out.layers.get_mut(k)?;
            let n = plan.weights.len().saturating_sub(1);
            let mut carriers_paid = 0i64;
            for (slot, part) in lo.carriers.iter_mut().zip(self.parts.iter().take(n)) {
                *slot = Money(*part);
                carriers_paid = carriers_paid.checked_add(*part)?;
            }
            let unplaced = *self.parts.get(n)?;
            lo.paid = Money(carriers_paid);
            lo.unplaced = Money(unplaced);
            out.paid = out.paid.checked_add(Money(carriers_paid))?;
            out.add(
                UncoveredReason::UnplacedShare,
                ClauseRef::None,
                Some(k32),
                Money(unplaced),
            )?;
            self.reinstatement_premium(k, paid, ev.occurred)?;
            note!(
                trace,
                "layer",
                Some(layer.name.clone()),
                Some(layer.span),
                band,
                carriers_paid,
                format!(
                    "{} xs {}: band {}, paid by carriers {}{}{}",
                    program.currency.display(layer.limit),
                    program.currency.display(layer.attachment),
                    program.currency.display(Money(band)),
                    program.currency.display(Money(carriers_paid)),
                    if short > 0 {
                        format!(
                            ", {} beyond the aggregate",
                            program.currency.display(Money(short))
                        )
                    } else {
                        String::new()
                    },
                    if unplaced > 0 {
                        format!(", {} unplaced", program.currency.display(Money(unplaced)))
                    } else {
                        String::new()
                    },
                )
            );
        }
        let above = x.checked_sub(top)?.max(0);
        let gap = x.checked_sub(in_bands)?.checked_sub(above)?;
        out.add(UncoveredReason::TowerGap, ClauseRef::None, None, Money(gap))?;
        out.add(
            UncoveredReason::AboveTower,
            ClauseRef::None,
            None,
            Money(above),
        )?;
        if gap > 0 || above > 0 {
            note!(
                trace,
                "tower",
                None,
                None,
                x,
                x.checked_sub(gap)?.checked_sub(above)?,
                format!(
                    "{} in tower gaps, {} above the top of the tower",
                    program.currency.display(Money(gap)),
                    program.currency.display(Money(above))
                )
            );
        }
        Some(Ok(()))
    }

    /// The unexpired part of the period at `occurred`, as (numerator, denominator) in
    /// seconds (spec section 11.3); 1 before the period start, 0 after its end.
    fn unexpired(&self, occurred: crate::time::Instant) -> Option<(i128, i128)> {
        let period = &self.program.period;
        let whole = period.end.0.checked_sub(period.start.0)?;
        let left = period.end.0.checked_sub(occurred.0)?.clamp(0, whole);
        Some((i128::from(left), i128::from(whole)))
    }

    /// Adds the reinstatement premium of a payment of `paid` by layer `k`, for an
    /// occurrence at `occurred` (which matters only `pro rata as to time`).
    fn reinstatement_premium(
        &mut self,
        k: usize,
        paid: i64,
        occurred: crate::time::Instant,
    ) -> Option<()> {
        let plan = self.layers.get(k)?;
        let c0 = *self.layer_cumulative.get(k)?;
        let c1 = c0.checked_add(paid)?;
        *self.layer_cumulative.get_mut(k)? = c1;
        let (Some(premium), true) = (plan.premium, plan.reinstated_total > 0) else {
            return Some(());
        };
        if paid == 0 || plan.limit <= 0 {
            return Some(());
        }
        let l = plan.limit;
        let first = c0.checked_div(l)?;
        let last = c1.checked_sub(1)?.checked_div(l)?;
        let mut cost = 0i64;
        for i in first..=last {
            let Ok(idx) = u64::try_from(i) else { continue };
            if idx >= plan.reinstated_total {
                break;
            }
            let lo = i.checked_mul(l)?.max(c0);
            let hi = i.checked_add(1)?.checked_mul(l)?.min(c1);
            let part = hi.checked_sub(lo)?;
            // Which group holds reinstatement number idx (0-based)?
            let mut seen = 0u64;
            let mut rate = None;
            for (count, r) in &plan.reinstatements {
                seen = seen.saturating_add(*count);
                if idx < seen {
                    rate = Some(*r);
                    break;
                }
            }
            let rate = rate?;
            // (part / L) × rate × P [× unexpired fraction], rounded half-even once.
            let mut num = i128::from(part)
                .checked_mul(rate.num)?
                .checked_mul(i128::from(premium))?;
            let mut den = i128::from(l).checked_mul(rate.den()?)?;
            if plan.pro_rata {
                let (left, whole) = self.unexpired(occurred)?;
                num = num.checked_mul(left)?;
                den = den.checked_mul(whole)?;
            }
            let c = crate::money::div_round_half_even(num, den)?;
            cost = cost.checked_add(i64::try_from(c).ok()?)?;
        }
        let p = self.layer_premium.get_mut(k)?;
        *p = p.checked_add(Money(cost))?;
        Some(())
    }

    fn clause_name(&self, c: ClauseRef) -> Option<String> {
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

/// Events of a scenario, validated against the program, in replay order (occurred, then id).
pub fn prepare_events<'s>(
    replayer: &Replayer<'_>,
    scenario: &'s Scenario,
) -> Result<Vec<Event<'s>>, ReplayError> {
    let prices = Prices::new(&scenario.prices)?;
    let preparer = replayer.preparer(prices, scenario.currency.as_deref())?;
    let mut seen: HashSet<&std::borrow::Cow<'_, str>> =
        HashSet::with_capacity(scenario.events.len());
    let mut events = Vec::with_capacity(scenario.events.len());
    for raw in &scenario.events {
        if !seen.insert(&raw.id) {
            return Err(ScenarioError::DuplicateId {
                event: raw.id.to_string(),
            }
            .into());
        }
        events.push(preparer.prepare(raw, replayer.symbols())?);
    }
    events.sort_by(|a, b| a.occurred.cmp(&b.occurred).then_with(|| a.id.cmp(b.id)));
    Ok(events)
}

/// Replays a whole scenario through a program (spec sections 5-7).
///
/// ```
/// let program = specie::compile_str(r#"program "Demo" {
///   period 2026-01-01 to 2027-01-01
///   deductible 1M per occurrence
///   layer "Primary" 10M xs 0 { carrier "A" 100% }
/// }"#).unwrap().program;
/// let scenario = specie::scenario::Scenario::from_json(r#"{"name": "s", "events": [
///   {"id": "E1", "cause": "external_hack", "occurred": "2026-03-14T02:10:00Z",
///    "losses": [{"tier": "hot", "amount": "2500000"}]}]}"#).unwrap();
/// let r = specie::replay::replay(&program, &scenario).unwrap();
/// assert_eq!(r.events[0].paid.to_string(), "1500000.00");
/// ```
pub fn replay(program: &Program, scenario: &Scenario) -> Result<Replay, ReplayError> {
    replay_with_warnings(program, scenario).map(|(r, _)| r)
}

/// [`replay`], and the warnings the scenario deserves ([`ReplayWarning`]).
pub fn replay_with_warnings(
    program: &Program,
    scenario: &Scenario,
) -> Result<(Replay, Vec<ReplayWarning>), ReplayError> {
    let mut replayer = Replayer::new(program);
    let events = group(program, prepare_events(&replayer, scenario)?)?;
    let mut out = Outcome::default();
    let mut results = Vec::with_capacity(events.len());
    for occ in &events {
        replayer.event(&occ.event, &mut out, None)?;
        results.push(replayer.occurrence_result(occ, &out));
    }
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &Indices::new(&scenario.indices)?)?
    };
    let replay = Replay {
        program: program.name.clone(),
        scenario: scenario.name.clone(),
        events: results,
        totals: replayer.totals(),
        parametric,
    };
    Ok((replay, replayer.warnings()))
}

/// Replays the events before `id` silently, then `id` with a trace of every step.
pub fn explain(
    program: &Program,
    scenario: &Scenario,
    id: &str,
) -> Result<Option<(EventResult, Vec<TraceStep>)>, ReplayError> {
    let mut replayer = Replayer::new(program);
    let events = group(program, prepare_events(&replayer, scenario)?)?;
    let mut out = Outcome::default();
    for occ in &events {
        if occ.event.id == id || occ.members.contains(&id) {
            let mut trace = Vec::new();
            if !occ.members.is_empty() {
                trace.push(TraceStep {
                    step: "occurrence",
                    name: None,
                    span: None,
                    before: Money::ZERO,
                    after: Money::ZERO,
                    note: format!(
                        "{} events replayed as one occurrence: {}",
                        occ.members.len(),
                        occ.members.join(", ")
                    ),
                });
            }
            replayer.event(&occ.event, &mut out, Some(&mut trace))?;
            return Ok(Some((replayer.occurrence_result(occ, &out), trace)));
        }
        replayer.event(&occ.event, &mut out, None)?;
    }
    Ok(None)
}

/// A raw event's replay-order key, for checking that a stream is sorted.
pub fn order_key<'e>(ev: &Event<'e>) -> (crate::time::Instant, &'e str) {
    (ev.occurred, ev.id)
}

#[cfg(test)]
mod tests;
