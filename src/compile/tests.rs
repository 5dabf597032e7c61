use super::*;
use crate::money::Money;
use crate::time::Instant;

fn ok(src: &str) -> Compiled {
    match compile_str(src) {
        Ok(c) => c,
        Err(e) => panic!("{e:?}"),
    }
}

fn errors(src: &str) -> Vec<CompileError> {
    match compile_str(src) {
        Err(SourceError::Compile(c)) => c.errors,
        other => panic!("expected compile errors, got {other:?}"),
    }
}

fn codes<D: miette::Diagnostic>(ds: &[D]) -> Vec<String> {
    ds.iter().map(|d| d.code().unwrap().to_string()).collect()
}

const P: &str = "period 2026-01-01 to 2027-01-01";

#[test]
fn values_are_exact_and_layers_sorted() {
    let c = ok(&format!(
        r#"program "x" {{ {P}
        layer "B" 40M xs 10M {{ carrier "b" 33.333% carrier "c" 66.667% }}
        layer "A" 10M xs 0 {{ aggregate 20M reinstatements 1 at 100%, 2 at 50% premium 400k carrier "a" 100% }}
        deductible "D" 5% min 500k max 2.5M per occurrence, 3M aggregate
        coinsurance 12.5%
        }}"#
    ));
    let p = &c.program;
    assert_eq!(p.layers[0].name, "A");
    assert_eq!(p.layers[0].limit, Money(10_000_000_00));
    assert_eq!(p.layers[0].reinstatement_count(), 3);
    assert_eq!(
        p.layers[0].effective_aggregate(),
        Some(Money(20_000_000_00))
    );
    assert_eq!(
        p.layers[1].carriers[0]
            .share
            .to_decimal()
            .unwrap()
            .to_string(),
        "0.33333"
    );
    let DeductibleAmount::Percent { rate, min, max } = &p.deductibles[0].amount else {
        panic!()
    };
    assert_eq!(rate.to_decimal().unwrap().to_string(), "0.05");
    assert_eq!(
        (*min, *max),
        (Some(Money(500_000_00)), Some(Money(2_500_000_00)))
    );
    assert_eq!(
        p.coinsurance.unwrap().to_decimal().unwrap().to_string(),
        "0.125"
    );
    assert_eq!(p.period.start, Instant(20_454 * 86_400));
}

#[test]
fn effective_aggregate_from_reinstatements() {
    let c = ok(&format!(
        r#"program "x" {{ {P} layer "A" 10M xs 0 {{ reinstatements 2 at 100% carrier "a" 100% }} }}"#
    ));
    assert_eq!(
        c.program.layers[0].effective_aggregate(),
        Some(Money(30_000_000_00))
    );
    let c = ok(&format!(
        r#"program "x" {{ {P} layer "A" 10M xs 0 {{ carrier "a" 100% }} }}"#
    ));
    assert_eq!(c.program.layers[0].effective_aggregate(), None);
}

#[test]
fn all_errors_are_reported_in_one_run() {
    let errs = errors(&format!(
        r#"program "x" {{ {P}
        exclude "a" when nope
        exclude "b" when value is big
        exclude "a" when cause == "x"
        coinsurance 150%
        layer "L" 0 xs 0 {{ carrier "c" 100% }}
        }}"#
    ));
    assert_eq!(
        codes(&errs),
        vec![
            "specie::type::unknown_field",
            "specie::type::operator",
            "specie::name::duplicate",
            "specie::type::operator",
            "specie::value::percent_range",
            "specie::value::not_positive",
        ]
    );
}

