//! The claim behind exact verification: on random programs and checks, a dense sample of
//! losses never finds a failure that the breakpoint check missed, every reported
//! counterexample really fails, and nothing below it fails.

use proptest::prelude::*;
use specie::program::Program;
use specie::verify::verify;
use std::fmt::Write;

#[derive(Clone, Debug)]
struct Spec {
    sublimit: Option<u32>,
    deductible: (u8, u32),
    coinsurance: Option<u32>,
    layers: Vec<(u32, u32, u32, Option<u32>)>,
    metric: u8,
    op: u8,
    bound: u32,
    range: (u32, u32),
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::option::of(1u32..5_000),
        (0u8..3, 1u32..800),
        prop::option::of(1u32..30),
        prop::collection::vec(
            (
                1u32..3_000,
                0u32..500,
                1u32..101,
                prop::option::of(1u32..5_000),
            ),
            1..4,
        ),
        0u8..6,
        0u8..4,
        0u32..6_000,
        (0u32..2_000, 1u32..10_000),
    )
        .prop_map(
            |(sublimit, deductible, coinsurance, layers, metric, op, bound, range)| Spec {
                sublimit,
                deductible,
                coinsurance,
                layers,
                metric,
                op,
                bound,
                range,
            },
        )
}

/// Amounts in thousands, so that breakpoints fall on odd cents after percentages.
fn source(s: &Spec) -> String {
    let mut p = String::from(
        "program \"r\" {\n  period 2026-01-01 to 2027-01-01\n  covers external_hack\n",
    );
    if let Some(c) = s.sublimit {
        let _ = writeln!(p, "  sublimit \"S\" {c}k per occurrence when tier is hot");
    }
    let (kind, a) = s.deductible;
    let _ = match kind {
        0 => writeln!(p, "  deductible \"D\" {a}k per occurrence"),
        1 => writeln!(
            p,
            "  deductible \"D\" {}.5% min {}k max {a}k per occurrence",
            a % 20,
            a / 4
        ),
        _ => writeln!(p, "  deductible \"D\" {a}k franchise per occurrence"),
    };
    if let Some(c) = s.coinsurance {
        let _ = writeln!(p, "  coinsurance {c}%");
    }
    let mut attach = 0u64;
    for (i, (limit, gap, share, agg)) in s.layers.iter().enumerate() {
        attach += u64::from(*gap);
        let _ = writeln!(
            p,
            "  layer \"L{i}\" {limit}k xs {attach}k {{ carrier \"C{i}\" {share}% }}"
        );
        if let Some(a) = agg {
            p = p.replacen(
                &format!("carrier \"C{i}\" {share}% }}"),
                &format!("aggregate {a}k carrier \"C{i}\" {share}% }}"),
                1,
            );
        }
        attach += u64::from(*limit);
    }
    let metric = match s.metric {
        0 => "paid".to_string(),
        1 => "uncovered".to_string(),
        2 => "retained".to_string(),
        3 => "uncovered tower_gap".to_string(),
        4 => "layer \"L0\" paid".to_string(),
        _ => "carrier \"C0\" paid".to_string(),
    };
    let op = ["<=", ">=", "<", ">"][usize::from(s.op)];
    let bound = if s.bound % 3 != 0 {
        format!("{}% of loss", s.bound % 101)
    } else {
        format!("{}k", s.bound)
    };
    let (lo, span) = s.range;
    let _ = writeln!(
        p,
        "  check \"c\" {{\n    event cause is external_hack and tier is hot\n    loss from {lo}k to {}k\n    expect {metric} {op} {bound}\n  }}",
        lo + span
    );
    p.push_str("}\n");
    p
}

