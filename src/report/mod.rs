//! Human-readable reports of replay results: the terminal report and `--explain`.

mod book;
mod book_sim;
mod simulation;
pub use book::book_text;
pub use book_sim::book_simulation_text;
pub use simulation::simulation_text;

use crate::program::Program;
use crate::reinsurance::EntityResult;
use crate::render::visible;
use crate::replay::{
    replay_text_to, EventResult, Occurrence, Options, Outcome, ParametricClaim, Recovered, Replay,
    ReplayOutput, ReplayWarning, Replayer, StreamError, Totals, TraceStep, Uncovered,
};
use crate::span::line_col;
use rust_decimal::Decimal;
use std::fmt::Write;

use crate::render::{grouped, push_left, push_right};

fn who(u: &Uncovered) -> String {
    match (&u.clause, &u.layer) {
        (Some(c), Some(l)) => format!("{c} (layer {l})"),
        (Some(c), None) => c.clone(),
        (None, Some(l)) => format!("layer {l}"),
        (None, None) => String::new(),
    }
}

fn uncovered_lines(out: &mut String, list: &[Uncovered], indent: &str) {
    let names: Vec<String> = list.iter().map(who).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(38);
    for (u, name) in list.iter().zip(&names) {
        out.push_str(indent);
        push_left(out, u.reason.as_str(), 20);
        out.push(' ');
        push_left(out, name, width);
        out.push(' ');
        push_right(out, &grouped(u.amount), 20);
        out.push('\n');
    }
}

/// `{indent}{label:<width} {amount:>20}` and a line feed: a label and its amount.
fn row(out: &mut String, indent: &str, label: &str, width: usize, amount: Decimal) {
    out.push_str(indent);
    push_left(out, label, width);
    out.push(' ');
    push_right(out, &grouped(amount), 20);
    out.push('\n');
}

/// The sum of an uncovered list, `0.00` (at `scale` decimals) when empty.
fn sum_uncovered(list: &[Uncovered], scale: u32) -> Decimal {
    list.iter().fold(Decimal::new(0, scale), |a, u| {
        a.checked_add(u.amount).unwrap_or(Decimal::MAX)
    })
}

fn event_block(out: &mut String, e: &EventResult, code: &str) {
    let uncovered = sum_uncovered(&e.uncovered, e.ground_up.scale());
    let _ = writeln!(out, "event {}", e.id);
    if !e.events.is_empty() {
        let _ = writeln!(
            out,
            "  one occurrence of {} events: {}",
            e.events.len(),
            e.events.join(", ")
        );
    }
    row(out, "  ", &format!("ground-up ({code})"), 61, e.ground_up);
    row(out, "  ", "paid by carriers", 61, e.paid);
    row(out, "  ", "uncovered", 61, uncovered);
    uncovered_lines(out, &e.uncovered, "    ");
    for l in &e.layers {
        if l.band.is_zero() {
            continue;
        }
        out.push_str("  layer ");
        push_left(out, &l.layer, 22);
        out.push_str(" band ");
        push_right(out, &grouped(l.band), 20);
        out.push_str("   paid ");
        push_right(out, &grouped(l.paid), 20);
        out.push('\n');
        for c in &l.carriers {
            row(out, "    ", &c.carrier, 59, c.paid);
        }
        if !l.unplaced.is_zero() {
            row(
                out,
                "    ",
                "unplaced (kept by the insured)",
                59,
                l.unplaced,
            );
        }
    }
    recovered(out, e.recovered.as_ref(), "  ", true);
    entities(out, &e.entities, "  ", true);
}

/// Section 11.2: what came back and to whom; with `skip_zero`, carriers getting nothing
/// are left out.
fn recovered(out: &mut String, r: Option<&Recovered>, indent: &str, skip_zero: bool) {
    let Some(r) = r else { return };
    let _ = writeln!(
        out,
        "{indent}{:<61} {:>20}",
        "recovered (applied from the top of the loss down)",
        grouped(r.total)
    );
    let _ = writeln!(
        out,
        "{indent}  {:<59} {:>20}",
        "to the insured",
        grouped(r.insured)
    );
    for c in &r.carriers {
        if skip_zero && c.amount.is_zero() {
            continue;
        }
        let net = c
            .net
            .map(|n| format!("   net paid {:>20}", grouped(n)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}  {:<59} {:>20}{net}",
            format!("to {}", c.carrier),
            grouped(c.amount)
        );
    }
}

