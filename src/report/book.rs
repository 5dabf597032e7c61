//! The terminal report of a portfolio scenario (section 15.1): the book first — carriers
//! over the book, then each vendor event with its clash and the insureds it left short —
//! then each program's own report.

use super::who;
use crate::portfolio::{BookReplay, Portfolio, VendorEventResult};
use crate::render::grouped;
use crate::replay::{EventResult, Uncovered};
use rust_decimal::Decimal;
use std::fmt::Write;

/// How many insureds a vendor event's "left short" list names before summing up the rest.
const LEFT_SHORT: usize = 5;

/// The terminal report of a book replay: the book, then each program's report.
pub fn book_text(r: &BookReplay, portfolio: &Portfolio) -> String {
    let mut out = String::new();
    head(&mut out, r, portfolio);
    carriers(&mut out, r);
    for v in &r.vendor_events {
        vendor_event(&mut out, v, r);
    }
    for (p, book) in r.programs.iter().zip(&portfolio.programs) {
        let _ = writeln!(out, "\n== program {} ({}) ==", p.program, book.file.name);
        out.push_str(&super::text(&p.result, &book.program));
    }
    out
}

/// `a + b`, saturating (a report's sum of amounts already summed exactly by the replay).
fn add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(Decimal::MAX)
}

/// `part` as a percentage of `whole`, one decimal (half-even), or `-` for a zero whole.
fn share(part: Decimal, whole: Decimal) -> String {
    if whole.is_zero() {
        return "-".to_string();
    }
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(whole))
        .map_or("-".to_string(), |x| {
            let mut x = x.round_dp_with_strategy(1, rounding());
            x.rescale(1);
            format!("{x}%")
        })
}

fn rounding() -> rust_decimal::RoundingStrategy {
    rust_decimal::RoundingStrategy::MidpointNearestEven
}

fn head(out: &mut String, r: &BookReplay, portfolio: &Portfolio) {
    let code = &portfolio.currency.code;
    let events: usize = r.programs.iter().map(|p| p.result.events.len()).sum();
    let expansions: usize = r.vendor_events.iter().map(|v| v.programs.len()).sum();
    let _ = writeln!(out, "portfolio {}", r.portfolio);
    let _ = writeln!(out, "scenario  {}", r.scenario);
    let _ = writeln!(
        out,
        "programs  {}, events {} ({} from {} vendor event{})\n",
        r.programs.len(),
        events,
        expansions,
        r.vendor_events.len(),
        if r.vendor_events.len() == 1 { "" } else { "s" }
    );
    let t = &r.totals;
    let _ = writeln!(out, "book");
    let _ = writeln!(
        out,
        "  {:<61} {:>20}",
        format!("ground-up ({code})"),
        grouped(t.ground_up)
    );
    let _ = writeln!(out, "  {:<61} {:>20}", "paid by carriers", grouped(t.paid));
    let _ = writeln!(out, "  {:<61} {:>20}", "uncovered", grouped(t.uncovered));
}

fn carriers(out: &mut String, r: &BookReplay) {
    let t = &r.totals;
    let _ = writeln!(
        out,
        "carriers over the book{:<18} {:>20}  {:>18}  {:>14}",
        "", "paid", "programs paid in", "of book paid"
    );
    for c in &t.carriers {
        let paid_in = c.programs.iter().filter(|p| !p.paid.is_zero()).count();
        let _ = writeln!(
            out,
            "  {:<38} {:>20}  {:>18}  {:>14}",
            c.carrier,
            grouped(c.paid),
            format!("{paid_in} of {}", c.programs.len()),
            share(c.paid, t.paid)
        );
    }
    if !t.entities.is_empty() {
        let _ = writeln!(
            out,
            "treaty entities over the book{:<11} {:>20} {:>20} {:>20}",
            "", "gross", "ceded", "net"
        );
        for e in &t.entities {
            let _ = writeln!(
                out,
                "  {:<38} {:>20} {:>20} {:>20}",
                e.entity,
                grouped(e.gross),
                grouped(e.ceded),
                grouped(e.net)
            );
        }
    }
}

