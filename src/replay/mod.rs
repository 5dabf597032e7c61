//! The replay engine (spec section 6): events through the wording and the tower, exactly,
//! in integer minor units.
//!
//! [`Replayer`] holds the state that carries from event to event (aggregates, reinstatement
//! premium, totals) and takes events one at a time; [`replay`] sorts a whole scenario and
//! runs it. Every event satisfies conservation — ground-up = paid + uncovered — which the
//! engine checks before returning it.

mod answers;
mod atoms;
mod cond;
mod engine;
mod err;
mod occurrence;
mod output;
mod parametric;
mod plan;
mod recovery;
mod result;
mod steps;
mod stream;
mod trace;
mod warn;
pub mod write;

pub use engine::Replayer;
pub use err::ReplayError;
pub use occurrence::{group, Occurrence};
pub use output::{EventSink, Format};
pub use parametric::{
    evaluate as evaluate_parametric, excursions, Excursion, ExcursionOutcome, ParametricClaim,
};
pub use recovery::RecoveredOutcome;
pub use result::*;
pub use stream::{replay_stream, replay_stream_as, StreamError, StreamSummary, MAX_LINE_BYTES};
pub use warn::ReplayWarning;
pub use write::ResultWriter;

use crate::money::Money;
use crate::program::Program;
use crate::scenario::{Event, Indices, Prices, Scenario, ScenarioError};
use crate::span::Span;
use std::collections::HashSet;

/// How a replay treats doubtful input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// A cause, tier or asset the program never names (and that is not standard) is an
    /// error naming the event and field, instead of a warning
    /// ([`ReplayWarning::UnknownName`]).
    pub strict: bool,
}

/// Which clause left an amount unpaid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClauseRef {
    /// No clause (period, cause, gaps, …).
    None,
    /// Program exclusion `i`.
    Exclusion(u32),
    /// Sub-limit `i`.
    Sublimit(u32),
    /// Deductible `i`.
    Deductible(u32),
    /// Exclusion `j` of layer `k` (tower order).
    LayerExclusion(u32, u32),
}

/// Key of an uncovered amount: reason, clause, layer (tower order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UncoveredKey {
    /// Why.
    pub reason: UncoveredReason,
    /// Which clause.
    pub clause: ClauseRef,
    /// Which layer, by tower index.
    pub layer: Option<u32>,
}

/// One layer's part of an event, in minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerOutcome {
    /// The band of the loss in the layer.
    pub band: Money,
    /// Paid by the layer's carriers (the sum of `carriers`).
    pub paid: Money,
    /// Per carrier, in written order.
    pub carriers: Vec<Money>,
    /// The part of the layer's payment no carrier took (reason `unplaced_share`). The
    /// layer's 100% figure, which erodes its aggregate, is `paid + unplaced`.
    pub unplaced: Money,
}

/// One event's outcome in minor units; reused between events to avoid allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Ground-up loss.
    pub ground_up: Money,
    /// Paid by carriers.
    pub paid: Money,
    /// Unpaid amounts in order of first production, no zero entries.
    pub uncovered: Vec<(UncoveredKey, Money)>,
    /// Every layer, tower order.
    pub layers: Vec<LayerOutcome>,
    /// Every entity after reinsurance (empty when the program has no treaties).
    pub entities: Vec<crate::reinsurance::EntityOutcome>,
    /// What came back and to whom (spec section 11.2); `None` without recoveries.
    pub recovered: Option<RecoveredOutcome>,
}

impl Outcome {
    fn add(
        &mut self,
        reason: UncoveredReason,
        clause: ClauseRef,
        layer: Option<u32>,
        amount: Money,
    ) -> Option<()> {
        if amount.0 == 0 {
            return Some(());
        }
        let key = UncoveredKey {
            reason,
            clause,
            layer,
        };
        if let Some(e) = self.uncovered.iter_mut().find(|(k, _)| *k == key) {
            e.1 = e.1.checked_add(amount)?;
        } else {
            self.uncovered.push((key, amount));
        }
        Some(())
    }

