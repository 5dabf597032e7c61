//! Compiling `check` blocks (spec section 10).

use super::condition::Scope;
use super::{CompileError, Cx};
use crate::ast::{self, Bound, CheckItemKind, Metric};
use crate::money::Money;
use crate::program::{
    Check, CheckBound, CheckMetric, Condition, Expectation, Field, Program, SymbolField, Value,
};
use crate::span::{Span, Spanned};
use crate::suggest::did_you_mean;
use std::cmp::Ordering;

/// Most events in one sequence check (`events N with …`): each case is built in memory.
pub const MAX_CHECK_EVENTS: u32 = 1_000;

fn reads_value(c: &Condition) -> bool {
    match c {
        Condition::Or(cs) | Condition::And(cs) => cs.iter().any(reads_value),
        Condition::Not(c) => reads_value(c),
        Condition::Compare { field, .. } | Condition::Flag(field) => *field == Field::Value,
        Condition::Symbol { .. } => false,
    }
}

/// Whether `c` holds for an event of `cause` with one line of `tier`, attributes `attrs`,
/// occurring and discovered at `at` (a check's synthetic event).
fn holds(
    c: &Condition,
    cause: &str,
    tier: &str,
    attrs: &[Value],
    at: crate::time::Instant,
) -> bool {
    match c {
        Condition::Or(cs) => cs.iter().any(|c| holds(c, cause, tier, attrs, at)),
        Condition::And(cs) => cs.iter().all(|c| holds(c, cause, tier, attrs, at)),
        Condition::Not(c) => !holds(c, cause, tier, attrs, at),
        Condition::Symbol {
            field,
            negated,
            symbols,
        } => match field {
            SymbolField::Cause => symbols.iter().any(|s| s == cause) != *negated,
            SymbolField::Tier => symbols.iter().any(|s| s == tier) != *negated,
            // The synthetic line is an amount, not an asset.
            SymbolField::Asset => *negated,
        },
        Condition::Compare { field, op, value } => {
            let v = match field {
                Field::Occurred | Field::Discovered => Some(Value::Instant(at)),
                Field::TimeToDiscovery => Some(Value::Duration(crate::time::Duration(0))),
                Field::Attribute(i) => attrs.get(*i).cloned(),
                Field::Value => None,
            };
            let ord = v.as_ref().and_then(|v| {
                v.partial_cmp(value)
                    .filter(|_| std::mem::discriminant(v) == std::mem::discriminant(value))
            });
            match ord {
                Some(o) => match op {
                    ast::CmpOp::Lt => o == Ordering::Less,
                    ast::CmpOp::Le => o != Ordering::Greater,
                    ast::CmpOp::Gt => o == Ordering::Greater,
                    ast::CmpOp::Ge => o != Ordering::Less,
                    ast::CmpOp::Eq => o == Ordering::Equal,
                    ast::CmpOp::Ne => o != Ordering::Equal,
                },
                None => false,
            }
        }
        Condition::Flag(Field::Attribute(i)) => matches!(attrs.get(*i), Some(Value::Flag(true))),
        Condition::Flag(_) => false,
    }
}

/// A check's items as compiled: its event condition (with the number of events), loss
/// range, attribute settings and expectations, and which once-only items were written.
#[derive(Default)]
struct CheckParts {
    event: Option<(u32, Condition, Span)>,
    loss: Option<(Money, Money)>,
    with: Vec<(usize, Value)>,
    expects: Vec<Expectation>,
    seen: std::collections::BTreeMap<&'static str, Span>,
}

impl Cx {
    fn check_shape(&mut self, check: &ast::CheckDecl, problem: String, help: &'static str) {
        self.errors.push(CompileError::CheckShape {
            check: check.name.node.clone(),
            problem,
            span: check.name.span.into(),
            help,
        });
    }

