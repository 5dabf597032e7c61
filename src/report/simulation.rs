//! The terminal table of a simulation: summaries by average annual loss with their spread
//! and return-period losses, then the layers' attachment and exhaustion.

use super::grouped;
use crate::simulate::{SimulationResult, SummaryResult};
use std::fmt::Write;

/// Return periods shown as columns when the results have them.
const COLUMNS: [u64; 5] = [10, 50, 100, 250, 1000];

pub(crate) fn pct(p: f64) -> String {
    if p == 0.0 {
        "0%".to_string()
    } else if p < 0.001 {
        format!("{:.3}%", p * 100.0)
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

/// The table; `events` is the number of events drawn.
pub fn simulation_text(r: &SimulationResult, currency: &str, events: u64) -> String {
    let mut out = String::new();
    let per_year = if r.years == 0 {
        0.0
    } else {
        events as f64 / r.years as f64
    };
    let _ = writeln!(out, "model    {}", r.model);
    let _ = writeln!(out, "program  {}", r.program);
    let _ = writeln!(
        out,
        "years    {} (seed {}), {} events, {:.3} a year\n",
        grouped(r.years.into()),
        r.seed,
        grouped(events.into()),
        per_year
    );
    // ground_up, paid, uncovered first; then every other summary by AAL, largest first.
    let (head, mut rest): (Vec<&SummaryResult>, Vec<&SummaryResult>) = r
        .summaries
        .iter()
        .partition(|s| matches!(s.summary.as_str(), "ground_up" | "paid" | "uncovered"));
    rest.sort_by_key(|s| std::cmp::Reverse(s.aal));
    let rows: Vec<&SummaryResult> = head.into_iter().chain(rest).collect();
    let width = summary_table(&mut out, &rows, currency);
    let _ = writeln!(
        out,
        "\n(return-period columns: aggregate exceedance, the annual loss exceeded once in T years;\n occurrence exceedance and TVaR with --json)\n"
    );
    let _ = writeln!(
        out,
        "{:<width$} {:>12} {:>12} {:>22}",
        "layer", "attaches", "exhausts", "reinst. premium / yr"
    );
    for l in &r.layers {
        let _ = writeln!(
            out,
            "{:<width$} {:>12} {:>12} {:>22}",
            l.layer,
            pct(l.attach_probability),
            pct(l.exhaust_probability),
            grouped(l.reinstatement_premium)
        );
    }
    parametric(&mut out, r, width);
    out
}

/// The parametric covers' claim probabilities and the basis-risk lines (spec section 14).
fn parametric(out: &mut String, r: &SimulationResult, width: usize) {
    if r.parametric.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<width$} {:>25}",
        "parametric cover", "a claim in a year"
    );
    for c in &r.parametric {
        let _ = writeln!(out, "{:<width$} {:>25}", c.cover, pct(c.claim_probability));
    }
    let Some(b) = &r.basis_risk else {
        return;
    };
    let _ = writeln!(
        out,
        "\nbasis risk: {} of years leave more than {} of indemnity uncovered; in {} of years that happens and no parametric cover pays",
        pct(b.uncovered_above),
        grouped(b.threshold),
        pct(b.missed)
    );
    let _ = writeln!(
        out,
        "{:<10} {:>18} {:>18} {:>30}",
        "", "uncovered", "parametric paid", "parametric in those years"
    );
    for j in &b.joint {
        let _ = writeln!(
            out,
            "{:<10} {:>18} {:>18} {:>30}",
            format!("1 in {}", j.return_period),
            grouped(j.uncovered),
            grouped(j.parametric),
            grouped(j.parametric_in_those_years)
        );
    }
}

/// The summaries' table (AAL, SD, share of years with a loss, AEP columns) in the order
/// given; returns the width of its first column.
pub(crate) fn summary_table(out: &mut String, rows: &[&SummaryResult], currency: &str) -> usize {
    let first = rows.first();
    let cols: Vec<u64> = match first {
        Some(s) => {
            let have: Vec<u64> = s.aep.iter().map(|p| p.return_period).collect();
            let wanted: Vec<u64> = COLUMNS
                .iter()
                .copied()
                .filter(|t| have.contains(t))
                .collect();
            if wanted.is_empty() {
                have.into_iter().rev().take(5).rev().collect()
            } else {
                wanted
            }
        }
        None => Vec::new(),
    };
    let width = rows
        .iter()
        .map(|s| s.summary.chars().count())
        .max()
        .unwrap_or(10)
        .max(10);
    let _ = write!(
        out,
        "{:<width$} {:>16} {:>16} {:>8}",
        format!("annual loss ({currency})"),
        "AAL",
        "SD",
        "years>0"
    );
    for t in &cols {
        let _ = write!(out, " {:>16}", format!("1 in {t}"));
    }
    out.push('\n');
    for s in rows {
        let _ = write!(
            out,
            "{:<width$} {:>16} {:>16} {:>8}",
            s.summary,
            grouped(s.aal),
            grouped(s.sd),
            pct(s.nonzero_years)
        );
        for t in &cols {
            let v = s.aep.iter().find(|p| p.return_period == *t).map(|p| p.loss);
            let _ = write!(out, " {:>16}", v.map_or("-".to_string(), grouped));
        }
        out.push('\n');
    }
    width
}
