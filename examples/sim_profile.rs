//! Simulates years of the every-kind model on one thread (`simulate_block`), for
//! instruction counts that do not depend on machine noise, and events per second:
//!
//! ```text
//! cargo build --release --example sim_profile
//! target/release/examples/sim_profile 200000
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     target/release/examples/sim_profile 50000
//! callgrind_annotate /tmp/cg.out | head -30
//! ```
//!
//! Instructions per event: the total of `callgrind_annotate` divided by the events printed.
const PROGRAM: &str = include_str!("../fixtures/programs/crypto-native-crime-specie.specie");
const MODEL: &str =
    include_str!("../fixtures/models/crypto-native-crime-specie--every-kind.specie");

fn main() {
    let years: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let program = specie::compile_str(PROGRAM).expect("compiles").program;
    let model = specie::compile::compile_model_str(MODEL, &program)
        .expect("model compiles")
        .model;
    let start = std::time::Instant::now();
    let block = specie::simulate::simulate_block(&program, &model, 1, 1, years).expect("simulates");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{years} years, {} events in {secs:.3} s: {:.2}M events/s",
        block.events,
        block.events as f64 / secs / 1e6
    );
}
