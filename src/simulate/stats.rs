//! The statistics of section 12.3 from a merged [`Block`], exactly: integer sums, AAL and
//! TVaR rounded half-even once, SD and SE as exactly rounded square roots of integer
//! ratios (floating point only when the integers would overflow), ratios as `f64`.

use super::rank::{Kind, Query, Ranks, Sorted};
use super::{entity_list, Acc, Block, ClauseOrder, SummaryKey};
use crate::money::div_round_half_even;
use crate::program::Program;
use crate::replay::UncoveredReason;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Return periods reported when none are asked for.
pub const DEFAULT_RETURN_PERIODS: [u64; 10] = [2, 5, 10, 25, 50, 100, 200, 250, 500, 1000];

/// A simulation's results (spec section 12.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimulationResult {
    /// Program name.
    pub program: String,
    /// Model name.
    pub model: String,
    /// Years simulated.
    pub years: u64,
    /// Seed.
    pub seed: u64,
    /// Every summary, in order.
    pub summaries: Vec<SummaryResult>,
    /// Every layer, tower order.
    pub layers: Vec<LayerStat>,
    /// Per parametric cover, the share of years with at least one claim (spec section 14).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parametric: Vec<CoverStat>,
    /// Indemnity left uncovered against parametric paid, year by year (spec section 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis_risk: Option<BasisRisk>,
}

/// Basis risk: how often the parametric covers miss the indemnity loss left uncovered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BasisRisk {
    /// The uncovered amount that counts as a loss the covers should answer: the smallest
    /// full payout (`of N`) among the covers.
    #[serde(with = "rust_decimal::serde::str")]
    pub threshold: Decimal,
    /// Share of years with uncovered above the threshold.
    pub uncovered_above: f64,
    /// Share of years with uncovered above the threshold and no parametric payment.
    pub missed: f64,
    /// By return period: the uncovered and parametric annual losses at that return period,
    /// and the mean parametric paid in the years whose uncovered reaches the former.
    pub joint: Vec<JointPoint>,
}

/// One row of the basis-risk table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointPoint {
    /// T years.
    pub return_period: u64,
    /// Uncovered at 1 in T (aggregate).
    #[serde(with = "rust_decimal::serde::str")]
    pub uncovered: Decimal,
    /// Parametric paid at 1 in T (aggregate).
    #[serde(with = "rust_decimal::serde::str")]
    pub parametric: Decimal,
    /// Mean parametric paid over the years whose uncovered is at least `uncovered`.
    #[serde(with = "rust_decimal::serde::str")]
    pub parametric_in_those_years: Decimal,
}

/// A parametric cover's statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverStat {
    /// Cover name.
    pub cover: String,
    /// Share of years with at least one claim.
    pub claim_probability: f64,
}

/// One summary's statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryResult {
    /// `ground_up`, `paid`, `uncovered`, `layer:NAME`, `carrier:NAME`, `net:ENTITY`,
    /// `uncovered:REASON`, `uncovered:REASON:CLAUSE`.
    pub summary: String,
    /// Average annual loss.
    #[serde(with = "rust_decimal::serde::str")]
    pub aal: Decimal,
    /// Standard deviation of the annual totals (population).
    #[serde(with = "rust_decimal::serde::str")]
    pub sd: Decimal,
    /// Standard error of the AAL: SD / √N.
    #[serde(with = "rust_decimal::serde::str")]
    pub se: Decimal,
    /// SD / AAL, unrounded; `null` when the AAL is zero.
    pub cv: Option<f64>,
    /// Share of years with a non-zero total.
    pub nonzero_years: f64,
    /// Aggregate exceedance: annual totals.
    pub aep: Vec<EpPoint>,
    /// Occurrence exceedance: each year's largest occurrence.
    pub oep: Vec<EpPoint>,
}

/// A point of an exceedance curve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpPoint {
    /// T years.
    pub return_period: u64,
    /// The loss at rank ⌊N / T⌋ from the largest.
    #[serde(with = "rust_decimal::serde::str")]
    pub loss: Decimal,
    /// The mean of the ⌊N / T⌋ largest.
    #[serde(with = "rust_decimal::serde::str")]
    pub tvar: Decimal,
}

/// A layer's statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerStat {
    /// Layer name.
    pub layer: String,
    /// Share of years with a band.
    pub attach_probability: f64,
    /// Share of years ending with the aggregate used up (0 without an aggregate).
    pub exhaust_probability: f64,
    /// Mean annual reinstatement premium.
    #[serde(with = "rust_decimal::serde::str")]
    pub reinstatement_premium: Decimal,
}

