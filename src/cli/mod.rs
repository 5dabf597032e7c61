//! Commands of the `specie` binary.

/// `eprintln!` with control characters made visible: messages quote ids and names from
/// the input, which must never drive the terminal.
macro_rules! errln {
    ($($t:tt)*) => {
        eprintln!("{}", specie::render::visible(&format!($($t)*)))
    };
}

mod book;
mod book_sim;
mod check;
mod diag;
mod fit;
mod fmt;
mod lsp;
mod out;
mod replay;
mod serve;
mod simulate;
mod test;
mod tower;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Digital-asset custody insurance programs as code.
#[derive(Debug, Parser)]
#[command(name = "specie", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and type-check programs; print errors and warnings.
    Check {
        /// Program files (`.specie`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format of diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Replay a loss scenario through a program: what each carrier pays, and which clause
    /// leaves every unpaid cent unpaid. Given a portfolio, replay a portfolio scenario
    /// through the book: what each carrier pays across it, clash, and who is left short.
    Replay {
        /// The program or portfolio (`.specie`).
        program: PathBuf,
        /// The scenario (JSON, spec section 5; for a portfolio, section 15.1). Omit it when
        /// streaming with `--events`.
        scenario: Option<PathBuf>,
        /// Print the result as JSON (spec section 7); the same as `--format json`.
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Output: `text` (the report), `json` (spec section 7), `jsonl` (one compact line
        /// per event, zero entries left out, then the totals) or `csv` (one row per event).
        #[arg(long, value_enum)]
        format: Option<ReplayFormat>,
        /// Print one event's path step by step, with the source line of each clause (for a
        /// portfolio, `ID@KEY`: vendor event or own event ID in program KEY).
        #[arg(long, value_name = "EVENT_ID", conflicts_with_all = ["json", "format"])]
        explain: Option<String>,
        /// Stream events from a JSON Lines file, `-` for standard input (one event per
        /// line, sorted by occurred then id; an optional first header line holds `name`
        /// and `prices`).
        #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["scenario", "explain"])]
        events: Option<PathBuf>,
        /// Prices (and name) for `--events`, as a JSON object `{"name":…,"prices":…}`.
        #[arg(long, value_name = "FILE.json", requires = "events")]
        prices: Option<PathBuf>,
        /// A cause, tier or asset the program never names (and that is not standard) is an
        /// error, not a warning: a typo such as `"Hot"` skips every clause tied to `hot`.
        #[arg(long)]
        strict: bool,
    },
    /// Verify every `check` of the programs: exit 0 when all hold, 1 when any fails.
    Test {
        /// Program files (`.specie`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,
        /// Seed of the random search of sequence checks (`events N`).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Scenarios tried per sequence check (at least 1).
        #[arg(long, default_value_t = specie::verify::DEFAULT_CASES,
              value_parser = clap::value_parser!(u32).range(1..))]
        cases: u32,
    },
    /// Analyse a program's tower for brokers: bands, gaps, placement, unreachable layers,
    /// tier exposure, carrier capacity, reinsurance and concentration.
    Tower {
        /// The program (`.specie`).
        program: PathBuf,
        /// Print the analysis as JSON.
        #[arg(long)]
        json: bool,
        /// Also draw the tower chart as SVG into FILE.
        #[arg(long, value_name = "FILE.svg")]
        svg: Option<PathBuf>,
        /// Warn when one entity carries more than this share of the tower (default 50%).
        #[arg(long, value_name = "PERCENT")]
        concentration: Option<String>,
        /// A scenario whose event's net loss the chart draws (with --event).
        #[arg(long, value_name = "FILE.json", requires = "event")]
        scenario: Option<PathBuf>,
        /// The event of --scenario to draw across the tower.
        #[arg(long, value_name = "EVENT_ID", requires = "scenario")]
        event: Option<String>,
    },
    /// Simulate years of breaches drawn from a model, each replayed exactly through the
    /// program: average annual loss, spread, exceedance curves, layer hit and exhaustion.
    Simulate {
        /// The program (`.specie`).
        program: PathBuf,
        /// The model (`.specie` holding one `model`).
        model: PathBuf,
        /// Years to simulate (default: the model's `years`, else 10,000).
        #[arg(long)]
        years: Option<u64>,
        /// Seed of the random streams (default: the model's `seed`, else 0).
        #[arg(long)]
        seed: Option<u64>,
        /// Threads (default: every core). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Print the results as JSON (spec section 12.3).
        #[arg(long)]
        json: bool,
        /// Also write Oasis ORD-style CSV files (ept, alt, plt, summaries) into DIR.
        #[arg(long, value_name = "DIR")]
        ord: Option<PathBuf>,
        /// Also draw the exceedance curves as SVG into FILE.
        #[arg(long, value_name = "FILE.svg")]
        svg: Option<PathBuf>,
        /// Also write every simulated event as JSON Lines (with its `year`) into FILE.
        #[arg(long, value_name = "FILE.jsonl")]
        events_out: Option<PathBuf>,
        /// Return periods in years, e.g. `10,100,250` (default 2,5,10,25,50,100,200,250,500,1000).
        #[arg(long, value_name = "T,T,…")]
        return_periods: Option<String>,
        /// Passes over the years: 1 keeps every year's totals, 2 re-simulates them and keeps
        /// memory flat (spec section 16). Same results either way; default: 1 when the kept
        /// totals fit in 64 MiB, else 2.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
        passes: Option<u8>,
    },
    /// Fit lognormal and Pareto severities to real losses by maximum likelihood: parameters
    /// with standard errors, goodness of fit, and the `loss …` line for a model.
    Fit {
        /// Losses: a JSON array of amounts, a CSV file, or the incident catalogue.
        #[arg(required_unless_present = "index")]
        file: Option<PathBuf>,
        /// Fit an index peril instead, on a list of documented depegs (section 14).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["column", "cause", "tier", "svg"])]
        index: Option<PathBuf>,
        /// With --index: the level whose excursions are fitted (0.99 or 0.97).
        #[arg(long, value_name = "L", default_value = "0.99", requires = "index")]
        below: String,
        /// The CSV column holding the losses (default: the first).
        #[arg(long)]
        column: Option<String>,
        /// Keep catalogue incidents of this cause.
        #[arg(long)]
        cause: Option<String>,
        /// Keep catalogue incidents of this tier (also the tier of the `loss` line).
        #[arg(long)]
        tier: Option<String>,
        /// Print the fit as JSON.
        #[arg(long)]
        json: bool,
        /// Also draw a Q-Q plot of the losses against both fits into FILE.
        #[arg(long, value_name = "FILE.svg")]
        svg: Option<PathBuf>,
    },
    /// A language server on stdin/stdout (LSP 3.17) for editors: diagnostics as you type,
    /// hover, definitions, references, completion, symbols, fixes, formatting.
    Lsp,
    /// A workbench in the browser on 127.0.0.1: edit a program with live diagnostics, its
    /// tower chart, replay a scenario, run a simulation.
    Serve {
        /// Port on 127.0.0.1 (0: any free port; the address is printed).
        #[arg(long, default_value_t = 7878)]
        port: u16,
        /// Programs, models and scenarios the page may open.
        files: Vec<PathBuf>,
    },
    /// Rewrite programs in the canonical layout, keeping comments.
    Fmt {
        /// Program files (`.specie`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Do not write; exit 1 and name the files that would change.
        #[arg(long)]
        check: bool,
    },
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette's graphical reports.
    Human,
    /// A JSON array of diagnostics.
    Json,
}

