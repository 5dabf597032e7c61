//! Entry points of the cargo-fuzz targets in `fuzz/` (feature `fuzzing`), whose committed
//! corpus also runs as an ordinary unit test (`fuzzing::tests`). Not part of the library's
//! API: the module is compiled only for the fuzz targets and for tests.
//!
//! Each entry point panics (on purpose) only when a property the fuzzer checks is broken;
//! any other panic is a bug the fuzzer has found.

/// Parses and compiles `data` (as UTF-8, lossily); when it parses, checks that formatting
/// then re-parsing gives the same tree and that formatting is idempotent.
#[allow(clippy::panic)] // a broken property must crash the fuzzer
pub fn parse_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    portfolio_target(&text);
    let Ok(file) = crate::parse(&text) else {
        return;
    };
    let _ = crate::compile(&file);
    let formatted = crate::format(&file);
    match crate::parse(&formatted) {
        Ok(again) => {
            if again != file {
                panic!("format → parse changed the tree:\n{formatted}");
            }
            if crate::format(&again) != formatted {
                panic!("format is not idempotent:\n{formatted}");
            }
        }
        Err(e) => panic!("formatted output does not parse: {e}\n{formatted}"),
    }
}

/// Parses `text` as a portfolio file; when it parses, compiles it (each program path names one
/// of the fixture programs, chosen by the path's length, or a missing file) and checks that
/// formatting then re-parsing gives the same tree and that formatting is idempotent.
#[allow(clippy::panic)] // a broken property must crash the fuzzer
fn portfolio_target(text: &str) {
    let Ok(file) = crate::parse::parse_portfolio(text) else {
        return;
    };
    let mut load = |path: &str| {
        let n = path.len();
        match FIXTURE_PROGRAMS.get(
            n.checked_rem(FIXTURE_PROGRAMS.len().saturating_add(1))
                .unwrap_or(0),
        ) {
            Some(text) => Ok(crate::portfolio::SourceFile {
                name: path.to_string(),
                text: (*text).to_string(),
            }),
            None => Err(format!("no file `{path}`")),
        }
    };
    if let Ok(book) = crate::portfolio::compile_portfolio(&file, &mut load) {
        let _ = crate::portfolio::book_tower(
            &book.portfolio,
            &crate::portfolio::BookTowerOptions::default(),
        );
    }
    let formatted = crate::format::format_portfolio(&file);
    match crate::parse::parse_portfolio(&formatted) {
        Ok(again) => {
            if again != file {
                panic!("format → parse changed the portfolio:\n{formatted}");
            }
            if crate::format::format_portfolio(&again) != formatted {
                panic!("portfolio format is not idempotent:\n{formatted}");
            }
        }
        Err(e) => panic!("formatted portfolio does not parse: {e}\n{formatted}"),
    }
}

/// Programs the `replay` target draws from: the shipped fixtures.
const FIXTURE_PROGRAMS: &[&str] = &[
    include_str!("../fixtures/programs/crypto-native-crime-specie.specie"),
    include_str!("../fixtures/programs/broker-tower.specie"),
    include_str!("../fixtures/programs/syndicate-marketplace.specie"),
    include_str!("../fixtures/programs/reinsured-crime-staking.specie"),
    include_str!("../fixtures/programs/cross-class-crime-specie-extortion.specie"),
    include_str!("../fixtures/programs/platform-embedded-exchange.specie"),
    include_str!("../fixtures/programs/qualified-custodian-cold.specie"),
    include_str!("../fixtures/programs/wallet-recovery-warranty.specie"),
    include_str!("../fixtures/programs/depeg-graduated-steps.specie"),
    include_str!("../fixtures/programs/withdrawal-halt.specie"),
    include_str!("../fixtures/programs/linear-depeg.specie"),
    include_str!("../fixtures/programs/crime-tower-with-depeg.specie"),
    include_str!("../fixtures/programs/exchange-hours-clause.specie"),
];

/// The fixture programs, compiled once per process.
#[allow(clippy::panic)]
fn fixture_programs() -> &'static [crate::program::Program] {
    static PROGRAMS: std::sync::OnceLock<Vec<crate::program::Program>> = std::sync::OnceLock::new();
    PROGRAMS.get_or_init(|| {
        FIXTURE_PROGRAMS
            .iter()
            .map(|src| match crate::compile_str(src) {
                Ok(c) => c.program,
                Err(e) => panic!("a fixture program does not compile: {e:?}"),
            })
            .collect()
    })
}

