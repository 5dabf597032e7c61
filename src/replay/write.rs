//! Per-event output written straight from an [`Outcome`] in minor units, without building
//! an [`EventResult`](super::EventResult): names are escaped once per program, amounts
//! formatted from integers. Three forms:
//!
//! - [`ResultWriter::json`]: exactly the bytes `serde_json::to_writer` gives for the event's
//!   `EventResult` (brief section 7), for `replay --json`;
//! - [`ResultWriter::jsonl`]: the same object with zero entries left out (layers without a
//!   band, carriers that paid nothing, a zero `unplaced`), for `--format jsonl`;
//! - [`ResultWriter::csv_row`]: one row per event under [`ResultWriter::csv_header`].
//!
//! Events with recoveries, occurrence members or reinsurance entities take the serde path
//! ([`ResultWriter::handles`] says which).

use super::{ClauseRef, LayerOutcome, Outcome, UncoveredReason};
use crate::money::Money;
use crate::program::Program;

/// Writes events of one program.
#[derive(Clone, Debug)]
pub struct ResultWriter {
    decimals: u32,
    /// Each layer's name as a JSON string.
    layers: Vec<String>,
    /// Each layer's carriers' names as JSON strings.
    carriers: Vec<Vec<String>>,
    /// Each layer's fixed compact-JSON text, written in one copy per piece.
    layer_text: Vec<LayerText>,
    /// Each layer's `,"layer":NAME` of an uncovered entry.
    layer_keys: Vec<Vec<u8>>,
    /// Each layer's carriers' indices in the program's carrier list.
    carrier_index: Vec<Vec<usize>>,
    /// The program's carriers in tower order of first appearance, as CSV cells.
    carrier_cells: Vec<String>,
    /// Each clause's name as a JSON string.
    clause_names: PerClause<String>,
    /// Each clause's `,"clause":NAME` of an uncovered entry.
    clause_keys: PerClause<Vec<u8>>,
    /// Each reason's `{"reason":"REASON"` (see [`reason_texts`]).
    reason_keys: Vec<Vec<u8>>,
    /// Per-event scratch for the CSV carrier columns.
    carrier_sums: Vec<i64>,
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// One layer's fixed text in compact JSON, each piece ending where an amount starts.
#[derive(Clone, Debug)]
struct LayerText {
    /// `{"layer":NAME,"band":"`.
    open: Vec<u8>,
    /// Per carrier, `{"carrier":NAME,"paid":"`.
    carriers: Vec<Vec<u8>>,
    /// The whole layer when its band, paid, unplaced and every carrier are zero (as most
    /// layers of most events are), as the general writer gives it.
    zero: Vec<u8>,
}

impl LayerText {
    /// `layer`'s pieces, and its zero text in `decimals` decimals (written by the general
    /// layer writer from the pieces).
    fn new(layer: &crate::program::Layer, decimals: u32) -> LayerText {
        let piece = |key: &str, name: &str, then: &str| {
            format!("{{\"{key}\":{},\"{then}\":\"", json_str(name)).into_bytes()
        };
        let mut text = LayerText {
            open: piece("layer", &layer.name, "band"),
            carriers: layer
                .carriers
                .iter()
                .map(|c| piece("carrier", &c.name, "paid"))
                .collect(),
            zero: Vec::new(),
        };
        let zero = LayerOutcome {
            carriers: vec![Money::ZERO; text.carriers.len()],
            ..LayerOutcome::default()
        };
        let mut buf = Vec::new();
        write_layer(&mut buf, &zero, &text, decimals, false);
        text.zero = buf;
        text
    }
}

/// Whether `lo` is a zero layer of `text` (every amount zero, one per carrier).
#[inline]
fn is_zero_layer(lo: &LayerOutcome, text: &LayerText) -> bool {
    lo.band.0 == 0
        && lo.paid.0 == 0
        && lo.unplaced.0 == 0
        && lo.carriers.len() == text.carriers.len()
        && lo.carriers.iter().all(|c| c.0 == 0)
}

/// One layer of an event, amounts in `decimals` decimals; with `skip_zero`, zero
/// `unplaced` and zero carriers left out.
fn write_layer(
    buf: &mut Vec<u8>,
    lo: &LayerOutcome,
    text: &LayerText,
    decimals: u32,
    skip_zero: bool,
) {
    buf.extend_from_slice(&text.open);
    push_money(buf, lo.band.0, decimals);
    buf.extend_from_slice(b"\",\"paid\":\"");
    push_money(buf, lo.paid.0, decimals);
    if !(skip_zero && lo.unplaced.0 == 0) {
        buf.extend_from_slice(b"\",\"unplaced\":\"");
        push_money(buf, lo.unplaced.0, decimals);
    }
    buf.extend_from_slice(b"\",\"carriers\":[");
    let mut first_carrier = true;
    for (c, paid) in text.carriers.iter().zip(&lo.carriers) {
        if skip_zero && paid.0 == 0 {
            continue;
        }
        if !first_carrier {
            buf.push(b',');
        }
        first_carrier = false;
        buf.extend_from_slice(c);
        push_money(buf, paid.0, decimals);
        buf.extend_from_slice(b"\"}");
    }
    buf.extend_from_slice(b"]}");
}

/// One `T` per clause an uncovered entry can name, found by its [`ClauseRef`].
#[derive(Clone, Debug)]
struct PerClause<T> {
    exclusions: Vec<T>,
    sublimits: Vec<T>,
    deductibles: Vec<T>,
    layer_exclusions: Vec<Vec<T>>,
}

impl PerClause<String> {
    /// Each clause's name as a JSON string.
    fn names(program: &Program) -> PerClause<String> {
        fn json<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
            names.map(json_str).collect()
        }
        PerClause {
            exclusions: json(program.exclusions.iter().map(|x| x.name.as_str())),
            sublimits: json(program.sublimits.iter().map(|x| x.name.as_str())),
            deductibles: json(program.deductibles.iter().map(|x| x.name.as_str())),
            layer_exclusions: program
                .layers
                .iter()
                .map(|l| json(l.exclusions.iter().map(|x| x.name.as_str())))
                .collect(),
        }
    }
}

