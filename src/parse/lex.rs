//! Tokens: whitespace and comments, words, punctuation, strings, numbers, dates; and the
//! parser's internal error type.

use super::err::ParseError;
use super::lexicon::{is_keyword, MAX_NESTING};
use crate::ast::{DurationLit, DurationUnit, Literal, Magnitude, NumberLit};
use crate::span::{Span, Spanned};
use crate::time::{Date, Instant};
use nom::{Err as NomErr, IResult, Input};
use nom_locate::LocatedSpan;
use rust_decimal::Decimal;

pub(super) type In<'a> = LocatedSpan<&'a str>;
pub(super) type PResult<'a, O> = IResult<In<'a>, O, PErr>;

/// Something the grammar allows at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Exp {
    /// A keyword, shown in backticks.
    Kw(&'static str),
    /// Punctuation, shown in backticks.
    Punct(&'static str),
    /// A kind of token, shown as written ("a string").
    Thing(&'static str),
}

impl Exp {
    fn show(self) -> String {
        match self {
            Exp::Kw(s) | Exp::Punct(s) => format!("`{s}`"),
            Exp::Thing(s) => s.to_string(),
        }
    }
}

/// Errors that say more than "expected X".
#[derive(Clone, Debug)]
pub(super) enum Special {
    UnknownItem {
        word: String,
        end: usize,
        help: String,
    },
    Reserved {
        word: String,
        end: usize,
    },
    Unterminated,
    Escape {
        text: String,
        end: usize,
    },
    Number {
        text: String,
        end: usize,
        help: &'static str,
    },
    Date {
        text: String,
        end: usize,
    },
    Unsupported(String, usize),
    TooDeep,
}

/// The parser's error: the furthest offset reached and what was expected there.
#[derive(Clone, Debug)]
pub(super) struct PErr {
    pub offset: usize,
    pub expected: ExpList,
    pub special: Option<Special>,
}

/// What a parser expected: one item inline (the common case: no allocation when an
/// alternative fails), more in a vector.
#[derive(Clone, Debug, Default)]
pub(super) struct ExpList {
    first: Option<Exp>,
    rest: Vec<Exp>,
}

impl ExpList {
    pub fn push(&mut self, e: Exp) {
        if self.first.is_none() {
            self.first = Some(e);
        } else {
            self.rest.push(e);
        }
    }

    pub fn extend(&mut self, other: ExpList) {
        for e in other.into_iter() {
            self.push(e);
        }
    }

    pub fn into_iter(self) -> impl Iterator<Item = Exp> {
        self.first.into_iter().chain(self.rest)
    }
}

impl FromIterator<Exp> for ExpList {
    fn from_iter<I: IntoIterator<Item = Exp>>(iter: I) -> ExpList {
        let mut list = ExpList::default();
        for e in iter {
            list.push(e);
        }
        list
    }
}

impl PErr {
    pub fn expected(offset: usize, e: Exp) -> PErr {
        PErr {
            offset,
            expected: ExpList {
                first: Some(e),
                rest: Vec::new(),
            },
            special: None,
        }
    }

    pub fn special(offset: usize, s: Special) -> PErr {
        PErr {
            offset,
            expected: ExpList::default(),
            special: Some(s),
        }
    }

    /// Merges two alternatives' errors: the one that got further wins; at the same offset
    /// their expectations are united.
    pub fn or(self, other: PErr) -> PErr {
        match self.offset.cmp(&other.offset) {
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Equal => {
                let mut merged = self;
                if merged.special.is_none() {
                    merged.special = other.special;
                }
                merged.expected.extend(other.expected);
                merged
            }
        }
    }

    /// Converts to the public error, with spans and a description of what was found.
    pub fn into_parse_error(self, src: &str) -> ParseError {
        let at = self.offset.min(src.len());
        let span = |end: usize| -> miette::SourceSpan { (at, end.saturating_sub(at)).into() };
        match self.special {
            Some(Special::UnknownItem { word, end, help }) => ParseError::UnknownItem {
                word,
                span: span(end),
                help,
            },
            Some(Special::Reserved { word, end }) => ParseError::ReservedKeyword {
                word,
                span: span(end),
            },
            Some(Special::Unterminated) => ParseError::UnterminatedString {
                span: span(at.saturating_add(1)),
            },
            Some(Special::Escape { text, end }) => ParseError::InvalidEscape {
                escape: text,
                span: span(end),
            },
            Some(Special::Number { text, end, help }) => ParseError::InvalidNumber {
                text,
                span: span(end),
                help: help.to_string(),
            },
            Some(Special::Date { text, end }) => ParseError::InvalidDate {
                text,
                span: span(end),
            },
            Some(Special::Unsupported(word, end)) => ParseError::Unsupported {
                word,
                span: span(end),
            },
            Some(Special::TooDeep) => ParseError::TooDeep {
                limit: MAX_NESTING,
                span: span(at.saturating_add(1)),
            },
            None => {
                let mut seen: Vec<Exp> = Vec::new();
                for e in self.expected.into_iter() {
                    if !seen.contains(&e) {
                        seen.push(e);
                    }
                }
                let shown: Vec<String> = seen.iter().map(|e| e.show()).collect();
                let expected = join_alternatives(&shown);
                let (found, len) = describe_token(src, at);
                let help = if at >= src.len() && seen.contains(&Exp::Punct("}")) {
                    Some("every `{` needs a matching `}`".to_string())
                } else if seen
                    .iter()
                    .any(|e| matches!(e, Exp::Thing(t) if t.starts_with("a duration")))
                {
                    Some("durations are a number and a unit: `30 days`, `72h`, `15 minutes`, `2 weeks`".to_string())
                } else if seen.contains(&Exp::Thing("a value")) && found.starts_with('`') {
                    Some("symbols are tested with `is` or `in`, e.g. `cause is external_hack`; text values need double quotes".to_string())
                } else {
                    None
                };
                ParseError::Syntax {
                    expected,
                    found,
                    span: (at, len).into(),
                    help,
                }
            }
        }
    }
}

impl nom::error::ParseError<In<'_>> for PErr {
    fn from_error_kind(input: In<'_>, _kind: nom::error::ErrorKind) -> Self {
        PErr {
            offset: off(&input),
            expected: ExpList::default(),
            special: None,
        }
    }

    fn append(_input: In<'_>, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        PErr::or(self, other)
    }
}

fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// A short description of the token at `at`, and its length in bytes.
fn describe_token(src: &str, at: usize) -> (String, usize) {
    let rest = src.get(at..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of input".to_string(), 0);
    };
    if c == '"' {
        let len = rest
            .get(1..)
            .and_then(|r| r.find(['"', '\n']))
            .map_or(rest.len(), |p| p.saturating_add(2));
        return ("a string".to_string(), len.min(rest.len()));
    }
    if c.is_ascii_alphanumeric() || c == '_' {
        let len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
            .unwrap_or(rest.len());
        let tok = rest.get(..len).unwrap_or("");
        return (format!("`{tok}`"), len);
    }
    if c == '\n' {
        return ("end of line".to_string(), 1);
    }
    (format!("`{c}`"), c.len_utf8())
}

pub(super) fn off(i: &In) -> usize {
    i.location_offset()
}

/// Splits off the first `n` bytes: (rest, taken). Fails instead of panicking when `n` is
/// not a character boundary inside the input.
pub(super) fn split(i: In, n: usize) -> PResult<In> {
    let s = i.fragment();
    if n > s.len() || !s.is_char_boundary(n) {
        return Err(NomErr::Error(PErr::expected(
            off(&i),
            Exp::Thing("a token"),
        )));
    }
    Ok(i.take_split(n))
}

/// Skips whitespace and `#` comments.
pub(super) fn ws(i: In) -> PResult<()> {
    let s = i.fragment();
    let n = blank_len(s);
    if n == 0 {
        return Ok((i, ()));
    }
    let (rest, _) = split(i, n)?;
    Ok((rest, ()))
}

/// The length of the whitespace and `#` comments at the start of `s`: ASCII whitespace
/// byte by byte, any other character by its Unicode class.
fn blank_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 0usize;
    loop {
        match b.get(n) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => n = n.saturating_add(1),
            Some(b'#') => {
                let comment = b.get(n..).unwrap_or(&[]);
                n = n.saturating_add(memchr::memchr(b'\n', comment).unwrap_or(comment.len()));
            }
            Some(c) if *c >= 0x80 => match s.get(n..).and_then(|r| r.chars().next()) {
                Some(c) if c.is_whitespace() => n = n.saturating_add(c.len_utf8()),
                _ => return n,
            },
            _ => return n,
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `[A-Za-z_][A-Za-z0-9_]*`, without skipping whitespace.
pub(super) fn word(i: In) -> PResult<In> {
    match word_len(i.fragment()) {
        0 => Err(NomErr::Error(PErr::expected(off(&i), Exp::Thing("a word")))),
        n => split(i, n),
    }
}

/// The length of the word at the start of `s`; 0 when none starts there.
fn word_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return 0;
    }
    b.iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        .unwrap_or(b.len())
}

