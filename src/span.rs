//! Byte spans into the source text.

use serde::{Deserialize, Serialize};

/// A byte range `start..end` in the source text of a program.
///
/// Spans are carried by every AST node and compiled clause so that diagnostics and
/// explanations can point at the text. Two spans always compare equal and hash alike:
/// equality of syntax trees is about what was written, not where.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        // INVARIANT: spans never take part in equality, so that a parsed tree equals
        // the same tree parsed again after formatting.
        true
    }
}

impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// A value together with the span it was written at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `src`.
///
/// Offsets past the end, or inside a multi-byte character, are clamped to the nearest
/// earlier character boundary.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while offset > 0 && !src.is_char_boundary(offset) {
        offset = offset.saturating_sub(1);
    }
    let before = src.get(..offset).unwrap_or("");
    let line = before.matches('\n').count().saturating_add(1);
    let line_start = before.rfind('\n').map_or(0, |p| p.saturating_add(1));
    let col = before
        .get(line_start..)
        .map_or(0, |s| s.chars().count())
        .saturating_add(1);
    (line, col)
}

/// Where bytes stop being UTF-8 text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotUtf8 {
    /// Byte offset of the first byte that is not part of valid UTF-8.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// That byte, as `0xFF`.
    pub byte: String,
}

/// `bytes` as text, or where they stop being UTF-8.
pub fn utf8(bytes: Vec<u8>) -> Result<String, NotUtf8> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let valid = bytes
            .get(..offset)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        let (line, column) = line_col(valid, offset);
        NotUtf8 {
            offset,
            line,
            column,
            byte: bytes
                .get(offset)
                .map_or_else(String::new, |b| format!("0x{b:02X}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_says_where_the_text_breaks() {
        let e = utf8(b"ab\nc\xc3\xa9d\xffe".to_vec()).unwrap_err();
        assert_eq!(
            (e.offset, e.line, e.column, e.byte.as_str()),
            (7, 2, 4, "0xFF")
        );
        assert_eq!(utf8(b"ok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn line_col_counts_from_one() {
        let src = "ab\ncd\n€x";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 4), (2, 2));
        assert_eq!(line_col(src, 6), (3, 1));
        // after the three-byte euro sign: column 2
        assert_eq!(line_col(src, 9), (3, 2));
        // inside the euro sign: clamped back to its start
        assert_eq!(line_col(src, 7), (3, 1));
    }

    #[test]
    fn spans_never_affect_equality() {
        assert_eq!(Span::new(1, 2), Span::new(5, 9));
    }
}
