//! `specie test PROGRAM… [--format text|json|junit] [--seed N] [--cases N]`

use super::out::Out;
use super::{read_source, TestFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use specie::verify::{verify, CheckOutcome};
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;

struct FileOutcome {
    file: String,
    program: String,
    checks: Vec<(CheckOutcome, f64)>,
    text: String,
}

use specie::render::xml;

pub fn run(out: &mut Out, files: &[PathBuf], format: TestFormat, seed: u64, cases: u32) -> u8 {
    let mut results = Vec::new();
    let mut broken = false;
    for path in files {
        let name = path.display().to_string();
        let src = match read_source(path) {
            Ok(s) => s,
            Err(e) => {
                if e.report(&name) == EXIT_USAGE {
                    return EXIT_USAGE;
                }
                broken = true;
                continue;
            }
        };
        let program = match specie::compile_str(&src) {
            Ok(c) => c.program,
            Err(e) => {
                super::diag::print(&e.diagnostics(), &name, &src);
                broken = true;
                continue;
            }
        };
        let mut checks = Vec::new();
        let mut text = String::new();
        for check in &program.checks {
            let started = Instant::now();
            let outcome = match verify(&program, check, seed, cases) {
                Ok(o) => o,
                Err(e) => {
                    errln!("error: {name}: check `{}`: {e}", check.name);
                    broken = true;
                    continue;
                }
            };
            let secs = started.elapsed().as_secs_f64();
            let _ = writeln!(
                text,
                "{} {} ({:.1} ms, {} evaluations)",
                if outcome.passed { "pass" } else { "FAIL" },
                outcome.name,
                secs * 1000.0,
                outcome.evaluations
            );
            if let Some(f) = &outcome.failure {
                let _ = writeln!(text, "  expected {}", f.expectation);
                match (&f.cause, &f.tier) {
                    (Some(c), Some(t)) => {
                        let _ = writeln!(
                            text,
                            "  smallest failing loss {} ({c}, {t}): value {}, bound {}",
                            f.loss, f.value, f.bound
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            text,
                            "  failing scenario with total loss {}: value {}, bound {}",
                            f.loss, f.value, f.bound
                        );
                    }
                }
                if let Some(r) = &f.result {
                    for line in specie::report::explain(r, &f.trace, &program, &name, &src).lines()
                    {
                        let _ = writeln!(text, "  | {line}");
                    }
                }
                if let Some(s) = &f.scenario {
                    let _ = writeln!(
                        text,
                        "  scenario (replay it with `specie replay {name} FILE`):"
                    );
                    for line in s.lines() {
                        let _ = writeln!(text, "  | {line}");
                    }
                }
            }
            checks.push((outcome, secs));
        }
        results.push(FileOutcome {
            file: name,
            program: program.name.clone(),
            checks,
            text,
        });
    }
    let passed = results
        .iter()
        .flat_map(|r| &r.checks)
        .filter(|(c, _)| c.passed)
        .count();
    let failed = results
        .iter()
        .flat_map(|r| &r.checks)
        .filter(|(c, _)| !c.passed)
        .count();
    match format {
        TestFormat::Text => {
            for r in &results {
                out.print(&format!("{}: program \"{}\"\n", r.file, r.program));
                out.print(&r.text);
            }
            out.print(&format!("{passed} passed, {failed} failed\n"));
        }
        TestFormat::Json => {
            let v: Vec<serde_json::Value> = results
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "file": r.file,
                        "program": r.program,
                        "checks": r.checks.iter().map(|(c, _)| c).collect::<Vec<_>>(),
                    })
                })
                .collect();
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
        }
        TestFormat::Junit => {
            let mut xml_out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            let _ = writeln!(
                xml_out,
                "<testsuites name=\"specie\" tests=\"{}\" failures=\"{failed}\">",
                passed + failed
            );
            for r in &results {
                let fails = r.checks.iter().filter(|(c, _)| !c.passed).count();
                let time: f64 = r.checks.iter().map(|(_, t)| t).sum();
                let _ = writeln!(
                    xml_out,
                    "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" time=\"{time:.3}\">",
                    xml(&r.file),
                    r.checks.len()
                );
                for (c, t) in &r.checks {
                    let _ = write!(
                        xml_out,
                        "    <testcase classname=\"{}\" name=\"{}\" time=\"{t:.3}\"",
                        xml(&r.program),
                        xml(&c.name)
                    );
                    match &c.failure {
                        None => xml_out.push_str("/>\n"),
                        Some(f) => {
                            let _ = writeln!(
                                xml_out,
                                ">\n      <failure message=\"{}\">loss {}: value {}, bound {}</failure>\n    </testcase>",
                                xml(&format!("expected {}", f.expectation)),
                                f.loss,
                                f.value,
                                f.bound
                            );
                        }
                    }
                }
                xml_out.push_str("  </testsuite>\n");
            }
            xml_out.push_str("</testsuites>\n");
            out.print(&xml_out);
        }
    }
    if broken || failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
