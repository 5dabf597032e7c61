//! Errors of [`crate::parse::parse`].

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Why a source text is not a well-formed program.
///
/// Parsing stops at the first error; each variant says where and what was expected.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum ParseError {
    /// A token that does not fit here.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(specie::parse::syntax))]
    Syntax {
        /// What the grammar allows at this spot.
        expected: String,
        /// What is there instead.
        found: String,
        /// Where.
        #[label("expected {expected}")]
        span: SourceSpan,
        /// Extra advice.
        #[help]
        help: Option<String>,
    },
    /// A word at the start of an item that names no item.
    #[error("unknown item `{word}`")]
    #[diagnostic(code(specie::parse::unknown_item))]
    UnknownItem {
        /// The word.
        word: String,
        /// Where.
        #[label("not an item keyword")]
        span: SourceSpan,
        /// Advice, with a suggestion where a near keyword exists.
        #[help]
        help: String,
    },
    /// A reserved keyword where a name is needed.
    #[error("`{word}` is a reserved keyword, not a name")]
    #[diagnostic(
        code(specie::parse::reserved_keyword),
        help("keywords are reserved; choose another name for the symbol or attribute")
    )]
    ReservedKeyword {
        /// The keyword.
        word: String,
        /// Where.
        #[label("reserved keyword")]
        span: SourceSpan,
    },
    /// A string that runs to the end of its line or of the input.
    #[error("unterminated string")]
    #[diagnostic(
        code(specie::parse::unterminated_string),
        help("close the string with `\"` on the same line; write a newline as `\\n`")
    )]
    UnterminatedString {
        /// From the opening quote.
        #[label("string starts here")]
        span: SourceSpan,
    },
    /// An escape other than `\"`, `\\`, `\n`, `\t`.
    #[error("unknown escape `{escape}` in string")]
    #[diagnostic(
        code(specie::parse::invalid_escape),
        help("strings allow the escapes `\\\"`, `\\\\`, `\\n` and `\\t`")
    )]
    InvalidEscape {
        /// The escape as written.
        escape: String,
        /// Where.
        #[label("unknown escape")]
        span: SourceSpan,
    },
    /// A malformed number, amount, percentage or duration.
    #[error("invalid number `{text}`")]
    #[diagnostic(code(specie::parse::invalid_number))]
    InvalidNumber {
        /// The text.
        text: String,
        /// Where.
        #[label("not a valid number here")]
        span: SourceSpan,
        /// What numbers look like.
        #[help]
        help: String,
    },
    /// A date or instant that does not exist or is malformed.
    #[error("invalid date `{text}`")]
    #[diagnostic(
        code(specie::parse::invalid_date),
        help("dates are written `2026-01-01` and instants `2026-03-14T02:10:00Z` (UTC)")
    )]
    InvalidDate {
        /// The text.
        text: String,
        /// Where.
        #[label("not a valid date")]
        span: SourceSpan,
    },
    /// An item of a later version of the language.
    #[error("`{word}` items are not supported yet")]
    #[diagnostic(
        code(specie::parse::unsupported),
        help("this version parses spec sections 2-4; remove the item or upgrade specie")
    )]
    Unsupported {
        /// The keyword.
        word: String,
        /// Where.
        #[label("not supported by this version")]
        span: SourceSpan,
    },
    /// Conditions nested deeper than the limit.
    #[error("condition nests deeper than {limit} levels")]
    #[diagnostic(
        code(specie::limit::nesting),
        help("split the condition into several clauses")
    )]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where the limit was crossed.
        #[label("too deep")]
        span: SourceSpan,
    },
    /// Input that is not UTF-8 text.
    #[error(
        "the text is not UTF-8: byte {byte} at line {line}, column {column} (byte offset {offset})"
    )]
    #[diagnostic(code(specie::parse::not_utf8), help("save the file as UTF-8 text"))]
    NotUtf8 {
        /// The byte.
        byte: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Byte offset.
        offset: usize,
        /// The start of the input (not a label: the text cannot be shown).
        span: SourceSpan,
    },
    /// Input larger than the limit.
    #[error("input is {size} bytes, above the limit of {limit} bytes")]
    #[diagnostic(code(specie::limit::input_size))]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
        /// The start of the input.
        #[label("input starts here")]
        span: SourceSpan,
    },
}

impl ParseError {
    /// The byte span the error points at.
    pub fn span(&self) -> SourceSpan {
        match self {
            ParseError::Syntax { span, .. }
            | ParseError::UnknownItem { span, .. }
            | ParseError::ReservedKeyword { span, .. }
            | ParseError::UnterminatedString { span }
            | ParseError::InvalidEscape { span, .. }
            | ParseError::InvalidNumber { span, .. }
            | ParseError::InvalidDate { span, .. }
            | ParseError::Unsupported { span, .. }
            | ParseError::TooDeep { span, .. }
            | ParseError::NotUtf8 { span, .. }
            | ParseError::TooLarge { span, .. } => *span,
        }
    }
}
