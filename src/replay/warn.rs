//! Warnings of a replay: input that is almost always a mistake but changes no figure.

use crate::money::{Currency, Money};
use crate::program::{Program, SymbolField};
use crate::scenario::{Event, ScenarioError, OTHER_SYMBOL};
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::vocabulary::{STANDARD_CAUSES, STANDARD_TIERS};
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
    /// A cause, tier or asset the program never names and that is not standard: most
    /// often a typo (`"Hot"`), which silently skips every clause tied to the name.
    #[error("{kind} `{name}` (event `{event}`{}) is not named by the program nor standard", more_events(*.events))]
    #[diagnostic(code(specie::replay::unknown_name), severity(Warning))]
    UnknownName {
        /// `cause`, `tier` or `asset`.
        kind: &'static str,
        /// The name as written.
        name: String,
        /// The first event using it, in replay order.
        event: String,
        /// How many events used it.
        events: u64,
        /// A suggestion, or what the name means for the replay.
        #[help]
        help: String,
    },
}

fn more_events(events: u64) -> String {
    match events {
        0 | 1 => String::new(),
        n => format!(" and {} more", n.saturating_sub(1)),
    }
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
    /// By tier symbol: the lowest exposure declared for it (a line at or below it is
    /// above none); tiers past the end have none.
    lowest: Vec<Money>,
    /// Every limit's tier is in `lowest` (else every line goes through the limits).
    all_indexed: bool,
}

/// Tier symbols past this are not indexed in [`ExposureWatch::lowest`].
const MAX_TIER_SYMBOL: usize = 4096;

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
        let mut lowest = Vec::new();
        let mut all_indexed = true;
        for l in &limits {
            let t = usize::try_from(l.tier_id).unwrap_or(usize::MAX);
            if t >= MAX_TIER_SYMBOL {
                all_indexed = false;
                continue;
            }
            if lowest.len() <= t {
                lowest.resize(t.saturating_add(1), Money(i64::MAX));
            }
            if let Some(m) = lowest.get_mut(t) {
                *m = (*m).min(l.exposure);
            }
        }
        ExposureWatch {
            limits,
            seen,
            lowest,
            all_indexed,
        }
    }

    /// Notes every line of `ev` above its tier's exposure.
    pub(crate) fn observe(&mut self, ev: &Event<'_>) {
        if self.limits.is_empty() {
            return;
        }
        for line in ev.lines.iter() {
            // The common line: at or below its tier's lowest exposure, or a tier without one.
            let lowest = usize::try_from(line.tier_id)
                .ok()
                .and_then(|t| self.lowest.get(t));
            if self.all_indexed && lowest.is_none_or(|m| line.value <= *m) {
                continue;
            }
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
                    value: crate::render::grouped(cur.decimal(s.value)),
                    exposure: crate::render::grouped(cur.decimal(limit.exposure)),
                    lines: s.lines,
                    span: limit.span.into(),
                })
            })
            .collect()
    }
}

/// Distinct unknown names tracked per replay; past it, names are not told apart.
const MAX_TRACKED_NAMES: usize = 100;

/// A name kind watched in scenario events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Cause,
    Tier,
    Asset,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Cause => "cause",
            Kind::Tier => "tier",
            Kind::Asset => "asset",
        }
    }
}

/// An unknown name and where it was first met.
#[derive(Clone, Debug)]
struct Unknown {
    kind: Kind,
    name: String,
    event: String,
    events: u64,
}

/// Watches events for causes, tiers and assets the program never names (their interned
/// id is [`OTHER_SYMBOL`]) and that are not standard. Standard causes and tiers are
/// interned with the program's names, so the common event costs one comparison per name.
/// Assets are watched only when the program names some, and a name is reported only when
/// it is near one of them (`"btc"` beside `BTC`): any other asset is simply one the
/// program does not single out. (A name with white space around it never gets here: the
/// scenario's validation refuses it.)
#[derive(Clone, Debug, Default)]
pub(crate) struct NameWatch {
    causes: Vec<String>,
    tiers: Vec<String>,
    assets: Vec<String>,
    seen: Vec<Unknown>,
    /// Assets not named by the program, and whether each is a likely typo of one that is.
    asset_verdicts: Vec<(String, bool)>,
}

