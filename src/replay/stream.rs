//! Streaming replay of JSON Lines events with memory that does not grow with the stream.
//!
//! The reading thread reads lines in chunks, parses, validates and values events and
//! groups them into occurrences, filling [`EventBatch`]es; the calling thread replays the
//! batches in order and writes the results. For programs without an occurrence window, a
//! helper thread parses every other chunk, and the reading thread checks the order of
//! both and hands them over (a chunk with a series, or read while a group is open, is read
//! again line by line). Replay order is sequential; reading is not tied to it. At most a
//! few batches and chunks are in flight, so memory stays flat.

use super::occurrence::{merge, Group, Grouper, Key};
use super::output::{EventSink, Format};
use super::{evaluate_parametric, Occurrence, Outcome, Replayer, StreamError, Totals};
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
    replay_stream_as(
        program,
        input,
        header,
        json.map(|w| (w, Format::Json)),
        super::Options::default(),
    )
}

/// [`replay_stream`] writing per-event results in `output`'s [`Format`].
pub fn replay_stream_as(
    program: &Program,
    input: impl BufRead + Send,
    header: Option<StreamHeader>,
    output: Option<(&mut dyn Write, Format)>,
    options: super::Options,
) -> Result<StreamSummary, StreamError> {
    replay_lines(program, input, header, output, true, options)
}

