//! Drawing a simulated year's events (spec section 12.1-12.2): one random stream per
//! (seed, year), perils in written order, for each its count, then for each event its
//! instant and one amount per `loss` item, each rounded half-even once to the minor unit.

use crate::model::MAX_EVENTS_PER_PERIL_YEAR;
use crate::model::{DurationDist, Frequency, IndexPeril, Model, Severity, Worst};
use crate::money::{Currency, Money};
use crate::program::Program;
use crate::time::Instant;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Pareto, Poisson};
use rust_decimal::Decimal;

/// Drawn amounts above this many major units are clamped (a cap in the model avoids it).
pub const MAX_DRAW_MAJOR: f64 = 1e13;

/// One drawn event: its peril, number within the peril's year, instants and line values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawnEvent {
    /// Index of the peril in the model.
    pub peril: usize,
    /// Number of the event within its peril's year, from 1.
    pub k: u64,
    /// Occurrence instant.
    pub occurred: Instant,
    /// Discovery instant.
    pub discovered: Instant,
    /// First of its lines in [`Year::lines`].
    pub first_line: usize,
}

/// A year's draws, reused from year to year.
#[derive(Clone, Debug, Default)]
pub struct Year {
    /// Events in drawing order.
    pub events: Vec<DrawnEvent>,
    /// Line values, each event's in the order of its peril's `loss` items.
    pub lines: Vec<Money>,
    /// Drawn amounts above [`MAX_DRAW_MAJOR`] kept at it (no `cap` below it applied).
    pub clamped: u64,
    /// Index excursions, in drawing order (index perils in written order).
    pub excursions: Vec<DrawnExcursion>,
}

/// One drawn index excursion (spec section 14): its peril, start, end and worst value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawnExcursion {
    /// Index of the index peril in the model.
    pub peril: usize,
    /// First instant at the worst value.
    pub start: Instant,
    /// Instant the index is back at its baseline (start + duration).
    pub end: Instant,
    /// The worst value, rounded to the peril's decimals.
    pub worst: Decimal,
}

/// The random stream of `year` under `seed`: ChaCha8 keyed by the seed, one stream per
/// year, so any year can be drawn on its own.
pub fn stream(seed: u64, year: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(year);
    rng
}

/// Draws `year`'s events into `out`.
pub fn draw_year(program: &Program, model: &Model, seed: u64, year: u64, out: &mut Year) {
    draw_year_from(program, model, &mut stream(seed, year), out);
}

/// Draws a year's events into `out` from the year's stream `rng`.
pub(crate) fn draw_year_from(
    program: &Program,
    model: &Model,
    rng: &mut ChaCha8Rng,
    out: &mut Year,
) {
    out.events.clear();
    out.lines.clear();
    out.clamped = 0;
    let start = program.period.start.0;
    let span = program.period.end.0.saturating_sub(start).max(1);
    let cur = &program.currency;
    for (p, peril) in model.perils.iter().enumerate() {
        let n = count(&peril.frequency, rng);
        for k in 1..=n {
            let at = rng.random_range(0..span);
            let occurred = Instant(start.saturating_add(at));
            let discovered = Instant(occurred.0.saturating_add(peril.discovered_after.0.max(0)));
            let first_line = out.lines.len();
            for loss in &peril.losses {
                let (drawn, clamped) = amount(&loss.severity, cur, rng);
                let v = loss.cap.map_or(drawn, |cap| drawn.min(cap));
                // Clamped only when no cap below the clamp applies.
                if clamped && v == drawn {
                    out.clamped = out.clamped.saturating_add(1);
                }
                out.lines.push(v);
            }
            out.events.push(DrawnEvent {
                peril: p,
                k,
                occurred,
                discovered,
                first_line,
            });
        }
    }
    // After the loss perils, so that adding an index peril changes no loss drawn.
    out.excursions.clear();
    for (p, peril) in model.index_perils.iter().enumerate() {
        let n = count(&peril.frequency, rng);
        for _ in 0..n {
            let at = rng.random_range(0..span);
            let start = Instant(program.period.start.0.saturating_add(at));
            let worst = worst(peril, rng);
            let secs = duration(peril, rng);
            out.excursions.push(DrawnExcursion {
                peril: p,
                start,
                end: Instant(start.0.saturating_add(secs)),
                worst,
            });
        }
    }
}

