//! Synthetic events replayed through the real engine for the tower analysis.

use crate::ast::AttrType;
use crate::money::Money;
use crate::program::{Program, Value};
use crate::replay::{EventResult, Outcome, ReplayError, Replayer};
use crate::scenario::{Event, Line, OTHER_SYMBOL};
use crate::time::Duration;

/// Replays single synthetic events from the start of the policy period (every aggregate
/// full), with attributes at their defaults.
pub struct Probe<'p> {
    replayer: Replayer<'p>,
    out: Outcome,
    attributes: Vec<Value>,
}

/// The value an attribute takes in a synthetic event: its default, else the neutral value
/// of its type (false, 0, zero amount or duration, empty text).
pub fn default_attributes(program: &Program) -> Vec<Value> {
    program
        .attributes
        .iter()
        .map(|a| {
            a.default.clone().unwrap_or(match a.ty {
                AttrType::Flag => Value::Flag(false),
                AttrType::Count => Value::Count(0),
                AttrType::Number => Value::Number(rust_decimal::Decimal::ZERO),
                AttrType::Amount => Value::Amount(Money::ZERO),
                AttrType::Duration => Value::Duration(Duration(0)),
                AttrType::Text => Value::Text(String::new()),
            })
        })
        .collect()
}

impl<'p> Probe<'p> {
    /// A probe for `program`.
    pub fn new(program: &'p Program) -> Probe<'p> {
        Probe {
            replayer: Replayer::new(program),
            out: Outcome::default(),
            attributes: default_attributes(program),
        }
    }

    /// One event of `cause` with a line per `(tier, value)`, occurring and discovered at
    /// the period start, replayed with every aggregate full.
    pub fn run(
        &mut self,
        id: &str,
        cause: &str,
        lines: &[(&str, Money)],
    ) -> Result<EventResult, ReplayError> {
        self.replayer.reset();
        let symbols = self.replayer.symbols();
        let start = self.replayer.program().period.start;
        let ev = Event {
            id,
            cause,
            cause_id: symbols.get(cause),
            occurred: start,
            discovered: start,
            lines: lines
                .iter()
                .map(|(tier, value)| Line {
                    tier,
                    tier_id: symbols.get(tier),
                    asset: None,
                    asset_id: OTHER_SYMBOL,
                    value: *value,
                    priced: None,
                })
                .collect(),
            attributes: std::borrow::Cow::Borrowed(&self.attributes),
            series: None,
            recoveries: std::borrow::Cow::Borrowed(&[]),
        };
        self.replayer.event(&ev, &mut self.out, None)?;
        Ok(self.replayer.event_result(id, &self.out))
    }

    /// What entered the tower in the last run: ground-up less what the wording kept
    /// (period, cause, exclusions, sub-limits, deductibles, coinsurance).
    pub fn to_tower(&self) -> Money {
        let wording: i64 = self
            .out
            .uncovered
            .iter()
            .filter(|(k, _)| k.reason.before_tower())
            .map(|(_, m)| m.0)
            .fold(0i64, i64::saturating_add);
        Money(self.out.ground_up.0.saturating_sub(wording))
    }

    /// The last run's outcome in minor units.
    pub fn outcome(&self) -> &Outcome {
        &self.out
    }
}
