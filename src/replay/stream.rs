//! Streaming replay of JSON Lines events with memory that does not grow with the stream.

use super::occurrence::{merge, Group, Grouper, Key};
use super::{evaluate_parametric, order_key, Occurrence, Outcome, ReplayError, Replayer, Totals};
use crate::program::Program;
use crate::scenario::{Indices, Preparer, Prices, RawEvent, ScenarioError, StreamHeader};
use std::io::{BufRead, Read, Write};

/// Longest line accepted in a stream (1 MiB).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What a streamed replay returns: the totals (events were written as they went).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSummary {
    /// Scenario name from the header.
    pub scenario: String,
    /// Number of events replayed.
    pub events: u64,
    /// Totals over all events.
    pub totals: Totals,
    /// Claims on parametric covers, from the header's index series.
    pub parametric: Vec<super::ParametricClaim>,
    /// Warnings about the events (they change no figure).
    pub warnings: Vec<super::ReplayWarning>,
}

/// Why a streamed replay stopped.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StreamError {
    /// A bad event or header.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Replay(#[from] ReplayError),
    /// Reading the input or writing the output failed.
    #[error("i/o error: {0}")]
    #[diagnostic(code(specie::io))]
    Io(#[from] std::io::Error),
}

impl From<ScenarioError> for StreamError {
    fn from(e: ScenarioError) -> Self {
        StreamError::Replay(ReplayError::Scenario(e))
    }
}

fn write_prefix(out: &mut dyn Write, program: &str, scenario: &str) -> std::io::Result<()> {
    let p = serde_json::to_string(program).unwrap_or_default();
    let s = serde_json::to_string(scenario).unwrap_or_default();
    write!(out, "{{\"program\":{p},\"scenario\":{s},\"events\":[")
}

/// Where a stream's results go: the JSON document, written as occurrences are replayed.
struct Sink<'w> {
    json: Option<&'w mut dyn Write>,
    started: bool,
    program: String,
    scenario: String,
}

