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
    source: Option<NamedSource<String>>,
}

impl<'a> WithSource<'a> {
    /// Attaches `src`, named `name`, to `inner`.
    pub fn new(inner: &'a dyn Diagnostic, name: &str, src: &str) -> Self {
        WithSource {
            inner,
            source: Some(NamedSource::new(
                crate::render::visible(name),
                crate::render::blanked(src).into_owned(),
            )),
        }
    }

    /// `inner` without its source snippet (its location is written by the caller).
    fn bare(inner: &'a dyn Diagnostic) -> Self {
        WithSource {
            inner,
            source: None,
        }
    }
}

/// Longest source line (in bytes) shown as a snippet. Longer lines are unreadable in a
/// terminal, and past 65,535 columns miette's renderer panics; their diagnostics give the
/// line and column instead.
pub const MAX_SNIPPET_LINE: usize = 4096;

/// Whether every labelled span lies on lines short enough to show.
fn snippet_fits(diag: &dyn Diagnostic, src: &str) -> bool {
    let line_len = |offset: usize| {
        let offset = offset.min(src.len());
        let before = src.get(..offset).unwrap_or("");
        let after = src.get(offset..).unwrap_or("");
        let start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
        let end = after
            .find('\n')
            .map_or(src.len(), |i| offset.saturating_add(i));
        end.saturating_sub(start)
    };
    diag.labels().is_none_or(|mut labels| {
        labels.all(|l| {
            line_len(l.offset()) <= MAX_SNIPPET_LINE
                && line_len(l.offset().saturating_add(l.len())) <= MAX_SNIPPET_LINE
        })
    })
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

// Messages, help and labels quote the input: their control characters are made visible,
// and the source snippet has them blanked (same byte length, so spans still fit).
impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::render::visible(&self.inner.to_string()))
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
        let help = self.inner.help()?.to_string();
        Some(Box::new(crate::render::visible(&help).into_owned()))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?.map(|l| {
            let text = l.label().map(|t| crate::render::visible(t).into_owned());
            if l.primary() {
                LabeledSpan::new_primary_with_span(text, *l.inner())
            } else {
                LabeledSpan::new_with_span(text, *l.inner())
            }
        });
        Some(Box::new(labels))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
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
    if !src.is_empty() && snippet_fits(diag, src) {
        let wrapped = WithSource::new(diag, name, src);
        if handler.render_report(&mut out, &wrapped).is_err() {
            out = format!(
                "{}: {}\n",
                crate::render::visible(name),
                crate::render::visible(&diag.to_string())
            );
        }
        return out;
    }
    let bare = WithSource::bare(diag);
    if handler.render_report(&mut out, &bare).is_err() {
        out = format!(
            "{}: {}\n",
            crate::render::visible(name),
            crate::render::visible(&diag.to_string())
        );
    }
    let mut located = false;
    for l in diag.labels().into_iter().flatten() {
        located = true;
        let (line, column) = line_col(src, l.offset());
        let label = l
            .label()
            .map(|t| format!(": {}", crate::render::visible(t)))
            .unwrap_or_default();
        let why = if src.is_empty() {
            ""
        } else {
            " (line too long to show)"
        };
        out.push_str(&format!("  at {name}:{line}:{column}{label}{why}\n"));
    }
    if !located {
        out.push_str(&format!("  in {}\n", crate::render::visible(name)));
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
