//! Exceedance curves as SVG: the AEP and OEP of the ground-up and uncovered losses (and,
//! with parametric covers, the parametric and net retained AEP) against
//! the return period on a logarithmic axis, with each layer's attachment and exhaustion
//! marked at the return period of its simulated probability (1 / p). Geometry is `f64`;
//! the losses it plots are the exact integer values.

use super::rank::{Kind, Query, Ranks, Sorted};
use super::{Block, SimulationResult, SummaryKey};
use crate::program::Program;
use crate::render::short;
use rust_decimal::Decimal;
use std::fmt::Write;

const W: f64 = 960.0;
const H: f64 = 600.0;
const LEFT: f64 = 110.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 90.0;

use crate::render::xml as esc;

/// Return periods from 1 to `n` years, spaced evenly on a log axis.
fn periods(n: u64) -> Vec<f64> {
    let max = (n as f64).max(2.0);
    let steps = 200;
    (0..=steps)
        .map(|i| max.powf(f64::from(i) / f64::from(steps)))
        .collect()
}

/// The chart of a simulation.
pub fn curves_svg(program: &Program, result: &SimulationResult, block: &Block) -> String {
    curves_svg_from(program, result, block.years, &Sorted::new(block))
}

/// The summaries the chart draws: key, kind, name, colour, dash pattern.
fn drawn(program: &Program) -> Vec<(SummaryKey, Kind, &'static str, &'static str, &'static str)> {
    let mut out = vec![
        (
            SummaryKey::GroundUp,
            Kind::Annual,
            "ground-up AEP",
            "#4e79a7",
            "",
        ),
        (
            SummaryKey::GroundUp,
            Kind::Largest,
            "ground-up OEP",
            "#4e79a7",
            "6 4",
        ),
        (
            SummaryKey::Uncovered,
            Kind::Annual,
            "uncovered AEP",
            "#e15759",
            "",
        ),
        (
            SummaryKey::Uncovered,
            Kind::Largest,
            "uncovered OEP",
            "#e15759",
            "6 4",
        ),
    ];
    if !program.parametric.is_empty() {
        out.push((
            SummaryKey::Parametric,
            Kind::Annual,
            "parametric AEP",
            "#f28e2b",
            "",
        ));
        out.push((
            SummaryKey::NetRetained,
            Kind::Annual,
            "net retained AEP",
            "#76b7b2",
            "",
        ));
    }
    out
}

/// The ranks ⌊N / t⌋ the chart asks, with t on its return-period grid.
fn grid_ranks(n: u64) -> Vec<Option<u64>> {
    periods(n)
        .iter()
        .map(|t| {
            let k = (n as f64 / t).floor() as u64;
            (k > 0).then_some(k)
        })
        .collect()
}

/// Every rank the chart asks of a run of `n` years.
pub(crate) fn ranks_needed(program: &Program, n: u64) -> Vec<Query> {
    grid_queries(
        drawn(program)
            .into_iter()
            .map(|(key, kind, ..)| (key, kind)),
        n,
    )
}

/// Every rank a chart of these curves asks of a run of `n` years: the grid's and 1.
pub(crate) fn grid_queries(curves: impl Iterator<Item = (SummaryKey, Kind)>, n: u64) -> Vec<Query> {
    let mut ranks: Vec<u64> = grid_ranks(n).into_iter().flatten().collect();
    ranks.push(1);
    ranks.sort_unstable();
    ranks.dedup();
    curves
        .flat_map(|(key, kind)| ranks.iter().map(move |r| (key, kind, *r)))
        .collect()
}

/// The chart from the order statistics of a run of `n` years.
pub(crate) fn curves_svg_from(
    program: &Program,
    result: &SimulationResult,
    n: u64,
    ranks: &dyn Ranks,
) -> String {
    let curves: Vec<Curve> = drawn(program)
        .into_iter()
        .map(|(key, kind, name, color, dash)| (key, kind, name.to_string(), color, dash))
        .collect();
    let title = format!("{} — {}", result.model, result.program);
    let currency = (&program.currency.code[..], program.currency.minor_units);
    chart(&title, currency, n, &curves, ranks, &result.layers)
}

/// A curve to draw: summary, kind, legend, colour, dash pattern.
pub(crate) type Curve = (SummaryKey, Kind, String, &'static str, &'static str);

/// A chart of exceedance curves: `title`, `currency` (code, minor units), the curves from
/// `ranks` over `n` years, and the layers' attachment and exhaustion marks.
pub(crate) fn chart(
    title: &str,
    currency: (&str, u32),
    n: u64,
    curves_drawn: &[Curve],
    ranks: &dyn Ranks,
    layers: &[super::LayerStat],
) -> String {
    let grid = grid_ranks(n);
    // Net retained may be negative in a year; the chart's axis starts at zero, so only
    // its positive values are drawn (a negative one would sit on the axis).
    let value = |key: SummaryKey, kind: Kind, r: u64| ranks.at(key, kind, r).0.max(0);
    let series: Vec<Series<'_>> = curves_drawn
        .iter()
        .map(|(key, kind, name, color, dash)| {
            let points = grid
                .iter()
                .map(|k| k.map(|k| value(*key, *kind, k)))
                .collect();
            (
                name.as_str(),
                (value(*key, *kind, 1), points),
                *color,
                *dash,
            )
        })
        .collect();
    let plot = Plot::new(currency.1, n, &series);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="30" font-size="15" font-weight="bold">{} ({} years)</text>
"##,
        esc(title),
        plot.n
    );
    axes(&mut s, &plot, currency.0);
    curves(&mut s, &plot, &series);
    layer_marks(&mut s, &plot, layers);
    s.push_str("</svg>\n");
    s
}