/// [`replay_stream_as`]; with `two_threads` false every line is read one at a time on
/// the reading thread (the reference the tests compare the two-thread reading with).
fn replay_lines(
    program: &Program,
    input: impl BufRead + Send,
    header: Option<StreamHeader>,
    output: Option<(&mut dyn Write, Format)>,
    two_threads: bool,
    options: super::Options,
) -> Result<StreamSummary, StreamError> {
    let mut replayer = Replayer::new(program);
    replayer.set_strict(options.strict);
    let symbols = replayer.symbols().clone();
    let mut scenario = header.as_ref().map(|h| h.name.clone()).unwrap_or_default();
    let mut sink = output.map(|(w, f)| EventSink::new(program, w, f));
    let (full_tx, full_rx) = sync_channel::<Msg>(2);
    let (empty_tx, empty_rx) = channel::<EventBatch>();
    let (read, replayed) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut reader = Reader {
                two_threads,
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
    /// Parse chunks on two threads where the program allows it.
    two_threads: bool,
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
        self.full.send(Msg::Batch(full)).map_err(stopped)
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

    /// Reads every line; returns what the totals need. Lines are read in chunks; until
    /// the header (if any) and the first event, line by line; then, for programs without
    /// an occurrence window, each pair of chunks is parsed and prepared on two threads
    /// and put in order here (a chunk holding a series is read again line by line).
    fn read(
        &mut self,
        program: &Program,
        input: impl BufRead,
        header: Option<StreamHeader>,
        symbols: &Symbols,
    ) -> Result<ReadEnd, StreamError> {
        let mut input = LineReader::new(input);
        let mut st = ReadState {
            prev: None,
            prev_id: String::new(),
            count: 0,
            grouper: Grouper::new(program, true),
        };
        let mut head = Head {
            header,
            preparer: None,
            indices: None,
        };
        let mut a = Chunk::default();
        while head.preparer.is_none() && !a.end {
            input.fill(&mut a)?;
            for k in 0..a.lines.len() {
                let (line_no, text) = a.text(k)?;
                if head.preparer.is_none() && self.head_line(program, &mut head, text, line_no)? {
                    continue;
                }
                if let Some(prep) = head.preparer.as_ref() {
                    self.event_line(&mut st, prep, symbols, text, line_no)?;
                }
            }
            a.check_length()?;
        }
        if let Some(prep) = head.preparer.as_ref() {
            if !a.end {
                self.read_chunks(program, &mut input, &mut st, prep, symbols)?;
            }
            st.grouper.finish();
            while let Some(g) = st.grouper.pop_ready() {
                self.take_group(prep, symbols, &g)?;
            }
        }
        Ok(ReadEnd {
            indices: head.indices,
            header: head.header,
            count: st.count,
        })
    }

    /// The rest of the stream once events can be prepared, two chunks at a time.
    fn read_chunks(
        &mut self,
        program: &Program,
        input: &mut LineReader<impl BufRead>,
        st: &mut ReadState,
        prep: &Preparer<'_>,
        symbols: &Symbols,
    ) -> Result<(), StreamError> {
        let two_threads = self.two_threads && program.occurrence_window.is_none();
        std::thread::scope(|scope| {
            let (job_tx, job_rx) = sync_channel::<(Chunk, Parsed)>(1);
            let (done_tx, done_rx) = sync_channel::<(Chunk, Parsed)>(1);
            if two_threads {
                scope.spawn(move || {
                    while let Ok((chunk, mut parsed)) = job_rx.recv() {
                        parse_chunk(&chunk, prep, symbols, &mut parsed);
                        if done_tx.send((chunk, parsed)).is_err() {
                            break;
                        }
                    }
                });
            }
            let (mut a, mut b) = (Chunk::default(), Chunk::default());
            let (mut pa, mut pb) = (Parsed::default(), Parsed::default());
            loop {
                input.fill(&mut a)?;
                if !two_threads {
                    self.sequential(st, prep, symbols, &a)?;
                    if a.end {
                        return Ok(());
                    }
                    continue;
                }
                let ahead = !a.end;
                if ahead {
                    input.fill(&mut b)?;
                    job_tx.send((b, pb)).map_err(stopped)?;
                }
                parse_chunk(&a, prep, symbols, &mut pa);
                self.apply(st, prep, symbols, &a, &mut pa)?;
                if !ahead {
                    return Ok(());
                }
                (b, pb) = done_rx.recv().map_err(stopped)?;
                self.apply(st, prep, symbols, &b, &mut pb)?;
                if b.end {
                    return Ok(());
                }
            }
        })
    }

    /// Puts a chunk parsed on its own in order, or reads it again line by line when it
    /// holds a series or a group is open.
    fn apply(
        &mut self,
        st: &mut ReadState,
        prep: &Preparer<'_>,
        symbols: &Symbols,
        chunk: &Chunk,
        parsed: &mut Parsed,
    ) -> Result<(), StreamError> {
        if parsed.series || !st.grouper.is_idle() {
            return self.sequential(st, prep, symbols, chunk);
        }
        let batch = std::mem::take(&mut parsed.batch);
        parsed.batch = self.empty.try_recv().unwrap_or_default();
        let mut ordered = batch.len();
        let mut order_error = None;
        for i in 0..batch.len() {
            let Some((occurred, id)) = batch.key(i) else {
                continue;
            };
            let line = parsed.lines.get(i).copied().unwrap_or(0);
            if let Err(e) = st.check_order(occurred, id, line) {
                ordered = i;
                order_error = Some(e);
                break;
            }
        }
        self.flush()?;
        if ordered == batch.len() {
            if !batch.is_empty() {
                self.full.send(Msg::Batch(batch)).map_err(stopped)?;
            }
        } else {
            // Events before a bad one are still replayed.
            let view = batch.view();
            for i in 0..ordered {
                if let Some((event, members)) = view.event(i) {
                    self.take(&Occurrence { event, members })?;
                }
            }
        }
        if let Some(e) = order_error {
            return Err(e);
        }
        if let Some(e) = parsed.error.take() {
            return Err(e);
        }
        chunk.check_length()
    }

    /// Every line of `chunk`, one at a time.
    fn sequential(
        &mut self,
        st: &mut ReadState,
        prep: &Preparer<'_>,
        symbols: &Symbols,
        chunk: &Chunk,
    ) -> Result<(), StreamError> {
        for k in 0..chunk.lines.len() {
            let (line_no, text) = chunk.text(k)?;
            self.event_line(st, prep, symbols, text, line_no)?;
        }
        chunk.check_length()
    }

    /// A line read before any event: blank, the header (an object without `id`) or the
    /// first event, which fixes the prices (from the header or `--prices`). Returns
    /// whether the line is used up (not an event).
    fn head_line<'p>(
        &mut self,
        program: &'p Program,
        head: &mut Head<'p>,
        text: &str,
        line_no: usize,
    ) -> Result<bool, StreamError> {
        if text.is_empty() {
            return Ok(true);
        }
        let is_header = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .is_some_and(|v| v.is_object() && v.get("id").is_none());
        if is_header {
            if head.header.is_some() {
                return Err(ScenarioError::Json {
                    line: line_no,
                    column: 1,
                    message: "a header line and --prices were both given".to_string(),
                }
                .into());
            }
            let h: StreamHeader = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
                line: line_no,
                column: e.column(),
                message: e.to_string(),
            })?;
            self.full.send(Msg::Name(h.name.clone())).map_err(stopped)?;
            head.header = Some(h);
            return Ok(true);
        }
        let h = head.header.take().unwrap_or_default();
        head.indices = Some(Indices::new(&h.indices)?);
        let prices = Prices::new(&h.prices)?;
        head.preparer = Some(Preparer::new(program, prices, h.currency.as_deref())?);
        Ok(false)
    }

    /// One event line: read, prepared, checked for order, replayed alone or grouped.
    fn event_line(
        &mut self,
        st: &mut ReadState,
        prep: &Preparer<'_>,
        symbols: &Symbols,
        text: &str,
        line_no: usize,
    ) -> Result<(), StreamError> {
        if text.is_empty() {
            return Ok(());
        }
        let raw = RawEvent::from_json_line(text, line_no)?;
        let ev = prep.prepare(&raw, symbols)?;
        st.check_order(ev.occurred, ev.id, line_no)?;
        if st.grouper.passes_through(ev.series) {
            let occ = Occurrence {
                event: ev,
                members: Vec::new(),
            };
            return self.take(&occ);
        }
        let key = Key {
            id: ev.id,
            cause: ev.cause,
            occurred: ev.occurred,
            series: ev.series,
        };
        st.grouper.push(key, raw.clone().into_owned(), line_no)?;
        while let Some(g) = st.grouper.pop_ready() {
            self.take_group(prep, symbols, &g)?;
        }
        Ok(())
    }
}

