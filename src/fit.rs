//! Calibrating severities on real losses (`specie fit`): maximum-likelihood lognormal and
//! Pareto I fits with standard errors, the Kolmogorov–Smirnov distance and log-likelihood
//! of each, the `loss …` line to paste into a model, and a Q-Q plot. Statistics, not money:
//! everything here is `f64`.

use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Why losses could not be fitted.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic, PartialEq, Eq)]
pub enum FitError {
    /// Too few positive losses.
    #[error("{found} positive losses; a fit needs at least 3")]
    #[diagnostic(code(specie::fit::too_few))]
    TooFew {
        /// How many there were.
        found: usize,
        /// What to do: loosen the filters that were given, or give more losses.
        #[help]
        help: String,
    },
    /// A loss above what a model can draw: most often amounts in minor units, or a typo.
    #[error("a loss of {value} is above {limit}, the largest amount a model draws")]
    #[diagnostic(
        code(specie::fit::too_large),
        help("give losses in major units of the currency (dollars, not cents); a fit to such losses would give `loss` lines that `specie simulate` cannot draw")
    )]
    TooLarge {
        /// The loss, as read.
        value: String,
        /// The limit.
        limit: String,
    },
    /// All losses equal: no spread to fit.
    #[error("every loss is the same amount; a distribution cannot be fitted")]
    #[diagnostic(code(specie::fit::no_spread))]
    NoSpread,
    /// The input is not one of the accepted forms.
    #[error("{0}")]
    #[diagnostic(
        code(specie::fit::input),
        help("give a JSON array of amounts, a CSV file (with --column), or the incident catalogue (objects with `loss_usd`, filtered by --cause and --tier)")
    )]
    Input(String),
}

/// A fitted lognormal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LognormalFit {
    /// μ, the mean of the log-losses.
    pub mu: f64,
    /// σ, their standard deviation (maximum likelihood: divided by n).
    pub sigma: f64,
    /// e^μ.
    pub median: f64,
    /// Standard error of μ: σ/√n.
    pub se_mu: f64,
    /// Standard error of σ: σ/√(2n).
    pub se_sigma: f64,
    /// Standard error of the median (delta method): median · σ/√n.
    pub se_median: f64,
    /// Kolmogorov–Smirnov distance to the empirical distribution.
    pub ks: f64,
    /// Log-likelihood.
    pub log_likelihood: f64,
}

/// A fitted Pareto I.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParetoFit {
    /// Scale: the smallest loss (its maximum-likelihood estimate).
    pub scale: f64,
    /// Shape α = n / Σ ln(x / scale).
    pub shape: f64,
    /// Standard error of α: α/√n.
    pub se_shape: f64,
    /// Kolmogorov–Smirnov distance.
    pub ks: f64,
    /// Log-likelihood.
    pub log_likelihood: f64,
}

/// Both fits of one set of losses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// Losses fitted.
    pub n: usize,
    /// Smallest and largest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// The lognormal.
    pub lognormal: LognormalFit,
    /// The Pareto I.
    pub pareto: ParetoFit,
}

