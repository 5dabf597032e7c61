//! Conditions as truth tables over atoms. The distinct leaf tests of every clause
//! condition of a program (cause in a set, tier in a set, a comparison, a flag) are its
//! atoms; each event answers its event-level atoms once, each loss line its line-level
//! atoms once, as bits of one `u64` mask. A clause condition over at most
//! [`TABLE_ATOMS`] atoms is then a 64-bit truth table indexed by those bits; a larger one
//! is a tree over the bits. A program with more than 64 distinct atoms keeps evaluating
//! its condition trees directly (the callers fall back to [`ECond::eval`]).

use super::cond::{ECond, SymbolSet};
use crate::scenario::{Event, Line, Symbols};

/// Most atoms a condition may read to be compiled into a truth table (2^6 = 64 rows).
pub(crate) const TABLE_ATOMS: usize = 6;

/// The distinct atoms of a program's conditions: event-level ones first (bits
/// `0..event_count`), then line-level ones. Symbol atoms are answered by table: the bits
/// of every cause, tier and asset id the program interned.
#[derive(Clone, Debug)]
pub(crate) struct Atoms {
    leaves: Vec<ECond>,
    causes: SymbolBits,
    tiers: SymbolBits,
    assets: SymbolBits,
    /// Event-level atoms other than causes, with their bits.
    event_rest: Vec<(u32, ECond)>,
    /// Line-level atoms other than tiers and assets, with their bits.
    line_rest: Vec<(u32, ECond)>,
}

/// For each interned symbol id, the bits of the atoms of one symbol field that hold for
/// it; `other` for ids the program never interned (in no set) and for no asset.
#[derive(Clone, Debug, Default)]
struct SymbolBits {
    by_id: Vec<u64>,
    other: u64,
}

impl SymbolBits {
    fn add(&mut self, bit: u32, set: &SymbolSet, negated: bool, ids: u32) {
        if self.by_id.is_empty() {
            self.by_id = vec![0; ids as usize];
        }
        for (id, bits) in (0u32..).zip(self.by_id.iter_mut()) {
            *bits |= u64::from(set.contains(id) != negated) << bit;
        }
        self.other |= u64::from(negated) << bit;
    }

    #[inline]
    fn get(&self, id: u32) -> u64 {
        self.by_id.get(id as usize).copied().unwrap_or(self.other)
    }
}
/// A condition over atom bits.
#[derive(Clone, Debug)]
pub(crate) enum BitCond {
    Atom(u32),
    And(Vec<BitCond>),
    Or(Vec<BitCond>),
    Not(Box<BitCond>),
}

impl BitCond {
    fn holds(&self, mask: u64) -> bool {
        match self {
            BitCond::Atom(b) => (mask >> b) & 1 == 1,
            BitCond::And(cs) => cs.iter().all(|c| c.holds(mask)),
            BitCond::Or(cs) => cs.iter().any(|c| c.holds(mask)),
            BitCond::Not(c) => !c.holds(mask),
        }
    }

    fn bits(&self, out: &mut Vec<u32>) {
        match self {
            BitCond::Atom(b) => {
                if !out.contains(b) {
                    out.push(*b);
                }
            }
            BitCond::And(cs) | BitCond::Or(cs) => cs.iter().for_each(|c| c.bits(out)),
            BitCond::Not(c) => c.bits(out),
        }
    }
}

/// A condition compiled over atom bits.
#[derive(Clone, Debug)]
pub(crate) enum FastCond {
    /// At most [`TABLE_ATOMS`] atoms: row `Σ bit(mask, bits[i]) << i` of `table`.
    Table {
        bits: [u32; TABLE_ATOMS],
        n: usize,
        table: u64,
    },
    /// More atoms: the tree, over the mask.
    Bits(BitCond),
}

impl FastCond {
    /// Whether the condition holds for the event or line whose atoms are `mask`.
    #[inline]
    pub(crate) fn holds(&self, mask: u64) -> bool {
        match self {
            FastCond::Table { bits, n, table } => {
                let mut row = 0u32;
                for (i, b) in bits.iter().take(*n).enumerate() {
                    row |= (((mask >> b) & 1) as u32) << i;
                }
                (table >> row) & 1 == 1
            }
            FastCond::Bits(c) => c.holds(mask),
        }
    }
}