impl SimulationResult {
    /// Pretty JSON (the same inputs give the same bytes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The name of a summary.
pub fn summary_name(program: &Program, key: SummaryKey) -> String {
    let carriers = super::carrier_names(program);
    let layer = |k: u32| {
        program
            .layers
            .get(k as usize)
            .map_or(String::new(), |l| l.name.clone())
    };
    let reason = |r: u8| {
        UncoveredReason::ALL
            .get(usize::from(r))
            .map_or("", |r| r.as_str())
    };
    match key {
        SummaryKey::GroundUp => "ground_up".to_string(),
        SummaryKey::Paid => "paid".to_string(),
        SummaryKey::Uncovered => "uncovered".to_string(),
        SummaryKey::Layer(k) => format!("layer:{}", layer(k)),
        SummaryKey::Carrier(c) => format!(
            "carrier:{}",
            carriers.get(c as usize).map_or("", String::as_str)
        ),
        SummaryKey::Net(e) => format!(
            "net:{}",
            entity_list(program)
                .get(e as usize)
                .map_or(String::new(), Clone::clone)
        ),
        SummaryKey::Parametric => "parametric".to_string(),
        SummaryKey::ParametricCover(c) => format!(
            "parametric:{}",
            program
                .parametric
                .get(c as usize)
                .map_or("", |p| p.name.as_str())
        ),
        SummaryKey::NetRetained => "net_retained".to_string(),
        // A book's summaries are named by the book (portfolio::sim).
        SummaryKey::Program(p, 0) => format!("program:{p}"),
        SummaryKey::Program(p, _) => format!("program:{p}:uncovered"),
        SummaryKey::Vendor(v) => format!("vendor:{v}"),
        SummaryKey::ProgramCarrier(p, c) => format!("program:{p}:carrier:{c}"),
        SummaryKey::Reason(r) => format!("uncovered:{}", reason(r)),
        SummaryKey::ReasonClause(r, c) => {
            let name = match c {
                ClauseOrder::Exclusion(i) => {
                    program.exclusions.get(i as usize).map(|x| x.name.clone())
                }
                ClauseOrder::Sublimit(i) => {
                    program.sublimits.get(i as usize).map(|x| x.name.clone())
                }
                ClauseOrder::Deductible(i) => {
                    program.deductibles.get(i as usize).map(|x| x.name.clone())
                }
                ClauseOrder::LayerExclusion(k, j) => program
                    .layers
                    .get(k as usize)
                    .and_then(|l| l.exclusions.get(j as usize))
                    .map(|x| x.name.clone()),
                ClauseOrder::Layer(k) => Some(layer(k)),
            };
            format!("uncovered:{}:{}", reason(r), name.unwrap_or_default())
        }
    }
}

/// The statistics of section 12.3 for a merged block of `block.years` years.
pub fn statistics(
    program: &Program,
    model_name: &str,
    seed: u64,
    block: &Block,
    return_periods: &[u64],
) -> SimulationResult {
    statistics_from(
        program,
        model_name,
        seed,
        block,
        &Sorted::new(block),
        return_periods,
    )
}

/// The statistics of section 12.3 from a block's sums and the order statistics `ranks`
/// of its years' values.
pub(crate) fn statistics_from(
    program: &Program,
    model_name: &str,
    seed: u64,
    block: &Block,
    ranks: &dyn Ranks,
    return_periods: &[u64],
) -> SimulationResult {
    let n = block.years;
    let cur = &program.currency;
    let money = |minor: i128| {
        Decimal::try_from_i128_with_scale(minor, cur.minor_units).unwrap_or(Decimal::ZERO)
    };
    let summaries = block
        .summaries
        .iter()
        .map(|(key, acc)| {
            summary(
                summary_name(program, *key),
                *key,
                acc,
                ranks,
                n,
                return_periods,
                &money,
            )
        })
        .collect();
    let parametric = program
        .parametric
        .iter()
        .enumerate()
        .map(|(i, c)| CoverStat {
            cover: c.name.clone(),
            claim_probability: ratio(block.claim_years.get(i).copied().unwrap_or(0), n),
        })
        .collect();
    let layers = program
        .layers
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let a = block.layers.get(k).cloned().unwrap_or_default();
            LayerStat {
                layer: l.name.clone(),
                attach_probability: ratio(a.attached, n),
                exhaust_probability: if l.effective_aggregate().is_some() {
                    ratio(a.exhausted, n)
                } else {
                    0.0
                },
                reinstatement_premium: money(mean(a.premium, n)),
            }
        })
        .collect();
    SimulationResult {
        program: program.name.clone(),
        model: model_name.to_string(),
        years: n,
        seed,
        summaries,
        layers,
        parametric,
        basis_risk: basis_risk(program, block, ranks, return_periods, &money),
    }
}

