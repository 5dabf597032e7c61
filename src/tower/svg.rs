//! The broker's tower chart as SVG.
//!
//! Amount runs up the vertical axis. When the bands (layers and gaps) differ by more than an
//! order of magnitude the scale is broken: each band gets a height that grows with the
//! logarithm of its size, amounts are linear inside a band, and a break mark on the axis
//! shows where the scale changes. Each layer is a box split by carrier share; unplaced
//! shares are hatched, gaps dashed; tier exposures and per-occurrence sub-limits are marked
//! beside the tower, and an event's net loss (what entered the tower) can be drawn across it.
//! Geometry is computed in `f64`: it only places pixels, never money.

use super::{Band, LayerView, Tower};
use crate::program::Program;
use crate::render::short;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::fmt::Write;

/// An event's net loss to draw across the tower.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    /// Event id.
    pub id: String,
    /// Ground-up loss.
    pub ground_up: Decimal,
    /// What entered the tower.
    pub net: Decimal,
    /// Paid by carriers.
    pub paid: Decimal,
}

const WIDTH: f64 = 960.0;
const AXIS_X: f64 = 120.0;
const TOWER_X: f64 = 140.0;
const TOWER_W: f64 = 460.0;
const SIDE_X: f64 = 640.0;
const TOP_Y: f64 = 70.0;
const LINEAR_H: f64 = 520.0;
const MIN_BAND_H: f64 = 56.0;
const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759", "#9c755f",
    "#bab0ac", "#86bcb6",
];

use crate::render::xml as esc;

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Vertical placement of the bands: (bottom amount, top amount, y of bottom, y of top).
struct Scale {
    bands: Vec<(f64, f64, f64, f64)>,
    broken: bool,
    bottom_y: f64,
}

impl Scale {
    fn new(t: &Tower) -> Scale {
        let sizes: Vec<f64> = t
            .bands
            .iter()
            .map(|b| (f(b.to) - f(b.from)).max(1.0))
            .collect();
        let max = sizes.iter().copied().fold(1.0, f64::max);
        let min = sizes.iter().copied().fold(max, f64::min);
        let broken = max / min > 10.0;
        let total: f64 = sizes.iter().sum::<f64>().max(1.0);
        let heights: Vec<f64> = sizes
            .iter()
            .map(|s| {
                if broken {
                    let span = (max.log10() - min.log10()).max(1e-9);
                    MIN_BAND_H + 110.0 * (s.log10() - min.log10()) / span
                } else {
                    (LINEAR_H * s / total).max(MIN_BAND_H)
                }
            })
            .collect();
        let height: f64 = heights.iter().sum();
        let bottom_y = TOP_Y + height.max(MIN_BAND_H);
        let mut y = bottom_y;
        let mut bands = Vec::new();
        for (b, h) in t.bands.iter().zip(&heights) {
            bands.push((f(b.from), f(b.to), y, y - h));
            y -= h;
        }
        Scale {
            bands,
            broken,
            bottom_y,
        }
    }

    /// The y of an amount; above the top it is clamped (second value true).
    fn y(&self, amount: f64) -> (f64, bool) {
        for (lo, hi, y0, y1) in &self.bands {
            if amount >= *lo && amount <= *hi {
                let frac = if hi > lo {
                    (amount - lo) / (hi - lo)
                } else {
                    0.0
                };
                return (y0 + (y1 - y0) * frac, false);
            }
        }
        match self.bands.last() {
            Some((_, hi, _, y1)) if amount > *hi => (*y1, true),
            _ => (self.bottom_y, false),
        }
    }

    fn top_y(&self) -> f64 {
        self.bands.last().map_or(TOP_Y, |b| b.3)
    }
}

/// Draws the tower of `t` (from `program`) as an SVG document.
pub fn svg(t: &Tower, program: &Program, event: Option<&EventLine>) -> String {
    let scale = Scale::new(t);
    let mut s = String::new();
    header(&mut s, t, &scale);
    axis(&mut s, &scale);
    // Layers, shares and gaps.
    for (b, (_, _, y0, y1)) in t.bands.iter().zip(&scale.bands) {
        match &b.layer {
            None => gap_band(&mut s, b, *y0, *y1),
            Some(name) => {
                if let Some(l) = t.layers.iter().find(|l| l.layer == *name) {
                    layer_band(&mut s, t, l, *y0, *y1);
                }
            }
        }
    }
    side(&mut s, t, program, &scale);
    if let Some(e) = event {
        event_line(&mut s, e, &scale);
    }
    legend(&mut s, &scale);
    s.push_str("</svg>\n");
    s
}

/// The document's opening, background, title and subtitle.
fn header(s: &mut String, t: &Tower, scale: &Scale) {
    let height = scale.bottom_y + 110.0;
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r##"<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#c0392b" stroke-width="3"/></pattern></defs>"##
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r#"<text x="20" y="30" font-size="18" font-weight="bold">{}</text>"#,
        esc(&t.program)
    );
    let _ = writeln!(
        s,
        r##"<text x="20" y="50" fill="#555555">Tower in {} — top {}, capacity {} per occurrence{}</text>"##,
        esc(&t.currency),
        short(t.top),
        short(t.capacity),
        if scale.broken {
            "; scale broken between bands (amounts are linear inside each band)"
        } else {
            ""
        }
    );
}

