//! A book's simulated years (spec section 15.2). Year `y` of program KEY draws its own
//! perils from the stream keyed by (seed, KEY, y); the vendor perils draw from the stream
//! of (seed, y). Each vendor event is expanded into every program using the vendor (as in
//! section 15.1, id `Y{y}.V{peril}.{k}@KEY`), and each program replays its own events and
//! its expansions together with its own replayer, exactly as a program's simulated year.
//! The book's occurrence is one vendor event summed over the programs it reaches, or one
//! program's own occurrence.

use super::model::{BookModel, Share, DAMAGE_DECIMALS};
use crate::model::Model;
use crate::money::{Fraction, Money};
use crate::portfolio::{dependent_loss, Portfolio, Uses};
use crate::replay::{group, Outcome, ReplayError, Replayer};
use crate::scenario::{Event, Line, OTHER_SYMBOL};
use crate::simulate::{
    count, draw_year_from, stream, year_events, year_parts, Acc, Block, Ids, Setup, SimulateError,
    SummaryKey, Year,
};
use crate::time::Instant;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// The random stream of program `key`'s own perils in `year`: ChaCha8 keyed by the seed
/// and two 64-bit FNV-1a hashes of the key, one stream per year. Adding a program to the
/// book changes no other program's draws.
pub fn program_stream(seed: u64, key: &str, year: u64) -> ChaCha8Rng {
    let fnv = |basis: u64| {
        key.bytes().fold(basis, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let mut k = [0u8; 32];
    let parts = [
        seed.to_le_bytes(),
        fnv(0xcbf2_9ce4_8422_2325).to_le_bytes(),
        fnv(0x8422_2325_cbf2_9ce4).to_le_bytes(),
        *b"specie-p",
    ];
    for (chunk, part) in k.chunks_mut(8).zip(parts) {
        chunk.copy_from_slice(&part);
    }
    let mut rng = ChaCha8Rng::from_seed(k);
    rng.set_stream(year);
    rng
}

/// One drawn vendor event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorDraw {
    /// Index of the vendor peril.
    pub peril: usize,
    /// Number within the peril's year, from 1.
    pub k: u64,
    /// Seconds into the year: in each program, the event occurs this long after its
    /// period's start (the book's year y is every program's y-th policy year).
    pub offset: i64,
    /// The damage drawn: per damage part of the peril, the share.
    pub damage: Vec<Fraction>,
}

/// Draws year `year`'s vendor events from the stream of (seed, year), perils in written
/// order: for each its count, then per event its second in a year of `span` seconds and
/// one share per damage part, rounded half-even to [`DAMAGE_DECIMALS`].
pub fn draw_vendor_year(
    model: &BookModel,
    span: i64,
    seed: u64,
    year: u64,
    out: &mut Vec<VendorDraw>,
) {
    out.clear();
    let mut rng = stream(seed, year);
    let span = span.max(1);
    for (p, peril) in model.vendor_perils.iter().enumerate() {
        let n = count(&peril.frequency, &mut rng);
        for k in 1..=n {
            let offset = rng.random_range(0..span);
            let damage = peril
                .damage
                .iter()
                .map(|(_, s)| share(s, &mut rng))
                .collect();
            out.push(VendorDraw {
                peril: p,
                k,
                offset,
                damage,
            });
        }
    }
}

/// One share drawn, rounded half-even to [`DAMAGE_DECIMALS`] and kept in [0, 1].
fn share(s: &Share, rng: &mut ChaCha8Rng) -> Fraction {
    let exact = |d: Decimal| Fraction::from_decimal(d).unwrap_or(Fraction { num: 0, scale: 0 });
    let x = match s {
        Share::Fixed(d) => return exact(*d),
        Share::Empirical(v) => {
            let i = rng.random_range(0..v.len().max(1));
            return exact(v.get(i).copied().unwrap_or(Decimal::ZERO));
        }
        Share::Uniform(lo, hi) => {
            let u: f64 = rng.random();
            lo + (hi - lo) * u
        }
        Share::Beta(a, b) => Beta::new(*a, *b).map(|d| d.sample(rng)).unwrap_or(0.0),
    };
    let d = Decimal::from_f64_retain(x.clamp(0.0, 1.0))
        .unwrap_or(Decimal::ZERO)
        .round_dp_with_strategy(
            DAMAGE_DECIMALS,
            rust_decimal::RoundingStrategy::MidpointNearestEven,
        );
    exact(d)
}

/// A program's `uses` of a vendor, with each tier's symbol and declared exposure.
pub(crate) type VendorUse<'b> = (&'b Uses, Vec<(u32, Money)>);

