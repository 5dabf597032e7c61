//! Named things and where they are written: the definitions and references that "go to
//! definition" and "find references" follow. Read from tokens, so they work on text that
//! does not parse yet.
//!
//! | kind | defined by | referred to by |
//! |---|---|---|
//! | attribute | `attribute NAME:` | a field in a condition, `with NAME =` |
//! | layer | `layer "NAME" L xs A` | `expect layer "NAME" paid` |
//! | carrier | `carrier "NAME" P%`, `reinsurer "NAME" P%` | `cedent "NAME"`, `expect carrier "NAME" paid` |
//! | treaty | `treaty "NAME"` | `inures after "NAME", …` |
//! | program (portfolio) | `program "KEY" "PATH"` | `uses "KEY"` |
//! | vendor | `vendor "NAME" {` (portfolio) | `vendor "NAME"` in a vendor peril |
//!
//! A carrier is written wherever it takes a share; every share site counts as a definition.

use super::tokens::{tokens, Token, TokenKind};
use crate::span::Span;

/// What kind of thing a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// An event attribute.
    Attribute,
    /// A layer of the tower.
    Layer,
    /// A carrier or reinsurer.
    Carrier,
    /// A reinsurance treaty.
    Treaty,
    /// A program of a portfolio, by its key.
    Program,
    /// The file of a portfolio's program (the `PATH` of `program "KEY" "PATH"`).
    ProgramFile,
    /// A vendor of a portfolio.
    Vendor,
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// What it names.
    pub kind: NameKind,
    /// The name (a string's value, without quotes).
    pub name: String,
    /// The name's token (quotes included).
    pub span: Span,
    /// Whether this site defines the name.
    pub definition: bool,
}

/// Words after which a condition expects a field.
const FIELD_BEFORE: &[&str] = &["when", "and", "or", "event", "with"];

/// Every name site of `src`, in written order.
///
/// ```
/// use specie::ide::names::{sites, NameKind};
/// let s = sites(r#"program "P" { attribute staff: count
///   exclude "Collusion" when staff >= 2
///   layer "Primary" 10M xs 0 { carrier "A" 100% } }"#);
/// let names: Vec<(NameKind, &str, bool)> =
///     s.iter().map(|s| (s.kind, s.name.as_str(), s.definition)).collect();
/// assert_eq!(names, [(NameKind::Attribute, "staff", true), (NameKind::Attribute, "staff", false),
///     (NameKind::Layer, "Primary", true), (NameKind::Carrier, "A", true)]);
/// ```
pub fn sites(src: &str) -> Vec<Site> {
    sites_in(&tokens(src))
}

