//! Program items: each item of a `program` block checked and converted into its part of
//! the [`Program`], in the order the brief's rules need (the currency first, then
//! attributes and covered causes, then everything that refers to them).

use super::condition;
use super::{
    CompileError, CompileWarning, Cx, Names, MAX_CLAUSES, MAX_LAYERS, STANDARD_CAUSES,
    STANDARD_TIERS,
};
use crate::ast::{self, AmountOrPercent, Basis, ItemKind, LayerItemKind};
use crate::money::{Currency, Money};
use crate::program::*;
use crate::span::{Span, Spanned};
use crate::suggest::did_you_mean;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What the items of a program block have shown so far: names of each kind (for
/// duplicates), what is compiled last, and the items whose use depends on the basis.
struct Seen<'a> {
    period: bool,
    window: Option<Span>,
    retroactive: Option<Span>,
    sublimit_names: Names<'a>,
    deductible_names: Names<'a>,
    exclusion_names: Names<'a>,
    layer_names: Names<'a>,
    parametric_names: Names<'a>,
    check_names: Names<'a>,
    exposure_tiers: Names<'a>,
    checks: Vec<(&'a ast::CheckDecl, Span)>,
    treaties: Vec<(&'a ast::TreatyDecl, Span)>,
}

impl Seen<'_> {
    fn new() -> Self {
        Seen {
            period: false,
            window: None,
            retroactive: None,
            sublimit_names: Names::new("sub-limit"),
            deductible_names: Names::new("deductible"),
            exclusion_names: Names::new("exclusion"),
            layer_names: Names::new("layer"),
            parametric_names: Names::new("parametric cover"),
            check_names: Names::new("check"),
            exposure_tiers: Names::new("exposure tier"),
            checks: Vec::new(),
            treaties: Vec::new(),
        }
    }
}

impl<'a> Cx {
    pub(super) fn tier(&mut self, tier: &Spanned<String>) {
        if !STANDARD_TIERS.contains(&tier.node.as_str()) {
            let help = match did_you_mean(&tier.node, STANDARD_TIERS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "replay treats any tier name as written; checks and tower analysis know hot, warm and cold".to_string(),
            };
            self.warnings.push(CompileWarning::UnknownTier {
                tier: tier.node.clone(),
                span: tier.span.into(),
                help,
            });
        }
    }
    /// Compiles a `program` block: the currency first (every amount depends on it), then
    /// attributes and covered causes (conditions refer to them wherever they are written),
    /// then every other item in written order, then what needs them all (the tower,
    /// treaties, checks).
    pub(super) fn program(&mut self, decl: &'a ast::ProgramDecl) -> Option<Program> {
        let name_span = decl.name.span;
        self.check_counts(decl);
        Names::new("program").add(self, &decl.name.node, name_span);
        self.single_items(decl);
        self.program_currency(decl);
        let mut program = Program::empty(decl.name.node.clone(), self.currency.clone());
        self.attributes_and_covers(decl, &mut program);
        let mut seen = Seen::new();
        for item in &decl.items {
            self.item(item, &mut program, &mut seen);
        }
        if !seen.period {
            self.errors.push(CompileError::MissingPeriod {
                program: decl.name.node.clone(),
                span: name_span.into(),
            });
        }
        self.basis_notes(program.basis, &seen);
        self.tower(&mut program.layers, decl, name_span);
        self.treaties(&seen.treaties, &mut program);
        program.currency = self.currency.clone();
        for (c, span) in seen.checks {
            if let Some(check) = self.check(c, span, &program) {
                program.checks.push(check);
            }
        }
        Some(program)
    }

    /// Items that may be written once: a repeat is `specie::item::duplicate`.
    fn single_items(&mut self, decl: &ast::ProgramDecl) {
        let mut singles: BTreeMap<&'static str, Span> = BTreeMap::new();
        for item in &decl.items {
            let key = match &item.kind {
                ItemKind::Insured(_) => "insured",
                ItemKind::Currency(_) => "currency",
                ItemKind::Period { .. } => "period",
                ItemKind::Basis(_) => "basis",
                ItemKind::DiscoveryWindow(_) => "discovery window",
                ItemKind::OccurrenceWindow(_) => "occurrence window",
                ItemKind::Retroactive(_) => "retroactive",
                ItemKind::Valuation(_) => "valuation",
                ItemKind::Covers(_) => "covers",
                ItemKind::Coinsurance(_) => "coinsurance",
                _ => continue,
            };
            self.once(&mut singles, key, item.span);
        }
    }

    /// The program's currency (the first `currency` item), USD when none is written.
    fn program_currency(&mut self, decl: &ast::ProgramDecl) {
        let Some(code) = decl.items.iter().find_map(|i| match &i.kind {
            ItemKind::Currency(code) => Some(code),
            _ => None,
        }) else {
            return;
        };
        match Currency::from_code(&code.node) {
            Some(c) => self.currency = c,
            None => {
                let codes = crate::money::CURRENCIES.iter().map(|(c, _)| *c);
                let help = match did_you_mean(&code.node, codes) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "use an ISO 4217 code such as USD, EUR, GBP, CHF or JPY; crypto assets are assets, not currencies".to_string(),
                };
                self.errors.push(CompileError::UnknownCurrency {
                    code: code.node.clone(),
                    span: code.span.into(),
                    help,
                });
            }
        }
    }

    /// Attributes and covered causes, which conditions refer to wherever they are written.
    fn attributes_and_covers(&mut self, decl: &ast::ProgramDecl, program: &mut Program) {
        let mut attr_names = Names::new("attribute");
        for item in &decl.items {
            match &item.kind {
                ItemKind::Attribute(a) => {
                    attr_names.add(self, &a.name.node, a.name.span);
                    if let Some(attr) = self.attribute(a) {
                        program.attributes.push(attr);
                    }
                }
                ItemKind::Covers(causes) => program.covers = Some(self.covers(causes)),
                _ => {}
            }
        }
    }

    /// The causes of `covers`, each once; a repeat or a cause outside the standard
    /// vocabulary draws a warning.
    fn covers(&mut self, causes: &[Spanned<String>]) -> Vec<String> {
        let mut seen: Vec<&str> = Vec::new();
        for c in causes {
            if seen.contains(&c.node.as_str()) {
                self.warnings.push(CompileWarning::DuplicateSymbol {
                    symbol: c.node.clone(),
                    span: c.span.into(),
                });
                continue;
            }
            seen.push(&c.node);
            if !STANDARD_CAUSES.contains(&c.node.as_str()) {
                let help = match did_you_mean(&c.node, STANDARD_CAUSES.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "events must spell it exactly; standard causes are {}",
                        STANDARD_CAUSES.join(", ")
                    ),
                };
                self.warnings.push(CompileWarning::UnknownCause {
                    cause: c.node.clone(),
                    problem: "is not a standard cause of loss",
                    span: c.span.into(),
                    help,
                });
            }
        }
        seen.iter().map(|s| (*s).to_string()).collect()
    }

    /// One item of the program block (attributes, covers and the currency are read before).
    fn item(&mut self, item: &'a ast::Item, program: &mut Program, seen: &mut Seen<'a>) {
        match &item.kind {
            ItemKind::Insured(s) => program.insured = Some(s.node.clone()),
            ItemKind::Currency(_) | ItemKind::Attribute(_) => {}
            ItemKind::Period { start, end } => {
                seen.period = true;
                if end.node <= start.node {
                    self.errors.push(CompileError::PeriodOrder {
                        start: start.node.to_string(),
                        end: end.node.to_string(),
                        span: start.span.join(end.span).into(),
                    });
                }
                program.period = Period {
                    start: start.node.midnight(),
                    end: end.node.midnight(),
                };
            }
            ItemKind::Basis(b) => program.basis = b.node,
            ItemKind::DiscoveryWindow(d) => {
                seen.window = Some(item.span);
                if let Some(d) = self.duration(d, "discovery window") {
                    program.discovery_window = d;
                }
            }
            ItemKind::OccurrenceWindow(d) => {
                if let Some(d) = self.duration(d, "occurrence window") {
                    program.occurrence_window = Some(d);
                }
            }
            ItemKind::Retroactive(d) => {
                seen.retroactive = Some(item.span);
                program.retroactive = Some(d.node.midnight());
            }
            ItemKind::Valuation(v) => program.valuation = v.node,
            ItemKind::Exposure { tier, amount } => {
                self.tier(tier);
                seen.exposure_tiers.add(self, &tier.node, tier.span);
                if let Some(m) = self.money(amount, "exposure") {
                    program.exposures.push(Exposure {
                        tier: tier.node.clone(),
                        amount: m,
                        span: item.span,
                    });
                }
            }
            ItemKind::Covers(_) => program.covers_span = Some(item.span),
            ItemKind::Coinsurance(p) => program.coinsurance = self.fraction(p, "coinsurance"),
            ItemKind::Allow(code) => self.allow(code, program),
            ItemKind::Check(c) => {
                seen.check_names.add(self, &c.name.node, c.name.span);
                seen.checks.push((c, item.span));
            }
            ItemKind::Treaty(t) => seen.treaties.push((t, item.span)),
            _ => self.clause_item(item, program, seen),
        }
    }

    /// A sub-limit, deductible, exclusion, layer or parametric cover.
    fn clause_item(&mut self, item: &'a ast::Item, program: &mut Program, seen: &mut Seen<'a>) {
        match &item.kind {
            ItemKind::Sublimit(s) => {
                seen.sublimit_names.add(self, &s.name.node, s.name.span);
                if let Some(sl) = self.sublimit(s, item.span, program) {
                    program.sublimits.push(sl);
                }
            }
            ItemKind::Deductible(d) => {
                let (name, span) = match &d.name {
                    Some(n) => (n.node.as_str(), n.span),
                    None => ("deductible", d.amount.span),
                };
                seen.deductible_names.add(self, name, span);
                if let Some(dd) = self.deductible(d, name.to_string(), item.span, program) {
                    program.deductibles.push(dd);
                }
            }
            ItemKind::Exclude(e) => {
                seen.exclusion_names.add(self, &e.name.node, e.name.span);
                if let Some(c) = self.condition(&e.condition, program, condition::Scope::Line) {
                    program.exclusions.push(Exclusion {
                        name: e.name.node.clone(),
                        condition: c,
                        span: item.span,
                    });
                }
            }
            ItemKind::Layer(l) => {
                seen.layer_names.add(self, &l.name.node, l.name.span);
                if let Some(layer) = self.layer(l, item.span, program) {
                    program.layers.push(layer);
                }
            }
            ItemKind::Parametric(p) => {
                seen.parametric_names.add(self, &p.name.node, p.name.span);
                if let Some(cover) = self.parametric(p, item.span) {
                    program.parametric.push(cover);
                }
            }
            _ => {}
        }
    }

    /// `allow CODE`: kept, and a code no finding has draws a warning.
    fn allow(&mut self, code: &Spanned<String>, program: &mut Program) {
        let codes = crate::vocabulary::FINDING_CODES;
        if !codes.contains(&code.node.as_str()) {
            let help = match did_you_mean(&code.node, codes.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("finding codes are: {}", codes.join(", ")),
            };
            self.warnings.push(CompileWarning::UnknownAllow {
                code: code.node.clone(),
                span: code.span.into(),
                help,
            });
        }
        program.allows.push(code.node.clone());
    }

    /// Items that have no effect on the program's basis draw a warning.
    fn basis_notes(&mut self, basis: Basis, seen: &Seen<'_>) {
        match (basis, seen.window, seen.retroactive) {
            (Basis::Discovery, Some(span), _) => {
                self.warnings.push(CompileWarning::NotApplicable {
                    item: "discovery window",
                    basis: "discovery",
                    span: span.into(),
                    help: "on a discovery basis the event must be discovered within the period; use `retroactive DATE` to limit occurrences",
                });
            }
            (Basis::Occurrence, _, Some(span)) => {
                self.warnings.push(CompileWarning::NotApplicable {
                    item: "retroactive",
                    basis: "occurrence",
                    span: span.into(),
                    help: "on an occurrence basis the event must occur within the period; `retroactive` applies to `basis discovery`",
                });
            }
            _ => {}
        }
    }
    fn check_counts(&mut self, decl: &ast::ProgramDecl) {
        let mut layers = 0usize;
        let mut clauses = 0usize;
        for item in &decl.items {
            match &item.kind {
                ItemKind::Layer(l) => {
                    layers = layers.saturating_add(1);
                    clauses = clauses.saturating_add(
                        l.items
                            .iter()
                            .filter(|i| matches!(i.kind, LayerItemKind::Exclude(_)))
                            .count(),
                    );
                }
                ItemKind::Sublimit(_)
                | ItemKind::Deductible(_)
                | ItemKind::Exclude(_)
                | ItemKind::Treaty(_) => {
                    clauses = clauses.saturating_add(1);
                }
                _ => {}
            }
        }
        for (what, count, limit) in [
            ("layers", layers, MAX_LAYERS),
            ("clauses", clauses, MAX_CLAUSES),
        ] {
            if count > limit {
                self.errors.push(CompileError::TooMany {
                    what,
                    count,
                    limit,
                    span: decl.name.span.into(),
                });
            }
        }
    }
    fn attribute(&mut self, a: &ast::AttributeDecl) -> Option<Attribute> {
        if condition::BUILTIN_FIELDS.contains(&a.name.node.as_str()) {
            self.errors.push(CompileError::AttributeShadowsField {
                name: a.name.node.clone(),
                span: a.name.span.into(),
            });
            return None;
        }
        let default = match &a.default {
            None => None,
            Some(lit) => {
                let ty = condition::Ty::from(a.ty.node);
                match self.literal_value(lit, ty) {
                    Ok(v) => Some(v),
                    Err(Some(found)) => {
                        self.errors.push(CompileError::AttributeDefault {
                            name: a.name.node.clone(),
                            ty: ty.name(),
                            found,
                            span: lit.span.into(),
                            help: format!("a {} is written like {}", ty.name(), ty.example()),
                        });
                        return None;
                    }
                    Err(None) => return None,
                }
            }
        };
        Some(Attribute {
            name: a.name.node.clone(),
            ty: a.ty.node,
            default,
            span: a.name.span.join(a.ty.span),
        })
    }
    fn sublimit(
        &mut self,
        s: &ast::SublimitDecl,
        span: Span,
        program: &Program,
    ) -> Option<Sublimit> {
        let per = match &s.per_occurrence {
            Some(p) => Some(self.positive_money(p, "sub-limit per occurrence")?),
            None => None,
        };
        let agg = match &s.aggregate {
            Some(a) => Some(self.positive_money(a, "sub-limit aggregate")?),
            None => None,
        };
        let condition = match &s.condition {
            Some(c) => Some(self.condition(c, program, condition::Scope::Line)?),
            None => None,
        };
        Some(Sublimit {
            name: s.name.node.clone(),
            per_occurrence: per,
            aggregate: agg,
            condition,
            span,
        })
    }
    fn deductible(
        &mut self,
        d: &ast::DeductibleDecl,
        name: String,
        span: Span,
        program: &Program,
    ) -> Option<Deductible> {
        let min = match &d.min {
            Some(m) => self.money(m, "deductible minimum"),
            None => None,
        };
        let max = match &d.max {
            Some(m) => self.money(m, "deductible maximum"),
            None => None,
        };
        let amount = match &d.amount.node {
            AmountOrPercent::Amount(lit) => {
                for (word, given) in [("min", &d.min), ("max", &d.max)] {
                    if let Some(g) = given {
                        self.errors.push(CompileError::MinMaxOnFlat {
                            word,
                            span: g.span.into(),
                        });
                    }
                }
                let m = self.money(&Spanned::new(*lit, d.amount.span), "deductible")?;
                DeductibleAmount::Flat(m)
            }
            AmountOrPercent::Percent(p) => {
                if let Some(f) = d.franchise {
                    self.errors
                        .push(CompileError::FranchiseNotFlat { span: f.into() });
                }
                let rate =
                    self.fraction(&Spanned::new(*p, d.amount.span), "deductible percentage")?;
                if let (Some(lo), Some(hi), Some(lo_lit), Some(hi_lit)) = (min, max, &d.min, &d.max)
                {
                    if lo > hi {
                        self.errors.push(CompileError::MinAboveMax {
                            min: self.currency.display(lo),
                            max: self.currency.display(hi),
                            span: lo_lit.span.into(),
                            max_span: hi_lit.span.into(),
                        });
                    }
                }
                DeductibleAmount::Percent { rate, min, max }
            }
        };
        let aggregate = match &d.aggregate {
            Some(a) => Some(self.positive_money(a, "deductible aggregate")?),
            None => None,
        };
        let condition = match &d.condition {
            Some(c) => Some(self.condition(c, program, condition::Scope::Line)?),
            None => None,
        };
        Some(Deductible {
            name,
            amount,
            franchise: d.franchise.is_some(),
            aggregate,
            condition,
            span,
        })
    }
    fn layer(&mut self, l: &ast::LayerDecl, span: Span, program: &Program) -> Option<Layer> {
        let limit = self.positive_money(&l.limit, "layer limit");
        let attachment = self.money(&l.attachment, "attachment");
        let mut layer = Layer {
            name: l.name.node.clone(),
            limit: limit.unwrap_or(Money::ZERO),
            attachment: attachment.unwrap_or(Money::ZERO),
            aggregate: None,
            reinstatements: Vec::new(),
            pro_rata_as_to_time: false,
            premium: None,
            carriers: Vec::new(),
            exclusions: Vec::new(),
            span,
        };
        let mut singles: BTreeMap<&'static str, Span> = BTreeMap::new();
        let mut carriers = Names::new("carrier");
        let mut exclusions = Names::new("layer exclusion");
        let mut total_share = Decimal::ZERO;
        for item in &l.items {
            let key = match &item.kind {
                LayerItemKind::Aggregate(_) => Some("aggregate"),
                LayerItemKind::Reinstatements { .. } => Some("reinstatements"),
                LayerItemKind::Premium(_) => Some("premium"),
                _ => None,
            };
            if let Some(key) = key {
                self.once(&mut singles, key, item.span);
            }
            match &item.kind {
                LayerItemKind::Aggregate(a) => {
                    layer.aggregate = self.positive_money(a, "layer aggregate");
                }
                LayerItemKind::Reinstatements { list, pro_rata } => {
                    layer.pro_rata_as_to_time = pro_rata.is_some();
                    for r in list {
                        if r.count.node == 0 {
                            self.errors.push(CompileError::NotPositive {
                                what: "number of reinstatements",
                                span: r.count.span.into(),
                            });
                        }
                        if let Some(rate) = self.fraction(&r.rate, "reinstatement rate") {
                            layer.reinstatements.push(Reinstatement {
                                count: r.count.node,
                                rate,
                            });
                        }
                    }
                }
                LayerItemKind::Premium(p) => {
                    layer.premium = self.money(p, "premium");
                }
                LayerItemKind::Carrier { name, share } => {
                    carriers.add(self, &name.node, name.span);
                    total_share = total_share.checked_add(share.node).unwrap_or(Decimal::MAX);
                    if let Some(f) = self.fraction(share, "carrier share") {
                        layer.carriers.push(CarrierShare {
                            name: name.node.clone(),
                            share: f,
                            span: item.span,
                        });
                    }
                }
                LayerItemKind::Exclude(e) => {
                    exclusions.add(self, &e.name.node, e.name.span);
                    if let Some(c) = self.condition(&e.condition, program, condition::Scope::Event)
                    {
                        layer.exclusions.push(Exclusion {
                            name: e.name.node.clone(),
                            condition: c,
                            span: item.span,
                        });
                    }
                }
            }
        }
        self.placement("layer", &l.name.node, total_share, l.name.span);
        if layer.exhaustion().is_none()
            || (!layer.reinstatements.is_empty() && layer.effective_aggregate().is_none())
        {
            self.errors
                .push(self.too_large_amount("layer top or aggregate", l.name.span.into()));
        }
        // A layer with a valid band still takes part in the tower checks; the errors
        // recorded above keep the program from compiling.
        (limit.is_some() && attachment.is_some()).then_some(layer)
    }
}