    /// Compiles one check against the finished `program`; `None` when it has errors.
    pub(crate) fn check(
        &mut self,
        c: &ast::CheckDecl,
        span: Span,
        program: &Program,
    ) -> Option<Check> {
        let before = self.errors.len();
        let CheckParts {
            event,
            loss,
            with,
            expects,
            seen: once,
        } = self.check_items(c, program);
        if event.is_none() && !once.contains_key("event") {
            self.check_shape(
                c,
                "has no `event` or `events` item".to_string(),
                "add `event tier is hot` (or `events 2 with …`)",
            );
        }
        if loss.is_none() && !once.contains_key("loss") {
            self.check_shape(
                c,
                "has no `loss` item".to_string(),
                "add `loss up to 40M` or `loss from 1M to 500M`",
            );
        }
        if expects.is_empty()
            && !c
                .items
                .iter()
                .any(|i| matches!(i.kind, CheckItemKind::Expect { .. }))
        {
            self.check_shape(
                c,
                "has no `expect` item".to_string(),
                "add `expect uncovered <= 2.5M`",
            );
        }
        let attrs = self.check_attributes(c, program, &with)?;
        if self.errors.len() > before {
            return None;
        }
        let (events, condition, cond_span) = event?;
        let (loss_from, loss_to) = loss?;
        let (causes, tiers) = program.check_space(&condition);
        let at = program.period.start;
        let combinations: Vec<(String, String)> = causes
            .iter()
            .flat_map(|cause| tiers.iter().map(move |tier| (cause.clone(), tier.clone())))
            .filter(|(cause, tier)| holds(&condition, cause, tier, &attrs, at))
            .collect();
        if combinations.is_empty() {
            self.errors.push(CompileError::EmptyEventSpace {
                check: c.name.node.clone(),
                span: cond_span.into(),
            });
            return None;
        }
        Some(Check {
            name: c.name.node.clone(),
            events,
            condition,
            combinations,
            loss_from,
            loss_to,
            with,
            expects,
            span,
        })
    }

