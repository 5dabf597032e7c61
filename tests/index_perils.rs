//! Index perils in a simulated year (spec section 14): each year's `--events-out` lines
//! replay to that year's figures; closed forms for the claim probability and the AAL of a
//! cover with an aggregate; adding an index peril changes no indemnity figure; diagnostics.

use proptest::prelude::*;
use rust_decimal::Decimal;
use specie::compile::compile_model_str;
use specie::simulate::{simulate_block, statistics, write_events, SummaryKey};

fn program(covers: &str) -> specie::program::Program {
    let src = format!(
        r#"program "p" {{
  currency USD
  period 2026-01-01 to 2027-01-01
  exposure hot 30M
  covers external_hack
  deductible "Retention" 1M per occurrence
  layer "Primary" 10M xs 0 {{ carrier "A" 100% }}
  {covers}
}}"#
    );
    specie::compile_str(&src).unwrap().program
}

const STEPS: &str = r#"parametric "Depeg" {
    index "USDC/USD"
    trigger below 0.97 for 24 hours
    payout 50% of 4M when below 0.95
    payout 100% of 4M when below 0.90
    aggregate 6M
    waiting period 72 hours
    carrier "M" 60%
    carrier "A" 30%
  }"#;

fn model(index_perils: &str, years: u64) -> String {
    format!(
        r#"model "m" {{
  years {years}
  peril "drain" {{
    cause external_hack
    frequency poisson 0.6 per year
    loss hot lognormal median 5M sigma 1.5 cap exposure
  }}
  {index_perils}
}}"#
    )
}

fn money(d: Decimal) -> i64 {
    (d * Decimal::from(100)).trunc().try_into().unwrap()
}

/// Per year: (uncovered, parametric paid by carriers) from the simulation's accumulations.
fn per_year(
    block: &specie::simulate::Block,
    key: SummaryKey,
) -> std::collections::HashMap<u32, i64> {
    let a = &block.summaries[&key];
    a.annual_years
        .iter()
        .copied()
        .zip(a.annual.iter().copied())
        .collect()
}

/// Replays each year's lines of `--events-out` and checks them against the block.
fn check_events_out(program: &specie::program::Program, model_src: &str, years: u64, seed: u64) {
    let m = compile_model_str(model_src, program).unwrap().model;
    let block = simulate_block(program, &m, seed, 1, years).unwrap();
    let mut out = Vec::new();
    write_events(program, &m, years, seed, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut by_year: std::collections::BTreeMap<u64, Vec<&str>> = Default::default();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        by_year
            .entry(v["year"].as_u64().unwrap())
            .or_default()
            .push(line);
    }
    let unc = per_year(&block, SummaryKey::Uncovered);
    let par = per_year(&block, SummaryKey::Parametric);
    let mut replayed = 0;
    for (year, lines) in &by_year {
        let input = lines.join("\n");
        let s = specie::replay::replay_stream_as(
            program,
            input.as_bytes(),
            None,
            None,
            specie::replay::Options::default(),
        )
        .unwrap();
        let uncovered = s.totals.ground_up - s.totals.paid;
        let paid: Decimal = s
            .parametric
            .iter()
            .flat_map(|c| &c.carriers)
            .map(|c| c.paid)
            .sum();
        let y = u32::try_from(*year).unwrap();
        assert_eq!(
            money(uncovered),
            unc.get(&y).copied().unwrap_or(0),
            "year {year} uncovered"
        );
        assert_eq!(
            money(paid),
            par.get(&y).copied().unwrap_or(0),
            "year {year} parametric"
        );
        replayed += 1;
    }
    // Every year with a parametric payment wrote lines.
    for y in par.keys() {
        assert!(
            by_year.contains_key(&u64::from(*y)),
            "year {y} has no lines"
        );
    }
    assert!(replayed > 0);
}

