//! Text rendering shared by every report: amounts grouped by thousands and shortened,
//! XML escaping for SVG and JUnit, and control characters made visible so that a name or
//! an id can never drive the terminal. A leaf module: reports, the engine's warnings and
//! the charts read it; it reads nothing of theirs.

use rust_decimal::Decimal;
use std::borrow::Cow;

/// `1234567.5` → `1,234,567.50` (the decimals as given).
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(specie::render::grouped(Decimal::new(-123456750, 2)), "-1,234,567.50");
/// ```
pub fn grouped(d: Decimal) -> String {
    let mut out = String::with_capacity(32);
    push_grouped(&mut out, d);
    out
}

/// [`grouped`] appended to `out`: the digits of the mantissa, written once, without the
/// intermediate strings of printing the decimal and splitting it (test
/// `grouped_equals_the_printed_and_split_decimal`).
#[allow(clippy::arithmetic_side_effects)] // digits below 10, counts below 64, `i >= scale`
pub fn push_grouped(out: &mut String, d: Decimal) {
    // A mantissa below 2^96 has at most 29 digits; 40 bytes hold them and a leading zero.
    let mut digits = [b'0'; 40];
    let mut n = 0usize;
    let mut put = |digit: u8| {
        if let Some(slot) = digits.get_mut(n) {
            *slot = b'0' + digit;
            n += 1;
        }
    };
    // 128-bit divisions only while the mantissa is above 64 bits (never for money).
    let mut wide = d.mantissa().unsigned_abs();
    while wide > u128::from(u64::MAX) {
        put((wide % 10) as u8);
        wide /= 10;
    }
    let mut v = u64::try_from(wide).unwrap_or(0);
    while v > 0 {
        put((v % 10) as u8);
        v /= 10;
    }
    let scale = d.scale() as usize;
    // Digits of the integer part (at least the one zero) and the fraction, least first.
    let int_len = n.saturating_sub(scale).max(1);
    let total = int_len.saturating_add(scale).min(digits.len());
    // INVARIANT: at most a sign, 40 digits, 13 commas and a point: 55 bytes.
    let mut text = [0u8; 64];
    let mut len = 0usize;
    let mut emit = |b: u8| {
        if let Some(slot) = text.get_mut(len) {
            *slot = b;
            len += 1;
        }
    };
    if d.is_sign_negative() {
        emit(b'-');
    }
    for i in (0..total).rev() {
        let c = *digits.get(i).unwrap_or(&b'0');
        if i >= scale {
            let from_end = i - scale;
            emit(c);
            if from_end > 0 && from_end % 3 == 0 {
                emit(b',');
            }
        } else {
            if i + 1 == scale {
                emit(b'.');
            }
            emit(c);
        }
    }
    out.push_str(std::str::from_utf8(text.get(..len).unwrap_or(&[])).unwrap_or(""));
}

/// `s` then spaces up to `width` characters, as `{:<width$}` writes it.
pub fn push_left(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    push_spaces(out, width.saturating_sub(s.chars().count()));
}

/// Spaces up to `width` characters, then `s`, as `{:>width$}` writes it.
pub fn push_right(out: &mut String, s: &str, width: usize) {
    push_spaces(out, width.saturating_sub(s.chars().count()));
    out.push_str(s);
}

fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(SPACES.get(..k).unwrap_or(""));
        n = n.saturating_sub(k);
    }
}

/// A short amount: `1.2B`, `40M`, `250k`, `900`.
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(specie::render::short(Decimal::from(1_250_000)), "1.25M");
/// ```
pub fn short(d: Decimal) -> String {
    let (div, suffix) = if d.abs() >= Decimal::from(1_000_000_000) {
        (Decimal::from(1_000_000_000), "B")
    } else if d.abs() >= Decimal::from(1_000_000) {
        (Decimal::from(1_000_000), "M")
    } else if d.abs() >= Decimal::from(1_000) {
        (Decimal::from(1_000), "k")
    } else {
        (Decimal::ONE, "")
    };
    let v = d
        .checked_div(div)
        .unwrap_or_default()
        .round_dp(2)
        .normalize();
    format!("{v}{suffix}")
}

