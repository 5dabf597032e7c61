//! Errors and warnings of portfolio model files (spec section 15.2).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A reason a portfolio model does not compile, located in the portfolio model file.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum BookModelError {
    /// `years` or `seed` written twice, or an item of a vendor peril written twice.
    #[error("`{item}` is written more than once")]
    #[diagnostic(code(specie::item::duplicate), help("keep one `{item}` item"))]
    DuplicateItem {
        /// The item keyword.
        item: &'static str,
        /// The second one.
        #[label("written again here")]
        span: SourceSpan,
    },
    /// Two `model` items for one program, or two vendor perils with one name.
    #[error("duplicate {kind} `{name}`")]
    #[diagnostic(
        code(specie::name::duplicate),
        help("{kind}s must be unique so that results can say which one")
    )]
    Duplicate {
        /// `model for program` or `vendor peril`.
        kind: &'static str,
        /// The name.
        name: String,
        /// The second one.
        #[label("used again here")]
        span: SourceSpan,
    },
    /// A `model` item whose key is no program of the portfolio.
    #[error("`{key}` is not a program of the portfolio")]
    #[diagnostic(code(specie::portfolio_model::unknown_program))]
    UnknownProgram {
        /// The key as written.
        key: String,
        /// Where.
        #[label("no program has this key")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A vendor peril on a vendor the portfolio does not declare.
    #[error("vendor peril `{peril}` breaches `{vendor}`, which is not a vendor of the portfolio")]
    #[diagnostic(code(specie::portfolio_model::unknown_vendor))]
    UnknownVendor {
        /// The peril.
        peril: String,
        /// The vendor as written.
        vendor: String,
        /// Where.
        #[label("no vendor has this name")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A model file that cannot be read.
    #[error("model of program `{key}`: cannot read `{path}`: {reason}")]
    #[diagnostic(
        code(specie::portfolio_model::unreadable),
        help("paths are relative to the portfolio model file")
    )]
    Unreadable {
        /// The program's key.
        key: String,
        /// The path as resolved.
        path: String,
        /// Why.
        reason: String,
        /// The path in the file.
        #[label("this file")]
        span: SourceSpan,
    },
    /// A model file that does not compile against its program (its own diagnostics
    /// follow, against its own file).
    #[error("model of program `{key}` (`{path}`) does not compile: {count} error{}", if *.count == 1 { "" } else { "s" })]
    #[diagnostic(code(specie::portfolio_model::model))]
    Model {
        /// The program's key.
        key: String,
        /// Its file.
        path: String,
        /// How many errors it has.
        count: usize,
        /// The model item.
        #[label("this model")]
        span: SourceSpan,
    },
    /// A vendor peril without a required item.
    #[error("vendor peril `{peril}` has no `{item}`")]
    #[diagnostic(code(specie::portfolio_model::incomplete), help("add `{example}`"))]
    Incomplete {
        /// The peril.
        peril: String,
        /// The missing item.
        item: &'static str,
        /// An example of it.
        example: &'static str,
        /// The peril.
        #[label("this vendor peril")]
        span: SourceSpan,
    },
    /// A damage parameter out of range.
    #[error("{what} {problem}")]
    #[diagnostic(code(specie::portfolio_model::damage))]
    Damage {
        /// What it is.
        what: &'static str,
        /// What is wrong.
        problem: String,
        /// Where.
        #[label("here")]
        span: SourceSpan,
        /// What to write.
        #[help]
        help: Option<String>,
    },
    /// A frequency out of range (the messages of section 12.1).
    #[error("{message}")]
    #[diagnostic(code(specie::portfolio_model::frequency))]
    Frequency {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: SourceSpan,
    },
    /// An attribute a reached program declares without a default.
    #[error("vendor peril `{peril}` reaches program `{key}`, whose attribute `{attribute}` has no default")]
    #[diagnostic(
        code(specie::portfolio_model::attribute),
        help("give `{attribute}` a default in that program, so that vendor events take it")
    )]
    Attribute {
        /// The peril.
        peril: String,
        /// The program.
        key: String,
        /// The attribute.
        attribute: String,
        /// The peril.
        #[label("this vendor peril")]
        span: SourceSpan,
    },
    /// `years` outside 1 to the most a simulation takes.
    #[error("{what} {problem}")]
    #[diagnostic(code(specie::portfolio_model::value))]
    Value {
        /// What it is.
        what: &'static str,
        /// What is wrong.
        problem: String,
        /// Where.
        #[label("here")]
        span: SourceSpan,
    },
}

/// Something in a portfolio model that deserves a second look.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum BookModelWarning {
    /// A vendor peril on a vendor no program uses.
    #[error("vendor peril `{peril}` breaches `{vendor}`, which no program of the book uses: its events reach no one")]
    #[diagnostic(
        code(specie::portfolio_model::unused_vendor),
        severity(Warning),
        help("add `uses \"KEY\" TIER P%` to the vendor in the portfolio, or remove the peril")
    )]
    UnusedVendor {
        /// The peril.
        peril: String,
        /// The vendor.
        vendor: String,
        /// Where.
        #[label("this vendor")]
        span: SourceSpan,
    },
    /// A per-tier damage on a tier no `uses` of the vendor names.
    #[error(
        "vendor peril `{peril}` damages tier `{tier}`, which no program uses vendor `{vendor}` for"
    )]
    #[diagnostic(
        code(specie::portfolio_model::unused_tier),
        severity(Warning),
        help("the damage of a tier reaches only programs whose `uses` item names that tier")
    )]
    UnusedTier {
        /// The peril.
        peril: String,
        /// The vendor.
        vendor: String,
        /// The tier.
        tier: String,
        /// Where.
        #[label("no program's `uses` names it")]
        span: SourceSpan,
    },
}
