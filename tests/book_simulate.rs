//! Simulating a book (spec sections 15.2 and 16): the events written replay to each
//! program's yearly figures, the book's figures are their sums, two passes give the bytes
//! of one, threads change nothing, and a fixed vendor damage gives closed forms.

mod common;

use common::{root, specie};
use specie::portfolio::{
    compile_book_model_str, compile_portfolio_str, files_beside, simulate_book, write_book_events,
    BookModel, BookOptions, Portfolio,
};
use specie::simulate::{Block, SummaryKey, DEFAULT_RETURN_PERIODS};
use std::collections::BTreeMap;

const BOOK: &str = "fixtures/book/custody-book.specie";
const MODEL: &str = "fixtures/book/custody-book-model.specie";

fn book() -> Portfolio {
    let path = root().join(BOOK);
    let src = std::fs::read_to_string(&path).unwrap();
    compile_portfolio_str(&src, &mut files_beside(&path))
        .unwrap()
        .portfolio
}

fn book_model(p: &Portfolio, src: &str) -> BookModel {
    let path = root().join(MODEL);
    compile_book_model_str(src, p, &mut files_beside(&path))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .model
}

/// One run: (JSON, chart, year loss table) and the whole block when one pass.
fn run(
    p: &Portfolio,
    m: &BookModel,
    years: u64,
    passes: u8,
    threads: usize,
) -> (String, String, Vec<u8>, Option<Block>) {
    let mut plt = Vec::new();
    let mut whole = None;
    let options = BookOptions {
        threads: Some(threads),
        return_periods: &DEFAULT_RETURN_PERIODS,
        passes: Some(passes),
        chart: true,
    };
    let mut take = |keys: &[SummaryKey], b: &Block| {
        specie::simulate::write_plt_rows(&mut plt, keys, b, 2).unwrap();
        if passes == 1 {
            whole = Some(b.clone());
        }
    };
    let (r, svg) = simulate_book(p, m, years, 7, &options, &|_| {}, Some(&mut take)).unwrap();
    (r.to_json(), svg.unwrap(), plt, whole)
}

fn per_year(block: &Block, key: SummaryKey) -> BTreeMap<u32, i64> {
    let a = &block.summaries[&key];
    a.annual_years
        .iter()
        .copied()
        .zip(a.annual.iter().copied())
        .collect()
}

#[test]
fn events_written_replay_to_each_programs_figures_and_the_book_sums_them() {
    let p = book();
    let m = book_model(&p, &std::fs::read_to_string(root().join(MODEL)).unwrap());
    let years = 400;
    let (_, _, _, block) = run(&p, &m, years, 1, 2);
    let block = block.unwrap();
    let mut lines = Vec::new();
    write_book_events(&p, &m, years, 7, &mut lines).unwrap();
    let text = String::from_utf8(lines).unwrap();
    // year → program → its lines
    let mut by: BTreeMap<(u64, String), String> = BTreeMap::new();
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let key = (
            v["year"].as_u64().unwrap(),
            v["program"].as_str().unwrap().to_string(),
        );
        let e = by.entry(key).or_default();
        e.push_str(l);
        e.push('\n');
    }
    assert!(text.contains("@exchange"), "vendor expansions are written");
    let gu = per_year(&block, SummaryKey::GroundUp);
    let mut checked = 0;
    for y in 1..=years {
        let mut sum_gu = 0i64;
        for (i, b) in p.programs.iter().enumerate() {
            let stream = by.get(&(y, b.key.clone())).cloned().unwrap_or_default();
            let s =
                specie::replay::replay_stream(&b.program, stream.as_bytes(), None, None).unwrap();
            let cur = &b.program.currency;
            let paid = cur.money_exact(s.totals.paid).unwrap().0;
            let g = cur.money_exact(s.totals.ground_up).unwrap().0;
            let i = i as u32;
            let want = per_year(&block, SummaryKey::Program(i, 0))
                .get(&(y as u32))
                .copied()
                .unwrap_or(0);
            assert_eq!(paid, want, "year {y}, program {} paid", b.key);
            let unc = per_year(&block, SummaryKey::Program(i, 1))
                .get(&(y as u32))
                .copied()
                .unwrap_or(0);
            assert_eq!(g - paid, unc, "year {y}, program {} uncovered", b.key);
            sum_gu += g;
            checked += usize::from(!stream.is_empty());
        }
        assert_eq!(
            sum_gu,
            gu.get(&(y as u32)).copied().unwrap_or(0),
            "year {y} book ground-up"
        );
    }
    assert!(checked > 100, "{checked} program-years with events");
}

#[test]
fn two_passes_and_threads_give_the_same_bytes() {
    let p = book();
    let m = book_model(&p, &std::fs::read_to_string(root().join(MODEL)).unwrap());
    for years in [1, 777, 12_000] {
        let (a, b, c, _) = run(&p, &m, years, 1, 2);
        let (a2, b2, c2, _) = run(&p, &m, years, 2, 2);
        let (a1, b1, c1, _) = run(&p, &m, years, 2, 1);
        assert_eq!(a, a2, "{years} years: statistics");
        assert_eq!(b, b2, "{years} years: chart");
        assert_eq!(c, c2, "{years} years: year loss table");
        assert_eq!((a2, b2, c2), (a1, b1, c1), "{years} years: threads");
    }
}