impl<T> PerClause<T> {
    /// `f` of each entry, in the same places.
    fn map<U>(&self, f: impl Fn(&T) -> U) -> PerClause<U> {
        let all = |v: &[T]| v.iter().map(&f).collect();
        PerClause {
            exclusions: all(&self.exclusions),
            sublimits: all(&self.sublimits),
            deductibles: all(&self.deductibles),
            layer_exclusions: self.layer_exclusions.iter().map(|l| all(l)).collect(),
        }
    }

    fn get(&self, c: ClauseRef) -> Option<&T> {
        let idx = |i: u32| usize::try_from(i).ok();
        match c {
            ClauseRef::None => None,
            ClauseRef::Exclusion(i) => self.exclusions.get(idx(i)?),
            ClauseRef::Sublimit(i) => self.sublimits.get(idx(i)?),
            ClauseRef::Deductible(i) => self.deductibles.get(idx(i)?),
            ClauseRef::LayerExclusion(k, j) => self.layer_exclusions.get(idx(k)?)?.get(idx(j)?),
        }
    }
}

/// `,"KEY":NAME` with `NAME` already a JSON string.
fn key_text(key: &str, json_name: &str) -> Vec<u8> {
    format!(",\"{key}\":{json_name}").into_bytes()
}

/// `{"reason":"REASON"` of each reason, indexed by the reason's position in
/// [`UncoveredReason::ALL`] (its discriminant).
fn reason_texts() -> Vec<Vec<u8>> {
    UncoveredReason::ALL
        .iter()
        .map(|r| format!("{{\"reason\":\"{}\"", r.as_str()).into_bytes())
        .collect()
}

impl ResultWriter {
    /// A writer for `program`.
    pub fn new(program: &Program) -> ResultWriter {
        let crate::program::CarrierList {
            names,
            index: carrier_index,
        } = program.carrier_list();
        let layers: Vec<String> = program.layers.iter().map(|l| json_str(&l.name)).collect();
        let clause_names = PerClause::names(program);
        ResultWriter {
            decimals: program.currency.minor_units,
            layer_keys: layers.iter().map(|l| key_text("layer", l)).collect(),
            layers,
            carriers: program
                .layers
                .iter()
                .map(|l| l.carriers.iter().map(|c| json_str(&c.name)).collect())
                .collect(),
            layer_text: program
                .layers
                .iter()
                .map(|l| LayerText::new(l, program.currency.minor_units))
                .collect(),
            carrier_index,
            carrier_cells: names
                .iter()
                .map(|n| csv_cell(&format!("carrier:{n}")))
                .collect(),
            clause_keys: clause_names.map(|n| key_text("clause", n)),
            clause_names,
            reason_keys: reason_texts(),
            carrier_sums: vec![0; names.len()],
        }
    }

