//! The language's fixed vocabulary: standard causes of loss and storage tiers, and the
//! codes of the tower analysis's findings (which `allow` may name). A leaf module: the
//! compiler, the engine and the tower analysis all read it, and it reads none of them.

/// Causes of loss the language knows; others draw a warning with a suggestion.
pub const STANDARD_CAUSES: &[&str] = &[
    "external_hack",
    "key_compromise",
    "social_engineering",
    "insider_theft",
    "vendor_breach",
    "physical_loss",
    "unknown",
    "smart_contract_exploit",
    "slashing",
    "extortion",
    "transit_loss",
    "fraudulent_instruction",
];

/// Storage tiers the language knows; others draw a warning with a suggestion.
pub const STANDARD_TIERS: &[&str] = &["hot", "warm", "cold"];

/// Every finding code the tower analysis reports (and `allow` may name).
pub const FINDING_CODES: &[&str] = &[
    GAP,
    UNPLACED,
    AGGREGATE_BELOW_LIMIT,
    REINSTATEMENT_WITHOUT_PREMIUM,
    UNREACHABLE_LAYER,
    CONCENTRATION,
    KEY_COMPROMISE_NOT_COVERED,
    INSIDER_THEFT_NOT_COVERED,
    VENDOR_BREACH_NOT_COVERED,
    HOT_EXPOSURE_WITHOUT_SUBLIMIT,
    HOT_EXPOSURE_ABOVE_RECOVERY,
];

/// Part of `[0, top)` of the tower that no layer covers.
pub const GAP: &str = "specie::tower::gap";
/// A layer placed below 100%.
pub const UNPLACED: &str = "specie::tower::unplaced";
/// A layer aggregate below its occurrence limit.
pub const AGGREGATE_BELOW_LIMIT: &str = "specie::tower::aggregate_below_limit";
/// Reinstatements on a layer without a premium.
pub const REINSTATEMENT_WITHOUT_PREMIUM: &str = "specie::tower::reinstatement_without_premium";
/// A layer no covered loss reaches (or every loss reaching it is excluded).
pub const UNREACHABLE_LAYER: &str = "specie::tower::unreachable_layer";
/// One entity carries more than the threshold share of the tower.
pub const CONCENTRATION: &str = "specie::tower::concentration";
/// Key compromise is not covered.
pub const KEY_COMPROMISE_NOT_COVERED: &str = "specie::advice::key_compromise_not_covered";
/// Insider theft is not covered.
pub const INSIDER_THEFT_NOT_COVERED: &str = "specie::advice::insider_theft_not_covered";
/// Vendor or sub-custodian breach is not covered.
pub const VENDOR_BREACH_NOT_COVERED: &str = "specie::advice::vendor_breach_not_covered";
/// Hot exposure without a hot-tier sub-limit.
pub const HOT_EXPOSURE_WITHOUT_SUBLIMIT: &str = "specie::advice::hot_exposure_without_sublimit";
/// A total hot loss leaves more than the retentions uncovered.
pub const HOT_EXPOSURE_ABOVE_RECOVERY: &str = "specie::advice::hot_exposure_above_recovery";
