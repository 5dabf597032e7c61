//! Warnings of a replay: input that is almost always a mistake but changes no figure.

use crate::money::{Currency, Money};
use crate::program::Program;
use crate::scenario::Event;
use crate::span::Span;
use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Something in the scenario that deserves a second look. Warnings never change a figure.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum ReplayWarning {
    /// A loss line worth more than the program's declared exposure of its tier: a typo in
    /// the amount, or an exposure that is out of date.
    #[error("event `{event}`: a `{tier}` loss line of {value} is above the declared `{tier}` exposure of {exposure}{}", others(*.lines))]
    #[diagnostic(
        code(specie::replay::loss_above_exposure),
        severity(Warning),
        help("check the line's amount or quantity for a typo, or update `exposure {tier}` in the program; no figure is changed")
    )]
    LossAboveExposure {
        /// The first event with such a line, in replay order.
        event: String,
        /// The tier.
        tier: String,
        /// The line's value, in the program currency.
        value: String,
        /// The declared exposure.
        exposure: String,
        /// How many lines of the replay were above it.
        lines: u64,
        /// The `exposure` item of the program.
        #[label("declared here")]
        span: SourceSpan,
    },
}

fn others(lines: u64) -> String {
    match lines {
        0 | 1 => String::new(),
        n => format!(" ({n} lines above it in all)"),
    }
}

/// The first line above a tier's exposure, and how many there were.
#[derive(Clone, Debug)]
struct Sighting {
    event: String,
    value: Money,
    lines: u64,
}

/// A tier's declared exposure.
#[derive(Clone, Debug)]
struct Limit {
    tier_id: u32,
    exposure: Money,
    span: Span,
}

/// Watches loss lines against the exposures a program declares, one warning per tier.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExposureWatch {
    /// Indexed like [`Program::exposures`].
    limits: Vec<Limit>,
    seen: Vec<Option<Sighting>>,
}

impl ExposureWatch {
    /// A watch over the program's exposures; `intern` gives each tier's symbol.
    pub(crate) fn new(program: &Program, mut intern: impl FnMut(&str) -> u32) -> ExposureWatch {
        let limits: Vec<Limit> = program
            .exposures
            .iter()
            .map(|e| Limit {
                tier_id: intern(&e.tier),
                exposure: e.amount,
                span: e.span,
            })
            .collect();
        let seen = vec![None; limits.len()];
        ExposureWatch { limits, seen }
    }

    /// Notes every line of `ev` above its tier's exposure.
    pub(crate) fn observe(&mut self, ev: &Event<'_>) {
        if self.limits.is_empty() {
            return;
        }
        for line in ev.lines.iter() {
            for (limit, seen) in self.limits.iter().zip(self.seen.iter_mut()) {
                if line.tier_id == limit.tier_id && line.value > limit.exposure {
                    match seen {
                        Some(s) => s.lines = s.lines.saturating_add(1),
                        None => {
                            *seen = Some(Sighting {
                                event: ev.id.to_string(),
                                value: line.value,
                                lines: 1,
                            })
                        }
                    }
                }
            }
        }
    }

    /// Forgets what was seen (a fresh replay).
    pub(crate) fn reset(&mut self) {
        self.seen.iter_mut().for_each(|s| *s = None);
    }

    /// One warning per tier with a line above its exposure, in the program's order.
    pub(crate) fn warnings(&self, program: &Program) -> Vec<ReplayWarning> {
        let cur: &Currency = &program.currency;
        self.limits
            .iter()
            .zip(&self.seen)
            .zip(&program.exposures)
            .filter_map(|((limit, seen), declared)| {
                let s = seen.as_ref()?;
                Some(ReplayWarning::LossAboveExposure {
                    event: s.event.clone(),
                    tier: declared.tier.clone(),
                    value: crate::report::grouped(cur.decimal(s.value)),
                    exposure: crate::report::grouped(cur.decimal(limit.exposure)),
                    lines: s.lines,
                    span: limit.span.into(),
                })
            })
            .collect()
    }
}