/// Whether the program's check fails for one hot external-hack loss of `cents`.
fn fails(program: &Program, cents: i64) -> bool {
    let check = &program.checks[0];
    let e = &check.expects[0];
    let scenario = specie::scenario::Scenario::from_json(&format!(
        r#"{{"events":[{{"id":"x","cause":"external_hack","occurred":"2026-01-01T00:00:00Z","losses":[{{"tier":"hot","amount":"{}.{:02}"}}]}}]}}"#,
        cents / 100,
        cents % 100
    ))
    .unwrap();
    let r = specie::replay::replay(program, &scenario).unwrap();
    let ev = &r.events[0];
    let value: rust_decimal::Decimal = match &e.metric {
        specie::program::CheckMetric::Paid => ev.paid,
        specie::program::CheckMetric::Uncovered(None) => {
            ev.uncovered.iter().map(|u| u.amount).sum()
        }
        specie::program::CheckMetric::Uncovered(Some(w)) => ev
            .uncovered
            .iter()
            .filter(|u| u.reason.as_str() == w)
            .map(|u| u.amount)
            .sum(),
        specie::program::CheckMetric::Retained => ev
            .uncovered
            .iter()
            .filter(|u| matches!(u.reason.as_str(), "deductible" | "coinsurance"))
            .map(|u| u.amount)
            .sum(),
        specie::program::CheckMetric::LayerPaid(k) => ev.layers[*k].paid,
        specie::program::CheckMetric::CarrierPaid(n) => ev
            .layers
            .iter()
            .flat_map(|l| &l.carriers)
            .filter(|c| c.carrier == *n)
            .map(|c| c.paid)
            .sum(),
    };
    let bound = match &e.bound {
        specie::program::CheckBound::Amount(m) => program.currency.decimal(*m),
        specie::program::CheckBound::ShareOfLoss(f) => program
            .currency
            .decimal(f.apply(specie::money::Money(cents)).unwrap()),
    };
    let holds = match e.op {
        specie::ast::CmpOp::Le => value <= bound,
        specie::ast::CmpOp::Ge => value >= bound,
        specie::ast::CmpOp::Lt => value < bound,
        specie::ast::CmpOp::Gt => value > bound,
        specie::ast::CmpOp::Eq => value == bound,
        specie::ast::CmpOp::Ne => value != bound,
    };
    !holds
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn dense_sampling_finds_nothing_the_breakpoints_missed(s in spec(), seeds in prop::collection::vec(any::<u64>(), 40)) {
        let src = source(&s);
        let program = specie::compile_str(&src).unwrap_or_else(|e| panic!("{e:?}\n{src}")).program;
        let check = &program.checks[0];
        let outcome = verify(&program, check, 0, 16).unwrap();
        let (lo, hi) = (check.loss_from.0, check.loss_to.0);
        // A dense grid plus random points.
        let mut samples: Vec<i64> = (0..=200).map(|i| lo + (hi - lo) * i / 200).collect();
        samples.extend(seeds.iter().map(|x| lo + (*x % ((hi - lo) as u64 + 1)) as i64));
        let first_sampled_failure = samples.iter().copied().filter(|v| fails(&program, *v)).min();
        match (&outcome.failure, first_sampled_failure) {
            (None, Some(v)) => prop_assert!(false, "sampling fails at {v} cents, verification passed\n{src}"),
            (Some(f), sampled) => {
                let cents = (f.loss * rust_decimal::Decimal::ONE_HUNDRED).trunc().mantissa() as i64;
                prop_assert!(fails(&program, cents), "reported counterexample {} does not fail\n{src}", f.loss);
                if let Some(v) = sampled {
                    prop_assert!(cents <= v, "sampling fails at {v} cents, below the reported {cents}\n{src}");
                }
                if cents > lo {
                    prop_assert!(!fails(&program, cents - 1), "one cent below the counterexample fails too\n{src}");
                }
            }
            (None, None) => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_check_that_holds_is_never_reported_failing(s in spec()) {
        let src = source(&s);
        // Replace the random expectation by ones that always hold.
        let start = src.find("    expect").unwrap();
        let end = start + src[start..].find('\n').unwrap();
        let src = format!(
            "{}    expect paid <= 100% of loss\n    expect uncovered >= 0\n    expect retained <= 100% of loss{}",
            &src[..start],
            &src[end..]
        );
        let program = specie::compile_str(&src).unwrap_or_else(|e| panic!("{e:?}\n{src}")).program;
        let outcome = verify(&program, &program.checks[0], 0, 16).unwrap();
        prop_assert!(outcome.passed, "{:?}\n{src}", outcome.failure);
    }
}