/// How `specie replay` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// The terminal report.
    Text,
    /// The section 7 JSON document.
    Json,
    /// One JSON line per event (zero entries left out), the totals last.
    Jsonl,
    /// One CSV row per event.
    Csv,
}

/// How `specie test` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// A line per check, counterexamples with their explain trace, a summary.
    Text,
    /// JSON for tools.
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input has errors (or `--check` found changes).
pub const EXIT_FAILED: u8 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// The exit status of a command over several files: 2 when one could not be read, else 1
/// when one failed, else 0.
pub fn status(io_error: bool, failed: bool) -> u8 {
    if io_error {
        EXIT_USAGE
    } else if failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    if !out::stdout_is_open() {
        errln!("error: standard output is closed: the output would be lost");
        return ExitCode::from(EXIT_USAGE);
    }
    if matches!(cli.command, Command::Lsp) {
        // The server writes stdout from its own thread: no lock held here.
        return ExitCode::from(lsp::run());
    }
    if let Command::Serve { port, files } = &cli.command {
        return ExitCode::from(serve::run(*port, files));
    }
    let mut stdout = out::Out::new();
    let out = &mut stdout;
    let code = match cli.command {
        Command::Check { files, format } => check::run(out, &files, format),
        Command::Fmt { files, check } => fmt::run(out, &files, check),
        Command::Lsp | Command::Serve { .. } => EXIT_USAGE, // handled above
        Command::Tower {
            program,
            json,
            svg,
            concentration,
            scenario,
            event,
        } => tower::run(
            out,
            &tower::Args {
                program,
                json,
                svg,
                concentration,
                scenario,
                event,
            },
        ),
        Command::Fit {
            file,
            index,
            below,
            column,
            cause,
            tier,
            json,
            svg,
        } => fit::run(
            out,
            &fit::Args {
                file: file.unwrap_or_default(),
                index,
                below,
                column,
                cause,
                tier,
                json,
                svg,
            },
        ),
        Command::Simulate {
            program,
            model,
            years,
            seed,
            threads,
            json,
            ord,
            svg,
            events_out,
            return_periods,
            passes,
        } => simulate::run(
            out,
            &simulate::Args {
                program,
                model,
                years,
                seed,
                threads,
                json,
                ord,
                svg,
                events_out,
                return_periods,
                passes,
            },
        ),
        Command::Test {
            files,
            format,
            seed,
            cases,
        } => test::run(out, &files, format, seed, cases),
        Command::Replay {
            program,
            scenario,
            json,
            format,
            explain,
            events,
            prices,
            strict,
        } => replay::run(
            out,
            &replay::Args {
                program,
                scenario,
                format: match (json, format) {
                    (true, _) => ReplayFormat::Json,
                    (false, f) => f.unwrap_or(ReplayFormat::Text),
                },
                explain,
                events,
                prices,
                options: specie::replay::Options { strict },
            },
        ),
    };
    ExitCode::from(stdout.finish(code))
}

