//! `specie simulate PORTFOLIO PORTFOLIO-MODEL [--years N] [--seed S] [--threads T]
//! [--json] [--ord DIR] [--svg FILE] [--events-out FILE] [--passes 1|2]` (spec section 15.2).

use super::out::Out;
use super::simulate::{Args, PltFile};
use super::{read_source, EXIT_FAILED, EXIT_USAGE};
use miette::Diagnostic;
use specie::portfolio::{
    compile_book_model_str, files_beside, simulate_book, write_book_events, BookModel,
    BookModelSourceError, BookOptions, Portfolio,
};
use specie::simulate;
use std::io::IsTerminal;
use std::path::Path;

/// Years when neither the model nor `--years` says.
const DEFAULT_YEARS: u64 = 10_000;

fn load_model(path: &Path, portfolio: &Portfolio) -> Result<BookModel, u8> {
    let name = path.display().to_string();
    let src = read_source(path).map_err(|e| e.report(&name))?;
    let mut load = files_beside(path);
    match compile_book_model_str(&src, portfolio, &mut load) {
        Ok(c) => {
            let w: Vec<&dyn Diagnostic> = c.warnings.iter().map(|w| w as &dyn Diagnostic).collect();
            super::diag::print(&w, &name, &src);
            Ok(c.model)
        }
        Err(BookModelSourceError::Parse(e)) => {
            super::diag::print(&[&e], &name, &src);
            Err(EXIT_FAILED)
        }
        Err(BookModelSourceError::Compile(errs)) => {
            super::diag::print(&errs.diagnostics(), &name, &src);
            for f in &errs.models {
                super::diag::print(&f.error.diagnostics(), &f.file.name, &f.file.text);
            }
            Err(EXIT_FAILED)
        }
    }
}

/// Simulates a book.
pub fn run(out: &mut Out, args: &Args, periods: &[u64]) -> Result<(), u8> {
    let (portfolio, _, _) = super::book::load(&args.program)?;
    let model = load_model(&args.model, &portfolio)?;
    let years = args.years.or(model.years).unwrap_or(DEFAULT_YEARS);
    if years == 0 || years > specie::model::MAX_YEARS {
        errln!(
            "error: --years must be between 1 and {}",
            specie::model::MAX_YEARS
        );
        return Err(EXIT_USAGE);
    }
    let seed = args.seed.or(model.seed).unwrap_or(0);
    let cannot = |path: &Path, e: std::io::Error| {
        errln!("error: cannot write `{}`: {e}", path.display());
        EXIT_USAGE
    };
    let bar = (std::io::stderr().is_terminal() && years >= 10_000).then(|| {
        let bar = indicatif::ProgressBar::new(years.saturating_mul(2));
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos} years simulated {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let mut plt = PltFile::open(args.ord.as_deref(), portfolio.currency.minor_units)?;
    let wants_plt = plt.is_some();
    let mut write_plt = |keys: &[simulate::SummaryKey], block: &simulate::Block| {
        if let Some(p) = plt.as_mut() {
            p.block(keys, block);
        }
    };
    let options = BookOptions {
        threads: args.threads,
        return_periods: periods,
        passes: args.passes,
        chart: args.svg.is_some(),
    };
    let (result, svg) = simulate_book(
        &portfolio,
        &model,
        years,
        seed,
        &options,
        &progress,
        if wants_plt {
            Some(&mut write_plt)
        } else {
            None
        },
    )
    .map_err(|e| {
        errln!("error: {e}");
        if let Some(help) = Diagnostic::help(&e) {
            errln!("  help: {help}");
        }
        EXIT_FAILED
    })?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(p) = plt {
        p.finish()?;
    }
    if let Some(dir) = &args.ord {
        let tables = simulate::SimulationResult {
            program: result.portfolio.clone(),
            model: result.model.clone(),
            years: result.years,
            seed: result.seed,
            summaries: result.summaries.clone(),
            layers: Vec::new(),
            parametric: Vec::new(),
            basis_risk: None,
        };
        simulate::write_ord_tables(dir, &tables).map_err(|e| cannot(dir, e))?;
    }
    if let (Some(path), Some(svg)) = (&args.svg, svg) {
        std::fs::write(path, svg).map_err(|e| cannot(path, e))?;
    }
    if let Some(path) = &args.events_out {
        let file = std::fs::File::create(path).map_err(|e| cannot(path, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        write_book_events(&portfolio, &model, years, seed, &mut w).map_err(|e| cannot(path, e))?;
    }
    let text = if args.json {
        format!("{}\n", result.to_json())
    } else {
        specie::report::book_simulation_text(&result, &portfolio.currency.code)
    };
    out.print(&text);
    Ok(())
}
