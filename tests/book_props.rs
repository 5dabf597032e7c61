//! Property tests of portfolios (section 15.1) on random books of random programs: the
//! book's figures are the exact sums of the programs'; each program's result equals
//! replaying it alone on its own events plus its expansions written out as a section-5
//! scenario; conservation per program and for the book; a vendor event that reaches no
//! program changes nothing; carriers are one entity by name; the order of programs in the
//! file changes no figure.

use proptest::prelude::*;
use rust_decimal::Decimal;
use specie::portfolio::{compile_portfolio_str, replay_book, BookReplay, Portfolio, SourceFile};
use specie::replay::Replay;
use specie::scenario::Scenario;
use std::collections::BTreeMap;
use std::fmt::Write;

const TIERS: [&str; 3] = ["hot", "warm", "cold"];
const CAUSES: [&str; 3] = ["external_hack", "vendor_breach", "key_compromise"];
const CARRIERS: [&str; 4] = ["Harbor", "Northgate", "Atlas", "Kestrel"];

#[derive(Clone, Debug)]
struct LayerSpec {
    limit: u32,
    aggregate: Option<u32>,
    /// (carrier index, share in percent)
    carriers: Vec<(usize, u32)>,
}

/// (tier, amount) or (tier, share percent).
type TierValues = Vec<(usize, u32)>;
/// An own event: (cause, day, hour, lines).
type EventSpec = (usize, i64, i64, TierValues);
/// A vendor event: (vendor, day, hour, damage per tier in tenths of a percent, or one).
type VendorEventSpec = (usize, i64, i64, Result<u32, [u32; 3]>);

#[derive(Clone, Debug)]
struct ProgramSpec {
    /// Exposure per tier in cents (0 = none declared); at least one is declared.
    exposures: [u64; 3],
    covers_vendor: bool,
    deductible: u32,
    sublimit: Option<(u32, u32)>,
    window: Option<u32>,
    layers: Vec<LayerSpec>,
    /// Own events: (cause, day, hour, [(tier, amount)]).
    events: Vec<EventSpec>,
}

#[derive(Clone, Debug)]
struct BookSpec {
    programs: Vec<ProgramSpec>,
    /// Vendors: uses = (program index, [(tier, share percent)]).
    vendors: Vec<Vec<(usize, TierValues)>>,
    /// Vendor events: (vendor, day, hour, damage per tier in tenths of a percent, or one).
    vendor_events: Vec<VendorEventSpec>,
}

fn layer() -> impl Strategy<Value = LayerSpec> {
    (
        1u32..40_000_000,
        prop::option::of(1u32..80_000_000),
        prop::collection::vec((0usize..4, 1u32..60), 1..3),
    )
        .prop_map(|(limit, aggregate, carriers)| LayerSpec {
            limit,
            aggregate,
            carriers,
        })
}

/// An exposure in cents: mostly millions, sometimes a few dollars and cents (where half-cent
/// ties of the expansion are common), sometimes none.
fn exposure() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => (1u64..200_000_000).prop_map(|d| d * 100),
        2 => 1u64..100_000,
        1 => Just(0u64),
    ]
}

/// A share or damage that often lands on a half cent: 50%, 5%, 25% or anything.
fn share() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 1u32..=100, 1 => Just(50u32), 1 => Just(5u32), 1 => Just(25u32)]
}

fn tenths() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0u32..=1000, 1 => Just(500u32), 1 => Just(5u32), 1 => Just(250u32)]
}

/// A day of 2026: anywhere, or in a three-day cluster where occurrence windows group.
fn day() -> impl Strategy<Value = i64> {
    prop_oneof![1 => 0i64..360, 1 => 100i64..103]
}

