//! Checks over sequences of events (`events N with …`): seeded random search with
//! shrinking, by proptest's runner, reporting the smallest failing scenario as JSON.

use super::{bound, compare, describe, metric, CheckOutcome, Failure};
use crate::money::Money;
use crate::program::{Check, Program, Value};
use crate::replay::{prepare_events, Outcome, ReplayError, Replayer};
use crate::scenario::{Attributes, DecimalValue, RawEvent, RawLine, Scenario};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Scenarios tried per sequence check unless told otherwise.
pub const DEFAULT_CASES: u32 = 256;

/// One generated event: which combination, its loss in minor units, and when.
type Gen = (usize, i64, i64);

fn json_value(program: &Program, v: &Value) -> serde_json::Value {
    match v {
        Value::Flag(b) => serde_json::Value::Bool(*b),
        Value::Count(c) => serde_json::Value::from(*c),
        Value::Number(d) => serde_json::Value::String(d.to_string()),
        Value::Amount(m) => serde_json::Value::String(program.currency.format(*m)),
        Value::Duration(d) => serde_json::Value::String(format!("{} seconds", d.0)),
        Value::Text(t) => serde_json::Value::String(t.clone()),
        Value::Instant(i) => serde_json::Value::String(i.to_string()),
    }
}

/// The scenario a generated sequence stands for.
fn scenario(program: &Program, check: &Check, events: &[Gen]) -> Scenario {
    let mut attributes = Attributes::new();
    for (i, v) in &check.with {
        if let Some(a) = program.attributes.get(*i) {
            attributes.insert(Cow::Owned(a.name.clone()), json_value(program, v));
        }
    }
    let mut sorted: Vec<Gen> = events.to_vec();
    sorted.sort_by_key(|(_, _, at)| *at);
    let raw = sorted
        .iter()
        .enumerate()
        .filter_map(|(n, (combo, loss, at))| {
            let (cause, tier) = check.combinations.get(*combo)?;
            // Distinct instants: one second apart at least.
            let instant = crate::time::Instant(
                program
                    .period
                    .start
                    .0
                    .saturating_add(*at)
                    .saturating_add(n as i64),
            );
            Some(RawEvent {
                id: Cow::Owned(format!("E{}", n.saturating_add(1))),
                cause: Cow::Owned(cause.clone()),
                occurred: Cow::Owned(instant.to_string()),
                discovered: None,
                losses: vec![RawLine {
                    tier: Cow::Owned(tier.clone()),
                    amount: Some(DecimalValue(program.currency.decimal(Money(*loss)))),
                    asset: None,
                    quantity: None,
                }],
                attributes: attributes.clone(),
                series: None,
                recoveries: Vec::new(),
                year: None,
                program: None,
            })
        })
        .collect();
    Scenario {
        name: format!("counterexample to check \"{}\"", check.name),
        notes: None,
        currency: None,
        prices: BTreeMap::new(),
        indices: BTreeMap::new(),
        events: raw,
    }
}

/// The first failing expectation of a scenario: (index, total loss, value, bound).
fn failing(
    program: &Program,
    check: &Check,
    s: &Scenario,
) -> Result<Option<(usize, Money, Money, Money)>, ReplayError> {
    let mut r = Replayer::new(program);
    let events = prepare_events(&r, s)?;
    let mut out = Outcome::default();
    let mut totals = vec![Money::ZERO; check.expects.len()];
    let mut loss = Money::ZERO;
    let over = || ReplayError::Overflow {
        event: "check".to_string(),
        what: "a metric",
    };
    for ev in &events {
        r.event(ev, &mut out, None)?;
        loss = loss.checked_add(out.ground_up).ok_or_else(over)?;
        for (t, e) in totals.iter_mut().zip(&check.expects) {
            *t = t
                .checked_add(metric(program, &e.metric, &out).ok_or_else(over)?)
                .ok_or_else(over)?;
        }
    }
    for (i, (e, value)) in check.expects.iter().zip(&totals).enumerate() {
        let b = bound(&e.bound, loss).ok_or_else(over)?;
        if !compare(*value, e.op, b) {
            return Ok(Some((i, loss, *value, b)));
        }
    }
    Ok(None)
}

/// Searches sequences of `check.events` events for a failure, reproducibly from `seed`.
pub(super) fn search(
    program: &Program,
    check: &Check,
    seed: u64,
    cases: u32,
) -> Result<CheckOutcome, ReplayError> {
    let n = usize::try_from(check.events).unwrap_or(1);
    let combos = check.combinations.len().max(1);
    let span = program
        .period
        .end
        .0
        .saturating_sub(program.period.start.0)
        .saturating_sub(i64::from(check.events))
        .max(1);
    let strategy = proptest::collection::vec(
        (0..combos, check.loss_from.0..=check.loss_to.0, 0..span),
        n..=n,
    );
    let mut seed_bytes = [0u8; 32];
    for (i, b) in seed.to_le_bytes().iter().enumerate() {
        if let Some(slot) = seed_bytes.get_mut(i) {
            *slot = *b;
        }
    }
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let engine_error: std::cell::RefCell<Option<ReplayError>> = std::cell::RefCell::new(None);
    let tried = std::cell::Cell::new(0usize);
    let result = runner.run(&strategy, |events| {
        tried.set(tried.get().saturating_add(1));
        let s = scenario(program, check, &events);
        match failing(program, check, &s) {
            Ok(None) => Ok(()),
            Ok(Some(_)) => Err(TestCaseError::fail("expectation failed")),
            Err(e) => {
                *engine_error.borrow_mut() = Some(e);
                Err(TestCaseError::fail("engine error"))
            }
        }
    });
    if let Some(e) = engine_error.into_inner() {
        return Err(e);
    }
    let failure = match result {
        Ok(()) => None,
        Err(TestError::Abort(_)) => None,
        Err(TestError::Fail(_, events)) => {
            let s = scenario(program, check, &events);
            let (i, loss, value, b) =
                failing(program, check, &s)?.ok_or(ReplayError::Overflow {
                    event: "check".to_string(),
                    what: "a counterexample",
                })?;
            let e = check.expects.get(i).ok_or(ReplayError::Overflow {
                event: "check".to_string(),
                what: "an expectation",
            })?;
            Some(Failure {
                expectation: describe(program, e),
                cause: None,
                tier: None,
                loss: program.currency.decimal(loss),
                value: program.currency.decimal(value),
                bound: program.currency.decimal(b),
                result: None,
                trace: Vec::new(),
                scenario: Some(s.to_json()),
            })
        }
    };
    Ok(CheckOutcome {
        name: check.name.clone(),
        passed: failure.is_none(),
        combinations: check.combinations.len(),
        evaluations: tried.get(),
        failure,
    })
}
