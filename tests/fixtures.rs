//! Every program fixture compiles, is canonically formatted, and formats idempotently;
//! every invalid fixture gives the diagnostic it names, rendered as in its snapshot.

mod common;

use common::{files, root, stem};
use specie::diagnostic::{render, to_json};

#[test]
fn there_are_enough_fixtures() {
    assert!(files("fixtures/programs", "specie").len() >= 8);
    assert!(files("fixtures/invalid", "specie").len() >= 15);
}

#[test]
fn program_fixtures_compile_without_errors() {
    for path in files("fixtures/programs", "specie") {
        let src = std::fs::read_to_string(&path).unwrap();
        match specie::compile_str(&src) {
            Ok(c) => assert!(
                !c.program.layers.is_empty() || !c.program.parametric.is_empty(),
                "{}",
                path.display()
            ),
            Err(e) => panic!("{}: {e:?}", path.display()),
        }
    }
}

#[test]
fn program_fixtures_are_canonical_and_fmt_is_idempotent() {
    for path in files("fixtures/programs", "specie") {
        let src = std::fs::read_to_string(&path).unwrap();
        let once = specie::format(&specie::parse(&src).unwrap());
        assert_eq!(once, src, "{} is not in canonical layout", path.display());
        let twice = specie::format(&specie::parse(&once).unwrap());
        assert_eq!(twice, once);
    }
}

#[test]
fn fmt_is_idempotent_on_messy_input() {
    // The spec's own example, with aligned columns and odd spacing.
    let src = "# header\nprogram   \"x\"{insured  \"I\"\n  sublimit \"Hot\"    25M per occurrence ,  50M aggregate when (tier is hot   or tier is warm) and not (cause in [a,b])\n\n\n  layer \"P\" 10_000_000 xs 0 {carrier \"A\" 100%}# t\n}";
    let once = specie::format(&specie::parse(src).unwrap());
    let twice = specie::format(&specie::parse(&once).unwrap());
    assert_eq!(once, twice);
    assert_eq!(
        once,
        "# header\nprogram \"x\" {\n  insured \"I\"\n  sublimit \"Hot\" 25M per occurrence, 50M aggregate when (tier is hot or tier is warm) and not cause in [a, b]\n\n  layer \"P\" 10000000 xs 0 {\n    carrier \"A\" 100%\n  } # t\n}\n"
    );
}

/// The `# expect: CODE at LINE:COL` line at the top of an invalid fixture.
fn expectation(src: &str) -> (String, usize, usize) {
    let line = src.lines().next().unwrap();
    let rest = line
        .strip_prefix("# expect: ")
        .expect("first line is `# expect: CODE at L:C`");
    let (code, pos) = rest.split_once(" at ").unwrap();
    let (l, c) = pos.split_once(':').unwrap();
    (code.to_string(), l.parse().unwrap(), c.parse().unwrap())
}

#[test]
fn invalid_fixtures_give_their_diagnostic() {
    for path in files("fixtures/invalid", "specie") {
        let src = std::fs::read_to_string(&path).unwrap();
        let (code, line, col) = expectation(&src);
        let err = specie::compile_str(&src).expect_err(&path.display().to_string());
        let diags = err.diagnostics();
        let first_error = diags
            .iter()
            .map(|d| to_json(*d, "f", &src))
            .find(|d| d.severity == "error")
            .unwrap();
        assert_eq!(
            (
                first_error.code.as_str(),
                first_error.line,
                first_error.column
            ),
            (code.as_str(), line, col),
            "{}",
            path.display()
        );
    }
}

#[test]
fn invalid_fixture_diagnostics_snapshots() {
    for path in files("fixtures/invalid", "specie") {
        let src = std::fs::read_to_string(&path).unwrap();
        let err = specie::compile_str(&src).unwrap_err();
        let name = format!("fixtures/invalid/{}.specie", stem(&path));
        let rendered: String = err
            .diagnostics()
            .iter()
            .map(|d| render(*d, &name, &src, false))
            .collect::<Vec<_>>()
            .join("\n");
        insta::assert_snapshot!(stem(&path), rendered);
    }
}

#[test]
fn fixtures_parse_with_their_real_paths() {
    // Guards against a fixture directory that silently moved.
    assert!(root()
        .join("fixtures/programs/crypto-native-crime-specie.specie")
        .exists());
}
