//! Reinsurance behind the carriers (spec section 9): what each entity cedes and keeps.
//!
//! After an event's replay, every entity's gross is what it paid as a carrier plus what it
//! received as a reinsurer. Entities are visited in the topological order of
//! [`graph::TreatyGraph`]; each entity's treaties apply in inuring order to its amount net
//! of the earlier ones. A quota share cedes round-half-even(share × net); an excess treaty
//! cedes min(max(net − attachment, 0), limit), within its aggregate. The ceded amount is
//! split among the reinsurers by share with the largest-remainder method, and an unplaced
//! share stays with the cedent. All arithmetic is in integer minor units and checked.
//!
//! INVARIANT (tested): for every entity, per event and in total, gross = ceded + net, net is
//! never negative, and the entities' nets sum to what the carriers paid.

pub mod graph;

use crate::money::{share_weights, split_into};
use crate::money::{Currency, Fraction, Money};
use crate::program::{Program, TreatyKind};
use graph::{GraphError, TreatyGraph};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One entity's position after reinsurance, per event or in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityResult {
    /// Entity name.
    pub entity: String,
    /// Paid as a carrier plus received as a reinsurer.
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    /// Ceded to reinsurers (placed shares only).
    #[serde(with = "rust_decimal::serde::str")]
    pub ceded: Decimal,
    /// Kept: gross − ceded.
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    /// The entity's treaties in inuring order.
    pub treaties: Vec<TreatyCession>,
}

/// What one treaty ceded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreatyCession {
    /// Treaty name.
    pub treaty: String,
    /// Ceded to its reinsurers.
    #[serde(with = "rust_decimal::serde::str")]
    pub ceded: Decimal,
    /// Each reinsurer's part, in written order.
    pub reinsurers: Vec<ReinsurerAmount>,
}

/// A reinsurer's part of a cession.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReinsurerAmount {
    /// Reinsurer name.
    pub reinsurer: String,
    /// Amount received.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

/// One entity's position in minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntityOutcome {
    /// Paid as a carrier plus received as a reinsurer.
    pub gross: Money,
    /// Ceded (placed shares).
    pub ceded: Money,
    /// Kept.
    pub net: Money,
    /// Per treaty of the entity, in inuring order: treaty index, ceded, per reinsurer.
    pub treaties: Vec<TreatyOutcome>,
}

/// One treaty's cession in minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreatyOutcome {
    /// Index into [`Program::treaties`].
    pub treaty: usize,
    /// Ceded (sum of `reinsurers`).
    pub ceded: Money,
    /// Per reinsurer, written order.
    pub reinsurers: Vec<Money>,
}

struct TreatyPlan {
    kind: TreatyKind,
    /// Reinsurer weights, then the unplaced weight.
    weights: Vec<i128>,
}

/// A program's treaties compiled once: the entity graph and each treaty's form and
/// reinsurer weights. Shared by every evaluation of the program ([`Reinsurance`]).
pub struct ReinsurancePlan {
    graph: TreatyGraph,
    plans: Vec<TreatyPlan>,
    /// Each treaty's aggregate at the start of the period.
    aggregates: Vec<Option<i64>>,
    /// Every entity's outcome, zero: the totals at the start of the period.
    zero: Vec<EntityOutcome>,
}

/// Evaluates a program's treaties event after event, carrying aggregates and totals.
pub struct Reinsurance {
    plan: std::sync::Arc<ReinsurancePlan>,
    aggregate_left: Vec<Option<i64>>,
    totals: Vec<EntityOutcome>,
    parts: Vec<i64>,
    scratch: Vec<(i128, usize)>,
}

impl ReinsurancePlan {
    /// The plan of `program`'s treaties; an error when they cede in a circle.
    pub fn new(program: &Program) -> Result<ReinsurancePlan, GraphError> {
        let graph = TreatyGraph::new(program)?;
        let plans = program
            .treaties
            .iter()
            .map(|t| {
                let shares: Vec<Fraction> = t.reinsurers.iter().map(|r| r.share).collect();
                TreatyPlan {
                    kind: t.form.clone(),
                    // INVARIANT: compiled shares sum to at most 100%; if the weights could
                    // not be formed, nothing is placed rather than panicking.
                    weights: share_weights(&shares).unwrap_or_else(|| {
                        let mut w = vec![0; shares.len()];
                        w.push(1);
                        w
                    }),
                }
            })
            .collect();
        let zero = Self::empty(&graph, program);
        Ok(ReinsurancePlan {
            aggregates: program
                .treaties
                .iter()
                .map(|t| t.aggregate.map(|m| m.0))
                .collect(),
            graph,
            plans,
            zero,
        })
    }

    fn empty(graph: &TreatyGraph, program: &Program) -> Vec<EntityOutcome> {
        graph
            .treaties_of
            .iter()
            .map(|ts| EntityOutcome {
                treaties: ts
                    .iter()
                    .map(|t| TreatyOutcome {
                        treaty: *t,
                        ceded: Money::ZERO,
                        reinsurers: vec![
                            Money::ZERO;
                            program.treaties.get(*t).map_or(0, |x| x.reinsurers.len())
                        ],
                    })
                    .collect(),
                ..EntityOutcome::default()
            })
            .collect()
    }

    /// The graph: entity names and evaluation order.
    pub fn graph(&self) -> &TreatyGraph {
        &self.graph
    }

    /// Index of an entity by name.
    pub fn entity_index(&self, name: &str) -> Option<usize> {
        self.graph.entities.iter().position(|e| e == name)
    }

    /// The public form of entity outcomes.
    pub fn results(&self, program: &Program, outcomes: &[EntityOutcome]) -> Vec<EntityResult> {
        results(&self.graph.entities, program, &program.currency, outcomes)
    }
}

