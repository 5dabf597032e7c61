use super::*;

fn ok(src: &str) -> File {
    match parse(src) {
        Ok(f) => f,
        Err(e) => panic!("parse failed: {e:?}"),
    }
}

fn err(src: &str) -> ParseError {
    match parse(src) {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(e) => e,
    }
}

const ACME: &str = r#"
# Acme Custody — digital-asset crime and specie program, 2026
program "Acme Custody 2026" {
  insured  "Acme Custody Trust Co."
  currency USD
  period   2026-01-01 to 2027-01-01
  basis    occurrence
  discovery window 90 days
  valuation at discovery

  attribute colluding_staff: count = 0
  attribute key_ceremony_documented: flag = true
  attribute reported_after: duration = 0 days

  exposure hot  40M
  exposure warm 150M
  exposure cold 1.2B

  covers external_hack, insider_theft, key_compromise, physical_loss, vendor_breach

  sublimit "Hot wallets"    25M per occurrence, 50M aggregate when tier is hot
  sublimit "Vendor breach"  5M aggregate when cause is vendor_breach

  deductible "Standard"        1M per occurrence, 3M aggregate
  deductible "Hot retention"   5% min 500k max 2.5M per occurrence when tier is hot

  exclude "Insider collusion"         when cause is insider_theft and colluding_staff >= 2
  exclude "Undocumented ceremony"     when tier is cold and not key_ceremony_documented
  exclude "Late notice"               when reported_after > 30 days

  layer "Primary" 10M xs 0 {
    aggregate 20M
    reinstatements 1 at 100%
    premium 400k
    carrier "Northgate Specialty" 100%
  }
  layer "First excess" 40M xs 10M {
    carrier "Harbor Underwriting" 50%
    carrier "Syndicate 1001" 30%
    exclude "No vendor breach above primary" when cause is vendor_breach
  }
  layer "Second excess" 50M xs 50M {
    carrier "Atlas Re" 100%
  }
}
"#;

#[test]
fn parses_the_spec_example() {
    let f = ok(ACME);
    assert_eq!(
        f.header,
        vec![" Acme Custody — digital-asset crime and specie program, 2026"]
    );
    assert_eq!(f.program.items.len(), 23);
    let ItemKind::Layer(l) = &f.program.items[22].kind else {
        panic!()
    };
    assert_eq!(l.name.node, "Second excess");
    assert_eq!(l.limit.node.value().unwrap(), Decimal::from(50_000_000));
    assert!(f.program.items[6].trivia.blank_line_before);
    assert!(!f.program.items[7].trivia.blank_line_before);
}

use rust_decimal::Decimal;

