//! Errors of replaying scenarios.

use crate::scenario::ScenarioError;
use miette::Diagnostic;
use thiserror::Error;

/// Why a replay did not produce a result. A replay never returns partial results.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum ReplayError {
    /// The scenario is malformed or does not fit the program.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scenario(#[from] ScenarioError),
    /// An amount left the range of exact arithmetic.
    #[error("event `{event}`: {what} overflows exact arithmetic")]
    #[diagnostic(
        code(specie::replay::overflow),
        help("amounts must stay below 92 quadrillion minor units")
    )]
    Overflow {
        /// Event id.
        event: String,
        /// What overflowed.
        what: &'static str,
    },
    /// An invariant the engine relies on did not hold: a bug in Specie.
    #[error("event `{event}`: internal error in {what}: an invariant of the engine did not hold; please report this")]
    #[diagnostic(code(specie::replay::internal))]
    Internal {
        /// Event id.
        event: String,
        /// The step that failed.
        what: &'static str,
    },
    /// The program's treaties cede in a circle (only a program not built by the compiler).
    #[error("the program's treaties cede in a circle and cannot be settled")]
    #[diagnostic(
        code(specie::replay::treaty_cycle),
        help("compile the program from source: the compiler rejects retrocession spirals")
    )]
    TreatyCycle,
    /// Ground-up loss did not equal paid plus uncovered: a bug in Specie.
    #[error("event `{event}`: conservation failed (ground-up {ground_up}, paid {paid}, uncovered {uncovered} minor units); please report this")]
    #[diagnostic(code(specie::replay::conservation))]
    Conservation {
        /// Event id.
        event: String,
        /// Ground-up loss.
        ground_up: i64,
        /// Paid.
        paid: i64,
        /// Uncovered.
        uncovered: i64,
    },
}

/// Why a streamed replay stopped.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StreamError {
    /// A bad event or header.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Replay(#[from] ReplayError),
    /// Reading the input or writing the output failed.
    #[error("i/o error: {0}")]
    #[diagnostic(code(specie::io))]
    Io(#[from] std::io::Error),
}

impl ReplayError {
    /// The id of the event the error is about, when it is about one.
    pub fn event_id(&self) -> Option<&str> {
        match self {
            ReplayError::Scenario(e) => e.event_id(),
            ReplayError::Overflow { event, .. }
            | ReplayError::Internal { event, .. }
            | ReplayError::Conservation { event, .. } => Some(event),
            ReplayError::TreatyCycle => None,
        }
    }
}

impl From<ScenarioError> for StreamError {
    fn from(e: ScenarioError) -> Self {
        StreamError::Replay(ReplayError::Scenario(e))
    }
}