/// A program of the book ready to simulate.
pub(crate) struct ProgramSetup<'b> {
    pub key: &'b str,
    pub setup: Setup<'b>,
    /// Per program carrier (the program's carrier list), its index among the book's.
    pub carriers: Vec<usize>,
    /// Per treaty entity of the program, its index among the book's.
    pub entities: Vec<usize>,
    /// Per vendor peril: the program's `uses` of its vendor, with each tier's symbol and
    /// declared exposure.
    pub uses: Vec<Option<VendorUse<'b>>>,
    /// Per vendor peril, the symbol of its cause in this program.
    pub vendor_causes: Vec<u32>,
}

/// What every year of a book needs.
pub(crate) struct BookSetup<'b> {
    pub portfolio: &'b Portfolio,
    pub model: &'b BookModel,
    pub seed: u64,
    pub programs: Vec<ProgramSetup<'b>>,
    /// The book's carriers and entities, in order of first appearance over the programs.
    pub carriers: Vec<String>,
    pub entities: Vec<String>,
    /// Every summary, in slot order.
    pub keys: Vec<SummaryKey>,
    /// Per program, its (book carrier, slot of `ProgramCarrier`) pairs.
    pub program_carriers: Vec<Vec<(usize, usize)>>,
    /// The length of the year vendor events are drawn in (the first program's period),
    /// seconds.
    pub span: i64,
}

/// The index of `name` in `list`, added when missing.
fn intern(list: &mut Vec<String>, name: &str) -> usize {
    match list.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            list.push(name.to_string());
            list.len().saturating_sub(1)
        }
    }
}