/// The name sites of tokens already read (comments among them are skipped).
pub(crate) fn sites_in(all: &[Token<'_>]) -> Vec<Site> {
    let toks: Vec<Token<'_>> = all
        .iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .copied()
        .collect();
    let attributes: Vec<&str> = toks
        .windows(2)
        .filter_map(|w| match w {
            [a, n] if a.is_word("attribute") && n.kind == TokenKind::Word => Some(n.text),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let at = |k: usize| i.checked_add(k).and_then(|j| toks.get(j));
        let Some(tok) = at(0) else { continue };
        let next = at(1);
        let str_next = next.filter(|t| t.kind == TokenKind::Str);
        let site = |kind, t: &Token<'_>, definition| Site {
            kind,
            name: t.value(),
            span: t.span,
            definition,
        };
        match tok.text {
            "attribute" if tok.kind == TokenKind::Word => {
                if let Some(n) = next.filter(|t| t.kind == TokenKind::Word) {
                    out.push(site(NameKind::Attribute, n, true));
                }
            }
            "layer" | "carrier" => {
                if let Some(n) = str_next {
                    let kind = if tok.text == "layer" {
                        NameKind::Layer
                    } else {
                        NameKind::Carrier
                    };
                    let paid = at(2).is_some_and(|t| t.is_word("paid"));
                    out.push(site(kind, n, !paid));
                }
            }
            "reinsurer" | "cedent" => {
                if let Some(n) = str_next {
                    out.push(site(NameKind::Carrier, n, tok.text == "reinsurer"));
                }
            }
            "treaty" => {
                if let Some(n) = str_next {
                    out.push(site(NameKind::Treaty, n, true));
                }
            }
            "inures" if next.is_some_and(|t| t.is_word("after")) => {
                inures_after(&toks, i.saturating_add(2), &mut out);
            }
            "program" => {
                if let (Some(key), Some(path)) = (str_next, at(2)) {
                    if path.kind == TokenKind::Str {
                        out.push(site(NameKind::Program, key, true));
                        out.push(site(NameKind::ProgramFile, path, true));
                    }
                }
            }
            "uses" => {
                if let Some(n) = str_next {
                    out.push(site(NameKind::Program, n, false));
                }
            }
            "vendor" => {
                if let Some(n) = str_next {
                    let block = at(2).is_some_and(|t| t.is_punct("{"));
                    out.push(site(NameKind::Vendor, n, block));
                }
            }
            _ if tok.kind == TokenKind::Word
                && attributes.contains(&tok.text)
                && in_field_position(&toks, i) =>
            {
                out.push(site(NameKind::Attribute, tok, false));
            }
            _ => {}
        }
    }
    out
}

/// The treaty names of an `inures after` list starting at token `i`.
fn inures_after(toks: &[Token<'_>], mut i: usize, out: &mut Vec<Site>) {
    while let Some(t) = toks.get(i).filter(|t| t.kind == TokenKind::Str) {
        out.push(Site {
            kind: NameKind::Treaty,
            name: t.value(),
            span: t.span,
            definition: false,
        });
        if !toks
            .get(i.saturating_add(1))
            .is_some_and(|t| t.is_punct(","))
        {
            break;
        }
        i = i.saturating_add(2);
    }
}

/// Whether token `i` stands where a condition (or a `with`) names a field.
fn in_field_position(toks: &[Token<'_>], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).and_then(|j| toks.get(j)) else {
        return false;
    };
    if prev.kind == TokenKind::Punct {
        return prev.text == "(";
    }
    if prev.text == "not" {
        // `is not SYMBOL` names a value; `not FIELD` negates a test.
        let before = i.checked_sub(2).and_then(|j| toks.get(j));
        return !before.is_some_and(|t| t.is_word("is"));
    }
    FIELD_BEFORE.contains(&prev.text)
}

/// The site whose name token holds byte `offset` (its end included, where a cursor
/// stands after typing).
pub fn site_at(sites: &[Site], offset: usize) -> Option<&Site> {
    sites
        .iter()
        .find(|s| s.span.start <= offset && offset <= s.span.end)
}

/// The definitions of the thing named at `offset`, in written order.
pub fn definitions(src: &str, offset: usize) -> Vec<Site> {
    let all = sites(src);
    let Some(here) = site_at(&all, offset) else {
        return Vec::new();
    };
    let (kind, name) = (here.kind, here.name.clone());
    all.into_iter()
        .filter(|s| s.kind == kind && s.name == name && s.definition)
        .collect()
}

/// Every site (definitions too when `declarations`) of the thing named at `offset`.
pub fn references(src: &str, offset: usize, declarations: bool) -> Vec<Site> {
    let all = sites(src);
    let Some(here) = site_at(&all, offset) else {
        return Vec::new();
    };
    let (kind, name) = (here.kind, here.name.clone());
    all.into_iter()
        .filter(|s| s.kind == kind && s.name == name && (declarations || !s.definition))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = r#"program "P" {
  attribute staff: count = 0
  attribute late: flag
  exclude "Collusion" when cause is insider_theft and staff >= 2
  exclude "Late" when not late or (late and tier is not hot)
  layer "Primary" 10M xs 0 { carrier "A" 60% carrier "B" 40% }
  layer "Excess" 10M xs 10M { carrier "A" 100% }
  treaty "QS" quota share 50% { cedent "A" reinsurer "R" 100% }
  treaty "XL" 1M xs 1M per occurrence { cedent "A" reinsurer "R" 100% inures after "QS" }
  check "c" { event tier is hot with staff = 1 expect layer "Primary" paid <= 1M expect carrier "A" paid <= 1M }
}"#;

    fn spots(kind: NameKind, name: &str) -> Vec<(bool, &'static str)> {
        sites(PROGRAM)
            .into_iter()
            .filter(|s| s.kind == kind && s.name == name)
            .map(|s| {
                let line = PROGRAM[..s.span.start].matches('\n').count();
                (
                    s.definition,
                    PROGRAM
                        .lines()
                        .nth(line)
                        .unwrap()
                        .trim()
                        .split(' ')
                        .next()
                        .unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn attributes_are_found_in_field_positions_only() {
        // `staff`: its declaration, the condition and the check's `with`; `late` after
        // `not`, after `(`, not the `hot` after `is not`.
        assert_eq!(
            spots(NameKind::Attribute, "staff"),
            [(true, "attribute"), (false, "exclude"), (false, "check")]
        );
        assert_eq!(
            spots(NameKind::Attribute, "late"),
            [(true, "attribute"), (false, "exclude"), (false, "exclude")]
        );
    }

    #[test]
    fn carriers_layers_and_treaties() {
        assert_eq!(
            spots(NameKind::Carrier, "A"),
            [
                (true, "layer"),
                (true, "layer"),
                (false, "treaty"),
                (false, "treaty"),
                (false, "check")
            ]
        );
        assert_eq!(
            spots(NameKind::Layer, "Primary"),
            [(true, "layer"), (false, "check")]
        );
        assert_eq!(
            spots(NameKind::Treaty, "QS"),
            [(true, "treaty"), (false, "treaty")]
        );
        let at = PROGRAM.find("after \"QS\"").unwrap() + 7;
        let defs = definitions(PROGRAM, at);
        assert_eq!(defs.len(), 1);
        assert_eq!(&PROGRAM[defs[0].span.start..defs[0].span.end], "\"QS\"");
        assert_eq!(references(PROGRAM, at, false).len(), 1);
        assert_eq!(references(PROGRAM, at, true).len(), 2);
    }

    #[test]
    fn portfolio_programs_and_vendors() {
        let src = r#"portfolio "B" { program "acme" "acme.specie"
  vendor "safe" { uses "acme" hot 60% } }"#;
        let s = sites(src);
        let got: Vec<(NameKind, &str, bool)> = s
            .iter()
            .map(|s| (s.kind, s.name.as_str(), s.definition))
            .collect();
        assert_eq!(
            got,
            [
                (NameKind::Program, "acme", true),
                (NameKind::ProgramFile, "acme.specie", true),
                (NameKind::Vendor, "safe", true),
                (NameKind::Program, "acme", false)
            ]
        );
    }
}
