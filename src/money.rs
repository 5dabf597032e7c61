//! Exact money: currencies, integer minor units, half-even rounding and largest-remainder
//! splits.
//!
//! Amounts cross the public interface as [`rust_decimal::Decimal`]; inside the engine they
//! are [`Money`], a count of the currency's minor units in an `i64`, and every operation is
//! checked.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A currency: its ISO 4217 code and the number of decimals of its minor unit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency {
    /// Three capital letters, e.g. `USD`.
    pub code: String,
    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub minor_units: u32,
}

/// Currencies the language knows, with their minor-unit decimals (ISO 4217).
pub const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

impl Currency {
    /// `amounts in USD are at most 92,233,720,368,547,758.07`: the largest amount, in
    /// words, for errors.
    pub fn largest(&self) -> String {
        format!(
            "amounts in {} are at most {}",
            self.code,
            crate::render::grouped(self.decimal(Money(i64::MAX)))
        )
    }

    /// The currency with this code, if the language knows it.
    pub fn from_code(code: &str) -> Option<Currency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, m)| Currency {
                code: (*c).to_string(),
                minor_units: *m,
            })
    }

    /// US dollars, the default program currency.
    pub fn usd() -> Currency {
        Currency {
            code: "USD".to_string(),
            minor_units: 2,
        }
    }

    /// Converts an exact decimal amount to minor units; `None` when it has more decimals
    /// than the minor unit or does not fit.
    pub fn money_exact(&self, d: Decimal) -> Option<Money> {
        if d.normalize().scale() > self.minor_units {
            return None;
        }
        self.money_rounded(d)
    }

    /// Converts a decimal amount to minor units, rounding half-even; `None` when it does
    /// not fit in an `i64` of minor units.
    pub fn money_rounded(&self, d: Decimal) -> Option<Money> {
        self.minor_of(d.mantissa(), d.scale())
    }

    /// `a × b` in minor units, rounded half-even once, as `money_rounded(a * b)` gives
    /// when the product is exact (a decimal holds it: 96 bits, scale at most 28);
    /// `None` when it is not, or does not fit.
    pub fn product_rounded(&self, a: Decimal, b: Decimal) -> Option<Money> {
        let (ma, mb) = (
            u64::try_from(a.mantissa().unsigned_abs()).ok()?,
            u64::try_from(b.mantissa().unsigned_abs()).ok()?,
        );
        let scale = a.scale().checked_add(b.scale())?;
        let product = u128::from(ma).checked_mul(u128::from(mb))?;
        if scale > 28 || product >= 1u128 << 96 {
            return None;
        }
        let negative = a.is_sign_negative() != b.is_sign_negative();
        let m = i128::try_from(product).ok()?;
        self.minor_of(if negative { m.checked_neg()? } else { m }, scale)
    }

    /// `mantissa × 10^-scale` in minor units, rounded half-even; `None` when it does not
    /// fit in an `i64`. Integer arithmetic, the result of
    /// `round_dp_with_strategy(minor_units, MidpointNearestEven)` (property test
    /// `minor_units_round_as_decimal_does`).
    fn minor_of(&self, mantissa: i128, scale: u32) -> Option<Money> {
        let minor = self.minor_units;
        if scale <= minor {
            let m = mantissa.checked_mul(pow10(minor.checked_sub(scale)?)?)?;
            return i64::try_from(m).ok().map(Money);
        }
        let q = div_round_half_even(mantissa, pow10(scale.checked_sub(minor)?)?)?;
        i64::try_from(q).ok().map(Money)
    }

    /// The decimal value of `m` in this currency, with exactly `minor_units` decimals.
    pub fn decimal(&self, m: Money) -> Decimal {
        // INVARIANT: minor_units <= 3 and |m| < 2^63, far inside Decimal's 96-bit range.
        Decimal::try_from_i128_with_scale(i128::from(m.0), self.minor_units)
            .unwrap_or(Decimal::ZERO)
    }

    /// Formats `m` with exactly the minor-unit decimals, e.g. `1234.50`.
    pub fn format(&self, m: Money) -> String {
        let d = self.decimal(m);
        format!("{:.*}", self.minor_units as usize, d)
    }
}

