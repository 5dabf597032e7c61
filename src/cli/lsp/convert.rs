//! Between LSP's coordinates (line, UTF-16 code unit; `file:` URIs) and the library's
//! (byte offsets; paths).

use lsp_types::{Position, Range, Uri};
use specie::span::Span;
use std::path::{Path, PathBuf};

/// The LSP position (line, UTF-16 code units) of byte `offset` in `text`, clamped to the
/// text and moved back to a character boundary.
pub(crate) fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset = offset.saturating_sub(1);
    }
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line = before.matches('\n').count();
    let column: usize = before
        .get(line_start..)
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// The byte offset of an LSP position: past the end of a line means its end, past the
/// last line the end of the text; inside a surrogate pair, the character's start.
pub(crate) fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0usize;
    for _ in 0..pos.line {
        match text.get(line_start..).and_then(|r| r.find('\n')) {
            Some(i) => line_start = line_start.saturating_add(i).saturating_add(1),
            None => return text.len(),
        }
    }
    let line = text.get(line_start..).unwrap_or("");
    let line = line.split('\n').next().unwrap_or("");
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        let next = units.saturating_add(u32::try_from(c.len_utf16()).unwrap_or(2));
        if next > pos.character {
            return line_start.saturating_add(i);
        }
        units = next;
    }
    line_start.saturating_add(line.len())
}

/// The LSP range of a byte span.
pub(crate) fn range(text: &str, span: Span) -> Range {
    Range {
        start: position(text, span.start),
        end: position(text, span.end),
    }
}

/// The path a `file:` URI names (a portfolio's programs are read beside it).
pub(crate) fn path_of(uri: &Uri) -> PathBuf {
    let s = uri.as_str();
    let path = s.strip_prefix("file://").unwrap_or(s);
    PathBuf::from(percent_decode(path))
}

/// The `file:` URI of an absolute path.
pub(crate) fn uri_of(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().ok()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(b) = bytes.get(i) {
        let hex = bytes
            .get(i.saturating_add(1)..i.saturating_add(3))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            _ => {
                out.push(*b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" 4 bytes and 2 units.
        let text = "ab\n# é 𝄞 x\nz";
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x), Position::new(1, 7)); // "# é 𝄞 ": 6 characters, 7 units (𝄞 is two)
        assert_eq!(position(text, 0), Position::new(0, 0));
        assert_eq!(position(text, text.len()), Position::new(2, 1));
        // Inside a character: back to its start; past the end: the end.
        let e = text.find('é').unwrap();
        assert_eq!(position(text, e + 1), position(text, e));
        assert_eq!(position(text, 999), Position::new(2, 1));
    }

    #[test]
    fn offsets_invert_positions() {
        let text = "ab\n# é 𝄞 x\nz";
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(offset(text, position(text, i)), i, "at {i}");
        }
        // Past a line's end: its end; past the last line: the text's end; inside 𝄞: its start.
        assert_eq!(offset(text, Position::new(0, 99)), 2);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
        let g = text.find('𝄞').unwrap();
        assert_eq!(offset(text, Position::new(1, 5)), g);
    }

    #[test]
    fn file_uris_become_paths_and_back() {
        let uri: Uri = "file:///tmp/a%20b/c.specie".parse().unwrap();
        assert_eq!(path_of(&uri), PathBuf::from("/tmp/a b/c.specie"));
        let back = uri_of(Path::new("/tmp/a b/c.specie")).unwrap();
        assert_eq!(back.as_str(), "file:///tmp/a%20b/c.specie");
    }
}
