//! Choosing and running the two passes of section 16 for a program ([`simulate_two_pass`]),
//! and the statistics and chart of their [`Tally`].

use super::bounded::{self, BucketPlan, Gather, KeptValues, Sketch, Tally};
use super::{
    block_list, memory_needed, run_block, stats, svg, thread_pool, Block, Setup, SimulateError,
    SimulationResult, SummaryKey, PILOT_YEARS,
};
use crate::model::Model;

/// Sees each block of a run's years in year order with the run's listed summaries (e.g. to
/// write the year loss table).
pub type OnBlock<'a> = dyn FnMut(&[SummaryKey], &Block) + 'a;
use crate::program::Program;

/// Most bytes a run keeps before [`simulate_two_pass`] takes two passes instead of one.
pub const ONE_PASS_BYTES: u64 = 64 << 20;

/// Whether a run of `years` years is better made in two passes: when one pass would keep
/// more than [`ONE_PASS_BYTES`] (estimated by [`memory_needed`]).
pub fn needs_two_passes(
    program: &Program,
    model: &Model,
    seed: u64,
    years: u64,
) -> Result<bool, SimulateError> {
    Ok(years > PILOT_YEARS && memory_needed(program, model, seed, years)? > ONE_PASS_BYTES)
}

/// Simulates `years` years in two passes (spec section 16): memory does not grow with
/// the years, and [`Tally::statistics`] gives the bytes [`statistics`] gives on the
/// one-pass block. The tally answers the `return_periods` (and, with `chart`, the ranks
/// [`Tally::curves_svg`] draws). `progress` counts the years of both passes (up to
/// 2 × `years`); `on_block`, when given, sees pass 2's blocks in year order with the run's summaries,
/// e.g. to write the year loss table ([`write_plt_rows`]).
#[allow(clippy::too_many_arguments)]
pub fn simulate_two_pass(
    program: &Program,
    model: &Model,
    seed: u64,
    years: u64,
    threads: Option<usize>,
    return_periods: &[u64],
    chart: bool,
    progress: &(dyn Fn(u64) + Sync),
    mut on_block: Option<&mut OnBlock<'_>>,
) -> Result<Tally, SimulateError> {
    let pool = thread_pool(threads)?;
    let blocks = block_list(1, years);
    let setup = Setup::new(program, model, seed);
    let done = std::sync::atomic::AtomicU64::new(0);
    let run = |first: u64, count: u64| {
        let b = run_block(&setup, first, count, &mut |_, _, _| {});
        let n = done.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        progress(n.saturating_add(count));
        b
    };
    let queries = |sums: &Block| {
        let mut q = stats::ranks_needed(sums.summaries.keys().copied(), years, return_periods);
        if chart {
            q.extend(svg::ranks_needed(program, years));
        }
        q
    };
    let mut keys: Vec<SummaryKey> = Vec::new();
    let wanted = on_block.is_some();
    let mut forward = |sums: &Block, b: &Block| {
        if keys.is_empty() {
            keys = sums.summaries.keys().copied().collect();
        }
        if let Some(f) = on_block.as_mut() {
            f(&keys, b);
        }
    };
    bounded::two_pass(
        &pool,
        &blocks,
        &run,
        stats::basis_threshold(program),
        &queries,
        if wanted { Some(&mut forward) } else { None },
    )
}

/// Pass 1 of a run spread over machines (section 16): the sketch of `count` years from
/// `first_year`. Sketches of all the years, merged in any order ([`Sketch::merge`]), make
/// the run's; [`plan_pass_two`] then says what pass 2 keeps.
pub fn sketch_years(
    program: &Program,
    model: &Model,
    seed: u64,
    first_year: u64,
    count: u64,
    threads: Option<usize>,
) -> Result<Sketch, SimulateError> {
    let pool = thread_pool(threads)?;
    let setup = Setup::new(program, model, seed);
    let run = |first: u64, count: u64| run_block(&setup, first, count, &mut |_, _, _| {});
    let blocks = block_list(first_year, count);
    bounded::sketch_blocks(&pool, &blocks, &run, stats::basis_threshold(program))
}

/// What pass 2 keeps, from the sketch of every year of the run: the buckets holding the
/// ranks of `return_periods` (and, with `chart`, those the chart draws).
pub fn plan_pass_two(
    program: &Program,
    sketch: &Sketch,
    return_periods: &[u64],
    chart: bool,
) -> BucketPlan {
    let years = sketch.block().years;
    let summaries = sketch.block().summaries.keys().copied();
    let mut queries = stats::ranks_needed(summaries, years, return_periods);
    if chart {
        queries.extend(svg::ranks_needed(program, years));
    }
    sketch.plan(&queries, stats::basis_threshold(program).is_some())
}

/// Pass 2 of a run spread over machines: what `plan` keeps of `count` years from
/// `first_year` (the same years a sketch was made of).
pub fn keep_years(
    program: &Program,
    model: &Model,
    seed: u64,
    plan: &BucketPlan,
    first_year: u64,
    count: u64,
    threads: Option<usize>,
) -> Result<KeptValues, SimulateError> {
    let pool = thread_pool(threads)?;
    let setup = Setup::new(program, model, seed);
    let run = |first: u64, count: u64| run_block(&setup, first, count, &mut |_, _, _| {});
    bounded::keep_blocks(&pool, &block_list(first_year, count), &run, plan)
}

/// The tally of a run spread over machines: the merged sketch of every year, the plan
/// made of it, and pass 2's keeps of every year in year order. Its statistics are those
/// of the same run on one machine, byte for byte.
pub fn gather(
    sketch: Sketch,
    plan: &BucketPlan,
    kept: impl IntoIterator<Item = KeptValues>,
) -> Tally {
    let mut g = Gather::new(plan);
    kept.into_iter().for_each(|k| g.add(k));
    g.finish(sketch)
}

impl Tally {
    /// The statistics of section 12.3 (the return periods must be those the tally was
    /// made for).
    pub fn statistics(
        &self,
        program: &Program,
        model_name: &str,
        seed: u64,
        return_periods: &[u64],
    ) -> SimulationResult {
        stats::statistics_from(
            program,
            model_name,
            seed,
            self.block(),
            self,
            return_periods,
        )
    }

    /// The chart of [`curves_svg`] (the tally must have been made with `chart`).
    pub fn curves_svg(&self, program: &Program, result: &SimulationResult) -> String {
        svg::curves_svg_from(program, result, self.block().years, self)
    }
}