/// `10^k` for `k` up to 38 (what an `i128` holds).
fn pow10(k: u32) -> Option<i128> {
    POW10.get(k as usize).copied()
}

/// `10^0` to `10^38`.
// INVARIANT: evaluated by the compiler; an index or product out of range would fail the
// build, not a run.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut k = 1;
    while k < 39 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// An amount of money in minor units (cents for USD).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money(pub i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} minor units", self.0)
    }
}

/// An exact fraction `num / 10^scale`, such as a percentage share (30% is `30 / 10^2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fraction {
    /// Numerator.
    pub num: i128,
    /// Power of ten of the denominator (at most 24).
    pub scale: u32,
}

impl Fraction {
    /// The largest `scale` a fraction may have.
    pub const MAX_SCALE: u32 = 24;

    /// The fraction equal to decimal `d` (e.g. 0.3 for 30%); `None` when `d` has more
    /// than [`Fraction::MAX_SCALE`] decimals.
    pub fn from_decimal(d: Decimal) -> Option<Fraction> {
        let d = d.normalize();
        if d.scale() > Self::MAX_SCALE {
            return None;
        }
        Some(Fraction {
            num: d.mantissa(),
            scale: d.scale(),
        })
    }

    /// The denominator `10^scale`.
    pub fn den(self) -> Option<i128> {
        10i128.checked_pow(self.scale)
    }

    /// `round_half_even(self × m)`, or `None` on overflow.
    pub fn apply(self, m: Money) -> Option<Money> {
        let num = i128::from(m.0).checked_mul(self.num)?;
        let q = div_round_half_even(num, self.den()?)?;
        i64::try_from(q).ok().map(Money)
    }

    /// The decimal value, e.g. `0.3`.
    pub fn to_decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.num, self.scale).ok()
    }

    /// The sum of `parts`, exactly (at scale [`Fraction::MAX_SCALE`]); `None` on overflow.
    pub fn sum(parts: impl IntoIterator<Item = Fraction>) -> Option<Fraction> {
        let num = parts.into_iter().try_fold(0i128, |a, f| {
            let up = 10i128.checked_pow(Self::MAX_SCALE.checked_sub(f.scale)?)?;
            a.checked_add(f.num.checked_mul(up)?)
        })?;
        Some(Fraction {
            num,
            scale: Self::MAX_SCALE,
        })
    }

    /// The fraction in percent, normalized: `0.125` → `12.5`.
    pub fn percent(self) -> Decimal {
        self.to_decimal()
            .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
            .unwrap_or_default()
            .normalize()
    }
}

/// `num / den` rounded half to even; `None` when `den <= 0` or on overflow.
pub fn div_round_half_even(num: i128, den: i128) -> Option<i128> {
    if den <= 0 {
        return None;
    }
    let q = num.checked_div_euclid(den)?;
    let r = num.checked_rem_euclid(den)?;
    let twice = r.checked_mul(2)?;
    let up = match twice.cmp(&den) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => q % 2 != 0,
    };
    if up {
        q.checked_add(1)
    } else {
        Some(q)
    }
}

