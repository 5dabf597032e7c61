//! Per-event output of a replay as it goes: the section 7 JSON document, JSON Lines (one
//! compact line per event, then the totals), or CSV (one row per event). Events are
//! written from the engine's [`Outcome`] by a [`ResultWriter`]; the serde path is kept for
//! the rare events it does not handle (recoveries, occurrence members, reinsurance).

use super::{Occurrence, Outcome, ParametricClaim, Replayer, ResultWriter, Totals};
use crate::program::Program;
use std::io::Write;

/// Output forms of per-event results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The section 7 document, compact, events written as they go.
    Json,
    /// The section 7 document pretty-printed, byte for byte what
    /// [`Replay::to_json`](super::Replay::to_json) gives (then a newline).
    PrettyJson,
    /// One JSON object per line per event, zero entries left out; the last line is
    /// `{"totals": …}` (with `"parametric"` when the program has claims).
    Jsonl,
    /// A header, then one row per event: ground-up, paid, uncovered by reason, each
    /// layer's and each carrier's paid.
    Csv,
}

/// Where a whole replay writes its results as it goes: told how many results follow,
/// then each occurrence as it is replayed, then the totals. [`EventSink`] writes the
/// section 7 forms; the terminal report has its own (`report::TextSink`).
pub trait ReplayOutput {
    /// Before the first result: the scenario's name and how many results follow.
    fn begin(&mut self, program: &Program, scenario: &str, results: usize) -> std::io::Result<()>;

    /// The occurrence just replayed into `out`.
    fn occurrence(
        &mut self,
        replayer: &Replayer<'_>,
        scenario: &str,
        occ: &Occurrence<'_>,
        out: &Outcome,
    ) -> std::io::Result<()>;

    /// After the last result: the totals and parametric claims; flushes.
    fn end(
        &mut self,
        program: &Program,
        scenario: &str,
        totals: &Totals,
        parametric: &[ParametricClaim],
    ) -> std::io::Result<()>;
}

/// Writes one replay's per-event results to `w`, buffering a chunk at a time.
pub struct EventSink<'w> {
    w: &'w mut dyn Write,
    format: Format,
    writer: ResultWriter,
    buf: Vec<u8>,
    /// Scratch for one event's compact JSON before pretty-printing.
    compact: Vec<u8>,
    started: bool,
    /// Whether an event was written (the pretty document closes `[]` or `\n  ]`).
    any: bool,
}

/// Flush the buffer to the writer beyond this many bytes.
const CHUNK: usize = 1 << 16;

