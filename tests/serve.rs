//! `specie serve` over real HTTP: each endpoint gives the JSON of the CLI's `--json` for the
//! same files; bad, oversized, foreign-host and cross-origin requests get 4xx and the
//! server serves on; a simulation stops when its client goes away.

mod common;

use common::{root, specie};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PROGRAM: &str = "fixtures/programs/crypto-native-crime-specie.specie";
const SCENARIO: &str = "fixtures/scenarios/crypto-native-crime-specie--year-of-claims.json";
const MODEL: &str = "fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie";
const EVERY_KIND: &str = "fixtures/models/crypto-native-crime-specie--every-kind.specie";

fn start() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_specie"))
        .args(["serve", "--port", "0", PROGRAM, SCENARIO, MODEL])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split("127.0.0.1:")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Server { child, port }
}

/// A raw HTTP/1.1 exchange: (status, headers, body).
fn raw(port: u16, request: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = out[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    (status, head, body)
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 2 + n + 2..];
    }
}

fn request(port: u16, method: &str, path: &str, body: &str, extra: &str) -> (u16, String, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let (s, h, b) = raw(port, req.as_bytes());
    (s, h, String::from_utf8(b).unwrap())
}

fn post(port: u16, path: &str, body: &Value) -> (u16, String) {
    let (s, _, b) = request(port, "POST", path, &body.to_string(), "");
    (s, b)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn cli_json(args: &[&str]) -> Value {
    let (_, stdout, _) = specie(args);
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn each_endpoint_gives_the_clis_json() {
    let s = start();
    // check: a misspelled attribute, as `specie check --format json` sees the same text.
    let typo = read(PROGRAM).replace("colluding_staff >= 2", "coluding_staff >= 2");
    let tmp = std::env::temp_dir().join(format!("specie-serve-{}.specie", std::process::id()));
    std::fs::write(&tmp, &typo).unwrap();
    let name = tmp.display().to_string();
    let (status, body) = post(s.port, "/api/check", &json!({"text": typo, "name": name}));
    assert_eq!(status, 200);
    let want = cli_json(&["check", &name, "--format", "json"]);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), want);
    assert_eq!(want[0]["code"], "specie::type::unknown_field");
    std::fs::remove_file(&tmp).unwrap();
    // tower, replay, explain, simulate.
    let (status, body) = post(
        s.port,
        "/api/tower",
        &json!({"text": read(PROGRAM), "name": PROGRAM}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        cli_json(&["tower", PROGRAM, "--json"])
    );
    let (status, svg) = post(s.port, "/api/tower/svg", &json!({"text": read(PROGRAM)}));
    assert_eq!(status, 200);
    assert!(
        svg.starts_with("<svg") && svg.contains("First excess"),
        "{}",
        &svg[..100]
    );
    let (status, body) = post(
        s.port,
        "/api/replay",
        &json!({"program": read(PROGRAM), "scenario": read(SCENARIO)}),
    );
    assert_eq!(status, 200);
    let replay: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(replay, cli_json(&["replay", PROGRAM, SCENARIO, "--json"]));
    let id = replay["events"][0]["id"].as_str().unwrap();
    let (status, text) = post(
        s.port,
        "/api/explain",
        &json!({"program": read(PROGRAM), "scenario": read(SCENARIO), "event": id, "name": PROGRAM}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        text,
        specie(&["replay", PROGRAM, SCENARIO, "--explain", id]).1
    );
    let (status, body) = post(
        s.port,
        "/api/simulate",
        &json!({"program": read(PROGRAM), "model": read(MODEL), "years": 25000, "seed": 7}),
    );
    assert_eq!(status, 200);
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Progress after each 10,000-year slice, then the result.
    assert_eq!(lines[0], json!({"done": 10000, "years": 25000}));
    assert_eq!(lines[2], json!({"done": 25000, "years": 25000}));
    let cli = cli_json(&[
        "simulate", PROGRAM, MODEL, "--years", "25000", "--seed", "7", "--json",
    ]);
    assert_eq!(lines[3]["result"], cli);
    assert!(lines[3]["svg"].as_str().unwrap().starts_with("<svg"));
    // The files given on the command line.
    let (status, _, body) = request(s.port, "GET", "/api/files", "", "");
    assert_eq!(status, 200);
    let files: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        files[1],
        json!({"id": 1, "name": SCENARIO, "kind": "scenario"})
    );
    let (_, _, text) = request(s.port, "GET", "/api/files/2", "", "");
    assert_eq!(text, read(MODEL));
}

#[test]
fn the_page_is_served_from_the_binary_with_nothing_from_elsewhere() {
    let s = start();
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ] {
        let (status, head, body) = request(s.port, "GET", path, "", "");
        assert_eq!(status, 200, "{path}");
        assert!(head.contains(&format!("Content-Type: {kind}")), "{head}");
        assert!(
            head.contains("Content-Security-Policy: default-src 'self'"),
            "{head}"
        );
        assert!(
            !head.to_ascii_lowercase().contains("access-control-allow"),
            "{head}"
        );
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path} names another site"
        );
    }
}

