//! `specie serve [--port N] [FILES…]`: a workbench in the browser (brief section 17),
//! served on 127.0.0.1 only. The page, its script and style are compiled into the binary;
//! nothing is fetched from elsewhere. The page calls the JSON API of [`api`]; every request
//! passes [`guard`] first (the server's own `Host`, no foreign `Origin`, a bounded body).

mod api;
mod guard;
mod simulate;

use super::EXIT_USAGE;
use api::Answer;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// Requests served at once; more get 503.
const MAX_IN_FLIGHT: usize = 32;

/// What every request's thread reads: the server's port (for the Host and Origin checks),
/// the files given on the command line (the only ones the page may open), and how many
/// requests are being served.
struct Shared {
    port: u16,
    files: Vec<PathBuf>,
    in_flight: AtomicUsize,
}

/// Serves until interrupted.
pub fn run(port: u16, files: &[PathBuf]) -> u8 {
    let server = match Server::http(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(e) => {
            errln!("error: specie serve: cannot listen on 127.0.0.1:{port}: {e}");
            return EXIT_USAGE;
        }
    };
    let port = server.server_addr().to_ip().map_or(port, |a| a.port());
    for f in files {
        if !f.is_file() {
            errln!(
                "error: specie serve: `{}` is not a readable file",
                f.display()
            );
            return EXIT_USAGE;
        }
    }
    let shared = Arc::new(Shared {
        port,
        files: files.to_vec(),
        in_flight: AtomicUsize::new(0),
    });
    let mut stdout = std::io::stdout();
    let _ = writeln!(
        stdout,
        "specie serve: http://127.0.0.1:{port}/ (Ctrl-C stops it)"
    );
    let _ = stdout.flush();
    for request in server.incoming_requests() {
        let shared = Arc::clone(&shared);
        if shared.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            refuse(
                request,
                503,
                "specie::serve::busy",
                "too many requests at once",
            );
            continue;
        }
        std::thread::spawn(move || {
            handle(request, &shared);
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }
    0
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// Headers every answer carries: no sniffing, nothing from elsewhere, no caching.
fn common_headers(content_type: &str) -> Vec<Header> {
    [
        ("Content-Type", content_type),
        ("X-Content-Type-Options", "nosniff"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
    ]
    .iter()
    .filter_map(|(n, v)| header(n, v))
    .collect()
}

fn response(a: Answer) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_data(a.body.into_bytes()).with_status_code(a.status);
    for h in common_headers(a.content_type) {
        r.add_header(h);
    }
    r
}

/// Answers `request` with an error and no more.
fn refuse(request: Request, status: u16, code: &str, message: &str) {
    let _ = request.respond(response(Answer::error(status, code, message, None)));
}

fn header_value<'r>(request: &'r Request, name: &'static str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

fn handle(mut request: Request, shared: &Shared) {
    let checked = guard::host_ok(header_value(&request, "Host"), shared.port)
        .and_then(|()| guard::origin_ok(header_value(&request, "Origin"), shared.port));
    if let Err((status, message)) = checked {
        return refuse(request, status, "specie::serve::refused", &message);
    }
    // A POST must say it is JSON: an HTML form of another site cannot (forms send
    // form-encoded or plain text), even from a browser that sends no `Origin`.
    let json = header_value(&request, "Content-Type").is_some_and(|c| {
        c.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    if *request.method() == Method::Post && !json {
        let message = "POST bodies must be sent as `Content-Type: application/json`";
        return refuse(request, 415, "specie::serve::not_json", message);
    }
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("").to_string();
    let method = request.method().clone();
    if method == Method::Post && path == "/api/simulate" {
        return simulate_request(request);
    }
    let answer = match (&method, path.as_str()) {
        (Method::Get, "/") => page(PAGE, "text/html; charset=utf-8"),
        (Method::Get, "/app.js") => page(SCRIPT, "text/javascript; charset=utf-8"),
        (Method::Get, "/app.css") => page(STYLE, "text/css; charset=utf-8"),
        (Method::Get, "/api/files") => files(shared),
        (Method::Get, "/api/status") => Answer::json(
            serde_json::json!({
                "simulations_running": simulate::RUNNING.load(Ordering::Relaxed),
                "years_simulated": simulate::YEARS.load(Ordering::Relaxed),
            })
            .to_string(),
        ),
        (Method::Get, p) if p.starts_with("/api/files/") => file(shared, p),
        (Method::Post, p) => match read_body(&mut request) {
            Ok(body) => post(p, &body),
            Err(a) => a,
        },
        _ => Answer::error(
            404,
            "specie::serve::not_found",
            &format!("no `{method} {path}` here"),
            None,
        ),
    };
    let _ = request.respond(response(answer));
}

fn page(text: &str, content_type: &'static str) -> Answer {
    Answer {
        status: 200,
        content_type,
        body: text.to_string(),
    }
}

/// The body, at most [`guard::MAX_BODY_BYTES`], as UTF-8; or the 4xx that says why not.
fn read_body(request: &mut Request) -> Result<String, Answer> {
    let too_large = || {
        Answer::error(
            413,
            "specie::serve::too_large",
            &format!("the request body is over {} bytes", guard::MAX_BODY_BYTES),
            None,
        )
    };
    if request
        .body_length()
        .is_some_and(|n| n > guard::MAX_BODY_BYTES)
    {
        return Err(too_large());
    }
    let mut buf = Vec::new();
    let limit = u64::try_from(guard::MAX_BODY_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    request
        .as_reader()
        .take(limit)
        .read_to_end(&mut buf)
        .map_err(|e| Answer::error(400, "specie::serve::bad_request", &e.to_string(), None))?;
    if buf.len() > guard::MAX_BODY_BYTES {
        return Err(too_large());
    }
    String::from_utf8(buf).map_err(|_| {
        Answer::error(
            400,
            "specie::serve::bad_request",
            "the request body is not UTF-8",
            None,
        )
    })
}

fn post(path: &str, body: &str) -> Answer {
    let run = || -> Result<Answer, Answer> {
        Ok(match path {
            "/api/check" => api::check(&api::body(body)?),
            "/api/tower" => api::tower(&api::body(body)?, false),
            "/api/tower/svg" => api::tower(&api::body(body)?, true),
            "/api/replay" => api::replay(&api::body(body)?, false),
            "/api/explain" => api::replay(&api::body(body)?, true),
            _ => Answer::error(
                404,
                "specie::serve::not_found",
                &format!("no `POST {path}` here"),
                None,
            ),
        })
    };
    run().unwrap_or_else(|a| a)
}

fn simulate_request(mut request: Request) {
    let started = read_body(&mut request)
        .and_then(|b| api::body::<simulate::SimulateRequest>(&b))
        .and_then(simulate::start);
    let stream = match started {
        Ok(stream) => stream,
        Err(a) => {
            let _ = request.respond(response(a));
            return;
        }
    };
    // Written by hand, one chunk per line, so that each line goes out at once (tiny_http's
    // chunked writer holds 8 KiB); the last chunk ends the body on a kept-alive connection.
    let mut w = request.into_writer();
    let mut head =
        String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n");
    for h in common_headers("application/x-ndjson") {
        head.push_str(&format!("{}: {}\r\n", h.field, h.value));
    }
    head.push_str("\r\n");
    if w.write_all(head.as_bytes())
        .and_then(|()| w.flush())
        .is_err()
    {
        return;
    }
    for line in &stream.lines {
        let chunk = format!("{:x}\r\n{line}\n\r\n", line.len().saturating_add(1));
        if w.write_all(chunk.as_bytes())
            .and_then(|()| w.flush())
            .is_err()
        {
            // The client went away: dropping the stream stops the run.
            return;
        }
    }
    let _ = w.write_all(b"0\r\n\r\n").and_then(|()| w.flush());
}

fn kind_of(path: &std::path::Path, text: &str) -> &'static str {
    if path.extension().is_some_and(|e| e == "json") {
        return "scenario";
    }
    match specie::parse::file_kind(text) {
        specie::parse::FileKind::Program => "program",
        specie::parse::FileKind::Model => "model",
        specie::parse::FileKind::Portfolio => "portfolio",
        specie::parse::FileKind::PortfolioModel => "portfolio model",
    }
}

/// `GET /api/files`: the files given on the command line, by index.
fn files(shared: &Shared) -> Answer {
    let list: Vec<serde_json::Value> = shared
        .files
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            serde_json::json!({"id": i, "name": p.display().to_string(), "kind": kind_of(p, &text)})
        })
        .collect();
    Answer::json(serde_json::Value::Array(list).to_string())
}

/// `GET /api/files/N`: that file's text.
fn file(shared: &Shared, path: &str) -> Answer {
    let n = path.trim_start_matches("/api/files/").parse::<usize>().ok();
    let Some(p) = n.and_then(|n| shared.files.get(n)) else {
        return Answer::error(404, "specie::serve::not_found", "no such file", None);
    };
    match super::read_source(p) {
        Ok(text) => Answer {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: text,
        },
        Err(_) => Answer::error(
            500,
            "specie::serve::read",
            &format!("cannot read `{}`", p.display()),
            None,
        ),
    }
}
