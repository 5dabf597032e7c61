//! Compiling `parametric` covers (spec section 8).

use super::{CompileError, Cx};
use crate::ast::{Direction, ParametricDecl, ParametricItemKind};
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

impl Cx {
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
    pub(crate) fn parametric(&mut self, p: &ParametricDecl, span: Span) -> Option<ParametricCover> {
        let errors_before = self.errors.len();
        let name = p.name.node.clone();
        let mut once: BTreeMap<&'static str, Span> = BTreeMap::new();
        let mut index = None;
        let mut trigger: Option<(Direction, Decimal, Duration)> = None;
        let mut steps: Vec<(PayoutStep, Span, Option<Direction>)> = Vec::new();
        let mut linear: Option<(Payout, Span, Decimal, Decimal)> = None;
        let mut aggregate = None;
        let mut payout_written = false;
        let mut waiting = Duration(0);
        let mut carriers = Vec::new();
        let mut carrier_names = super::Names::new("carrier");
        let mut total_share = Decimal::ZERO;
        for item in &p.items {
            let key = match &item.kind {
                ParametricItemKind::Index(_) => Some("index"),
                ParametricItemKind::Trigger { .. } => Some("trigger"),
                ParametricItemKind::Aggregate(_) => Some("aggregate"),
                ParametricItemKind::WaitingPeriod(_) => Some("waiting period"),
                _ => None,
            };
            if let Some(k) = key {
                self.once(&mut once, k, item.span);
            }
            match &item.kind {
                ParametricItemKind::Index(s) => index = Some(s.node.clone()),
                ParametricItemKind::Trigger {
                    direction,
                    threshold,
                    duration,
                } => {
                    let x = self.plain_number(threshold, "trigger threshold");
                    let d = self.duration(duration, "trigger duration");
                    if let (Some(x), Some(d)) = (x, d) {
                        trigger = Some((direction.node, x, d));
                    }
                }
                ParametricItemKind::Step {
                    percent,
                    notional,
                    when,
                } => {
                    payout_written = true;
                    if linear.is_some() {
                        self.errors.push(CompileError::MixedPayout {
                            cover: name.clone(),
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
                        steps.push((
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
                    payout_written = true;
                    if linear.is_some() || !steps.is_empty() {
                        self.errors.push(CompileError::MixedPayout {
                            cover: name.clone(),
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
                        linear = Some((
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
                    aggregate = self.positive_money(a, "parametric aggregate")
                }
                ParametricItemKind::WaitingPeriod(d) => {
                    if let Some(d) = self.duration(d, "waiting period") {
                        waiting = d;
                    }
                }
                ParametricItemKind::Carrier { name: cname, share } => {
                    carrier_names.add(self, &cname.node, cname.span);
                    total_share = total_share.checked_add(share.node).unwrap_or(Decimal::MAX);
                    if let Some(f) = self.fraction(share, "carrier share") {
                        carriers.push(CarrierShare {
                            name: cname.node.clone(),
                            share: f,
                            span: item.span,
                        });
                    }
                }
            }
        }
        let name_span = p.name.span;
        if index.is_none() {
            self.errors.push(CompileError::ParametricIncomplete {
                cover: name.clone(),
                what: "index",
                span: name_span.into(),
                help: "add `index \"NAME\"`, the series the scenario's `indices` give",
            });
        }
        if trigger.is_none() && !once.contains_key("trigger") {
            self.errors.push(CompileError::ParametricIncomplete {
                cover: name.clone(),
                what: "trigger",
                span: name_span.into(),
                help: "add `trigger below 0.97 for 24 hours` (or `above X for DURATION`)",
            });
        }
        if !payout_written {
            self.errors.push(CompileError::ParametricIncomplete {
                cover: name.clone(),
                what: "payout",
                span: name_span.into(),
                help: "add `payout 100% of 10M` steps or `payout linear from 10% at X to 100% at Y of N`",
            });
        }
        if let Some((direction, x, _)) = trigger {
            let fmt = |d: Decimal| d.normalize().to_string();
            for (step, span, step_dir) in &steps {
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
            if let Some((_, span, y1, y2)) = &linear {
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
        self.placement("parametric cover", &name, total_share, name_span);
        if self.errors.len() > errors_before {
            return None;
        }
        let (direction, threshold, duration) = trigger?;
        let payout = match linear {
            Some((l, ..)) => l,
            None => Payout::Steps(steps.into_iter().map(|(s, ..)| s).collect()),
        };
        Some(ParametricCover {
            name,
            index: index?,
            direction,
            threshold,
            duration,
            payout,
            aggregate,
            waiting,
            carriers,
            span,
        })
    }
}