impl<'w> EventSink<'w> {
    /// A sink for `program`'s events in `format`.
    pub fn new(program: &Program, w: &'w mut dyn Write, format: Format) -> EventSink<'w> {
        EventSink {
            w,
            format,
            writer: ResultWriter::new(program),
            buf: Vec::with_capacity(CHUNK.saturating_mul(2)),
            compact: Vec::new(),
            started: false,
            any: false,
        }
    }

    /// Writes what comes before the first event (the JSON prefix, the CSV header).
    fn start(&mut self, program: &Program, scenario: &str) {
        if self.started {
            return;
        }
        self.started = true;
        match self.format {
            Format::Json => {
                self.buf.extend_from_slice(b"{\"program\":");
                super::write::push_json_str(&mut self.buf, &program.name);
                self.buf.extend_from_slice(b",\"scenario\":");
                super::write::push_json_str(&mut self.buf, scenario);
                self.buf.extend_from_slice(b",\"events\":[");
            }
            Format::PrettyJson => {
                self.buf.extend_from_slice(b"{\n  \"program\": ");
                super::write::push_json_str(&mut self.buf, &program.name);
                self.buf.extend_from_slice(b",\n  \"scenario\": ");
                super::write::push_json_str(&mut self.buf, scenario);
                self.buf.extend_from_slice(b",\n  \"events\": [");
            }
            Format::Jsonl => {}
            Format::Csv => self.writer.csv_header(&mut self.buf, program),
        }
    }

    /// Writes the occurrence just replayed into `out`.
    pub fn event(
        &mut self,
        replayer: &Replayer<'_>,
        scenario: &str,
        occ: &Occurrence<'_>,
        out: &Outcome,
    ) -> std::io::Result<()> {
        self.start(replayer.program(), scenario);
        let first = !self.any;
        self.any = true;
        let id = occ.event.id;
        let fast = ResultWriter::handles(out, &occ.members);
        match self.format {
            Format::Json => {
                if !first {
                    self.buf.push(b',');
                }
                if fast {
                    self.writer.json(&mut self.buf, id, out);
                } else {
                    let r = replayer.occurrence_result(occ, out);
                    serde_json::to_writer(&mut self.buf, &r).map_err(std::io::Error::other)?;
                }
            }
            Format::PrettyJson => {
                self.buf
                    .extend_from_slice(if first { b"\n    " } else { b",\n    " });
                if fast {
                    self.writer.pretty(&mut self.buf, id, out);
                } else {
                    self.compact.clear();
                    let r = replayer.occurrence_result(occ, out);
                    serde_json::to_writer(&mut self.compact, &r).map_err(std::io::Error::other)?;
                    super::write::pretty_into(&self.compact, 2, &mut self.buf);
                }
            }
            Format::Jsonl => {
                if fast {
                    self.writer.jsonl(&mut self.buf, id, out);
                } else {
                    let r = replayer.occurrence_result(occ, out);
                    let mut v = serde_json::to_value(&r).map_err(std::io::Error::other)?;
                    strip_zeros(&mut v);
                    serde_json::to_writer(&mut self.buf, &v).map_err(std::io::Error::other)?;
                }
                self.buf.push(b'\n');
            }
            Format::Csv => self.writer.csv_row(&mut self.buf, id, out),
        }
        if self.buf.len() >= CHUNK {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes the end: the totals (and parametric claims) for JSON and JSON Lines.
    pub fn finish(
        mut self,
        program: &Program,
        scenario: &str,
        totals: &Totals,
        parametric: &[ParametricClaim],
    ) -> std::io::Result<()> {
        ReplayOutput::end(&mut self, program, scenario, totals, parametric)
    }

    /// Writes what is buffered (when a replay stops on an error).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        self.w.flush()
    }
}

impl ReplayOutput for EventSink<'_> {
    fn begin(&mut self, program: &Program, scenario: &str, _: usize) -> std::io::Result<()> {
        self.start(program, scenario);
        Ok(())
    }

    fn occurrence(
        &mut self,
        replayer: &Replayer<'_>,
        scenario: &str,
        occ: &Occurrence<'_>,
        out: &Outcome,
    ) -> std::io::Result<()> {
        self.event(replayer, scenario, occ, out)
    }

    fn end(
        &mut self,
        program: &Program,
        scenario: &str,
        totals: &Totals,
        parametric: &[ParametricClaim],
    ) -> std::io::Result<()> {
        self.start(program, scenario);
        let to_io = std::io::Error::other;
        match self.format {
            Format::Json => {
                self.buf.extend_from_slice(b"],\"totals\":");
                serde_json::to_writer(&mut self.buf, totals).map_err(to_io)?;
                if !parametric.is_empty() {
                    self.buf.extend_from_slice(b",\"parametric\":");
                    serde_json::to_writer(&mut self.buf, parametric).map_err(to_io)?;
                }
                self.buf.extend_from_slice(b"}\n");
            }
            Format::PrettyJson => {
                self.buf.extend_from_slice(if self.any {
                    b"\n  ],\n  \"totals\": "
                } else {
                    b"],\n  \"totals\": "
                });
                self.compact.clear();
                serde_json::to_writer(&mut self.compact, totals).map_err(to_io)?;
                super::write::pretty_into(&self.compact, 1, &mut self.buf);
                if !parametric.is_empty() {
                    self.buf.extend_from_slice(b",\n  \"parametric\": ");
                    self.compact.clear();
                    serde_json::to_writer(&mut self.compact, parametric).map_err(to_io)?;
                    super::write::pretty_into(&self.compact, 1, &mut self.buf);
                }
                self.buf.extend_from_slice(b"\n}\n");
            }
            Format::Jsonl => {
                self.buf.extend_from_slice(b"{\"totals\":");
                serde_json::to_writer(&mut self.buf, totals).map_err(to_io)?;
                if !parametric.is_empty() {
                    self.buf.extend_from_slice(b",\"parametric\":");
                    serde_json::to_writer(&mut self.buf, parametric).map_err(to_io)?;
                }
                self.buf.extend_from_slice(b"}\n");
            }
            Format::Csv => {}
        }
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        self.w.flush()
    }
}

/// Leaves out zero entries of an event's JSON: layers without a band, carriers that paid
/// nothing, a zero `unplaced`, recovered carriers with nothing back.
fn strip_zeros(v: &mut serde_json::Value) {
    let zero = |x: &serde_json::Value| {
        x.as_str()
            .is_some_and(|s| s.bytes().all(|b| b == b'0' || b == b'.'))
    };
    let Some(obj) = v.as_object_mut() else { return };
    if let Some(layers) = obj.get_mut("layers").and_then(|l| l.as_array_mut()) {
        layers.retain(|l| !l.get("band").is_some_and(zero));
        for l in layers.iter_mut() {
            let Some(l) = l.as_object_mut() else { continue };
            if l.get("unplaced").is_some_and(zero) {
                l.remove("unplaced");
            }
            if let Some(cs) = l.get_mut("carriers").and_then(|c| c.as_array_mut()) {
                cs.retain(|c| !c.get("paid").is_some_and(zero));
            }
        }
    }
    if let Some(cs) = obj
        .get_mut("recovered")
        .and_then(|r| r.get_mut("carriers"))
        .and_then(|c| c.as_array_mut())
    {
        cs.retain(|c| !c.get("amount").is_some_and(zero));
    }
}
