//! Errors and warnings of portfolio files and portfolio scenarios.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A reason a portfolio does not compile, located in the portfolio file.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum PortfolioError {
    /// `currency` written twice, or another once-only item.
    #[error("`{item}` is written more than once")]
    #[diagnostic(code(specie::item::duplicate), help("keep one `{item}` item"))]
    DuplicateItem {
        /// The item keyword.
        item: &'static str,
        /// The second one.
        #[label("written again here")]
        span: SourceSpan,
        /// The first one.
        #[label("first written here")]
        first: SourceSpan,
    },
    /// Two programs with one key, or two vendors with one name.
    #[error("duplicate {kind} `{name}`")]
    #[diagnostic(
        code(specie::name::duplicate),
        help("{kind}s of a book must be unique so that results can say which one")
    )]
    Duplicate {
        /// `program key` or `vendor`.
        kind: &'static str,
        /// The name.
        name: String,
        /// The second one.
        #[label("used again here")]
        span: SourceSpan,
        /// The first one.
        #[label("first used here")]
        first: SourceSpan,
    },
    /// A currency code the language does not know.
    #[error("unknown currency `{code}`")]
    #[diagnostic(code(specie::value::unknown_currency))]
    UnknownCurrency {
        /// The code.
        code: String,
        /// Where.
        #[label("not an ISO 4217 code specie knows")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A program file that cannot be read.
    #[error("program `{key}`: cannot read `{path}`: {reason}")]
    #[diagnostic(
        code(specie::portfolio::unreadable),
        help("paths are relative to the portfolio file")
    )]
    Unreadable {
        /// The program's key.
        key: String,
        /// The path as resolved.
        path: String,
        /// Why.
        reason: String,
        /// The path in the portfolio.
        #[label("this file")]
        span: SourceSpan,
    },
    /// A program of the book that does not parse or compile (its own diagnostics follow,
    /// against its own file).
    #[error("program `{key}` (`{path}`) does not compile: {count} error{}", if *.count == 1 { "" } else { "s" })]
    #[diagnostic(code(specie::portfolio::program))]
    Program {
        /// The program's key.
        key: String,
        /// Its file.
        path: String,
        /// How many errors it has.
        count: usize,
        /// The program item.
        #[label("this program")]
        span: SourceSpan,
    },
    /// A program whose currency is not the book's.
    #[error("program `{key}` is in {program}, the book in {book}")]
    #[diagnostic(
        code(specie::portfolio::currency_mismatch),
        help("every program of a book is in the book's currency (`currency {book}`), so that its figures add up")
    )]
    CurrencyMismatch {
        /// The program's key.
        key: String,
        /// The program's currency.
        program: String,
        /// The book's.
        book: String,
        /// The program item.
        #[label("a {program} program")]
        span: SourceSpan,
    },
    /// `uses` a key that is no program of the book.
    #[error("vendor `{vendor}` uses `{key}`, which is not a program of the book")]
    #[diagnostic(code(specie::portfolio::unknown_program))]
    UnknownProgram {
        /// The vendor.
        vendor: String,
        /// The key as written.
        key: String,
        /// Where.
        #[label("no program has this key")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A vendor that uses one program twice.
    #[error("vendor `{vendor}` uses program `{key}` twice")]
    #[diagnostic(
        code(specie::portfolio::duplicate_uses),
        help("write every tier the program depends on the vendor for in one `uses` item")
    )]
    DuplicateUses {
        /// The vendor.
        vendor: String,
        /// The program's key.
        key: String,
        /// The second `uses`.
        #[label("used again here")]
        span: SourceSpan,
        /// The first.
        #[label("first used here")]
        first: SourceSpan,
    },
    /// A tier the program declares no exposure for.
    #[error("vendor `{vendor}` uses tier `{tier}` of program `{key}`, which declares no `{tier}` exposure")]
    #[diagnostic(code(specie::portfolio::tier_without_exposure))]
    TierWithoutExposure {
        /// The vendor.
        vendor: String,
        /// The program's key.
        key: String,
        /// The tier.
        tier: String,
        /// Where.
        #[label("no `exposure {tier}` in that program")]
        span: SourceSpan,
        /// What the program declares.
        #[help]
        help: String,
    },
    /// A tier written twice in one `uses` item.
    #[error("tier `{tier}` is written twice for program `{key}`")]
    #[diagnostic(
        code(specie::portfolio::duplicate_tier),
        help("write each tier once, with its whole share")
    )]
    DuplicateTier {
        /// The program's key.
        key: String,
        /// The tier.
        tier: String,
        /// The second one.
        #[label("written again here")]
        span: SourceSpan,
    },
    /// A share outside (0%, 100%].
    #[error("a share of {value}% is outside (0%, 100%]")]
    #[diagnostic(
        code(specie::portfolio::share_range),
        help("a vendor's share of a tier is the part of the program's declared exposure it can reach: above 0%, at most 100%")
    )]
    ShareRange {
        /// The share as written.
        value: String,
        /// Where.
        #[label("out of range")]
        span: SourceSpan,
    },
}

/// Something in a portfolio that deserves a second look.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum PortfolioWarning {
    /// A vendor no program uses.
    #[error("vendor `{vendor}` has no `uses` item: its events reach no program")]
    #[diagnostic(
        code(specie::portfolio::unused_vendor),
        severity(Warning),
        help("add `uses \"KEY\" TIER P%` for each program that depends on it")
    )]
    UnusedVendor {
        /// The vendor.
        vendor: String,
        /// Where.
        #[label("this vendor")]
        span: SourceSpan,
    },
}
