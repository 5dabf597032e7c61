//! A forgiving tokenizer for editor services: it never fails, so that names, completions
//! and references work while the text does not yet parse. Strings keep their quotes in
//! their span; a string left open ends at the line's end.

use crate::span::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword; `a::b::c` (a finding code) is one word.
    Word,
    /// A double-quoted string, quotes included.
    Str,
    /// A number, amount, percent, date or instant as written (`10M`, `30%`, `2026-01-01`).
    Number,
    /// Punctuation or any other character (`{`, `,`, `<=`).
    Punct,
    /// A comment, `#` to the end of the line.
    Comment,
}

/// One token of the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// Its kind.
    pub kind: TokenKind,
    /// Its bytes in the source.
    pub span: Span,
    /// Its text as written.
    pub text: &'a str,
}

impl Token<'_> {
    /// The value of a string token (quotes removed, escapes read); the text otherwise.
    pub fn value(&self) -> String {
        if self.kind != TokenKind::Str {
            return self.text.to_string();
        }
        let inner = self.text.strip_prefix('"').unwrap_or(self.text);
        let inner = inner.strip_suffix('"').unwrap_or(inner);
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        }
        out
    }

    /// Whether this is the word `w`.
    pub fn is_word(&self, w: &str) -> bool {
        self.kind == TokenKind::Word && self.text == w
    }

    /// Whether this is the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }
}

/// Every token of `src`, comments included, in order.
///
/// ```
/// use specie::ide::tokens::{tokens, TokenKind};
/// let t = tokens(r#"layer "Primary" 10M xs 0 { # note"#);
/// let kinds: Vec<TokenKind> = t.iter().map(|t| t.kind).collect();
/// assert_eq!(kinds, [TokenKind::Word, TokenKind::Str, TokenKind::Number, TokenKind::Word,
///     TokenKind::Number, TokenKind::Punct, TokenKind::Comment]);
/// assert_eq!(t[1].value(), "Primary");
/// ```
pub fn tokens(src: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some(rest) = src.get(at..) {
        let Some(c) = rest.chars().next() else { break };
        let len = if c.is_whitespace() {
            c.len_utf8()
        } else {
            let (kind, len) = token_at(rest, c);
            let end = at.saturating_add(len);
            out.push(Token {
                kind,
                span: Span::new(at, end),
                text: src.get(at..end).unwrap_or(""),
            });
            len
        };
        // INVARIANT: every token and space has at least one byte, so the loop ends.
        at = at.saturating_add(len.max(1));
    }
    out
}

/// The kind and byte length of the token starting `rest` (whose first character is `c`).
fn token_at(rest: &str, c: char) -> (TokenKind, usize) {
    match c {
        '#' => (TokenKind::Comment, rest.find('\n').unwrap_or(rest.len())),
        '"' => (TokenKind::Str, string_len(rest)),
        '0'..='9' => (
            TokenKind::Number,
            run(rest, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '%' | '-' | ':' | '+')
            }),
        ),
        c if c.is_ascii_alphabetic() || c == '_' => (TokenKind::Word, word_len(rest)),
        _ => {
            let two = rest.get(..2).unwrap_or("");
            if matches!(two, "<=" | ">=" | "==" | "!=") {
                (TokenKind::Punct, 2)
            } else {
                (TokenKind::Punct, c.len_utf8())
            }
        }
    }
}

/// Bytes of the leading run of characters for which `f` holds.
fn run(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.find(|c: char| !f(c)).unwrap_or(s.len())
}

/// A word, with `::word` continuations (finding codes).
fn word_len(s: &str) -> usize {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut len = run(s, ident);
    while let Some(after) = s.get(len..).and_then(|r| r.strip_prefix("::")) {
        let more = run(after, ident);
        if more == 0 {
            break;
        }
        len = len.saturating_add(2).saturating_add(more);
    }
    len
}

/// A string with its quotes; an unterminated one runs to the end of its line.
fn string_len(s: &str) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\n' => return i,
            '"' if !escaped => return i.saturating_add(1),
            '\\' if !escaped => escaped = true,
            _ => escaped = false,
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_numbers_codes_and_open_strings() {
        let src = "allow specie::tower::gap\nx <= 2026-03-14T02:10:00Z \"a\\\"b\" \"open\nz é";
        let t = tokens(src);
        let texts: Vec<&str> = t.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            [
                "allow",
                "specie::tower::gap",
                "x",
                "<=",
                "2026-03-14T02:10:00Z",
                "\"a\\\"b\"",
                "\"open",
                "z",
                "é"
            ]
        );
        assert_eq!(t[5].value(), "a\"b");
        assert_eq!(t[6].value(), "open");
        for tok in &t {
            assert_eq!(&src[tok.span.start..tok.span.end], tok.text);
        }
    }
}
