//! Exact statistics in bounded memory (spec section 16). Pass 1 simulates the years and
//! keeps, per summary, the sums and a histogram of the values on fixed bucket edges
//! ([`rank::bucket`]); the ranks the statistics need then fall in known buckets. Pass 2
//! simulates the same years again (a year's events depend only on the seed and the year)
//! and keeps only the values in those buckets, and the sum of the values above each.
//! Memory grows with the buckets asked for, not with the years; the statistics are those
//! of the one-pass run, byte for byte.
//!
//! [`rank::bucket`]: super::rank::bucket

use super::rank::{self, bucket, Hist, Kind, Query, Ranks};
use super::{Block, SimulateError, SummaryKey};
use std::collections::{BTreeMap, HashMap};

/// Pass 1's result: a block's sums (its value lists left empty) and the histograms.
#[derive(Debug, Default)]
pub(crate) struct Sketch {
    /// Sums, layers, claim years, events; no values kept.
    pub block: Block,
    hists: BTreeMap<(SummaryKey, Kind), Hist>,
    /// Years with uncovered above the basis-risk threshold, and those without parametric
    /// paid.
    basis: (u64, u64),
}

impl Sketch {
    /// Counts a simulated block's values and drops them.
    pub fn of(mut block: Block, threshold: Option<i64>) -> Sketch {
        let basis = threshold.map_or((0, 0), |t| {
            rank::basis_counts(&rank::joint_years(&block), t)
        });
        let mut hists = BTreeMap::new();
        for (key, acc) in &mut block.summaries {
            for (kind, values) in [(Kind::Annual, &acc.annual), (Kind::Largest, &acc.largest)] {
                let h: &mut Hist = hists.entry((*key, kind)).or_default();
                values.iter().for_each(|v| h.add(*v));
            }
            acc.annual = Vec::new();
            acc.annual_years = Vec::new();
            acc.largest = Vec::new();
        }
        Sketch {
            block,
            hists,
            basis,
        }
    }

    /// Adds `other`'s years (in any order: every part is an integer sum).
    pub fn merge(mut self, other: Sketch) -> Sketch {
        self.block.merge(other.block);
        for (k, h) in other.hists {
            self.hists.entry(k).or_default().merge(&h);
        }
        self.basis.0 = self.basis.0.saturating_add(other.basis.0);
        self.basis.1 = self.basis.1.saturating_add(other.basis.1);
        self
    }

    /// The buckets holding the ranks asked for, per summary and kind, ascending.
    fn plan(&self, queries: &[Query]) -> HashMap<(SummaryKey, Kind), Vec<i32>> {
        let n = self.block.years;
        let mut plan: HashMap<(SummaryKey, Kind), Vec<i32>> = HashMap::new();
        for (key, kind, r) in queries {
            if let Some((b, _)) = self.hists.get(&(*key, *kind)).and_then(|h| h.locate(n, *r)) {
                plan.entry((*key, *kind)).or_default().push(b);
            }
        }
        for buckets in plan.values_mut() {
            buckets.sort_unstable();
            buckets.dedup();
        }
        plan
    }
}

/// Pass 2's keep for one summary and kind: around each planned bucket, the values in it
/// and the sums of those between it and the next.
#[derive(Clone, Debug, Default)]
struct Cuts {
    /// Planned buckets, ascending.
    buckets: Vec<i32>,
    /// Per gap `i` (the values in buckets between `buckets[i - 1]` and `buckets[i]`; the
    /// last gap above every planned bucket): count, sum, sum of the years' payloads.
    gaps: Vec<(u64, i128, i128)>,
    /// Per planned bucket: its values, each with how many years had it and the sum of
    /// their payloads; equal values are merged as the list grows (a bucket often holds
    /// one value in many years: a deductible, a limit).
    values: Vec<Group>,
}

/// The values kept of one planned bucket: (value, years, payload sum).
#[derive(Clone, Debug, Default)]
struct Group {
    list: Vec<(i64, u64, i128)>,
    /// The length after the last merge of equal values.
    merged: usize,
}

impl Group {
    fn push(&mut self, v: i64, payload: i64) {
        self.list.push((v, 1, i128::from(payload)));
        if self.list.len() >= self.merged.saturating_mul(2).max(4096) {
            self.merge_equal();
        }
    }

    /// Sorts from the largest value down and merges equal values.
    fn merge_equal(&mut self) {
        self.list.sort_unstable_by_key(|a| std::cmp::Reverse(a.0));
        let mut out: Vec<(i64, u64, i128)> = Vec::with_capacity(self.list.len());
        for (v, c, p) in self.list.drain(..) {
            match out.last_mut() {
                Some(last) if last.0 == v => {
                    last.1 = last.1.saturating_add(c);
                    last.2 = last.2.saturating_add(p);
                }
                _ => out.push((v, c, p)),
            }
        }
        out.shrink_to_fit();
        self.merged = out.len();
        self.list = out;
    }
}

