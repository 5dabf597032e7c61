//! The syntax tree of a Specie program, as written.
//!
//! Every node carries the [`Span`] it was parsed from; spans never take part in equality,
//! so a tree equals itself re-parsed after formatting. Comments and blank lines are kept
//! as [`Trivia`] on the items they precede, so that [`crate::format`] can keep them.

use crate::span::{Span, Spanned};
use crate::time::{Date, Duration, Instant};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A name written as an identifier (a symbol), with its span.
pub type Ident = Spanned<String>;
/// A string literal's value, with its span.
pub type Str = Spanned<String>;

/// A whole source file: one program with the comments around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    /// Comments before `program` (text after `#`, trailing whitespace removed).
    pub header: Vec<String>,
    /// The program.
    pub program: ProgramDecl,
    /// Comments after the program's closing brace.
    pub footer: Vec<String>,
}

/// `program "NAME" { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramDecl {
    /// The program's name.
    pub name: Str,
    /// Items in written order.
    pub items: Vec<Item>,
    /// Comments after the last item, before the closing brace.
    pub end_comments: Vec<String>,
    /// The whole `program … { … }`.
    pub span: Span,
}

/// Comments and spacing attached to an item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trivia {
    /// A blank line separates this item from the one before it.
    pub blank_line_before: bool,
    /// Whole-line comments just before the item.
    pub comments: Vec<String>,
    /// A comment at the end of the item's last line.
    pub trailing: Option<String>,
}

/// One item of a block as written (`K` says what it is: a program item, a layer item, a
/// check item, …), with its comments and spacing and its source text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item<K = ItemKind> {
    /// Comments and spacing.
    pub trivia: Trivia,
    /// What the item says.
    pub kind: K,
    /// The item's text, from its keyword to its last token.
    pub span: Span,
}

impl<K> Item<K> {
    /// An item without comments.
    pub fn new(kind: K, span: Span) -> Item<K> {
        Item {
            trivia: Trivia::default(),
            kind,
            span,
        }
    }
}

/// The program items of spec section 3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    /// `insured "NAME"`.
    Insured(Str),
    /// `currency CODE`.
    Currency(Ident),
    /// `period DATE to DATE`.
    Period {
        /// First day covered.
        start: Spanned<Date>,
        /// First day no longer covered.
        end: Spanned<Date>,
    },
    /// `basis occurrence` or `basis discovery`.
    Basis(Spanned<Basis>),
    /// `discovery window DURATION`.
    DiscoveryWindow(Spanned<DurationLit>),
    /// `occurrence window DURATION` (spec section 11.1).
    OccurrenceWindow(Spanned<DurationLit>),
    /// `retroactive DATE`.
    Retroactive(Spanned<Date>),
    /// `valuation at loss` or `valuation at discovery`.
    Valuation(Spanned<Valuation>),
    /// `attribute NAME: TYPE [= DEFAULT]`.
    Attribute(AttributeDecl),
    /// `exposure TIER AMOUNT`.
    Exposure {
        /// The storage tier.
        tier: Ident,
        /// Assets held in it.
        amount: Spanned<NumberLit>,
    },
    /// `covers CAUSE, …`.
    Covers(Vec<Ident>),
    /// `sublimit "NAME" LIMITS [when COND]`.
    Sublimit(SublimitDecl),
    /// `deductible ["NAME"] … per occurrence [, A aggregate] [when COND]`.
    Deductible(DeductibleDecl),
    /// `coinsurance PERCENT`.
    Coinsurance(Spanned<Decimal>),
    /// `exclude "NAME" when COND`.
    Exclude(ExclusionDecl),
    /// `layer "NAME" LIMIT xs ATTACHMENT { … }`.
    Layer(LayerDecl),
    /// `parametric "NAME" { … }` (spec section 8).
    Parametric(ParametricDecl),
    /// `check "NAME" { … }` (spec section 10).
    Check(CheckDecl),
    /// `treaty "NAME" … { … }` (spec section 9).
    Treaty(TreatyDecl),
    /// `allow CODE`.
    Allow(Spanned<String>),
}

/// Which events a program responds to (spec section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Occurring in the period, discovered before its end plus the discovery window.
    Occurrence,
    /// Discovered in the period, occurring on or after the retroactive date.
    Discovery,
}

