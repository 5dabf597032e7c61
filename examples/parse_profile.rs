//! Parses and compiles the generated 1 MiB program of `benches/parse.rs` a few times, for
//! instruction counts that do not depend on machine noise, and prints
//! the throughput it measured:
//!
//! ```text
//! cargo build --release --example parse_profile
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.parse \
//!     target/release/examples/parse_profile 3
//! callgrind_annotate --inclusive=yes /tmp/cg.parse | head -40
//! ```
use specie::bench_support::generated_program;

fn main() {
    let rounds: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let src = generated_program(1 << 20);
    let mut layers = 0;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        let compiled = specie::compile_str(&src).expect("the generated program compiles");
        layers += compiled.program.layers.len();
    }
    let secs = started.elapsed().as_secs_f64();
    let mib = src.len() as f64 * f64::from(rounds) / (1024.0 * 1024.0);
    println!(
        "{} bytes, {rounds} rounds, {layers} layers: parse + compile {:.1} MiB/s",
        src.len(),
        mib / secs
    );
}