/// Splits `total` (>= 0) in proportion to `weights` by the largest-remainder method.
///
/// Each part gets `floor(total × w / W)`; the minor units left over go one each to the
/// parts with the largest remainders, earlier parts first on ties. The parts always sum to
/// `total` exactly. Returns `None` when all weights are zero, a weight is negative, or on
/// overflow.
pub fn split_largest_remainder(total: Money, weights: &[i128]) -> Option<Vec<Money>> {
    if total.0 < 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let sum: i128 = weights
        .iter()
        .try_fold(0i128, |acc, w| acc.checked_add(*w))?;
    if sum == 0 {
        return None;
    }
    let t = i128::from(total.0);
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for w in weights {
        let prod = t.checked_mul(*w)?;
        let base = prod.checked_div(sum)?;
        rems.push(prod.checked_rem(sum)?);
        given = given.checked_add(base)?;
        parts.push(base);
    }
    let left = t.checked_sub(given)?;
    // INVARIANT: 0 <= left < weights.len(), since each remainder is < sum.
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| {
        let ra = rems.get(*a).copied().unwrap_or(0);
        let rb = rems.get(*b).copied().unwrap_or(0);
        rb.cmp(&ra).then(a.cmp(b))
    });
    let left = usize::try_from(left).ok()?;
    for idx in order.into_iter().take(left) {
        let p = parts.get_mut(idx)?;
        *p = p.checked_add(1)?;
    }
    parts
        .into_iter()
        .map(|p| i64::try_from(p).ok().map(Money))
        .collect()
}

/// Splits `total` by `weights` (largest remainder, ties to the earlier) into `out`.
pub(crate) fn split_into(
    total: i64,
    weights: &[i128],
    out: &mut Vec<i64>,
    scratch: &mut Vec<(i128, usize)>,
) -> Option<()> {
    out.clear();
    scratch.clear();
    let sum = weights.iter().try_fold(0i128, |a, w| a.checked_add(*w))?;
    if sum <= 0 {
        return None;
    }
    let left = match split_bases_i64(total, weights, sum, out, scratch) {
        Some(left) => left,
        None => {
            out.clear();
            scratch.clear();
            split_bases_i128(total, weights, sum, out, scratch)?
        }
    };
    give_largest_remainders(left, out, scratch)
}

/// The truncated parts of [`split_into`] in 64-bit arithmetic, when `total × weight` fits
/// for every weight (the common case: amounts in minor units times share weights of a
/// few digits), with each remainder in `scratch`; returns what is left to give. `None`
/// otherwise, and the caller falls back to 128 bits.
fn split_bases_i64(
    total: i64,
    weights: &[i128],
    sum: i128,
    out: &mut Vec<i64>,
    scratch: &mut Vec<(i128, usize)>,
) -> Option<i64> {
    let sum = i64::try_from(sum).ok()?;
    let mut given = 0i64;
    for (i, w) in weights.iter().enumerate() {
        let prod = total.checked_mul(i64::try_from(*w).ok()?)?;
        let base = prod.checked_div(sum)?;
        scratch.push((i128::from(prod.checked_rem(sum)?), i));
        given = given.checked_add(base)?;
        out.push(base);
    }
    total.checked_sub(given)
}

/// [`split_bases_i64`] in 128-bit arithmetic.
fn split_bases_i128(
    total: i64,
    weights: &[i128],
    sum: i128,
    out: &mut Vec<i64>,
    scratch: &mut Vec<(i128, usize)>,
) -> Option<i64> {
    let t = i128::from(total);
    let mut given = 0i128;
    for (i, w) in weights.iter().enumerate() {
        let prod = t.checked_mul(*w)?;
        let base = prod.checked_div(sum)?;
        scratch.push((prod.checked_rem(sum)?, i));
        given = given.checked_add(base)?;
        out.push(i64::try_from(base).ok()?);
    }
    i64::try_from(t.checked_sub(given)?).ok()
}

