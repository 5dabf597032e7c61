//! Compiling `parametric` covers (spec section 8).

use super::{CompileError, Cx};
use crate::ast::{Direction, ParametricDecl, ParametricItem, ParametricItemKind};
use crate::program::{CarrierShare, ParametricCover, Payout, PayoutStep};
use crate::span::{Span, Spanned};
use crate::time::Duration;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Whether `y` lies on the triggering side of `x` or at it: for `below`, `y <= x`.
fn deeper_or_equal(direction: Direction, y: Decimal, x: Decimal) -> bool {
    match direction {
        Direction::Below => y <= x,
        Direction::Above => y >= x,
    }
}

/// A parametric cover's items as compiled so far.
struct CoverParts<'a> {
    once: BTreeMap<&'static str, Span>,
    index: Option<String>,
    trigger: Option<(Direction, Decimal, Duration)>,
    steps: Vec<(PayoutStep, Span, Option<Direction>)>,
    linear: Option<(Payout, Span, Decimal, Decimal)>,
    aggregate: Option<crate::money::Money>,
    payout_written: bool,
    waiting: Duration,
    carriers: Vec<CarrierShare>,
    carrier_names: super::Names<'a>,
    total_share: Decimal,
}

impl CoverParts<'_> {
    fn new() -> Self {
        CoverParts {
            once: BTreeMap::new(),
            index: None,
            trigger: None,
            steps: Vec::new(),
            linear: None,
            aggregate: None,
            payout_written: false,
            waiting: Duration(0),
            carriers: Vec::new(),
            carrier_names: super::Names::new("carrier"),
            total_share: Decimal::ZERO,
        }
    }
}

