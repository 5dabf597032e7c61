//! A book run spread over machines (spec section 16 on a cluster): pass 1 sketches blocks
//! of years where they are simulated, the driver merges the sketches and plans what pass 2
//! keeps, pass 2 keeps those values of the same blocks, and the driver gathers them into
//! the statistics of the run on one machine, byte for byte.

use super::model::BookModel;
use super::results::{book_ranks, book_results, BookSimulation};
use super::run::{book_block, own_models, BookSetup};
use crate::portfolio::Portfolio;
use crate::simulate::{
    block_list, estimate_kept, keep_blocks, sketch_blocks, thread_pool, BucketPlan, KeptValues,
    SimulateError, Sketch, Tally, ONE_PASS_BYTES, PILOT_YEARS,
};

/// Whether `years` book years are better made in two passes: when one pass would keep
/// more than [`ONE_PASS_BYTES`] (estimated from [`PILOT_YEARS`] years), as
/// [`crate::portfolio::simulate_book`] decides by default.
pub fn book_needs_two_passes(
    portfolio: &Portfolio,
    model: &BookModel,
    seed: u64,
    years: u64,
) -> Result<bool, SimulateError> {
    if years <= PILOT_YEARS {
        return Ok(false);
    }
    let own = own_models(portfolio, model);
    let setup = BookSetup::new(portfolio, model, &own, seed);
    Ok(estimate_kept(&book_block(&setup, 1, PILOT_YEARS)?, years) > ONE_PASS_BYTES)
}

/// Pass 1: the sketch of `count` book years from `first_year`.
pub fn book_sketch_years(
    portfolio: &Portfolio,
    model: &BookModel,
    seed: u64,
    first_year: u64,
    count: u64,
    threads: Option<usize>,
) -> Result<Sketch, SimulateError> {
    let own = own_models(portfolio, model);
    let setup = BookSetup::new(portfolio, model, &own, seed);
    let pool = thread_pool(threads)?;
    let run = |first: u64, count: u64| book_block(&setup, first, count);
    sketch_blocks(&pool, &block_list(first_year, count), &run, None)
}

/// What pass 2 keeps, from the merged sketch of every year: the ranks of the statistics
/// at `return_periods` and of the diversification table.
pub fn book_plan_pass_two(sketch: &Sketch, return_periods: &[u64]) -> BucketPlan {
    let years = sketch.block().years;
    sketch.plan(&book_ranks(sketch.block(), years, return_periods), false)
}

/// Pass 2: what `plan` keeps of `count` book years from `first_year`.
#[allow(clippy::too_many_arguments)]
pub fn book_keep_years(
    portfolio: &Portfolio,
    model: &BookModel,
    seed: u64,
    plan: &BucketPlan,
    first_year: u64,
    count: u64,
    threads: Option<usize>,
) -> Result<KeptValues, SimulateError> {
    let own = own_models(portfolio, model);
    let setup = BookSetup::new(portfolio, model, &own, seed);
    let pool = thread_pool(threads)?;
    let run = |first: u64, count: u64| book_block(&setup, first, count);
    keep_blocks(&pool, &block_list(first_year, count), &run, plan)
}

/// The book statistics of a gathered run ([`crate::simulate::gather`]).
pub fn book_statistics(
    portfolio: &Portfolio,
    model: &BookModel,
    seed: u64,
    tally: &Tally,
    return_periods: &[u64],
) -> BookSimulation {
    let own = own_models(portfolio, model);
    let setup = BookSetup::new(portfolio, model, &own, seed);
    book_results(&setup, tally.block(), tally, return_periods)
}
