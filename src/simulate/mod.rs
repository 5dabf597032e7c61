//! Simulation (spec section 12): years of events drawn from a [`Model`], each replayed
//! through the program exactly like a scenario (aggregates reset every year), summarised
//! over the years.
//!
//! [`simulate_block`] runs a block of years (seed, first year, count) and returns exact
//! integer accumulations; blocks [`Block::merge`] by key in any order, so a run split over
//! threads or machines gives the same bytes as one run. [`statistics`] turns the merged
//! block into the results of section 12.3.
//!
//! Memory: per summary, the sums, and the non-zero annual totals and non-zero yearly
//! largest occurrences (8 bytes each), which the quantiles need. A summary that is zero in
//! most years costs little; at most 16 bytes per year and summary.

mod bounded;
mod index;
mod keyed;
mod ord;
mod passes;
mod rank;
mod sample;
mod stats;
mod svg;
mod wire;
mod wire_pass;

pub(crate) use bounded::{keep_blocks, sketch_blocks, two_pass};
pub use bounded::{BucketPlan, KeptValues, Sketch, Tally};
pub use index::{index_series, year_indices};
pub use ord::{write_ord, write_ord_tables, write_plt_header, write_plt_rows};
pub use passes::{
    gather, keep_years, needs_two_passes, plan_pass_two, simulate_two_pass, sketch_years, OnBlock,
    ONE_PASS_BYTES,
};
pub(crate) use rank::{Kind, Query, Ranks, Sorted};
pub(crate) use sample::{count, draw_year_from};
pub use sample::{
    draw_year, round_major, stream, DrawnEvent, DrawnExcursion, Year, MAX_DRAW_MAJOR,
};
pub(crate) use stats::{ranks_needed, ratio, summary};
pub use stats::{
    statistics, CoverStat, EpPoint, LayerStat, SimulationResult, SummaryResult,
    DEFAULT_RETURN_PERIODS,
};
pub use svg::curves_svg;
pub(crate) use svg::{chart, grid_queries, Curve};
pub use wire::BlockDecodeError;

use crate::model::Model;
use crate::money::Money;
use crate::program::Program;
use crate::replay::{
    group, ClauseRef, Outcome, ReplayError, Replayer, UncoveredKey, UncoveredReason,
};
use crate::scenario::{Event, Line, OTHER_SYMBOL};
use keyed::Keyed;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a simulation summarises (spec section 12.3), in the order results list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SummaryKey {
    /// Ground-up loss.
    GroundUp,
    /// Paid by all carriers.
    Paid,
    /// Ground-up − paid.
    Uncovered,
    /// A layer's carriers' paid, by tower index.
    Layer(u32),
    /// A carrier's paid, by index in the program's carrier list.
    Carrier(u32),
    /// A treaty entity's net, by entity index.
    Net(u32),
    /// All parametric covers' carriers' paid (spec section 14).
    Parametric,
    /// One parametric cover's carriers' paid, by cover index.
    ParametricCover(u32),
    /// Uncovered − parametric paid (signed).
    NetRetained,
    /// A book's program (spec section 15.2), by index: its paid (part 0) or uncovered (1).
    Program(u32, u8),
    /// A book's vendor peril, by index: the ground-up of its events over the book.
    Vendor(u32),
    /// A book carrier's paid in one program (program, book carrier): the program's slice
    /// the diversification table compares the book with.
    ProgramCarrier(u32, u32),
    /// Uncovered for a reason, by its index in [`UncoveredReason::ALL`].
    Reason(u8),
    /// Uncovered for a reason and clause (or layer).
    ReasonClause(u8, ClauseOrder),
}

/// A clause or layer, ordered as the program writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClauseOrder {
    /// Program exclusion `i`.
    Exclusion(u32),
    /// Sub-limit `i`.
    Sublimit(u32),
    /// Deductible `i`.
    Deductible(u32),
    /// Exclusion `j` of layer `k`.
    LayerExclusion(u32, u32),
    /// Layer `k` itself.
    Layer(u32),
}

fn reason_index(r: UncoveredReason) -> u8 {
    UncoveredReason::ALL
        .iter()
        .position(|x| *x == r)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// The clause key of an uncovered entry, when section 12.3 names one.
fn clause_order(k: &UncoveredKey) -> Option<ClauseOrder> {
    match k.clause {
        ClauseRef::Exclusion(i) => Some(ClauseOrder::Exclusion(i)),
        ClauseRef::Sublimit(i) => Some(ClauseOrder::Sublimit(i)),
        ClauseRef::Deductible(i) => Some(ClauseOrder::Deductible(i)),
        ClauseRef::LayerExclusion(k, j) => Some(ClauseOrder::LayerExclusion(k, j)),
        ClauseRef::None => k.layer.map(ClauseOrder::Layer),
    }
}

/// Exact accumulations of one summary over the years of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acc {
    /// Sum of annual totals, minor units.
    pub sum: i128,
    /// Sum of their squares; `None` once it overflowed (the SD then uses floating point).
    pub sum_sq: Option<u128>,
    /// Years with a non-zero total.
    pub nonzero: u64,
    /// The non-zero annual totals.
    pub annual: Vec<i64>,
    /// The year of each of `annual` (years below 2³²).
    pub annual_years: Vec<u32>,
    /// The non-zero yearly largest occurrences.
    pub largest: Vec<i64>,
}

