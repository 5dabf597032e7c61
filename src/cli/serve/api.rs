//! The JSON API under `/api/…` that the page uses: the same JSON as the CLI's `--json`
//! (`check --format json`, `tower --json`, `replay --json`, `simulate --json`), from text
//! sent in the request rather than files. Errors are `{"error": {"code", "message",
//! "diagnostics"?}}` with a 4xx status.

use serde::Deserialize;
use serde_json::{json, Value};
use specie::diagnostic::{to_json, JsonDiagnostic};
use specie::program::Program;
use std::path::Path;

/// An answer: status, content type, body.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Answer {
    pub fn json(body: String) -> Answer {
        Answer {
            status: 200,
            content_type: "application/json",
            body,
        }
    }

    pub fn error(status: u16, code: &str, message: &str, diagnostics: Option<Value>) -> Answer {
        let mut e = serde_json::Map::new();
        e.insert("code".into(), code.into());
        e.insert("message".into(), message.into());
        if let Some(d) = diagnostics {
            e.insert("diagnostics".into(), d);
        }
        Answer {
            status,
            content_type: "application/json",
            body: json!({ "error": e }).to_string(),
        }
    }
}

/// Decodes a request body, or the 400 that says why not.
pub fn body<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, Answer> {
    serde_json::from_str(text).map_err(|e| {
        Answer::error(
            400,
            "specie::serve::bad_request",
            &format!("the request body is not the JSON this endpoint takes: {e}"),
            None,
        )
    })
}

/// `{"text": …, "name"?: …}`: a program, model or portfolio as text.
#[derive(Deserialize)]
pub struct Source {
    pub text: String,
    #[serde(default)]
    pub name: Option<String>,
}

fn name_of(s: &Source, default: &str) -> String {
    s.name.clone().unwrap_or_else(|| default.to_string())
}

/// `POST /api/check`: `specie check --format json` of one file's text. A portfolio's
/// programs are read beside `name`, relative to the server's working directory.
pub fn check(src: &Source) -> Answer {
    let name = name_of(src, "program.specie");
    let diags = super::super::check::file_diagnostics(Path::new(&name), &name, &src.text);
    Answer::json(serde_json::to_string_pretty(&diags).unwrap_or_default())
}

/// The compiled program, or the 422 with its diagnostics.
pub fn program(text: &str, name: &str) -> Result<Program, Answer> {
    specie::compile_str(text)
        .map(|c| c.program)
        .map_err(|e| does_not_compile("program", &e.diagnostics(), name, text))
}

/// The 422 for a `what` (program, model) that does not compile, with its diagnostics as
/// `specie check --format json` gives them.
pub fn does_not_compile(
    what: &str,
    diags: &[&dyn miette::Diagnostic],
    name: &str,
    text: &str,
) -> Answer {
    let json: Vec<JsonDiagnostic> = diags.iter().map(|d| to_json(*d, name, text)).collect();
    Answer::error(
        422,
        &format!("specie::serve::{what}_does_not_compile"),
        &format!("`{name}` does not compile"),
        serde_json::to_value(json).ok(),
    )
}

/// `POST /api/tower` (the JSON of `specie tower --json`) and `/api/tower/svg` (the chart);
/// for a portfolio, the book's (its programs read beside `name`).
pub fn tower(src: &Source, svg: bool) -> Answer {
    let name = name_of(src, "program.specie");
    if is_portfolio(&src.text) {
        return book_tower(src, &name, svg);
    }
    let program = match program(&src.text, &name) {
        Ok(p) => p,
        Err(a) => return a,
    };
    match specie::tower::analyse(&program, &specie::tower::Options::default()) {
        Ok(t) if svg => Answer {
            status: 200,
            content_type: "image/svg+xml",
            body: specie::tower::svg::svg(&t, &program, None),
        },
        Ok(t) => Answer::json(specie::tower::json_document(&t, &name, &src.text).to_string()),
        Err(e) => diagnostic_error(&e, &name, &src.text),
    }
}

