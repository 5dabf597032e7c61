//! `specie fit --index FILE --below L`: an index peril fitted on documented depegs (spec
//! section 14). The worst value of each depeg below `L` is fitted as `L × Beta(a, b)` (a
//! Beta on the range 0 to `L`, by maximum likelihood); the hours below `L` of the depegs
//! that recovered as a lognormal. The result is printed as the `worst` and `duration`
//! lines of an `index peril`.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why depegs cannot be fitted.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum IndexFitError {
    /// The file is not a depeg list.
    #[error("not a depeg list: {0}")]
    #[diagnostic(
        code(specie::fit::depegs),
        help("give a JSON object with `depegs`: [{{id, coin, direction, worst, hours_below_0_99, hours_below_0_97, …}}]")
    )]
    Shape(String),
    /// A level the file has no hours for.
    #[error("`--below {0}` is not a level the file gives hours for")]
    #[diagnostic(code(specie::fit::level), help("use `--below 0.99` or `--below 0.97`"))]
    Level(String),
    /// Too few depegs for a fit.
    #[error("{found} {what} below the level; a fit needs at least 3")]
    #[diagnostic(code(specie::fit::too_few))]
    TooFew {
        /// How many.
        found: usize,
        /// Of what.
        what: &'static str,
    },
}

/// One documented depeg.
#[derive(Clone, Debug, Deserialize)]
struct Depeg {
    id: String,
    direction: String,
    #[serde(with = "rust_decimal::serde::str")]
    worst: Decimal,
    hours_below_0_99: Option<f64>,
    hours_below_0_97: Option<f64>,
    recovered: bool,
}

#[derive(Deserialize)]
struct File {
    depegs: Vec<Depeg>,
}

/// The fitted index peril.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndexFit {
    /// The level `L`.
    pub below: f64,
    /// Depegs whose worst value is below `L` (the worst fit).
    pub worst_ids: Vec<String>,
    /// Beta a and b of worst / L.
    pub a: f64,
    /// b.
    pub b: f64,
    /// Depegs with hours below `L` that recovered (the duration fit).
    pub duration_ids: Vec<String>,
    /// Median hours below `L`.
    pub median_hours: f64,
    /// σ of the log hours.
    pub sigma: f64,
}

/// Reads the depeg list and fits the depegs below `below` (0.99 or 0.97).
pub fn fit_index(text: &str, below: &str) -> Result<IndexFit, IndexFitError> {
    let file: File = serde_json::from_str(text).map_err(|e| IndexFitError::Shape(e.to_string()))?;
    let hours: fn(&Depeg) -> Option<f64> = match below {
        "0.99" => |d| d.hours_below_0_99,
        "0.97" => |d| d.hours_below_0_97,
        other => return Err(IndexFitError::Level(other.to_string())),
    };
    let level: f64 = below.parse().unwrap_or(0.99);
    let falls: Vec<&Depeg> = file
        .depegs
        .iter()
        .filter(|d| d.direction == "below" && d.worst.to_f64().is_some_and(|w| w < level))
        .collect();
    let x: Vec<f64> = falls
        .iter()
        .filter_map(|d| d.worst.to_f64())
        .map(|w| (w / level).clamp(1e-6, 1.0 - 1e-6))
        .collect();
    if x.len() < 3 {
        return Err(IndexFitError::TooFew {
            found: x.len(),
            what: "depegs",
        });
    }
    let (a, b) = beta_mle(&x);
    let timed: Vec<(&Depeg, f64)> = falls
        .iter()
        .filter(|d| d.recovered)
        .filter_map(|d| hours(d).filter(|h| *h > 0.0).map(|h| (*d, h)))
        .collect();
    if timed.len() < 3 {
        return Err(IndexFitError::TooFew {
            found: timed.len(),
            what: "recovered depegs with documented hours",
        });
    }
    let logs: Vec<f64> = timed.iter().map(|(_, h)| libm::log(*h)).collect();
    let n = logs.len() as f64;
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|l| (l - mu) * (l - mu)).sum::<f64>() / n).sqrt();
    Ok(IndexFit {
        below: level,
        worst_ids: falls.iter().map(|d| d.id.clone()).collect(),
        a,
        b,
        duration_ids: timed.iter().map(|(d, _)| d.id.clone()).collect(),
        median_hours: libm::exp(mu),
        sigma,
    })
}

impl IndexFit {
    /// The `worst` and `duration` lines of an `index peril`.
    pub fn lines(&self) -> (String, String) {
        (
            format!(
                "worst beta {:.3} {:.3} from 0 to {}",
                self.a, self.b, self.below
            ),
            format!(
                "duration lognormal median {:.1} hours sigma {:.3}",
                self.median_hours, self.sigma
            ),
        )
    }

