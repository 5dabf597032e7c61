//! Property tests of the replay engine on random programs and scenarios: conservation,
//! bounds, carrier splits, eligibility, order independence and monotonicity.

use proptest::prelude::*;
use rust_decimal::Decimal;
use specie::replay::{replay, Replay, UncoveredReason};
use specie::scenario::Scenario;
use std::fmt::Write;

const CAUSES: [&str; 3] = ["external_hack", "key_compromise", "insider_theft"];
const TIERS: [&str; 3] = ["hot", "warm", "cold"];

#[derive(Clone, Debug)]
struct LayerSpec {
    limit: u32,
    gap: u32,
    shares: Vec<u32>,
    aggregate: Option<u32>,
    reinstatements: bool,
    premium: Option<u32>,
    exclude_cause: Option<usize>,
}

#[derive(Clone, Debug)]
struct ProgramSpec {
    covers: Option<Vec<usize>>,
    sublimits: Vec<(u32, Option<u32>, Option<usize>)>,
    deductibles: Vec<(u8, u32, Option<usize>)>,
    coinsurance: Option<u32>,
    exclusions: Vec<usize>,
    layers: Vec<LayerSpec>,
}

fn layer() -> impl Strategy<Value = LayerSpec> {
    (
        1u32..3_000_000,
        prop_oneof![3 => Just(0u32), 1 => 1u32..500_000],
        prop::collection::vec(1u32..600, 1..4),
        prop::option::of(1u32..8_000_000),
        any::<bool>(),
        prop::option::of(1u32..500_000),
        prop::option::of(0usize..3),
    )
        .prop_map(
            |(limit, gap, shares, aggregate, reinstatements, premium, exclude_cause)| LayerSpec {
                limit,
                gap,
                shares,
                aggregate,
                reinstatements,
                premium,
                exclude_cause,
            },
        )
}

fn program() -> impl Strategy<Value = ProgramSpec> {
    (
        prop::option::of(prop::collection::vec(0usize..3, 1..3)),
        prop::collection::vec(
            (
                1u32..4_000_000,
                prop::option::of(1u32..8_000_000),
                prop::option::of(0usize..3),
            ),
            0..4,
        ),
        prop::collection::vec((0u8..3, 1u32..400_000, prop::option::of(0usize..3)), 0..3),
        prop::option::of(0u32..50),
        prop::collection::vec(0usize..3, 0..3),
        prop::collection::vec(layer(), 0..5),
    )
        .prop_map(
            |(covers, sublimits, deductibles, coinsurance, exclusions, layers)| ProgramSpec {
                covers,
                sublimits,
                deductibles,
                coinsurance,
                exclusions,
                layers,
            },
        )
}

fn source(p: &ProgramSpec) -> String {
    let mut s = String::from("program \"random\" {\n  period 2026-01-01 to 2027-01-01\n  discovery window 30 days\n  attribute flagged: flag = false\n");
    if let Some(c) = &p.covers {
        let mut names: Vec<&str> = c.iter().map(|i| CAUSES[*i]).collect();
        names.dedup();
        let _ = writeln!(s, "  covers {}", names.join(", "));
    }
    for (i, (per, agg, tier)) in p.sublimits.iter().enumerate() {
        let _ = write!(s, "  sublimit \"S{i}\" {per} per occurrence");
        if let Some(a) = agg {
            let _ = write!(s, ", {a} aggregate");
        }
        if let Some(t) = tier {
            let _ = write!(s, " when tier is {}", TIERS[*t]);
        }
        s.push('\n');
    }
    for (i, (kind, amount, tier)) in p.deductibles.iter().enumerate() {
        let when = tier
            .map(|t| format!(" when tier is {}", TIERS[t]))
            .unwrap_or_default();
        let _ = match kind {
            0 => writeln!(
                s,
                "  deductible \"D{i}\" {amount} per occurrence, {} aggregate{when}",
                amount * 3
            ),
            1 => writeln!(
                s,
                "  deductible \"D{i}\" {}% min {} max {} per occurrence{when}",
                amount % 40,
                amount / 10,
                amount
            ),
            _ => writeln!(
                s,
                "  deductible \"D{i}\" {amount} franchise per occurrence{when}"
            ),
        };
    }
    if let Some(c) = p.coinsurance {
        let _ = writeln!(s, "  coinsurance {c}%");
    }
    for (i, c) in p.exclusions.iter().enumerate() {
        let _ = writeln!(
            s,
            "  exclude \"X{i}\" when cause is {} and flagged",
            CAUSES[*c]
        );
    }
    let mut attach = 0u64;
    for (i, l) in p.layers.iter().enumerate() {
        attach += u64::from(l.gap);
        let _ = writeln!(s, "  layer \"L{i}\" {} xs {attach} {{", l.limit);
        if let Some(a) = l.aggregate {
            let _ = writeln!(s, "    aggregate {a}");
        }
        if l.reinstatements {
            let _ = writeln!(s, "    reinstatements 1 at 100%, 1 at 50%");
        }
        if let Some(pr) = l.premium {
            let _ = writeln!(s, "    premium {pr}");
        }
        // Shares in tenths of a percent, scaled so that they never exceed 100%.
        let total: u32 = l.shares.iter().sum();
        for (j, sh) in l.shares.iter().enumerate() {
            let tenths = if total > 1000 { sh * 1000 / total } else { *sh };
            let _ = writeln!(s, "    carrier \"C{j}\" {}.{}%", tenths / 10, tenths % 10);
        }
        if let Some(c) = l.exclude_cause {
            let _ = writeln!(
                s,
                "    exclude \"LX\" when cause is {} and flagged",
                CAUSES[c]
            );
        }
        s.push_str("  }\n");
        attach += u64::from(l.limit);
    }
    s.push_str("}\n");
    s
}