/// The compiled portfolio (its programs read beside `name`), or the 422 with `specie
/// check`'s diagnostics of its text.
fn portfolio(text: &str, name: &str) -> Result<specie::portfolio::Portfolio, Answer> {
    let mut load = specie::portfolio::files_beside(Path::new(name));
    specie::portfolio::compile_portfolio_str(text, &mut load)
        .map(|c| c.portfolio)
        .map_err(|_| {
            let diags = super::super::check::file_diagnostics(Path::new(name), name, text);
            Answer::error(
                422,
                "specie::serve::portfolio_does_not_compile",
                &format!("`{name}` does not compile"),
                serde_json::to_value(diags).ok(),
            )
        })
}

fn is_portfolio(text: &str) -> bool {
    specie::parse::file_kind(text) == specie::parse::FileKind::Portfolio
}

/// The book view of a portfolio: its lines and vendor maxima, as `specie tower PORTFOLIO`.
fn book_tower(src: &Source, name: &str, svg: bool) -> Answer {
    use specie::portfolio::{book_tower, BookTowerOptions};
    let book = match portfolio(&src.text, name) {
        Ok(b) => b,
        Err(a) => return a,
    };
    match book_tower(&book, &BookTowerOptions::default()) {
        Ok(t) if svg => Answer {
            status: 200,
            content_type: "image/svg+xml",
            body: specie::portfolio::tower::svg::svg(&t),
        },
        Ok(t) => {
            Answer::json(specie::portfolio::tower::json_document(&t, name, &src.text).to_string())
        }
        Err(e) => diagnostic_error(&e, name, &src.text),
    }
}

fn diagnostic_error(e: &dyn miette::Diagnostic, name: &str, text: &str) -> Answer {
    let code = e.code().map(|c| c.to_string()).unwrap_or_default();
    Answer::error(
        422,
        &code,
        &e.to_string(),
        serde_json::to_value(vec![to_json(e, name, text)]).ok(),
    )
}

/// `{"program": …, "scenario": …, "event"?: …, "name"?: …}` (`name`: the program's file
/// name shown in an explanation).
#[derive(Deserialize)]
pub struct ReplayRequest {
    pub program: String,
    pub scenario: String,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/replay`: `specie replay --json` (of a book, for a portfolio); with
/// `"event"`, `POST /api/explain` gives that event's `--explain` text.
pub fn replay(r: &ReplayRequest, explain: bool) -> Answer {
    if is_portfolio(&r.program) && !explain {
        return book_replay(r);
    }
    let program = match program(&r.program, "program.specie") {
        Ok(p) => p,
        Err(a) => return a,
    };
    if explain {
        return explain_event(&program, r);
    }
    let mut out: Vec<u8> = Vec::new();
    let format = specie::replay::Format::PrettyJson;
    match specie::replay::replay_text_into(
        &program,
        &r.scenario,
        &mut out,
        format,
        Default::default(),
    ) {
        Ok(_) => Answer::json(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => diagnostic_error(&e, "scenario.json", &r.scenario),
    }
}

/// A portfolio scenario through a book, as `specie replay PORTFOLIO SCENARIO --json`.
fn book_replay(r: &ReplayRequest) -> Answer {
    let name = r
        .name
        .clone()
        .unwrap_or_else(|| "portfolio.specie".to_string());
    let book = match portfolio(&r.program, &name) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let scenario = match specie::portfolio::read_book_scenario(&book, &r.scenario) {
        Ok(s) => s,
        Err(e) => return diagnostic_error(&e, "scenario.json", &r.scenario),
    };
    match specie::portfolio::replay_read(&book, &scenario, Default::default()) {
        Ok((result, _warnings)) => Answer::json(result.to_json()),
        Err(e) => diagnostic_error(&e, "scenario.json", &r.scenario),
    }
}

fn explain_event(program: &Program, r: &ReplayRequest) -> Answer {
    let id = r.event.clone().unwrap_or_default();
    let scenario = match specie::scenario::Scenario::from_json(&r.scenario) {
        Ok(s) => s,
        Err(e) => return diagnostic_error(&e, "scenario.json", &r.scenario),
    };
    match specie::replay::explain(program, &scenario, &id) {
        Ok(Some((result, trace))) => Answer {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: specie::report::explain(
                &result,
                &trace,
                program,
                r.name.as_deref().unwrap_or("program.specie"),
                &r.program,
            ),
        },
        Ok(None) => Answer::error(
            404,
            "specie::serve::no_event",
            &format!("no event `{id}` in the scenario"),
            None,
        ),
        Err(e) => diagnostic_error(&e, "scenario.json", &r.scenario),
    }
}
