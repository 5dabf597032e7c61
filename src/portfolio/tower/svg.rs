//! The book's accumulation heat map as SVG: one row per carrier, one column per vendor;
//! each cell is the most the carrier pays on one breach of the vendor, shaded by its share
//! of the carrier's per-occurrence line over the book. A last column gives that line.
//! Geometry is computed in `f64`: it only places pixels, never money.

use super::{BookLine, BookTower};
use crate::render::{short, xml};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::fmt::Write;

const CELL_W: f64 = 150.0;
const CELL_H: f64 = 40.0;
const PAD: f64 = 16.0;
const TITLE_H: f64 = 64.0;
const HEAD_H: f64 = 34.0;
const LEGEND_H: f64 = 56.0;
/// Characters of a name shown before it is cut with `…`.
const NAME_CHARS: usize = 34;
const VENDOR_CHARS: usize = 19;
/// Approximate advance of a 12px sans-serif character.
const CHAR_W: f64 = 7.0;

/// `s` cut to `n` characters with `…`.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The colour of a share (percent, clamped to 0-100): white to deep red.
fn shade(share: Decimal) -> String {
    let p = share.to_f64().unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
    let mix = |a: f64, b: f64| (a + (b - a) * p).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(247.0, 165.0),
        mix(247.0, 15.0),
        mix(247.0, 21.0)
    )
}

/// The heat map of a book's tower view.
pub fn svg(t: &BookTower) -> String {
    let rows: Vec<&BookLine> = t
        .entities
        .iter()
        .filter(|e| !e.occurrence.is_zero())
        .collect();
    let name_w = rows
        .iter()
        .map(|e| cut(&e.entity, NAME_CHARS).chars().count())
        .max()
        .unwrap_or(8)
        .max(8) as f64
        * CHAR_W
        + 2.0 * PAD;
    let cols = t.vendors.len() as f64 + 1.0;
    let width = (name_w + cols * CELL_W + PAD).max(560.0);
    let height = TITLE_H + HEAD_H + rows.len() as f64 * CELL_H + LEGEND_H + PAD;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r#"<text x="{PAD}" y="26" font-size="16" font-weight="bold">{}</text>"#,
        xml(&cut(&t.portfolio, 70))
    );
    let _ = writeln!(
        s,
        r##"<text x="{PAD}" y="48" fill="#555555">One breach of each vendor: the most each carrier pays ({}), shaded by its share of its per-occurrence line over the book</text>"##,
        xml(&t.currency)
    );
    head(&mut s, t, name_w);
    for (i, e) in rows.iter().enumerate() {
        row(&mut s, t, e, name_w, TITLE_H + HEAD_H + i as f64 * CELL_H);
    }
    legend(&mut s, height - LEGEND_H);
    s.push_str("</svg>\n");
    s
}

fn head(s: &mut String, t: &BookTower, name_w: f64) {
    let y = TITLE_H + HEAD_H - 12.0;
    let _ = writeln!(
        s,
        r#"<text x="{PAD}" y="{y}" font-weight="bold">carrier</text>"#
    );
    for (j, v) in t.vendors.iter().enumerate() {
        let x = name_w + j as f64 * CELL_W + CELL_W / 2.0;
        let _ = writeln!(
            s,
            r#"<text class="vendor" x="{x}" y="{y}" text-anchor="middle" font-weight="bold">{}</text>"#,
            xml(&cut(&v.vendor, VENDOR_CHARS))
        );
    }
    let x = name_w + t.vendors.len() as f64 * CELL_W + CELL_W / 2.0;
    let _ = writeln!(
        s,
        r##"<text x="{x}" y="{y}" text-anchor="middle" fill="#555555">book line</text>"##
    );
}

fn row(s: &mut String, t: &BookTower, e: &BookLine, name_w: f64, y: f64) {
    let _ = writeln!(
        s,
        r#"<text class="carrier" x="{PAD}" y="{:.1}">{}</text>"#,
        y + CELL_H / 2.0 + 4.0,
        xml(&cut(&e.entity, NAME_CHARS))
    );
    for (j, v) in t.vendors.iter().enumerate() {
        let x = name_w + j as f64 * CELL_W;
        let c = v.carriers.iter().find(|c| c.carrier == e.entity);
        let (paid, share) = c.map_or((Decimal::ZERO, Decimal::ZERO), |c| {
            (c.paid, c.share_of_line)
        });
        let fill = shade(share);
        let ink = if share > Decimal::from(55) {
            "#ffffff"
        } else {
            "#222222"
        };
        let _ = writeln!(
            s,
            r##"<g class="cell" data-carrier="{}" data-vendor="{}" data-paid="{paid}" data-share="{share}"><rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" stroke="#ffffff"/>"##,
            xml(&e.entity),
            xml(&v.vendor)
        );
        let label = if c.is_none() {
            "–".to_string()
        } else {
            format!("{} · {share}%", short(paid))
        };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}">{}</text></g>"#,
            x + CELL_W / 2.0,
            y + CELL_H / 2.0 + 4.0,
            xml(&label)
        );
    }
    let x = name_w + t.vendors.len() as f64 * CELL_W;
    let _ = writeln!(
        s,
        r##"<text class="line" x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555555">{}</text>"##,
        x + CELL_W / 2.0,
        y + CELL_H / 2.0 + 4.0,
        short(e.occurrence)
    );
}

fn legend(s: &mut String, y: f64) {
    let _ = writeln!(
        s,
        r#"<defs><linearGradient id="share"><stop offset="0" stop-color="{}"/><stop offset="1" stop-color="{}"/></linearGradient></defs>"#,
        shade(Decimal::ZERO),
        shade(Decimal::ONE_HUNDRED)
    );
    let _ = writeln!(
        s,
        r##"<rect x="{PAD}" y="{:.1}" width="200" height="12" fill="url(#share)" stroke="#cccccc"/>"##,
        y + 12.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{PAD}" y="{:.1}">0%</text><text x="{:.1}" y="{:.1}" text-anchor="end">100%</text><text x="{:.1}" y="{:.1}" fill="#555555">share of the carrier's per-occurrence line over the book</text>"##,
        y + 40.0,
        PAD + 200.0,
        y + 40.0,
        PAD + 216.0,
        y + 22.0
    );
}
