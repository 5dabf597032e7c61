//! Keeps `grammar/specie.ebnf` honest: every reserved keyword and every item keyword the
//! parser accepts appears in it as a quoted terminal, and every fixture parses.

mod common;

use common::{files, root};

fn grammar() -> String {
    std::fs::read_to_string(root().join("grammar/specie.ebnf")).unwrap()
}

#[test]
fn every_keyword_is_a_terminal_of_the_grammar() {
    let g = grammar();
    let keywords = specie::parse::KEYWORDS
        .iter()
        .chain(specie::parse::ITEM_KEYWORDS)
        .chain(specie::parse::LAYER_ITEM_KEYWORDS)
        .chain(specie::parse::PARAMETRIC_ITEM_KEYWORDS)
        .chain(specie::parse::CHECK_ITEM_KEYWORDS)
        .chain(specie::parse::TREATY_ITEM_KEYWORDS)
        .chain(specie::parse::CONTEXTUAL_WORDS)
        .chain(specie::parse::MODEL_WORDS)
        .chain(specie::parse::MODEL_ITEM_KEYWORDS)
        .chain(specie::parse::PERIL_ITEM_KEYWORDS)
        .chain(specie::parse::PORTFOLIO_WORDS)
        .chain(specie::parse::PORTFOLIO_ITEM_KEYWORDS)
        .chain(specie::parse::VENDOR_ITEM_KEYWORDS)
        .chain(specie::parse::REASONS);
    for k in keywords {
        assert!(
            g.contains(&format!("'{k}'")),
            "keyword `{k}` is not in grammar/specie.ebnf"
        );
    }
    for unit in specie::ast::DURATION_UNIT_WORDS {
        assert!(
            g.contains(&format!("'{unit}'")),
            "unit `{unit}` is not in the grammar"
        );
    }
}

#[test]
fn every_production_has_a_comment() {
    let g = grammar();
    let lines: Vec<&str> = g.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("::=") && !line.trim_start().starts_with('|') {
            let prev = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap();
            assert!(
                prev.trim_end().ends_with("*/"),
                "production without a comment: {line}"
            );
        }
    }
}

#[test]
fn every_fixture_parses() {
    for path in files("fixtures/programs", "specie") {
        let src = std::fs::read_to_string(&path).unwrap();
        specie::parse(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn every_model_fixture_parses_and_formats_canonically() {
    let models = files("fixtures/models", "specie");
    assert!(models.len() >= 3);
    for path in models {
        let src = std::fs::read_to_string(&path).unwrap();
        let m =
            specie::parse::parse_model(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            specie::format::format_model(&m),
            src,
            "{} is not in canonical layout",
            path.display()
        );
        let again = specie::parse::parse_model(&specie::format::format_model(&m)).unwrap();
        assert_eq!(again, m);
    }
}

/// The words one pattern of the VS Code grammar lists (`\\b(a|b|…)\\b`).
fn tm_words(grammar: &serde_json::Value, rule: &str) -> Vec<String> {
    let m = grammar["repository"][rule]["match"].as_str().unwrap();
    let inner = m.trim_start_matches("\\b(").trim_end_matches(")\\b");
    inner.split('|').map(str::to_string).collect()
}

#[test]
fn the_vscode_grammar_highlights_every_word_of_the_language() {
    let path = root().join("editors/vscode/syntaxes/specie.tmLanguage.json");
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut highlighted = Vec::new();
    for rule in ["declaration", "operator-word", "keyword", "constant"] {
        highlighted.extend(tm_words(&g, rule));
    }
    let words = specie::parse::KEYWORDS
        .iter()
        .chain(specie::parse::ITEM_KEYWORDS)
        .chain(specie::parse::CONTEXTUAL_WORDS)
        .chain(specie::parse::MODEL_WORDS)
        .chain(specie::parse::INDEX_PERIL_ITEM_KEYWORDS)
        .chain(specie::parse::PORTFOLIO_WORDS)
        .chain(specie::parse::PORTFOLIO_MODEL_WORDS);
    for w in words {
        assert!(
            highlighted.iter().any(|h| h == w),
            "`{w}` is not highlighted by editors/vscode/syntaxes/specie.tmLanguage.json"
        );
    }
    let symbols = tm_words(&g, "standard-symbol");
    for s in specie::vocabulary::STANDARD_CAUSES
        .iter()
        .chain(specie::vocabulary::STANDARD_TIERS)
        .chain(specie::parse::REASONS)
    {
        assert!(
            symbols.iter().any(|h| h == s) || highlighted.iter().any(|h| h == s),
            "`{s}` is not in the grammar's standard symbols"
        );
    }
}