/// The amount axis, with a tick at every band boundary (and break marks between bands
/// of different scales).
fn axis(s: &mut String, scale: &Scale) {
    let _ = writeln!(
        s,
        r##"<line class="axis" x1="{AXIS_X}" y1="{:.1}" x2="{AXIS_X}" y2="{:.1}" stroke="#333333"/>"##,
        scale.top_y(),
        scale.bottom_y
    );
    for (n, (lo, hi, y0, y1)) in scale.bands.iter().enumerate() {
        for (amount, y) in [(lo, y0), (hi, y1)] {
            // A band's bottom is the band below's top: its tick is drawn once.
            if n > 0 && std::ptr::eq(amount, lo) {
                continue;
            }
            let _ = writeln!(
                s,
                r##"<line x1="{:.1}" y1="{y:.1}" x2="{AXIS_X}" y2="{y:.1}" stroke="#333333"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                AXIS_X - 6.0,
                AXIS_X - 10.0,
                y + 4.0,
                short(
                    Decimal::from_f64_retain(*amount)
                        .unwrap_or_default()
                        .round_dp(2)
                )
            );
        }
        if scale.broken && n > 0 {
            // A break mark where one band's scale meets the next.
            let _ = writeln!(
                s,
                r##"<path class="break" d="M{:.1} {:.1} l12 -5 M{:.1} {:.1} l12 -5" stroke="#333333" stroke-width="2" fill="none"/>"##,
                AXIS_X - 6.0,
                y0 + 2.0,
                AXIS_X - 6.0,
                y0 + 7.0
            );
        }
    }
}

/// A gap in the tower, between `y0` (bottom) and `y1` (top).
fn gap_band(s: &mut String, b: &Band, y0: f64, y1: f64) {
    let h = y0 - y1;
    let gap = b.to.checked_sub(b.from).unwrap_or_default();
    let _ = writeln!(
        s,
        r##"<rect class="gap" x="{TOWER_X}" y="{y1:.1}" width="{TOWER_W}" height="{h:.1}" fill="#fdecea" stroke="#c0392b" stroke-dasharray="6 4"/>"##
    );
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#c0392b" font-weight="bold">gap {} — uncovered (tower_gap)</text>"##,
        TOWER_X + TOWER_W / 2.0,
        y1 + h / 2.0 + 4.0,
        short(gap)
    );
}

/// Layer `l`'s band: its carriers' shares, the unplaced share hatched, its outline and title.
fn layer_band(s: &mut String, t: &Tower, l: &LayerView, y0: f64, y1: f64) {
    let h = y0 - y1;
    let mut x = TOWER_X;
    let row_y = y1 + 20.0;
    let row_h = (h - 22.0).max(16.0);
    for c in &l.carriers {
        let w = TOWER_W * f(c.percent) / 100.0;
        let color = t
            .entities
            .iter()
            .position(|e| e.entity == c.carrier)
            .and_then(|i| PALETTE.get(i.checked_rem(PALETTE.len()).unwrap_or(0)))
            .copied()
            .unwrap_or("#888888");
        let _ = writeln!(
            s,
            r##"<rect class="share" data-layer="{}" data-carrier="{}" x="{x:.1}" y="{row_y:.1}" width="{w:.1}" height="{row_h:.1}" fill="{color}" fill-opacity="0.85" stroke="#ffffff"><title>{} — {}% of {}: {} per occurrence</title></rect>"##,
            esc(&l.layer),
            esc(&c.carrier),
            esc(&c.carrier),
            c.percent,
            esc(&l.layer),
            short(c.line)
        );
        label_in_box(
            s,
            x,
            row_y,
            w,
            row_h,
            &c.carrier,
            &format!("{}% · {}", c.percent, short(c.line)),
            "#ffffff",
        );
        x += w;
    }
    if l.unplaced.percent > Decimal::ZERO {
        let w = TOWER_X + TOWER_W - x;
        let _ = writeln!(
            s,
            r##"<rect class="unplaced" data-layer="{}" x="{x:.1}" y="{row_y:.1}" width="{w:.1}" height="{row_h:.1}" fill="url(#hatch)" stroke="#c0392b"/>"##,
            esc(&l.layer)
        );
        label_in_box(
            s,
            x,
            row_y,
            w,
            row_h,
            "unplaced",
            &format!("{}% · {}", l.unplaced.percent, short(l.unplaced.line)),
            "#7b241c",
        );
    }
    let _ = writeln!(
        s,
        r##"<rect class="layer" data-layer="{}" x="{TOWER_X}" y="{y1:.1}" width="{TOWER_W}" height="{h:.1}" fill="none" stroke="#222222" stroke-width="1.5"{}/>"##,
        esc(&l.layer),
        if l.reachable {
            ""
        } else {
            r#" stroke-dasharray="3 3""#
        }
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" font-weight="bold">{} <tspan font-weight="normal">{} xs {}{}{}</tspan></text>"#,
        TOWER_X + 6.0,
        y1 + 15.0,
        esc(&l.layer),
        short(l.limit),
        short(l.attachment),
        l.aggregate
            .map_or(String::new(), |a| format!(", aggregate {}", short(a))),
        if l.reachable { "" } else { " — unreachable" }
    );
}

