//! The program compiled for the engine ([`Plan`]): conditions over interned symbols, each
//! clause's condition marked event-level or line-level and compiled to a truth table over
//! atom bits where it can be, layers with integer carrier weights, the treaty graph. Built
//! once per program and shared by every replay of it.

use super::atoms::{Atoms, FastCond};
use super::cond::{ECond, SymbolSet};
use super::slots::KeySlots;
use super::warn::{ExposureWatch, NameWatch};
use crate::money::{share_weights, Fraction, SplitPlan};
use crate::program::{Condition, Layer, Program};
use crate::reinsurance::ReinsurancePlan;
use crate::scenario::{Event, Line, Symbols};
use std::sync::Arc;

/// A program compiled for the engine. Built once per program ([`Plan::new`]) and shared,
/// read-only, by every [`super::Replayer`] of it: the blocks of a simulation on several
/// threads, the probes of the tower analysis, the programs of a book. `Send + Sync`.
pub struct Plan<'p> {
    pub(super) program: &'p Program,
    /// The interner the plan's conditions and events share: the plan's own, or one shared
    /// by every plan of a book ([`Plan::book`]).
    pub(super) symbols: Arc<Symbols>,
    /// Covered causes' symbols; `None` when every cause is covered.
    pub(super) covers: Option<SymbolSet>,
    pub(super) exclusions: Vec<ClauseCond>,
    pub(super) sublimits: Vec<ClauseCond>,
    pub(super) deductibles: Vec<ClauseCond>,
    pub(super) layers: Vec<LayerPlan>,
    /// The top of the tower: the highest `attachment + limit` (0 without layers); `None`
    /// when one overflows.
    pub(super) top: Option<i64>,
    /// Whether the layers' attachments never fall in tower order: a loss at or below one
    /// layer's attachment then reaches none of the layers after it.
    pub(super) ascending: bool,
    /// The dense numbering of the uncovered keys the steps produce.
    pub(super) slots: KeySlots,
    /// The program's carriers in tower order (the totals' carrier list).
    pub(super) carrier_names: Vec<String>,
    /// The atoms of every clause condition; `None` past 64 (conditions run as trees).
    pub(super) atoms: Option<Atoms>,
    pub(super) treaties: Treaties,
    /// The watches a replay starts from (what they watch; nothing seen yet).
    pub(super) exposures: ExposureWatch,
    pub(super) names: NameWatch,
}

/// The treaties of a program, if it has any.
pub(super) enum Treaties {
    /// No treaties.
    None,
    /// Treaties, with the entity index of each carrier of the totals' list.
    Some {
        plan: Arc<ReinsurancePlan>,
        carrier_entity: Vec<usize>,
    },
    /// The treaty graph has a cycle: only possible for a program built by hand.
    Invalid,
}

impl<'p> Plan<'p> {
    /// The plan of `program`, with its own interner.
    pub fn new(program: &'p Program) -> Plan<'p> {
        let mut symbols = Symbols::default();
        let mut plan = Plan::build(program, &mut symbols);
        plan.symbols = Arc::new(symbols);
        plan
    }

    /// The plans of a book of programs, sharing one interner: a cause, tier or asset has
    /// the same id in every plan, so one observed event's names are interned once. A name
    /// one program never uses is, for that program, a name its conditions do not test.
    pub fn book(programs: &[&'p Program]) -> Vec<Arc<Plan<'p>>> {
        let mut symbols = Symbols::default();
        let mut plans: Vec<Plan<'p>> = programs
            .iter()
            .map(|p| Plan::build(p, &mut symbols))
            .collect();
        let shared = Arc::new(symbols);
        for plan in &mut plans {
            plan.symbols = Arc::clone(&shared);
        }
        plans.into_iter().map(Arc::new).collect()
    }

    /// The plan of `program`, interning its names into `symbols` (the plan's own table is
    /// set by the caller once every plan sharing it is built).
    fn build(program: &'p Program, symbols: &mut Symbols) -> Plan<'p> {
        let mut exclusions: Vec<ClauseCond> = program
            .exclusions
            .iter()
            .map(|e| ClauseCond::new(Some(&e.condition), symbols))
            .collect();
        let mut sublimits: Vec<ClauseCond> = program
            .sublimits
            .iter()
            .map(|s| ClauseCond::new(s.condition.as_ref(), symbols))
            .collect();
        let mut deductibles: Vec<ClauseCond> = program
            .deductibles
            .iter()
            .map(|d| ClauseCond::new(d.condition.as_ref(), symbols))
            .collect();
        let covers = program
            .covers
            .as_ref()
            .map(|cs| SymbolSet::new(cs.iter().map(|c| symbols.intern(c))));
        let exposures = ExposureWatch::new(program, |t| symbols.intern(t));
        let carriers = program.carrier_list();
        let mut layers: Vec<LayerPlan> = program
            .layers
            .iter()
            .zip(carriers.index)
            .map(|(l, index)| LayerPlan::new(l, symbols, index))
            .collect();
        let carrier_names = carriers.names;
        let atoms = compile_atoms(
            exclusions
                .iter_mut()
                .chain(&mut sublimits)
                .chain(&mut deductibles)
                .chain(layers.iter_mut().flat_map(|l| &mut l.exclusions))
                .collect(),
            symbols,
        );
        let treaties = Treaties::new(program, &carrier_names);
        // Interned last: the standard names take ids after every name the clauses use.
        let names = NameWatch::new(program, |s| symbols.intern(s));
        Plan {
            program,
            symbols: Arc::new(Symbols::default()),
            covers,
            exclusions,
            sublimits,
            deductibles,
            top: layers.iter().try_fold(0i64, |top, l| {
                Some(top.max(l.attachment.checked_add(l.limit)?))
            }),
            ascending: layers
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.attachment <= b.attachment)),
            layers,
            slots: KeySlots::new(program),
            carrier_names,
            atoms,
            treaties,
            exposures,
            names,
        }
    }

    /// The program planned.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The interned symbols, for preparing events.
    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }
}

impl Treaties {
    fn new(program: &Program, carrier_names: &[String]) -> Treaties {
        if program.treaties.is_empty() {
            return Treaties::None;
        }
        match ReinsurancePlan::new(program) {
            Ok(plan) => Treaties::Some {
                carrier_entity: carrier_names
                    .iter()
                    .map(|n| plan.entity_index(n).unwrap_or(usize::MAX))
                    .collect(),
                plan: Arc::new(plan),
            },
            Err(_) => Treaties::Invalid,
        }
    }
}

/// The atoms of every clause condition, each clause compiled over them; `None` (clauses
/// left as trees) past 64 atoms.
fn compile_atoms(mut clauses: Vec<&mut ClauseCond>, symbols: &Symbols) -> Option<Atoms> {
    let atoms = Atoms::new(clauses.iter().filter_map(|c| c.tree()), symbols)?;
    clauses.iter_mut().for_each(|c| c.attach(&atoms));
    Some(atoms)
}

/// A clause's condition (`when …`), or none.
#[derive(Clone, Debug)]
pub(crate) struct ClauseCond {
    cond: Option<ECond>,
    /// The condition over the program's atom bits, when the program has at most 64.
    fast: Option<FastCond>,
}

impl ClauseCond {
    pub(crate) fn new(c: Option<&Condition>, symbols: &mut Symbols) -> ClauseCond {
        ClauseCond {
            cond: c.map(|c| ECond::new(c, symbols)),
            fast: None,
        }
    }

