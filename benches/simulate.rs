//! Simulation throughput on the brief's example (three perils through the crypto-native
//! program): simulated events per second, one thread (`simulate_block`) and all threads.
//! Run with `cargo bench --bench simulate`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const PROGRAM: &str = include_str!("../fixtures/programs/crypto-native-crime-specie.specie");
const MODEL: &str =
    include_str!("../fixtures/models/crypto-native-crime-specie--every-kind.specie");

fn bench(c: &mut Criterion) {
    let program = specie::compile_str(PROGRAM).unwrap().program;
    let model = specie::compile::compile_model_str(MODEL, &program)
        .unwrap()
        .model;
    let years = 100_000;
    let events = specie::simulate::simulate_block(&program, &model, 1, 1, years)
        .unwrap()
        .events;
    let mut g = c.benchmark_group("simulate_100k_years");
    g.throughput(Throughput::Elements(events));
    g.sample_size(10);
    g.bench_function("one_thread", |b| {
        b.iter(|| {
            black_box(
                specie::simulate::simulate_block(&program, &model, 1, 1, years)
                    .unwrap()
                    .events,
            )
        })
    });
    g.bench_function("all_threads", |b| {
        b.iter(|| {
            black_box(
                specie::simulate::simulate(&program, &model, years, 1, None, &|_| {})
                    .unwrap()
                    .events,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