/// A program generated from `seed` bytes: a tower of up to four layers with split shares,
/// a tier sub-limit, a deductible of a seed-chosen kind, coinsurance and an exclusion; for
/// some seeds an occurrence window and time-pro-rata reinstatements.
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)] // bounded byte maths
fn generated_program(seed: &[u8; 8]) -> String {
    use std::fmt::Write;
    let b = |i: usize| u64::from(seed[i]);
    let mut s = String::from(
        "program \"fuzz\" {\n  period 2026-01-01 to 2027-01-01\n  discovery window 30 days\n  attribute flagged: flag = false\n  covers external_hack, key_compromise, insider_theft\n",
    );
    let _ = writeln!(
        s,
        "  sublimit \"S\" {} per occurrence, {} aggregate when tier is hot",
        1 + b(0) * 1000,
        1 + b(1) * 5000
    );
    let _ = match b(2) % 3 {
        0 => writeln!(
            s,
            "  deductible \"D\" {} per occurrence, {} aggregate",
            b(3) * 100,
            1 + b(3) * 300
        ),
        1 => writeln!(
            s,
            "  deductible \"D\" {}% min {} max {} per occurrence",
            b(3) % 60,
            b(4),
            b(4) * 10
        ),
        _ => writeln!(
            s,
            "  deductible \"D\" {} franchise per occurrence",
            b(3) * 100
        ),
    };
    let _ = writeln!(s, "  coinsurance {}%", b(5) % 30);
    if b(6) % 3 > 0 {
        let _ = writeln!(s, "  occurrence window {} hours", (b(6) % 3 - 1) * 72);
    }
    let pro_rata = if b(5) % 2 == 0 {
        " pro rata as to time"
    } else {
        ""
    };
    s.push_str("  exclude \"X\" when cause is insider_theft and flagged\n");
    let mut attach = b(6) % 4 * 1000;
    for k in 0..(1 + b(7) % 4) {
        let limit = 1 + (b(k as usize) + 1) * 2000;
        let _ = writeln!(
            s,
            "  layer \"L{k}\" {limit} xs {attach} {{\n    aggregate {}\n    reinstatements 1 at 100%{pro_rata}\n    premium 1000\n    carrier \"A\" {}%\n    carrier \"B\" 33.3%\n  }}",
            limit * 2,
            b((k as usize + 3) % 8) % 60
        );
        attach += limit + (b((k as usize + 5) % 8) % 2) * 500;
    }
    s.push_str("}\n");
    s
}

/// Replays arbitrary scenario bytes through a fixture or generated program, as a JSON
/// scenario and as a JSON Lines stream. Whatever replays must conserve every cent.
#[allow(clippy::panic)] // a broken property must crash the fuzzer
pub fn replay_target(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let generated;
    let program = match fixture_programs().get(usize::from(choice % 14)) {
        Some(p) => p,
        None => {
            let mut seed = [0u8; 8];
            for (slot, b) in seed.iter_mut().zip(rest.iter()) {
                *slot = *b;
            }
            let src = generated_program(&seed);
            generated = match crate::compile_str(&src) {
                Ok(c) => c.program,
                Err(e) => panic!("a generated program does not compile: {e:?}\n{src}"),
            };
            &generated
        }
    };
    let text = String::from_utf8_lossy(rest);
    for line in text.lines() {
        let line = line.trim();
        if let Some(fast) = crate::scenario::scan::scan_event(line) {
            let slow = serde_json::from_str::<crate::scenario::RawEvent<'_>>(line);
            if slow.as_ref().ok() != Some(&fast) {
                panic!("the event scanner and serde disagree on {line:?}: {fast:?} / {slow:?}");
            }
        }
    }
    let symbols = crate::replay::Replayer::new(program).symbols().clone();
    if let Err(e) = crate::scenario::read::agrees_with_general_read(program, &text, &symbols) {
        panic!("the scenario file's common read and general read disagree: {e}");
    }
    if let Ok(scenario) = crate::scenario::Scenario::from_json(&text) {
        if let Ok(r) = crate::replay::replay(program, &scenario) {
            check_conservation(&r);
        }
    }
    if let Ok(summary) = crate::replay::replay_stream(program, text.as_bytes(), None, None) {
        let t = &summary.totals;
        if Some(t.ground_up) != add(t.paid, &t.uncovered) {
            panic!("stream totals do not conserve: {:?}", summary.totals);
        }
    }
}

/// `paid` plus every uncovered amount, or `None` on overflow.
fn add(
    paid: rust_decimal::Decimal,
    uncovered: &[crate::replay::Uncovered],
) -> Option<rust_decimal::Decimal> {
    uncovered
        .iter()
        .try_fold(paid, |acc, u| acc.checked_add(u.amount))
}

