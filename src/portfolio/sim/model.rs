//! A portfolio model (spec section 15.2) compiled against its portfolio: each program's own
//! model (a section-12 model checked against that program) and the vendor perils, whose
//! one damage draw per event is shared by every insured depending on the vendor.

use super::err::{BookModelError, BookModelWarning};
use crate::ast::{
    FractionDecl, PortfolioModelFile, PortfolioModelItemKind, VendorPerilDecl, VendorPerilItemKind,
};
use crate::compile::{CompileError, SourceError};
use crate::model::{Frequency, Model, MAX_YEARS};
use crate::portfolio::{Portfolio, SourceFile};
use crate::program::Value;
use crate::span::{Span, Spanned};
use crate::suggest::did_you_mean;
use crate::time::Duration;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Decimals a drawn damage share is rounded to (half-even): 10⁻⁶, a ten-thousandth of a
/// percent.
pub const DAMAGE_DECIMALS: u32 = 6;

/// A portfolio model checked against its portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct BookModel {
    /// The model's name.
    pub name: String,
    /// Years to simulate, when the model says.
    pub years: Option<u64>,
    /// Seed, when the model says.
    pub seed: Option<u64>,
    /// Per program of the book (book order): its own model, if it has one.
    pub models: Vec<Option<Model>>,
    /// Vendor perils, in written order (their index, from 1, is in every event id).
    pub vendor_perils: Vec<VendorPeril>,
}

/// A vendor peril: breaches of one vendor, each reaching every program that uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct VendorPeril {
    /// The peril's name.
    pub name: String,
    /// Index of the vendor in the portfolio.
    pub vendor: usize,
    /// Cause of its events.
    pub cause: String,
    /// Events per year.
    pub frequency: Frequency,
    /// The share of exposure lost: one draw for every tier (`None` tier) or one per tier.
    pub damage: Vec<(Option<String>, Share)>,
    /// Discovery after occurrence.
    pub discovered_after: Duration,
    /// Per program of the book: the attribute values its expansions take (the program's
    /// defaults), for the programs the vendor reaches.
    pub attributes: Vec<Vec<Value>>,
    /// Source text.
    pub span: Span,
}

/// How a share in [0, 1] is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Share {
    /// Always this share.
    Fixed(Decimal),
    /// Uniform between the two.
    Uniform(f64, f64),
    /// Beta(a, b).
    Beta(f64, f64),
    /// One of the shares, equally likely.
    Empirical(Vec<Decimal>),
}

impl Share {
    /// The mean share.
    pub fn mean(&self) -> f64 {
        match self {
            Share::Fixed(d) => d.to_f64().unwrap_or(0.0),
            Share::Uniform(a, b) => (a + b) / 2.0,
            Share::Beta(a, b) => a / (a + b),
            Share::Empirical(v) => {
                let n = v.len().max(1) as f64;
                v.iter().filter_map(|d| d.to_f64()).sum::<f64>() / n
            }
        }
    }
}

/// A compiled portfolio model and the warnings it drew.
#[derive(Clone, Debug)]
pub struct CompiledBookModel {
    /// The model.
    pub model: BookModel,
    /// Warnings about the portfolio model file.
    pub warnings: Vec<BookModelWarning>,
}

/// A program's model file that does not parse or compile.
#[derive(Debug)]
pub struct ModelFailure {
    /// The program's key.
    pub key: String,
    /// The model's file.
    pub file: SourceFile,
    /// Its diagnostics, against `file`.
    pub error: SourceError,
}

/// Why a portfolio model does not compile.
#[derive(Debug, Default)]
pub struct BookModelErrors {
    /// Errors in the portfolio model file.
    pub errors: Vec<BookModelError>,
    /// Errors of the section-12 checks (frequencies, durations) in the file.
    pub checks: Vec<CompileError>,
    /// Warnings in the file.
    pub warnings: Vec<BookModelWarning>,
    /// Model files that do not compile, with their diagnostics.
    pub models: Vec<ModelFailure>,
}

