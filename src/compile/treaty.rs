//! Compiling `treaty` items (spec section 9) and checking the treaty graph.

use super::{percent_text, CompileError, CompileWarning, Cx, Names};
use crate::ast::{TreatyDecl, TreatyForm, TreatyItemKind};
use crate::program::{CarrierShare, Program, Treaty, TreatyKind};
use crate::reinsurance::graph::{GraphError, TreatyGraph};
use crate::span::Span;
use crate::suggest::did_you_mean;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// A treaty compiled on its own, before names are resolved across treaties.
struct Draft<'a> {
    treaty: Treaty,
    decl: &'a TreatyDecl,
    cedent_span: Span,
}

impl Cx {
    /// Compiles every treaty and checks cedents, inuring order and the graph's acyclicity.
    /// Must run after the tower and parametric covers are compiled (cedents are carriers).
    pub(crate) fn treaties(&mut self, decls: &[(&TreatyDecl, Span)], program: &mut Program) {
        let mut names = Names::new("treaty");
        let mut drafts = Vec::with_capacity(decls.len());
        for (d, span) in decls {
            names.add(self, &d.name.node, d.name.span);
            if let Some(draft) = self.treaty(d, *span) {
                drafts.push(draft);
            }
        }
        if drafts.len() != decls.len() {
            return;
        }
        let errors_before = self.errors.len();
        self.cedents(&drafts, program);
        let resolved = self.inuring(&drafts);
        program.treaties = drafts
            .into_iter()
            .zip(resolved)
            .map(|(d, after)| Treaty {
                inures_after: after,
                ..d.treaty
            })
            .collect();
        if self.errors.len() > errors_before {
            return;
        }
        self.treaty_graph(program);
    }

