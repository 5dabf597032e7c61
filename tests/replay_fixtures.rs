//! Golden tests: every scenario in `fixtures/scenarios/` replayed through its program
//! (`PROGRAM--NAME.json` uses `fixtures/programs/PROGRAM.specie`) gives exactly the bytes
//! of `fixtures/expected/PROGRAM--NAME.json`. Each scenario's `notes` hold the hand
//! arithmetic of its numbers. Set `SPECIE_UPDATE_EXPECTED=1` to rewrite the expected files
//! after checking a change by hand.

mod common;

use common::{files, root, stem};
use specie::replay::{replay, Replay, UncoveredReason};
use specie::scenario::Scenario;
use std::collections::BTreeSet;

fn program_for(scenario: &str) -> specie::program::Program {
    let (prog, _) = scenario
        .split_once("--")
        .expect("scenario files are named PROGRAM--NAME.json");
    let src =
        std::fs::read_to_string(root().join(format!("fixtures/programs/{prog}.specie"))).unwrap();
    specie::compile_str(&src).unwrap().program
}

fn results() -> Vec<(String, Replay, String)> {
    files("fixtures/scenarios", "json")
        .iter()
        .map(|p| {
            let name = stem(p);
            let scenario = Scenario::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
            let r =
                replay(&program_for(&name), &scenario).unwrap_or_else(|e| panic!("{name}: {e}"));
            let json = format!("{}\n", r.to_json());
            (name, r, json)
        })
        .collect()
}

#[test]
fn every_scenario_matches_its_expected_result() {
    let update = std::env::var_os("SPECIE_UPDATE_EXPECTED").is_some();
    for (name, _, json) in results() {
        let path = root().join(format!("fixtures/expected/{name}.json"));
        if update {
            std::fs::write(&path, &json).unwrap();
            continue;
        }
        let expected =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(json, expected, "{name} differs from its expected result");
    }
}

#[test]
fn every_program_has_a_scenario() {
    let scenarios: BTreeSet<String> = files("fixtures/scenarios", "json")
        .iter()
        .map(|p| stem(p).split_once("--").unwrap().0.to_string())
        .collect();
    for p in files("fixtures/programs", "specie") {
        assert!(
            scenarios.contains(&stem(&p)),
            "no scenario for {}",
            stem(&p)
        );
    }
}

#[test]
fn fixtures_exercise_every_reason() {
    let mut seen = BTreeSet::new();
    for (_, r, _) in results() {
        for e in &r.events {
            for u in &e.uncovered {
                seen.insert(u.reason);
            }
        }
    }
    for reason in UncoveredReason::ALL {
        assert!(
            seen.contains(&reason),
            "no fixture produces `{}`",
            reason.as_str()
        );
    }
}

#[test]
fn conservation_holds_in_every_fixture() {
    for (name, r, _) in results() {
        for e in &r.events {
            let uncovered: rust_decimal::Decimal = e.uncovered.iter().map(|u| u.amount).sum();
            assert_eq!(e.ground_up, e.paid + uncovered, "{name}/{}", e.id);
            let carriers: rust_decimal::Decimal = e
                .layers
                .iter()
                .flat_map(|l| &l.carriers)
                .map(|c| c.paid)
                .sum();
            assert_eq!(carriers, e.paid, "{name}/{}", e.id);
        }
        let uncovered: rust_decimal::Decimal = r.totals.uncovered.iter().map(|u| u.amount).sum();
        assert_eq!(
            r.totals.ground_up,
            r.totals.paid + uncovered,
            "{name} totals"
        );
    }
}

#[test]
fn replay_is_deterministic() {
    let a: Vec<String> = results().into_iter().map(|(_, _, j)| j).collect();
    let b: Vec<String> = results().into_iter().map(|(_, _, j)| j).collect();
    assert_eq!(a, b);
}