/// An excursion's worst value, rounded half-even to the peril's decimals.
fn worst(peril: &IndexPeril, rng: &mut ChaCha8Rng) -> Decimal {
    let x = match &peril.worst {
        Worst::Fixed(v) => return *v,
        Worst::Empirical(values) => {
            let i = rng.random_range(0..values.len().max(1));
            return values.get(i).copied().unwrap_or(peril.baseline);
        }
        Worst::Uniform(lo, hi) => {
            let u: f64 = rng.random();
            lo + (hi - lo) * u
        }
        Worst::Beta { a, b, from, to } => {
            let f = Beta::new(*a, *b).map(|d| d.sample(rng)).unwrap_or(0.0);
            from + (to - from) * f
        }
    };
    round_signed(x, peril.decimals).unwrap_or(peril.baseline)
}

/// `x` rounded half-even to `decimals` on its exact binary value.
fn round_signed(x: f64, decimals: u32) -> Option<Decimal> {
    if !x.is_finite() || x.abs() > MAX_DRAW_MAJOR {
        return None;
    }
    if x == 0.0 {
        return Some(Decimal::ZERO);
    }
    let m = exact_round(x.abs(), decimals)?.0;
    let m = if x < 0.0 { m.checked_neg()? } else { m };
    Some(Decimal::new(m, decimals))
}

/// An excursion's duration in whole seconds (half-even), at least one, at most the cap.
fn duration(peril: &IndexPeril, rng: &mut ChaCha8Rng) -> i64 {
    let secs = match &peril.duration {
        DurationDist::Fixed(s) => *s,
        DurationDist::Empirical(values) => {
            let i = rng.random_range(0..values.len().max(1));
            values.get(i).copied().unwrap_or(1)
        }
        DurationDist::Uniform(lo, hi) => {
            let u: f64 = rng.random();
            whole_seconds(lo + (hi - lo) * u)
        }
        DurationDist::Lognormal { mu, sigma } => whole_seconds(
            LogNormal::new(*mu, *sigma)
                .map(|d| d.sample(rng))
                .unwrap_or(1.0),
        ),
    };
    let secs = peril.cap.map_or(secs, |c| secs.min(c));
    secs.clamp(1, crate::time::Duration::MAX.0)
}

/// Seconds rounded half-even, within what a duration may be.
fn whole_seconds(x: f64) -> i64 {
    let max = crate::time::Duration::MAX.0 as f64;
    if !x.is_finite() || x >= max {
        return crate::time::Duration::MAX.0;
    }
    exact_round(x.max(0.0), 0).map_or(1, |m| m.0)
}

/// Events drawn for one peril in one year.
pub(crate) fn count(f: &Frequency, rng: &mut ChaCha8Rng) -> u64 {
    let draw = match f {
        Frequency::Fixed(n) => return *n,
        Frequency::Poisson(l) => poisson(*l, rng),
        Frequency::NegativeBinomial { mean, dispersion } => {
            if *mean <= 0.0 {
                0.0
            } else {
                let lambda = Gamma::new(*dispersion, mean / dispersion)
                    .map(|g| g.sample(rng))
                    .unwrap_or(0.0);
                poisson(lambda, rng)
            }
        }
    };
    if draw.is_finite() && draw > 0.0 {
        (draw as u64).min(MAX_EVENTS_PER_PERIL_YEAR)
    } else {
        0
    }
}