fn program() -> impl Strategy<Value = ProgramSpec> {
    (
        (0u32..3, exposure(), exposure(), exposure()),
        prop::bool::weighted(0.8),
        0u32..2_000_000,
        prop::option::of((1u32..30_000_000, 1u32..60_000_000)),
        prop_oneof![1 => Just(None), 1 => prop::option::of(1u32..72)],
        prop::collection::vec(layer(), 1..4),
        prop::collection::vec(
            (
                0usize..3,
                day(),
                0i64..24,
                prop::collection::vec((0usize..3, 1u32..50_000_000), 1..3),
            ),
            0..3,
        ),
    )
        .prop_map(
            |((first, a, b, c), covers_vendor, deductible, sublimit, window, layers, events)| {
                let mut exposures = [a, b, c];
                // The tier `first` is always declared.
                exposures[first as usize] = exposures[first as usize].max(1);
                ProgramSpec {
                    exposures,
                    covers_vendor,
                    deductible,
                    sublimit,
                    window,
                    layers,
                    events,
                }
            },
        )
}

fn book() -> impl Strategy<Value = BookSpec> {
    prop::collection::vec(program(), 1..6).prop_flat_map(|programs| {
        let n = programs.len();
        let uses = prop::collection::vec(
            (0..n, prop::collection::vec((0usize..3, share()), 1..4)),
            1..8,
        );
        let vendors = prop::collection::vec(uses, 1..4);
        let damage = prop_oneof![
            tenths().prop_map(Ok),
            (tenths(), tenths(), tenths()).prop_map(|(a, b, c)| Err([a, b, c])),
        ];
        let events = prop::collection::vec((0usize..3, day(), 0i64..24, damage), 0..4);
        (Just(programs), vendors, events).prop_map(|(programs, vendors, vendor_events)| BookSpec {
            programs,
            vendors,
            vendor_events,
        })
    })
}

/// A book spec made valid: each vendor uses a program once, only declared tiers, each
/// tier once; vendor events name existing vendors.
fn tidy(mut b: BookSpec) -> BookSpec {
    let programs = b.programs.clone();
    for uses in &mut b.vendors {
        let mut seen = Vec::new();
        uses.retain(|(p, _)| {
            let fresh = !seen.contains(p);
            seen.push(*p);
            fresh
        });
        for (p, tiers) in uses.iter_mut() {
            let declared = programs[*p].exposures;
            let mut t_seen = Vec::new();
            tiers.retain(|(t, _)| {
                let ok = declared[*t] > 0 && !t_seen.contains(t);
                t_seen.push(*t);
                ok
            });
        }
        uses.retain(|(_, tiers)| !tiers.is_empty());
    }
    let n = b.vendors.len();
    for v in &mut b.vendor_events {
        v.0 %= n;
    }
    b
}

fn program_source(p: &ProgramSpec, rename: Option<(&str, &str)>) -> String {
    let mut s =
        String::from("program \"random\" {\n  currency USD\n  period 2026-01-01 to 2027-01-01\n");
    for (t, amount) in TIERS.iter().zip(p.exposures) {
        if amount > 0 {
            let _ = writeln!(
                s,
                "  exposure {t} {}",
                Decimal::from_i128_with_scale(i128::from(amount), 2)
            );
        }
    }
    let covers = if p.covers_vendor {
        "external_hack, vendor_breach, key_compromise"
    } else {
        "external_hack, key_compromise"
    };
    let _ = writeln!(s, "  covers {covers}");
    if let Some((per, agg)) = p.sublimit {
        let _ = writeln!(
            s,
            "  sublimit \"S\" {per} per occurrence, {agg} aggregate when cause is vendor_breach"
        );
    }
    if p.deductible > 0 {
        let _ = writeln!(s, "  deductible \"D\" {} per occurrence", p.deductible);
    }
    if let Some(w) = p.window {
        let _ = writeln!(s, "  occurrence window {w} hours");
    }
    let mut attach = 0u64;
    for (i, l) in p.layers.iter().enumerate() {
        let _ = writeln!(s, "  layer \"L{i}\" {} xs {attach} {{", l.limit);
        if let Some(a) = l.aggregate {
            let _ = writeln!(s, "    aggregate {a}");
        }
        let mut used = Vec::new();
        let mut total = 0;
        for (c, share) in &l.carriers {
            if used.contains(c) || total + share > 100 {
                continue;
            }
            used.push(*c);
            total += share;
            let mut name = CARRIERS[*c];
            if let Some((from, to)) = rename {
                if name == from {
                    name = to;
                }
            }
            let _ = writeln!(s, "    carrier \"{name}\" {share}%");
        }
        s.push_str("  }\n");
        attach += u64::from(l.limit);
    }
    s.push_str("}\n");
    s
}