/// Which instant prices assets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Valuation {
    /// Prices at the occurrence instant.
    AtLoss,
    /// Prices at the discovery instant.
    AtDiscovery,
}

/// `attribute NAME: TYPE [= DEFAULT]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDecl {
    /// Attribute name.
    pub name: Ident,
    /// Declared type.
    pub ty: Spanned<AttrType>,
    /// Default value, if any.
    pub default: Option<Spanned<Literal>>,
}

/// The type of an event attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrType {
    /// `true` or `false`.
    Flag,
    /// A whole number, zero or more.
    Count,
    /// Any decimal number.
    Number,
    /// Money in the program currency.
    Amount,
    /// A length of time.
    Duration,
    /// Free text.
    Text,
}

impl AttrType {
    /// The keyword that names this type.
    pub fn keyword(self) -> &'static str {
        match self {
            AttrType::Flag => "flag",
            AttrType::Count => "count",
            AttrType::Number => "number",
            AttrType::Amount => "amount",
            AttrType::Duration => "duration",
            AttrType::Text => "text",
        }
    }
}

/// `sublimit "NAME" LIMITS [when COND]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SublimitDecl {
    /// Clause name.
    pub name: Str,
    /// `A per occurrence`, if written.
    pub per_occurrence: Option<Spanned<NumberLit>>,
    /// `B aggregate`, if written.
    pub aggregate: Option<Spanned<NumberLit>>,
    /// Which lines it applies to; every line when absent.
    pub condition: Option<Cond>,
}

/// A flat amount or a percentage of the covered total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmountOrPercent {
    /// A flat amount.
    Amount(NumberLit),
    /// A percentage as written (`5` for `5%`).
    Percent(Decimal),
}

/// `deductible ["NAME"] AMOUNT-OR-PERCENT [min A] [max A] [franchise] per occurrence [, A aggregate] [when COND]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductibleDecl {
    /// Clause name, if written.
    pub name: Option<Str>,
    /// The retention per occurrence.
    pub amount: Spanned<AmountOrPercent>,
    /// `min A`.
    pub min: Option<Spanned<NumberLit>>,
    /// `max A`.
    pub max: Option<Spanned<NumberLit>>,
    /// `franchise`: all or nothing.
    pub franchise: Option<Span>,
    /// `, A aggregate`.
    pub aggregate: Option<Spanned<NumberLit>>,
    /// When it applies; always when absent.
    pub condition: Option<Cond>,
}

/// `exclude "NAME" when COND`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionDecl {
    /// Clause name.
    pub name: Str,
    /// What it excludes.
    pub condition: Cond,
}

/// `layer "NAME" LIMIT xs ATTACHMENT { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerDecl {
    /// Layer name.
    pub name: Str,
    /// Limit per occurrence.
    pub limit: Spanned<NumberLit>,
    /// Attachment point.
    pub attachment: Spanned<NumberLit>,
    /// Layer items in written order.
    pub items: Vec<LayerItem>,
    /// Comments after the last layer item.
    pub end_comments: Vec<String>,
}

/// One item of a layer block.
pub type LayerItem = Item<LayerItemKind>;

/// Layer items (spec section 3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LayerItemKind {
    /// `aggregate A`.
    Aggregate(Spanned<NumberLit>),
    /// `reinstatements N at P%[, N at P%]… [pro rata as to time]`.
    Reinstatements {
        /// The list, in order.
        list: Vec<ReinstatementDecl>,
        /// The span of `pro rata as to time`, when written (spec section 11.3).
        pro_rata: Option<Span>,
    },
    /// `premium A`.
    Premium(Spanned<NumberLit>),
    /// `carrier "NAME" P%`.
    Carrier {
        /// Carrier name.
        name: Str,
        /// Share as written (`30` for `30%`).
        share: Spanned<Decimal>,
    },
    /// `exclude "NAME" when COND` (event-level fields only).
    Exclude(ExclusionDecl),
}

/// `N at P%` in a `reinstatements` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReinstatementDecl {
    /// How many reinstatements at this rate.
    pub count: Spanned<u32>,
    /// Rate as written (`100` for `100%`).
    pub rate: Spanned<Decimal>,
}

/// A condition (spec section 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cond {
    /// Its shape.
    pub kind: CondKind,
    /// Its text.
    pub span: Span,
}