impl Atoms {
    /// The atoms of `conds`, whose symbols `symbols` interned; `None` when there are more
    /// than 64 distinct ones.
    pub(crate) fn new<'c>(
        conds: impl IntoIterator<Item = &'c ECond>,
        symbols: &Symbols,
    ) -> Option<Atoms> {
        let mut event: Vec<ECond> = Vec::new();
        let mut line: Vec<ECond> = Vec::new();
        for c in conds {
            c.for_each_leaf(&mut |leaf| {
                let list = if leaf.event_level() {
                    &mut event
                } else {
                    &mut line
                };
                if !list.contains(leaf) {
                    list.push(leaf.clone());
                }
            });
        }
        event.extend(line);
        if event.len() > 64 {
            return None;
        }
        let ids = u32::try_from(symbols.len()).ok()?;
        let mut atoms = Atoms {
            leaves: Vec::new(),
            causes: SymbolBits::default(),
            tiers: SymbolBits::default(),
            assets: SymbolBits::default(),
            event_rest: Vec::new(),
            line_rest: Vec::new(),
        };
        for (bit, leaf) in (0u32..).zip(&event) {
            match leaf {
                ECond::Cause { set, negated } => atoms.causes.add(bit, set, *negated, ids),
                ECond::Tier { set, negated } => atoms.tiers.add(bit, set, *negated, ids),
                ECond::Asset { set, negated } => atoms.assets.add(bit, set, *negated, ids),
                other if other.event_level() => atoms.event_rest.push((bit, other.clone())),
                other => atoms.line_rest.push((bit, other.clone())),
            }
        }
        atoms.leaves = event;
        Some(atoms)
    }

    /// The event-level atoms' bits for `ev`.
    #[inline]
    pub(crate) fn event_mask(&self, ev: &Event<'_>) -> u64 {
        let mut mask = self.causes.get(ev.cause_id);
        for (bit, leaf) in &self.event_rest {
            mask |= u64::from(leaf.eval_leaf(ev, None)) << bit;
        }
        mask
    }

    /// `event_mask` with the line-level atoms' bits for `line` added.
    #[inline]
    pub(crate) fn line_mask(&self, ev: &Event<'_>, line: &Line<'_>, event_mask: u64) -> u64 {
        let asset = match line.asset {
            Some(_) => self.assets.get(line.asset_id),
            None => self.assets.other,
        };
        let mut mask = event_mask | self.tiers.get(line.tier_id) | asset;
        for (bit, leaf) in &self.line_rest {
            mask |= u64::from(leaf.eval_leaf(ev, Some(line))) << bit;
        }
        mask
    }

    /// `c` over this program's atoms; `None` if it has an atom not in the table (it was
    /// not among the conditions the atoms were built from).
    pub(crate) fn compile(&self, c: &ECond) -> Option<FastCond> {
        let tree = self.bit_cond(c)?;
        let mut bits = Vec::new();
        tree.bits(&mut bits);
        if bits.len() > TABLE_ATOMS {
            return Some(FastCond::Bits(tree));
        }
        let mut table = 0u64;
        for row in 0u32..(1u32 << bits.len()) {
            let mut mask = 0u64;
            for (i, b) in bits.iter().enumerate() {
                mask |= u64::from((row >> i) & 1) << b;
            }
            table |= u64::from(tree.holds(mask)) << row;
        }
        let mut fixed = [0u32; TABLE_ATOMS];
        for (slot, b) in fixed.iter_mut().zip(&bits) {
            *slot = *b;
        }
        Some(FastCond::Table {
            bits: fixed,
            n: bits.len(),
            table,
        })
    }

    fn bit_cond(&self, c: &ECond) -> Option<BitCond> {
        let children = |cs: &[ECond]| -> Option<Vec<BitCond>> {
            cs.iter().map(|c| self.bit_cond(c)).collect()
        };
        Some(match c {
            ECond::And(cs) => BitCond::And(children(cs)?),
            ECond::Or(cs) => BitCond::Or(children(cs)?),
            ECond::Not(c) => BitCond::Not(Box::new(self.bit_cond(c)?)),
            leaf => {
                let i = self.leaves.iter().position(|l| l == leaf)?;
                BitCond::Atom(u32::try_from(i).ok()?)
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ast::CmpOp;
    use crate::money::Money;
    use crate::program::{Condition, Field, SymbolField, Value};
    use crate::time::Instant;
    use proptest::prelude::*;
    use std::borrow::Cow;

    const CAUSES: [&str; 3] = ["hack", "insider", "vendor"];
    const TIERS: [&str; 3] = ["hot", "warm", "cold"];

    fn leaf() -> impl Strategy<Value = Condition> {
        let names = |all: &'static [&'static str]| {
            proptest::sample::subsequence(all.to_vec(), 1..=all.len())
                .prop_map(|v| v.into_iter().map(str::to_string).collect::<Vec<_>>())
        };
        let op = prop_oneof![
            Just(CmpOp::Lt),
            Just(CmpOp::Le),
            Just(CmpOp::Gt),
            Just(CmpOp::Ge),
            Just(CmpOp::Eq),
            Just(CmpOp::Ne)
        ];
        prop_oneof![
            (names(&CAUSES), any::<bool>()).prop_map(|(symbols, negated)| Condition::Symbol {
                field: SymbolField::Cause,
                negated,
                symbols
            }),
            (names(&TIERS), any::<bool>()).prop_map(|(symbols, negated)| Condition::Symbol {
                field: SymbolField::Tier,
                negated,
                symbols
            }),
            (op.clone(), 0i64..6).prop_map(|(op, v)| Condition::Compare {
                field: Field::Value,
                op,
                value: Value::Amount(Money(v)),
            }),
            (op.clone(), 0u64..4).prop_map(|(op, v)| Condition::Compare {
                field: Field::Attribute(0),
                op,
                value: Value::Count(v),
            }),
            (op, 0i64..4).prop_map(|(op, v)| Condition::Compare {
                field: Field::Occurred,
                op,
                value: Value::Instant(Instant(v)),
            }),
            Just(Condition::Flag(Field::Attribute(1))),
        ]
    }

    pub(crate) fn condition() -> impl Strategy<Value = Condition> {
        leaf().prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(Condition::And),
                proptest::collection::vec(inner.clone(), 1..4).prop_map(Condition::Or),
                inner.prop_map(|c| Condition::Not(Box::new(c))),
            ]
        })
    }

    /// An event of cause `CAUSES[cause]` with attributes (count `staff`, flag `flag`) and
    /// lines of (tier index, value), its symbols interned in `symbols`.
    pub(crate) fn event(
        symbols: &mut Symbols,
        cause: usize,
        occurred: i64,
        staff: u64,
        flag: bool,
        lines: &[(usize, i64)],
    ) -> Event<'static> {
        let lines: Vec<Line<'static>> = lines
            .iter()
            .map(|(t, v)| Line {
                tier: TIERS[*t],
                tier_id: symbols.intern(TIERS[*t]),
                asset: None,
                asset_id: symbols.intern("__none"),
                value: Money(*v),
                priced: None,
            })
            .collect();
        Event {
            id: "E",
            cause: CAUSES[cause],
            cause_id: symbols.intern(CAUSES[cause]),
            occurred: Instant(occurred),
            discovered: Instant(occurred),
            lines: Cow::Owned(lines),
            attributes: Cow::Owned(vec![Value::Count(staff), Value::Flag(flag)]),
            series: None,
            recoveries: Cow::Owned(Vec::new()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// The compiled form (table or bit tree) answers exactly as the condition tree,
        /// for the event alone and for every line.
        #[test]
        fn compiled_conditions_agree_with_the_tree(
            conds in proptest::collection::vec(condition(), 1..5),
            cause in 0usize..3,
            occurred in 0i64..4,
            staff in 0u64..4,
            flag in any::<bool>(),
            lines in proptest::collection::vec((0usize..3, 0i64..6), 1..4),
        ) {
            let mut symbols = Symbols::default();
            let econds: Vec<ECond> = conds.iter().map(|c| ECond::new(c, &mut symbols)).collect();
            let atoms = Atoms::new(&econds, &symbols).unwrap();
            let ev = event(&mut symbols, cause, occurred, staff, flag, &lines);
            let emask = atoms.event_mask(&ev);
            for c in &econds {
                let fast = atoms.compile(c).unwrap();
                if c.event_level() {
                    prop_assert_eq!(fast.holds(emask), c.eval(&ev, None));
                }
                for line in ev.lines.iter() {
                    let lmask = atoms.line_mask(&ev, line, emask);
                    prop_assert_eq!(fast.holds(lmask), c.eval(&ev, Some(line)));
                }
            }
        }
    }

    #[test]
    fn more_than_64_atoms_fall_back_to_trees() {
        let mut symbols = Symbols::default();
        let conds: Vec<ECond> = (0..65)
            .map(|v| {
                let c = Condition::Compare {
                    field: Field::Value,
                    op: CmpOp::Gt,
                    value: Value::Amount(Money(v)),
                };
                ECond::new(&c, &mut symbols)
            })
            .collect();
        assert!(Atoms::new(&conds, &symbols).is_none());
        assert!(Atoms::new(conds.iter().take(64), &symbols).is_some());
    }

    #[test]
    fn seven_atoms_make_a_bit_tree_and_six_a_table() {
        let mut symbols = Symbols::default();
        let and_of = |n: i64, symbols: &mut Symbols| {
            let c = Condition::And(
                (0..n)
                    .map(|v| Condition::Compare {
                        field: Field::Value,
                        op: CmpOp::Gt,
                        value: Value::Amount(Money(v)),
                    })
                    .collect(),
            );
            ECond::new(&c, symbols)
        };
        let (six, seven) = (and_of(6, &mut symbols), and_of(7, &mut symbols));
        let atoms = Atoms::new([&six, &seven], &symbols).unwrap();
        assert!(matches!(
            atoms.compile(&six),
            Some(FastCond::Table { n: 6, .. })
        ));
        assert!(matches!(atoms.compile(&seven), Some(FastCond::Bits(_))));
    }
}