fn key(p: usize) -> String {
    format!("p{p}")
}

/// The portfolio's text, with programs in `order`.
fn portfolio_source(b: &BookSpec, order: &[usize]) -> String {
    let mut s = String::from("portfolio \"random book\" {\n  currency USD\n");
    for p in order {
        let _ = writeln!(s, "  program \"{}\" \"{}.specie\"", key(*p), key(*p));
    }
    for (v, uses) in b.vendors.iter().enumerate() {
        let _ = writeln!(s, "  vendor \"v{v}\" {{");
        for (p, tiers) in uses {
            let list: Vec<String> = tiers
                .iter()
                .map(|(t, share)| format!("{} {share}%", TIERS[*t]))
                .collect();
            let _ = writeln!(s, "    uses \"{}\" {}", key(*p), list.join(", "));
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

fn instant(day: i64, hour: i64) -> String {
    // 2026-01-01 plus `day` days, at `hour`.
    let base = specie::time::Instant::parse("2026-01-01T00:00:00Z").unwrap();
    let t = specie::time::Instant(base.0 + day * 86_400 + hour * 3_600);
    t.to_string()
}

fn own_event_json(p: usize, k: usize, e: &(usize, i64, i64, Vec<(usize, u32)>)) -> String {
    let lines: Vec<String> =
        e.3.iter()
            .map(|(t, a)| format!("{{\"tier\": \"{}\", \"amount\": \"{a}\"}}", TIERS[*t]))
            .collect();
    format!(
        "{{\"id\": \"E{p}.{k}\", \"cause\": \"{}\", \"occurred\": \"{}\", \"losses\": [{}]}}",
        CAUSES[e.0],
        instant(e.1, e.2),
        lines.join(", ")
    )
}

fn damage_json(d: &Result<u32, [u32; 3]>) -> String {
    let pct = |t: u32| format!("\"{}.{}%\"", t / 10, t % 10);
    match d {
        Ok(t) => pct(*t),
        Err(ts) => format!(
            "{{\"hot\": {}, \"warm\": {}, \"cold\": {}}}",
            pct(ts[0]),
            pct(ts[1]),
            pct(ts[2])
        ),
    }
}

fn scenario_json(b: &BookSpec, extra: Option<&str>) -> String {
    let mut events = Vec::new();
    for (p, spec) in b.programs.iter().enumerate() {
        if spec.events.is_empty() {
            continue;
        }
        let list: Vec<String> = spec
            .events
            .iter()
            .enumerate()
            .map(|(k, e)| own_event_json(p, k, e))
            .collect();
        events.push(format!("\"{}\": [{}]", key(p), list.join(", ")));
    }
    let mut vendor_events: Vec<String> = b
        .vendor_events
        .iter()
        .enumerate()
        .map(|(k, (v, day, hour, damage))| {
            format!(
                "{{\"id\": \"V{k}\", \"vendor\": \"v{v}\", \"cause\": \"vendor_breach\", \"occurred\": \"{}\", \"damage\": {}}}",
                instant(*day, *hour),
                damage_json(damage)
            )
        })
        .collect();
    if let Some(e) = extra {
        vendor_events.push(e.to_string());
    }
    format!(
        "{{\"name\": \"random\", \"events\": {{{}}}, \"vendor_events\": [{}]}}",
        events.join(", "),
        vendor_events.join(", ")
    )
}

fn compile(b: &BookSpec, order: &[usize], rename: Option<(usize, &str, &str)>) -> Portfolio {
    let texts: BTreeMap<String, String> = b
        .programs
        .iter()
        .enumerate()
        .map(|(p, spec)| {
            let r = rename.filter(|(q, _, _)| *q == p).map(|(_, f, t)| (f, t));
            (format!("{}.specie", key(p)), program_source(spec, r))
        })
        .collect();
    let mut load = |path: &str| {
        texts
            .get(path)
            .map(|text| SourceFile {
                name: path.to_string(),
                text: text.clone(),
            })
            .ok_or_else(|| "no such file".to_string())
    };
    match compile_portfolio_str(&portfolio_source(b, order), &mut load) {
        Ok(c) => c.portfolio,
        Err(e) => panic!("{e:?}\n{}", portfolio_source(b, order)),
    }
}

fn run(b: &BookSpec, order: &[usize], extra: Option<&str>) -> BookReplay {
    let portfolio = compile(b, order, None);
    replay_book(&portfolio, &scenario_json(b, extra), Default::default())
        .unwrap()
        .0
}

fn uncovered(r: &Replay) -> Decimal {
    r.totals.uncovered.iter().map(|u| u.amount).sum()
}

/// round half-even(exposure × share% × damage‰), in cents — the expansion rule
/// computed independently of the library.
fn dependent_cents(exposure: u64, share: u32, tenths: u32) -> i128 {
    let num = i128::from(exposure) * i128::from(share) * i128::from(tenths);
    let den: i128 = 100 * 1000;
    let q = num / den;
    let r = num % den;
    if 2 * r > den || (2 * r == den && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

/// Program `p`'s own events plus its expansions, written out as a section-5 scenario.
fn alone_json(b: &BookSpec, p: usize) -> String {
    let spec = &b.programs[p];
    let mut list: Vec<String> = spec
        .events
        .iter()
        .enumerate()
        .map(|(k, e)| own_event_json(p, k, e))
        .collect();
    for (k, (v, day, hour, damage)) in b.vendor_events.iter().enumerate() {
        let Some((_, tiers)) = b.vendors[*v].iter().find(|(q, _)| *q == p) else {
            continue;
        };
        let mut lines = Vec::new();
        for (t, share) in tiers {
            let tenths = match damage {
                Ok(x) => *x,
                Err(ts) => ts[*t],
            };
            let cents = dependent_cents(spec.exposures[*t], *share, tenths);
            if cents != 0 {
                lines.push(format!(
                    "{{\"tier\": \"{}\", \"amount\": \"{}\"}}",
                    TIERS[*t],
                    Decimal::from_i128_with_scale(cents, 2)
                ));
            }
        }
        if lines.is_empty() {
            continue;
        }
        list.push(format!(
            "{{\"id\": \"V{k}@{}\", \"series\": \"V{k}@{}\", \"cause\": \"vendor_breach\", \"occurred\": \"{}\", \"losses\": [{}]}}",
            key(p),
            key(p),
            instant(*day, *hour),
            lines.join(", ")
        ));
    }
    format!(
        "{{\"name\": \"random\", \"events\": [{}]}}",
        list.join(", ")
    )
}

fn identity(n: usize) -> Vec<usize> {
    (0..n).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn book_figures_are_sums_and_conserve(b in book()) {
        let b = tidy(b);
        let r = run(&b, &identity(b.programs.len()), None);
        let mut ground_up = Decimal::ZERO;
        let mut paid = Decimal::ZERO;
        let mut unc = Decimal::ZERO;
        let mut carriers: BTreeMap<&str, Decimal> = BTreeMap::new();
        for p in &r.programs {
            let t = &p.result.totals;
            // Conservation per program.
            prop_assert_eq!(t.ground_up, t.paid + uncovered(&p.result));
            ground_up += t.ground_up;
            paid += t.paid;
            unc += uncovered(&p.result);
            for c in &t.carriers {
                *carriers.entry(&c.carrier).or_default() += c.paid;
            }
        }
        prop_assert_eq!(r.totals.ground_up, ground_up);
        prop_assert_eq!(r.totals.paid, paid);
        prop_assert_eq!(r.totals.uncovered, unc);
        // Conservation for the book.
        prop_assert_eq!(r.totals.ground_up, r.totals.paid + r.totals.uncovered);
        prop_assert_eq!(r.totals.carriers.len(), carriers.len());
        for c in &r.totals.carriers {
            prop_assert_eq!(c.paid, carriers[c.carrier.as_str()]);
            let parts: Decimal = c.programs.iter().map(|p| p.paid).sum();
            prop_assert_eq!(c.paid, parts);
        }
        // Each vendor event: the sums of its expansions, found in the programs.
        for v in &r.vendor_events {
            let mut g = Decimal::ZERO;
            let mut pd = Decimal::ZERO;
            let mut by_carrier: BTreeMap<String, (Decimal, u32)> = BTreeMap::new();
            for vp in &v.programs {
                let pr = r.programs.iter().find(|p| p.program == vp.program).unwrap();
                let e = pr.result.events.iter().find(|e| e.id == vp.event).unwrap();
                prop_assert_eq!(&e.id, &format!("{}@{}", v.id, vp.program));
                prop_assert_eq!((e.ground_up, e.paid), (vp.ground_up, vp.paid));
                g += e.ground_up;
                pd += e.paid;
                let mut here: BTreeMap<&str, Decimal> = BTreeMap::new();
                for c in e.layers.iter().flat_map(|l| &l.carriers) {
                    *here.entry(&c.carrier).or_default() += c.paid;
                }
                for (name, amount) in here {
                    let x = by_carrier.entry(name.to_string()).or_default();
                    x.0 += amount;
                    if amount > Decimal::ZERO {
                        x.1 += 1;
                    }
                }
            }
            prop_assert_eq!((v.ground_up, v.paid), (g, pd));
            prop_assert_eq!(v.carriers.len(), by_carrier.len());
            for c in &v.carriers {
                prop_assert_eq!((c.paid, c.programs), by_carrier[&c.carrier]);
            }
            let clash: Vec<&str> = v.carriers.iter().filter(|c| c.programs >= 2).map(|c| c.carrier.as_str()).collect();
            prop_assert_eq!(v.clash.iter().map(String::as_str).collect::<Vec<_>>(), clash);
        }
    }

    #[test]
    fn each_program_equals_replaying_it_alone(b in book()) {
        let b = tidy(b);
        let portfolio = compile(&b, &identity(b.programs.len()), None);
        let r = replay_book(&portfolio, &scenario_json(&b, None), Default::default()).unwrap().0;
        for (p, pr) in r.programs.iter().enumerate() {
            let scenario = Scenario::from_json(&alone_json(&b, p)).unwrap();
            let alone = specie::replay::replay(&portfolio.programs[p].program, &scenario).unwrap();
            prop_assert_eq!(&pr.result, &alone, "program {}", p);
        }
    }

    #[test]
    fn a_vendor_event_reaching_no_program_changes_nothing(b in book(), day in 0i64..360) {
        let b = tidy(b);
        let order = identity(b.programs.len());
        let before = run(&b, &order, None);
        // 0% damage: every line is 0, no program gets an event.
        let idle = format!(
            "{{\"id\": \"IDLE\", \"vendor\": \"v0\", \"cause\": \"vendor_breach\", \"occurred\": \"{}\", \"damage\": \"0%\"}}",
            instant(day, 0)
        );
        let after = run(&b, &order, Some(&idle));
        prop_assert_eq!(&before.programs, &after.programs);
        prop_assert_eq!(&before.totals, &after.totals);
        let v = after.vendor_events.iter().find(|v| v.id == "IDLE").unwrap();
        prop_assert!(v.programs.is_empty() && v.carriers.is_empty() && v.paid.is_zero());
        let rest: Vec<_> = after.vendor_events.iter().filter(|v| v.id != "IDLE").cloned().collect();
        prop_assert_eq!(&before.vendor_events, &rest);
    }

    #[test]
    fn renaming_a_carrier_in_one_program_moves_exactly_its_amounts(b in book(), which in 0usize..8, c in 0usize..4) {
        let b = tidy(b);
        let p = which % b.programs.len();
        let from = CARRIERS[c];
        let order = identity(b.programs.len());
        let scenario = scenario_json(&b, None);
        let before = replay_book(&compile(&b, &order, None), &scenario, Default::default()).unwrap().0;
        let after = replay_book(&compile(&b, &order, Some((p, from, "Renamed"))), &scenario, Default::default()).unwrap().0;
        let moved = before.programs[p].result.totals.carriers.iter()
            .filter(|x| x.carrier == from).map(|x| x.paid).sum::<Decimal>();
        let book = |r: &BookReplay, name: &str| r.totals.carriers.iter()
            .find(|x| x.carrier == name).map(|x| x.paid);
        let named_in_p = before.programs[p].result.totals.carriers.iter().any(|x| x.carrier == from);
        if named_in_p {
            prop_assert_eq!(book(&after, "Renamed"), Some(moved));
            let left = book(&before, from).unwrap() - moved;
            let still = before.programs.iter().enumerate().any(|(q, pr)| q != p && pr.result.totals.carriers.iter().any(|x| x.carrier == from));
            prop_assert_eq!(book(&after, from), if still { Some(left) } else { None });
        } else {
            prop_assert_eq!(&before.totals, &after.totals);
        }
        for name in CARRIERS.iter().filter(|n| **n != from) {
            prop_assert_eq!(book(&before, name), book(&after, name));
        }
        prop_assert_eq!((before.totals.ground_up, before.totals.paid), (after.totals.ground_up, after.totals.paid));
    }

    #[test]
    fn the_order_of_programs_changes_no_figure(b in book(), seed in any::<u64>()) {
        let b = tidy(b);
        let n = b.programs.len();
        let mut order = identity(n);
        // A permutation from the seed.
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let a = run(&b, &identity(n), None);
        let z = run(&b, &order, None);
        let by_key = |r: &BookReplay| r.programs.iter().map(|p| (p.program.clone(), p.result.clone())).collect::<BTreeMap<_, _>>();
        prop_assert_eq!(by_key(&a), by_key(&z));
        prop_assert_eq!((a.totals.ground_up, a.totals.paid, a.totals.uncovered), (z.totals.ground_up, z.totals.paid, z.totals.uncovered));
        let carriers = |r: &BookReplay| r.totals.carriers.iter().map(|c| (c.carrier.clone(), c.paid)).collect::<BTreeMap<_, _>>();
        prop_assert_eq!(carriers(&a), carriers(&z));
        // Vendor events: same list (replay order), same figures; programs and carriers as sets.
        prop_assert_eq!(a.vendor_events.len(), z.vendor_events.len());
        for (x, y) in a.vendor_events.iter().zip(&z.vendor_events) {
            prop_assert_eq!(&x.id, &y.id);
            prop_assert_eq!((x.ground_up, x.paid), (y.ground_up, y.paid));
            let progs = |v: &specie::portfolio::VendorEventResult| v.programs.iter().map(|p| (p.program.clone(), p.ground_up, p.paid)).collect::<std::collections::BTreeSet<_>>();
            prop_assert_eq!(progs(x), progs(y));
            let cs = |v: &specie::portfolio::VendorEventResult| v.carriers.iter().map(|c| (c.carrier.clone(), c.paid, c.programs)).collect::<std::collections::BTreeSet<_>>();
            prop_assert_eq!(cs(x), cs(y));
        }
    }
}
