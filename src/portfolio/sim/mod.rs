//! Simulating a book (spec section 15.2): each insured's own perils and the vendor perils
//! whose one breach reaches every insured depending on the vendor, replayed program by
//! program exactly as a simulated program's years are, summed into the book's figures.

mod api;
mod err;
mod jobs;
mod model;
mod results;
mod run;

pub use api::{simulate_book, write_book_events, BookOptions};
pub use err::{BookModelError, BookModelWarning};
pub use jobs::{
    book_keep_years, book_needs_two_passes, book_plan_pass_two, book_sketch_years, book_statistics,
};
pub use model::{
    compile_book_model, compile_book_model_str, BookModel, BookModelErrors, BookModelSourceError,
    CompiledBookModel, ModelFailure, Share, VendorPeril, DAMAGE_DECIMALS,
};
pub use results::{
    BookSimulation, CarrierClash, Clash, Diversification, Figures, Ratios, DIVERSIFICATION_PERIODS,
};
pub use run::{draw_vendor_year, program_stream, VendorDraw};
