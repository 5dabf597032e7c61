//! Portfolio files on the command line: their programs read relative to the portfolio
//! file, their diagnostics printed against each file.

use super::{read_source, SourceError, EXIT_FAILED};
use miette::Diagnostic;
use specie::portfolio::{compile_portfolio_str, Portfolio, PortfolioSourceError, SourceFile};
use std::path::{Path, PathBuf};

/// Reads the programs a portfolio at `portfolio` names, relative to its folder.
pub fn loader(portfolio: &Path) -> impl FnMut(&str) -> Result<SourceFile, String> {
    let base: PathBuf = portfolio
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf);
    move |rel: &str| {
        let path = base.join(rel);
        let name = path.display().to_string();
        match read_source(&path) {
            Ok(text) => Ok(SourceFile { name, text }),
            Err(SourceError::Io(msg)) => Err(msg),
            Err(SourceError::TooLarge(e)) => Err(e.to_string()),
        }
    }
}

/// The compiled portfolio at `path`, its warnings and its programs' printed; on error every
/// diagnostic printed and the exit status.
pub fn load(path: &Path) -> Result<(Portfolio, String, String), u8> {
    let name = path.display().to_string();
    let src = read_source(path).map_err(|e| e.report(&name))?;
    let mut load = loader(path);
    match compile_portfolio_str(&src, &mut load) {
        Ok(c) => {
            let w: Vec<&dyn Diagnostic> = c.warnings.iter().map(|w| w as &dyn Diagnostic).collect();
            super::diag::print(&w, &name, &src);
            for p in &c.portfolio.programs {
                let d: Vec<&dyn Diagnostic> =
                    p.warnings.iter().map(|w| w as &dyn Diagnostic).collect();
                super::diag::print(&d, &p.file.name, &p.file.text);
            }
            Ok((c.portfolio, name, src))
        }
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