impl<'b> BookSetup<'b> {
    /// Plans every program; `own` holds each program's model (empty without one).
    pub fn new(
        portfolio: &'b Portfolio,
        model: &'b BookModel,
        own: &'b [Model],
        seed: u64,
    ) -> BookSetup<'b> {
        let mut carriers = Vec::new();
        let mut entities = Vec::new();
        let mut programs = Vec::new();
        for (book, m) in portfolio.programs.iter().zip(own) {
            let program = &book.program;
            let setup = Setup::new(program, m, seed);
            let symbols = setup.plan().symbols();
            let pc: Vec<usize> = crate::simulate::carrier_names(program)
                .iter()
                .map(|n| intern(&mut carriers, n))
                .collect();
            let pe: Vec<usize> = crate::simulate::entity_list(program)
                .iter()
                .map(|n| intern(&mut entities, n))
                .collect();
            let uses = model
                .vendor_perils
                .iter()
                .map(|vp| {
                    let vendor = portfolio.vendors.get(vp.vendor)?;
                    let u = vendor.uses.iter().find(|u| {
                        portfolio.programs.get(u.program).map(|b| b.key.as_str())
                            == Some(book.key.as_str())
                    })?;
                    let tiers = u
                        .tiers
                        .iter()
                        .map(|(t, _)| {
                            let exposure = program
                                .exposures
                                .iter()
                                .find(|e| e.tier == *t)
                                .map_or(Money::ZERO, |e| e.amount);
                            (symbols.get(t), exposure)
                        })
                        .collect();
                    Some((u, tiers))
                })
                .collect();
            let vendor_causes = model
                .vendor_perils
                .iter()
                .map(|vp| symbols.get(&vp.cause))
                .collect();
            programs.push(ProgramSetup {
                key: &book.key,
                setup,
                carriers: pc,
                entities: pe,
                uses,
                vendor_causes,
            });
        }
        let span = portfolio.programs.first().map_or(1, |b| {
            b.program
                .period
                .end
                .0
                .saturating_sub(b.program.period.start.0)
        });
        let mut s = BookSetup {
            portfolio,
            model,
            seed,
            programs,
            carriers,
            entities,
            keys: Vec::new(),
            program_carriers: Vec::new(),
            span,
        };
        s.layout();
        s
    }

    /// The summaries in slot order: ground-up, paid, uncovered, carriers, entities, per
    /// program paid and uncovered, vendor perils, then the programs' carrier slices.
    fn layout(&mut self) {
        let u = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        let mut keys = vec![
            SummaryKey::GroundUp,
            SummaryKey::Paid,
            SummaryKey::Uncovered,
        ];
        keys.extend((0..self.carriers.len()).map(|c| SummaryKey::Carrier(u(c))));
        keys.extend((0..self.entities.len()).map(|e| SummaryKey::Net(u(e))));
        for p in 0..self.programs.len() {
            keys.push(SummaryKey::Program(u(p), 0));
            keys.push(SummaryKey::Program(u(p), 1));
        }
        keys.extend((0..self.model.vendor_perils.len()).map(|v| SummaryKey::Vendor(u(v))));
        let mut pcs = Vec::new();
        for (p, ps) in self.programs.iter().enumerate() {
            let mut mine: Vec<(usize, usize)> = Vec::new();
            for c in &ps.carriers {
                if !mine.iter().any(|(x, _)| x == c) {
                    mine.push((*c, keys.len()));
                    keys.push(SummaryKey::ProgramCarrier(u(p), u(*c)));
                }
            }
            pcs.push(mine);
        }
        self.keys = keys;
        self.program_carriers = pcs;
    }

    /// Slots of the book-level summaries (ground-up to entities): one book occurrence.
    pub fn book_len(&self) -> usize {
        3usize
            .saturating_add(self.carriers.len())
            .saturating_add(self.entities.len())
    }

    fn program_slot(&self, p: usize) -> usize {
        self.book_len().saturating_add(p.saturating_mul(2))
    }

    fn vendor_slot(&self, v: usize) -> usize {
        self.book_len()
            .saturating_add(self.programs.len().saturating_mul(2))
            .saturating_add(v)
    }

    /// Counters per vendor peril: events, programs reached, years with a clash; then per
    /// (peril, carrier): years in which the carrier paid in 2 or more programs from one
    /// of the peril's events.
    pub fn counters_len(&self) -> usize {
        let v = self.model.vendor_perils.len();
        v.saturating_mul(3)
            .saturating_add(v.saturating_mul(self.carriers.len()))
    }
}

/// A vendor event's figures over the book in one year.
struct EventAcc {
    /// Book-level occurrence values (ground-up, paid, uncovered, carriers, entities).
    values: Vec<i64>,
    /// Programs reached.
    reached: u64,
    /// Per book carrier, programs in which it paid more than zero.
    paying: Vec<u32>,
}

/// A year's totals and largest occurrences per slot.
struct YearTotals {
    slots: Vec<(i64, i64)>,
    occ: Vec<i64>,
}

impl YearTotals {
    fn add(&mut self, slot: usize, v: i64) {
        if let Some((t, l)) = self.slots.get_mut(slot) {
            *t = t.saturating_add(v);
            *l = (*l).max(v);
        }
    }
}