/// Gives one unit each to the `left` parts with the largest remainders (`scratch` holds
/// (remainder, part index) in part order), the earlier part first on ties.
fn give_largest_remainders(
    left: i64,
    out: &mut [i64],
    scratch: &mut [(i128, usize)],
) -> Option<()> {
    // INVARIANT: 0 <= left < out.len(), since each remainder is below the weights' sum.
    let left = usize::try_from(left).ok()?;
    if left == 0 {
        return Some(());
    }
    if left <= 8 {
        // A few units: pick the largest remainder `left` times (no sort).
        for _ in 0..left {
            let mut best: Option<(usize, i128)> = None;
            for (i, (r, _)) in scratch.iter().enumerate() {
                if best.is_none_or(|(_, b)| *r > b) {
                    best = Some((i, *r));
                }
            }
            let (i, _) = best?;
            let (r, idx) = scratch.get_mut(i)?;
            *r = i128::MIN;
            let p = out.get_mut(*idx)?;
            *p = p.checked_add(1)?;
        }
        return Some(());
    }
    scratch.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, idx) in scratch.iter().take(left) {
        let p = out.get_mut(*idx)?;
        *p = p.checked_add(1)?;
    }
    Some(())
}

/// Most parts [`split_few`] splits.
pub(crate) const FEW: usize = 8;

/// [`split_into`] without allocating, for the engine's common splits: at most [`FEW`]
/// non-negative weights summing above zero in 64 bits, and a total of zero or more. The
/// parts go to the first `weights.len()` entries of `parts`. `None` for any other split
/// (the caller then uses [`split_into`]), or on overflow.
// INVARIANT: whenever this gives parts, they are the parts `split_into` gives (the
// property test `split_few_equals_split_into` pairs them).
#[inline]
pub(crate) fn split_few(total: i64, weights: &[i64], parts: &mut [i64; FEW]) -> Option<()> {
    if weights.len() > FEW || total < 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let sum = weights.iter().try_fold(0i64, |a, w| a.checked_add(*w))?;
    if sum == 0 {
        return None;
    }
    let mut rems = [0i64; FEW];
    let mut given = 0i64;
    for ((w, part), rem) in weights.iter().zip(parts.iter_mut()).zip(rems.iter_mut()) {
        let (base, r) = match total.checked_mul(*w) {
            Some(prod) => (prod.checked_div(sum)?, prod.checked_rem(sum)?),
            None => {
                let prod = i128::from(total).checked_mul(i128::from(*w))?;
                let s = i128::from(sum);
                (
                    i64::try_from(prod.checked_div(s)?).ok()?,
                    i64::try_from(prod.checked_rem(s)?).ok()?,
                )
            }
        };
        *part = base;
        *rem = r;
        given = given.checked_add(base)?;
    }
    // INVARIANT: 0 <= left < weights.len(), since each remainder is below `sum`.
    let left = total.checked_sub(given)?;
    for _ in 0..left {
        let mut best: Option<(usize, i64)> = None;
        for (i, r) in rems.iter().take(weights.len()).enumerate() {
            if best.is_none_or(|(_, b)| *r > b) {
                best = Some((i, *r));
            }
        }
        let (i, _) = best?;
        *rems.get_mut(i)? = -1;
        let p = parts.get_mut(i)?;
        *p = p.checked_add(1)?;
    }
    Some(())
}

/// How one fixed set of weights (a layer's carrier shares and its unplaced share) is split,
/// chosen once when the layer is planned: every way gives the parts [`split_into`] gives.
#[derive(Clone, Debug)]
pub(crate) enum SplitPlan {
    /// One positive weight, the others zero: its part is the whole total.
    Sole(usize),
    /// `n >= 2` equal positive weights and a last zero one: `total / n` each, one more to
    /// the first `total % n` (equal remainders go to the earlier).
    Equal(usize),
    /// At most [`FEW`] weights in 64 bits: [`split_few`], [`split_into`] past its reach.
    Few(Vec<i64>),
    /// Any other weights: [`split_into`].
    General,
}

impl SplitPlan {
    /// The way to split `weights`.
    pub(crate) fn new(weights: &[i128]) -> SplitPlan {
        if weights.len() <= FEW {
            if let Some(i) = sole_weight(weights) {
                return SplitPlan::Sole(i);
            }
            if let Some(n) = equal_weights(weights) {
                return SplitPlan::Equal(n);
            }
        }
        let few: Option<Vec<i64>> = weights.iter().map(|w| i64::try_from(*w).ok()).collect();
        match few {
            Some(few) if few.len() <= FEW => SplitPlan::Few(few),
            _ => SplitPlan::General,
        }
    }