impl NameWatch {
    /// A watch over `program`'s names; `intern` adds the standard causes and tiers to the
    /// replayer's symbols.
    pub(crate) fn new(program: &Program, mut intern: impl FnMut(&str) -> u32) -> NameWatch {
        let mut causes = program.named_symbols(SymbolField::Cause);
        let mut tiers = program.named_symbols(SymbolField::Tier);
        for c in STANDARD_CAUSES {
            intern(c);
            if !causes.iter().any(|x| x == c) {
                causes.push((*c).to_string());
            }
        }
        for t in STANDARD_TIERS {
            intern(t);
            if !tiers.iter().any(|x| x == t) {
                tiers.push((*t).to_string());
            }
        }
        NameWatch {
            causes,
            tiers,
            assets: program.named_symbols(SymbolField::Asset),
            seen: Vec::new(),
            asset_verdicts: Vec::new(),
        }
    }

    /// Notes every unknown name of `ev`; when `strict`, the first one is an error.
    #[inline]
    pub(crate) fn check(&mut self, ev: &Event<'_>, strict: bool) -> Result<(), ScenarioError> {
        // The common event: every name interned. One pass of comparisons, no call.
        let watch_assets = !self.assets.is_empty();
        let suspect = ev.cause_id == OTHER_SYMBOL
            || ev.lines.iter().any(|l| {
                (l.tier_id == OTHER_SYMBOL) | (watch_assets & (l.asset_id == OTHER_SYMBOL))
            });
        if !suspect {
            return Ok(());
        }
        self.check_each(ev, strict)
    }

    #[cold]
    fn check_each(&mut self, ev: &Event<'_>, strict: bool) -> Result<(), ScenarioError> {
        if ev.cause_id == OTHER_SYMBOL {
            self.met(Kind::Cause, ev.cause, ev.id, &"cause", strict)?;
        }
        for (i, line) in ev.lines.iter().enumerate() {
            if line.tier_id == OTHER_SYMBOL {
                self.met(Kind::Tier, line.tier, ev.id, &FieldOf("tier", i), strict)?;
            }
            if let Some(asset) = line.asset {
                if line.asset_id == OTHER_SYMBOL {
                    self.met(Kind::Asset, asset, ev.id, &FieldOf("asset", i), strict)?;
                }
            }
        }
        Ok(())
    }

    /// `name`, not named by the program, met in `event` at `field`.
    fn met(
        &mut self,
        kind: Kind,
        name: &str,
        event: &str,
        field: &dyn std::fmt::Display,
        strict: bool,
    ) -> Result<(), ScenarioError> {
        if kind == Kind::Asset && !self.asset_is_suspect(name) {
            return Ok(());
        }
        if strict {
            return Err(ScenarioError::UnknownName {
                event: event.to_string(),
                field: field.to_string(),
                kind: kind.word(),
                name: name.to_string(),
                help: self.help(kind, name),
            });
        }
        if let Some(u) = self
            .seen
            .iter_mut()
            .find(|u| u.kind == kind && u.name == name)
        {
            u.events = u.events.saturating_add(1);
        } else if self.seen.len() < MAX_TRACKED_NAMES {
            self.seen.push(Unknown {
                kind,
                name: name.to_string(),
                event: event.to_string(),
                events: 1,
            });
        }
        Ok(())
    }

