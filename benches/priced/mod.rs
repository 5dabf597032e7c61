//! Issue 30's event shape through the engine and through a plain loop: 1M events of two
//! loss lines (a BTC quantity valued at a price, an amount) and an integer attribute,
//! replayed through the crypto-native program (`fixtures/programs/`). Valuation happens
//! when an event is prepared, before either side runs: both read the same valued lines.
//!
//! Unlike the benchmark program's loop, this one gives the engine's cents exactly (the
//! largest-remainder splits, half-even percentages, the reinstatement premium), which the
//! setup asserts before timing: the floor of a hand-written loop that gets the job right.

use super::{events, raw_events, time_engine, N};
use criterion::{Criterion, Throughput};
use rust_decimal::Decimal;
use specie::bench_support::{priced_event_line, CAUSES, PRICED_BTC};
use specie::replay::{Outcome, Replayer};
use specie::scenario::{DecimalValue, Event, Prices};
use std::collections::BTreeMap;
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
/// off them pro rata.
fn sublimit(cov: &mut [i64; 2], on: [bool; 2], per: Option<i64>, left: Option<&mut i64>) {
    let on = [on[0] && cov[0] > 0, on[1] && cov[1] > 0];
    let m = i64::from(on[0]) * cov[0] + i64::from(on[1]) * cov[1];
    if m == 0 {
        return;
    }
    let mut allowed = per.map_or(m, |p| m.min(p));
    if let Some(l) = left {
        allowed = allowed.min((*l).max(0));
        *l -= allowed;
    }
    take(cov, on, m - allowed);
}

/// The crypto-native program's steps for one event, hard-coded; returns what the
/// carriers paid, each carrier's part in `out`.
#[inline(never)]
fn plain_event(s: &mut Plain, ev: &PlainEvent, out: &mut [i64; 4]) -> i64 {
    *out = [0; 4];
    let eligible =
        PERIOD.0 <= ev.occurred && ev.occurred < PERIOD.1 && ev.discovered < PERIOD.1 + 90 * DAY;
    if !eligible {
        return 0;
    }
    // Exclusions, per line.
    let mut cov = [0i64; 2];
    for (c, (tier, v)) in cov.iter_mut().zip(&ev.lines) {
        let excluded = (ev.cause == INSIDER && ev.staff >= 2)
            || (*tier == COLD && !ev.documented)
            || ev.reported_after > 30 * DAY;
        *c = if excluded { 0 } else { *v };
    }
    let tiers = [ev.lines[0].0, ev.lines[1].0];
    // Sub-limits, in written order.
    let hot = [tiers[0] == HOT, tiers[1] == HOT];
    sublimit(&mut cov, hot, Some(25 * M), Some(&mut s.hot_left));
    sublimit(
        &mut cov,
        [tiers[0] == WARM, tiers[1] == WARM],
        Some(75 * M),
        None,
    );
    let vendor = ev.cause == VENDOR;
    sublimit(&mut cov, [vendor, vendor], None, Some(&mut s.vendor_left));
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
        }
    }
    let x = cov[0] + cov[1];
    // Primary 10M xs 0, aggregate 20M, one reinstatement at 100% of 400k.
    let band = x.clamp(0, 10 * M);
    if band > 0 {
        let paid = band.min(s.primary_left.max(0));
        s.primary_left -= paid;
        out[0] = paid;
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
    }
    // Second excess 50M xs 50M.
    out[3] = (x - 50 * M).clamp(0, 50 * M);
    out[0] + out[1] + out[2] + out[3]
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

    // The plain loop gives the engine's cents: total paid, each carrier, the premium.
    let mut r = Replayer::new(&program);
    let mut out = Outcome::default();
    let mut s = Plain::new();
    let mut parts = [0i64; 4];
    let mut carriers = [0i64; 4];
    for (e, p) in evs.iter().zip(&plain_input) {
        r.event(e, &mut out, None).unwrap();
        let paid = plain_event(&mut s, p, &mut parts);
        assert_eq!(out.paid.0, paid, "event {}", e.id);
        for (sum, part) in carriers.iter_mut().zip(parts) {
            *sum += part;
        }
    }
    let totals = r.totals();
    let engine_carriers: Vec<Decimal> = totals.carriers.iter().map(|c| c.paid).collect();
    let plain_carriers: Vec<Decimal> = carriers.iter().map(|c| Decimal::new(*c, 2)).collect();
    assert_eq!(engine_carriers, plain_carriers);
    assert_eq!(r.reinstatement_premium(0).0, s.primary_premium);

    let mut g = c.benchmark_group("priced_1M_events");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    time_engine(&mut g, &program, &evs);
    g.bench_function("plain_integer_loop", |b| {
        b.iter(|| {
            let mut s = Plain::new();
            let mut out = [0i64; 4];
            let mut paid = 0i64;
            for ev in &plain_input {
                paid += plain_event(&mut s, ev, &mut out);
            }
            black_box(paid)
        })
    });
    g.finish();
}
