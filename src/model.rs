//! A compiled model (spec section 12.1): perils drawing events for simulated years,
//! checked against the program it runs with. Parameters are `f64` (they drive sampling);
//! every drawn amount is rounded once to the program's minor unit, and from there all is
//! exact.

use crate::money::Money;
use crate::program::Value;
use crate::span::Span;
use crate::time::Duration;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A model checked against a program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The model's name.
    pub name: String,
    /// Years to simulate, when the model says.
    pub years: Option<u64>,
    /// Seed of the random streams, when the model says.
    pub seed: Option<u64>,
    /// Perils in written order (their index, from 1, is in every event id).
    pub perils: Vec<Peril>,
    /// Index perils in written order (spec section 14), drawn after the loss perils.
    pub index_perils: Vec<IndexPeril>,
}

/// An index peril: excursions of one index away from its baseline (spec section 14).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexPeril {
    /// Peril name.
    pub name: String,
    /// The index it moves.
    pub index: String,
    /// The value outside excursions.
    pub baseline: Decimal,
    /// Decimals a drawn worst value is rounded to (those of `baseline`, at least 4).
    pub decimals: u32,
    /// Excursions per year.
    pub frequency: Frequency,
    /// The excursion's worst value.
    pub worst: Worst,
    /// The excursion's duration.
    pub duration: DurationDist,
    /// Upper bound on a duration, seconds.
    pub cap: Option<i64>,
    /// Source text.
    pub span: Span,
}

/// How an excursion's worst value is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Worst {
    /// Always this value.
    Fixed(Decimal),
    /// Uniform between the two.
    Uniform(f64, f64),
    /// from + (to − from) × Beta(a, b).
    Beta {
        /// a.
        a: f64,
        /// b.
        b: f64,
        /// Lower end.
        from: f64,
        /// Upper end.
        to: f64,
    },
    /// One of the values, equally likely.
    Empirical(Vec<Decimal>),
}

impl Worst {
    /// The lowest and highest value it can draw.
    pub fn range(&self) -> (f64, f64) {
        use rust_decimal::prelude::ToPrimitive;
        let f = |d: &Decimal| d.to_f64().unwrap_or(0.0);
        match self {
            Worst::Fixed(v) => (f(v), f(v)),
            Worst::Uniform(a, b) => (*a, *b),
            Worst::Beta { from, to, .. } => (from.min(*to), from.max(*to)),
            Worst::Empirical(v) => v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), x| {
                (lo.min(f(x)), hi.max(f(x)))
            }),
        }
    }
}

/// How an excursion's duration is drawn, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DurationDist {
    /// Always this many seconds.
    Fixed(i64),
    /// Uniform between the two (seconds).
    Uniform(f64, f64),
    /// Lognormal: ln(seconds) is normal with mean μ and σ.
    Lognormal {
        /// μ.
        mu: f64,
        /// σ.
        sigma: f64,
    },
    /// One of the durations (seconds), equally likely.
    Empirical(Vec<i64>),
}

/// One peril: a cause, how many events a year, and a loss line per `loss` item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peril {
    /// Peril name.
    pub name: String,
    /// Cause of its events.
    pub cause: String,
    /// Events per year.
    pub frequency: Frequency,
    /// One line per item, in written order.
    pub losses: Vec<LossSpec>,
    /// Every attribute of the program, defaults or the peril's `with` values.
    pub attributes: Vec<Value>,
    /// Discovery after occurrence.
    pub discovered_after: Duration,
    /// Source text.
    pub span: Span,
}

/// How many events a peril draws in a year.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Frequency {
    /// Poisson with mean λ.
    Poisson(f64),
    /// Negative binomial with mean m and dispersion k (variance m + m²/k), drawn as a
    /// Poisson with a Gamma(k, m/k) mean.
    NegativeBinomial {
        /// Mean.
        mean: f64,
        /// Dispersion.
        dispersion: f64,
    },
    /// Exactly N.
    Fixed(u64),
}

impl Frequency {
    /// The expected number of events a year.
    pub fn mean(&self) -> f64 {
        match self {
            Frequency::Poisson(l) => *l,
            Frequency::NegativeBinomial { mean, .. } => *mean,
            Frequency::Fixed(n) => *n as f64,
        }
    }
}

/// One loss line of a peril's events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossSpec {
    /// Storage tier.
    pub tier: String,
    /// How the amount is drawn.
    pub severity: Severity,
    /// Upper bound, in minor units.
    pub cap: Option<Money>,
}

/// How a line's amount is drawn; parameters in the program currency's major units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Severity {
    /// Always this amount.
    Fixed(Money),
    /// Uniform between the two.
    Uniform(f64, f64),
    /// Lognormal: the logarithm is normal with mean μ = ln(median) and σ.
    Lognormal {
        /// μ.
        mu: f64,
        /// σ.
        sigma: f64,
    },
    /// Pareto I: x ≥ scale, tail index shape.
    Pareto {
        /// Scale.
        scale: f64,
        /// Shape α.
        shape: f64,
    },
    /// A Beta(a, b) fraction of the tier's declared exposure.
    ShareOfExposure {
        /// a.
        a: f64,
        /// b.
        b: f64,
        /// The exposure, major units.
        exposure: f64,
    },
    /// One of the amounts, equally likely.
    Empirical(Vec<Money>),
}

/// Most events one peril may draw in one year (a bound on what a model can ask for).
pub const MAX_EVENTS_PER_PERIL_YEAR: u64 = 1_000_000;
/// Most events a model may expect in one year over all its perils: a simulated year's
/// events are held in memory (about 400 bytes each).
pub const MAX_EXPECTED_EVENTS_PER_YEAR: u64 = 100_000;
/// Most years one simulation may run.
pub const MAX_YEARS: u64 = 1_000_000_000;
