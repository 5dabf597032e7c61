//! Parse and compile throughput on a generated program of about 1 MiB (thousands of layers
//! and clauses). Run with `cargo bench --bench parse`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::fmt::Write;

/// A valid program of roughly `target` bytes: sub-limits, deductibles and exclusions with
/// conditions, and a tower of contiguous layers with split carrier shares.
fn generated_program(target: usize) -> String {
    let mut s = String::from(
        "# generated for the parse benchmark\nprogram \"Generated\" {\n  currency USD\n  period 2026-01-01 to 2027-01-01\n  attribute colluding_staff: count = 0\n  attribute reported_after: duration = 0 days\n  attribute documented: flag = true\n  covers external_hack, key_compromise, insider_theft, vendor_breach, physical_loss\n",
    );
    let mut i = 0u64;
    while s.len() < target {
        let _ = writeln!(
            s,
            "  sublimit \"S{i}\" {}k per occurrence, {}M aggregate when tier is hot and cause in [external_hack, key_compromise] # sub-limit {i}",
            100 + i % 900,
            1 + i % 50
        );
        let _ = writeln!(
            s,
            "  exclude \"E{i}\" when (cause is insider_theft and colluding_staff >= {}) or reported_after > {} days or not documented",
            2 + i % 5,
            30 + i % 60
        );
        let _ = writeln!(
            s,
            "  layer \"L{i}\" 1M xs {i}M {{\n    aggregate 2M\n    reinstatements 1 at 100%\n    premium 25k\n    carrier \"Carrier A\" 62.5%\n    carrier \"Carrier B\" 37.5%\n  }}"
        );
        i += 1;
    }
    s.push_str("  deductible \"Standard\" 1M per occurrence, 3M aggregate\n}\n");
    s
}

fn bench(c: &mut Criterion) {
    let src = generated_program(1 << 20);
    let compiled = specie::compile_str(&src).expect("the generated program compiles");
    eprintln!(
        "generated program: {} bytes, {} layers, {} clauses",
        src.len(),
        compiled.program.layers.len(),
        compiled.program.sublimits.len()
            + compiled.program.exclusions.len()
            + compiled.program.deductibles.len()
    );
    let mut g = c.benchmark_group("front_end_1MiB");
    g.throughput(Throughput::Bytes(src.len() as u64));
    g.sample_size(20);
    g.bench_function("parse", |b| b.iter(|| specie::parse(&src).expect("parses")));
    g.bench_function("parse_and_compile", |b| {
        b.iter(|| specie::compile_str(&src).expect("compiles"))
    });
    let file = specie::parse(&src).expect("parses");
    g.bench_function("format", |b| b.iter(|| specie::format(&file)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