/// The shapes of a condition. `Or` and `And` hold two or more operands; nesting one
/// inside the same kind means the source had parentheses there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CondKind {
    /// `a or b or …`.
    Or(Vec<Cond>),
    /// `a and b and …`.
    And(Vec<Cond>),
    /// `not a`.
    Not(Box<Cond>),
    /// A single test.
    Test(Test),
}

/// A single test on a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    /// `FIELD is [not] SYMBOL`.
    Is {
        /// The field.
        field: Ident,
        /// `is not`.
        negated: bool,
        /// The symbol.
        symbol: Ident,
    },
    /// `FIELD [not] in [S, …]`.
    In {
        /// The field.
        field: Ident,
        /// `not in`.
        negated: bool,
        /// The symbols.
        symbols: Vec<Ident>,
    },
    /// `FIELD CMP VALUE`.
    Compare {
        /// The field.
        field: Ident,
        /// The operator.
        op: Spanned<CmpOp>,
        /// The value.
        value: Spanned<Literal>,
    },
    /// A bare field, which must be a flag.
    Flag {
        /// The field.
        field: Ident,
    },
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// Whether this is one of the orderings `<`, `<=`, `>`, `>=`.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// A literal value in a condition or an attribute default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Literal {
    /// A number or amount, e.g. `2`, `1.5`, `250k`.
    Number(NumberLit),
    /// A percentage as written (`30` for `30%`).
    Percent(Decimal),
    /// A duration, e.g. `30 days`.
    Duration(DurationLit),
    /// A date (midnight UTC).
    Date(Date),
    /// An instant.
    Instant(Instant),
    /// A string.
    String(String),
    /// `true` or `false`.
    Bool(bool),
}

/// A magnitude suffix on a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Magnitude {
    /// No suffix.
    One,
    /// `k`, 10^3.
    Thousand,
    /// `M`, 10^6.
    Million,
    /// `B`, 10^9.
    Billion,
}

impl Magnitude {
    /// The suffix as written.
    pub fn suffix(self) -> &'static str {
        match self {
            Magnitude::One => "",
            Magnitude::Thousand => "k",
            Magnitude::Million => "M",
            Magnitude::Billion => "B",
        }
    }

    /// The multiplier.
    pub fn factor(self) -> Decimal {
        match self {
            Magnitude::One => Decimal::ONE,
            Magnitude::Thousand => Decimal::from(1_000u32),
            Magnitude::Million => Decimal::from(1_000_000u32),
            Magnitude::Billion => Decimal::from(1_000_000_000u32),
        }
    }
}

/// A number as written: digits and an optional magnitude suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NumberLit {
    /// The digits' value (`1.2` in `1.2B`).
    pub mantissa: Decimal,
    /// The suffix.
    pub magnitude: Magnitude,
}

impl NumberLit {
    /// A number without suffix.
    pub fn plain(d: Decimal) -> NumberLit {
        NumberLit {
            mantissa: d,
            magnitude: Magnitude::One,
        }
    }

    /// The exact value, or `None` if it overflows a decimal.
    pub fn value(self) -> Option<Decimal> {
        self.mantissa.checked_mul(self.magnitude.factor())
    }
}

/// Units of a duration literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DurationUnit {
    /// `seconds`, `s`.
    Seconds,
    /// `minutes`, `min`.
    Minutes,
    /// `hours`, `h`.
    Hours,
    /// `days`, `d`.
    Days,
    /// `weeks`, `w`.
    Weeks,
}

impl DurationUnit {
    /// Seconds in one unit.
    pub fn seconds(self) -> i64 {
        match self {
            DurationUnit::Seconds => 1,
            DurationUnit::Minutes => 60,
            DurationUnit::Hours => 3_600,
            DurationUnit::Days => 86_400,
            DurationUnit::Weeks => 604_800,
        }
    }