/// The line of an event's net loss across the tower.
fn event_line(s: &mut String, e: &EventLine, scale: &Scale) {
    let (y, clamped) = scale.y(f(e.net));
    let _ = writeln!(
        s,
        r##"<line class="event" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#d62728" stroke-width="3"/>"##,
        TOWER_X - 10.0,
        TOWER_X + TOWER_W + 10.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" fill="#d62728" font-weight="bold" text-anchor="end" paint-order="stroke" stroke="#ffffff" stroke-width="4">{}: {} to the tower{} · ground-up {} · paid {}</text>"##,
        TOWER_X + TOWER_W,
        y - 6.0,
        esc(&e.id),
        short(e.net),
        if clamped { " (above the top)" } else { "" },
        short(e.ground_up),
        short(e.paid)
    );
}

/// The legend under the tower.
fn legend(s: &mut String, scale: &Scale) {
    let ly = scale.bottom_y + 40.0;
    let _ = writeln!(
        s,
        r##"<rect x="{TOWER_X}" y="{:.1}" width="24" height="14" fill="url(#hatch)" stroke="#c0392b"/><text x="{:.1}" y="{:.1}">unplaced share (stays with the insured)</text>"##,
        ly,
        TOWER_X + 30.0,
        ly + 11.0
    );
    let _ = writeln!(
        s,
        r##"<rect x="{TOWER_X}" y="{:.1}" width="24" height="14" fill="#fdecea" stroke="#c0392b" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}">gap in the tower; dotted outline = layer no covered loss reaches</text>"##,
        ly + 22.0,
        TOWER_X + 30.0,
        ly + 33.0
    );
}

/// A white outline behind dark text drawn over a hatched box.
fn halo(color: &str) -> &'static str {
    if color == "#ffffff" {
        ""
    } else {
        r##" paint-order="stroke" stroke="#ffffff" stroke-width="3""##
    }
}

/// A name and a detail line centred in a box, when it fits.
#[allow(clippy::too_many_arguments)]
fn label_in_box(
    s: &mut String,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    name: &str,
    detail: &str,
    color: &str,
) {
    // About 7 px per character at 12 px.
    let fits = |text: &str| (text.chars().count() as f64) * 7.0 + 8.0 <= w;
    let cx = x + w / 2.0;
    if fits(name) && h >= 34.0 {
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="{color}"{}>{}</text>"#,
            y + h / 2.0 - 2.0,
            halo(color),
            esc(name)
        );
        if fits(detail) {
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="{color}" font-size="11"{}>{}</text>"#,
                y + h / 2.0 + 12.0,
                halo(color),
                esc(detail)
            );
        }
    } else if fits(detail) {
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="{color}" font-size="11"{}>{}</text>"#,
            y + h / 2.0 + 4.0,
            halo(color),
            esc(detail)
        );
    }
}

/// Tier exposures (bars) and per-occurrence sub-limits (ticks) beside the tower.
fn side(s: &mut String, t: &Tower, program: &Program, scale: &Scale) {
    let _ = writeln!(
        s,
        r##"<text x="{SIDE_X}" y="{:.1}" fill="#555555">beside: exposure by tier, sub-limits per occurrence</text>"##,
        scale.bottom_y + 34.0
    );
    for (i, tier) in t.tiers.iter().enumerate() {
        let x = SIDE_X + 20.0 + 44.0 * i as f64;
        let (y, clamped) = scale.y(f(tier.exposure));
        let _ = writeln!(
            s,
            r##"<rect class="exposure" data-tier="{}" x="{x:.1}" y="{y:.1}" width="24" height="{:.1}" fill="#95a5a6" fill-opacity="0.6" stroke="#34495e"/>"##,
            esc(&tier.tier),
            scale.bottom_y - y
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}{}</text>"#,
            x + 12.0,
            scale.bottom_y + 14.0,
            esc(&tier.tier),
            x + 12.0,
            y - 4.0,
            if clamped { "↑ " } else { "" },
            short(tier.exposure)
        );
    }
    let lx = SIDE_X + 20.0 + 44.0 * t.tiers.len() as f64;
    for sl in &program.sublimits {
        let Some(per) = sl.per_occurrence else {
            continue;
        };
        let amount = program.currency.decimal(per);
        let (y, clamped) = scale.y(f(amount));
        let _ = writeln!(
            s,
            r##"<line class="sublimit" x1="{SIDE_X}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#8e44ad" stroke-dasharray="5 3"/><text x="{:.1}" y="{:.1}" fill="#8e44ad" font-size="11">{} {}{}</text>"##,
            lx,
            lx + 4.0,
            y + 4.0,
            esc(&sl.name),
            short(amount),
            if clamped { " (above the top)" } else { "" }
        );
    }
}