    /// Whether this writer can write the event: no recoveries, members or entities.
    pub fn handles(out: &Outcome, members: &[&str]) -> bool {
        out.recovered.is_none() && out.entities.is_empty() && members.is_empty()
    }

    fn money(&self, buf: &mut Vec<u8>, minor: i64) {
        push_money(buf, minor, self.decimals);
    }

    fn quoted_money(&self, buf: &mut Vec<u8>, minor: i64) {
        buf.push(b'"');
        self.money(buf, minor);
        buf.push(b'"');
    }

    fn clause(&self, c: ClauseRef) -> Option<&str> {
        self.clause_names.get(c).map(String::as_str)
    }

    fn uncovered(&self, buf: &mut Vec<u8>, out: &Outcome) {
        buf.extend_from_slice(b",\"uncovered\":[");
        for (n, (key, amount)) in out.uncovered.iter().enumerate() {
            if n > 0 {
                buf.push(b',');
            }
            if let Some(r) = self.reason_keys.get(key.reason as usize) {
                buf.extend_from_slice(r);
            }
            if let Some(c) = self.clause_keys.get(key.clause) {
                buf.extend_from_slice(c);
            }
            if let Some(l) = key
                .layer
                .and_then(|l| usize::try_from(l).ok())
                .and_then(|l| self.layer_keys.get(l))
            {
                buf.extend_from_slice(l);
            }
            buf.extend_from_slice(b",\"amount\":\"");
            self.money(buf, amount.0);
            buf.extend_from_slice(b"\"}");
        }
        buf.push(b']');
    }

    fn head(&self, buf: &mut Vec<u8>, id: &str, out: &Outcome) {
        buf.extend_from_slice(b"{\"id\":");
        push_json_str(buf, id);
        buf.extend_from_slice(b",\"ground_up\":\"");
        self.money(buf, out.ground_up.0);
        buf.extend_from_slice(b"\",\"paid\":\"");
        self.money(buf, out.paid.0);
        buf.push(b'"');
        self.uncovered(buf, out);
    }

    /// The event as the compact JSON of its `EventResult` (no trailing newline).
    pub fn json(&self, buf: &mut Vec<u8>, id: &str, out: &Outcome) {
        self.layers(buf, id, out, false);
    }

