//! Calendar dates, UTC instants and durations, exact to the second.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date (proleptic Gregorian). As an instant it means midnight UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year, 0000-9999.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, 1-31 (checked against the month).
    pub day: u8,
}

/// An instant in UTC, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Instant(pub i64);

/// A length of time in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Duration(pub i64);

impl Duration {
    /// The longest duration a program, model or scenario may write: 10,000 years of
    /// 365.25 days. Every instant plus or minus it stays far inside `i64` seconds.
    pub const MAX: Duration = Duration(315_576_000_000);
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm), in unsigned
/// arithmetic: the year is moved on by one 400-year era so that no step is negative.
// INVARIANT: for any `u16` year and `u8` month and day, every intermediate value stays
// within `u32` (the shifted year is at most 65,935) and no subtraction goes below zero
// (the day's `- 1` is taken in `i64`); the result is meaningful for valid dates.
#[allow(clippy::arithmetic_side_effects)]
fn days_from_civil(y: u16, m: u8, d: u8) -> i64 {
    let (y, m, d) = (u32::from(y), u32::from(m), u32::from(d));
    let y = if m <= 2 { y + 399 } else { y + 400 };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * mp + 2) / 5 + d;
    i64::from(era) * 146_097 + i64::from(doe) - 1 - 719_468 - 146_097
}

/// Civil date of a day count from 1970-01-01; callers keep `z` within years 0-9999.
// INVARIANT: |z| < 4 million, checked by the only caller.
#[allow(clippy::arithmetic_side_effects)]
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Date {
    /// A date, or `None` when the day does not exist in that month or the year is above 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year > 9999 || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(i64::from(year), month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Midnight UTC at the start of this date.
    #[allow(clippy::arithmetic_side_effects)] // bounded: year <= 9999
    pub fn midnight(self) -> Instant {
        let days = days_from_civil(self.year, self.month, self.day);
        Instant(days * 86_400)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        Date::from_bytes(s.as_bytes().try_into().ok()?)
    }

    /// `YYYY-MM-DD` as ten fixed bytes (no slicing, no loop over fields).
    #[allow(clippy::arithmetic_side_effects)] // bounded components: four- and two-digit fields
    #[inline]
    fn from_bytes(b: [u8; 10]) -> Option<Date> {
        let [y0, y1, y2, y3, dash1, m0, m1, dash2, d0, d1] = b;
        if dash1 != b'-' || dash2 != b'-' {
            return None;
        }
        let [y0, y1, y2, y3, m0, m1, d0, d1] = digits([y0, y1, y2, y3, m0, m1, d0, d1])?;
        Date::new(
            u16::try_from(y0 * 1000 + y1 * 100 + y2 * 10 + y3).ok()?,
            u8::try_from(m0 * 10 + m1).ok()?,
            u8::try_from(d0 * 10 + d1).ok()?,
        )
    }
}

