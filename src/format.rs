//! Syntax tree → canonical source text.
//!
//! One layout for every program: two-space indentation, one item per line, single spaces
//! between tokens, numbers as written (without `_` separators), durations with long unit
//! names, comments and single blank lines between items kept where they were.
//! `parse(format(f)) == f` for every tree `f` that [`crate::parse`] can produce.

use crate::ast::*;
use std::fmt::Write;

/// Formats a syntax tree as canonical source text.
///
/// ```
/// let file = specie::parse(r#"program "x" {   period 2026-01-01 to 2027-01-01
///   layer "P" 10_000_000 xs 0 { carrier "A" 100% } }"#).unwrap();
/// assert_eq!(specie::format(&file), "program \"x\" {\n  period 2026-01-01 to 2027-01-01\n  layer \"P\" 10000000 xs 0 {\n    carrier \"A\" 100%\n  }\n}\n");
/// ```
pub fn format(file: &File) -> String {
    let mut out = String::new();
    for c in &file.header {
        comment_line(&mut out, 0, c);
    }
    let p = &file.program;
    out.push_str("program ");
    string(&mut out, &p.name.node);
    out.push_str(" {\n");
    items(&mut out, 1, &p.items, &p.end_comments, program_item);
    out.push('\n');
    for c in &file.footer {
        comment_line(&mut out, 0, c);
    }
    out
}

/// A block's items at `level`, each with its comments and spacing (`each` writes what
/// the item says), then the comments after the last item and the closing brace.
fn items<K>(
    out: &mut String,
    level: usize,
    items: &[Item<K>],
    end_comments: &[String],
    mut each: impl FnMut(&mut String, &K),
) {
    for (n, item) in items.iter().enumerate() {
        leading(out, level, &item.trivia, n == 0);
        indent(out, level);
        each(out, &item.kind);
        trailing(out, &item.trivia);
    }
    for c in end_comments {
        comment_line(out, level, c);
    }
    indent(out, level.saturating_sub(1));
    out.push('}');
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn comment_line(out: &mut String, level: usize, text: &str) {
    indent(out, level);
    out.push('#');
    out.push_str(text);
    out.push('\n');
}

fn leading(out: &mut String, level: usize, t: &Trivia, first: bool) {
    if t.blank_line_before && !first {
        out.push('\n');
    }
    for c in &t.comments {
        comment_line(out, level, c);
    }
}

fn trailing(out: &mut String, t: &Trivia) {
    if let Some(c) = &t.trailing {
        out.push_str(" #");
        out.push_str(c);
    }
    out.push('\n');
}

/// Writes a string literal with escapes.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(crate) fn number(out: &mut String, n: &NumberLit) {
    let _ = write!(out, "{}{}", n.mantissa, n.magnitude.suffix());
}

pub(crate) fn percent(out: &mut String, p: &rust_decimal::Decimal) {
    let _ = write!(out, "{p}%");
}

pub(crate) fn duration(out: &mut String, d: &DurationLit) {
    let singular = d.amount == rust_decimal::Decimal::ONE;
    let _ = write!(out, "{} {}", d.amount, d.unit.name(singular));
}

