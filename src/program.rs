//! The compiled, validated program: what replay and analysis work from.
//!
//! Produced by [`crate::compile`]; every name is resolved, every condition type-checked,
//! every amount converted to exact minor units of the program currency. Each clause keeps
//! the [`Span`] of its source text for explanations.

use crate::ast::{AttrType, Basis, CmpOp, Direction, Valuation};
use crate::money::{Currency, Fraction, Money};
use crate::span::Span;
use crate::time::{Duration, Instant};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A compiled program (spec section 3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// The program's name.
    pub name: String,
    /// The insured, if named.
    pub insured: Option<String>,
    /// Program currency.
    pub currency: Currency,
    /// Policy period: start inclusive, end exclusive.
    pub period: Period,
    /// Occurrence or discovery basis.
    pub basis: Basis,
    /// Extra time after the period end to discover occurrences (occurrence basis).
    pub discovery_window: Duration,
    /// The hours clause (`occurrence window DURATION`, spec section 11.1): events of one
    /// cause within it of a group's first event are one occurrence.
    #[serde(default)]
    pub occurrence_window: Option<Duration>,
    /// Earliest occurrence covered (discovery basis).
    pub retroactive: Option<Instant>,
    /// Which instant prices assets.
    pub valuation: Valuation,
    /// Declared event attributes, in written order.
    pub attributes: Vec<Attribute>,
    /// Declared storage-tier exposures.
    pub exposures: Vec<Exposure>,
    /// Covered causes; `None` means every cause.
    pub covers: Option<Vec<String>>,
    /// Sub-limits in written order.
    pub sublimits: Vec<Sublimit>,
    /// Deductibles in written order.
    pub deductibles: Vec<Deductible>,
    /// Share of the loss after deductibles the insured keeps.
    pub coinsurance: Option<Fraction>,
    /// Program exclusions in written order.
    pub exclusions: Vec<Exclusion>,
    /// The tower, ordered by attachment (then written order).
    pub layers: Vec<Layer>,
    /// Parametric covers in written order (spec section 8).
    pub parametric: Vec<ParametricCover>,
    /// Checks the program promises (spec section 10).
    pub checks: Vec<Check>,
    /// Reinsurance treaties behind the carriers, in written order (spec section 9).
    #[serde(default)]
    pub treaties: Vec<Treaty>,
    /// Finding codes silenced with `allow`, with the span of each `allow` item.
    pub allows: Vec<String>,
    /// Source text of the `covers` item, when written.
    #[serde(default)]
    pub covers_span: Option<Span>,
}

impl Program {
    /// A program with a name and a currency and nothing else: the compiler's start.
    pub(crate) fn empty(name: String, currency: Currency) -> Program {
        Program {
            name,
            insured: None,
            currency,
            period: Period {
                start: Instant(0),
                end: Instant(0),
            },
            basis: Basis::Occurrence,
            discovery_window: Duration(0),
            occurrence_window: None,
            retroactive: None,
            valuation: Valuation::AtLoss,
            attributes: Vec::new(),
            exposures: Vec::new(),
            covers: None,
            sublimits: Vec::new(),
            deductibles: Vec::new(),
            coinsurance: None,
            exclusions: Vec::new(),
            layers: Vec::new(),
            parametric: Vec::new(),
            checks: Vec::new(),
            treaties: Vec::new(),
            allows: Vec::new(),
            covers_span: None,
        }
    }

    /// The causes the program covers: its `covers`, or every standard cause when it has
    /// none (then every cause is covered). What the tower analysis and generated events
    /// walk.
    pub fn covered_causes(&self) -> Vec<String> {
        match &self.covers {
            Some(c) if !c.is_empty() => c.clone(),
            _ => crate::vocabulary::STANDARD_CAUSES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
        }
    }

    /// The tiers the program holds assets in: its exposures, else the standard tiers.
    pub fn held_tiers(&self) -> Vec<String> {
        if self.exposures.is_empty() {
            return crate::vocabulary::STANDARD_TIERS
                .iter()
                .map(|s| (*s).to_string())
                .collect();
        }
        self.exposures.iter().map(|e| e.tier.clone()).collect()
    }

