//! Oasis ORD-style output files (spec section 12.3): `summaries.csv`, `ept.csv`, `alt.csv`
//! and `plt.csv`, so that results load into tools that read Oasis output. Losses carry the
//! currency's decimals; summary ids count from 1 in the order of the results.

use super::{Block, SimulationResult};
use crate::program::Program;
use crate::replay::write::push_money;
use std::io::Write;
use std::path::Path;

/// Writes the four files into `dir` (created if missing).
pub fn write_ord(
    dir: &Path,
    program: &Program,
    result: &SimulationResult,
    block: &Block,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let decimals = program.currency.minor_units;
    let mut summaries = String::from("SummaryId,Summary\n");
    for (i, s) in result.summaries.iter().enumerate() {
        summaries.push_str(&format!("{},{}\n", i.saturating_add(1), csv(&s.summary)));
    }
    std::fs::write(dir.join("summaries.csv"), summaries)?;

    let mut ept = String::from("SummaryId,EPCalc,EPType,ReturnPeriod,Loss\n");
    for (i, s) in result.summaries.iter().enumerate() {
        let id = i.saturating_add(1);
        // EPType 1 OEP, 2 OEP TVaR, 3 AEP, 4 AEP TVaR; EPCalc 2.
        for (ty, curve, tvar) in [
            (1, &s.oep, false),
            (2, &s.oep, true),
            (3, &s.aep, false),
            (4, &s.aep, true),
        ] {
            for p in curve.iter() {
                let loss = if tvar { p.tvar } else { p.loss };
                ept.push_str(&format!("{id},2,{ty},{},{loss}\n", p.return_period));
            }
        }
    }
    std::fs::write(dir.join("ept.csv"), ept)?;

    let mut alt = String::from("SummaryId,SampleType,MeanLoss,SDLoss\n");
    for (i, s) in result.summaries.iter().enumerate() {
        alt.push_str(&format!("{},2,{},{}\n", i.saturating_add(1), s.aal, s.sd));
    }
    std::fs::write(dir.join("alt.csv"), alt)?;

    // One row per year and summary with a non-zero loss, by year then summary.
    let mut rows: Vec<(u32, usize, i64)> = Vec::new();
    for (i, acc) in block.summaries.values().enumerate() {
        for (y, v) in acc.annual_years.iter().zip(&acc.annual) {
            rows.push((*y, i.saturating_add(1), *v));
        }
    }
    rows.sort_unstable();
    let file = std::fs::File::create(dir.join("plt.csv"))?;
    let mut w = std::io::BufWriter::new(file);
    w.write_all(b"Period,SummaryId,Loss\n")?;
    let mut buf = Vec::with_capacity(64);
    for (y, id, v) in rows {
        buf.clear();
        buf.extend_from_slice(format!("{y},{id},").as_bytes());
        push_money(&mut buf, v, decimals);
        buf.push(b'\n');
        w.write_all(&buf)?;
    }
    w.flush()
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