    /// The canonical (long) name, singular or plural.
    pub fn name(self, singular: bool) -> &'static str {
        match (self, singular) {
            (DurationUnit::Seconds, true) => "second",
            (DurationUnit::Seconds, false) => "seconds",
            (DurationUnit::Minutes, true) => "minute",
            (DurationUnit::Minutes, false) => "minutes",
            (DurationUnit::Hours, true) => "hour",
            (DurationUnit::Hours, false) => "hours",
            (DurationUnit::Days, true) => "day",
            (DurationUnit::Days, false) => "days",
            (DurationUnit::Weeks, true) => "week",
            (DurationUnit::Weeks, false) => "weeks",
        }
    }

    /// The unit a word names (`days`, `d`, `hour`, …), if any.
    pub fn from_word(w: &str) -> Option<DurationUnit> {
        Some(match w {
            "s" | "second" | "seconds" => DurationUnit::Seconds,
            "min" | "minute" | "minutes" => DurationUnit::Minutes,
            "h" | "hour" | "hours" => DurationUnit::Hours,
            "d" | "day" | "days" => DurationUnit::Days,
            "w" | "week" | "weeks" => DurationUnit::Weeks,
            _ => return None,
        })
    }
}

/// Every word [`DurationUnit::from_word`] accepts.
pub const DURATION_UNIT_WORDS: &[&str] = &[
    "s", "second", "seconds", "min", "minute", "minutes", "h", "hour", "hours", "d", "day", "days",
    "w", "week", "weeks",
];

/// A duration as written: an amount and a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DurationLit {
    /// How many units.
    pub amount: Decimal,
    /// The unit.
    pub unit: DurationUnit,
}

impl DurationLit {
    /// The exact duration, or `None` when it is not a whole number of seconds or overflows.
    pub fn to_duration(self) -> Option<Duration> {
        let secs = self
            .amount
            .checked_mul(Decimal::from(self.unit.seconds()))?;
        if !secs.fract().is_zero() {
            return None;
        }
        let secs = secs.normalize();
        let m = secs.mantissa();
        let scale = secs.scale();
        if scale != 0 {
            return None;
        }
        i64::try_from(m)
            .ok()
            .map(Duration)
            .filter(|d| d.0.unsigned_abs() <= Duration::MAX.0.unsigned_abs())
    }

    /// Whether this is a whole number of seconds longer than [`Duration::MAX`].
    pub fn is_too_long(&self) -> bool {
        let max = Decimal::from(Duration::MAX.0);
        self.amount
            .checked_mul(Decimal::from(self.unit.seconds()))
            .is_none_or(|secs| secs.abs() > max)
    }
}

/// `below` or `above` a threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Value strictly below the threshold.
    Below,
    /// Value strictly above the threshold.
    Above,
}

impl Direction {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Direction::Below => "below",
            Direction::Above => "above",
        }
    }
}

/// `parametric "NAME" { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParametricDecl {
    /// Cover name.
    pub name: Str,
    /// Items in written order.
    pub items: Vec<ParametricItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// One item of a parametric cover block.
pub type ParametricItem = Item<ParametricItemKind>;

/// Items of a parametric cover (spec section 8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParametricItemKind {
    /// `index "NAME"`.
    Index(Str),
    /// `trigger below|above X for DURATION`.
    Trigger {
        /// Below or above.
        direction: Spanned<Direction>,
        /// The threshold.
        threshold: Spanned<NumberLit>,
        /// How long the condition must hold.
        duration: Spanned<DurationLit>,
    },
    /// `payout P% of N [when below|above Y]`.
    Step {
        /// Share of the notional, as written (`25` for 25%).
        percent: Spanned<Decimal>,
        /// Notional.
        notional: Spanned<NumberLit>,
        /// The severity the step needs.
        when: Option<(Spanned<Direction>, Spanned<NumberLit>)>,
    },
    /// `payout linear from P1% at Y1 to P2% at Y2 of N`.
    Linear {
        /// Share at `from_at`.
        from_percent: Spanned<Decimal>,
        /// First point.
        from_at: Spanned<NumberLit>,
        /// Share at `to_at`.
        to_percent: Spanned<Decimal>,
        /// Second point.
        to_at: Spanned<NumberLit>,
        /// Notional.
        notional: Spanned<NumberLit>,
    },
    /// `aggregate A`.
    Aggregate(Spanned<NumberLit>),
    /// `waiting period DURATION`.
    WaitingPeriod(Spanned<DurationLit>),
    /// `carrier "NAME" P%`.
    Carrier {
        /// Carrier name.
        name: Str,
        /// Share as written.
        share: Spanned<Decimal>,
    },
}

/// `check "NAME" { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDecl {
    /// Check name.
    pub name: Str,
    /// Items in written order.
    pub items: Vec<CheckItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// One item of a check block.
pub type CheckItem = Item<CheckItemKind>;

