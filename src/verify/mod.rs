//! Verifying `check` blocks (spec section 10) with the real replay engine.
//!
//! **Single-event checks are verified, not sampled.** For one event with one loss line of
//! value `v`, every metric is a piecewise-linear function of `v` (up to rounding to the minor
//! unit): the wording and the tower only change slope where `v`, the amount after the
//! sub-limits (`T`), or the amount entering the tower (`X`) crosses one of the program's
//! constants — sub-limit caps, deductible amounts, minimums, maximums and franchises (and
//! where a percentage deductible meets them), attachments, layer tops and aggregates. Those
//! constants are mapped back to losses by bisection on the engine's own (monotone) `T(v)`
//! and `X(v)`. Between two consecutive breakpoints each metric and each bound is linear, so
//! an expectation that holds at both ends holds in between; the check evaluates every
//! breakpoint, one minor unit either side, and the range ends. When a point fails, a
//! bisection between it and the last passing point finds the smallest failing loss.
//! `tests/verify_props.rs` tests this claim against dense sampling on random programs.
//!
//! **Sequences (`events N`)** are searched: random scenarios of N events, shrunk to the
//! smallest failing one by proptest's runner, reproducible with a seed.

mod sequence;

use crate::ast::CmpOp;
use crate::money::Money;
use crate::program::{Check, CheckBound, CheckMetric, DeductibleAmount, Program};
use crate::replay::{EventResult, Outcome, ReplayError, Replayer, TraceStep, UncoveredReason};
use crate::scenario::{Event, Line, OTHER_SYMBOL};
use rust_decimal::Decimal;
use serde::Serialize;

pub use sequence::DEFAULT_CASES;

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// Check name.
    pub name: String,
    /// Whether every expectation held everywhere checked.
    pub passed: bool,
    /// `(cause, tier)` combinations checked (single-event checks).
    pub combinations: usize,
    /// Losses evaluated (single-event) or scenarios tried (sequences).
    pub evaluations: usize,
    /// The counterexample, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// A counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The expectation that failed, as written.
    pub expectation: String,
    /// The cause and tier of the failing event (single-event checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// See `cause`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The smallest failing loss (single-event) or the scenario's total loss.
    #[serde(with = "rust_decimal::serde::str")]
    pub loss: Decimal,
    /// The metric's value there.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// The bound there.
    #[serde(with = "rust_decimal::serde::str")]
    pub bound: Decimal,
    /// The failing event's result (single-event checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<EventResult>,
    /// The failing event's path, for `--explain`-style output.
    #[serde(skip)]
    pub trace: Vec<TraceStep>,
    /// The smallest failing scenario as JSON ready for `specie replay` (sequences).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

/// The text of an expectation, e.g. `uncovered <= 2500000.00`.
pub fn describe(program: &Program, e: &crate::program::Expectation) -> String {
    let metric = match &e.metric {
        CheckMetric::Paid => "paid".to_string(),
        CheckMetric::Retained => "retained".to_string(),
        CheckMetric::Uncovered(None) => "uncovered".to_string(),
        CheckMetric::Uncovered(Some(r)) => format!("uncovered {r}"),
        CheckMetric::CarrierPaid(n) => format!("carrier \"{n}\" paid"),
        CheckMetric::LayerPaid(k) => format!(
            "layer \"{}\" paid",
            program.layers.get(*k).map_or("?", |l| l.name.as_str())
        ),
    };
    let bound = match &e.bound {
        CheckBound::Amount(m) => program.currency.format(*m),
        CheckBound::ShareOfLoss(f) => format!(
            "{}% of loss",
            f.to_decimal()
                .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
                .map_or(String::new(), |d| d.normalize().to_string())
        ),
    };
    format!("{metric} {} {bound}", e.op.as_str())
}

