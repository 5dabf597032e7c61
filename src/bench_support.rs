//! Generated programs and events for benchmarks and load tests (`benches/`,
//! `examples/gen_events.rs`). Not part of the stable API.
#![allow(missing_docs)]

use std::fmt::Write;

/// A program with five layers, four sub-limits, two deductibles and three exclusions.
pub const BENCH_PROGRAM: &str = r#"program "Benchmark tower" {
  currency USD
  period 2026-01-01 to 2027-01-01
  discovery window 90 days
  attribute colluding_staff: count = 0
  attribute documented: flag = true
  covers external_hack, key_compromise, insider_theft, vendor_breach, physical_loss
  sublimit "Hot wallets" 25M per occurrence, 500M aggregate when tier is hot
  sublimit "Warm wallets" 75M per occurrence when tier is warm
  sublimit "Vendor breach" 5M per occurrence, 200M aggregate when cause is vendor_breach
  sublimit "Physical loss" 50M per occurrence when cause is physical_loss
  deductible "Standard" 1M per occurrence
  deductible "Hot retention" 5% min 500k max 2.5M per occurrence when tier is hot
  exclude "Insider collusion" when cause is insider_theft and colluding_staff >= 2
  exclude "Undocumented ceremony" when tier is cold and not documented
  exclude "Early losses" when occurred < 2026-01-02
  layer "Primary" 10M xs 0 { aggregate 1B reinstatements 10 at 100% premium 400k carrier "A" 60% carrier "B" 40% }
  layer "First excess" 40M xs 10M { carrier "C" 50% carrier "D" 30% }
  layer "Second excess" 50M xs 50M { carrier "E" 100% }
  layer "Third excess" 100M xs 100M { carrier "F" 33.3% carrier "G" 33.3% carrier "H" 33.4% }
  layer "Top" 300M xs 200M { carrier "I" 100% exclude "No insider" when cause is insider_theft }
}"#;

/// The benchmark events' causes, in the order the generators draw them.
pub const CAUSES: [&str; 5] = [
    "external_hack",
    "key_compromise",
    "insider_theft",
    "vendor_breach",
    "physical_loss",
];
const TIERS: [&str; 3] = ["hot", "warm", "cold"];

/// A small deterministic generator (xorshift).
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::arithmetic_side_effects)]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// The start of event number `i`'s JSON line, up to its list of losses: a random cause,
/// occurred 2 minutes plus 2 seconds per event after the period start, discovered an
/// hour later.
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
fn event_head(i: u64, rng: &mut Rng, out: &mut String) {
    let cause = CAUSES[(rng.next_u64() % 5) as usize];
    let start = 1_767_225_600u64; // 2026-01-01T00:00:00Z
    let occurred = crate::time::Instant((start + 120 + i * 2) as i64);
    let discovered = crate::time::Instant((start + 120 + i * 2 + 3600) as i64);
    let _ = write!(
        out,
        r#"{{"id":"E{i:09}","cause":"{cause}","occurred":"{occurred}","discovered":"{discovered}","losses":["#
    );
}

/// Event number `i` as a JSON line: one or two loss lines, sorted order by construction
/// (one event per 2 seconds from the period start).
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
pub fn event_line(i: u64, rng: &mut Rng, out: &mut String) {
    event_head(i, rng, out);
    let lines = 1 + rng.next_u64() % 2;
    for n in 0..lines {
        let tier = TIERS[(rng.next_u64() % 3) as usize];
        // Log-spread amounts from 1k to ~400M.
        let mag = 10u64.pow(3 + (rng.next_u64() % 6) as u32);
        let cents = mag * (1 + rng.next_u64() % 400);
        if n > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"tier":"{tier}","amount":"{}.{:02}"}}"#,
            cents / 100,
            cents % 100
        );
    }
    let staff = rng.next_u64() % 3;
    let _ = write!(out, r#"],"attributes":{{"colluding_staff":{staff}}}}}"#);
}

/// The BTC price of the priced events ([`priced_event_line`]), one observation at the
/// period start.
pub const PRICED_BTC: &str = "64250.17";

/// Event number `i` shaped like a custody incident (issue 30, as
/// `benches/python/priced_shape.py` writes them): two loss lines, an asset quantity of
/// 0.01 to 400.00 BTC (valued at [`PRICED_BTC`]) and an amount of 1,000.00 to
/// 40,000,000.99, each on a random tier, and an integer attribute `colluding_staff` of 0
/// to 2 (one event per 2 seconds from the period start).
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
pub fn priced_event_line(i: u64, rng: &mut Rng, out: &mut String) {
    event_head(i, rng, out);
    let quantity = 1 + rng.next_u64() % 40_000;
    let amount = 1_000 + rng.next_u64() % 39_999_001;
    let _ = write!(
        out,
        r#"{{"tier":"{}","asset":"BTC","quantity":"{}.{:02}"}},{{"tier":"{}","amount":"{amount}.{:02}"}}],"attributes":{{"colluding_staff":{}}}}}"#,
        TIERS[(rng.next_u64() % 3) as usize],
        quantity / 100,
        quantity % 100,
        TIERS[(rng.next_u64() % 3) as usize],
        rng.next_u64() % 100,
        rng.next_u64() % 3,
    );
}

/// A tower of `layers` contiguous layers of 1M, each with a 1M aggregate (used up by its
/// first full band) split between two carriers: once the aggregates are gone, a large loss
/// leaves one `aggregate_exhausted` amount per layer it reaches.
pub fn wide_tower_program(layers: usize) -> String {
    let mut s = String::from(
        "program \"Wide tower\" {\n  currency USD\n  period 2026-01-01 to 2027-01-01\n  attribute colluding_staff: count = 0\n",
    );
    for i in 0..layers {
        let _ = writeln!(
            s,
            "  layer \"L{i}\" 1M xs {i}M {{ aggregate 1M carrier \"A\" 50% carrier \"B\" 50% }}"
        );
    }
    s.push_str("}\n");
    s
}

/// A valid program of roughly `target` bytes: sub-limits, deductibles and exclusions with
/// conditions, and a tower of contiguous layers with split carrier shares.
pub fn generated_program(target: usize) -> String {
    let mut s = String::from(
        "# generated for the parse benchmark\nprogram \"Generated\" {\n  currency USD\n  period 2026-01-01 to 2027-01-01\n  attribute colluding_staff: count = 0\n  attribute reported_after: duration = 0 days\n  attribute documented: flag = true\n  covers external_hack, key_compromise, insider_theft, vendor_breach, physical_loss\n",
    );
    let mut i = 0u64;
    while s.len() < target {
        let _ = writeln!(
            s,
            "  sublimit \"S{i}\" {}k per occurrence, {}M aggregate when tier is hot and cause in [external_hack, key_compromise] # sub-limit {i}",
            (i % 900).wrapping_add(100),
            (i % 50).wrapping_add(1)
        );
        let _ = writeln!(
            s,
            "  exclude \"E{i}\" when (cause is insider_theft and colluding_staff >= {}) or reported_after > {} days or not documented",
            (i % 5).wrapping_add(2),
            (i % 60).wrapping_add(30)
        );
        let _ = writeln!(
            s,
            "  layer \"L{i}\" 1M xs {i}M {{\n    aggregate 2M\n    reinstatements 1 at 100%\n    premium 25k\n    carrier \"Carrier A\" 62.5%\n    carrier \"Carrier B\" 37.5%\n  }}"
        );
        i = i.wrapping_add(1);
    }
    s.push_str("  deductible \"Standard\" 1M per occurrence, 3M aggregate\n}\n");
    s
}