/// Items of a check (spec section 10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckItemKind {
    /// `event COND`: the single events checked.
    Event(Cond),
    /// `events N with COND`: sequences of N events.
    Events {
        /// How many events.
        count: Spanned<u32>,
        /// What each event is.
        condition: Cond,
    },
    /// `loss up to U [each]` or `loss from L to U [each]`.
    Loss {
        /// Lower bound (`from`); `None` for `up to`.
        from: Option<Spanned<NumberLit>>,
        /// Upper bound.
        to: Spanned<NumberLit>,
        /// `each` (sequences).
        each: bool,
    },
    /// `with NAME = VALUE`.
    With {
        /// Attribute.
        name: Ident,
        /// Value.
        value: Spanned<Literal>,
    },
    /// `expect METRIC OP BOUND`.
    Expect {
        /// What is measured.
        metric: Spanned<Metric>,
        /// Comparison.
        op: Spanned<CmpOp>,
        /// Bound.
        bound: Spanned<Bound>,
    },
}

/// What an expectation measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// `paid`.
    Paid,
    /// `uncovered`, or `uncovered REASON`.
    Uncovered(Option<String>),
    /// `carrier "NAME" paid`.
    CarrierPaid(String),
    /// `layer "NAME" paid`.
    LayerPaid(String),
    /// `retained`: deductible plus coinsurance.
    Retained,
}

/// The bound of an expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bound {
    /// An amount.
    Amount(NumberLit),
    /// `P% of loss` (`P` as written).
    ShareOfLoss(Decimal),
}

/// `treaty "NAME" quota share P% { … }` or `treaty "NAME" L xs A per occurrence { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreatyDecl {
    /// Treaty name.
    pub name: Str,
    /// Quota share or per-occurrence excess.
    pub form: TreatyForm,
    /// Items in written order.
    pub items: Vec<TreatyItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// The two forms of treaty (spec section 9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TreatyForm {
    /// `quota share P%`: the share as written (`60` for 60%).
    QuotaShare(Spanned<Decimal>),
    /// `L xs A per occurrence`.
    Excess {
        /// Limit per occurrence.
        limit: Spanned<NumberLit>,
        /// Retention of the cedent.
        attachment: Spanned<NumberLit>,
    },
}

/// One item of a treaty block.
pub type TreatyItem = Item<TreatyItemKind>;

/// Items of a treaty (spec section 9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TreatyItemKind {
    /// `cedent "NAME"`.
    Cedent(Str),
    /// `reinsurer "NAME" P%`.
    Reinsurer {
        /// Reinsurer name.
        name: Str,
        /// Share as written.
        share: Spanned<Decimal>,
    },
    /// `aggregate A`.
    Aggregate(Spanned<NumberLit>),
    /// `inures after "TREATY", …`.
    InuresAfter(Vec<Str>),
}

// ---- Models (spec section 12.1) ---------------------------------------------------------

/// A model file: comments, one `model`, comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Comments before `model`.
    pub header: Vec<String>,
    /// The model.
    pub model: ModelDecl,
    /// Comments after its closing brace.
    pub footer: Vec<String>,
}

/// `model "NAME" { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelDecl {
    /// The model's name.
    pub name: Str,
    /// Its items in written order.
    pub items: Vec<ModelItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
    /// Its text.
    pub span: Span,
}

/// One item of a model.
pub type ModelItem = Item<ModelItemKind>;

/// Items of a model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelItemKind {
    /// `years N`.
    Years(Spanned<NumberLit>),
    /// `seed N`.
    Seed(Spanned<NumberLit>),
    /// `peril "NAME" { … }`.
    Peril(PerilDecl),
    /// `index peril "NAME" { … }` (spec section 14).
    IndexPeril(IndexPerilDecl),
}

/// `index peril "NAME" { … }`: excursions of an index drawn for each simulated year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPerilDecl {
    /// The peril's name.
    pub name: Str,
    /// Its items.
    pub items: Vec<IndexPerilItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// One item of an index peril block.
pub type IndexPerilItem = Item<IndexPerilItemKind>;