/// The metric of `e` on an outcome.
pub(crate) fn metric(program: &Program, m: &CheckMetric, out: &Outcome) -> Option<Money> {
    let sum = |f: &dyn Fn(UncoveredReason) -> bool| {
        out.uncovered
            .iter()
            .filter(|(k, _)| f(k.reason))
            .try_fold(Money::ZERO, |a, (_, v)| a.checked_add(*v))
    };
    match m {
        CheckMetric::Paid => Some(out.paid),
        CheckMetric::Uncovered(None) => sum(&|_| true),
        CheckMetric::Uncovered(Some(r)) => sum(&|reason| reason.as_str() == r),
        CheckMetric::Retained => sum(&|r| {
            matches!(
                r,
                UncoveredReason::Deductible | UncoveredReason::Coinsurance
            )
        }),
        CheckMetric::LayerPaid(k) => out.layers.get(*k).map(|l| l.paid),
        CheckMetric::CarrierPaid(name) => program
            .layers
            .iter()
            .zip(&out.layers)
            .flat_map(|(l, lo)| l.carriers.iter().zip(&lo.carriers))
            .filter(|(c, _)| c.name == *name)
            .try_fold(Money::ZERO, |a, (_, p)| a.checked_add(*p)),
    }
}

/// Whether `value OP bound` holds.
pub fn compare(value: Money, op: CmpOp, bound: Money) -> bool {
    match op {
        CmpOp::Lt => value < bound,
        CmpOp::Le => value <= bound,
        CmpOp::Gt => value > bound,
        CmpOp::Ge => value >= bound,
        CmpOp::Eq => value == bound,
        CmpOp::Ne => value != bound,
    }
}

/// The bound of `b` for a (total) ground-up loss.
pub(crate) fn bound(b: &CheckBound, loss: Money) -> Option<Money> {
    match b {
        CheckBound::Amount(m) => Some(*m),
        CheckBound::ShareOfLoss(f) => f.apply(loss),
    }
}

/// A single-event evaluator for one check and one `(cause, tier)`.
struct Single<'p> {
    program: &'p Program,
    replayer: Replayer<'p>,
    out: Outcome,
    check: &'p Check,
    cause: &'p str,
    tier: &'p str,
    attributes: Vec<crate::program::Value>,
    evaluations: usize,
}

