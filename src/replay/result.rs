//! Replay results (spec section 7): serde types with exact decimal amounts.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why an amount was not paid (spec section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UncoveredReason {
    /// Outside the period or basis rules.
    OutsidePeriod,
    /// Cause not in `covers`.
    CauseNotCovered,
    /// A program exclusion matched the line.
    Excluded,
    /// Above a sub-limit.
    Sublimit,
    /// Retained by a deductible.
    Deductible,
    /// The insured's coinsurance share.
    Coinsurance,
    /// A layer exclusion matched the event.
    LayerExcluded,
    /// The layer's aggregate was used up.
    AggregateExhausted,
    /// The part of a layer no carrier took.
    UnplacedShare,
    /// Between layers (or below the first).
    TowerGap,
    /// Above the top of the tower.
    AboveTower,
}

impl UncoveredReason {
    /// Every reason, in the order of the steps that produce them.
    pub const ALL: [UncoveredReason; 11] = [
        UncoveredReason::OutsidePeriod,
        UncoveredReason::CauseNotCovered,
        UncoveredReason::Excluded,
        UncoveredReason::Sublimit,
        UncoveredReason::Deductible,
        UncoveredReason::Coinsurance,
        UncoveredReason::LayerExcluded,
        UncoveredReason::AggregateExhausted,
        UncoveredReason::UnplacedShare,
        UncoveredReason::TowerGap,
        UncoveredReason::AboveTower,
    ];

    /// Whether the wording keeps this amount before the tower (steps 2-6 of section 6:
    /// period, cause, exclusions, sub-limits, deductibles, coinsurance).
    pub fn before_tower(self) -> bool {
        matches!(
            self,
            UncoveredReason::OutsidePeriod
                | UncoveredReason::CauseNotCovered
                | UncoveredReason::Excluded
                | UncoveredReason::Sublimit
                | UncoveredReason::Deductible
                | UncoveredReason::Coinsurance
        )
    }

    /// The snake_case word used in results.
    pub fn as_str(self) -> &'static str {
        match self {
            UncoveredReason::OutsidePeriod => "outside_period",
            UncoveredReason::CauseNotCovered => "cause_not_covered",
            UncoveredReason::Excluded => "excluded",
            UncoveredReason::Sublimit => "sublimit",
            UncoveredReason::Deductible => "deductible",
            UncoveredReason::Coinsurance => "coinsurance",
            UncoveredReason::LayerExcluded => "layer_excluded",
            UncoveredReason::AggregateExhausted => "aggregate_exhausted",
            UncoveredReason::UnplacedShare => "unplaced_share",
            UncoveredReason::TowerGap => "tower_gap",
            UncoveredReason::AboveTower => "above_tower",
        }
    }
}

/// The result of replaying a scenario through a program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    /// Program name.
    pub program: String,
    /// Scenario name.
    pub scenario: String,
    /// Events in replay order.
    pub events: Vec<EventResult>,
    /// Totals over the scenario.
    pub totals: Totals,
    /// Claims on parametric covers, in order of trigger instant (omitted when the program
    /// has none). Reported beside the indemnity result, not inside its conservation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parametric: Vec<ParametricClaim>,
}

/// One event's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventResult {
    /// Event id (of an occurrence: its first member's).
    pub id: String,
    /// An occurrence's member event ids in replay order (spec section 11.1); omitted for a
    /// single event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Sum of the lines' values.
    #[serde(with = "rust_decimal::serde::str")]
    pub ground_up: Decimal,
    /// Paid by carriers.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// What was not paid, by reason, clause and layer.
    pub uncovered: Vec<Uncovered>,
    /// Every layer, in tower order.
    pub layers: Vec<LayerResult>,
    /// What came back and to whom (spec section 11.2); omitted without recoveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<Recovered>,
    /// Every entity's gross, ceded and net after reinsurance (spec section 9); omitted
    /// when the program has no treaties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<crate::reinsurance::EntityResult>,
}