/// The smallest full payout (`of N`) among the program's parametric covers: the
/// uncovered amount that counts as a loss the covers should answer.
pub(crate) fn basis_threshold(program: &Program) -> Option<i64> {
    use crate::program::Payout;
    program
        .parametric
        .iter()
        .map(|c| match &c.payout {
            Payout::Steps(steps) => steps.iter().map(|s| s.notional).min().unwrap_or_default(),
            Payout::Linear { notional, .. } => *notional,
        })
        .min()
        .map(|m| m.0)
}

/// The basis-risk figures of a program with parametric covers.
fn basis_risk(
    program: &Program,
    block: &Block,
    ranks: &dyn Ranks,
    return_periods: &[u64],
    money: &dyn Fn(i128) -> Decimal,
) -> Option<BasisRisk> {
    let threshold = basis_threshold(program)?;
    let n = block.years;
    block.summaries.get(&SummaryKey::Uncovered)?;
    block.summaries.get(&SummaryKey::Parametric)?;
    let (above, missed) = ranks.basis_counts(threshold);
    let unc_curve = curve(
        ranks,
        SummaryKey::Uncovered,
        Kind::Annual,
        n,
        return_periods,
        money,
    );
    let par_curve = curve(
        ranks,
        SummaryKey::Parametric,
        Kind::Annual,
        n,
        return_periods,
        money,
    );
    let joint = unc_curve
        .iter()
        .map(|u| {
            let level = program.currency.money_rounded(u.loss).map_or(0, |m| m.0);
            // The years whose uncovered reaches the level (at least k of them when positive).
            let (count, sum) = ranks.reaching(level);
            JointPoint {
                return_period: u.return_period,
                uncovered: u.loss,
                parametric: par_curve
                    .iter()
                    .find(|p| p.return_period == u.return_period)
                    .map_or(Decimal::ZERO, |p| p.loss),
                parametric_in_those_years: money(if count == 0 {
                    0
                } else {
                    div_round_half_even(sum, i128::from(count)).unwrap_or(0)
                }),
            }
        })
        .collect();
    Some(BasisRisk {
        threshold: money(i128::from(threshold)),
        uncovered_above: ratio(above, n),
        missed: ratio(missed, n),
        joint,
    })
}

pub(crate) fn ratio(count: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        count as f64 / n as f64
    }
}

/// `sum / n` rounded half-even.
pub(crate) fn mean(sum: i128, n: u64) -> i128 {
    div_round_half_even(sum, i128::from(n.max(1))).unwrap_or(0)
}

pub(crate) fn summary(
    name: String,
    key: SummaryKey,
    acc: &Acc,
    ranks: &dyn Ranks,
    n: u64,
    return_periods: &[u64],
    money: &dyn Fn(i128) -> Decimal,
) -> SummaryResult {
    let aal = mean(acc.sum, n);
    let (sd, se, cv) = spread(key, acc, ranks, n);
    SummaryResult {
        summary: name,
        aal: money(aal),
        sd: money(sd),
        se: money(se),
        cv,
        nonzero_years: ratio(acc.nonzero, n),
        aep: curve(ranks, key, Kind::Annual, n, return_periods, money),
        // One occurrence of a net retained amount is not defined (spec section 14).
        oep: if key == SummaryKey::NetRetained {
            Vec::new()
        } else {
            curve(ranks, key, Kind::Largest, n, return_periods, money)
        },
    }
}

/// The ranks the statistics ask of a run of `n` years with these summaries: k = ⌊N / T⌋
/// of every return period, of the annual totals and (but for `net_retained`) of the
/// yearly largest occurrences.
pub(crate) fn ranks_needed(
    keys: impl Iterator<Item = SummaryKey>,
    n: u64,
    return_periods: &[u64],
) -> Vec<Query> {
    let mut out = Vec::new();
    for key in keys {
        for t in return_periods {
            let Some(k) = n.checked_div(*t).filter(|k| *k > 0) else {
                continue;
            };
            out.push((key, Kind::Annual, k));
            if key != SummaryKey::NetRetained {
                out.push((key, Kind::Largest, k));
            }
        }
    }
    out
}

