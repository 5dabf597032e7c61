//! A fast reader for the common shape of one JSON Lines event: an object with the known
//! keys once each, strings without escapes, decimals as strings or integers of at most
//! 18 digits, attribute values that are strings, integers, flags or null. Anything else
//! (escapes, floats, nesting, duplicate or unknown keys, recoveries, malformed text) is
//! left to serde, which reads it or names the error: the scanner returns `None`.
//!
//! INVARIANT: when [`scan_event`] returns `Some(e)`, serde reads the same text as `e`
//! (property test `scanned_events_equal_serde` and the replay fuzz target check it).

use super::Attributes;
use super::{parse_decimal, plain_decimal, DecimalValue, RawEvent, RawLine};
use rust_decimal::Decimal;
use serde_json::Value;
use std::borrow::Cow;

/// The event on `text`, when it has the common shape; `None` otherwise.
pub(crate) fn scan_event(text: &str) -> Option<RawEvent<'_>> {
    let mut ev = RawEvent::empty();
    scan_event_into(text, &mut ev).then_some(ev)
}

/// [`scan_event`] into `ev`, whose buffers (loss lines, attributes) are reused; `false`
/// when `text` does not have the common shape, and then `ev` holds whatever was read.
pub(crate) fn scan_event_into<'a>(text: &'a str, ev: &mut RawEvent<'a>) -> bool {
    let mut c = Cursor::new(text);
    c.event(ev).is_some() && c.at_end()
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is zero. A flagged byte's borrow can only flag
/// bytes above it, so the lowest flag is exact.
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The index of the first byte of `s` that `is` holds for: `flags` marks such bytes of
/// eight at a time (each one's high bit, the lowest exact), `is` tests the last few.
#[inline(always)]
fn first_flagged(s: &[u8], flags: impl Fn(u64) -> u64, is: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = s.chunks_exact(8);
    let mut at = 0usize;
    for chunk in &mut chunks {
        let f = flags(u64::from_le_bytes(chunk.try_into().ok()?));
        if f != 0 {
            return at.checked_add((f.trailing_zeros() / 8) as usize);
        }
        at = at.checked_add(8)?;
    }
    let i = chunks.remainder().iter().position(|c| is(*c))?;
    at.checked_add(i)
}

/// The index of the first byte of `s` that is a quote, a backslash or below 0x20 (JSON
/// forbids those raw in strings).
fn first_special(s: &[u8]) -> Option<usize> {
    first_flagged(
        s,
        |x| {
            let quote = zero_bytes(x ^ (ONES * u64::from(b'"')));
            let backslash = zero_bytes(x ^ (ONES * u64::from(b'\\')));
            let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
            quote | backslash | control
        },
        |c| c == b'"' || c == b'\\' || c < 0x20,
    )
}

/// The index of the first quote in `s`.
fn next_quote(s: &[u8]) -> Option<usize> {
    first_flagged(
        s,
        |x| zero_bytes(x ^ (ONES * u64::from(b'"'))),
        |c| c == b'"',
    )
}

/// Whether `s` has no backslash and no byte below 0x20 (then every string in it ends at
/// the next quote), and whether it has no space either (then, being plain, it has no
/// white space at all). Branch-free passes the compiler vectorises, instead of a test
/// per string and per token, over [`SHAPE_BLOCK`] bytes at a time: the first special byte
/// settles both answers, so a whole scenario file (line breaks between its events) is
/// not read to its end.
fn shape(s: &[u8]) -> (bool, bool) {
    let mut space = false;
    for block in s.chunks(SHAPE_BLOCK) {
        let (special, spaced) = block.iter().fold((false, false), |(special, space), b| {
            (special | (*b == b'\\') | (*b < 0x20), space | (*b == b' '))
        });
        if special {
            return (false, false);
        }
        space |= spaced;
    }
    (true, !space)
}

/// Bytes [`shape`] reads between two looks at whether it has its answer.
const SHAPE_BLOCK: usize = 256;

/// A position in the text.
pub(super) struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// The text (leading and trailing white space aside) is plain ([`shape`]).
    plain: bool,
    /// The text is plain and has no white space, not even leading or trailing: there is
    /// never any to skip.
    tight: bool,
}

/// A JSON integer of at most 18 digits: sign and magnitude.
struct Int {
    negative: bool,
    magnitude: u64,
}

