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
        if i > 0 && (n.saturating_sub(i)) % 3 == 0 {
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
    if s.chars().all(is_safe) {
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