impl Default for Acc {
    fn default() -> Acc {
        Acc {
            sum: 0,
            sum_sq: Some(0),
            nonzero: 0,
            annual: Vec::new(),
            annual_years: Vec::new(),
            largest: Vec::new(),
        }
    }
}

impl Acc {
    pub(crate) fn add_year(&mut self, year: u64, total: i64, largest: i64) {
        if total != 0 {
            self.annual_years
                .push(u32::try_from(year).unwrap_or(u32::MAX));
            self.sum = self.sum.saturating_add(i128::from(total));
            let sq = u128::from(total.unsigned_abs()).checked_mul(u128::from(total.unsigned_abs()));
            self.sum_sq = self.sum_sq.and_then(|s| sq.and_then(|q| s.checked_add(q)));
            self.nonzero = self.nonzero.saturating_add(1);
            self.annual.push(total);
        }
        if largest != 0 {
            self.largest.push(largest);
        }
    }

    fn merge(&mut self, other: Acc) {
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self
            .sum_sq
            .and_then(|a| other.sum_sq.and_then(|b| a.checked_add(b)));
        self.nonzero = self.nonzero.saturating_add(other.nonzero);
        self.annual.extend(other.annual);
        self.annual_years.extend(other.annual_years);
        self.largest.extend(other.largest);
    }
}

/// A layer's accumulations over a block's years.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerAcc {
    /// Years in which the layer had a band.
    pub attached: u64,
    /// Years ending with the aggregate used up.
    pub exhausted: u64,
    /// Reinstatement premium, minor units.
    pub premium: i128,
}

/// The exact results of a block of years; blocks merge in any order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// Years in the block.
    pub years: u64,
    /// Per summary.
    pub summaries: BTreeMap<SummaryKey, Acc>,
    /// Per layer, tower order.
    pub layers: Vec<LayerAcc>,
    /// Simulated events (before grouping into occurrences).
    pub events: u64,
    /// Drawn amounts above [`MAX_DRAW_MAJOR`], kept at it.
    pub clamped: u64,
    /// Per parametric cover, years with at least one claim.
    pub claim_years: Vec<u64>,
    /// Counts a caller keeps by position (a book's clash counts), summed on merging.
    pub counters: Vec<u64>,
}

impl Block {
    /// Adds the years of `blocks`, in order, to this block's: [`Block::merge`] with each
    /// summary's value lists grown once to their final length.
    pub fn merge_all(&mut self, blocks: Vec<Block>) {
        let mut lens: BTreeMap<SummaryKey, (usize, usize)> = BTreeMap::new();
        for (k, a) in blocks.iter().flat_map(|b| &b.summaries) {
            let e = lens.entry(*k).or_default();
            e.0 = e.0.saturating_add(a.annual.len());
            e.1 = e.1.saturating_add(a.largest.len());
        }
        for (k, (annual, largest)) in lens {
            let a = self.summaries.entry(k).or_default();
            a.annual.reserve(annual);
            a.annual_years.reserve(annual);
            a.largest.reserve(largest);
        }
        for b in blocks {
            self.merge(b);
        }
    }

    /// Adds `other`'s years to this block's.
    pub fn merge(&mut self, other: Block) {
        self.years = self.years.saturating_add(other.years);
        self.events = self.events.saturating_add(other.events);
        self.clamped = self.clamped.saturating_add(other.clamped);
        for (k, acc) in other.summaries {
            self.summaries.entry(k).or_default().merge(acc);
        }
        if self.layers.len() < other.layers.len() {
            self.layers.resize(other.layers.len(), LayerAcc::default());
        }
        if self.claim_years.len() < other.claim_years.len() {
            self.claim_years.resize(other.claim_years.len(), 0);
        }
        for (a, b) in self.claim_years.iter_mut().zip(other.claim_years) {
            *a = a.saturating_add(b);
        }
        if self.counters.len() < other.counters.len() {
            self.counters.resize(other.counters.len(), 0);
        }
        for (a, b) in self.counters.iter_mut().zip(other.counters) {
            *a = a.saturating_add(b);
        }
        for (a, b) in self.layers.iter_mut().zip(other.layers) {
            a.attached = a.attached.saturating_add(b.attached);
            a.exhausted = a.exhausted.saturating_add(b.exhausted);
            a.premium = a.premium.saturating_add(b.premium);
        }
    }
}

