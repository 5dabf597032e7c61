//! Parametric covers (spec section 8): excursions of an index series, triggers, severity,
//! step and linear payouts, the aggregate and the carrier split.

use super::{CarrierPaid, ParametricClaim, ReplayError};
use crate::ast::Direction;
use crate::money::{div_round_half_even, Fraction, Money};
use crate::money::{share_weights, split_into};
use crate::program::{ParametricCover, Payout, Program};
use crate::scenario::{Indices, ScenarioError};
use crate::time::Instant;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What became of an excursion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcursionOutcome {
    /// It triggered and counts: a claim.
    Claim,
    /// Shorter than the trigger duration.
    TooShort,
    /// It started before the period start plus the waiting period.
    InWaitingPeriod,
    /// Its trigger instant lies outside the policy period.
    TriggerOutsidePeriod,
}

/// A maximal interval in which a cover's trigger condition holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excursion {
    /// First instant the condition holds.
    pub start: Instant,
    /// First instant it no longer holds (or the series' last observation).
    pub end: Instant,
    /// Worst value over the excursion.
    pub severity: Decimal,
    /// Start plus the trigger duration, when the excursion lasts that long.
    pub trigger: Option<Instant>,
    /// What became of it.
    pub outcome: ExcursionOutcome,
}

fn holds(direction: Direction, value: Decimal, threshold: Decimal) -> bool {
    match direction {
        Direction::Below => value < threshold,
        Direction::Above => value > threshold,
    }
}

fn worse(direction: Direction, a: Decimal, b: Decimal) -> Decimal {
    match direction {
        Direction::Below => a.min(b),
        Direction::Above => a.max(b),
    }
}

/// Every excursion of `series` for `cover`, with its outcome under `program`'s period.
pub fn excursions(
    program: &Program,
    cover: &ParametricCover,
    series: &[(Instant, Decimal)],
) -> Vec<Excursion> {
    let mut out = Vec::new();
    let mut i = 0usize;
    let n = series.len();
    while i < n {
        let Some(&(start, v)) = series.get(i) else {
            break;
        };
        if !holds(cover.direction, v, cover.threshold) {
            i = i.saturating_add(1);
            continue;
        }
        let mut j = i;
        let mut severity = v;
        while let Some(&(_, next)) = series.get(j.saturating_add(1)) {
            if !holds(cover.direction, next, cover.threshold) {
                break;
            }
            severity = worse(cover.direction, severity, next);
            j = j.saturating_add(1);
        }
        // INVARIANT: the excursion ends where the next observation breaks it, or at the
        // series' last observation.
        let end = series
            .get(j.saturating_add(1))
            .or_else(|| series.get(j))
            .map_or(start, |(t, _)| *t);
        let long_enough = end
            .checked_since(start)
            .is_some_and(|len| len >= cover.duration);
        let trigger = if long_enough {
            start.checked_add(cover.duration)
        } else {
            None
        };
        let outcome = match trigger {
            None => ExcursionOutcome::TooShort,
            Some(t) if t < program.period.start || t >= program.period.end => {
                ExcursionOutcome::TriggerOutsidePeriod
            }
            Some(_) => {
                let earliest = program.period.start.saturating_add(cover.waiting);
                if start < earliest {
                    ExcursionOutcome::InWaitingPeriod
                } else {
                    ExcursionOutcome::Claim
                }
            }
        };
        out.push(Excursion {
            start,
            end,
            severity,
            trigger,
            outcome,
        });
        i = j.saturating_add(1);
    }
    out
}

/// `value` as an integer over `10^scale`, at a common `scale`.
fn scaled(value: Decimal, scale: u32) -> Option<i128> {
    let up = scale.checked_sub(value.scale())?;
    value.mantissa().checked_mul(10i128.checked_pow(up)?)
}

