//! Simulating a book (spec section 15.2): 50 generated programs (`scripts/gen-book.py
//! --programs 50 --vendors 5 --model`), each with the shipped hot-wallet model, and five
//! vendor perils, over 100,000 years on every core, one and two passes. The book is
//! written under `target/bench-book50` when the bench starts (Python 3 needed).
//! Run with `cargo bench --bench book`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use specie::portfolio::{
    compile_book_model_str, compile_portfolio_str, files_beside, simulate_book, BookOptions,
};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = Path::new(root).join("target/bench-book50");
    let status = std::process::Command::new("python3")
        .args([
            "scripts/gen-book.py",
            "--programs",
            "50",
            "--vendors",
            "5",
            "--model",
        ])
        .arg("--out")
        .arg(&dir)
        .current_dir(root)
        .status()
        .expect("python3 runs scripts/gen-book.py");
    assert!(status.success());
    let book_path = dir.join("book.specie");
    let book = std::fs::read_to_string(&book_path).unwrap();
    let portfolio = compile_portfolio_str(&book, &mut files_beside(&book_path))
        .unwrap()
        .portfolio;
    let model_path = dir.join("model.specie");
    let model_src = std::fs::read_to_string(&model_path).unwrap();
    let model = compile_book_model_str(&model_src, &portfolio, &mut files_beside(&model_path))
        .unwrap()
        .model;
    let years = 100_000;
    let run = |passes: u8| {
        let options = BookOptions {
            threads: None,
            return_periods: &specie::simulate::DEFAULT_RETURN_PERIODS,
            passes: Some(passes),
            chart: false,
        };
        simulate_book(&portfolio, &model, years, 3, &options, &|_| {}, None).unwrap()
    };
    let events = run(1).0.events;
    let mut g = c.benchmark_group("book_50_programs_100k_years");
    g.throughput(Throughput::Elements(events));
    g.sample_size(10);
    for passes in [1u8, 2] {
        g.bench_function(format!("passes_{passes}"), |b| {
            b.iter(|| black_box(run(passes).0.events))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