/// The input's text after its leading whitespace and comments, and the offset where that
/// text starts: lets a token be recognised before anything is split off.
fn after_blank<'a>(i: &In<'a>) -> (&'a str, usize, usize) {
    let s: &'a str = i.fragment();
    let blank = blank_len(s);
    (
        s.get(blank..).unwrap_or(""),
        blank,
        off(i).saturating_add(blank),
    )
}

/// The word at `i` (which starts after whitespace) and the input after it; `None` when no
/// word starts there. Lets a parser choose among keywords reading the word once.
pub(super) fn peek_word<'a>(i: &In<'a>) -> Option<(&'a str, In<'a>)> {
    word(*i).ok().map(|(rest, w)| (*w.fragment(), rest))
}

/// A keyword.
pub(super) fn kw<'a>(k: &'static str) -> impl Fn(In<'a>) -> PResult<'a, Span> {
    move |i| {
        let (text, blank, start) = after_blank(&i);
        if word_len(text) == k.len() && text.starts_with(k) {
            let (rest, _) = split(i, blank.saturating_add(k.len()))?;
            Ok((rest, Span::new(start, off(&rest))))
        } else {
            Err(NomErr::Error(PErr::expected(start, Exp::Kw(k))))
        }
    }
}

/// One of several keywords; returns which.
pub(super) fn one_of_keywords<'a>(
    ks: &'static [&'static str],
) -> impl Fn(In<'a>) -> PResult<'a, (&'static str, Span)> {
    move |i| {
        let (text, blank, start) = after_blank(&i);
        let w = text.get(..word_len(text)).unwrap_or("");
        if let Some(k) = ks.iter().find(|k| **k == w) {
            let (rest, _) = split(i, blank.saturating_add(k.len()))?;
            return Ok((rest, (*k, Span::new(start, off(&rest)))));
        }
        Err(NomErr::Error(PErr {
            offset: start,
            expected: ks.iter().map(|k| Exp::Kw(k)).collect(),
            special: None,
        }))
    }
}

/// Punctuation.
pub(super) fn punct<'a>(p: &'static str) -> impl Fn(In<'a>) -> PResult<'a, Span> {
    move |i| {
        let (text, blank, start) = after_blank(&i);
        if text.starts_with(p) {
            let (rest, _) = split(i, blank.saturating_add(p.len()))?;
            Ok((rest, Span::new(start, off(&rest))))
        } else {
            Err(NomErr::Error(PErr::expected(start, Exp::Punct(p))))
        }
    }
}

/// Turns a recoverable error into a failure: no other alternative is tried.
pub(super) fn cut<'a, O>(
    mut p: impl FnMut(In<'a>) -> PResult<'a, O>,
) -> impl FnMut(In<'a>) -> PResult<'a, O> {
    move |i| {
        p(i).map_err(|e| match e {
            NomErr::Error(x) => NomErr::Failure(x),
            other => other,
        })
    }
}

/// Maps a parser's output.
pub(super) fn map<'a, O, P>(
    mut p: impl FnMut(In<'a>) -> PResult<'a, O>,
    f: impl Fn(O) -> P,
) -> impl FnMut(In<'a>) -> PResult<'a, P> {
    move |i| p(i).map(|(rest, o)| (rest, f(o)))
}

/// A name that is not a keyword.
pub(super) fn ident_labelled(i: In, what: Exp) -> PResult<Spanned<String>> {
    let (text, blank, start) = after_blank(&i);
    let n = word_len(text);
    let w = text.get(..n).unwrap_or("");
    let end = start.saturating_add(n);
    if n == 0 {
        return Err(NomErr::Error(PErr::expected(start, what)));
    }
    if is_keyword(w) {
        return Err(NomErr::Error(PErr::special(
            start,
            Special::Reserved {
                word: w.to_string(),
                end,
            },
        )));
    }
    let (rest, _) = split(i, blank.saturating_add(n))?;
    Ok((rest, Spanned::new(w.to_string(), Span::new(start, end))))
}

/// A name that is not a keyword.
pub(super) fn ident(i: In) -> PResult<Spanned<String>> {
    ident_labelled(i, Exp::Thing("a name"))
}

/// A currency code: three capital letters.
pub(super) fn currency_code(i: In) -> PResult<Spanned<String>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let what = Exp::Thing("a currency code such as `USD`");
    let (rest, w) = word(i).map_err(|_| NomErr::Error(PErr::expected(start, what)))?;
    let text = *w.fragment();
    if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(NomErr::Error(PErr::expected(start, what)));
    }
    Ok((
        rest,
        Spanned::new(text.to_string(), Span::new(start, off(&rest))),
    ))
}

/// A double-quoted string with escapes `\"` `\\` `\n` `\t`.
pub(super) fn string_lit(i: In) -> PResult<Spanned<String>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let s = *i.fragment();
    if !s.starts_with('"') {
        return Err(NomErr::Error(PErr::expected(start, Exp::Thing("a string"))));
    }
    let mut out = String::new();
    // INVARIANT: `at` is a character boundary of `s` after the opening quote.
    let mut at = 1usize;
    loop {
        let run = s.get(at..).unwrap_or("");
        let Some(k) = memchr::memchr3(b'"', b'\\', b'\n', run.as_bytes()) else {
            break;
        };
        out.push_str(run.get(..k).unwrap_or(""));
        let idx = at.saturating_add(k);
        let after = run.get(k.saturating_add(1)..).unwrap_or("");
        match run.as_bytes().get(k) {
            Some(b'"') => {
                let (rest, _) = split(i, idx.saturating_add(1))?;
                return Ok((rest, Spanned::new(out, Span::new(start, off(&rest)))));
            }
            Some(b'\\') => match after.chars().next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\n' | '\r') | None => break,
                Some(other) => {
                    let esc_start = start.saturating_add(idx);
                    return Err(NomErr::Failure(PErr::special(
                        esc_start,
                        Special::Escape {
                            text: format!("\\{other}"),
                            end: esc_start.saturating_add(1).saturating_add(other.len_utf8()),
                        },
                    )));
                }
            },
            _ => break,
        }
        at = idx.saturating_add(2);
    }
    Err(NomErr::Failure(PErr::special(start, Special::Unterminated)))
}