/// Items of an index peril.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexPerilItemKind {
    /// `index "NAME"`.
    Index(Str),
    /// `baseline V`: the index value outside excursions.
    Baseline(Spanned<NumberLit>),
    /// `frequency … per year`: excursions a year.
    Frequency(Spanned<FrequencyDecl>),
    /// `worst …`: the excursion's worst value.
    Worst(Spanned<WorstDecl>),
    /// `duration … [cap D]`.
    Duration {
        /// How the duration is drawn.
        dist: Spanned<DurationDistDecl>,
        /// An upper bound.
        cap: Option<Spanned<DurationLit>>,
    },
}

/// How an excursion's worst value is drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorstDecl {
    /// `fixed V`.
    Fixed(Spanned<NumberLit>),
    /// `uniform A to B`.
    Uniform(Spanned<NumberLit>, Spanned<NumberLit>),
    /// `beta a b from A to B`: A + (B − A) × Beta(a, b).
    Beta {
        /// a.
        a: Spanned<NumberLit>,
        /// b.
        b: Spanned<NumberLit>,
        /// A.
        from: Spanned<NumberLit>,
        /// B.
        to: Spanned<NumberLit>,
    },
    /// `empirical [V, …]`.
    Empirical(Vec<Spanned<NumberLit>>),
}

/// How an excursion's duration is drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DurationDistDecl {
    /// `fixed D`.
    Fixed(Spanned<DurationLit>),
    /// `uniform D1 to D2`.
    Uniform(Spanned<DurationLit>, Spanned<DurationLit>),
    /// `lognormal median D sigma S`.
    Lognormal {
        /// Median.
        median: Spanned<DurationLit>,
        /// σ of the logarithm.
        sigma: Spanned<NumberLit>,
    },
    /// `empirical [D, …]`.
    Empirical(Vec<Spanned<DurationLit>>),
}

/// `peril "NAME" { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerilDecl {
    /// The peril's name.
    pub name: Str,
    /// Its items.
    pub items: Vec<PerilItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// One item of a peril block.
pub type PerilItem = Item<PerilItemKind>;

/// Items of a peril.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PerilItemKind {
    /// `cause CAUSE`.
    Cause(Ident),
    /// `frequency … per year`.
    Frequency(Spanned<FrequencyDecl>),
    /// `loss TIER SEVERITY [cap A | cap exposure]`.
    Loss {
        /// The storage tier of the line.
        tier: Ident,
        /// How its amount is drawn.
        severity: Spanned<SeverityDecl>,
        /// An upper bound.
        cap: Option<Spanned<CapDecl>>,
    },
    /// `with NAME = VALUE`.
    With {
        /// Attribute.
        name: Ident,
        /// Value.
        value: Spanned<Literal>,
    },
    /// `discovered after DURATION`.
    DiscoveredAfter(Spanned<DurationLit>),
}

/// How many events a peril draws in a year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrequencyDecl {
    /// `poisson λ per year`.
    Poisson(Spanned<NumberLit>),
    /// `negative binomial mean m dispersion k per year`.
    NegativeBinomial {
        /// Mean.
        mean: Spanned<NumberLit>,
        /// Dispersion k (variance m + m²/k).
        dispersion: Spanned<NumberLit>,
    },
    /// `fixed N per year`.
    Fixed(Spanned<NumberLit>),
}

/// How a loss line's amount is drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeverityDecl {
    /// `fixed A`.
    Fixed(Spanned<NumberLit>),
    /// `uniform A to B`.
    Uniform(Spanned<NumberLit>, Spanned<NumberLit>),
    /// `lognormal median M sigma S`.
    Lognormal {
        /// Median (e^μ).
        median: Spanned<NumberLit>,
        /// σ of the logarithm.
        sigma: Spanned<NumberLit>,
    },
    /// `pareto scale X shape α` (Pareto I).
    Pareto {
        /// Scale (the minimum).
        scale: Spanned<NumberLit>,
        /// Shape α.
        shape: Spanned<NumberLit>,
    },
    /// `share of exposure beta a b`.
    ShareOfExposure(Spanned<NumberLit>, Spanned<NumberLit>),
    /// `empirical [A, B, …]`.
    Empirical(Vec<Spanned<NumberLit>>),
}

/// An upper bound on a drawn amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CapDecl {
    /// `cap A`.
    Amount(Spanned<NumberLit>),
    /// `cap exposure`: the tier's declared exposure.
    Exposure,
}

