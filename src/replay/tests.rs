use super::*;
use crate::scenario::Scenario;

fn run(program: &str, scenario: &str) -> Replay {
    let p = crate::compile_str(program).unwrap().program;
    let s = Scenario::from_json(scenario).unwrap();
    replay(&p, &s).unwrap()
}

fn uncovered(r: &EventResult) -> Vec<(String, Option<String>, Option<String>, String)> {
    r.uncovered
        .iter()
        .map(|u| {
            (
                u.reason.as_str().to_string(),
                u.clause.clone(),
                u.layer.clone(),
                u.amount.to_string(),
            )
        })
        .collect()
}

#[test]
fn actuarial_cross_check_pays_153_950() {
    // Ground-up 6,000,000 + 100,000 + 25,000 + 4,000 = 6,129,000 in one occurrence;
    // less the 50,000 deductible = 6,079,000; band of 5M xs 3M = 3,079,000;
    // a 5% share pays 3,079,000 × 5% = 153,950.00.
    let r = run(
        r#"program "x" { period 2026-01-01 to 2027-01-01 deductible 50k per occurrence
           layer "L" 5M xs 3M { carrier "Share" 5% } }"#,
        r#"{"name":"s","events":[{"id":"E","cause":"c","occurred":"2026-05-01T00:00:00Z","losses":[
           {"tier":"hot","amount":"6000000"},{"tier":"hot","amount":"100000"},
           {"tier":"hot","amount":"25000"},{"tier":"hot","amount":"4000"}]}]}"#,
    );
    let e = &r.events[0];
    assert_eq!(e.layers[0].carriers[0].paid.to_string(), "153950.00");
    assert_eq!(e.paid.to_string(), "153950.00");
    assert_eq!(
        uncovered(e),
        vec![
            (
                "deductible".into(),
                Some("deductible".into()),
                None,
                "50000.00".into()
            ),
            (
                "unplaced_share".into(),
                None,
                Some("L".into()),
                "2925050.00".into()
            ),
            ("tower_gap".into(), None, None, "3000000.00".into()),
        ]
    );
}

const HOT: &str = r#"program "x" {
  period 2026-01-01 to 2027-01-01
  covers external_hack
  sublimit "Hot" 25M per occurrence, 30M aggregate when tier is hot
  deductible "Standard" 1M per occurrence
  deductible "Hot retention" 5% min 500k max 2.5M per occurrence when tier is hot
  layer "Primary" 10M xs 0 { aggregate 15M carrier "A" 60% carrier "B" 40% }
  layer "Excess" 20M xs 10M { carrier "C" 50% }
}"#;

#[test]
fn hot_wallet_breach_through_sublimit_deductible_and_two_layers() {
    // 40M hot + 10M cold = 50M ground-up. Hot sub-limit caps the hot line at 25M
    // (15M uncovered, sublimit). Covered 35M. Hot retention = 5% × 35M = 1.75M,
    // within min/max, beats the 1M standard: 35M − 1.75M = 33.25M to the tower.
    // Primary 10M (A 6M, B 4M); Excess band 20M, C pays 50% = 10M, 10M unplaced;
    // 3.25M above the tower (top 30M).
    let r = run(
        HOT,
        r#"{"name":"s","events":[{"id":"E1","cause":"external_hack","occurred":"2026-05-01T00:00:00Z","losses":[
           {"tier":"hot","amount":"40000000"},{"tier":"cold","amount":"10000000"}]}]}"#,
    );
    let e = &r.events[0];
    assert_eq!(
        uncovered(e),
        vec![
            (
                "sublimit".into(),
                Some("Hot".into()),
                None,
                "15000000.00".into()
            ),
            (
                "deductible".into(),
                Some("Hot retention".into()),
                None,
                "1750000.00".into()
            ),
            (
                "unplaced_share".into(),
                None,
                Some("Excess".into()),
                "10000000.00".into()
            ),
            ("above_tower".into(), None, None, "3250000.00".into()),
        ]
    );
    assert_eq!(e.paid.to_string(), "20000000.00");
    assert_eq!(e.layers[0].carriers[0].paid.to_string(), "6000000.00");
    // The Excess layer's paid is its carrier's part (C 10M); the other 10M is unplaced.
    // Its band 20M = paid 10M + unplaced 10M.
    assert_eq!(e.layers[1].paid.to_string(), "10000000.00");
    assert_eq!(e.layers[1].unplaced.to_string(), "10000000.00");
    assert_eq!(e.layers[0].unplaced.to_string(), "0.00");
    // Layers' paid add up to the event's paid: 10M + 10M = 20M.
    assert_eq!(e.layers[0].paid + e.layers[1].paid, e.paid);
    assert_eq!(r.totals.layers[1].paid.to_string(), "10000000.00");
    assert_eq!(r.totals.layers[1].unplaced.to_string(), "10000000.00");
}