/// Digits with `_` separators and an optional fraction, without suffix or whitespace.
fn number_raw(i: In) -> PResult<Spanned<Decimal>> {
    let start = off(&i);
    let s = *i.fragment();
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return Err(NomErr::Error(PErr::expected(start, Exp::Thing("a number"))));
    }
    let mut n = 0usize;
    while b.get(n).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        n = n.saturating_add(1);
    }
    if b.get(n) == Some(&b'.') && b.get(n.saturating_add(1)).is_some_and(u8::is_ascii_digit) {
        n = n.saturating_add(1);
        while b.get(n).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            n = n.saturating_add(1);
        }
    }
    let text = s.get(..n).unwrap_or("");
    let end = start.saturating_add(n);
    let value = digits_value(text).ok_or_else(|| {
        NomErr::Failure(PErr::special(
            start,
            Special::Number {
                text: text.to_string(),
                end,
                help: "numbers have at most 28 significant digits",
            },
        ))
    })?;
    let (rest, _) = split(i, n)?;
    Ok((rest, Spanned::new(value, Span::new(start, end))))
}

/// The value of `digits[.digits]` with `_` separators, as `Decimal::from_str` reads it
/// without the separators; `None` when it does not fit a `Decimal`.
pub(super) fn digits_value(text: &str) -> Option<Decimal> {
    let mut mantissa: u64 = 0;
    let mut scale = 0u32;
    let mut fraction = false;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => {
                // INVARIANT: below 10^18 before this digit, so below 10^19 < 2^64 after it.
                if mantissa >= 1_000_000_000_000_000_000 || scale >= 28 {
                    return digits_value_slow(text);
                }
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b & 0x0f));
                scale = scale.wrapping_add(u32::from(fraction));
            }
            b'.' => fraction = true,
            _ => {}
        }
    }
    Decimal::try_from_i128_with_scale(i128::from(mantissa), scale).ok()
}

