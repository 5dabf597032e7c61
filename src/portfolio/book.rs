//! A compiled portfolio: the book's programs and vendors.

use crate::compile::CompileWarning;
use crate::money::{Currency, Fraction};
use crate::program::Program;
use crate::span::Span;

/// A compiled portfolio: the book's programs (in written order) and vendors.
#[derive(Clone, Debug)]
pub struct Portfolio {
    /// The book's name.
    pub name: String,
    /// The book's currency; every program is in it.
    pub currency: Currency,
    /// The programs, in written order (the book order of every result).
    pub programs: Vec<BookProgram>,
    /// The vendors, in written order.
    pub vendors: Vec<Vendor>,
}

/// A program of a book.
#[derive(Clone, Debug)]
pub struct BookProgram {
    /// Its key in the book.
    pub key: String,
    /// Its file.
    pub file: SourceFile,
    /// The compiled program.
    pub program: Program,
    /// The warnings it drew.
    pub warnings: Vec<CompileWarning>,
    /// The `program` item of the portfolio.
    pub span: Span,
}

/// A vendor and what the book's programs depend on it for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vendor {
    /// The vendor's name.
    pub name: String,
    /// One entry per program using it, in written order.
    pub uses: Vec<Uses>,
    /// The `vendor` item.
    pub span: Span,
    /// The vendor's name in it.
    pub name_span: Span,
}

/// One program's dependence on a vendor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uses {
    /// Index of the program in [`Portfolio::programs`].
    pub program: usize,
    /// Tiers (each with a declared exposure in the program) and shares in (0, 1], in
    /// written order.
    pub tiers: Vec<(String, Fraction)>,
    /// The `uses` item.
    pub span: Span,
}

impl Portfolio {
    /// The vendor named `name`.
    pub fn vendor(&self, name: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.name == name)
    }

    /// The index of the program keyed `key`.
    pub fn program_index(&self, key: &str) -> Option<usize> {
        self.programs.iter().position(|p| p.key == key)
    }
}

/// A source file: its name (for diagnostics) and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The name diagnostics give it (the path as resolved).
    pub name: String,
    /// Its text.
    pub text: String,
}