#[test]
fn aggregates_carry_between_events_in_occurrence_order() {
    // Two 12M hot losses, given out of order. Each: sub-limit fine (12M < 25M, aggregate
    // 30M), retention 5% × 12M = 600k → 11.4M to the tower. First (E-a, March): primary
    // pays 10M, excess band 1.4M (C 700k). Second (E-b, June): primary aggregate 15M has
    // 5M left → 5M paid, 5M aggregate_exhausted; excess 1.4M again.
    let r = run(
        HOT,
        r#"{"name":"s","events":[
          {"id":"E-b","cause":"external_hack","occurred":"2026-06-01T00:00:00Z","losses":[{"tier":"hot","amount":"12000000"}]},
          {"id":"E-a","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"12000000"}]}]}"#,
    );
    assert_eq!(r.events[0].id, "E-a");
    assert_eq!(r.events[1].layers[0].paid.to_string(), "5000000.00");
    assert!(uncovered(&r.events[1]).contains(&(
        "aggregate_exhausted".into(),
        None,
        Some("Primary".into()),
        "5000000.00".into()
    )));
    assert_eq!(
        r.totals.layers[0].aggregate_remaining.unwrap().to_string(),
        "0.00"
    );
    assert_eq!(r.totals.layers[1].aggregate_remaining, None);
}

#[test]
fn cause_not_covered_and_outside_period() {
    let r = run(
        HOT,
        r#"{"name":"s","events":[
          {"id":"A","cause":"insider_theft","occurred":"2026-05-01T00:00:00Z","losses":[{"tier":"hot","amount":"5"}]},
          {"id":"B","cause":"external_hack","occurred":"2027-01-01T00:00:00Z","losses":[{"tier":"hot","amount":"7"}]}]}"#,
    );
    assert_eq!(uncovered(&r.events[0])[0].0, "cause_not_covered");
    assert_eq!(uncovered(&r.events[1])[0].0, "outside_period");
    assert_eq!(r.totals.paid.to_string(), "0.00");
}

#[test]
fn reinstatement_premium_per_rate() {
    // Layer 10M, premium 400k, reinstatements 1 at 100%, 1 at 50%. Payments 8M then 8M:
    // first 8M in reinstatement 1 → 8/10 × 100% × 400k = 320k; second 8M: 2M in
    // reinstatement 1 (80k) and 6M in reinstatement 2 at 50% (120k). Total 520k.
    let r = run(
        r#"program "x" { period 2026-01-01 to 2027-01-01
           layer "P" 10M xs 0 { reinstatements 1 at 100%, 1 at 50% premium 400k carrier "A" 100% } }"#,
        r#"{"name":"s","events":[
          {"id":"1","cause":"c","occurred":"2026-02-01T00:00:00Z","losses":[{"tier":"hot","amount":"8000000"}]},
          {"id":"2","cause":"c","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"8000000"}]}]}"#,
    );
    assert_eq!(
        r.totals.layers[0].reinstatement_premium.to_string(),
        "520000.00"
    );
    assert_eq!(
        r.totals.layers[0].aggregate_remaining.unwrap().to_string(),
        "14000000.00"
    );
}

