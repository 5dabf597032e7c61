//! `specie tower`: the structure of a program's tower, its capacity and reinsurance, and
//! the findings a broker looks for (gaps, unplaced shares, unreachable layers, bare tier
//! exposure, concentration). Every figure that depends on the wording comes from replaying
//! synthetic events through the real engine ([`probe::Probe`]), so it agrees with `replay`.
//!
//! Conventions (also in `docs/decisions.md`):
//! - the covered causes are `covers`, or every standard cause when it is absent;
//! - a total loss of a tier is one event per covered cause with one line of the tier's
//!   declared exposure, at the period start, attributes at their defaults (neutral values
//!   for attributes without one);
//! - a layer is unreachable when, for every covered cause, a loss of the tower's top in
//!   every combination of known tiers (hot, warm, cold and declared tiers; a conditional
//!   deductible can make fewer tiers bring more) brings no more than the
//!   layer's attachment to the tower, or every such loss that reaches it is excluded by a
//!   layer exclusion;
//! - capacity is per occurrence at a loss that fills every layer, split by the engine's
//!   largest-remainder rule; reinsurance is evaluated on that loss with the real treaties.

pub mod findings;
pub mod probe;
pub mod svg;
pub mod text;

use crate::money::{share_weights, split_into, Currency, Fraction, Money};
use crate::program::{placed_share, tower_gaps, Condition, Layer, Program, SymbolField, TowerGap};
use crate::reinsurance::Reinsurance;
use crate::replay::{EventResult, ReplayError, Uncovered, UncoveredReason};
use crate::span::Span;
use findings::{Finding, Level};
use probe::Probe;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Options of the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Warn when one entity carries more than this share of the tower per occurrence.
    pub concentration: Fraction,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            concentration: Fraction { num: 50, scale: 2 },
        }
    }
}

/// The analysis of a program's tower.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tower {
    /// Program name.
    pub program: String,
    /// Program currency code.
    pub currency: String,
    /// Top of the tower (highest exhaustion point).
    #[serde(with = "rust_decimal::serde::str")]
    pub top: Decimal,
    /// Sum of the layers' limits: the tower's capacity per occurrence.
    #[serde(with = "rust_decimal::serde::str")]
    pub capacity: Decimal,
    /// `[0, top)` cut into layers and gaps, bottom up.
    pub bands: Vec<Band>,
    /// Every layer, tower order.
    pub layers: Vec<LayerView>,
    /// Each tier with a declared exposure and what a total loss of it recovers.
    pub tiers: Vec<TierView>,
    /// Every entity's capacity and position after reinsurance.
    pub entities: Vec<EntityView>,
    /// Findings not silenced, in a stable order.
    pub findings: Vec<Finding>,
    /// Findings silenced with `allow`, by code.
    pub silenced: Vec<Silenced>,
}

/// A part of the tower's height.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// Bottom.
    #[serde(with = "rust_decimal::serde::str")]
    pub from: Decimal,
    /// Top.
    #[serde(with = "rust_decimal::serde::str")]
    pub to: Decimal,
    /// The layer covering it; `None` for a gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// One layer of the tower.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerView {
    /// Layer name.
    pub layer: String,
    /// Attachment point.
    #[serde(with = "rust_decimal::serde::str")]
    pub attachment: Decimal,
    /// Limit per occurrence.
    #[serde(with = "rust_decimal::serde::str")]
    pub limit: Decimal,
    /// Exhaustion point: attachment + limit.
    #[serde(with = "rust_decimal::serde::str")]
    pub exhaustion: Decimal,
    /// Aggregate in force; `null` when unlimited.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub aggregate: Option<Decimal>,
    /// Number of reinstatements.
    pub reinstatements: u64,
    /// Layer premium, when written.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub premium: Option<Decimal>,
    /// Carriers' shares and lines per occurrence.
    pub carriers: Vec<ShareView>,
    /// Unplaced share in percent and its amount per occurrence.
    pub unplaced: ShareView,
    /// Whether some covered loss reaches the layer and is not excluded from it.
    pub reachable: bool,
    /// Source text.
    pub span: Span,
}

/// A share of a layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareView {
    /// Carrier name (`unplaced` for the unplaced share).
    pub carrier: String,
    /// Share in percent, e.g. `30` for 30%.
    #[serde(with = "rust_decimal::serde::str")]
    pub percent: Decimal,
    /// Amount of the layer's limit per occurrence.
    #[serde(with = "rust_decimal::serde::str")]
    pub line: Decimal,
}

