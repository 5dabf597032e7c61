//! Replaying a portfolio scenario (spec section 15.1): every program replays its own events
//! and its vendor events' expansions exactly as section 6 says (its own aggregates, in
//! replay order); the book's figures are the exact sums of the programs'.

use super::book::Portfolio;
use super::scenario::{expansion_id, read_book_scenario, BookScenario, BookScenarioError};
use crate::replay::{replay_with_warnings, EventResult, Options, Replay, ReplayWarning};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The result of a portfolio scenario (`specie replay PORTFOLIO SCENARIO --json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookReplay {
    /// The book's name.
    pub portfolio: String,
    /// The scenario's name.
    pub scenario: String,
    /// Each program's section-7 result, in book order.
    pub programs: Vec<ProgramReplay>,
    /// The book's totals.
    pub totals: BookTotals,
    /// Each vendor event, in replay order (occurred, then id).
    pub vendor_events: Vec<VendorEventResult>,
}

/// One program's result in a book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramReplay {
    /// The program's key.
    pub program: String,
    /// Its section-7 result.
    pub result: Replay,
}

/// The book's totals: each figure the exact sum of the programs'.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookTotals {
    /// Ground-up loss over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub ground_up: Decimal,
    /// Paid by carriers over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Left uncovered over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub uncovered: Decimal,
    /// Each carrier (one balance sheet however many programs name it), in order of first
    /// appearance over the programs.
    pub carriers: Vec<BookCarrier>,
    /// Each treaty entity's gross, ceded and net summed by name (empty without treaties).
    pub entities: Vec<BookEntity>,
}

/// A carrier's payments over the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookCarrier {
    /// The carrier.
    pub carrier: String,
    /// Paid over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Paid in each program that names it, in book order.
    pub programs: Vec<ProgramPaid>,
}

/// What was paid in one program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramPaid {
    /// The program's key.
    pub program: String,
    /// Paid.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
}

/// A treaty entity's position over the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookEntity {
    /// The entity.
    pub entity: String,
    /// Gross over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    /// Ceded over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub ceded: Decimal,
    /// Net over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
}

/// One vendor event across the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorEventResult {
    /// The vendor event's id.
    pub id: String,
    /// The vendor.
    pub vendor: String,
    /// Its ground-up loss over the programs it reached.
    #[serde(with = "rust_decimal::serde::str")]
    pub ground_up: Decimal,
    /// Paid on it over the book.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// The programs it reached, in book order.
    pub programs: Vec<VendorProgram>,
    /// Each carrier of the programs reached, what it paid on the event's expansions and in
    /// how many programs it paid.
    pub carriers: Vec<VendorCarrier>,
    /// The carriers paying in 2 or more programs for this one event.
    pub clash: Vec<String>,
}

/// A vendor event in one program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorProgram {
    /// The program's key.
    pub program: String,
    /// The expansion's id there, `V1@KEY`.
    pub event: String,
    /// Its ground-up loss.
    #[serde(with = "rust_decimal::serde::str")]
    pub ground_up: Decimal,
    /// Paid on it.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
}

/// A carrier's part of one vendor event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorCarrier {
    /// The carrier.
    pub carrier: String,
    /// Paid on the event's expansions, over the programs.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// Programs in which it paid more than zero.
    pub programs: u32,
}

impl BookReplay {
    /// The result as pretty JSON (section 15.1).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A replayed book, with the warnings of each program (book order).
pub type Replayed = (BookReplay, Vec<Vec<ReplayWarning>>);

/// Replays a portfolio scenario given as JSON text through the book.
pub fn replay_book(
    portfolio: &Portfolio,
    text: &str,
    options: Options,
) -> Result<Replayed, BookScenarioError> {
    let scenario = read_book_scenario(portfolio, text)?;
    replay_read(portfolio, &scenario, options)
}

/// Replays a portfolio scenario already read.
pub fn replay_read(
    portfolio: &Portfolio,
    scenario: &BookScenario<'_>,
    options: Options,
) -> Result<Replayed, BookScenarioError> {
    let mut programs = Vec::with_capacity(portfolio.programs.len());
    let mut warnings = Vec::with_capacity(portfolio.programs.len());
    for (p, (book, sc)) in portfolio
        .programs
        .iter()
        .zip(&scenario.programs)
        .enumerate()
    {
        let (result, w) = replay_with_warnings(&book.program, sc, options).map_err(|e| {
            let (line, column) = scenario.place(p, e.event_id().unwrap_or(""));
            BookScenarioError::ProgramEvent {
                program: book.key.clone(),
                line,
                column,
                source: Box::new(e),
            }
        })?;
        programs.push(ProgramReplay {
            program: book.key.clone(),
            result,
        });
        warnings.push(w);
    }
    // Zero in the book's minor unit: `0.00`, not `0`, for a figure nothing adds to.
    let zero = portfolio.currency.decimal(crate::money::Money::ZERO);
    let totals = totals(&programs, zero);
    let vendor_events = vendor_events(portfolio, scenario, &programs, zero);
    Ok((
        BookReplay {
            portfolio: portfolio.name.clone(),
            scenario: scenario.name.clone(),
            programs,
            totals,
            vendor_events,
        },
        warnings,
    ))
}

/// `a + b`. INVARIANT: every amount is at most `i64::MAX` minor units and a book holds at
/// most a few thousand programs, far below `Decimal::MAX` (7.9 × 10^28): a sum never
/// saturates.
fn sum(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(Decimal::MAX)
}

/// The entry of `list` whose key is `key`, added with `new` when missing.
fn entry<T>(list: &mut Vec<T>, is: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> &mut T {
    let at = match list.iter().position(is) {
        Some(i) => i,
        None => {
            list.push(new());
            list.len().saturating_sub(1)
        }
    };
    // INVARIANT: `at` is a position of `list` (found, or the element just pushed).
    #[allow(clippy::indexing_slicing)]
    &mut list[at]
}

/// The book's totals: sums over the programs, carriers and entities by name in order of
/// first appearance.
fn totals(programs: &[ProgramReplay], zero: Decimal) -> BookTotals {
    let mut t = BookTotals {
        ground_up: zero,
        paid: zero,
        uncovered: zero,
        carriers: Vec::new(),
        entities: Vec::new(),
    };
    for pr in programs {
        let r = &pr.result.totals;
        t.ground_up = sum(t.ground_up, r.ground_up);
        t.paid = sum(t.paid, r.paid);
        for u in &r.uncovered {
            t.uncovered = sum(t.uncovered, u.amount);
        }
        for c in &r.carriers {
            let x = entry(
                &mut t.carriers,
                |x| x.carrier == c.carrier,
                || BookCarrier {
                    carrier: c.carrier.clone(),
                    paid: zero,
                    programs: Vec::new(),
                },
            );
            x.paid = sum(x.paid, c.paid);
            x.programs.push(ProgramPaid {
                program: pr.program.clone(),
                paid: c.paid,
            });
        }
        for e in &r.entities {
            let x = entry(
                &mut t.entities,
                |x| x.entity == e.entity,
                || BookEntity {
                    entity: e.entity.clone(),
                    gross: zero,
                    ceded: zero,
                    net: zero,
                },
            );
            x.gross = sum(x.gross, e.gross);
            x.ceded = sum(x.ceded, e.ceded);
            x.net = sum(x.net, e.net);
        }
    }
    t
}

/// Each vendor event's expansions found in the programs' results, in replay order.
fn vendor_events(
    portfolio: &Portfolio,
    scenario: &BookScenario<'_>,
    programs: &[ProgramReplay],
    zero: Decimal,
) -> Vec<VendorEventResult> {
    let mut keyed = Vec::with_capacity(scenario.vendor_events.len());
    for (v, occurred) in scenario.vendor_events.iter().zip(&scenario.vendor_occurred) {
        let mut out = VendorEventResult {
            id: v.id.to_string(),
            vendor: v.vendor.to_string(),
            ground_up: zero,
            paid: zero,
            programs: Vec::new(),
            carriers: Vec::new(),
            clash: Vec::new(),
        };
        for (book, pr) in portfolio.programs.iter().zip(programs) {
            let id = expansion_id(&v.id, &book.key);
            if let Some(e) = pr.result.events.iter().find(|e| e.id == id) {
                add_expansion(&mut out, &book.key, e, zero);
            }
        }
        out.clash = out
            .carriers
            .iter()
            .filter(|c| c.programs >= 2)
            .map(|c| c.carrier.clone())
            .collect();
        keyed.push(((*occurred, v.id.to_string()), out));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, v)| v).collect()
}

/// Adds the expansion `e` in program `key` to a vendor event's figures.
fn add_expansion(out: &mut VendorEventResult, key: &str, e: &EventResult, zero: Decimal) {
    out.ground_up = sum(out.ground_up, e.ground_up);
    out.paid = sum(out.paid, e.paid);
    out.programs.push(VendorProgram {
        program: key.to_string(),
        event: e.id.clone(),
        ground_up: e.ground_up,
        paid: e.paid,
    });
    let mut here: Vec<(&str, Decimal)> = Vec::new();
    for c in e.layers.iter().flat_map(|l| &l.carriers) {
        let x = entry(&mut here, |(n, _)| *n == c.carrier, || (&c.carrier, zero));
        x.1 = sum(x.1, c.paid);
    }
    for (name, paid) in here {
        let x = entry(
            &mut out.carriers,
            |x| x.carrier == name,
            || VendorCarrier {
                carrier: name.to_string(),
                paid: zero,
                programs: 0,
            },
        );
        x.paid = sum(x.paid, paid);
        if paid > Decimal::ZERO {
            x.programs = x.programs.saturating_add(1);
        }
    }
}
