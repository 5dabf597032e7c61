//! The steps of section 6 for one event, each a function named after its step, in
//! integer minor units with checked arithmetic. `None` means an amount overflowed.

use super::answers::Clauses;
use super::fault::{Fault, OrFault};
use super::trace::{note, Tracer};
use super::{ClauseRef, LayerOutcome, Outcome, Replayer, TraceStep, UncoveredReason};
use crate::money::{split_few, split_into, Money, FEW};
use crate::program::DeductibleAmount;
use crate::scenario::Event;
use crate::time::Instant;

impl Replayer<'_> {
    /// Steps 1-8 of section 6 for `ev`, into `out`.
    pub(super) fn settle<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        t: &mut T,
    ) -> Result<(), Fault> {
        self.start_event(out);
        let ground_up = self.value_lines(ev, out, t)?;
        if !self.check_eligibility(ev, ground_up, out, t)? {
            return Ok(());
        }
        self.answer_conditions(ev);
        self.apply_exclusions(ev, out, t)?;
        self.apply_sublimits(out, t)?;
        self.apply_deductible(out, t)?;
        let x = self.apply_coinsurance(out, t)?;
        self.settle_tower(ev, x, out, t)
    }

    /// Clears `out` for a new event, keeping its buffers.
    fn start_event(&mut self, out: &mut Outcome) {
        out.uncovered.clear();
        self.scratch.entries.next_event();
        self.scratch.settled.clear();
        out.paid = Money::ZERO;
        if out.layers.len() != self.plan.layers.len() {
            out.layers
                .resize_with(self.plan.layers.len(), LayerOutcome::default);
        }
        for (lo, plan) in out.layers.iter_mut().zip(&self.plan.layers) {
            // INVARIANT: a layer without a band paid nothing, so only layers with a band
            // in the last event need clearing.
            if lo.band.0 == 0 && lo.carriers.len() == plan.carriers() {
                continue;
            }
            lo.band = Money::ZERO;
            lo.paid = Money::ZERO;
            lo.unplaced = Money::ZERO;
            if lo.carriers.len() == plan.carriers() {
                lo.carriers.fill(Money::ZERO);
            } else {
                lo.carriers.clear();
                lo.carriers.resize(plan.carriers(), Money::ZERO);
            }
        }
    }

    /// Step 1, valuation: each line's value (already valued when the event was prepared)
    /// becomes its covered value; the ground-up loss is their sum.
    fn value_lines<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        t: &mut T,
    ) -> Result<i64, Fault> {
        self.scratch.covered.clear();
        let mut ground_up = 0i64;
        for (n, l) in ev.lines.iter().enumerate() {
            let before = ground_up;
            ground_up = ground_up.checked_add(l.value.0).or_overflow()?;
            self.scratch.covered.push(l.value.0);
            let cur = &self.plan.program.currency;
            note!(t, "valuation", None, None, before, ground_up, {
                let how = match (l.asset, &l.priced) {
                    (Some(a), Some((q, p))) => format!("{q} {a} x {p} = {}", cur.display(l.value)),
                    _ => format!("amount {}", cur.display(l.value)),
                };
                format!("line {} ({}): {how}", n.saturating_add(1), l.tier)
            });
        }
        self.scratch.covered_sum = ground_up;
        out.ground_up = Money(ground_up);
        Ok(ground_up)
    }

    /// Step 2, eligibility: an event outside the period or basis rules, or of a cause not
    /// covered, is uncovered whole. Returns whether the event goes on.
    fn check_eligibility<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        ground_up: i64,
        out: &mut Outcome,
        t: &mut T,
    ) -> Result<bool, Fault> {
        let reason = if !self.eligible(ev) {
            UncoveredReason::OutsidePeriod
        } else if self
            .plan
            .covers
            .as_ref()
            .is_some_and(|c| !c.contains(ev.cause_id))
        {
            UncoveredReason::CauseNotCovered
        } else {
            return Ok(true);
        };
        self.scratch
            .entries
            .add(out, reason, ClauseRef::None, None, Money(ground_up))?;
        note!(t, "eligibility", None, None, ground_up, 0, {
            if reason == UncoveredReason::OutsidePeriod {
                "outside the period or basis rules".to_string()
            } else {
                format!("cause `{}` is not covered", ev.cause)
            }
        });
        Ok(false)
    }

    /// The event's atom bits, and each line's answers to the clause conditions of steps
    /// 3-5 (layer exclusions read the event's bits in step 7).
    fn answer_conditions(&mut self, ev: &Event<'_>) {
        if let Some(atoms) = &self.plan.atoms {
            self.scratch.event_mask = atoms.event_mask(ev);
        }
        let clauses = Clauses {
            exclusions: &self.plan.exclusions,
            sublimits: &self.plan.sublimits,
            deductibles: &self.plan.deductibles,
        };
        self.scratch.answers.fill(
            &clauses,
            ev,
            self.plan.atoms.as_ref(),
            self.scratch.event_mask,
        );
    }

    /// Step 3, exclusions: each line goes to the first program exclusion whose condition
    /// holds for it.
    fn apply_exclusions<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        out: &mut Outcome,
        t: &mut T,
    ) -> Result<(), Fault> {
        if self.plan.exclusions.is_empty() {
            return Ok(());
        }
        for (li, line) in ev.lines.iter().enumerate() {
            let c = *self.scratch.covered.get(li).or_broken()?;
            if c == 0 {
                continue;
            }
            let Some(xi) = self.scratch.answers.exclusion(li) else {
                continue;
            };
            self.scratch.entries.add(
                out,
                UncoveredReason::Excluded,
                ClauseRef::Exclusion(u32::try_from(xi).ok().or_broken()?),
                None,
                Money(c),
            )?;
            *self.scratch.covered.get_mut(li).or_broken()? = 0;
            self.scratch.covered_sum = self.scratch.covered_sum.checked_sub(c).or_overflow()?;
            if let Some(clause) = self.plan.program.exclusions.get(xi) {
                let total = self.covered_total();
                note!(
                    t,
                    "exclusion",
                    Some(clause.name.clone()),
                    Some(clause.span),
                    total.saturating_add(c),
                    total,
                    format!("line {} ({}) excluded", li.saturating_add(1), line.tier)
                );
            }
        }
        Ok(())
    }

    /// Step 4, sub-limits in written order: the matching lines' covered value above the
    /// per-occurrence limit or the aggregate left is taken from them pro rata.
    fn apply_sublimits<T: Tracer>(&mut self, out: &mut Outcome, t: &mut T) -> Result<(), Fault> {
        let program = self.plan.program;
        for (si, clause) in program.sublimits.iter().enumerate() {
            if !self.scratch.answers.sublimit_somewhere(si) {
                continue;
            }
            self.scratch.matching.clear();
            let mut m = 0i64;
            for (li, c) in self.scratch.covered.iter().enumerate() {
                let c = *c;
                if c > 0 && self.scratch.answers.sublimit(li, si) {
                    self.scratch.matching.push(li);
                    m = m.checked_add(c).or_overflow()?;
                }
            }
            if m == 0 {
                continue;
            }
            let mut allowed = m;
            if let Some(per) = clause.per_occurrence {
                allowed = allowed.min(per.0);
            }
            let left = self.state.sublimit_left.get_mut(si).or_broken()?;
            if let Some(left) = left {
                allowed = allowed.min(left.0.max(0));
                left.0 = left.0.checked_sub(allowed).or_overflow()?;
            }
            let excess = m.checked_sub(allowed).or_overflow()?;
            if excess > 0 {
                self.take_pro_rata(excess)?;
                self.scratch.entries.add(
                    out,
                    UncoveredReason::Sublimit,
                    ClauseRef::Sublimit(u32::try_from(si).ok().or_broken()?),
                    None,
                    Money(excess),
                )?;
                let cur = &program.currency;
                let after = self.covered_total();
                note!(
                    t,
                    "sublimit",
                    Some(clause.name.clone()),
                    Some(clause.span),
                    after.saturating_add(excess),
                    after,
                    format!(
                        "matching lines worth {} capped at {}",
                        cur.display(Money(m)),
                        cur.display(Money(allowed))
                    )
                );
            }
        }
        Ok(())
    }

    /// Step 5, the deductible: the largest amount among the applicable deductibles (first
    /// written on ties), at most the covered total, taken from the lines pro rata.
    fn apply_deductible<T: Tracer>(&mut self, out: &mut Outcome, t: &mut T) -> Result<(), Fault> {
        let total = self.covered_total();
        if total == 0 {
            return Ok(());
        }
        let Some((di, amount)) = self.largest_deductible(total)? else {
            return Ok(());
        };
        let take = amount.min(total);
        if take == 0 {
            return Ok(());
        }
        self.scratch.matching.clear();
        for (i, c) in self.scratch.covered.iter().enumerate() {
            if *c > 0 {
                self.scratch.matching.push(i);
            }
        }
        self.take_pro_rata(take)?;
        if let Some(left) = self.state.deductible_left.get_mut(di).or_broken()?.as_mut() {
            left.0 = left.0.checked_sub(take).or_overflow()?;
        }
        self.scratch.entries.add(
            out,
            UncoveredReason::Deductible,
            ClauseRef::Deductible(u32::try_from(di).ok().or_broken()?),
            None,
            Money(take),
        )?;
        let d = self.plan.program.deductibles.get(di).or_broken()?;
        note!(
            t,
            "deductible",
            Some(d.name.clone()),
            Some(d.span),
            total,
            total.saturating_sub(take),
            "largest applicable deductible".to_string()
        );
        Ok(())
    }

    /// The deductible that applies with the largest amount, and that amount: a clause
    /// applies when it has no condition or its condition holds for a line with covered
    /// value; its amount is flat, or a percentage of the covered total clamped by min and
    /// max, or (a franchise) the whole total when the total is at or below it; then at
    /// most its aggregate left.
    fn largest_deductible(&self, total: i64) -> Result<Option<(usize, i64)>, Fault> {
        let mut best: Option<(usize, i64)> = None;
        for (di, d) in self.plan.program.deductibles.iter().enumerate() {
            let applies = self.scratch.answers.deductible_somewhere(di)
                && (self.scratch.covered.iter().enumerate())
                    .any(|(li, c)| *c > 0 && self.scratch.answers.deductible(li, di));
            if !applies {
                continue;
            }
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
                    let mut x = rate.apply(Money(total)).or_overflow()?.0;
                    if let Some(lo) = min {
                        x = x.max(lo.0);
                    }
                    if let Some(hi) = max {
                        x = x.min(hi.0);
                    }
                    x
                }
            };
            if let Some(left) = self.state.deductible_left.get(di).or_broken()? {
                amount = amount.min(left.0.max(0));
            }
            if best.is_none_or(|(_, b)| amount > b) {
                best = Some((di, amount));
            }
        }
        Ok(best)
    }

    /// Step 6, coinsurance: the insured keeps round(p × remaining). Returns what goes to
    /// the tower.
    fn apply_coinsurance<T: Tracer>(&mut self, out: &mut Outcome, t: &mut T) -> Result<i64, Fault> {
        let remaining = self.covered_total();
        let Some(p) = self.plan.program.coinsurance else {
            return Ok(remaining);
        };
        let kept = p.apply(Money(remaining)).or_overflow()?.0;
        if kept == 0 {
            return Ok(remaining);
        }
        self.scratch.entries.add(
            out,
            UncoveredReason::Coinsurance,
            ClauseRef::None,
            None,
            Money(kept),
        )?;
        let x = remaining.checked_sub(kept).or_overflow()?;
        note!(
            t,
            "coinsurance",
            None,
            None,
            remaining,
            x,
            "insured's share".to_string()
        );
        Ok(x)
    }

    /// Step 7, the tower: each layer's band of `x`, then the gaps between bands and the
    /// part above the top.
    fn settle_tower<T: Tracer>(
        &mut self,
        ev: &Event<'_>,
        x: i64,
        out: &mut Outcome,
        t: &mut T,
    ) -> Result<(), Fault> {
        let top = self.plan.top.or_overflow()?;
        let mut in_bands = 0i64;
        // INVARIANT: `start_event` left every layer's band at zero, so only layers the
        // loss reaches are written.
        for k in 0..self.plan.layers.len() {
            let plan = self.plan.layers.get(k).or_broken()?;
            if self.plan.ascending && x <= plan.attachment {
                // The loss reaches no layer from here up.
                break;
            }
            let band = x
                .checked_sub(plan.attachment)
                .or_overflow()?
                .max(0)
                .min(plan.limit);
            if band > 0 {
                in_bands = in_bands.checked_add(band).or_overflow()?;
                out.layers.get_mut(k).or_broken()?.band = Money(band);
                self.scratch.settled.push(k);
                self.settle_layer(k, ev, band, out, t)?;
            }
        }
        let above = x.checked_sub(top).or_overflow()?.max(0);
        let gap = x
            .checked_sub(in_bands)
            .or_overflow()?
            .checked_sub(above)
            .or_overflow()?;
        self.scratch.entries.add(
            out,
            UncoveredReason::TowerGap,
            ClauseRef::None,
            None,
            Money(gap),
        )?;
        self.scratch.entries.add(
            out,
            UncoveredReason::AboveTower,
            ClauseRef::None,
            None,
            Money(above),
        )?;
        if gap > 0 || above > 0 {
            let cur = &self.plan.program.currency;
            note!(
                t,
                "tower",
                None,
                None,
                x,
                x.saturating_sub(gap).saturating_sub(above),
                format!(
                    "{} in tower gaps, {} above the top of the tower",
                    cur.display(Money(gap)),
                    cur.display(Money(above))
                )
            );
        }
        Ok(())
    }

    /// Layer `k`'s band: excluded by a layer exclusion, or paid within the aggregate left,
    /// split among the carriers and the unplaced share by the largest-remainder method;
    /// then its reinstatement premium (step 8).
    fn settle_layer<T: Tracer>(
        &mut self,
        k: usize,
        ev: &Event<'_>,
        band: i64,
        out: &mut Outcome,
        t: &mut T,
    ) -> Result<(), Fault> {
        let k32 = u32::try_from(k).ok().or_broken()?;
        let plan = self.plan.layers.get(k).or_broken()?;
        let layer = self.plan.program.layers.get(k).or_broken()?;
        if let Some(j) = plan
            .exclusions
            .iter()
            .position(|c| c.for_event_only(ev, self.scratch.event_mask))
        {
            self.scratch.entries.add(
                out,
                UncoveredReason::LayerExcluded,
                ClauseRef::LayerExclusion(k32, u32::try_from(j).ok().or_broken()?),
                Some(k32),
                Money(band),
            )?;
            let ex = layer.exclusions.get(j).or_broken()?;
            note!(
                t,
                "layer",
                Some(layer.name.clone()),
                Some(ex.span),
                band,
                0,
                format!("band excluded by `{}`", ex.name)
            );
            return Ok(());
        }
        let mut paid = band;
        if let Some(left) = self.state.layer_left.get_mut(k).or_broken()?.as_mut() {
            paid = paid.min(left.0.max(0));
            left.0 = left.0.checked_sub(paid).or_overflow()?;
        }
        let short = band.checked_sub(paid).or_overflow()?;
        self.scratch.entries.add(
            out,
            UncoveredReason::AggregateExhausted,
            ClauseRef::None,
            Some(k32),
            Money(short),
        )?;
        let mut few = [0i64; FEW];
        let s = &mut self.scratch;
        let parts = (plan.split)
            .split(paid, &plan.weights, &mut few, &mut s.parts, &mut s.split)
            .or_overflow()?;
        let n = plan.carriers();
        let lo = out.layers.get_mut(k).or_broken()?;
        let mut carriers_paid = 0i64;
        for (slot, part) in lo.carriers.iter_mut().zip(parts.iter().take(n)) {
            *slot = Money(*part);
            carriers_paid = carriers_paid.checked_add(*part).or_overflow()?;
        }
        let unplaced = *parts.get(n).or_broken()?;
        lo.paid = Money(carriers_paid);
        lo.unplaced = Money(unplaced);
        out.paid = out.paid.checked_add(Money(carriers_paid)).or_overflow()?;
        self.scratch.entries.add(
            out,
            UncoveredReason::UnplacedShare,
            ClauseRef::None,
            Some(k32),
            Money(unplaced),
        )?;
        self.charge_reinstatement_premium(k, paid, ev.occurred)?;
        let cur = &self.plan.program.currency;
        note!(
            t,
            "layer",
            Some(layer.name.clone()),
            Some(layer.span),
            band,
            carriers_paid,
            format!(
                "{} xs {}: band {}, paid by carriers {}{}{}",
                cur.display(layer.limit),
                cur.display(layer.attachment),
                cur.display(Money(band)),
                cur.display(Money(carriers_paid)),
                if short > 0 {
                    format!(", {} beyond the aggregate", cur.display(Money(short)))
                } else {
                    String::new()
                },
                if unplaced > 0 {
                    format!(", {} unplaced", cur.display(Money(unplaced)))
                } else {
                    String::new()
                },
            )
        );
        Ok(())
    }

    /// Step 8, reinstatement premium of a payment of `paid` (100%) by layer `k`, for an
    /// occurrence at `occurred` (which matters only `pro rata as to time`, section 11.3):
    /// the part of the payment falling in the i-th reinstated limit costs
    /// (part / L) × rate_i × P [× unexpired fraction], rounded half-even once.
    fn charge_reinstatement_premium(
        &mut self,
        k: usize,
        paid: i64,
        occurred: Instant,
    ) -> Result<(), Fault> {
        let c0 = *self.state.layer_cumulative.get(k).or_broken()?;
        let c1 = c0.checked_add(paid).or_overflow()?;
        *self.state.layer_cumulative.get_mut(k).or_broken()? = c1;
        let plan = self.plan.layers.get(k).or_broken()?;
        let (Some(premium), true) = (plan.premium, plan.reinstated_total > 0) else {
            return Ok(());
        };
        if paid == 0 || plan.limit <= 0 {
            return Ok(());
        }
        let l = plan.limit;
        let first = c0.checked_div(l).or_overflow()?;
        let last = c1
            .checked_sub(1)
            .or_overflow()?
            .checked_div(l)
            .or_overflow()?;
        let mut cost = 0i64;
        for i in first..=last {
            let Ok(idx) = u64::try_from(i) else { continue };
            if idx >= plan.reinstated_total {
                break;
            }
            let lo = i.checked_mul(l).or_overflow()?.max(c0);
            let hi = i
                .checked_add(1)
                .or_overflow()?
                .checked_mul(l)
                .or_overflow()?
                .min(c1);
            let part = hi.checked_sub(lo).or_overflow()?;
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
            let rate = rate.or_broken()?;
            let mut num = i128::from(part)
                .checked_mul(rate.num)
                .or_overflow()?
                .checked_mul(i128::from(premium))
                .or_overflow()?;
            let mut den = i128::from(l)
                .checked_mul(rate.den().or_broken()?)
                .or_overflow()?;
            if plan.pro_rata {
                let (left, whole) = self.unexpired(occurred)?;
                num = num.checked_mul(left).or_overflow()?;
                den = den.checked_mul(whole).or_overflow()?;
            }
            let c = crate::money::div_round_half_even(num, den).or_overflow()?;
            cost = cost
                .checked_add(i64::try_from(c).ok().or_broken()?)
                .or_overflow()?;
        }
        let p = self.state.layer_premium.get_mut(k).or_broken()?;
        *p = p.checked_add(Money(cost)).or_overflow()?;
        Ok(())
    }

    /// The unexpired part of the period at `occurred`, as (numerator, denominator) in
    /// seconds (section 11.3); 1 before the period start, 0 after its end.
    fn unexpired(&self, occurred: Instant) -> Result<(i128, i128), Fault> {
        let period = &self.plan.program.period;
        let whole = period.end.0.checked_sub(period.start.0).or_overflow()?;
        let left = period
            .end
            .0
            .checked_sub(occurred.0)
            .or_overflow()?
            .clamp(0, whole);
        Ok((i128::from(left), i128::from(whole)))
    }

    /// Takes `amount` from the lines in `self.scratch.matching` pro rata to their covered value
    /// (largest remainder, earlier line first on ties).
    fn take_pro_rata(&mut self, amount: i64) -> Result<(), Fault> {
        if amount == 0 {
            return Ok(());
        }
        // INVARIANT: the parts taken from the lines add up to `amount` exactly.
        self.scratch.covered_sum = self.scratch.covered_sum.checked_sub(amount).or_overflow()?;
        if let [only] = self.scratch.matching.as_slice() {
            let c = self.scratch.covered.get_mut(*only).or_broken()?;
            *c = c.checked_sub(amount).or_overflow()?;
            return Ok(());
        }
        if self.scratch.matching.len() <= FEW {
            let mut weights = [0i64; FEW];
            for (w, i) in weights.iter_mut().zip(&self.scratch.matching) {
                *w = *self.scratch.covered.get(*i).or_broken()?;
            }
            let weights = weights.get(..self.scratch.matching.len()).or_broken()?;
            let mut parts = [0i64; FEW];
            if split_few(amount, weights, &mut parts).is_some() {
                for (i, part) in self.scratch.matching.iter().zip(parts) {
                    let c = self.scratch.covered.get_mut(*i).or_broken()?;
                    *c = c.checked_sub(part).or_overflow()?;
                }
                return Ok(());
            }
        }
        self.scratch.weights.clear();
        for i in &self.scratch.matching {
            self.scratch
                .weights
                .push(i128::from(*self.scratch.covered.get(*i).or_broken()?));
        }
        split_into(
            amount,
            &self.scratch.weights,
            &mut self.scratch.parts,
            &mut self.scratch.split,
        )
        .or_overflow()?;
        for (i, part) in self.scratch.matching.iter().zip(&self.scratch.parts) {
            let c = self.scratch.covered.get_mut(*i).or_broken()?;
            *c = c.checked_sub(*part).or_overflow()?;
        }
        Ok(())
    }

    /// The sum of the lines' covered values.
    pub(super) fn covered_total(&self) -> i64 {
        let sum = self.scratch.covered_sum;
        debug_assert_eq!(
            Some(sum),
            self.scratch
                .covered
                .iter()
                .try_fold(0i64, |a, c| a.checked_add(*c)),
            "the running covered total is the lines' sum"
        );
        sum
    }
}