fn program_item(out: &mut String, kind: &ItemKind) {
    match kind {
        ItemKind::Insured(s) => {
            out.push_str("insured ");
            string(out, &s.node);
        }
        ItemKind::Currency(c) => {
            let _ = write!(out, "currency {}", c.node);
        }
        ItemKind::Period { start, end } => {
            let _ = write!(out, "period {} to {}", start.node, end.node);
        }
        ItemKind::Basis(b) => out.push_str(match b.node {
            Basis::Occurrence => "basis occurrence",
            Basis::Discovery => "basis discovery",
        }),
        ItemKind::DiscoveryWindow(d) => {
            out.push_str("discovery window ");
            duration(out, &d.node);
        }
        ItemKind::OccurrenceWindow(d) => {
            out.push_str("occurrence window ");
            duration(out, &d.node);
        }
        ItemKind::Retroactive(d) => {
            let _ = write!(out, "retroactive {}", d.node);
        }
        ItemKind::Valuation(v) => out.push_str(match v.node {
            Valuation::AtLoss => "valuation at loss",
            Valuation::AtDiscovery => "valuation at discovery",
        }),
        ItemKind::Attribute(a) => {
            let _ = write!(out, "attribute {}: {}", a.name.node, a.ty.node.keyword());
            if let Some(d) = &a.default {
                out.push_str(" = ");
                literal(out, &d.node);
            }
        }
        ItemKind::Exposure { tier, amount } => {
            let _ = write!(out, "exposure {} ", tier.node);
            number(out, &amount.node);
        }
        ItemKind::Covers(causes) => {
            out.push_str("covers ");
            symbols(out, causes);
        }
        ItemKind::Sublimit(s) => {
            out.push_str("sublimit ");
            string(out, &s.name.node);
            match (&s.per_occurrence, &s.aggregate) {
                (Some(p), agg) => {
                    out.push(' ');
                    number(out, &p.node);
                    out.push_str(" per occurrence");
                    if let Some(a) = agg {
                        out.push_str(", ");
                        number(out, &a.node);
                        out.push_str(" aggregate");
                    }
                }
                (None, Some(a)) => {
                    out.push(' ');
                    number(out, &a.node);
                    out.push_str(" aggregate");
                }
                (None, None) => {}
            }
            when(out, s.condition.as_ref());
        }
        ItemKind::Deductible(d) => {
            out.push_str("deductible ");
            if let Some(n) = &d.name {
                string(out, &n.node);
                out.push(' ');
            }
            match &d.amount.node {
                AmountOrPercent::Amount(a) => number(out, a),
                AmountOrPercent::Percent(p) => percent(out, p),
            }
            if let Some(m) = &d.min {
                out.push_str(" min ");
                number(out, &m.node);
            }
            if let Some(m) = &d.max {
                out.push_str(" max ");
                number(out, &m.node);
            }
            if d.franchise.is_some() {
                out.push_str(" franchise");
            }
            out.push_str(" per occurrence");
            if let Some(a) = &d.aggregate {
                out.push_str(", ");
                number(out, &a.node);
                out.push_str(" aggregate");
            }
            when(out, d.condition.as_ref());
        }
        ItemKind::Coinsurance(p) => {
            out.push_str("coinsurance ");
            percent(out, &p.node);
        }
        ItemKind::Exclude(e) => exclusion(out, e),
        ItemKind::Layer(l) => layer(out, l),
        ItemKind::Parametric(p) => parametric(out, p),
        ItemKind::Check(c) => check(out, c),
        ItemKind::Treaty(t) => treaty(out, t),
        ItemKind::Allow(code) => {
            let _ = write!(out, "allow {}", code.node);
        }
    }
}

fn symbols(out: &mut String, list: &[Ident]) {
    for (n, s) in list.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        out.push_str(&s.node);
    }
}

fn when(out: &mut String, c: Option<&Cond>) {
    if let Some(c) = c {
        out.push_str(" when ");
        cond(out, c);
    }
}

fn exclusion(out: &mut String, e: &ExclusionDecl) {
    out.push_str("exclude ");
    string(out, &e.name.node);
    out.push_str(" when ");
    cond(out, &e.condition);
}

fn layer(out: &mut String, l: &LayerDecl) {
    out.push_str("layer ");
    string(out, &l.name.node);
    out.push(' ');
    number(out, &l.limit.node);
    out.push_str(" xs ");
    number(out, &l.attachment.node);
    out.push_str(" {\n");
    items(out, 2, &l.items, &l.end_comments, |out, kind| match kind {
        LayerItemKind::Aggregate(a) => {
            out.push_str("aggregate ");
            number(out, &a.node);
        }
        LayerItemKind::Reinstatements { list, pro_rata } => {
            out.push_str("reinstatements ");
            for (k, r) in list.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{} at ", r.count.node);
                percent(out, &r.rate.node);
            }
            if pro_rata.is_some() {
                out.push_str(" pro rata as to time");
            }
        }
        LayerItemKind::Premium(p) => {
            out.push_str("premium ");
            number(out, &p.node);
        }
        LayerItemKind::Carrier { name, share } => {
            out.push_str("carrier ");
            string(out, &name.node);
            out.push(' ');
            percent(out, &share.node);
        }
        LayerItemKind::Exclude(e) => exclusion(out, e),
    });
}