impl BookModelErrors {
    /// Every diagnostic about the portfolio model file itself.
    pub fn diagnostics(&self) -> Vec<&dyn miette::Diagnostic> {
        let mut out: Vec<&dyn miette::Diagnostic> = Vec::new();
        out.extend(self.errors.iter().map(|e| e as &dyn miette::Diagnostic));
        out.extend(self.checks.iter().map(|e| e as &dyn miette::Diagnostic));
        out.extend(self.warnings.iter().map(|e| e as &dyn miette::Diagnostic));
        out
    }
}

/// Why a portfolio model's text does not give a model.
#[derive(Debug, thiserror::Error)]
pub enum BookModelSourceError {
    /// The text does not parse.
    #[error(transparent)]
    Parse(#[from] crate::parse::ParseError),
    /// The model does not compile.
    #[error("the portfolio model does not compile")]
    Compile(BookModelErrors),
}

/// Parses and compiles a portfolio model's text against `portfolio`, reading each
/// program's model file with `load` (its path as written).
pub fn compile_book_model_str(
    src: &str,
    portfolio: &Portfolio,
    load: &mut crate::portfolio::Loader<'_>,
) -> Result<CompiledBookModel, BookModelSourceError> {
    let file = crate::parse::parse_portfolio_model(src)?;
    compile_book_model(&file, portfolio, load).map_err(BookModelSourceError::Compile)
}

/// Compiles a portfolio model's syntax tree against `portfolio`, reporting every error.
pub fn compile_book_model(
    file: &PortfolioModelFile,
    portfolio: &Portfolio,
    load: &mut crate::portfolio::Loader<'_>,
) -> Result<CompiledBookModel, BookModelErrors> {
    let mut cx = BookCx::default();
    let decl = &file.model;
    let mut model = BookModel {
        name: decl.name.node.clone(),
        years: None,
        seed: None,
        models: vec![None; portfolio.programs.len()],
        vendor_perils: Vec::new(),
    };
    let mut seen_years = false;
    let mut seen_seed = false;
    for item in &decl.items {
        match &item.kind {
            PortfolioModelItemKind::Years(n) => {
                cx.once(&mut seen_years, "years", item.span);
                model.years = cx.whole(n, "`years`", 1, MAX_YEARS);
            }
            PortfolioModelItemKind::Seed(n) => {
                cx.once(&mut seen_seed, "seed", item.span);
                model.seed = cx.whole(n, "`seed`", 0, u64::MAX);
            }
            PortfolioModelItemKind::Model { key, path } => {
                cx.program_model(key, path, item.span, portfolio, load, &mut model);
            }
            PortfolioModelItemKind::VendorPeril(v) => {
                if model.vendor_perils.iter().any(|p| p.name == v.name.node) {
                    cx.errors.errors.push(BookModelError::Duplicate {
                        kind: "vendor peril",
                        name: v.name.node.clone(),
                        span: v.name.span.into(),
                    });
                } else if let Some(p) = cx.vendor_peril(v, item.span, portfolio) {
                    model.vendor_perils.push(p);
                }
            }
        }
    }
    let e = cx.errors;
    if e.errors.is_empty() && e.checks.is_empty() && e.models.is_empty() {
        Ok(CompiledBookModel {
            model,
            warnings: e.warnings,
        })
    } else {
        Err(e)
    }
}

#[derive(Default)]
struct BookCx {
    errors: BookModelErrors,
}

impl BookCx {
    fn once(&mut self, seen: &mut bool, item: &'static str, span: Span) {
        if *seen {
            self.errors.errors.push(BookModelError::DuplicateItem {
                item,
                span: span.into(),
            });
        }
        *seen = true;
    }