#[test]
fn franchise_all_or_nothing() {
    let p = r#"program "x" { period 2026-01-01 to 2027-01-01 deductible "F" 50k franchise per occurrence
               layer "P" 10M xs 0 { carrier "A" 100% } }"#;
    let r = run(
        p,
        r#"{"name":"s","events":[
        {"id":"1","cause":"c","occurred":"2026-02-01T00:00:00Z","losses":[{"tier":"hot","amount":"50000"}]},
        {"id":"2","cause":"c","occurred":"2026-02-02T00:00:00Z","losses":[{"tier":"hot","amount":"50000.01"}]}]}"#,
    );
    assert_eq!(r.events[0].paid.to_string(), "0.00");
    assert_eq!(r.events[1].paid.to_string(), "50000.01");
}

#[test]
fn reset_is_a_fresh_replayer() {
    let p = crate::compile_str(HOT).unwrap().program;
    let s = Scenario::from_json(
        r#"{"events":[{"id":"A","cause":"external_hack","occurred":"2026-05-01T00:00:00Z","losses":[{"tier":"hot","amount":"40000000"}]}]}"#,
    )
    .unwrap();
    let mut r = Replayer::new(&p);
    let evs = prepare_events(&r, &s).unwrap();
    let mut out = Outcome::default();
    r.event(&evs[0], &mut out, None).unwrap();
    let first = (out.clone(), r.totals());
    r.event(&evs[0], &mut out, None).unwrap();
    assert_ne!(out, first.0, "aggregates carried over");
    r.reset();
    r.event(&evs[0], &mut out, None).unwrap();
    assert_eq!((out, r.totals()), first);
}

#[test]
fn a_line_above_its_tier_exposure_warns_once_per_tier_and_changes_nothing() {
    let program = r#"program "x" {
  period 2026-01-01 to 2027-01-01
  exposure hot 1M
  exposure cold 5M
  layer "L" 10M xs 0 { carrier "A" 100% }
}"#;
    // Hot lines of 1,000,000.01 (E1), 900,000 (E2, within) and 3,000,000 (E3): two above
    // 1M, first in replay order E1. Cold 4M is within 5M; warm has no declared exposure.
    let scenario = r#"{"name":"s","events":[
      {"id":"E3","cause":"external_hack","occurred":"2026-05-03T00:00:00Z","losses":[{"tier":"hot","amount":"3000000"}]},
      {"id":"E1","cause":"external_hack","occurred":"2026-05-01T00:00:00Z","losses":[{"tier":"hot","amount":"1000000.01"},{"tier":"cold","amount":"4000000"}]},
      {"id":"E2","cause":"external_hack","occurred":"2026-05-02T00:00:00Z","losses":[{"tier":"hot","amount":"900000"},{"tier":"warm","amount":"99000000"}]}]}"#;
    let p = crate::compile_str(program).unwrap().program;
    let s = Scenario::from_json(scenario).unwrap();
    let (r, warnings) = replay_with_warnings(&p, &s, Options::default()).unwrap();
    assert_eq!(r, replay(&p, &s).unwrap());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let ReplayWarning::LossAboveExposure {
        event,
        tier,
        value,
        exposure,
        lines,
        ..
    } = &warnings[0]
    else {
        panic!("{warnings:?}")
    };
    assert_eq!(
        (
            event.as_str(),
            tier.as_str(),
            value.as_str(),
            exposure.as_str(),
            *lines
        ),
        ("E1", "hot", "1,000,000.01", "1,000,000.00", 2)
    );
    assert_eq!(
        miette::Diagnostic::code(&warnings[0]).unwrap().to_string(),
        "specie::replay::loss_above_exposure"
    );
    // Exactly at the exposure is not above it.
    let s = Scenario::from_json(r#"{"name":"s","events":[{"id":"E","cause":"external_hack","occurred":"2026-05-01T00:00:00Z","losses":[{"tier":"hot","amount":"1000000"}]}]}"#).unwrap();
    assert!(replay_with_warnings(&p, &s, Options::default())
        .unwrap()
        .1
        .is_empty());
}