/// The error of a hand-over whose other end stopped (after an error there).
fn stopped<T>(_: T) -> StreamError {
    StreamError::Io(std::io::Error::other("the replay stopped"))
}

/// Most lines in a chunk, and the bytes read at a time, after which a chunk takes no
/// more lines (a few lines and bytes in unit tests, so that short streams cross many
/// chunks and lines cross blocks).
#[cfg(not(test))]
const CHUNK_LINES: usize = 1 << 14;
#[cfg(test)]
const CHUNK_LINES: usize = 3;
#[cfg(not(test))]
const CHUNK_BYTES: usize = 1 << 20;
#[cfg(test)]
const CHUNK_BYTES: usize = 64;

/// What the reading side carries from line to line.
struct ReadState {
    prev: Option<crate::time::Instant>,
    prev_id: String,
    count: u64,
    grouper: Grouper<RawEvent<'static>>,
}

impl ReadState {
    /// Events must come sorted by occurred, then id; counts the event.
    fn check_order(
        &mut self,
        occurred: crate::time::Instant,
        id: &str,
        line: usize,
    ) -> Result<(), StreamError> {
        if let Some(pi) = self.prev {
            if (pi, self.prev_id.as_str()) == (occurred, id) {
                return Err(ScenarioError::StreamDuplicate {
                    event: id.to_string(),
                    line,
                }
                .into());
            }
            if (pi, self.prev_id.as_str()) >= (occurred, id) {
                return Err(ScenarioError::StreamOrder {
                    event: id.to_string(),
                    previous: self.prev_id.clone(),
                    line,
                }
                .into());
            }
        }
        self.prev = Some(occurred);
        self.prev_id.clear();
        self.prev_id.push_str(id);
        self.count = self.count.saturating_add(1);
        Ok(())
    }
}

/// What the first lines decide: the header, the preparer and the index series.
struct Head<'p> {
    header: Option<StreamHeader>,
    preparer: Option<Preparer<'p>>,
    indices: Option<Indices>,
}

/// Consecutive lines of the stream.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    /// Each line's number and byte range in `bytes`.
    lines: Vec<(usize, usize, usize)>,
    /// A line longer than [`MAX_LINE_BYTES`] ended the chunk: its number and length.
    too_long: Option<(usize, usize)>,
    /// The input is exhausted (or ended by a line too long).
    end: bool,
}

impl Chunk {
    /// Line `k`'s number and text, trimmed.
    fn text(&self, k: usize) -> Result<(usize, &str), StreamError> {
        let &(line_no, start, end) = self.lines.get(k).unwrap_or(&(0, 0, 0));
        let bytes = self.bytes.get(start..end).unwrap_or_default();
        let text = std::str::from_utf8(bytes).map_err(|e| ScenarioError::Json {
            line: line_no,
            column: e.valid_up_to().saturating_add(1),
            message: "the line is not valid UTF-8".to_string(),
        })?;
        Ok((line_no, trim_line(text)))
    }

    /// The error for a line too long, once the lines before it are read.
    fn check_length(&self) -> Result<(), StreamError> {
        match self.too_long {
            Some((line, count)) => Err(ScenarioError::LineTooLong {
                line,
                count,
                limit: MAX_LINE_BYTES,
            }
            .into()),
            None => Ok(()),
        }
    }
}

