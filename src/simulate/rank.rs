//! Order statistics of the annual totals and yearly largest occurrences (spec section
//! 12.3): the r-th largest value of a summary over the years, zeros included, and the sum
//! of the r largest. [`Sorted`] answers from every kept value (one pass); the two-pass
//! tally of section 16 answers the same questions from histograms and the few buckets
//! that hold the ranks asked for.

use super::{Block, SummaryKey};
use std::collections::{BTreeMap, HashMap};

/// Which of a summary's yearly values: the annual total or the year's largest occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// Annual totals (AEP).
    Annual,
    /// Yearly largest occurrences (OEP).
    Largest,
}

/// One rank asked of one summary's values.
pub(crate) type Query = (SummaryKey, Kind, u64);

/// What the statistics ask of a run's yearly values.
pub(crate) trait Ranks {
    /// The `r`-th largest (from 1) of `key`'s values over the years, zeros included, and
    /// the sum of the `r` largest. `(0, 0)` for a rank that was not planned.
    fn at(&self, key: SummaryKey, kind: Kind, r: u64) -> (i64, i128);
    /// The years whose uncovered total is at least `level` (> 0): how many, and the sum
    /// of their parametric paid. `level` is an uncovered AEP value returned by [`at`].
    ///
    /// [`at`]: Ranks::at
    fn reaching(&self, level: i64) -> (u64, i128);
    /// Years with uncovered above `threshold`, and those of them without parametric paid.
    fn basis_counts(&self, threshold: i64) -> (u64, u64);
    /// Σ (v − mean)² over the annual totals in year order, zeros included, in `f64`: the
    /// spread when the exact sum of squares overflowed.
    fn deviation_sq(&self, key: SummaryKey, n: u64, mean: f64) -> f64;
}

/// The ordered bucket of a value: monotone in the value, one bucket per value below 512
/// in magnitude, then 256 buckets per power of two (a bucket spans under 0.4% of its
/// values). Zero is bucket 0.
pub(crate) fn bucket(v: i64) -> i32 {
    let m = v.unsigned_abs();
    let key = if m < 512 {
        // INVARIANT: m < 512 fits.
        i32::try_from(m).unwrap_or(i32::MAX)
    } else {
        let e = 63u32.saturating_sub(m.leading_zeros());
        let top = m >> e.saturating_sub(8);
        let sub = i32::try_from(top).unwrap_or(0).saturating_sub(256);
        let octave = i32::try_from(e).unwrap_or(0).saturating_sub(7);
        octave.saturating_mul(256).saturating_add(sub)
    };
    if v < 0 {
        key.saturating_neg()
    } else {
        key
    }
}

/// Counts of the non-zero values of one summary by [`bucket`], and the sum of the
/// positive ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hist {
    /// The bucket of `counts[0]`.
    pub(super) lo: i32,
    pub(super) counts: Vec<u64>,
    /// Values above zero: how many, and their sum.
    pub positive: u64,
    pub positive_sum: i128,
}

impl Hist {
    /// Counts `v` (zero is not counted: zeros are the years not counted).
    pub fn add(&mut self, v: i64) {
        if v == 0 {
            return;
        }
        if v > 0 {
            self.positive = self.positive.saturating_add(1);
            self.positive_sum = self.positive_sum.saturating_add(i128::from(v));
        }
        let b = bucket(v);
        self.bump(b, 1);
    }

    fn bump(&mut self, b: i32, by: u64) {
        if self.counts.is_empty() {
            self.lo = b;
        }
        if b < self.lo {
            let grow = usize::try_from(self.lo.abs_diff(b)).unwrap_or(0);
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.lo = b;
        }
        let i = usize::try_from(b.abs_diff(self.lo)).unwrap_or(0);
        if i >= self.counts.len() {
            self.counts.resize(i.saturating_add(1), 0);
        }
        if let Some(c) = self.counts.get_mut(i) {
            *c = c.saturating_add(by);
        }
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Hist) {
        self.positive = self.positive.saturating_add(other.positive);
        self.positive_sum = self.positive_sum.saturating_add(other.positive_sum);
        for (i, c) in other.counts.iter().enumerate() {
            if *c > 0 {
                let b = other
                    .lo
                    .saturating_add(i32::try_from(i).unwrap_or(i32::MAX));
                self.bump(b, *c);
            }
        }
    }