#[allow(clippy::panic)]
fn check_conservation(r: &crate::replay::Replay) {
    for e in &r.events {
        if Some(e.ground_up) != add(e.paid, &e.uncovered) || e.paid > e.ground_up {
            panic!("event {} does not conserve: {e:?}", e.id);
        }
        let layers = e
            .layers
            .iter()
            .try_fold(rust_decimal::Decimal::ZERO, |a, l| a.checked_add(l.paid));
        if layers != Some(e.paid) {
            panic!(
                "event {}: the layers' paid do not add up to paid: {e:?}",
                e.id
            );
        }
        if let Some(rec) = &e.recovered {
            let shared = rec
                .carriers
                .iter()
                .try_fold(rec.insured, |a, c| a.checked_add(c.amount));
            if shared != Some(rec.total) || rec.total > e.ground_up {
                panic!("event {}: recoveries not shared exactly: {rec:?}", e.id);
            }
            for c in &rec.carriers {
                let paid = e
                    .layers
                    .iter()
                    .flat_map(|l| &l.carriers)
                    .filter(|p| p.carrier == c.carrier)
                    .try_fold(rust_decimal::Decimal::ZERO, |a, p| a.checked_add(p.paid));
                if paid.is_none_or(|p| c.amount > p) {
                    panic!("event {}: {} gets back more than it paid", e.id, c.carrier);
                }
            }
        }
    }
    if Some(r.totals.ground_up) != add(r.totals.paid, &r.totals.uncovered) {
        panic!("totals do not conserve: {:?}", r.totals);
    }
}

/// The editor services ([`crate::ide`]) on `data` (as UTF-8, lossily) at every character
/// boundary (at most 128 of them, evenly spread): they never panic, every span they return
/// lies inside the text on character boundaries, and a completion replaces text ending at
/// the cursor.
#[allow(clippy::panic)] // a broken property must crash the fuzzer
pub fn ide_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let fits = |s: crate::span::Span, what: &str| {
        if s.start > s.end || !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
            panic!(
                "{what}: span {s:?} is not inside the text of {} bytes",
                text.len()
            );
        }
    };
    fn each(out: &[crate::ide::Symbol], f: &dyn Fn(crate::span::Span, &str)) {
        for s in out {
            f(s.span, "symbol");
            f(s.name_span, "symbol name");
            each(&s.children, f);
        }
    }
    each(&crate::ide::outline(text), &fits);
    for site in crate::ide::names::sites(text) {
        fits(site.span, "name site");
    }
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let step = boundaries.len().div_ceil(128).max(1);
    for &at in boundaries.iter().step_by(step) {
        let _ = crate::ide::hover(text, at);
        for c in crate::ide::completions(text, at) {
            fits(c.replace, "completion");
            if c.replace.end != at {
                panic!("a completion at {at} replaces {:?}", c.replace);
            }
        }
        for d in crate::ide::names::definitions(text, at)
            .iter()
            .chain(&crate::ide::names::references(text, at, true))
        {
            fits(d.span, "definition or reference");
        }
        let here = crate::span::Span::new(at, text.len().min(at.saturating_add(3)));
        let here = if text.is_char_boundary(here.end) {
            here
        } else {
            crate::span::Span::new(at, at)
        };
        for f in crate::ide::fixes(text, "specie::tower::gap", Some("did you mean `x`?"), here) {
            for (s, _) in f.edits {
                fits(s, "fix");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The committed corpus of `target`, sorted.
    fn corpus(target: &str) -> Vec<std::path::PathBuf> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut out: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        out.sort();
        out
    }

    /// Every input the fuzzer found interesting stays a regression test.
    #[test]
    fn parse_corpus() {
        let files = corpus("parse");
        assert!(
            files.len() >= 20,
            "the parse corpus has {} files",
            files.len()
        );
        for path in files {
            super::parse_target(&std::fs::read(&path).unwrap());
        }
    }

    /// The editor services over the parse corpus and every fixture.
    #[test]
    fn ide_corpus() {
        let mut files = corpus("parse");
        for dir in [
            "fixtures/programs",
            "fixtures/models",
            "fixtures/book",
            "fixtures/invalid",
        ] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "specie") {
                    files.push(p);
                }
            }
        }
        for path in files {
            super::ide_target(&std::fs::read(&path).unwrap());
        }
    }

    #[test]
    fn replay_corpus() {
        let files = corpus("replay");
        assert!(
            files.len() >= 10,
            "the replay corpus has {} files",
            files.len()
        );
        for path in files {
            super::replay_target(&std::fs::read(&path).unwrap());
        }
    }

    #[test]
    fn every_generated_program_compiles() {
        let mut x = 0x1234_5678_9abc_def0u64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let seed = x.to_le_bytes();
            let src = super::generated_program(&seed);
            assert!(crate::compile_str(&src).is_ok(), "{src}");
        }
        for b in 0..=255u8 {
            assert!(crate::compile_str(&super::generated_program(&[b; 8])).is_ok());
        }
    }
}
