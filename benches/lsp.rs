//! Work per keystroke in `specie lsp` (brief section 17, issue 28): a 1 MiB program sent
//! whole (full sync) and its diagnostics back, timed from the `didChange` written to the
//! `publishDiagnostics` read, over the real server's stdio. Also hover and completion in
//! the same document. Target: the re-check under 50 ms.
//!
//! `cargo bench --bench lsp`

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

/// A generated program of at least `bytes`: attributes, exclusions and sub-limits with
/// conditions, and a tower of 1M layers with two carriers each.
fn program(bytes: usize) -> String {
    let mut s = String::from(
        "program \"Large generated program\" {\n  period 2026-01-01 to 2027-01-01\n  covers external_hack, insider_theft, key_compromise\n  exposure hot 40M\n",
    );
    for i in 0..200 {
        s.push_str(&format!("  attribute a{i}: count = 0\n"));
    }
    let mut k = 0;
    while s.len() < bytes {
        s.push_str(&format!(
            "  exclude \"Exclusion {k}\" when cause is insider_theft and a{} >= {} and tier in [hot, warm]\n  sublimit \"Sublimit {k}\" {}M per occurrence when tier is hot and a{} > 3\n  layer \"Layer {k}\" 1M xs {k}M {{\n    carrier \"Carrier {}\" 60%\n    carrier \"Carrier {}\" 40%\n  }}\n",
            k % 200, k % 7 + 2, k % 90 + 10, (k + 1) % 200, k % 40, (k + 1) % 40
        ));
        k += 1;
    }
    s.push_str("}\n");
    s
}

struct Server {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Server {
    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
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

    fn until(&mut self, f: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.read();
            if f(&v) {
                return v;
            }
        }
    }
}

const URI: &str = "file:///tmp/specie-bench/large.specie";

fn bench(c: &mut Criterion) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_specie"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut s = Server {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
    };
    s.send(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    s.until(|v| v["id"] == 1);
    s.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let text = program(1 << 20);
    // One typo (a misspelled attribute) so that the diagnostics are not empty.
    let typo = text.replacen("a3 >= ", "a3x >= ", 1);
    assert!(text.len() >= 1 << 20);
    s.send(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": URI, "languageId": "specie", "version": 1, "text": text}}}),
    );
    s.until(|v| v["method"] == "textDocument/publishDiagnostics");
    let mut version = 1;
    let mut g = c.benchmark_group("lsp_1MiB");
    g.sample_size(20);
    g.bench_function("did_change_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            let t = if version % 2 == 0 { &typo } else { &text };
            s.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": t}]}}));
            let d = s.until(|v| v["method"] == "textDocument/publishDiagnostics");
            assert_eq!(d["params"]["diagnostics"].as_array().unwrap().len(), usize::from(version % 2 == 0));
        })
    });
    let line = text[..text.find("layer \"Layer 1000\"").unwrap()]
        .matches('\n')
        .count();
    let mut id = 10;
    for (name, method) in [
        ("hover_layer", "textDocument/hover"),
        ("completion", "textDocument/completion"),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                id += 1;
                s.send(
                    &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {
                    "textDocument": {"uri": URI}, "position": {"line": line, "character": 10}}}),
                );
                s.until(|v| v["id"] == id);
            })
        });
    }
    g.finish();
    s.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    s.until(|v| v["id"] == 2);
    s.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    child.wait().unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
