//! `specie check FILE…`: programs, models (syntax) and portfolios (with their programs).

use super::out::Out;
use super::{read_source, Format, SourceError, EXIT_USAGE};
use miette::Diagnostic;
use specie::diagnostic::{to_json, JsonDiagnostic};
use specie::parse::FileKind;
use std::path::{Path, PathBuf};

/// Where diagnostics go: rendered on stderr, or gathered for `--format json`.
struct Sink {
    format: Format,
    json: Vec<JsonDiagnostic>,
    errors: usize,
    warnings: usize,
}

impl Sink {
    /// Reports `diags` of the file `name` (text `src`); whether one is an error.
    fn file(&mut self, name: &str, src: &str, diags: &[&dyn Diagnostic]) -> bool {
        let mut failed = false;
        for d in diags {
            if specie::diagnostic::severity_word(*d) == "error" {
                self.errors = self.errors.saturating_add(1);
                failed = true;
            } else {
                self.warnings = self.warnings.saturating_add(1);
            }
            if self.format == Format::Json {
                self.json.push(to_json(*d, name, src));
            }
        }
        if self.format == Format::Human {
            super::diag::print(diags, name, src);
        }
        failed
    }
}

pub fn run(out: &mut Out, files: &[PathBuf], format: Format) -> u8 {
    let mut failed = false;
    let mut io_error = false;
    let mut sink = Sink {
        format,
        json: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    for path in files {
        let name = path.display().to_string();
        let src = match read_source(path) {
            Ok(s) => s,
            Err(SourceError::TooLarge(e)) => {
                failed |= sink.file(&name, "", &[&e]);
                continue;
            }
            Err(e) => {
                e.report(&name);
                io_error = true;
                continue;
            }
        };
        let (file_failed, summary) = check_source(&mut sink, path, &name, &src);
        failed |= file_failed;
        if let (Some(s), Format::Human) = (summary, format) {
            out.print(&format!("{s}\n"));
        }
    }
    match format {
        Format::Json => match serde_json::to_string_pretty(&sink.json) {
            Ok(s) => out.print(&format!("{s}\n")),
            Err(e) => {
                errln!("error: cannot write JSON: {e}");
                return EXIT_USAGE;
            }
        },
        Format::Human => {
            if sink.errors > 0 || sink.warnings > 0 {
                errln!(
                    "{} error{}, {} warning{}",
                    sink.errors,
                    plural(sink.errors),
                    sink.warnings,
                    plural(sink.warnings)
                );
            }
        }
    }
    super::status(io_error, failed)
}

/// Checks one file's text, by the kind its first item tells.
fn check_source(sink: &mut Sink, path: &Path, name: &str, src: &str) -> (bool, Option<String>) {
    match specie::parse::file_kind(src) {
        FileKind::Model => model(sink, name, src),
        FileKind::PortfolioModel => portfolio_model(sink, name, src),
        FileKind::Portfolio => portfolio(sink, path, name, src),
        FileKind::Program => program(sink, name, src),
    }
}

/// The diagnostics `specie check --format json` gives for the file `name` itself (read
/// from `path`, text `src`): a portfolio's programs' own are left out.
pub(super) fn file_diagnostics(path: &Path, name: &str, src: &str) -> Vec<JsonDiagnostic> {
    let mut sink = Sink {
        format: Format::Json,
        json: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    check_source(&mut sink, path, name, src);
    sink.json.retain(|d| d.file == name);
    sink.json
}

/// A model alone: its syntax (it is type-checked against a program by `specie simulate`).
fn model(sink: &mut Sink, name: &str, src: &str) -> (bool, Option<String>) {
    match specie::parse::parse_model(src) {
        Ok(m) => (
            false,
            Some(format!(
                "ok: {name}: model \"{}\" (syntax; checked against a program by `specie simulate`)",
                m.model.name.node
            )),
        ),
        Err(e) => (sink.file(name, src, &[&e]), None),
    }
}

/// A portfolio model alone: its syntax (it is checked against a portfolio by
/// `specie simulate PORTFOLIO PORTFOLIO-MODEL`).
fn portfolio_model(sink: &mut Sink, name: &str, src: &str) -> (bool, Option<String>) {
    match specie::parse::parse_portfolio_model(src) {
        Ok(m) => (
            false,
            Some(format!(
                "ok: {name}: portfolio model \"{}\" (syntax; checked against a portfolio by `specie simulate`)",
                m.model.name.node
            )),
        ),
        Err(e) => (sink.file(name, src, &[&e]), None),
    }
}

/// A program: every error and warning, and a summary when it compiles.
fn program(sink: &mut Sink, name: &str, src: &str) -> (bool, Option<String>) {
    match specie::compile_str(src) {
        Ok(c) => {
            let diags: Vec<&dyn Diagnostic> =
                c.warnings.iter().map(|w| w as &dyn Diagnostic).collect();
            sink.file(name, src, &diags);
            let p = &c.program;
            let clauses = p.sublimits.len() + p.deductibles.len() + p.exclusions.len();
            let summary = format!(
                "ok: {name}: program \"{}\", {} layer{}, {} clause{}, {} warning{}",
                p.name,
                p.layers.len(),
                plural(p.layers.len()),
                clauses,
                plural(clauses),
                diags.len(),
                plural(diags.len())
            );
            (false, Some(summary))
        }
        Err(e) => (sink.file(name, src, &e.diagnostics()), None),
    }
}

/// A portfolio with every program it names: the portfolio's diagnostics against its
/// file, each program's against its own.
fn portfolio(sink: &mut Sink, path: &Path, name: &str, src: &str) -> (bool, Option<String>) {
    use specie::portfolio::{compile_portfolio_str, PortfolioSourceError};
    let mut load = specie::portfolio::files_beside(path);
    match compile_portfolio_str(src, &mut load) {
        Ok(c) => {
            let diags: Vec<&dyn Diagnostic> =
                c.warnings.iter().map(|w| w as &dyn Diagnostic).collect();
            sink.file(name, src, &diags);
            let mut warnings = diags.len();
            for p in &c.portfolio.programs {
                let d: Vec<&dyn Diagnostic> =
                    p.warnings.iter().map(|w| w as &dyn Diagnostic).collect();
                sink.file(&p.file.name, &p.file.text, &d);
                warnings = warnings.saturating_add(d.len());
            }
            let b = &c.portfolio;
            let summary = format!(
                "ok: {name}: portfolio \"{}\", {} program{}, {} vendor{}, {} warning{}",
                b.name,
                b.programs.len(),
                plural(b.programs.len()),
                b.vendors.len(),
                plural(b.vendors.len()),
                warnings,
                plural(warnings)
            );
            (false, Some(summary))
        }
        Err(PortfolioSourceError::Parse(e)) => (sink.file(name, src, &[&e]), None),
        Err(PortfolioSourceError::Compile(errs)) => {
            let diags: Vec<&dyn Diagnostic> = errs
                .errors
                .iter()
                .map(|e| e as &dyn Diagnostic)
                .chain(errs.warnings.iter().map(|w| w as &dyn Diagnostic))
                .collect();
            sink.file(name, src, &diags);
            for f in &errs.programs {
                sink.file(&f.file.name, &f.file.text, &f.error.diagnostics());
            }
            (true, None)
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