/// [`digits_value`] for numbers of more than 18 significant digits.
/// A number with more digits than a `Decimal` holds exactly (28) is `None`, not rounded:
/// an error must quote the number as written.
fn digits_value_slow(text: &str) -> Option<Decimal> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    Decimal::from_str_exact(&cleaned).ok()
}

/// [`number_raw`], reporting a plain failure as "expected `what`" at the number's start.
fn number_as(i: In, what: Exp) -> PResult<Spanned<Decimal>> {
    let start = off(&i);
    number_raw(i).map_err(|e| {
        e.map(|p| {
            if p.special.is_some() {
                p
            } else {
                PErr::expected(start, what)
            }
        })
    })
}

const AMOUNT_HELP: &str = "amounts are written like `250k`, `10M`, `1.2B` or `1_000_000`";

/// Fails when a number runs straight into letters, `.` or `%` it cannot take.
fn no_junk<'a>(
    rest: In<'a>,
    start: usize,
    src_from_start: &str,
    help: &'static str,
) -> PResult<'a, ()> {
    let next = rest.fragment().chars().next();
    if next.is_some_and(|c| is_word_char(c) || c == '.' || c == '%') {
        let len = src_from_start
            .find(|c: char| !(is_word_char(c) || c == '.' || c == '%'))
            .unwrap_or(src_from_start.len());
        let text = src_from_start.get(..len).unwrap_or("").to_string();
        return Err(NomErr::Failure(PErr::special(
            start,
            Special::Number {
                text,
                end: start.saturating_add(len),
                help,
            },
        )));
    }
    Ok((rest, ()))
}