/// ASCII digits as their values; `None` when a byte is not a digit.
#[inline]
fn digits<const N: usize>(bytes: [u8; N]) -> Option<[u32; N]> {
    let values = bytes.map(|c| u32::from(c.wrapping_sub(b'0')));
    values.iter().all(|v| *v <= 9).then_some(values)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Instant {
    /// Parses an RFC 3339 instant in UTC: `YYYY-MM-DDTHH:MM:SSZ` (also `+00:00`), or a
    /// bare date meaning its midnight. Fractional seconds are not accepted.
    ///
    /// Every event has two instants, so the full form is read as fixed bytes (the date's
    /// ten, the time's nine) and a zone, with no slicing and no loop over fields; test `parse_equals_the_field_by_field_parse`.
    #[allow(clippy::arithmetic_side_effects)] // bounded components: two-digit fields
    pub fn parse(s: &str) -> Option<Instant> {
        let b = s.as_bytes();
        if b.len() == 10 {
            return Date::parse(s).map(Date::midnight);
        }
        let (date, time) = b.split_first_chunk::<10>()?;
        let midnight = Date::from_bytes(*date)?.midnight();
        Some(Instant(midnight.0 + Instant::time_of_day(time)?))
    }

    /// [`Instant::parse`] of `s`, knowing that `known_text` parsed as `known`: when both
    /// are in the full form and share their date (the same ten leading bytes), `s` reuses
    /// `known`'s day instead of working it out again. An event's discovery is usually on
    /// the day of its occurrence.
    pub fn parse_beside(s: &str, known_text: &str, known: Instant) -> Option<Instant> {
        let (b, k) = (s.as_bytes(), known_text.as_bytes());
        match (b.split_first_chunk::<10>(), k.split_first_chunk::<10>()) {
            (Some((date, time)), Some((known_date, known_time)))
                if date == known_date && time.len() > 1 && known_time.len() > 1 =>
            {
                // INVARIANT: `known` is the full form on this date, so its midnight is
                // its start of day in UTC.
                let midnight = known.0.checked_sub(known.0.rem_euclid(86_400))?;
                midnight
                    .checked_add(Instant::time_of_day(time)?)
                    .map(Instant)
            }
            _ => Instant::parse(s),
        }
    }

    /// Seconds into the day of the nine bytes `THH:MM:SS` and a zone (`Z` or `+00:00`).
    #[allow(clippy::arithmetic_side_effects)] // bounded components: two-digit fields
    fn time_of_day(b: &[u8]) -> Option<i64> {
        let (time, zone) = b.split_first_chunk::<9>()?;
        let [t, h0, h1, colon1, m0, m1, colon2, s0, s1] = *time;
        let separated = matches!(t, b'T' | b't')
            && colon1 == b':'
            && colon2 == b':'
            && matches!(zone, b"Z" | b"z" | b"+00:00");
        if !separated {
            return None;
        }
        let [h0, h1, m0, m1, s0, s1] = digits([h0, h1, m0, m1, s0, s1])?;
        let (h, m, sec) = (h0 * 10 + h1, m0 * 10 + m1, s0 * 10 + s1);
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        Some(i64::from(h * 3600 + m * 60 + sec))
    }

    /// This instant plus `d`, or `None` on overflow.
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        self.0.checked_add(d.0).map(Instant)
    }

    /// This instant plus `d`, at most the last representable instant.
    pub fn saturating_add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d.0))
    }

    /// `self - earlier`, or `None` on overflow.
    pub fn checked_since(self, earlier: Instant) -> Option<Duration> {
        self.0.checked_sub(earlier.0).map(Duration)
    }
}

impl fmt::Display for Instant {
    #[allow(clippy::arithmetic_side_effects)] // div_euclid/rem_euclid by non-zero constants
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        // Years 0000-9999 only; anything else is shown as raw seconds.
        if !(-719_528..=2_932_896).contains(&days) {
            return write!(f, "@{}s", self.0);
        }
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            y,
            m,
            d,
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )
    }
}

