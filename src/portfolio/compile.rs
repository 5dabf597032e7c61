//! A portfolio file compiled against the programs it names (spec section 15): every program
//! read and compiled, in the book's currency; vendors' `uses` resolved to programs and to
//! tiers the programs declare an exposure for. Every error is collected.

use super::book::{BookProgram, Portfolio, SourceFile, Uses, Vendor};
use super::err::{PortfolioError, PortfolioWarning};
use crate::ast::{PortfolioFile, PortfolioItemKind, Str, VendorDecl, VendorItemKind};
use crate::compile::SourceError;
use crate::money::{Currency, Fraction};
use crate::span::Span;
use crate::suggest::did_you_mean;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Reads a program file named by a portfolio (its path as written, relative to the
/// portfolio file); `Err` says why it cannot.
pub type Loader<'l> = dyn FnMut(&str) -> Result<SourceFile, String> + 'l;

/// A compiled portfolio and the warnings it drew (the programs' own warnings are in each
/// [`BookProgram`]).
#[derive(Clone, Debug)]
pub struct CompiledPortfolio {
    /// The portfolio.
    pub portfolio: Portfolio,
    /// Warnings about the portfolio file.
    pub warnings: Vec<PortfolioWarning>,
}

/// A program of the book that does not parse or compile.
#[derive(Debug)]
pub struct ProgramFailure {
    /// Its key in the book.
    pub key: String,
    /// Its file.
    pub file: SourceFile,
    /// Its diagnostics, against `file`.
    pub error: SourceError,
}

/// Why a portfolio does not compile: its own errors, and each program that does not.
#[derive(Debug, Default)]
pub struct PortfolioErrors {
    /// Errors in the portfolio file.
    pub errors: Vec<PortfolioError>,
    /// Warnings in the portfolio file.
    pub warnings: Vec<PortfolioWarning>,
    /// Programs that do not parse or compile, with their diagnostics.
    pub programs: Vec<ProgramFailure>,
}

/// Compiles a portfolio, reading each program with `load`.
pub fn compile_portfolio(
    file: &PortfolioFile,
    load: &mut Loader<'_>,
) -> Result<CompiledPortfolio, PortfolioErrors> {
    let mut cx = Cx::default();
    let decl = &file.portfolio;
    let currency = cx.currency(decl);
    let mut programs = Vec::new();
    let mut keys: HashMap<&str, Span> = HashMap::new();
    let mut vendor_decls = Vec::new();
    for item in &decl.items {
        match &item.kind {
            PortfolioItemKind::Currency(_) => {}
            PortfolioItemKind::Program { key, path } => {
                if cx.unique(&mut keys, "program key", key) {
                    if let Some(p) = cx.program(key, path, item.span, &currency, load) {
                        programs.push(p);
                    }
                }
            }
            PortfolioItemKind::Vendor(v) => vendor_decls.push((v, item.span)),
        }
    }
    let mut names: HashMap<&str, Span> = HashMap::new();
    let mut vendors = Vec::new();
    for (v, span) in vendor_decls {
        if cx.unique(&mut names, "vendor", &v.name) {
            vendors.push(cx.vendor(v, span, &programs, &keys));
        }
    }
    if cx.errors.errors.is_empty() && cx.errors.programs.is_empty() {
        return Ok(CompiledPortfolio {
            portfolio: Portfolio {
                name: decl.name.node.clone(),
                currency,
                programs,
                vendors,
            },
            warnings: cx.errors.warnings,
        });
    }
    Err(cx.errors)
}

/// Parses and compiles a portfolio's text.
pub fn compile_portfolio_str(
    src: &str,
    load: &mut Loader<'_>,
) -> Result<CompiledPortfolio, PortfolioSourceError> {
    let file = crate::parse::parse_portfolio(src)?;
    compile_portfolio(&file, load).map_err(PortfolioSourceError::Compile)
}

/// Why a portfolio's text does not give a portfolio.
#[derive(Debug, thiserror::Error)]
pub enum PortfolioSourceError {
    /// The text does not parse.
    #[error(transparent)]
    Parse(#[from] crate::parse::ParseError),
    /// The portfolio does not compile.
    #[error("the portfolio does not compile")]
    Compile(PortfolioErrors),
}

#[derive(Default)]
struct Cx {
    errors: PortfolioErrors,
}

impl Cx {
    /// The book's currency: its `currency` item (once), else USD.
    fn currency(&mut self, decl: &crate::ast::PortfolioDecl) -> Currency {
        let mut first: Option<Span> = None;
        let mut currency = Currency::usd();
        for item in &decl.items {
            let PortfolioItemKind::Currency(code) = &item.kind else {
                continue;
            };
            if let Some(f) = first {
                self.errors.errors.push(PortfolioError::DuplicateItem {
                    item: "currency",
                    span: item.span.into(),
                    first: f.into(),
                });
                continue;
            }
            first = Some(item.span);
            match Currency::from_code(&code.node) {
                Some(c) => currency = c,
                None => {
                    let codes = crate::money::CURRENCIES.iter().map(|(c, _)| *c);
                    self.errors.errors.push(PortfolioError::UnknownCurrency {
                        code: code.node.clone(),
                        span: code.span.into(),
                        help: did_you_mean(&code.node, codes).map_or_else(
                            || "use an ISO 4217 code such as USD, EUR or GBP".to_string(),
                            |s| format!("did you mean `{s}`?"),
                        ),
                    });
                }
            }
        }
        currency
    }

    /// Whether `name` is new among `seen` (else a duplicate error).
    fn unique<'a>(
        &mut self,
        seen: &mut HashMap<&'a str, Span>,
        kind: &'static str,
        name: &'a Str,
    ) -> bool {
        if let Some(first) = seen.get(name.node.as_str()) {
            self.errors.errors.push(PortfolioError::Duplicate {
                kind,
                name: name.node.clone(),
                span: name.span.into(),
                first: (*first).into(),
            });
            return false;
        }
        seen.insert(&name.node, name.span);
        true
    }

    /// Reads and compiles program `key` at `path`, in the book's currency.
    fn program(
        &mut self,
        key: &Str,
        path: &Str,
        span: Span,
        currency: &Currency,
        load: &mut Loader<'_>,
    ) -> Option<BookProgram> {
        let file = match load(&path.node) {
            Ok(f) => f,
            Err(reason) => {
                self.errors.errors.push(PortfolioError::Unreadable {
                    key: key.node.clone(),
                    path: path.node.clone(),
                    reason,
                    span: path.span.into(),
                });
                return None;
            }
        };
        let compiled = match crate::compile_str(&file.text) {
            Ok(c) => c,
            Err(error) => {
                let count = match &error {
                    SourceError::Parse(_) => 1,
                    SourceError::Compile(c) => c.errors.len(),
                };
                self.errors.errors.push(PortfolioError::Program {
                    key: key.node.clone(),
                    path: file.name.clone(),
                    count,
                    span: path.span.into(),
                });
                self.errors.programs.push(ProgramFailure {
                    key: key.node.clone(),
                    file,
                    error,
                });
                return None;
            }
        };
        if compiled.program.currency.code != currency.code {
            self.errors.errors.push(PortfolioError::CurrencyMismatch {
                key: key.node.clone(),
                program: compiled.program.currency.code.clone(),
                book: currency.code.clone(),
                span: span.into(),
            });
        }
        Some(BookProgram {
            key: key.node.clone(),
            file,
            program: compiled.program,
            warnings: compiled.warnings,
            span,
        })
    }

    /// A vendor's `uses` resolved to the book's programs and their exposures.
    fn vendor(
        &mut self,
        v: &VendorDecl,
        span: Span,
        programs: &[BookProgram],
        keys: &HashMap<&str, Span>,
    ) -> Vendor {
        let mut uses: Vec<Uses> = Vec::new();
        for item in &v.items {
            let VendorItemKind::Uses { program, tiers } = &item.kind;
            let Some(p) = programs.iter().position(|b| b.key == program.node) else {
                // A key of a program that failed to load is known: its error is reported.
                if !keys.contains_key(program.node.as_str()) {
                    self.errors.errors.push(PortfolioError::UnknownProgram {
                        vendor: v.name.node.clone(),
                        key: program.node.clone(),
                        span: program.span.into(),
                        help: did_you_mean(&program.node, keys.keys().copied()).map_or_else(
                            || "name a `program` of the portfolio by its key".to_string(),
                            |s| format!("did you mean `{s}`?"),
                        ),
                    });
                }
                continue;
            };
            if let Some(first) = uses.iter().find(|u| u.program == p) {
                self.errors.errors.push(PortfolioError::DuplicateUses {
                    vendor: v.name.node.clone(),
                    key: program.node.clone(),
                    span: item.span.into(),
                    first: first.span.into(),
                });
                continue;
            }
            let shares = self.shares(&program.node, tiers, programs.get(p), &v.name.node);
            uses.push(Uses {
                program: p,
                tiers: shares,
                span: item.span,
            });
        }
        if v.items.is_empty() {
            self.errors.warnings.push(PortfolioWarning::UnusedVendor {
                vendor: v.name.node.clone(),
                span: v.name.span.into(),
            });
        }
        Vendor {
            name: v.name.node.clone(),
            uses,
            span,
            name_span: v.name.span,
        }
    }

    /// The tiers and shares of one `uses` item of program `key`.
    fn shares(
        &mut self,
        key: &str,
        tiers: &[(crate::ast::Ident, crate::span::Spanned<Decimal>)],
        program: Option<&BookProgram>,
        vendor: &str,
    ) -> Vec<(String, Fraction)> {
        let mut out: Vec<(String, Fraction)> = Vec::new();
        for (tier, share) in tiers {
            if out.iter().any(|(t, _)| *t == tier.node) {
                self.errors.errors.push(PortfolioError::DuplicateTier {
                    key: key.to_string(),
                    tier: tier.node.clone(),
                    span: tier.span.into(),
                });
                continue;
            }
            let declared = program.map(|b| &b.program.exposures);
            if !declared.is_some_and(|e| e.iter().any(|x| x.tier == tier.node)) {
                let list: Vec<String> = declared
                    .into_iter()
                    .flatten()
                    .map(|e| format!("`{}`", e.tier))
                    .collect();
                self.errors
                    .errors
                    .push(PortfolioError::TierWithoutExposure {
                        vendor: vendor.to_string(),
                        key: key.to_string(),
                        tier: tier.node.clone(),
                        span: tier.span.into(),
                        help: if list.is_empty() {
                            "the program declares no exposure; add `exposure TIER AMOUNT` to it"
                                .to_string()
                        } else {
                            format!("the program declares {}", list.join(", "))
                        },
                    });
                continue;
            }
            let value = share.node;
            let fraction = value
                .checked_div(Decimal::ONE_HUNDRED)
                .and_then(Fraction::from_decimal);
            match fraction {
                Some(f) if value > Decimal::ZERO && value <= Decimal::ONE_HUNDRED => {
                    out.push((tier.node.clone(), f));
                }
                _ => self.errors.errors.push(PortfolioError::ShareRange {
                    value: value.normalize().to_string(),
                    span: share.span.into(),
                }),
            }
        }
        out
    }
}
