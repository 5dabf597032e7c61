//! Portfolios (spec section 15): a book of programs and the vendors their insureds depend
//! on. A vendor breach is one event that reaches every program using the vendor; replaying
//! a portfolio scenario says what each carrier pays across the book, in how many programs
//! at once (clash), and which insureds are left short.
//!
//! A portfolio sits above programs: each program is compiled and replayed exactly as on
//! its own (its own aggregates, its own plan); the book's figures are sums of theirs.

mod book;
mod compile;
mod err;
mod files;
mod replay;
mod scenario;
mod sim;
pub mod tower;

pub use sim::*;

pub use book::{BookProgram, Portfolio, SourceFile, Uses, Vendor};
pub use compile::{
    compile_portfolio, compile_portfolio_str, CompiledPortfolio, Loader, PortfolioErrors,
    PortfolioSourceError, ProgramFailure,
};
pub use err::{PortfolioError, PortfolioWarning};
pub use files::{files_beside, tidy};
pub use replay::{
    replay_book, replay_read, BookCarrier, BookEntity, BookReplay, BookTotals, ProgramPaid,
    ProgramReplay, Replayed, VendorCarrier, VendorEventResult, VendorProgram,
};
pub use scenario::{
    dependent_loss, expansion_id, percent, read_book_scenario, BookScenario, BookScenarioError,
    Damage, RawVendorEvent,
};
pub use tower::{book_tower, BookTower, BookTowerError, BookTowerOptions};
