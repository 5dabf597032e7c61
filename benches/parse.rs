//! Parse and compile throughput on a generated program of about 1 MiB (thousands of layers
//! and clauses). Run with `cargo bench --bench parse`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let src = specie::bench_support::generated_program(1 << 20);
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