/// Why a simulation stopped.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SimulateError {
    /// A simulated event could not be replayed (an amount overflowed).
    #[error("year {year}: {source}")]
    #[diagnostic(code(specie::simulate::replay))]
    Replay {
        /// The year.
        year: u64,
        /// Why.
        source: Box<ReplayError>,
    },
    /// Threads outside 1 to [`max_threads`].
    #[error("{threads} threads asked for; use from 1 to {max} (4 × this machine's cores)")]
    #[diagnostic(
        code(specie::simulate::threads),
        help(
            "results do not depend on the thread count; more threads than cores only add overhead"
        )
    )]
    ThreadCount {
        /// Threads asked for.
        threads: usize,
        /// The most allowed here.
        max: usize,
    },
    /// A run whose kept annual totals would not fit in memory.
    #[error(
        "simulating {years} years keeps every non-zero annual total: about {needed_mib} MiB, and this machine has {available_mib} MiB available"
    )]
    #[diagnostic(
        code(specie::simulate::memory),
        help("simulate at most about {fits} years here, or split the years into blocks on several machines (Python: specie.spark.simulate)")
    )]
    Memory {
        /// Years asked for.
        years: u64,
        /// Estimated memory the run needs, MiB.
        needed_mib: u64,
        /// Memory available, MiB.
        available_mib: u64,
        /// Years that would fit.
        fits: u64,
    },
    /// The thread pool could not start.
    #[error("cannot start {threads} threads: {message}")]
    #[diagnostic(code(specie::simulate::threads))]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

/// Per-year totals and largest occurrences of every summary, reused from year to year.
struct YearAcc {
    /// Fixed summaries: ground-up, paid, uncovered, layers, carriers, entities.
    fixed: Vec<(i64, i64)>,
    /// Reasons and clauses met this year: total and largest occurrence.
    dynamic: Keyed<SummaryKey, (i64, i64)>,
    /// Per occurrence, scratch.
    occ: Vec<i64>,
    occ_dynamic: Keyed<SummaryKey, i64>,
    attached: Vec<bool>,
}

/// What the replay of a year needs besides the replayer.
pub(crate) struct Setup<'p> {
    program: &'p Program,
    /// The program planned once, shared by every block's replayer.
    plan: std::sync::Arc<crate::replay::Plan<'p>>,
    model: &'p Model,
    /// The seed's stream before any draw: a year's stream is a copy set to the year
    /// (the same state as [`sample::stream`], without expanding the seed every year).
    fresh: rand_chacha::ChaCha8Rng,
    /// Per layer, each carrier's index in the program's carrier list.
    carrier_index: Vec<Vec<usize>>,
    /// Per parametric cover, each carrier's index in [`carrier_names`].
    cover_carriers: Vec<Vec<usize>>,
    carriers: usize,
    entities: usize,
    /// The events' text: ids are built per year; causes and tiers are the model's.
    cause_ids: Vec<u32>,
    tier_ids: Vec<Vec<u32>>,
}

/// The carriers of a simulation's `carrier:NAME` summaries: the tower's in tower order,
/// then those only on parametric covers, in written order.
pub(crate) fn carrier_names(program: &Program) -> Vec<String> {
    let mut names = program.carrier_list().names;
    for c in program.parametric.iter().flat_map(|p| &p.carriers) {
        if !names.contains(&c.name) {
            names.push(c.name.clone());
        }
    }
    names
}

/// The program's treaty entities, in the order results list them.
pub(crate) fn entity_list(program: &Program) -> Vec<String> {
    if program.treaties.is_empty() {
        return Vec::new();
    }
    crate::reinsurance::Reinsurance::new(program)
        .map(|r| r.graph().entities.clone())
        .unwrap_or_default()
}