/// Simulates a block of the book's years.
pub(crate) fn book_block(
    s: &BookSetup<'_>,
    first_year: u64,
    count_years: u64,
) -> Result<Block, SimulateError> {
    let mut accs: Vec<Acc> = vec![Acc::default(); s.keys.len()];
    let mut block = Block {
        years: count_years,
        counters: vec![0; s.counters_len()],
        ..Block::default()
    };
    let mut replayers: Vec<Replayer<'_>> = s
        .programs
        .iter()
        .map(|p| Replayer::with_plan(std::sync::Arc::clone(p.setup.plan())))
        .collect();
    let mut drawn = Year::default();
    let mut vendor = Vec::new();
    let mut out = Outcome::default();
    let mut year_totals = YearTotals {
        slots: vec![(0, 0); s.keys.len()],
        occ: vec![0; s.book_len()],
    };
    for year in first_year..first_year.saturating_add(count_years) {
        draw_vendor_year(s.model, s.span, s.seed, year, &mut vendor);
        year_totals.slots.iter_mut().for_each(|v| *v = (0, 0));
        let mut events: Vec<EventAcc> = vendor
            .iter()
            .map(|_| EventAcc {
                values: vec![0; s.book_len()],
                reached: 0,
                paying: vec![0; s.carriers.len()],
            })
            .collect();
        for (p, ps) in s.programs.iter().enumerate() {
            let Some(replayer) = replayers.get_mut(p) else {
                continue;
            };
            let n = program_year(
                s,
                p,
                ps,
                year,
                &vendor,
                &mut drawn,
                replayer,
                &mut out,
                &mut year_totals,
                &mut events,
            )
            .map_err(|source| SimulateError::Replay {
                year,
                source: Box::new(source),
            })?;
            block.events = block.events.saturating_add(n);
            block.clamped = block.clamped.saturating_add(drawn.clamped);
        }
        close_vendor_events(s, &vendor, &events, &mut year_totals, &mut block);
        for (a, (total, largest)) in accs.iter_mut().zip(&year_totals.slots) {
            a.add_year(year, *total, *largest);
        }
    }
    for (k, a) in s.keys.iter().zip(accs) {
        block.summaries.insert(*k, a);
    }
    Ok(block)
}

/// Adds each vendor event as one book occurrence, and the clash counters.
fn close_vendor_events(
    s: &BookSetup<'_>,
    vendor: &[VendorDraw],
    events: &[EventAcc],
    totals: &mut YearTotals,
    block: &mut Block,
) {
    let perils = s.model.vendor_perils.len();
    let carriers = s.carriers.len();
    let mut clash_year = vec![false; perils];
    let mut carrier_clash = vec![false; perils.saturating_mul(carriers)];
    for (d, e) in vendor.iter().zip(events) {
        for (i, v) in e.values.iter().enumerate() {
            totals.add(i, *v);
        }
        totals.add(
            s.vendor_slot(d.peril),
            e.values.first().copied().unwrap_or(0),
        );
        let base = d.peril.saturating_mul(3);
        bump(&mut block.counters, base, 1);
        bump(&mut block.counters, base.saturating_add(1), e.reached);
        for (c, n) in e.paying.iter().enumerate() {
            if *n >= 2 {
                if let Some(f) = clash_year.get_mut(d.peril) {
                    *f = true;
                }
                if let Some(f) =
                    carrier_clash.get_mut(d.peril.saturating_mul(carriers).saturating_add(c))
                {
                    *f = true;
                }
            }
        }
    }
    for (v, f) in clash_year.iter().enumerate() {
        if *f {
            bump(
                &mut block.counters,
                v.saturating_mul(3).saturating_add(2),
                1,
            );
        }
    }
    let base = perils.saturating_mul(3);
    for (i, f) in carrier_clash.iter().enumerate() {
        if *f {
            bump(&mut block.counters, base.saturating_add(i), 1);
        }
    }
}

fn bump(counters: &mut [u64], i: usize, by: u64) {
    if let Some(c) = counters.get_mut(i) {
        *c = c.saturating_add(by);
    }
}

