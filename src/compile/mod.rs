//! Syntax tree → validated [`Program`]: name resolution, type-checking of conditions and
//! value checks. Every error is collected, so one run reports them all.

mod check;
mod condition;
mod cx;
mod err;
mod index_peril;
mod items;
mod model;
mod names;
mod parametric;
mod tower;
mod treaty;

pub(crate) use cx::{percent_text, Cx};
pub(crate) use names::Names;

pub use condition::BUILTIN_FIELDS;
pub use err::{CompileError, CompileErrors, CompileWarning, SourceError};
pub use model::{
    compile_frequency, compile_model, compile_model_str, CompiledModel, MAX_EMPIRICAL,
};

use crate::ast::File;
use crate::money::Currency;
use crate::program::*;

/// Most layers a program may have.
pub const MAX_LAYERS: usize = 10_000;
/// Most clauses (sub-limits, deductibles, exclusions) a program may have.
pub const MAX_CLAUSES: usize = 10_000;

pub use crate::vocabulary::{STANDARD_CAUSES, STANDARD_TIERS};

/// A compiled program and the warnings its source drew.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiled {
    /// The program.
    pub program: Program,
    /// Warnings, in the order found.
    pub warnings: Vec<CompileWarning>,
}

/// Parses and compiles source text.
///
/// ```
/// let err = specie::compile_str(r#"program "x" {
///   period 2026-01-01 to 2027-01-01
///   exclude "Late" when reported_after > 30 days
/// }"#).unwrap_err();
/// let specie::SourceError::Compile(c) = err else { panic!() };
/// assert_eq!(c.errors[0].to_string(), "unknown field `reported_after`");
/// ```
pub fn compile_str(src: &str) -> Result<Compiled, SourceError> {
    let file = crate::parse::parse(src)?;
    Ok(compile(&file)?)
}

/// Compiles a syntax tree to a [`Program`], reporting every error found.
pub fn compile(file: &File) -> Result<Compiled, CompileErrors> {
    let mut cx = Cx {
        errors: Vec::new(),
        warnings: Vec::new(),
        currency: Currency::usd(),
    };
    let program = cx.program(&file.program);
    if let (Some(p), true) = (&program, cx.errors.is_empty()) {
        names::confusable_entities(&mut cx, p);
    }
    if let Some(p) = &program {
        // `allow CODE` silences a tower finding wherever it is reported: the compiler's
        // warnings of the same code too (`specie check` and `specie tower` agree).
        cx.warnings.retain(|w| {
            let code = miette::Diagnostic::code(w).map(|c| c.to_string());
            !code.is_some_and(|c| p.allows.contains(&c))
        });
    }
    match program {
        Some(program) if cx.errors.is_empty() => Ok(Compiled {
            program,
            warnings: cx.warnings,
        }),
        _ => Err(CompileErrors {
            errors: cx.errors,
            warnings: cx.warnings,
        }),
    }
}

#[cfg(test)]
mod tests;
