//! `specie tower PORTFOLIO`: each carrier's and treaty entity's lines across the book, and
//! per vendor the most each carrier could pay on one breach of it (spec section 15).
//!
//! Conventions (also in `docs/decisions.md`):
//! - an entity's book line is the sum over programs of its program lines (`specie tower`
//!   of each program: per occurrence, in aggregate — unlimited when any is —, assumed, net);
//! - a vendor's maximum is replayed, not estimated: every program using the vendor gets one
//!   event losing its whole dependent exposure (damage 100% of each `uses` tier, so
//!   exposure × share), of cause `vendor_breach` (or the `cause` option), at the program's
//!   period start, attributes at their defaults, on fresh aggregates; each carrier's
//!   payments are summed over the programs;
//! - `specie::book::vendor_concentration`: a carrier whose vendor maximum is more than the
//!   threshold share (default 50%) of its per-occurrence line over the book;
//! - `specie::book::vendor_reach`: a vendor reaching more than half of the book's programs.

pub mod svg;
pub mod text;

use super::book::{BookProgram, Portfolio, Uses, Vendor};
use super::scenario::{expand_into, Damage, RawVendorEvent};
use crate::money::{Fraction, Money};
use crate::replay::ReplayError;
use crate::scenario::Scenario;
use crate::tower::findings::{Finding, Level};
use crate::tower::TowerError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Code of a carrier whose vendor maximum is a large share of its book line.
pub const VENDOR_CONCENTRATION: &str = "specie::book::vendor_concentration";
/// Code of a vendor reaching more than half of the book.
pub const VENDOR_REACH: &str = "specie::book::vendor_reach";

/// Options of the book's tower view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookTowerOptions {
    /// Flag a carrier whose vendor maximum is more than this share of its book line.
    pub concentration: Fraction,
    /// The cause of the synthetic vendor events.
    pub cause: String,
}

impl Default for BookTowerOptions {
    fn default() -> BookTowerOptions {
        BookTowerOptions {
            concentration: Fraction { num: 50, scale: 2 },
            cause: "vendor_breach".to_string(),
        }
    }
}

/// The book's tower view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookTower {
    /// The book's name.
    pub portfolio: String,
    /// The book's currency.
    pub currency: String,
    /// The programs' keys, in book order.
    pub programs: Vec<String>,
    /// Every carrier and treaty entity, in order of first appearance over the programs.
    pub entities: Vec<BookLine>,
    /// Every vendor, in written order, with what one breach of it could cost each carrier.
    pub vendors: Vec<VendorMaximum>,
    /// Findings, in a stable order (vendors in written order, then carriers).
    pub findings: Vec<Finding>,
}

/// An entity's lines over the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookLine {
    /// The carrier or treaty entity.
    pub entity: String,
    /// The most it pays as a carrier in one occurrence of every program at once.
    #[serde(with = "rust_decimal::serde::str")]
    pub occurrence: Decimal,
    /// The most it pays as a carrier over the programs' periods; `null` when unlimited in
    /// some program.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub aggregate: Option<Decimal>,
    /// Received as a reinsurer at a loss filling every program's tower.
    #[serde(with = "rust_decimal::serde::str")]
    pub assumed: Decimal,
    /// Kept after its own treaties at such a loss.
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    /// Its line in each program naming it, in book order.
    pub programs: Vec<ProgramLine>,
}

/// An entity's line in one program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramLine {
    /// The program's key.
    pub program: String,
    /// Per occurrence.
    #[serde(with = "rust_decimal::serde::str")]
    pub occurrence: Decimal,
    /// Over the period; `null` when unlimited.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub aggregate: Option<Decimal>,
}

/// What one breach of a vendor could cost: every dependent losing its whole dependent
/// exposure, replayed through each program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorMaximum {
    /// The vendor.
    pub vendor: String,
    /// The dependent exposure over the book (the ground-up of the breach).
    #[serde(with = "rust_decimal::serde::str")]
    pub exposure: Decimal,
    /// Paid over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Each program using the vendor, in written order.
    pub programs: Vec<VendorProgramMaximum>,
    /// Each carrier of those programs: its maximum and the share of its book line.
    pub carriers: Vec<VendorCarrierMaximum>,
}

/// A vendor's breach in one program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorProgramMaximum {
    /// The program's key.
    pub program: String,
    /// Its dependent exposure.
    #[serde(with = "rust_decimal::serde::str")]
    pub exposure: Decimal,
    /// Paid by its carriers.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
}

/// A carrier's maximum on one vendor's breach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorCarrierMaximum {
    /// The carrier.
    pub carrier: String,
    /// Paid over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Programs in which it paid more than zero.
    pub programs: u32,
    /// `paid` as a percentage of its per-occurrence line over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub share_of_line: Decimal,
}

