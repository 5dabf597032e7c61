//! Property tests of parametric covers (spec section 8) on random index series.

use proptest::prelude::*;
use rust_decimal::Decimal;
use specie::replay::{evaluate_parametric, ParametricClaim};
use specie::scenario::{DecimalValue, Indices};
use std::collections::BTreeMap;

/// A cover on index `I`: steps or linear, below or above, with an optional aggregate.
fn program(
    linear: bool,
    above: bool,
    hours: u32,
    aggregate: Option<u32>,
) -> specie::program::Program {
    let (dir, t, s1, s2, y1, y2) = if above {
        ("above", "1.03", "1.05", "1.10", "1.03", "1.15")
    } else {
        ("below", "0.97", "0.95", "0.90", "0.97", "0.85")
    };
    let payout = if linear {
        format!("payout linear from 10% at {y1} to 100% at {y2} of 5M")
    } else {
        format!("payout 25% of 10M when {dir} {t}\n    payout 50% of 10M when {dir} {s1}\n    payout 100% of 10M when {dir} {s2}")
    };
    let agg = aggregate
        .map(|a| format!("aggregate {a}k"))
        .unwrap_or_default();
    let src = format!(
        "program \"p\" {{\n  period 2026-01-01 to 2027-01-01\n  parametric \"C\" {{\n    index \"I\"\n    trigger {dir} {t} for {hours} hours\n    {payout}\n    {agg}\n    carrier \"A\" 70%\n  }}\n}}"
    );
    specie::compile_str(&src)
        .unwrap_or_else(|e| panic!("{e:?}\n{src}"))
        .program
}

/// Observations every `step` minutes from 2026-01-05, values in thousandths.
fn series(values: &[u32], step_minutes: i64) -> BTreeMap<String, Vec<(String, DecimalValue)>> {
    let start = specie::time::Date::new(2026, 1, 5).unwrap().midnight().0;
    let obs = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let t = specie::time::Instant(start + i as i64 * step_minutes * 60).to_string();
            (t, DecimalValue(Decimal::new(i64::from(*v), 3)))
        })
        .collect();
    let mut m = BTreeMap::new();
    m.insert("I".to_string(), obs);
    m
}

fn claims(
    p: &specie::program::Program,
    raw: &BTreeMap<String, Vec<(String, DecimalValue)>>,
) -> Vec<ParametricClaim> {
    evaluate_parametric(p, &Indices::new(raw).unwrap()).unwrap()
}

fn total(cs: &[ParametricClaim]) -> Decimal {
    cs.iter().map(|c| c.amount).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn claims_respect_notional_aggregate_and_split(
        linear in any::<bool>(), above in any::<bool>(), hours in 0u32..30,
        aggregate in prop::option::of(1u32..20_000),
        values in prop::collection::vec(800u32..1200, 1..40), step in 30i64..600,
    ) {
        let p = program(linear, above, hours, aggregate);
        let cs = claims(&p, &series(&values, step));
        let notional = if linear { Decimal::from(5_000_000) } else { Decimal::from(10_000_000) };
        for c in &cs {
            prop_assert!(c.payout <= notional);
            prop_assert!(c.amount <= c.payout);
            prop_assert_eq!(c.payout, c.amount + c.aggregate_exhausted);
            let carriers: Decimal = c.carriers.iter().map(|x| x.paid).sum();
            prop_assert_eq!(carriers + c.unplaced_share, c.amount);
        }
        if let Some(a) = aggregate {
            prop_assert!(total(&cs) <= Decimal::from(a) * Decimal::from(1000));
        }
    }

    #[test]
    fn a_deeper_excursion_never_pays_less(
        linear in any::<bool>(), above in any::<bool>(), hours in 0u32..10,
        base in 850u32..1150, deeper_by in 0u32..100,
    ) {
        let p = program(linear, above, hours, None);
        // One excursion of 12 hours at `base`, and the same one pushed deeper.
        let deeper = if above { base + deeper_by } else { base.saturating_sub(deeper_by) };
        let a = claims(&p, &series(&[1000, base, base, 1000], 360));
        let b = claims(&p, &series(&[1000, deeper, deeper, 1000], 360));
        prop_assert!(total(&b) >= total(&a), "{} < {}", total(&b), total(&a));
    }

    #[test]
    fn an_excursion_shorter_than_the_duration_never_pays(
        linear in any::<bool>(), above in any::<bool>(), hours in 1u32..30, short_by in 1i64..3600,
        value in 800u32..1200,
    ) {
        let p = program(linear, above, hours, None);
        let start = specie::time::Date::new(2026, 3, 1).unwrap().midnight().0;
        let len = i64::from(hours) * 3600 - short_by;
        let at = |s: i64| specie::time::Instant(s).to_string();
        let mut raw = BTreeMap::new();
        raw.insert("I".to_string(), vec![
            (at(start - 3600), DecimalValue(Decimal::ONE)),
            (at(start), DecimalValue(Decimal::new(i64::from(value), 3))),
            (at(start + len), DecimalValue(Decimal::ONE)),
            (at(start + 10 * 86_400), DecimalValue(Decimal::ONE)),
        ]);
        prop_assert!(claims(&p, &raw).is_empty());
    }

    #[test]
    fn splitting_an_observation_changes_nothing(
        linear in any::<bool>(), above in any::<bool>(), hours in 0u32..30,
        aggregate in prop::option::of(1u32..20_000),
        values in prop::collection::vec(800u32..1200, 2..30), which in any::<prop::sample::Index>(),
    ) {
        let p = program(linear, above, hours, aggregate);
        let a = series(&values, 120);
        // Insert an observation of the same value halfway to the next one.
        let mut b = a.clone();
        let obs = b.get_mut("I").unwrap();
        let i = which.index(obs.len() - 1);
        let t0 = specie::time::Instant::parse(&obs[i].0).unwrap().0;
        let mid = specie::time::Instant(t0 + 3600).to_string();
        let v = obs[i].1;
        obs.insert(i + 1, (mid, v));
        prop_assert_eq!(claims(&p, &a), claims(&p, &b));
    }
}

proptest! {
    #[test]
    fn severity_is_the_worst_value_of_the_excursion(
        above in any::<bool>(), depths in prop::collection::vec(31u32..200, 1..10),
    ) {
        let p = program(false, above, 0, None);
        let values: Vec<u32> = depths.iter().map(|d| if above { 1000 + d } else { 1000 - d }).collect();
        let mut all = vec![1000];
        all.extend(&values);
        all.push(1000);
        let cs = claims(&p, &series(&all, 60));
        prop_assert_eq!(cs.len(), 1);
        let worst = if above { values.iter().max() } else { values.iter().min() }.unwrap();
        prop_assert_eq!(cs[0].severity, Decimal::new(i64::from(*worst), 3));
    }
}