/// A storage tier's exposure and what a total loss of it recovers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierView {
    /// The tier.
    pub tier: String,
    /// Declared exposure.
    #[serde(with = "rust_decimal::serde::str")]
    pub exposure: Decimal,
    /// Sub-limits whose condition names this tier.
    pub sublimits: Vec<String>,
    /// One total-loss event per covered cause.
    pub recoveries: Vec<Recovery>,
    /// The cause recovering most (first written on ties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best: Option<String>,
    /// The cause recovering least (first written on ties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst: Option<String>,
}

/// A total loss of a tier by one cause, replayed through the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// The cause.
    pub cause: String,
    /// Paid by carriers.
    #[serde(with = "rust_decimal::serde::str")]
    pub paid: Decimal,
    /// What entered the tower.
    #[serde(with = "rust_decimal::serde::str")]
    pub to_tower: Decimal,
    /// What stays uncovered, by reason, clause and layer (as `replay` reports it).
    pub uncovered: Vec<Uncovered>,
}

/// An entity's capacity in the tower and its position after reinsurance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityView {
    /// Entity name.
    pub entity: String,
    /// Largest amount it pays as a carrier in one occurrence (its lines summed).
    #[serde(with = "rust_decimal::serde::str")]
    pub max_line: Decimal,
    /// Largest amount it pays as a carrier over the period; `null` when some layer it is on
    /// has no aggregate.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub max_aggregate: Option<Decimal>,
    /// `max_line` as a percentage of the tower's capacity.
    #[serde(with = "rust_decimal::serde::str")]
    pub share_of_tower: Decimal,
    /// Received as a reinsurer at a loss filling every layer.
    #[serde(with = "rust_decimal::serde::str")]
    pub assumed: Decimal,
    /// Gross (line + assumed) as a percentage of the tower's capacity.
    #[serde(with = "rust_decimal::serde::str")]
    pub gross_share: Decimal,
    /// Kept after its own treaties at a loss filling every layer.
    #[serde(with = "rust_decimal::serde::str")]
    pub max_net: Decimal,
}

/// Findings silenced by an `allow` item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silenced {
    /// The code.
    pub code: String,
    /// How many findings it silenced.
    pub count: usize,
}

/// Why the analysis could not run.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic, PartialEq, Eq)]
pub enum TowerError {
    /// A synthetic event could not be replayed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Replay(#[from] ReplayError),
    /// An amount left the range of exact arithmetic.
    #[error("{what} overflows exact arithmetic")]
    #[diagnostic(code(specie::tower::overflow))]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

fn overflow(what: &'static str) -> TowerError {
    TowerError::Overflow { what }
}

/// A percentage with its trailing zeros removed, e.g. `12.5`.
fn percent(f: Fraction) -> Decimal {
    f.to_decimal()
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
        .unwrap_or_default()
        .normalize()
}

/// `part / whole` in percent, rounded to two decimals.
fn ratio_percent(part: Money, whole: Money) -> Decimal {
    if whole.0 <= 0 {
        return Decimal::ZERO;
    }
    Decimal::from(part.0)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|d| d.checked_div(Decimal::from(whole.0)))
        .map(|d| d.round_dp(2).normalize())
        .unwrap_or_default()
}

/// The causes the analysis replays: `covers`, or every standard cause.
pub fn covered_causes(program: &Program) -> Vec<String> {
    program.covered_causes()
}

/// Whether a condition names `tier` positively (`tier is hot`, `tier in [hot, …]`).
fn names_tier(c: &Condition, tier: &str) -> bool {
    match c {
        Condition::Or(cs) | Condition::And(cs) => cs.iter().any(|c| names_tier(c, tier)),
        Condition::Not(_) => false,
        Condition::Symbol {
            field: SymbolField::Tier,
            negated: false,
            symbols,
        } => symbols.iter().any(|s| s == tier),
        _ => false,
    }
}

/// Each carrier's part of `amount` on layer `l`, by the engine's largest-remainder split;
/// the unplaced part last.
fn layer_split(l: &Layer, amount: Money) -> Option<Vec<i64>> {
    let shares: Vec<Fraction> = l.carriers.iter().map(|c| c.share).collect();
    let weights = share_weights(&shares)?;
    let mut out = Vec::new();
    let mut scratch = Vec::new();
    split_into(amount.0, &weights, &mut out, &mut scratch)?;
    Some(out)
}