#[test]
fn each_years_events_out_lines_replay_to_its_figures() {
    let p = program(STEPS);
    let m = model(
        r#"index peril "USDC depeg" {
    index "USDC/USD"
    baseline 1.00
    frequency poisson 0.8 per year
    worst uniform 0.80 to 0.985
    duration lognormal median 30 hours sigma 1.2 cap 30 days
  }"#,
        400,
    );
    check_events_out(&p, &m, 400, 11);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random covers and index perils: every year's lines replay to its figures.
    #[test]
    fn events_out_replays_exactly(
        threshold in 90u32..99,
        hours in 0u32..72,
        linear in any::<bool>(),
        aggregate in prop::option::of(1u32..12),
        waiting in 0u32..200,
        lambda in 1u32..30,
        lo in 70u32..95,
        span in 1u32..20,
        median in 1u32..100,
        perils in 1usize..3,
        seed in 0u64..1000,
    ) {
        let payout = if linear {
            format!("payout linear from 10% at 0.{threshold} to 100% at 0.80 of 5M")
        } else {
            // A step's level is at or below the trigger's.
            format!("payout 40% of 5M\n    payout 100% of 5M when below 0.{}", lo.min(threshold))
        };
        let aggregate = aggregate.map_or(String::new(), |a| format!("aggregate {a}M"));
        let cover = format!(r#"parametric "C" {{
    index "X"
    trigger below 0.{threshold} for {hours} hours
    {payout}
    {aggregate}
    waiting period {waiting} hours
    carrier "M" 70%
  }}"#);
        let p = program(&cover);
        let hi = (lo + span).min(99);
        let ips: String = (0..perils).map(|k| format!(r#"index peril "I{k}" {{
    index "X"
    baseline 1.00
    frequency poisson {}.{} per year
    worst uniform 0.{lo} to 0.{hi}
    duration lognormal median {median} hours sigma 1.0 cap 20 days
  }}
  "#, lambda / 10, lambda % 10)).collect();
        check_events_out(&p, &model(&ips, 60), 60, seed);
    }
}

/// Fixed worst and duration, Poisson excursions: a claim in a year has probability
/// 1 − exp(−λq), q the share of start instants whose trigger instant falls in the period
/// and whose start is past the waiting period. Here the period is 365 days, the waiting
/// period 72 hours and the trigger 24 hours: q = (365 d − 3 d − 1 d) / 365 d = 361/365.
#[test]
fn claim_probability_matches_the_closed_form() {
    let p = program(STEPS);
    let src = model(
        r#"index peril "USDC depeg" {
    index "USDC/USD"
    baseline 1.00
    frequency poisson 0.3 per year
    worst fixed 0.85
    duration fixed 48 hours
  }"#,
        200_000,
    );
    let m = compile_model_str(&src, &p).unwrap().model;
    let n = 200_000u64;
    let block = simulate_block(&p, &m, 5, 1, n).unwrap();
    let r = statistics(&p, "m", 5, &block, &[100]);
    let q = 361.0 / 365.0;
    let expected = 1.0 - (-0.3f64 * q).exp();
    let got = r.parametric[0].claim_probability;
    let se = (expected * (1.0 - expected) / n as f64).sqrt();
    assert!(
        (got - expected).abs() < 5.0 * se,
        "{got} vs {expected} ± {se}"
    );

    // AAL of a step cover with an aggregate: each claim pays 4M (worst 0.85 < 0.90), the
    // aggregate 6M caps a year at 6M: E[min(4M × K, 6M)] with K ~ Poisson(λq). The
    // carriers hold 90%, so `parametric` is 90% of it.
    let l = 0.3 * q;
    let p0 = (-l).exp();
    let p1 = l * p0;
    let expected_aal = 0.9 * (4e6 * p1 + 6e6 * (1.0 - p0 - p1));
    let par = r
        .summaries
        .iter()
        .find(|s| s.summary == "parametric")
        .unwrap();
    let aal: f64 = par.aal.try_into().unwrap();
    let sd: f64 = par.sd.try_into().unwrap();
    let se = sd / (n as f64).sqrt();
    assert!(
        (aal - expected_aal).abs() < 5.0 * se,
        "{aal} vs {expected_aal} ± {se}"
    );
}

