//! `specie simulate PROGRAM MODEL [--years N] [--seed S] [--threads T] [--json] [--ord DIR]
//! [--svg FILE] [--events-out FILE.jsonl] [--return-periods 10,100,…]`

use super::out::Out;
use super::replay::load_program;
use super::{read_source, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use specie::model::Model;
use specie::program::Program;
use specie::simulate::{self, DEFAULT_RETURN_PERIODS};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub struct Args {
    pub program: PathBuf,
    pub model: PathBuf,
    pub years: Option<u64>,
    pub seed: Option<u64>,
    pub threads: Option<usize>,
    pub json: bool,
    pub ord: Option<PathBuf>,
    pub svg: Option<PathBuf>,
    pub events_out: Option<PathBuf>,
    pub return_periods: Option<String>,
    pub passes: Option<u8>,
}

/// Years when neither the model nor `--years` says.
const DEFAULT_YEARS: u64 = 10_000;

pub fn run(out: &mut Out, args: &Args) -> u8 {
    match run_inner(out, args) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

fn load_model(path: &Path, program: &Program) -> Result<Model, u8> {
    let name = path.display().to_string();
    let src = read_source(path).map_err(|e| e.report(&name))?;
    match specie::compile::compile_model_str(&src, program) {
        Ok(c) => {
            let warnings: Vec<&dyn miette::Diagnostic> = c
                .warnings
                .iter()
                .map(|w| w as &dyn miette::Diagnostic)
                .collect();
            super::diag::print(&warnings, &name, &src);
            Ok(c.model)
        }
        Err(e) => {
            super::diag::print(&e.diagnostics(), &name, &src);
            Err(EXIT_FAILED)
        }
    }
}

fn return_periods(text: Option<&str>) -> Result<Vec<u64>, u8> {
    let Some(text) = text else {
        return Ok(DEFAULT_RETURN_PERIODS.to_vec());
    };
    let mut out = Vec::new();
    for part in text.split(',') {
        match part.trim().replace('_', "").parse::<u64>() {
            Ok(t) if t >= 1 => out.push(t),
            _ => {
                errln!(
                    "error: --return-periods: `{}` is not a whole number of years (1 or more)",
                    part.trim()
                );
                return Err(EXIT_USAGE);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn run_inner(out: &mut Out, args: &Args) -> Result<(), u8> {
    if let Some(t) = args.threads {
        if t == 0 || t > simulate::max_threads() {
            errln!(
                "error: --threads must be from 1 to {} (4 × this machine's {} cores); results do not depend on it",
                simulate::max_threads(),
                simulate::cores()
            );
            return Err(EXIT_USAGE);
        }
    }
    if super::book::is_portfolio(&args.program) {
        let periods = return_periods(args.return_periods.as_deref())?;
        return super::book_sim::run(out, args, &periods);
    }
    let (program, _, _) = load_program(&args.program)?;
    let model = load_model(&args.model, &program)?;
    let years = args.years.or(model.years).unwrap_or(DEFAULT_YEARS);
    if years == 0 || years > specie::model::MAX_YEARS {
        errln!(
            "error: --years must be between 1 and {}",
            specie::model::MAX_YEARS
        );
        return Err(EXIT_USAGE);
    }
    let seed = args.seed.or(model.seed).unwrap_or(0);
    let periods = return_periods(args.return_periods.as_deref())?;
    let fail = |e: simulate::SimulateError| {
        errln!("error: {e}");
        if let Some(help) = miette::Diagnostic::help(&e) {
            errln!("  help: {help}");
        }
        EXIT_FAILED
    };
    let two = match args.passes {
        Some(p) => p == 2,
        None => simulate::needs_two_passes(&program, &model, seed, years).map_err(fail)?,
    };
    let bar = (std::io::stderr().is_terminal() && years >= 10_000).then(|| {
        let bar = indicatif::ProgressBar::new(if two { years.saturating_mul(2) } else { years });
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} years {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let (result, svg, events, clamped) = if two {
        two_passes(args, &program, &model, years, seed, &periods, &progress)?
    } else {
        simulate::check_memory(&program, &model, seed, years).map_err(fail)?;
        let block = simulate::simulate(&program, &model, years, seed, args.threads, &progress)
            .map_err(fail)?;
        let result = simulate::statistics(&program, &model.name, seed, &block, &periods);
        if let Some(dir) = &args.ord {
            simulate::write_ord(dir, &program, &result, &block).map_err(|e| {
                errln!("error: cannot write `{}`: {e}", dir.display());
                EXIT_USAGE
            })?;
        }
        let svg = args
            .svg
            .as_ref()
            .map(|_| simulate::curves_svg(&program, &result, &block));
        (result, svg, block.events, block.clamped)
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if clamped > 0 {
        errln!(
            "warning: specie::simulate::clamped: {} drawn amount{} above {} {} {} clamped to it, in {} simulated events\n  help: add `cap AMOUNT` or `cap exposure` to the peril's `loss` lines, so the tail is the one you mean",
            clamped,
            if clamped == 1 { "" } else { "s" },
            specie::render::grouped(rust_decimal::Decimal::from(
                simulate::MAX_DRAW_MAJOR as i64
            )),
            program.currency.code,
            if clamped == 1 { "was" } else { "were" },
            events
        );
    }
    if let Some(path) = &args.events_out {
        let file = std::fs::File::create(path).map_err(|e| {
            errln!("error: cannot write `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        simulate::write_events(&program, &model, years, seed, &mut w).map_err(|e| {
            errln!("error: cannot write `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
    }
    if let (Some(path), Some(svg)) = (&args.svg, svg) {
        std::fs::write(path, svg).map_err(|e| {
            errln!("error: cannot write `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
    }
    let text = if args.json {
        format!("{}\n", result.to_json())
    } else {
        let mut t = specie::report::simulation_text(&result, &program.currency.code, events);
        for c in &program.parametric {
            if !model.index_perils.iter().any(|p| p.index == c.index) {
                t.push_str(&format!(
                    "(`{}`: the model draws no `{}`, so it pays nothing in any year)\n",
                    specie::render::visible(&c.name),
                    specie::render::visible(&c.index)
                ));
            }
        }
        t
    };
    out.print(&text);
    Ok(())
}

/// A run in two passes (spec section 16): the statistics, the chart if asked for, the
/// events simulated and the amounts clamped; the year loss table is written during pass 2.
#[allow(clippy::too_many_arguments)]
fn two_passes(
    args: &Args,
    program: &Program,
    model: &Model,
    years: u64,
    seed: u64,
    periods: &[u64],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(simulate::SimulationResult, Option<String>, u64, u64), u8> {
    let cannot = |path: &Path, e: std::io::Error| {
        errln!("error: cannot write `{}`: {e}", path.display());
        EXIT_USAGE
    };
    let mut plt = PltFile::open(args.ord.as_deref(), program.currency.minor_units)?;
    let wants_plt = plt.is_some();
    let mut write_plt = |keys: &[simulate::SummaryKey], block: &simulate::Block| {
        if let Some(p) = plt.as_mut() {
            p.block(keys, block);
        }
    };
    let tally = simulate::simulate_two_pass(
        program,
        model,
        seed,
        years,
        args.threads,
        periods,
        args.svg.is_some(),
        progress,
        if wants_plt {
            Some(&mut write_plt)
        } else {
            None
        },
    )
    .map_err(|e| {
        errln!("error: {e}");
        EXIT_FAILED
    })?;
    if let Some(p) = plt {
        p.finish()?;
    }
    let result = tally.statistics(program, &model.name, seed, periods);
    if let Some(dir) = &args.ord {
        simulate::write_ord_tables(dir, &result).map_err(|e| cannot(dir, e))?;
    }
    let svg = args
        .svg
        .as_ref()
        .map(|_| tally.curves_svg(program, &result));
    let block = tally.block();
    Ok((result, svg, block.events, block.clamped))
}

/// `plt.csv` of `--ord DIR`, written as the years come; the first write error is kept and
/// reported by [`PltFile::finish`].
pub(super) struct PltFile {
    w: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    failed: Option<std::io::Error>,
    decimals: u32,
}

impl PltFile {
    /// Creates `DIR/plt.csv` with its header, when `--ord DIR` is given.
    pub(super) fn open(dir: Option<&Path>, decimals: u32) -> Result<Option<PltFile>, u8> {
        let Some(dir) = dir else {
            return Ok(None);
        };
        std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, e))?;
        let path = dir.join("plt.csv");
        let file = std::fs::File::create(&path).map_err(|e| cannot_write(&path, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        simulate::write_plt_header(&mut w).map_err(|e| cannot_write(&path, e))?;
        Ok(Some(PltFile {
            w,
            path,
            failed: None,
            decimals,
        }))
    }

    /// Writes a block's rows (nothing more once a write failed).
    pub(super) fn block(&mut self, keys: &[simulate::SummaryKey], block: &simulate::Block) {
        if self.failed.is_none() {
            if let Err(e) = simulate::write_plt_rows(&mut self.w, keys, block, self.decimals) {
                self.failed = Some(e);
            }
        }
    }

    /// Flushes the file, or reports the first write error.
    pub(super) fn finish(mut self) -> Result<(), u8> {
        if let Some(e) = self.failed.take() {
            return Err(cannot_write(&self.path, e));
        }
        std::io::Write::flush(&mut self.w).map_err(|e| cannot_write(&self.path, e))
    }
}

/// Reports a file that cannot be written: a usage or I/O error.
pub(super) fn cannot_write(path: &Path, e: std::io::Error) -> u8 {
    errln!("error: cannot write `{}`: {e}", path.display());
    EXIT_USAGE
}