/// The expansions of this year's vendor events into program `ps`: per expansion, its
/// vendor event's index, id and lines (lines of 0 left out; no lines, no event).
pub(crate) fn expansions<'b>(
    s: &BookSetup<'b>,
    ps: &ProgramSetup<'b>,
    year: u64,
    vendor: &[VendorDraw],
) -> Vec<(usize, String, Vec<Line<'b>>)> {
    let mut out = Vec::new();
    for (j, d) in vendor.iter().enumerate() {
        let Some(Some((uses, tiers))) = ps.uses.get(d.peril) else {
            continue;
        };
        let Some(peril) = s.model.vendor_perils.get(d.peril) else {
            continue;
        };
        let mut lines = Vec::new();
        for ((tier, share), (tier_id, exposure)) in uses.tiers.iter().zip(tiers) {
            let damage = peril
                .damage
                .iter()
                .position(|(t, _)| t.as_deref().is_none_or(|t| t == tier))
                .and_then(|i| d.damage.get(i).copied())
                .unwrap_or(Fraction { num: 0, scale: 0 });
            let value = dependent_loss(*exposure, *share, damage).unwrap_or(Money::ZERO);
            if value.0 != 0 {
                lines.push(Line {
                    tier,
                    tier_id: *tier_id,
                    asset: None,
                    asset_id: OTHER_SYMBOL,
                    value,
                    priced: None,
                });
            }
        }
        if !lines.is_empty() {
            let id = format!("Y{year}.V{}.{}@{}", d.peril.saturating_add(1), d.k, ps.key);
            out.push((j, id, lines));
        }
    }
    out
}

/// The events of program `p`'s year in replay order: its own draws and the expansions,
/// each expansion an occurrence of its own (its series is its id).
pub(crate) fn program_events<'a, 'b: 'a>(
    s: &'a BookSetup<'b>,
    p: usize,
    ps: &'a ProgramSetup<'b>,
    drawn: &'a Year,
    own: &'a (Ids, Vec<Line<'a>>),
    exp: &'a [(usize, String, Vec<Line<'b>>)],
    vendor: &[VendorDraw],
) -> Vec<Event<'a>> {
    let mut events = year_events(&ps.setup, drawn, &own.0, &own.1);
    for (j, id, lines) in exp {
        let Some(d) = vendor.get(*j) else { continue };
        let Some(peril) = s.model.vendor_perils.get(d.peril) else {
            continue;
        };
        let period = &ps.setup.program().period;
        let last = period
            .end
            .0
            .saturating_sub(period.start.0)
            .saturating_sub(1)
            .max(0);
        let occurred = Instant(period.start.0.saturating_add(d.offset.min(last)));
        events.push(Event {
            id,
            cause: &peril.cause,
            cause_id: ps
                .vendor_causes
                .get(d.peril)
                .copied()
                .unwrap_or(OTHER_SYMBOL),
            occurred,
            discovered: Instant(occurred.0.saturating_add(peril.discovered_after.0.max(0))),
            lines: Cow::Borrowed(lines),
            attributes: Cow::Borrowed(peril.attributes.get(p).map_or(&[][..], Vec::as_slice)),
            series: Some(id),
            recoveries: Cow::Borrowed(&[]),
        });
    }
    events.sort_by(|a, b| a.occurred.cmp(&b.occurred).then_with(|| a.id.cmp(b.id)));
    events
}

/// Replays program `p`'s year; returns how many events it had.
#[allow(clippy::too_many_arguments)]
fn program_year<'b>(
    s: &BookSetup<'b>,
    p: usize,
    ps: &ProgramSetup<'b>,
    year: u64,
    vendor: &[VendorDraw],
    drawn: &mut Year,
    replayer: &mut Replayer<'_>,
    out: &mut Outcome,
    totals: &mut YearTotals,
    events_acc: &mut [EventAcc],
) -> Result<u64, ReplayError> {
    let program = ps.setup.program();
    let model = ps.setup.model();
    draw_year_from(
        program,
        model,
        &mut program_stream(s.seed, ps.key, year),
        drawn,
    );
    let exp = expansions(s, ps, year, vendor);
    if drawn.events.is_empty() && exp.is_empty() {
        return Ok(0);
    }
    let own = year_parts(&ps.setup, drawn, year);
    let events = program_events(s, p, ps, drawn, &own, &exp, vendor);
    let n = events.len() as u64;
    replayer.reset();
    let grouped = program.occurrence_window.is_some() || !exp.is_empty();
    let occurrences: Vec<Event<'_>> = if grouped {
        group(program, events)
            .map_err(ReplayError::from)?
            .into_iter()
            .map(|o| o.event)
            .collect()
    } else {
        events
    };
    for ev in &occurrences {
        replayer.event(ev, out, None)?;
        let j = exp
            .iter()
            .find(|(_, id, _)| id.as_str() == ev.id)
            .map(|(j, _, _)| *j);
        occurrence(s, p, ps, out, j, totals, events_acc);
    }
    Ok(n)
}

