//! Running a book simulation: one pass or two (spec section 16), on a thread pool; the
//! events of the run as JSON Lines.

use super::model::BookModel;
use super::results::{book_ranks, book_results, listed, BookSimulation};
use super::run::{book_block, own_models, program_events, BookSetup};
use crate::portfolio::Portfolio;
use crate::simulate::{
    block_list, chart, grid_queries, thread_pool, two_pass, year_parts, Block, Curve, Kind,
    SimulateError, Sorted, SummaryKey, Year,
};

/// How a book run is made and what it gives besides the statistics.
pub struct BookOptions<'o> {
    /// Threads (all cores when `None`).
    pub threads: Option<usize>,
    /// Return periods of the statistics.
    pub return_periods: &'o [u64],
    /// 1 or 2 passes; `None`: one when the kept totals fit in
    /// [`ONE_PASS_BYTES`](crate::simulate::ONE_PASS_BYTES).
    pub passes: Option<u8>,
    /// Draw the chart.
    pub chart: bool,
}

/// Simulates `years` years of the book under `seed`: the results, the chart when asked
/// for, and each block of years (in year order, with the listed summaries) handed to
/// `on_block` when given, e.g. to write the year loss table. `progress` counts the years of every
/// pass.
pub fn simulate_book(
    portfolio: &Portfolio,
    model: &BookModel,
    years: u64,
    seed: u64,
    options: &BookOptions<'_>,
    progress: &(dyn Fn(u64) + Sync),
    mut on_block: Option<&mut crate::simulate::OnBlock<'_>>,
) -> Result<(BookSimulation, Option<String>), SimulateError> {
    use rayon::prelude::*;
    let own = own_models(portfolio, model);
    let setup = BookSetup::new(portfolio, model, &own, seed);
    let pool = thread_pool(options.threads)?;
    let blocks = block_list(1, years);
    let done = std::sync::atomic::AtomicU64::new(0);
    let run = |first: u64, count: u64| {
        let b = book_block(&setup, first, count);
        let n = done.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        progress(n.saturating_add(count));
        b
    };
    let two = match options.passes {
        Some(p) => p == 2,
        None => super::jobs::book_needs_two_passes(portfolio, model, seed, years)?,
    };
    let curves = chart_curves(&setup);
    let chart_of = |block: &Block, ranks: &dyn crate::simulate::Ranks| {
        let title = format!("{} — {}", model.name, portfolio.name);
        let cur = &portfolio.currency;
        chart(
            &title,
            (&cur.code[..], cur.minor_units),
            block.years,
            &curves,
            ranks,
            &[],
        )
    };
    if two {
        let queries = |sums: &Block| {
            let mut q = book_ranks(sums, years, options.return_periods);
            if options.chart {
                q.extend(grid_queries(curves.iter().map(|c| (c.0, c.1)), years));
            }
            q
        };
        let mut keys: Vec<SummaryKey> = Vec::new();
        let wanted = on_block.is_some();
        let mut forward = |sums: &Block, b: &Block| {
            if keys.is_empty() {
                keys = listed(sums);
            }
            if let Some(f) = on_block.as_mut() {
                f(&keys, b);
            }
        };
        let tally = two_pass(
            &pool,
            &blocks,
            &run,
            None,
            &queries,
            if wanted { Some(&mut forward) } else { None },
        )?;
        let result = book_results(&setup, tally.block(), &tally, options.return_periods);
        let svg = options.chart.then(|| chart_of(tally.block(), &tally));
        return Ok((result, svg));
    }
    let parts: Vec<Result<Block, SimulateError>> =
        pool.install(|| blocks.par_iter().map(|(f, c)| run(*f, *c)).collect());
    let mut whole = Block::default();
    whole.merge_all(parts.into_iter().collect::<Result<_, _>>()?);
    if let Some(f) = on_block.as_mut() {
        f(&listed(&whole), &whole);
    }
    let sorted = Sorted::new(&whole);
    let result = book_results(&setup, &whole, &sorted, options.return_periods);
    let svg = options.chart.then(|| chart_of(&whole, &sorted));
    Ok((result, svg))
}

/// The book chart's curves: the book's ground-up and paid AEP, and each carrier's.
fn chart_curves(s: &BookSetup<'_>) -> Vec<Curve> {
    const COLORS: [&str; 8] = [
        "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac",
    ];
    let mut out: Vec<Curve> = vec![
        (
            SummaryKey::GroundUp,
            Kind::Annual,
            "book ground-up AEP".into(),
            "#4e79a7",
            "",
        ),
        (
            SummaryKey::Paid,
            Kind::Annual,
            "book paid AEP".into(),
            "#e15759",
            "",
        ),
    ];
    for (c, name) in s.carriers.iter().enumerate() {
        out.push((
            SummaryKey::Carrier(u32::try_from(c).unwrap_or(u32::MAX)),
            Kind::Annual,
            format!("{name} AEP"),
            COLORS
                .get(c.checked_rem(COLORS.len()).unwrap_or(0))
                .copied()
                .unwrap_or("#333333"),
            "6 4",
        ));
    }
    out
}

/// Writes every simulated event of years `1..=years` as JSON Lines: per year, per program
/// in book order, its events in replay order (section 5 events with `"year"` and
/// `"program"`; a vendor expansion has `"series"`: its id, so that it replays as an
/// occurrence of its own).
pub fn write_book_events(
    portfolio: &Portfolio,
    model: &BookModel,
    years: u64,
    seed: u64,
    w: &mut dyn std::io::Write,
) -> Result<(), std::io::Error> {
    let own = own_models(portfolio, model);
    let s = BookSetup::new(portfolio, model, &own, seed);
    let mut drawn = Year::default();
    let mut vendor = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    for year in 1..=years {
        super::run::draw_vendor_year(model, s.span, seed, year, &mut vendor);
        for (p, ps) in s.programs.iter().enumerate() {
            let program = ps.setup.program();
            crate::simulate::draw_year_from(
                program,
                ps.setup.model(),
                &mut super::run::program_stream(seed, ps.key, year),
                &mut drawn,
            );
            let exp = super::run::expansions(&s, ps, year, &vendor);
            let parts = year_parts(&ps.setup, &drawn, year);
            let events = program_events(&s, p, ps, &drawn, &parts, &exp, &vendor);
            for ev in &events {
                crate::simulate::event_line(program, ev, year, Some(ps.key), &mut buf)?;
            }
        }
        if buf.len() > 1 << 16 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    w.flush()
}
