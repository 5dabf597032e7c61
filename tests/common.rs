//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The crate's root directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file with extension `ext` in `dir` (relative to the root), sorted.
pub fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// The file's name without directory.
pub fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Runs the `specie` binary in the crate root: (exit status, stdout, stderr).
pub fn specie(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_specie"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Compares `actual` with the golden file at `path`. With `SPECIE_UPDATE_EXPECTED` set, a
/// golden that differs (or is missing) is rewritten and named on stderr, after the
/// comparison: an update never skips it, so what changed is always seen.
pub fn golden(path: &Path, actual: &str) {
    let expected = std::fs::read_to_string(path).ok();
    if expected.as_deref() == Some(actual) {
        return;
    }
    if std::env::var_os("SPECIE_UPDATE_EXPECTED").is_some() {
        eprintln!(
            "golden {}: {} (SPECIE_UPDATE_EXPECTED)",
            path.display(),
            if expected.is_some() {
                "updated"
            } else {
                "written"
            }
        );
        std::fs::write(path, actual).unwrap();
        return;
    }
    match expected {
        None => panic!(
            "{}: no golden file; run with SPECIE_UPDATE_EXPECTED=1 to write it",
            path.display()
        ),
        Some(e) => assert_eq!(actual, e, "{} differs from its golden", path.display()),
    }
}
