//! Writes N generated events as JSON Lines, for load-testing `specie replay --events`:
//!
//! ```text
//! cargo run --release --example gen_events -- --program /tmp/bench.specie
//! cargo run --release --example gen_events -- 10000000 > /tmp/events.jsonl
//! specie replay /tmp/bench.specie --events /tmp/events.jsonl
//! ```
use specie::bench_support::{event_line, Rng, BENCH_PROGRAM};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--program") {
        let path = args.get(2).expect("--program FILE");
        std::fs::write(path, BENCH_PROGRAM).expect("write the program");
        return;
    }
    let n: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::new();
    for i in 0..n {
        line.clear();
        event_line(i, &mut rng, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes()).expect("write");
    }
    out.flush().expect("flush");
}