fn poisson(lambda: f64, rng: &mut ChaCha8Rng) -> f64 {
    if lambda <= 0.0 || !lambda.is_finite() {
        return 0.0;
    }
    Poisson::new(lambda).map(|p| p.sample(rng)).unwrap_or(0.0)
}

/// One drawn amount, rounded half-even to the minor unit, and whether it was above
/// [`MAX_DRAW_MAJOR`] and clamped.
fn amount(s: &Severity, cur: &Currency, rng: &mut ChaCha8Rng) -> (Money, bool) {
    let major = match s {
        Severity::Fixed(m) => return (*m, false),
        Severity::Empirical(values) => {
            let i = rng.random_range(0..values.len().max(1));
            return (values.get(i).copied().unwrap_or(Money::ZERO), false);
        }
        Severity::Uniform(lo, hi) => {
            if hi > lo {
                let u: f64 = rng.random();
                lo + (hi - lo) * u
            } else {
                *lo
            }
        }
        Severity::Lognormal { mu, sigma } => LogNormal::new(*mu, *sigma)
            .map(|d| d.sample(rng))
            .unwrap_or(0.0),
        Severity::Pareto { scale, shape } => Pareto::new(*scale, *shape)
            .map(|d| d.sample(rng))
            .unwrap_or(0.0),
        Severity::ShareOfExposure { a, b, exposure } => {
            Beta::new(*a, *b).map(|d| d.sample(rng)).unwrap_or(0.0) * exposure
        }
    };
    (round_major(major, cur), major > MAX_DRAW_MAJOR)
}

/// A drawn amount in major units, rounded half-even once to the minor unit; not finite
/// or negative draws are zero, draws above [`MAX_DRAW_MAJOR`] are clamped.
pub fn round_major(major: f64, cur: &Currency) -> Money {
    if !major.is_finite() || major <= 0.0 {
        return Money::ZERO;
    }
    let major = major.min(MAX_DRAW_MAJOR);
    exact_round(major, cur.minor_units)
        .or_else(|| Decimal::from_f64_retain(major).and_then(|d| cur.money_rounded(d)))
        .unwrap_or(Money::ZERO)
}

/// `round_half_even(x × 10^decimals)` of the exact binary value of `x` (0 < x ≤ 10^13),
/// in integers: x = m · 2^e, so x · 10^d = m · 10^d · 2^e.
fn exact_round(x: f64, decimals: u32) -> Option<Money> {
    let bits = x.to_bits();
    let exp = i32::try_from((bits >> 52) & 0x7ff).ok()?;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp.checked_sub(1075)?)
    };
    let scaled = i128::from(m).checked_mul(10i128.checked_pow(decimals)?)?;
    let v = if e >= 0 {
        scaled.checked_shl(u32::try_from(e).ok()?)?
    } else {
        let shift = u32::try_from(e.checked_neg()?).ok()?;
        if shift >= 127 {
            return Some(Money::ZERO);
        }
        crate::money::div_round_half_even(scaled, 1i128.checked_shl(shift)?)?
    };
    i64::try_from(v).ok().map(Money)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_round_half_even_on_their_exact_binary_value() {
        let usd = Currency::usd();
        for x in [
            0.005, 0.015, 0.125, 1.0, 2.675, 1234.5678, 3e6, 9.99e12, 1e-300, 7.0e-3,
        ] {
            let via_decimal = Decimal::from_f64_retain(x)
                .and_then(|d| usd.money_rounded(d))
                .unwrap();
            assert_eq!(exact_round(x, 2), Some(via_decimal), "{x}");
        }
        // 0.125 is exact in binary: half-even to 0.12; 2.675 is 2.67499999… in binary.
        assert_eq!(exact_round(0.125, 2), Some(Money(12)));
        assert_eq!(exact_round(2.675, 2), Some(Money(267)));
        assert_eq!(exact_round(0.5, 0), Some(Money(0)));
        assert_eq!(exact_round(1.5, 0), Some(Money(2)));
    }
}
