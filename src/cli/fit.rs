//! `specie fit FILE [--column NAME] [--cause C] [--tier T] [--json] [--svg FILE]`

use super::out::Out;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use std::path::PathBuf;

pub struct Args {
    pub file: PathBuf,
    pub index: Option<PathBuf>,
    pub below: String,
    pub column: Option<String>,
    pub cause: Option<String>,
    pub tier: Option<String>,
    pub json: bool,
    pub svg: Option<PathBuf>,
}

/// Largest input read (64 MiB).
const MAX_BYTES: u64 = 64 << 20;

pub fn run(out: &mut Out, args: &Args) -> u8 {
    if let Some(path) = &args.index {
        return index(out, path, args);
    }
    run_losses(out, args)
}

/// `specie fit --index FILE [--below L] [--json]`.
fn index(out: &mut Out, path: &std::path::Path, args: &Args) -> u8 {
    let name = path.display().to_string();
    let text = match read(path) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match specie::fit_index::fit_index(&text, &args.below) {
        Ok(f) if args.json => {
            let (worst, duration) = f.lines();
            let v = serde_json::json!({"fit": f, "worst_line": worst, "duration_line": duration});
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
            EXIT_OK
        }
        Ok(f) => {
            out.print(&f.text(&name));
            EXIT_OK
        }
        Err(e) => {
            use miette::Diagnostic;
            let code = e.code().map(|c| format!("{c}: ")).unwrap_or_default();
            errln!("error: {name}: {code}{e}");
            if let Some(h) = e.help() {
                errln!("  help: {h}");
            }
            EXIT_FAILED
        }
    }
}

/// The text of `path`, at most [`MAX_BYTES`]; else the error printed and the status.
fn read(path: &std::path::Path) -> Result<String, u8> {
    use std::io::Read;
    let name = path.display().to_string();
    let mut text = String::new();
    let read = std::fs::File::open(path).and_then(|f| {
        f.take(MAX_BYTES.saturating_add(1))
            .read_to_string(&mut text)
    });
    if let Err(e) = read {
        errln!("error: cannot read `{name}`: {e}");
        return Err(EXIT_USAGE);
    }
    if text.len() as u64 > MAX_BYTES {
        errln!("error: `{name}` is larger than {MAX_BYTES} bytes");
        return Err(EXIT_FAILED);
    }
    Ok(text)
}

fn run_losses(out: &mut Out, args: &Args) -> u8 {
    use std::io::Read;
    let name = args.file.display().to_string();
    let mut text = String::new();
    let read = std::fs::File::open(&args.file).and_then(|f| {
        f.take(MAX_BYTES.saturating_add(1))
            .read_to_string(&mut text)
    });
    if let Err(e) = read {
        errln!("error: cannot read `{name}`: {e}");
        return EXIT_USAGE;
    }
    if text.len() as u64 > MAX_BYTES {
        errln!("error: `{name}` is larger than {MAX_BYTES} bytes");
        return EXIT_FAILED;
    }
    let losses = match specie::fit::read_losses(
        &text,
        args.column.as_deref(),
        args.cause.as_deref(),
        args.tier.as_deref(),
    ) {
        Ok(l) => l,
        Err(e) => return report(&e, &name),
    };
    let fit = match specie::fit::fit(&losses) {
        Ok(f) => f,
        Err(specie::fit::FitError::TooFew { found, help }) => {
            // Suggest loosening only the filters that were given.
            let given: Vec<&str> = [("--cause", &args.cause), ("--tier", &args.tier)]
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .map(|(flag, _)| flag)
                .collect();
            let help = match given.as_slice() {
                [] => help,
                flags => format!("loosen the {} filter", flags.join(" or ")),
            };
            return report(&specie::fit::FitError::TooFew { found, help }, &name);
        }
        Err(e) => return report(&e, &name),
    };
    let what = match (&args.cause, &args.tier) {
        (None, None) => name.clone(),
        (c, t) => format!(
            "{name}: cause {}, tier {}",
            c.as_deref().unwrap_or("any"),
            t.as_deref().unwrap_or("any")
        ),
    };
    if let Some(path) = &args.svg {
        if let Err(e) = std::fs::write(path, fit.qq_svg(&losses, &what)) {
            errln!("error: cannot write `{}`: {e}", path.display());
            return EXIT_USAGE;
        }
    }
    let tier = args.tier.as_deref().unwrap_or("hot");
    if args.json {
        let (ln, pa) = fit.loss_lines(tier);
        let v = serde_json::json!({"fit": fit, "lognormal_line": ln, "pareto_line": pa});
        out.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ));
    } else {
        out.print(&fit.text(&what, tier));
    }
    EXIT_OK
}

fn report(e: &specie::fit::FitError, file: &str) -> u8 {
    use miette::Diagnostic;
    let code = e.code().map(|c| format!("{c}: ")).unwrap_or_default();
    errln!("error: {file}: {code}{e}");
    if let Some(h) = e.help() {
        errln!("  help: {h}");
    }
    EXIT_FAILED
}
