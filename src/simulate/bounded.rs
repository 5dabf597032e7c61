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

/// Pass 1's result for some years: their sums (the value lists left empty) and a
/// histogram of each summary's values. Sketches of any years merge in any order; as
/// bytes ([`Sketch::to_bytes`]) they travel from the machines that made them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    /// Sums, layers, claim years, events; no values kept.
    pub(crate) block: Block,
    pub(super) hists: BTreeMap<(SummaryKey, Kind), Hist>,
    /// Years with uncovered above the basis-risk threshold, and those without parametric
    /// paid.
    pub(super) basis: (u64, u64),
}

impl Sketch {
    /// The sums of the years sketched (their value lists are empty).
    pub fn block(&self) -> &Block {
        &self.block
    }

    /// Counts a simulated block's values and drops them.
    pub(crate) fn of(mut block: Block, threshold: Option<i64>) -> Sketch {
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
    #[must_use]
    pub fn merge(mut self, other: Sketch) -> Sketch {
        self.block.merge(other.block);
        for (k, h) in other.hists {
            self.hists.entry(k).or_default().merge(&h);
        }
        self.basis.0 = self.basis.0.saturating_add(other.basis.0);
        self.basis.1 = self.basis.1.saturating_add(other.basis.1);
        self
    }

    /// What pass 2 keeps: the buckets holding the ranks asked for, per summary and kind;
    /// with `joint`, each year's parametric paid beside its uncovered total.
    pub(crate) fn plan(&self, queries: &[Query], joint: bool) -> BucketPlan {
        let n = self.block.years;
        let mut plan: BTreeMap<(SummaryKey, Kind), Vec<i32>> = BTreeMap::new();
        for (key, kind, r) in queries {
            if let Some((b, _)) = self.hists.get(&(*key, *kind)).and_then(|h| h.locate(n, *r)) {
                plan.entry((*key, *kind)).or_default().push(b);
            }
        }
        for buckets in plan.values_mut() {
            buckets.sort_unstable();
            buckets.dedup();
        }
        let deviations = self
            .block
            .summaries
            .iter()
            .filter(|(_, a)| a.sum_sq.is_none())
            .map(|(k, a)| (*k, a.sum as f64 / n.max(1) as f64))
            .collect();
        BucketPlan {
            buckets: plan.into_iter().collect(),
            joint,
            deviations,
        }
    }
}

/// What pass 2 keeps of each block of years, made from the whole run's [`Sketch`]; as
/// bytes ([`BucketPlan::to_bytes`]) it travels to the machines running pass 2.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketPlan {
    /// Per summary and kind (ascending), the buckets holding the ranks asked, ascending.
    pub(super) buckets: Vec<((SummaryKey, Kind), Vec<i32>)>,
    /// Whether the uncovered totals carry their year's parametric paid (basis risk).
    pub(super) joint: bool,
    /// Summaries whose exact sum of squares overflowed, with their mean: their spread
    /// needs every annual total in year order.
    pub(super) deviations: Vec<(SummaryKey, f64)>,
}

impl BucketPlan {
    /// What pass 2 keeps of a block of years.
    pub(crate) fn keep(&self, block: &Block) -> KeptValues {
        let mut cuts: Kept = self
            .buckets
            .iter()
            .map(|(k, b)| (*k, Cuts::new(b.clone())))
            .collect();
        keep(block, self.joint, &mut cuts);
        let deviations = self
            .deviations
            .iter()
            .map(|(k, _)| {
                let values = block.summaries.get(k).map(|a| a.annual.clone());
                (*k, values.unwrap_or_default())
            })
            .collect();
        KeptValues { cuts, deviations }
    }
}

/// Pass 2's keep of a block of years: the values in and between the planned buckets, and
/// the annual totals of the summaries whose spread needs them. As bytes
/// ([`KeptValues::to_bytes`]) it travels back from the machines running pass 2.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeptValues {
    pub(super) cuts: Kept,
    pub(super) deviations: Vec<(SummaryKey, Vec<i64>)>,
}

impl KeptValues {
    /// Adds the keep of the years that follow this keep's.
    pub(crate) fn merge(&mut self, other: KeptValues) {
        if self.cuts.is_empty() && self.deviations.is_empty() {
            *self = other;
            return;
        }
        for ((_, a), (_, b)) in self.cuts.iter_mut().zip(other.cuts) {
            a.merge(b);
        }
        for ((_, a), (_, b)) in self.deviations.iter_mut().zip(other.deviations) {
            a.extend(b);
        }
    }
}

/// Pass 1 over `blocks` on `pool`: their merged sketch.
pub(crate) fn sketch_blocks(
    pool: &rayon::ThreadPool,
    blocks: &[(u64, u64)],
    simulate: &Simulate<'_>,
    threshold: Option<i64>,
) -> Result<Sketch, SimulateError> {
    use rayon::prelude::*;
    pool.install(|| {
        blocks
            .par_iter()
            // One sketch per thread, not per block: histograms of many summaries are large.
            .try_fold(Sketch::default, |acc, (first, count)| {
                simulate(*first, *count).map(|b| acc.merge(Sketch::of(b, threshold)))
            })
            .try_reduce(Sketch::default, |a, b| Ok(a.merge(b)))
    })
}