impl Reinsurance {
    /// A fresh evaluator of `program`'s treaties: every aggregate full, totals zero.
    pub fn new(program: &Program) -> Result<Reinsurance, GraphError> {
        Ok(Reinsurance::with_plan(std::sync::Arc::new(
            ReinsurancePlan::new(program)?,
        )))
    }

    /// A fresh evaluator of a shared plan.
    pub fn with_plan(plan: std::sync::Arc<ReinsurancePlan>) -> Reinsurance {
        Reinsurance {
            aggregate_left: plan.aggregates.clone(),
            totals: plan.zero.clone(),
            plan,
            parts: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The graph: entity names and evaluation order.
    pub fn graph(&self) -> &TreatyGraph {
        &self.plan.graph
    }

    /// Index of an entity by name.
    pub fn entity_index(&self, name: &str) -> Option<usize> {
        self.plan.entity_index(name)
    }

    /// Back to the start of the period: aggregates full, totals zero.
    pub fn reset(&mut self) {
        self.aggregate_left.clone_from(&self.plan.aggregates);
        self.totals.clone_from(&self.plan.zero);
    }

    /// Applies the treaties to one event. `direct[e]` is what entity `e` paid as a carrier;
    /// `out` receives every entity's position. `None` on arithmetic overflow.
    pub fn evaluate(&mut self, direct: &[Money], out: &mut Vec<EntityOutcome>) -> Option<()> {
        let plan = &*self.plan;
        let n = plan.graph.entities.len();
        out.resize_with(n, EntityOutcome::default);
        for (e, o) in out.iter_mut().enumerate() {
            o.gross = direct.get(e).copied().unwrap_or_default();
            o.ceded = Money::ZERO;
            o.net = Money::ZERO;
            o.treaties.clear();
        }
        for &e in &plan.graph.order {
            let gross = out.get(e)?.gross.0;
            let mut net = gross;
            let mut cessions = Vec::with_capacity(plan.graph.treaties_of.get(e)?.len());
            for &t in plan.graph.treaties_of.get(e)? {
                let treaty = plan.plans.get(t)?;
                let mut amount = match &treaty.kind {
                    TreatyKind::QuotaShare(f) => f.apply(Money(net))?.0,
                    TreatyKind::Excess { limit, attachment } => {
                        net.checked_sub(attachment.0)?.max(0).min(limit.0)
                    }
                };
                // INVARIANT: 0 <= amount <= net: a share is at most 100% and an excess
                // treaty's attachment is not negative.
                amount = amount.clamp(0, net.max(0));
                if let Some(left) = self.aggregate_left.get_mut(t)?.as_mut() {
                    amount = amount.min((*left).max(0));
                    *left = left.checked_sub(amount)?;
                }
                split_into(amount, &treaty.weights, &mut self.parts, &mut self.scratch)?;
                let rs = plan.graph.reinsurers.get(t)?;
                let mut placed = 0i64;
                let mut parts = Vec::with_capacity(rs.len());
                for (&r, &part) in rs.iter().zip(&self.parts) {
                    let o = out.get_mut(r)?;
                    o.gross = o.gross.checked_add(Money(part))?;
                    placed = placed.checked_add(part)?;
                    parts.push(Money(part));
                }
                net = net.checked_sub(placed)?;
                cessions.push(TreatyOutcome {
                    treaty: t,
                    ceded: Money(placed),
                    reinsurers: parts,
                });
            }
            let o = out.get_mut(e)?;
            o.net = Money(net);
            o.ceded = Money(gross.checked_sub(net)?);
            o.treaties = cessions;
        }
        self.accumulate(out)
    }

    fn accumulate(&mut self, out: &[EntityOutcome]) -> Option<()> {
        for (t, o) in self.totals.iter_mut().zip(out) {
            t.gross = t.gross.checked_add(o.gross)?;
            t.ceded = t.ceded.checked_add(o.ceded)?;
            t.net = t.net.checked_add(o.net)?;
            for (tt, to) in t.treaties.iter_mut().zip(&o.treaties) {
                tt.ceded = tt.ceded.checked_add(to.ceded)?;
                for (a, b) in tt.reinsurers.iter_mut().zip(&to.reinsurers) {
                    *a = a.checked_add(*b)?;
                }
            }
        }
        Some(())
    }

    /// Totals so far, in minor units.
    pub fn totals(&self) -> &[EntityOutcome] {
        &self.totals
    }

    /// The public form of entity outcomes.
    pub fn results(&self, program: &Program, outcomes: &[EntityOutcome]) -> Vec<EntityResult> {
        self.plan.results(program, outcomes)
    }
}

/// The public form of entity outcomes (`entities[e]` names `outcomes[e]`).
pub fn results(
    entities: &[String],
    program: &Program,
    currency: &Currency,
    outcomes: &[EntityOutcome],
) -> Vec<EntityResult> {
    entities
        .iter()
        .zip(outcomes)
        .map(|(name, o)| EntityResult {
            entity: name.clone(),
            gross: currency.decimal(o.gross),
            ceded: currency.decimal(o.ceded),
            net: currency.decimal(o.net),
            treaties: o
                .treaties
                .iter()
                .filter_map(|t| {
                    let treaty = program.treaties.get(t.treaty)?;
                    Some(TreatyCession {
                        treaty: treaty.name.clone(),
                        ceded: currency.decimal(t.ceded),
                        reinsurers: treaty
                            .reinsurers
                            .iter()
                            .zip(&t.reinsurers)
                            .map(|(r, m)| ReinsurerAmount {
                                reinsurer: r.name.clone(),
                                amount: currency.decimal(*m),
                            })
                            .collect(),
                    })
                })
                .collect(),
        })
        .collect()
}