/// Section 9: each entity's gross, ceded and net, its treaties and their reinsurers.
fn entities(out: &mut String, list: &[EntityResult], indent: &str, skip_zero: bool) {
    if list.is_empty() || (skip_zero && list.iter().all(|e| e.gross.is_zero())) {
        return;
    }
    let _ = writeln!(
        out,
        "{indent}{:<39} {:>20} {:>20} {:>20}",
        "after reinsurance", "gross", "ceded", "net"
    );
    for e in list {
        if skip_zero && e.gross.is_zero() {
            continue;
        }
        let _ = writeln!(
            out,
            "{indent}  {:<37} {:>20} {:>20} {:>20}",
            e.entity,
            grouped(e.gross),
            grouped(e.ceded),
            grouped(e.net)
        );
        for t in &e.treaties {
            if skip_zero && t.ceded.is_zero() {
                continue;
            }
            let _ = writeln!(
                out,
                "{indent}    {:<35} {:>20} {:>20}",
                format!("treaty {}", t.treaty),
                "",
                grouped(t.ceded)
            );
            for r in &t.reinsurers {
                let _ = writeln!(
                    out,
                    "{indent}      {:<33} {:>20} {:>20}",
                    format!("to {}", r.reinsurer),
                    "",
                    grouped(r.amount)
                );
            }
        }
    }
}

/// The terminal report of a replay: each event, then totals, carriers and layers.
pub fn text(r: &Replay, program: &Program) -> String {
    let code = &program.currency.code;
    let mut out = String::new();
    head(&mut out, &r.program, &r.scenario, r.events.len());
    for e in &r.events {
        event_block(&mut out, e, code);
        out.push('\n');
    }
    totals(&mut out, r, program);
    out
}

/// The report's first lines: program, scenario, number of results.
fn head(out: &mut String, program: &str, scenario: &str, results: usize) {
    let _ = writeln!(out, "program  {program}");
    let _ = writeln!(out, "scenario {scenario}");
    let _ = writeln!(out, "events   {results}\n");
}

/// The terminal report written as a whole replay goes ([`replay_text_to`]): the text
/// [`text`] gives of the whole result, byte for byte, made [`visible`] like the CLI's
/// printing, without keeping any event's result (test
/// `the_streamed_report_is_the_report`).
pub struct TextSink<'w> {
    w: &'w mut dyn std::io::Write,
    code: String,
    buf: String,
}

/// Write the buffer out beyond this many bytes.
const CHUNK: usize = 1 << 16;

impl<'w> TextSink<'w> {
    /// A sink writing `program`'s report to `w`.
    pub fn new(program: &Program, w: &'w mut dyn std::io::Write) -> TextSink<'w> {
        TextSink {
            w,
            code: program.currency.code.clone(),
            buf: String::with_capacity(CHUNK.saturating_mul(2)),
        }
    }

    /// Writes the buffer's whole lines, control characters made visible.
    fn flush_buf(&mut self) -> std::io::Result<()> {
        self.w.write_all(visible(&self.buf).as_bytes())?;
        self.buf.clear();
        Ok(())
    }
}

impl ReplayOutput for TextSink<'_> {
    fn begin(&mut self, program: &Program, scenario: &str, results: usize) -> std::io::Result<()> {
        head(&mut self.buf, &program.name, scenario, results);
        Ok(())
    }