    /// Whether an asset the program does not name is a likely typo of one it does.
    fn asset_is_suspect(&mut self, asset: &str) -> bool {
        if self.assets.is_empty() {
            return false;
        }
        if let Some((_, v)) = self.asset_verdicts.iter().find(|(a, _)| a == asset) {
            return *v;
        }
        let verdict = self.suggestion(Kind::Asset, asset).is_some();
        if self.asset_verdicts.len() < MAX_TRACKED_NAMES {
            self.asset_verdicts.push((asset.to_string(), verdict));
        }
        verdict
    }

    /// Forgets what was seen (a fresh replay).
    pub(crate) fn reset(&mut self) {
        self.seen.clear();
    }

    fn known(&self, kind: Kind) -> &[String] {
        match kind {
            Kind::Cause => &self.causes,
            Kind::Tier => &self.tiers,
            Kind::Asset => &self.assets,
        }
    }

    /// The known name `name` is most likely a typo of: equal but for case, else near.
    fn suggestion(&self, kind: Kind, name: &str) -> Option<&str> {
        let known = self.known(kind);
        known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map(String::as_str)
            .or_else(|| did_you_mean(name, known.iter().map(String::as_str)))
    }

    fn help(&self, kind: Kind, name: &str) -> String {
        match self.suggestion(kind, name) {
            Some(s) => format!(
                "did you mean `{s}`? Names are compared as written, so no clause tied to `{s}` applies here"
            ),
            None => format!(
                "no clause of the program is tied to this {}; the ones it knows are {}",
                kind.word(),
                list(self.known(kind))
            ),
        }
    }

    /// One warning per unknown name, in order of first appearance.
    pub(crate) fn warnings(&self) -> Vec<ReplayWarning> {
        self.seen
            .iter()
            .map(|u| ReplayWarning::UnknownName {
                kind: u.kind.word(),
                name: u.name.clone(),
                event: u.event.clone(),
                events: u.events,
                help: self.help(u.kind, &u.name),
            })
            .collect()
    }
}

/// A field of a loss line, `losses[2].tier`, formatted only when an error names it.
struct FieldOf(&'static str, usize);

impl std::fmt::Display for FieldOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "losses[{}].{}", self.1, self.0)
    }
}

/// `a`, `b` and `c`, in backticks (at most eight, then how many more).
fn list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(8);
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::atoms::tests::event;
    use crate::scenario::Symbols;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The per-tier quick test skips only lines no limit would note: the warnings
        /// equal those of the watch that tries every limit on every line.
        #[test]
        fn indexed_watch_equals_every_limit_tried(
            exposures in proptest::collection::vec((0usize..3, 1i64..50), 0..3),
            events in proptest::collection::vec(
                proptest::collection::vec((0usize..3, 0i64..60), 1..4),
                1..10,
            ),
        ) {
            let tiers = ["hot", "warm", "cold"];
            let mut text = String::from(
                "program \"P\" {\n currency USD\n period 2026-01-01 to 2027-01-01\n",
            );
            let mut declared = std::collections::BTreeSet::new();
            for (t, cents) in &exposures {
                if declared.insert(*t) {
                    text.push_str(&format!(" exposure {} {}.{:02}\n", tiers[*t], cents / 100, cents % 100));
                }
            }
            text.push_str(" layer \"L\" 1M xs 0 { carrier \"A\" 100% }\n}\n");
            let program = crate::compile_str(&text).unwrap().program;
            let mut symbols = Symbols::default();
            // A tier interned first, so the program's tiers do not start at symbol 0.
            symbols.intern("vault");
            let mut fast = ExposureWatch::new(&program, |t| symbols.intern(t));
            let mut every = fast.clone();
            every.all_indexed = false;
            for lines in &events {
                let ev = event(&mut symbols, 0, 0, 0, true, lines);
                fast.observe(&ev);
                every.observe(&ev);
            }
            prop_assert_eq!(
                format!("{:?}", fast.warnings(&program)),
                format!("{:?}", every.warnings(&program))
            );
            prop_assert_eq!(format!("{:?}", fast.seen), format!("{:?}", every.seen));
        }
    }
}