    /// The parts of `total >= 0` split by `weights` (those this plan was made from): in
    /// `few` when the plan allows, else in `parts` through [`split_into`] (`scratch` its
    /// scratch). `None` on overflow.
    pub(crate) fn split<'a>(
        &self,
        total: i64,
        weights: &[i128],
        few: &'a mut [i64; FEW],
        parts: &'a mut Vec<i64>,
        scratch: &mut Vec<(i128, usize)>,
    ) -> Option<&'a [i64]> {
        *few = [0; FEW];
        let done = match self {
            SplitPlan::Sole(i) => {
                *few.get_mut(*i)? = total;
                true
            }
            SplitPlan::Equal(n) => {
                split_equal(total, *n, few)?;
                true
            }
            SplitPlan::Few(w) => split_few(total, w, few).is_some(),
            SplitPlan::General => false,
        };
        if done {
            return Some(few);
        }
        split_into(total, weights, parts, scratch)?;
        Some(parts)
    }
}

/// The place of the only weight that is not zero, when the others are all zero and it is
/// positive: [`split_into`] then gives it the whole total (a layer written to one carrier).
fn sole_weight(weights: &[i128]) -> Option<usize> {
    let mut sole = None;
    for (i, w) in weights.iter().enumerate() {
        match (*w, sole) {
            (0, _) => {}
            (w, None) if w > 0 => sole = Some(i),
            _ => return None,
        }
    }
    sole
}

/// The number of carriers `n` when `weights` are `n >= 2` equal positive weights followed
/// by a zero (an equally shared, fully placed layer), at most [`FEW`] in all.
fn equal_weights(weights: &[i128]) -> Option<usize> {
    let (last, carriers) = weights.split_last()?;
    let first = *carriers.first()?;
    let n = carriers.len();
    (*last == 0 && first > 0 && (2..FEW).contains(&n) && carriers.iter().all(|w| *w == first))
        .then_some(n)
}

/// The split of `total >= 0` among `n` equal weights and a last zero one (see
/// [`equal_weights`]), into the first `n + 1` entries of `parts`.
#[inline]
fn split_equal(total: i64, n: usize, parts: &mut [i64; FEW]) -> Option<()> {
    let n64 = i64::try_from(n).ok()?;
    let (q, r) = (total.checked_div(n64)?, total.checked_rem(n64)?);
    for (i, p) in (0i64..).zip(parts.iter_mut().take(n)) {
        *p = q.checked_add(i64::from(i < r))?;
    }
    *parts.get_mut(n)? = 0;
    Some(())
}

/// Common-scale integer weights of fractions, plus `1 - sum` as a last weight.
pub(crate) fn share_weights(shares: &[Fraction]) -> Option<Vec<i128>> {
    let scale = shares.iter().map(|f| f.scale).max().unwrap_or(0);
    let mut out = Vec::with_capacity(shares.len().saturating_add(1));
    for f in shares {
        let up = 10i128.checked_pow(scale.checked_sub(f.scale)?)?;
        out.push(f.num.checked_mul(up)?);
    }
    let whole = 10i128.checked_pow(scale)?;
    let placed = out.iter().try_fold(0i128, |a, w| a.checked_add(*w))?;
    out.push(whole.checked_sub(placed)?.max(0));
    Some(out)
}