impl<'p> Setup<'p> {
    /// The program.
    pub(crate) fn program(&self) -> &'p Program {
        self.program
    }

    /// The model.
    pub(crate) fn model(&self) -> &'p Model {
        self.model
    }

    /// The program planned once.
    pub(crate) fn plan(&self) -> &std::sync::Arc<crate::replay::Plan<'p>> {
        &self.plan
    }

    /// The random stream of `year` (as [`sample::stream`]).
    pub(crate) fn stream(&self, year: u64) -> rand_chacha::ChaCha8Rng {
        let mut rng = self.fresh.clone();
        rng.set_stream(year);
        rng
    }

    /// Per layer, each carrier's index in the program's carrier list.
    pub(crate) fn carrier_index(&self) -> &[Vec<usize>] {
        &self.carrier_index
    }

    pub(crate) fn new(program: &'p Program, model: &'p Model, seed: u64) -> Setup<'p> {
        let plan = std::sync::Arc::new(crate::replay::Plan::new(program));
        let symbols = plan.symbols();
        let carrier_index = program.carrier_list().index;
        let names = carrier_names(program);
        let cover_carriers = program
            .parametric
            .iter()
            .map(|p| {
                p.carriers
                    .iter()
                    .map(|c| names.iter().position(|n| *n == c.name).unwrap_or(0))
                    .collect()
            })
            .collect();
        Setup {
            program,
            model,
            fresh: sample::stream(seed, 0),
            carrier_index,
            cover_carriers,
            carriers: names.len(),
            entities: entity_list(program).len(),
            cause_ids: model.perils.iter().map(|p| symbols.get(&p.cause)).collect(),
            tier_ids: model
                .perils
                .iter()
                .map(|p| p.losses.iter().map(|l| symbols.get(&l.tier)).collect())
                .collect(),
            plan,
        }
    }

    /// Summaries before the parametric ones: ground-up, paid, uncovered, layers, carriers,
    /// entities.
    fn indemnity_len(&self) -> usize {
        3usize
            .saturating_add(self.program.layers.len())
            .saturating_add(self.carriers)
            .saturating_add(self.entities)
    }

    /// Then, for a program with parametric covers: `parametric`, one per cover and
    /// `net_retained`.
    fn fixed_len(&self) -> usize {
        let covers = self.program.parametric.len();
        if covers == 0 {
            self.indemnity_len()
        } else {
            self.indemnity_len()
                .saturating_add(covers)
                .saturating_add(2)
        }
    }

    fn fixed_key(&self, i: usize) -> SummaryKey {
        let layers = self.program.layers.len();
        let u = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        match i {
            0 => SummaryKey::GroundUp,
            1 => SummaryKey::Paid,
            2 => SummaryKey::Uncovered,
            i if i < 3usize.saturating_add(layers) => SummaryKey::Layer(u(i.saturating_sub(3))),
            i if i < 3usize.saturating_add(layers).saturating_add(self.carriers) => {
                SummaryKey::Carrier(u(i.saturating_sub(3).saturating_sub(layers)))
            }
            i if i < self.indemnity_len() => SummaryKey::Net(u(i
                .saturating_sub(3)
                .saturating_sub(layers)
                .saturating_sub(self.carriers))),
            i => match i.saturating_sub(self.indemnity_len()) {
                0 => SummaryKey::Parametric,
                c if c <= self.program.parametric.len() => {
                    SummaryKey::ParametricCover(u(c.saturating_sub(1)))
                }
                _ => SummaryKey::NetRetained,
            },
        }
    }
}

/// Replays a block of years: `count` years from `first_year` (years are numbered from
/// 1), under `seed`. The same (seed, year) always gives the same events and figures.
pub fn simulate_block(
    program: &Program,
    model: &Model,
    seed: u64,
    first_year: u64,
    count: u64,
) -> Result<Block, SimulateError> {
    let setup = Setup::new(program, model, seed);
    run_block(&setup, first_year, count, &mut |_, _, _| {})
}

/// One simulated year's events as the engine takes them, in replay order.
pub struct YearEvents<'a> {
    /// Events in replay order (occurred, then id).
    pub events: Vec<Event<'a>>,
}

/// Builds `year`'s events from its draws (ids `Y{year}.{peril}.{k}`), sorted in replay
/// order. `ids` holds their text; `lines` their lines.
pub(crate) fn year_events<'a>(
    setup: &'a Setup<'_>,
    drawn: &Year,
    ids: &'a Ids,
    lines: &'a [Line<'a>],
) -> Vec<Event<'a>> {
    let model = setup.model;
    let mut events: Vec<Event<'a>> = Vec::with_capacity(drawn.events.len());
    for (n, d) in drawn.events.iter().enumerate() {
        let Some(peril) = model.perils.get(d.peril) else {
            continue;
        };
        let end = d.first_line.saturating_add(peril.losses.len());
        events.push(Event {
            id: ids.get(n),
            cause: &peril.cause,
            cause_id: setup
                .cause_ids
                .get(d.peril)
                .copied()
                .unwrap_or(OTHER_SYMBOL),
            occurred: d.occurred,
            discovered: d.discovered,
            lines: Cow::Borrowed(lines.get(d.first_line..end).unwrap_or(&[])),
            attributes: Cow::Borrowed(&peril.attributes),
            series: None,
            recoveries: Cow::Borrowed(&[]),
        });
    }
    events.sort_by(|a, b| a.occurred.cmp(&b.occurred).then_with(|| a.id.cmp(b.id)));
    events
}

/// A year's event ids `Y{year}.{peril}.{k}`, in drawing order, in one buffer.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ids {
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<usize>,
}

impl Ids {
    /// The ids of `drawn`'s events in `year`.
    pub(crate) fn of(drawn: &Year, year: u64) -> Ids {
        let mut ids = Ids {
            text: String::with_capacity(drawn.events.len().saturating_mul(16)),
            ends: Vec::with_capacity(drawn.events.len()),
        };
        let mut digits = itoa::Buffer::new();
        for d in &drawn.events {
            ids.text.push('Y');
            ids.text.push_str(digits.format(year));
            ids.text.push('.');
            ids.text.push_str(digits.format(d.peril.saturating_add(1)));
            ids.text.push('.');
            ids.text.push_str(digits.format(d.k));
            ids.ends.push(ids.text.len());
        }
        ids
    }

    /// The `n`-th id ("" past the last).
    pub(crate) fn get(&self, n: usize) -> &str {
        let start = n
            .checked_sub(1)
            .and_then(|i| self.ends.get(i))
            .copied()
            .unwrap_or(0);
        let end = self.ends.get(n).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or("")
    }
}