#[test]
fn type_checks_every_field_kind() {
    let c = ok(&format!(
        r#"program "x" {{ {P}
        attribute n: number = 1.5
        attribute t: text = "a"
        attribute f: flag
        attribute a: amount = 2.5M
        attribute c: count = 3
        attribute d: duration = 2 days
        exclude "e" when n > 30% and t == "b" and f and a >= 1M and c != 2 and d < 72h
          and occurred >= 2026-02-01 and discovered < 2026-03-01T12:00:00Z
          and time_to_discovery > 1 week and value > 100 and asset in [BTC, ETH] and tier is not cold
        layer "L" 1M xs 0 {{ carrier "c" 100% exclude "ev" when occurred > 2026-06-01 and f }}
        }}"#
    ));
    let Condition::And(parts) = &c.program.exclusions[0].condition else {
        panic!()
    };
    assert_eq!(parts.len(), 12);
    assert_eq!(
        parts[0],
        Condition::Compare {
            field: Field::Attribute(0),
            op: crate::ast::CmpOp::Gt,
            value: Value::Number(rust_decimal::Decimal::new(30, 2))
        }
    );
    assert!(c.program.exclusions[0].condition.reads_line());
    assert!(!c.program.layers[0].exclusions[0].condition.reads_line());
}

#[test]
fn mismatches_name_field_type_and_value_kind() {
    let errs = errors(&format!(
        r#"program "x" {{ {P} attribute d: duration exclude "e" when d > 30 }}"#
    ));
    assert_eq!(
        errs[0].to_string(),
        "`d` is a duration, but is compared with a number"
    );
    let errs = errors(&format!(
        r#"program "x" {{ {P} attribute f: flag exclude "e" when f < true }}"#
    ));
    assert_eq!(codes(&errs), vec!["specie::type::operator"]);
    let errs = errors(&format!(
        r#"program "x" {{ {P} attribute c: count = 1.5 }}"#
    ));
    assert_eq!(codes(&errs), vec!["specie::value::not_whole"]);
    let errs = errors(&format!(r#"program "x" {{ {P} attribute tier: flag }}"#));
    assert_eq!(codes(&errs), vec!["specie::name::builtin_field"]);
}

#[test]
fn unknown_field_suggests_a_near_attribute() {
    let errs = errors(&format!(
        r#"program "x" {{ {P} attribute colluding_staff: count = 0 exclude "e" when colluding_staf > 1 }}"#
    ));
    let CompileError::UnknownField { help, .. } = &errs[0] else {
        panic!()
    };
    assert_eq!(help, "did you mean `colluding_staff`?");
}

#[test]
fn tower_gap_and_unplaced_are_warnings() {
    let c = ok(&format!(
        r#"program "x" {{ {P}
        layer "A" 10M xs 0 {{ carrier "a" 100% }}
        layer "B" 10M xs 15M {{ carrier "b" 60% }}
        }}"#
    ));
    assert_eq!(
        codes(&c.warnings),
        vec!["specie::tower::unplaced", "specie::tower::gap"]
    );
    assert_eq!(
        c.warnings[1].to_string(),
        "gap of USD 5,000,000 between layers `A` and `B`"
    );
}

#[test]
fn symbol_warnings() {
    let c = ok(&format!(
        r#"program "x" {{ {P}
        covers external_hack, key_compromise
        exclude "e" when cause is key_compromis or tier is hott
        layer "A" 10M xs 0 {{ carrier "a" 100% }}
        }}"#
    ));
    assert_eq!(
        codes(&c.warnings),
        vec!["specie::name::unknown_cause", "specie::name::unknown_tier"]
    );
}

#[test]
fn basis_specific_items_warn_when_ignored() {
    let c = ok(&format!(
        r#"program "x" {{ {P} basis discovery discovery window 30 days layer "A" 1M xs 0 {{ carrier "a" 100% }} }}"#
    ));
    assert_eq!(codes(&c.warnings), vec!["specie::item::not_applicable"]);
}

