//! Index perils in a simulated year (spec section 14): the year's excursions turned into
//! index series, and the parametric covers replayed on them by the code that replays a
//! scenario's series (`replay::parametric`).

use super::sample::{DrawnExcursion, Year};
use crate::model::Model;
use crate::program::Program;
use crate::replay::{evaluate_parametric, ParametricClaim, ReplayError};
use crate::scenario::Indices;
use crate::time::Instant;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The year's series of every index a cover of `program` reads: the baseline from the
/// period start, each merged excursion at its worst value from its start to its end. An
/// index the model does not draw has no observation (its covers pay nothing).
pub fn year_indices(program: &Program, model: &Model, drawn: &Year) -> Indices {
    let mut series = HashMap::new();
    for cover in &program.parametric {
        if series.contains_key(&cover.index) {
            continue;
        }
        let v = model
            .index_perils
            .iter()
            .find(|p| p.index == cover.index)
            .map_or_else(Vec::new, |first| {
                let of_index: Vec<&DrawnExcursion> = drawn
                    .excursions
                    .iter()
                    .filter(|e| {
                        model
                            .index_perils
                            .get(e.peril)
                            .is_some_and(|p| p.index == cover.index)
                    })
                    .collect();
                index_series(program.period.start, first.baseline, of_index)
            });
        series.insert(cover.index.clone(), v);
    }
    Indices::from_series(series)
}

/// One index's series from its excursions. Excursions that overlap or touch merge into
/// one step at the worse value — the one farther from the baseline — from the first start
/// to the last end.
pub fn index_series(
    start: Instant,
    baseline: Decimal,
    mut excursions: Vec<&DrawnExcursion>,
) -> Vec<(Instant, Decimal)> {
    excursions.sort_by(|a, b| a.start.cmp(&b.start).then(a.end.cmp(&b.end)));
    let mut merged: Vec<(Instant, Instant, Decimal)> = Vec::with_capacity(excursions.len());
    for e in excursions {
        match merged.last_mut() {
            Some(last) if e.start <= last.1 => {
                last.1 = last.1.max(e.end);
                if distance(e.worst, baseline) > distance(last.2, baseline) {
                    last.2 = e.worst;
                }
            }
            _ => merged.push((e.start, e.end, e.worst)),
        }
    }
    let mut out = Vec::with_capacity(merged.len().saturating_mul(2).saturating_add(1));
    out.push((start, baseline));
    for (s, e, w) in merged {
        // INVARIANT: starts are at or after the period start and strictly after the last
        // end, so instants strictly increase; one at the period start replaces the baseline.
        if out.last().is_some_and(|(at, _)| *at == s) {
            out.pop();
        }
        out.push((s, w));
        out.push((e, baseline));
    }
    out
}

/// How far `v` is from `baseline` (values beyond `Decimal`'s range count as farthest).
fn distance(v: Decimal, baseline: Decimal) -> Decimal {
    v.checked_sub(baseline).map_or(Decimal::MAX, |d| d.abs())
}

/// The claims of the year on every parametric cover, in trigger order.
pub fn year_claims(
    program: &Program,
    model: &Model,
    drawn: &Year,
) -> Result<Vec<ParametricClaim>, ReplayError> {
    evaluate_parametric(program, &year_indices(program, model, drawn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ex(start: i64, end: i64, worst: Decimal) -> DrawnExcursion {
        DrawnExcursion {
            peril: 0,
            start: Instant(start),
            end: Instant(end),
            worst,
        }
    }

    #[test]
    fn overlapping_and_touching_excursions_merge_at_the_worse_value() {
        let a = ex(100, 200, dec("0.95"));
        let b = ex(150, 300, dec("0.90")); // overlaps a
        let c = ex(300, 400, dec("0.97")); // touches b's end
        let d = ex(401, 500, dec("0.80")); // one second after: separate
        let s = index_series(Instant(0), dec("1.00"), vec![&c, &a, &d, &b]);
        assert_eq!(
            s,
            vec![
                (Instant(0), dec("1.00")),
                (Instant(100), dec("0.90")),
                (Instant(400), dec("1.00")),
                (Instant(401), dec("0.80")),
                (Instant(500), dec("1.00")),
            ]
        );
    }

    #[test]
    fn an_excursion_at_the_period_start_replaces_the_baseline() {
        let a = ex(0, 10, dec("0.5"));
        let s = index_series(Instant(0), dec("1"), vec![&a]);
        assert_eq!(s, vec![(Instant(0), dec("0.5")), (Instant(10), dec("1"))]);
    }

    #[test]
    fn worse_means_farther_from_the_baseline_for_either_direction() {
        // An index that rises (a withdrawal halt flag): 0.9 is worse than 0.6.
        let a = ex(10, 20, dec("0.6"));
        let b = ex(20, 30, dec("0.9"));
        let s = index_series(Instant(0), dec("0"), vec![&a, &b]);
        assert_eq!(
            s,
            vec![
                (Instant(0), dec("0")),
                (Instant(10), dec("0.9")),
                (Instant(30), dec("0"))
            ]
        );
    }
}