/// The ids and lines of a year's draws, for [`year_events`].
pub(crate) fn year_parts<'a>(
    setup: &'a Setup<'_>,
    drawn: &Year,
    year: u64,
) -> (Ids, Vec<Line<'a>>) {
    let model = setup.model;
    let ids = Ids::of(drawn, year);
    let mut lines = Vec::with_capacity(drawn.lines.len());
    for d in &drawn.events {
        let Some(peril) = model.perils.get(d.peril) else {
            continue;
        };
        for (j, loss) in peril.losses.iter().enumerate() {
            let value = drawn
                .lines
                .get(d.first_line.saturating_add(j))
                .copied()
                .unwrap_or(Money::ZERO);
            lines.push(Line {
                tier: &loss.tier,
                tier_id: setup
                    .tier_ids
                    .get(d.peril)
                    .and_then(|t| t.get(j))
                    .copied()
                    .unwrap_or(OTHER_SYMBOL),
                asset: None,
                asset_id: OTHER_SYMBOL,
                value,
                priced: None,
            });
        }
    }
    (ids, lines)
}

/// Called after each year with the year, its events in replay order and the replayer.
pub(crate) type OnYear<'c> = dyn FnMut(u64, &[Event<'_>], &Replayer<'_>) + 'c;

pub(crate) fn run_block(
    setup: &Setup<'_>,
    first_year: u64,
    count: u64,
    on_year: &mut OnYear<'_>,
) -> Result<Block, SimulateError> {
    let program = setup.program;
    let layers = program.layers.len();
    let mut block = Block {
        years: count,
        layers: vec![LayerAcc::default(); layers],
        ..Block::default()
    };
    // Fixed summaries accumulate densely; they join the map at the end of the block.
    let mut fixed: Vec<Acc> = vec![Acc::default(); setup.fixed_len()];
    // Reasons and clauses, in the order first met (a few): they join the map at the end.
    let mut dynamic: Keyed<SummaryKey, Acc> = Keyed::default();
    let mut replayer = Replayer::with_plan(std::sync::Arc::clone(&setup.plan));
    let mut out = Outcome::default();
    let mut drawn = Year::default();
    let mut acc = YearAcc {
        fixed: vec![(0, 0); setup.fixed_len()],
        dynamic: Keyed::default(),
        occ: vec![0; setup.fixed_len()],
        occ_dynamic: Keyed::default(),
        attached: vec![false; layers],
    };
    block.claim_years = vec![0; program.parametric.len()];
    for year in first_year..first_year.saturating_add(count) {
        draw_year_from(program, setup.model, &mut setup.stream(year), &mut drawn);
        block.events = block.events.saturating_add(drawn.events.len() as u64);
        block.clamped = block.clamped.saturating_add(drawn.clamped);
        if drawn.events.is_empty() && drawn.excursions.is_empty() {
            // A year without events: every total is zero, no layer attaches or exhausts,
            // no premium is due.
            on_year(year, &[], &replayer);
            continue;
        }
        let (ids, lines) = year_parts(setup, &drawn, year);
        let events = year_events(setup, &drawn, &ids, &lines);
        replayer.reset();
        acc.fixed.iter_mut().for_each(|v| *v = (0, 0));
        acc.dynamic.clear();
        acc.attached.iter_mut().for_each(|a| *a = false);
        let replay_err = |source: ReplayError| SimulateError::Replay {
            year,
            source: Box::new(source),
        };
        if program.occurrence_window.is_some() {
            for occ in group(program, events.clone()).map_err(|e| replay_err(e.into()))? {
                replayer
                    .event(&occ.event, &mut out, None)
                    .map_err(replay_err)?;
                year_occurrence(setup, &out, &mut acc);
            }
        } else {
            for ev in &events {
                replayer.event(ev, &mut out, None).map_err(replay_err)?;
                year_occurrence(setup, &out, &mut acc);
            }
        }
        if !program.parametric.is_empty() {
            parametric_year(setup, &drawn, &mut acc, &mut block).map_err(replay_err)?;
        }
        close_year(
            setup,
            year,
            &replayer,
            &acc,
            &mut fixed,
            &mut dynamic,
            &mut block,
        );
        on_year(year, &events, &replayer);
    }
    for (i, a) in fixed.into_iter().enumerate() {
        block.summaries.insert(setup.fixed_key(i), a);
    }
    block.summaries.extend(dynamic.into_vec());
    Ok(block)
}

