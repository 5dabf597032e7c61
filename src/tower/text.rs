//! The tower drawn in text for the terminal, with its layers, tiers and entities.

use super::{TierView, Tower};
use crate::render::{grouped, short};
use rust_decimal::Decimal;
use std::fmt::Write;

/// Width of a layer's bar, in characters.
const BAR: usize = 56;
/// Letters marking carriers' shares in the bars.
const MARKS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Characters of a bar for `percent` of [`BAR`], at least one when the share is not zero.
fn width(percent: Decimal) -> usize {
    let w = percent
        .checked_mul(Decimal::from(BAR))
        .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
        .unwrap_or_default()
        .round();
    let w = usize::try_from(w.mantissa()).unwrap_or(0);
    if percent > Decimal::ZERO {
        w.clamp(1, BAR)
    } else {
        0
    }
}

/// The letter of entity `name`.
fn mark(t: &Tower, name: &str) -> char {
    let i = t
        .entities
        .iter()
        .position(|e| e.entity == name)
        .unwrap_or(0);
    MARKS
        .get(i.checked_rem(MARKS.len()).unwrap_or(0))
        .map_or('#', |b| char::from(*b))
}

/// The terminal report of a tower analysis (findings are rendered separately, as
/// diagnostics pointing into the source).
pub fn text(t: &Tower) -> String {
    let mut out = String::new();
    let code = &t.currency;
    let _ = writeln!(out, "tower    {} ({code})", t.program);
    let _ = writeln!(
        out,
        "         top {}, capacity {} per occurrence, {} layer{}\n",
        short(t.top),
        short(t.capacity),
        t.layers.len(),
        if t.layers.len() == 1 { "" } else { "s" }
    );
    drawing(&mut out, t);
    out.push('\n');
    layers(&mut out, t);
    tiers(&mut out, t);
    entities(&mut out, t);
    if !t.silenced.is_empty() {
        let _ = writeln!(out, "silenced by `allow`");
        for s in &t.silenced {
            let _ = writeln!(
                out,
                "  {:<60} {} finding{}",
                s.code,
                s.count,
                if s.count == 1 { "" } else { "s" }
            );
        }
        out.push('\n');
    }
    let warnings = t
        .findings
        .iter()
        .filter(|f| f.level == super::findings::Level::Warning)
        .count();
    let _ = writeln!(
        out,
        "{} finding{}: {warnings} warning{}, {} advice",
        t.findings.len(),
        if t.findings.len() == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        t.findings.len().saturating_sub(warnings)
    );
    out
}

fn drawing(out: &mut String, t: &Tower) {
    let rule = "─".repeat(BAR.saturating_add(2));
    let _ = writeln!(out, "{:>10} ┌{rule}┐", short(t.top));
    for (n, b) in t.bands.iter().enumerate().rev() {
        match &b.layer {
            Some(name) => {
                let Some(l) = t.layers.iter().find(|l| l.layer == *name) else {
                    continue;
                };
                let title = format!(
                    "{}  {} xs {}{}",
                    l.layer,
                    short(l.limit),
                    short(l.attachment),
                    if l.reachable { "" } else { "  (unreachable)" }
                );
                let _ = writeln!(out, "{:>10} │ {:<BAR$} │", "", title);
                let mut bar = String::new();
                let mut legend = Vec::new();
                for c in &l.carriers {
                    let m = mark(t, &c.carrier);
                    bar.extend(std::iter::repeat_n(m, width(c.percent)));
                    legend.push(format!("{m} {} {}%", c.carrier, c.percent));
                }
                let used = bar.chars().count().min(BAR);
                if l.unplaced.percent > Decimal::ZERO {
                    bar.extend(std::iter::repeat_n('░', BAR.saturating_sub(used)));
                    legend.push(format!("░ unplaced {}%", l.unplaced.percent));
                }
                let bar: String = bar.chars().take(BAR).collect();
                let _ = writeln!(out, "{:>10} │ {:<BAR$} │ {}", "", bar, legend.join("  "));
            }
            None => {
                let gap = b.to.checked_sub(b.from).unwrap_or_default();
                let label = format!("gap {} (uncovered: tower_gap)", short(gap));
                let _ = writeln!(out, "{:>10} │ {:~^BAR$} │", "", format!(" {label} "));
            }
        }
        let sep = if n == 0 { '└' } else { '├' };
        let end = if n == 0 { '┘' } else { '┤' };
        let _ = writeln!(out, "{:>10} {sep}{rule}{end}", short(b.from));
    }
    if t.bands.is_empty() {
        let _ = writeln!(out, "{:>10} └{rule}┘  (no layers)", "0");
    }
}