    /// Where the `r`-th largest of `n` values (the non-zero ones counted here, the others
    /// zero) lies: `Some((bucket, values in higher buckets))`, or `None` in the zeros.
    pub fn locate(&self, n: u64, r: u64) -> Option<(i32, u64)> {
        let nonzero: u64 = self.counts.iter().fold(0, |a, c| a.saturating_add(*c));
        let zeros = n.saturating_sub(nonzero);
        let mut above = 0u64;
        let mut zeros_passed = false;
        for (i, c) in self.counts.iter().enumerate().rev() {
            let b = self.lo.saturating_add(i32::try_from(i).unwrap_or(i32::MAX));
            if b < 0 && !zeros_passed {
                zeros_passed = true;
                if r <= above.saturating_add(zeros) {
                    return None;
                }
                above = above.saturating_add(zeros);
            }
            if *c == 0 {
                continue;
            }
            if r <= above.saturating_add(*c) {
                return Some((b, above));
            }
            above = above.saturating_add(*c);
        }
        None
    }
}

/// Values between two kept prefix sums of [`Sorted`].
const SUM_STRIDE: usize = 64;

/// Every value kept, sorted from the largest down: the one-pass answer.
pub(crate) struct Sorted<'b> {
    block: &'b Block,
    /// Per summary and kind: the non-zero values, largest first, and the sums of their
    /// first `j × SUM_STRIDE` (a prefix sum per value would take twice the values' memory).
    desc: HashMap<(SummaryKey, Kind), (Vec<i64>, Vec<i128>)>,
    /// Per year with a non-zero uncovered: (uncovered, parametric paid), largest first.
    joint: Vec<(i64, i64)>,
}

impl<'b> Sorted<'b> {
    /// Sorts the values of every summary of `block`.
    pub fn new(block: &'b Block) -> Sorted<'b> {
        let mut desc = HashMap::new();
        for (key, acc) in &block.summaries {
            for (kind, values) in [(Kind::Annual, &acc.annual), (Kind::Largest, &acc.largest)] {
                let mut v = values.clone();
                v.sort_unstable_by(|a, b| b.cmp(a));
                let mut sum: i128 = 0;
                let mut sums = Vec::with_capacity((v.len() / SUM_STRIDE).saturating_add(1));
                sums.push(0);
                for chunk in v.chunks(SUM_STRIDE) {
                    sum = chunk
                        .iter()
                        .fold(sum, |s, x| s.saturating_add(i128::from(*x)));
                    sums.push(sum);
                }
                desc.insert((*key, kind), (v, sums));
            }
        }
        let mut joint = Vec::new();
        if let (Some(unc), Some(par)) = (
            block.summaries.get(&SummaryKey::Uncovered),
            block.summaries.get(&SummaryKey::Parametric),
        ) {
            let paid_in: HashMap<u32, i64> = par
                .annual_years
                .iter()
                .copied()
                .zip(par.annual.iter().copied())
                .collect();
            joint = unc
                .annual_years
                .iter()
                .zip(&unc.annual)
                .map(|(y, u)| (*u, paid_in.get(y).copied().unwrap_or(0)))
                .collect();
            joint.sort_unstable_by_key(|y| std::cmp::Reverse(y.0));
        }
        Sorted { block, desc, joint }
    }
}

impl Ranks for Sorted<'_> {
    fn at(&self, key: SummaryKey, kind: Kind, r: u64) -> (i64, i128) {
        let Some((desc, sums)) = self.desc.get(&(key, kind)) else {
            return (0, 0);
        };
        let positive = desc.partition_point(|v| *v > 0) as u64;
        let zeros = self.block.years.saturating_sub(desc.len() as u64);
        // The r-th largest and the sum of the r largest (r from 1; `(0, 0)` past the end).
        let nth = |r: u64| -> (i64, i128) {
            let Some(r) = usize::try_from(r).ok().filter(|r| *r <= desc.len()) else {
                return (0, 0);
            };
            let full = r / SUM_STRIDE;
            let base = sums.get(full).copied().unwrap_or(0);
            let rest = desc.get(full.saturating_mul(SUM_STRIDE)..r).unwrap_or(&[]);
            let sum = rest
                .iter()
                .fold(base, |s, x| s.saturating_add(i128::from(*x)));
            let value = r.checked_sub(1).and_then(|i| desc.get(i)).copied();
            (value.unwrap_or(0), sum)
        };
        if r <= positive {
            nth(r)
        } else if r <= positive.saturating_add(zeros) {
            (0, nth(positive).1)
        } else {
            nth(r.saturating_sub(zeros))
        }
    }

