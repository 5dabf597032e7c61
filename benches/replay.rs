//! Replay throughput on a million generated events through a program with five layers,
//! four sub-limits, two deductibles and three exclusions, beside a plain loop over integer
//! cents doing the same arithmetic; the same pair on events shaped like custody incidents
//! (an asset quantity valued at a price, an amount, an integer attribute) through the
//! crypto-native program. Run with `cargo bench --bench replay`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use specie::bench_support::{event_line, Rng, BENCH_PROGRAM};
use specie::replay::{Outcome, Replayer};
use specie::scenario::{Event, Prices, RawEvent};
use std::hint::black_box;

const N: usize = 1_000_000;

mod priced;

fn raw_events(shape: fn(u64, &mut Rng, &mut String)) -> Vec<RawEvent<'static>> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::new();
    (0..N as u64)
        .map(|i| {
            line.clear();
            shape(i, &mut rng, &mut line);
            RawEvent::from_json_line(&line, 1).unwrap().into_owned()
        })
        .collect()
}

fn events<'a>(
    program: &specie::program::Program,
    raw: &'a [RawEvent<'static>],
    prices: Prices,
) -> Vec<Event<'a>> {
    let replayer = Replayer::new(program);
    let prep = replayer.preparer(prices, None).unwrap();
    raw.iter()
        .map(|r| prep.prepare(r, replayer.symbols()).unwrap())
        .collect()
}

