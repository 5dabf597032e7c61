//! What the lexer and the parser share: the reserved keywords and the input limits.

/// Largest input accepted, in bytes (16 MiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting of `not` and parentheses accepted in a condition.
pub const MAX_NESTING: usize = 256;

/// Declares the reserved keywords once: the public list and the test the lexer uses.
macro_rules! keywords {
    ($($k:literal),* $(,)?) => {
        /// Every reserved keyword of the language. Keywords are lowercase and cannot be names.
        pub const KEYWORDS: &[&str] = &[$($k),*];

        /// Whether `word` is one of [`KEYWORDS`] (a `match`: the compiler tests the length
        /// first, so most names are rejected without comparing bytes).
        pub(crate) fn is_keyword(word: &str) -> bool {
            matches!(word, $($k)|*)
        }
    };
}

keywords! {
    "program",
    "insured",
    "currency",
    "period",
    "to",
    "basis",
    "occurrence",
    "discovery",
    "window",
    "retroactive",
    "valuation",
    "at",
    "loss",
    "attribute",
    "flag",
    "count",
    "number",
    "amount",
    "duration",
    "text",
    "exposure",
    "covers",
    "sublimit",
    "per",
    "aggregate",
    "deductible",
    "min",
    "max",
    "franchise",
    "coinsurance",
    "exclude",
    "when",
    "layer",
    "xs",
    "reinstatements",
    "premium",
    "carrier",
    "allow",
    "and",
    "or",
    "not",
    "is",
    "in",
    "true",
    "false",
    "parametric",
    "treaty",
    "check",
    "index",
    "trigger",
    "below",
    "above",
    "for",
    "payout",
    "of",
    "linear",
    "from",
    "waiting",
    "event",
    "events",
    "with",
    "expect",
    "up",
    "each",
    "paid",
    "uncovered",
    "retained",
    "quota",
    "share",
    "cedent",
    "reinsurer",
    "inures",
    "after",
}