/// Fits both distributions to the positive `losses`.
///
/// ```
/// let f = specie::fit::fit(&[1e6, 2e6, 4e6, 8e6, 16e6]).unwrap();
/// assert!((f.lognormal.median - 4e6).abs() < 1.0);
/// ```
pub fn fit(losses: &[f64]) -> Result<Fit, FitError> {
    let mut x: Vec<f64> = losses
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    if x.len() < 3 {
        return Err(FitError::TooFew {
            found: x.len(),
            help: "give at least 3 losses above zero".to_string(),
        });
    }
    if let Some(big) = x.iter().find(|v| **v > crate::simulate::MAX_DRAW_MAJOR) {
        return Err(FitError::TooLarge {
            value: format!("{big:e}"),
            limit: crate::render::grouped(rust_decimal::Decimal::from(
                crate::simulate::MAX_DRAW_MAJOR as i64,
            )),
        });
    }
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let (min, max) = (
        x.first().copied().unwrap_or(0.0),
        x.last().copied().unwrap_or(0.0),
    );
    if min == max {
        return Err(FitError::NoSpread);
    }
    let logs: Vec<f64> = x.iter().map(|v| libm::log(*v)).collect();
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|l| (l - mu) * (l - mu)).sum::<f64>() / n).sqrt();
    let median = libm::exp(mu);
    let ln_ll = logs
        .iter()
        .map(|l| {
            -l - libm::log(sigma)
                - 0.5 * libm::log(2.0 * std::f64::consts::PI)
                - (l - mu) * (l - mu) / (2.0 * sigma * sigma)
        })
        .sum();
    let ln_cdf =
        |v: f64| 0.5 * (1.0 + libm::erf((libm::log(v) - mu) / (sigma * std::f64::consts::SQRT_2)));
    let scale = min;
    let shape = n / logs.iter().map(|l| l - libm::log(scale)).sum::<f64>();
    let pa_ll = logs
        .iter()
        .map(|l| libm::log(shape) + shape * libm::log(scale) - (shape + 1.0) * l)
        .sum();
    let pa_cdf = |v: f64| 1.0 - libm::pow(scale / v, shape);
    Ok(Fit {
        n: x.len(),
        min,
        max,
        lognormal: LognormalFit {
            mu,
            sigma,
            median,
            se_mu: sigma / n.sqrt(),
            se_sigma: sigma / (2.0 * n).sqrt(),
            se_median: median * sigma / n.sqrt(),
            ks: ks(&x, ln_cdf),
            log_likelihood: ln_ll,
        },
        pareto: ParetoFit {
            scale,
            shape,
            se_shape: shape / n.sqrt(),
            ks: ks(&x, pa_cdf),
            log_likelihood: pa_ll,
        },
    })
}

/// The Kolmogorov–Smirnov distance between sorted `x` and a distribution function.
fn ks(x: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = x.len() as f64;
    x.iter()
        .enumerate()
        .map(|(i, v)| {
            let f = cdf(*v);
            let lo = i as f64 / n;
            let hi = (i as f64 + 1.0) / n;
            (f - lo).abs().max((hi - f).abs())
        })
        .fold(0.0, f64::max)
}