    fn reaching(&self, level: i64) -> (u64, i128) {
        self.joint
            .iter()
            .take_while(|(v, _)| *v >= level && level > 0)
            .fold((0, 0), |(c, s), (_, p)| {
                (c.saturating_add(1), s.saturating_add(i128::from(*p)))
            })
    }

    fn basis_counts(&self, threshold: i64) -> (u64, u64) {
        basis_counts(&self.joint, threshold)
    }

    fn deviation_sq(&self, key: SummaryKey, n: u64, mean: f64) -> f64 {
        let Some(acc) = self.block.summaries.get(&key) else {
            return 0.0;
        };
        deviation_sq(&acc.annual, n, mean, 0.0)
    }
}

/// Years with uncovered above `threshold` and those without parametric paid, from the
/// (uncovered, parametric) pairs of the years with a non-zero uncovered.
pub(crate) fn basis_counts(joint: &[(i64, i64)], threshold: i64) -> (u64, u64) {
    joint
        .iter()
        .filter(|(u, _)| *u > threshold)
        .fold((0, 0), |(a, m), (_, p)| {
            (a.saturating_add(1), m.saturating_add(u64::from(*p == 0)))
        })
}

/// Continues the sum `acc` of squared deviations with `annual` (in year order); once the
/// last values are in, the zeros' part is added by the caller via [`zeros_deviation`].
pub(crate) fn deviation_sq(annual: &[i64], n: u64, mean: f64, acc: f64) -> f64 {
    let q = annual.iter().fold(acc, |s, v| {
        let d = *v as f64 - mean;
        s + d * d
    });
    q + zeros_deviation(annual.len() as u64, n, mean)
}

/// The zeros' part of the squared deviations: (n − non-zero) × mean².
pub(crate) fn zeros_deviation(nonzero: u64, n: u64, mean: f64) -> f64 {
    (n.saturating_sub(nonzero)) as f64 * mean * mean
}

/// The (uncovered, parametric paid) pairs of a block's years with a non-zero uncovered, in
/// year order.
pub(crate) fn joint_years(block: &Block) -> Vec<(i64, i64)> {
    let (Some(unc), Some(par)) = (
        block.summaries.get(&SummaryKey::Uncovered),
        block.summaries.get(&SummaryKey::Parametric),
    ) else {
        return Vec::new();
    };
    let paid_in: BTreeMap<u32, i64> = par
        .annual_years
        .iter()
        .copied()
        .zip(par.annual.iter().copied())
        .collect();
    unc.annual_years
        .iter()
        .zip(&unc.annual)
        .map(|(y, u)| (*u, paid_in.get(y).copied().unwrap_or(0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotone_and_exact_below_512() {
        let mut prev = i32::MIN;
        let mut v: i64 = -(1 << 40);
        while v < (1 << 40) {
            let b = bucket(v);
            assert!(b >= prev, "bucket({v}) = {b} < {prev}");
            prev = b;
            v += if v.unsigned_abs() < 2048 {
                1
            } else {
                (v.abs() / 997).max(1)
            };
        }
        for v in -511..512 {
            assert_eq!(bucket(v), v as i32);
        }
        // 512 = 2^9: octave 2, sub 0 → 512; 1023 → 512 + 255.
        assert_eq!(bucket(512), 512);
        assert_eq!(bucket(1023), 767);
        assert_eq!(bucket(1024), 768);
        assert_eq!(bucket(i64::MAX), 55 * 256 + 255);
        assert_eq!(bucket(i64::MIN), -(56 * 256));
    }

    #[test]
    fn locate_finds_ranks_across_positive_zero_and_negative() {
        // n = 10: values 900, 900, 5, and -3; six zeros.
        let mut h = Hist::default();
        for v in [900, 5, -3, 900] {
            h.add(v);
        }
        assert_eq!(h.locate(10, 1), Some((bucket(900), 0)));
        assert_eq!(h.locate(10, 2), Some((bucket(900), 0)));
        assert_eq!(h.locate(10, 3), Some((5, 2)));
        assert_eq!(h.locate(10, 4), None);
        assert_eq!(h.locate(10, 9), None);
        assert_eq!(h.locate(10, 10), Some((-3, 9)));
        assert_eq!(h.positive_sum, 1805);
    }
}