fn magnitude(i: In) -> PResult<Magnitude> {
    let s = i.fragment();
    let mut chars = s.chars();
    let m = match chars.next() {
        Some('k') => Magnitude::Thousand,
        Some('M') => Magnitude::Million,
        Some('B') => Magnitude::Billion,
        _ => return Ok((i, Magnitude::One)),
    };
    if chars.next().is_some_and(is_word_char) {
        return Ok((i, Magnitude::One));
    }
    let (rest, _) = split(i, 1)?;
    Ok((rest, m))
}

/// An amount: a number with an optional magnitude suffix.
pub(super) fn amount(i: In) -> PResult<Spanned<NumberLit>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let whole = *i.fragment();
    let (rest, n) = number_as(i, Exp::Thing("an amount"))?;
    let (rest, m) = magnitude(rest)?;
    let (rest, _) = no_junk(rest, start, whole, AMOUNT_HELP)?;
    Ok((
        rest,
        Spanned::new(
            NumberLit {
                mantissa: n.node,
                magnitude: m,
            },
            Span::new(start, off(&rest)),
        ),
    ))
}

/// A percentage: a number directly followed by `%`; returns the number (`30` for `30%`).
pub(super) fn percent(i: In) -> PResult<Spanned<Decimal>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let what = Exp::Thing("a percentage such as `30%`");
    let (rest, n) = number_as(i, what)?;
    if !rest.fragment().starts_with('%') {
        return Err(NomErr::Error(PErr::expected(start, what)));
    }
    let (rest, _) = split(rest, 1)?;
    Ok((rest, Spanned::new(n.node, Span::new(start, off(&rest)))))
}

/// A whole number that fits a `u32`.
pub(super) fn count_lit(i: In) -> PResult<Spanned<u32>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let whole = *i.fragment();
    let (rest, n) = number_as(i, Exp::Thing("a whole number"))?;
    let help = "a count is a whole number such as `2`";
    let (rest, _) = no_junk(rest, start, whole, help)?;
    let end = off(&rest);
    let text = whole
        .get(..end.saturating_sub(start))
        .unwrap_or("")
        .to_string();
    let bad = || {
        NomErr::Failure(PErr::special(
            start,
            Special::Number {
                text: text.clone(),
                end,
                help,
            },
        ))
    };
    if !n.node.fract().is_zero() {
        return Err(bad());
    }
    let v = u32::try_from(n.node.normalize().mantissa()).map_err(|_| bad())?;
    Ok((rest, Spanned::new(v, Span::new(start, end))))
}

