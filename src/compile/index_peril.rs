//! `index peril "NAME" { … }` → [`IndexPeril`] (spec section 14), checked against the
//! parametric covers of the program: a baseline that meets a trigger is an error; a worst
//! value that never meets one, an index no cover reads and a cover whose index the model
//! does not draw are warnings.

use super::{CompileError, CompileWarning, Cx};
use crate::ast::{Direction, DurationLit, NumberLit};
use crate::ast::{DurationDistDecl, IndexPerilDecl, IndexPerilItemKind, WorstDecl};
use crate::model::{DurationDist, IndexPeril, Model, Worst};
use crate::program::{ParametricCover, Program};
use crate::span::{Span, Spanned};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Fewest decimals a drawn worst value keeps.
const MIN_WORST_DECIMALS: u32 = 4;
/// Most decimals a drawn worst value keeps (the exact rounding works in 128-bit integers).
const MAX_WORST_DECIMALS: u32 = 12;

/// Whether `value` meets `cover`'s trigger condition.
fn meets(cover: &ParametricCover, value: f64) -> bool {
    let t = cover.threshold.to_f64().unwrap_or(0.0);
    match cover.direction {
        Direction::Below => value < t,
        Direction::Above => value > t,
    }
}

impl Cx {
    pub(super) fn index_peril(
        &mut self,
        p: &IndexPerilDecl,
        span: Span,
        program: &Program,
    ) -> Option<IndexPeril> {
        let mut once: BTreeMap<&'static str, Span> = BTreeMap::new();
        let (mut index, mut baseline, mut frequency) = (None, None, None);
        let (mut worst, mut duration, mut cap) = (None, None, None);
        for item in &p.items {
            match &item.kind {
                IndexPerilItemKind::Index(n) => {
                    self.once(&mut once, "index", item.span);
                    index = Some(n.node.clone());
                }
                IndexPerilItemKind::Baseline(b) => {
                    self.once(&mut once, "baseline", item.span);
                    baseline = self.baseline(b);
                }
                IndexPerilItemKind::Frequency(f) => {
                    self.once(&mut once, "frequency", item.span);
                    frequency = self.frequency(f);
                }
                IndexPerilItemKind::Worst(w) => {
                    self.once(&mut once, "worst", item.span);
                    worst = self.worst(w);
                }
                IndexPerilItemKind::Duration { dist, cap: c } => {
                    self.once(&mut once, "duration", item.span);
                    duration = self.duration_dist(dist);
                    cap = match c {
                        Some(c) => Some(Some(self.positive_seconds(c, "a duration cap")?)),
                        None => Some(None),
                    };
                }
            }
        }
        let examples = [
            ("index", "index \"USDC/USD\""),
            ("baseline", "baseline 1.00"),
            ("frequency", "frequency poisson 0.15 per year"),
            ("worst", "worst uniform 0.80 to 0.985"),
            ("duration", "duration lognormal median 30 hours sigma 1.2"),
        ];
        for (item, example) in examples {
            if !once.contains_key(item) {
                self.errors.push(CompileError::PerilIncomplete {
                    peril: p.name.node.clone(),
                    item,
                    example,
                    span: span.into(),
                });
            }
        }
        let (baseline, decimals) = baseline?;
        let peril = IndexPeril {
            name: p.name.node.clone(),
            index: index?,
            baseline,
            decimals,
            frequency: frequency?,
            worst: worst?,
            duration: duration?,
            cap: cap?,
            span,
        };
        self.against_covers(&peril, p, program);
        Some(peril)
    }

    fn baseline(&mut self, b: &Spanned<NumberLit>) -> Option<(Decimal, u32)> {
        let v = b.node.value();
        if v.is_none() {
            self.errors.push(CompileError::ModelParameter {
                what: "a baseline",
                problem: "is too large".to_string(),
                span: b.span.into(),
                help: None,
            });
        }
        let v = v?;
        Some((v, v.scale().clamp(MIN_WORST_DECIMALS, MAX_WORST_DECIMALS)))
    }

