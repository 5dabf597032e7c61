//! Model syntax tree → [`Model`], type-checked against the program it runs with (spec
//! section 12.1): causes the program responds to, attributes it declares, exposures for
//! `share of exposure` and `cap exposure`, parameters in range. Every error is reported.

use super::{CompileError, CompileErrors, CompileWarning, Cx, Names, SourceError};
use super::{STANDARD_CAUSES, STANDARD_TIERS};
use crate::ast::{
    CapDecl, FrequencyDecl, ModelFile, ModelItemKind, NumberLit, PerilDecl, PerilItemKind,
    SeverityDecl,
};
use crate::model::{
    Frequency, LossSpec, Model, Peril, Severity, MAX_EVENTS_PER_PERIL_YEAR,
    MAX_EXPECTED_EVENTS_PER_YEAR, MAX_YEARS,
};
use crate::money::Money;
use crate::program::{Program, SymbolField};
use crate::span::{Span, Spanned};
use crate::suggest::did_you_mean;
use crate::time::Duration;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;

/// A compiled model and the warnings its source drew.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledModel {
    /// The model.
    pub model: Model,
    /// Warnings, in the order found.
    pub warnings: Vec<CompileWarning>,
}

/// Most amounts in one `empirical` list.
pub const MAX_EMPIRICAL: usize = 100_000;

/// Parses and compiles a model's source text against `program`.
///
/// ```
/// let program = specie::compile_str(r#"program "p" {
///   period 2026-01-01 to 2027-01-01
///   exposure hot 40M
///   covers external_hack
///   layer "L" 10M xs 1M { carrier "A" 100% }
/// }"#).unwrap().program;
/// let m = specie::compile::compile_model_str(r#"model "m" {
///   peril "drain" {
///     cause external_hack
///     frequency poisson 0.35 per year
///     loss hot lognormal median 3M sigma 1.8 cap exposure
///   }
/// }"#, &program).unwrap();
/// assert_eq!(m.model.perils[0].name, "drain");
/// ```
pub fn compile_model_str(src: &str, program: &Program) -> Result<CompiledModel, SourceError> {
    let file = crate::parse::parse_model(src)?;
    Ok(compile_model(&file, program)?)
}

/// Compiles a model's syntax tree against `program`, reporting every error found.
pub fn compile_model(file: &ModelFile, program: &Program) -> Result<CompiledModel, CompileErrors> {
    let mut cx = Cx {
        errors: Vec::new(),
        warnings: Vec::new(),
        currency: program.currency.clone(),
    };
    let model = cx.model(file, program);
    if cx.errors.is_empty() {
        Ok(CompiledModel {
            model,
            warnings: cx.warnings,
        })
    } else {
        Err(CompileErrors {
            errors: cx.errors,
            warnings: cx.warnings,
        })
    }
}

/// What a parameter may be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Range {
    /// Zero or more.
    NonNegative,
    /// More than zero.
    Positive,
}

/// Every cause a program's conditions name.
fn named_causes(program: &Program) -> Vec<String> {
    let mut out = Vec::new();
    for c in program.clause_conditions() {
        c.symbols_named(SymbolField::Cause, &mut out);
    }
    out
}

impl Cx {
    fn model(&mut self, file: &ModelFile, program: &Program) -> Model {
        let decl = &file.model;
        let mut model = Model {
            name: decl.name.node.clone(),
            years: None,
            seed: None,
            perils: Vec::new(),
            index_perils: Vec::new(),
        };
        let mut once: BTreeMap<&'static str, Span> = BTreeMap::new();
        let mut names = Names::new("peril");
        let mut expected = 0.0_f64;
        for item in &decl.items {
            match &item.kind {
                ModelItemKind::Years(y) => {
                    self.once(&mut once, "years", item.span);
                    model.years = self.whole(y, "years", 1, MAX_YEARS);
                }
                ModelItemKind::Seed(s) => {
                    self.once(&mut once, "seed", item.span);
                    model.seed = self.whole(s, "seed", 0, u64::MAX);
                }
                ModelItemKind::Peril(p) => {
                    names.add(self, &p.name.node, p.name.span);
                    if let Some(peril) = self.peril(p, item.span, program) {
                        let before = expected;
                        expected += peril.frequency.mean();
                        if before <= MAX_EXPECTED_EVENTS_PER_YEAR as f64
                            && expected > MAX_EXPECTED_EVENTS_PER_YEAR as f64
                        {
                            self.errors.push(CompileError::ModelParameter {
                                what: "the model",
                                problem: format!(
                                    "expects {} events a year with peril `{}`, above the limit of {MAX_EXPECTED_EVENTS_PER_YEAR} over all perils",
                                    expected.round(),
                                    p.name.node
                                ),
                                span: p.name.span.into(),
                                help: Some(
                                    "each simulated year's events are held in memory; a custody book sees a handful of breaches a year, so lower the frequencies".to_string(),
                                ),
                            });
                        }
                        model.perils.push(peril);
                    }
                }
                ModelItemKind::IndexPeril(p) => {
                    names.add(self, &p.name.node, p.name.span);
                    if let Some(peril) = self.index_peril(p, item.span, program) {
                        model.index_perils.push(peril);
                    }
                }
            }
        }
        self.unmodelled_covers(&model, program, decl.name.span);
        if decl.items.iter().all(|i| {
            !matches!(
                i.kind,
                ModelItemKind::Peril(_) | ModelItemKind::IndexPeril(_)
            )
        }) {
            self.errors.push(CompileError::ModelParameter {
                what: "model",
                problem: format!("`{}` has no peril", decl.name.node),
                span: decl.span.into(),
                help: Some(
                    "add `peril \"NAME\" { cause … frequency … loss … }` or an `index peril`"
                        .to_string(),
                ),
            });
        }
        model
    }