impl<'a> Cx {
    fn plain_number(
        &mut self,
        lit: &Spanned<crate::ast::NumberLit>,
        what: &'static str,
    ) -> Option<Decimal> {
        let v = lit.node.value();
        if v.is_none() {
            self.errors
                .push(self.too_large_number(what, lit.span.into()));
        }
        v
    }

    /// Compiles one parametric cover; `None` when it has errors (all reported).
    pub(crate) fn parametric(
        &mut self,
        p: &'a ParametricDecl,
        span: Span,
    ) -> Option<ParametricCover> {
        let errors_before = self.errors.len();
        let name = p.name.node.clone();
        let mut parts = CoverParts::new();
        for item in &p.items {
            self.cover_item(item, &name, &mut parts);
        }
        let name_span = p.name.span;
        if parts.index.is_none() {
            self.errors.push(CompileError::ParametricIncomplete {
                cover: name.clone(),
                what: "index",
                span: name_span.into(),
                help: "add `index \"NAME\"`, the series the scenario's `indices` give",
            });
        }
        if parts.trigger.is_none() && !parts.once.contains_key("trigger") {
            self.errors.push(CompileError::ParametricIncomplete {
                cover: name.clone(),
                what: "trigger",
                span: name_span.into(),
                help: "add `trigger below 0.97 for 24 hours` (or `above X for DURATION`)",
            });
        }
        if !parts.payout_written {
            self.errors.push(CompileError::ParametricIncomplete {
                cover: name.clone(),
                what: "payout",
                span: name_span.into(),
                help: "add `payout 100% of 10M` steps or `payout linear from 10% at X to 100% at Y of N`",
            });
        }
        if let Some((direction, x, _)) = parts.trigger {
            let fmt = |d: Decimal| d.normalize().to_string();
            for (step, span, step_dir) in &parts.steps {
                if let (Some(y), Some(sd)) = (step.when, step_dir) {
                    if *sd != direction || !deeper_or_equal(direction, y, x) {
                        self.errors.push(CompileError::StepSide {
                            direction: sd.keyword(),
                            step: fmt(y),
                            trigger_direction: direction.keyword(),
                            trigger: fmt(x),
                            span: (*span).into(),
                            help: format!(
                                "a step pays more for deeper excursions: write `when {} Y` with Y {} {}",
                                direction.keyword(),
                                if direction == Direction::Below { "at or below" } else { "at or above" },
                                fmt(x)
                            ),
                        });
                    }
                }
            }
            if let Some((_, span, y1, y2)) = &parts.linear {
                // The payout runs from y1 towards deeper values y2.
                if deeper_or_equal(direction, *y1, *y2) {
                    self.errors.push(CompileError::LinearReversed {
                        from: fmt(*y1),
                        to: fmt(*y2),
                        direction: direction.keyword(),
                        span: (*span).into(),
                        help: format!(
                            "for a `{}` trigger the `to` point must lie further {} than the `from` point",
                            direction.keyword(),
                            direction.keyword()
                        ),
                    });
                }
            }
        }
        self.placement("parametric cover", &name, parts.total_share, name_span);
        if self.errors.len() > errors_before {
            return None;
        }
        let (direction, threshold, duration) = parts.trigger?;
        let payout = match parts.linear {
            Some((l, ..)) => l,
            None => Payout::Steps(parts.steps.into_iter().map(|(s, ..)| s).collect()),
        };
        Some(ParametricCover {
            name,
            index: parts.index?,
            direction,
            threshold,
            duration,
            payout,
            aggregate: parts.aggregate,
            waiting: parts.waiting,
            carriers: parts.carriers,
            span,
        })
    }

    /// One item of a parametric cover, into `parts`.
    fn cover_item(&mut self, item: &'a ParametricItem, name: &str, parts: &mut CoverParts<'a>) {
        let key = match &item.kind {
            ParametricItemKind::Index(_) => Some("index"),
            ParametricItemKind::Trigger { .. } => Some("trigger"),
            ParametricItemKind::Aggregate(_) => Some("aggregate"),
            ParametricItemKind::WaitingPeriod(_) => Some("waiting period"),
            _ => None,
        };
        if let Some(k) = key {
            self.once(&mut parts.once, k, item.span);
        }
        match &item.kind {
            ParametricItemKind::Index(s) => parts.index = Some(s.node.clone()),
            ParametricItemKind::Trigger {
                direction,
                threshold,
                duration,
            } => {
                let x = self.plain_number(threshold, "trigger threshold");
                let d = self.duration(duration, "trigger duration");
                if let (Some(x), Some(d)) = (x, d) {
                    parts.trigger = Some((direction.node, x, d));
                }
            }
            ParametricItemKind::Step {
                percent,
                notional,
                when,
            } => {
                parts.payout_written = true;
                if parts.linear.is_some() {
                    self.errors.push(CompileError::MixedPayout {
                        cover: name.to_string(),
                        span: item.span.into(),
                    });
                }
                let fraction = self
                    .fraction(percent, "payout share")
                    .and_then(|f| f.to_decimal());
                let notional = self.positive_money(notional, "notional");
                let threshold = match when {
                    Some((_, y)) => self.plain_number(y, "step threshold"),
                    None => None,
                };
                if let (Some(fraction), Some(notional)) = (fraction, notional) {
                    parts.steps.push((
                        PayoutStep {
                            fraction,
                            notional,
                            when: threshold,
                        },
                        item.span,
                        when.as_ref().map(|(d, _)| d.node),
                    ));
                }
            }
            ParametricItemKind::Linear {
                from_percent,
                from_at,
                to_percent,
                to_at,
                notional,
            } => {
                parts.payout_written = true;
                if parts.linear.is_some() || !parts.steps.is_empty() {
                    self.errors.push(CompileError::MixedPayout {
                        cover: name.to_string(),
                        span: item.span.into(),
                    });
                }
                let f1 = self
                    .fraction(from_percent, "payout share")
                    .and_then(|f| f.to_decimal());
                let f2 = self
                    .fraction(to_percent, "payout share")
                    .and_then(|f| f.to_decimal());
                let y1 = self.plain_number(from_at, "payout point");
                let y2 = self.plain_number(to_at, "payout point");
                let n = self.positive_money(notional, "notional");
                if let (Some(f1), Some(f2), Some(y1), Some(y2), Some(n)) = (f1, f2, y1, y2, n) {
                    parts.linear = Some((
                        Payout::Linear {
                            from_fraction: f1,
                            from_at: y1,
                            to_fraction: f2,
                            to_at: y2,
                            notional: n,
                        },
                        item.span,
                        y1,
                        y2,
                    ));
                }
            }
            ParametricItemKind::Aggregate(a) => {
                parts.aggregate = self.positive_money(a, "parametric aggregate")
            }
            ParametricItemKind::WaitingPeriod(d) => {
                if let Some(d) = self.duration(d, "waiting period") {
                    parts.waiting = d;
                }
            }
            ParametricItemKind::Carrier { name: cname, share } => {
                parts.carrier_names.add(self, &cname.node, cname.span);
                parts.total_share = parts
                    .total_share
                    .checked_add(share.node)
                    .unwrap_or(Decimal::MAX);
                if let Some(f) = self.fraction(share, "carrier share") {
                    parts.carriers.push(CarrierShare {
                        name: cname.node.clone(),
                        share: f,
                        span: item.span,
                    });
                }
            }
        }
    }
}