/// The bits of the required keys: `id`, `cause`, `occurred` and `losses`.
const REQUIRED: u32 = 0b1_0111;

impl<'a> Cursor<'a> {
    /// The start of `text`.
    pub(super) fn new(text: &'a str) -> Cursor<'a> {
        let trimmed = text.trim_ascii();
        let (plain, no_space) = shape(trimmed.as_bytes());
        Cursor {
            s: text,
            b: text.as_bytes(),
            i: 0,
            plain,
            tight: no_space && trimmed.len() == text.len(),
        }
    }

    /// Whether only white space is left.
    pub(super) fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    /// One JSON value of any shape, read by serde.
    pub(super) fn value<T: serde::Deserialize<'a>>(&mut self) -> Option<T> {
        let rest = self.s.get(self.i..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let v = values.next()?.ok()?;
        self.i = self.i.checked_add(values.byte_offset())?;
        Some(v)
    }

    /// Moves past white space. Compact JSON has none between tokens: one test, inline.
    #[inline(always)]
    fn ws(&mut self) {
        if self.tight || self.b.get(self.i).is_some_and(|b| *b > b' ') {
            return;
        }
        self.skip_ws();
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i = self.i.saturating_add(1);
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        if self.peek()? != want {
            return None;
        }
        self.i = self.i.saturating_add(1);
        Some(())
    }

    /// `true` and moves past `word` when it comes next.
    fn word(&mut self, word: &str) -> bool {
        self.ws();
        let end = self.i.saturating_add(word.len());
        if self.b.get(self.i..end) == Some(word.as_bytes()) {
            self.i = end;
            return true;
        }
        false
    }

    /// Moves past `lit` (a quoted key) when it comes next.
    #[inline(always)]
    fn literal(&mut self, lit: &[u8]) -> bool {
        let hit = self
            .b
            .get(self.i..)
            .is_some_and(|rest| rest.starts_with(lit));
        if hit {
            self.i = self.i.saturating_add(lit.len());
        }
        hit
    }

    /// An event's key, compared in place with the one key its first letter allows:
    /// `id`, `cause`, `occurred`, `discovered`, `losses`, `attributes`, `series`, `year`
    /// give 0 to 7 (key `k` is bit `1 << k` of the keys seen, to refuse duplicates).
    /// `None` for any other key (or one written with escapes), which serde reads.
    fn event_key(&mut self) -> Option<u32> {
        self.ws();
        let k = match self.b.get(self.i.saturating_add(1))? {
            b'i' if self.literal(b"\"id\"") => 0,
            b'c' if self.literal(b"\"cause\"") => 1,
            b'o' if self.literal(b"\"occurred\"") => 2,
            b'd' if self.literal(b"\"discovered\"") => 3,
            b'l' if self.literal(b"\"losses\"") => 4,
            b'a' if self.literal(b"\"attributes\"") => 5,
            b's' if self.literal(b"\"series\"") => 6,
            b'y' if self.literal(b"\"year\"") => 7,
            _ => return None,
        };
        Some(k)
    }

    /// A loss line's key, as [`Cursor::event_key`] reads an event's: `tier`, `asset`,
    /// `amount`, `quantity` give 0 to 3.
    fn line_key(&mut self) -> Option<u32> {
        self.ws();
        let k = match self.b.get(self.i.saturating_add(1))? {
            b't' if self.literal(b"\"tier\"") => 0,
            b'a' if self.literal(b"\"asset\"") => 1,
            b'a' if self.literal(b"\"amount\"") => 2,
            b'q' if self.literal(b"\"quantity\"") => 3,
            _ => return None,
        };
        Some(k)
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..)?;
        let len = if self.plain {
            // INVARIANT: no backslash or control byte before the line's trailing white
            // space, so the next quote ends the string (or there is none: `None`).
            next_quote(rest)?
        } else {
            let len = first_special(rest)?;
            if rest.get(len) != Some(&b'"') {
                return None;
            }
            len
        };
        let end = start.checked_add(len)?;
        // INVARIANT: `start` and `end` sit next to ASCII quotes, so on char boundaries.
        let s = self.s.get(start..end)?;
        self.i = end.saturating_add(1);
        Some(s)
    }

