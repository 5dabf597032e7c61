//! Hover for models (a peril's mean frequency and the mean of its severity), portfolios
//! (a program's file, a vendor's dependants) and portfolio models (a vendor peril).

use super::words::{block, duration, grouped, under, written};
use crate::ast::{
    CapDecl, FractionDecl, FrequencyDecl, IndexPerilDecl, IndexPerilItemKind, ModelItemKind,
    NumberLit, PerilDecl, PerilItemKind, PortfolioItemKind, PortfolioModelItemKind, SeverityDecl,
    VendorItemKind, VendorPerilDecl, VendorPerilItemKind,
};
use crate::format;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Hover in a model file.
pub(super) fn model(src: &str, offset: usize) -> Option<String> {
    let file = crate::parse::parse_model(src).ok()?;
    let item = under(&file.model.items, offset)?;
    match &item.kind {
        ModelItemKind::Peril(p) => Some(peril(p)),
        ModelItemKind::IndexPeril(p) => Some(index_peril(p)),
        ModelItemKind::Years(n) => Some(format!(
            "**Years**: {} simulated years unless `--years` says otherwise.",
            written(&n.node)
        )),
        ModelItemKind::Seed(n) => Some(format!(
            "**Seed** {}: the same seed, model and program give the same years, on any machine and thread count.",
            written(&n.node)
        )),
    }
}

/// The mean of a frequency, exactly.
fn mean_frequency(f: &FrequencyDecl) -> Option<Decimal> {
    match f {
        FrequencyDecl::Poisson(l) | FrequencyDecl::Fixed(l) => l.node.value(),
        FrequencyDecl::NegativeBinomial { mean, .. } => mean.node.value(),
    }
}

fn frequency_text(f: &FrequencyDecl) -> String {
    let mut s = String::new();
    format::frequency(&mut s, f);
    s
}

/// The mean of a severity before its cap, and whether it is exact; `None` when it has none
/// (Pareto with shape ≤ 1) or depends on the program (share of exposure).
fn mean_severity(s: &SeverityDecl) -> Option<(Decimal, bool)> {
    let v = |n: &NumberLit| n.value();
    match s {
        SeverityDecl::Fixed(a) => Some((v(&a.node)?, true)),
        SeverityDecl::Uniform(a, b) => Some((
            v(&a.node)?
                .checked_add(v(&b.node)?)?
                .checked_div(Decimal::TWO)?,
            true,
        )),
        SeverityDecl::Lognormal { median, sigma } => {
            let m = v(&median.node)?.to_f64()?;
            let s = v(&sigma.node)?.to_f64()?;
            let mean = m * (s * s / 2.0).exp();
            Some((Decimal::from_f64(mean.round())?, false))
        }
        SeverityDecl::Pareto { scale, shape } => {
            let x = v(&scale.node)?;
            let a = v(&shape.node)?;
            if a <= Decimal::ONE {
                return None;
            }
            Some((
                x.checked_mul(a)?
                    .checked_div(a.checked_sub(Decimal::ONE)?)?
                    .round_dp(2),
                true,
            ))
        }
        SeverityDecl::ShareOfExposure(..) => None,
        SeverityDecl::Empirical(list) => {
            let mut sum = Decimal::ZERO;
            for x in list {
                sum = sum.checked_add(v(&x.node)?)?;
            }
            let n = Decimal::from(list.len());
            Some((sum.checked_div(n)?.round_dp(2), true))
        }
    }
}

/// One `loss` line in words.
fn loss_line(tier: &str, sev: &SeverityDecl, cap: Option<&CapDecl>) -> String {
    let mut text = String::new();
    format::severity_text(&mut text, sev);
    let mean = match (sev, mean_severity(sev)) {
        (_, Some((m, exact))) => {
            format!("mean {}{}", if exact { "" } else { "≈ " }, grouped(m))
        }
        (SeverityDecl::ShareOfExposure(a, b), None) => {
            let frac = a
                .node
                .value()
                .zip(b.node.value())
                .and_then(|(a, b)| a.checked_div(a.checked_add(b)?))
                .map(|f| grouped(f.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(f).round_dp(2)));
            format!(
                "mean {}% of the tier's declared exposure",
                frac.unwrap_or_default()
            )
        }
        (_, None) => "no finite mean".to_string(),
    };
    let cap = match cap {
        Some(CapDecl::Amount(a)) => format!(", capped at {}", written(&a.node)),
        Some(CapDecl::Exposure) => ", capped at the tier's exposure".to_string(),
        None => String::new(),
    };
    let before_cap = if cap.is_empty() {
        ""
    } else {
        " before the cap"
    };
    format!("- a `{tier}` line, {text} ({mean}{before_cap}){cap}")
}