    fn peril(&mut self, p: &PerilDecl, span: Span, program: &Program) -> Option<Peril> {
        let mut once: BTreeMap<&'static str, Span> = BTreeMap::new();
        let mut cause = None;
        let mut frequency = None;
        let mut losses = Vec::new();
        let mut discovered_after = Duration(0);
        let mut attributes: Vec<Option<crate::program::Value>> = program
            .attributes
            .iter()
            .map(|a| a.default.clone())
            .collect();
        let mut set = Names::new("`with` attribute");
        for item in &p.items {
            match &item.kind {
                PerilItemKind::Cause(c) => {
                    self.once(&mut once, "cause", item.span);
                    self.model_cause(c, program);
                    cause = Some(c.node.clone());
                }
                PerilItemKind::Frequency(f) => {
                    self.once(&mut once, "frequency", item.span);
                    frequency = self.frequency(f);
                }
                PerilItemKind::Loss {
                    tier,
                    severity,
                    cap,
                } => {
                    if let Some(l) = self.loss(tier, severity, cap.as_ref(), program) {
                        losses.push(l);
                    }
                }
                PerilItemKind::With { name, value } => {
                    set.add(self, &name.node, name.span);
                    if let Some((idx, v)) = self.attribute_setting(program, name, value) {
                        if let Some(slot) = attributes.get_mut(idx) {
                            *slot = Some(v);
                        }
                    }
                }
                PerilItemKind::DiscoveredAfter(d) => {
                    self.once(&mut once, "discovered after", item.span);
                    if let Some(d) = self.duration(d, "discovered after") {
                        discovered_after = d;
                    }
                }
            }
        }
        let missing = |item, example| CompileError::PerilIncomplete {
            peril: p.name.node.clone(),
            item,
            example,
            span: span.into(),
        };
        if cause.is_none() {
            self.errors.push(missing("cause", "cause external_hack"));
        }
        if frequency.is_none() && !once.contains_key("frequency") {
            self.errors
                .push(missing("frequency", "frequency poisson 0.35 per year"));
        }
        if p.items
            .iter()
            .all(|i| !matches!(i.kind, PerilItemKind::Loss { .. }))
        {
            self.errors
                .push(missing("loss", "loss hot lognormal median 3M sigma 1.8"));
        }
        let mut values = Vec::with_capacity(attributes.len());
        for (a, v) in program.attributes.iter().zip(attributes) {
            match v {
                Some(v) => values.push(v),
                None => self.errors.push(CompileError::ModelParameter {
                    what: "attribute",
                    problem: format!(
                        "`{}` has no default and peril `{}` does not set it",
                        a.name, p.name.node
                    ),
                    span: span.into(),
                    help: Some(format!("add `with {} = …` to the peril", a.name)),
                }),
            }
        }
        Some(Peril {
            name: p.name.node.clone(),
            cause: cause?,
            frequency: frequency?,
            losses,
            attributes: values,
            discovered_after,
            span,
        })
    }