#[derive(Clone, Debug)]
struct EventSpec {
    cause: usize,
    day: i64,
    delay: i64,
    flagged: bool,
    lines: Vec<(usize, u64)>,
}

fn event() -> impl Strategy<Value = EventSpec> {
    (
        0usize..3,
        -40i64..400,
        0i64..60,
        any::<bool>(),
        prop::collection::vec((0usize..3, 0u64..600_000_000), 1..4),
    )
        .prop_map(|(cause, day, delay, flagged, lines)| EventSpec {
            cause,
            day,
            delay,
            flagged,
            lines,
        })
}

fn instant(day: i64) -> String {
    specie::time::Instant(specie::time::Date::new(2026, 1, 1).unwrap().midnight().0 + day * 86_400)
        .to_string()
}

fn scenario(events: &[EventSpec]) -> String {
    let evs: Vec<String> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let lines: Vec<String> = e
                .lines
                .iter()
                .map(|(t, cents)| format!(r#"{{"tier":"{}","amount":"{}.{:02}"}}"#, TIERS[*t], cents / 100, cents % 100))
                .collect();
            format!(
                r#"{{"id":"E{i:03}","cause":"{}","occurred":"{}","discovered":"{}","losses":[{}],"attributes":{{"flagged":{}}}}}"#,
                CAUSES[e.cause],
                instant(e.day),
                instant(e.day + e.delay),
                lines.join(","),
                e.flagged
            )
        })
        .collect();
    format!(r#"{{"name":"random","events":[{}]}}"#, evs.join(","))
}

fn run(p: &ProgramSpec, events: &[EventSpec]) -> (specie::program::Program, Replay) {
    let src = source(p);
    let program = specie::compile_str(&src)
        .unwrap_or_else(|e| panic!("{e:?}\n{src}"))
        .program;
    let s = Scenario::from_json(&scenario(events)).unwrap();
    let r = replay(&program, &s).unwrap_or_else(|e| panic!("{e}\n{src}"));
    (program, r)
}

fn sum_uncovered(list: &[specie::replay::Uncovered]) -> Decimal {
    list.iter().map(|u| u.amount).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn invariants_hold(p in program(), events in prop::collection::vec(event(), 1..12)) {
        let (program, r) = run(&p, &events);
        for e in &r.events {
            // Conservation, exactly.
            prop_assert_eq!(e.ground_up, e.paid + sum_uncovered(&e.uncovered));
            prop_assert!(e.paid <= e.ground_up);
            prop_assert!(e.uncovered.iter().all(|u| u.amount > Decimal::ZERO));
            for (layer, lr) in program.layers.iter().zip(&e.layers) {
                prop_assert!(lr.paid + lr.unplaced <= program.currency.decimal(layer.limit));
                prop_assert!(lr.paid <= lr.band);
                let in_layer = |reason: UncoveredReason| -> Decimal {
                    e.uncovered.iter()
                        .filter(|u| u.reason == reason && u.layer.as_deref() == Some(layer.name.as_str()))
                        .map(|u| u.amount).sum()
                };
                // A layer's paid is exactly its carriers' parts; its unplaced is the
                // `unplaced_share` entry of the event.
                let carriers: Decimal = lr.carriers.iter().map(|c| c.paid).sum();
                prop_assert_eq!(carriers, lr.paid);
                prop_assert_eq!(lr.unplaced, in_layer(UncoveredReason::UnplacedShare));
                // The band is paid + unplaced + aggregate_exhausted + layer_excluded.
                prop_assert_eq!(
                    lr.band,
                    lr.paid + lr.unplaced
                        + in_layer(UncoveredReason::AggregateExhausted)
                        + in_layer(UncoveredReason::LayerExcluded)
                );
            }
            // The layers' paid add up to the event's paid.
            prop_assert_eq!(e.layers.iter().map(|l| l.paid).sum::<Decimal>(), e.paid);
            let whole_event = e.uncovered.iter().any(|u| matches!(u.reason, UncoveredReason::OutsidePeriod | UncoveredReason::CauseNotCovered));
            let all_excluded = e.uncovered.iter().filter(|u| u.reason == UncoveredReason::Excluded).map(|u| u.amount).sum::<Decimal>() == e.ground_up;
            if whole_event || all_excluded {
                prop_assert_eq!(e.paid, Decimal::ZERO);
            }
        }
        prop_assert_eq!(r.totals.ground_up, r.totals.paid + sum_uncovered(&r.totals.uncovered));
        for (k, (layer, t)) in program.layers.iter().zip(&r.totals.layers).enumerate() {
            // Aggregates erode by the 100% figure: carriers' paid plus unplaced.
            if let Some(agg) = layer.effective_aggregate() {
                prop_assert!(t.paid + t.unplaced <= program.currency.decimal(agg));
                prop_assert_eq!(t.aggregate_remaining, Some(program.currency.decimal(agg) - t.paid - t.unplaced));
            }
            // Totals are the sums of the events' layer figures.
            prop_assert_eq!(t.paid, r.events.iter().map(|e| e.layers[k].paid).sum::<Decimal>());
            prop_assert_eq!(t.unplaced, r.events.iter().map(|e| e.layers[k].unplaced).sum::<Decimal>());
        }
        prop_assert_eq!(r.totals.layers.iter().map(|l| l.paid).sum::<Decimal>(), r.totals.paid);
        let carriers: Decimal = r.totals.carriers.iter().map(|c| c.paid).sum();
        prop_assert_eq!(carriers, r.totals.paid);
    }

    #[test]
    fn event_order_does_not_matter(p in program(), events in prop::collection::vec(event(), 1..10), seed in any::<u64>()) {
        let (_, a) = run(&p, &events);
        let mut shuffled = events.clone();
        // A deterministic shuffle of the input order; ids stay with their events.
        let mut idx: Vec<usize> = (0..events.len()).collect();
        let mut x = seed | 1;
        for i in (1..idx.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            idx.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let src = source(&p);
        let program = specie::compile_str(&src).unwrap().program;
        let evs: Vec<String> = idx.iter().map(|i| {
            let one = scenario(&events[*i..*i + 1]);
            // Re-number so the id matches the original position.
            one.replace("\"id\":\"E000\"", &format!("\"id\":\"E{i:03}\""))
        }).collect();
        let bodies: Vec<String> = evs.iter().map(|s| {
            let start = s.find("\"events\":[").unwrap() + 10;
            s[start..s.len() - 2].to_string()
        }).collect();
        let text = format!(r#"{{"name":"random","events":[{}]}}"#, bodies.join(","));
        shuffled.clear();
        let b = replay(&program, &Scenario::from_json(&text).unwrap()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_larger_loss_never_pays_less(p in program(), e in event(), extra in 0u64..300_000_000) {
        let mut one = e.clone();
        one.lines.truncate(1);
        let (_, small) = run(&p, std::slice::from_ref(&one));
        one.lines[0].1 += extra;
        let (_, large) = run(&p, std::slice::from_ref(&one));
        prop_assert!(large.totals.paid >= small.totals.paid, "{} < {}", large.totals.paid, small.totals.paid);
    }
}