    /// An integer of 1 to 18 digits, no leading zero, not `-0`, not followed by a
    /// fraction or exponent (those serde reads as floats).
    fn int(&mut self) -> Option<Int> {
        self.ws();
        let negative = self.b.get(self.i) == Some(&b'-');
        if negative {
            self.i = self.i.saturating_add(1);
        }
        let start = self.i;
        let mut magnitude = 0u64;
        while let Some(d @ b'0'..=b'9') = self.b.get(self.i) {
            magnitude = magnitude
                .checked_mul(10)?
                .checked_add(u64::from(d.wrapping_sub(b'0')))?;
            self.i = self.i.saturating_add(1);
        }
        let digits = self.i.saturating_sub(start);
        let leading_zero = digits > 1 && self.b.get(start) == Some(&b'0');
        if digits == 0 || digits > 18 || leading_zero || (negative && magnitude == 0) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.b.get(self.i) {
            return None;
        }
        Some(Int {
            negative,
            magnitude,
        })
    }

    /// `open`, then `item` for each element separated by `,`, then `close`.
    pub(super) fn list(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if !self.open_list(open, close)? {
            return Some(());
        }
        loop {
            item(self)?;
            if !self.next_item(close)? {
                return Some(());
            }
        }
    }

    /// Moves past `open`, and past `close` too when the list is empty: whether an item
    /// follows.
    pub(super) fn open_list(&mut self, open: u8, close: u8) -> Option<bool> {
        self.eat(open)?;
        if self.peek()? == close {
            self.i = self.i.saturating_add(1);
            return Some(false);
        }
        Some(true)
    }