    /// A peril's cause must be one the program responds to: in `covers` when it has one;
    /// otherwise a standard cause or one its conditions name.
    fn model_cause(&mut self, c: &Spanned<String>, program: &Program) {
        let (known, problem): (Vec<String>, &'static str) = match &program.covers {
            Some(covers) => (covers.clone(), "not covered by the program"),
            None => {
                let mut known: Vec<String> =
                    STANDARD_CAUSES.iter().map(|s| s.to_string()).collect();
                known.extend(named_causes(program));
                (known, "neither a standard cause nor named by the program")
            }
        };
        if known.contains(&c.node) {
            return;
        }
        let help = did_you_mean(&c.node, known.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| {
                program
                    .covers
                    .as_ref()
                    .map(|_| "add it to the program's `covers`".to_string())
            });
        self.errors.push(CompileError::ModelCause {
            cause: c.node.clone(),
            problem,
            span: c.span.into(),
            help,
        });
    }

    pub(super) fn frequency(&mut self, f: &Spanned<FrequencyDecl>) -> Option<Frequency> {
        let max = MAX_EVENTS_PER_PERIL_YEAR as f64;
        match &f.node {
            FrequencyDecl::Poisson(l) => {
                let l = self.real(l, "a Poisson mean", Range::NonNegative, max)?;
                Some(Frequency::Poisson(l))
            }
            FrequencyDecl::NegativeBinomial { mean, dispersion } => {
                let m = self.real(mean, "a negative binomial mean", Range::NonNegative, max);
                let k = self.real(dispersion, "a dispersion", Range::Positive, f64::MAX);
                Some(Frequency::NegativeBinomial {
                    mean: m?,
                    dispersion: k?,
                })
            }
            FrequencyDecl::Fixed(n) => {
                let n = self.whole(n, "a fixed frequency", 0, MAX_EVENTS_PER_PERIL_YEAR)?;
                Some(Frequency::Fixed(n))
            }
        }
    }

    fn loss(
        &mut self,
        tier: &Spanned<String>,
        severity: &Spanned<SeverityDecl>,
        cap: Option<&Spanned<CapDecl>>,
        program: &Program,
    ) -> Option<LossSpec> {
        if !STANDARD_TIERS.contains(&tier.node.as_str())
            && !program.exposures.iter().any(|e| e.tier == tier.node)
        {
            self.warnings.push(CompileWarning::UnknownTier {
                tier: tier.node.clone(),
                span: tier.span.into(),
                help: did_you_mean(&tier.node, STANDARD_TIERS.iter().copied())
                    .map_or("replay treats any tier name as written".to_string(), |s| {
                        format!("did you mean `{s}`?")
                    }),
            });
        }
        let exposure = program
            .exposures
            .iter()
            .find(|e| e.tier == tier.node)
            .map(|e| e.amount);
        let mut need_exposure = |cx: &mut Cx, span: Span| -> Option<Money> {
            if exposure.is_none() {
                cx.errors.push(CompileError::NoExposure {
                    tier: tier.node.clone(),
                    span: span.into(),
                });
            }
            exposure
        };
        let cap = match cap.map(|c| (&c.node, c.span)) {
            None => Some(None),
            Some((CapDecl::Exposure, span)) => need_exposure(self, span).map(Some),
            Some((CapDecl::Amount(a), _)) => self.positive_money(a, "a cap").map(Some),
        };
        let severity = self.severity(severity, &mut need_exposure);
        Some(LossSpec {
            tier: tier.node.clone(),
            severity: severity?,
            cap: cap?,
        })
    }