#[test]
fn more_than_64_distinct_condition_tests_still_replay_exactly() {
    // 70 exclusions over 70 distinct loss-value thresholds give 71 atoms: past the 64 bits
    // of the atom masks, so conditions run as trees. A 45,000 hot loss is above the
    // thresholds 0k..=44k; a cause-gated sub-limit keeps an event-level clause in the
    // program too.
    let mut program = String::from(
        r#"program "many" { period 2026-01-01 to 2027-01-01
           sublimit "Vendor" 10k per occurrence when cause is vendor_breach
"#,
    );
    for k in (0..70).rev() {
        program.push_str(&format!(
            "  exclude \"x{k}\" when value > {k}k and tier is not cold\n"
        ));
    }
    program.push_str(r#"  layer "L" 100k xs 0 { carrier "A" 100% } }"#);
    let r = run(
        &program,
        r#"{"name":"s","events":[
           {"id":"A","cause":"hack","occurred":"2026-05-01T00:00:00Z","losses":[{"tier":"hot","amount":"45000"}]},
           {"id":"B","cause":"vendor_breach","occurred":"2026-05-02T00:00:00Z","losses":[{"tier":"cold","amount":"45000"}]}]}"#,
    );
    // Written in reverse: "x69" first, and the first that holds for 45,000 is "x44".
    assert_eq!(
        uncovered(&r.events[0]),
        vec![(
            "excluded".into(),
            Some("x44".into()),
            None,
            "45000.00".into()
        )]
    );
    // A cold line is never excluded; the vendor sub-limit caps it at 10,000.
    assert_eq!(r.events[1].paid.to_string(), "10000.00");
    assert_eq!(
        uncovered(&r.events[1]),
        vec![(
            "sublimit".into(),
            Some("Vendor".into()),
            None,
            "35000.00".into()
        )]
    );
}