    fn whole(
        &mut self,
        n: &Spanned<crate::ast::NumberLit>,
        what: &'static str,
        lo: u64,
        hi: u64,
    ) -> Option<u64> {
        let v = n
            .node
            .value()
            .map(|d| d.normalize())
            .filter(|d| d.scale() == 0 && !d.is_sign_negative())
            .and_then(|d| u64::try_from(d.mantissa()).ok())
            .filter(|v| (lo..=hi).contains(v));
        if v.is_none() {
            self.errors.errors.push(BookModelError::Value {
                what,
                problem: format!("must be a whole number from {lo} to {hi}"),
                span: n.span.into(),
            });
        }
        v
    }

    /// `model "KEY" "PATH"`: the program's own model, compiled against it.
    fn program_model(
        &mut self,
        key: &Spanned<String>,
        path: &Spanned<String>,
        span: Span,
        portfolio: &Portfolio,
        load: &mut crate::portfolio::Loader<'_>,
        model: &mut BookModel,
    ) {
        let Some(p) = portfolio.program_index(&key.node) else {
            self.errors.errors.push(BookModelError::UnknownProgram {
                key: key.node.clone(),
                span: key.span.into(),
                help: did_you_mean(&key.node, portfolio.programs.iter().map(|b| b.key.as_str()))
                    .map_or_else(
                        || "a `model` item names a program key of the portfolio".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    ),
            });
            return;
        };
        if model.models.get(p).is_some_and(Option::is_some) {
            self.errors.errors.push(BookModelError::Duplicate {
                kind: "model for program",
                name: key.node.clone(),
                span: key.span.into(),
            });
            return;
        }
        let file = match load(&path.node) {
            Ok(f) => f,
            Err(reason) => {
                self.errors.errors.push(BookModelError::Unreadable {
                    key: key.node.clone(),
                    path: path.node.clone(),
                    reason,
                    span: path.span.into(),
                });
                return;
            }
        };
        let Some(book) = portfolio.programs.get(p) else {
            return;
        };
        match crate::compile::compile_model_str(&file.text, &book.program) {
            Ok(c) => {
                if let Some(slot) = model.models.get_mut(p) {
                    *slot = Some(c.model);
                }
            }
            Err(error) => {
                self.errors.errors.push(BookModelError::Model {
                    key: key.node.clone(),
                    path: file.name.clone(),
                    count: match &error {
                        SourceError::Parse(_) => 1,
                        SourceError::Compile(c) => c.errors.len(),
                    },
                    span: span.into(),
                });
                self.errors.models.push(ModelFailure {
                    key: key.node.clone(),
                    file,
                    error,
                });
            }
        }
    }

    /// A `vendor peril` block: every item once, the vendor one of the portfolio.
    fn vendor_peril(
        &mut self,
        v: &VendorPerilDecl,
        span: Span,
        portfolio: &Portfolio,
    ) -> Option<VendorPeril> {
        let mut vendor = None;
        let mut cause = None;
        let mut frequency = None;
        let mut damage = None;
        let mut discovered = None;
        let mut seen: Vec<&'static str> = Vec::new();
        for item in &v.items {
            let word = match &item.kind {
                VendorPerilItemKind::Vendor(n) => {
                    vendor = self.vendor_of(v, n, portfolio);
                    "vendor"
                }
                VendorPerilItemKind::Cause(c) => {
                    cause = Some(c.node.clone());
                    "cause"
                }
                VendorPerilItemKind::Frequency(f) => {
                    frequency = Some(f);
                    "frequency"
                }
                VendorPerilItemKind::Damage(parts) => {
                    damage = self.damage(parts);
                    "damage"
                }
                VendorPerilItemKind::DiscoveredAfter(d) => {
                    discovered = Some(d);
                    "discovered after"
                }
            };
            if seen.contains(&word) {
                self.errors.errors.push(BookModelError::DuplicateItem {
                    item: word,
                    span: item.span.into(),
                });
            }
            seen.push(word);
        }
        for (item, example) in [
            ("vendor", "vendor \"safe_ui\""),
            ("cause", "cause vendor_breach"),
            ("frequency", "frequency poisson 0.03 per year"),
            ("damage", "damage beta 0.8 3.0"),
        ] {
            if !seen.contains(&item) {
                self.errors.errors.push(BookModelError::Incomplete {
                    peril: v.name.node.clone(),
                    item,
                    example,
                    span: span.into(),
                });
            }
        }
        let (frequency, discovered_after) =
            match crate::compile::compile_frequency(frequency?, discovered, &portfolio.currency) {
                Ok(x) => x,
                Err(e) => {
                    self.errors.checks.extend(e);
                    return None;
                }
            };
        let vendor = vendor?;
        let damage = damage?;
        self.damage_tiers(v, vendor, &damage, portfolio);
        let attributes = self.defaults(v, vendor, span, portfolio)?;
        Some(VendorPeril {
            name: v.name.node.clone(),
            vendor,
            cause: cause?,
            frequency,
            damage: damage.into_iter().map(|(t, s, _)| (t, s)).collect(),
            discovered_after,
            attributes,
            span,
        })
    }

