//! Simulation (brief section 12): golden runs, determinism over threads and blocks,
//! consistency with ordinary replay of the simulated events, closed forms, and properties
//! of the statistics.

mod common;

use common::{files, root, specie};
use proptest::prelude::*;
use specie::simulate::{self, Block, SimulationResult, SummaryKey};
use std::collections::BTreeMap;

const PROGRAM: &str = "fixtures/programs/crypto-native-crime-specie.specie";
const EVERY_KIND: &str = "fixtures/models/crypto-native-crime-specie--every-kind.specie";

fn program(src: &str) -> specie::program::Program {
    specie::compile_str(src).unwrap().program
}

fn model(src: &str, p: &specie::program::Program) -> specie::model::Model {
    specie::compile::compile_model_str(src, p)
        .unwrap_or_else(|e| panic!("{e:?}\n{src}"))
        .model
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn run(
    p: &specie::program::Program,
    m: &specie::model::Model,
    years: u64,
    seed: u64,
) -> (Block, SimulationResult) {
    let block = simulate::simulate(p, m, years, seed, Some(2), &|_| {}).unwrap();
    let r = simulate::statistics(p, &m.name, seed, &block, &simulate::DEFAULT_RETURN_PERIODS);
    (block, r)
}

#[test]
fn golden_fixed_seed_run() {
    let (code, json, stderr) =
        specie(&["simulate", PROGRAM, EVERY_KIND, "--years", "400", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("simulate_every_kind_json", json);
    let (code, text, stderr) = specie(&["simulate", PROGRAM, EVERY_KIND, "--years", "400"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("simulate_every_kind_text", text);
}

#[test]
fn every_shipped_model_runs_with_its_program() {
    for m in files("fixtures/models", "specie") {
        let name = common::stem(&m);
        let prog = format!(
            "fixtures/programs/{}.specie",
            name.split_once("--").unwrap().0
        );
        let model = m.strip_prefix(root()).unwrap().display().to_string();
        let (code, _, stderr) = specie(&["simulate", &prog, &model, "--years", "300"]);
        assert_eq!(code, 0, "{name}: {stderr}");
    }
}

#[test]
fn threads_and_blocks_do_not_change_a_byte() {
    let (a, _, _) = specie(&[
        "simulate",
        PROGRAM,
        EVERY_KIND,
        "--years",
        "5000",
        "--json",
        "--threads",
        "1",
    ]);
    let (b, _, _) = specie(&[
        "simulate",
        PROGRAM,
        EVERY_KIND,
        "--years",
        "5000",
        "--json",
        "--threads",
        "2",
    ]);
    assert_eq!(a, b);
    // Blocks of years run apart (as on different machines) merge into the single run.
    let p = program(&read(PROGRAM));
    let m = model(&read(EVERY_KIND), &p);
    let whole = simulate::simulate_block(&p, &m, 42, 1, 3000).unwrap();
    let mut merged = simulate::simulate_block(&p, &m, 42, 2001, 1000).unwrap();
    merged.merge(simulate::simulate_block(&p, &m, 42, 1, 700).unwrap());
    merged.merge(simulate::simulate_block(&p, &m, 42, 701, 1300).unwrap());
    let stats = |b: &Block| {
        simulate::statistics(&p, &m.name, 42, b, &simulate::DEFAULT_RETURN_PERIODS).to_json()
    };
    assert_eq!(stats(&merged), stats(&whole));
    assert_eq!(merged.events, whole.events);
}

/// Each year's annual total of `key`, from the block (years without one are zero).
fn per_year(block: &Block, key: SummaryKey) -> BTreeMap<u32, i64> {
    let acc = &block.summaries[&key];
    acc.annual_years
        .iter()
        .copied()
        .zip(acc.annual.iter().copied())
        .collect()
}

/// A small random program: deductible, optional window, layers with aggregates.
fn random_program(ded: u32, window: Option<u32>, layers: &[(u32, u32, bool)]) -> String {
    let mut s = String::from(
        "program \"random\" {\n  period 2026-01-01 to 2027-01-01\n  attribute colluding_staff: count = 0\n  exposure hot 40M\n  exposure warm 150M\n  covers external_hack, key_compromise, insider_theft\n",
    );
    if let Some(w) = window {
        s.push_str(&format!("  occurrence window {w} hours\n"));
    }
    s.push_str(&format!("  deductible \"D\" {ded} per occurrence\n"));
    s.push_str("  sublimit \"Hot\" 20M per occurrence when tier is hot\n");
    let mut attach = 0u64;
    for (i, (limit, gap, agg)) in layers.iter().enumerate() {
        attach += u64::from(*gap);
        s.push_str(&format!("  layer \"L{i}\" {limit} xs {attach} {{\n"));
        if *agg {
            s.push_str(&format!(
                "    aggregate {}\n    reinstatements 1 at 100%\n    premium 100k\n",
                limit * 2
            ));
        }
        s.push_str("    carrier \"A\" 60%\n    carrier \"B\" 30%\n  }\n");
        attach += u64::from(*limit);
    }
    s.push_str("}\n");
    s
}

fn random_model(lambda: f64, median: u32, sigma: f64, nb: f64, seed: u64) -> String {
    format!(
        "model \"random\" {{\n  seed {seed}\n  peril \"a\" {{\n    cause external_hack\n    frequency poisson {lambda:.2} per year\n    loss hot lognormal median {median} sigma {sigma:.2} cap exposure\n  }}\n  peril \"b\" {{\n    cause key_compromise\n    frequency negative binomial mean {nb:.2} dispersion 2 per year\n    loss warm share of exposure beta 0.5 3\n    loss hot uniform 10k to 5M\n  }}\n  peril \"c\" {{\n    cause insider_theft\n    frequency fixed 1 per year\n    loss warm empirical [1k, 50k, 900k]\n    with colluding_staff = 1\n  }}\n}}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The events `--events-out` writes, replayed year by year with the ordinary replay,
    /// give exactly the yearly figures the statistics were built on.
    #[test]
    fn simulated_years_replay_to_the_same_figures(
        ded in 0u32..3_000_000,
        window in prop::option::of(0u32..200),
        layers in prop::collection::vec((1u32..30_000_000, 0u32..2_000_000, any::<bool>()), 1..4),
        lambda in 0.1f64..3.0,
        median in 10_000u32..20_000_000,
        sigma in 0.1f64..2.5,
        nb in 0.1f64..2.0,
        seed in any::<u64>(),
    ) {
        let p = program(&random_program(ded, window, &layers));
        let m = model(&random_model(lambda, median, sigma, nb, seed), &p);
        let years = 40;
        let block = simulate::simulate_block(&p, &m, seed, 1, years).unwrap();
        let mut lines = Vec::new();
        simulate::write_events(&p, &m, years, seed, &mut lines).unwrap();
        let text = String::from_utf8(lines).unwrap();
        let mut by_year: BTreeMap<u64, String> = BTreeMap::new();
        for l in text.lines() {
            let y = serde_json::from_str::<serde_json::Value>(l).unwrap()["year"].as_u64().unwrap();
            let e = by_year.entry(y).or_default();
            e.push_str(l);
            e.push('\n');
        }
        let gu = per_year(&block, SummaryKey::GroundUp);
        let paid = per_year(&block, SummaryKey::Paid);
        let cur = &p.currency;
        for y in 1..=years {
            let stream = by_year.get(&y).cloned().unwrap_or_default();
            let s = specie::replay::replay_stream(&p, stream.as_bytes(), None, None).unwrap();
            let g = cur.money_exact(s.totals.ground_up).unwrap().0;
            let pd = cur.money_exact(s.totals.paid).unwrap().0;
            prop_assert_eq!(g, gu.get(&(y as u32)).copied().unwrap_or(0), "year {} ground-up", y);
            prop_assert_eq!(pd, paid.get(&(y as u32)).copied().unwrap_or(0), "year {} paid", y);
            for (k, l) in s.totals.layers.iter().enumerate() {
                let v = per_year(&block, SummaryKey::Layer(k as u32)).get(&(y as u32)).copied().unwrap_or(0);
                prop_assert_eq!(cur.money_exact(l.paid).unwrap().0, v);
            }
        }
    }
}

/// A program that pays everything: ground-up is what the model draws.
const OPEN: &str = "program \"open\" {\n  period 2026-01-01 to 2027-01-01\n  exposure warm 100M\n  layer \"All\" 100B xs 0 { carrier \"A\" 100% }\n}\n";

/// The ground-up summary of `years` years of `peril` (one peril, cause external_hack).
fn ground_up(peril: &str, years: u64) -> (specie::simulate::SummaryResult, f64) {
    let p = program(OPEN);
    let src =
        format!("model \"m\" {{\n  peril \"p\" {{\n    cause external_hack\n{peril}\n  }}\n}}\n");
    let m = model(&src, &p);
    let (_, r) = run(&p, &m, years, 11);
    let s = r
        .summaries
        .into_iter()
        .find(|s| s.summary == "ground_up")
        .unwrap();
    let se: f64 = s.se.to_string().parse().unwrap();
    (s, se)
}

fn num(d: rust_decimal::Decimal) -> f64 {
    d.to_string().parse().unwrap()
}

#[test]
fn closed_forms_within_five_standard_errors() {
    // Poisson 0.35 × fixed 1M: AAL = 350,000; share of non-zero years = 1 − e^−0.35.
    let (s, se) = ground_up(
        "    frequency poisson 0.35 per year\n    loss warm fixed 1M",
        200_000,
    );
    assert!(
        (num(s.aal) - 350_000.0).abs() < 5.0 * se,
        "{} ± {se}",
        s.aal
    );
    let p0 = 1.0 - (-0.35f64).exp();
    let se_p = (p0 * (1.0 - p0) / 200_000.0).sqrt();
    assert!(
        (s.nonzero_years - p0).abs() < 5.0 * se_p,
        "{}",
        s.nonzero_years
    );
    // Fixed 1 a year × lognormal: mean e^(μ + σ²/2).
    let (s, se) = ground_up(
        "    frequency fixed 1 per year\n    loss warm lognormal median 1M sigma 0.8",
        200_000,
    );
    let mean = 1e6 * (0.32f64).exp();
    assert!(
        (num(s.aal) - mean).abs() < 5.0 * se,
        "{} vs {mean} ± {se}",
        s.aal
    );
    // Negative binomial counts of fixed 1.00: variance m + m²/k.
    let (s, _) = ground_up(
        "    frequency negative binomial mean 2 dispersion 1.5 per year\n    loss warm fixed 1",
        200_000,
    );
    let var = num(s.sd).powi(2);
    let expect = 2.0 + 4.0 / 1.5;
    // The sample variance's SE is about var·√(2/N) for near-normal data; allow 5 of them
    // with a margin for the negative binomial's heavier tail.
    assert!(
        (var - expect).abs() < 5.0 * expect * (2.0f64 / 200_000.0).sqrt() * 3.0,
        "{var} vs {expect}"
    );
    // Beta(2, 6) share of a 100M warm exposure: mean 100M × 2/8.
    let (s, se) = ground_up(
        "    frequency fixed 1 per year\n    loss warm share of exposure beta 2 6",
        100_000,
    );
    assert!((num(s.aal) - 25e6).abs() < 5.0 * se, "{}", s.aal);
    // Pareto scale 100k shape 1.5 capped at 5M: E[min(X, c)] = x + x^α (c^(1−α) − x^(1−α)) / (1 − α).
    let (s, se) = ground_up(
        "    frequency fixed 1 per year\n    loss warm pareto scale 100k shape 1.5 cap 5M",
        200_000,
    );
    let (x, a, c) = (1e5f64, 1.5f64, 5e6f64);
    let mean = x + x.powf(a) * (c.powf(1.0 - a) - x.powf(1.0 - a)) / (1.0 - a);
    assert!(
        (num(s.aal) - mean).abs() < 5.0 * se,
        "{} vs {mean} ± {se}",
        s.aal
    );
}

#[test]
fn statistics_are_consistent() {
    let p = program(&read(PROGRAM));
    let m = model(&read(EVERY_KIND), &p);
    let (block, r) = run(&p, &m, 20_000, 5);
    // Expected occurrences per year: the model's frequencies.
    let expected_occurrences = 0.3 + 0.05 + 0.05 + 1.0 + 0.1;
    for s in &r.summaries {
        for (aep, oep) in s.aep.iter().zip(&s.oep) {
            assert_eq!(aep.return_period, oep.return_period);
            assert!(
                aep.loss >= oep.loss,
                "{} at {}",
                s.summary,
                aep.return_period
            );
            assert!(
                aep.tvar >= aep.loss && oep.tvar >= oep.loss,
                "{}",
                s.summary
            );
        }
        for pair in s.aep.windows(2) {
            assert!(pair[1].loss >= pair[0].loss, "{} not monotone", s.summary);
        }
        for pair in s.oep.windows(2) {
            assert!(pair[1].loss >= pair[0].loss, "{} not monotone", s.summary);
        }
    }
    for (k, l) in p.layers.iter().enumerate() {
        let s = r
            .summaries
            .iter()
            .find(|s| s.summary == format!("layer:{}", l.name))
            .unwrap();
        let limit = num(p.currency.decimal(l.limit));
        assert!(
            num(s.aal) <= limit * expected_occurrences * 1.05,
            "{}",
            l.name
        );
        assert!(r.layers[k].attach_probability >= r.layers[k].exhaust_probability);
    }
    assert_eq!(block.years, 20_000);
}

#[test]
fn replay_accepts_and_ignores_the_year_field() {
    let dir = std::env::temp_dir().join(format!("specie-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("events.jsonl");
    let (code, _, stderr) = specie(&[
        "simulate",
        PROGRAM,
        EVERY_KIND,
        "--years",
        "3",
        "--events-out",
        &out.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().count() >= 3);
    // Every year is the same policy period: one year's lines are one scenario.
    let year1: String = text
        .lines()
        .filter(|l| l.starts_with("{\"year\":1,"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!year1.is_empty());
    let one = dir.join("year1.jsonl");
    std::fs::write(&one, year1).unwrap();
    let (code, _, stderr) = specie(&["replay", PROGRAM, "--events", &one.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn model_errors_point_at_the_word() {
    let cases = [
        (
            "frequency poisson 0.3 per year\n    loss warm pareto scale 0 shape 1.3",
            "a Pareto scale must be greater than zero",
            "specie::model::parameter",
        ),
        (
            "frequency poisson 0.3 per year\n    loss warm share of exposure beta 0 2",
            "a Beta parameter must be greater than zero",
            "specie::model::parameter",
        ),
        (
            "frequency poisson 0.3 per year\n    loss warm empirical []",
            "an empirical list is empty",
            "specie::model::parameter",
        ),
        (
            "frequency poisson 0.3 per year\n    loss cold share of exposure beta 1 2",
            "the program declares no exposure for tier `cold`",
            "specie::model::no_exposure",
        ),
        (
            "frequency poisson 0.3 per year\n    loss warm fixed 1M\n    with colluding = 1",
            "unknown field `colluding`",
            "specie::type::unknown_field",
        ),
        (
            "loss warm fixed 1M",
            "peril `p` has no `frequency` item",
            "specie::model::incomplete",
        ),
    ];
    let p = program(OPEN);
    for (body, message, code) in cases {
        let src = format!(
            "model \"m\" {{\n  peril \"p\" {{\n    cause external_hack\n    {body}\n  }}\n}}\n"
        );
        let err = specie::compile::compile_model_str(&src, &p).unwrap_err();
        let specie::SourceError::Compile(c) = err else {
            panic!("{err:?}")
        };
        let e = &c.errors[0];
        assert_eq!(e.to_string(), message, "{body}");
        assert_eq!(miette::Diagnostic::code(e).unwrap().to_string(), code);
    }
    // A cause the program does not cover, with a suggestion.
    let covered = program("program \"c\" {\n  period 2026-01-01 to 2027-01-01\n  covers external_hack\n  layer \"L\" 1M xs 0 { carrier \"A\" 100% }\n}\n");
    let err = specie::compile::compile_model_str("model \"m\" { peril \"p\" { cause external_hak frequency fixed 1 per year loss hot fixed 1 } }", &covered).unwrap_err();
    let specie::SourceError::Compile(c) = err else {
        panic!()
    };
    assert_eq!(
        c.errors[0].to_string(),
        "cause `external_hak` is not covered by the program"
    );
    assert_eq!(
        miette::Diagnostic::help(&c.errors[0]).unwrap().to_string(),
        "did you mean `external_hack`?"
    );
}

#[test]
fn ord_files_have_their_columns() {
    let dir = std::env::temp_dir().join(format!("specie-ord-{}", std::process::id()));
    let (code, _, stderr) = specie(&[
        "simulate",
        PROGRAM,
        EVERY_KIND,
        "--years",
        "200",
        "--ord",
        &dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let head = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(head("ept.csv"), "SummaryId,EPCalc,EPType,ReturnPeriod,Loss");
    assert_eq!(head("alt.csv"), "SummaryId,SampleType,MeanLoss,SDLoss");
    assert_eq!(head("plt.csv"), "Period,SummaryId,Loss");
    assert_eq!(head("summaries.csv"), "SummaryId,Summary");
    let plt = std::fs::read_to_string(dir.join("plt.csv")).unwrap();
    assert!(plt.lines().skip(1).all(|l| !l.ends_with(",0.00")));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One run both ways: (statistics JSON, chart, year loss table) of one pass and of two.
fn both_ways(
    p: &specie::program::Program,
    m: &specie::model::Model,
    years: u64,
    seed: u64,
    periods: &[u64],
    threads: usize,
) -> [(String, String, Vec<u8>); 2] {
    let block = simulate::simulate(p, m, years, seed, Some(threads), &|_| {}).unwrap();
    let one = simulate::statistics(p, &m.name, seed, &block, periods);
    let mut plt_one = Vec::new();
    let keys: Vec<SummaryKey> = block.summaries.keys().copied().collect();
    simulate::write_plt_rows(&mut plt_one, &keys, &block, p.currency.minor_units).unwrap();
    let mut plt_two = Vec::new();
    let tally = simulate::simulate_two_pass(
        p,
        m,
        seed,
        years,
        Some(threads),
        periods,
        true,
        &|_| {},
        Some(&mut |keys: &[SummaryKey], b: &Block| {
            simulate::write_plt_rows(&mut plt_two, keys, b, p.currency.minor_units).unwrap()
        }),
    )
    .unwrap();
    let two = tally.statistics(p, &m.name, seed, periods);
    [
        (
            one.to_json(),
            simulate::curves_svg(p, &one, &block),
            plt_one,
        ),
        (two.to_json(), tally.curves_svg(p, &two), plt_two),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    /// Section 16: the two-pass run gives the one-pass bytes (statistics, chart, year loss
    /// table) for random programs, models, year counts (below and above the longest return
    /// period) and return periods, on one thread or two.
    #[test]
    fn two_passes_give_the_one_pass_bytes(
        ded in 0u32..3_000_000,
        window in prop::option::of(0u32..200),
        layers in prop::collection::vec((1u32..30_000_000, 0u32..2_000_000, any::<bool>()), 1..4),
        lambda in 0.1f64..3.0,
        median in 10_000u32..20_000_000,
        sigma in 0.1f64..2.5,
        nb in 0.1f64..2.0,
        seed in any::<u64>(),
        years in 1u64..6_000,
        periods in prop::collection::btree_set(1u64..8_000, 1..8),
        threads in 1usize..3,
    ) {
        let p = program(&random_program(ded, window, &layers));
        let m = model(&random_model(lambda, median, sigma, nb, seed), &p);
        let periods: Vec<u64> = periods.into_iter().collect();
        let [one, two] = both_ways(&p, &m, years, seed, &periods, threads);
        prop_assert_eq!(&one.0, &two.0);
        prop_assert_eq!(&one.1, &two.1);
        prop_assert_eq!(&one.2, &two.2);
    }
}

#[test]
fn two_passes_give_the_one_pass_bytes_on_every_shipped_model() {
    for m in files("fixtures/models", "specie") {
        let name = common::stem(&m);
        let prog = format!(
            "fixtures/programs/{}.specie",
            name.split_once("--").unwrap().0
        );
        let p = program(&read(&prog));
        let model = model(&std::fs::read_to_string(&m).unwrap(), &p);
        for years in [1, 999, 20_000] {
            let [one, two] = both_ways(&p, &model, years, 7, &simulate::DEFAULT_RETURN_PERIODS, 2);
            assert_eq!(one.0, two.0, "{name}, {years} years: statistics");
            assert_eq!(one.1, two.1, "{name}, {years} years: chart");
            assert_eq!(one.2, two.2, "{name}, {years} years: year loss table");
        }
    }
}

#[test]
fn two_passes_from_the_command_line_write_the_same_files() {
    let dir = std::env::temp_dir().join(format!("specie-passes-{}", std::process::id()));
    let mut outs = Vec::new();
    for passes in ["1", "2"] {
        let d = dir.join(passes);
        let (code, json, stderr) = specie(&[
            "simulate",
            PROGRAM,
            EVERY_KIND,
            "--years",
            "3000",
            "--json",
            "--passes",
            passes,
            "--ord",
            d.join("ord").to_str().unwrap(),
            "--svg",
            d.join("chart.svg").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let file = |f: &str| std::fs::read_to_string(d.join(f)).unwrap();
        outs.push((
            json,
            file("chart.svg"),
            file("ord/plt.csv"),
            file("ord/ept.csv"),
            file("ord/alt.csv"),
            file("ord/summaries.csv"),
        ));
    }
    assert!(
        outs[0].2.lines().count() > 3000,
        "the year loss table has rows"
    );
    assert_eq!(outs[0], outs[1]);
    let (code, _, stderr) = specie(&["simulate", PROGRAM, EVERY_KIND, "--passes", "3"]);
    assert_eq!(code, 2, "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A run spread over "machines": the years cut into `parts` uneven slices, each slice's
/// sketch and keep shipped as bytes, sketches merged in reverse order, keeps gathered in
/// year order: the statistics JSON of that tally.
fn spread_run(
    p: &specie::program::Program,
    m: &specie::model::Model,
    years: u64,
    seed: u64,
    cuts: &[u64],
) -> String {
    use simulate::{BucketPlan, KeptValues, Sketch};
    let mut slices = Vec::new();
    let mut first = 1;
    for c in cuts.iter().copied().chain([years]) {
        let c = c.min(years);
        if c >= first {
            slices.push((first, c - first + 1));
            first = c + 1;
        }
    }
    let sketches: Vec<Vec<u8>> = slices
        .iter()
        .map(|(f, n)| {
            simulate::sketch_years(p, m, seed, *f, *n, Some(1))
                .unwrap()
                .to_bytes()
        })
        .collect();
    let mut merged = Sketch::default();
    for b in sketches.iter().rev() {
        merged = merged.merge(Sketch::from_bytes(b).unwrap());
    }
    let periods = simulate::DEFAULT_RETURN_PERIODS;
    let plan = simulate::plan_pass_two(p, &merged, &periods, false);
    let plan = BucketPlan::from_bytes(&plan.to_bytes()).unwrap();
    let kept: Vec<KeptValues> = slices
        .iter()
        .map(|(f, n)| {
            let k = simulate::keep_years(p, m, seed, &plan, *f, *n, Some(2)).unwrap();
            KeptValues::from_bytes(&k.to_bytes()).unwrap()
        })
        .collect();
    let tally = simulate::gather(merged, &plan, kept);
    tally.statistics(p, &m.name, seed, &periods).to_json()
}

#[test]
fn a_run_spread_over_machines_gives_the_one_machine_bytes() {
    for m in files("fixtures/models", "specie") {
        let name = common::stem(&m);
        let prog = format!(
            "fixtures/programs/{}.specie",
            name.split_once("--").unwrap().0
        );
        let p = program(&read(&prog));
        let model = model(&std::fs::read_to_string(&m).unwrap(), &p);
        for (years, cuts) in [
            (1, vec![]),
            (999, vec![1, 500]),
            (7_000, vec![2048, 2049, 5000]),
        ] {
            let [one, _] = both_ways(&p, &model, years, 7, &simulate::DEFAULT_RETURN_PERIODS, 2);
            assert_eq!(
                spread_run(&p, &model, years, 7, &cuts),
                one.0,
                "{name}, {years} years cut at {cuts:?}"
            );
        }
    }
}

#[test]
fn bad_pass_bytes_are_errors_not_panics() {
    use simulate::{BucketPlan, KeptValues, Sketch};
    let p = program(&read(PROGRAM));
    let m = model(&read(EVERY_KIND), &p);
    let sketch = simulate::sketch_years(&p, &m, 1, 1, 300, Some(1)).unwrap();
    let plan = simulate::plan_pass_two(&p, &sketch, &simulate::DEFAULT_RETURN_PERIODS, true);
    let kept = simulate::keep_years(&p, &m, 1, &plan, 1, 300, Some(1)).unwrap();
    let (s, pl, k) = (sketch.to_bytes(), plan.to_bytes(), kept.to_bytes());
    assert_eq!(Sketch::from_bytes(&s).unwrap(), sketch);
    assert_eq!(BucketPlan::from_bytes(&pl).unwrap(), plan);
    assert_eq!(KeptValues::from_bytes(&k).unwrap(), kept);
    for bytes in [&s, &pl, &k] {
        for cut in (0..bytes.len()).step_by(7) {
            assert!(Sketch::from_bytes(&bytes[..cut]).is_err());
            assert!(BucketPlan::from_bytes(&bytes[..cut]).is_err());
            assert!(KeptValues::from_bytes(&bytes[..cut]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Sketch::from_bytes(&longer).is_err());
        assert!(BucketPlan::from_bytes(&longer).is_err());
        assert!(KeptValues::from_bytes(&longer).is_err());
        // A count claiming more items than bytes: refused before allocating.
        let mut huge = bytes.clone();
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(Sketch::from_bytes(&huge).is_err());
        assert!(KeptValues::from_bytes(&huge).is_err());
    }
}