    fn occurrence(
        &mut self,
        replayer: &Replayer<'_>,
        _: &str,
        occ: &Occurrence<'_>,
        out: &Outcome,
    ) -> std::io::Result<()> {
        event_block(
            &mut self.buf,
            &replayer.occurrence_result(occ, out),
            &self.code,
        );
        self.buf.push('\n');
        if self.buf.len() >= CHUNK {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn end(
        &mut self,
        program: &Program,
        _: &str,
        totals: &Totals,
        parametric: &[ParametricClaim],
    ) -> std::io::Result<()> {
        totals_of(&mut self.buf, totals, parametric, program);
        self.flush_buf()?;
        self.w.flush()
    }
}

/// Replays a scenario given as JSON text and writes the terminal report to `w` as it
/// goes ([`TextSink`]): memory near the text's size however many events it has.
/// Returns the warnings.
pub fn text_into(
    program: &Program,
    text: &str,
    w: &mut dyn std::io::Write,
    options: Options,
) -> Result<Vec<ReplayWarning>, StreamError> {
    replay_text_to(program, text, &mut TextSink::new(program, w), options)
}

/// Parametric claims and the basis risk beside the indemnity result.
fn parametric(out: &mut String, t: &Totals, claims: &[ParametricClaim], program: &Program) {
    if program.parametric.is_empty() {
        return;
    }
    let code = &program.currency.code;
    let _ = writeln!(out, "parametric claims");
    if claims.is_empty() {
        let _ = writeln!(out, "  (none: no excursion triggered a cover)");
    }
    for c in claims {
        let _ = writeln!(out, "  {} triggered {}", c.cover, c.trigger);
        let _ = writeln!(
            out,
            "    excursion {} to {}, severity {}, fraction {}",
            c.excursion_start,
            c.excursion_end,
            c.severity,
            c.fraction.normalize()
        );
        let _ = writeln!(out, "    {:<57} {:>20}", "payout", grouped(c.payout));
        if !c.aggregate_exhausted.is_zero() {
            let _ = writeln!(
                out,
                "    {:<57} {:>20}",
                "aggregate_exhausted",
                grouped(c.aggregate_exhausted)
            );
        }
        let _ = writeln!(
            out,
            "    {:<57} {:>20}",
            "amount (after the aggregate)",
            grouped(c.amount)
        );
        for p in &c.carriers {
            let _ = writeln!(out, "      {:<55} {:>20}", p.carrier, grouped(p.paid));
        }
        if !c.unplaced_share.is_zero() {
            let _ = writeln!(
                out,
                "      {:<55} {:>20}",
                "unplaced_share",
                grouped(c.unplaced_share)
            );
        }
    }
    let zero = program.currency.decimal(crate::money::Money::ZERO);
    let sum =
        |it: &mut dyn Iterator<Item = Decimal>| it.fold(zero, |a, x| a.checked_add(x).unwrap_or(a));
    let uncovered = sum(&mut t.uncovered.iter().map(|u| u.amount));
    let paid = sum(&mut claims
        .iter()
        .flat_map(|c| c.carriers.iter().map(|p| p.paid)));
    let _ = writeln!(out, "basis risk");
    let _ = writeln!(
        out,
        "  {:<61} {:>20}",
        format!("indemnity loss left uncovered ({code})"),
        grouped(uncovered)
    );
    let _ = writeln!(
        out,
        "  {:<61} {:>20}",
        "parametric paid by carriers",
        grouped(paid)
    );
}

/// The totals part of the report (also used for streamed replays).
pub fn totals(out: &mut String, r: &Replay, program: &Program) {
    totals_of(out, &r.totals, &r.parametric, program);
}

/// [`totals`] of the parts of a result.
fn totals_of(out: &mut String, t: &Totals, claims: &[ParametricClaim], program: &Program) {
    let code = &program.currency.code;
    let uncovered = sum_uncovered(&t.uncovered, t.ground_up.scale());
    let _ = writeln!(out, "totals");
    let _ = writeln!(
        out,
        "  {:<61} {:>20}",
        format!("ground-up ({code})"),
        grouped(t.ground_up)
    );
    let _ = writeln!(out, "  {:<61} {:>20}", "paid by carriers", grouped(t.paid));
    let _ = writeln!(out, "  {:<61} {:>20}", "uncovered", grouped(uncovered));
    uncovered_lines(out, &t.uncovered, "    ");
    let _ = writeln!(out, "carriers");
    for c in &t.carriers {
        let _ = writeln!(out, "  {:<61} {:>20}", c.carrier, grouped(c.paid));
    }
    let _ = writeln!(
        out,
        "layers{:<36} {:>20} {:>20} {:>20} {:>20}",
        "", "paid", "unplaced", "aggregate left", "reinst. premium"
    );
    for l in &t.layers {
        let left = l
            .aggregate_remaining
            .map_or("unlimited".to_string(), grouped);
        let _ = writeln!(
            out,
            "  {:<40} {:>20} {:>20} {:>20} {:>20}",
            l.layer,
            grouped(l.paid),
            grouped(l.unplaced),
            left,
            grouped(l.reinstatement_premium)
        );
    }
    recovered(out, t.recovered.as_ref(), "", false);
    entities(out, &t.entities, "", false);
    parametric(out, t, claims, program);
}

/// `--explain COVER`: every excursion of a parametric cover and what became of it.
pub fn explain_cover(
    cover: &crate::program::ParametricCover,
    excursions: &[crate::replay::Excursion],
    claims: &[crate::replay::ParametricClaim],
    file: &str,
    src: &str,
) -> String {
    use crate::replay::ExcursionOutcome;
    let mut out = String::new();
    let (line, _) = line_col(src, cover.span.start);
    let _ = writeln!(
        out,
        "parametric cover `{}` ({file}:{line}): index `{}`, trigger {} {} for {}",
        cover.name,
        cover.index,
        cover.direction.keyword(),
        cover.threshold,
        cover.duration
    );
    if excursions.is_empty() {
        let _ = writeln!(
            out,
            "no excursion: the index never went {} {}",
            cover.direction.keyword(),
            cover.threshold
        );
    }
    for (n, e) in excursions.iter().enumerate() {
        let what = match e.outcome {
            ExcursionOutcome::Claim => "claim".to_string(),
            ExcursionOutcome::TooShort => format!("too short for {}", cover.duration),
            ExcursionOutcome::InWaitingPeriod => "starts inside the waiting period".to_string(),
            ExcursionOutcome::TriggerOutsidePeriod => {
                "trigger instant outside the period".to_string()
            }
        };
        let trigger = e.trigger.map_or("never".to_string(), |t| t.to_string());
        let _ = writeln!(
            out,
            "{:>2}. {} to {}: severity {}, trigger {trigger}: {what}",
            n.saturating_add(1),
            e.start,
            e.end,
            e.severity
        );
        let start = e.start.to_string();
        if let Some(c) = claims
            .iter()
            .find(|c| c.cover == cover.name && c.excursion_start == start)
        {
            let cut = if c.aggregate_exhausted.is_zero() {
                String::new()
            } else {
                format!(", {} cut by the aggregate", grouped(c.aggregate_exhausted))
            };
            let _ = writeln!(
                out,
                "    fraction {} → payout {}{cut} → paid {}",
                c.fraction.normalize(),
                grouped(c.payout),
                grouped(c.amount)
            );
        }
    }
    out
}

/// `--explain`: the event's path step by step, each clause with its source line.
pub fn explain(
    e: &EventResult,
    trace: &[TraceStep],
    program: &Program,
    file: &str,
    src: &str,
) -> String {
    let cur = &program.currency;
    let mut out = String::new();
    let _ = writeln!(out, "event {} through program \"{}\"", e.id, program.name);
    for (n, s) in trace.iter().enumerate() {
        let name = s
            .name
            .as_deref()
            .map(|x| format!(" `{x}`"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:>2}. {}{}: {} → {}  ({})",
            n.saturating_add(1),
            s.step,
            name,
            grouped(cur.decimal(s.before)),
            grouped(cur.decimal(s.after)),
            s.note
        );
        if let Some(span) = s.span {
            let (line, _) = line_col(src, span.start);
            let text = src.lines().nth(line.saturating_sub(1)).unwrap_or("").trim();
            let _ = writeln!(out, "      {file}:{line}: {text}");
        }
    }
    out.push('\n');
    event_block(&mut out, e, &cur.code);
    out
}