fn parametric(out: &mut String, p: &ParametricDecl) {
    out.push_str("parametric ");
    string(out, &p.name.node);
    out.push_str(" {\n");
    items(out, 2, &p.items, &p.end_comments, |out, kind| match kind {
        ParametricItemKind::Index(s) => {
            out.push_str("index ");
            string(out, &s.node);
        }
        ParametricItemKind::Trigger {
            direction,
            threshold,
            duration: d,
        } => {
            let _ = write!(out, "trigger {} ", direction.node.keyword());
            number(out, &threshold.node);
            out.push_str(" for ");
            duration(out, &d.node);
        }
        ParametricItemKind::Step {
            percent: p,
            notional,
            when,
        } => {
            out.push_str("payout ");
            percent(out, &p.node);
            out.push_str(" of ");
            number(out, &notional.node);
            if let Some((d, y)) = when {
                let _ = write!(out, " when {} ", d.node.keyword());
                number(out, &y.node);
            }
        }
        ParametricItemKind::Linear {
            from_percent,
            from_at,
            to_percent,
            to_at,
            notional,
        } => {
            out.push_str("payout linear from ");
            percent(out, &from_percent.node);
            out.push_str(" at ");
            number(out, &from_at.node);
            out.push_str(" to ");
            percent(out, &to_percent.node);
            out.push_str(" at ");
            number(out, &to_at.node);
            out.push_str(" of ");
            number(out, &notional.node);
        }
        ParametricItemKind::Aggregate(a) => {
            out.push_str("aggregate ");
            number(out, &a.node);
        }
        ParametricItemKind::WaitingPeriod(d) => {
            out.push_str("waiting period ");
            duration(out, &d.node);
        }
        ParametricItemKind::Carrier { name, share } => {
            out.push_str("carrier ");
            string(out, &name.node);
            out.push(' ');
            percent(out, &share.node);
        }
    });
}

fn treaty(out: &mut String, t: &TreatyDecl) {
    out.push_str("treaty ");
    string(out, &t.name.node);
    match &t.form {
        TreatyForm::QuotaShare(p) => {
            out.push_str(" quota share ");
            percent(out, &p.node);
        }
        TreatyForm::Excess { limit, attachment } => {
            out.push(' ');
            number(out, &limit.node);
            out.push_str(" xs ");
            number(out, &attachment.node);
            out.push_str(" per occurrence");
        }
    }
    out.push_str(" {\n");
    items(out, 2, &t.items, &t.end_comments, |out, kind| match kind {
        TreatyItemKind::Cedent(s) => {
            out.push_str("cedent ");
            string(out, &s.node);
        }
        TreatyItemKind::Reinsurer { name, share } => {
            out.push_str("reinsurer ");
            string(out, &name.node);
            out.push(' ');
            percent(out, &share.node);
        }
        TreatyItemKind::Aggregate(a) => {
            out.push_str("aggregate ");
            number(out, &a.node);
        }
        TreatyItemKind::InuresAfter(names) => {
            out.push_str("inures after ");
            for (k, n) in names.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                string(out, &n.node);
            }
        }
    });
}

fn check(out: &mut String, c: &CheckDecl) {
    out.push_str("check ");
    string(out, &c.name.node);
    out.push_str(" {\n");
    items(out, 2, &c.items, &c.end_comments, |out, kind| match kind {
        CheckItemKind::Event(cd) => {
            out.push_str("event ");
            cond(out, cd);
        }
        CheckItemKind::Events { count, condition } => {
            let _ = write!(out, "events {} with ", count.node);
            cond(out, condition);
        }
        CheckItemKind::Loss { from, to, each } => {
            out.push_str("loss ");
            match from {
                Some(f) => {
                    out.push_str("from ");
                    number(out, &f.node);
                    out.push_str(" to ");
                }
                None => out.push_str("up to "),
            }
            number(out, &to.node);
            if *each {
                out.push_str(" each");
            }
        }
        CheckItemKind::With { name, value } => {
            let _ = write!(out, "with {} = ", name.node);
            literal(out, &value.node);
        }
        CheckItemKind::Expect { metric, op, bound } => {
            out.push_str("expect ");
            match &metric.node {
                Metric::Paid => out.push_str("paid"),
                Metric::Retained => out.push_str("retained"),
                Metric::Uncovered(None) => out.push_str("uncovered"),
                Metric::Uncovered(Some(r)) => {
                    let _ = write!(out, "uncovered {r}");
                }
                Metric::CarrierPaid(n) => {
                    out.push_str("carrier ");
                    string(out, n);
                    out.push_str(" paid");
                }
                Metric::LayerPaid(n) => {
                    out.push_str("layer ");
                    string(out, n);
                    out.push_str(" paid");
                }
            }
            let _ = write!(out, " {} ", op.node.as_str());
            match &bound.node {
                Bound::Amount(a) => number(out, a),
                Bound::ShareOfLoss(p) => {
                    percent(out, p);
                    out.push_str(" of loss");
                }
            }
        }
    });
}