/// Times `Replayer::event` over `evs`, from a fresh replayer each iteration.
fn time_engine(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    program: &specie::program::Program,
    evs: &[Event<'_>],
) {
    g.bench_function("engine", |b| {
        b.iter(|| {
            let mut r = Replayer::new(program);
            let mut out = Outcome::default();
            for e in evs {
                r.event(e, &mut out, None).unwrap();
            }
            black_box(r.totals().paid)
        })
    });
}

/// One event as the plain loop sees it.
struct PlainEvent {
    cause: u8,
    lines: Vec<(u8, i64)>,
    staff: u64,
    early: bool,
    documented: bool,
}

/// The same steps as the engine, hard-coded for the benchmark program, on integer cents:
/// the floor of what a hand-written loop costs.
struct Plain {
    hot_left: i64,
    vendor_left: i64,
    primary_left: i64,
}

const M: i64 = 100_000_000; // 1M in cents

#[inline(never)]
fn plain_event(s: &mut Plain, ev: &PlainEvent, out: &mut [i64; 12]) -> i64 {
    let (cause, tiers, staff, early, documented) =
        (ev.cause, &ev.lines[..], ev.staff, ev.early, ev.documented);
    // Exclusions (per line) and covered values.
    let mut cov = [0i64; 2];
    for (i, (tier, v)) in tiers.iter().enumerate() {
        let excluded = (cause == 2 && staff >= 2) || (*tier == 2 && !documented) || early;
        cov[i] = if excluded { 0 } else { *v };
    }
    // Sub-limits.
    let mut apply = |m: &dyn Fn(usize) -> bool, per: i64, left: Option<&mut i64>| {
        let total: i64 = (0..tiers.len()).filter(|i| m(*i)).map(|i| cov[i]).sum();
        if total == 0 {
            return;
        }
        let mut allowed = total.min(per);
        if let Some(l) = &left {
            allowed = allowed.min(**l);
        }
        let excess = total - allowed;
        if let Some(l) = left {
            *l -= allowed;
        }
        if excess > 0 {
            let mut given = 0;
            for i in (0..tiers.len()).filter(|i| m(*i)) {
                let part = (i128::from(excess) * i128::from(cov[i]) / i128::from(total)) as i64;
                cov[i] -= part;
                given += part;
            }
            if let Some(i) = (0..tiers.len()).find(|i| m(*i) && cov[*i] > 0) {
                cov[i] -= excess - given;
            }
        }
    };
    apply(&|i| tiers[i].0 == 0, 25 * M, Some(&mut s.hot_left));
    apply(&|i| tiers[i].0 == 1, 75 * M, None);
    apply(&|_| cause == 3, 5 * M, Some(&mut s.vendor_left));
    apply(&|_| cause == 4, 50 * M, None);
    // Deductibles: the larger of 1M and 5% (min 500k, max 2.5M) when a hot line remains.
    let total: i64 = cov[..tiers.len()].iter().sum();
    let mut ded = M;
    if tiers.iter().zip(&cov).any(|((t, _), c)| *t == 0 && *c > 0) {
        let pct = ((i128::from(total) * 5 + 50) / 100) as i64;
        ded = ded.max(pct.clamp(M / 2, 5 * M / 2));
    }
    let x = total - ded.min(total);
    // Tower: five layers with carrier splits.
    let layers: [(i64, i64, &[i64]); 5] = [
        (0, 10 * M, &[600, 400]),
        (10 * M, 40 * M, &[500, 300]),
        (50 * M, 50 * M, &[1000]),
        (100 * M, 100 * M, &[333, 333, 334]),
        (200 * M, 300 * M, &[1000]),
    ];
    let mut paid = 0;
    let mut slot = 0;
    for (k, (a, l, shares)) in layers.iter().enumerate() {
        let mut band = (x - a).clamp(0, *l);
        if k == 0 {
            band = band.min(s.primary_left);
            s.primary_left -= band;
        }
        if k == 4 && cause == 2 {
            band = 0;
        }
        let mut given = 0;
        for sh in shares.iter() {
            let part = (i128::from(band) * i128::from(*sh) / 1000) as i64;
            out[slot] = part;
            slot += 1;
            given += part;
        }
        paid += given;
    }
    paid
}

fn bench(c: &mut Criterion) {
    let program = specie::compile_str(BENCH_PROGRAM).unwrap().program;
    assert_eq!(program.layers.len(), 5);
    assert_eq!(program.sublimits.len(), 4);
    assert_eq!(program.deductibles.len(), 2);
    assert_eq!(program.exclusions.len(), 3);
    let raw = raw_events(event_line);
    let evs = events(&program, &raw, Prices::default());
    let early_before = specie::time::Date::new(2026, 1, 2).unwrap().midnight();
    let plain_input: Vec<PlainEvent> = evs
        .iter()
        .map(|e| PlainEvent {
            cause: [
                "external_hack",
                "key_compromise",
                "insider_theft",
                "vendor_breach",
                "physical_loss",
            ]
            .iter()
            .position(|c| *c == e.cause)
            .unwrap() as u8,
            lines: e
                .lines
                .iter()
                .map(|l| {
                    (
                        ["hot", "warm", "cold"]
                            .iter()
                            .position(|t| *t == l.tier)
                            .unwrap() as u8,
                        l.value.0,
                    )
                })
                .collect(),
            staff: match e.attributes[0] {
                specie::program::Value::Count(n) => n,
                _ => 0,
            },
            early: e.occurred < early_before,
            documented: matches!(e.attributes[1], specie::program::Value::Flag(true)),
        })
        .collect();

    let mut g = c.benchmark_group("replay_1M_events");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    time_engine(&mut g, &program, &evs);
    g.bench_function("plain_integer_loop", |b| {
        b.iter(|| {
            let mut s = Plain {
                hot_left: 500 * M,
                vendor_left: 200 * M,
                primary_left: 1000 * M,
            };
            let mut out = [0i64; 12];
            let mut paid = 0i64;
            for ev in &plain_input {
                paid += plain_event(&mut s, ev, &mut out);
            }
            black_box(paid)
        })
    });
    g.finish();

    // A 300-layer tower: events adding to hundreds of uncovered entries each.
    let wide = specie::compile_str(&specie::bench_support::wide_tower_program(300))
        .unwrap()
        .program;
    let wide_evs = events(&wide, &raw[..100_000], Prices::default());
    let mut g = c.benchmark_group("wide_tower_100k_events");
    g.throughput(Throughput::Elements(100_000));
    g.sample_size(10);
    time_engine(&mut g, &wide, &wide_evs);
    g.finish();

    // Preparation (JSON → validated event) and the stream path, on 100k events.
    let mut text = String::new();
    let mut rng = Rng(7);
    for i in 0..100_000u64 {
        event_line(i, &mut rng, &mut text);
        text.push('\n');
    }
    let mut g = c.benchmark_group("stream_100k_events");
    g.throughput(Throughput::Elements(100_000));
    g.sample_size(10);
    g.bench_function("replay_stream", |b| {
        b.iter(|| {
            let s = specie::replay::replay_stream(&program, text.as_bytes(), None, None).unwrap();
            black_box(s.events)
        })
    });
    // The same with the compact result document (`replay --events E --json`) written.
    let mut out = Vec::new();
    g.bench_function("replay_stream_json", |b| {
        b.iter(|| {
            out.clear();
            let s = specie::replay::replay_stream(&program, text.as_bytes(), None, Some(&mut out))
                .unwrap();
            black_box((s.events, out.len()))
        })
    });
    g.finish();
}

criterion_group!(benches, bench, priced::bench);
criterion_main!(benches);
