//! `specie lsp` driven as an editor drives it: JSON-RPC over the child's stdin/stdout with
//! LSP framing. Diagnostics equal `specie check --format json` (byte spans converted to
//! line and UTF-16 column), formatting equals `specie fmt`, unknown methods get errors,
//! shutdown and exit end the process with status 0.

mod common;

use common::{files, root, specie};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_specie"))
            .arg("lsp")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut c = Client {
            child,
            stdin,
            stdout,
        };
        c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"capabilities": {}, "processId": null, "rootUri": null}}));
        let init = c.response(1);
        assert_eq!(init["result"]["capabilities"]["textDocumentSync"], 1);
        assert_eq!(
            init["result"]["capabilities"]["documentFormattingProvider"],
            true
        );
        c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        c
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "server closed"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                len = n.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn response(&mut self, id: i64) -> Value {
        loop {
            let m = self.read();
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
        }
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = self.read();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "specie", "version": 1, "text": text}}}),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]}}),
        );
        self.diagnostics(uri)
    }

    fn finish(mut self) {
        self.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}));
        assert_eq!(self.response(99)["result"], Value::Null);
        self.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
    }
}

/// (line, UTF-16 column) of byte `offset`, by an independent count.
fn lsp_position(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64;
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count() as u64;
    (line, col)
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn diagnostics_equal_specie_check_for_every_invalid_fixture() {
    let mut c = Client::start();
    let mut seen = 0;
    for path in files("fixtures/invalid", "specie") {
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, out, _) = specie(&["check", "--format", "json", path.to_str().unwrap()]);
        let want: Vec<Value> = serde_json::from_str(&out).unwrap();
        let got = c.open(&uri(&path), &text);
        assert_eq!(got.len(), want.len(), "{}", path.display());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g["code"], w["code"], "{}", path.display());
            assert_eq!(
                g["severity"],
                match w["severity"].as_str().unwrap() {
                    "error" => 1,
                    "warning" => 2,
                    _ => 3,
                }
            );
            assert!(g["message"]
                .as_str()
                .unwrap()
                .starts_with(w["message"].as_str().unwrap()));
            let start = w["span"]["start"].as_u64().unwrap() as usize;
            let end = w["span"]["end"].as_u64().unwrap() as usize;
            let (l, ch) = lsp_position(&text, start);
            assert_eq!(
                (
                    g["range"]["start"]["line"].as_u64().unwrap(),
                    g["range"]["start"]["character"].as_u64().unwrap()
                ),
                (l, ch),
                "{}",
                path.display()
            );
            let (l, ch) = lsp_position(&text, end);
            assert_eq!(
                (
                    g["range"]["end"]["line"].as_u64().unwrap(),
                    g["range"]["end"]["character"].as_u64().unwrap()
                ),
                (l, ch),
                "{}",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 35, "{seen} diagnostics");
    c.finish();
}

#[test]
fn a_fix_clears_the_diagnostics_and_columns_count_utf16() {
    let mut c = Client::start();
    let good =
        std::fs::read_to_string(root().join("fixtures/programs/crypto-native-crime-specie.specie"))
            .unwrap();
    // A misspelled keyword after a comment with a character outside the BMP (two UTF-16
    // units, four bytes) and an accented one (one unit, two bytes).
    let bad = good.replacen("  currency USD", "  # 𝄞 é\n  curency USD", 1);
    let u = "file:///tmp/specie-lsp-test.specie";
    let got = c.open(u, &bad);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["code"], "specie::parse::unknown_item");
    let line = bad[..bad.find("curency").unwrap()].matches('\n').count() as u64;
    assert_eq!(got[0]["range"]["start"]["line"], line);
    assert_eq!(got[0]["range"]["start"]["character"], 2);
    // An error after 𝄞 and é on its own line: the column counts 𝄞 as two units, é as one
    // (the check's byte span converted independently).
    let bad = good.replacen(
        "  currency USD",
        "  currency USD\n  sublimit \"𝄞 é\" 5M per ocurrence",
        1,
    );
    let file = std::env::temp_dir().join(format!("specie-lsp-utf16-{}.specie", std::process::id()));
    std::fs::write(&file, &bad).unwrap();
    let (_, out, _) = specie(&["check", "--format", "json", file.to_str().unwrap()]);
    let want: Vec<Value> = serde_json::from_str(&out).unwrap();
    let got = c.change(u, 2, &bad);
    assert_eq!(got.len(), want.len());
    let start = want[0]["span"]["start"].as_u64().unwrap() as usize;
    let (l, ch) = lsp_position(&bad, start);
    let line_text = bad.lines().nth(l as usize).unwrap();
    assert!(line_text.contains('𝄞'), "{line_text}");
    let chars = line_text[..start - bad[..start].rfind('\n').unwrap() - 1]
        .chars()
        .count();
    assert_eq!(ch as usize, chars + 1, "𝄞 is two UTF-16 units");
    assert_eq!(
        got[0]["range"]["start"],
        json!({"line": l, "character": ch})
    );
    assert!(c.change(u, 3, &good).is_empty());
    c.finish();
}

#[test]
fn formatting_equals_specie_fmt_and_unknown_methods_are_errors() {
    let src =
        std::fs::read_to_string(root().join("fixtures/programs/crypto-native-crime-specie.specie"))
            .unwrap();
    // Squeezed layout: the same program, indentation removed.
    let messy: String = src
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    let dir = std::env::temp_dir().join(format!("specie-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("messy.specie");
    std::fs::write(&file, &messy).unwrap();
    let (code, _, err) = specie(&["fmt", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let want = std::fs::read_to_string(&file).unwrap();
    assert_ne!(want, messy);
    let mut c = Client::start();
    let u = uri(&file);
    assert!(c.open(&u, &messy).is_empty());
    c.send(
        &json!({"jsonrpc": "2.0", "id": 7, "method": "textDocument/formatting", "params": {
        "textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}}),
    );
    let edits = c.response(7)["result"].as_array().unwrap().clone();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], want.as_str());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    let last = messy.matches('\n').count();
    assert_eq!(
        edits[0]["range"]["end"],
        json!({"line": last, "character": 0})
    );
    c.send(&json!({"jsonrpc": "2.0", "id": 8, "method": "textDocument/noSuchThing", "params": {}}));
    assert_eq!(c.response(8)["error"]["code"], -32601);
    // Bad parameters: an error answer, and the server keeps serving.
    c.send(&json!({"jsonrpc": "2.0", "id": 9, "method": "textDocument/formatting", "params": {"x": 1}}));
    assert_eq!(c.response(9)["error"]["code"], -32602);
    c.finish();
}

#[test]
fn malformed_input_ends_the_server_with_an_error_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_specie"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Content-Length: 9\r\n\r\n{not json")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