/// An unpaid amount and who left it unpaid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncovered {
    /// Why.
    pub reason: UncoveredReason,
    /// The clause, where one is responsible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// The layer, where one is responsible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// How much.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

/// A layer's part of one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerResult {
    /// Layer name.
    pub layer: String,
    /// The slice of the loss in the layer's band.
    #[serde(with = "rust_decimal::serde::str")]
    pub band: Decimal,
    /// What the layer's carriers paid (the sum of `carriers`).
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// The part of the layer's payment no carrier took (reason `unplaced_share`).
    #[serde(with = "rust_decimal::serde::str")]
    pub unplaced: Decimal,
    /// Each carrier's payment.
    pub carriers: Vec<CarrierPaid>,
}

/// A carrier's payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierPaid {
    /// Carrier name.
    pub carrier: String,
    /// Paid.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
}

/// Totals over a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of ground-up losses.
    #[serde(with = "rust_decimal::serde::str")]
    pub ground_up: Decimal,
    /// Sum paid by carriers.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Events' unpaid amounts merged in order of first appearance.
    pub uncovered: Vec<Uncovered>,
    /// Each carrier's total, in tower order of first appearance.
    pub carriers: Vec<CarrierPaid>,
    /// Each layer's total.
    pub layers: Vec<LayerTotal>,
    /// Recoveries summed over the events; omitted when no event has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<Recovered>,
    /// Every entity's totals after reinsurance; omitted when the program has no treaties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<crate::reinsurance::EntityResult>,
}

/// Recoveries and who gets them (spec section 11.2): total = insured + carriers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovered {
    /// What came back, valued at each recovery's instant.
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// The insured's part.
    #[serde(with = "rust_decimal::serde::str")]
    pub insured: Decimal,
    /// Every carrier of the program, zero amounts included.
    pub carriers: Vec<CarrierRecovered>,
}

/// A carrier's part of a recovery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierRecovered {
    /// Carrier name.
    pub carrier: String,
    /// What it gets back; at most what it paid.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// In the totals: what it paid less what it got back.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub net: Option<Decimal>,
}

/// A layer's totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerTotal {
    /// Layer name.
    pub layer: String,
    /// Paid by the layer's carriers.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// The part no carrier took (reason `unplaced_share`); limits, aggregates and
    /// reinstatements count `paid + unplaced`.
    #[serde(with = "rust_decimal::serde::str")]
    pub unplaced: Decimal,
    /// Aggregate left; `null` when the layer has none.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub aggregate_remaining: Option<Decimal>,
    /// Reinstatement premium due.
    #[serde(with = "rust_decimal::serde::str")]
    pub reinstatement_premium: Decimal,
}

impl Replay {
    /// The result as JSON (spec section 7): the same inputs give the same bytes.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One claim on a parametric cover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParametricClaim {
    /// Cover name.
    pub cover: String,
    /// Excursion start (RFC 3339).
    pub excursion_start: String,
    /// Excursion end (RFC 3339).
    pub excursion_end: String,
    /// Trigger instant (RFC 3339).
    pub trigger: String,
    /// Worst index value over the excursion.
    #[serde(with = "rust_decimal::serde::str")]
    pub severity: Decimal,
    /// Share of the notional the severity earns.
    #[serde(with = "rust_decimal::serde::str")]
    pub fraction: Decimal,
    /// Payout before the aggregate.
    #[serde(with = "rust_decimal::serde::str")]
    pub payout: Decimal,
    /// Cut by the aggregate (reason `aggregate_exhausted`).
    #[serde(with = "rust_decimal::serde::str")]
    pub aggregate_exhausted: Decimal,
    /// Payout after the aggregate.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// Each carrier's part of `amount`.
    pub carriers: Vec<CarrierPaid>,
    /// The part no carrier took (reason `unplaced_share`).
    #[serde(with = "rust_decimal::serde::str")]
    pub unplaced_share: Decimal,
}