    /// The text `specie fit --index` prints.
    pub fn text(&self, file: &str) -> String {
        let (worst, duration) = self.lines();
        format!(
            "{file}: depegs below {below}\n\
             worst     {n} depegs ({ids}): worst / {below} ~ Beta(a {a:.3}, b {b:.3}), mean {mean:.4}\n\
             duration  {m} recovered depegs ({dids}): lognormal median {med:.1} hours, sigma {s:.3}\n\n\
             index peril lines:\n  {worst}\n  {duration}\n",
            below = self.below,
            n = self.worst_ids.len(),
            ids = self.worst_ids.join(", "),
            a = self.a,
            b = self.b,
            mean = self.below * self.a / (self.a + self.b),
            m = self.duration_ids.len(),
            dids = self.duration_ids.join(", "),
            med = self.median_hours,
            s = self.sigma,
        )
    }
}

/// Maximum-likelihood Beta(a, b) of `x` in (0, 1): Newton's method on the score
/// equations ψ(a) − ψ(a + b) = mean ln x, ψ(b) − ψ(a + b) = mean ln(1 − x), started at the
/// method-of-moments estimate.
pub fn beta_mle(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let common = if var > 0.0 {
        (mean * (1.0 - mean) / var - 1.0).max(0.1)
    } else {
        1.0
    };
    let (mut a, mut b) = (mean * common, (1.0 - mean) * common);
    let g1 = x.iter().map(|v| libm::log(*v)).sum::<f64>() / n;
    let g2 = x.iter().map(|v| libm::log(1.0 - v)).sum::<f64>() / n;
    for _ in 0..200 {
        let s = digamma(a + b);
        let (f1, f2) = (digamma(a) - s - g1, digamma(b) - s - g2);
        let t = trigamma(a + b);
        let (j11, j22, j12) = (trigamma(a) - t, trigamma(b) - t, -t);
        let det = j11 * j22 - j12 * j12;
        if det == 0.0 || !det.is_finite() {
            break;
        }
        let da = (f1 * j22 - f2 * j12) / det;
        let db = (f2 * j11 - f1 * j12) / det;
        // Damped so that the parameters stay positive.
        let (na, nb) = ((a - da).max(a / 10.0), (b - db).max(b / 10.0));
        let done = (na - a).abs() < 1e-12 * a && (nb - b).abs() < 1e-12 * b;
        a = na;
        b = nb;
        if done {
            break;
        }
    }
    (a, b)
}

/// ψ(x) for x > 0: the recurrence up to 10, then the asymptotic series.
fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + libm::log(x)
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f / 240.0)))
}

/// ψ′(x) for x > 0.
fn trigamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + 1.0 / x + f / 2.0 + f / x * (1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f / 30.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_and_trigamma_match_known_values() {
        // ψ(1) = −γ, ψ′(1) = π²/6, ψ(0.5) = −γ − 2 ln 2.
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-10);
        assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-10);
        assert!((digamma(0.5) + gamma + 2.0 * std::f64::consts::LN_2).abs() < 1e-10);
    }

    #[test]
    fn beta_mle_recovers_its_parameters_from_quantiles() {
        // The quantiles of Beta(2, 5) at (i − 0.5)/n: the fit is close to (2, 5).
        let n = 2000;
        let x: Vec<f64> = (1..=n)
            .map(|i| beta_2_5_quantile((i as f64 - 0.5) / n as f64))
            .collect();
        let (a, b) = beta_mle(&x);
        assert!((a - 2.0).abs() < 0.05 && (b - 5.0).abs() < 0.12, "{a} {b}");
    }

    /// The Beta(2, 5) quantile by bisection on its distribution function, in closed form
    /// I_x(2, 5) = 1 − (1 − x)⁶ − 6x(1 − x)⁵.
    fn beta_2_5_quantile(p: f64) -> f64 {
        let cdf = |x: f64| 1.0 - (1.0 - x).powi(6) - 6.0 * x * (1.0 - x).powi(5);
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if cdf(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo + hi) / 2.0
    }

    #[test]
    fn the_shipped_depegs_fit() {
        let text = include_str!("../fixtures/data/depegs.json");
        let f = fit_index(text, "0.99").unwrap();
        // The fall above the peg (dai-2020-03) is left out; UST (never recovered) has no
        // duration; usdc-2022-06 and usdd-2023-03 have no documented hours.
        assert_eq!(f.worst_ids.len(), 6);
        assert!(!f.worst_ids.contains(&"dai-2020-03".to_string()));
        assert_eq!(
            f.duration_ids,
            ["usdt-2022-05", "usdc-2023-03", "dai-2023-03"]
        );
        // Median hours: the geometric mean of 6, 58 and 56.
        let g = (6.0f64 * 58.0 * 56.0).powf(1.0 / 3.0);
        assert!((f.median_hours - g).abs() < 1e-9);
        assert!(matches!(
            fit_index(text, "0.95"),
            Err(IndexFitError::Level(_))
        ));
    }
}