    /// Sum of uncovered amounts.
    pub fn uncovered_total(&self) -> Option<Money> {
        self.uncovered
            .iter()
            .try_fold(Money::ZERO, |acc, (_, m)| acc.checked_add(*m))
    }
}

/// One step of an event's path, for `--explain`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// What happened, e.g. `sublimit`.
    pub step: &'static str,
    /// The clause or layer involved.
    pub name: Option<String>,
    /// Its source text.
    pub span: Option<Span>,
    /// Covered amount before the step.
    pub before: Money,
    /// Covered amount after the step.
    pub after: Money,
    /// Detail.
    pub note: String,
}

/// Events of a scenario, validated against the program, in replay order (occurred, then id).
pub fn prepare_events<'s>(
    replayer: &Replayer<'_>,
    scenario: &'s Scenario,
) -> Result<Vec<Event<'s>>, ReplayError> {
    let prices = Prices::new(&scenario.prices)?;
    let preparer = replayer.preparer(prices, scenario.currency.as_deref())?;
    let mut seen: HashSet<&std::borrow::Cow<'_, str>> =
        HashSet::with_capacity(scenario.events.len());
    let mut events = Vec::with_capacity(scenario.events.len());
    for raw in &scenario.events {
        if !seen.insert(&raw.id) {
            return Err(ScenarioError::DuplicateId {
                event: raw.id.to_string(),
            }
            .into());
        }
        events.push(preparer.prepare(raw, replayer.symbols())?);
    }
    events.sort_by(|a, b| a.occurred.cmp(&b.occurred).then_with(|| a.id.cmp(b.id)));
    Ok(events)
}

/// Replays a whole scenario through a program (spec sections 5-7).
///
/// ```
/// let program = specie::compile_str(r#"program "Demo" {
///   period 2026-01-01 to 2027-01-01
///   deductible 1M per occurrence
///   layer "Primary" 10M xs 0 { carrier "A" 100% }
/// }"#).unwrap().program;
/// let scenario = specie::scenario::Scenario::from_json(r#"{"name": "s", "events": [
///   {"id": "E1", "cause": "external_hack", "occurred": "2026-03-14T02:10:00Z",
///    "losses": [{"tier": "hot", "amount": "2500000"}]}]}"#).unwrap();
/// let r = specie::replay::replay(&program, &scenario).unwrap();
/// assert_eq!(r.events[0].paid.to_string(), "1500000.00");
/// ```
pub fn replay(program: &Program, scenario: &Scenario) -> Result<Replay, ReplayError> {
    replay_with_warnings(program, scenario, Options::default()).map(|(r, _)| r)
}

/// [`replay`] under `options`, and the warnings the scenario deserves ([`ReplayWarning`]).
pub fn replay_with_warnings(
    program: &Program,
    scenario: &Scenario,
    options: Options,
) -> Result<(Replay, Vec<ReplayWarning>), ReplayError> {
    let mut replayer = Replayer::new(program);
    replayer.set_strict(options.strict);
    let events = group(program, prepare_events(&replayer, scenario)?)?;
    let mut out = Outcome::default();
    let mut results = Vec::with_capacity(events.len());
    for occ in &events {
        replayer.event(&occ.event, &mut out, None)?;
        results.push(replayer.occurrence_result(occ, &out));
    }
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &Indices::new(&scenario.indices)?)?
    };
    let replay = Replay {
        program: program.name.clone(),
        scenario: scenario.name.clone(),
        events: results,
        totals: replayer.totals(),
        parametric,
    };
    Ok((replay, replayer.warnings()))
}

/// Replays a whole scenario, writing each event to `w` in `format` as it goes (for large
/// scenarios: no per-event result is kept). Returns the warnings.
pub fn replay_into(
    program: &Program,
    scenario: &Scenario,
    w: &mut dyn std::io::Write,
    format: Format,
) -> Result<Vec<ReplayWarning>, StreamError> {
    let mut replayer = Replayer::new(program);
    let events = group(program, prepare_events(&replayer, scenario)?)?;
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &Indices::new(&scenario.indices)?)?
    };
    let mut sink = EventSink::new(program, w, format);
    let mut out = Outcome::default();
    for occ in &events {
        replayer.event(&occ.event, &mut out, None)?;
        sink.event(&replayer, &scenario.name, occ, &out)?;
    }
    sink.finish(program, &scenario.name, &replayer.totals(), &parametric)?;
    Ok(replayer.warnings())
}