/// Why the book's tower view cannot be built.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BookTowerError {
    /// A program's own tower analysis failed.
    #[error("program `{program}`: {source}")]
    #[diagnostic(code(specie::book::program))]
    Program {
        /// The program's key.
        program: String,
        /// The error.
        source: Box<TowerError>,
    },
    /// A vendor's synthetic event could not be replayed.
    #[error("vendor `{vendor}` in program `{program}`: {problem}")]
    #[diagnostic(code(specie::book::vendor))]
    Vendor {
        /// The vendor.
        vendor: String,
        /// The program's key.
        program: String,
        /// What failed.
        problem: String,
    },
}

/// The view as pretty JSON, findings as located diagnostics in the portfolio file `file`
/// whose text is `src` (the shape of `specie check --format json`).
pub fn json_document(tower: &BookTower, file: &str, src: &str) -> String {
    let Ok(mut value) = serde_json::to_value(tower) else {
        return String::new();
    };
    let findings: Vec<_> = tower
        .findings
        .iter()
        .map(|f| crate::diagnostic::to_json(f, file, src))
        .collect();
    if let (Some(obj), Ok(f)) = (value.as_object_mut(), serde_json::to_value(findings)) {
        obj.insert("findings".to_string(), f);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Builds the book's tower view.
pub fn book_tower(
    portfolio: &Portfolio,
    options: &BookTowerOptions,
) -> Result<BookTower, BookTowerError> {
    let zero = portfolio.currency.decimal(Money::ZERO);
    let entities = lines(portfolio, zero)?;
    let mut vendors = Vec::with_capacity(portfolio.vendors.len());
    for v in &portfolio.vendors {
        vendors.push(vendor_maximum(portfolio, v, &entities, options, zero)?);
    }
    let findings = findings(portfolio, &vendors, options);
    Ok(BookTower {
        portfolio: portfolio.name.clone(),
        currency: portfolio.currency.code.clone(),
        programs: portfolio.programs.iter().map(|p| p.key.clone()).collect(),
        entities,
        vendors,
        findings,
    })
}

/// `a + b`. INVARIANT: amounts are at most `i64::MAX` minor units each and a book holds a
/// few thousand programs at most: far below `Decimal::MAX`.
fn add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(Decimal::MAX)
}

/// Every entity's lines summed over the programs' own tower analyses.
fn lines(portfolio: &Portfolio, zero: Decimal) -> Result<Vec<BookLine>, BookTowerError> {
    let mut out: Vec<BookLine> = Vec::new();
    for book in &portfolio.programs {
        let t = crate::tower::analyse(&book.program, &Default::default()).map_err(|e| {
            BookTowerError::Program {
                program: book.key.clone(),
                source: Box::new(e),
            }
        })?;
        for e in t.entities {
            let at = match out.iter().position(|x| x.entity == e.entity) {
                Some(i) => i,
                None => {
                    out.push(BookLine {
                        entity: e.entity.clone(),
                        occurrence: zero,
                        aggregate: Some(zero),
                        assumed: zero,
                        net: zero,
                        programs: Vec::new(),
                    });
                    out.len().saturating_sub(1)
                }
            };
            let Some(x) = out.get_mut(at) else { continue };
            x.occurrence = add(x.occurrence, e.max_line);
            x.aggregate = x.aggregate.zip(e.max_aggregate).map(|(a, b)| add(a, b));
            x.assumed = add(x.assumed, e.assumed);
            x.net = add(x.net, e.max_net);
            if !e.max_line.is_zero() || e.max_aggregate != Some(zero) {
                x.programs.push(ProgramLine {
                    program: book.key.clone(),
                    occurrence: e.max_line,
                    aggregate: e.max_aggregate,
                });
            }
        }
    }
    Ok(out)
}

/// The synthetic breach of `vendor` in one program: its whole dependent exposure lost at
/// the period start.
fn whole_loss(
    book: &BookProgram,
    uses: &Uses,
    vendor: &Vendor,
    cause: &str,
) -> Result<Option<Scenario>, String> {
    let start = book.program.period.start.to_string();
    let v = RawVendorEvent {
        id: Cow::Owned(vendor.name.clone()),
        vendor: Cow::Owned(vendor.name.clone()),
        cause: Cow::Owned(cause.to_string()),
        occurred: Cow::Owned(start),
        discovered: None,
        damage: Damage::All("100%".to_string()),
        attributes: Default::default(),
    };
    Ok(expand_into(book, uses, &v)?.map(|event| Scenario {
        name: format!("whole dependent exposure to `{}`", vendor.name),
        notes: None,
        currency: None,
        prices: Default::default(),
        indices: Default::default(),
        events: vec![event],
    }))
}

/// What one breach of `vendor` could cost each carrier over the book.
fn vendor_maximum(
    portfolio: &Portfolio,
    vendor: &Vendor,
    lines: &[BookLine],
    options: &BookTowerOptions,
    zero: Decimal,
) -> Result<VendorMaximum, BookTowerError> {
    let mut out = VendorMaximum {
        vendor: vendor.name.clone(),
        exposure: zero,
        paid: zero,
        programs: Vec::new(),
        carriers: Vec::new(),
    };
    for uses in &vendor.uses {
        let Some(book) = portfolio.programs.get(uses.program) else {
            continue;
        };
        let failed = |problem: String| BookTowerError::Vendor {
            vendor: vendor.name.clone(),
            program: book.key.clone(),
            problem,
        };
        let Some(scenario) = whole_loss(book, uses, vendor, &options.cause).map_err(failed)? else {
            continue;
        };
        let r = crate::replay::replay(&book.program, &scenario)
            .map_err(|e: ReplayError| failed(e.to_string()))?;
        let Some(e) = r.events.first() else { continue };
        out.exposure = add(out.exposure, e.ground_up);
        out.paid = add(out.paid, e.paid);
        out.programs.push(VendorProgramMaximum {
            program: book.key.clone(),
            exposure: e.ground_up,
            paid: e.paid,
        });
        add_carriers(&mut out.carriers, e, zero);
    }
    for c in &mut out.carriers {
        let line = lines
            .iter()
            .find(|l| l.entity == c.carrier)
            .map_or(zero, |l| l.occurrence);
        c.share_of_line = percent(c.paid, line);
    }
    Ok(out)
}

/// Adds an event's carrier payments (summed over its layers) to a vendor's carriers.
fn add_carriers(
    carriers: &mut Vec<VendorCarrierMaximum>,
    e: &crate::replay::EventResult,
    zero: Decimal,
) {
    let mut here: Vec<(&str, Decimal)> = Vec::new();
    for c in e.layers.iter().flat_map(|l| &l.carriers) {
        match here.iter_mut().find(|(n, _)| *n == c.carrier) {
            Some(x) => x.1 = add(x.1, c.paid),
            None => here.push((&c.carrier, c.paid)),
        }
    }
    for (name, paid) in here {
        let at = match carriers.iter().position(|x| x.carrier == name) {
            Some(i) => i,
            None => {
                carriers.push(VendorCarrierMaximum {
                    carrier: name.to_string(),
                    paid: zero,
                    programs: 0,
                    share_of_line: Decimal::ZERO,
                });
                carriers.len().saturating_sub(1)
            }
        };
        let Some(x) = carriers.get_mut(at) else {
            continue;
        };
        x.paid = add(x.paid, paid);
        if !paid.is_zero() {
            x.programs = x.programs.saturating_add(1);
        }
    }
}

/// `part` as a percentage of `whole`, two decimals half-even; 0 for a zero whole.
fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(whole))
        .map_or(Decimal::ZERO, |x| {
            x.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven)
                .normalize()
        })
}

