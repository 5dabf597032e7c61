//! Issue 30's event shape through the engine and through a plain loop: 1M events of two
//! loss lines (a BTC quantity valued at a price, an amount) and an integer attribute,
//! replayed through the crypto-native program (`fixtures/programs/`). Valuation happens
//! when an event is prepared, before either side runs: both read the same valued lines.
//!
//! Unlike the benchmark program's loop, this one gives the engine's cents exactly (the
//! largest-remainder splits, half-even percentages, the reinstatement premium), which the
//! setup asserts before timing: the floor of a hand-written loop that gets the job right.
//!
//! The same loop is timed twice: paying only (what it pays, each carrier's part), and
//! also doing the rest of what the engine's result holds for every event (the brief's
//! "which clause leaves every unpaid cent unpaid"): each unpaid cent to its reason and
//! clause, the totals of those, of each carrier and each layer, and conservation checked.
//! The setup asserts the second's per-event and total figures equal the engine's.

use super::{events, raw_events, time_engine, N};
use criterion::{Criterion, Throughput};
use rust_decimal::Decimal;
use specie::bench_support::{priced_event_line, CAUSES, PRICED_BTC};
use specie::money::Money;
use specie::replay::{ClauseRef, Outcome, Replayer, UncoveredKey, UncoveredReason};
use specie::scenario::{DecimalValue, Event, Prices};
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::str::FromStr;

const PROGRAM: &str = include_str!("../../fixtures/programs/crypto-native-crime-specie.specie");
const INSIDER: u8 = 2;
const VENDOR: u8 = 3;
const HOT: u8 = 0;
const WARM: u8 = 1;
const COLD: u8 = 2;
const M: i64 = 100_000_000; // 1M in cents
const DAY: i64 = 86_400;
/// 2026-01-01 and 2027-01-01, seconds since the epoch.
const PERIOD: (i64, i64) = (1_767_225_600, 1_798_761_600);

/// One event as the plain loop sees it.
struct PlainEvent {
    cause: u8,
    occurred: i64,
    discovered: i64,
    lines: [(u8, i64); 2],
    staff: u64,
    documented: bool,
    reported_after: i64,
}

/// What the program carries between events, in cents.
struct Plain {
    hot_left: i64,
    vendor_left: i64,
    standard_left: i64,
    primary_left: i64,
    primary_cumulative: i64,
    primary_premium: i64,
    /// With attribution: totals of each unpaid slot, each carrier, each layer.
    unpaid: [i64; SLOTS],
    carriers: [i64; 4],
    layers: [i64; 3],
    /// With attribution: an event whose paid and unpaid did not add up to its loss.
    broken: bool,
}

/// The unpaid amounts this program can produce, one slot each (`slot_key` names them).
const SLOTS: usize = 12;
const OUTSIDE: usize = 0;
/// Program exclusions 0-2, sub-limits 0-2, deductibles 0-1.
const EXCLUDED: usize = 1;
const SUBLIMIT: usize = 4;
const DEDUCTIBLE: usize = 7;
const LAYER_EXCLUDED: usize = 9;
const EXHAUSTED: usize = 10;
const ABOVE: usize = 11;

/// The engine's key of slot `i`.
fn slot_key(i: usize) -> UncoveredKey {
    let (reason, clause, layer) = match i {
        OUTSIDE => (UncoveredReason::OutsidePeriod, ClauseRef::None, None),
        1..=3 => (
            UncoveredReason::Excluded,
            ClauseRef::Exclusion(i as u32 - 1),
            None,
        ),
        4..=6 => (
            UncoveredReason::Sublimit,
            ClauseRef::Sublimit(i as u32 - 4),
            None,
        ),
        7..=8 => (
            UncoveredReason::Deductible,
            ClauseRef::Deductible(i as u32 - 7),
            None,
        ),
        LAYER_EXCLUDED => (
            UncoveredReason::LayerExcluded,
            ClauseRef::LayerExclusion(1, 0),
            Some(1),
        ),
        EXHAUSTED => (
            UncoveredReason::AggregateExhausted,
            ClauseRef::None,
            Some(0),
        ),
        _ => (UncoveredReason::AboveTower, ClauseRef::None, None),
    };
    UncoveredKey {
        reason,
        clause,
        layer,
    }
}

impl Plain {
    fn new() -> Plain {
        Plain {
            hot_left: 50 * M,
            vendor_left: 5 * M,
            standard_left: 3 * M,
            primary_left: 20 * M,
            primary_cumulative: 0,
            primary_premium: 0,
            unpaid: [0; SLOTS],
            carriers: [0; 4],
            layers: [0; 3],
            broken: false,
        }
    }
}

