//! Errors and warnings of [`crate::compile::compile`].

use crate::parse::ParseError;
use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A reason a program does not compile. All of them are reported in one run.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum CompileError {
    /// An item that may be written once is written twice.
    #[error("`{item}` is written more than once")]
    #[diagnostic(code(specie::item::duplicate), help("keep one `{item}` item"))]
    DuplicateItem {
        /// The item keyword.
        item: String,
        /// The second one.
        #[label("written again here")]
        span: SourceSpan,
        /// The first one.
        #[label("first written here")]
        first: SourceSpan,
    },
    /// No `period` item.
    #[error("program `{program}` has no `period`")]
    #[diagnostic(
        code(specie::item::missing_period),
        help("add `period 2026-01-01 to 2027-01-01` (start inclusive, end exclusive)")
    )]
    MissingPeriod {
        /// The program name.
        program: String,
        /// The program's name.
        #[label("this program")]
        span: SourceSpan,
    },
    /// A currency code the language does not know.
    #[error("unknown currency `{code}`")]
    #[diagnostic(code(specie::value::unknown_currency))]
    UnknownCurrency {
        /// The code.
        code: String,
        /// Where.
        #[label("not an ISO 4217 code specie knows")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// The period's end is not after its start.
    #[error("period ends on {end}, not after it starts on {start}")]
    #[diagnostic(
        code(specie::value::period_order),
        help("the end date is exclusive and must be later than the start")
    )]
    PeriodOrder {
        /// Start date.
        start: String,
        /// End date.
        end: String,
        /// Where.
        #[label("empty period")]
        span: SourceSpan,
    },
    /// A name holding an invisible character (a zero-width space, a bidirectional
    /// override, a control character): it would be another name that looks the same.
    #[error("{kind} name `{name}` holds the invisible character {code_point}")]
    #[diagnostic(
        code(specie::name::invisible),
        help("retype the name; invisible characters make two names that look the same differ")
    )]
    InvisibleInName {
        /// What kind of thing.
        kind: &'static str,
        /// The name, control characters shown.
        name: String,
        /// The first invisible character, `U+200B`.
        code_point: String,
        /// Where.
        #[label("invisible character in here")]
        span: SourceSpan,
    },
    /// Two clauses, layers, carriers or attributes of one kind share a name.
    #[error("duplicate {kind} name `{name}`")]
    #[diagnostic(
        code(specie::name::duplicate),
        help("names of {kind}s must be unique so that results can say which one acted")
    )]
    DuplicateName {
        /// What kind of thing.
        kind: &'static str,
        /// The name.
        name: String,
        /// The second one.
        #[label("used again here")]
        span: SourceSpan,
        /// The first one.
        #[label("first used here")]
        first: SourceSpan,
    },
    /// A percentage outside 0-100%.
    #[error("{what} of {value}% is outside 0-100%")]
    #[diagnostic(code(specie::value::percent_range))]
    PercentRange {
        /// What the percentage is.
        what: &'static str,
        /// The value as written.
        value: String,
        /// Where.
        #[label("must be between 0% and 100%")]
        span: SourceSpan,
    },
    /// A percent deductible whose `min` is above its `max`.
    #[error("deductible minimum {min} is above its maximum {max}")]
    #[diagnostic(code(specie::value::min_above_max), help("swap them, or remove one"))]
    MinAboveMax {
        /// The minimum as written.
        min: String,
        /// The maximum as written.
        max: String,
        /// The minimum.
        #[label("minimum")]
        span: SourceSpan,
        /// The maximum.
        #[label("maximum")]
        max_span: SourceSpan,
    },
    /// `min`/`max` on a flat deductible.
    #[error("`{word}` applies only to a percentage deductible")]
    #[diagnostic(
        code(specie::value::min_max_on_flat),
        help("a flat deductible is already a fixed amount; remove `{word}` or write a percentage")
    )]
    MinMaxOnFlat {
        /// `min` or `max`.
        word: &'static str,
        /// Where.
        #[label("not allowed on a flat amount")]
        span: SourceSpan,
    },
    /// `franchise` on a percentage deductible or with min/max.
    #[error("a franchise deductible must be a flat amount without `min` or `max`")]
    #[diagnostic(code(specie::value::franchise_not_flat))]
    FranchiseNotFlat {
        /// Where.
        #[label("franchise")]
        span: SourceSpan,
    },
    /// A model parameter out of its range (negative, zero where it must be positive, not
    /// whole, too large).
    #[error("{what} {problem}")]
    #[diagnostic(code(specie::model::parameter))]
    ModelParameter {
        /// What it is.
        what: &'static str,
        /// What is wrong.
        problem: String,
        /// Where.
        #[label("here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// A peril without a cause, a frequency or a loss.
    #[error("peril `{peril}` has no `{item}` item")]
    #[diagnostic(code(specie::model::incomplete), help("add `{example}`"))]
    PerilIncomplete {
        /// The peril.
        peril: String,
        /// The missing item.
        item: &'static str,
        /// An example of it.
        example: &'static str,
        /// The peril.
        #[label("this peril")]
        span: SourceSpan,
    },
    /// A peril's cause the program would never respond to.
    #[error("cause `{cause}` is {problem}")]
    #[diagnostic(code(specie::model::cause))]
    ModelCause {
        /// The cause.
        cause: String,
        /// Not covered, or not named.
        problem: &'static str,
        /// Where.
        #[label("this cause")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },
    /// `share of exposure` or `cap exposure` on a tier the program declares no exposure for.
    #[error("the program declares no exposure for tier `{tier}`")]
    #[diagnostic(
        code(specie::model::no_exposure),
        help("add `exposure {tier} AMOUNT` to the program, or use an amount")
    )]
    NoExposure {
        /// The tier.
        tier: String,
        /// Where.
        #[label("needs an exposure")]
        span: SourceSpan,
    },
    /// A limit, aggregate or amount that must be positive is zero.
    #[error("{what} must be greater than zero")]
    #[diagnostic(code(specie::value::not_positive))]
    NotPositive {
        /// What it is.
        what: &'static str,
        /// Where.
        #[label("zero")]
        span: SourceSpan,
    },
    /// An amount with more decimals than the currency's minor unit.
    #[error("amount `{value}` has more decimals than {currency} allows ({decimals})")]
    #[diagnostic(
        code(specie::value::precision),
        help("amounts are exact in the currency's minor unit; round the amount")
    )]
    Precision {
        /// The value.
        value: String,
        /// The currency code.
        currency: String,
        /// Its minor-unit decimals.
        decimals: u32,
        /// Where.
        #[label("too precise")]
        span: SourceSpan,
    },
    /// A value too large to represent.
    #[error("{what} is too large: {limit}")]
    #[diagnostic(code(specie::value::overflow))]
    Overflow {
        /// What overflowed.
        what: &'static str,
        /// The largest value allowed, in words.
        limit: String,
        /// Where.
        #[label("too large")]
        span: SourceSpan,
    },
    /// A duration longer than [`crate::time::Duration::MAX`].
    #[error("{what} `{value}` is longer than 10,000 years")]
    #[diagnostic(
        code(specie::value::too_long),
        help("write a duration of at most 3,652,500 days; an instant plus a longer one leaves the calendar")
    )]
    DurationTooLong {
        /// What it is.
        what: &'static str,
        /// The value as written.
        value: String,
        /// Where.
        #[label("too long")]
        span: SourceSpan,
    },
    /// A duration that is not a whole number of seconds, or a count that is not whole.
    #[error("{what} `{value}` is not whole")]
    #[diagnostic(code(specie::value::not_whole))]
    NotWhole {
        /// What it is.
        what: &'static str,
        /// The value as written.
        value: String,
        /// Where.
        #[label("must be a whole number of {unit}")]
        span: SourceSpan,
        /// The unit.
        unit: &'static str,
    },
    /// An attribute named like a built-in field.
    #[error("attribute `{name}` has the name of a built-in field")]
    #[diagnostic(
        code(specie::name::builtin_field),
        help("built-in fields are cause, tier, asset, value, occurred, discovered and time_to_discovery")
    )]
    AttributeShadowsField {
        /// The name.
        name: String,
        /// Where.
        #[label("built-in field")]
        span: SourceSpan,
    },
    /// An attribute default that does not fit the attribute's type.
    #[error("default of `{name}` is {found}, not a {ty}")]
    #[diagnostic(code("specie::type::attribute_default"))]
    AttributeDefault {
        /// The attribute.
        name: String,
        /// Its type.
        ty: &'static str,
        /// What the default is.
        found: &'static str,
        /// Where.
        #[label("expected a {ty}")]
        span: SourceSpan,
        /// An example of the right type.
        #[help]
        help: String,
    },
    /// A field that is neither built in nor declared.
    #[error("unknown field `{name}`")]
    #[diagnostic(code("specie::type::unknown_field"))]
    UnknownField {
        /// The name.
        name: String,
        /// Where.
        #[label("not a field")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// An operator that does not apply to the field's type.
    #[error("`{op}` does not apply to `{field}`, which is a {ty}")]
    #[diagnostic(code("specie::type::operator"))]
    Operator {
        /// The operator.
        op: String,
        /// The field.
        field: String,
        /// The field's type.
        ty: &'static str,
        /// Where.
        #[label("not for a {ty}")]
        span: SourceSpan,
        /// What to write instead.
        #[help]
        help: String,
    },
    /// A value whose type differs from the field's.
    #[error("`{field}` is a {ty}, but is compared with {found}")]
    #[diagnostic(code("specie::type::mismatch"))]
    Mismatch {
        /// The field.
        field: String,
        /// The field's type.
        ty: &'static str,
        /// What the value is.
        found: &'static str,
        /// Where.
        #[label("expected a {ty}")]
        span: SourceSpan,
        /// An example of the right type.
        #[help]
        help: String,
    },
    /// A bare field that is not a flag.
    #[error("`{field}` is a {ty}, not a flag, and cannot stand alone as a condition")]
    #[diagnostic(
        code("specie::type::not_a_flag"),
        help("compare it with a value, e.g. `{field} {example}`")
    )]
    NotAFlag {
        /// The field.
        field: String,
        /// Its type.
        ty: &'static str,
        /// An example comparison.
        example: &'static str,
        /// Where.
        #[label("not a flag")]
        span: SourceSpan,
    },
    /// A loss-line field inside a layer exclusion.
    #[error("`{field}` is a field of a loss line, but layer exclusions apply to whole events")]
    #[diagnostic(
        code("specie::type::line_field_in_layer"),
        help("use event fields (cause, occurred, discovered, time_to_discovery, attributes) here, or move the exclusion to program level")
    )]
    LineFieldInLayer {
        /// The field.
        field: String,
        /// Where.
        #[label("line field")]
        span: SourceSpan,
    },
    /// Two layers whose bands overlap.
    #[error("layers `{lower}` and `{upper}` overlap by {amount}")]
    #[diagnostic(
        code(specie::tower::overlap),
        help("`{lower}` reaches {top}, above where `{upper}` attaches; attach `{upper}` at {top} or lower the limit of `{lower}`")
    )]
    Overlap {
        /// The lower layer.
        lower: String,
        /// The upper layer.
        upper: String,
        /// Overlap amount.
        amount: String,
        /// Top of the lower layer.
        top: String,
        /// The upper layer.
        #[label("attaches inside `{lower}`")]
        span: SourceSpan,
        /// The lower layer.
        #[label("reaches {top}")]
        lower_span: SourceSpan,
    },
    /// Carrier shares above 100% in a layer.
    #[error("carrier shares of {kind} `{layer}` add up to {total}%, above 100%")]
    #[diagnostic(
        code(specie::tower::overplaced),
        help("reduce the shares so they add up to at most 100%")
    )]
    Overplaced {
        /// `layer` or `parametric cover`.
        kind: &'static str,
        /// The layer or cover.
        layer: String,
        /// Sum of shares.
        total: String,
        /// The layer.
        #[label("over-placed {kind}")]
        span: SourceSpan,
    },
    /// A parametric cover without an item it needs.
    #[error("parametric cover `{cover}` has no {what}")]
    #[diagnostic(code(specie::parametric::incomplete))]
    ParametricIncomplete {
        /// The cover.
        cover: String,
        /// `index`, `trigger` or `payout`.
        what: &'static str,
        /// The cover's name.
        #[label("incomplete cover")]
        span: SourceSpan,
        /// What to add.
        #[help]
        help: &'static str,
    },
    /// Step and linear payouts mixed, or two linear payouts.
    #[error("parametric cover `{cover}` mixes payout kinds")]
    #[diagnostic(
        code(specie::parametric::mixed_payout),
        help("write either one `payout linear …` or one or more `payout P% of N [when …]` steps")
    )]
    MixedPayout {
        /// The cover.
        cover: String,
        /// The offending payout.
        #[label("second kind of payout")]
        span: SourceSpan,
    },
    /// A step threshold that a triggering excursion always meets, or that looks the other way.
    #[error("step `when {direction} {step}` is on the wrong side of the trigger `{trigger_direction} {trigger}`")]
    #[diagnostic(code(specie::parametric::step_side))]
    StepSide {
        /// The step's direction.
        direction: &'static str,
        /// The step's threshold.
        step: String,
        /// The trigger's direction.
        trigger_direction: &'static str,
        /// The trigger's threshold.
        trigger: String,
        /// The step.
        #[label("wrong side")]
        span: SourceSpan,
        /// What fits.
        #[help]
        help: String,
    },
    /// Linear payout points in the wrong order.
    #[error("linear payout points are reversed: from {from} to {to} does not go {direction} the trigger")]
    #[diagnostic(code(specie::parametric::linear_reversed))]
    LinearReversed {
        /// First point.
        from: String,
        /// Second point.
        to: String,
        /// `below` or `above`.
        direction: &'static str,
        /// The payout.
        #[label("reversed")]
        span: SourceSpan,
        /// What fits.
        #[help]
        help: String,
    },
    /// A treaty without an item it needs.
    #[error("treaty `{treaty}` has no {what}")]
    #[diagnostic(code(specie::treaty::incomplete))]
    TreatyIncomplete {
        /// The treaty.
        treaty: String,
        /// What is missing.
        what: &'static str,
        /// The treaty's name.
        #[label("this treaty")]
        span: SourceSpan,
        /// What to write.
        #[help]
        help: &'static str,
    },
    /// A cedent that is neither a carrier of the program nor a reinsurer of a treaty.
    #[error("cedent `{cedent}` of treaty `{treaty}` is neither a carrier nor a reinsurer of the program")]
    #[diagnostic(code(specie::treaty::unknown_cedent))]
    UnknownCedent {
        /// The treaty.
        treaty: String,
        /// The cedent as written.
        cedent: String,
        /// Where.
        #[label("unknown entity")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// `inures after` names no treaty of the program.
    #[error("`inures after` names treaty `{name}`, which the program does not have")]
    #[diagnostic(code(specie::treaty::unknown_treaty))]
    UnknownTreaty {
        /// The name as written.
        name: String,
        /// Where.
        #[label("unknown treaty")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// `inures after` names a treaty of another cedent.
    #[error("treaty `{treaty}` of `{cedent}` inures after `{other}`, a treaty of another cedent, `{other_cedent}`")]
    #[diagnostic(
        code(specie::treaty::inures_other_cedent),
        help("inuring order ranks one cedent's own treaties; remove `{other}` from the list")
    )]
    InuresOtherCedent {
        /// The treaty.
        treaty: String,
        /// Its cedent.
        cedent: String,
        /// The treaty named.
        other: String,
        /// That treaty's cedent.
        other_cedent: String,
        /// Where.
        #[label("treaty of `{other_cedent}`")]
        span: SourceSpan,
    },
    /// A cedent's treaties inure after each other in a circle.
    #[error("treaties of `{cedent}` inure after each other in a circle: {treaties}")]
    #[diagnostic(
        code(specie::treaty::inuring_cycle),
        help("one of them must apply first; remove one `inures after`")
    )]
    InuringCycle {
        /// The cedent.
        cedent: String,
        /// The treaties, named.
        treaties: String,
        /// The first of them.
        #[label("on the circle")]
        span: SourceSpan,
    },
    /// Treaties that cede in a circle (a retrocession spiral).
    #[error("treaties cede in a circle: {path}")]
    #[diagnostic(
        code(specie::treaty::cycle),
        help("a retrocession spiral has no order in which to settle it; remove or redirect one of these treaties")
    )]
    TreatyCycle {
        /// Entities and treaties along the circle.
        path: String,
        /// Every treaty on it.
        #[label(collection)]
        treaties: Vec<miette::LabeledSpan>,
    },
    /// A check that names a carrier or layer the program does not have.
    #[error("check refers to {kind} `{name}`, which the program does not have")]
    #[diagnostic(code(specie::check::unknown_name))]
    CheckUnknownName {
        /// `carrier` or `layer`.
        kind: &'static str,
        /// The name.
        name: String,
        /// Where.
        #[label("unknown {kind}")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A check without an item it needs, or with one twice.
    #[error("check `{check}` {problem}")]
    #[diagnostic(code(specie::check::shape))]
    CheckShape {
        /// The check.
        check: String,
        /// What is wrong.
        problem: String,
        /// The check's name.
        #[label("this check")]
        span: SourceSpan,
        /// What to write.
        #[help]
        help: &'static str,
    },
    /// A check whose event space is empty.
    #[error("check `{check}` describes no event: no covered cause and tier satisfy its condition")]
    #[diagnostic(
        code(specie::check::empty_event_space),
        help("causes come from `covers` (or every cause the program names), tiers from `exposure` items and conditions")
    )]
    EmptyEventSpace {
        /// The check.
        check: String,
        /// The condition.
        #[label("matches no event")]
        span: SourceSpan,
    },
    /// A loss range that is empty.
    #[error("loss range from {from} to {to} is empty")]
    #[diagnostic(code(specie::check::loss_range))]
    LossRange {
        /// Lower bound.
        from: String,
        /// Upper bound.
        to: String,
        /// Where.
        #[label("empty range")]
        span: SourceSpan,
    },
    /// A sequence check with more events than the limit.
    #[error("`events {count}` is above the limit of {limit} events in one check")]
    #[diagnostic(
        code(specie::limit::check_events),
        help("a sequence check replays its events in one period, each case built in memory; use at most {limit}")
    )]
    CheckEvents {
        /// Events asked for.
        count: u64,
        /// The limit.
        limit: u32,
        /// The `events` item.
        #[label("too many events")]
        span: SourceSpan,
    },
    /// More layers or clauses than the limit.
    #[error("program has {count} {what}, above the limit of {limit}")]
    #[diagnostic(code(specie::limit::count))]
    TooMany {
        /// What is counted.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
        /// The program.
        #[label("this program")]
        span: SourceSpan,
    },
}

