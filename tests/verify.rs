//! `specie test` and the check verifier on the fixtures: golden output in every format, the
//! JUnit XML parses, and the reported counterexample really fails when replayed.

mod common;

use common::root;

/// Exit status and stdout of the `specie` binary.
fn specie(args: &[&str]) -> (i32, String) {
    let (code, out, _) = common::specie(args);
    (code, out)
}

/// Timings vary; replace `(12.3 ms, …` and `time="0.012"` with fixed text.
fn untimed(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let mut l = line.to_string();
        if let Some(a) = l.find(" ms, ") {
            if let Some(b) = l[..a].rfind('(') {
                l.replace_range(b + 1..a + 3, "T ms");
            }
        }
        let mut pos = 0;
        while let Some(found) = l[pos..].find("time=\"") {
            let a = pos + found + 6;
            let b = a + l[a..].find('"').unwrap();
            l.replace_range(a..b, "T");
            pos = a + 2;
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

const FAILING: &str = "fixtures/failing-checks/hot-wallet-retention.specie";
const PASSING: &str = "fixtures/programs/crypto-native-crime-specie.specie";

#[test]
fn text_output() {
    let (code, out) = specie(&["test", PASSING, FAILING]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("test_text", untimed(&out));
    let (code, out) = specie(&["test", PASSING]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("4 passed, 0 failed\n"), "{out}");
}

#[test]
fn json_output() {
    let (code, out) = specie(&["test", "--format", "json", FAILING]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v[0]["checks"][0]["failure"];
    assert_eq!(f["loss"], "26250000.01");
    assert_eq!(f["cause"], "external_hack");
    assert_eq!(f["tier"], "hot");
    assert_eq!(f["value"], "2500000.01");
    insta::assert_snapshot!("test_json", out);
}

#[test]
fn junit_output_is_well_formed() {
    let (code, out) = specie(&["test", "--format", "junit", PASSING, FAILING]);
    assert_eq!(code, 1);
    let mut reader = quick_xml::Reader::from_str(&out);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!((cases, failures), (5, 1));
    insta::assert_snapshot!("test_junit", untimed(&out));
}

#[test]
fn the_counterexample_really_fails_when_replayed() {
    let src = std::fs::read_to_string(root().join(FAILING)).unwrap();
    let program = specie::compile_str(&src).unwrap().program;
    let outcome = specie::verify::verify(&program, &program.checks[0], 0, 64).unwrap();
    let f = outcome.failure.unwrap();
    let scenario = specie::scenario::Scenario::from_json(&format!(
        r#"{{"events":[{{"id":"x","cause":"{}","occurred":"2026-01-01T00:00:00Z","losses":[{{"tier":"{}","amount":"{}"}}]}}]}}"#,
        f.cause.as_deref().unwrap(),
        f.tier.as_deref().unwrap(),
        f.loss
    ))
    .unwrap();
    let r = specie::replay::replay(&program, &scenario).unwrap();
    let uncovered: rust_decimal::Decimal = r.events[0].uncovered.iter().map(|u| u.amount).sum();
    assert!(uncovered > rust_decimal::Decimal::new(250_000_000, 2));
    // One cent less holds.
    let ok = specie::scenario::Scenario::from_json(&format!(
        r#"{{"events":[{{"id":"x","cause":"external_hack","occurred":"2026-01-01T00:00:00Z","losses":[{{"tier":"hot","amount":"{}"}}]}}]}}"#,
        f.loss - rust_decimal::Decimal::new(1, 2)
    ))
    .unwrap();
    let r = specie::replay::replay(&program, &ok).unwrap();
    let uncovered: rust_decimal::Decimal = r.events[0].uncovered.iter().map(|u| u.amount).sum();
    assert!(uncovered <= rust_decimal::Decimal::new(250_000_000, 2));
}

#[test]
fn sequence_counterexamples_are_replayable_and_seeded() {
    let src = r#"program "p" {
      period 2026-01-01 to 2027-01-01
      covers external_hack
      deductible 1M per occurrence
      layer "P" 10M xs 0 { aggregate 15M carrier "A" 100% }
      check "Two losses recover half" {
        events 2 with tier is hot
        loss up to 10M each
        expect paid >= 50% of loss
      }
    }"#;
    let program = specie::compile_str(src).unwrap().program;
    let a = specie::verify::verify(&program, &program.checks[0], 7, 128).unwrap();
    let b = specie::verify::verify(&program, &program.checks[0], 7, 128).unwrap();
    assert_eq!(a, b, "the same seed gives the same result");
    let f = a
        .failure
        .expect("small losses under the 1M deductible fail");
    let s = specie::scenario::Scenario::from_json(f.scenario.as_deref().unwrap()).unwrap();
    let r = specie::replay::replay(&program, &s).unwrap();
    assert_eq!(r.events.len(), 2);
    assert!(r.totals.paid * rust_decimal::Decimal::TWO < r.totals.ground_up);
}