#[test]
fn a_fixed_damage_reaching_k_programs_gives_closed_forms() {
    let p = book();
    // Every year exactly one breach of the hosting provider, 10% of every hot wallet:
    // exchange hot 60M, platform hot 15M, warranty hot 5M, each `uses` 100% of it. The
    // book's ground-up is 10% × (60M + 15M + 5M) = 8,000,000.00 each year, one occurrence.
    let src = r#"portfolio model "fixed" {
      vendor peril "Host" {
        vendor "hosting_provider"
        cause vendor_breach
        frequency fixed 1 per year
        damage fixed 10%
      }
    }"#;
    let m = book_model(&p, src);
    let (json, _, _, block) = run(&p, &m, 300, 1, 2);
    let block = block.unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let gu = &v["summaries"][0];
    assert_eq!(gu["summary"], "ground_up");
    assert_eq!(gu["aal"], "8000000.00");
    assert_eq!(gu["sd"], "0.00");
    assert_eq!(gu["oep"][0]["loss"], "8000000.00");
    let vendor = v["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["summary"] == "vendor:Host")
        .unwrap();
    assert_eq!(vendor["aal"], "8000000.00");
    let clash = &v["clash"][0];
    assert_eq!(clash["events"], 300);
    assert_eq!(clash["programs_per_event"], 3.0);
    // The book's paid is the exact sum of the programs' paid, year by year.
    let sum: i128 = (0..p.programs.len() as u32)
        .map(|i| block.summaries[&SummaryKey::Program(i, 0)].sum)
        .sum();
    assert_eq!(block.summaries[&SummaryKey::Paid].sum, sum);
}

#[test]
fn the_command_line_simulates_a_book_and_refuses_a_bad_model() {
    let (code, out, err) = specie(&["simulate", BOOK, MODEL, "--years", "2000"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("diversification"), "{out}");
    assert!(out.contains("Multisig UI compromise"), "{out}");
    let dir = std::env::temp_dir().join(format!("specie-book-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.specie");
    std::fs::write(
        &bad,
        "portfolio model \"m\" {\n  model \"exchang\" \"x.specie\"\n  vendor peril \"V\" {\n    vendor \"hosting\"\n    cause vendor_breach\n    frequency poisson 0.1 per year\n    damage fixed 120%\n  }\n}\n",
    )
    .unwrap();
    let (code, _, err) = specie(&["simulate", BOOK, bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did you mean `exchange`"), "{err}");
    assert!(err.contains("portfolio_model::unknown_vendor"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_book_run_spread_over_machines_gives_the_one_machine_bytes() {
    use specie::portfolio::{
        book_keep_years, book_plan_pass_two, book_sketch_years, book_statistics,
    };
    use specie::simulate::{gather, BucketPlan, KeptValues, Sketch};
    let p = book();
    let m = book_model(&p, &std::fs::read_to_string(root().join(MODEL)).unwrap());
    let years = 9_000;
    let (local, _, _, _) = run(&p, &m, years, 1, 2);
    // Four "machines": years 1-2000, 2001-2048, 2049-6000, 6001-9000.
    let slices = [(1, 2000), (2001, 48), (2049, 3952), (6001, 3000)];
    let mut merged = Sketch::default();
    for (f, n) in slices.iter().rev() {
        let s = book_sketch_years(&p, &m, 7, *f, *n, Some(1)).unwrap();
        merged = merged.merge(Sketch::from_bytes(&s.to_bytes()).unwrap());
    }
    assert_eq!(merged.block().years, years);
    let plan = book_plan_pass_two(&merged, &DEFAULT_RETURN_PERIODS);
    let plan = BucketPlan::from_bytes(&plan.to_bytes()).unwrap();
    let kept: Vec<KeptValues> = slices
        .iter()
        .map(|(f, n)| {
            let k = book_keep_years(&p, &m, 7, &plan, *f, *n, Some(2)).unwrap();
            KeptValues::from_bytes(&k.to_bytes()).unwrap()
        })
        .collect();
    let tally = gather(merged, &plan, kept);
    let spread = book_statistics(&p, &m, 7, &tally, &DEFAULT_RETURN_PERIODS).to_json();
    assert_eq!(spread, local);
}

#[test]
fn aal_adds_up_so_its_diversification_is_zero() {
    // The book AAL of a carrier and the sum of its program slices' AAL are one exact sum
    // divided once: equal to the cent (rounding each slice first left a cent apart).
    let p = book();
    let m = book_model(&p, &std::fs::read_to_string(root().join(MODEL)).unwrap());
    let (json, _, _, _) = run(&p, &m, 4000, 1, 2);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["diversification"].as_array().unwrap();
    assert!(rows.len() >= 8);
    for d in rows {
        assert_eq!(d["book"]["aal"], d["sum_of_programs"]["aal"], "{d}");
        if d["book"]["aal"] != "0.00" {
            assert_eq!(d["diversification"]["aal"], 0.0, "{d}");
        }
    }
}
