//! A book run spread over machines (spec section 16 on a cluster): pass 1 sketches blocks
//! of years where they are simulated, the driver merges the sketches and plans what pass 2
//! keeps, pass 2 keeps those values of the same blocks, and the driver gathers them into
//! the statistics of the run on one machine, byte for byte.

use super::api::own_models;
use super::model::BookModel;
use super::results::{book_ranks, book_results, BookSimulation};
use super::run::{book_block, BookSetup};
use crate::portfolio::Portfolio;
use crate::simulate::{
    block_list, keep_blocks, sketch_blocks, thread_pool, BucketPlan, KeptValues, SimulateError,
    Sketch, Tally,
};

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
