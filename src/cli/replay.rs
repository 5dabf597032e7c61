//! `specie replay PROGRAM SCENARIO [--json | --explain ID]` and
//! `specie replay PROGRAM --events FILE.jsonl [--prices FILE.json] [--json]`.

use super::out::Out;
use super::{color, read_source, ReplayFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use specie::diagnostic::render;
use specie::program::Program;
use specie::replay::Format;
use specie::scenario::{Scenario, StreamHeader};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

/// Largest scenario file read whole (256 MiB); larger runs use `--events`.
const MAX_SCENARIO_BYTES: u64 = 256 << 20;

pub struct Args {
    pub program: PathBuf,
    pub scenario: Option<PathBuf>,
    pub format: ReplayFormat,
    pub explain: Option<String>,
    pub events: Option<PathBuf>,
    pub prices: Option<PathBuf>,
    pub options: specie::replay::Options,
}

pub(super) fn load_program(path: &Path) -> Result<(Program, String, String), u8> {
    let name = path.display().to_string();
    let src = read_source(path).map_err(|e| e.report(&name))?;
    match specie::compile_str(&src) {
        Ok(c) => Ok((c.program, name, src)),
        Err(e) => {
            super::diag::print(&e.diagnostics(), &name, &src);
            Err(EXIT_FAILED)
        }
    }
}

pub(super) fn read_limited(path: &Path) -> Result<String, u8> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| {
        errln!("error: cannot read `{}`: {e}", path.display());
        EXIT_USAGE
    })?;
    let mut buf = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| {
            errln!("error: cannot read `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
    if buf.len() as u64 > MAX_SCENARIO_BYTES {
        errln!(
            "error: `{}` is larger than {MAX_SCENARIO_BYTES} bytes; stream it with --events",
            path.display()
        );
        return Err(EXIT_FAILED);
    }
    specie::span::utf8(buf).map_err(|e| {
        let err = specie::scenario::ScenarioError::NotUtf8 {
            byte: e.byte,
            line: e.line,
            column: e.column,
            offset: e.offset,
        };
        report_error(&err, &path.display().to_string())
    })
}

pub(super) fn report_error(e: &dyn miette::Diagnostic, file: &str) -> u8 {
    let code = e.code().map(|c| format!("{c}: ")).unwrap_or_default();
    errln!("error: {file}: {code}{e}");
    if let Some(help) = e.help() {
        errln!("  help: {help}");
    }
    EXIT_FAILED
}

pub fn run(out: &mut Out, args: &Args) -> u8 {
    match run_inner(out, args) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

fn run_inner(out: &mut Out, args: &Args) -> Result<(), u8> {
    if super::book::is_portfolio(&args.program) {
        return super::book::replay(out, args);
    }
    let (program, program_name, src) = load_program(&args.program)?;
    if let Some(events) = &args.events {
        return stream(out, args, &program, events, &program_name, &src);
    }
    let Some(scenario_path) = &args.scenario else {
        errln!("error: give a SCENARIO file, or --events FILE.jsonl");
        return Err(EXIT_USAGE);
    };
    let scenario_name = scenario_path.display().to_string();
    let text = read_limited(scenario_path)?;
    let Some(id) = &args.explain else {
        // Per-event output straight from the text: no JSON tree, no result kept.
        out.write_behind();
        let written = match args.format {
            ReplayFormat::Text => specie::report::text_into(&program, &text, out, args.options),
            f => {
                let format = bulk(f).unwrap_or(Format::PrettyJson);
                specie::replay::replay_text_into(&program, &text, out, format, args.options)
            }
        };
        let warnings = written.map_err(|e| {
            if out.failed() {
                // The output's own failure, reported by `Out::finish`: not the scenario's.
                return EXIT_OK;
            }
            let _ = out.flush();
            report_error(&e, &scenario_name)
        })?;
        warn(&warnings, &program_name, &src);
        return Ok(());
    };
    let scenario = Scenario::from_json(&text).map_err(|e| report_error(&e, &scenario_name))?;
    let found = specie::replay::explain(&program, &scenario, id)
        .map_err(|e| report_error(&e, &scenario_name))?;
    let Some((result, trace)) = found else {
        if let Some(cover) = program.parametric.iter().find(|c| c.name == *id) {
            let indices = specie::scenario::Indices::new(&scenario.indices)
                .map_err(|e| report_error(&e, &scenario_name))?;
            let Some(series) = indices.get(&cover.index) else {
                errln!(
                    "error: {scenario_name}: no index `{}` for cover `{id}`",
                    cover.index
                );
                return Err(EXIT_FAILED);
            };
            let excursions = specie::replay::excursions(&program, cover, series);
            let claims = specie::replay::evaluate_parametric(&program, &indices)
                .map_err(|e| report_error(&e, &scenario_name))?;
            out.print(&specie::report::explain_cover(
                cover,
                &excursions,
                &claims,
                &program_name,
                &src,
            ));
            return Ok(());
        }
        errln!("error: {scenario_name}: no event or parametric cover named `{id}`");
        return Err(EXIT_FAILED);
    };
    out.print(&specie::report::explain(
        &result,
        &trace,
        &program,
        &program_name,
        &src,
    ));
    Ok(())
}

/// The per-event formats written as a replay goes (whole scenarios print `json` pretty).
fn bulk(format: ReplayFormat) -> Option<Format> {
    match format {
        ReplayFormat::Jsonl => Some(Format::Jsonl),
        ReplayFormat::Csv => Some(Format::Csv),
        ReplayFormat::Text | ReplayFormat::Json => None,
    }
}

/// Prints replay warnings to stderr, each pointing at the program's clause.
fn warn(warnings: &[specie::replay::ReplayWarning], program_name: &str, src: &str) {
    for w in warnings {
        eprint!("{}", render(w, program_name, src, color()));
    }
}

fn stream(
    out: &mut Out,
    args: &Args,
    program: &Program,
    events: &Path,
    program_name: &str,
    src: &str,
) -> Result<(), u8> {
    let name = events.display().to_string();
    let header = match &args.prices {
        None => None,
        Some(p) => {
            let text = read_limited(p)?;
            let h: StreamHeader = serde_json::from_str(&text).map_err(|e| {
                let err = specie::scenario::ScenarioError::json(&e);
                report_error(&err, &p.display().to_string())
            })?;
            Some(h)
        }
    };
    // `-` is standard input, as for most command-line tools.
    let input: Box<dyn std::io::Read + Send> = if events == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(events).map_err(|e| {
            errln!("error: cannot read `{name}`: {e}");
            EXIT_USAGE
        })?)
    };
    let reader = BufReader::with_capacity(1 << 16, input);
    let format = match args.format {
        ReplayFormat::Text => None,
        ReplayFormat::Json => Some(Format::Json),
        ReplayFormat::Jsonl => Some(Format::Jsonl),
        ReplayFormat::Csv => Some(Format::Csv),
    };
    if format.is_some() {
        out.write_behind();
    }
    let summary = specie::replay::replay_stream_as(
        program,
        reader,
        header,
        format.map(|f| (&mut *out as &mut dyn Write, f)),
        args.options,
    );
    let summary = match summary {
        Ok(s) => {
            warn(&s.warnings, program_name, src);
            s
        }
        Err(e) => {
            if out.failed() {
                // The output's own failure, reported by `Out::finish`.
                return Err(EXIT_OK);
            }
            // Never leave a partial JSON document looking complete.
            if format.is_some() {
                out.print("\n");
            }
            let _ = out.flush();
            return Err(report_error(&e, &name));
        }
    };
    if format.is_none() {
        let r = specie::replay::Replay {
            program: program.name.clone(),
            scenario: summary.scenario.clone(),
            events: Vec::new(),
            totals: summary.totals,
            parametric: summary.parametric,
        };
        let mut text = format!(
            "program  {}\nscenario {}\nevents   {} (streamed; per-event detail with --json)\n\n",
            r.program, r.scenario, summary.events
        );
        specie::report::totals(&mut text, &r, program);
        out.print(&text);
    }
    Ok(())
}
