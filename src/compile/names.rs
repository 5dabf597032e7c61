//! Names written as strings (clauses, layers, carriers, treaties, …): unique within their
//! kind, free of invisible characters, and not confusable with one another.
//!
//! Names are compared as written, so `"Acme"`, `"Acme\u{200B}"` and a Cyrillic `"Аcme"`
//! would be three carriers with three balance sheets. Invisible format characters are
//! refused outright; names that look alike (equal after the confusable folding of Unicode
//! TS #39, its "skeleton") draw a warning naming both.

use super::{CompileError, CompileWarning, Cx};
use crate::program::Program;
use crate::span::Span;
use std::collections::HashMap;
use unicode_security::confusable_detection::skeleton;

/// Whether `c` is invisible in a name: a control character, or a default-ignorable code
/// point (Unicode's DerivedCoreProperties: zero-width spaces and joiners, bidirectional
/// marks and overrides, soft hyphen, variation selectors, tags, …).
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0x00AD
                | 0x034F
                | 0x061C
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x206F
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFEFF
                | 0xFFA0
                | 0xFFF0..=0xFFF8
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0000..=0xE0FFF
        )
}

/// The confusable skeleton of a name (UTS #39).
fn folded(name: &str) -> String {
    skeleton(name).collect()
}

/// Tracks names of one kind: duplicates are errors, look-alikes warnings.
pub(crate) struct Names<'n> {
    kind: &'static str,
    seen: HashMap<&'n str, Span>,
    skeletons: HashMap<String, (&'n str, Span)>,
}

impl<'n> Names<'n> {
    pub(crate) fn new(kind: &'static str) -> Names<'n> {
        Names {
            kind,
            seen: HashMap::new(),
            skeletons: HashMap::new(),
        }
    }

    pub(crate) fn add(&mut self, cx: &mut Cx, name: &'n str, span: Span) {
        if let Some(c) = name.chars().find(|c| is_invisible(*c)) {
            cx.errors.push(CompileError::InvisibleInName {
                kind: self.kind,
                name: crate::render::visible(name).into_owned(),
                code_point: format!("U+{:04X}", u32::from(c)),
                span: span.into(),
            });
            return;
        }
        if let Some(first) = self.seen.get(name) {
            cx.errors.push(CompileError::DuplicateName {
                kind: self.kind,
                name: name.to_string(),
                span: span.into(),
                first: (*first).into(),
            });
            return;
        }
        self.seen.insert(name, span);
        let key = folded(name);
        match self.skeletons.get(&key) {
            Some((other, first)) => cx.warnings.push(CompileWarning::Confusable {
                kind: self.kind,
                name: name.to_string(),
                other: (*other).to_string(),
                span: span.into(),
                first: (*first).into(),
            }),
            None => {
                self.skeletons.insert(key, (name, span));
            }
        }
    }
}

/// Carriers, reinsurers and cedents are one entity wherever their names are equal, across
/// layers, parametric covers and treaties: look-alike names of different entities draw a
/// warning (each pair once, at the later name's first use).
pub(crate) fn confusable_entities(cx: &mut Cx, program: &Program) {
    let shares = program
        .layers
        .iter()
        .flat_map(|l| &l.carriers)
        .chain(program.parametric.iter().flat_map(|p| &p.carriers))
        .chain(program.treaties.iter().flat_map(|t| &t.reinsurers))
        .map(|c| (c.name.as_str(), c.span));
    let cedents = program.treaties.iter().map(|t| (t.cedent.as_str(), t.span));
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let mut skeletons: HashMap<String, (&str, Span)> = HashMap::new();
    for (name, span) in shares.chain(cedents) {
        if seen.insert(name, ()).is_some() {
            continue;
        }
        let key = folded(name);
        match skeletons.get(&key) {
            Some((other, first)) => cx.warnings.push(CompileWarning::Confusable {
                kind: "entity",
                name: name.to_string(),
                other: (*other).to_string(),
                span: span.into(),
                first: (*first).into(),
            }),
            None => {
                skeletons.insert(key, (name, span));
            }
        }
    }
}
