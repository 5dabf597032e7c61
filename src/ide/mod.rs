//! Editor services over source text, in byte offsets: the outline, hover, names with
//! their definitions and references, completion, and quick fixes. `specie lsp` turns them
//! into LSP messages (UTF-16 positions); they read the text and the syntax tree only, so
//! they sit beside [`crate::compile`] in the pipeline and nothing below reads them.

mod complete;
mod fixes;
mod hover;
mod hover_model;
pub mod names;
mod outline;
pub mod tokens;
mod words;

pub use complete::{completions, Completion, CompletionKind};
pub use fixes::{fixes, Fix};
pub use hover::hover;
pub use outline::{outline, Symbol, SymbolKind};
