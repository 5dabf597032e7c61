//! proptest strategies and assertions for your own property tests of a program
//! (cargo feature `testing`).
//!
//! ```
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//! use specie::testing::{assert_conservation, scenarios};
//!
//! let program = specie::compile_str(r#"program "p" {
//!   period 2026-01-01 to 2027-01-01
//!   covers external_hack
//!   attribute colluding_staff: count = 0
//!   deductible 1M per occurrence
//!   layer "Primary" 10M xs 0 { carrier "A" 100% }
//! }"#).unwrap().program;
//! let mut runner = TestRunner::default();
//! runner
//!     .run(&scenarios(&program, 1..=5, 1..=50_000_000), |s| {
//!         let r = specie::replay::replay(&program, &s).map_err(|e| TestCaseError::fail(e.to_string()))?;
//!         assert_conservation(&r).map_err(TestCaseError::fail)
//!     })
//!     .unwrap();
//! ```

use crate::ast::AttrType;
use crate::money::Money;
use crate::program::{CheckBound, CheckMetric, Program};
use crate::replay::Replay;
use crate::scenario::{DecimalValue, RawEvent, RawLine, Scenario};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// Causes an event of `program` may have: its covered causes.
fn causes(program: &Program) -> Vec<String> {
    program.covered_causes()
}

/// Tiers: the tiers the program holds assets in.
fn tiers(program: &Program) -> Vec<String> {
    program.held_tiers()
}

fn attribute(ty: AttrType) -> BoxedStrategy<serde_json::Value> {
    match ty {
        AttrType::Flag => any::<bool>().prop_map(serde_json::Value::Bool).boxed(),
        AttrType::Count => (0u64..6).prop_map(serde_json::Value::from).boxed(),
        AttrType::Number => (0i64..10_000)
            .prop_map(|n| serde_json::Value::String(Decimal::new(n, 2).to_string()))
            .boxed(),
        AttrType::Amount => (0i64..10_000_000)
            .prop_map(|n| serde_json::Value::String(n.to_string()))
            .boxed(),
        AttrType::Duration => (0i64..120)
            .prop_map(|d| serde_json::Value::String(format!("{d} days")))
            .boxed(),
        AttrType::Text => "[a-z]{0,8}".prop_map(serde_json::Value::String).boxed(),
    }
}

/// One event valid for `program`: a cause and tier it knows, one to three loss lines with
/// amounts in `loss` (whole currency units), every declared attribute with a value of its
/// type, occurring inside the period and discovered within 30 days. Its id is `E`.
pub fn events(
    program: &Program,
    loss: RangeInclusive<i64>,
) -> impl Strategy<Value = RawEvent<'static>> {
    let causes = causes(program);
    let tiers = tiers(program);
    let attrs: Vec<(String, BoxedStrategy<serde_json::Value>)> = program
        .attributes
        .iter()
        .map(|a| (a.name.clone(), attribute(a.ty)))
        .collect();
    let names: Vec<String> = attrs.iter().map(|(n, _)| n.clone()).collect();
    let values: Vec<BoxedStrategy<serde_json::Value>> = attrs.into_iter().map(|(_, s)| s).collect();
    let start = program.period.start.0;
    let span = program.period.end.0.saturating_sub(start).max(1);
    (
        prop::sample::select(causes),
        prop::collection::vec((prop::sample::select(tiers), loss), 1..=3),
        0..span,
        0i64..30 * 86_400,
        values,
    )
        .prop_map(move |(cause, lines, at, delay, values)| {
            let occurred = crate::time::Instant(start.saturating_add(at));
            let discovered = crate::time::Instant(occurred.0.saturating_add(delay));
            RawEvent {
                id: Cow::Borrowed("E"),
                cause: Cow::Owned(cause),
                occurred: Cow::Owned(occurred.to_string()),
                discovered: Some(Cow::Owned(discovered.to_string())),
                losses: lines
                    .into_iter()
                    .map(|(tier, amount)| RawLine {
                        tier: Cow::Owned(tier),
                        amount: Some(DecimalValue(Decimal::from(amount))),
                        asset: None,
                        quantity: None,
                    })
                    .collect(),
                attributes: names.iter().cloned().map(Cow::Owned).zip(values).collect(),
                series: None,
                recoveries: Vec::new(),
                year: None,
                program: None,
            }
        })
}

