//! Reading a portfolio's programs from the file system: each path relative to the
//! portfolio file's folder, read with the parser's size limit.

use super::book::SourceFile;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// A loader for [`compile_portfolio`](super::compile_portfolio) reading each program's
/// path relative to the folder of the portfolio file at `portfolio`. A file larger than
/// [`MAX_INPUT_BYTES`](crate::parse::MAX_INPUT_BYTES), unreadable or not UTF-8 is refused
/// with the reason.
pub fn files_beside(portfolio: &Path) -> impl FnMut(&str) -> Result<SourceFile, String> {
    let base: PathBuf = portfolio
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf);
    move |rel: &str| {
        // Read where the text says (a symbolic link may make `..` go elsewhere); named tidily.
        let path = base.join(rel);
        let name = tidy(&path).display().to_string();
        read_limited(&path).map(|text| SourceFile { name, text })
    }
}

/// The text of the file at `path`, at most `MAX_INPUT_BYTES` of UTF-8.
fn read_limited(path: &Path) -> Result<String, String> {
    let limit = crate::parse::MAX_INPUT_BYTES;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() > limit {
        return Err(format!("the file is larger than {limit} bytes"));
    }
    crate::span::utf8(buf).map_err(|e| {
        format!(
            "the file is not UTF-8 (byte {} at line {}, column {})",
            e.byte, e.line, e.column
        )
    })
}

/// `path` with `a/../` pairs and `./` taken out (by the text of the path, not the file
/// system), so that diagnostics name `fixtures/programs/x.specie`, not
/// `fixtures/book/../programs/x.specie`.
pub fn tidy(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}
