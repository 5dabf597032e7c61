//! A book simulation's results (spec section 15.2): the statistics of section 12.3 for
//! every book summary, the diversification table per carrier and the clash table per
//! vendor peril.

use super::run::BookSetup;
use crate::simulate::{summary, Block, Kind, Query, Ranks, SummaryKey, SummaryResult};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The return periods of the diversification table.
pub const DIVERSIFICATION_PERIODS: [u64; 2] = [100, 250];

/// A book simulation's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookSimulation {
    /// The portfolio's name.
    pub portfolio: String,
    /// The portfolio model's name.
    pub model: String,
    /// Years simulated.
    pub years: u64,
    /// Seed.
    pub seed: u64,
    /// Events simulated (own events and vendor expansions).
    pub events: u64,
    /// Every book summary, in order: `ground_up`, `paid`, `uncovered`, `carrier:NAME`,
    /// `net:ENTITY`, `program:KEY`, `program:KEY:uncovered`, `vendor:PERIL`.
    pub summaries: Vec<SummaryResult>,
    /// Per carrier of the book, in order of first appearance over the programs.
    pub diversification: Vec<Diversification>,
    /// Per vendor peril, in written order.
    pub clash: Vec<Clash>,
}

/// A carrier's book figures beside the sum of its programs' slices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diversification {
    /// The carrier.
    pub carrier: String,
    /// On the book.
    pub book: Figures,
    /// Summed over the programs, each computed on the program's slice of the same years.
    pub sum_of_programs: Figures,
    /// 1 − book / sum, per figure (`null` when the sum is zero or the figure undefined).
    pub diversification: Ratios,
}

/// AAL and AEP at 1 in 100 and 1 in 250 years (`null` when fewer years were simulated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Average annual loss.
    #[serde(with = "rust_decimal::serde::str")]
    pub aal: Decimal,
    /// AEP at 1 in 100.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub aep_100: Option<Decimal>,
    /// AEP at 1 in 250.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub aep_250: Option<Decimal>,
}

/// 1 − book / sum for each figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ratios {
    /// Of the AAL.
    pub aal: Option<f64>,
    /// Of the 1-in-100 AEP.
    pub aep_100: Option<f64>,
    /// Of the 1-in-250 AEP.
    pub aep_250: Option<f64>,
}

/// How one vendor peril accumulates over the book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clash {
    /// The vendor peril.
    pub peril: String,
    /// Its vendor.
    pub vendor: String,
    /// Its events over the run.
    pub events: u64,
    /// Mean number of programs an event reached (a loss line in them); `null` without
    /// events.
    pub programs_per_event: Option<f64>,
    /// Share of years in which some carrier paid in 2 or more programs from one event.
    pub clash_probability: f64,
    /// Per carrier that clashed in some year: the share of years it did.
    pub carriers: Vec<CarrierClash>,
}

/// A carrier's clash on one vendor peril.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarrierClash {
    /// The carrier.
    pub carrier: String,
    /// Share of years in which it paid in 2 or more programs from one event of the peril.
    pub clash_probability: f64,
}