    /// The event as `serde_json::to_string_pretty` writes its `EventResult` inside the
    /// `events` array of a replay (indented two levels), without a trailing newline.
    pub fn pretty(&self, buf: &mut Vec<u8>, id: &str, out: &Outcome) {
        buf.reserve(2048);
        buf.extend_from_slice(b"{\n      \"id\": ");
        push_json_str(buf, id);
        buf.extend_from_slice(b",\n      \"ground_up\": ");
        self.quoted_money(buf, out.ground_up.0);
        buf.extend_from_slice(b",\n      \"paid\": ");
        self.quoted_money(buf, out.paid.0);
        buf.extend_from_slice(b",\n      \"uncovered\": [");
        for (n, (key, amount)) in out.uncovered.iter().enumerate() {
            buf.extend_from_slice(if n == 0 {
                b"\n        {"
            } else {
                b",\n        {"
            });
            buf.extend_from_slice(b"\n          \"reason\": \"");
            buf.extend_from_slice(key.reason.as_str().as_bytes());
            buf.push(b'"');
            if let Some(c) = self.clause(key.clause) {
                buf.extend_from_slice(b",\n          \"clause\": ");
                buf.extend_from_slice(c.as_bytes());
            }
            if let Some(l) = key
                .layer
                .and_then(|l| usize::try_from(l).ok())
                .and_then(|l| self.layers.get(l))
            {
                buf.extend_from_slice(b",\n          \"layer\": ");
                buf.extend_from_slice(l.as_bytes());
            }
            buf.extend_from_slice(b",\n          \"amount\": ");
            self.quoted_money(buf, amount.0);
            buf.extend_from_slice(b"\n        }");
        }
        if !out.uncovered.is_empty() {
            buf.extend_from_slice(b"\n      ");
        }
        buf.extend_from_slice(b"],\n      \"layers\": [");
        let mut any = false;
        for (k, lo) in out.layers.iter().enumerate() {
            let (Some(name), Some(carriers)) = (self.layers.get(k), self.carriers.get(k)) else {
                continue;
            };
            buf.extend_from_slice(if any { b",\n        {" } else { b"\n        {" });
            any = true;
            buf.extend_from_slice(b"\n          \"layer\": ");
            buf.extend_from_slice(name.as_bytes());
            buf.extend_from_slice(b",\n          \"band\": ");
            self.quoted_money(buf, lo.band.0);
            buf.extend_from_slice(b",\n          \"paid\": ");
            self.quoted_money(buf, lo.paid.0);
            buf.extend_from_slice(b",\n          \"unplaced\": ");
            self.quoted_money(buf, lo.unplaced.0);
            buf.extend_from_slice(b",\n          \"carriers\": [");
            for (j, (c, paid)) in carriers.iter().zip(&lo.carriers).enumerate() {
                buf.extend_from_slice(if j == 0 {
                    b"\n            {"
                } else {
                    b",\n            {"
                });
                buf.extend_from_slice(b"\n              \"carrier\": ");
                buf.extend_from_slice(c.as_bytes());
                buf.extend_from_slice(b",\n              \"paid\": ");
                self.quoted_money(buf, paid.0);
                buf.extend_from_slice(b"\n            }");
            }
            if !carriers.is_empty() {
                buf.extend_from_slice(b"\n          ");
            }
            buf.extend_from_slice(b"]\n        }");
        }
        if any {
            buf.extend_from_slice(b"\n      ");
        }
        buf.extend_from_slice(b"]\n    }");
    }

    /// The event with zero entries left out (no trailing newline).
    pub fn jsonl(&self, buf: &mut Vec<u8>, id: &str, out: &Outcome) {
        self.layers(buf, id, out, true);
    }

    fn layers(&self, buf: &mut Vec<u8>, id: &str, out: &Outcome, skip_zero: bool) {
        buf.reserve(1024);
        self.head(buf, id, out);
        buf.extend_from_slice(b",\"layers\":[");
        let mut first = true;
        for (lo, text) in out.layers.iter().zip(&self.layer_text) {
            if skip_zero && lo.band.0 == 0 {
                continue;
            }
            if !first {
                buf.push(b',');
            }
            first = false;
            if !skip_zero && is_zero_layer(lo, text) {
                buf.extend_from_slice(&text.zero);
            } else {
                write_layer(buf, lo, text, self.decimals, skip_zero);
            }
        }
        buf.extend_from_slice(b"]}");
    }

    /// The CSV header: `id,ground_up,paid`, one `uncovered:REASON` column per reason of
    /// section 6, one `layer:NAME` column per layer and one `carrier:NAME` per carrier
    /// (its paid over all layers).
    pub fn csv_header(&self, buf: &mut Vec<u8>, program: &Program) {
        buf.extend_from_slice(b"id,ground_up,paid");
        for r in UncoveredReason::ALL {
            buf.extend_from_slice(b",uncovered:");
            buf.extend_from_slice(r.as_str().as_bytes());
        }
        for l in &program.layers {
            buf.push(b',');
            buf.extend_from_slice(csv_cell(&format!("layer:{}", l.name)).as_bytes());
        }
        for c in &self.carrier_cells {
            buf.push(b',');
            buf.extend_from_slice(c.as_bytes());
        }
        buf.push(b'\n');
    }

    /// One CSV row (with its newline).
    pub fn csv_row(&mut self, buf: &mut Vec<u8>, id: &str, out: &Outcome) {
        buf.extend_from_slice(csv_cell(id).as_bytes());
        buf.push(b',');
        self.money(buf, out.ground_up.0);
        buf.push(b',');
        self.money(buf, out.paid.0);
        for r in UncoveredReason::ALL {
            let sum = out
                .uncovered
                .iter()
                .filter(|(k, _)| k.reason == r)
                .fold(0i64, |a, (_, m)| a.saturating_add(m.0));
            buf.push(b',');
            self.money(buf, sum);
        }
        self.carrier_sums.iter_mut().for_each(|s| *s = 0);
        for (k, lo) in out.layers.iter().enumerate() {
            buf.push(b',');
            self.money(buf, lo.paid.0);
            let Some(idx) = self.carrier_index.get(k) else {
                continue;
            };
            for (i, paid) in idx.iter().zip(&lo.carriers) {
                if let Some(s) = self.carrier_sums.get_mut(*i) {
                    *s = s.saturating_add(paid.0);
                }
            }
        }
        for k in 0..self.carrier_sums.len() {
            let s = self.carrier_sums.get(k).copied().unwrap_or(0);
            buf.push(b',');
            self.money(buf, s);
        }
        buf.push(b'\n');
    }
}