/// The fraction of the notional a severity earns, and the payout in minor units.
fn payout(cover: &ParametricCover, severity: Decimal) -> Option<(Decimal, Money)> {
    match &cover.payout {
        Payout::Steps(steps) => {
            let mut best: Option<(Decimal, Money)> = None;
            for s in steps {
                let applies = s.when.is_none_or(|y| holds(cover.direction, severity, y));
                if applies && best.is_none_or(|(f, _)| s.fraction > f) {
                    best = Some((s.fraction, s.notional));
                }
            }
            match best {
                None => Some((Decimal::ZERO, Money::ZERO)),
                Some((f, n)) => Some((f, Fraction::from_decimal(f)?.apply(n)?)),
            }
        }
        Payout::Linear {
            from_fraction,
            from_at,
            to_fraction,
            to_at,
            notional,
        } => {
            let (f1, f2, n) = (*from_fraction, *to_fraction, *notional);
            if !holds(cover.direction, severity, *from_at) {
                return Some((Decimal::ZERO, Money::ZERO));
            }
            if !holds(cover.direction, *to_at, severity) {
                // At or beyond the second point.
                return Some((f2, Fraction::from_decimal(f2)?.apply(n)?));
            }
            // fraction = f1 + (f2 - f1) × d / span, with d the distance past the first point.
            let span = from_at.checked_sub(*to_at)?.abs();
            let d = from_at.checked_sub(severity)?.abs();
            let num = f1
                .checked_mul(span)?
                .checked_add(f2.checked_sub(f1)?.checked_mul(d)?)?;
            let scale = num.scale().max(span.scale());
            let num_i = scaled(num, scale)?;
            let span_i = scaled(span, scale)?;
            let amount = div_round_half_even(i128::from(n.0).checked_mul(num_i)?, span_i)?;
            let fraction = num.checked_div(span)?.round_dp(10).normalize();
            Some((fraction, Money(i64::try_from(amount).ok()?)))
        }
    }
}

/// Evaluates every parametric cover of `program` on the scenario's index series.
pub fn evaluate(program: &Program, indices: &Indices) -> Result<Vec<ParametricClaim>, ReplayError> {
    let cur = &program.currency;
    let mut claims: Vec<(Instant, usize, ParametricClaim)> = Vec::new();
    let overflow = |cover: &ParametricCover| ReplayError::Overflow {
        event: format!("parametric cover `{}`", cover.name),
        what: "a payout",
    };
    for (ci, cover) in program.parametric.iter().enumerate() {
        let series = indices
            .get(&cover.index)
            .ok_or_else(|| ScenarioError::MissingIndex {
                cover: cover.name.clone(),
                index: cover.index.clone(),
            })?;
        let shares: Vec<Fraction> = cover.carriers.iter().map(|c| c.share).collect();
        let weights = share_weights(&shares).ok_or_else(|| overflow(cover))?;
        let mut left = cover.aggregate;
        let (mut parts, mut scratch) = (Vec::new(), Vec::new());
        for ex in excursions(program, cover, series) {
            let (ExcursionOutcome::Claim, Some(trigger)) = (ex.outcome, ex.trigger) else {
                continue;
            };
            let (fraction, pay) = payout(cover, ex.severity).ok_or_else(|| overflow(cover))?;
            let amount = match left {
                Some(l) => pay.min(l.max(Money::ZERO)),
                None => pay,
            };
            if let Some(l) = left.as_mut() {
                *l = l.checked_sub(amount).ok_or_else(|| overflow(cover))?;
            }
            split_into(amount.0, &weights, &mut parts, &mut scratch)
                .ok_or_else(|| overflow(cover))?;
            let carriers = cover
                .carriers
                .iter()
                .zip(&parts)
                .map(|(c, p)| CarrierPaid {
                    carrier: c.name.clone(),
                    paid: cur.decimal(Money(*p)),
                })
                .collect();
            let unplaced = parts.get(cover.carriers.len()).copied().unwrap_or(0);
            claims.push((
                trigger,
                ci,
                ParametricClaim {
                    cover: cover.name.clone(),
                    excursion_start: ex.start.to_string(),
                    excursion_end: ex.end.to_string(),
                    trigger: trigger.to_string(),
                    severity: ex.severity,
                    fraction,
                    payout: cur.decimal(pay),
                    aggregate_exhausted: cur
                        .decimal(pay.checked_sub(amount).ok_or_else(|| overflow(cover))?),
                    amount: cur.decimal(amount),
                    carriers,
                    unplaced_share: cur.decimal(Money(unplaced)),
                },
            ));
        }
    }
    // Claims in order of trigger instant; covers in written order on ties.
    claims.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(claims.into_iter().map(|(_, _, c)| c).collect())
}