fn layers(out: &mut String, t: &Tower) {
    let _ = writeln!(
        out,
        "{:<24} {:>16} {:>16} {:>16} {:>7} {:>14} {:>8}",
        "layer", "attachment", "limit", "aggregate", "reinst.", "premium", "placed"
    );
    for l in &t.layers {
        let placed = Decimal::ONE_HUNDRED
            .checked_sub(l.unplaced.percent)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<22} {:>16} {:>16} {:>16} {:>7} {:>14} {:>7}%",
            l.layer,
            grouped(l.attachment),
            grouped(l.limit),
            l.aggregate.map_or("unlimited".to_string(), grouped),
            l.reinstatements,
            l.premium.map_or("-".to_string(), grouped),
            placed
        );
    }
    out.push('\n');
}

fn tier_line(out: &mut String, tier: &TierView) {
    let _ = writeln!(
        out,
        "  {:<22} exposure {:>18}   sub-limits: {}",
        tier.tier,
        grouped(tier.exposure),
        if tier.sublimits.is_empty() {
            "none".to_string()
        } else {
            tier.sublimits.join(", ")
        }
    );
    for r in &tier.recoveries {
        let marker = if tier.best.as_deref() == Some(r.cause.as_str()) {
            " best"
        } else if tier.worst.as_deref() == Some(r.cause.as_str()) {
            " worst"
        } else {
            ""
        };
        let uncovered = r
            .uncovered
            .iter()
            .fold(Decimal::ZERO, |a, u| a.checked_add(u.amount).unwrap_or(a));
        let _ = writeln!(
            out,
            "    {:<24} paid {:>18}   uncovered {:>18}{marker}",
            r.cause,
            grouped(r.paid),
            grouped(uncovered)
        );
        for u in &r.uncovered {
            let who = u
                .clause
                .as_ref()
                .or(u.layer.as_ref())
                .map_or(String::new(), |c| format!(" {c}"));
            let _ = writeln!(
                out,
                "      {:<44} {:>18}",
                format!("{}{who}", u.reason.as_str()),
                grouped(u.amount)
            );
        }
    }
}

fn tiers(out: &mut String, t: &Tower) {
    if t.tiers.is_empty() {
        let _ = writeln!(out, "tiers: no `exposure` declared\n");
        return;
    }
    let _ = writeln!(out, "total loss of each tier, one event per covered cause");
    for tier in &t.tiers {
        tier_line(out, tier);
    }
    out.push('\n');
}

fn entities(out: &mut String, t: &Tower) {
    let _ = writeln!(
        out,
        "{:<24} {:>16} {:>16} {:>8} {:>16} {:>8} {:>16}",
        "entity", "line/occurrence", "line/aggregate", "share", "assumed", "gross", "max net"
    );
    for e in &t.entities {
        let _ = writeln!(
            out,
            "  {} {:<20} {:>16} {:>16} {:>7}% {:>16} {:>7}% {:>16}",
            mark(t, &e.entity),
            e.entity,
            grouped(e.max_line),
            e.max_aggregate.map_or("unlimited".to_string(), grouped),
            e.share_of_tower,
            grouped(e.assumed),
            e.gross_share,
            grouped(e.max_net)
        );
    }
    out.push('\n');
}