/// Whether to colour output on stderr.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Why a source file could not be read.
#[derive(Debug)]
pub enum SourceError {
    /// It cannot be opened or read, or is not UTF-8: exit status 2.
    Io(String),
    /// It is above the parser's size limit or not UTF-8: bad input, a diagnostic and exit
    /// status 1.
    TooLarge(specie::parse::ParseError),
}

impl SourceError {
    /// Prints the error for the file `name` and returns the exit status it calls for.
    pub fn report(&self, name: &str) -> u8 {
        match self {
            SourceError::Io(msg) => {
                errln!("error: {msg}");
                EXIT_USAGE
            }
            SourceError::TooLarge(e) => {
                eprint!("{}", specie::diagnostic::render(e, name, "", color()));
                EXIT_FAILED
            }
        }
    }
}

/// Reads a source file, refusing files above the parser's limit without reading them
/// whole.
pub fn read_source(path: &Path) -> Result<String, SourceError> {
    let io = |e: std::io::Error| SourceError::Io(format!("cannot read `{}`: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    let limit = specie::parse::MAX_INPUT_BYTES as u64;
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() as u64 > limit {
        let size = std::fs::metadata(path).map_or(buf.len() as u64, |m| m.len());
        return Err(SourceError::TooLarge(specie::parse::ParseError::TooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit: specie::parse::MAX_INPUT_BYTES,
            span: (0, 0).into(),
        }));
    }
    specie::span::utf8(buf).map_err(|e| {
        SourceError::TooLarge(specie::parse::ParseError::NotUtf8 {
            byte: e.byte,
            line: e.line,
            column: e.column,
            offset: e.offset,
            span: (0, 0).into(),
        })
    })
}