fn peril(p: &PerilDecl) -> String {
    let mut lines = Vec::new();
    let mut head = format!("**Peril \"{}\"**", p.name.node);
    for item in &p.items {
        match &item.kind {
            PerilItemKind::Cause(c) => {
                let _ = write!(head, ", cause `{}`", c.node);
            }
            PerilItemKind::Frequency(f) => {
                let mean = mean_frequency(&f.node).map(grouped).unwrap_or_default();
                lines.push(format!(
                    "- {mean} events a year on average ({})",
                    frequency_text(&f.node)
                ));
            }
            PerilItemKind::Loss {
                tier,
                severity,
                cap,
            } => lines.push(loss_line(
                &tier.node,
                &severity.node,
                cap.as_ref().map(|c| &c.node),
            )),
            PerilItemKind::With { name, value } => lines.push(format!(
                "- its events carry `{} = {}`",
                name.node,
                super::words::literal(&value.node)
            )),
            PerilItemKind::DiscoveredAfter(d) => lines.push(format!(
                "- discovered {} after they occur",
                duration(&d.node)
            )),
        }
    }
    head.push(':');
    block(head, lines)
}

fn index_peril(p: &IndexPerilDecl) -> String {
    let s = format!("**Index peril \"{}\"**:", p.name.node);
    let lines = p.items.iter().map(|item| match &item.kind {
        IndexPerilItemKind::Index(i) => format!("- moves the index \"{}\"", i.node),
        IndexPerilItemKind::Baseline(b) => format!("- baseline {}", written(&b.node)),
        IndexPerilItemKind::Frequency(f) => format!(
            "- {} excursions a year on average ({})",
            mean_frequency(&f.node).map(grouped).unwrap_or_default(),
            frequency_text(&f.node)
        ),
        IndexPerilItemKind::Worst(w) => {
            let mut t = String::new();
            format::worst_text(&mut t, &w.node);
            format!("- worst value {t}")
        }
        IndexPerilItemKind::Duration { dist, .. } => {
            let mut t = String::new();
            format::duration_dist(&mut t, &dist.node);
            format!("- lasting {t}")
        }
    });
    block(s, lines)
}

/// Hover in a portfolio file.
pub(super) fn portfolio(src: &str, offset: usize) -> Option<String> {
    let file = crate::parse::parse_portfolio(src).ok()?;
    let item = under(&file.portfolio.items, offset)?;
    match &item.kind {
        PortfolioItemKind::Currency(c) => Some(format!(
            "**Currency {}**: the book's totals are in {}; every program must use it.",
            c.node, c.node
        )),
        PortfolioItemKind::Program { key, path } => Some(format!(
            "**Program \"{}\"** of the book, read from `{}` (beside this file).",
            key.node, path.node
        )),
        PortfolioItemKind::Vendor(v) => {
            let mut s = format!(
                "**Vendor \"{}\"**: a breach of it reaches every program below, in the share of its declared exposure given per tier:",
                v.name.node
            );
            for u in &v.items {
                let VendorItemKind::Uses { program, tiers } = &u.kind;
                let parts: Vec<String> = tiers
                    .iter()
                    .map(|(t, p)| format!("{} {}%", t.node, p.node))
                    .collect();
                let _ = write!(s, "\n- \"{}\": {}", program.node, parts.join(", "));
            }
            Some(s)
        }
    }
}

/// Hover in a portfolio model file.
pub(super) fn portfolio_model(src: &str, offset: usize) -> Option<String> {
    let file = crate::parse::parse_portfolio_model(src).ok()?;
    let item = under(&file.model.items, offset)?;
    match &item.kind {
        PortfolioModelItemKind::VendorPeril(v) => Some(vendor_peril(v)),
        PortfolioModelItemKind::Model { key, path } => Some(format!(
            "**Own perils of \"{}\"**: the model `{}` draws that program's own breaches.",
            key.node, path.node
        )),
        PortfolioModelItemKind::Years(n) => Some(format!(
            "**Years**: {} simulated years unless `--years` says otherwise.",
            written(&n.node)
        )),
        PortfolioModelItemKind::Seed(n) => Some(format!("**Seed** {}.", written(&n.node))),
    }
}

