//! Streaming replay of JSON Lines events with memory that does not grow with the stream.
//!
//! Two threads: one reads lines, parses, validates and values events and groups them into
//! occurrences, filling [`EventBatch`]es; the other replays the batches in order and
//! writes the results. Replay order is sequential; reading is not tied to it. At most a
//! few batches are in flight, so memory stays flat.

use super::occurrence::{merge, Group, Grouper, Key};
use super::output::{EventSink, Format};
use super::{evaluate_parametric, order_key, Occurrence, Outcome, ReplayError, Replayer, Totals};
use crate::program::Program;
use crate::scenario::{
    EventBatch, Indices, Preparer, Prices, RawEvent, ScenarioError, StreamHeader, Symbols,
};
use std::io::{BufRead, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

/// Events per batch handed from the reading thread to the replaying one.
const BATCH: usize = 4096;

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

/// What the reading thread hands over.
enum Msg {
    /// The scenario's name, from a header line.
    Name(String),
    /// Occurrences in replay order.
    Batch(EventBatch),
}

/// The end of reading: what the totals need.
struct ReadEnd {
    indices: Option<Indices>,
    header: Option<StreamHeader>,
    count: u64,
}

/// Replays a JSON Lines stream: an optional header line (`{"name":…,"prices":…}`, any
/// object without `id`), then one event per line, sorted by occurred then id. `header`
/// gives the prices instead (from `--prices`); a header line in the stream then is an
/// error. With `json`, the compact result document (spec section 7) is written as events
/// go; memory stays flat whatever the number of events.
pub fn replay_stream(
    program: &Program,
    input: impl BufRead + Send,
    header: Option<StreamHeader>,
    json: Option<&mut dyn Write>,
) -> Result<StreamSummary, StreamError> {
    replay_stream_as(program, input, header, json.map(|w| (w, Format::Json)))
}

/// [`replay_stream`] writing per-event results in `output`'s [`Format`].
pub fn replay_stream_as(
    program: &Program,
    input: impl BufRead + Send,
    header: Option<StreamHeader>,
    output: Option<(&mut dyn Write, Format)>,
) -> Result<StreamSummary, StreamError> {
    let mut replayer = Replayer::new(program);
    let symbols = replayer.symbols().clone();
    let mut scenario = header.as_ref().map(|h| h.name.clone()).unwrap_or_default();
    let mut sink = output.map(|(w, f)| EventSink::new(program, w, f));
    let (full_tx, full_rx) = sync_channel::<Msg>(2);
    let (empty_tx, empty_rx) = channel::<EventBatch>();
    let (read, replayed) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut reader = Reader {
                batch: EventBatch::new(),
                full: full_tx,
                empty: empty_rx,
            };
            let end = reader.read(program, input, header, &symbols);
            // Events read before an error are still replayed.
            let sent = reader.flush();
            end.and_then(|e| sent.map(|()| e))
        });
        let replayed = replay_batches(&mut replayer, &mut sink, &mut scenario, &full_rx, &empty_tx);
        drop(full_rx);
        let read = reader.join().unwrap_or_else(|_| {
            Err(StreamError::Io(std::io::Error::other(
                "the reading thread stopped unexpectedly",
            )))
        });
        (read, replayed)
    });
    let end = replayed.and(read);
    let end = match end {
        Ok(end) => end,
        Err(e) => {
            // Never leave buffered results unwritten: the caller marks the output broken.
            if let Some(sink) = sink.as_mut() {
                let _ = sink.flush();
            }
            return Err(e);
        }
    };
    finish(program, replayer, sink, scenario, end)
}

/// The replaying side: every batch in order, each batch back for reuse.
fn replay_batches(
    replayer: &mut Replayer<'_>,
    sink: &mut Option<EventSink<'_>>,
    scenario: &mut String,
    full: &Receiver<Msg>,
    empty: &Sender<EventBatch>,
) -> Result<(), StreamError> {
    let mut out = Outcome::default();
    while let Ok(msg) = full.recv() {
        let batch = match msg {
            Msg::Name(n) => {
                *scenario = n;
                continue;
            }
            Msg::Batch(b) => b,
        };
        let view = batch.view();
        for i in 0..view.len() {
            let Some((event, members)) = view.event(i) else {
                continue;
            };
            let occ = Occurrence { event, members };
            replayer.event(&occ.event, &mut out, None)?;
            if let Some(sink) = sink.as_mut() {
                sink.event(replayer, scenario, &occ, &out)?;
            }
        }
        drop(view);
        let mut batch = batch;
        batch.clear();
        let _ = empty.send(batch);
    }
    Ok(())
}

/// The reading side: lines to occurrences, in batches.
struct Reader {
    batch: EventBatch,
    full: SyncSender<Msg>,
    empty: Receiver<EventBatch>,
}

