//! Human-readable reports of replay results: the terminal report and `--explain`.

use crate::program::Program;
use crate::replay::{EventResult, Replay, TraceStep, Uncovered};
use crate::span::line_col;
use rust_decimal::Decimal;
use std::fmt::Write;

/// `1234567.5` → `1,234,567.50` (the decimals as given).
pub fn grouped(d: Decimal) -> String {
    let s = d.to_string();
    let (sign, s) = match s.strip_prefix('-') {
        Some(r) => ("-", r.to_string()),
        None => ("", s),
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s, None),
    };
    let mut out = String::from(sign);
    let n = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n.saturating_sub(i)) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

fn who(u: &Uncovered) -> String {
    match (&u.clause, &u.layer) {
        (Some(c), Some(l)) => format!("{c} (layer {l})"),
        (Some(c), None) => c.clone(),
        (None, Some(l)) => format!("layer {l}"),
        (None, None) => String::new(),
    }
}

fn uncovered_lines(out: &mut String, list: &[Uncovered], indent: &str) {
    let width = list
        .iter()
        .map(|u| who(u).chars().count())
        .max()
        .unwrap_or(0)
        .max(38);
    for u in list {
        let _ = writeln!(
            out,
            "{indent}{:<20} {:<width$} {:>20}",
            u.reason.as_str(),
            who(u),
            grouped(u.amount)
        );
    }
}

fn event_block(out: &mut String, e: &EventResult, code: &str) {
    let uncovered: Decimal = e.uncovered.iter().map(|u| u.amount).sum();
    let _ = writeln!(out, "event {}", e.id);
    let _ = writeln!(
        out,
        "  {:<61} {:>20}",
        format!("ground-up ({code})"),
        grouped(e.ground_up)
    );
    let _ = writeln!(out, "  {:<61} {:>20}", "paid by carriers", grouped(e.paid));
    let _ = writeln!(out, "  {:<61} {:>20}", "uncovered", grouped(uncovered));
    uncovered_lines(out, &e.uncovered, "    ");
    for l in &e.layers {
        if l.band.is_zero() {
            continue;
        }
        let _ = writeln!(
            out,
            "  layer {:<22} band {:>20}   paid {:>20}",
            l.layer,
            grouped(l.band),
            grouped(l.paid)
        );
        for c in &l.carriers {
            let _ = writeln!(out, "    {:<59} {:>20}", c.carrier, grouped(c.paid));
        }
    }
}

/// The terminal report of a replay: each event, then totals, carriers and layers.
pub fn text(r: &Replay, program: &Program) -> String {
    let code = &program.currency.code;
    let mut out = String::new();
    let _ = writeln!(out, "program  {}", r.program);
    let _ = writeln!(out, "scenario {}", r.scenario);
    let _ = writeln!(out, "events   {}\n", r.events.len());
    for e in &r.events {
        event_block(&mut out, e, code);
        out.push('\n');
    }
    totals(&mut out, r, program);
    out
}

/// The totals part of the report (also used for streamed replays).
pub fn totals(out: &mut String, r: &Replay, program: &Program) {
    let code = &program.currency.code;
    let t = &r.totals;
    let uncovered: Decimal = t.uncovered.iter().map(|u| u.amount).sum();
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
        "layers{:<36} {:>20} {:>20} {:>20}",
        "", "paid", "aggregate left", "reinst. premium"
    );
    for l in &t.layers {
        let left = l
            .aggregate_remaining
            .map_or("unlimited".to_string(), grouped);
        let _ = writeln!(
            out,
            "  {:<40} {:>20} {:>20} {:>20}",
            l.layer,
            grouped(l.paid),
            left,
            grouped(l.reinstatement_premium)
        );
    }
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