#[test]
fn deductible_shape_errors() {
    let errs = errors(&format!(
        r#"program "x" {{ {P} deductible 1M min 5 per occurrence }}"#
    ));
    assert_eq!(codes(&errs), vec!["specie::value::min_max_on_flat"]);
    let errs = errors(&format!(
        r#"program "x" {{ {P} deductible 5% franchise per occurrence }}"#
    ));
    assert_eq!(codes(&errs), vec!["specie::value::franchise_not_flat"]);
    let errs = errors(&format!(
        r#"program "x" {{ {P} deductible 1M per occurrence deductible 2M per occurrence }}"#
    ));
    assert_eq!(codes(&errs), vec!["specie::name::duplicate"]);
}

#[test]
fn duplicate_singleton_items() {
    let errs = errors(&format!(
        r#"program "x" {{ {P} {P} currency USD currency EUR }}"#
    ));
    assert_eq!(
        codes(&errs),
        vec!["specie::item::duplicate", "specie::item::duplicate"]
    );
}

#[test]
fn jpy_has_no_minor_unit() {
    let c = ok(&format!(
        r#"program "x" {{ currency JPY {P} layer "A" 1M xs 0 {{ carrier "a" 100% }} }}"#
    ));
    assert_eq!(c.program.layers[0].limit, Money(1_000_000));
    let errs = errors(&format!(
        r#"program "x" {{ currency JPY {P} deductible 0.5 per occurrence }}"#
    ));
    assert_eq!(codes(&errs), vec!["specie::value::precision"]);
}

#[test]
fn too_many_layers() {
    let mut src = format!("program \"x\" {{ {P}\n");
    for i in 0..10_001u64 {
        src.push_str(&format!(
            "layer \"L{i}\" 1 xs {i} {{ carrier \"c\" 100% }}\n"
        ));
    }
    src.push('}');
    let errs = errors(&src);
    assert_eq!(codes(&errs), vec!["specie::limit::count"]);
}

#[test]
fn parametric_cover_errors() {
    let cover = |body: &str| {
        errors(&format!(
            r#"program "x" {{ {P} parametric "C" {{ {body} }} }}"#
        ))
    };
    assert_eq!(
        codes(&cover(
            r#"index "I" trigger below 0.97 for 1 day carrier "A" 100%"#
        )),
        vec!["specie::parametric::incomplete"]
    );
    assert_eq!(
        codes(&cover(
            r#"trigger below 0.97 for 1 day payout 100% of 1M carrier "A" 100%"#
        )),
        vec!["specie::parametric::incomplete"]
    );
    assert_eq!(
        codes(&cover(
            r#"index "I" trigger below 0.97 for 1 day payout 100% of 1M carrier "A" 60% carrier "B" 50%"#
        )),
        vec!["specie::tower::overplaced"]
    );
    assert_eq!(
        codes(&cover(
            r#"index "I" trigger below 0.97 for 1 day payout 120% of 1M carrier "A" 100%"#
        )),
        vec!["specie::value::percent_range"]
    );
    assert_eq!(
        codes(&cover(
            r#"index "I" trigger below 0.97 for 1 day payout 10% of 1M payout linear from 10% at 0.97 to 100% at 0.9 of 1M carrier "A" 100%"#
        )),
        vec!["specie::parametric::mixed_payout"]
    );
    assert_eq!(
        codes(&cover(
            r#"index "I" trigger above 1.03 for 1 day payout 10% of 1M when below 0.9 carrier "A" 100%"#
        )),
        vec!["specie::parametric::step_side"]
    );
}

#[test]
fn parametric_cover_compiles() {
    let c = ok(&format!(
        r#"program "x" {{ {P} parametric "C" {{ index "I" trigger above 0.5 for 90 days payout 100% of 2M waiting period 3 days aggregate 2M carrier "A" 75% }} }}"#
    ));
    let cover = &c.program.parametric[0];
    assert_eq!(cover.duration, crate::time::Duration(90 * 86_400));
    assert_eq!(cover.waiting, crate::time::Duration(3 * 86_400));
    assert_eq!(cover.aggregate, Some(Money(200_000_000)));
    // A parametric-only program draws the unplaced warning but not `no_layers`.
    assert_eq!(codes(&c.warnings), vec!["specie::tower::unplaced"]);
}