    fn worst(&mut self, w: &Spanned<WorstDecl>) -> Option<Worst> {
        let big = f64::MAX;
        let value = |cx: &mut Cx, n: &Spanned<NumberLit>| {
            let v = n.node.value();
            if v.is_none() {
                cx.errors.push(CompileError::ModelParameter {
                    what: "a worst value",
                    problem: "is too large".to_string(),
                    span: n.span.into(),
                    help: None,
                });
            }
            v
        };
        match &w.node {
            WorstDecl::Fixed(v) => value(self, v).map(Worst::Fixed),
            WorstDecl::Uniform(a, b) => {
                let lo = self.real(
                    a,
                    "a uniform lower bound",
                    super::model::Range::NonNegative,
                    big,
                );
                let hi = self.real(
                    b,
                    "a uniform upper bound",
                    super::model::Range::NonNegative,
                    big,
                );
                let (lo, hi) = self.ordered(lo?, hi?, b.span, "write `uniform LOW to HIGH`")?;
                Some(Worst::Uniform(lo, hi))
            }
            WorstDecl::Beta { a, b, from, to } => {
                let pa = self.real(a, "a Beta parameter", super::model::Range::Positive, big);
                let pb = self.real(b, "a Beta parameter", super::model::Range::Positive, big);
                let lo = self.real(
                    from,
                    "a Beta range start",
                    super::model::Range::NonNegative,
                    big,
                );
                let hi = self.real(
                    to,
                    "a Beta range end",
                    super::model::Range::NonNegative,
                    big,
                );
                Some(Worst::Beta {
                    a: pa?,
                    b: pb?,
                    from: lo?,
                    to: hi?,
                })
            }
            WorstDecl::Empirical(values) => {
                self.list_len(values.len(), "values", w.span)?;
                let v: Vec<Option<Decimal>> = values.iter().map(|v| value(self, v)).collect();
                v.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Worst::Empirical)
            }
        }
    }

    /// `Some(())` when an `empirical` list of `n` `what` has from 1 to
    /// [`MAX_EMPIRICAL`](super::model::MAX_EMPIRICAL) entries; else an error at `span`.
    fn list_len(&mut self, n: usize, what: &str, span: Span) -> Option<()> {
        if (1..=super::model::MAX_EMPIRICAL).contains(&n) {
            return Some(());
        }
        self.errors.push(CompileError::ModelParameter {
            what: "an empirical list",
            problem: format!(
                "has {n} {what}; give from 1 to {}",
                super::model::MAX_EMPIRICAL
            ),
            span: span.into(),
            help: None,
        });
        None
    }

    /// A duration of at least one second.
    fn positive_seconds(&mut self, d: &Spanned<DurationLit>, what: &'static str) -> Option<i64> {
        let secs = self.duration(d, what)?.0;
        if secs <= 0 {
            self.errors.push(CompileError::ModelParameter {
                what,
                problem: "must be longer than zero".to_string(),
                span: d.span.into(),
                help: Some("an excursion lasts at least one second".to_string()),
            });
            return None;
        }
        Some(secs)
    }

    fn duration_dist(&mut self, d: &Spanned<DurationDistDecl>) -> Option<DurationDist> {
        match &d.node {
            DurationDistDecl::Fixed(v) => self
                .positive_seconds(v, "a duration")
                .map(DurationDist::Fixed),
            DurationDistDecl::Uniform(a, b) => {
                let lo = self.positive_seconds(a, "a duration");
                let hi = self.positive_seconds(b, "a duration");
                let (lo, hi) = self.ordered(lo?, hi?, b.span, "write `uniform SHORT to LONG`")?;
                Some(DurationDist::Uniform(lo as f64, hi as f64))
            }
            DurationDistDecl::Lognormal { median, sigma } => {
                let m = self.positive_seconds(median, "a lognormal median");
                let s = self.real(
                    sigma,
                    "a lognormal sigma",
                    super::model::Range::NonNegative,
                    100.0,
                );
                Some(DurationDist::Lognormal {
                    mu: libm::log(m? as f64),
                    sigma: s?,
                })
            }
            DurationDistDecl::Empirical(values) => {
                self.list_len(values.len(), "durations", d.span)?;
                let v: Vec<Option<i64>> = values
                    .iter()
                    .map(|v| self.positive_seconds(v, "a duration"))
                    .collect();
                v.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(DurationDist::Empirical)
            }
        }
    }

    /// The peril against the covers on its index.
    fn against_covers(&mut self, peril: &IndexPeril, p: &IndexPerilDecl, program: &Program) {
        let covers: Vec<&ParametricCover> = program
            .parametric
            .iter()
            .filter(|c| c.index == peril.index)
            .collect();
        let at = |kind: fn(&IndexPerilItemKind) -> bool| {
            p.items
                .iter()
                .find(|i| kind(&i.kind))
                .map_or(peril.span, |i| i.span)
        };
        if covers.is_empty() {
            let indices: Vec<&str> = program
                .parametric
                .iter()
                .map(|c| c.index.as_str())
                .collect();
            self.warnings.push(CompileWarning::IndexUnused {
                peril: peril.name.clone(),
                index: peril.index.clone(),
                span: at(|k| matches!(k, IndexPerilItemKind::Index(_))).into(),
                help: crate::suggest::did_you_mean(&peril.index, indices.iter().copied())
                    .map(|s| format!("did you mean `{s}`?")),
            });
            return;
        }
        let base = peril.baseline.to_f64().unwrap_or(0.0);
        if let Some(c) = covers.iter().find(|c| meets(c, base)) {
            self.errors.push(CompileError::ModelParameter {
                what: "a baseline",
                problem: format!(
                    "of {} meets the trigger of cover `{}` ({} {}): the index would be in an excursion all year",
                    peril.baseline,
                    c.name,
                    match c.direction {
                        Direction::Below => "below",
                        Direction::Above => "above",
                    },
                    c.threshold
                ),
                span: at(|k| matches!(k, IndexPerilItemKind::Baseline(_))).into(),
                help: Some("the baseline is the index's value outside excursions, such as `baseline 1.00` for a stablecoin".to_string()),
            });
            return;
        }
        let (lo, hi) = peril.worst.range();
        if !covers.iter().any(|c| meets(c, lo) || meets(c, hi)) {
            let triggers: Vec<String> = covers
                .iter()
                .map(|c| {
                    let dir = match c.direction {
                        Direction::Below => "below",
                        Direction::Above => "above",
                    };
                    format!("`{}` triggers {dir} {}", c.name, c.threshold)
                })
                .collect();
            self.warnings.push(CompileWarning::WorstNeverTriggers {
                peril: peril.name.clone(),
                index: peril.index.clone(),
                span: at(|k| matches!(k, IndexPerilItemKind::Worst(_))).into(),
                low: lo.to_string(),
                high: hi.to_string(),
                help: triggers.join("; "),
            });
        }
    }

    /// `specie::model::index_not_modelled` for each cover whose index `model` does not draw.
    pub(super) fn unmodelled_covers(&mut self, model: &Model, program: &Program, span: Span) {
        for c in &program.parametric {
            if !model.index_perils.iter().any(|p| p.index == c.index) {
                self.warnings.push(CompileWarning::IndexNotModelled {
                    cover: c.name.clone(),
                    index: c.index.clone(),
                    span: span.into(),
                });
            }
        }
    }
}