/// `n / d` rounded half-even, for `n >= 0`, `d > 0`.
fn half_even(n: i64, d: i64) -> i64 {
    let (q, r) = (n / d, n % d);
    if 2 * r > d || (2 * r == d && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

/// Takes `amount` from the lines in `on` pro rata to their covered values (largest
/// remainder, the earlier line on a tie).
fn take(cov: &mut [i64; 2], on: [bool; 2], amount: i64) {
    match on {
        [true, false] => cov[0] -= amount,
        [false, true] => cov[1] -= amount,
        [true, true] => {
            let t = i128::from(cov[0] + cov[1]);
            let n0 = i128::from(amount) * i128::from(cov[0]);
            let n1 = i128::from(amount) * i128::from(cov[1]);
            let (mut p0, mut p1) = ((n0 / t) as i64, (n1 / t) as i64);
            if p0 + p1 < amount {
                if n0 % t >= n1 % t {
                    p0 += 1;
                } else {
                    p1 += 1;
                }
            }
            cov[0] -= p0;
            cov[1] -= p1;
        }
        [false, false] => {}
    }
}

/// A sub-limit over the lines in `on`: what is above `per` or the aggregate left comes
/// off them pro rata; returns what came off.
fn sublimit(cov: &mut [i64; 2], on: [bool; 2], per: Option<i64>, left: Option<&mut i64>) -> i64 {
    let on = [on[0] && cov[0] > 0, on[1] && cov[1] > 0];
    let m = i64::from(on[0]) * cov[0] + i64::from(on[1]) * cov[1];
    if m == 0 {
        return 0;
    }
    let mut allowed = per.map_or(m, |p| m.min(p));
    if let Some(l) = left {
        allowed = allowed.min((*l).max(0));
        *l -= allowed;
    }
    take(cov, on, m - allowed);
    m - allowed
}

/// The crypto-native program's steps for one event, hard-coded; returns what the
/// carriers paid, each carrier's part in `out`. With `ATTRIBUTE`, also each unpaid cent
/// by slot in `unpaid` (see `slot_key`), and the totals in `s`.
#[inline(never)]
fn plain_event<const ATTRIBUTE: bool>(
    s: &mut Plain,
    ev: &PlainEvent,
    out: &mut [i64; 4],
    unpaid: &mut [i64; SLOTS],
) -> i64 {
    *out = [0; 4];
    if ATTRIBUTE {
        *unpaid = [0; SLOTS];
    }
    let ground_up = ev.lines[0].1 + ev.lines[1].1;
    let eligible =
        PERIOD.0 <= ev.occurred && ev.occurred < PERIOD.1 && ev.discovered < PERIOD.1 + 90 * DAY;
    if !eligible {
        if ATTRIBUTE {
            unpaid[OUTSIDE] = ground_up;
            s.unpaid[OUTSIDE] += ground_up;
        }
        return 0;
    }
    // Exclusions, per line: the first that holds takes it.
    let mut cov = [0i64; 2];
    for (c, (tier, v)) in cov.iter_mut().zip(&ev.lines) {
        let first = if ev.cause == INSIDER && ev.staff >= 2 {
            Some(0)
        } else if *tier == COLD && !ev.documented {
            Some(1)
        } else if ev.reported_after > 30 * DAY {
            Some(2)
        } else {
            None
        };
        *c = match first {
            None => *v,
            Some(x) => {
                if ATTRIBUTE {
                    unpaid[EXCLUDED + x] += *v;
                }
                0
            }
        };
    }
    let tiers = [ev.lines[0].0, ev.lines[1].0];
    // Sub-limits, in written order.
    let hot = [tiers[0] == HOT, tiers[1] == HOT];
    let vendor = ev.cause == VENDOR;
    let above = [
        sublimit(&mut cov, hot, Some(25 * M), Some(&mut s.hot_left)),
        sublimit(
            &mut cov,
            [tiers[0] == WARM, tiers[1] == WARM],
            Some(75 * M),
            None,
        ),
        sublimit(&mut cov, [vendor, vendor], None, Some(&mut s.vendor_left)),
    ];
    if ATTRIBUTE {
        for (u, a) in unpaid[SUBLIMIT..SUBLIMIT + 3].iter_mut().zip(above) {
            *u = a;
        }
    }
    // Deductibles: the larger of what is left of 1M (3M aggregate) and, with a hot line
    // left, 5% min 500k max 2.5M; the first on a tie.
    let total = cov[0] + cov[1];
    if total > 0 {
        let standard = M.min(s.standard_left.max(0));
        let hot_left = (hot[0] && cov[0] > 0) || (hot[1] && cov[1] > 0);
        let retention = half_even(total * 5, 100).clamp(M / 2, 5 * M / 2);
        let (amount, is_standard) = if hot_left && retention > standard {
            (retention, false)
        } else {
            (standard, true)
        };
        let taken = amount.min(total);
        if taken > 0 {
            let on = [cov[0] > 0, cov[1] > 0];
            take(&mut cov, on, taken);
            if is_standard {
                s.standard_left -= taken;
            }
            if ATTRIBUTE {
                unpaid[DEDUCTIBLE + usize::from(!is_standard)] = taken;
            }
        }
    }
    let paid = plain_tower::<ATTRIBUTE>(s, cov[0] + cov[1], vendor, out, unpaid);
    if ATTRIBUTE {
        s.add(ground_up, paid, out, unpaid);
    }
    paid
}

/// The tower's steps for the covered total `x`: each carrier's part in `out`, what they
/// paid returned; with `ATTRIBUTE`, the tower's unpaid amounts in `unpaid`.
#[inline(always)]
fn plain_tower<const ATTRIBUTE: bool>(
    s: &mut Plain,
    x: i64,
    vendor: bool,
    out: &mut [i64; 4],
    unpaid: &mut [i64; SLOTS],
) -> i64 {
    // Primary 10M xs 0, aggregate 20M, one reinstatement at 100% of 400k.
    let band = x.clamp(0, 10 * M);
    if band > 0 {
        let paid = band.min(s.primary_left.max(0));
        s.primary_left -= paid;
        out[0] = paid;
        if ATTRIBUTE {
            unpaid[EXHAUSTED] = band - paid;
        }
        let (c0, c1) = (s.primary_cumulative, s.primary_cumulative + paid);
        s.primary_cumulative = c1;
        let l = 10 * M;
        if paid > 0 {
            for i in c0 / l..=(c1 - 1) / l {
                if i >= 1 {
                    break;
                }
                let part = ((i + 1) * l).min(c1) - (i * l).max(c0);
                s.primary_premium += half_even(part * (400_000 * 100), l);
            }
        }
    }
    // First excess 40M xs 10M, 50% / 50%, no vendor breach.
    let band = (x - 10 * M).clamp(0, 40 * M);
    if band > 0 && !vendor {
        out[1] = band - band / 2;
        out[2] = band / 2;
    } else if ATTRIBUTE {
        unpaid[LAYER_EXCLUDED] = band;
    }
    // Second excess 50M xs 50M; above it, the top of the tower.
    out[3] = (x - 50 * M).clamp(0, 50 * M);
    if ATTRIBUTE {
        unpaid[ABOVE] = (x - 100 * M).max(0);
    }
    out[0] + out[1] + out[2] + out[3]
}

impl Plain {
    /// Adds one event's figures to the totals; notes whether paid and unpaid make up its
    /// loss.
    #[inline]
    fn add(&mut self, ground_up: i64, paid: i64, out: &[i64; 4], unpaid: &[i64; SLOTS]) {
        let mut sum = paid;
        for (t, u) in self.unpaid.iter_mut().zip(unpaid) {
            *t += *u;
            sum += *u;
        }
        self.broken |= sum != ground_up;
        for (t, c) in self.carriers.iter_mut().zip(out) {
            *t += *c;
        }
        self.layers[0] += out[0];
        self.layers[1] += out[1] + out[2];
        self.layers[2] += out[3];
    }
}

/// The engine's unpaid amounts by key.
fn by_key(uncovered: &[(UncoveredKey, Money)]) -> HashMap<UncoveredKey, i64> {
    uncovered.iter().map(|(k, m)| (*k, m.0)).collect()
}

/// The plain loop's unpaid amounts by the engine's key, zeros left out.
fn by_slot(unpaid: &[i64; SLOTS]) -> HashMap<UncoveredKey, i64> {
    (0..SLOTS)
        .filter(|i| unpaid[*i] != 0)
        .map(|i| (slot_key(i), unpaid[i]))
        .collect()
}

fn plain_events(evs: &[Event<'_>]) -> Vec<PlainEvent> {
    let tier = |t: &str| {
        ["hot", "warm", "cold"]
            .iter()
            .position(|x| *x == t)
            .unwrap() as u8
    };
    evs.iter()
        .map(|e| {
            assert_eq!(e.lines.len(), 2);
            let staff = match e.attributes[0] {
                specie::program::Value::Count(n) => n,
                _ => panic!("colluding_staff is a count"),
            };
            PlainEvent {
                cause: CAUSES.iter().position(|c| *c == e.cause).unwrap() as u8,
                occurred: e.occurred.0,
                discovered: e.discovered.0,
                lines: [
                    (tier(e.lines[0].tier), e.lines[0].value.0),
                    (tier(e.lines[1].tier), e.lines[1].value.0),
                ],
                staff,
                documented: matches!(e.attributes[1], specie::program::Value::Flag(true)),
                reported_after: match e.attributes[2] {
                    specie::program::Value::Duration(d) => d.0,
                    _ => panic!("reported_after is a duration"),
                },
            }
        })
        .collect()
}

pub fn bench(c: &mut Criterion) {
    let program = specie::compile_str(PROGRAM).unwrap().program;
    let raw = raw_events(priced_event_line);
    let mut series = BTreeMap::new();
    let price = DecimalValue(Decimal::from_str(PRICED_BTC).unwrap());
    series.insert(
        "BTC".to_string(),
        vec![("2026-01-01T00:00:00Z".to_string(), price)],
    );
    let evs = events(&program, &raw, Prices::new(&series).unwrap());
    let plain_input = plain_events(&evs);

    // The plain loop gives the engine's cents: total paid, each carrier, the premium; with
    // attribution, each event's unpaid amounts by key, their totals and each layer's.
    let mut r = Replayer::new(&program);
    let mut out = Outcome::default();
    let (mut s, mut with) = (Plain::new(), Plain::new());
    let mut parts = [0i64; 4];
    let mut carriers = [0i64; 4];
    let mut unpaid = [0i64; SLOTS];
    let mut engine_unpaid: HashMap<UncoveredKey, i64> = HashMap::new();
    for (e, p) in evs.iter().zip(&plain_input) {
        r.event(e, &mut out, None).unwrap();
        let paid = plain_event::<false>(&mut s, p, &mut parts, &mut unpaid);
        assert_eq!(out.paid.0, paid, "event {}", e.id);
        for (sum, part) in carriers.iter_mut().zip(parts) {
            *sum += part;
        }
        assert_eq!(
            plain_event::<true>(&mut with, p, &mut parts, &mut unpaid),
            paid
        );
        let keyed = by_key(&out.uncovered);
        assert_eq!(keyed, by_slot(&unpaid), "event {}", e.id);
        for (k, m) in keyed {
            *engine_unpaid.entry(k).or_default() += m;
        }
    }
    let totals = r.totals();
    let engine_carriers: Vec<Decimal> = totals.carriers.iter().map(|c| c.paid).collect();
    let plain_carriers: Vec<Decimal> = carriers.iter().map(|c| Decimal::new(*c, 2)).collect();
    assert_eq!(engine_carriers, plain_carriers);
    assert_eq!(with.carriers, carriers);
    assert_eq!(r.reinstatement_premium(0).0, s.primary_premium);
    assert_eq!(with.primary_premium, s.primary_premium);
    assert!(!with.broken);
    // The engine's totals name clauses and layers; the events' keys, summed, match the
    // plain totals by key, and the totals by reason match both.
    assert_eq!(engine_unpaid, by_slot(&with.unpaid));
    // Six kinds are met: the insider exclusion, the hot and vendor sub-limits, both
    // deductibles, the primary's aggregate. The others cannot be on these events: all
    // fall in the period; none carries the ceremony or notice attributes; no line reaches
    // the warm 75M; the vendor sub-limit's 5M aggregate keeps a vendor breach out of the
    // first excess; two lines of at most 25.7M and 40M stay below the tower's 100M top.
    assert_eq!(engine_unpaid.len(), 6, "{engine_unpaid:?}");
    let mut by_reason: BTreeMap<UncoveredReason, Decimal> = BTreeMap::new();
    for u in &totals.uncovered {
        *by_reason.entry(u.reason).or_default() += u.amount;
    }
    let mut plain_by_reason: BTreeMap<UncoveredReason, Decimal> = BTreeMap::new();
    for (i, m) in with.unpaid.iter().enumerate().filter(|(_, m)| **m != 0) {
        *plain_by_reason.entry(slot_key(i).reason).or_default() += Decimal::new(*m, 2);
    }
    assert_eq!(by_reason, plain_by_reason);
    let engine_layers: Vec<Decimal> = totals.layers.iter().map(|l| l.paid).collect();
    let plain_layers: Vec<Decimal> = with.layers.iter().map(|m| Decimal::new(*m, 2)).collect();
    assert_eq!(engine_layers, plain_layers);

    let mut g = c.benchmark_group("priced_1M_events");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    time_engine(&mut g, &program, &evs);
    g.bench_function("plain_integer_loop", |b| {
        b.iter(|| {
            let mut s = Plain::new();
            let mut out = [0i64; 4];
            let mut paid = 0i64;
            let mut unpaid = [0i64; SLOTS];
            for ev in &plain_input {
                paid += plain_event::<false>(&mut s, ev, &mut out, &mut unpaid);
            }
            black_box(paid)
        })
    });
    g.bench_function("plain_loop_attributing", |b| {
        b.iter(|| {
            let mut s = Plain::new();
            let mut out = [0i64; 4];
            let mut unpaid = [0i64; SLOTS];
            for ev in &plain_input {
                plain_event::<true>(&mut s, ev, &mut out, &mut unpaid);
            }
            black_box((s.carriers, s.unpaid, s.broken))
        })
    });
    g.finish();
}
