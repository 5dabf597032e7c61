//! The book's tower view as a terminal table.

use super::{BookLine, BookTower, VendorMaximum};
use crate::render::grouped;
use std::fmt::Write;

/// The book's tower view as text: lines over the book, then each vendor's maximum.
pub fn text(t: &BookTower) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "portfolio {} ({}), {} programs, {} vendors\n",
        t.portfolio,
        t.currency,
        t.programs.len(),
        t.vendors.len()
    );
    lines(&mut out, &t.entities);
    for v in &t.vendors {
        vendor(&mut out, v);
    }
    out
}

fn lines(out: &mut String, entities: &[BookLine]) {
    let _ = writeln!(
        out,
        "lines over the book{:<21} {:>20} {:>20} {:>20} {:>20}",
        "", "per occurrence", "aggregate", "assumed", "net"
    );
    for e in entities {
        let aggregate = e.aggregate.map_or("unlimited".to_string(), grouped);
        let _ = writeln!(
            out,
            "  {:<38} {:>20} {:>20} {:>20} {:>20}",
            e.entity,
            grouped(e.occurrence),
            aggregate,
            grouped(e.assumed),
            grouped(e.net)
        );
        if !e.programs.is_empty() {
            let keys: Vec<&str> = e.programs.iter().map(|p| p.program.as_str()).collect();
            let _ = writeln!(out, "    writes in {}", keys.join(", "));
        }
    }
}

fn vendor(out: &mut String, v: &VendorMaximum) {
    let keys: Vec<&str> = v.programs.iter().map(|p| p.program.as_str()).collect();
    let _ = writeln!(
        out,
        "\nvendor {}: whole dependent exposure lost in {} program{} ({})",
        v.vendor,
        keys.len(),
        if keys.len() == 1 { "" } else { "s" },
        if keys.is_empty() {
            "none".to_string()
        } else {
            keys.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "  {:<38} {:>20}",
        "dependent exposure",
        grouped(v.exposure)
    );
    let _ = writeln!(out, "  {:<38} {:>20}", "paid by carriers", grouped(v.paid));
    let _ = writeln!(
        out,
        "  {:<38} {:>20} {:>20} {:>10}",
        "carrier", "most it pays", "of its book line", "programs"
    );
    for c in &v.carriers {
        let _ = writeln!(
            out,
            "    {:<36} {:>20} {:>20} {:>10}",
            c.carrier,
            grouped(c.paid),
            format!("{}%", c.share_of_line),
            c.programs
        );
    }
}