    /// The causes and tiers of the single events a check with event condition `c` walks
    /// (brief section 10): causes from `covers`, or every cause the program's conditions
    /// (and `c`) name, else the standard causes; tiers from the exposures and the
    /// conditions of sub-limits, deductibles, exclusions and `c`, else the standard tiers.
    pub fn check_space(&self, c: &Condition) -> (Vec<String>, Vec<String>) {
        let mut causes: Vec<String> = self.covers.clone().unwrap_or_default();
        if causes.is_empty() {
            for x in self.clause_conditions().chain(std::iter::once(c)) {
                x.symbols_named(SymbolField::Cause, &mut causes);
            }
        }
        if causes.is_empty() {
            causes = self.covered_causes();
        }
        let mut tiers: Vec<String> = self.exposures.iter().map(|e| e.tier.clone()).collect();
        let line_clauses = self
            .sublimits
            .iter()
            .filter_map(|s| s.condition.as_ref())
            .chain(self.deductibles.iter().filter_map(|d| d.condition.as_ref()))
            .chain(self.exclusions.iter().map(|e| &e.condition));
        for x in line_clauses.chain(std::iter::once(c)) {
            x.symbols_named(SymbolField::Tier, &mut tiers);
        }
        if tiers.is_empty() {
            tiers = self.held_tiers();
        }
        (causes, tiers)
    }

    /// The program's carriers in tower order, each once (as results and totals list them),
    /// and, per layer, the position of each of its carriers in that list.
    pub fn carrier_list(&self) -> CarrierList {
        let mut names: Vec<String> = Vec::new();
        let mut index = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            let idx = l
                .carriers
                .iter()
                .map(|c| match names.iter().position(|n| *n == c.name) {
                    Some(i) => i,
                    None => {
                        names.push(c.name.clone());
                        names.len().saturating_sub(1)
                    }
                })
                .collect();
            index.push(idx);
        }
        CarrierList { names, index }
    }

    /// Every clause condition, in the engine's order: exclusions, sub-limits, deductibles,
    /// then each layer's exclusions.
    pub fn clause_conditions(&self) -> impl Iterator<Item = &Condition> {
        self.exclusions
            .iter()
            .map(|e| &e.condition)
            .chain(self.sublimits.iter().filter_map(|s| s.condition.as_ref()))
            .chain(self.deductibles.iter().filter_map(|d| d.condition.as_ref()))
            .chain(
                self.layers
                    .iter()
                    .flat_map(|l| l.exclusions.iter().map(|e| &e.condition)),
            )
    }

    /// The symbols of `field` the program names anywhere, each once: causes in `covers`,
    /// tiers in `exposure` items, then those its clause conditions name.
    pub fn named_symbols(&self, field: SymbolField) -> Vec<String> {
        let mut out: Vec<String> = match field {
            SymbolField::Cause => self.covers.clone().unwrap_or_default(),
            SymbolField::Tier => self.exposures.iter().map(|e| e.tier.clone()).collect(),
            SymbolField::Asset => Vec::new(),
        };
        out.dedup();
        for c in self.clause_conditions() {
            c.symbols_named(field, &mut out);
        }
        out
    }
}

/// A reinsurance treaty: a cedent lays off part of what it pays (spec section 9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Treaty {
    /// Treaty name.
    pub name: String,
    /// The entity ceding: a carrier of the program or a reinsurer of another treaty.
    pub cedent: String,
    /// Quota share or per-occurrence excess.
    pub form: TreatyKind,
    /// Cap on the sum ceded over the replay (at 100%).
    pub aggregate: Option<Money>,
    /// Reinsurers and their shares, in written order; the rest stays with the cedent.
    pub reinsurers: Vec<CarrierShare>,
    /// Treaties of the same cedent this one applies after, by index into
    /// [`Program::treaties`].
    pub inures_after: Vec<usize>,
    /// Source text.
    pub span: Span,
}