/// The analysis as the JSON document of `specie tower --json`: the [`Tower`] with its
/// findings written as diagnostics (code, severity, message, line and column in the
/// program `src`, named `file`), as `specie check --format json` writes them.
pub fn json_document(tower: &Tower, file: &str, src: &str) -> String {
    let Ok(mut value) = serde_json::to_value(tower) else {
        return String::new();
    };
    let findings: Vec<_> = tower
        .findings
        .iter()
        .map(|f| crate::diagnostic::to_json(f, file, src))
        .collect();
    if let (Some(obj), Ok(f)) = (value.as_object_mut(), serde_json::to_value(findings)) {
        obj.insert("findings".to_string(), f);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Analyses a program's tower (see the module documentation for the conventions).
///
/// ```
/// let program = specie::compile_str(r#"program "Demo" {
///   period 2026-01-01 to 2027-01-01
///   exposure hot 30M
///   covers external_hack
///   layer "Primary" 10M xs 0 { carrier "A" 100% }
///   layer "Excess" 10M xs 15M { carrier "B" 60% }
/// }"#).unwrap().program;
/// let t = specie::tower::analyse(&program, &Default::default()).unwrap();
/// let codes: Vec<&str> = t.findings.iter().map(|f| f.code.as_str()).collect();
/// assert!(codes.contains(&"specie::tower::gap"));
/// assert!(codes.contains(&"specie::tower::unplaced"));
/// assert_eq!(t.tiers[0].recoveries[0].paid.to_string(), "16000000.00");
/// ```
pub fn analyse(program: &Program, options: &Options) -> Result<Tower, TowerError> {
    let cur = &program.currency;
    let d = |m: Money| cur.decimal(m);
    let mut findings: Vec<Finding> = Vec::new();

    let (bands, reached, capacity) = bands(program, &mut findings)?;
    let mut layers = Vec::new();
    for l in &program.layers {
        layers.push(layer_view(l, cur, &mut findings)?);
    }

    let causes = covered_causes(program);
    let mut probe = Probe::new(program);
    reachability(program, &causes, &mut probe, &mut layers, &mut findings)?;
    let tiers = tiers(program, &causes, &mut probe, &mut findings)?;
    // Cause advice is for indemnity custody programs; a parametric-only program has no tower.
    if !program.layers.is_empty() {
        advice(program, &causes, &mut probe, &mut findings)?;
    }
    let entities = entities(program, capacity, options, &mut findings)?;

    let silenced = silence(program, &mut findings);

    Ok(Tower {
        program: program.name.clone(),
        currency: cur.code.clone(),
        top: d(reached),
        capacity: d(capacity),
        bands,
        layers,
        tiers,
        entities,
        findings,
        silenced,
    })
}

/// The tower's bands in order, each gap below a layer as a band of its own (with a
/// finding), the top of the tower and its capacity (the sum of the limits).
fn bands(
    program: &Program,
    findings: &mut Vec<Finding>,
) -> Result<(Vec<Band>, Money, Money), TowerError> {
    let cur = &program.currency;
    let d = |m: Money| cur.decimal(m);
    let gaps = tower_gaps(&program.layers);
    let mut bands = Vec::new();
    let mut reached = Money::ZERO;
    let mut capacity = Money::ZERO;
    for (k, l) in program.layers.iter().enumerate() {
        let top = l.exhaustion().ok_or_else(|| overflow("a layer top"))?;
        capacity = capacity
            .checked_add(l.limit)
            .ok_or_else(|| overflow("the tower's capacity"))?;
        if let Some(g) = gaps.iter().find(|g| g.above == k) {
            bands.push(Band {
                from: d(g.from),
                to: d(g.to),
                layer: None,
            });
            let below = g.below.and_then(|b| program.layers.get(b));
            findings.push(gap_finding(cur, g, below, l));
        }
        bands.push(Band {
            from: d(l.attachment),
            to: d(top),
            layer: Some(l.name.clone()),
        });
        reached = reached.max(top);
    }
    Ok((bands, reached, capacity))
}

/// The finding for gap `g` under layer `l` (above `below`, if any).
fn gap_finding(cur: &Currency, g: &TowerGap, below: Option<&Layer>, l: &Layer) -> Finding {
    let gap = Money(g.to.0.saturating_sub(g.from.0));
    let (message, label) = match below {
        Some(p) => (
            format!(
                "gap of {} between layer `{}` (top {}) and layer `{}` (attaches at {})",
                cur.display(gap),
                p.name,
                cur.display(g.from),
                l.name,
                cur.display(l.attachment)
            ),
            format!("attaches {} above the layer below", cur.display(gap)),
        ),
        None => (
            format!(
                "gap of {} below the first layer `{}`: the first {} that reaches the tower is uncovered",
                cur.display(gap),
                l.name,
                cur.display(gap)
            ),
            format!("attaches at {}", cur.display(l.attachment)),
        ),
    };
    Finding::new(findings::GAP, Level::Warning, message)
        .at(l.span, label)
        .help("losses in the gap stay with the insured (reason `tower_gap`); place a layer there or lower this one")
}

/// One layer's view (band, aggregate, placement) and its structural findings: unplaced
/// share, aggregate below the limit, reinstatements without premium.
fn layer_view(
    l: &Layer,
    cur: &Currency,
    findings: &mut Vec<Finding>,
) -> Result<LayerView, TowerError> {
    let d = |m: Money| cur.decimal(m);
    let split = layer_split(l, l.limit).ok_or_else(|| overflow("a layer's shares"))?;
    let unplaced_line = Money(split.last().copied().unwrap_or(0));
    let placed = placed_share(&l.carriers).ok_or_else(|| overflow("a layer's shares"))?;
    let placed_pct = placed.percent();
    let unplaced_pct = Decimal::ONE_HUNDRED
        .checked_sub(placed_pct)
        .unwrap_or_default();
    if unplaced_line.0 > 0 {
        findings.push(
            Finding::new(
                findings::UNPLACED,
                Level::Warning,
                format!(
                    "layer `{}` is {placed_pct}% placed: {} of its {} per occurrence ({unplaced_pct}%) is unplaced",
                    l.name,
                    cur.display(unplaced_line),
                    cur.display(l.limit)
                ),
            )
            .at(l.span, format!("{unplaced_pct}% unplaced"))
            .help("the unplaced share of each payment stays with the insured (reason `unplaced_share`)"),
        );
    }
    if let Some(a) = l.aggregate.filter(|a| *a < l.limit) {
        findings.push(
            Finding::new(
                findings::AGGREGATE_BELOW_LIMIT,
                Level::Warning,
                format!(
                    "layer `{}` has an aggregate of {}, below its occurrence limit of {}: one loss can never use the full limit",
                    l.name,
                    cur.display(a),
                    cur.display(l.limit)
                ),
            )
            .at(l.span, "aggregate below the limit"),
        );
    }
    if !l.reinstatements.is_empty() && l.premium.is_none() {
        findings.push(
            Finding::new(
                findings::REINSTATEMENT_WITHOUT_PREMIUM,
                Level::Warning,
                format!(
                    "layer `{}` has {} reinstatement{} but no premium: reinstatement premium cannot be computed",
                    l.name,
                    l.reinstatement_count(),
                    if l.reinstatement_count() == 1 { "" } else { "s" }
                ),
            )
            .at(l.span, "no `premium`")
            .help("add `premium AMOUNT` to the layer"),
        );
    }
    Ok(LayerView {
        layer: l.name.clone(),
        attachment: d(l.attachment),
        limit: d(l.limit),
        exhaustion: d(l.exhaustion().unwrap_or(l.attachment)),
        aggregate: l.effective_aggregate().map(d),
        reinstatements: l.reinstatement_count(),
        premium: l.premium.map(d),
        carriers: l
            .carriers
            .iter()
            .zip(&split)
            .map(|(c, line)| ShareView {
                carrier: c.name.clone(),
                percent: percent(c.share),
                line: d(Money(*line)),
            })
            .collect(),
        unplaced: ShareView {
            carrier: "unplaced".to_string(),
            percent: unplaced_pct,
            line: d(unplaced_line),
        },
        reachable: true,
        span: l.span,
    })
}

/// Removes the findings `allow` names, counting them per code (a code allowed but not
/// found counts zero).
fn silence(program: &Program, findings: &mut Vec<Finding>) -> Vec<Silenced> {
    let mut silenced: Vec<Silenced> = Vec::new();
    findings.retain(|f| {
        if program.allows.contains(&f.code) {
            match silenced.iter_mut().find(|s| s.code == f.code) {
                Some(s) => s.count = s.count.saturating_add(1),
                None => silenced.push(Silenced {
                    code: f.code.clone(),
                    count: 1,
                }),
            }
            false
        } else {
            true
        }
    });
    for code in &program.allows {
        if !silenced.iter().any(|s| s.code == *code) {
            silenced.push(Silenced {
                code: code.clone(),
                count: 0,
            });
        }
    }
    silenced
}

/// The clause that took the most from a result before the tower, with its span.
fn blocking_clause(program: &Program, r: &EventResult) -> Option<(String, Span, Decimal)> {
    r.uncovered
        .iter()
        .filter(|u| {
            matches!(
                u.reason,
                UncoveredReason::Sublimit
                    | UncoveredReason::Deductible
                    | UncoveredReason::Excluded
                    | UncoveredReason::Coinsurance
            )
        })
        .max_by(|a, b| a.amount.cmp(&b.amount))
        .and_then(|u| {
            let name = u.clause.clone()?;
            let span = match u.reason {
                UncoveredReason::Sublimit => {
                    program.sublimits.iter().find(|s| s.name == name)?.span
                }
                UncoveredReason::Deductible => {
                    program.deductibles.iter().find(|s| s.name == name)?.span
                }
                _ => program.exclusions.iter().find(|s| s.name == name)?.span,
            };
            Some((format!("{} `{name}`", u.reason.as_str()), span, u.amount))
        })
}

/// Tiers at most this many are probed in every combination; more, one at a time and all
/// together.
const MAX_COMBINED_TIERS: usize = 6;

/// The loss-line sets a reachability probe tries: every non-empty combination of `tiers`
/// (a conditional deductible or sub-limit can make a loss in fewer tiers bring more to the
/// tower), each line of value `big`.
fn tier_combinations<'t>(tiers: &[&'t str], big: Money) -> Vec<Vec<(&'t str, Money)>> {
    let pick = |mask: u32| -> Vec<(&'t str, Money)> {
        tiers
            .iter()
            .enumerate()
            .filter(|(i, _)| u32::try_from(*i).is_ok_and(|i| mask >> i & 1 == 1))
            .map(|(_, t)| (*t, big))
            .collect()
    };
    if tiers.len() <= MAX_COMBINED_TIERS {
        // All tiers first, so that on a tie the largest loss is the one reported.
        let all = 1u32 << tiers.len();
        (1..all).rev().map(pick).collect()
    } else {
        let mut out: Vec<Vec<(&'t str, Money)>> = vec![tiers.iter().map(|t| (*t, big)).collect()];
        out.extend(tiers.iter().map(|t| vec![(*t, big)]));
        out
    }
}

/// Marks layers that no covered loss reaches, or that every reaching loss is excluded from.
fn reachability(
    program: &Program,
    causes: &[String],
    probe: &mut Probe<'_>,
    layers: &mut [LayerView],
    findings: &mut Vec<Finding>,
) -> Result<(), TowerError> {
    let top = program
        .layers
        .iter()
        .filter_map(Layer::exhaustion)
        .max()
        .unwrap_or(Money::ZERO);
    let big = program
        .exposures
        .iter()
        .map(|e| e.amount)
        .chain(std::iter::once(top))
        .max()
        .unwrap_or(top)
        .checked_add(Money(1))
        .ok_or_else(|| overflow("a probe loss"))?;
    let mut tiers: Vec<&str> = crate::vocabulary::STANDARD_TIERS.to_vec();
    for e in &program.exposures {
        if !tiers.contains(&e.tier.as_str()) {
            tiers.push(&e.tier);
        }
    }
    let combinations = tier_combinations(&tiers, big);
    // Per cause and tier combination: what reaches the tower, and which layers are paid or
    // excluded.
    let mut best: Option<(Money, EventResult)> = None;
    let mut paid_somewhere = vec![false; program.layers.len()];
    let mut excluded_by: Vec<Option<Span>> = vec![None; program.layers.len()];
    for (cause, lines) in causes
        .iter()
        .flat_map(|c| combinations.iter().map(move |l| (c, l)))
    {
        let r = probe.run("reach", cause, lines)?;
        let x = probe.to_tower();
        for (k, lo) in probe.outcome().layers.iter().enumerate() {
            if lo.band.0 > 0 {
                let excluded = probe.outcome().uncovered.iter().any(|(key, _)| {
                    key.reason == UncoveredReason::LayerExcluded
                        && key.layer.and_then(|l| usize::try_from(l).ok()) == Some(k)
                });
                if excluded {
                    if let Some(slot) = excluded_by.get_mut(k) {
                        *slot = layer_exclusion_span(program, &r, k).or(*slot);
                    }
                } else if let Some(p) = paid_somewhere.get_mut(k) {
                    *p = true;
                }
            }
        }
        if best.as_ref().is_none_or(|(bx, _)| x > *bx) {
            best = Some((x, r));
        }
    }
    let Some((max_x, best_result)) = best else {
        return Ok(());
    };
    for (k, (l, view)) in program.layers.iter().zip(layers.iter_mut()).enumerate() {
        if paid_somewhere.get(k).copied().unwrap_or(true) {
            continue;
        }
        view.reachable = false;
        findings.push(unreachable_finding(
            program,
            l,
            max_x,
            &best_result,
            excluded_by.get(k).copied().flatten(),
        ));
    }
    Ok(())
}

/// Thousands separators, for labels.
fn grouped(d: Decimal) -> String {
    crate::render::grouped(d)
}

/// Total losses of each exposed tier, one event per covered cause.
fn tiers(
    program: &Program,
    causes: &[String],
    probe: &mut Probe<'_>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<TierView>, TowerError> {
    let cur = &program.currency;
    let mut out = Vec::new();
    for e in &program.exposures {
        let mut recoveries = Vec::new();
        for cause in causes {
            let r = probe.run("total-loss", cause, &[(&e.tier, e.amount)])?;
            recoveries.push(Recovery {
                cause: cause.clone(),
                paid: r.paid,
                to_tower: cur.decimal(probe.to_tower()),
                uncovered: r.uncovered,
            });
        }
        let best = recoveries
            .iter()
            .enumerate()
            .max_by(|(i, a), (j, b)| a.paid.cmp(&b.paid).then(j.cmp(i)))
            .map(|(_, r)| r);
        let worst = recoveries
            .iter()
            .enumerate()
            .min_by(|(i, a), (j, b)| a.paid.cmp(&b.paid).then(i.cmp(j)))
            .map(|(_, r)| r);
        let sublimits: Vec<String> = program
            .sublimits
            .iter()
            .filter(|s| s.condition.as_ref().is_some_and(|c| names_tier(c, &e.tier)))
            .map(|s| s.name.clone())
            .collect();
        if e.tier == "hot" && e.amount.0 > 0 {
            if sublimits.is_empty() {
                findings.push(
                    Finding::new(
                        findings::HOT_EXPOSURE_WITHOUT_SUBLIMIT,
                        Level::Advice,
                        format!(
                            "hot exposure of {} has no hot-tier sub-limit: a hot-wallet loss draws on the whole tower",
                            cur.display(e.amount)
                        ),
                    )
                    .at(e.span, "no sub-limit names `tier is hot`")
                    .help("hot wallets are where most custody losses happen; a sub-limit such as `sublimit \"Hot wallets\" 25M per occurrence when tier is hot` states what the tower gives them"),
                );
            }
            if let Some(b) = best {
                let kept: Vec<&Uncovered> = b
                    .uncovered
                    .iter()
                    .filter(|u| {
                        !matches!(
                            u.reason,
                            UncoveredReason::Deductible | UncoveredReason::Coinsurance
                        )
                    })
                    .collect();
                let beyond = kept
                    .iter()
                    .fold(Decimal::ZERO, |a, u| a.checked_add(u.amount).unwrap_or(a));
                if beyond > Decimal::ZERO {
                    let parts: Vec<String> = kept
                        .iter()
                        .map(|u| {
                            let who = u
                                .clause
                                .as_ref()
                                .or(u.layer.as_ref())
                                .map(|c| format!(" `{c}`"))
                                .unwrap_or_default();
                            format!("{}{who} {}", u.reason.as_str(), grouped(u.amount))
                        })
                        .collect();
                    findings.push(
                        Finding::new(
                            findings::HOT_EXPOSURE_ABOVE_RECOVERY,
                            Level::Advice,
                            format!(
                                "a total loss of the {} hot exposure recovers at most {} ({}); {} {} stays uncovered beyond the retentions: {}",
                                cur.display(e.amount),
                                grouped(b.paid),
                                b.cause,
                                cur.code,
                                grouped(beyond),
                                parts.join(", ")
                            ),
                        )
                        .at(e.span, "exposure above what the cover recovers")
                        .help("raise the hot sub-limit or the tower, or reduce what is held hot"),
                    );
                }
            }
        }
        out.push(TierView {
            tier: e.tier.clone(),
            exposure: cur.decimal(e.amount),
            sublimits,
            best: best.map(|r| r.cause.clone()),
            worst: worst.map(|r| r.cause.clone()),
            recoveries,
        });
    }
    Ok(out)
}

/// The span of the exclusion of layer `k` that took its band in probe result `r`.
fn layer_exclusion_span(program: &Program, r: &EventResult, k: usize) -> Option<Span> {
    let layer = program.layers.get(k)?;
    let name = r
        .uncovered
        .iter()
        .find(|u| {
            u.reason == UncoveredReason::LayerExcluded && u.layer.as_deref() == Some(&layer.name)
        })
        .and_then(|u| u.clause.clone());
    layer
        .exclusions
        .iter()
        .find(|e| Some(&e.name) == name.as_ref())
        .map(|e| e.span)
}

/// The finding for layer `l`, which no probe paid: the largest loss (`max_x` to the
/// tower, from `best`) stays below it, or a layer exclusion (at `excluded_by`) takes it.
fn unreachable_finding(
    program: &Program,
    l: &Layer,
    max_x: Money,
    best: &EventResult,
    excluded_by: Option<Span>,
) -> Finding {
    let cur = &program.currency;
    if max_x <= l.attachment {
        let mut f = Finding::new(
            findings::UNREACHABLE_LAYER,
            Level::Warning,
            format!(
                "layer `{}` attaches at {} but no covered loss brings more than {} to the tower",
                l.name,
                cur.display(l.attachment),
                cur.display(max_x)
            ),
        )
        .at(l.span, "never reached");
        if let Some((clause, span, amount)) = blocking_clause(program, best) {
            f = f.at(
                span,
                format!("{clause} keeps {} of the largest loss", grouped(amount)),
            );
            f = f.help(format!(
                "{clause} caps every covered loss below this layer's attachment; raise it, or lower the layer"
            ));
        }
        return f;
    }
    let mut f = Finding::new(
        findings::UNREACHABLE_LAYER,
        Level::Warning,
        format!(
            "layer `{}` is excluded for every covered cause that reaches it",
            l.name
        ),
    )
    .at(l.span, "never pays");
    if let Some(span) = excluded_by {
        f = f.at(span, "excludes every loss reaching the layer");
    }
    f
}

/// The loss an advice probe puts in a tier without a declared exposure: 1,000,000 major
/// units (100,000,000 minor units in a two-decimal currency).
const PROBE_LOSS: Money = Money(100_000_000);

/// Advisory findings for the causes custody losses come from.
fn advice(
    program: &Program,
    causes: &[String],
    probe: &mut Probe<'_>,
    findings: &mut Vec<Finding>,
) -> Result<(), TowerError> {
    let cur = &program.currency;
    // A total loss of each tier held; without exposures, a probe loss in each standard
    // tier.
    let tiers: Vec<(String, Money)> = program
        .held_tiers()
        .into_iter()
        .map(|t| {
            let held = program.exposures.iter().find(|e| e.tier == t);
            let amount = held.map_or(PROBE_LOSS, |e| e.amount.max(Money(1)));
            (t, amount)
        })
        .collect();
    for (cause, code, what) in [
        (
            "key_compromise",
            findings::KEY_COMPROMISE_NOT_COVERED,
            "key compromise",
        ),
        (
            "insider_theft",
            findings::INSIDER_THEFT_NOT_COVERED,
            "insider theft",
        ),
        (
            "vendor_breach",
            findings::VENDOR_BREACH_NOT_COVERED,
            "vendor or sub-custodian breach",
        ),
    ] {
        if !causes.iter().any(|c| c == cause) {
            let mut f = Finding::new(
                code,
                Level::Advice,
                format!("{what} (`{cause}`) is not a covered cause"),
            )
            .help(format!(
                "add `{cause}` to `covers`, or silence this with `allow {code}` if it is insured elsewhere"
            ));
            if let Some(span) = program.covers_span {
                f = f.at(span, format!("`{cause}` not listed"));
            }
            findings.push(f);
            continue;
        }
        let mut total = Money::ZERO;
        let mut last = None;
        for (tier, amount) in &tiers {
            let r = probe.run("advice", cause, &[(tier, *amount)])?;
            total = total
                .checked_add(probe.outcome().paid)
                .ok_or_else(|| overflow("a probe total"))?;
            last = Some(r);
        }
        if total.0 == 0 {
            let mut f = Finding::new(
                code,
                Level::Advice,
                format!(
                    "{what} (`{cause}`) is {} but a total loss from it recovers {} in every tier",
                    if program.covers.is_some() {
                        "listed in `covers`"
                    } else {
                        "covered (the program has no `covers`, so every cause is)"
                    },
                    cur.display(Money::ZERO)
                ),
            );
            if let Some((clause, span, _)) = last.as_ref().and_then(|r| blocking_clause(program, r))
            {
                f = f.at(span, format!("{clause} takes it all"));
            }
            findings.push(f);
        }
    }
    Ok(())
}

/// Capacity per entity, its position after reinsurance at a loss filling every layer, and
/// concentration warnings.
fn entities(
    program: &Program,
    capacity: Money,
    options: &Options,
    findings: &mut Vec<Finding>,
) -> Result<Vec<EntityView>, TowerError> {
    let cur = &program.currency;
    // Entity order: the reinsurance graph's (carriers first), else carriers in tower order.
    let reinsurance = if program.treaties.is_empty() {
        None
    } else {
        Reinsurance::new(program).ok()
    };
    let mut names: Vec<String> = match &reinsurance {
        Some(r) => r.graph().entities.clone(),
        None => Vec::new(),
    };
    for c in program.carrier_list().names {
        if !names.contains(&c) {
            names.push(c);
        }
    }
    let mut line = vec![Money::ZERO; names.len()];
    let mut aggregate: Vec<Option<Money>> = vec![Some(Money::ZERO); names.len()];
    let mut first_span: Vec<Option<Span>> = vec![None; names.len()];
    for l in &program.layers {
        let per = layer_split(l, l.limit).ok_or_else(|| overflow("a carrier line"))?;
        let agg = match l.effective_aggregate() {
            Some(a) => Some(layer_split(l, a).ok_or_else(|| overflow("a carrier aggregate"))?),
            None => None,
        };
        for (j, c) in l.carriers.iter().enumerate() {
            let Some(e) = names.iter().position(|n| *n == c.name) else {
                continue;
            };
            if let Some(slot) = line.get_mut(e) {
                *slot = slot
                    .checked_add(Money(per.get(j).copied().unwrap_or(0)))
                    .ok_or_else(|| overflow("a carrier line"))?;
            }
            if let Some(slot) = aggregate.get_mut(e) {
                *slot = match (&agg, *slot) {
                    (Some(a), Some(s)) => s.checked_add(Money(a.get(j).copied().unwrap_or(0))),
                    _ => None,
                };
            }
            if let Some(slot) = first_span.get_mut(e) {
                slot.get_or_insert(c.span);
            }
        }
    }
    // Reinsurance at a loss filling every layer.
    let mut positions = Vec::new();
    if let Some(mut r) = reinsurance {
        r.evaluate(&line, &mut positions)
            .ok_or_else(|| overflow("a reinsurance amount"))?;
    }
    let mut out = Vec::new();
    for (e, name) in names.iter().enumerate() {
        let own = line.get(e).copied().unwrap_or_default();
        let (gross, net) = match positions.get(e) {
            Some(p) => (p.gross, p.net),
            None => (own, own),
        };
        let assumed = Money(gross.0.saturating_sub(own.0));
        let gross_share = ratio_percent(gross, capacity);
        let threshold = percent(options.concentration);
        if gross_share > threshold {
            let span = first_span.get(e).copied().flatten().or_else(|| {
                program
                    .treaties
                    .iter()
                    .find(|t| t.reinsurers.iter().any(|r| r.name == *name))
                    .map(|t| t.span)
            });
            let mut f = Finding::new(
                findings::CONCENTRATION,
                Level::Warning,
                format!(
                    "`{name}` carries {} of the tower's {} per occurrence ({gross_share}%), above the {threshold}% concentration threshold{}",
                    cur.display(gross),
                    cur.display(capacity),
                    if assumed.0 > 0 {
                        format!(" ({} of it assumed as a reinsurer)", cur.display(assumed))
                    } else {
                        String::new()
                    }
                ),
            )
            .help(format!(
                "if `{name}` fails to pay, that share of every claim is lost; spread the lines, or set the threshold with `--concentration`"
            ));
            if let Some(s) = span {
                f = f.at(s, format!("{gross_share}% of the tower"));
            }
            findings.push(f);
        }
        out.push(EntityView {
            entity: name.clone(),
            max_line: cur.decimal(own),
            max_aggregate: aggregate.get(e).copied().flatten().map(|m| cur.decimal(m)),
            share_of_tower: ratio_percent(own, capacity),
            assumed: cur.decimal(assumed),
            gross_share,
            max_net: cur.decimal(net),
        });
    }
    Ok(out)
}

/// The amount that entered the tower in a replayed event: ground-up less what the wording
/// kept (the net loss the tower sees).
pub fn net_loss(e: &EventResult) -> Decimal {
    let wording = e
        .uncovered
        .iter()
        .filter(|u| u.reason.before_tower())
        .map(|u| u.amount)
        .fold(Decimal::ZERO, |a, x| a.checked_add(x).unwrap_or(a));
    e.ground_up.checked_sub(wording).unwrap_or_default()
}
