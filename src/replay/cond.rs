//! Conditions compiled for the engine: symbols interned into bit sets, comparisons
//! specialised by field and type into integer tests, and each condition marked as
//! event-level (evaluated once per event) or line-level (once per loss line).

use crate::ast::CmpOp;
use crate::program::{Condition, Field, SymbolField, Value};
use crate::scenario::{Event, Line, Symbols};
use std::cmp::Ordering;

/// A set of interned symbols: a bit mask for ids below 128, a list above.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SymbolSet {
    mask: u128,
    rest: Vec<u32>,
}

impl SymbolSet {
    /// The set of `ids`.
    pub(crate) fn new(ids: impl IntoIterator<Item = u32>) -> SymbolSet {
        let mut s = SymbolSet::default();
        for id in ids {
            match 1u128.checked_shl(id) {
                Some(bit) if id < 128 => s.mask |= bit,
                _ => s.rest.push(id),
            }
        }
        s
    }

    #[inline]
    pub(crate) fn contains(&self, id: u32) -> bool {
        if id < 128 {
            (self.mask >> id) & 1 == 1
        } else {
            self.rest.contains(&id)
        }
    }
}

/// An integer-valued field of an event or line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntField {
    /// The line's value in minor units.
    Value,
    /// Occurrence instant, seconds.
    Occurred,
    /// Discovery instant, seconds.
    Discovered,
    /// Discovered − occurred, seconds.
    TimeToDiscovery,
    /// A count, amount, duration or instant attribute, by slot, of the kind compared.
    Attribute(usize, IntKind),
}

/// The kind of an integer attribute: a value of another kind never compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntKind {
    Count,
    Amount,
    Duration,
    Instant,
}

/// A [`Condition`] for the engine.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ECond {
    Or(Vec<ECond>),
    And(Vec<ECond>),
    Not(Box<ECond>),
    /// The event's cause is (not) in the set.
    Cause {
        set: SymbolSet,
        negated: bool,
    },
    /// The line's tier is (not) in the set.
    Tier {
        set: SymbolSet,
        negated: bool,
    },
    /// The line's asset is (not) in the set; a line without asset is no asset.
    Asset {
        set: SymbolSet,
        negated: bool,
    },
    /// An integer field compared with a constant.
    Int {
        field: IntField,
        op: CmpOp,
        value: i128,
    },
    /// A flag attribute is true.
    Flag {
        slot: usize,
    },
    /// Any other comparison (numbers, text, flags with `==`), on the general values.
    General {
        field: Field,
        op: CmpOp,
        value: Value,
    },
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
            } => {
                let set = SymbolSet::new(names.iter().map(|n| symbols.intern(n)));
                let negated = *negated;
                match field {
                    SymbolField::Cause => ECond::Cause { set, negated },
                    SymbolField::Tier => ECond::Tier { set, negated },
                    SymbolField::Asset => ECond::Asset { set, negated },
                }
            }
            Condition::Compare { field, op, value } => match int_field(*field, value) {
                Some((field, value)) => ECond::Int {
                    field,
                    op: *op,
                    value,
                },
                None => ECond::General {
                    field: *field,
                    op: *op,
                    value: value.clone(),
                },
            },
            Condition::Flag(Field::Attribute(slot)) => ECond::Flag { slot: *slot },
            Condition::Flag(field) => ECond::General {
                field: *field,
                op: CmpOp::Eq,
                value: Value::Flag(true),
            },
        }
    }

    /// Calls `f` on every leaf test (not `and`, `or`, `not`).
    pub(crate) fn for_each_leaf(&self, f: &mut impl FnMut(&ECond)) {
        match self {
            ECond::Or(cs) | ECond::And(cs) => cs.iter().for_each(|c| c.for_each_leaf(f)),
            ECond::Not(c) => c.for_each_leaf(f),
            leaf => f(leaf),
        }
    }

    /// Whether the condition reads only fields of the event (cause, instants,
    /// attributes), so that it has one value for all the event's lines.
    pub(crate) fn event_level(&self) -> bool {
        match self {
            ECond::Or(cs) | ECond::And(cs) => cs.iter().all(ECond::event_level),
            ECond::Not(c) => c.event_level(),
            ECond::Cause { .. } | ECond::Flag { .. } => true,
            ECond::Tier { .. } | ECond::Asset { .. } => false,
            ECond::Int { field, .. } => *field != IntField::Value,
            ECond::General { field, .. } => *field != Field::Value,
        }
    }

    /// Whether the condition holds for `ev` (and `line`, for line fields; a line field
    /// without a line never holds). Leaves are tested inline; only nested `and`/`or`/`not`
    /// recurse through a call.
    #[inline]
    pub(crate) fn eval(&self, ev: &Event<'_>, line: Option<&Line<'_>>) -> bool {
        match self {
            ECond::Or(cs) => cs.iter().any(|c| c.eval_child(ev, line)),
            ECond::And(cs) => cs.iter().all(|c| c.eval_child(ev, line)),
            ECond::Not(c) => !c.eval_child(ev, line),
            _ => self.eval_leaf(ev, line),
        }
    }

    #[inline(always)]
    fn eval_child(&self, ev: &Event<'_>, line: Option<&Line<'_>>) -> bool {
        match self {
            ECond::Or(_) | ECond::And(_) | ECond::Not(_) => self.eval_nested(ev, line),
            _ => self.eval_leaf(ev, line),
        }
    }

    #[inline(never)]
    fn eval_nested(&self, ev: &Event<'_>, line: Option<&Line<'_>>) -> bool {
        self.eval(ev, line)
    }

    /// [`ECond::eval`] of a leaf, inlined into its caller (the atoms' answers).
    #[inline(always)]
    pub(crate) fn eval_leaf(&self, ev: &Event<'_>, line: Option<&Line<'_>>) -> bool {
        match self {
            ECond::Cause { set, negated } => set.contains(ev.cause_id) != *negated,
            ECond::Tier { set, negated } => {
                line.is_some_and(|l| set.contains(l.tier_id) != *negated)
            }
            // A line without an asset is "not any asset": `asset is X` fails, `asset is
            // not X` holds.
            ECond::Asset { set, negated } => line.is_some_and(|l| match l.asset {
                Some(_) => set.contains(l.asset_id) != *negated,
                None => *negated,
            }),
            ECond::Int { field, op, value } => {
                int_value(*field, ev, line).is_some_and(|v| holds(*op, v.cmp(value)))
            }
            ECond::Flag { slot } => matches!(ev.attributes.get(*slot), Some(Value::Flag(true))),
            ECond::General { field, op, value } => general(*field, *op, value, ev, line),
            ECond::Or(_) | ECond::And(_) | ECond::Not(_) => self.eval_nested(ev, line),
        }
    }
}

