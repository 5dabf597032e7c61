//! Replays the benchmark events through the engine alone, for instruction counts that do
//! not depend on machine noise:
//!
//! ```text
//! cargo build --release --example engine_profile
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     target/release/examples/engine_profile 200000
//! callgrind_annotate /tmp/cg.out | head -30
//! ```
//!
//! With a second argument `priced`, the events are issue 30's shape (a BTC quantity at a
//! price, an amount, an integer attribute) through the crypto-native program.
//!
//! It prints the instructions' owner: `Replayer::event` inclusive cost divided by the
//! number of events is the engine's cost per event.
use specie::bench_support::{event_line, priced_event_line, Rng, BENCH_PROGRAM, PRICED_BTC};
use specie::replay::{Outcome, Replayer};
use specie::scenario::{Prices, RawEvent};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let priced = std::env::args().nth(2).as_deref() == Some("priced");
    let (text, shape): (&str, fn(u64, &mut Rng, &mut String)) = if priced {
        (
            include_str!("../fixtures/programs/crypto-native-crime-specie.specie"),
            priced_event_line,
        )
    } else {
        (BENCH_PROGRAM, event_line)
    };
    let program = specie::compile_str(text).expect("compiles").program;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::new();
    let raw: Vec<RawEvent<'static>> = (0..n)
        .map(|i| {
            line.clear();
            shape(i, &mut rng, &mut line);
            RawEvent::from_json_line(&line, 1)
                .expect("valid")
                .into_owned()
        })
        .collect();
    let mut replayer = Replayer::new(&program);
    let prep = replayer.preparer(prices(priced), None).expect("preparer");
    let events: Vec<_> = raw
        .iter()
        .map(|r| prep.prepare(r, replayer.symbols()).expect("valid"))
        .collect();
    let mut out = Outcome::default();
    for ev in &events {
        replayer.event(ev, &mut out, None).expect("replays");
    }
    println!("{} events, paid {}", events.len(), replayer.totals().paid);
}

/// The BTC price for priced events, none otherwise.
fn prices(priced: bool) -> Prices {
    let mut series = std::collections::BTreeMap::new();
    if priced {
        let price = rust_decimal::Decimal::from_str_exact(PRICED_BTC).expect("a price");
        series.insert(
            "BTC".to_string(),
            vec![(
                "2026-01-01T00:00:00Z".to_string(),
                specie::scenario::DecimalValue(price),
            )],
        );
    }
    Prices::new(&series).expect("valid prices")
}