impl<'p> Single<'p> {
    fn event(&self, replayer: &Replayer<'_>, loss: Money) -> Event<'p> {
        Event {
            id: "check",
            cause: self.cause,
            cause_id: replayer.symbols().get(self.cause),
            occurred: self.program.period.start,
            discovered: self.program.period.start,
            lines: std::borrow::Cow::Owned(vec![Line {
                tier: self.tier,
                tier_id: replayer.symbols().get(self.tier),
                asset: None,
                asset_id: OTHER_SYMBOL,
                value: loss,
                priced: None,
            }]),
            attributes: std::borrow::Cow::Owned(self.attributes.clone()),
            series: None,
            recoveries: std::borrow::Cow::Borrowed(&[]),
        }
    }

    /// Replays one event of `loss` from the start of the period; the outcome is in `self.out`.
    fn run(
        &mut self,
        loss: Money,
        trace: Option<&mut Vec<TraceStep>>,
    ) -> Result<Option<EventResult>, ReplayError> {
        self.evaluations = self.evaluations.saturating_add(1);
        self.replayer.reset();
        let ev = self.event(&self.replayer, loss);
        let want = trace.is_some();
        self.replayer.event(&ev, &mut self.out, trace)?;
        Ok(want.then(|| self.replayer.event_result("check", &self.out)))
    }

    /// `T(v)` and `X(v)`: the covered amount after the sub-limits, and what enters the tower.
    fn stages(&mut self, loss: Money) -> Result<(i64, i64), ReplayError> {
        self.run(loss, None)?;
        let out = &self.out;
        let by = |f: &dyn Fn(UncoveredReason) -> bool| {
            out.uncovered
                .iter()
                .filter(|(k, _)| f(k.reason))
                .map(|(_, m)| m.0)
                .fold(0i64, i64::saturating_add)
        };
        let t = loss.0.saturating_sub(by(&|r| {
            matches!(
                r,
                UncoveredReason::OutsidePeriod
                    | UncoveredReason::CauseNotCovered
                    | UncoveredReason::Excluded
                    | UncoveredReason::Sublimit
            )
        }));
        let x = t.saturating_sub(by(&|r| {
            matches!(
                r,
                UncoveredReason::Deductible | UncoveredReason::Coinsurance
            )
        }));
        Ok((t, x))
    }

    /// The smallest loss in range whose stage value reaches `target`, if any.
    fn preimage(&mut self, target: i64, stage: usize) -> Result<Option<i64>, ReplayError> {
        let (mut lo, mut hi) = (self.check.loss_from.0, self.check.loss_to.0);
        let at = |s: &mut Self, v: i64| -> Result<i64, ReplayError> {
            let (t, x) = s.stages(Money(v))?;
            Ok(if stage == 0 { t } else { x })
        };
        if at(self, hi)? < target {
            return Ok(None);
        }
        if at(self, lo)? >= target {
            return Ok(Some(lo));
        }
        // INVARIANT: at(lo) < target <= at(hi); T and X never decrease as the loss grows.
        while hi.saturating_sub(lo) > 1 {
            let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
            if at(self, mid)? >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(Some(hi))
    }

    /// Every loss at which a metric may change slope, with the range ends.
    fn breakpoints(&mut self) -> Result<Vec<i64>, ReplayError> {
        let p = self.program;
        let mut v_space: Vec<i64> = vec![self.check.loss_from.0, self.check.loss_to.0];
        for s in &p.sublimits {
            v_space.extend(s.per_occurrence.iter().chain(&s.aggregate).map(|m| m.0));
        }
        let mut t_space: Vec<i64> = Vec::new();
        let flats: Vec<i64> = p
            .deductibles
            .iter()
            .filter_map(|d| match d.amount {
                DeductibleAmount::Flat(a) => Some(a.0),
                DeductibleAmount::Percent { .. } => None,
            })
            .collect();
        for d in &p.deductibles {
            match &d.amount {
                DeductibleAmount::Flat(a) => t_space.push(a.0),
                DeductibleAmount::Percent { rate, min, max } => {
                    // Where rate × T meets min, max or another deductible's amount.
                    let targets = min
                        .iter()
                        .chain(max)
                        .map(|m| m.0)
                        .chain(flats.iter().copied());
                    for m in targets {
                        if rate.num > 0 {
                            let den = rate.den().unwrap_or(1);
                            let t = i128::from(m)
                                .saturating_mul(den)
                                .checked_div(rate.num)
                                .unwrap_or(i128::MAX);
                            t_space.push(i64::try_from(t).unwrap_or(i64::MAX));
                        }
                    }
                }
            }
            if let Some(a) = d.aggregate {
                t_space.push(a.0);
            }
        }
        let mut x_space: Vec<i64> = Vec::new();
        for l in &p.layers {
            x_space.push(l.attachment.0);
            x_space.push(l.attachment.0.saturating_add(l.limit.0));
            if let Some(a) = l.effective_aggregate() {
                x_space.push(l.attachment.0.saturating_add(a.0));
            }
        }
        let mut points = v_space;
        for (stage, space) in [(0usize, t_space), (1usize, x_space)] {
            for target in space {
                for t in [target.saturating_sub(1), target, target.saturating_add(1)] {
                    if let Some(v) = self.preimage(t, stage)? {
                        points.push(v);
                    }
                }
            }
        }
        let (lo, hi) = (self.check.loss_from.0, self.check.loss_to.0);
        let mut all: Vec<i64> = points
            .iter()
            .flat_map(|v| [v.saturating_sub(1), *v, v.saturating_add(1)])
            .filter(|v| (lo..=hi).contains(v))
            .collect();
        all.sort_unstable();
        all.dedup();
        Ok(all)
    }

    /// The first expectation failing at `loss`, with its value and bound.
    fn failing(&mut self, loss: i64) -> Result<Option<(usize, Money, Money)>, ReplayError> {
        self.run(Money(loss), None)?;
        let out = &self.out;
        for (i, e) in self.check.expects.iter().enumerate() {
            let over = || ReplayError::Overflow {
                event: "check".to_string(),
                what: "a metric",
            };
            let value = metric(self.program, &e.metric, out).ok_or_else(over)?;
            let b = bound(&e.bound, out.ground_up).ok_or_else(over)?;
            if !compare(value, e.op, b) {
                return Ok(Some((i, value, b)));
            }
        }
        Ok(None)
    }
}

/// Verifies a single-event check over every combination; the counterexample is the smallest
/// failing loss over all combinations (the earlier combination on ties).
fn verify_single(program: &Program, check: &Check) -> Result<CheckOutcome, ReplayError> {
    let mut attributes: Vec<crate::program::Value> = Vec::with_capacity(program.attributes.len());
    for (i, a) in program.attributes.iter().enumerate() {
        let v = check
            .with
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, v)| v.clone())
            .or_else(|| a.default.clone());
        // INVARIANT: the compiler rejects checks with an attribute lacking both.
        attributes.push(v.unwrap_or(crate::program::Value::Flag(false)));
    }
    let mut evaluations = 0usize;
    let mut best: Option<Failure> = None;
    for (cause, tier) in &check.combinations {
        let mut s = Single {
            program,
            replayer: Replayer::new(program),
            out: Outcome::default(),
            check,
            cause,
            tier,
            attributes: attributes.clone(),
            evaluations: 0,
        };
        let points = s.breakpoints()?;
        let mut prev_ok: Option<i64> = None;
        let mut found: Option<i64> = None;
        for p in points {
            if s.failing(p)?.is_none() {
                prev_ok = Some(p);
                continue;
            }
            // The smallest failing loss lies after the last passing point: bisect.
            let mut hi = p;
            if let Some(mut lo) = prev_ok {
                while hi.saturating_sub(lo) > 1 {
                    let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
                    if s.failing(mid)?.is_some() {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
            }
            found = Some(hi);
            break;
        }
        evaluations = evaluations.saturating_add(s.evaluations);
        if let Some(loss) = found {
            if best
                .as_ref()
                .is_some_and(|b| b.loss <= program.currency.decimal(Money(loss)))
            {
                continue;
            }
            let (i, value, b) = s.failing(loss)?.ok_or(ReplayError::Overflow {
                event: "check".to_string(),
                what: "a counterexample",
            })?;
            let mut trace = Vec::new();
            let result = s.run(Money(loss), Some(&mut trace))?;
            let e = check.expects.get(i).ok_or(ReplayError::Overflow {
                event: "check".to_string(),
                what: "an expectation",
            })?;
            best = Some(Failure {
                expectation: describe(program, e),
                cause: Some(cause.clone()),
                tier: Some(tier.clone()),
                loss: program.currency.decimal(Money(loss)),
                value: program.currency.decimal(value),
                bound: program.currency.decimal(b),
                result,
                trace,
                scenario: None,
            });
        }
    }
    Ok(CheckOutcome {
        name: check.name.clone(),
        passed: best.is_none(),
        combinations: check.combinations.len(),
        evaluations,
        failure: best,
    })
}

/// Verifies one check: exactly for single events, by seeded search for sequences over
/// `cases` scenarios (at least one, whatever `cases` says).
pub fn verify(
    program: &Program,
    check: &Check,
    seed: u64,
    cases: u32,
) -> Result<CheckOutcome, ReplayError> {
    if check.events <= 1 {
        verify_single(program, check)
    } else {
        // INVARIANT: a sequence check is never passed without trying a scenario.
        sequence::search(program, check, seed, cases.max(1))
    }
}

/// Verifies every check of the program, in written order.
pub fn verify_all(
    program: &Program,
    seed: u64,
    cases: u32,
) -> Result<Vec<CheckOutcome>, ReplayError> {
    program
        .checks
        .iter()
        .map(|c| verify(program, c, seed, cases))
        .collect()
}