/// A unit word after a number, directly (`30d`) or after spaces (`30 days`).
pub(super) fn duration_unit(i: In) -> PResult<DurationUnit> {
    let s = i.fragment();
    let n = s.find(|c: char| c != ' ' && c != '\t').unwrap_or(s.len());
    let (j, _) = split(i, n)?;
    let (rest, w) = word(j)?;
    match DurationUnit::from_word(w.fragment()) {
        Some(u) => Ok((rest, u)),
        None => Err(NomErr::Error(PErr::expected(off(&j), Exp::Thing("a unit")))),
    }
}

/// A duration: a number and a unit.
pub(super) fn duration(i: In) -> PResult<Spanned<DurationLit>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let what = Exp::Thing("a duration such as `30 days`");
    let (rest, n) = number_as(i, what)?;
    let (rest, unit) =
        duration_unit(rest).map_err(|_| NomErr::Error(PErr::expected(start, what)))?;
    Ok((
        rest,
        Spanned::new(
            DurationLit {
                amount: n.node,
                unit,
            },
            Span::new(start, off(&rest)),
        ),
    ))
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 5 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-')
}

/// The run of characters a date or instant may contain.
fn date_run(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '+'))
        .unwrap_or(s.len())
}

/// A date `YYYY-MM-DD`.
pub(super) fn date(i: In) -> PResult<Spanned<Date>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let s = *i.fragment();
    if !looks_like_date(s) {
        return Err(NomErr::Error(PErr::expected(
            start,
            Exp::Thing("a date such as `2026-01-01`"),
        )));
    }
    let n = date_run(s);
    let text = s.get(..n).unwrap_or("");
    match Date::parse(text) {
        Some(d) => {
            let (rest, _) = split(i, n)?;
            Ok((rest, Spanned::new(d, Span::new(start, off(&rest)))))
        }
        None => Err(NomErr::Failure(PErr::special(
            start,
            Special::Date {
                text: text.to_string(),
                end: start.saturating_add(n),
            },
        ))),
    }
}

/// A value in a condition or attribute default.
pub(super) fn literal(i: In) -> PResult<Spanned<Literal>> {
    let (i, _) = ws(i)?;
    let start = off(&i);
    let s = *i.fragment();
    if looks_like_date(s) {
        let n = date_run(s);
        let text = s.get(..n).unwrap_or("");
        let lit = if n == 10 {
            Date::parse(text).map(Literal::Date)
        } else {
            Instant::parse(text).map(Literal::Instant)
        };
        return match lit {
            Some(l) => {
                let (rest, _) = split(i, n)?;
                Ok((rest, Spanned::new(l, Span::new(start, off(&rest)))))
            }
            None => Err(NomErr::Failure(PErr::special(
                start,
                Special::Date {
                    text: text.to_string(),
                    end: start.saturating_add(n),
                },
            ))),
        };
    }
    if s.starts_with('"') {
        let (rest, st) = string_lit(i)?;
        return Ok((rest, Spanned::new(Literal::String(st.node), st.span)));
    }
    if let Ok((rest, w)) = word(i) {
        let lit = match *w.fragment() {
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            _ => {
                return Err(NomErr::Error(PErr::expected(start, Exp::Thing("a value"))));
            }
        };
        return Ok((rest, Spanned::new(lit, Span::new(start, off(&rest)))));
    }
    let (rest, n) = number_as(i, Exp::Thing("a value"))?;
    let help = "values are numbers (`2`, `250k`), percentages (`30%`), durations (`30 days`), dates, strings, `true` or `false`";
    if rest.fragment().starts_with('%') {
        let (rest, _) = split(rest, 1)?;
        let (rest, _) = no_junk(rest, start, s, help)?;
        return Ok((
            rest,
            Spanned::new(Literal::Percent(n.node), Span::new(start, off(&rest))),
        ));
    }
    if let Ok((after, unit)) = duration_unit(rest) {
        let (after, _) = no_junk(after, start, s, help)?;
        let lit = Literal::Duration(DurationLit {
            amount: n.node,
            unit,
        });
        return Ok((after, Spanned::new(lit, Span::new(start, off(&after)))));
    }
    let (rest, m) = magnitude(rest)?;
    let (rest, _) = no_junk(rest, start, s, help)?;
    let lit = Literal::Number(NumberLit {
        mantissa: n.node,
        magnitude: m,
    });
    Ok((rest, Spanned::new(lit, Span::new(start, off(&rest)))))
}