/// `s` as XML character data or an attribute value: `& < > " '` escaped, and characters
/// XML 1.0 cannot hold at all (control characters but tab and line breaks) as U+FFFD.
///
/// ```
/// assert_eq!(specie::render::xml("A&B <\"x\"> \u{1b}"), "A&amp;B &lt;&quot;x&quot;&gt; \u{fffd}");
/// ```
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` may reach a terminal as it is: everything but control characters (C0, DEL,
/// C1), except a line feed and a tab.
fn is_safe(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// `s` for a terminal: each control character but a line feed and a tab written as
/// `\u{1b}`, so that ESC, BEL or CR in an id or a name is seen, not obeyed.
///
/// ```
/// assert_eq!(specie::render::visible("E1\u{1b}[2J\r"), "E1\\u{1b}[2J\\u{d}");
/// ```
pub fn visible(s: &str) -> Cow<'_, str> {
    // Printable ASCII, line feeds and tabs: one pass over the bytes the compiler
    // vectorises, before the test of each character.
    let plain = s.bytes().fold(true, |ok, b| {
        ok & ((0x20..0x7f).contains(&b) | (b == b'\n') | (b == b'\t'))
    });
    if plain || s.chars().all(is_safe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(8));
    for c in s.chars() {
        if is_safe(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    Cow::Owned(out)
}

/// `s` with each byte of a control character (but line breaks and tabs) replaced by `?`:
/// the same length in bytes, so that spans into `s` still point at the same text. For
/// source snippets in diagnostics.
pub fn blanked(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !matches!(c, '\n' | '\t' | '\r');
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The grouping the digit-by-digit one replaced: print the decimal, split it.
    fn grouped_by_printing(d: Decimal) -> String {
        let s = d.to_string();
        let (sign, s) = match s.strip_prefix('-') {
            Some(r) => ("-", r.to_string()),
            None => ("", s),
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (s, None),
        };
        let mut out = String::from(sign);
        let n = int.len();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (n - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push('.');
            out.push_str(&f);
        }
        out
    }

    proptest! {
        #[test]
        fn grouped_equals_the_printed_and_split_decimal(
            lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
            small in -10_000_000_000i64..10_000_000_000,
            negative in any::<bool>(), scale in 0u32..=28, wide in any::<bool>(),
        ) {
            let d = if wide {
                Decimal::from_parts(lo, mid, hi, negative, scale)
            } else {
                Decimal::new(small, scale)
            };
            prop_assert_eq!(grouped(d), grouped_by_printing(d), "{:?}", d);
        }

        #[test]
        fn padding_equals_format(s in "[a-zé\u{1b} ]{0,30}", width in 0usize..70) {
            let (mut l, mut r) = (String::new(), String::new());
            push_left(&mut l, &s, width);
            push_right(&mut r, &s, width);
            prop_assert_eq!(l, format!("{s:<width$}"));
            prop_assert_eq!(r, format!("{s:>width$}"));
        }

        #[test]
        fn visible_equals_the_test_of_each_character(
            s in "[a-z \t\n\r\u{0}-\u{1f}\u{7f}-\u{a0}é€]{0,40}"
        ) {
            let by_char = if s.chars().all(is_safe) { s.clone() } else {
                s.chars().map(|c| if is_safe(c) { c.to_string() } else {
                    format!("\\u{{{:x}}}", u32::from(c))
                }).collect()
            };
            prop_assert_eq!(visible(&s).into_owned(), by_char);
        }
    }

    #[test]
    fn grouped_edges() {
        for (d, want) in [
            (Decimal::new(0, 2), "0.00"),
            (Decimal::new(5, 2), "0.05"),
            (Decimal::new(-5, 3), "-0.005"),
            (Decimal::new(100_000, 2), "1,000.00"),
            (Decimal::new(999, 0), "999"),
            (Decimal::new(1000, 0), "1,000"),
            (Decimal::MAX, "79,228,162,514,264,337,593,543,950,335"),
            (Decimal::MIN, "-79,228,162,514,264,337,593,543,950,335"),
        ] {
            assert_eq!(grouped(d), want);
            assert_eq!(grouped(d), grouped_by_printing(d));
        }
        // Negative zero, as the decimal prints it.
        for scale in [0, 2, 8] {
            let d = Decimal::from_parts(0, 0, 0, true, scale);
            assert_eq!(grouped(d), grouped_by_printing(d));
        }
    }

    #[test]
    fn blanked_keeps_every_byte_offset() {
        let s = "a\u{1b}b\u{9b}c\r\nd\u{7f}";
        let b = blanked(s);
        assert_eq!(b.len(), s.len());
        assert_eq!(b, "a?b??c\r\nd?");
        assert!(matches!(blanked("plain\ttext\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn visible_shows_every_control_character() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let v = visible(&c.to_string()).into_owned();
            if c == '\n' || c == '\t' {
                assert_eq!(v, c.to_string());
            } else {
                assert!(
                    v.starts_with("\\u{") && !v.chars().any(char::is_control),
                    "{v}"
                );
            }
        }
    }
}