/// How a treaty computes what it cedes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatyKind {
    /// Cedes round(share × the cedent's amount net of earlier treaties).
    QuotaShare(Fraction),
    /// Cedes min(max(net − attachment, 0), limit) per occurrence.
    Excess {
        /// Limit per occurrence.
        limit: Money,
        /// The cedent's retention.
        attachment: Money,
    },
}

/// The policy period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First instant covered.
    pub start: Instant,
    /// First instant no longer covered.
    pub end: Instant,
}

/// A declared attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: AttrType,
    /// Value taken by events that do not give one.
    pub default: Option<Value>,
    /// Source text.
    pub span: Span,
}

/// A typed value of a field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A flag.
    Flag(bool),
    /// A count.
    Count(u64),
    /// A number.
    Number(Decimal),
    /// Money in the program currency.
    Amount(Money),
    /// A duration.
    Duration(Duration),
    /// Text.
    Text(String),
    /// An instant.
    Instant(Instant),
}

/// Declared assets in a storage tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// The tier.
    pub tier: String,
    /// The amount held.
    pub amount: Money,
    /// Source text.
    pub span: Span,
}

/// A sub-limit (spec section 6, step 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sublimit {
    /// Clause name.
    pub name: String,
    /// Limit per occurrence.
    pub per_occurrence: Option<Money>,
    /// Aggregate limit over the replay.
    pub aggregate: Option<Money>,
    /// Lines it applies to; all when `None`.
    pub condition: Option<Condition>,
    /// Source text.
    pub span: Span,
}

/// A deductible (spec section 6, step 5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deductible {
    /// Clause name (`deductible` when unnamed).
    pub name: String,
    /// The retention per occurrence.
    pub amount: DeductibleAmount,
    /// All or nothing: nothing paid at or below the amount, nothing deducted above.
    pub franchise: bool,
    /// Aggregate of deductions over the replay.
    pub aggregate: Option<Money>,
    /// When it applies; always when `None`.
    pub condition: Option<Condition>,
    /// Source text.
    pub span: Span,
}

/// How a deductible's amount is found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductibleAmount {
    /// A flat amount.
    Flat(Money),
    /// A share of the covered total, clamped.
    Percent {
        /// The share.
        rate: Fraction,
        /// Lower clamp.
        min: Option<Money>,
        /// Upper clamp.
        max: Option<Money>,
    },
}

/// An exclusion (program level or layer level).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Clause name.
    pub name: String,
    /// What it excludes.
    pub condition: Condition,
    /// Source text.
    pub span: Span,
}

/// One layer of the tower.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Layer name.
    pub name: String,
    /// Limit per occurrence.
    pub limit: Money,
    /// Attachment point.
    pub attachment: Money,
    /// Written annual aggregate.
    pub aggregate: Option<Money>,
    /// Reinstatements in order.
    pub reinstatements: Vec<Reinstatement>,
    /// `pro rata as to time` after the reinstatement list (spec section 11.3): premium
    /// scaled by the unexpired part of the period at the loss.
    #[serde(default)]
    pub pro_rata_as_to_time: bool,
    /// Layer premium (for reinstatement premium).
    pub premium: Option<Money>,
    /// Carriers and their shares, in written order.
    pub carriers: Vec<CarrierShare>,
    /// Layer exclusions (event-level conditions).
    pub exclusions: Vec<Exclusion>,
    /// Source text.
    pub span: Span,
}

/// A program's carriers in tower order ([`Program::carrier_list`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarrierList {
    /// Each carrier once, in order of first appearance in the tower.
    pub names: Vec<String>,
    /// Per layer (tower order), the position in `names` of each of its carriers.
    pub index: Vec<Vec<usize>>,
}

