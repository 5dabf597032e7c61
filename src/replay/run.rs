//! Whole replays: a scenario sorted and run through one [`Replayer`], into results, into a
//! writer as it goes, or traced for `--explain`.

use super::occurrence::{group, Occurrence};
use super::output::{EventSink, Format, ReplayOutput};
use super::parametric::evaluate as evaluate_parametric;
use super::result::{EventResult, Replay};
use super::{Outcome, ReplayError, ReplayWarning, Replayer, StreamError, TraceStep};
use crate::money::Money;
use crate::program::Program;
use crate::scenario::{Event, Indices, Prices, Scenario, ScenarioError};
use std::collections::HashSet;

/// How a replay treats doubtful input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// A cause, tier or asset the program never names (and that is not standard) is an
    /// error naming the event and field, instead of a warning
    /// ([`ReplayWarning::UnknownName`]).
    pub strict: bool,
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
    replay_text_to(
        program,
        text,
        &mut EventSink::new(program, w, format),
        options,
    )
}

/// [`replay_text_into`] for any [`ReplayOutput`]: the scenario's text read into a compact
/// batch, sorted, replayed one event (or occurrence) at a time into `output`, which is
/// told how many results follow before the first.
pub fn replay_text_to(
    program: &Program,
    text: &str,
    output: &mut dyn ReplayOutput,
    options: Options,
) -> Result<Vec<ReplayWarning>, StreamError> {
    let mut replayer = Replayer::new(program);
    let (head, batch) = crate::scenario::read_scenario(program, text, replayer.symbols())?;
    // Replay order: (occurred, id); ids are unique, so the order is total.
    let mut order: Vec<u32> = (0..batch.len())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    order.sort_unstable_by(|a, b| batch.key(*a as usize).cmp(&batch.key(*b as usize)));
    if options.strict {
        // Every name checked before anything is written: no partial document. In replay
        // order, so the error names the event a replay would stop at.
        replayer.set_strict(true);
        let view = batch.view();
        for i in &order {
            if let Some((ev, _)) = view.event(*i as usize) {
                replayer.check_names(&ev)?;
            }
        }
    }
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &Indices::new(&head.indices)?)?
    };
    let mut out = Outcome::default();
    if program.occurrence_window.is_some() || batch.has_series() {
        // Grouping needs every event at once.
        let view = batch.view();
        let events: Vec<Event<'_>> = order
            .iter()
            .filter_map(|i| view.event(*i as usize).map(|(e, _)| e))
            .collect();
        let occurrences = group(program, events)?;
        output.begin(program, &head.name, occurrences.len())?;
        for occ in &occurrences {
            replayer.event(&occ.event, &mut out, None)?;
            output.occurrence(&replayer, &head.name, occ, &out)?;
        }
    } else {
        // One event at a time, lent from the batch: nothing grows with the scenario.
        output.begin(program, &head.name, order.len())?;
        let (mut lines, mut recoveries) = (Vec::new(), Vec::new());
        for i in order {
            batch.parts_into(i as usize, &mut lines, &mut recoveries);
            // INVARIANT: every index of `order` is an event of the batch.
            let (event, members) =
                batch
                    .event(i as usize, &lines, &recoveries)
                    .ok_or(ReplayError::Internal {
                        event: String::new(),
                        what: "reading an event back from its batch",
                    })?;
            let occ = Occurrence { event, members };
            replayer.event(&occ.event, &mut out, None)?;
            output.occurrence(&replayer, &head.name, &occ, &out)?;
        }
    }
    output.end(program, &head.name, &replayer.totals(), &parametric)?;
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
