//! `POST /api/simulate`: a simulation run in slices, its progress streamed as JSON lines
//! (`{"done": N, "years": Y}`), then one line `{"result": <specie simulate --json>,
//! "svg": <the curves>}` or `{"error": …}`, each line written and flushed as it comes (the
//! body ends when the connection closes). When the client goes away (a line can no longer
//! be written), the run stops at the end of the slice it is in.

use super::api::{does_not_compile, program, Answer};
use serde::Deserialize;
use serde_json::json;
use specie::simulate::{self, Block, DEFAULT_RETURN_PERIODS};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

/// The most years one request may ask for.
pub const MAX_YEARS: u64 = 1_000_000;
/// Years between two progress lines (and two chances to stop).
const SLICE: u64 = 10_000;

/// Simulations running now (for `/api/status`).
pub static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// Years simulated since the server started (for `/api/status`).
pub static YEARS: AtomicU64 = AtomicU64::new(0);

/// `{"program", "model", "years"?, "seed"?}`.
#[derive(Deserialize)]
pub struct SimulateRequest {
    pub program: String,
    pub model: String,
    #[serde(default)]
    pub years: Option<u64>,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// The run's lines as they come; dropping it (the client left) stops the run.
pub struct Stream {
    /// Progress lines, then the result line.
    pub lines: Receiver<String>,
    cancel: Arc<AtomicBool>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Checks the request and starts the run; the stream of its lines, or the error answer.
pub fn start(r: SimulateRequest) -> Result<Stream, Answer> {
    let prog = program(&r.program, "program.specie")?;
    let model = specie::compile::compile_model_str(&r.model, &prog)
        .map(|c| c.model)
        .map_err(|e| does_not_compile("model", &e.diagnostics(), "model.specie", &r.model))?;
    let years = r.years.or(model.years).unwrap_or(10_000);
    if years == 0 || years > MAX_YEARS {
        return Err(Answer::error(
            400,
            "specie::serve::years",
            &format!("years must be from 1 to {MAX_YEARS} here (use `specie simulate` for more)"),
            None,
        ));
    }
    let seed = r.seed.or(model.seed).unwrap_or(0);
    let (tx, rx) = sync_channel::<String>(4);
    let cancel = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&cancel);
    RUNNING.fetch_add(1, Ordering::Relaxed);
    std::thread::spawn(move || {
        let line = run(&prog, &model, seed, years, &stop, &|done| {
            let _ = tx.send(json!({"done": done, "years": years}).to_string());
        });
        if let Some(line) = line {
            let _ = tx.send(line);
        }
        RUNNING.fetch_sub(1, Ordering::Relaxed);
    });
    Ok(Stream { lines: rx, cancel })
}

/// The years in slices; the last line, or nothing when cancelled.
fn run(
    prog: &specie::program::Program,
    model: &specie::model::Model,
    seed: u64,
    years: u64,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64),
) -> Option<String> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut first = 1u64;
    while first <= years {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let count = SLICE.min(years.saturating_sub(first).saturating_add(1));
        match simulate::simulate_years(prog, model, seed, first, count, None, &|_| {}) {
            Ok(b) => blocks.push(b),
            Err(e) => {
                return Some(
                    json!({"error": {"code": "specie::simulate", "message": e.to_string()}})
                        .to_string(),
                )
            }
        }
        first = first.saturating_add(count);
        YEARS.fetch_add(count, Ordering::Relaxed);
        progress(first.saturating_sub(1));
    }
    // INVARIANT: merged in year order, as `simulate` merges its own blocks.
    let mut total = Block::default();
    total.merge_all(blocks);
    let result = simulate::statistics(prog, &model.name, seed, &total, &DEFAULT_RETURN_PERIODS);
    let svg = simulate::curves_svg(prog, &result, &total);
    let doc: serde_json::Value = serde_json::from_str(&result.to_json()).unwrap_or_default();
    Some(json!({"result": doc, "svg": svg}).to_string())
}