/// `line.trim()`, without its Unicode tables in the common case: a line whose first and
/// last bytes (its `\n` aside) are visible ASCII has nothing to trim.
fn trim_line(line: &str) -> &str {
    match line.strip_suffix('\n') {
        Some(core) if crate::scenario::nothing_to_trim(core) => core,
        _ => line.trim(),
    }
}

/// The stream cut into chunks of whole lines: the input read a block at a time
/// straight into a chunk's buffer, its lines found with `memchr`, the part of a line at
/// the end of a block carried to the next chunk.
struct LineReader<R> {
    input: R,
    /// The start of a line that the last chunk did not take.
    carry: Vec<u8>,
    /// The number of the last line handed out.
    line_no: usize,
    /// The input is exhausted.
    done: bool,
}

impl<R: BufRead> LineReader<R> {
    fn new(input: R) -> LineReader<R> {
        LineReader {
            input,
            carry: Vec::new(),
            line_no: 0,
            done: false,
        }
    }

    /// The next lines into `chunk`: at least one whole line (or none at the end), about
    /// [`CHUNK_BYTES`] and at most [`CHUNK_LINES`]. A line longer than
    /// [`MAX_LINE_BYTES`] (its `\n` counted) ends the chunk and the stream.
    fn fill(&mut self, chunk: &mut Chunk) -> std::io::Result<()> {
        chunk.bytes.clear();
        chunk.lines.clear();
        std::mem::swap(&mut chunk.bytes, &mut self.carry);
        let (mut scanned, mut line_start) = (0usize, 0usize);
        loop {
            let bytes = chunk.bytes.get(scanned..).unwrap_or_default();
            for nl in memchr::memchr_iter(b'\n', bytes) {
                if chunk.lines.len() >= CHUNK_LINES {
                    break;
                }
                let end = scanned.saturating_add(nl).saturating_add(1);
                if end.saturating_sub(line_start) > MAX_LINE_BYTES {
                    self.too_long(chunk, line_start);
                    return Ok(());
                }
                self.line_no = self.line_no.saturating_add(1);
                chunk.lines.push((self.line_no, line_start, end));
                line_start = end;
            }
            scanned = chunk.bytes.len();
            let full = chunk.lines.len() >= CHUNK_LINES || scanned >= CHUNK_BYTES;
            if full && !chunk.lines.is_empty() {
                break;
            }
            if scanned.saturating_sub(line_start) > MAX_LINE_BYTES {
                self.too_long(chunk, line_start);
                return Ok(());
            }
            if self.done || self.read_block(&mut chunk.bytes)? == 0 {
                self.done = true;
                if line_start < scanned {
                    self.line_no = self.line_no.saturating_add(1);
                    chunk.lines.push((self.line_no, line_start, scanned));
                    line_start = scanned;
                }
                chunk.end = true;
                break;
            }
        }
        self.carry.clear();
        self.carry
            .extend_from_slice(chunk.bytes.get(line_start..).unwrap_or_default());
        chunk.bytes.truncate(line_start);
        Ok(())
    }