/// An amount literal of three significant digits: `12.3M`, `236k`, `1.2B`.
pub fn literal(v: f64) -> String {
    let (div, suffix) = if v >= 1e9 {
        (1e9, "B")
    } else if v >= 1e6 {
        (1e6, "M")
    } else if v >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let m = v / div;
    let digits = if m >= 100.0 {
        0
    } else if m >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{m:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{suffix}")
}

/// Two significant decimals for a shape or sigma.
fn param(v: f64) -> String {
    let t = format!("{v:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Fit {
    /// The `loss` items to paste into a model, for `tier`.
    pub fn loss_lines(&self, tier: &str) -> (String, String) {
        (
            format!(
                "loss {tier} lognormal median {} sigma {}",
                literal(self.lognormal.median),
                param(self.lognormal.sigma)
            ),
            format!(
                "loss {tier} pareto scale {} shape {}",
                literal(self.pareto.scale),
                param(self.pareto.shape)
            ),
        )
    }

    /// The fit as a terminal report.
    pub fn text(&self, what: &str, tier: &str) -> String {
        let mut out = String::new();
        let g = |v: f64| {
            crate::render::grouped(
                rust_decimal::Decimal::from_f64_retain(v.round()).unwrap_or_default(),
            )
        };
        let _ = writeln!(
            out,
            "losses     {} ({what}), from {} to {}",
            self.n,
            g(self.min),
            g(self.max)
        );
        let l = &self.lognormal;
        let p = &self.pareto;
        let aic = |ll: f64| 4.0 - 2.0 * ll;
        let _ = writeln!(
            out,
            "lognormal  median {} (SE {}), sigma {:.3} (SE {:.3}); KS {:.3}, log-likelihood {:.1}, AIC {:.1}",
            g(l.median),
            g(l.se_median),
            l.sigma,
            l.se_sigma,
            l.ks,
            l.log_likelihood,
            aic(l.log_likelihood)
        );
        let _ = writeln!(
            out,
            "pareto     scale {} (the smallest loss), shape {:.3} (SE {:.3}); KS {:.3}, log-likelihood {:.1}, AIC {:.1}",
            g(p.scale),
            p.shape,
            p.se_shape,
            p.ks,
            p.log_likelihood,
            aic(p.log_likelihood)
        );
        let better = if l.log_likelihood >= p.log_likelihood {
            "lognormal"
        } else {
            "pareto"
        };
        let (ln, pa) = self.loss_lines(tier);
        let _ = writeln!(out, "\nfor a model ({better} fits better by AIC):");
        let _ = writeln!(out, "  {ln}");
        let _ = writeln!(out, "  {pa}");
        out
    }

    /// A Q-Q plot of the losses against both fits, on log axes.
    pub fn qq_svg(&self, losses: &[f64], title: &str) -> String {
        let mut x: Vec<f64> = losses
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        x.sort_by(f64::total_cmp);
        let n = x.len() as f64;
        let l = &self.lognormal;
        let p = &self.pareto;
        let q = |i: usize| (i as f64 + 0.5) / n;
        let ln_q = |u: f64| libm::exp(l.mu + l.sigma * normal_quantile(u));
        let pa_q = |u: f64| p.scale / libm::pow(1.0 - u, 1.0 / p.shape);
        let (w, h, m) = (640.0, 640.0, 70.0);
        let lo = libm::log10(self.min) - 0.2;
        let hi = libm::log10(self.max).max(libm::log10(ln_q(q(x.len().saturating_sub(1))))) + 0.2;
        let pos = |v: f64| {
            m + (w - 2.0 * m) * ((libm::log10(v.max(1e-9)) - lo) / (hi - lo)).clamp(0.0, 1.0)
        };
        let mut s = String::new();
        let _ = write!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{m}" y="30" font-size="16" font-weight="bold">Q-Q: {3} ({4} losses)</text>
<line x1="{m}" y1="{0}" x2="{0}" y2="{m}" stroke="#999" stroke-dasharray="4 4"/>
<line x1="{m}" y1="{0}" x2="{0}" y2="{0}" stroke="#333"/><line x1="{m}" y1="{m}" x2="{m}" y2="{0}" stroke="#333"/>
<text x="{1}" y="{2}" text-anchor="middle">fitted quantile (log scale)</text>
<text x="20" y="{1}" transform="rotate(-90 20 {1})" text-anchor="middle">observed loss (log scale)</text>
"##,
            w - m,
            w / 2.0,
            h - 25.0,
            esc(title),
            x.len()
        );
        let mut dec = libm::pow(10.0, lo.ceil());
        while libm::log10(dec) <= hi {
            let _ = writeln!(
                s,
                r##"<text x="{0:.1}" y="{1}" text-anchor="middle">{2}</text><text x="{3}" y="{4:.1}" text-anchor="end">{2}</text>"##,
                pos(dec),
                h - m + 18.0,
                literal(dec),
                m - 6.0,
                h - pos(dec) + 4.0
            );
            dec *= 10.0;
        }
        for (i, v) in x.iter().enumerate() {
            let u = q(i);
            for (fitted, color) in [(ln_q(u), "#4e79a7"), (pa_q(u), "#f28e2b")] {
                let _ = writeln!(
                    s,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}" fill-opacity="0.75"/>"##,
                    pos(fitted),
                    h - pos(*v)
                );
            }
        }
        let _ = write!(
            s,
            r##"<circle cx="{0}" cy="60" r="4" fill="#4e79a7"/><text x="{1}" y="64">lognormal median {2} sigma {3}</text>
<circle cx="{0}" cy="80" r="4" fill="#f28e2b"/><text x="{1}" y="84">pareto scale {4} shape {5}</text>
</svg>
"##,
            m + 10.0,
            m + 20.0,
            literal(l.median),
            param(l.sigma),
            literal(p.scale),
            param(p.shape)
        );
        s
    }
}

use crate::render::xml as esc;

