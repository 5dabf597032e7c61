//! Property tests of the replay engine on random programs and scenarios: conservation,
//! bounds, carrier splits, eligibility, order independence and monotonicity; occurrences
//! (series and windows) and recoveries (brief section 11).

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
    pro_rata: bool,
}

#[derive(Clone, Debug)]
struct ProgramSpec {
    covers: Option<Vec<usize>>,
    sublimits: Vec<(u32, Option<u32>, Option<usize>)>,
    deductibles: Vec<(u8, u32, Option<usize>)>,
    coinsurance: Option<u32>,
    exclusions: Vec<usize>,
    layers: Vec<LayerSpec>,
    /// `occurrence window N hours`.
    window: Option<u32>,
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
        any::<bool>(),
    )
        .prop_map(
            |(limit, gap, shares, aggregate, reinstatements, premium, exclude_cause, pro_rata)| {
                LayerSpec {
                    limit,
                    gap,
                    shares,
                    aggregate,
                    reinstatements,
                    premium,
                    exclude_cause,
                    pro_rata,
                }
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
        prop_oneof![2 => Just(None), 1 => prop::option::of(0u32..2000)],
    )
        .prop_map(
            |(covers, sublimits, deductibles, coinsurance, exclusions, layers, window)| {
                ProgramSpec {
                    covers,
                    sublimits,
                    deductibles,
                    coinsurance,
                    exclusions,
                    layers,
                    window,
                }
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
    if let Some(w) = p.window {
        let _ = writeln!(s, "  occurrence window {w} hours");
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
            let pro_rata = if l.pro_rata {
                " pro rata as to time"
            } else {
                ""
            };
            let _ = writeln!(s, "    reinstatements 1 at 100%, 1 at 50%{pro_rata}");
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
    /// Series number; an event of series `n` has cause `CAUSES[n]`.
    series: Option<usize>,
    /// Recoveries: (per mille of the ground-up loss, days after the occurrence).
    recoveries: Vec<(u32, i64)>,
}

fn event() -> impl Strategy<Value = EventSpec> {
    (
        0usize..3,
        -40i64..400,
        0i64..60,
        any::<bool>(),
        prop::collection::vec((0usize..3, 0u64..600_000_000), 1..4),
        prop_oneof![3 => Just(None), 1 => prop::option::of(0usize..3)],
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec((0u32..500, 0i64..400), 1..3)
        ],
    )
        .prop_map(
            |(cause, day, delay, flagged, lines, series, recoveries)| EventSpec {
                cause: series.unwrap_or(cause),
                day,
                delay,
                flagged,
                lines,
                series,
                recoveries,
            },
        )
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
            let series = e
                .series
                .map(|n| format!(r#","series":"S{n}""#))
                .unwrap_or_default();
            // Each recovery is a share of the ground-up loss: at most 2 × 49.9% in all.
            let ground_up: u64 = e.lines.iter().map(|(_, c)| c).sum();
            let recoveries: Vec<String> = e
                .recoveries
                .iter()
                .map(|(permille, after)| {
                    let cents = ground_up * u64::from(*permille) / 1000;
                    format!(
                        r#"{{"at":"{}","amount":"{}.{:02}"}}"#,
                        instant(e.day + after),
                        cents / 100,
                        cents % 100
                    )
                })
                .collect();
            format!(
                r#"{{"id":"E{i:03}","cause":"{}","occurred":"{}","discovered":"{}","losses":[{}],"attributes":{{"flagged":{}}}{series},"recoveries":[{}]}}"#,
                CAUSES[e.cause],
                instant(e.day),
                instant(e.day + e.delay),
                lines.join(","),
                e.flagged,
                recoveries.join(",")
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

/// The result with every `recovered` object taken out.
fn without_recoveries(r: &Replay) -> Replay {
    let mut r = r.clone();
    for e in &mut r.events {
        e.recovered = None;
    }
    r.totals.recovered = None;
    r
}

/// What carrier `name` paid in an event, over all its layers.
fn carrier_paid(e: &specie::replay::EventResult, name: &str) -> Decimal {
    e.layers
        .iter()
        .flat_map(|l| &l.carriers)
        .filter(|c| c.carrier == name)
        .map(|c| c.paid)
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Section 11.2: a recovery is shared exactly between the insured and the carriers, no
    /// carrier gets back more than it paid in the event, and recoveries change no payment.
    #[test]
    fn recoveries_are_shared_exactly_and_change_no_payment(p in program(), events in prop::collection::vec(event(), 1..10)) {
        let (_, r) = run(&p, &events);
        let mut any = false;
        for e in &r.events {
            let Some(rec) = &e.recovered else { continue };
            any = true;
            let carriers: Decimal = rec.carriers.iter().map(|c| c.amount).sum();
            prop_assert_eq!(rec.total, rec.insured + carriers);
            prop_assert!(rec.total <= e.ground_up);
            for c in &rec.carriers {
                prop_assert!(c.amount <= carrier_paid(e, &c.carrier), "{} gets back {} of {}", c.carrier, c.amount, carrier_paid(e, &c.carrier));
                prop_assert!(c.net.is_none());
            }
        }
        prop_assert_eq!(any, r.totals.recovered.is_some());
        if let Some(t) = &r.totals.recovered {
            let sum = |f: &dyn Fn(&specie::replay::Recovered) -> Decimal| -> Decimal {
                r.events.iter().filter_map(|e| e.recovered.as_ref()).map(f).sum()
            };
            prop_assert_eq!(t.total, sum(&|x| x.total));
            prop_assert_eq!(t.insured, sum(&|x| x.insured));
            for (c, paid) in t.carriers.iter().zip(&r.totals.carriers) {
                prop_assert_eq!(c.net, Some(paid.paid - c.amount));
            }
        }
        let stripped: Vec<EventSpec> = events
            .iter()
            .map(|e| EventSpec { recoveries: Vec::new(), ..e.clone() })
            .collect();
        let (_, b) = run(&p, &stripped);
        prop_assert_eq!(without_recoveries(&r), b);
    }

    /// Section 11.1: the events of a series replay exactly like one event holding their
    /// lines, with the first member's id, cause, occurrence and attributes and the
    /// earliest discovery.
    #[test]
    fn an_occurrence_replays_like_one_event_holding_its_lines(p in program(), events in prop::collection::vec(event(), 1..6)) {
        let p = ProgramSpec { window: None, ..p };
        let members: Vec<EventSpec> = events
            .iter()
            .map(|e| EventSpec { series: Some(0), cause: 0, recoveries: Vec::new(), ..e.clone() })
            .collect();
        let (_, grouped) = run(&p, &members);
        prop_assert_eq!(grouped.events.len(), 1);
        // Replay order: day, then id (E000, E001, … in written order).
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by_key(|i| (members[*i].day, *i));
        let first = &members[order[0]];
        let discovered = members.iter().map(|e| e.day + e.delay).min().unwrap();
        let one = EventSpec {
            series: None,
            delay: discovered - first.day,
            lines: order.iter().flat_map(|i| members[*i].lines.clone()).collect(),
            ..first.clone()
        };
        let (_, single) = run(&p, &[one]);
        let mut g = grouped.clone();
        let ids: Vec<String> = order.iter().map(|i| format!("E{i:03}")).collect();
        if members.len() > 1 {
            prop_assert_eq!(&g.events[0].events, &ids);
        } else {
            prop_assert!(g.events[0].events.is_empty());
        }
        prop_assert_eq!(&g.events[0].id, &ids[0]);
        g.events[0].events.clear();
        g.events[0].id = "E000".to_string();
        prop_assert_eq!(g, single);
    }

    /// `occurrence window 0 hours` groups nothing: the same result as no window.
    #[test]
    fn a_window_of_zero_groups_nothing(p in program(), events in prop::collection::vec(event(), 1..10)) {
        let events: Vec<EventSpec> = events.into_iter().map(|e| EventSpec { series: None, ..e }).collect();
        let (_, none) = run(&ProgramSpec { window: None, ..p.clone() }, &events);
        let (_, zero) = run(&ProgramSpec { window: Some(0), ..p }, &events);
        prop_assert_eq!(none, zero);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The hours clause groups exactly as an independent reading of section 11.1: in
    /// replay order, an event joins the latest group of its cause when that group's first
    /// event occurred less than the window before it. Labelling those groups as series and
    /// replaying without a window gives the same result.
    #[test]
    fn window_groups_follow_the_hours_clause(p in program(), events in prop::collection::vec(event(), 1..12), hours in 1u32..2000) {
        let events: Vec<EventSpec> = events.into_iter().map(|e| EventSpec { series: None, ..e }).collect();
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|i| (events[*i].day, *i));
        let mut latest: Vec<Option<(usize, i64)>> = vec![None; CAUSES.len()];
        let mut groups = 0usize;
        let mut labelled = events.clone();
        for i in order {
            let e = &events[i];
            let g = match latest[e.cause] {
                Some((g, first_day)) if (e.day - first_day) * 24 < i64::from(hours) => g,
                _ => {
                    groups += 1;
                    latest[e.cause] = Some((groups, e.day));
                    groups
                }
            };
            // Series numbers double as causes in the generator; keep the cause by
            // spreading group numbers over it.
            labelled[i].series = Some(g * CAUSES.len() + e.cause);
        }
        let (_, windowed) = run(&ProgramSpec { window: Some(hours), ..p.clone() }, &events);
        let (_, series) = run(&ProgramSpec { window: None, ..p }, &labelled);
        prop_assert_eq!(windowed, series);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The per-event writer (and the compact text read) give the bytes of the serialized
    /// result on random programs and scenarios, recoveries and occurrences included.
    #[test]
    fn written_results_equal_the_serialized_result(p in program(), events in prop::collection::vec(event(), 1..10)) {
        use specie::replay::{replay_text_into, Format};
        let (program, r) = run(&p, &events);
        let text = scenario(&events);
        let mut compact = Vec::new();
        replay_text_into(&program, &text, &mut compact, Format::Json, Default::default()).unwrap();
        prop_assert_eq!(String::from_utf8(compact).unwrap(), format!("{}\n", serde_json::to_string(&r).unwrap()));
        let mut pretty = Vec::new();
        replay_text_into(&program, &text, &mut pretty, Format::PrettyJson, Default::default()).unwrap();
        prop_assert_eq!(String::from_utf8(pretty).unwrap(), format!("{}\n", r.to_json()));
    }
}