/// Adds one replayed occurrence to the year's totals and largest occurrences.
fn year_occurrence(setup: &Setup<'_>, out: &Outcome, acc: &mut YearAcc) {
    let layers = setup.program.layers.len();
    acc.occ.iter_mut().for_each(|v| *v = 0);
    let gu = out.ground_up.0;
    let paid = out.paid.0;
    if let Some(v) = acc.occ.get_mut(0) {
        *v = gu;
    }
    if let Some(v) = acc.occ.get_mut(1) {
        *v = paid;
    }
    if let Some(v) = acc.occ.get_mut(2) {
        *v = gu.saturating_sub(paid);
    }
    for (k, lo) in out.layers.iter().enumerate() {
        if lo.band.0 > 0 {
            if let Some(a) = acc.attached.get_mut(k) {
                *a = true;
            }
        }
        if let Some(v) = acc.occ.get_mut(3usize.saturating_add(k)) {
            *v = lo.paid.0;
        }
        if let Some(idx) = setup.carrier_index.get(k) {
            for (i, p) in idx.iter().zip(&lo.carriers) {
                if let Some(v) = acc
                    .occ
                    .get_mut(3usize.saturating_add(layers).saturating_add(*i))
                {
                    *v = v.saturating_add(p.0);
                }
            }
        }
    }
    let base = 3usize.saturating_add(layers).saturating_add(setup.carriers);
    for (e, o) in out.entities.iter().enumerate() {
        if let Some(v) = acc.occ.get_mut(base.saturating_add(e)) {
            *v = o.net.0;
        }
    }
    for ((total, largest), v) in acc.fixed.iter_mut().zip(&acc.occ) {
        *total = total.saturating_add(*v);
        *largest = (*largest).max(*v);
    }
    acc.occ_dynamic.clear();
    for (key, m) in &out.uncovered {
        let r = reason_index(key.reason);
        add_dynamic(&mut acc.occ_dynamic, SummaryKey::Reason(r), m.0);
        if let Some(c) = clause_order(key) {
            add_dynamic(&mut acc.occ_dynamic, SummaryKey::ReasonClause(r, c), m.0);
        }
    }
    for (k, v) in acc.occ_dynamic.iter() {
        let v = *v;
        acc.dynamic.upsert(
            *k,
            || (v, v),
            |(total, largest)| {
                *total = total.saturating_add(v);
                *largest = (*largest).max(v);
            },
        );
    }
}

/// Adds the year's parametric claims (spec section 14): each claim is one occurrence of
/// `parametric`, its cover's summary and its carriers'; `net_retained` is the year's
/// uncovered less its parametric paid.
fn parametric_year(
    setup: &Setup<'_>,
    drawn: &Year,
    acc: &mut YearAcc,
    block: &mut Block,
) -> Result<(), ReplayError> {
    let base = setup.indemnity_len();
    let cur = &setup.program.currency;
    let mut total: i64 = 0;
    if !drawn.excursions.is_empty() {
        let claims = index::year_claims(setup.program, setup.model, drawn)?;
        let mut claimed = vec![false; setup.program.parametric.len()];
        for claim in &claims {
            let Some(c) = setup
                .program
                .parametric
                .iter()
                .position(|p| p.name == claim.cover)
            else {
                continue;
            };
            if let Some(f) = claimed.get_mut(c) {
                *f = true;
            }
            let mut paid: i64 = 0;
            let idx = setup.cover_carriers.get(c).map_or(&[][..], Vec::as_slice);
            for (i, part) in idx.iter().zip(&claim.carriers) {
                let m = cur.money_rounded(part.paid).map_or(0, |m| m.0);
                paid = paid.saturating_add(m);
                add_occurrence(
                    &mut acc.fixed,
                    3usize
                        .saturating_add(setup.program.layers.len())
                        .saturating_add(*i),
                    m,
                );
            }
            add_occurrence(&mut acc.fixed, base, paid);
            add_occurrence(
                &mut acc.fixed,
                base.saturating_add(1).saturating_add(c),
                paid,
            );
            total = total.saturating_add(paid);
        }
        for (n, c) in block.claim_years.iter_mut().zip(claimed) {
            if c {
                *n = n.saturating_add(1);
            }
        }
    }
    let uncovered = acc.fixed.get(2).map_or(0, |v| v.0);
    if let Some(v) = acc.fixed.last_mut() {
        *v = (uncovered.saturating_sub(total), 0);
    }
    Ok(())
}

/// Adds one occurrence of `v` to fixed summary `i`: its total and largest occurrence.
fn add_occurrence(fixed: &mut [(i64, i64)], i: usize, v: i64) {
    if let Some((total, largest)) = fixed.get_mut(i) {
        *total = total.saturating_add(v);
        *largest = (*largest).max(v);
    }
}

fn add_dynamic(list: &mut Keyed<SummaryKey, i64>, k: SummaryKey, v: i64) {
    list.upsert(k, || v, |e| *e = e.saturating_add(v));
}

/// Adds the year's totals to the block.
fn close_year(
    setup: &Setup<'_>,
    year: u64,
    replayer: &Replayer<'_>,
    acc: &YearAcc,
    fixed: &mut [Acc],
    dynamic: &mut Keyed<SummaryKey, Acc>,
    block: &mut Block,
) {
    for (a, (total, largest)) in fixed.iter_mut().zip(&acc.fixed) {
        a.add_year(year, *total, *largest);
    }
    for (k, (total, largest)) in acc.dynamic.iter() {
        let (total, largest) = (*total, *largest);
        dynamic.upsert(
            *k,
            || {
                let mut a = Acc::default();
                a.add_year(year, total, largest);
                a
            },
            |a| a.add_year(year, total, largest),
        );
    }
    for (k, l) in block.layers.iter_mut().enumerate() {
        if acc.attached.get(k).copied().unwrap_or(false) {
            l.attached = l.attached.saturating_add(1);
        }
        let has_aggregate = setup
            .program
            .layers
            .get(k)
            .and_then(|l| l.effective_aggregate())
            .is_some();
        if has_aggregate && replayer.aggregate_left(k).is_some_and(|m| m.0 <= 0) {
            l.exhausted = l.exhausted.saturating_add(1);
        }
        l.premium = l
            .premium
            .saturating_add(i128::from(replayer.reinstatement_premium(k).0));
    }
}

