//! Regression tests for crashes, runaways and silent wrong answers found by adversarial use
//! (issue 24). Each test failed on the main before its fix.

mod common;

use common::{root, specie};
use std::process::{Command, Stdio};

const PROGRAM: &str = "fixtures/programs/crypto-native-crime-specie.specie";
const SCENARIO: &str = "fixtures/scenarios/crypto-native-crime-specie--hot-wallet-breach.json";
const MODEL: &str = "fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie";

/// A scratch directory of this test process.
fn scratch() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("specie-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A JSON Lines stream of two events for the program.
fn stream_file() -> String {
    let path = scratch().join("two-events.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"id":"E1","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"3000000"}]}"#,
            "\n",
            r#"{"id":"E2","cause":"external_hack","occurred":"2026-04-01T00:00:00Z","losses":[{"tier":"warm","amount":"8000000"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    path.display().to_string()
}

/// Every command that writes to standard output, with arguments.
fn commands() -> Vec<Vec<String>> {
    let stream = stream_file();
    let list: Vec<Vec<&str>> = vec![
        vec!["replay", PROGRAM, SCENARIO],
        vec!["replay", PROGRAM, SCENARIO, "--json"],
        vec!["replay", PROGRAM, SCENARIO, "--format", "csv"],
        vec!["replay", PROGRAM, SCENARIO, "--explain", "binance-2019-05"],
        vec!["replay", PROGRAM, "--events", &stream],
        vec!["replay", PROGRAM, "--events", &stream, "--json"],
        vec!["tower", PROGRAM],
        vec!["tower", PROGRAM, "--json"],
        vec!["check", PROGRAM],
        vec!["check", "--format", "json", PROGRAM],
        vec!["test", PROGRAM],
        vec![
            "fit",
            "../shared/data/custody-incidents.json",
            "--tier",
            "hot",
        ],
        vec!["simulate", PROGRAM, MODEL, "--years", "200"],
        vec!["simulate", PROGRAM, MODEL, "--years", "200", "--json"],
    ];
    list.into_iter()
        .map(|a| a.into_iter().map(String::from).collect())
        .collect()
}

fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S], stdout: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_specie"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The exit status and standard error of `specie ARGS > /dev/full`.
fn to_a_full_disk<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (Option<i32>, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = spawn(args, Stdio::from(full)).wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_full_standard_output_is_an_io_error_naming_it() {
    for args in commands() {
        let (code, stderr) = to_a_full_disk(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in commands() {
        let mut child = spawn(&args, Stdio::piped());
        drop(child.stdout.take()); // the reader goes away before anything is written
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_closed_standard_output_is_refused() {
    let bin = env!("CARGO_BIN_EXE_specie");
    for args in commands() {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"{bin}\" \"$@\" >&-"))
            .arg("sh")
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("standard output is closed"), "{stderr}");
    }
    // `> /dev/null` is the user's choice and still runs.
    let (code, _, _) = specie(&["check", PROGRAM]);
    assert_eq!(code, 0);
    let null = std::fs::File::create("/dev/null").unwrap();
    let out = spawn(&["check", PROGRAM], Stdio::from(null))
        .wait_with_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_diagnostic_past_column_65535_is_located_not_a_panic() {
    let path = scratch().join("wide.specie");
    let src = format!(
        "program \"x\" {{\n  period 2026-01-01 to 2027-01-01\n  {}bogus 1\n}}\n",
        " ".repeat(70_000)
    );
    std::fs::write(&path, src).unwrap();
    let path = path.display().to_string();
    for args in [
        vec!["check", path.as_str()],
        vec!["fmt", "--check", path.as_str()],
        vec!["test", path.as_str()],
    ] {
        let (code, _, stderr) = specie(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains("unknown item `bogus`"), "{stderr}");
        assert!(stderr.contains(":3:70003"), "{stderr}");
    }
}

#[test]
fn a_sequence_check_with_billions_of_events_is_a_located_error() {
    // It passed `check` and made `test` allocate 378 GB.
    let (code, _, stderr) = specie(&["test", "fixtures/invalid/check-too-many-events.specie"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("specie::limit::check_events"), "{stderr}");
    assert!(
        stderr.contains("check-too-many-events.specie:5:5"),
        "{stderr}"
    );
}

#[test]
fn simulate_threads_are_bounded() {
    // `--threads 100000` panicked in a thread and hung.
    for t in ["100000", "0"] {
        let (code, _, stderr) =
            specie(&["simulate", PROGRAM, MODEL, "--years", "100", "--threads", t]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--threads must be from 1 to"), "{stderr}");
    }
    let (code, _, stderr) = specie(&[
        "simulate",
        PROGRAM,
        MODEL,
        "--years",
        "100",
        "--threads",
        "2",
    ]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn the_library_refuses_thread_counts_out_of_range() {
    let program = specie::compile_str(&std::fs::read_to_string(root().join(PROGRAM)).unwrap())
        .unwrap()
        .program;
    let model_src = std::fs::read_to_string(root().join(MODEL)).unwrap();
    let model = specie::compile::compile_model_str(&model_src, &program)
        .unwrap()
        .model;
    let too_many = specie::simulate::max_threads() + 1;
    let err =
        specie::simulate::simulate(&program, &model, 10, 0, Some(too_many), &|_| {}).unwrap_err();
    assert!(
        matches!(err, specie::simulate::SimulateError::ThreadCount { threads, .. } if threads == too_many),
        "{err}"
    );
}

fn program() -> specie::program::Program {
    specie::compile_str(&std::fs::read_to_string(root().join(PROGRAM)).unwrap())
        .unwrap()
        .program
}

#[test]
fn a_model_expecting_too_many_events_a_year_is_a_located_error() {
    // 40 perils of `fixed 1000000 per year` asked for unbounded memory.
    let mut src = String::from("model \"Runaway\" {\n");
    for i in 0..40 {
        src.push_str(&format!(
            "  peril \"P{i}\" {{\n    cause external_hack\n    frequency fixed 1000000 per year\n    loss hot fixed 1\n  }}\n"
        ));
    }
    src.push_str("}\n");
    let err = specie::compile::compile_model_str(&src, &program()).unwrap_err();
    let diags = err.diagnostics();
    let first = specie::diagnostic::to_json(diags[0], "m", &src);
    assert_eq!(first.code, "specie::model::parameter");
    assert!(
        first.message.contains("above the limit of 100000"),
        "{}",
        first.message
    );
    assert_eq!((first.line, first.column), (2, 9)); // the first peril's name
                                                    // Exactly at the limit is fine.
    let ok = "model \"At the limit\" {\n  peril \"P\" {\n    cause external_hack\n    frequency poisson 100000 per year\n    loss hot fixed 1\n  }\n}\n";
    assert!(specie::compile::compile_model_str(ok, &program()).is_ok());
}

#[test]
fn a_simulation_that_cannot_fit_in_memory_is_refused_naming_the_memory() {
    // `--years 1000000000` (the documented maximum) aborted on allocation. By default such
    // a run now takes two passes in bounded memory (section 16); one pass is refused.
    let model = "fixtures/models/crypto-native-crime-specie--every-kind.specie";
    let (code, _, stderr) = specie(&[
        "simulate",
        PROGRAM,
        model,
        "--years",
        "1000000000",
        "--passes",
        "1",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("keeps every non-zero annual total: about"),
        "{stderr}"
    );
    assert!(stderr.contains("MiB available"), "{stderr}");
}

#[test]
fn the_memory_estimate_grows_with_the_years() {
    let p = program();
    let src = std::fs::read_to_string(root().join(MODEL)).unwrap();
    let m = specie::compile::compile_model_str(&src, &p).unwrap().model;
    let a = specie::simulate::memory_needed(&p, &m, 0, 1_000_000).unwrap();
    let b = specie::simulate::memory_needed(&p, &m, 0, 10_000_000).unwrap();
    assert!(a > 0);
    assert_eq!(b / 10, a, "{a} {b}");
}

#[test]
fn repeated_diagnostics_of_one_kind_are_capped_per_file() {
    // `tier in [t0, …, t9999]` printed 1.17 GB of warnings, each repeating the line.
    let tiers: Vec<String> = (0..10_000).map(|i| format!("    t{i}")).collect();
    let src = format!(
        "program \"x\" {{\n  period 2026-01-01 to 2027-01-01\n  sublimit \"S\" 1M per occurrence when tier in [\n{}\n  ]\n  layer \"P\" 10M xs 0 {{ carrier \"A\" 100% }}\n}}\n",
        tiers.join(",\n")
    );
    let path = scratch().join("tiers.specie");
    std::fs::write(&path, src).unwrap();
    let path = path.display().to_string();
    let (code, stdout, stderr) = specie(&["check", &path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("10000 warnings"), "{stdout}");
    assert_eq!(
        stderr.matches("specie::name::unknown_tier\n").count(),
        10,
        "{stderr}"
    );
    assert!(
        stderr.contains("9990 more `specie::name::unknown_tier` diagnostics not shown"),
        "{stderr}"
    );
    assert!(stderr.len() < 20_000, "{} bytes of warnings", stderr.len());
    // Tools still get every one.
    let (_, json, _) = specie(&["check", "--format", "json", &path]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 10_000);
}

/// A scenario of one 40M hot-wallet loss whose tier is written `tier`.
fn one_hot_loss(tier: &str) -> String {
    let path = scratch().join(format!("tier-{}.json", tier.replace(' ', "_")));
    std::fs::write(
        &path,
        format!(
            r#"{{"name":"typo","events":[{{"id":"E1","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{{"tier":"{tier}","amount":"40000000"}}]}}]}}"#
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn a_tier_the_program_never_names_is_a_warning_with_a_suggestion() {
    // `"Hot"` skipped the hot sub-limit and retention without a word: 39,000,000 paid.
    // Right (tier `hot`): 25M sub-limit, then the larger deductible, 5% of 25M = 1.25M
    // (within min 500k, max 2.5M) against the standard 1M: 25M − 1.25M = 23,750,000.
    let (code, stdout, _) = specie(&["replay", PROGRAM, &one_hot_loss("hot"), "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["totals"]["paid"], "23750000.00");

    let typo = one_hot_loss("Hot");
    let (code, stdout, stderr) = specie(&["replay", PROGRAM, &typo, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["totals"]["paid"], "39000000.00"); // a warning changes no figure
    assert!(stderr.contains("specie::replay::unknown_name"), "{stderr}");
    assert!(stderr.contains("tier `Hot` (event `E1`)"), "{stderr}");
    assert!(stderr.contains("did you mean `hot`?"), "{stderr}");

    for args in [
        vec!["replay", PROGRAM, typo.as_str(), "--json", "--strict"],
        vec!["replay", PROGRAM, typo.as_str(), "--strict"],
    ] {
        let (code, stdout, stderr) = specie(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stdout.is_empty(),
            "{args:?}: nothing written before the error: {stdout}"
        );
        assert!(
            stderr.contains("specie::scenario::unknown_name"),
            "{stderr}"
        );
        assert!(stderr.contains("field `losses[0].tier`"), "{stderr}");
        assert!(stderr.contains("did you mean `hot`?"), "{stderr}");
    }
}

#[test]
fn a_name_with_white_space_around_it_is_an_error() {
    let path = one_hot_loss("hot ");
    let (code, _, stderr) = specie(&["replay", PROGRAM, &path, "--json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "field `losses[0].tier` has `hot ` with white space before or after it; write `hot`"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = specie(&["replay", PROGRAM, &path]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn a_strict_stream_stops_at_the_unknown_name() {
    let path = scratch().join("strict.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"id":"E1","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"3000000"}]}"#,
            "\n",
            r#"{"id":"E2","cause":"extrenal_hack","occurred":"2026-04-01T00:00:00Z","losses":[{"tier":"hot","amount":"3000000"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let path = path.display().to_string();
    let (code, _, stderr) = specie(&["replay", PROGRAM, "--events", &path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("cause `extrenal_hack` (event `E2`)"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `external_hack`?"), "{stderr}");
    let (code, _, stderr) = specie(&["replay", PROGRAM, "--events", &path, "--strict"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("event `E2`: field `cause`"), "{stderr}");
}

#[test]
fn the_longest_discovery_window_reaches_the_end_of_the_calendar() {
    // `discovery window 106751991167300 days` overflowed the period end silently: an event
    // discovered in 9999 was outside the period, while a shorter window paid it.
    let src = r#"program "Long tail" {
      period 2026-01-01 to 2027-01-01
      discovery window 3652500 days
      layer "Primary" 10M xs 0 { carrier "A" 100% }
    }"#;
    let program = specie::compile_str(src).unwrap().program;
    let scenario = specie::scenario::Scenario::from_json(
        r#"{"events":[{"id":"E","cause":"external_hack","occurred":"2026-06-01T00:00:00Z",
            "discovered":"9999-12-31T23:59:59Z","losses":[{"tier":"hot","amount":"1000"}]}]}"#,
    )
    .unwrap();
    let r = specie::replay::replay(&program, &scenario).unwrap();
    assert_eq!(r.totals.paid.to_string(), "1000.00");
    // One day more than the limit is a located error.
    let err = specie::compile_str(&src.replace("3652500 days", "3652501 days")).unwrap_err();
    let d = err.diagnostics();
    let j = specie::diagnostic::to_json(d[0], "p", src);
    assert_eq!(j.code, "specie::value::too_long");
}

#[test]
fn a_duration_attribute_past_the_limit_is_an_error_naming_the_event() {
    let path = scratch().join("long-attr.json");
    std::fs::write(
        &path,
        r#"{"events":[{"id":"E9","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"1"}],"attributes":{"reported_after":"106751991167300d"}}]}"#,
    )
    .unwrap();
    let (code, _, stderr) = specie(&["replay", PROGRAM, &path.display().to_string()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("event `E9`"), "{stderr}");
    assert!(stderr.contains("reported_after"), "{stderr}");
}

#[test]
fn clamped_severities_are_counted_and_told() {
    // Lognormal sigma 50: draws above 10,000,000,000,000.00 were clamped without a word.
    let model = scratch().join("wild.specie");
    std::fs::write(
        &model,
        "model \"Wild\" {\n  peril \"Wild\" {\n    cause external_hack\n    frequency fixed 1 per year\n    loss hot lognormal median 1M sigma 50\n  }\n}\n",
    )
    .unwrap();
    let model = model.display().to_string();
    let (code, _, stderr) = specie(&["simulate", PROGRAM, &model, "--years", "1027"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("specie::simulate::clamped"), "{stderr}");
    assert!(stderr.contains("in 1027 simulated events"), "{stderr}");
    assert!(stderr.contains("add `cap AMOUNT`"), "{stderr}");
    // With a cap below the clamp, nothing is clamped and nothing is said.
    let capped = std::fs::read_to_string(&model)
        .unwrap()
        .replace("sigma 50", "sigma 50 cap 500M");
    std::fs::write(&model, capped).unwrap();
    let (code, _, stderr) = specie(&["simulate", PROGRAM, &model, "--years", "1027"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("clamped"), "{stderr}");
}

/// Bytes a terminal obeys: ESC, BEL, CR, and the C1 CSI (U+009B).
fn has_terminal_controls(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\r' | '\u{9b}'))
}

#[test]
fn control_characters_from_the_input_never_reach_the_terminal() {
    let dir = scratch();
    // A program whose names hold control characters is refused, and the diagnostic that
    // says so quotes them visibly.
    let evil = dir.join("controls-evil.specie");
    std::fs::write(
        &evil,
        "program \"Evil\u{1b}[2J\" {\n  period 2026-01-01 to 2027-01-01\n  layer \"Primary\u{7}\" 10M xs 0 { carrier \"A\u{9b}31m\" 100% }\n}\n",
    )
    .unwrap();
    let program = dir.join("controls.specie");
    std::fs::write(
        &program,
        "program \"Markup\" {\n  period 2026-01-01 to 2027-01-01\n  layer \"Primary\" 10M xs 0 { carrier \"<b>Acme</b>\" 100% }\n  check \"<bell> & 'whistle'\" {\n    event tier is hot\n    loss up to 1M\n    expect paid >= 0\n  }\n}\n",
    )
    .unwrap();
    let scenario = dir.join("controls.json");
    std::fs::write(
        &scenario,
        r#"{"name":"n\u001b]0;title\u0007","events":[{"id":"E\u001b[31m1\r","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"5000000"}]}]}"#,
    )
    .unwrap();
    let (e, p, s) = (
        evil.display().to_string(),
        program.display().to_string(),
        scenario.display().to_string(),
    );
    let svg = dir.join("controls.svg").display().to_string();
    for args in [
        vec!["check", e.as_str()],
        vec!["tower", e.as_str()],
        vec!["tower", p.as_str(), "--svg", svg.as_str()],
        vec!["replay", p.as_str(), s.as_str()],
        vec![
            "replay",
            p.as_str(),
            s.as_str(),
            "--explain",
            "E\u{1b}[31m1\r",
        ],
        vec!["replay", p.as_str(), s.as_str(), "--explain", "nope\u{1b}"],
        vec!["replay", p.as_str(), s.as_str(), "--strict"],
    ] {
        let (_, stdout, stderr) = specie(&args);
        assert!(
            !has_terminal_controls(&stdout),
            "{args:?} stdout: {stdout:?}"
        );
        assert!(
            !has_terminal_controls(&stderr),
            "{args:?} stderr: {stderr:?}"
        );
        assert!(!stdout.is_empty() || !stderr.is_empty(), "{args:?}");
    }
    let (code, _, stderr) = specie(&["check", &e]);
    assert_eq!(code, 1);
    assert!(stderr.contains("Evil\\u{1b}[2J"), "{stderr}");
    let (_, stdout, _) = specie(&["replay", &p, &s]);
    assert!(stdout.contains("E\\u{1b}[31m1\\u{d}"), "{stdout}");
    // JSON keeps the exact text, escaped as JSON.
    let (_, stdout, _) = specie(&["replay", &p, &s, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["events"][0]["id"], "E\u{1b}[31m1\r");
    // SVG escapes markup.
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.contains("&lt;b&gt;Acme"), "{drawn}");
    assert!(!drawn.contains("<b>"));
    // JUnit XML stays well-formed.
    let (_, junit, _) = specie(&["test", &p, "--format", "junit"]);
    assert!(
        junit.contains("&lt;bell&gt; &amp; &apos;whistle&apos;"),
        "{junit}"
    );
    let mut reader = quick_xml::Reader::from_str(&junit);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}: {junit}"),
        }
    }
    // What XML 1.0 cannot hold is replaced, not written raw.
    assert_eq!(specie::render::xml("a\u{1b}b"), "a\u{fffd}b");
}

#[test]
fn look_alike_and_invisible_names_are_caught() {
    // "Acme", "Acme" + U+200B and a Cyrillic "Аcme" were three carriers without a word.
    let src = |second: &str| {
        format!(
            "program \"x\" {{\n  period 2026-01-01 to 2027-01-01\n  layer \"Primary\" 10M xs 0 {{ carrier \"Acme\" 100% }}\n  layer \"Excess\" 10M xs 10M {{ carrier \"{second}\" 100% }}\n}}\n"
        )
    };
    let cyrillic = specie::compile_str(&src("\u{410}cme")).unwrap();
    let codes: Vec<String> = cyrillic
        .warnings
        .iter()
        .map(|w| miette::Diagnostic::code(w).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["specie::name::confusable"]);
    assert!(cyrillic.warnings[0]
        .to_string()
        .contains("looks like `Acme`"));
    // The same name twice is one entity: nothing to say.
    assert!(specie::compile_str(&src("Acme"))
        .unwrap()
        .warnings
        .is_empty());
    // An invisible character is refused, located at the name.
    let text = src("Acme\u{200b}");
    let err = specie::compile_str(&text).unwrap_err();
    let d = specie::diagnostic::to_json(err.diagnostics()[0], "p", &text);
    assert_eq!(d.code, "specie::name::invisible");
    assert!(d.message.contains("U+200B"), "{}", d.message);
    assert_eq!(d.line, 4);
    // Look-alike clause names of one kind warn too.
    let clauses = "program \"x\" {\n  period 2026-01-01 to 2027-01-01\n  sublimit \"Hot wallets\" 1M per occurrence\n  sublimit \"H\u{43e}t wallets\" 2M per occurrence\n  layer \"P\" 10M xs 0 { carrier \"A\" 100% }\n}\n";
    let c = specie::compile_str(clauses).unwrap();
    assert!(
        c.warnings
            .iter()
            .any(|w| w.to_string().contains("sub-limit name")),
        "{:?}",
        c.warnings
    );
}

fn write(name: &str, bytes: &[u8]) -> String {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn messages_say_what_is_wrong_and_where() {
    // Not UTF-8: exit 1 with the position, not 2 without one.
    let p = write(
        "latin1.specie",
        b"program \"x\xff\" {\n  period 2026-01-01 to 2027-01-01\n}\n",
    );
    let (code, _, stderr) = specie(&["check", &p]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("byte 0xFF at line 1, column 11 (byte offset 10)"),
        "{stderr}"
    );
    let s = write("latin1.json", b"{\"name\":\"\n\xe9\",\"events\":[]}");
    let (code, _, stderr) = specie(&["replay", PROGRAM, &s]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("byte 0xE9 at line 2, column 1 (byte offset 10)"),
        "{stderr}"
    );

    // A count too large is too large, not "not whole".
    let m = write(
        "years.specie",
        b"model \"m\" {\n  years 99999999999999999999999\n  peril \"P\" {\n    cause external_hack\n    frequency poisson 1 per year\n    loss hot fixed 1\n  }\n}\n",
    );
    let (code, _, stderr) = specie(&["simulate", PROGRAM, &m]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("years must be between 1 and 1000000000"),
        "{stderr}"
    );
    assert!(!stderr.contains("not whole"), "{stderr}");

    // Thirty decimals: the error quotes the number as written, not a rounded one.
    let p = write(
        "decimals.specie",
        b"program \"x\" {\n  period 2026-01-01 to 2027-01-01\n  deductible 1.123456789012345678901234567890 per occurrence\n}\n",
    );
    let (_, _, stderr) = specie(&["check", &p]);
    assert!(
        stderr.contains("`1.123456789012345678901234567890`"),
        "{stderr}"
    );

    // Too large says the limit.
    let p = write(
        "huge.specie",
        b"program \"x\" {\n  period 2026-01-01 to 2027-01-01\n  sublimit \"S\" 99999999999999999999999999 per occurrence\n}\n",
    );
    let (_, _, stderr) = specie(&["check", &p]);
    assert!(
        stderr.contains("is too large: amounts in USD are at most 92,233,720,368,547,758.07"),
        "{stderr}"
    );
}

#[test]
fn stream_messages_name_the_line() {
    let e = r#"{"id":"E49","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"1"}]}"#;
    let s = write("twice.jsonl", format!("{e}\n{e}\n").as_bytes());
    let (code, _, stderr) = specie(&["replay", PROGRAM, "--events", &s]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("event `E49` (line 2) repeats the event before it"),
        "{stderr}"
    );
    assert!(!stderr.contains("comes before `E49`"), "{stderr}");

    let long = format!("{e}\n{}\n", "x".repeat((1 << 20) + 5));
    let s = write("long.jsonl", long.as_bytes());
    let (code, _, stderr) = specie(&["replay", PROGRAM, "--events", &s]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("line 2 of the stream is at least"),
        "{stderr}"
    );
}

#[test]
fn fit_advice_fits_the_command_given() {
    let few = write("few.json", b"[1, 2]");
    let (code, _, stderr) = specie(&["fit", &few]);
    assert_eq!(code, 1);
    assert!(!stderr.contains("--cause"), "no filter was given: {stderr}");
    let (_, _, stderr) = specie(&[
        "fit",
        "../shared/data/custody-incidents.json",
        "--tier",
        "vault",
    ]);
    assert!(stderr.contains("loosen the --tier filter"), "{stderr}");
    assert!(!stderr.contains("--cause"), "{stderr}");
    // Losses of 1e40: refused, instead of "from 0 to 0, median 0" and `loss` lines that
    // `specie simulate` cannot draw.
    let huge = write("huge.json", br#"["1e40", "2e40", "3e40", "5e40"]"#);
    let (code, stdout, stderr) = specie(&["fit", &huge]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stderr.contains("specie::fit::too_large"), "{stderr}");
}

#[test]
fn zero_cases_is_not_a_pass() {
    let (code, stdout, stderr) = specie(&["test", PROGRAM, "--cases", "0"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("--cases"), "{stderr}");
}

#[test]
fn tower_advice_does_not_quote_a_covers_the_program_lacks() {
    let p = write(
        "no-covers.specie",
        b"program \"x\" {\n  period 2026-01-01 to 2027-01-01\n  exposure hot 10M\n  exclude \"No insiders\" when cause is insider_theft\n  layer \"P\" 10M xs 0 { carrier \"A\" 100% }\n}\n",
    );
    let (_, stdout, _) = specie(&["tower", &p]);
    assert!(stdout.contains("insider_theft"), "{stdout}");
    assert!(!stdout.contains("listed in `covers`"), "{stdout}");
    assert!(stdout.contains("the program has no `covers`"), "{stdout}");
}

#[test]
fn an_empty_index_series_is_refused() {
    let s = write(
        "empty-index.json",
        br#"{"indices":{"USDC/USD":[]},"events":[]}"#,
    );
    let (code, _, stderr) = specie(&[
        "replay",
        "fixtures/programs/crime-tower-with-depeg.specie",
        &s,
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("index `USDC/USD`: has no observation"),
        "{stderr}"
    );
}

/// A stream long enough that its results (about 9 MB) are written while the replay goes
/// on, by the writing thread, not only at the end.
fn long_stream_file() -> String {
    let path = scratch().join("long.jsonl");
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            r#"{{"id":"E{i:06}","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{{"tier":"hot","amount":"{}"}}]}}"#,
            1_000_000 + i * 1_000
        ));
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_long_output_stops_cleanly_when_its_reader_goes_or_the_disk_is_full() {
    let stream = long_stream_file();
    let args = ["replay", PROGRAM, "--events", &stream, "--json"];
    // Read whole, it is one JSON document with every event.
    let out = spawn(&args, Stdio::piped()).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["events"].as_array().unwrap().len(), 20_000);
    // A reader that leaves after the first bytes: status 0, nothing said.
    let mut child = spawn(&args, Stdio::piped());
    let mut first = [0u8; 4096];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // A full disk: status 2, the error named once.
    let (code, stderr) = to_a_full_disk(&args);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr.matches("cannot write to standard output").count(),
        1,
        "{stderr}"
    );
}
