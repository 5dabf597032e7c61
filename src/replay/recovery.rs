//! Recoveries (spec section 11.2): stolen assets that come back, applied from the top of
//! the loss down (the London-market order). They change no payment, aggregate or
//! reinstatement; they say who gets back how much.

use super::fault::{Fault, OrFault};
use super::trace::Tracer;
use super::{
    ClauseRef, Outcome, RecoveredOutcome, Replayer, TraceStep, UncoveredKey, UncoveredReason,
};
use crate::money::{split_into, Money};
use crate::scenario::Event;
use crate::span::Span;

/// Stage 1: the insured's loss outside or above the cover, in this order.
const OUTSIDE_OR_ABOVE: [UncoveredReason; 5] = [
    UncoveredReason::OutsidePeriod,
    UncoveredReason::CauseNotCovered,
    UncoveredReason::Excluded,
    UncoveredReason::Sublimit,
    UncoveredReason::AboveTower,
];

/// Stage 3: below the layers, in this order.
const BELOW_LAYERS: [UncoveredReason; 3] = [
    UncoveredReason::TowerGap,
    UncoveredReason::Coinsurance,
    UncoveredReason::Deductible,
];

/// The recovery still to apply, and where it went.
struct Waterfall {
    left: i64,
    insured: i64,
    carriers: Vec<Money>,
}

impl Waterfall {
    /// Takes up to `amount` for the insured; returns what was taken.
    fn give_insured(&mut self, amount: i64) -> Result<i64, Fault> {
        let take = self.left.min(amount.max(0));
        self.left = self.left.checked_sub(take).or_overflow()?;
        self.insured = self.insured.checked_add(take).or_overflow()?;
        Ok(take)
    }
}