impl Currency {
    /// A human-readable amount with thousands separators and the code, e.g.
    /// `USD 2,500,000` or `USD 1,234.50` (decimals shown only when not zero).
    pub fn display(&self, m: Money) -> String {
        let s = self.format(m);
        let (sign, s) = match s.strip_prefix('-') {
            Some(rest) => ("-", rest.to_string()),
            None => ("", s),
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (s, None),
        };
        let mut grouped = String::new();
        let digits: Vec<char> = int.chars().collect();
        for (idx, c) in digits.iter().enumerate() {
            let from_end = digits.len().saturating_sub(idx);
            if idx > 0 && from_end % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(*c);
        }
        match frac {
            Some(f) if f.chars().any(|c| c != '0') => format!("{} {sign}{grouped}.{f}", self.code),
            _ => format!("{} {sign}{grouped}", self.code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn half_even() {
        assert_eq!(div_round_half_even(5, 2), Some(2));
        assert_eq!(div_round_half_even(7, 2), Some(4));
        assert_eq!(div_round_half_even(-5, 2), Some(-2));
        assert_eq!(div_round_half_even(11, 4), Some(3));
    }

    #[test]
    fn conversions() {
        let usd = Currency::usd();
        assert_eq!(
            usd.money_exact(Decimal::from_str("12.5").unwrap()),
            Some(Money(1250))
        );
        assert_eq!(usd.money_exact(Decimal::from_str("12.505").unwrap()), None);
        assert_eq!(
            usd.money_rounded(Decimal::from_str("12.505").unwrap()),
            Some(Money(1250))
        );
        assert_eq!(
            usd.money_rounded(Decimal::from_str("12.515").unwrap()),
            Some(Money(1252))
        );
        assert_eq!(usd.format(Money(153_950_00)), "153950.00");
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(jpy.format(Money(1000)), "1000");
    }

    #[test]
    fn split_hands_out_remainders_in_order() {
        // 100 cents in thirds: 33.33.. each, one cent left goes to the first.
        let parts = split_largest_remainder(Money(100), &[1, 1, 1]).unwrap();
        assert_eq!(parts, vec![Money(34), Money(33), Money(33)]);
        // 10 split 50/30/20 of 100%: exact.
        let parts = split_largest_remainder(Money(10), &[50, 30, 20]).unwrap();
        assert_eq!(parts, vec![Money(5), Money(3), Money(2)]);
        assert!(split_largest_remainder(Money(10), &[0, 0]).is_none());
    }

    /// Decimals of every magnitude and scale, ties included.
    fn decimal() -> impl Strategy<Value = Decimal> {
        (any::<i128>(), 1u32..96, 0u32..=28, 0u32..4).prop_map(|(m, bits, scale, tie)| {
            let m = m % (1i128 << bits);
            // Some mantissas end in 5 (or 50, 500): halfway between two minor units.
            let m = if tie == 0 { m - m % 10 + 5 } else { m };
            Decimal::from_i128_with_scale(m, scale)
        })
    }

    proptest! {
        /// The integer rounding gives what rust_decimal's half-even rounding gives, for
        /// every minor-unit count of ISO 4217 (0 to 3) and 8.
        #[test]
        fn minor_units_round_as_decimal_does(d in decimal(), minor in prop::sample::select(vec![0u32, 1, 2, 3, 8])) {
            let c = Currency { code: "X".to_string(), minor_units: minor };
            let r = d.round_dp_with_strategy(minor, rust_decimal::RoundingStrategy::MidpointNearestEven);
            let reference = 10i128
                .checked_pow(minor - r.scale().min(minor))
                .and_then(|f| r.mantissa().checked_mul(f))
                .and_then(|m| i64::try_from(m).ok())
                .map(Money);
            prop_assert_eq!(c.money_rounded(d), reference);
        }

        /// A product rounded in integers equals the decimal product rounded, when the
        /// decimal product is exact; otherwise it gives none.
        #[test]
        fn products_round_as_decimal_products_do(a in decimal(), b in prop_oneof![decimal(), (-10_000_000_000i64..10_000_000_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s))]) {
            let usd = Currency::usd();
            let exact = a.checked_mul(b).filter(|p| {
                p.is_zero() || p.scale() == a.scale() + b.scale()
            });
            match usd.product_rounded(a, b) {
                Some(m) => {
                    let p = exact.expect("an exact product");
                    prop_assert_eq!(Some(m), usd.money_rounded(p));
                }
                // Only outside the integer path's reach: wide operands, a scale past 28,
                // a product past 96 bits, or a value past an i64 of cents.
                None => {
                    let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
                    let narrow = ma <= u128::from(u64::MAX) && mb <= u128::from(u64::MAX);
                    let fits = narrow && a.scale() + b.scale() <= 28 && ma * mb < 1u128 << 96;
                    prop_assert!(!fits || exact.is_some_and(|p| usd.money_rounded(p).is_none()));
                }
            }
        }

        #[test]
        fn split_sums_to_total(total in 0i64..1_000_000_000_000, ws in prop::collection::vec(0i128..1_000_000, 1..8)) {
            prop_assume!(ws.iter().sum::<i128>() > 0);
            let parts = split_largest_remainder(Money(total), &ws).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), total);
            let sum: i128 = ws.iter().sum();
            for (p, w) in parts.iter().zip(&ws) {
                // each part is within one minor unit of its exact share
                let exact_floor = i128::from(total) * w / sum;
                prop_assert!(i128::from(p.0) - exact_floor <= 1 && i128::from(p.0) >= exact_floor);
            }
        }

        /// The allocation-free split gives the parts of the general one whenever it gives
        /// any (products past 64 bits, ties, zero weights included), and declines only
        /// outside its reach.
        #[test]
        fn split_few_equals_split_into(
            total in prop_oneof![0i64..1_000, 0i64..1_000_000_000_000, Just(i64::MAX / 3), -5i64..0],
            ws in prop_oneof![
                prop::collection::vec(0i64..1_000, 0..10),
                prop::collection::vec(0i64..4, 1..9),
                prop::collection::vec(0i64..(1i64 << 40), 1..4),
                prop::collection::vec(-2i64..3, 1..4),
            ],
        ) {
            let wide: Vec<i128> = ws.iter().map(|w| i128::from(*w)).collect();
            let (mut out, mut scratch) = (Vec::new(), Vec::new());
            let general = split_into(total, &wide, &mut out, &mut scratch);
            let mut few = [7i64; FEW];
            match split_few(total, &ws, &mut few) {
                Some(()) => {
                    prop_assert!(general.is_some());
                    prop_assert_eq!(&few[..ws.len()], &out[..]);
                }
                // Declined only outside its reach, where the general split is used.
                None => prop_assert!(
                    ws.len() > FEW || total < 0 || ws.iter().any(|w| *w < 0)
                        || ws.iter().sum::<i64>() == 0
                ),
            }
        }

        /// A sole positive weight takes the whole total in the general split (which only
        /// declines when its product overflows), and no other weights have a sole one.
        #[test]
        fn sole_weight_takes_the_whole_split(
            total in prop_oneof![0i64..1_000, 0i64..1_000_000_000_000, Just(i64::MAX / 3)],
            ws in prop_oneof![
                prop::collection::vec(prop_oneof![Just(0i128), 1i128..1_000], 1..6),
                (0usize..5, 1i128..(1i128 << 90)).prop_map(|(at, w)| {
                    let mut v = vec![0; 5];
                    v[at] = w;
                    v
                }),
                prop::collection::vec(-2i128..3, 1..4),
            ],
        ) {
            let nonzero = ws.iter().filter(|w| **w != 0).count();
            match sole_weight(&ws) {
                Some(i) => {
                    prop_assert_eq!(nonzero, 1);
                    prop_assert!(ws[i] > 0);
                    let (mut out, mut scratch) = (Vec::new(), Vec::new());
                    if split_into(total, &ws, &mut out, &mut scratch).is_some() {
                        for (j, part) in out.iter().enumerate() {
                            prop_assert_eq!(*part, if j == i { total } else { 0 });
                        }
                    } else {
                        // The general split declines only when total × weight is past
                        // 128 bits; the whole total is still the exact part.
                        prop_assert!(i128::from(total).checked_mul(ws[i]).is_none());
                    }
                }
                None => prop_assert!(nonzero != 1 || ws.iter().any(|w| *w < 0)),
            }
        }

        /// Whichever way a plan picks, its parts are those of the general split.
        #[test]
        fn split_plan_equals_split_into(
            total in prop_oneof![0i64..1_000, 0i64..1_000_000_000_000],
            ws in prop_oneof![
                prop::collection::vec(0i128..4, 1..12),
                (1i128..1_000, 2usize..9).prop_map(|(w, n)| { let mut v = vec![w; n]; v.push(0); v }),
                (0usize..4).prop_map(|at| { let mut v = vec![0i128; 4]; v[at] = 1000; v }),
            ],
        ) {
            prop_assume!(ws.iter().sum::<i128>() > 0);
            let (mut out, mut scratch) = (Vec::new(), Vec::new());
            prop_assert!(split_into(total, &ws, &mut out, &mut scratch).is_some());
            let (mut few, mut parts) = ([7i64; FEW], vec![3i64; 2]);
            let got = SplitPlan::new(&ws).split(total, &ws, &mut few, &mut parts, &mut scratch);
            prop_assert_eq!(got.map(|p| p[..ws.len()].to_vec()), Some(out));
        }

        /// Equal weights split as the general split does: `total / n` each, one more to
        /// the first `total % n`, nothing unplaced; other weights are not "equal".
        #[test]
        fn split_equal_equals_split_into(
            total in prop_oneof![0i64..1_000, 0i64..1_000_000_000_000, Just(i64::MAX / 3)],
            ws in prop_oneof![
                (1i128..1_000_000, 2usize..9, prop_oneof![Just(0i128), 1i128..10])
                    .prop_map(|(w, n, last)| {
                        let mut v = vec![w; n];
                        v.push(last);
                        v
                    }),
                prop::collection::vec(0i128..4, 1..9),
            ],
        ) {
            let (mut out, mut scratch) = (Vec::new(), Vec::new());
            let general = split_into(total, &ws, &mut out, &mut scratch);
            match equal_weights(&ws) {
                Some(n) => {
                    prop_assert_eq!(n + 1, ws.len());
                    prop_assert!(general.is_some());
                    let mut parts = [7i64; FEW];
                    prop_assert!(split_equal(total, n, &mut parts).is_some());
                    prop_assert_eq!(&parts[..=n], &out[..]);
                }
                None => {
                    let carriers = &ws[..ws.len() - 1];
                    prop_assert!(
                        ws.len() < 3 || ws.len() > FEW || ws[ws.len() - 1] != 0
                            || carriers[0] <= 0 || carriers.iter().any(|w| *w != carriers[0])
                    );
                }
            }
        }

        /// The engine's reusable-buffer split gives the same parts as the sorted
        /// reference, whichever path it takes: 64 or 128 bits (huge weights), a few units
        /// left (picked without sorting) or many (sorted), ties included (equal weights).
        #[test]
        fn split_into_equals_the_sorted_reference(
            total in prop_oneof![0i64..1_000, 0i64..1_000_000_000_000, Just(i64::MAX / 3)],
            ws in prop_oneof![
                prop::collection::vec(0i128..1_000, 1..40),
                prop::collection::vec(0i128..4, 1..40),
                prop::collection::vec(0i128..(1i128 << 90), 1..6),
            ],
        ) {
            prop_assume!(ws.iter().sum::<i128>() > 0);
            let reference = split_largest_remainder(Money(total), &ws);
            let (mut out, mut scratch) = (vec![7; 3], vec![(1, 1)]);
            let fast = split_into(total, &ws, &mut out, &mut scratch);
            match reference {
                Some(parts) => {
                    prop_assert!(fast.is_some());
                    prop_assert_eq!(out, parts.iter().map(|p| p.0).collect::<Vec<_>>());
                }
                None => prop_assert!(fast.is_none()),
            }
        }
    }
}