/// A scenario of `count` events valid for `program` (see [`events`]), with distinct ids.
pub fn scenarios(
    program: &Program,
    count: RangeInclusive<usize>,
    loss: RangeInclusive<i64>,
) -> impl Strategy<Value = Scenario> {
    prop::collection::vec(events(program, loss), count).prop_map(|evs| Scenario {
        name: "generated".to_string(),
        notes: None,
        currency: None,
        prices: BTreeMap::new(),
        indices: BTreeMap::new(),
        events: evs
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.id = Cow::Owned(format!("E{}", i.saturating_add(1)));
                e
            })
            .collect(),
    })
}

fn sum(amounts: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    amounts
        .into_iter()
        .try_fold(Decimal::ZERO, |a, x| a.checked_add(x))
}

/// Ground-up = paid + uncovered, exactly, for every event and the totals; carriers add up
/// to what was paid.
pub fn assert_conservation(r: &Replay) -> Result<(), String> {
    for e in &r.events {
        let uncovered = sum(e.uncovered.iter().map(|u| u.amount)).ok_or("overflow")?;
        if e.paid.checked_add(uncovered) != Some(e.ground_up) {
            return Err(format!(
                "event {}: {} + {} != {}",
                e.id, e.paid, uncovered, e.ground_up
            ));
        }
        let carriers =
            sum(e.layers.iter().flat_map(|l| &l.carriers).map(|c| c.paid)).ok_or("overflow")?;
        if carriers != e.paid {
            return Err(format!(
                "event {}: carriers {} != paid {}",
                e.id, carriers, e.paid
            ));
        }
    }
    let uncovered = sum(r.totals.uncovered.iter().map(|u| u.amount)).ok_or("overflow")?;
    if r.totals.paid.checked_add(uncovered) != Some(r.totals.ground_up) {
        return Err(format!(
            "totals: {} + {} != {}",
            r.totals.paid, uncovered, r.totals.ground_up
        ));
    }
    Ok(())
}

/// Every expectation of the check named `check` holds on the replay's totals (`loss` is the
/// scenario's total ground-up loss).
pub fn assert_check(program: &Program, check: &str, r: &Replay) -> Result<(), String> {
    let c = program
        .checks
        .iter()
        .find(|c| c.name == check)
        .ok_or_else(|| format!("no check named `{check}`"))?;
    let cur = &program.currency;
    let t = &r.totals;
    let uncovered = |f: &dyn Fn(&str) -> bool| {
        sum(t
            .uncovered
            .iter()
            .filter(|u| f(u.reason.as_str()))
            .map(|u| u.amount))
    };
    for e in &c.expects {
        let value = match &e.metric {
            CheckMetric::Paid => Some(t.paid),
            CheckMetric::Uncovered(None) => uncovered(&|_| true),
            CheckMetric::Uncovered(Some(w)) => uncovered(&|r| r == w),
            CheckMetric::Retained => uncovered(&|r| r == "deductible" || r == "coinsurance"),
            CheckMetric::LayerPaid(k) => t.layers.get(*k).map(|l| l.paid),
            CheckMetric::CarrierPaid(n) => {
                t.carriers.iter().find(|x| x.carrier == *n).map(|x| x.paid)
            }
        }
        .ok_or("metric not found")?;
        let loss = cur.money_exact(t.ground_up).ok_or("loss out of range")?;
        let bound = match &e.bound {
            CheckBound::Amount(m) => *m,
            CheckBound::ShareOfLoss(f) => f.apply(loss).ok_or("overflow")?,
        };
        let value_m = cur.money_exact(value).unwrap_or(Money::ZERO);
        if !crate::verify::compare(value_m, e.op, bound) {
            return Err(format!(
                "check `{check}`: expected {}, but {} is {} against {}",
                crate::verify::describe(program, e),
                value,
                value,
                cur.decimal(bound)
            ));
        }
    }
    Ok(())
}