/// This machine's cores (1 when it cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
}

/// Most threads a simulation takes: 4 × [`cores`]. Years are shared out in blocks, so
/// more threads than cores only add overhead, and thousands of them exhaust the system.
pub fn max_threads() -> usize {
    cores().saturating_mul(4)
}

/// Years simulated to estimate what a run keeps per year ([`memory_needed`]).
pub(crate) const PILOT_YEARS: u64 = 2048;

/// Bytes a run of `years` years keeps, estimated from its first years: each non-zero
/// annual total (8 bytes and its 4-byte year) and yearly largest occurrence (8 bytes) of
/// every summary, times 2.5 for vectors growing by doubling and the copies of merging.
pub fn memory_needed(
    program: &Program,
    model: &Model,
    seed: u64,
    years: u64,
) -> Result<u64, SimulateError> {
    let pilot = years.clamp(1, PILOT_YEARS);
    let setup = Setup::new(program, model, seed);
    let block = run_block(&setup, 1, pilot, &mut |_, _, _| {})?;
    Ok(estimate_kept(&block, years))
}

/// Bytes a one-pass run of `years` years keeps, estimated from the `block` of its first
/// years (see [`memory_needed`]).
pub(crate) fn estimate_kept(block: &Block, years: u64) -> u64 {
    let kept: u64 = block
        .summaries
        .values()
        .map(|a| {
            (a.annual.len() as u64)
                .saturating_mul(12)
                .saturating_add((a.largest.len() as u64).saturating_mul(8))
        })
        .fold(0, u64::saturating_add);
    let per_year = kept.div_ceil(block.years.max(1));
    per_year.saturating_mul(years).saturating_mul(5) / 2
}

/// Memory available to this process in bytes (Linux: `MemAvailable`), when known.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// Refuses a one-pass run of `years` years whose kept values would not fit in the memory
/// available ([`SimulateError::Memory`], naming the memory needed); fine when unknown.
pub fn check_memory(
    program: &Program,
    model: &Model,
    seed: u64,
    years: u64,
) -> Result<(), SimulateError> {
    let Some(available) = available_memory().filter(|_| years > PILOT_YEARS) else {
        return Ok(());
    };
    let needed = memory_needed(program, model, seed, years)?;
    if needed <= available {
        return Ok(());
    }
    let per_year = needed.checked_div(years).unwrap_or(1).max(1);
    Err(SimulateError::Memory {
        years,
        needed_mib: needed >> 20,
        available_mib: available >> 20,
        fits: available.checked_div(per_year).unwrap_or(years),
    })
}

/// A pool of `threads` threads (all cores when `None`), refused outside 1 to
/// [`max_threads`].
pub(crate) fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, SimulateError> {
    let threads = threads.unwrap_or_else(cores);
    if threads == 0 || threads > max_threads() {
        return Err(SimulateError::ThreadCount {
            threads,
            max: max_threads(),
        });
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SimulateError::Threads {
            threads,
            message: e.to_string(),
        })
}

/// `count` years from `first_year` cut into blocks of [`BLOCK_YEARS`]: (first, count).
pub(crate) fn block_list(first_year: u64, count: u64) -> Vec<(u64, u64)> {
    (0..count.div_ceil(BLOCK_YEARS))
        .map(|b| {
            let first = b.saturating_mul(BLOCK_YEARS).saturating_add(first_year);
            let n = BLOCK_YEARS.min(count.saturating_sub(b.saturating_mul(BLOCK_YEARS)));
            (first, n)
        })
        .collect()
}

/// Years per block handed to one thread.
pub const BLOCK_YEARS: u64 = 2048;