    /// The items of a check, each compiled (errors recorded as they are found).
    fn check_items(&mut self, c: &ast::CheckDecl, program: &Program) -> CheckParts {
        let mut parts = CheckParts::default();
        for item in &c.items {
            match &item.kind {
                CheckItemKind::Event(cond)
                | CheckItemKind::Events {
                    condition: cond, ..
                } => {
                    self.once(&mut parts.seen, "event", item.span);
                    let count = match &item.kind {
                        CheckItemKind::Events { count, .. } => count.node,
                        _ => 1,
                    };
                    if count == 0 {
                        self.errors.push(CompileError::NotPositive {
                            what: "number of events",
                            span: item.span.into(),
                        });
                    } else if count > MAX_CHECK_EVENTS {
                        self.errors.push(CompileError::CheckEvents {
                            count: u64::from(count),
                            limit: MAX_CHECK_EVENTS,
                            span: item.span.into(),
                        });
                    }
                    if let Some(compiled) = self.condition(cond, program, Scope::Line) {
                        if reads_value(&compiled) {
                            self.check_shape(
                                c,
                                "tests `value` in its event condition".to_string(),
                                "the `loss` item sets the value; describe the event by cause, tier and attributes",
                            );
                        }
                        parts.event = Some((count, compiled, cond.span));
                    }
                }
                CheckItemKind::Loss { from, to, .. } => {
                    self.once(&mut parts.seen, "loss", item.span);
                    let hi = self.money(to, "loss bound");
                    let lo = match from {
                        Some(f) => self.money(f, "loss bound"),
                        None => Some(Money(1)),
                    };
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        if lo > hi || hi.0 <= 0 {
                            self.errors.push(CompileError::LossRange {
                                from: self.currency.display(lo),
                                to: self.currency.display(hi),
                                span: item.span.into(),
                            });
                        }
                        parts.loss = Some((lo, hi));
                    }
                }
                CheckItemKind::With { name, value } => {
                    if let Some(set) = self.attribute_setting(program, name, value) {
                        parts.with.push(set);
                    }
                }
                CheckItemKind::Expect { metric, op, bound } => {
                    if let Some(e) = self.expectation(metric, op.node, bound, item.span, program) {
                        parts.expects.push(e);
                    }
                }
            }
        }
        parts
    }

    /// The attribute values of a check's synthetic events: `with`, else the default; an
    /// attribute with neither is an error.
    fn check_attributes(
        &mut self,
        c: &ast::CheckDecl,
        program: &Program,
        with: &[(usize, Value)],
    ) -> Option<Vec<Value>> {
        let mut attrs = Vec::with_capacity(program.attributes.len());
        for (i, a) in program.attributes.iter().enumerate() {
            match with
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, v)| v.clone())
                .or_else(|| a.default.clone())
            {
                Some(v) => attrs.push(v),
                None => {
                    self.check_shape(
                        c,
                        format!(
                            "needs a value for attribute `{}`, which has no default",
                            a.name
                        ),
                        "set it with `with NAME = VALUE`",
                    );
                    return None;
                }
            }
        }
        Some(attrs)
    }

    fn expectation(
        &mut self,
        metric: &Spanned<Metric>,
        op: ast::CmpOp,
        bound: &Spanned<Bound>,
        span: Span,
        program: &Program,
    ) -> Option<Expectation> {
        let unknown = |cx: &mut Cx, kind: &'static str, name: &str, names: Vec<&str>| {
            let help = did_you_mean(name, names.iter().copied()).map_or(
                format!("{kind}s of this program: {}", names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            cx.errors.push(CompileError::CheckUnknownName {
                kind,
                name: name.to_string(),
                span: metric.span.into(),
                help,
            });
        };
        let m = match &metric.node {
            Metric::Paid => CheckMetric::Paid,
            Metric::Retained => CheckMetric::Retained,
            Metric::Uncovered(r) => CheckMetric::Uncovered(r.clone()),
            Metric::CarrierPaid(name) => {
                let names: Vec<&str> = program
                    .layers
                    .iter()
                    .flat_map(|l| l.carriers.iter().map(|c| c.name.as_str()))
                    .collect();
                if !names.contains(&name.as_str()) {
                    unknown(self, "carrier", name, names);
                    return None;
                }
                CheckMetric::CarrierPaid(name.clone())
            }
            Metric::LayerPaid(name) => match program.layers.iter().position(|l| l.name == *name) {
                Some(i) => CheckMetric::LayerPaid(i),
                None => {
                    let names = program.layers.iter().map(|l| l.name.as_str()).collect();
                    unknown(self, "layer", name, names);
                    return None;
                }
            },
        };
        let b = match &bound.node {
            Bound::Amount(a) => {
                CheckBound::Amount(self.money(&Spanned::new(*a, bound.span), "bound")?)
            }
            Bound::ShareOfLoss(p) => CheckBound::ShareOfLoss(
                self.fraction(&Spanned::new(*p, bound.span), "share of loss")?,
            ),
        };
        Some(Expectation {
            metric: m,
            op,
            bound: b,
            span,
        })
    }
}

impl Cx {
    /// `with NAME = VALUE`: the attribute's index and its typed value, or `None` after
    /// reporting an unknown attribute or a value of the wrong type.
    pub(crate) fn attribute_setting(
        &mut self,
        program: &Program,
        name: &crate::ast::Ident,
        value: &Spanned<crate::ast::Literal>,
    ) -> Option<(usize, Value)> {
        let Some(idx) = program.attributes.iter().position(|a| a.name == name.node) else {
            let help = did_you_mean(
                &name.node,
                program.attributes.iter().map(|a| a.name.as_str()),
            )
            .map_or("declare it with `attribute NAME: TYPE`".to_string(), |s| {
                format!("did you mean `{s}`?")
            });
            self.errors.push(CompileError::UnknownField {
                name: name.node.clone(),
                span: name.span.into(),
                help,
            });
            return None;
        };
        let ty = program
            .attributes
            .get(idx)
            .map(|a| super::condition::Ty::from(a.ty))?;
        self.typed_value(&name.node, value, ty).map(|v| (idx, v))
    }
}
