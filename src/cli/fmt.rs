//! `specie fmt FILE… [--check]`

use super::out::Out;
use super::{color, read_source, EXIT_USAGE};
use specie::diagnostic::render;
use specie::parse::FileKind;
use std::path::PathBuf;

pub fn run(out: &mut Out, files: &[PathBuf], check: bool) -> u8 {
    let mut failed = false;
    let mut io_error = false;
    for path in files {
        let name = path.display().to_string();
        let src = match read_source(path) {
            Ok(s) => s,
            Err(e) => {
                if e.report(&name) == EXIT_USAGE {
                    io_error = true;
                } else {
                    failed = true;
                }
                continue;
            }
        };
        let formatted = formatted(&src);
        let formatted = match formatted {
            Ok(f) => f,
            Err(e) => {
                eprint!("{}", render(&e, &name, &src, color()));
                failed = true;
                continue;
            }
        };
        if formatted == src {
            continue;
        }
        if check {
            out.print(&format!("would reformat: {name}\n"));
            failed = true;
        } else if let Err(e) = std::fs::write(path, formatted) {
            errln!("error: cannot write `{name}`: {e}");
            io_error = true;
        } else {
            out.print(&format!("formatted: {name}\n"));
        }
    }
    super::status(io_error, failed)
}

/// `src` in the canonical layout of its kind (a portfolio model is checked for syntax and
/// left as written).
pub(super) fn formatted(src: &str) -> Result<String, specie::parse::ParseError> {
    match specie::parse::file_kind(src) {
        FileKind::Model => {
            specie::parse::parse_model(src).map(|m| specie::format::format_model(&m))
        }
        FileKind::Portfolio => {
            specie::parse::parse_portfolio(src).map(|p| specie::format::format_portfolio(&p))
        }
        FileKind::Program => specie::parse(src).map(|f| specie::format(&f)),
        FileKind::PortfolioModel => {
            specie::parse::parse_portfolio_model(src).map(|_| src.to_string())
        }
    }
}
