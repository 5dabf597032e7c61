//! Portfolio files on the command line: their programs read relative to the portfolio
//! file, their diagnostics printed against each file.

use super::out::Out;
use super::{color, read_source, replay, ReplayFormat, EXIT_FAILED, EXIT_USAGE};
use miette::Diagnostic;
use specie::diagnostic::render;
use specie::parse::{file_kind, FileKind};
use specie::portfolio::{
    book_tower, compile_portfolio_str, files_beside, read_book_scenario, replay_read, BookScenario,
    BookTowerOptions, Portfolio, PortfolioSourceError,
};
use std::io::IsTerminal;
use std::path::Path;

/// The compiled portfolio at `path`, its name and text; on error every diagnostic printed
/// and the exit status.
pub fn load(path: &Path) -> Result<(Portfolio, String, String), u8> {
    let name = path.display().to_string();
    let src = read_source(path).map_err(|e| e.report(&name))?;
    let mut load = files_beside(path);
    match compile_portfolio_str(&src, &mut load) {
        // Warnings are `specie check`'s to print, as for a single program.
        Ok(c) => Ok((c.portfolio, name, src)),
        Err(PortfolioSourceError::Parse(e)) => {
            super::diag::print(&[&e], &name, &src);
            Err(EXIT_FAILED)
        }
        Err(PortfolioSourceError::Compile(errs)) => {
            let d: Vec<&dyn Diagnostic> = errs
                .errors
                .iter()
                .map(|e| e as &dyn Diagnostic)
                .chain(errs.warnings.iter().map(|w| w as &dyn Diagnostic))
                .collect();
            super::diag::print(&d, &name, &src);
            for f in &errs.programs {
                super::diag::print(&f.error.diagnostics(), &f.file.name, &f.file.text);
            }
            Err(EXIT_FAILED)
        }
    }
}

/// Whether the file at `path` holds a portfolio (a file that cannot be read is not one:
/// reading it again reports why).
pub fn is_portfolio(path: &Path) -> bool {
    read_source(path).is_ok_and(|s| file_kind(&s) == FileKind::Portfolio)
}

/// `specie replay PORTFOLIO SCENARIO [--json | --explain ID@KEY]`.
pub fn replay(out: &mut Out, args: &replay::Args) -> Result<(), u8> {
    if args.events.is_some() {
        errln!("error: a portfolio replays a portfolio scenario (section 15.1), not --events");
        return Err(EXIT_USAGE);
    }
    if matches!(args.format, ReplayFormat::Jsonl | ReplayFormat::Csv) {
        errln!("error: a portfolio's result is the text report or --json");
        return Err(EXIT_USAGE);
    }
    let Some(scenario_path) = &args.scenario else {
        errln!("error: give a portfolio SCENARIO file");
        return Err(EXIT_USAGE);
    };
    let (portfolio, _, _) = load(&args.program)?;
    let scenario_name = scenario_path.display().to_string();
    let text = replay::read_limited(scenario_path)?;
    let scenario = read_book_scenario(&portfolio, &text)
        .map_err(|e| replay::report_error(&e, &scenario_name))?;
    if let Some(id) = &args.explain {
        return explain(out, &portfolio, &scenario, id, &scenario_name);
    }
    let (result, warnings) = replay_read(&portfolio, &scenario, args.options)
        .map_err(|e| replay::report_error(&e, &scenario_name))?;
    for (w, p) in warnings.iter().zip(&portfolio.programs) {
        for w in w {
            eprint!("{}", render(w, &p.file.name, &p.file.text, color()));
        }
    }
    if args.format == ReplayFormat::Json {
        out.print(&result.to_json());
        out.print("\n");
    } else {
        out.print(&specie::report::book_text(&result, &portfolio));
    }
    Ok(())
}

/// `--explain ID@KEY`: one event of one program of the book, step by step. `ID@KEY` names a
/// vendor event's expansion (`V1@exchange`) or a program's own event (`E1@exchange`).
fn explain(
    out: &mut Out,
    portfolio: &Portfolio,
    scenario: &BookScenario<'_>,
    id: &str,
    scenario_name: &str,
) -> Result<(), u8> {
    let found = id
        .rsplit_once('@')
        .and_then(|(event, key)| Some((event, portfolio.program_index(key)?)));
    let Some((event, p)) = found else {
        let keys: Vec<&str> = portfolio.programs.iter().map(|p| p.key.as_str()).collect();
        errln!(
            "error: {scenario_name}: `{id}` names no program of the book; write EVENT@KEY with KEY one of {}",
            keys.join(", ")
        );
        return Err(EXIT_FAILED);
    };
    let (Some(book), Some(sc)) = (portfolio.programs.get(p), scenario.programs.get(p)) else {
        return Err(EXIT_FAILED);
    };
    // The expansion's own id first (`V1@KEY`), then the program's own event (`E1`).
    for candidate in [id, event] {
        let found = specie::replay::explain(&book.program, sc, candidate)
            .map_err(|e| replay::report_error(&e, scenario_name))?;
        if let Some((result, trace)) = found {
            out.print(&specie::report::explain(
                &result,
                &trace,
                &book.program,
                &book.file.name,
                &book.file.text,
            ));
            return Ok(());
        }
    }
    errln!(
        "error: {scenario_name}: program `{}` has no event `{event}` and vendor event `{event}` did not reach it",
        book.key
    );
    Err(EXIT_FAILED)
}

/// `specie tower PORTFOLIO [--json] [--svg FILE] [--concentration P]`.
pub fn tower(out: &mut Out, args: &super::tower::Args) -> Result<(), u8> {
    if args.scenario.is_some() || args.event.is_some() {
        errln!("error: --scenario and --event draw one program's event; give a program, not a portfolio");
        return Err(EXIT_USAGE);
    }
    let (portfolio, name, src) = load(&args.program)?;
    let mut options = BookTowerOptions::default();
    if let Some(c) = &args.concentration {
        options.concentration = super::tower::concentration(c)?;
    }
    let t = book_tower(&portfolio, &options).map_err(|e| replay::report_error(&e, &name))?;
    if let Some(path) = &args.svg {
        std::fs::write(path, specie::portfolio::tower::svg::svg(&t)).map_err(|e| {
            errln!("error: cannot write `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
    }
    if args.json {
        out.print(&format!(
            "{}\n",
            specie::portfolio::tower::json_document(&t, &name, &src)
        ));
        return Ok(());
    }
    out.print(&specie::portfolio::tower::text::text(&t));
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for f in &t.findings {
        out.print("\n");
        out.print_rendered(&render(f, &name, &src, color));
    }
    Ok(())
}