/// A portfolio file: comments, one `portfolio`, comments (spec section 15).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioFile {
    /// Comments before `portfolio`.
    pub header: Vec<String>,
    /// The portfolio.
    pub portfolio: PortfolioDecl,
    /// Comments after its closing brace.
    pub footer: Vec<String>,
}

/// `portfolio "NAME" { … }`: the programs of a book and the vendors they depend on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioDecl {
    /// The book's name.
    pub name: Str,
    /// Its items in written order.
    pub items: Vec<PortfolioItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
    /// Its text.
    pub span: Span,
}

/// One item of a portfolio.
pub type PortfolioItem = Item<PortfolioItemKind>;

/// Items of a portfolio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortfolioItemKind {
    /// `currency CODE`.
    Currency(Ident),
    /// `program "KEY" "PATH"`: a program of the book, its path relative to the file.
    Program {
        /// The program's key in the book.
        key: Str,
        /// Its file.
        path: Str,
    },
    /// `vendor "NAME" { uses … }`.
    Vendor(VendorDecl),
}

/// `vendor "NAME" { … }`: a vendor and what the book's programs depend on it for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorDecl {
    /// The vendor's name.
    pub name: Str,
    /// Its items in written order.
    pub items: Vec<VendorItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// One item of a vendor block.
pub type VendorItem = Item<VendorItemKind>;

/// Items of a vendor block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VendorItemKind {
    /// `uses "KEY" TIER P%, TIER P%, …`: shares of the program's declared exposure per tier.
    Uses {
        /// The program's key.
        program: Str,
        /// Tiers and shares, in written order.
        tiers: Vec<(Ident, Spanned<rust_decimal::Decimal>)>,
    },
}

/// A portfolio model file: comments, one `portfolio model`, comments (spec section 15.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioModelFile {
    /// Comments before `portfolio model`.
    pub header: Vec<String>,
    /// The portfolio model.
    pub model: PortfolioModelDecl,
    /// Comments after its closing brace.
    pub footer: Vec<String>,
}

/// `portfolio model "NAME" { … }`: how a book's years are drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioModelDecl {
    /// The model's name.
    pub name: Str,
    /// Its items in written order.
    pub items: Vec<PortfolioModelItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
    /// Its text.
    pub span: Span,
}

/// One item of a portfolio model.
pub type PortfolioModelItem = Item<PortfolioModelItemKind>;

/// Items of a portfolio model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortfolioModelItemKind {
    /// `years N`.
    Years(Spanned<NumberLit>),
    /// `seed S`.
    Seed(Spanned<NumberLit>),
    /// `model "KEY" "PATH"`: the own perils of program KEY (a section-12 model file).
    Model {
        /// The program's key in the portfolio.
        key: Str,
        /// The model's file, relative to this file.
        path: Str,
    },
    /// `vendor peril "NAME" { … }`.
    VendorPeril(VendorPerilDecl),
}

/// `vendor peril "NAME" { vendor … cause … frequency … damage … discovered after … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorPerilDecl {
    /// The peril's name.
    pub name: Str,
    /// Its items.
    pub items: Vec<VendorPerilItem>,
    /// Comments after the last item.
    pub end_comments: Vec<String>,
}

/// One item of a vendor peril.
pub type VendorPerilItem = Item<VendorPerilItemKind>;

/// Items of a vendor peril.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VendorPerilItemKind {
    /// `vendor "NAME"`: the vendor of the portfolio it breaches.
    Vendor(Str),
    /// `cause CAUSE`.
    Cause(Ident),
    /// `frequency … per year`.
    Frequency(Spanned<FrequencyDecl>),
    /// `damage FRACTION` or `damage TIER FRACTION, TIER FRACTION, …`.
    Damage(Vec<(Option<Ident>, Spanned<FractionDecl>)>),
    /// `discovered after DURATION`.
    DiscoveredAfter(Spanned<DurationLit>),
}

/// How a share of exposure is drawn (spec section 15.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FractionDecl {
    /// `fixed P%`.
    Fixed(Spanned<rust_decimal::Decimal>),
    /// `uniform P1% to P2%`.
    Uniform(
        Spanned<rust_decimal::Decimal>,
        Spanned<rust_decimal::Decimal>,
    ),
    /// `beta a b`.
    Beta(Spanned<NumberLit>, Spanned<NumberLit>),
    /// `empirical [P%, …]`.
    Empirical(Vec<Spanned<rust_decimal::Decimal>>),
}