    /// Each treaty's cedent is a carrier of the tower or of a parametric cover, or a
    /// reinsurer of a treaty.
    fn cedents(&mut self, drafts: &[Draft<'_>], program: &Program) {
        // Entities a cedent may be: carriers of the tower or of a parametric cover, and
        // reinsurers of any treaty.
        let mut entities: Vec<&str> = Vec::new();
        for c in program
            .layers
            .iter()
            .flat_map(|l| &l.carriers)
            .chain(program.parametric.iter().flat_map(|p| &p.carriers))
            .chain(drafts.iter().flat_map(|d| &d.treaty.reinsurers))
        {
            if !entities.contains(&c.name.as_str()) {
                entities.push(&c.name);
            }
        }
        for d in drafts {
            if !entities.contains(&d.treaty.cedent.as_str()) {
                let help = match did_you_mean(&d.treaty.cedent, entities.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a cedent is a `carrier` of a layer or a `reinsurer` of another treaty"
                        .to_string(),
                };
                self.errors.push(CompileError::UnknownCedent {
                    treaty: d.treaty.name.clone(),
                    cedent: d.treaty.cedent.clone(),
                    span: d.cedent_span.into(),
                    help,
                });
            }
        }
    }

    /// Each treaty's `inures after` list, resolved to treaty indices: unknown names and
    /// treaties of another cedent are errors.
    fn inuring(&mut self, drafts: &[Draft<'_>]) -> Vec<Vec<usize>> {
        let by_name: HashMap<&str, usize> = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.treaty.name.as_str(), i))
            .collect();
        let mut resolved: Vec<Vec<usize>> = Vec::with_capacity(drafts.len());
        for d in drafts {
            let mut after = Vec::new();
            for item in &d.decl.items {
                let TreatyItemKind::InuresAfter(list) = &item.kind else {
                    continue;
                };
                for n in list {
                    match by_name.get(n.node.as_str()) {
                        None => {
                            let help = match did_you_mean(&n.node, by_name.keys().copied()) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => "name a treaty of the same cedent".to_string(),
                            };
                            self.errors.push(CompileError::UnknownTreaty {
                                name: n.node.clone(),
                                span: n.span.into(),
                                help,
                            });
                        }
                        Some(&j) => {
                            let other = drafts.get(j).map(|o| &o.treaty);
                            match other {
                                Some(o) if o.cedent != d.treaty.cedent => {
                                    self.errors.push(CompileError::InuresOtherCedent {
                                        treaty: d.treaty.name.clone(),
                                        cedent: d.treaty.cedent.clone(),
                                        other: o.name.clone(),
                                        other_cedent: o.cedent.clone(),
                                        span: n.span.into(),
                                    })
                                }
                                _ => after.push(j),
                            }
                        }
                    }
                }
            }
            resolved.push(after);
        }
        resolved
    }

    /// The treaty graph must have no cycle of cessions and no cycle of inuring order.
    fn treaty_graph(&mut self, program: &Program) {
        match TreatyGraph::new(program) {
            Ok(_) => {}
            Err(GraphError::Cycle { mut steps }) => {
                // Start the description at the earliest-written treaty on the circle.
                if let Some(first) = steps
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, (_, t))| *t)
                    .map(|(k, _)| k)
                {
                    steps.rotate_left(first);
                }
                let mut path = String::new();
                let mut labels = Vec::new();
                let count = steps.len();
                for (k, (entity, t)) in steps.iter().enumerate() {
                    let Some(treaty) = program.treaties.get(*t) else {
                        continue;
                    };
                    let next = steps
                        .get(k.saturating_add(1).checked_rem(count).unwrap_or(0))
                        .map_or(entity.as_str(), |(e, _)| e.as_str());
                    if k > 0 {
                        path.push_str(", ");
                    }
                    path.push_str(&format!(
                        "`{entity}` cedes to `{next}` by `{}`",
                        treaty.name
                    ));
                    labels.push(miette::LabeledSpan::new_with_span(
                        Some(format!("`{entity}` cedes to `{next}`")),
                        treaty.span,
                    ));
                }
                self.errors.push(CompileError::TreatyCycle {
                    path,
                    treaties: labels,
                });
            }
            Err(GraphError::InuringCycle { treaties }) => {
                let first = treaties.first().and_then(|t| program.treaties.get(*t));
                self.errors.push(CompileError::InuringCycle {
                    cedent: first.map(|t| t.cedent.clone()).unwrap_or_default(),
                    treaties: treaties
                        .iter()
                        .filter_map(|t| program.treaties.get(*t))
                        .map(|t| format!("`{}`", t.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    span: first.map(|t| t.span).unwrap_or_default().into(),
                });
            }
        }
    }

    fn treaty<'a>(&mut self, d: &'a TreatyDecl, span: Span) -> Option<Draft<'a>> {
        let errors_before = self.errors.len();
        let name = d.name.node.clone();
        let form = match &d.form {
            TreatyForm::QuotaShare(p) => {
                self.fraction(p, "quota share").map(TreatyKind::QuotaShare)
            }
            TreatyForm::Excess { limit, attachment } => {
                let l = self.positive_money(limit, "treaty limit");
                let a = self.money(attachment, "treaty attachment");
                if a.is_some_and(|m| m.0 < 0) {
                    self.errors.push(CompileError::NotPositive {
                        what: "treaty attachment",
                        span: attachment.span.into(),
                    });
                }
                match (l, a) {
                    (Some(limit), Some(attachment)) => {
                        Some(TreatyKind::Excess { limit, attachment })
                    }
                    _ => None,
                }
            }
        };
        let mut once: BTreeMap<&'static str, Span> = BTreeMap::new();
        let mut cedent: Option<(String, Span)> = None;
        let mut aggregate = None;
        let mut reinsurers = Vec::new();
        let mut reinsurer_names = Names::new("reinsurer");
        let mut total_share = Decimal::ZERO;
        for item in &d.items {
            match &item.kind {
                TreatyItemKind::Cedent(c) => {
                    self.once(&mut once, "cedent", item.span);
                    cedent = Some((c.node.clone(), c.span));
                }
                TreatyItemKind::Aggregate(a) => {
                    self.once(&mut once, "aggregate", item.span);
                    aggregate = self.positive_money(a, "treaty aggregate");
                }
                TreatyItemKind::Reinsurer { name: r, share } => {
                    reinsurer_names.add(self, &r.node, r.span);
                    total_share = total_share.checked_add(share.node).unwrap_or(Decimal::MAX);
                    if let Some(f) = self.fraction(share, "reinsurer share") {
                        reinsurers.push(CarrierShare {
                            name: r.node.clone(),
                            share: f,
                            span: item.span,
                        });
                    }
                }
                TreatyItemKind::InuresAfter(_) => {}
            }
        }
        if cedent.is_none() {
            self.errors.push(CompileError::TreatyIncomplete {
                treaty: name.clone(),
                what: "cedent",
                span: d.name.span.into(),
                help: "add `cedent \"NAME\"`: the carrier or reinsurer that cedes",
            });
        }
        if d.items
            .iter()
            .all(|i| !matches!(i.kind, TreatyItemKind::Reinsurer { .. }))
        {
            self.errors.push(CompileError::TreatyIncomplete {
                treaty: name.clone(),
                what: "reinsurer",
                span: d.name.span.into(),
                help: "add `reinsurer \"NAME\" P%` for each reinsurer and its share",
            });
        }
        let cedent_name = cedent.as_ref().map(|c| c.0.clone()).unwrap_or_default();
        if total_share > Decimal::ONE_HUNDRED {
            self.errors.push(CompileError::Overplaced {
                kind: "treaty",
                layer: name.clone(),
                total: percent_text(total_share),
                span: d.name.span.into(),
            });
        } else if total_share < Decimal::ONE_HUNDRED && !reinsurers.is_empty() {
            let unplaced = Decimal::ONE_HUNDRED
                .checked_sub(total_share)
                .unwrap_or_default();
            self.warnings.push(CompileWarning::TreatyUnplaced {
                treaty: name.clone(),
                cedent: cedent_name.clone(),
                placed: percent_text(total_share),
                unplaced: percent_text(unplaced),
                span: d.name.span.into(),
            });
        }
        if self.errors.len() > errors_before {
            return None;
        }
        let (cedent, cedent_span) = cedent?;
        Some(Draft {
            treaty: Treaty {
                name,
                cedent,
                form: form?,
                aggregate,
                reinsurers,
                inures_after: Vec::new(),
                span,
            },
            decl: d,
            cedent_span,
        })
    }
}