/// Part of `[0, top)` of a tower that no layer covers: between `from` and `to`, below
/// layer `above` (tower order) and above layer `below` (`None`: below the first layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TowerGap {
    /// The layer below the gap, `None` for a gap under the first layer.
    pub below: Option<usize>,
    /// The layer above the gap.
    pub above: usize,
    /// Where the gap starts (the top of the layers below).
    pub from: Money,
    /// Where it ends (the attachment of `above`).
    pub to: Money,
}

/// The gaps of a tower whose layers are in tower order (by attachment): the one detector
/// of gaps, which the compiler warns about (between layers) and the tower analysis reports
/// (below the first layer too).
pub fn tower_gaps(layers: &[Layer]) -> Vec<TowerGap> {
    let mut out = Vec::new();
    let mut reached = Money::ZERO;
    let mut below = None;
    for (k, l) in layers.iter().enumerate() {
        if l.attachment > reached {
            out.push(TowerGap {
                below,
                above: k,
                from: reached,
                to: l.attachment,
            });
        }
        reached = reached.max(l.exhaustion().unwrap_or(l.attachment));
        below = Some(k);
    }
    out
}

/// The placed share of a layer or cover: the sum of its carriers' shares, exactly.
pub fn placed_share(carriers: &[CarrierShare]) -> Option<Fraction> {
    Fraction::sum(carriers.iter().map(|c| c.share))
}

impl Layer {
    /// Top of the layer: attachment + limit.
    pub fn exhaustion(&self) -> Option<Money> {
        self.attachment.checked_add(self.limit)
    }

    /// Total number of reinstatements.
    pub fn reinstatement_count(&self) -> u64 {
        self.reinstatements
            .iter()
            .fold(0u64, |acc, r| acc.saturating_add(u64::from(r.count)))
    }

    /// The aggregate in force: the written one, else limit × (1 + reinstatements) when
    /// reinstatements are written, else unlimited (`None`).
    pub fn effective_aggregate(&self) -> Option<Money> {
        if self.aggregate.is_some() {
            return self.aggregate;
        }
        if self.reinstatements.is_empty() {
            return None;
        }
        let times = i64::try_from(self.reinstatement_count().saturating_add(1)).ok()?;
        self.limit.0.checked_mul(times).map(Money)
    }
}

/// `N at P%` reinstatements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reinstatement {
    /// How many.
    pub count: u32,
    /// Premium rate as a fraction of the layer premium.
    pub rate: Fraction,
}

/// A carrier's share of a layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierShare {
    /// Carrier name.
    pub name: String,
    /// Share of the layer.
    pub share: Fraction,
    /// Source text.
    pub span: Span,
}

/// A type-checked condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Any operand holds.
    Or(Vec<Condition>),
    /// Every operand holds.
    And(Vec<Condition>),
    /// The operand does not hold.
    Not(Box<Condition>),
    /// A symbol field is (or is not) one of the symbols.
    Symbol {
        /// The field.
        field: SymbolField,
        /// `is not` / `not in`.
        negated: bool,
        /// The symbols.
        symbols: Vec<String>,
    },
    /// A comparison of a field with a value of its type.
    Compare {
        /// The field.
        field: Field,
        /// The operator.
        op: CmpOp,
        /// The value.
        value: Value,
    },
    /// A flag field is true.
    Flag(Field),
}

impl Condition {
    /// Appends the symbols of `field` this condition names to `out`, each once, in order
    /// of first appearance.
    pub fn symbols_named(&self, field: SymbolField, out: &mut Vec<String>) {
        match self {
            Condition::Or(cs) | Condition::And(cs) => {
                cs.iter().for_each(|c| c.symbols_named(field, out))
            }
            Condition::Not(c) => c.symbols_named(field, out),
            Condition::Symbol {
                field: f, symbols, ..
            } if *f == field => {
                for s in symbols {
                    if !out.contains(s) {
                        out.push(s.clone());
                    }
                }
            }
            Condition::Symbol { .. } | Condition::Compare { .. } | Condition::Flag(_) => {}
        }
    }