impl Reader {
    /// Stores one occurrence; hands the batch over when it is full.
    fn take(&mut self, occ: &Occurrence<'_>) -> Result<(), StreamError> {
        self.batch.push(&occ.event, &occ.members);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands over what is stored.
    fn flush(&mut self) -> Result<(), StreamError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let next = self.empty.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        self.full
            .send(Msg::Batch(full))
            .map_err(|_| StreamError::Io(std::io::Error::other("the replay stopped")))
    }

    /// Prepares the members of a closed group again and stores them as one occurrence.
    fn take_group(
        &mut self,
        preparer: &Preparer<'_>,
        symbols: &Symbols,
        group: &Group<RawEvent<'static>>,
    ) -> Result<(), StreamError> {
        let mut members = Vec::with_capacity(group.members.len());
        for raw in &group.members {
            members.push(preparer.prepare(raw, symbols)?);
        }
        if let Some(occ) = merge(members) {
            self.take(&occ)?;
        }
        Ok(())
    }

    /// Reads every line; returns what the totals need.
    fn read(
        &mut self,
        program: &Program,
        input: impl BufRead,
        header: Option<StreamHeader>,
        symbols: &Symbols,
    ) -> Result<ReadEnd, StreamError> {
        let mut input = input;
        let mut bytes = Vec::new();
        let mut line_no = 0usize;
        let mut header = header;
        let mut preparer = None;
        let mut prev: Option<crate::time::Instant> = None;
        let mut prev_id = String::new();
        let mut count = 0u64;
        let mut indices: Option<Indices> = None;
        let mut grouper: Grouper<RawEvent<'static>> = Grouper::new(program, true);
        loop {
            if read_line(&mut input, &mut bytes, MAX_LINE_BYTES)? == 0 {
                break;
            }
            line_no = line_no.saturating_add(1);
            let line = std::str::from_utf8(&bytes).map_err(|e| ScenarioError::Json {
                line: line_no,
                column: e.valid_up_to().saturating_add(1),
                message: "the line is not valid UTF-8".to_string(),
            })?;
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
                    self.full.send(Msg::Name(h.name.clone())).map_err(|_| {
                        StreamError::Io(std::io::Error::other("the replay stopped"))
                    })?;
                    header = Some(h);
                    continue;
                }
                let h = header.take().unwrap_or_default();
                indices = Some(Indices::new(&h.indices)?);
                let prices = Prices::new(&h.prices)?;
                preparer = Some(Preparer::new(program, prices, h.currency.as_deref())?);
            }
            let raw = RawEvent::from_json_line(text, line_no)?;
            let Some(prep) = preparer.as_ref() else {
                continue;
            };
            let ev = prep.prepare(&raw, symbols)?;
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
                self.take(&occ)?;
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
                self.take_group(prep, symbols, &g)?;
            }
        }
        grouper.finish();
        if let Some(prep) = preparer.as_ref() {
            while let Some(g) = grouper.pop_ready() {
                self.take_group(prep, symbols, &g)?;
            }
        }
        Ok(ReadEnd {
            indices,
            header,
            count,
        })
    }
}

/// Reads the next line of `input` (its `\n` included) into `line`, stopping after
/// `limit + 1` bytes so that an endless line cannot grow memory; returns the bytes read,
/// 0 at the end of the input.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>, limit: usize) -> std::io::Result<usize> {
    line.clear();
    loop {
        let avail = match input.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(line.len());
        }
        let (upto, newline) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i.saturating_add(1), true),
            None => (avail.len(), false),
        };
        let room = limit.saturating_add(1).saturating_sub(line.len());
        let take = upto.min(room);
        line.extend_from_slice(avail.get(..take).unwrap_or_default());
        input.consume(take);
        if (newline && take == upto) || line.len() > limit {
            return Ok(line.len());
        }
    }
}

/// The totals and parametric claims at the end of a stream, written after the events.
fn finish(
    program: &Program,
    replayer: Replayer<'_>,
    sink: Option<EventSink<'_>>,
    scenario: String,
    end: ReadEnd,
) -> Result<StreamSummary, StreamError> {
    let totals = replayer.totals();
    let indices = match (end.indices, end.header) {
        (Some(i), _) => i,
        (None, Some(h)) => Indices::new(&h.indices)?,
        (None, None) => Indices::default(),
    };
    let parametric = if program.parametric.is_empty() {
        Vec::new()
    } else {
        evaluate_parametric(program, &indices)?
    };
    if let Some(sink) = sink {
        sink.finish(program, &scenario, &totals, &parametric)?;
    }
    Ok(StreamSummary {
        scenario,
        events: end.count,
        totals,
        parametric,
        warnings: replayer.warnings(),
    })
}
