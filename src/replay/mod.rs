//! The replay engine (spec section 6): events through the wording and the tower, exactly,
//! in integer minor units.
//!
//! [`Replayer`] holds the state that carries from event to event (aggregates, reinstatement
//! premium, totals) and takes events one at a time; [`replay`] sorts a whole scenario and
//! runs it. Every event satisfies conservation — ground-up = paid + uncovered — which the
//! engine checks before returning it.

mod answers;
mod atoms;
mod cond;
mod engine;
mod err;
mod fault;
mod occurrence;
mod outcome;
mod output;
mod parametric;
mod plan;
mod publish;
mod recovery;
mod result;
mod run;
mod slots;
mod steps;
mod stream;
mod trace;
mod warn;
pub mod write;

pub use engine::Replayer;
pub use err::{ReplayError, StreamError};
pub use occurrence::{group, Occurrence};
pub use outcome::{ClauseRef, LayerOutcome, Outcome, RecoveredOutcome, TraceStep, UncoveredKey};
pub use output::{EventSink, Format, ReplayOutput};
pub use parametric::{evaluate as evaluate_parametric, excursions, Excursion, ExcursionOutcome};
pub use plan::Plan;
pub use result::*;
pub use run::{
    explain, order_key, prepare_events, replay, replay_into, replay_text_into, replay_text_to,
    replay_with_warnings, Options,
};
pub use stream::{replay_stream, replay_stream_as, StreamSummary, MAX_LINE_BYTES};
pub use warn::ReplayWarning;
pub use write::ResultWriter;

#[cfg(test)]
mod tests;
