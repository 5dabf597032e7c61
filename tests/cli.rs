//! The `specie` binary: exit statuses and output of `check` and `fmt`.

mod common;

use common::{root, specie};

/// A JSON Lines stream: the header line, then one event per line.
fn jsonl(header: &serde_json::Value, events: &[specie::scenario::RawEvent<'_>]) -> String {
    let mut out = format!("{header}\n");
    for e in events {
        out.push_str(&serde_json::to_string(e).unwrap());
        out.push('\n');
    }
    out
}

#[test]
fn check_accepts_every_program_fixture() {
    let mut args = vec!["check"];
    let files: Vec<String> = common::files("fixtures/programs", "specie")
        .iter()
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    args.extend(files.iter().map(String::as_str));
    let (code, stdout, stderr) = specie(&args);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("check_programs_stdout", stdout);
    insta::assert_snapshot!("check_programs_stderr", stderr);
}

#[test]
fn check_exits_1_on_every_invalid_fixture() {
    for p in common::files("fixtures/invalid", "specie") {
        let rel = p.strip_prefix(root()).unwrap().display().to_string();
        let (code, _, stderr) = specie(&["check", &rel]);
        assert_eq!(code, 1, "{rel}: {stderr}");
        assert!(stderr.contains("×"), "{rel}: {stderr}");
    }
}

#[test]
fn check_json_output() {
    let (code, stdout, _) = specie(&[
        "check",
        "--format",
        "json",
        "fixtures/invalid/overlapping-layers.specie",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v[0]["code"], "specie::tower::overlap");
    assert_eq!(v[0]["line"], 7);
    assert_eq!(v[0]["column"], 3);
    insta::assert_snapshot!("check_json_overlap", stdout);
}

#[test]
fn check_exits_2_on_missing_file_and_bad_usage() {
    let (code, _, stderr) = specie(&["check", "no/such/file.specie"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read `no/such/file.specie`"),
        "{stderr}"
    );
    let (code, _, _) = specie(&["check"]);
    assert_eq!(code, 2);
    let (code, _, _) = specie(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn fmt_check_passes_on_fixtures_and_names_files_that_would_change() {
    let (code, stdout, stderr) =
        specie(&["fmt", "--check", "fixtures/programs/broker-tower.specie"]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    let dir = std::env::temp_dir().join(format!("specie-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.specie");
    std::fs::write(
        &messy,
        "program \"x\" {   period 2026-01-01 to 2027-01-01 }",
    )
    .unwrap();
    let messy_s = messy.display().to_string();
    let (code, stdout, _) = specie(&["fmt", "--check", &messy_s]);
    assert_eq!(code, 1);
    assert_eq!(stdout, format!("would reformat: {messy_s}\n"));
    // --check did not write.
    assert!(std::fs::read_to_string(&messy)
        .unwrap()
        .starts_with("program \"x\" {   "));
    let (code, _, _) = specie(&["fmt", &messy_s]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "program \"x\" {\n  period 2026-01-01 to 2027-01-01\n}\n"
    );
    let (code, _, _) = specie(&["fmt", "--check", &messy_s]);
    assert_eq!(code, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn oversized_input_is_refused() {
    let dir = std::env::temp_dir().join(format!("specie-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.specie");
    let f = std::fs::File::create(&big).unwrap();
    // 17 MiB: a real program followed by comments.
    let mut text = std::fs::read_to_string(root().join(HOT_PROGRAM)).unwrap();
    let comment = format!("# {}\n", "x".repeat(1022));
    while text.len() < 17 << 20 {
        text.push_str(&comment);
    }
    f.set_len(0).unwrap();
    std::fs::write(&big, &text).unwrap();
    let path = big.display().to_string();
    // A file above a limit is bad input: a diagnostic with its code, exit status 1.
    let scenario = root().join(HOT_SCENARIO).display().to_string();
    for args in [
        vec!["check", &path],
        vec!["replay", &path, &scenario],
        vec!["tower", &path],
        vec!["test", &path],
        vec!["fmt", "--check", &path],
    ] {
        let (code, stdout, stderr) = specie(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("specie::limit::input_size"),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("input is {} bytes", text.len())),
            "{args:?}: {stderr}"
        );
        assert!(!stdout.contains("ok:"), "{args:?}: {stdout}");
    }
    let (code, stdout, _) = specie(&["check", "--format", "json", &path]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v[0]["code"], "specie::limit::input_size");
    std::fs::remove_dir_all(&dir).unwrap();
}

const HOT_PROGRAM: &str = "fixtures/programs/crypto-native-crime-specie.specie";
const HOT_SCENARIO: &str = "fixtures/scenarios/crypto-native-crime-specie--hot-wallet-breach.json";

#[test]
fn replay_report_snapshots() {
    let (code, stdout, stderr) = specie(&["replay", HOT_PROGRAM, HOT_SCENARIO]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("replay_hot_wallet_report", stdout);
    let (code, stdout, stderr) = specie(&[
        "replay",
        "fixtures/programs/broker-tower.specie",
        "fixtures/scenarios/broker-tower--year-of-exchange-losses.json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("replay_broker_year_report", stdout);
    // A layer placed at 85%: its carriers' paid, and the unplaced part on its own line.
    let (code, stdout, stderr) = specie(&[
        "replay",
        "fixtures/programs/broker-tower.specie",
        "fixtures/scenarios/broker-tower--cold-multisig-compromise.json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("unplaced (kept by the insured)"),
        "{stdout}"
    );
    insta::assert_snapshot!("replay_broker_unplaced_report", stdout);
}

#[test]
fn explain_snapshots() {
    let (code, stdout, stderr) = specie(&[
        "replay",
        HOT_PROGRAM,
        HOT_SCENARIO,
        "--explain",
        "binance-2019-05",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("explain_hot_wallet", stdout);
    let (code, stdout, stderr) = specie(&[
        "replay",
        "fixtures/programs/wallet-recovery-warranty.specie",
        "fixtures/scenarios/wallet-recovery-warranty--key-loss-and-theft.json",
        "--explain",
        "lost-key-set",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("explain_wallet_lost_key_set", stdout);
    let (code, _, stderr) = specie(&["replay", HOT_PROGRAM, HOT_SCENARIO, "--explain", "nope"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no event or parametric cover named `nope`"),
        "{stderr}"
    );
}

#[test]
fn replay_json_equals_the_expected_file() {
    let (code, stdout, _) = specie(&["replay", HOT_PROGRAM, HOT_SCENARIO, "--json"]);
    assert_eq!(code, 0);
    let expected = std::fs::read_to_string(
        root().join("fixtures/expected/crypto-native-crime-specie--hot-wallet-breach.json"),
    )
    .unwrap();
    assert_eq!(stdout, expected);
}

fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("specie-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn bad_scenarios_exit_1_with_a_clear_error() {
    let cases = [
        (
            "malformed.json",
            "{\"events\": [\n  {\"id\": }\n]}",
            "line 2, column 10",
        ),
        (
            "dup.json",
            r#"{"events":[{"id":"A","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[]},{"id":"A","cause":"external_hack","occurred":"2026-03-02T00:00:00Z","losses":[]}]}"#,
            "duplicate event id `A`",
        ),
        (
            "shape.json",
            "{\"events\":[\n{\"id\":\"E-9\",\"cause\":\"external_hack\",\"occurred\":\"2026-03-01T00:00:00Z\",\"losses\":[{\"tier\":\"hot\",\"amount\":\"1.2.3\"}]}]}",
            "line 2, column 110: event `E-9`: field `events[0].losses[0].amount`: `1.2.3` is not a decimal number",
        ),
        (
            "attr.json",
            r#"{"events":[{"id":"A","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[],"attributes":{"colluding":1}}]}"#,
            "attribute `colluding` is not declared",
        ),
    ];
    for (name, text, needle) in cases {
        let p = temp(name, text);
        let (code, stdout, stderr) = specie(&["replay", HOT_PROGRAM, &p.display().to_string()]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: partial output {stdout}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
    }
}

#[test]
fn streaming_matches_the_whole_scenario() {
    // The year-of-claims scenario as JSON Lines, sorted, with a header line.
    let text = std::fs::read_to_string(
        root().join("fixtures/scenarios/crypto-native-crime-specie--year-of-claims.json"),
    )
    .unwrap();
    let s = specie::scenario::Scenario::from_json(&text).unwrap();
    let header = serde_json::json!({"name": s.name, "prices": s.prices});
    let program = specie::compile_str(&std::fs::read_to_string(root().join(HOT_PROGRAM)).unwrap())
        .unwrap()
        .program;
    let whole = specie::replay::replay(&program, &s).unwrap();
    let mut events = s.events.clone();
    let order: Vec<String> = whole.events.iter().map(|e| e.id.clone()).collect();
    events.sort_by_key(|e| order.iter().position(|id| *id == e.id).unwrap());
    let p = temp("year.jsonl", &jsonl(&header, &events));
    let (code, stdout, stderr) = specie(&[
        "replay",
        HOT_PROGRAM,
        "--events",
        &p.display().to_string(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let streamed: specie::replay::Replay = serde_json::from_str(&stdout).unwrap();
    assert_eq!(streamed, whole);
    // `--events -` reads the same stream from standard input.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_specie"))
        .args(["replay", HOT_PROGRAM, "--events", "-", "--json"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let input = jsonl(&header, &events);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(input.as_bytes()).unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), stdout);
    // Out of order: an error naming the line.
    events.swap(0, 1);
    let p = temp("bad.jsonl", &jsonl(&header, &events));
    let (code, _, stderr) = specie(&["replay", HOT_PROGRAM, "--events", &p.display().to_string()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("(line 3) comes before"), "{stderr}");
}

#[test]
fn parametric_report_and_explain_snapshots() {
    let prog = "fixtures/programs/crime-tower-with-depeg.specie";
    let scen = "fixtures/scenarios/crime-tower-with-depeg--hack-and-depeg.json";
    let (code, stdout, stderr) = specie(&["replay", prog, scen]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("replay_tower_with_depeg_report", stdout);
    let (code, stdout, stderr) = specie(&[
        "replay",
        "fixtures/programs/depeg-graduated-steps.specie",
        "fixtures/scenarios/depeg-graduated-steps--usdc-2026.json",
        "--explain",
        "USDC depeg",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("explain_usdc_depeg_cover", stdout);
}

#[test]
fn streaming_carries_parametric_claims_from_the_header() {
    let prog = "fixtures/programs/crime-tower-with-depeg.specie";
    let text = std::fs::read_to_string(
        root().join("fixtures/scenarios/crime-tower-with-depeg--hack-and-depeg.json"),
    )
    .unwrap();
    let s = specie::scenario::Scenario::from_json(&text).unwrap();
    let program = specie::compile_str(&std::fs::read_to_string(root().join(prog)).unwrap())
        .unwrap()
        .program;
    let whole = specie::replay::replay(&program, &s).unwrap();
    let header = serde_json::json!({"name": s.name, "indices": s.indices});
    let p = temp("depeg.jsonl", &jsonl(&header, &s.events));
    let (code, stdout, stderr) = specie(&[
        "replay",
        prog,
        "--events",
        &p.display().to_string(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let streamed: specie::replay::Replay = serde_json::from_str(&stdout).unwrap();
    assert_eq!(streamed, whole);
    assert_eq!(streamed.parametric.len(), 1);
}

#[test]
fn a_loss_above_the_declared_exposure_warns_on_stderr_and_changes_no_figure() {
    // binance-2019-05: 7,074 BTC valued at 40,459,955.22 against a declared hot exposure of
    // 40M: one warning, stable code, and the JSON is still the expected file.
    let (code, stdout, stderr) = specie(&["replay", HOT_PROGRAM, HOT_SCENARIO, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr
            .matches("specie::replay::loss_above_exposure")
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("40,459,955.22"), "{stderr}");
    let expected = std::fs::read_to_string(
        root().join("fixtures/expected/crypto-native-crime-specie--hot-wallet-breach.json"),
    )
    .unwrap();
    assert_eq!(stdout.trim_end(), expected.trim_end());
    // The same from a stream.
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(HOT_SCENARIO)).unwrap()).unwrap();
    let sc = specie::scenario::Scenario::from_json(
        &std::fs::read_to_string(root().join(HOT_SCENARIO)).unwrap(),
    )
    .unwrap();
    let header = serde_json::json!({"name": s["name"], "prices": s["prices"]});
    let p = temp("hot.jsonl", &jsonl(&header, &sc.events));
    let (code, _, stderr) = specie(&["replay", HOT_PROGRAM, "--events", &p.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr
            .matches("specie::replay::loss_above_exposure")
            .count(),
        1,
        "{stderr}"
    );
}

#[test]
fn occurrence_and_recovery_report_and_explain_snapshots() {
    let program = "fixtures/programs/exchange-hours-clause.specie";
    let bitfinex = "fixtures/scenarios/exchange-hours-clause--stolen-bitcoin-recovered.json";
    let (code, stdout, stderr) = specie(&["replay", program, bitfinex]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("replay_recovery_report", stdout);
    let (code, stdout, stderr) =
        specie(&["replay", program, bitfinex, "--explain", "bitfinex-2016-08"]);
    assert_eq!(code, 0, "{stderr}");
    // Each stage of the waterfall, with the source line of the layer it reaches.
    assert!(stdout.contains("recovered `Excess`"), "{stdout}");
    insta::assert_snapshot!("explain_recovery_waterfall", stdout);
    let drain = "fixtures/scenarios/exchange-hours-clause--multi-chain-drain.json";
    // Any member's id explains its occurrence.
    let (code, stdout, stderr) = specie(&["replay", program, drain, "--explain", "phemex-sol"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("4 events replayed as one occurrence"),
        "{stdout}"
    );
    insta::assert_snapshot!("explain_occurrence", stdout);
}

#[test]
fn occurrences_stream_like_the_whole_scenario() {
    for (program, scenario) in [
        (
            "exchange-hours-clause",
            "exchange-hours-clause--multi-chain-drain",
        ),
        (
            "exchange-no-hours-clause",
            "exchange-no-hours-clause--multi-chain-drain",
        ),
        (
            "exchange-hours-clause",
            "exchange-hours-clause--stolen-bitcoin-recovered",
        ),
        (
            "exchange-hours-clause",
            "exchange-hours-clause--bounty-return",
        ),
    ] {
        let program = format!("fixtures/programs/{program}.specie");
        let path = format!("fixtures/scenarios/{scenario}.json");
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let sc = specie::scenario::Scenario::from_json(&text).unwrap();
        let header = serde_json::json!({"name": sc.name, "prices": sc.prices});
        let p = temp(&format!("{scenario}.jsonl"), &jsonl(&header, &sc.events));
        let (code, whole, stderr) = specie(&["replay", &program, &path, "--json"]);
        assert_eq!(code, 0, "{stderr}");
        let (code, streamed, stderr) = specie(&[
            "replay",
            &program,
            "--events",
            &p.display().to_string(),
            "--json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let a: serde_json::Value = serde_json::from_str(&whole).unwrap();
        let b: serde_json::Value = serde_json::from_str(&streamed).unwrap();
        assert_eq!(a, b, "{scenario}");
    }
}

#[test]
fn bad_recoveries_and_series_exit_1_naming_the_event() {
    let program = "fixtures/programs/exchange-hours-clause.specie";
    let ev = |id: &str, cause: &str, at: &str, extra: &str| {
        format!(
            r#"{{"id":"{id}","cause":"{cause}","occurred":"{at}","losses":[{{"tier":"warm","amount":"1000"}}]{extra}}}"#
        )
    };
    let cases = [
        (
            "before.json",
            ev("E1", "external_hack", "2026-03-01T00:00:00Z", r#","recoveries":[{"at":"2026-02-01T00:00:00Z","amount":"1"}]"#),
            "event `E1`: field `recoveries[0].at`: recovery at 2026-02-01T00:00:00Z is before the event occurred",
        ),
        (
            "above.json",
            ev("E2", "external_hack", "2026-03-01T00:00:00Z", r#","recoveries":[{"at":"2026-04-01T00:00:00Z","amount":"600"},{"at":"2026-05-01T00:00:00Z","amount":"400.01"}]"#),
            "event `E2`: field `recoveries`: recovered total 1000.01 is above the ground-up loss 1000.00",
        ),
        (
            "price.json",
            ev("E3", "external_hack", "2026-03-01T00:00:00Z", r#","recoveries":[{"at":"2026-04-01T00:00:00Z","asset":"BTC","quantity":"1"}]"#),
            "event `E3`: no price for `BTC` at or before 2026-04-01T00:00:00Z",
        ),
        (
            "series.json",
            format!(
                "{},{}",
                ev("E4", "external_hack", "2026-03-01T00:00:00Z", r#","series":"night""#),
                ev("E5", "insider_theft", "2026-03-02T00:00:00Z", r#","series":"night""#)
            ),
            "series `night`: event `E5` has cause `insider_theft` but event `E4` of the same series has `external_hack`",
        ),
    ];
    for (name, events, needle) in cases {
        let p = temp(name, &format!(r#"{{"name":"bad","events":[{events}]}}"#));
        let (code, stdout, stderr) = specie(&["replay", program, &p.display().to_string()]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
        // The same event on its own line of a stream.
        let lines = events.replace("},{\"id", "}\n{\"id");
        let p = temp(&format!("{name}l"), &format!("{lines}\n"));
        let (code, _, stderr) = specie(&["replay", program, "--events", &p.display().to_string()]);
        assert_eq!(code, 1, "{name} streamed: {stderr}");
        assert!(stderr.contains(needle), "{name} streamed: {stderr}");
    }
}

#[test]
fn a_stream_line_that_is_not_utf8_names_its_line() {
    let dir = std::env::temp_dir().join(format!("specie-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("bad.jsonl");
    let good = r#"{"id":"E1","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"10"}]}"#;
    let mut bytes = format!("{good}\n").into_bytes();
    bytes.extend_from_slice(b"{\"id\":\"E2\xff\"}\n");
    std::fs::write(&events, &bytes).unwrap();
    let program = root().join(HOT_PROGRAM).display().to_string();
    let (code, stdout, stderr) = specie(&[
        "replay",
        &program,
        "--events",
        &events.display().to_string(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
}