/// Writes a condition, with parentheses only where the tree needs them.
pub fn cond(out: &mut String, c: &Cond) {
    match &c.kind {
        CondKind::Or(parts) => {
            for (n, p) in parts.iter().enumerate() {
                if n > 0 {
                    out.push_str(" or ");
                }
                operand(out, p, matches!(p.kind, CondKind::Or(_)));
            }
        }
        CondKind::And(parts) => {
            for (n, p) in parts.iter().enumerate() {
                if n > 0 {
                    out.push_str(" and ");
                }
                operand(out, p, matches!(p.kind, CondKind::Or(_) | CondKind::And(_)));
            }
        }
        CondKind::Not(inner) => {
            out.push_str("not ");
            operand(
                out,
                inner,
                matches!(inner.kind, CondKind::Or(_) | CondKind::And(_)),
            );
        }
        CondKind::Test(t) => test(out, t),
    }
}

fn operand(out: &mut String, c: &Cond, parens: bool) {
    if parens {
        out.push('(');
        cond(out, c);
        out.push(')');
    } else {
        cond(out, c);
    }
}

fn test(out: &mut String, t: &Test) {
    match t {
        Test::Is {
            field,
            negated,
            symbol,
        } => {
            let _ = write!(
                out,
                "{} is {}{}",
                field.node,
                if *negated { "not " } else { "" },
                symbol.node
            );
        }
        Test::In {
            field,
            negated,
            symbols: list,
        } => {
            let _ = write!(
                out,
                "{} {}in [",
                field.node,
                if *negated { "not " } else { "" }
            );
            symbols(out, list);
            out.push(']');
        }
        Test::Compare { field, op, value } => {
            let _ = write!(out, "{} {} ", field.node, op.node.as_str());
            literal(out, &value.node);
        }
        Test::Flag { field } => out.push_str(&field.node),
    }
}

