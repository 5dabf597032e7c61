//! Rendering diagnostics: miette's graphical reports for people, JSON for tools.

use crate::span::line_col;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
    SourceCode,
};
use serde::Serialize;
use std::fmt;

/// A diagnostic together with the named source text it points into.
pub struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    source: NamedSource<String>,
}

impl<'a> WithSource<'a> {
    /// Attaches `src`, named `name`, to `inner`.
    pub fn new(inner: &'a dyn Diagnostic, name: &str, src: &str) -> Self {
        WithSource {
            inner,
            source: NamedSource::new(name, src.to_string()),
        }
    }
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

/// Renders a diagnostic as miette's graphical report (no colour when `color` is false).
pub fn render(diag: &dyn Diagnostic, name: &str, src: &str, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let wrapped = WithSource::new(diag, name, src);
    if handler.render_report(&mut out, &wrapped).is_err() {
        out = format!("{name}: {diag}\n");
    }
    out
}

/// A diagnostic as JSON (`specie check --format json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonDiagnostic {
    /// Stable code, e.g. `specie::tower::overlap`.
    pub code: String,
    /// `error`, `warning` or `advice`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// The file name.
    pub file: String,
    /// 1-based line of the primary span.
    pub line: usize,
    /// 1-based column (in characters) of the primary span.
    pub column: usize,
    /// Byte range of the primary span.
    pub span: JsonSpan,
    /// Help text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Every labelled span.
    pub labels: Vec<JsonLabel>,
}

/// A byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct JsonSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonLabel {
    /// The label text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte range.
    pub span: JsonSpan,
}

/// Severity word of a diagnostic (`error` when it sets none).
pub fn severity_word(diag: &dyn Diagnostic) -> &'static str {
    match diag.severity() {
        Some(Severity::Warning) => "warning",
        Some(Severity::Advice) => "advice",
        Some(Severity::Error) | None => "error",
    }
}

/// Converts a diagnostic to its JSON form.
pub fn to_json(diag: &dyn Diagnostic, name: &str, src: &str) -> JsonDiagnostic {
    let labels: Vec<JsonLabel> = diag
        .labels()
        .map(|it| {
            it.map(|l| {
                let start = l.offset();
                let end = start.saturating_add(l.len());
                let (line, column) = line_col(src, start);
                JsonLabel {
                    label: l.label().map(str::to_string),
                    line,
                    column,
                    span: JsonSpan { start, end },
                }
            })
            .collect()
        })
        .unwrap_or_default();
    let (line, column, span) = labels
        .first()
        .map_or((1, 1, JsonSpan { start: 0, end: 0 }), |l| {
            (l.line, l.column, l.span)
        });
    JsonDiagnostic {
        code: diag.code().map(|c| c.to_string()).unwrap_or_default(),
        severity: severity_word(diag),
        message: diag.to_string(),
        file: name.to_string(),
        line,
        column,
        span,
        help: diag.help().map(|h| h.to_string()),
        labels,
    }
}