impl Cuts {
    fn new(buckets: Vec<i32>) -> Cuts {
        Cuts {
            gaps: vec![(0, 0, 0); buckets.len().saturating_add(1)],
            values: vec![Group::default(); buckets.len()],
            buckets,
        }
    }

    fn add(&mut self, v: i64, payload: i64) {
        let b = bucket(v);
        let pos = self.buckets.partition_point(|x| *x < b);
        if self.buckets.get(pos) == Some(&b) {
            if let Some(group) = self.values.get_mut(pos) {
                group.push(v, payload);
            }
        } else if let Some(g) = self.gaps.get_mut(pos) {
            g.0 = g.0.saturating_add(1);
            g.1 = g.1.saturating_add(i128::from(v));
            g.2 = g.2.saturating_add(i128::from(payload));
        }
    }

    fn merge(&mut self, other: Cuts) {
        for (a, b) in self.gaps.iter_mut().zip(other.gaps) {
            a.0 = a.0.saturating_add(b.0);
            a.1 = a.1.saturating_add(b.1);
            a.2 = a.2.saturating_add(b.2);
        }
        for (a, b) in self.values.iter_mut().zip(other.values) {
            a.list.extend(b.list);
            if a.list.len() >= a.merged.saturating_mul(2).max(4096) {
                a.merge_equal();
            }
        }
    }

    /// Sorts each bucket's values from the largest down, equal values merged.
    fn finish(&mut self) {
        self.values.iter_mut().for_each(Group::merge_equal);
    }

    /// Count, sum and payload sum of the values above planned bucket `i`.
    fn above(&self, i: usize) -> (u64, i128, i128) {
        let mut out = (0u64, 0i128, 0i128);
        for g in self.gaps.iter().skip(i.saturating_add(1)) {
            out = (
                out.0.saturating_add(g.0),
                out.1.saturating_add(g.1),
                out.2.saturating_add(g.2),
            );
        }
        for group in self.values.iter().skip(i.saturating_add(1)) {
            for (v, c, p) in &group.list {
                out = (
                    out.0.saturating_add(*c),
                    out.1
                        .saturating_add(i128::from(*v).saturating_mul(i128::from(*c))),
                    out.2.saturating_add(*p),
                );
            }
        }
        out
    }
}

/// Both passes' results: answers the statistics exactly as the one-pass block would.
#[derive(Debug)]
pub struct Tally {
    sketch: Sketch,
    cuts: HashMap<(SummaryKey, Kind), Cuts>,
    /// Σ (v − mean)² in year order, for the summaries whose sum of squares overflowed.
    deviations: HashMap<SummaryKey, f64>,
}

impl Tally {
    /// The sums, layers and counts of the run (its value lists are empty).
    pub fn block(&self) -> &Block {
        &self.sketch.block
    }
}

impl Ranks for Tally {
    fn at(&self, key: SummaryKey, kind: Kind, r: u64) -> (i64, i128) {
        let Some(h) = self.sketch.hists.get(&(key, kind)) else {
            return (0, 0);
        };
        let Some((b, _)) = h.locate(self.sketch.block.years, r) else {
            return (0, h.positive_sum);
        };
        let Some(cuts) = self.cuts.get(&(key, kind)) else {
            return (0, 0);
        };
        let Ok(i) = cuts.buckets.binary_search(&b) else {
            return (0, 0);
        };
        let (count, sum, _) = cuts.above(i);
        // The r-th largest is the (r − count)-th of this bucket's values.
        let mut need = r.saturating_sub(count);
        let mut top = sum;
        let mut value = 0;
        for (v, c, _) in cuts.values.get(i).map_or(&[][..], |g| g.list.as_slice()) {
            if need == 0 {
                break;
            }
            let take = need.min(*c);
            top = top.saturating_add(i128::from(*v).saturating_mul(i128::from(take)));
            value = *v;
            need = need.saturating_sub(take);
        }
        (value, top)
    }

    fn reaching(&self, level: i64) -> (u64, i128) {
        if level <= 0 {
            return (0, 0);
        }
        let Some(cuts) = self.cuts.get(&(SummaryKey::Uncovered, Kind::Annual)) else {
            return (0, 0);
        };
        let Ok(i) = cuts.buckets.binary_search(&bucket(level)) else {
            return (0, 0);
        };
        let (count, _, paid) = cuts.above(i);
        cuts.values
            .get(i)
            .map_or(&[][..], |g| g.list.as_slice())
            .iter()
            .take_while(|(v, _, _)| *v >= level)
            .fold((count, paid), |(c, s), (_, n, p)| {
                (c.saturating_add(*n), s.saturating_add(*p))
            })
    }

    fn basis_counts(&self, _threshold: i64) -> (u64, u64) {
        self.sketch.basis
    }

    fn deviation_sq(&self, key: SummaryKey, _n: u64, _mean: f64) -> f64 {
        self.deviations.get(&key).copied().unwrap_or(0.0)
    }
}

/// How to simulate a block of years: `(first year, count)` to a block, on the caller's
/// thread pool.
pub(crate) type Simulate<'s> = dyn Fn(u64, u64) -> Result<Block, SimulateError> + Sync + 's;