    /// Whether the condition reads a field of a loss line (`tier`, `asset`, `value`).
    pub fn reads_line(&self) -> bool {
        match self {
            Condition::Or(cs) | Condition::And(cs) => cs.iter().any(Condition::reads_line),
            Condition::Not(c) => c.reads_line(),
            Condition::Symbol { field, .. } => !matches!(field, SymbolField::Cause),
            Condition::Compare { field, .. } | Condition::Flag(field) => {
                matches!(field, Field::Value)
            }
        }
    }
}

/// Fields holding symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolField {
    /// The event's cause of loss.
    Cause,
    /// The line's storage tier.
    Tier,
    /// The line's asset.
    Asset,
}

/// Non-symbol fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The line's value after valuation.
    Value,
    /// When the event occurred.
    Occurred,
    /// When it was discovered.
    Discovered,
    /// `discovered − occurred`.
    TimeToDiscovery,
    /// A declared attribute, by index into [`Program::attributes`].
    Attribute(usize),
}

/// A parametric cover (spec section 8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParametricCover {
    /// Cover name.
    pub name: String,
    /// The index series it watches, as the scenario names it.
    pub index: String,
    /// Below or above.
    pub direction: Direction,
    /// The trigger threshold.
    pub threshold: Decimal,
    /// How long the condition must hold.
    pub duration: Duration,
    /// How much it pays.
    pub payout: Payout,
    /// Cap on the sum of claims.
    pub aggregate: Option<Money>,
    /// Excursions must start this long after the period start.
    pub waiting: Duration,
    /// Carriers and shares.
    pub carriers: Vec<CarrierShare>,
    /// Source text.
    pub span: Span,
}

/// A parametric payout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payout {
    /// Steps: the largest share among those whose condition the severity meets.
    Steps(Vec<PayoutStep>),
    /// Linear between two points.
    Linear {
        /// Share at `from_at`.
        from_fraction: Decimal,
        /// Where the payout starts.
        from_at: Decimal,
        /// Share at `to_at`.
        to_fraction: Decimal,
        /// Where the payout reaches `to_fraction`.
        to_at: Decimal,
        /// Notional.
        notional: Money,
    },
}

/// `payout P% of N [when below|above Y]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutStep {
    /// Share of the notional (0.25 for 25%).
    pub fraction: Decimal,
    /// Notional.
    pub notional: Money,
    /// The severity it needs; always applies when `None`.
    pub when: Option<Decimal>,
}

/// A check: an invariant the program promises (spec section 10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Check name.
    pub name: String,
    /// Events in each checked scenario: 1 for `event`, N for `events N with`.
    pub events: u32,
    /// The event space: which causes and tiers (and attributes) an event may have.
    pub condition: Condition,
    /// The `(cause, tier)` combinations the condition allows, in a stable order.
    pub combinations: Vec<(String, String)>,
    /// Smallest loss checked (one minor unit for `up to`).
    pub loss_from: Money,
    /// Largest loss checked.
    pub loss_to: Money,
    /// Attribute values set with `with`, by attribute index; others take their defaults.
    pub with: Vec<(usize, Value)>,
    /// Expectations; all must hold.
    pub expects: Vec<Expectation>,
    /// Source text.
    pub span: Span,
}

/// `expect METRIC OP BOUND`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// What is measured.
    pub metric: CheckMetric,
    /// Comparison.
    pub op: CmpOp,
    /// The bound.
    pub bound: CheckBound,
    /// Source text of the `expect` line.
    pub span: Span,
}

/// What an expectation measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMetric {
    /// Paid by carriers.
    Paid,
    /// Uncovered in total, or for one reason (its snake_case word).
    Uncovered(Option<String>),
    /// Paid by one carrier (over every layer).
    CarrierPaid(String),
    /// Paid by one layer (at 100%), by tower index.
    LayerPaid(usize),
    /// Deductible plus coinsurance.
    Retained,
}

/// The bound of an expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckBound {
    /// A fixed amount.
    Amount(Money),
    /// A share of the (total) ground-up loss.
    ShareOfLoss(crate::money::Fraction),
}