/// Simulates `years` years under `seed` on `threads` threads (all cores when `None`),
/// calling `progress` with the number of years done after each block.
pub fn simulate(
    program: &Program,
    model: &Model,
    years: u64,
    seed: u64,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Block, SimulateError> {
    simulate_years(program, model, seed, 1, years, threads, progress)
}

/// [`simulate`] for `count` years from `first_year`: a run can be cut into consecutive
/// calls (to stay interruptible, or to spread over machines) whose blocks merge into the
/// whole run's block.
pub fn simulate_years(
    program: &Program,
    model: &Model,
    seed: u64,
    first_year: u64,
    count: u64,
    threads: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Block, SimulateError> {
    use rayon::prelude::*;
    let pool = thread_pool(threads)?;
    let blocks = block_list(first_year, count);
    let done = std::sync::atomic::AtomicU64::new(0);
    let setup = Setup::new(program, model, seed);
    let results: Vec<Result<Block, SimulateError>> = pool.install(|| {
        blocks
            .par_iter()
            .map(|(first, count)| {
                let b = run_block(&setup, *first, *count, &mut |_, _, _| {});
                let n = done.fetch_add(*count, std::sync::atomic::Ordering::Relaxed);
                progress(n.saturating_add(*count));
                b
            })
            .collect()
    });
    let mut total = Block {
        layers: vec![LayerAcc::default(); program.layers.len()],
        ..Block::default()
    };
    total.merge_all(results.into_iter().collect::<Result<_, _>>()?);
    Ok(total)
}

/// Writes every simulated event of years `1..=years` as JSON Lines (section 5 events with
/// amount lines and a `"year"`), years ascending, each year in replay order.
pub fn write_events(
    program: &Program,
    model: &Model,
    years: u64,
    seed: u64,
    w: &mut dyn std::io::Write,
) -> Result<(), std::io::Error> {
    let setup = Setup::new(program, model, seed);
    let mut drawn = Year::default();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let modelled = program
        .parametric
        .iter()
        .any(|c| model.index_perils.iter().any(|p| p.index == c.index));
    for year in 1..=years {
        draw_year(program, model, seed, year, &mut drawn);
        let (ids, lines) = year_parts(&setup, &drawn, year);
        let events = year_events(&setup, &drawn, &ids, &lines);
        if modelled && !(events.is_empty() && drawn.excursions.is_empty()) {
            indices_line(&year_indices(program, model, &drawn), year, &mut buf)?;
        }
        for ev in &events {
            event_line(program, ev, year, None, &mut buf)?;
        }
        if buf.len() > 1 << 16 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    w.flush()
}

/// One simulated event as a JSON line (section 5 with amount lines): `year`, then
/// `program` (a book's key) when given, the event, and its `series` when it has one.
pub(crate) fn event_line(
    program: &Program,
    ev: &Event<'_>,
    year: u64,
    key: Option<&str>,
    buf: &mut Vec<u8>,
) -> Result<(), std::io::Error> {
    let cur = &program.currency;
    let mut o = serde_json::Map::new();
    o.insert("year".into(), year.into());
    if let Some(key) = key {
        o.insert("program".into(), key.into());
    }
    o.insert("id".into(), ev.id.into());
    o.insert("cause".into(), ev.cause.into());
    o.insert("occurred".into(), ev.occurred.to_string().into());
    o.insert("discovered".into(), ev.discovered.to_string().into());
    if let Some(series) = ev.series {
        o.insert("series".into(), series.into());
    }
    let losses: Vec<serde_json::Value> = ev
        .lines
        .iter()
        .map(|l| serde_json::json!({"tier": l.tier, "amount": cur.decimal(l.value).to_string()}))
        .collect();
    o.insert("losses".into(), losses.into());
    let attrs = attributes_json(program, &ev.attributes);
    if !attrs.is_empty() {
        o.insert("attributes".into(), attrs.into());
    }
    serde_json::to_writer(&mut *buf, &o).map_err(std::io::Error::other)?;
    buf.push(b'\n');
    Ok(())
}

/// The line `{"year": Y, "indices": {NAME: [[instant, value], …]}}` of a year's series
/// (spec section 14), indices by name; an index the model does not draw is left out.
fn indices_line(
    indices: &crate::scenario::Indices,
    year: u64,
    buf: &mut Vec<u8>,
) -> Result<(), std::io::Error> {
    let mut series: Vec<(&str, &[(crate::time::Instant, rust_decimal::Decimal)])> =
        indices.iter().filter(|(_, v)| !v.is_empty()).collect();
    series.sort_by(|a, b| a.0.cmp(b.0));
    let mut m = serde_json::Map::new();
    for (name, obs) in series {
        let v: Vec<serde_json::Value> = obs
            .iter()
            .map(|(at, x)| serde_json::json!([at.to_string(), x.to_string()]))
            .collect();
        m.insert(name.to_string(), v.into());
    }
    let line = serde_json::json!({"year": year, "indices": m});
    serde_json::to_writer(&mut *buf, &line).map_err(std::io::Error::other)?;
    buf.push(b'\n');
    Ok(())
}

/// Attribute values as a scenario writes them.
fn attributes_json(
    program: &Program,
    values: &[crate::program::Value],
) -> serde_json::Map<String, serde_json::Value> {
    use crate::program::Value;
    let mut m = serde_json::Map::new();
    for (a, v) in program.attributes.iter().zip(values) {
        let json = match v {
            Value::Flag(b) => (*b).into(),
            Value::Count(n) => (*n).into(),
            Value::Number(d) => d.to_string().into(),
            Value::Amount(x) => program.currency.decimal(*x).to_string().into(),
            Value::Duration(d) => format!("{}s", d.0).into(),
            Value::Text(t) => t.clone().into(),
            Value::Instant(i) => i.to_string().into(),
        };
        m.insert(a.name.clone(), json);
    }
    m
}