impl fmt::Display for Duration {
    #[allow(clippy::arithmetic_side_effects)] // division by non-zero constants
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let (n, unit) = if s != 0 && s % 86_400 == 0 {
            (s / 86_400, "day")
        } else if s != 0 && s % 3600 == 0 {
            (s / 3600, "hour")
        } else if s != 0 && s % 60 == 0 {
            (s / 60, "minute")
        } else {
            (s, "second")
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().midnight(), Instant(0));
        // 2026-01-01 is 20454 days after the epoch.
        assert_eq!(
            Date::new(2026, 1, 1).unwrap().midnight(),
            Instant(20_454 * 86_400)
        );
        assert_eq!(
            Instant::parse("2026-03-14T02:10:00Z").unwrap().to_string(),
            "2026-03-14T02:10:00Z"
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Instant::parse("2026-03-14T24:00:00Z").is_none());
        assert!(Instant::parse("2026-03-14T02:10:00+01:00").is_none());
    }

    #[test]
    fn extreme_instants_display_without_panicking() {
        assert_eq!(Instant(i64::MAX).to_string(), format!("@{}s", i64::MAX));
        assert_eq!(Instant(i64::MIN).to_string(), format!("@{}s", i64::MIN));
        assert_eq!(
            Instant::parse("9999-12-31T23:59:59Z").unwrap().to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Instant::parse("0000-01-01T00:00:00Z").unwrap().to_string(),
            "0000-01-01T00:00:00Z"
        );
    }

    /// Day count of the signed algorithm the unsigned one replaced.
    fn days_from_civil_signed(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Every date of years 0000-9999, each day one after the one before.
    #[test]
    fn day_counts_equal_the_signed_algorithm_on_every_date() {
        let mut last = None;
        for y in 0..=9999 {
            for m in 1..=12u8 {
                for d in 1..=days_in_month(y, m) {
                    let days = days_from_civil(y as u16, m, d);
                    let (m, d) = (i64::from(m), i64::from(d));
                    assert_eq!(days, days_from_civil_signed(y, m, d), "{y}-{m}-{d}");
                    if let Some(last) = last {
                        assert_eq!(days, last + 1, "{y}-{m}-{d}");
                    }
                    last = Some(days);
                }
            }
        }
    }

    /// The parse the fixed-byte one replaced: the date, `T`, the time and the zone, each
    /// field sliced and read on its own.
    fn parse_field_by_field(s: &str) -> Option<Instant> {
        if s.len() == 10 {
            return date_field_by_field(s).map(Date::midnight);
        }
        let date = date_field_by_field(s.get(0..10)?)?;
        let rest = s.get(10..)?;
        let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t'))?;
        let (time, zone) = rest.split_at_checked(8)?;
        if !(zone == "Z" || zone == "z" || zone == "+00:00") {
            return None;
        }
        let tb = time.as_bytes();
        if tb.get(2) != Some(&b':') || tb.get(5) != Some(&b':') {
            return None;
        }
        let h = i64::from(parse_digits(time.get(0..2)?)?);
        let m = i64::from(parse_digits(time.get(3..5)?)?);
        let sec = i64::from(parse_digits(time.get(6..8)?)?);
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        Some(Instant(date.midnight().0 + h * 3600 + m * 60 + sec))
    }

    /// The date parse the fixed-byte one replaced.
    fn date_field_by_field(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let year = parse_digits(s.get(0..4)?)?;
        let month = parse_digits(s.get(5..7)?)?;
        let day = parse_digits(s.get(8..10)?)?;
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// A short run of ASCII digits (at most 9) as a number.
    fn parse_digits(s: &str) -> Option<u32> {
        if s.is_empty() || s.len() > 9 {
            return None;
        }
        s.bytes().try_fold(0u32, |acc, c| {
            c.is_ascii_digit()
                .then(|| acc.saturating_mul(10).saturating_add(u32::from(c - b'0')))
        })
    }

    /// An instant with each field at most a little out of its range, then bytes
    /// replaced, cut or added.
    fn instant_text() -> impl Strategy<Value = String> {
        let near = (
            0u16..=9999,
            0u8..=13,
            0u8..=32,
            0u8..=25,
            0u8..=61,
            0u8..=61,
        )
            .prop_map(|(y, mo, d, h, mi, s)| {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            });
        let zone = prop_oneof![
            Just("Z"),
            Just("z"),
            Just("+00:00"),
            Just("+01:00"),
            Just(""),
            Just("ZZ")
        ];
        let byte = prop_oneof![
            Just('0'),
            Just('9'),
            Just('/'),
            Just(':'),
            Just('-'),
            Just('T'),
            Just('t'),
            Just(' '),
            Just('+'),
            Just('é'),
            Just('2'),
            Just('3'),
            Just('6'),
        ];
        (
            near,
            zone,
            proptest::collection::vec((0usize..26, byte), 0..3),
            proptest::option::weighted(0.2, 0usize..26),
        )
            .prop_map(|(v, zone, edits, cut)| {
                let mut s: Vec<char> = v.trim_end_matches('Z').chars().collect();
                s.extend(zone.chars());
                for (at, c) in edits {
                    if at < s.len() {
                        s[at] = c;
                    } else {
                        s.push(c);
                    }
                }
                let s: String = s.into_iter().collect();
                match cut {
                    Some(cut) if s.is_char_boundary(cut) => s[..cut].to_string(),
                    _ => s,
                }
            })
    }

    proptest::proptest! {
        #[test]
        fn parse_equals_the_field_by_field_parse(s in instant_text()) {
            proptest::prop_assert_eq!(Instant::parse(&s), parse_field_by_field(&s), "{:?}", s);
            let head = s.get(..10).unwrap_or(&s);
            proptest::prop_assert_eq!(Date::parse(head), date_field_by_field(head), "{:?}", head);
        }

        #[test]
        fn parse_beside_equals_parse(
            known in instant_text(),
            other in instant_text(),
            same_day in proptest::bool::ANY,
        ) {
            // Half the pairs share the known instant's ten leading bytes, where the
            // shortcut is taken.
            let s = match (same_day, known.get(..10), other.get(10..)) {
                (true, Some(day), Some(rest)) => format!("{day}{rest}"),
                _ => other,
            };
            if let Some(k) = Instant::parse(&known) {
                proptest::prop_assert_eq!(
                    Instant::parse_beside(&s, &known, k), Instant::parse(&s), "{:?} beside {:?}", s, known
                );
            }
        }
    }

    #[test]
    fn civil_round_trip() {
        // Beyond years 0-9999 (the range of `Date`), against the signed algorithm alone.
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil_signed(y, m, d), days);
            if let (Ok(y), Ok(m), Ok(d)) = (u16::try_from(y), u8::try_from(m), u8::try_from(d)) {
                if y <= 9999 {
                    assert_eq!(days_from_civil(y, m, d), days);
                }
            }
        }
    }
}
