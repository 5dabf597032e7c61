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
    for (name, _, json) in results() {
        common::golden(
            &root().join(format!("fixtures/expected/{name}.json")),
            &json,
        );
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

/// The per-event writers give the same bytes as serializing the whole result: the pretty
/// document of `replay --json` read straight from the scenario's text, its compact form,
/// and JSON Lines whose events are the result's events with zero entries left out.
#[test]
fn streamed_output_equals_the_serialized_result() {
    use specie::replay::{replay_into, replay_text_into, Format};
    for (name, r, json) in results() {
        let program = program_for(&name);
        let text = std::fs::read_to_string(root().join(format!("fixtures/scenarios/{name}.json")))
            .unwrap();
        let scenario = Scenario::from_json(&text).unwrap();
        let mut pretty = Vec::new();
        replay_text_into(
            &program,
            &text,
            &mut pretty,
            Format::PrettyJson,
            Default::default(),
        )
        .unwrap();
        assert_eq!(String::from_utf8(pretty).unwrap(), json, "{name}: pretty");
        let mut compact = Vec::new();
        replay_into(&program, &scenario, &mut compact, Format::Json).unwrap();
        assert_eq!(
            String::from_utf8(compact).unwrap(),
            format!("{}\n", serde_json::to_string(&r).unwrap()),
            "{name}: compact"
        );
        let mut lines = Vec::new();
        replay_text_into(
            &program,
            &text,
            &mut lines,
            Format::Jsonl,
            Default::default(),
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(lines)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), r.events.len() + 1, "{name}");
        assert_eq!(
            lines.last().unwrap()["totals"],
            serde_json::to_value(&r.totals).unwrap()
        );
        for (line, e) in lines.iter().zip(&r.events) {
            assert_eq!(line["id"], e.id.as_str());
            assert_eq!(line["paid"], e.paid.to_string().as_str());
            let layers = line["layers"].as_array().unwrap();
            let nonzero: Vec<_> = e.layers.iter().filter(|l| !l.band.is_zero()).collect();
            assert_eq!(layers.len(), nonzero.len(), "{name} {}", e.id);
            for (l, full) in layers.iter().zip(nonzero) {
                assert_eq!(l["layer"], full.layer.as_str());
                let carriers = l["carriers"].as_array().unwrap();
                assert_eq!(
                    carriers.len(),
                    full.carriers.iter().filter(|c| !c.paid.is_zero()).count()
                );
                assert!(carriers.iter().all(|c| c["paid"] != "0.00"));
            }
        }
    }
}

/// The terminal report written as the replay goes (`report::text_into`, what `specie
/// replay P S` prints) is, byte for byte, the report of the whole result made visible
/// (as the CLI printed it before), with the same warnings: for every fixture (single
/// events, occurrences, recoveries, reinsurance, parametric covers), and for a scenario
/// long enough to be written in several chunks, with a control character in an id.
#[test]
fn the_streamed_report_is_the_report() {
    use specie::render::visible;
    use specie::replay::{replay_with_warnings, Options};
    let whole = |program: &specie::program::Program, text: &str| {
        let scenario = Scenario::from_json(text).unwrap();
        let (r, warnings) = replay_with_warnings(program, &scenario, Options::default()).unwrap();
        (
            visible(&specie::report::text(&r, program)).into_owned(),
            warnings,
        )
    };
    let streamed = |program: &specie::program::Program, text: &str| {
        let mut bytes = Vec::new();
        let warnings =
            specie::report::text_into(program, text, &mut bytes, Options::default()).unwrap();
        (String::from_utf8(bytes).unwrap(), warnings)
    };
    let mut checked = 0;
    for (name, _, _) in results() {
        let program = program_for(&name);
        let text = std::fs::read_to_string(root().join(format!("fixtures/scenarios/{name}.json")))
            .unwrap();
        assert_eq!(streamed(&program, &text), whole(&program, &text), "{name}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures");
    // 3,000 events of about 600 bytes of report each: 1.8 MB, about 28 chunks of 64 KiB.
    let program = program_for("crypto-native-crime-specie--hot-wallet-breach");
    let events: Vec<String> = (0..3000)
        .map(|i| {
            let tier = ["hot", "warm", "cold"][i % 3];
            format!(
                r#"{{"id":"E{i}\u001b[2J","cause":"external_hack","occurred":"2026-02-01T00:00:00Z","losses":[{{"tier":"{tier}","amount":"{}.{:02}"}}]}}"#,
                1_000 + i * 17_011,
                i % 100
            )
        })
        .collect();
    let text = format!(r#"{{"name":"Long","events":[{}]}}"#, events.join(","));
    let (report, warnings) = streamed(&program, &text);
    assert!(report.len() > 20 * 65_536, "{}", report.len());
    assert!(report.contains("event E0\\u{1b}[2J\n"));
    assert_eq!((report, warnings), whole(&program, &text));
}