/// Pass 2 over consecutive `blocks` on `pool`: what `plan` keeps of them, in year order.
pub(crate) fn keep_blocks(
    pool: &rayon::ThreadPool,
    blocks: &[(u64, u64)],
    simulate: &Simulate<'_>,
    plan: &BucketPlan,
) -> Result<KeptValues, SimulateError> {
    use rayon::prelude::*;
    let parts: Vec<Result<KeptValues, SimulateError>> = pool.install(|| {
        blocks
            .par_iter()
            .map(|(first, count)| simulate(*first, *count).map(|b| plan.keep(&b)))
            .collect()
    });
    let mut kept = KeptValues::default();
    for part in parts {
        kept.merge(part?);
    }
    // Equal values merged before the keep travels: a limit fills its bucket with one value.
    kept.cuts.iter_mut().for_each(|(_, c)| c.finish());
    Ok(kept)
}

/// Gathers pass 2's keeps, in year order, into the [`Tally`].
pub(crate) struct Gather {
    cuts: HashMap<(SummaryKey, Kind), Cuts>,
    /// (key, mean, running Σ (v − mean)² in year order).
    deviations: Vec<(SummaryKey, f64, f64)>,
}

impl Gather {
    pub(crate) fn new(plan: &BucketPlan) -> Gather {
        Gather {
            cuts: plan
                .buckets
                .iter()
                .map(|(k, b)| (*k, Cuts::new(b.clone())))
                .collect(),
            deviations: plan.deviations.iter().map(|(k, m)| (*k, *m, 0.0)).collect(),
        }
    }

    /// Adds the keep of the next block of years.
    pub(crate) fn add(&mut self, kept: KeptValues) {
        for (k, c) in kept.cuts {
            if let Some(all) = self.cuts.get_mut(&k) {
                all.merge(c);
            }
        }
        for (key, values) in kept.deviations {
            for (k, mean, sum) in &mut self.deviations {
                if *k == key {
                    *sum = values.iter().fold(*sum, |s, v| {
                        let d = *v as f64 - *mean;
                        s + d * d
                    });
                }
            }
        }
    }

    /// The tally of the run sketched by `sketch`.
    pub(crate) fn finish(mut self, sketch: Sketch) -> Tally {
        self.cuts.values_mut().for_each(Cuts::finish);
        let n = sketch.block.years;
        let deviations = self
            .deviations
            .into_iter()
            .map(|(key, mean, sum)| {
                let nonzero = sketch.block.summaries.get(&key).map_or(0, |a| a.nonzero);
                (key, sum + rank::zeros_deviation(nonzero, n, mean))
            })
            .collect();
        Tally {
            sketch,
            cuts: self.cuts,
            deviations,
        }
    }
}

/// Pass 2's keep for one summary and kind: around each planned bucket, the values in it
/// and the sums of those between it and the next.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Cuts {
    /// Planned buckets, ascending.
    pub(super) buckets: Vec<i32>,
    /// Per gap `i` (the values in buckets between `buckets[i - 1]` and `buckets[i]`; the
    /// last gap above every planned bucket): count, sum, sum of the years' payloads.
    pub(super) gaps: Vec<(u64, i128, i128)>,
    /// Per planned bucket: its values, each with how many years had it and the sum of
    /// their payloads; equal values are merged as the list grows (a bucket often holds
    /// one value in many years: a deductible, a limit).
    pub(super) values: Vec<Group>,
}

/// The values kept of one planned bucket: (value, years, payload sum).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Group {
    pub(super) list: Vec<(i64, u64, i128)>,
    /// The length after the last merge of equal values.
    pub(super) merged: usize,
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
    pub(super) fn new(buckets: Vec<i32>) -> Cuts {
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
pub(super) type Kept = Vec<((SummaryKey, Kind), Cuts)>;

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
    let sketch = sketch_blocks(pool, blocks, simulate, threshold)?;
    let plan = sketch.plan(&queries(&sketch.block), threshold.is_some());
    let mut gather = Gather::new(&plan);
    let ordered = on_block.is_some() || !plan.deviations.is_empty();
    let window_blocks = pool
        .current_num_threads()
        .saturating_mul(if ordered {
            WINDOW_KEPT_BLOCKS_PER_THREAD
        } else {
            WINDOW_BLOCKS_PER_THREAD
        })
        .max(1);
    let wanted = on_block.is_some();
    for window in blocks.chunks(window_blocks) {
        let parts: Vec<Result<(Option<Block>, KeptValues), SimulateError>> = pool.install(|| {
            window
                .par_iter()
                .map(|(first, count)| {
                    let b = simulate(*first, *count)?;
                    let kept = plan.keep(&b);
                    Ok((wanted.then_some(b), kept))
                })
                .collect()
        });
        for part in parts {
            let (b, kept) = part?;
            gather.add(kept);
            if let (Some(b), Some(f)) = (b, on_block.as_mut()) {
                f(&sketch.block, &b);
            }
        }
    }
    Ok(gather.finish(sketch))
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