/// The book's findings: per vendor in written order, its reach, then its carriers.
fn findings(
    portfolio: &Portfolio,
    vendors: &[VendorMaximum],
    options: &BookTowerOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let n = portfolio.programs.len();
    let threshold = options.concentration.to_decimal().unwrap_or(Decimal::ONE);
    let threshold_pct = threshold
        .checked_mul(Decimal::ONE_HUNDRED)
        .unwrap_or(Decimal::ONE_HUNDRED)
        .normalize();
    for (v, decl) in vendors.iter().zip(&portfolio.vendors) {
        let reached = decl.uses.len();
        if reached.saturating_mul(2) > n {
            out.push(
                Finding::new(
                    VENDOR_REACH,
                    Level::Warning,
                    format!(
                        "vendor `{}` reaches {reached} of the book's {n} programs: one breach is a loss to most of the book",
                        v.vendor
                    ),
                )
                .help("model its breach as a vendor event (`specie replay PORTFOLIO SCENARIO`) and check each carrier's clash")
                .at(decl.name_span, "used by most of the book"),
            );
        }
        for c in &v.carriers {
            if c.share_of_line > threshold_pct {
                out.push(
                    Finding::new(
                        VENDOR_CONCENTRATION,
                        Level::Warning,
                        format!(
                            "one breach of vendor `{}` could cost `{}` {} ({}% of its per-occurrence line over the book, above {threshold_pct}%), paying in {} programs",
                            v.vendor,
                            c.carrier,
                            crate::render::grouped(c.paid),
                            c.share_of_line,
                            c.programs
                        ),
                    )
                    .help("the line is per program; one vendor breach reaches several programs at once")
                    .at(decl.name_span, "this vendor"),
                );
            }
        }
    }
    out
}
