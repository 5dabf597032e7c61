//! `specie check FILE…`

use super::out::Out;
use super::{color, read_source, Format, SourceError, EXIT_USAGE};
use specie::diagnostic::{render, to_json, JsonDiagnostic};
use std::path::PathBuf;

pub fn run(out: &mut Out, files: &[PathBuf], format: Format) -> u8 {
    let mut failed = false;
    let mut io_error = false;
    let mut json: Vec<JsonDiagnostic> = Vec::new();
    let (mut n_err, mut n_warn) = (0usize, 0usize);
    let color = color();
    for path in files {
        let name = path.display().to_string();
        let src = match read_source(path) {
            Ok(s) => s,
            Err(SourceError::TooLarge(e)) => {
                failed = true;
                n_err += 1;
                match format {
                    Format::Human => eprint!("{}", render(&e, &name, "", color)),
                    Format::Json => json.push(to_json(&e, &name, "")),
                }
                continue;
            }
            Err(e) => {
                e.report(&name);
                io_error = true;
                continue;
            }
        };
        if specie::parse::is_model(&src) {
            // A model is type-checked against the program it runs with (`specie simulate`);
            // alone, its syntax is checked.
            match specie::parse::parse_model(&src) {
                Ok(m) => {
                    if format == Format::Human {
                        out.print(&format!(
                            "ok: {name}: model \"{}\" (syntax; checked against a program by `specie simulate`)\n",
                            m.model.name.node
                        ));
                    }
                }
                Err(e) => {
                    failed = true;
                    n_err += 1;
                    match format {
                        Format::Human => eprint!("{}", render(&e, &name, &src, color)),
                        Format::Json => json.push(to_json(&e, &name, &src)),
                    }
                }
            }
            continue;
        }
        let (diags, summary): (Vec<&dyn miette::Diagnostic>, Option<String>);
        let result = specie::compile_str(&src);
        match &result {
            Ok(c) => {
                diags = c
                    .warnings
                    .iter()
                    .map(|w| w as &dyn miette::Diagnostic)
                    .collect();
                let p = &c.program;
                let clauses = p.sublimits.len() + p.deductibles.len() + p.exclusions.len();
                summary = Some(format!(
                    "ok: {name}: program \"{}\", {} layer{}, {} clause{}, {} warning{}",
                    p.name,
                    p.layers.len(),
                    plural(p.layers.len()),
                    clauses,
                    plural(clauses),
                    diags.len(),
                    plural(diags.len())
                ));
            }
            Err(e) => {
                failed = true;
                diags = e.diagnostics();
                summary = None;
            }
        }
        for d in &diags {
            if specie::diagnostic::severity_word(*d) == "error" {
                n_err += 1;
            } else {
                n_warn += 1;
            }
            if format == Format::Json {
                json.push(to_json(*d, &name, &src));
            }
        }
        if format == Format::Human {
            super::diag::print(&diags, &name, &src);
        }
        if let (Some(s), Format::Human) = (summary, format) {
            out.print(&format!("{s}\n"));
        }
    }
    match format {
        Format::Json => match serde_json::to_string_pretty(&json) {
            Ok(s) => out.print(&format!("{s}\n")),
            Err(e) => {
                errln!("error: cannot write JSON: {e}");
                return EXIT_USAGE;
            }
        },
        Format::Human => {
            if n_err > 0 || n_warn > 0 {
                errln!(
                    "{n_err} error{}, {n_warn} warning{}",
                    plural(n_err),
                    plural(n_warn)
                );
            }
        }
    }
    super::status(io_error, failed)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
