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
//! It prints the instructions' owner: `Replayer::event` inclusive cost divided by the
//! number of events is the engine's cost per event.
use specie::bench_support::{event_line, Rng, BENCH_PROGRAM};
use specie::replay::{Outcome, Replayer};
use specie::scenario::{Prices, RawEvent};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let program = specie::compile_str(BENCH_PROGRAM)
        .expect("compiles")
        .program;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::new();
    let raw: Vec<RawEvent<'static>> = (0..n)
        .map(|i| {
            line.clear();
            event_line(i, &mut rng, &mut line);
            RawEvent::from_json_line(&line, 1)
                .expect("valid")
                .into_owned()
        })
        .collect();
    let mut replayer = Replayer::new(&program);
    let prep = replayer
        .preparer(Prices::default(), None)
        .expect("preparer");
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
