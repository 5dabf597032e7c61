//! Diagnostics on standard error, a few of each kind per file.

use super::color;
use miette::Diagnostic;
use specie::diagnostic::render;
use std::collections::BTreeMap;

/// Most diagnostics of one code printed for one file; the rest are counted in one line.
/// A program with `tier in [t0, …, t9999]` drew ten thousand warnings.
pub const MAX_SAME_CODE: usize = 10;

/// Prints `diags` of the file `name` (source `src`) to standard error: the first
/// [`MAX_SAME_CODE`] of each code, then how many more of that code there are.
pub fn print(diags: &[&dyn Diagnostic], name: &str, src: &str) {
    let color = color();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for d in diags {
        let code = d.code().map(|c| c.to_string()).unwrap_or_default();
        let n = seen.entry(code).or_insert(0);
        *n = n.saturating_add(1);
        if *n <= MAX_SAME_CODE {
            eprint!("{}", render(*d, name, src, color));
        }
    }
    for (code, n) in seen {
        if n > MAX_SAME_CODE {
            errln!(
                "{name}: {} more `{code}` diagnostics not shown (all of them with `specie check --format json`)",
                n - MAX_SAME_CODE
            );
        }
    }
}