#[allow(clippy::excessive_precision)] // the published coefficients, as published
/// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383577518672690e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * libm::log(p)).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * libm::log(1.0 - p)).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Losses read from a file's text: a JSON array of amounts (numbers or decimal strings), the
/// incident catalogue (objects with `loss_usd`, `cause`, `tier`; kept when they match
/// `cause` and `tier`), or CSV with a header (the `column` named, else the first).
pub fn read_losses(
    text: &str,
    column: Option<&str>,
    cause: Option<&str>,
    tier: Option<&str>,
) -> Result<Vec<f64>, FitError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| FitError::Input(format!("invalid JSON: {e}")))?;
        let items = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let mut out = Vec::new();
        for item in items {
            if let Some(obj) = item.as_object() {
                let matches = |key: &str, want: Option<&str>| {
                    want.is_none_or(|w| obj.get(key).and_then(|x| x.as_str()) == Some(w))
                };
                if matches("cause", cause) && matches("tier", tier) {
                    if let Some(x) = obj.get("loss_usd").and_then(number) {
                        out.push(x);
                    }
                }
            } else if let Some(x) = number(item) {
                out.push(x);
            } else {
                return Err(FitError::Input(format!("`{item}` is not an amount")));
            }
        }
        return Ok(out);
    }
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let names: Vec<&str> = header
        .split(',')
        .map(|h| h.trim().trim_matches('"'))
        .collect();
    let idx = match column {
        Some(c) => names.iter().position(|n| *n == c).ok_or_else(|| {
            FitError::Input(format!("no column `{c}` in the CSV header `{header}`"))
        })?,
        None => 0,
    };
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cell = line
            .split(',')
            .nth(idx)
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        let v: f64 = cell.replace('_', "").parse().map_err(|_| {
            FitError::Input(format!(
                "line {}: `{cell}` is not an amount",
                n.saturating_add(2)
            ))
        })?;
        out.push(v);
    }
    Ok(out)
}

fn number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_and_pareto_fits_follow_their_closed_forms() {
        // Logs 0, ln 2, ln 4, ln 8, ln 16 (× 1M): μ = ln 4M, σ² = mean of (k ln 2)², k = -2..2.
        let f = fit(&[1e6, 2e6, 4e6, 8e6, 16e6]).unwrap();
        assert!((f.lognormal.median - 4e6).abs() < 1e-3);
        let sigma = (2.0f64 * std::f64::consts::LN_2 * std::f64::consts::LN_2).sqrt();
        assert!((f.lognormal.sigma - sigma).abs() < 1e-12);
        // α = 5 / Σ ln(x / 1M) = 5 / (10 ln 2).
        assert!((f.pareto.shape - 0.5 / std::f64::consts::LN_2).abs() < 1e-12);
        assert_eq!(f.pareto.scale, 1e6);
        assert_eq!(
            f.loss_lines("hot").0,
            "loss hot lognormal median 4M sigma 0.98"
        );
    }

    #[test]
    fn the_normal_quantile_inverts_the_distribution_function() {
        for p in [0.001, 0.02, 0.3, 0.5, 0.9, 0.999] {
            let z = normal_quantile(p);
            let back = 0.5 * (1.0 + libm::erf(z / std::f64::consts::SQRT_2));
            assert!((back - p).abs() < 1e-8, "{p}");
        }
    }

    #[test]
    fn the_catalogue_is_filtered_by_cause_and_tier() {
        let text = r#"[{"loss_usd": 1, "cause": "a", "tier": "hot"}, {"loss_usd": 2, "cause": "b", "tier": "hot"}, {"loss_usd": 3, "cause": "a", "tier": "cold"}]"#;
        assert_eq!(
            read_losses(text, None, Some("a"), None).unwrap(),
            vec![1.0, 3.0]
        );
        assert_eq!(
            read_losses(text, None, None, Some("hot")).unwrap(),
            vec![1.0, 2.0]
        );
        assert_eq!(
            read_losses("x,loss\n1,5\n2,\"7\"\n", Some("loss"), None, None).unwrap(),
            vec![5.0, 7.0]
        );
        assert!(read_losses("loss\nabc\n", None, None, None).is_err());
    }
}
