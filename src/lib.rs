//! # Specie
//!
//! Digital-asset custody insurance programs as code. A program (storage-tier sub-limits,
//! deductibles, exclusions, a tower of layers split among carriers) is written in a small
//! language; Specie parses it ([`parse`]), checks and compiles it to a typed
//! [`program::Program`] ([`compile`]), and formats it back to canonical text ([`format`]).
//!
//! The pipeline runs one way: text → [`parse`] (syntax tree with spans, [`ast`]) →
//! [`compile`] (validated [`program::Program`] plus warnings) → later stages.
//!
//! ```
//! let src = r#"
//! program "Demo custody 2026" {
//!   period 2026-01-01 to 2027-01-01
//!   covers external_hack, key_compromise
//!   sublimit "Hot wallets" 25M per occurrence when tier is hot
//!   deductible "Standard" 1M per occurrence
//!   layer "Primary" 10M xs 0 { carrier "Carrier A" 100% }
//! }
//! "#;
//! let compiled = specie::compile_str(src).unwrap();
//! assert_eq!(compiled.program.layers.len(), 1);
//! assert!(compiled.warnings.is_empty());
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

pub mod ast;
#[doc(hidden)]
pub mod bench_support;
pub mod compile;
pub mod diagnostic;
pub mod fit;
pub mod fit_index;
pub mod format;
pub mod ide;
pub mod model;
pub mod money;
pub mod parse;
pub mod portfolio;
pub mod program;
pub mod reinsurance;
pub mod render;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod simulate;
pub mod span;
pub mod suggest;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod tower;
pub mod verify;
pub mod vocabulary;

pub use compile::{compile, compile_str, Compiled, SourceError};
pub use format::format;
pub use parse::parse;

#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
