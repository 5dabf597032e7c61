//! A property test of your own program with `specie::testing`:
//! `cargo run --example property_test --features testing`.
//!
//! It states two properties of the crypto-native fixture program over 256 random scenarios of
//! up to six events: every cent is accounted for, and the program's sequence check "Two hot
//! breaches in a year still recover half" holds for every two-event scenario of hot external
//! hacks and key compromises between 10M and 20M each.
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use specie::testing::{assert_check, assert_conservation, scenarios};

fn main() {
    let src = include_str!("../fixtures/programs/crypto-native-crime-specie.specie");
    let program = specie::compile_str(src)
        .expect("the fixture compiles")
        .program;
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&scenarios(&program, 1..=6, 1..=60_000_000), |s| {
            let r = specie::replay::replay(&program, &s)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            assert_conservation(&r).map_err(TestCaseError::fail)
        })
        .expect("conservation holds");
    println!("conservation: 256 scenarios, every cent accounted for");

    let hot = |s: &specie::scenario::Scenario| {
        s.events.iter().all(|e| {
            matches!(e.cause.as_ref(), "external_hack" | "key_compromise")
                && e.losses.len() == 1
                && e.losses.iter().all(|l| l.tier == "hot")
        })
    };
    runner
        .run(
            &scenarios(&program, 2..=2, 10_000_000..=20_000_000).prop_filter("hot breaches", hot),
            |s| {
                let r = specie::replay::replay(&program, &s)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                assert_check(
                    &program,
                    "Two hot breaches in a year still recover half",
                    &r,
                )
                .map_err(TestCaseError::fail)
            },
        )
        .expect("the check holds");
    println!("check: two hot breaches recover half in 256 scenarios");
}