    fn severity(
        &mut self,
        s: &Spanned<SeverityDecl>,
        need_exposure: &mut dyn FnMut(&mut Cx, Span) -> Option<Money>,
    ) -> Option<Severity> {
        let big = f64::MAX;
        match &s.node {
            SeverityDecl::Fixed(a) => {
                let m = self.money(a, "a fixed amount")?;
                Some(Severity::Fixed(m))
            }
            SeverityDecl::Uniform(a, b) => {
                let lo = self.real(a, "a uniform lower bound", Range::NonNegative, big);
                let hi = self.real(b, "a uniform upper bound", Range::NonNegative, big);
                let (lo, hi) = self.ordered(lo?, hi?, b.span, "write `uniform LOW to HIGH`")?;
                Some(Severity::Uniform(lo, hi))
            }
            SeverityDecl::Lognormal { median, sigma } => {
                let m = self.real(median, "a lognormal median", Range::Positive, big);
                let s = self.real(sigma, "a lognormal sigma", Range::NonNegative, 100.0);
                Some(Severity::Lognormal {
                    mu: libm::log(m?),
                    sigma: s?,
                })
            }
            SeverityDecl::Pareto { scale, shape } => {
                let x = self.real(scale, "a Pareto scale", Range::Positive, big);
                let a = self.real(shape, "a Pareto shape", Range::Positive, big);
                Some(Severity::Pareto {
                    scale: x?,
                    shape: a?,
                })
            }
            SeverityDecl::ShareOfExposure(a, b) => {
                let a = self.real(a, "a Beta parameter", Range::Positive, big);
                let b = self.real(b, "a Beta parameter", Range::Positive, big);
                let exposure = need_exposure(self, s.span);
                let exposure = self.currency.decimal(exposure?).to_f64()?;
                Some(Severity::ShareOfExposure {
                    a: a?,
                    b: b?,
                    exposure,
                })
            }
            SeverityDecl::Empirical(values) => {
                if values.is_empty() {
                    self.errors.push(CompileError::ModelParameter {
                        what: "an empirical list",
                        problem: "is empty".to_string(),
                        span: s.span.into(),
                        help: Some("list at least one amount: `empirical [1M, 2.5M]`".to_string()),
                    });
                    return None;
                }
                if values.len() > MAX_EMPIRICAL {
                    self.errors.push(CompileError::ModelParameter {
                        what: "an empirical list",
                        problem: format!(
                            "has {} amounts, above the limit of {MAX_EMPIRICAL}",
                            values.len()
                        ),
                        span: s.span.into(),
                        help: None,
                    });
                    return None;
                }
                let amounts: Vec<Option<Money>> =
                    values.iter().map(|v| self.money(v, "an amount")).collect();
                amounts
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Severity::Empirical)
            }
        }
    }

    /// `(lo, hi)` when `lo <= hi`; else an error at `span` (the upper bound) with `help`.
    pub(super) fn ordered<T: PartialOrd>(
        &mut self,
        lo: T,
        hi: T,
        span: Span,
        help: &str,
    ) -> Option<(T, T)> {
        if hi < lo {
            self.errors.push(CompileError::ModelParameter {
                what: "a uniform upper bound",
                problem: "is below the lower bound".to_string(),
                span: span.into(),
                help: Some(help.to_string()),
            });
            return None;
        }
        Some((lo, hi))
    }

    /// A real parameter in `range`, at most `max`.
    pub(super) fn real(
        &mut self,
        lit: &Spanned<NumberLit>,
        what: &'static str,
        range: Range,
        max: f64,
    ) -> Option<f64> {
        let v = lit
            .node
            .value()
            .and_then(|d| d.to_f64())
            .filter(|v| v.is_finite());
        let problem = match v {
            None => Some("is too large".to_string()),
            Some(v) if range == Range::Positive && v <= 0.0 => {
                Some("must be greater than zero".to_string())
            }
            Some(v) if v > max => Some(format!("is above the limit of {max}")),
            _ => None,
        };
        if let Some(problem) = problem {
            self.errors.push(CompileError::ModelParameter {
                what,
                problem,
                span: lit.span.into(),
                help: None,
            });
            return None;
        }
        v
    }

    /// A whole number between `lo` and `hi`.
    fn whole(
        &mut self,
        lit: &Spanned<NumberLit>,
        what: &'static str,
        lo: u64,
        hi: u64,
    ) -> Option<u64> {
        let v = lit.node.value().map(|d| d.normalize());
        let whole = v.filter(|d| d.scale() == 0 && !d.is_sign_negative());
        // A whole number past u64 is out of range, not "not whole".
        let n = whole.map(|d| u64::try_from(d.mantissa()).unwrap_or(u64::MAX));
        match n {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            Some(_) => {
                self.errors.push(CompileError::ModelParameter {
                    what,
                    problem: format!("must be between {lo} and {hi}"),
                    span: lit.span.into(),
                    help: None,
                });
                None
            }
            None => {
                self.errors.push(CompileError::NotWhole {
                    what,
                    value: v.map_or_else(|| "?".to_string(), |d| d.to_string()),
                    span: lit.span.into(),
                    unit: "a whole number",
                });
                None
            }
        }
    }
}

/// A `frequency` and an optional `discovered after` compiled on their own (for the vendor
/// perils of a portfolio model, spec section 15.2): the checks and messages of section 12.1.
pub fn compile_frequency(
    frequency: &Spanned<FrequencyDecl>,
    discovered: Option<&Spanned<crate::ast::DurationLit>>,
    currency: &crate::money::Currency,
) -> Result<(Frequency, Duration), Vec<CompileError>> {
    let mut cx = Cx {
        errors: Vec::new(),
        warnings: Vec::new(),
        currency: currency.clone(),
    };
    let f = cx.frequency(frequency);
    let d = discovered.map_or(Some(Duration(0)), |d| cx.duration(d, "discovered after"));
    match (f, d) {
        (Some(f), Some(d)) if cx.errors.is_empty() => Ok((f, d)),
        _ => Err(cx.errors),
    }
}