fn vendor_event(out: &mut String, v: &VendorEventResult, r: &BookReplay) {
    let _ = writeln!(out, "\nvendor event {} (vendor {})", v.id, v.vendor);
    let reached: Vec<&str> = v.programs.iter().map(|p| p.program.as_str()).collect();
    let _ = writeln!(
        out,
        "  insureds reached {}: {}",
        reached.len(),
        if reached.is_empty() {
            "none".to_string()
        } else {
            reached.join(", ")
        }
    );
    let _ = writeln!(out, "  {:<61} {:>20}", "ground-up", grouped(v.ground_up));
    let _ = writeln!(out, "  {:<61} {:>20}", "paid by carriers", grouped(v.paid));
    let uncovered = v
        .programs
        .iter()
        .filter_map(|p| expansion(r, &p.program, &p.event))
        .fold(Decimal::ZERO, |a, e| add(a, uncovered_of(e)));
    let _ = writeln!(out, "  {:<61} {:>20}", "uncovered", grouped(uncovered));
    for c in v.carriers.iter().filter(|c| !c.paid.is_zero()) {
        let _ = writeln!(
            out,
            "    {:<59} {:>20}   in {} program{}",
            c.carrier,
            grouped(c.paid),
            c.programs,
            if c.programs == 1 { "" } else { "s" }
        );
    }
    let clash = if v.clash.is_empty() {
        "none (no carrier pays in two programs)".to_string()
    } else {
        v.clash.join(", ")
    };
    let _ = writeln!(out, "  clash: {clash}");
    left_short(out, v, r);
}

/// The insureds a vendor event left with the most uncovered, largest first, each with the
/// clause that left the largest part of it.
fn left_short(out: &mut String, v: &VendorEventResult, r: &BookReplay) {
    let mut short: Vec<(Decimal, &str, Option<&Uncovered>)> = Vec::new();
    for vp in &v.programs {
        let Some(event) = expansion(r, &vp.program, &vp.event) else {
            continue;
        };
        let uncovered = uncovered_of(event);
        if uncovered.is_zero() {
            continue;
        }
        // The first of the largest entries: `max_by_key` would take the last.
        let largest = event
            .uncovered
            .iter()
            .fold(None::<&Uncovered>, |best, u| match best {
                Some(b) if b.amount >= u.amount => Some(b),
                _ => Some(u),
            });
        short.push((uncovered, &vp.program, largest));
    }
    // Largest first; ties in book order (the sort is stable).
    short.sort_by_key(|x| std::cmp::Reverse(x.0));
    if short.is_empty() {
        return;
    }
    let _ = writeln!(out, "  insureds left with the most uncovered");
    for (amount, key, largest) in short.iter().take(LEFT_SHORT) {
        let why = largest.map_or(String::new(), |u| {
            let w = who(u);
            let name = if w.is_empty() {
                u.reason.as_str().to_string()
            } else {
                format!("{}: {w}", u.reason.as_str())
            };
            format!("  most by {name} ({})", grouped(u.amount))
        });
        let _ = writeln!(out, "    {:<59} {:>20}{why}", key, grouped(*amount));
    }
    if short.len() > LEFT_SHORT {
        let rest = short
            .iter()
            .skip(LEFT_SHORT)
            .fold(Decimal::ZERO, |a, x| add(a, x.0));
        let _ = writeln!(
            out,
            "    {:<59} {:>20}",
            format!("{} more insureds", short.len().saturating_sub(LEFT_SHORT)),
            grouped(rest)
        );
    }
}

/// What an event left uncovered.
fn uncovered_of(e: &EventResult) -> Decimal {
    e.uncovered
        .iter()
        .fold(Decimal::ZERO, |a, u| add(a, u.amount))
}

/// The event `id` of program `key` in a book replay.
fn expansion<'r>(r: &'r BookReplay, key: &str, id: &str) -> Option<&'r EventResult> {
    r.programs
        .iter()
        .find(|p| p.program == key)
        .and_then(|p| p.result.events.iter().find(|e| e.id == id))
}
