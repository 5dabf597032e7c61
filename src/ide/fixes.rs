//! Quick fixes for diagnostics: the "did you mean" suggestion put in place, and `allow
//! CODE` for a finding of the tower analysis.

use super::tokens::{tokens, Token, TokenKind};
use crate::span::Span;
use crate::vocabulary::FINDING_CODES;

/// One fix: a title and the edits that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as shown in the editor.
    pub title: String,
    /// Byte ranges of `src` and their replacement text.
    pub edits: Vec<(Span, String)>,
    /// Whether it is the fix an editor may apply on its own.
    pub preferred: bool,
}

/// The fixes for a diagnostic of `src` with `code`, `help` and `span`.
///
/// ```
/// let src = "program \"P\" {\n  sublimt \"x\" 1M aggregate\n}\n";
/// let at = src.find("sublimt").unwrap();
/// let span = specie::span::Span::new(at, at + 7);
/// let fixes = specie::ide::fixes(src, "specie::parse::unknown_item", Some("did you mean `sublimit`?"), span);
/// assert_eq!(fixes[0].edits, vec![(span, "sublimit".to_string())]);
/// ```
pub fn fixes(src: &str, code: &str, help: Option<&str>, span: Span) -> Vec<Fix> {
    let mut out = Vec::new();
    if let Some(s) = help.and_then(suggestion) {
        if let Some(fix) = replace(src, span, s) {
            out.push(fix);
        }
    }
    if FINDING_CODES.contains(&code) {
        if let Some(fix) = allow(src, code) {
            out.push(fix);
        }
    }
    out
}

/// `X` of a help text saying "did you mean `X`?".
fn suggestion(help: &str) -> Option<&str> {
    let after = help.split("did you mean `").nth(1)?;
    let (s, _) = after.split_once('`')?;
    (!s.is_empty()).then_some(s)
}

/// The misspelled name at `span` replaced by `with`: the span's one token, or the one
/// string inside it (`carrier "Northgate Speciality" paid`), quoted when it is a string.
fn replace(src: &str, span: Span, with: &str) -> Option<Fix> {
    let text = src.get(span.start..span.end)?;
    let toks: Vec<Token<'_>> = tokens(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .collect();
    let strings: Vec<&Token<'_>> = toks.iter().filter(|t| t.kind == TokenKind::Str).collect();
    let target = match (toks.as_slice(), strings.as_slice()) {
        ([one], _) => one,
        (_, [one]) => *one,
        _ => return None,
    };
    let old = target.text;
    let new = if target.kind == TokenKind::Str {
        let mut q = String::new();
        crate::format::string(&mut q, with);
        q
    } else {
        with.to_string()
    };
    if new == old {
        return None;
    }
    let at = Span::new(
        span.start.checked_add(target.span.start)?,
        span.start.checked_add(target.span.end)?,
    );
    Some(Fix {
        title: format!("replace `{old}` with `{new}`"),
        edits: vec![(at, new)],
        preferred: true,
    })
}

/// `allow CODE` as the program's last item (before its closing brace).
fn allow(src: &str, code: &str) -> Option<Fix> {
    let close = src.rfind('}')?;
    let line_start = src
        .get(..close)?
        .rfind('\n')
        .map_or(0, |i| i.saturating_add(1));
    let own_line = src.get(line_start..close)?.trim().is_empty();
    let (at, text) = if own_line {
        (line_start, format!("  allow {code}\n"))
    } else {
        (close, format!("\n  allow {code}\n"))
    };
    Some(Fix {
        title: format!("allow `{code}` (silence this finding)"),
        edits: vec![(Span::new(at, at), text)],
        preferred: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(src: &str, fix: &Fix) -> String {
        let mut s = src.to_string();
        for (span, text) in fix.edits.iter().rev() {
            s.replace_range(span.start..span.end, text);
        }
        s
    }

    #[test]
    fn strings_stay_quoted_and_allow_goes_last() {
        let src = "program \"P\" {\n  treaty \"B\" quota share 5% { inures after \"Q\" }\n}\n";
        let at = src.find("\"Q\"").unwrap();
        let f = fixes(
            src,
            "specie::treaty::unknown",
            Some("did you mean `QS`?"),
            Span::new(at, at + 3),
        );
        assert_eq!(apply(src, &f[0]), src.replace("\"Q\"", "\"QS\""));
        let f = fixes(src, "specie::tower::gap", None, Span::new(0, 1));
        assert_eq!(
            apply(src, &f[0]),
            "program \"P\" {\n  treaty \"B\" quota share 5% { inures after \"Q\" }\n  allow specie::tower::gap\n}\n"
        );
        // The one string inside a longer span.
        let src2 = "program \"P\" {\n  check \"c\" { expect carrier \"Nortgate\" paid <= 1M }\n}\n";
        let at = src2.find("carrier").unwrap();
        let f = fixes(
            src2,
            "specie::check::unknown_name",
            Some("did you mean `Northgate`?"),
            Span::new(at, at + 23),
        );
        assert_eq!(apply(src2, &f[0]), src2.replace("Nortgate", "Northgate"));
        // Nothing to do: no suggestion, a span over two strings, a code that is no finding.
        assert!(fixes(src, "specie::x", Some("add a layer"), Span::new(0, 7)).is_empty());
        assert!(fixes(
            src,
            "specie::x",
            Some("did you mean `a`?"),
            Span::new(0, 28)
        )
        .is_empty());
    }
}