impl Sink<'_> {
    /// Replays one occurrence and writes its result.
    fn replay(
        &mut self,
        replayer: &mut Replayer<'_>,
        occ: &Occurrence<'_>,
        out: &mut Outcome,
    ) -> Result<(), StreamError> {
        replayer.event(&occ.event, out, None)?;
        if let Some(w) = self.json.as_deref_mut() {
            if !self.started {
                write_prefix(w, &self.program, &self.scenario)?;
                self.started = true;
            } else {
                w.write_all(b",")?;
            }
            let r = replayer.occurrence_result(occ, out);
            serde_json::to_writer(&mut *w, &r).map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    /// Prepares the members of a closed group again and replays them as one occurrence.
    fn replay_group(
        &mut self,
        replayer: &mut Replayer<'_>,
        preparer: &Preparer<'_>,
        group: &Group<RawEvent<'static>>,
        out: &mut Outcome,
    ) -> Result<(), StreamError> {
        let mut members = Vec::with_capacity(group.members.len());
        for raw in &group.members {
            members.push(preparer.prepare(raw, replayer.symbols())?);
        }
        if let Some(occ) = merge(members) {
            self.replay(replayer, &occ, out)?;
        }
        Ok(())
    }
}

/// Replays a JSON Lines stream: an optional header line (`{"name":…,"prices":…}`, any
/// object without `id`), then one event per line, sorted by occurred then id. `header`
/// gives the prices instead (from `--prices`); a header line in the stream then is an
/// error. With `json`, the compact result document (spec section 7) is written as events
/// go; memory stays flat whatever the number of events.
pub fn replay_stream(
    program: &Program,
    input: impl BufRead,
    header: Option<StreamHeader>,
    json: Option<&mut dyn Write>,
) -> Result<StreamSummary, StreamError> {
    let mut replayer = Replayer::new(program);
    let mut input = input;
    let mut line = String::new();
    let mut line_no = 0usize;
    let mut header = header;
    let mut preparer = None;
    let mut prev: Option<crate::time::Instant> = None;
    let mut prev_id = String::new();
    let mut out = Outcome::default();
    let mut count = 0u64;
    let mut sink = Sink {
        json,
        started: false,
        program: program.name.clone(),
        scenario: header.as_ref().map(|h| h.name.clone()).unwrap_or_default(),
    };
    let mut indices: Option<Indices> = None;
    let mut grouper: Grouper<RawEvent<'static>> = Grouper::new(program, true);
    loop {
        line.clear();
        let n = input
            .by_ref()
            .take((MAX_LINE_BYTES as u64).saturating_add(1))
            .read_line(&mut line)?;
        if n == 0 {
            break;
        }
        line_no = line_no.saturating_add(1);
        if line.len() > MAX_LINE_BYTES {
            return Err(ScenarioError::TooMany {
                what: "bytes in one line of the stream",
                count: line.len(),
                limit: MAX_LINE_BYTES,
            }
            .into());
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if preparer.is_none() {
            // The first line may be a header: an object without `id`.
            let is_header = count == 0
                && serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .is_some_and(|v| v.is_object() && v.get("id").is_none());
            if is_header {
                if header.is_some() {
                    return Err(ScenarioError::Json {
                        line: line_no,
                        column: 1,
                        message: "a header line and --prices were both given".to_string(),
                    }
                    .into());
                }
                let h: StreamHeader =
                    serde_json::from_str(text).map_err(|e| ScenarioError::Json {
                        line: line_no,
                        column: e.column(),
                        message: e.to_string(),
                    })?;
                sink.scenario = h.name.clone();
                header = Some(h);
                continue;
            }
            let h = header.take().unwrap_or_default();
            indices = Some(Indices::new(&h.indices)?);
            let prices = Prices::new(&h.prices)?;
            preparer = Some(replayer.preparer(prices, h.currency.as_deref())?);
        }
        let raw = RawEvent::from_json_line(text, line_no)?;
        let Some(prep) = preparer.as_ref() else {
            continue;
        };
        let ev = prep.prepare(&raw, replayer.symbols())?;
        if let Some(pi) = prev {
            if (pi, prev_id.as_str()) >= order_key(&ev) {
                return Err(ScenarioError::StreamOrder {
                    event: ev.id.to_string(),
                    previous: prev_id.clone(),
                    line: line_no,
                }
                .into());
            }
        }
        prev = Some(ev.occurred);
        prev_id.clear();
        prev_id.push_str(ev.id);
        count = count.saturating_add(1);
        if grouper.passes_through(ev.series) {
            let occ = Occurrence {
                event: ev,
                members: Vec::new(),
            };
            sink.replay(&mut replayer, &occ, &mut out)?;
            continue;
        }
        let key = Key {
            id: ev.id,
            cause: ev.cause,
            occurred: ev.occurred,
            series: ev.series,
        };
        grouper.push(key, raw.clone().into_owned(), line_no)?;
        while let Some(g) = grouper.pop_ready() {
            sink.replay_group(&mut replayer, prep, &g, &mut out)?;
        }
    }
    grouper.finish();
    if let Some(prep) = preparer.as_ref() {
        while let Some(g) = grouper.pop_ready() {
            sink.replay_group(&mut replayer, prep, &g, &mut out)?;
        }
    }
    let totals = replayer.totals();
    let indices = match (indices, header) {
        (Some(i), _) => i,
        (None, Some(h)) => Indices::new(&h.indices)?,
        (None, None) => Indices::default(),
    };
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &indices)?
    };
    let scenario_name = sink.scenario;
    if let Some(w) = sink.json {
        if !sink.started {
            write_prefix(w, &program.name, &scenario_name)?;
        }
        w.write_all(b"],\"totals\":")?;
        serde_json::to_writer(&mut *w, &totals).map_err(std::io::Error::other)?;
        if !parametric.is_empty() {
            w.write_all(b",\"parametric\":")?;
            serde_json::to_writer(&mut *w, &parametric).map_err(std::io::Error::other)?;
        }
        w.write_all(b"}\n")?;
    }
    Ok(StreamSummary {
        scenario: scenario_name,
        events: count,
        totals,
        parametric,
        warnings: replayer.warnings(),
    })
}