#[test]
fn amounts_with_suffixes_are_exact() {
    let f = ok(r#"program "x" { exposure cold 1.2B exposure hot 1_000_000 exposure warm 250k }"#);
    let values: Vec<Decimal> = f
        .program
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Exposure { amount, .. } => amount.node.value().unwrap(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        values,
        vec![
            Decimal::from(1_200_000_000u64),
            Decimal::from(1_000_000),
            Decimal::from(250_000)
        ]
    );
}

#[test]
fn condition_precedence_and_over_or() {
    let f = ok(r#"program "x" { exclude "e" when a or b and not c }"#);
    let ItemKind::Exclude(e) = &f.program.items[0].kind else {
        panic!()
    };
    let CondKind::Or(parts) = &e.condition.kind else {
        panic!("{:?}", e.condition)
    };
    assert_eq!(parts.len(), 2);
    assert!(matches!(parts[1].kind, CondKind::And(_)));
}

#[test]
fn all_test_forms() {
    let f = ok(
        r#"program "x" { exclude "e" when cause is not a and tier in [hot, warm] and asset not in [BTC] and value >= 2.5M and occurred < 2026-02-01 and discovered != 2026-03-14T02:10:00Z and t > 72h and f and n == 30% and s == "a\"b" and g == false }"#,
    );
    let ItemKind::Exclude(e) = &f.program.items[0].kind else {
        panic!()
    };
    let CondKind::And(parts) = &e.condition.kind else {
        panic!()
    };
    assert_eq!(parts.len(), 11);
}

#[test]
fn spans_point_at_items() {
    let src = r#"program "x" { covers a, b }"#;
    let f = ok(src);
    let s = f.program.items[0].span;
    assert_eq!(&src[s.start..s.end], "covers a, b");
}

#[test]
fn error_says_what_was_expected() {
    let e = err(r#"program "x" { layer "P" 10M x 0 { } }"#);
    assert_eq!(e.to_string(), "expected `xs`, found `x`");
    let e = err(r#"program "x" { sublimit "S" 5M per }"#);
    assert_eq!(e.to_string(), "expected `occurrence`, found `}`");
    let e = err(r#"program "x" { sublimit "S" 5M }"#);
    assert_eq!(e.to_string(), "expected `per` or `aggregate`, found `}`");
}

#[test]
fn unknown_item_suggests() {
    let e = err(r#"program "x" { sublimt "S" 5M aggregate }"#);
    let ParseError::UnknownItem { help, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(help, "did you mean `sublimit`?");
    let e = err(r#"program "x" { carrier "A" 100% }"#);
    let ParseError::UnknownItem { help, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(help.contains("inside a `layer"), "{help}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!(
        "program \"x\" {{ exclude \"e\" when {}a{} }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert!(matches!(err(&deep), ParseError::TooDeep { .. }));
    let nots = format!(
        "program \"x\" {{ exclude \"e\" when {}a }}",
        "not ".repeat(300)
    );
    assert!(matches!(err(&nots), ParseError::TooDeep { .. }));
    let fine = format!(
        "program \"x\" {{ exclude \"e\" when {}a{} }}",
        "(".repeat(200),
        ")".repeat(200)
    );
    ok(&fine);
}

#[test]
fn reserved_keyword_as_name() {
    let e = err(r#"program "x" { covers a, layer }"#);
    assert!(matches!(e, ParseError::ReservedKeyword { .. }), "{e:?}");
}

#[test]
fn unterminated_string() {
    let e = err("program \"x\" { insured \"abc\n }");
    assert!(matches!(e, ParseError::UnterminatedString { .. }), "{e:?}");
}

#[test]
fn bad_numbers_and_dates() {
    assert!(matches!(
        err(r#"program "x" { exposure hot 10Mx }"#),
        ParseError::InvalidNumber { .. }
    ));
    assert!(matches!(
        err(r#"program "x" { period 2026-02-30 to 2027-01-01 }"#),
        ParseError::InvalidDate { .. }
    ));
    assert!(matches!(
        err(r#"program "x" { exposure hot 99999999999999999999999999999999 }"#),
        ParseError::InvalidNumber { .. }
    ));
}

#[test]
fn durations_in_both_spellings() {
    for d in ["30 days", "30d", "30 day", "720 hours", "720h"] {
        ok(&format!("program \"x\" {{ discovery window {d} }}"));
    }
    let e = err(r#"program "x" { discovery window 30 }"#);
    assert!(e.to_string().starts_with("expected a duration"), "{e}");
}

#[test]
fn comments_attach_to_items() {
    let f = ok("# head\nprogram \"x\" { # after brace\n  # lead\n  covers a # trail\n\n  layer \"L\" 1M xs 0 {\n    # in layer\n    carrier \"A\" 100% # t2\n    # end of layer\n  } # after layer\n  # end\n}\n# foot\n");
    assert_eq!(f.header, vec![" head"]);
    let it = &f.program.items[0];
    assert_eq!(it.trivia.comments, vec![" after brace", " lead"]);
    assert_eq!(it.trivia.trailing.as_deref(), Some(" trail"));
    let l = &f.program.items[1];
    assert!(l.trivia.blank_line_before);
    assert_eq!(l.trivia.trailing.as_deref(), Some(" after layer"));
    let ItemKind::Layer(ld) = &l.kind else {
        panic!()
    };
    assert_eq!(ld.items[0].trivia.comments, vec![" in layer"]);
    assert_eq!(ld.items[0].trivia.trailing.as_deref(), Some(" t2"));
    assert_eq!(ld.end_comments, vec![" end of layer"]);
    assert_eq!(f.program.end_comments, vec![" end"]);
    assert_eq!(f.footer, vec![" foot"]);
}

#[test]
fn trailing_garbage() {
    let e = err(r#"program "x" { } extra"#);
    assert_eq!(e.to_string(), "expected end of input, found `extra`");
}

#[test]
fn too_large_input() {
    let big = " ".repeat(MAX_INPUT_BYTES + 1);
    assert!(matches!(err(&big), ParseError::TooLarge { .. }));
}

/// The comment finder as it was written first, character by character: the oracle for
/// the byte-scanning one.
fn comments_by_chars(src: &str) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut iter = src.char_indices();
    while let Some((idx, c)) = iter.next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' || c == '\n' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == '#' {
            let rest = &src[idx..];
            let len = rest.find('\n').unwrap_or(rest.len());
            out.push((
                Span::new(idx, idx + len),
                rest[1..len].trim_end().to_string(),
            ));
            for (_, ch) in iter.by_ref() {
                if ch == '\n' {
                    break;
                }
            }
        }
    }
    out
}

proptest::proptest! {
    #[test]
    fn comments_are_found_as_a_character_scan_finds_them(src in "[a #\"\\\\\n\té€]{0,40}") {
        proptest::prop_assert_eq!(super::trivia::comments(&src), comments_by_chars(&src));
    }

    #[test]
    fn numbers_read_as_from_str_exact_reads_them(
        int in "[0-9][0-9_]{0,31}",
        frac in proptest::option::of("[0-9][0-9_]{0,31}"),
    ) {
        let text = match &frac {
            Some(f) => format!("{int}.{f}"),
            None => int.clone(),
        };
        let cleaned: String = text.chars().filter(|c| *c != '_').collect();
        // Exactly, or not at all: a number is never rounded to fit.
        let expected = rust_decimal::Decimal::from_str_exact(&cleaned).ok();
        let got = super::lex::digits_value(&text);
        proptest::prop_assert_eq!(
            got.map(|d| (d.mantissa(), d.scale())),
            expected.map(|d| (d.mantissa(), d.scale())),
            "{}", text
        );
    }
}

#[test]
fn numbers_of_every_common_shape_read_exactly() {
    use std::str::FromStr;
    for text in [
        "0",
        "7",
        "007",
        "1_000_000",
        "2.5",
        "0.125",
        "99.990",
        "1.2",
        "100",
    ] {
        let cleaned: String = text.chars().filter(|c| *c != '_').collect();
        let want = Decimal::from_str(&cleaned).unwrap();
        let got = super::lex::digits_value(text).unwrap();
        assert_eq!(
            (got.mantissa(), got.scale()),
            (want.mantissa(), want.scale()),
            "{text}"
        );
    }
    // 19 significant digits and more, or 29 decimals, take the slow path, which refuses
    // what it cannot hold exactly.
    for text in [
        "1234567890123456789",
        "0.00000000000000000000000000001",
        "1.123456789012345678901234567890",
    ] {
        let want = Decimal::from_str_exact(text)
            .ok()
            .map(|d| (d.mantissa(), d.scale()));
        let got = super::lex::digits_value(text).map(|d| (d.mantissa(), d.scale()));
        assert_eq!(got, want, "{text}");
    }
}
