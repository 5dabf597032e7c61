//! Entry points shared by the cargo-fuzz targets in `fuzz/` and by `tests/fuzz_corpus.rs`,
//! which replays the committed corpus as an ordinary test.
//!
//! Each entry point panics (on purpose) only when a property the fuzzer checks is broken;
//! any other panic is a bug the fuzzer has found.

/// Parses and compiles `data` (as UTF-8, lossily); when it parses, checks that formatting
/// then re-parsing gives the same tree and that formatting is idempotent.
#[allow(clippy::panic)] // a broken property must crash the fuzzer
pub fn parse_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(file) = crate::parse(&text) else {
        return;
    };
    let _ = crate::compile(&file);
    let formatted = crate::format(&file);
    match crate::parse(&formatted) {
        Ok(again) => {
            if again != file {
                panic!("format → parse changed the tree:\n{formatted}");
            }
            if crate::format(&again) != formatted {
                panic!("format is not idempotent:\n{formatted}");
            }
        }
        Err(e) => panic!("formatted output does not parse: {e}\n{formatted}"),
    }
}
