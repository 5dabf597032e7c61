//! Findings of the tower analysis: stable codes, messages with amounts, source spans.

use crate::span::Span;
use miette::{Diagnostic, LabeledSpan, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::vocabulary::{
    AGGREGATE_BELOW_LIMIT, CONCENTRATION, FINDING_CODES, GAP, HOT_EXPOSURE_ABOVE_RECOVERY,
    HOT_EXPOSURE_WITHOUT_SUBLIMIT, INSIDER_THEFT_NOT_COVERED, KEY_COMPROMISE_NOT_COVERED,
    REINSTATEMENT_WITHOUT_PREMIUM, UNPLACED, UNREACHABLE_LAYER, VENDOR_BREACH_NOT_COVERED,
};

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