/// `minor` minor units with `decimals` decimals, e.g. `123450` → `1234.50`.
///
/// Its length is worked out first; 32 zero digits are appended (a copy of known size, two
/// vector stores), the digits written over them from the end, and the rest cut off. The
/// digits go straight into `buf`: writing them into an array first and copying that out
/// made the copy's wide loads wait on the narrow stores (measured with `perf annotate`).
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
// INVARIANT: `len` is at most 1 (sign) + 19 (the digits of |i64::MIN|, or 9 when the
// fraction's 8 digits and a zero are more) + 1 (point) = 21, so `start + len` is within
// the 32 bytes appended; `digits` counts every digit written, so `pos` ends at the sign's
// byte or after it.
pub fn push_money(buf: &mut Vec<u8>, minor: i64, decimals: u32) {
    const ZEROS: &[u8; 32] = b"0.000000000000000000000000000000";
    let d = decimals.min(8) as usize;
    let start = buf.len();
    if minor == 0 {
        // Most layers and carriers of most events pay nothing.
        buf.extend_from_slice(ZEROS);
        buf.truncate(start + if d == 0 { 1 } else { d + 2 });
        return;
    }
    let neg = usize::from(minor < 0);
    let mut v = minor.unsigned_abs();
    let digits = (v.checked_ilog10().unwrap_or(0) as usize + 1).max(d + 1);
    let len = neg + digits + usize::from(d > 0);
    // Zeros where no digit is written: the integer part of an amount below one unit.
    buf.extend_from_slice(&[b'0'; 32]);
    let out = &mut buf[start..start + len];
    let mut pos = len;
    if d == 2 {
        let p = (v % 100) as usize * 2;
        v /= 100;
        pos -= 2;
        out[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[p..p + 2]);
    } else {
        for _ in 0..d {
            pos -= 1;
            out[pos] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    if d > 0 {
        pos -= 1;
        out[pos] = b'.';
    }
    // Two digits per division while at least two remain.
    while v >= 10 {
        let p = (v % 100) as usize * 2;
        v /= 100;
        pos -= 2;
        out[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[p..p + 2]);
    }
    if v > 0 {
        out[pos - 1] = b'0' + v as u8;
    }
    if neg == 1 {
        out[0] = b'-';
    }
    buf.truncate(start + len);
}

/// "00" to "99", for writing two digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `s` as a JSON string.
pub fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(json_str(s).as_bytes());
    }
}