/// Something legal but probably not meant; compilation goes on.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum CompileWarning {
    /// Two different names of one kind that look alike (equal after Unicode's confusable
    /// folding): most often a look-alike letter from another script.
    #[error("{kind} name `{name}` looks like `{other}` but is a different name")]
    #[diagnostic(
        code(specie::name::confusable),
        severity(Warning),
        help("names are compared as written, so these are two different names; if they mean one, write it the same way in both places")
    )]
    Confusable {
        /// What kind of thing.
        kind: &'static str,
        /// The later name.
        name: String,
        /// The earlier name it looks like.
        other: String,
        /// The later name.
        #[label("this one")]
        span: SourceSpan,
        /// The earlier name.
        #[label("looks like this one")]
        first: SourceSpan,
    },
    /// A gap between two consecutive layers.
    #[error("gap of {amount} between layers `{lower}` and `{upper}`")]
    #[diagnostic(
        code(specie::tower::gap),
        severity(Warning),
        help("losses between {from} and {to} are not covered by any layer (reason `tower_gap`)")
    )]
    Gap {
        /// Lower layer.
        lower: String,
        /// Upper layer.
        upper: String,
        /// Size of the gap.
        amount: String,
        /// Top of the lower layer.
        from: String,
        /// Attachment of the upper layer.
        to: String,
        /// The upper layer.
        #[label("attaches above the top of `{lower}`")]
        span: SourceSpan,
    },
    /// Carrier shares below 100% in a layer or parametric cover.
    #[error("{kind} `{layer}` is placed at {placed}%; {unplaced}% is unplaced")]
    #[diagnostic(
        code(specie::tower::unplaced),
        severity(Warning),
        help(
            "the unplaced share of each payment stays with the insured (reason `unplaced_share`)"
        )
    )]
    Unplaced {
        /// `layer` or `parametric cover`.
        kind: &'static str,
        /// The layer or cover.
        layer: String,
        /// Placed share.
        placed: String,
        /// Unplaced share.
        unplaced: String,
        /// The layer.
        #[label("partly placed")]
        span: SourceSpan,
    },
    /// A treaty whose reinsurers' shares sum to less than 100%.
    #[error(
        "treaty `{treaty}` is placed {placed}%; {unplaced}% of each cession stays with `{cedent}`"
    )]
    #[diagnostic(code(specie::treaty::unplaced), severity(Warning))]
    TreatyUnplaced {
        /// The treaty.
        treaty: String,
        /// The cedent.
        cedent: String,
        /// Placed share.
        placed: String,
        /// Unplaced share.
        unplaced: String,
        /// The treaty.
        #[label("partly placed")]
        span: SourceSpan,
    },
    /// `allow` names a code the tower analysis does not report.
    #[error("`allow` names `{code}`, which is not a finding code")]
    #[diagnostic(code(specie::allow::unknown_code), severity(Warning))]
    UnknownAllow {
        /// The code as written.
        code: String,
        /// Where.
        #[label("silences nothing")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A program without layers pays nothing.
    #[error("program `{program}` has no layers, so it pays nothing")]
    #[diagnostic(
        code(specie::tower::no_layers),
        severity(Warning),
        help("add `layer \"Primary\" LIMIT xs 0 {{ carrier \"NAME\" 100% }}`")
    )]
    NoLayers {
        /// The program.
        program: String,
        /// The program's name.
        #[label("no layers")]
        span: SourceSpan,
    },
    /// A cause not in the standard vocabulary, or not covered.
    #[error("cause `{cause}` {problem}")]
    #[diagnostic(code(specie::name::unknown_cause), severity(Warning))]
    UnknownCause {
        /// The cause.
        cause: String,
        /// What is odd about it.
        problem: &'static str,
        /// Where.
        #[label("unknown cause")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// An index peril whose worst value never meets the trigger of any cover on its index.
    #[error("index peril `{peril}` never draws a worst value that meets a trigger on `{index}`")]
    #[diagnostic(code(specie::model::worst_never_triggers), severity(Warning))]
    WorstNeverTriggers {
        /// The peril.
        peril: String,
        /// Its index.
        index: String,
        /// Where.
        #[label("worst values from {low} to {high}")]
        span: SourceSpan,
        /// Lowest value drawn.
        low: String,
        /// Highest value drawn.
        high: String,
        /// The triggers.
        #[help]
        help: String,
    },
    /// An index peril on an index no parametric cover of the program uses.
    #[error(
        "index peril `{peril}` moves `{index}`, which no parametric cover of the program uses"
    )]
    #[diagnostic(code(specie::model::index_unused), severity(Warning))]
    IndexUnused {
        /// The peril.
        peril: String,
        /// Its index.
        index: String,
        /// Where.
        #[label("no cover reads this index")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },
    /// A parametric cover whose index the model does not draw: it pays nothing in every year.
    #[error("parametric cover `{cover}` reads `{index}`, which the model does not draw: the cover pays nothing in every simulated year")]
    #[diagnostic(
        code(specie::model::index_not_modelled),
        severity(Warning),
        help("add `index peril \"NAME\" {{ index \"{index}\" baseline … frequency … worst … duration … }}` to the model")
    )]
    IndexNotModelled {
        /// The cover.
        cover: String,
        /// Its index.
        index: String,
        /// The model's name.
        #[label("draws no `{index}`")]
        span: SourceSpan,
    },
    /// A tier not in the standard vocabulary.
    #[error("storage tier `{tier}` is not one of hot, warm, cold")]
    #[diagnostic(code(specie::name::unknown_tier), severity(Warning))]
    UnknownTier {
        /// The tier.
        tier: String,
        /// Where.
        #[label("unknown tier")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },
    /// A symbol written twice in one list.
    #[error("`{symbol}` is listed twice")]
    #[diagnostic(
        code(specie::name::duplicate_symbol),
        severity(Warning),
        help("remove the repeat")
    )]
    DuplicateSymbol {
        /// The symbol.
        symbol: String,
        /// Where.
        #[label("repeated")]
        span: SourceSpan,
    },
    /// An item that has no effect under the program's basis.
    #[error("`{item}` has no effect on a {basis} basis")]
    #[diagnostic(code(specie::item::not_applicable), severity(Warning))]
    NotApplicable {
        /// The item.
        item: &'static str,
        /// The basis.
        basis: &'static str,
        /// Where.
        #[label("ignored")]
        span: SourceSpan,
        /// What applies instead.
        #[help]
        help: &'static str,
    },
}

/// Every error (and the warnings) of a program that does not compile.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("program has {} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" })]
pub struct CompileErrors {
    /// The errors, in source order of discovery.
    pub errors: Vec<CompileError>,
    /// Warnings found on the way.
    pub warnings: Vec<CompileWarning>,
}

/// Why source text could not be turned into a program.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SourceError {
    /// The text does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The program does not compile.
    #[error(transparent)]
    Compile(#[from] CompileErrors),
}

impl SourceError {
    /// Every diagnostic, errors first, in the order found.
    pub fn diagnostics(&self) -> Vec<&dyn Diagnostic> {
        match self {
            SourceError::Parse(e) => vec![e as &dyn Diagnostic],
            SourceError::Compile(c) => c
                .errors
                .iter()
                .map(|e| e as &dyn Diagnostic)
                .chain(c.warnings.iter().map(|w| w as &dyn Diagnostic))
                .collect(),
        }
    }
}