    fn vendor_of(
        &mut self,
        v: &VendorPerilDecl,
        n: &Spanned<String>,
        portfolio: &Portfolio,
    ) -> Option<usize> {
        let found = portfolio.vendors.iter().position(|x| x.name == n.node);
        match found {
            Some(i) => {
                if portfolio.vendors.get(i).is_some_and(|x| x.uses.is_empty()) {
                    self.errors.warnings.push(BookModelWarning::UnusedVendor {
                        peril: v.name.node.clone(),
                        vendor: n.node.clone(),
                        span: n.span.into(),
                    });
                }
            }
            None => self.errors.errors.push(BookModelError::UnknownVendor {
                peril: v.name.node.clone(),
                vendor: n.node.clone(),
                span: n.span.into(),
                help: did_you_mean(&n.node, portfolio.vendors.iter().map(|x| x.name.as_str()))
                    .map_or_else(
                        || "a vendor peril breaches a `vendor` of the portfolio".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    ),
            }),
        }
        found
    }

    /// The damage: each part's share, checked.
    fn damage(
        &mut self,
        parts: &[(Option<Spanned<String>>, Spanned<FractionDecl>)],
    ) -> Option<Vec<(Option<String>, Share, Span)>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (tier, f) in parts {
            if let Some(t) = tier {
                if out.iter().any(|(x, _, _): &(Option<String>, Share, Span)| {
                    x.as_deref() == Some(t.node.as_str())
                }) {
                    self.errors.errors.push(BookModelError::DuplicateItem {
                        item: "damage of a tier",
                        span: t.span.into(),
                    });
                    ok = false;
                }
            }
            match self.share(f) {
                Some(s) => out.push((
                    tier.as_ref().map(|t| t.node.clone()),
                    s,
                    tier.as_ref().map_or(f.span, |t| t.span),
                )),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn share(&mut self, f: &Spanned<FractionDecl>) -> Option<Share> {
        let percent = |cx: &mut BookCx, p: &Spanned<Decimal>| -> Option<Decimal> {
            if p.node < Decimal::ZERO || p.node > Decimal::ONE_HUNDRED {
                cx.errors.errors.push(BookModelError::Damage {
                    what: "a damage share",
                    problem: format!("of {}% is outside 0% to 100%", p.node),
                    span: p.span.into(),
                    help: Some("a damage is the share of the exposure a dependent loses".into()),
                });
                return None;
            }
            p.node.checked_div(Decimal::ONE_HUNDRED)
        };
        let f64_of = |d: Decimal| d.to_f64().unwrap_or(0.0);
        match &f.node {
            FractionDecl::Fixed(p) => percent(self, p).map(Share::Fixed),
            FractionDecl::Uniform(a, b) => {
                let (lo, hi) = (percent(self, a)?, percent(self, b)?);
                if hi < lo {
                    self.errors.errors.push(BookModelError::Damage {
                        what: "a uniform upper bound",
                        problem: "is below the lower bound".to_string(),
                        span: b.span.into(),
                        help: Some("write the smaller share first".into()),
                    });
                    return None;
                }
                Some(Share::Uniform(f64_of(lo), f64_of(hi)))
            }
            FractionDecl::Beta(a, b) => {
                let param = |cx: &mut BookCx, n: &Spanned<crate::ast::NumberLit>| {
                    let v = n
                        .node
                        .value()
                        .and_then(|d| d.to_f64())
                        .filter(|v| v.is_finite());
                    match v {
                        Some(v) if v > 0.0 && v <= 1e6 => Some(v),
                        _ => {
                            cx.errors.errors.push(BookModelError::Damage {
                                what: "a beta parameter",
                                problem: "must be above 0 and at most 1,000,000".to_string(),
                                span: n.span.into(),
                                help: None,
                            });
                            None
                        }
                    }
                };
                let (a, b) = (param(self, a), param(self, b));
                Some(Share::Beta(a?, b?))
            }
            FractionDecl::Empirical(list) => {
                if list.is_empty() || list.len() > crate::compile::MAX_EMPIRICAL {
                    self.errors.errors.push(BookModelError::Damage {
                        what: "an empirical list",
                        problem: format!(
                            "must hold from 1 to {} shares",
                            crate::compile::MAX_EMPIRICAL
                        ),
                        span: f.span.into(),
                        help: None,
                    });
                    return None;
                }
                let v: Vec<Option<Decimal>> = list.iter().map(|p| percent(self, p)).collect();
                v.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Share::Empirical)
            }
        }
    }

    /// Warns of a per-tier damage on a tier no `uses` of the vendor names.
    fn damage_tiers(
        &mut self,
        v: &VendorPerilDecl,
        vendor: usize,
        damage: &[(Option<String>, Share, Span)],
        portfolio: &Portfolio,
    ) {
        let Some(x) = portfolio.vendors.get(vendor) else {
            return;
        };
        for (tier, _, span) in damage {
            let Some(tier) = tier else { continue };
            if !x
                .uses
                .iter()
                .any(|u| u.tiers.iter().any(|(t, _)| t == tier))
            {
                self.errors.warnings.push(BookModelWarning::UnusedTier {
                    peril: v.name.node.clone(),
                    vendor: x.name.clone(),
                    tier: tier.clone(),
                    span: (*span).into(),
                });
            }
        }
    }

    /// The attribute values of each reached program's expansions: its defaults (an
    /// attribute without one is an error naming the program).
    fn defaults(
        &mut self,
        v: &VendorPerilDecl,
        vendor: usize,
        span: Span,
        portfolio: &Portfolio,
    ) -> Option<Vec<Vec<Value>>> {
        let reached: Vec<usize> = portfolio
            .vendors
            .get(vendor)
            .map(|x| x.uses.iter().map(|u| u.program).collect())
            .unwrap_or_default();
        let mut out = vec![Vec::new(); portfolio.programs.len()];
        let mut ok = true;
        for p in reached {
            let Some(book) = portfolio.programs.get(p) else {
                continue;
            };
            let mut values = Vec::new();
            for a in &book.program.attributes {
                match &a.default {
                    Some(d) => values.push(d.clone()),
                    None => {
                        ok = false;
                        self.errors.errors.push(BookModelError::Attribute {
                            peril: v.name.node.clone(),
                            key: book.key.clone(),
                            attribute: a.name.clone(),
                            span: span.into(),
                        });
                    }
                }
            }
            if let Some(slot) = out.get_mut(p) {
                *slot = values;
            }
        }
        ok.then_some(out)
    }
}