/// A CSV cell: quoted (with doubled quotes) when it holds a comma, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Re-indents compact JSON (as serde_json writes it) into `out` exactly as
/// `serde_json::to_string_pretty` would, starting at nesting `level` (two spaces a level):
/// a newline and indentation after `[`, `{` and `,`, `": "` after keys, `[]` and `{}` for
/// empty containers. String contents are copied untouched, in runs.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
// INVARIANT: `i` and `run` stay within `compact` (every index is checked against its
// length before use); `level` only grows on an opening bracket, shrinks on a closing one.
pub fn pretty_into(compact: &[u8], level: usize, out: &mut Vec<u8>) {
    const SPACES: &[u8] = &[b' '; 128];
    fn indent(out: &mut Vec<u8>, level: usize) {
        out.push(b'\n');
        let mut n = level.saturating_mul(2);
        while n > 0 {
            let k = n.min(SPACES.len());
            out.extend_from_slice(&SPACES[..k]);
            n -= k;
        }
    }
    let mut level = level;
    let n = compact.len();
    let mut i = 0;
    while i < n {
        let b = compact[i];
        match b {
            b'"' => {
                // Copy the whole string, escapes included.
                let mut j = i + 1;
                while j < n {
                    match compact[j] {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                let end = (j + 1).min(n);
                out.extend_from_slice(&compact[i..end]);
                i = end;
                continue;
            }
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                if i + 1 < n && compact[i + 1] == close {
                    out.push(close);
                    i += 1;
                } else {
                    level += 1;
                    indent(out, level);
                }
            }
            b'}' | b']' => {
                level = level.saturating_sub(1);
                indent(out, level);
                out.push(b);
            }
            b',' => {
                out.push(b);
                indent(out, level);
            }
            b':' => out.extend_from_slice(b": "),
            _ => {
                // A number or literal: copy up to the next structural byte.
                let mut j = i + 1;
                while j < n && !matches!(compact[j], b',' | b'}' | b']' | b':' | b'"') {
                    j += 1;
                }
                out.extend_from_slice(&compact[i..j]);
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::{push_money, reason_texts, ResultWriter};
    use crate::replay::{CarrierPaid, LayerResult, UncoveredReason};
    use rust_decimal::Decimal;

    /// A zero layer's text, made once per program, is what serializing the layer of zeros
    /// gives: names with quotes, backslashes and non-ASCII, an unplaced share, currencies
    /// of 0, 2 and 3 decimals.
    #[test]
    fn a_zero_layers_text_is_the_serialized_zero_layer() {
        for (currency, decimals) in [("JPY", 0), ("USD", 2), ("KWD", 3)] {
            let text = format!(
                "program \"p\" {{ currency {currency} period 2026-01-01 to 2027-01-01 \
                 layer \"Prim\\\"ary \\\\ ü\" 10M xs 0 {{ carrier \"A \\\"one\\\"\" 40% carrier \"Bé\" 35% }} \
                 layer \"Excess\" 5M xs 10M {{ carrier \"C\" 100% }} }}"
            );
            let program = crate::compile_str(&text).unwrap().program;
            let writer = ResultWriter::new(&program);
            for (layer, t) in program.layers.iter().zip(&writer.layer_text) {
                let zero = Decimal::new(0, decimals);
                let want = LayerResult {
                    layer: layer.name.clone(),
                    band: zero,
                    paid: zero,
                    unplaced: zero,
                    carriers: layer
                        .carriers
                        .iter()
                        .map(|c| CarrierPaid {
                            carrier: c.name.clone(),
                            paid: zero,
                        })
                        .collect(),
                };
                assert_eq!(
                    String::from_utf8(t.zero.clone()).unwrap(),
                    serde_json::to_string(&want).unwrap(),
                    "{currency} {}",
                    layer.name
                );
            }
        }
    }

    /// The writer finds a reason's text by its discriminant: `ALL` must list the reasons
    /// in declaration order.
    #[test]
    fn reason_texts_are_found_by_discriminant() {
        let texts = reason_texts();
        assert_eq!(texts.len(), UncoveredReason::ALL.len());
        for r in UncoveredReason::ALL {
            let want = format!("{{\"reason\":{}", serde_json::to_string(&r).unwrap());
            assert_eq!(texts[r as usize], want.into_bytes(), "{r:?}");
        }
    }

    #[test]
    fn money_has_exactly_the_minor_unit_decimals() {
        let f = |m: i64, d: u32| {
            let mut b = Vec::new();
            push_money(&mut b, m, d);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(f(0, 2), "0.00");
        assert_eq!(f(5, 2), "0.05");
        assert_eq!(f(123_450, 2), "1234.50");
        assert_eq!(f(-7, 2), "-0.07");
        assert_eq!(f(42, 0), "42");
        assert_eq!(f(0, 0), "0");
        assert_eq!(f(1, 3), "0.001");
        assert_eq!(f(i64::MAX, 2), "92233720368547758.07");
        assert_eq!(f(i64::MIN, 2), "-92233720368547758.08");
    }

    proptest::proptest! {
        /// Whatever the amount, what `rust_decimal` prints for it at the minor unit.
        #[test]
        fn money_is_written_as_decimal_prints_it(
            m in proptest::prop_oneof![proptest::num::i64::ANY, -100_000i64..100_000],
            d in 0u32..4,
        ) {
            let mut b = Vec::new();
            push_money(&mut b, m, d);
            let want = rust_decimal::Decimal::new(m, d).to_string();
            proptest::prop_assert_eq!(String::from_utf8(b).unwrap(), want);
        }
    }
}