/// Adds one occurrence of program `p`: to the program's slots, and to the book's (own
/// occurrence) or to its vendor event's figures (`vendor_event`).
fn occurrence(
    s: &BookSetup<'_>,
    p: usize,
    ps: &ProgramSetup<'_>,
    out: &Outcome,
    vendor_event: Option<usize>,
    totals: &mut YearTotals,
    events_acc: &mut [EventAcc],
) {
    let book = &mut totals.occ;
    book.iter_mut().for_each(|v| *v = 0);
    let gu = out.ground_up.0;
    let paid = out.paid.0;
    let set = |book: &mut Vec<i64>, i: usize, v: i64| {
        if let Some(x) = book.get_mut(i) {
            *x = x.saturating_add(v);
        }
    };
    set(book, 0, gu);
    set(book, 1, paid);
    set(book, 2, gu.saturating_sub(paid));
    for (k, lo) in out.layers.iter().enumerate() {
        let idx = ps
            .setup
            .carrier_index()
            .get(k)
            .map_or(&[][..], Vec::as_slice);
        for (i, part) in idx.iter().zip(&lo.carriers) {
            if let Some(c) = ps.carriers.get(*i) {
                set(book, 3usize.saturating_add(*c), part.0);
            }
        }
    }
    let ent = 3usize.saturating_add(s.carriers.len());
    for (e, o) in out.entities.iter().enumerate() {
        if let Some(b) = ps.entities.get(e) {
            set(book, ent.saturating_add(*b), o.net.0);
        }
    }
    let slot = s.program_slot(p);
    let occ = std::mem::take(&mut totals.occ);
    totals.add(slot, paid);
    totals.add(slot.saturating_add(1), gu.saturating_sub(paid));
    for (c, pc_slot) in s.program_carriers.get(p).map_or(&[][..], Vec::as_slice) {
        totals.add(
            *pc_slot,
            occ.get(3usize.saturating_add(*c)).copied().unwrap_or(0),
        );
    }
    match vendor_event.and_then(|j| events_acc.get_mut(j)) {
        Some(e) => {
            for (a, v) in e.values.iter_mut().zip(&occ) {
                *a = a.saturating_add(*v);
            }
            e.reached = e.reached.saturating_add(1);
            for (c, n) in e.paying.iter_mut().enumerate() {
                if occ.get(3usize.saturating_add(c)).is_some_and(|v| *v > 0) {
                    *n = n.saturating_add(1);
                }
            }
        }
        None => {
            for (i, v) in occ.iter().enumerate() {
                totals.add(i, *v);
            }
        }
    }
    totals.occ = occ;
}

/// Each program's own model (an empty one for a program without).
pub(crate) fn own_models(portfolio: &Portfolio, model: &BookModel) -> Vec<Model> {
    portfolio
        .programs
        .iter()
        .enumerate()
        .map(|(p, b)| {
            model
                .models
                .get(p)
                .cloned()
                .flatten()
                .unwrap_or_else(|| Model {
                    name: format!("{} (vendor perils only)", b.key),
                    years: None,
                    seed: None,
                    perils: Vec::new(),
                    index_perils: Vec::new(),
                })
        })
        .collect()
}