impl Replayer<'_> {
    /// Section 11.2 for the event just replayed into `out`: `out.recovered` is `None` when
    /// the event has no recoveries.
    pub(super) fn recover<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        trace: &mut T,
    ) -> Result<(), Fault> {
        if ev.recoveries.is_empty() {
            out.recovered = None;
            return Ok(());
        }
        let total = ev
            .recoveries
            .iter()
            .try_fold(0i64, |a, r| a.checked_add(r.value.0))
            .or_overflow()?;
        self.trace_valuations(ev, trace);
        let mut w = Waterfall {
            left: total,
            insured: 0,
            carriers: vec![Money::ZERO; self.plan.carrier_names.len()],
        };
        self.stage_uncovered(out, &OUTSIDE_OR_ABOVE, &mut w, trace)?;
        for k in (0..self.plan.layers.len()).rev() {
            if w.left == 0 {
                break;
            }
            self.stage_layer(k, out, &mut w, trace)?;
        }
        self.stage_uncovered(out, &BELOW_LAYERS, &mut w, trace)?;
        // INVARIANT: recoveries are at most the ground-up loss (checked per event when it
        // is prepared), and the stages cover the ground-up loss exactly.
        if w.left != 0 {
            return Err(Fault::Broken);
        }
        out.recovered = Some(RecoveredOutcome {
            total: Money(total),
            insured: Money(w.insured),
            carriers: w.carriers,
        });
        Ok(())
    }

    /// The insured's uncovered amounts of `reasons`, in that order, each entry in the
    /// order the event produced it.
    fn stage_uncovered<T: Tracer>(
        &self,
        out: &Outcome,
        reasons: &[UncoveredReason],
        w: &mut Waterfall,
        trace: &mut T,
    ) -> Result<(), Fault> {
        for reason in reasons {
            for (key, amount) in out.uncovered.iter().filter(|(k, _)| k.reason == *reason) {
                if w.left == 0 {
                    return Ok(());
                }
                let before = w.left;
                let take = w.give_insured(amount.0)?;
                let after = w.left;
                trace.step(|| TraceStep {
                    step: "recovered",
                    name: self
                        .clause_name(key.clause)
                        .or_else(|| self.layer_name(key)),
                    span: self.clause_span(key),
                    before: Money(before),
                    after: Money(after),
                    note: format!(
                        "{} of {} {} to the insured",
                        self.plan.program.currency.display(Money(take)),
                        reason.as_str(),
                        self.plan.program.currency.display(*amount)
                    ),
                });
            }
        }
        Ok(())
    }

    /// Layer `k`'s band, shared among its carriers' paid parts and its unplaced, exhausted
    /// and excluded parts (the insured's), largest remainder, carriers first on ties.
    fn stage_layer<T: Tracer>(
        &mut self,
        k: usize,
        out: &Outcome,
        w: &mut Waterfall,
        trace: &mut T,
    ) -> Result<(), Fault> {
        let lo = out.layers.get(k).or_broken()?;
        if lo.band.0 == 0 {
            return Ok(());
        }
        let take = w.left.min(lo.band.0);
        let k32 = u32::try_from(k).ok().or_broken()?;
        let in_layer = |reason: UncoveredReason| -> Option<i64> {
            out.uncovered
                .iter()
                .filter(|(key, _)| key.reason == reason && key.layer == Some(k32))
                .try_fold(0i64, |a, (_, m)| a.checked_add(m.0))
        };
        let exhausted = in_layer(UncoveredReason::AggregateExhausted).or_overflow()?;
        let excluded = in_layer(UncoveredReason::LayerExcluded).or_overflow()?;
        self.scratch.weights.clear();
        self.scratch
            .weights
            .extend(lo.carriers.iter().map(|m| i128::from(m.0)));
        self.scratch.weights.push(i128::from(lo.unplaced.0));
        self.scratch.weights.push(i128::from(exhausted));
        self.scratch.weights.push(i128::from(excluded));
        split_into(
            take,
            &self.scratch.weights,
            &mut self.scratch.parts,
            &mut self.scratch.split,
        )
        .or_overflow()?;
        let plan = self.plan.layers.get(k).or_broken()?;
        let n = lo.carriers.len();
        let mut to_carriers = 0i64;
        for (j, part) in self.scratch.parts.iter().take(n).enumerate() {
            let slot = w
                .carriers
                .get_mut(*plan.carrier_index.get(j).or_broken()?)
                .or_broken()?;
            *slot = slot.checked_add(Money(*part)).or_overflow()?;
            to_carriers = to_carriers.checked_add(*part).or_overflow()?;
        }
        let before = w.left;
        w.left = w.left.checked_sub(to_carriers).or_overflow()?;
        let to_insured = take.checked_sub(to_carriers).or_overflow()?;
        w.give_insured(to_insured)?;
        let after = w.left;
        let layer = self.plan.program.layers.get(k).or_broken()?;
        trace.step(|| {
            let cur = &self.plan.program.currency;
            let mut parts: Vec<String> = layer
                .carriers
                .iter()
                .zip(&self.scratch.parts)
                .filter(|(_, p)| **p > 0)
                .map(|(c, p)| format!("{} {}", c.name, cur.display(Money(*p))))
                .collect();
            if to_insured > 0 {
                parts.push(format!("insured {}", cur.display(Money(to_insured))));
            }
            TraceStep {
                step: "recovered",
                name: Some(layer.name.clone()),
                span: Some(layer.span),
                before: Money(before),
                after: Money(after),
                note: format!(
                    "{} of the band {}: {}",
                    cur.display(Money(take)),
                    cur.display(lo.band),
                    parts.join(", ")
                ),
            }
        });
        Ok(())
    }

    /// One trace step per recovery: its instant and valuation.
    fn trace_valuations<T: Tracer>(&self, ev: &Event<'_>, trace: &mut T) {
        let cur = &self.plan.program.currency;
        let mut running = 0i64;
        for (n, r) in ev.recoveries.iter().enumerate() {
            let before = running;
            running = running.saturating_add(r.value.0);
            trace.step(|| {
                let how = match (r.asset, &r.priced) {
                    (Some(a), Some((q, p))) => format!("{q} {a} x {p} = {}", cur.display(r.value)),
                    _ => format!("amount {}", cur.display(r.value)),
                };
                TraceStep {
                    step: "recovery",
                    name: None,
                    span: None,
                    before: Money(before),
                    after: Money(running),
                    note: format!(
                        "recovery {} of event {} at {}: {how}",
                        n.saturating_add(1),
                        r.event,
                        r.at
                    ),
                }
            });
        }
    }

    fn layer_name(&self, key: &UncoveredKey) -> Option<String> {
        let k = usize::try_from(key.layer?).ok()?;
        self.plan.program.layers.get(k).map(|l| l.name.clone())
    }

    /// The source of the clause an uncovered amount names.
    fn clause_span(&self, key: &UncoveredKey) -> Option<Span> {
        let p = self.plan.program;
        let idx = |i: u32| usize::try_from(i).ok();
        match key.clause {
            ClauseRef::None => None,
            ClauseRef::Exclusion(i) => p.exclusions.get(idx(i)?).map(|x| x.span),
            ClauseRef::Sublimit(i) => p.sublimits.get(idx(i)?).map(|x| x.span),
            ClauseRef::Deductible(i) => p.deductibles.get(idx(i)?).map(|x| x.span),
            ClauseRef::LayerExclusion(k, j) => p
                .layers
                .get(idx(k)?)
                .and_then(|l| l.exclusions.get(idx(j)?))
                .map(|x| x.span),
        }
    }
}
