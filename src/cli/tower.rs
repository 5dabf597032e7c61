//! `specie tower PROGRAM [--json] [--svg FILE] [--concentration P] [--scenario S --event ID]`.

use super::out::Out;
use super::replay::{load_program, read_limited, report_error};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use rust_decimal::Decimal;
use specie::diagnostic::render;
use specie::money::Fraction;
use specie::scenario::Scenario;
use specie::tower::svg::EventLine;
use specie::tower::{analyse, Options};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::str::FromStr;

pub struct Args {
    pub program: PathBuf,
    pub json: bool,
    pub svg: Option<PathBuf>,
    pub concentration: Option<String>,
    pub scenario: Option<PathBuf>,
    pub event: Option<String>,
}

pub fn run(out: &mut Out, args: &Args) -> u8 {
    match run_inner(out, args) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// `50`, `50%` or `12.5%` as a fraction in 0-100%.
fn threshold(text: &str) -> Option<Fraction> {
    let d = Decimal::from_str(text.trim().trim_end_matches('%')).ok()?;
    if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
        return None;
    }
    Fraction::from_decimal(d.checked_div(Decimal::ONE_HUNDRED)?)
}

/// `--concentration`'s value, or the usage error printed.
pub(super) fn concentration(text: &str) -> Result<Fraction, u8> {
    threshold(text).ok_or_else(|| {
        errln!("error: --concentration takes a percentage from 0 to 100, such as `40` or `40%`, not `{text}`");
        EXIT_USAGE
    })
}

fn run_inner(out: &mut Out, args: &Args) -> Result<(), u8> {
    if super::book::is_portfolio(&args.program) {
        return super::book::tower(out, args);
    }
    let (program, name, src) = load_program(&args.program)?;
    let mut options = Options::default();
    if let Some(c) = &args.concentration {
        options.concentration = concentration(c)?;
    }
    let tower = analyse(&program, &options).map_err(|e| report_error(&e, &name))?;

    let event = match (&args.scenario, &args.event) {
        (Some(path), Some(id)) => {
            let scenario_name = path.display().to_string();
            let text = read_limited(path)?;
            let scenario =
                Scenario::from_json(&text).map_err(|e| report_error(&e, &scenario_name))?;
            let r = specie::replay::replay(&program, &scenario)
                .map_err(|e| report_error(&e, &scenario_name))?;
            let Some(e) = r.events.iter().find(|e| e.id == *id) else {
                errln!("error: {scenario_name}: no event `{id}`");
                return Err(EXIT_FAILED);
            };
            Some(EventLine {
                id: e.id.clone(),
                ground_up: e.ground_up,
                net: specie::tower::net_loss(e),
                paid: e.paid,
            })
        }
        (None, None) => None,
        _ => {
            errln!("error: --scenario and --event go together");
            return Err(EXIT_USAGE);
        }
    };

    if let Some(path) = &args.svg {
        let svg = specie::tower::svg::svg(&tower, &program, event.as_ref());
        std::fs::write(path, svg).map_err(|e| {
            errln!("error: cannot write `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
    }

    if args.json {
        out.print(&format!(
            "{}\n",
            specie::tower::json_document(&tower, &name, &src)
        ));
        return Ok(());
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    out.print(&specie::tower::text::text(&tower));
    for f in &tower.findings {
        out.print("\n");
        out.print_rendered(&render(f, &name, &src, color));
    }
    Ok(())
}