    /// The condition tree, if any.
    pub(crate) fn tree(&self) -> Option<&ECond> {
        self.cond.as_ref()
    }

    /// Compiles the condition over `atoms` (built from every condition of the program).
    pub(crate) fn attach(&mut self, atoms: &Atoms) {
        self.fast = self.cond.as_ref().and_then(|c| atoms.compile(c));
    }

    /// Whether the answer is a function of the atom mask alone (no condition, or one
    /// compiled over the atoms).
    pub(crate) fn reads_mask_only(&self) -> bool {
        self.cond.is_none() || self.fast.is_some()
    }

    /// Whether the condition holds for `ev` (and `line`), whose atoms are `mask`.
    #[inline]
    fn holds(&self, ev: &Event<'_>, line: Option<&Line<'_>>, mask: u64) -> bool {
        match (&self.cond, &self.fast) {
            (None, _) => true,
            (Some(_), Some(fast)) => fast.holds(mask),
            (Some(c), None) => c.eval(ev, line),
        }
    }

    /// The answer for one line (whose atoms are `line_mask`).
    #[inline]
    pub(crate) fn for_line(&self, ev: &Event<'_>, line: &Line<'_>, line_mask: u64) -> bool {
        self.holds(ev, Some(line), line_mask)
    }

    /// The answer with no line: a line field never holds (layer exclusions, which
    /// type-checking keeps event-level).
    #[inline]
    pub(crate) fn for_event_only(&self, ev: &Event<'_>, event_mask: u64) -> bool {
        self.holds(ev, None, event_mask)
    }
}

/// A layer as the engine settles it.
#[derive(Clone, Debug)]
pub(crate) struct LayerPlan {
    pub(crate) attachment: i64,
    pub(crate) limit: i64,
    /// Layer exclusions (event-level by type-checking).
    pub(crate) exclusions: Vec<ClauseCond>,
    /// Carrier weights, then the unplaced weight last (0 when fully placed).
    pub(crate) weights: Vec<i128>,
    /// How `weights` are split (chosen once).
    pub(crate) split: SplitPlan,
    /// Global index of each carrier in the totals' carrier list.
    pub(crate) carrier_index: Vec<usize>,
    pub(crate) premium: Option<i64>,
    /// (count, rate) groups of reinstatements.
    pub(crate) reinstatements: Vec<(u64, Fraction)>,
    pub(crate) reinstated_total: u64,
    /// `pro rata as to time` (spec section 11.3).
    pub(crate) pro_rata: bool,
}

impl LayerPlan {
    /// The plan of `l`, whose carriers are at `carrier_index` of the program's carrier
    /// list ([`Program::carrier_list`]).
    pub(crate) fn new(l: &Layer, symbols: &mut Symbols, carrier_index: Vec<usize>) -> LayerPlan {
        let shares: Vec<Fraction> = l.carriers.iter().map(|c| c.share).collect();
        // INVARIANT: compiled shares are fractions of at most 24 decimals summing to at
        // most 1, so the weights fit; fall back to "all unplaced" rather than panic.
        let weights = share_weights(&shares).unwrap_or_else(|| {
            let mut w = vec![0; shares.len()];
            w.push(1);
            w
        });
        LayerPlan {
            attachment: l.attachment.0,
            limit: l.limit.0,
            exclusions: l
                .exclusions
                .iter()
                .map(|e| ClauseCond::new(Some(&e.condition), symbols))
                .collect(),
            split: SplitPlan::new(&weights),
            weights,
            carrier_index,
            premium: l.premium.map(|p| p.0),
            reinstated_total: l.reinstatement_count(),
            reinstatements: l
                .reinstatements
                .iter()
                .map(|r| (u64::from(r.count), r.rate))
                .collect(),
            pro_rata: l.pro_rata_as_to_time,
        }
    }

    /// Number of carriers.
    pub(crate) fn carriers(&self) -> usize {
        self.weights.len().saturating_sub(1)
    }
}

// INVARIANT: a plan is shared across threads (simulation blocks, a book's programs).
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Plan<'static>>();
};
