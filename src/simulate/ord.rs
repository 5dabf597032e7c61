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
    write_ord_tables(dir, result)?;
    let decimals = program.currency.minor_units;
    let file = std::fs::File::create(dir.join("plt.csv"))?;
    let mut w = std::io::BufWriter::new(file);
    write_plt_header(&mut w)?;
    let keys: Vec<_> = block.summaries.keys().copied().collect();
    write_plt_rows(&mut w, &keys, block, decimals)?;
    w.flush()
}

/// Writes `summaries.csv`, `ept.csv` and `alt.csv` into `dir` (created if missing); the
/// year loss table is written by [`write_plt_rows`] as the years come.
pub fn write_ord_tables(dir: &Path, result: &SimulationResult) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
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
    std::fs::write(dir.join("alt.csv"), alt)
}

/// The header of `plt.csv`.
pub fn write_plt_header(w: &mut dyn Write) -> std::io::Result<()> {
    w.write_all(b"Period,SummaryId,Loss\n")
}

/// The `plt.csv` rows of a block: one per year and summary with a non-zero loss, by year
/// then summary; `keys` are the run's summaries in result order (ids count from 1).
/// Blocks written in year order give the rows of the whole run in order.
pub fn write_plt_rows(
    w: &mut dyn Write,
    keys: &[super::SummaryKey],
    block: &Block,
    decimals: u32,
) -> std::io::Result<()> {
    let mut rows: Vec<(u32, usize, i64)> = Vec::new();
    for (key, acc) in &block.summaries {
        // A summary the results do not list (a book's program slices) has no row.
        let Some(id) = keys
            .iter()
            .position(|k| k == key)
            .map(|i| i.saturating_add(1))
        else {
            continue;
        };
        for (y, v) in acc.annual_years.iter().zip(&acc.annual) {
            rows.push((*y, id, *v));
        }
    }
    rows.sort_unstable();
    let mut buf = Vec::with_capacity(64);
    for (y, id, v) in rows {
        buf.clear();
        buf.extend_from_slice(format!("{y},{id},").as_bytes());
        push_money(&mut buf, v, decimals);
        buf.push(b'\n');
        w.write_all(&buf)?;
    }
    Ok(())
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