    /// Appends up to [`CHUNK_BYTES`] of the input to `bytes`; the bytes appended, 0 at
    /// the end. (`read_to_end` writes into the spare capacity, so nothing is zeroed, and
    /// a `BufReader` with nothing buffered reads straight into it.)
    fn read_block(&mut self, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
        use std::io::Read;
        bytes.reserve(CHUNK_BYTES);
        let limit = u64::try_from(CHUNK_BYTES).unwrap_or(u64::MAX);
        loop {
            match (&mut self.input).take(limit).read_to_end(bytes) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }

    /// Ends the chunk before the line at `line_start`, which is too long, and the stream.
    fn too_long(&mut self, chunk: &mut Chunk, line_start: usize) {
        self.line_no = self.line_no.saturating_add(1);
        chunk.too_long = Some((self.line_no, MAX_LINE_BYTES.saturating_add(1)));
        chunk.bytes.truncate(line_start);
        chunk.end = true;
        self.done = true;
        self.carry.clear();
    }
}

/// A chunk parsed and prepared on its own: its single events, in line order.
#[derive(Default)]
struct Parsed {
    batch: EventBatch,
    /// The line number of each event of `batch`.
    lines: Vec<usize>,
    /// An event has a series: the chunk must be read line by line.
    series: bool,
    /// The first bad line's error; the events before it are in `batch`.
    error: Option<StreamError>,
}

/// Parses and prepares every line of `chunk` into `out`, stopping at the first bad line
/// or event with a series. Reads nothing that another chunk changes.
fn parse_chunk(chunk: &Chunk, prep: &Preparer<'_>, symbols: &Symbols, out: &mut Parsed) {
    out.batch.clear();
    out.lines.clear();
    out.series = false;
    out.error = None;
    let mut raw = RawEvent::empty();
    for k in 0..chunk.lines.len() {
        match parse_line(chunk, k, prep, symbols, &mut raw, &mut out.batch) {
            Ok(Some(line_no)) => out.lines.push(line_no),
            Ok(None) => {}
            Err(None) => {
                out.series = true;
                return;
            }
            Err(Some(e)) => {
                out.error = Some(e);
                return;
            }
        }
    }
}

/// Line `k` of `chunk` into `batch`: its number, `None` for a blank line, `Err(None)`
/// for an event with a series.
fn parse_line<'c>(
    chunk: &'c Chunk,
    k: usize,
    prep: &Preparer<'_>,
    symbols: &Symbols,
    raw: &mut RawEvent<'c>,
    batch: &mut EventBatch,
) -> Result<Option<usize>, Option<StreamError>> {
    let (line_no, text) = chunk.text(k).map_err(Some)?;
    if text.is_empty() {
        return Ok(None);
    }
    raw.read_json_line(text, line_no)
        .map_err(|e| Some(e.into()))?;
    if raw.series.is_some() {
        // Its errors come first, as the line-by-line reading would report them.
        prep.prepare(raw, symbols)
            .map_err(|e| Some(StreamError::from(e)))?;
        return Err(None);
    }
    batch
        .push_prepared(prep, raw, symbols)
        .map_err(|e| Some(StreamError::from(e)))?;
    Ok(Some(line_no))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_support::{event_line, Rng, BENCH_PROGRAM};

    /// A stream of generated events with, by the draw of `rng`: a header, blank lines,
    /// series, a malformed line, two lines out of order.
    fn stream(rng: &mut Rng) -> String {
        let mut lines = Vec::new();
        if rng.next_u64() % 4 == 0 {
            lines.push(r#"{"name":"generated"}"#.to_string());
        }
        let n = rng.next_u64() % 25;
        let mut line = String::new();
        for i in 0..n {
            line.clear();
            event_line(i, rng, &mut line);
            match rng.next_u64() % 12 {
                0 => lines.push(String::new()),
                1 | 2 => line = line.replacen(r#""losses""#, r#""series":"S","losses""#, 1),
                _ => {}
            }
            lines.push(line.clone());
        }
        match rng.next_u64() % 6 {
            0 if !lines.is_empty() => {
                let k = (rng.next_u64() as usize) % lines.len();
                lines.insert(k, r#"{"id":"bad""#.to_string());
            }
            1 if lines.len() > 2 => {
                let k = (rng.next_u64() as usize) % (lines.len() - 1);
                lines.swap(k, k + 1);
            }
            _ => {}
        }
        lines.join("\n")
    }

    /// The summary (or error) and the bytes written, read with or without two threads.
    fn run(program: &Program, text: &str, two_threads: bool) -> (Result<String, String>, Vec<u8>) {
        let mut out = Vec::new();
        let r = replay_lines(
            program,
            text.as_bytes(),
            None,
            Some((&mut out, Format::Jsonl)),
            two_threads,
            crate::replay::Options::default(),
        );
        (r.map(|s| format!("{s:?}")).map_err(|e| e.to_string()), out)
    }

    /// Every line of `text` as the line reader hands them out (through a `BufReader` of
    /// `capacity` bytes), with the too-long line if any.
    fn lines_read(text: &[u8], capacity: usize) -> (Vec<Numbered>, Option<(usize, usize)>) {
        let mut reader = LineReader::new(std::io::BufReader::with_capacity(capacity, text));
        let (mut lines, mut chunk) = (Vec::new(), Chunk::default());
        loop {
            reader.fill(&mut chunk).unwrap();
            for &(n, a, b) in &chunk.lines {
                lines.push((n, chunk.bytes[a..b].to_vec()));
            }
            if chunk.end {
                return (lines, chunk.too_long);
            }
        }
    }

    /// A line's number and bytes.
    type Numbered = (usize, Vec<u8>);

    /// The lines `split_inclusive` finds, numbered from 1.
    fn lines_split(text: &[u8]) -> Vec<Numbered> {
        text.split_inclusive(|b| *b == b'\n')
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_vec()))
            .collect()
    }

    proptest::proptest! {
        /// Whatever the text (blank lines, `\r`, no final line feed, lines longer than a
        /// block) and the reads under it, the reader hands out the lines a split gives.
        #[test]
        fn the_line_reader_hands_out_every_line(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("\n".to_string()),
                    proptest::strategy::Just("\r\n".to_string()),
                    "[a-z{}\":,é ]{0,40}",
                    "[x]{60,300}",
                ],
                0..40,
            ),
            capacity in 1usize..100,
        ) {
            let text = pieces.concat();
            let (lines, too_long) = lines_read(text.as_bytes(), capacity);
            proptest::prop_assert_eq!(too_long, None);
            proptest::prop_assert_eq!(lines, lines_split(text.as_bytes()));
        }
    }

    /// A line is too long when it holds more than the limit with its line feed, as a line
    /// without one at the end of the stream; the lines before it are handed out.
    #[test]
    fn a_line_is_too_long_past_the_limit_with_its_line_feed() {
        let max = MAX_LINE_BYTES;
        let long = |n: usize| "x".repeat(n);
        for (text, too_long) in [
            (format!("a\n{}\n", long(max - 1)), None),
            (format!("a\n{}\n", long(max)), Some((2, max + 1))),
            (format!("a\n{}", long(max)), None),
            (format!("a\n{}", long(max + 1)), Some((2, max + 1))),
            (format!("a\n{}\nb\n", long(max + 5000)), Some((2, max + 1))),
        ] {
            let (lines, got) = lines_read(text.as_bytes(), 1 << 16);
            assert_eq!(got, too_long, "{}", text.len());
            let expected = if too_long.is_some() { 1 } else { 2 };
            assert_eq!(lines.len(), expected, "{}", text.len());
            assert_eq!(lines[0], (1, b"a\n".to_vec()));
        }
    }

    /// Lines trim as `str::trim` trims them: ASCII and Unicode white space at either end,
    /// line feeds, carriage returns, a line of white space only.
    #[test]
    fn lines_trim_as_str_trim_does() {
        for line in [
            "{}\n",
            "{}",
            " {}\n",
            "{} \n",
            "{}\r\n",
            "\u{a0}{}\n",
            "{}\u{2003}\n",
            "\n",
            "",
            " \n",
            "\t{\"a\":1}\t\n",
            "x\n\n",
            "\u{85}",
            "é\n",
        ] {
            assert_eq!(trim_line(line), line.trim(), "{line:?}");
        }
    }

    #[test]
    fn two_thread_reading_equals_reading_line_by_line() {
        // Programs with an occurrence window always read line by line: only programs
        // without one have two readings to compare.
        let program = crate::compile_str(BENCH_PROGRAM).unwrap().program;
        let mut rng = Rng(11);
        let (mut errors, mut lines) = (0, 0);
        for _ in 0..800 {
            let text = stream(&mut rng);
            let (fast, fast_out) = run(&program, &text, true);
            let (slow, slow_out) = run(&program, &text, false);
            assert_eq!(fast, slow, "{text}");
            assert_eq!(fast_out, slow_out, "{text}");
            match fast {
                Ok(_) => lines += text.lines().count(),
                Err(_) => errors += 1,
            }
        }
        // Both kinds of ending are exercised.
        assert!(
            errors > 50 && lines > 2000,
            "{errors} errors, {lines} lines"
        );
    }

    #[test]
    fn a_line_too_long_stops_the_stream_after_the_events_before_it() {
        let program = crate::compile_str(BENCH_PROGRAM).unwrap().program;
        let mut rng = Rng(5);
        let mut text = String::new();
        let mut line = String::new();
        for i in 0..7 {
            line.clear();
            event_line(i, &mut rng, &mut line);
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str(&"x".repeat(MAX_LINE_BYTES + 10));
        text.push('\n');
        line.clear();
        event_line(7, &mut rng, &mut line);
        text.push_str(&line);
        for two_threads in [true, false] {
            let (r, out) = run(&program, &text, two_threads);
            let e = r.unwrap_err();
            assert!(e.starts_with("line 8 of the stream is at least"), "{e}");
            // The seven events before it were replayed and written, nothing after.
            assert_eq!(
                out.iter().filter(|b| **b == b'\n').count(),
                7,
                "{two_threads}"
            );
        }
    }
}