/// Points of an exceedance curve: for each return period T with k = ⌊N / T⌋ ≥ 1, the
/// value at rank k from the largest (zeros rank below the positive values and above the
/// negative ones, which only `net_retained` has) and the mean of the k largest.
fn curve(
    ranks: &dyn Ranks,
    key: SummaryKey,
    kind: Kind,
    n: u64,
    return_periods: &[u64],
    money: &dyn Fn(i128) -> Decimal,
) -> Vec<EpPoint> {
    return_periods
        .iter()
        .filter_map(|t| {
            let k = n.checked_div(*t)?;
            if k == 0 {
                return None;
            }
            let (loss, top) = ranks.at(key, kind, k);
            Some(EpPoint {
                return_period: *t,
                loss: money(i128::from(loss)),
                tvar: money(div_round_half_even(top, i128::from(k)).unwrap_or(0)),
            })
        })
        .collect()
}

/// SD, SE (minor units, rounded half-even) and CV of the annual totals: with S the sum,
/// Q the sum of squares, the population variance is (N·Q − S²)/N².
fn spread(key: SummaryKey, acc: &Acc, ranks: &dyn Ranks, n: u64) -> (i128, i128, Option<f64>) {
    if n == 0 {
        return (0, 0, None);
    }
    let nn = u128::from(n);
    let exact = acc.sum_sq.and_then(|q| {
        let s = acc.sum.unsigned_abs();
        let num = nn.checked_mul(q)?.checked_sub(s.checked_mul(s)?)?;
        let sd = round_sqrt_ratio(num, nn.checked_mul(nn)?)?;
        let se = round_sqrt_ratio(num, nn.checked_mul(nn)?.checked_mul(nn)?)?;
        Some((num, sd, se))
    });
    let nf = n as f64;
    let mean_f = acc.sum as f64 / nf;
    let (var_f, sd, se) = match exact {
        Some((num, sd, se)) => (
            num as f64 / (nf * nf),
            i128::try_from(sd).unwrap_or(i128::MAX),
            i128::try_from(se).unwrap_or(i128::MAX),
        ),
        None => {
            let var = ranks.deviation_sq(key, n, mean_f) / nf;
            let sd = var.sqrt();
            (var, sd.round() as i128, (sd / nf.sqrt()).round() as i128)
        }
    };
    let cv = if acc.sum == 0 {
        None
    } else {
        Some(var_f.sqrt() / mean_f)
    };
    (sd, se, cv)
}

/// `round_half_even(√(num / den))` exactly, or `None` when the check overflows.
pub fn round_sqrt_ratio(num: u128, den: u128) -> Option<u128> {
    if den == 0 {
        return None;
    }
    let approx = ((num as f64) / (den as f64)).sqrt();
    let mut r = if approx.is_finite() {
        approx as u128
    } else {
        return None;
    };
    // r is the answer when (2r − 1)² den ≤ 4 num < (2r + 1)² den (ties to even).
    let four = num.checked_mul(4)?;
    let below = |r: u128| -> Option<bool> {
        // (2r + 1)² den ≤ 4 num: the answer is above r.
        let t = r.checked_mul(2)?.checked_add(1)?;
        Some(t.checked_mul(t)?.checked_mul(den)? <= four)
    };
    for _ in 0..64 {
        if below(r)? {
            r = r.checked_add(1)?;
        } else if r > 0 && !below(r.checked_sub(1)?)? {
            r = r.checked_sub(1)?;
        } else {
            break;
        }
    }
    // A tie, (2r − 1)² den = 4 num: the even of r − 1 and r.
    if r > 0 {
        let t = r.checked_mul(2)?.checked_sub(1)?;
        if t.checked_mul(t)?.checked_mul(den)? == four && r % 2 == 1 {
            r = r.checked_sub(1)?;
        }
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::round_sqrt_ratio;

    #[test]
    fn square_roots_round_half_even_exactly() {
        assert_eq!(round_sqrt_ratio(0, 1), Some(0));
        assert_eq!(round_sqrt_ratio(16, 1), Some(4));
        assert_eq!(round_sqrt_ratio(17, 1), Some(4));
        // √20.25 = 4.5 exactly: to even, 4. √30.25 = 5.5: 6.
        assert_eq!(round_sqrt_ratio(81, 4), Some(4));
        assert_eq!(round_sqrt_ratio(121, 4), Some(6));
        // √(2/1) = 1.414… → 1; √(9/4) = 1.5 → 2.
        assert_eq!(round_sqrt_ratio(2, 1), Some(1));
        assert_eq!(round_sqrt_ratio(9, 4), Some(2));
        let big = 10u128.pow(30);
        assert_eq!(round_sqrt_ratio(big, 1), Some(10u128.pow(15)));
    }
}
