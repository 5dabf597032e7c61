//! The terminal report of a book simulation (spec section 15.2): the book's summaries,
//! the diversification table per carrier and the clash table per vendor peril.

use super::grouped;
use super::simulation::{pct, summary_table};
use crate::portfolio::BookSimulation;
use std::fmt::Write;

/// The report.
pub fn book_simulation_text(r: &BookSimulation, currency: &str) -> String {
    let mut out = String::new();
    let per_year = if r.years == 0 {
        0.0
    } else {
        r.events as f64 / r.years as f64
    };
    let _ = writeln!(out, "model      {}", r.model);
    let _ = writeln!(out, "portfolio  {}", r.portfolio);
    let _ = writeln!(
        out,
        "years      {} (seed {}), {} events, {:.3} a year\n",
        grouped(r.years.into()),
        r.seed,
        grouped(r.events.into()),
        per_year
    );
    let rows: Vec<_> = r.summaries.iter().collect();
    summary_table(&mut out, &rows, currency);
    let _ = writeln!(
        out,
        "\n(return-period columns: aggregate exceedance over the book; a book occurrence is one\n vendor event over every program it reaches, or one program's own occurrence)\n"
    );
    diversification(&mut out, r);
    clash(&mut out, r);
    out
}

fn diversification(out: &mut String, r: &BookSimulation) {
    let width = r
        .diversification
        .iter()
        .map(|d| d.carrier.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "diversification: each carrier's book figure beside the sum of its programs' (1 − book / sum)"
    );
    let _ = writeln!(
        out,
        "{:<width$} {:>16} {:>16} {:>16} {:>16} {:>9} {:>16} {:>16} {:>9}",
        "carrier",
        "AAL",
        "sum of programs",
        "1 in 100",
        "sum of programs",
        "divers.",
        "1 in 250",
        "sum of programs",
        "divers."
    );
    let amount = |d: Option<rust_decimal::Decimal>| d.map_or("-".to_string(), grouped);
    let ratio = |x: Option<f64>| x.map_or("-".to_string(), pct);
    for d in &r.diversification {
        let _ = writeln!(
            out,
            "{:<width$} {:>16} {:>16} {:>16} {:>16} {:>9} {:>16} {:>16} {:>9}",
            d.carrier,
            grouped(d.book.aal),
            grouped(d.sum_of_programs.aal),
            amount(d.book.aep_100),
            amount(d.sum_of_programs.aep_100),
            ratio(d.diversification.aep_100),
            amount(d.book.aep_250),
            amount(d.sum_of_programs.aep_250),
            ratio(d.diversification.aep_250)
        );
    }
}

fn clash(out: &mut String, r: &BookSimulation) {
    if r.clash.is_empty() {
        return;
    }
    let width = r
        .clash
        .iter()
        .map(|c| c.peril.chars().count())
        .max()
        .unwrap_or(11)
        .max(11);
    let _ = writeln!(
        out,
        "\nclash: per vendor peril, programs an event reaches and years in which a carrier pays in 2 or more programs from one event"
    );
    let _ = writeln!(
        out,
        "{:<width$} {:>20} {:>10} {:>20} {:>20}",
        "vendor peril", "vendor", "events", "programs per event", "years with a clash"
    );
    for c in &r.clash {
        let _ = writeln!(
            out,
            "{:<width$} {:>20} {:>10} {:>20} {:>20}",
            c.peril,
            c.vendor,
            grouped(c.events.into()),
            c.programs_per_event
                .map_or("-".to_string(), |x| format!("{x:.2}")),
            pct(c.clash_probability)
        );
        for k in &c.carriers {
            let _ = writeln!(out, "  {:<40} {:>20}", k.carrier, pct(k.clash_probability));
        }
    }
}