/// Sees pass 2's blocks in year order with the run's sums.
pub(crate) type OnSums<'a> = dyn FnMut(&Block, &Block) + 'a;

/// Pass 2's keep of one block, per summary and kind.
type Kept = Vec<((SummaryKey, Kind), Cuts)>;

/// Blocks simulated at once in pass 2 per thread, then consumed in year order. A block
/// kept for `on_block` holds its years' values until consumed, so fewer are in flight.
const WINDOW_BLOCKS_PER_THREAD: usize = 8;
const WINDOW_KEPT_BLOCKS_PER_THREAD: usize = 2;

/// Runs both passes over `blocks` (consecutive `(first year, count)`), asking `queries`
/// once pass 1 has told the summaries; `on_block` sees pass 2's blocks in year order
/// with the run's sums (e.g. to write the year loss table). `threshold`: the basis-risk threshold, if any.
pub(crate) fn two_pass(
    pool: &rayon::ThreadPool,
    blocks: &[(u64, u64)],
    simulate: &Simulate<'_>,
    threshold: Option<i64>,
    queries: &dyn Fn(&Block) -> Vec<Query>,
    on_block: Option<&mut OnSums<'_>>,
) -> Result<Tally, SimulateError> {
    let mut on_block = on_block;
    use rayon::prelude::*;
    let sketch = pool.install(|| {
        blocks
            .par_iter()
            // One sketch per thread, not per block: histograms of many summaries are large.
            .try_fold(Sketch::default, |acc, (first, count)| {
                simulate(*first, *count).map(|b| acc.merge(Sketch::of(b, threshold)))
            })
            .try_reduce(Sketch::default, |a, b| Ok(a.merge(b)))
    })?;
    let plan = sketch.plan(&queries(&sketch.block));
    let n = sketch.block.years;
    let joint = threshold.is_some();
    let mut cuts: HashMap<(SummaryKey, Kind), Cuts> = plan
        .into_iter()
        .map(|(k, buckets)| (k, Cuts::new(buckets)))
        .collect();
    // Summaries whose spread needs the values in year order: (key, mean, running sum).
    let mut deviations: Vec<(SummaryKey, f64, f64)> = sketch
        .block
        .summaries
        .iter()
        .filter(|(_, a)| a.sum_sq.is_none())
        .map(|(k, a)| (*k, a.sum as f64 / n.max(1) as f64, 0.0))
        .collect();
    let empty: Kept = cuts
        .iter()
        .map(|(k, c)| (*k, Cuts::new(c.buckets.clone())))
        .collect();
    let ordered = on_block.is_some() || !deviations.is_empty();
    let window_blocks = pool
        .current_num_threads()
        .saturating_mul(if ordered {
            WINDOW_KEPT_BLOCKS_PER_THREAD
        } else {
            WINDOW_BLOCKS_PER_THREAD
        })
        .max(1);
    for window in blocks.chunks(window_blocks) {
        let parts: Vec<Result<(Option<Block>, Kept), SimulateError>> = pool.install(|| {
            window
                .par_iter()
                .map(|(first, count)| {
                    let b = simulate(*first, *count)?;
                    let mut mine = empty.clone();
                    keep(&b, joint, &mut mine);
                    Ok((ordered.then_some(b), mine))
                })
                .collect()
        });
        for part in parts {
            let (b, mine) = part?;
            for (k, c) in mine {
                if let Some(all) = cuts.get_mut(&k) {
                    all.merge(c);
                }
            }
            let Some(b) = b else { continue };
            for (key, mean, sum) in &mut deviations {
                if let Some(a) = b.summaries.get(key) {
                    *sum = a.annual.iter().fold(*sum, |s, v| {
                        let d = *v as f64 - *mean;
                        s + d * d
                    });
                }
            }
            if let Some(f) = on_block.as_mut() {
                f(&sketch.block, &b);
            }
        }
    }
    cuts.values_mut().for_each(Cuts::finish);
    let deviations = deviations
        .into_iter()
        .map(|(key, mean, sum)| {
            let nonzero = sketch.block.summaries.get(&key).map_or(0, |a| a.nonzero);
            (key, sum + rank::zeros_deviation(nonzero, n, mean))
        })
        .collect();
    Ok(Tally {
        sketch,
        cuts,
        deviations,
    })
}

/// Keeps a pass-2 block's values that fall in or between the planned buckets.
fn keep(block: &Block, joint: bool, cuts: &mut [((SummaryKey, Kind), Cuts)]) {
    for ((key, kind), c) in cuts.iter_mut() {
        let Some(acc) = block.summaries.get(key) else {
            continue;
        };
        match kind {
            Kind::Annual if joint && *key == SummaryKey::Uncovered => {
                for (u, p) in rank::joint_years(block) {
                    c.add(u, p);
                }
            }
            Kind::Annual => acc.annual.iter().for_each(|v| c.add(*v, 0)),
            Kind::Largest => acc.largest.iter().for_each(|v| c.add(*v, 0)),
        }
    }
}
