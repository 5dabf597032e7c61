//! The compiler's context: the errors and warnings found so far and the program's
//! currency, with the value conversions every item uses (amounts exact in the minor unit,
//! percentages as fractions, durations in whole seconds).

use super::{CompileError, CompileWarning};
use crate::ast::{self, NumberLit};
use crate::money::{Currency, Fraction, Money};
use crate::span::{Span, Spanned};
use crate::time::Duration;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub(crate) struct Cx {
    pub errors: Vec<CompileError>,
    pub warnings: Vec<CompileWarning>,
    pub currency: Currency,
}

pub(crate) fn percent_text(d: Decimal) -> String {
    d.normalize().to_string()
}

impl Cx {
    /// The placement of a layer or cover whose written shares sum to `total` percent:
    /// above 100% an error, below it a warning naming the unplaced share.
    pub(crate) fn placement(&mut self, kind: &'static str, name: &str, total: Decimal, span: Span) {
        if total > Decimal::ONE_HUNDRED {
            self.errors.push(CompileError::Overplaced {
                kind,
                layer: name.to_string(),
                total: percent_text(total),
                span: span.into(),
            });
        } else if total < Decimal::ONE_HUNDRED {
            let unplaced = Decimal::ONE_HUNDRED.checked_sub(total).unwrap_or_default();
            self.warnings.push(CompileWarning::Unplaced {
                kind,
                layer: name.to_string(),
                placed: percent_text(total),
                unplaced: percent_text(unplaced),
                span: span.into(),
            });
        }
    }

    /// Records an item that may be written once; a repeat is `specie::item::duplicate`.
    pub(crate) fn once(
        &mut self,
        seen: &mut BTreeMap<&'static str, Span>,
        key: &'static str,
        span: Span,
    ) {
        if let Some(first) = seen.get(key) {
            self.errors.push(CompileError::DuplicateItem {
                item: key.to_string(),
                span: span.into(),
                first: (*first).into(),
            });
        } else {
            seen.insert(key, span);
        }
    }
    /// `specie::value::overflow` for an amount, naming the largest one in the currency.
    pub(crate) fn too_large_amount(
        &self,
        what: &'static str,
        span: miette::SourceSpan,
    ) -> CompileError {
        CompileError::Overflow {
            what,
            limit: self.currency.largest(),
            span,
        }
    }
    /// `specie::value::overflow` for a number, naming the largest one.
    pub(crate) fn too_large_number(
        &self,
        what: &'static str,
        span: miette::SourceSpan,
    ) -> CompileError {
        CompileError::Overflow {
            what,
            limit: format!(
                "numbers are at most {} with 28 significant digits",
                crate::render::grouped(Decimal::MAX)
            ),
            span,
        }
    }
    /// An amount literal in exact minor units.
    pub(crate) fn money(&mut self, lit: &Spanned<NumberLit>, what: &'static str) -> Option<Money> {
        let Some(value) = lit.node.value() else {
            self.errors
                .push(self.too_large_amount(what, lit.span.into()));
            return None;
        };
        self.money_value(value, lit.span, what)
    }
    pub(crate) fn money_value(
        &mut self,
        value: Decimal,
        span: Span,
        what: &'static str,
    ) -> Option<Money> {
        match self.currency.money_exact(value) {
            Some(m) => Some(m),
            None if value.normalize().scale() > self.currency.minor_units => {
                self.errors.push(CompileError::Precision {
                    value: value.normalize().to_string(),
                    currency: self.currency.code.clone(),
                    decimals: self.currency.minor_units,
                    span: span.into(),
                });
                None
            }
            None => {
                self.errors.push(self.too_large_amount(what, span.into()));
                None
            }
        }
    }
    /// An amount that must be above zero.
    pub(crate) fn positive_money(
        &mut self,
        lit: &Spanned<NumberLit>,
        what: &'static str,
    ) -> Option<Money> {
        let m = self.money(lit, what)?;
        if m.0 <= 0 {
            self.errors.push(CompileError::NotPositive {
                what,
                span: lit.span.into(),
            });
            return None;
        }
        Some(m)
    }
    /// A percentage (as written, `30` for 30%) in 0-100%, as a fraction.
    pub(crate) fn fraction(
        &mut self,
        pct: &Spanned<Decimal>,
        what: &'static str,
    ) -> Option<Fraction> {
        if pct.node < Decimal::ZERO || pct.node > Decimal::ONE_HUNDRED {
            self.errors.push(CompileError::PercentRange {
                what,
                value: percent_text(pct.node),
                span: pct.span.into(),
            });
            return None;
        }
        let frac = pct
            .node
            .checked_div(Decimal::ONE_HUNDRED)
            .and_then(Fraction::from_decimal);
        if frac.is_none() {
            self.errors
                .push(self.too_large_number(what, pct.span.into()));
        }
        frac
    }
    pub(crate) fn duration(
        &mut self,
        d: &Spanned<ast::DurationLit>,
        what: &'static str,
    ) -> Option<Duration> {
        self.duration_at(&d.node, d.span, what)
    }
    /// A written duration in whole seconds, at most [`Duration::MAX`]; else an error.
    pub(crate) fn duration_at(
        &mut self,
        d: &ast::DurationLit,
        span: Span,
        what: &'static str,
    ) -> Option<Duration> {
        let out = d.to_duration();
        if out.is_some() {
            return out;
        }
        let value = format!("{} {}", d.amount, d.unit.name(false));
        self.errors.push(if d.is_too_long() {
            CompileError::DurationTooLong {
                what,
                value,
                span: span.into(),
            }
        } else {
            CompileError::NotWhole {
                what,
                value,
                span: span.into(),
                unit: "seconds",
            }
        });
        None
    }
}