/// Index perils draw after the loss perils: adding one changes no indemnity figure.
#[test]
fn adding_an_index_peril_changes_no_indemnity_figure() {
    let p = program(STEPS);
    let without = compile_model_str(&model("", 3000), &p).unwrap().model;
    let with = compile_model_str(
        &model(
            r#"index peril "d" { index "USDC/USD" baseline 1.00 frequency poisson 2 per year worst fixed 0.9 duration fixed 2 days }"#,
            3000,
        ),
        &p,
    )
    .unwrap()
    .model;
    let a = simulate_block(&p, &without, 9, 1, 3000).unwrap();
    let b = simulate_block(&p, &with, 9, 1, 3000).unwrap();
    for key in [
        SummaryKey::GroundUp,
        SummaryKey::Paid,
        SummaryKey::Uncovered,
        SummaryKey::Layer(0),
    ] {
        assert_eq!(a.summaries[&key], b.summaries[&key], "{key:?}");
    }
    assert!(b.summaries[&SummaryKey::Parametric].sum > 0);
    assert_eq!(a.summaries[&SummaryKey::Parametric].sum, 0);
}

fn model_diagnostics(model_src: &str, covers: &str) -> Vec<String> {
    let p = program(covers);
    match compile_model_str(model_src, &p) {
        Ok(c) => c
            .warnings
            .iter()
            .map(|w| format!("warning {}", miette::Diagnostic::code(w).unwrap()))
            .collect(),
        Err(specie::SourceError::Compile(e)) => e
            .errors
            .iter()
            .map(|x| format!("error {}: {x}", miette::Diagnostic::code(x).unwrap()))
            .chain(
                e.warnings
                    .iter()
                    .map(|w| format!("warning {}", miette::Diagnostic::code(w).unwrap())),
            )
            .collect(),
        Err(e) => vec![format!("parse {e}")],
    }
}

#[test]
fn index_peril_diagnostics() {
    let ip = |body: &str| model(&format!("index peril \"d\" {{ {body} }}"), 10);
    // A cover without an index peril: index_not_modelled.
    assert_eq!(
        model_diagnostics(&model("", 10), STEPS),
        ["warning specie::model::index_not_modelled"]
    );
    // A baseline that meets the trigger is an error.
    let d = model_diagnostics(
        &ip(
            r#"index "USDC/USD" baseline 0.96 frequency poisson 1 per year worst fixed 0.9 duration fixed 1 day"#,
        ),
        STEPS,
    );
    assert!(
        d.iter()
            .any(|x| x.contains("error") && x.contains("meets the trigger")),
        "{d:?}"
    );
    // A worst on the wrong side of every trigger: warning.
    let d = model_diagnostics(
        &ip(
            r#"index "USDC/USD" baseline 1.00 frequency poisson 1 per year worst uniform 0.98 to 0.99 duration fixed 1 day"#,
        ),
        STEPS,
    );
    assert_eq!(d, ["warning specie::model::worst_never_triggers"]);
    // An index no cover uses: warning (and the cover's index is then not modelled).
    let d = model_diagnostics(
        &ip(
            r#"index "USDT/USD" baseline 1.00 frequency poisson 1 per year worst fixed 0.9 duration fixed 1 day"#,
        ),
        STEPS,
    );
    assert!(
        d.contains(&"warning specie::model::index_unused".to_string()),
        "{d:?}"
    );
    // Non-positive durations are errors.
    let d = model_diagnostics(
        &ip(
            r#"index "USDC/USD" baseline 1.00 frequency poisson 1 per year worst fixed 0.9 duration fixed 0 hours"#,
        ),
        STEPS,
    );
    assert!(d.iter().any(|x| x.contains("longer than zero")), "{d:?}");
    // A missing item names it.
    let d = model_diagnostics(
        &ip(r#"index "USDC/USD" baseline 1.00 worst fixed 0.9 duration fixed 1 day"#),
        STEPS,
    );
    assert!(d.iter().any(|x| x.contains("frequency")), "{d:?}");
}

#[test]
fn index_perils_format_and_reparse() {
    let src = "model \"m\" {\n  # depegs\n  index peril \"USDC depeg\" {\n    index \"USDC/USD\"\n    baseline 1.00\n    frequency poisson 0.15 per year\n    worst beta 2 5 from 0.8 to 0.99 # fitted\n    duration lognormal median 30 hours sigma 1.2 cap 30 days\n  }\n  index peril \"b\" {\n    index \"X\"\n    baseline 0\n    frequency fixed 1 per year\n    worst empirical [0.5, 0.9]\n    duration empirical [1 hour, 2 days]\n  }\n}\n";
    let f = specie::parse::parse_model(src).unwrap();
    let out = specie::format::format_model(&f);
    assert_eq!(out, src);
    assert_eq!(specie::parse::parse_model(&out).unwrap(), f);
}