pub(crate) fn literal(out: &mut String, l: &Literal) {
    match l {
        Literal::Number(n) => number(out, n),
        Literal::Percent(p) => percent(out, p),
        Literal::Duration(d) => duration(out, d),
        Literal::Date(d) => {
            let _ = write!(out, "{d}");
        }
        Literal::Instant(i) => {
            let _ = write!(out, "{i}");
        }
        Literal::String(s) => string(out, s),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Writes a portfolio file in the canonical layout, keeping comments.
///
/// ```
/// let p = specie::parse::parse_portfolio(r#"portfolio "Book" { currency USD
///   program "acme" "acme.specie"
///   vendor "safe_ui" { uses "acme" hot 60%,warm 5% } }"#).unwrap();
/// assert_eq!(
///     specie::format::format_portfolio(&p),
///     "portfolio \"Book\" {\n  currency USD\n  program \"acme\" \"acme.specie\"\n  vendor \"safe_ui\" {\n    uses \"acme\" hot 60%, warm 5%\n  }\n}\n"
/// );
/// ```
pub fn format_portfolio(file: &PortfolioFile) -> String {
    let mut out = String::new();
    for c in &file.header {
        comment_line(&mut out, 0, c);
    }
    let p = &file.portfolio;
    out.push_str("portfolio ");
    string(&mut out, &p.name.node);
    out.push_str(" {\n");
    items(
        &mut out,
        1,
        &p.items,
        &p.end_comments,
        |out, kind| match kind {
            PortfolioItemKind::Currency(c) => {
                out.push_str("currency ");
                out.push_str(&c.node);
            }
            PortfolioItemKind::Program { key, path } => {
                out.push_str("program ");
                string(out, &key.node);
                out.push(' ');
                string(out, &path.node);
            }
            PortfolioItemKind::Vendor(v) => {
                out.push_str("vendor ");
                string(out, &v.name.node);
                out.push_str(" {\n");
                items(out, 2, &v.items, &v.end_comments, |out, kind| match kind {
                    VendorItemKind::Uses { program, tiers } => {
                        out.push_str("uses ");
                        string(out, &program.node);
                        for (n, (tier, share)) in tiers.iter().enumerate() {
                            out.push_str(if n == 0 { " " } else { ", " });
                            out.push_str(&tier.node);
                            out.push(' ');
                            percent(out, &share.node);
                        }
                    }
                });
            }
        },
    );
    out.push('\n');
    for c in &file.footer {
        comment_line(&mut out, 0, c);
    }
    out
}

/// Formats a model file as canonical source text, keeping comments.
///
/// ```
/// let m = specie::parse::parse_model("model \"m\" { years 1_000 peril \"p\" { cause external_hack frequency fixed 1 per year loss hot fixed 1M } }").unwrap();
/// assert_eq!(specie::format::format_model(&m), "model \"m\" {\n  years 1000\n  peril \"p\" {\n    cause external_hack\n    frequency fixed 1 per year\n    loss hot fixed 1M\n  }\n}\n");
/// ```
pub fn format_model(file: &ModelFile) -> String {
    let mut out = String::new();
    for c in &file.header {
        comment_line(&mut out, 0, c);
    }
    let m = &file.model;
    out.push_str("model ");
    string(&mut out, &m.name.node);
    out.push_str(" {\n");
    items(
        &mut out,
        1,
        &m.items,
        &m.end_comments,
        |out, kind| match kind {
            ModelItemKind::Years(y) => {
                out.push_str("years ");
                number(out, &y.node);
            }
            ModelItemKind::Seed(s) => {
                out.push_str("seed ");
                number(out, &s.node);
            }
            ModelItemKind::Peril(p) => peril(out, p),
            ModelItemKind::IndexPeril(p) => index_peril(out, p),
        },
    );
    out.push('\n');
    for c in &file.footer {
        comment_line(&mut out, 0, c);
    }
    out
}

fn peril(out: &mut String, p: &PerilDecl) {
    out.push_str("peril ");
    string(out, &p.name.node);
    out.push_str(" {\n");
    items(out, 2, &p.items, &p.end_comments, |out, kind| match kind {
        PerilItemKind::Cause(c) => {
            out.push_str("cause ");
            out.push_str(&c.node);
        }
        PerilItemKind::Frequency(f) => frequency(out, &f.node),
        PerilItemKind::Loss {
            tier,
            severity,
            cap,
        } => {
            out.push_str("loss ");
            out.push_str(&tier.node);
            out.push(' ');
            severity_text(out, &severity.node);
            match cap.as_ref().map(|c| &c.node) {
                Some(CapDecl::Exposure) => out.push_str(" cap exposure"),
                Some(CapDecl::Amount(a)) => {
                    out.push_str(" cap ");
                    number(out, &a.node);
                }
                None => {}
            }
        }
        PerilItemKind::With { name, value } => {
            out.push_str("with ");
            out.push_str(&name.node);
            out.push_str(" = ");
            literal(out, &value.node);
        }
        PerilItemKind::DiscoveredAfter(d) => {
            out.push_str("discovered after ");
            duration(out, &d.node);
        }
    });
}

pub(crate) fn frequency(out: &mut String, f: &FrequencyDecl) {
    out.push_str("frequency ");
    match f {
        FrequencyDecl::Poisson(l) => {
            out.push_str("poisson ");
            number(out, &l.node);
        }
        FrequencyDecl::NegativeBinomial { mean, dispersion } => {
            out.push_str("negative binomial mean ");
            number(out, &mean.node);
            out.push_str(" dispersion ");
            number(out, &dispersion.node);
        }
        FrequencyDecl::Fixed(n) => {
            out.push_str("fixed ");
            number(out, &n.node);
        }
    }
    out.push_str(" per year");
}

/// `[a, b, …]` with `each` writing one value.
fn list<T>(out: &mut String, values: &[T], each: fn(&mut String, &T)) {
    out.push('[');
    for (k, v) in values.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        each(out, v);
    }
    out.push(']');
}

fn index_peril(out: &mut String, p: &IndexPerilDecl) {
    out.push_str("index peril ");
    string(out, &p.name.node);
    out.push_str(" {\n");
    items(out, 2, &p.items, &p.end_comments, |out, kind| match kind {
        IndexPerilItemKind::Index(n) => {
            out.push_str("index ");
            string(out, &n.node);
        }
        IndexPerilItemKind::Baseline(b) => {
            out.push_str("baseline ");
            number(out, &b.node);
        }
        IndexPerilItemKind::Frequency(f) => frequency(out, &f.node),
        IndexPerilItemKind::Worst(w) => {
            out.push_str("worst ");
            worst_text(out, &w.node);
        }
        IndexPerilItemKind::Duration { dist, cap } => {
            out.push_str("duration ");
            duration_dist(out, &dist.node);
            if let Some(c) = cap {
                out.push_str(" cap ");
                duration(out, &c.node);
            }
        }
    });
}

pub(crate) fn worst_text(out: &mut String, w: &WorstDecl) {
    match w {
        WorstDecl::Fixed(v) => {
            out.push_str("fixed ");
            number(out, &v.node);
        }
        WorstDecl::Uniform(a, b) => {
            out.push_str("uniform ");
            number(out, &a.node);
            out.push_str(" to ");
            number(out, &b.node);
        }
        WorstDecl::Beta { a, b, from, to } => {
            out.push_str("beta ");
            number(out, &a.node);
            out.push(' ');
            number(out, &b.node);
            out.push_str(" from ");
            number(out, &from.node);
            out.push_str(" to ");
            number(out, &to.node);
        }
        WorstDecl::Empirical(values) => {
            out.push_str("empirical ");
            list(out, values, |out, v| number(out, &v.node));
        }
    }
}

pub(crate) fn duration_dist(out: &mut String, d: &DurationDistDecl) {
    match d {
        DurationDistDecl::Fixed(v) => {
            out.push_str("fixed ");
            duration(out, &v.node);
        }
        DurationDistDecl::Uniform(a, b) => {
            out.push_str("uniform ");
            duration(out, &a.node);
            out.push_str(" to ");
            duration(out, &b.node);
        }
        DurationDistDecl::Lognormal { median, sigma } => {
            out.push_str("lognormal median ");
            duration(out, &median.node);
            out.push_str(" sigma ");
            number(out, &sigma.node);
        }
        DurationDistDecl::Empirical(values) => {
            out.push_str("empirical ");
            list(out, values, |out, v| duration(out, &v.node));
        }
    }
}

pub(crate) fn severity_text(out: &mut String, s: &SeverityDecl) {
    match s {
        SeverityDecl::Fixed(a) => {
            out.push_str("fixed ");
            number(out, &a.node);
        }
        SeverityDecl::Uniform(a, b) => {
            out.push_str("uniform ");
            number(out, &a.node);
            out.push_str(" to ");
            number(out, &b.node);
        }
        SeverityDecl::Lognormal { median, sigma } => {
            out.push_str("lognormal median ");
            number(out, &median.node);
            out.push_str(" sigma ");
            number(out, &sigma.node);
        }
        SeverityDecl::Pareto { scale, shape } => {
            out.push_str("pareto scale ");
            number(out, &scale.node);
            out.push_str(" shape ");
            number(out, &shape.node);
        }
        SeverityDecl::ShareOfExposure(a, b) => {
            out.push_str("share of exposure beta ");
            number(out, &a.node);
            out.push(' ');
            number(out, &b.node);
        }
        SeverityDecl::Empirical(values) => {
            out.push_str("empirical ");
            list(out, values, |out, v| number(out, &v.node));
        }
    }
}