#[test]
fn bad_requests_get_4xx_and_the_server_serves_on() {
    let s = start();
    let p = s.port;
    let prog = read(PROGRAM);
    let cases: Vec<(u16, (u16, String, String))> = vec![
        (400, request(p, "POST", "/api/check", "{not json", "")),
        (
            400,
            request(p, "POST", "/api/replay", r#"{"program": "x"}"#, ""),
        ),
        (404, request(p, "GET", "/api/nothing", "", "")),
        (404, request(p, "GET", "/api/files/99", "", "")),
        (
            422,
            request(
                p,
                "POST",
                "/api/tower",
                &json!({"text": "program \"x\" {"}).to_string(),
                "",
            ),
        ),
        (
            400,
            request(
                p,
                "POST",
                "/api/simulate",
                &json!({"program": prog, "model": read(MODEL), "years": 2_000_000}).to_string(),
                "",
            ),
        ),
        // Another site's page, through DNS rebinding (its own name as Host) or cross-origin.
        (
            421,
            raw_request(
                p,
                "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
            ),
        ),
        (
            421,
            raw_request(p, "GET /api/files HTTP/1.1\r\nConnection: close\r\n\r\n"),
        ),
        (
            403,
            request(
                p,
                "POST",
                "/api/check",
                &json!({"text": prog}).to_string(),
                "Origin: https://evil.example\r\n",
            ),
        ),
        (
            403,
            request(
                p,
                "POST",
                "/api/check",
                &json!({"text": prog}).to_string(),
                "Origin: null\r\n",
            ),
        ),
    ];
    for (want, (got, head, body)) in cases {
        assert_eq!(got, want, "{head}\n{body}");
        let e: Value = serde_json::from_str(&body).unwrap();
        assert!(
            e["error"]["code"].as_str().unwrap().starts_with("specie::"),
            "{body}"
        );
        assert!(!head.to_ascii_lowercase().contains("access-control-allow"));
    }
    // The same origin is welcome.
    let (status, _, _) = request(
        p,
        "POST",
        "/api/check",
        &json!({"text": prog}).to_string(),
        &format!("Origin: http://127.0.0.1:{p}\r\n"),
    );
    assert_eq!(status, 200);
    // An oversized body: refused from its Content-Length, before it is read.
    let big = format!("POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 64u64 << 20);
    let (status, _, _) = raw(p, big.as_bytes());
    assert_eq!(status, 413);
    let (status, _, _) = request(
        p,
        "POST",
        "/api/check",
        &json!({"text": prog}).to_string(),
        "",
    );
    assert_eq!(status, 200, "the server still serves");
}

fn raw_request(port: u16, text: &str) -> (u16, String, String) {
    let (s, h, b) = raw(port, text.as_bytes());
    (s, h, String::from_utf8(b).unwrap())
}

fn status(port: u16) -> Value {
    let (_, _, body) = request(port, "GET", "/api/status", "", "");
    serde_json::from_str(&body).unwrap()
}

fn running(port: u16) -> u64 {
    status(port)["simulations_running"].as_u64().unwrap()
}

#[test]
fn a_simulation_stops_when_its_client_goes_away() {
    let s = start();
    let body = json!({"program": read(PROGRAM), "model": read(EVERY_KIND), "years": 1_000_000})
        .to_string();
    let req = format!(
        "POST /api/simulate HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.port,
        body.len()
    );
    let mut conn = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    conn.write_all(req.as_bytes()).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    // The headers, then the first progress line.
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.contains("\"done\"") {
            break;
        }
    }
    assert_eq!(running(s.port), 1);
    drop(reader);
    conn.shutdown(std::net::Shutdown::Both).unwrap();
    drop(conn);
    // The run stops within a slice (10,000 years) or two of the client leaving, far short
    // of the million years asked for.
    let t = Instant::now();
    while running(s.port) != 0 {
        assert!(t.elapsed() < Duration::from_secs(60), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
    let years = status(s.port)["years_simulated"].as_u64().unwrap();
    eprintln!(
        "stopped {:?} after the client left, at {years} years",
        t.elapsed()
    );
    assert!(years < 1_000_000, "{years} years: the run did not stop");
}

#[test]
fn a_portfolio_gets_the_book_view() {
    let s = start();
    let book = "fixtures/book/custody-book.specie";
    let (status, body) = post(
        s.port,
        "/api/tower",
        &json!({"text": read(book), "name": book}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        cli_json(&["tower", book, "--json"])
    );
    let (status, svg) = post(
        s.port,
        "/api/tower/svg",
        &json!({"text": read(book), "name": book}),
    );
    assert_eq!(status, 200);
    assert!(
        svg.starts_with("<svg") && svg.contains("multisig_ui"),
        "{}",
        &svg[..200]
    );
    // A portfolio scenario through the book, as `specie replay PORTFOLIO SCENARIO --json`.
    let scenario = "fixtures/book/scenarios/custody-book--wallet-front-end-compromise.json";
    let (status, body) = post(
        s.port,
        "/api/replay",
        &json!({"program": read(book), "scenario": read(scenario), "name": book}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        cli_json(&["replay", book, scenario, "--json"])
    );
    // Its programs are read beside the name given; elsewhere they are missing: 422.
    let (status, body) = post(
        s.port,
        "/api/tower",
        &json!({"text": read(book), "name": "elsewhere/book.specie"}),
    );
    assert_eq!(status, 422, "{body}");
}
