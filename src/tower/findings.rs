//! Findings of the tower analysis: stable codes, messages with amounts, source spans.

use crate::span::Span;
use miette::{Diagnostic, LabeledSpan, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every finding code the tower analysis reports (and `allow` may name).
pub const FINDING_CODES: &[&str] = &[
    GAP,
    UNPLACED,
    AGGREGATE_BELOW_LIMIT,
    REINSTATEMENT_WITHOUT_PREMIUM,
    UNREACHABLE_LAYER,
    CONCENTRATION,
    KEY_COMPROMISE_NOT_COVERED,
    INSIDER_THEFT_NOT_COVERED,
    VENDOR_BREACH_NOT_COVERED,
    HOT_EXPOSURE_WITHOUT_SUBLIMIT,
    HOT_EXPOSURE_ABOVE_RECOVERY,
];

/// Part of `[0, top)` of the tower that no layer covers.
pub const GAP: &str = "specie::tower::gap";
/// A layer placed below 100%.
pub const UNPLACED: &str = "specie::tower::unplaced";
/// A layer aggregate below its occurrence limit.
pub const AGGREGATE_BELOW_LIMIT: &str = "specie::tower::aggregate_below_limit";
/// Reinstatements on a layer without a premium.
pub const REINSTATEMENT_WITHOUT_PREMIUM: &str = "specie::tower::reinstatement_without_premium";
/// A layer no covered loss reaches (or every loss reaching it is excluded).
pub const UNREACHABLE_LAYER: &str = "specie::tower::unreachable_layer";
/// One entity carries more than the threshold share of the tower.
pub const CONCENTRATION: &str = "specie::tower::concentration";
/// Key compromise is not covered.
pub const KEY_COMPROMISE_NOT_COVERED: &str = "specie::advice::key_compromise_not_covered";
/// Insider theft is not covered.
pub const INSIDER_THEFT_NOT_COVERED: &str = "specie::advice::insider_theft_not_covered";
/// Vendor or sub-custodian breach is not covered.
pub const VENDOR_BREACH_NOT_COVERED: &str = "specie::advice::vendor_breach_not_covered";
/// Hot exposure without a hot-tier sub-limit.
pub const HOT_EXPOSURE_WITHOUT_SUBLIMIT: &str = "specie::advice::hot_exposure_without_sublimit";
/// A total hot loss leaves more than the retentions uncovered.
pub const HOT_EXPOSURE_ABOVE_RECOVERY: &str = "specie::advice::hot_exposure_above_recovery";

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A structural weakness of the tower.
    Warning,
    /// Advice for custody programs.
    Advice,
}

/// A labelled source span of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLabel {
    /// Byte range in the program's source.
    pub span: Span,
    /// What the span shows.
    pub label: String,
}

/// One finding of `specie tower`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code, e.g. `specie::tower::gap`.
    pub code: String,
    /// Warning or advice.
    pub level: Level,
    /// What is wrong, with the amounts involved.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The clause concerned first, then any other clause involved.
    pub labels: Vec<FindingLabel>,
}

impl Finding {
    pub(crate) fn new(code: &str, level: Level, message: String) -> Finding {
        Finding {
            code: code.to_string(),
            level,
            message,
            help: None,
            labels: Vec::new(),
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn at(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.labels.push(FindingLabel {
            span,
            label: label.into(),
        });
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(match self.level {
            Level::Warning => Severity::Warning,
            Level::Advice => Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().map(|l| {
            LabeledSpan::new_with_span(Some(l.label.clone()), (l.span.start, l.span.len()))
        })))
    }
}