    /// After an item: moves past `,` (another item follows: `true`) or `close` (`false`).
    pub(super) fn next_item(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => self.i = self.i.saturating_add(1),
            c if c == close => {
                self.i = self.i.saturating_add(1);
                return Some(false);
            }
            _ => return None,
        }
        Some(true)
    }

    /// The offset of the next byte that is not white space.
    pub(super) fn offset(&mut self) -> usize {
        self.ws();
        self.i
    }

    /// The same text, at `offset`.
    pub(super) fn at(&self, offset: usize) -> Cursor<'a> {
        Cursor {
            s: self.s,
            b: self.b,
            i: offset,
            plain: self.plain,
            tight: self.tight,
        }
    }

    /// The text.
    pub(super) fn bytes(&self) -> &'a [u8] {
        self.b
    }

    /// Calls `member` with each key of an object, the cursor on its value.
    pub(super) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.list(b'{', b'}', |c| {
            let key = c.string()?;
            c.eat(b':')?;
            member(c, key)
        })
    }

    /// An event into `ev` (reset first, its buffers kept).
    pub(super) fn event(&mut self, ev: &mut RawEvent<'a>) -> Option<()> {
        ev.reset();
        let mut seen = 0u32;
        self.list(b'{', b'}', |c| {
            let k = c.event_key()?;
            c.eat(b':')?;
            if seen & (1 << k) != 0 {
                return None;
            }
            seen |= 1 << k;
            match k {
                0 => ev.id = Cow::Borrowed(c.string()?),
                1 => ev.cause = Cow::Borrowed(c.string()?),
                2 => ev.occurred = Cow::Borrowed(c.string()?),
                3 => ev.discovered = Some(Cow::Borrowed(c.string()?)),
                4 => c.losses(&mut ev.losses)?,
                5 => c.attributes(&mut ev.attributes)?,
                6 => ev.series = Some(Cow::Borrowed(c.string()?)),
                _ => {
                    let year = c.int()?;
                    ev.year = Some(year.magnitude).filter(|_| !year.negative);
                    ev.year?;
                }
            }
            Some(())
        })?;
        (seen & REQUIRED == REQUIRED).then_some(())
    }

    fn losses(&mut self, lines: &mut Vec<RawLine<'a>>) -> Option<()> {
        self.list(b'[', b']', |c| {
            lines.push(c.line()?);
            Some(())
        })
    }

    fn line(&mut self) -> Option<RawLine<'a>> {
        let (mut tier, mut amount, mut asset, mut quantity) = (None, None, None, None);
        self.list(b'{', b'}', |c| {
            let k = c.line_key()?;
            c.eat(b':')?;
            let fresh = match k {
                0 => tier.replace(c.string()?).is_none(),
                1 => asset.replace(c.string()?).is_none(),
                2 => amount.replace(c.decimal()?).is_none(),
                _ => quantity.replace(c.decimal()?).is_none(),
            };
            fresh.then_some(())
        })?;
        Some(RawLine {
            tier: Cow::Borrowed(tier?),
            amount,
            asset: asset.map(Cow::Borrowed),
            quantity,
        })
    }

    /// A decimal as serde reads it: a string, or an integer.
    fn decimal(&mut self) -> Option<DecimalValue> {
        if self.peek()? == b'"' {
            if let Some(d) = self.quoted_plain_decimal() {
                return Some(DecimalValue(d));
            }
            return parse_decimal(self.string()?).map(DecimalValue);
        }
        let n = self.int()?;
        let d = rust_decimal::Decimal::from(n.magnitude);
        Some(DecimalValue(if n.negative {
            d.checked_mul(rust_decimal::Decimal::NEGATIVE_ONE)?
        } else {
            d
        }))
    }

    /// A quoted decimal of the common form `-?digits[.digits]` ([`plain_decimal`]),
    /// read from the bytes up to the next quote with no string made and nothing to trim;
    /// `None`, the cursor unmoved, for anything else, which [`parse_decimal`] reads.
    /// Only digits, one point and a leading minus come before that quote, so no escape
    /// can: the string is exactly those bytes, whatever the rest of the text holds.
    ///
    /// INVARIANT: when `Some(d)`, `parse_decimal` of the string gives the same mantissa
    /// and scale (property test `quoted_plain_decimals_read_as_parse_decimal`).
    fn quoted_plain_decimal(&mut self) -> Option<Decimal> {
        let body = self.b.get(self.i.checked_add(1)?..)?;
        let len = next_quote(body)?;
        let d = plain_decimal(body.get(..len)?)?;
        self.i = self.i.checked_add(len)?.checked_add(2)?;
        Some(d)
    }

    fn attributes(&mut self, map: &mut Attributes<'a>) -> Option<()> {
        self.object(|c, key| {
            let v = c.attribute()?;
            map.insert(Cow::Borrowed(key), v).is_none().then_some(())
        })
    }

    fn attribute(&mut self) -> Option<Value> {
        Some(match self.peek()? {
            b'"' => Value::String(self.string()?.to_string()),
            b't' if self.word("true") => Value::Bool(true),
            b'f' if self.word("false") => Value::Bool(false),
            b'n' if self.word("null") => Value::Null,
            _ => {
                let n = self.int()?;
                if n.negative {
                    // INVARIANT: at most 18 digits, so it fits an i64.
                    let m = i64::try_from(n.magnitude).ok()?;
                    Value::from(m.checked_neg()?)
                } else {
                    Value::from(n.magnitude)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn special_bytes_are_found_anywhere(
            s in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, any::<u8>(), 0x20u8..0x7f],
                0..40,
            ),
        ) {
            let slow = s.iter().position(|c| *c == b'"' || *c == b'\\' || *c < 0x20);
            prop_assert_eq!(first_special(&s), slow);
            let quote = s.iter().position(|c| *c == b'"');
            prop_assert_eq!(next_quote(&s), quote);
        }

        /// `shape`, which stops at the first block with a special byte, answers as a
        /// test of every byte does (texts across several blocks, specials anywhere).
        #[test]
        fn shape_equals_a_test_of_every_byte(
            // Printable bytes but the backslash and the space.
            mut s in proptest::collection::vec(
                prop_oneof![0x21u8..b'\\', (b'\\' + 1)..0x7f],
                0..(3 * SHAPE_BLOCK),
            ),
            space in proptest::option::of(any::<prop::sample::Index>()),
            special in proptest::option::of((
                any::<prop::sample::Index>(),
                prop_oneof![Just(b'\\'), 0u8..0x20],
            )),
        ) {
            // At most one space and one special byte, each anywhere (any block).
            if let Some(at) = space {
                s.insert(at.index(s.len() + 1), b' ');
            }
            if let Some((at, b)) = special {
                s.insert(at.index(s.len() + 1), b);
            }
            let special = s.iter().any(|b| *b == b'\\' || *b < 0x20);
            let space = s.contains(&b' ');
            prop_assert_eq!(shape(&s), (!special, !special && !space));
        }
    }

    proptest! {
        #[test]
        fn quoted_plain_decimals_read_as_parse_decimal(
            body in proptest::collection::vec(
                prop_oneof![
                    4 => proptest::char::range('0', '9'),
                    1 => Just('.'),
                    1 => Just('-'),
                    1 => Just(' '),
                    1 => Just('e'),
                    1 => Just('\\'),
                ],
                0..24,
            ),
            tail in prop_oneof![Just("\""), Just("\"}"), Just("")],
        ) {
            let body: String = body.into_iter().collect();
            let text = format!("\"{body}{tail}");
            let mut c = Cursor::new(&text);
            match c.quoted_plain_decimal() {
                Some(d) => {
                    // The string the general path would read, and its decimal.
                    let general = parse_decimal(&body);
                    prop_assert_eq!(general.map(|g| (g.mantissa(), g.scale())), Some((d.mantissa(), d.scale())));
                    prop_assert!(!body.contains('"') && tail.starts_with('"'));
                    prop_assert_eq!(c.i, body.len() + 2);
                }
                None => prop_assert_eq!(c.i, 0),
            }
        }
    }

    #[test]
    fn common_quoted_decimals_are_read_without_a_string() {
        // Which texts are of the common form is `plain_decimal`'s (its own tests); here,
        // the quotes: the cursor moves past the closing one, and stays put without it.
        let mut c = Cursor::new("\"9453634.87\",");
        let d = c.quoted_plain_decimal().unwrap();
        assert_eq!((d.mantissa(), d.scale(), c.i), (945_363_487, 2, 12));
        for text in ["\"12", "\"1\\u0032\"", "\"-0.00\""] {
            let mut c = Cursor::new(text);
            assert!(c.quoted_plain_decimal().is_none(), "{text}");
            assert_eq!(c.i, 0, "{text}");
        }
    }

    fn serde(text: &str) -> Result<RawEvent<'_>, String> {
        serde_json::from_str::<RawEvent<'_>>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_benchmark_events_are_scanned() {
        let mut rng = crate::bench_support::Rng(7);
        let mut line = String::new();
        for i in 0..2_000 {
            line.clear();
            crate::bench_support::event_line(i, &mut rng, &mut line);
            let fast = scan_event(&line).unwrap();
            assert_eq!(Ok(fast), serde(&line), "{line}");
        }
    }

    #[test]
    /// A line without backslashes or control bytes (white space around it aside) has its
    /// strings ended by the next quote; a tab between tokens, or a carriage return before
    /// the line's end, still reads as serde reads it.
    fn white_space_between_tokens_reads_as_serde() {
        let one = r#"{"id":"E1","cause":"external_hack","occurred":"2026-03-01T00:00:00Z","losses":[{"tier":"hot","amount":"12.50"}]}"#;
        for text in [
            one.to_string(),
            format!("{one}\r"),
            format!(" \t{one}\t \r"),
            one.replace(',', ",\t"),
            one.replace("\":", "\"\n:\r "),
        ] {
            let scanned = scan_event(&text);
            assert!(scanned.is_some(), "{text:?}");
            assert_eq!(scanned.map(Ok), Some(serde(&text)), "{text:?}");
        }
    }

    #[test]
    fn uncommon_shapes_are_left_to_serde() {
        let base = r#""id":"E","cause":"c","occurred":"2026-01-01T00:00:00Z""#;
        for rest in [
            r#","losses":[{"tier":"hot","amount":1.5}]"#,
            r#","losses":[{"tier":"h\u006ft","amount":"1"}]"#,
            r#","losses":[],"losses":[]"#,
            r#","losses":[],"recoveries":[]"#,
            r#","losses":[],"discovered":null"#,
            r#","losses":[{"tier":"hot","amount":"1","amount":"2"}]"#,
            r#","losses":[],"attributes":{"a":1,"a":2}"#,
            r#","losses":[],"attributes":{"a":-0}"#,
            r#","losses":[],"attributes":{"a":01}"#,
            r#","losses":[],"attributes":{"a":[1]}"#,
            r#","losses":[],"year":-1"#,
            r#","losses":[],"other":1"#,
            r#","losses":[],"ids":"x""#,
            r#","losses":[{"tier":"hot","amounts":"1"}]"#,
            r#","losses":[{"tier":"hot","as":"1"}]"#,
            r#","losses":[{"tier":"hot","amount":"1"},]"#,
            ",\"losses\":[{\"tier\":\"a long tier\tname\"}]",
            // Not JSON (the string runs on past `\"`), though it would scan as such if a
            // string ended at the next quote whatever came before it.
            r#","discovered":"a\","losses":[]"#,
        ] {
            let text = format!("{{{base}{rest}}}");
            assert!(scan_event(&text).is_none(), "{text}");
        }
        let text = format!("{{{base}}}");
        assert!(scan_event(&text).is_none(), "losses are required");
        let text = format!("{{{base},\"losses\":[]}} x");
        assert!(scan_event(&text).is_none(), "trailing text");
    }

    fn piece() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![
            // Strings, decimal or not, with and without escapes.
            "\"hot\"",
            "\"E1\"",
            "\"2026-03-01T00:00:00Z\"",
            "\"12.50\"",
            "\"1e3\"",
            "\"x\\\"y\"",
            "\"\"",
            // Numbers serde reads as integers, as floats, or not at all.
            "0",
            "-0",
            "7",
            "-12",
            "007",
            "1.5",
            "2e2",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999999",
            // Literals.
            "true",
            "false",
            "null",
            "nul",
        ])
        .prop_map(str::to_string)
    }

    fn line_object() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("tier"),
            Just("amount"),
            Just("asset"),
            Just("quantity"),
            Just("other"),
            // Near misses of the keys compared in place, and a key written with an escape.
            Just("tiers"),
            Just("as"),
            Just("amounts"),
            Just("t\\u0069er"),
        ];
        proptest::collection::vec((key, piece()), 0..4).prop_map(|kv| {
            let members: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", members.join(","))
        })
    }

    fn event_text() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            piece(),
            proptest::collection::vec(line_object(), 0..3)
                .prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec(
                (prop_oneof![Just("staff"), Just("ok"), Just("a b")], piece()),
                0..3
            )
            .prop_map(|kv| {
                let m: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}}}", m.join(" , "))
            }),
        ];
        let key = prop_oneof![
            Just("id"),
            Just("cause"),
            Just("occurred"),
            Just("discovered"),
            Just("losses"),
            Just("attributes"),
            Just("series"),
            Just("year"),
            Just("recoveries"),
            Just("ids"),
            Just("c"),
            Just("i\\u0064"),
        ];
        proptest::collection::vec((key, value), 0..9).prop_map(|kv| {
            let m: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!(" {{{}}} ", m.join(","))
        })
    }

    /// Events of the common shape but for one or two pieces, so that the scanner reads
    /// many of them.
    fn likely_event() -> impl Strategy<Value = String> {
        let opt = || proptest::option::of(piece());
        (opt(), opt(), opt(), any::<bool>(), opt(), opt()).prop_map(
            |(amount, asset, quantity, empty, staff, year)| {
                let mut s = String::from(
                    r#"{"id":"E","cause":"hack","occurred":"2026-01-01T00:00:00Z","losses":["#,
                );
                if !empty {
                    s.push_str(r#"{"tier":"hot""#);
                    for (k, v) in [("amount", amount), ("asset", asset), ("quantity", quantity)] {
                        if let Some(v) = v {
                            s.push_str(&format!(r#","{k}":{v}"#));
                        }
                    }
                    s.push('}');
                }
                s.push(']');
                if let Some(v) = staff {
                    s.push_str(&format!(r#","attributes":{{"staff":{v}}}"#));
                }
                if let Some(v) = year {
                    s.push_str(&format!(r#","year":{v}"#));
                }
                s.push('}');
                s
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Whatever the scanner reads, serde reads the same way.
        #[test]
        fn scanned_events_equal_serde(text in prop_oneof![event_text(), likely_event()]) {
            if let Some(fast) = scan_event(&text) {
                prop_assert_eq!(Ok(fast), serde(&text), "{}", text);
            }
        }

        /// A stream reads each line into the same event, reusing its buffers: nothing of
        /// the line before (lines, attributes, optional fields) is left in it, whether
        /// either line is scanned, read by serde or refused.
        #[test]
        fn a_reused_event_reads_as_a_fresh_one(
            first in prop_oneof![event_text(), likely_event()],
            second in prop_oneof![event_text(), likely_event()],
        ) {
            let mut reused = RawEvent::empty();
            let _ = reused.read_json_line(&first, 1);
            let got = reused.read_json_line(&second, 2).map(|()| reused.clone());
            let fresh = RawEvent::from_json_line(&second, 2);
            prop_assert_eq!(format!("{got:?}"), format!("{fresh:?}"));
        }
    }
}