/// Comparisons on numbers, text and flags, out of the fast path.
#[inline(never)]
fn general(
    field: Field,
    op: CmpOp,
    value: &Value,
    ev: &Event<'_>,
    line: Option<&Line<'_>>,
) -> bool {
    with_field(field, ev, line, |v| {
        compare(v, value).is_some_and(|o| holds(op, o))
    })
}

#[inline]
fn holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
    }
}

/// The integer form of a comparison, when the field and value are integers (amounts in
/// minor units, counts, durations and instants in seconds).
fn int_field(field: Field, value: &Value) -> Option<(IntField, i128)> {
    let (v, kind) = match value {
        Value::Count(n) => (i128::from(*n), IntKind::Count),
        Value::Amount(m) => (i128::from(m.0), IntKind::Amount),
        Value::Duration(d) => (i128::from(d.0), IntKind::Duration),
        Value::Instant(i) => (i128::from(i.0), IntKind::Instant),
        _ => return None,
    };
    // Built-in fields have one type each; a mismatched comparison never holds.
    let builtin = |k: IntKind| if k == kind { Some(()) } else { None };
    let f = match field {
        Field::Value => builtin(IntKind::Amount).map(|()| IntField::Value)?,
        Field::Occurred => builtin(IntKind::Instant).map(|()| IntField::Occurred)?,
        Field::Discovered => builtin(IntKind::Instant).map(|()| IntField::Discovered)?,
        Field::TimeToDiscovery => builtin(IntKind::Duration).map(|()| IntField::TimeToDiscovery)?,
        Field::Attribute(i) => IntField::Attribute(i, kind),
    };
    Some((f, v))
}

#[inline]
fn int_value(field: IntField, ev: &Event<'_>, line: Option<&Line<'_>>) -> Option<i128> {
    match field {
        IntField::Value => line.map(|l| i128::from(l.value.0)),
        IntField::Occurred => Some(i128::from(ev.occurred.0)),
        IntField::Discovered => Some(i128::from(ev.discovered.0)),
        IntField::TimeToDiscovery => ev
            .discovered
            .checked_since(ev.occurred)
            .map(|d| i128::from(d.0)),
        IntField::Attribute(i, kind) => match (ev.attributes.get(i)?, kind) {
            (Value::Count(n), IntKind::Count) => Some(i128::from(*n)),
            (Value::Amount(m), IntKind::Amount) => Some(i128::from(m.0)),
            (Value::Duration(d), IntKind::Duration) => Some(i128::from(d.0)),
            (Value::Instant(t), IntKind::Instant) => Some(i128::from(t.0)),
            _ => None,
        },
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