#[test]
fn unknown_names_warn_once_each_and_assets_only_near_a_named_one() {
    let program = r#"program "P" {
      period 2026-01-01 to 2027-01-01
      covers external_hack, custody_failure
      sublimit "Stablecoins" 1M per occurrence when asset is USDC
      layer "Primary" 10M xs 0 { carrier "A" 100% }
    }"#;
    let scenario = r#"{"name":"s","prices":{"usdc":[["2026-01-01T00:00:00Z","1"]],"BTC":[["2026-01-01T00:00:00Z","60000"]]},"events":[
      {"id":"E1","cause":"custody_failure","occurred":"2026-05-01T00:00:00Z","losses":[{"tier":"hot","asset":"usdc","quantity":"10"},{"tier":"hot","asset":"BTC","quantity":"1"}]},
      {"id":"E2","cause":"external_hak","occurred":"2026-05-02T00:00:00Z","losses":[{"tier":"vault","asset":"usdc","quantity":"5"}]},
      {"id":"E3","cause":"external_hak","occurred":"2026-05-03T00:00:00Z","losses":[{"tier":"warm","amount":"1"}]}]}"#;
    let p = crate::compile_str(program).unwrap().program;
    let s = Scenario::from_json(scenario).unwrap();
    let (_, warnings) = replay_with_warnings(&p, &s, Options::default()).unwrap();
    let got: Vec<(String, String, u64, String)> = warnings
        .iter()
        .map(|w| match w {
            ReplayWarning::UnknownName {
                kind,
                name,
                event,
                events,
                help,
            } => (
                format!("{kind} {name}"),
                event.clone(),
                *events,
                help.clone(),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    // `custody_failure` is in `covers`; `BTC` is an asset the program does not single
    // out; `usdc` is near `USDC`, which it does; `vault` and `external_hak` are unknown.
    assert_eq!(
        got.iter()
            .map(|(n, e, k, _)| (n.as_str(), e.as_str(), *k))
            .collect::<Vec<_>>(),
        vec![
            ("asset usdc", "E1", 2),
            ("cause external_hak", "E2", 2),
            ("tier vault", "E2", 1)
        ]
    );
    assert!(got[0].3.starts_with("did you mean `USDC`?"), "{}", got[0].3);
    assert!(
        got[1].3.starts_with("did you mean `external_hack`?"),
        "{}",
        got[1].3
    );
    assert!(got[2].3.contains("`hot`, `warm`, `cold`"), "{}", got[2].3);
    // Strict: the first in replay order is an error naming the field.
    let err = replay_with_warnings(&p, &s, Options { strict: true }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "event `E1`: field `losses[0].asset`: asset `usdc` is not named by the program nor standard"
    );
}

#[test]
fn plans_of_a_book_share_ids_and_replay_as_plans_of_their_own() {
    let a = crate::compile_str(
        r#"program "A" { period 2026-01-01 to 2027-01-01
           sublimit "Hot" 1M per occurrence when tier is hot
           layer "P" 10M xs 0 { carrier "X" 100% } }"#,
    )
    .unwrap()
    .program;
    let b = crate::compile_str(
        r#"program "B" { period 2026-01-01 to 2027-01-01
           covers vendor_breach
           exclude "Vault" when tier is vault
           layer "P" 5M xs 100k { carrier "Y" 100% } }"#,
    )
    .unwrap()
    .program;
    let book = Plan::book(&[&a, &b]);
    assert!(std::sync::Arc::ptr_eq(&book[0].symbols, &book[1].symbols));
    for name in ["hot", "vault", "vendor_breach"] {
        assert_eq!(
            book[0].symbols().get(name),
            book[1].symbols().get(name),
            "{name}"
        );
    }
    let s = Scenario::from_json(r#"{"events":[
      {"id":"E1","cause":"vendor_breach","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"3000000"},{"tier":"vault","amount":"2000000"}]},
      {"id":"E2","cause":"external_hack","occurred":"2026-04-01T00:00:00Z","losses":[{"tier":"hot","amount":"900000"}]}]}"#).unwrap();
    for (program, plan) in [(&a, &book[0]), (&b, &book[1])] {
        let mut shared = Replayer::with_plan(std::sync::Arc::clone(plan));
        let mut own = Replayer::new(program);
        let events = prepare_events(&shared, &s).unwrap();
        let own_events = prepare_events(&own, &s).unwrap();
        let (mut o1, mut o2) = (Outcome::default(), Outcome::default());
        for (e1, e2) in events.iter().zip(&own_events) {
            shared.event(e1, &mut o1, None).unwrap();
            own.event(e2, &mut o2, None).unwrap();
            assert_eq!(
                shared.event_result(e1.id, &o1),
                own.event_result(e2.id, &o2)
            );
        }
        assert_eq!(shared.totals(), own.totals());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]
    /// A tower whose attachments rise in tower order (every compiled one) stops at the first layer the loss
    /// does not reach: event by event, its outcomes and totals are those of the same plan
    /// made to try every layer.
    #[test]
    fn stopping_at_the_first_layer_not_reached_changes_nothing(seed in 1u64..u64::MAX, shuffle: bool) {
        use crate::bench_support::{event_line, Rng, BENCH_PROGRAM};
        let mut program = crate::compile_str(BENCH_PROGRAM).unwrap().program;
        if shuffle {
            // Compiled towers are in attachment order; one built by hand may not be.
            program.layers.reverse();
        }
        let plan = Plan::new(&program);
        proptest::prop_assert_eq!(plan.ascending, !shuffle);
        let mut every = Plan::new(&program);
        every.ascending = false;
        let mut fast = Replayer::with_plan(std::sync::Arc::new(plan));
        let mut slow = Replayer::with_plan(std::sync::Arc::new(every));
        let prep = fast.preparer(crate::scenario::Prices::default(), None).unwrap();
        let (mut rng, mut line) = (Rng(seed), String::new());
        let (mut o1, mut o2) = (Outcome::default(), Outcome::default());
        for i in 0..300 {
            line.clear();
            // Past the first day, which the program excludes (one event per 2 seconds).
            event_line(50_000 + i, &mut rng, &mut line);
            let raw = crate::scenario::RawEvent::from_json_line(&line, 1).unwrap();
            let ev = prep.prepare(&raw, fast.symbols()).unwrap();
            fast.event(&ev, &mut o1, None).unwrap();
            slow.event(&ev, &mut o2, None).unwrap();
            proptest::prop_assert_eq!(&o1, &o2);
        }
        proptest::prop_assert_eq!(fast.totals(), slow.totals());
        proptest::prop_assert!(fast.totals().paid > rust_decimal::Decimal::ZERO);
    }
}
