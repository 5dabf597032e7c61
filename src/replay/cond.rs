//! Conditions with interned symbols, evaluated per event or per loss line.

use crate::ast::CmpOp;
use crate::program::{Condition, Field, SymbolField, Value};
use crate::scenario::{Event, Line, Symbols};
use std::cmp::Ordering;

/// A [`Condition`] whose symbols are interned.
#[derive(Clone, Debug)]
pub(crate) enum ECond {
    Or(Vec<ECond>),
    And(Vec<ECond>),
    Not(Box<ECond>),
    Symbol {
        field: SymbolField,
        negated: bool,
        ids: Vec<u32>,
    },
    Compare {
        field: Field,
        op: CmpOp,
        value: Value,
    },
    Flag(Field),
}

impl ECond {
    pub(crate) fn new(c: &Condition, symbols: &mut Symbols) -> ECond {
        match c {
            Condition::Or(cs) => ECond::Or(cs.iter().map(|c| ECond::new(c, symbols)).collect()),
            Condition::And(cs) => ECond::And(cs.iter().map(|c| ECond::new(c, symbols)).collect()),
            Condition::Not(c) => ECond::Not(Box::new(ECond::new(c, symbols))),
            Condition::Symbol {
                field,
                negated,
                symbols: names,
            } => ECond::Symbol {
                field: *field,
                negated: *negated,
                ids: names.iter().map(|n| symbols.intern(n)).collect(),
            },
            Condition::Compare { field, op, value } => ECond::Compare {
                field: *field,
                op: *op,
                value: value.clone(),
            },
            Condition::Flag(f) => ECond::Flag(*f),
        }
    }

    /// Whether the condition holds for `ev` (and `line`, for line fields; a line field
    /// without a line never holds).
    pub(crate) fn eval(&self, ev: &Event<'_>, line: Option<&Line<'_>>) -> bool {
        match self {
            ECond::Or(cs) => cs.iter().any(|c| c.eval(ev, line)),
            ECond::And(cs) => cs.iter().all(|c| c.eval(ev, line)),
            ECond::Not(c) => !c.eval(ev, line),
            ECond::Symbol {
                field,
                negated,
                ids,
            } => {
                let id = match field {
                    SymbolField::Cause => Some(ev.cause_id),
                    SymbolField::Tier => line.map(|l| l.tier_id),
                    SymbolField::Asset => line.and_then(|l| l.asset.as_ref().map(|_| l.asset_id)),
                };
                match id {
                    // A line without an asset is "not any asset": `asset is X` fails,
                    // `asset is not X` holds.
                    None => *negated && matches!(field, SymbolField::Asset) && line.is_some(),
                    Some(id) => ids.contains(&id) != *negated,
                }
            }
            ECond::Compare { field, op, value } => {
                with_field(*field, ev, line, |v| match compare(v, value) {
                    Some(ord) => match op {
                        CmpOp::Lt => ord == Ordering::Less,
                        CmpOp::Le => ord != Ordering::Greater,
                        CmpOp::Gt => ord == Ordering::Greater,
                        CmpOp::Ge => ord != Ordering::Less,
                        CmpOp::Eq => ord == Ordering::Equal,
                        CmpOp::Ne => ord != Ordering::Equal,
                    },
                    None => false,
                })
            }
            ECond::Flag(field) => with_field(*field, ev, line, |v| matches!(v, Value::Flag(true))),
        }
    }
}

fn with_field(
    field: Field,
    ev: &Event<'_>,
    line: Option<&Line<'_>>,
    f: impl Fn(&Value) -> bool,
) -> bool {
    match field {
        Field::Value => line.is_some_and(|l| f(&Value::Amount(l.value))),
        Field::Occurred => f(&Value::Instant(ev.occurred)),
        Field::Discovered => f(&Value::Instant(ev.discovered)),
        Field::TimeToDiscovery => match ev.discovered.checked_since(ev.occurred) {
            Some(d) => f(&Value::Duration(d)),
            None => false,
        },
        Field::Attribute(i) => ev.attributes.get(i).is_some_and(f),
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Flag(x), Value::Flag(y)) => Some(x.cmp(y)),
        (Value::Count(x), Value::Count(y)) => Some(x.cmp(y)),
        (Value::Number(x), Value::Number(y)) => Some(x.cmp(y)),
        (Value::Amount(x), Value::Amount(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Instant(x), Value::Instant(y)) => Some(x.cmp(y)),
        _ => None,
    }
}
