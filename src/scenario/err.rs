//! Errors of reading and validating scenarios.

use miette::Diagnostic;
use thiserror::Error;

/// Why a scenario cannot be replayed through a program. Every variant names where: the
/// JSON line and column, or the event id and field.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum ScenarioError {
    /// Malformed JSON, or JSON of the wrong shape.
    #[error("invalid scenario JSON at line {line}, column {column}: {message}")]
    #[diagnostic(code(specie::scenario::json))]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// A scenario file that is not UTF-8 text.
    #[error("the scenario is not UTF-8 text: byte {byte} at line {line}, column {column} (byte offset {offset})")]
    #[diagnostic(code(specie::scenario::not_utf8), help("save the file as UTF-8 text"))]
    NotUtf8 {
        /// The byte.
        byte: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Byte offset.
        offset: usize,
    },
    /// Well-formed JSON of the wrong shape: a missing or unknown field, a wrong type, a
    /// decimal that does not parse or overflows.
    #[error("invalid scenario at line {line}, column {column}: {}field `{field}`: {message}", event_prefix(.event.as_deref()))]
    #[diagnostic(code(specie::scenario::shape))]
    Shape {
        /// Id of the event the field belongs to, when the event has one.
        event: Option<String>,
        /// Field path, e.g. `events[17].losses[0].quantity` (`losses[0].quantity` in a
        /// JSON Lines stream).
        field: String,
        /// 1-based line (of the file, or of the stream).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A field of an event that is missing, malformed or out of range.
    #[error("event `{event}`: field `{field}` {problem}")]
    #[diagnostic(code(specie::scenario::field))]
    Field {
        /// Event id.
        event: String,
        /// Field path, e.g. `losses[1].quantity`.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// A cause, tier or asset the program never names and that is not standard (an error
    /// only when replaying strictly; otherwise a warning).
    #[error("event `{event}`: field `{field}`: {kind} `{name}` is not named by the program nor standard")]
    #[diagnostic(code(specie::scenario::unknown_name))]
    UnknownName {
        /// Event id.
        event: String,
        /// Field path, e.g. `losses[0].tier`.
        field: String,
        /// `cause`, `tier` or `asset`.
        kind: &'static str,
        /// The name as written.
        name: String,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// An attribute the program does not declare.
    #[error("event `{event}`: attribute `{name}` is not declared by the program")]
    #[diagnostic(code(specie::scenario::unknown_attribute))]
    UnknownAttribute {
        /// Event id.
        event: String,
        /// Attribute name.
        name: String,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },
    /// A declared attribute without default that the event does not give.
    #[error("event `{event}`: attribute `{name}` has no default and is missing")]
    #[diagnostic(code(specie::scenario::missing_attribute))]
    MissingAttribute {
        /// Event id.
        event: String,
        /// Attribute name.
        name: String,
    },
    /// An attribute value of the wrong type.
    #[error("event `{event}`: attribute `{name}` must be a {expected}, found {found}")]
    #[diagnostic(code(specie::scenario::attribute_type))]
    AttributeType {
        /// Event id.
        event: String,
        /// Attribute name.
        name: String,
        /// The declared type.
        expected: &'static str,
        /// What the JSON holds.
        found: String,
    },
    /// No price for an asset at or before the valuation instant.
    #[error("event `{event}`: no price for `{asset}` at or before {instant}")]
    #[diagnostic(
        code(specie::scenario::missing_price),
        help("add a price observation for `{asset}` at or before {instant} to the scenario's `prices`")
    )]
    MissingPrice {
        /// Event id.
        event: String,
        /// Asset.
        asset: String,
        /// Valuation instant.
        instant: String,
    },
    /// A recovery dated before the event occurred.
    #[error("event `{event}`: field `{field}`: recovery at {at} is before the event occurred ({occurred})")]
    #[diagnostic(
        code(specie::scenario::recovery_before_occurrence),
        help("a recovery comes back after the loss; check its `at` instant")
    )]
    RecoveryBeforeOccurrence {
        /// Event id.
        event: String,
        /// Field path, e.g. `recoveries[0].at`.
        field: String,
        /// The recovery's instant.
        at: String,
        /// The event's occurrence.
        occurred: String,
    },
    /// Recoveries worth more than the event's ground-up loss.
    #[error("event `{event}`: field `recoveries`: recovered total {recovered} is above the ground-up loss {ground_up}")]
    #[diagnostic(
        code(specie::scenario::recovered_above_loss),
        help("recoveries are valued at their own instants; a rise in price cannot recover more than was lost: record at most the loss")
    )]
    RecoveredAboveLoss {
        /// Event id.
        event: String,
        /// Sum of the recoveries' values.
        recovered: String,
        /// The event's ground-up loss.
        ground_up: String,
    },
    /// Two events of one series with different causes.
    #[error("series `{series}`: event `{other}` has cause `{other_cause}` but event `{first}` of the same series has `{first_cause}`")]
    #[diagnostic(
        code(specie::scenario::series_cause),
        help("one occurrence has one originating cause: give the events the same cause, or different series")
    )]
    SeriesCause {
        /// The series.
        series: String,
        /// Its first event in replay order.
        first: String,
        /// Its cause.
        first_cause: String,
        /// The event with another cause.
        other: String,
        /// That cause.
        other_cause: String,
    },
    /// In a stream, a series whose events are not on consecutive lines.
    #[error("event `{event}` (line {line}) belongs to series `{series}`, which ended earlier in the stream; in a stream the events of a series must be consecutive")]
    #[diagnostic(
        code(specie::scenario::series_split),
        help("sort the stream so that a series' events follow one another, or replay the scenario as one JSON file, where a series may be spread out")
    )]
    SeriesSplit {
        /// The event.
        event: String,
        /// Its series.
        series: String,
        /// 1-based line of the stream.
        line: usize,
    },
    /// Two events with one id.
    #[error("duplicate event id `{event}`")]
    #[diagnostic(
        code(specie::scenario::duplicate_id),
        help("event ids must be unique within a scenario")
    )]
    DuplicateId {
        /// The id.
        event: String,
    },
    /// Discovery before occurrence.
    #[error("event `{event}`: discovered {discovered} before it occurred {occurred}")]
    #[diagnostic(code(specie::scenario::discovered_before_occurred))]
    DiscoveredBeforeOccurred {
        /// Event id.
        event: String,
        /// Occurrence.
        occurred: String,
        /// Discovery.
        discovered: String,
    },
    /// A scenario currency that is unknown or differs from the program's.
    #[error("scenario currency `{code}` {problem}")]
    #[diagnostic(code(specie::scenario::currency))]
    Currency {
        /// The code.
        code: String,
        /// What is wrong.
        problem: String,
    },
    /// A price series with two observations at one instant.
    #[error("prices of `{asset}`: two observations at {instant}")]
    #[diagnostic(code(specie::scenario::price_series))]
    PriceSeries {
        /// Asset.
        asset: String,
        /// The instant.
        instant: String,
    },
    /// An index series that is malformed.
    #[error("index `{index}`: {problem}")]
    #[diagnostic(code(specie::scenario::index_series))]
    IndexSeries {
        /// The index.
        index: String,
        /// What is wrong.
        problem: String,
    },
    /// An index a parametric cover watches that the scenario does not give.
    #[error(
        "parametric cover `{cover}` watches index `{index}`, which the scenario does not give"
    )]
    #[diagnostic(
        code(specie::scenario::missing_index),
        help("add `\"indices\": {{\"{index}\": [[instant, value], …]}}` to the scenario")
    )]
    MissingIndex {
        /// The cover.
        cover: String,
        /// The index.
        index: String,
    },
    /// An event of a stream with the id and instant of the one before it.
    #[error("event `{event}` (line {line}) repeats the event before it: the same id, occurring at the same instant")]
    #[diagnostic(
        code(specie::scenario::duplicate_id),
        help("event ids must be unique within a scenario")
    )]
    StreamDuplicate {
        /// The id.
        event: String,
        /// 1-based line of the stream.
        line: usize,
    },
    /// Events of a stream out of replay order.
    #[error("event `{event}` (line {line}) comes before `{previous}` in replay order; a stream must be sorted by occurred, then id")]
    #[diagnostic(code(specie::scenario::stream_order))]
    StreamOrder {
        /// The event.
        event: String,
        /// The event before it.
        previous: String,
        /// 1-based line of the stream.
        line: usize,
    },
    /// A line of a stream longer than the limit.
    #[error("line {line} of the stream is at least {count} bytes long, above the limit of {limit} bytes")]
    #[diagnostic(
        code(specie::limit::scenario),
        help("one event per line; an event this long is not a custody loss")
    )]
    LineTooLong {
        /// 1-based line number.
        line: usize,
        /// Bytes read of it.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More events or lines than the limits allow.
    #[error("{what}: {count} is above the limit of {limit}")]
    #[diagnostic(code(specie::limit::scenario))]
    TooMany {
        /// What is counted.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

impl ScenarioError {
    /// The id of the event the error is about, when it is about one.
    pub fn event_id(&self) -> Option<&str> {
        match self {
            ScenarioError::Shape { event, .. } => event.as_deref(),
            ScenarioError::Field { event, .. }
            | ScenarioError::UnknownName { event, .. }
            | ScenarioError::UnknownAttribute { event, .. }
            | ScenarioError::MissingAttribute { event, .. }
            | ScenarioError::AttributeType { event, .. }
            | ScenarioError::MissingPrice { event, .. }
            | ScenarioError::RecoveryBeforeOccurrence { event, .. }
            | ScenarioError::RecoveredAboveLoss { event, .. }
            | ScenarioError::SeriesSplit { event, .. }
            | ScenarioError::DuplicateId { event }
            | ScenarioError::DiscoveredBeforeOccurred { event, .. }
            | ScenarioError::StreamDuplicate { event, .. }
            | ScenarioError::StreamOrder { event, .. } => Some(event),
            ScenarioError::SeriesCause { other, .. } => Some(other),
            _ => None,
        }
    }

    /// Wraps a serde_json error with its position.
    pub fn json(e: &serde_json::Error) -> ScenarioError {
        ScenarioError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

fn event_prefix(event: Option<&str>) -> String {
    event.map(|e| format!("event `{e}`: ")).unwrap_or_default()
}