fn vendor_peril(v: &VendorPerilDecl) -> String {
    let s = format!("**Vendor peril \"{}\"**:", v.name.node);
    let lines = v.items.iter().map(|item| match &item.kind {
        VendorPerilItemKind::Vendor(n) => format!("- breaches vendor \"{}\"", n.node),
        VendorPerilItemKind::Cause(c) => format!("- cause `{}`", c.node),
        VendorPerilItemKind::Frequency(f) => format!(
            "- {} breaches a year on average ({})",
            mean_frequency(&f.node).map(grouped).unwrap_or_default(),
            frequency_text(&f.node)
        ),
        VendorPerilItemKind::Damage(parts) => {
            let each: Vec<String> = parts
                .iter()
                .map(|(tier, f)| {
                    let t = tier
                        .as_ref()
                        .map_or("every tier".to_string(), |t| format!("`{}`", t.node));
                    format!("{t}: {}", fraction(&f.node))
                })
                .collect();
            format!(
                "- damage, as a share of each dependant's exposure: {}",
                each.join("; ")
            )
        }
        VendorPerilItemKind::DiscoveredAfter(d) => {
            format!("- discovered {} after it occurs", duration(&d.node))
        }
    });
    block(s, lines)
}

/// A damage fraction with its mean.
fn fraction(f: &FractionDecl) -> String {
    match f {
        FractionDecl::Fixed(p) => format!("{}%", p.node),
        FractionDecl::Uniform(a, b) => {
            let mean = a
                .node
                .checked_add(b.node)
                .and_then(|s| s.checked_div(Decimal::TWO));
            format!(
                "uniform {}% to {}% (mean {}%)",
                a.node,
                b.node,
                mean.map(grouped).unwrap_or_default()
            )
        }
        FractionDecl::Beta(a, b) => {
            let mean = a
                .node
                .value()
                .zip(b.node.value())
                .and_then(|(a, b)| a.checked_div(a.checked_add(b)?))
                .and_then(|m| m.checked_mul(Decimal::ONE_HUNDRED))
                .map(|m| grouped(m.round_dp(2)));
            format!(
                "beta {} {} (mean {}%)",
                written(&a.node),
                written(&b.node),
                mean.unwrap_or_default()
            )
        }
        FractionDecl::Empirical(list) => {
            let parts: Vec<String> = list.iter().map(|p| format!("{}%", p.node)).collect();
            format!("empirical [{}]", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    fn hover_at(path: &str, needle: &str) -> String {
        let src =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
                .unwrap();
        crate::ide::hover(&src, src.find(needle).unwrap()).unwrap()
    }

    #[test]
    fn vendor_and_index_perils_in_words() {
        // Multisig UI: cold beta 1.2 2.0 → mean 1.2/3.2 = 37.5%; warm beta 0.8 3.0 → 0.8/3.8
        // = 21.052…% → 21.05%.
        let h = hover_at(
            "fixtures/book/custody-book-model.specie",
            "cause vendor_breach",
        );
        assert_eq!(
            h,
            "**Vendor peril \"Multisig UI compromise\"**:\n- breaches vendor \"multisig_ui\"\n- cause `vendor_breach`\n- 0.03 breaches a year on average (frequency poisson 0.03 per year)\n- damage, as a share of each dependant's exposure: `cold`: beta 1.2 2.0 (mean 37.5%); `warm`: beta 0.8 3.0 (mean 21.05%)\n- discovered 1 day after it occurs"
        );
        let h = hover_at(
            "fixtures/book/custody-book-model.specie",
            "uniform 5% to 40%",
        );
        // (5% + 40%) / 2 = 22.5%.
        assert!(
            h.contains("exposure: every tier: uniform 5% to 40% (mean 22.5%)\n"),
            "{h}"
        );
        let h = hover_at(
            "fixtures/models/crime-tower-with-depeg--drain-and-depeg.specie",
            "baseline 1.00",
        );
        assert!(h.starts_with("**Index peril \"USDC depeg\"**:\n- moves the index \"USDC/USD\"\n- baseline 1.00\n- 0.33 excursions a year"), "{h}");
    }

    #[test]
    fn portfolio_vendors_list_their_dependants() {
        let h = hover_at(
            "fixtures/book/custody-book.specie",
            "vendor \"multisig_ui\"",
        );
        assert!(h.contains("\n- \"custodian\": cold 10%, warm 50%\n"), "{h}");
    }
}