/// Replays a scenario given as JSON text, writing each event to `w` in `format` as it goes.
/// The text is read without building its JSON tree: events are stored compactly as they
/// are validated ([`crate::scenario::read_scenario`]), so memory stays near the size of
/// the text. The same results, byte for byte, as [`replay_into`] on the parsed scenario.
pub fn replay_text_into(
    program: &Program,
    text: &str,
    w: &mut dyn std::io::Write,
    format: Format,
    options: Options,
) -> Result<Vec<ReplayWarning>, StreamError> {
    let mut replayer = Replayer::new(program);
    let (head, batch) = crate::scenario::read_scenario(program, text, replayer.symbols())?;
    if options.strict {
        // Every name checked before anything is written: no partial document.
        replayer.set_strict(true);
        let view = batch.view();
        for i in 0..batch.len() {
            if let Some((ev, _)) = view.event(i) {
                replayer.check_names(&ev)?;
            }
        }
    }
    // Replay order: (occurred, id); ids are unique, so the order is total.
    let mut order: Vec<u32> = (0..batch.len())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    order.sort_unstable_by(|a, b| batch.key(*a as usize).cmp(&batch.key(*b as usize)));
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &Indices::new(&head.indices)?)?
    };
    let mut sink = EventSink::new(program, w, format);
    let mut out = Outcome::default();
    if program.occurrence_window.is_some() || batch.has_series() {
        // Grouping needs every event at once.
        let view = batch.view();
        let events: Vec<Event<'_>> = order
            .iter()
            .filter_map(|i| view.event(*i as usize).map(|(e, _)| e))
            .collect();
        for occ in &group(program, events)? {
            replayer.event(&occ.event, &mut out, None)?;
            sink.event(&replayer, &head.name, occ, &out)?;
        }
    } else {
        // One event at a time, lent from the batch: nothing grows with the scenario.
        let (mut lines, mut recoveries) = (Vec::new(), Vec::new());
        for i in order {
            batch.parts_into(i as usize, &mut lines, &mut recoveries);
            let Some((event, members)) = batch.event(i as usize, &lines, &recoveries) else {
                continue;
            };
            let occ = Occurrence { event, members };
            replayer.event(&occ.event, &mut out, None)?;
            sink.event(&replayer, &head.name, &occ, &out)?;
        }
    }
    sink.finish(program, &head.name, &replayer.totals(), &parametric)?;
    Ok(replayer.warnings())
}

/// Replays the events before `id` silently, then `id` with a trace of every step.
pub fn explain(
    program: &Program,
    scenario: &Scenario,
    id: &str,
) -> Result<Option<(EventResult, Vec<TraceStep>)>, ReplayError> {
    let mut replayer = Replayer::new(program);
    let events = group(program, prepare_events(&replayer, scenario)?)?;
    let mut out = Outcome::default();
    for occ in &events {
        if occ.event.id == id || occ.members.contains(&id) {
            let mut trace = Vec::new();
            if !occ.members.is_empty() {
                trace.push(TraceStep {
                    step: "occurrence",
                    name: None,
                    span: None,
                    before: Money::ZERO,
                    after: Money::ZERO,
                    note: format!(
                        "{} events replayed as one occurrence: {}",
                        occ.members.len(),
                        occ.members.join(", ")
                    ),
                });
            }
            replayer.event(&occ.event, &mut out, Some(&mut trace))?;
            return Ok(Some((replayer.occurrence_result(occ, &out), trace)));
        }
        replayer.event(&occ.event, &mut out, None)?;
    }
    Ok(None)
}

/// A raw event's replay-order key, for checking that a stream is sorted.
pub fn order_key<'e>(ev: &Event<'e>) -> (crate::time::Instant, &'e str) {
    (ev.occurred, ev.id)
}

#[cfg(test)]
mod tests;