/// A curve: its name, its largest value and its values on the return-period grid, colour
/// and dash pattern.
type Series<'a> = (&'a str, (i64, Vec<Option<i64>>), &'a str, &'a str);

/// Where the chart puts a return period and an amount.
struct Plot {
    /// Years simulated.
    n: u64,
    /// Minor units per major unit.
    scale: f64,
    /// The largest amount drawn, major units.
    ymax: f64,
    /// log10 of the longest return period.
    xmax: f64,
}

impl Plot {
    fn new(minor_units: u32, n: u64, series: &[Series<'_>]) -> Plot {
        let scale = 10f64.powi(minor_units as i32);
        let ymax = series
            .iter()
            .map(|(_, (first, _), _, _)| *first)
            .max()
            .unwrap_or(0)
            .max(1) as f64
            / scale;
        Plot {
            n,
            scale,
            ymax,
            xmax: (n as f64).max(2.0).log10(),
        }
    }

    /// The x of return period `t` (log scale).
    fn x(&self, t: f64) -> f64 {
        LEFT + (W - LEFT - RIGHT) * (t.max(1.0).log10() / self.xmax)
    }

    /// The y of amount `v` (major units).
    fn y(&self, v: f64) -> f64 {
        H - BOTTOM - (H - TOP - BOTTOM) * (v / self.ymax).clamp(0.0, 1.0)
    }
}

/// Axes, grid and axis titles.
fn axes(s: &mut String, plot: &Plot, currency: &str) {
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{}" x2="{}" y2="{}" stroke="#333"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{}" stroke="#333"/>"##,
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    );
    let mut decade = 1.0;
    while decade <= (plot.n as f64).max(2.0) {
        let _ = writeln!(
            s,
            r##"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{1}" stroke="#ddd"/><text x="{0:.1}" y="{2}" text-anchor="middle">{3}</text>"##,
            plot.x(decade),
            H - BOTTOM,
            H - BOTTOM + 18.0,
            decade
        );
        decade *= 10.0;
    }
    for i in 0..=5 {
        let v = plot.ymax * f64::from(i) / 5.0;
        let label = Decimal::from_f64_retain(v).map_or(String::new(), |d| short(d.round()));
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#eee"/><text x="{2}" y="{3:.1}" text-anchor="end">{4}</text>"##,
            plot.y(v),
            W - RIGHT,
            LEFT - 8.0,
            plot.y(v) + 4.0,
            label
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="middle">return period (years, log scale)</text><text x="24" y="{}" transform="rotate(-90 24 {})" text-anchor="middle">loss ({})</text>"##,
        (LEFT + W - RIGHT) / 2.0,
        H - BOTTOM + 44.0,
        (TOP + H - BOTTOM) / 2.0,
        (TOP + H - BOTTOM) / 2.0,
        esc(currency)
    );
}

/// Each series as a polyline over the return periods, with its legend line.
fn curves(s: &mut String, plot: &Plot, series: &[Series<'_>]) {
    let ts = periods(plot.n);
    for (k, (name, (_, values), color, dash)) in series.iter().enumerate() {
        let pts: Vec<String> = ts
            .iter()
            .zip(values)
            .filter_map(|(t, v)| {
                v.map(|v| format!("{:.1},{:.1}", plot.x(*t), plot.y(v as f64 / plot.scale)))
            })
            .collect();
        if pts.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            r##"<polyline fill="none" stroke="{color}" stroke-width="2.2" stroke-dasharray="{dash}" points="{}"/>"##,
            pts.join(" ")
        );
        let ly = TOP + 18.0 * k as f64;
        let _ = writeln!(
            s,
            r##"<line x1="{0}" y1="{1:.1}" x2="{2}" y2="{1:.1}" stroke="{color}" stroke-width="2.2" stroke-dasharray="{dash}"/><text x="{3}" y="{4:.1}">{name}</text>"##,
            LEFT + 14.0,
            ly,
            LEFT + 44.0,
            LEFT + 50.0,
            ly + 4.0
        );
    }
}

/// Each layer's attachment and exhaustion marked at 1 / probability.
fn layer_marks(s: &mut String, plot: &Plot, layers: &[super::LayerStat]) {
    for (k, l) in layers.iter().enumerate() {
        for (p, what, color) in [
            (l.attach_probability, "attaches", "#59a14f"),
            (l.exhaust_probability, "exhausted", "#b07aa1"),
        ] {
            if p <= 0.0 {
                continue;
            }
            let t = 1.0 / p;
            let _ = writeln!(
                s,
                r##"<line x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2}" stroke="{color}" stroke-dasharray="3 3"/><text x="{3:.1}" y="{4:.1}" fill="{color}" transform="rotate(-90 {3:.1} {4:.1})">{5} {what} (1 in {6:.1})</text>"##,
                plot.x(t),
                TOP,
                H - BOTTOM,
                plot.x(t) - 4.0,
                H - BOTTOM - 8.0 - 150.0 * (k % 2) as f64,
                esc(&l.layer),
                t
            );
        }
    }
}
