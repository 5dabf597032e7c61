//! Reading a whole scenario file: the common read ([`super::whole`]) when the file has the
//! common layout, else the general read ([`super::general`]), which names every error.
//! Both give the same head and events ([`agrees_with_general_read`]).

use super::batch::{EventBatch, ScenarioHead};
use super::general::read_generally;
use super::whole::read_common;
use super::{ScenarioError, Symbols};
use crate::program::Program;

/// Reads a whole scenario's text into its head and a batch of prepared events, in the
/// file's order, without building the scenario's JSON tree: each event is validated and
/// valued as it is read. One read when the prices come before the events (or there are
/// none); otherwise the head is read first. Errors are those of
/// [`super::Scenario::from_json`] (which comes first) and
/// [`Preparer::prepare`](super::Preparer::prepare), the first one in the file's order.
pub fn read_scenario(
    program: &Program,
    text: &str,
    symbols: &Symbols,
) -> Result<(ScenarioHead, EventBatch), ScenarioError> {
    if let Some(read) = read_common(program, text, symbols) {
        return Ok(read);
    }
    read_generally(program, text, symbols)
}

/// Whether [`read_common`] agrees with the general read of `text`: the same head and
/// events when it gives a result, no result when the general read fails; and the common
/// read on two threads (forced, whatever the size) agrees with it on one. `Err` says how
/// they differ (for tests and the replay fuzz target).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn agrees_with_general_read(
    program: &Program,
    text: &str,
    symbols: &Symbols,
) -> Result<bool, String> {
    use super::whole::read_common_split;
    let one = read_common_split(program, text, symbols, usize::MAX);
    let two = read_common_split(program, text, symbols, 0);
    if one.as_ref().map(shown) != two.as_ref().map(shown) {
        return Err(format!(
            "the reads on one and two threads differ:\n{:?}\n---\n{:?}",
            one.as_ref().map(shown),
            two.as_ref().map(shown)
        ));
    }
    let Some(common) = one else {
        return Ok(false);
    };
    match read_generally(program, text, symbols) {
        Ok(general) if shown(&common) == shown(&general) => Ok(true),
        Ok(general) => Err(format!(
            "the reads differ:\n{}\n---\n{}",
            shown(&common),
            shown(&general)
        )),
        Err(e) => Err(format!("only the common read succeeds ({e})")),
    }
}

/// A read as text, to compare: the head, then every event of the batch.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn shown(read: &(ScenarioHead, EventBatch)) -> String {
    let view = read.1.view();
    let events: Vec<String> = (0..view.len())
        .map(|i| format!("{:?}", view.event(i)))
        .collect();
    format!("{:?}\n{}", read.0, events.join("\n"))
}