impl BookSimulation {
    /// Pretty JSON (the same inputs give the same bytes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The name of a book summary.
pub(crate) fn book_summary_name(s: &BookSetup<'_>, key: SummaryKey) -> Option<String> {
    let name = |list: &[String], i: u32| list.get(i as usize).cloned().unwrap_or_default();
    Some(match key {
        SummaryKey::GroundUp => "ground_up".into(),
        SummaryKey::Paid => "paid".into(),
        SummaryKey::Uncovered => "uncovered".into(),
        SummaryKey::Carrier(c) => format!("carrier:{}", name(&s.carriers, c)),
        SummaryKey::Net(e) => format!("net:{}", name(&s.entities, e)),
        SummaryKey::Program(p, part) => {
            let key = s.programs.get(p as usize).map_or("", |x| x.key);
            if part == 0 {
                format!("program:{key}")
            } else {
                format!("program:{key}:uncovered")
            }
        }
        SummaryKey::Vendor(v) => format!(
            "vendor:{}",
            s.model
                .vendor_perils
                .get(v as usize)
                .map_or("", |p| p.name.as_str())
        ),
        _ => return None,
    })
}

/// The summaries the results list, in order (the programs' carrier slices are not).
pub(crate) fn listed(block: &Block) -> Vec<SummaryKey> {
    block
        .summaries
        .keys()
        .copied()
        .filter(|k| !matches!(k, SummaryKey::ProgramCarrier(..)))
        .collect()
}

/// Every rank the results ask of a run of `n` years.
pub(crate) fn book_ranks(block: &Block, n: u64, return_periods: &[u64]) -> Vec<Query> {
    let mut q = crate::simulate::ranks_needed(listed(block).into_iter(), n, return_periods);
    for key in block.summaries.keys() {
        if matches!(key, SummaryKey::Carrier(_) | SummaryKey::ProgramCarrier(..)) {
            for t in DIVERSIFICATION_PERIODS {
                if let Some(k) = n.checked_div(t).filter(|k| *k > 0) {
                    q.push((*key, Kind::Annual, k));
                }
            }
        }
    }
    q
}

/// The results of a book run from its sums and order statistics.
pub(crate) fn book_results(
    s: &BookSetup<'_>,
    block: &Block,
    ranks: &dyn Ranks,
    return_periods: &[u64],
) -> BookSimulation {
    let n = block.years;
    let cur = &s.portfolio.currency;
    let money = |minor: i128| {
        Decimal::try_from_i128_with_scale(minor, cur.minor_units).unwrap_or(Decimal::ZERO)
    };
    let summaries = listed(block)
        .into_iter()
        .filter_map(|key| {
            let acc = block.summaries.get(&key)?;
            let name = book_summary_name(s, key)?;
            Some(summary(name, key, acc, ranks, n, return_periods, &money))
        })
        .collect();
    BookSimulation {
        portfolio: s.portfolio.name.clone(),
        model: s.model.name.clone(),
        years: n,
        seed: s.seed,
        events: block.events,
        summaries,
        diversification: diversification(s, block, ranks, &money),
        clash: clash(s, block),
    }
}

/// The sum of the annual totals of one summary over the years, and its AEP at 1 in 100
/// and 250, minor units.
fn figures(block: &Block, ranks: &dyn Ranks, key: SummaryKey) -> (i128, [Option<i64>; 2]) {
    let n = block.years;
    let aal = block.summaries.get(&key).map_or(0, |a| a.sum);
    let aep = DIVERSIFICATION_PERIODS.map(|t| {
        n.checked_div(t)
            .filter(|k| *k > 0)
            .map(|k| ranks.at(key, Kind::Annual, k).0)
    });
    (aal, aep)
}

fn diversification(
    s: &BookSetup<'_>,
    block: &Block,
    ranks: &dyn Ranks,
    money: &dyn Fn(i128) -> Decimal,
) -> Vec<Diversification> {
    let ratio = |book: i128, sum: i128| (sum != 0).then(|| 1.0 - book as f64 / sum as f64);
    let u = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    s.carriers
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let (aal, aep) = figures(block, ranks, SummaryKey::Carrier(u(c)));
            let mut sum_aal: i128 = 0;
            let mut sum_aep: [Option<i128>; 2] = aep.map(|a| a.map(|_| 0));
            for (p, pcs) in s.program_carriers.iter().enumerate() {
                if !pcs.iter().any(|(x, _)| *x == c) {
                    continue;
                }
                let (a, e) = figures(block, ranks, SummaryKey::ProgramCarrier(u(p), u(c)));
                sum_aal = sum_aal.saturating_add(a);
                for (t, v) in sum_aep.iter_mut().zip(e) {
                    if let (Some(t), Some(v)) = (t.as_mut(), v) {
                        *t = t.saturating_add(i128::from(v));
                    }
                }
            }
            // An AAL is the exact sum over the years divided once: the programs' slices
            // are summed before rounding, so that AAL diversification is exactly zero.
            let n = i128::from(block.years.max(1));
            let once = |sum: i128| crate::money::div_round_half_even(sum, n).unwrap_or(0);
            let (aal, sum_aal) = (once(aal), once(sum_aal));
            let [b100, b250] = aep;
            let [s100, s250] = sum_aep;
            let both = |b: Option<i64>, s: Option<i128>| {
                b.zip(s).and_then(|(b, s)| ratio(i128::from(b), s))
            };
            Diversification {
                carrier: name.clone(),
                book: Figures {
                    aal: money(aal),
                    aep_100: b100.map(|v| money(i128::from(v))),
                    aep_250: b250.map(|v| money(i128::from(v))),
                },
                sum_of_programs: Figures {
                    aal: money(sum_aal),
                    aep_100: s100.map(money),
                    aep_250: s250.map(money),
                },
                diversification: Ratios {
                    aal: ratio(aal, sum_aal),
                    aep_100: both(b100, s100),
                    aep_250: both(b250, s250),
                },
            }
        })
        .collect()
}

fn clash(s: &BookSetup<'_>, block: &Block) -> Vec<Clash> {
    let n = block.years;
    let at = |i: usize| block.counters.get(i).copied().unwrap_or(0);
    let perils = s.model.vendor_perils.len();
    let carriers = s.carriers.len();
    s.model
        .vendor_perils
        .iter()
        .enumerate()
        .map(|(v, p)| {
            let events = at(v.saturating_mul(3));
            let reached = at(v.saturating_mul(3).saturating_add(1));
            let base = perils
                .saturating_mul(3)
                .saturating_add(v.saturating_mul(carriers));
            Clash {
                peril: p.name.clone(),
                vendor: s
                    .portfolio
                    .vendors
                    .get(p.vendor)
                    .map_or(String::new(), |x| x.name.clone()),
                events,
                programs_per_event: (events > 0).then(|| reached as f64 / events as f64),
                clash_probability: crate::simulate::ratio(
                    at(v.saturating_mul(3).saturating_add(2)),
                    n,
                ),
                carriers: s
                    .carriers
                    .iter()
                    .enumerate()
                    .filter(|(c, _)| at(base.saturating_add(*c)) > 0)
                    .map(|(c, name)| CarrierClash {
                        carrier: name.clone(),
                        clash_probability: crate::simulate::ratio(at(base.saturating_add(c)), n),
                    })
                    .collect(),
            }
        })
        .collect()
}
