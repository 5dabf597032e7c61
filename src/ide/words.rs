//! Amounts, percentages and conditions in words, for hovers.

use crate::ast::{Cond, DurationLit, Item, Literal, NumberLit};
use crate::format;
use rust_decimal::Decimal;

/// A number as written (`25M`).
pub fn written(n: &NumberLit) -> String {
    let mut s = String::new();
    format::number(&mut s, n);
    s
}

/// An amount as written with its exact value in the currency: `25M (USD 25,000,000)`;
/// just the value when the two read the same.
pub fn money(n: &NumberLit, currency: &str) -> String {
    let w = written(n);
    match n.value() {
        Some(v) => {
            let exact = grouped(v);
            if exact == w {
                format!("{currency} {exact}")
            } else {
                format!("{w} ({currency} {exact})")
            }
        }
        None => w,
    }
}

/// `value` with thousands separators and no trailing zeros (`1234567.5` → `1,234,567.5`).
pub fn grouped(value: Decimal) -> String {
    let text = value.normalize().to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = String::from(sign);
    let n = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && n.saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// `share`% of `amount`, rounded to the cent, grouped: `30%` of `40M` → `12,000,000`.
pub fn share_of(amount: &NumberLit, share: Decimal) -> Option<String> {
    let v = amount
        .value()?
        .checked_mul(share)?
        .checked_div(Decimal::ONE_HUNDRED)?;
    Some(grouped(v.round_dp(2)))
}

/// A condition as written (canonical layout).
pub fn condition(c: &Cond) -> String {
    let mut s = String::new();
    format::cond(&mut s, c);
    s
}

/// A literal as written.
pub fn literal(l: &Literal) -> String {
    let mut s = String::new();
    format::literal(&mut s, l);
    s
}

/// A duration as written.
pub fn duration(d: &DurationLit) -> String {
    let mut s = String::new();
    format::duration(&mut s, d);
    s
}

/// The item of `items` whose text holds `offset`.
pub fn under<K>(items: &[Item<K>], offset: usize) -> Option<&Item<K>> {
    items
        .iter()
        .find(|i| i.span.start <= offset && offset <= i.span.end)
}

/// `head` and then each of `lines` on its own line.
pub fn block(mut head: String, lines: impl IntoIterator<Item = String>) -> String {
    for line in lines {
        head.push('\n');
        head.push_str(&line);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Magnitude;

    #[test]
    fn grouping_and_money() {
        assert_eq!(grouped(Decimal::new(12345675, 1)), "1,234,567.5");
        assert_eq!(grouped(Decimal::new(100, 0)), "100");
        assert_eq!(grouped(Decimal::new(-1000, 0)), "-1,000");
        let m = NumberLit {
            mantissa: Decimal::new(25, 0),
            magnitude: Magnitude::Million,
        };
        assert_eq!(money(&m, "USD"), "25M (USD 25,000,000)");
        assert_eq!(
            money(&NumberLit::plain(Decimal::new(500, 0)), "EUR"),
            "EUR 500"
        );
        // 30% of 40M = 12M.
        let l = NumberLit {
            mantissa: Decimal::new(40, 0),
            magnitude: Magnitude::Million,
        };
        assert_eq!(share_of(&l, Decimal::new(30, 0)).unwrap(), "12,000,000");
    }
}
