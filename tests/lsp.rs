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
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut c = Client::spawn();
        c.initialize();
        c
    }

    fn spawn() -> Client {
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
        Client {
            child,
            stdin,
            stdout,
            next_id: 100,
        }
    }

    fn initialize(&mut self) {
        let c = self;
        c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"capabilities": {}, "processId": null, "rootUri": null}}));
        let init = c.response(1);
        assert_eq!(init["result"]["capabilities"]["textDocumentSync"], 1);
        assert_eq!(
            init["result"]["capabilities"]["documentFormattingProvider"],
            true
        );
        c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    }

    /// Sends a request and returns its result (the test fails on an error response).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let r = self.response(id);
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    /// A request at byte `offset` of `text` (open as `uri`).
    fn at(&mut self, method: &str, uri: &str, text: &str, offset: usize) -> Value {
        let (line, character) = lsp_position(text, offset);
        let mut params = json!({"textDocument": {"uri": uri},
                                "position": {"line": line, "character": character}});
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        self.call(method, params)
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

/// Byte offset of the `nth` (from 0) occurrence of `needle` in `text`, plus `skip`.
fn find(text: &str, needle: &str, nth: usize, skip: usize) -> usize {
    text.match_indices(needle).nth(nth).unwrap().0 + skip
}

/// The text a range (as LSP JSON) covers.
fn slice<'a>(text: &'a str, range: &Value) -> &'a str {
    let off = |p: &Value| {
        let (l, c) = (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        );
        let start: usize = text
            .split_inclusive('\n')
            .take(l as usize)
            .map(str::len)
            .sum();
        let line = &text[start..];
        let mut units = 0;
        for (i, ch) in line.char_indices() {
            if units >= c {
                return start + i;
            }
            units += ch.len_utf16() as u64;
        }
        start + line.len()
    };
    &text[off(&range["start"])..off(&range["end"])]
}

fn program_fixture() -> (String, String) {
    let path = root().join("fixtures/programs/crypto-native-crime-specie.specie");
    (uri(&path), std::fs::read_to_string(&path).unwrap())
}

#[test]
fn hover_says_what_a_clause_does_with_its_amounts() {
    let mut c = Client::start();
    let (u, text) = program_fixture();
    assert!(c.open(&u, &text).is_empty());
    let hover = |c: &mut Client, needle: &str, nth: usize| -> String {
        let h = c.at("textDocument/hover", &u, &text, find(&text, needle, nth, 1));
        assert_eq!(h["contents"]["kind"], "markdown", "{h}");
        h["contents"]["value"].as_str().unwrap().to_string()
    };
    let sub = hover(&mut c, "sublimit \"Hot wallets\"", 0);
    assert!(sub.contains("at most 25M (USD 25,000,000) per occurrence and at most 50M (USD 50,000,000) in the period"), "{sub}");
    assert!(sub.contains("`tier is hot`"), "{sub}");
    let ded = hover(&mut c, "deductible \"Hot retention\"", 0);
    assert!(ded.contains("retains 5% of the covered loss per occurrence, at least 500k (USD 500,000), at most 2.5M (USD 2,500,000)"), "{ded}");
    // First excess 40M xs 10M: the band 10M to 50M; each of two carriers at 50% holds
    // 40M × 50% = 20M of the limit.
    let layer = hover(&mut c, "layer \"First excess\"", 0);
    assert!(layer.contains("above 10M (USD 10,000,000) up to USD 50,000,000, at most 40M (USD 40,000,000) per occurrence"), "{layer}");
    assert!(
        layer.contains("carrier \"Harbor Underwriting\" 50% (USD 20,000,000 of the limit)"),
        "{layer}"
    );
    assert!(
        layer.contains("excludes \"No vendor breach above primary\" when `cause is vendor_breach`"),
        "{layer}"
    );
    let primary = hover(&mut c, "layer \"Primary\"", 0);
    assert!(
        primary.contains("annual aggregate 20M")
            && primary.contains("reinstatements 1 at 100%")
            && primary.contains("premium 400k"),
        "{primary}"
    );
    // An attribute where a condition uses it: its type and default.
    let attr = hover(&mut c, "colluding_staff >= 2", 0);
    assert!(
        attr.contains("**Attribute `colluding_staff`**: a `count` fact")
            && attr.contains("takes `0`"),
        "{attr}"
    );
    // A carrier: its line in every layer.
    let carrier = hover(&mut c, "\"Northgate Specialty\"", 0);
    assert!(
        carrier.contains("100% of layer \"Primary\" (10M xs 0): USD 10,000,000 per occurrence"),
        "{carrier}"
    );
    c.finish();
}

#[test]
fn hover_on_a_model_gives_the_mean_frequency_and_severity() {
    let mut c = Client::start();
    let path = root().join("fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie");
    let (u, text) = (uri(&path), std::fs::read_to_string(&path).unwrap());
    assert!(c.open(&u, &text).is_empty());
    let h = c.at(
        "textDocument/hover",
        &u,
        &text,
        find(&text, "loss hot lognormal", 0, 0),
    );
    let h = h["contents"]["value"].as_str().unwrap();
    // Lognormal mean = median × exp(σ²/2) = 17.9M × exp(1.89²/2) = 17.9M × exp(1.78605)
    // = 17.9M × 5.96584… ≈ 106,788,550; the hover rounds it to whole units.
    let mean = 17_900_000f64 * (1.89f64 * 1.89 / 2.0).exp();
    assert!((106_788_000.0..106_789_000.0).contains(&mean), "{mean}");
    let expected = format!("mean ≈ {}", group(mean.round() as u64));
    assert!(
        h.contains("0.35 events a year on average (frequency poisson 0.35 per year)"),
        "{h}"
    );
    assert!(h.contains(&expected), "{h} / {expected}");
    assert!(
        h.contains("before the cap), capped at the tier's exposure"),
        "{h}"
    );
    c.finish();
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[test]
fn definition_and_references_follow_names() {
    let mut c = Client::start();
    let (u, text) = program_fixture();
    c.open(&u, &text);
    // The attribute used in an exclusion → its declaration.
    let d = c.at(
        "textDocument/definition",
        &u,
        &text,
        find(&text, "colluding_staff >= 2", 0, 3),
    );
    assert_eq!(d.as_array().unwrap().len(), 1);
    assert_eq!(d[0]["uri"], u);
    assert_eq!(
        d[0]["range"]["start"]["line"],
        text[..find(&text, "attribute colluding_staff", 0, 0)]
            .matches('\n')
            .count()
    );
    assert_eq!(slice(&text, &d[0]["range"]), "colluding_staff");
    // References with the declaration: declaration, exclusion, and the check's `with`.
    let r = c.at(
        "textDocument/references",
        &u,
        &text,
        find(&text, "colluding_staff", 0, 0),
    );
    let lines: Vec<u64> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{r}");
    for l in r.as_array().unwrap() {
        assert_eq!(slice(&text, &l["range"]), "colluding_staff");
    }
    // The carrier named in a check's expectation → where it takes its share.
    let d = c.at(
        "textDocument/definition",
        &u,
        &text,
        find(&text, "carrier \"Northgate Specialty\" paid", 0, 9),
    );
    assert_eq!(slice(&text, &d[0]["range"]), "\"Northgate Specialty\"");
    assert!(d[0]["range"]["start"]["line"].as_u64().unwrap() < lines[2]);
    c.finish();
}

#[test]
fn treaties_carriers_and_portfolio_programs_are_navigable() {
    let mut c = Client::start();
    let path = root().join("fixtures/programs/reinsured-crime-staking.specie");
    let (u, text) = (uri(&path), std::fs::read_to_string(&path).unwrap());
    c.open(&u, &text);
    if let Some(at) = text.find("inures after \"") {
        let d = c.at("textDocument/definition", &u, &text, at + 14);
        let name = &text[at + 13..][..text[at + 14..].find('"').unwrap() + 2];
        assert_eq!(slice(&text, &d[0]["range"]), name);
        assert!(text
            .lines()
            .nth(d[0]["range"]["start"]["line"].as_u64().unwrap() as usize)
            .unwrap()
            .contains("treaty "));
    } else {
        panic!("the reinsured fixture has an `inures after`");
    }
    // A cedent is a carrier of the tower: its definitions are its share sites.
    let at = find(&text, "cedent \"", 0, 8);
    let d = c.at("textDocument/definition", &u, &text, at);
    assert!(!d.as_array().unwrap().is_empty(), "{d}");
    for l in d.as_array().unwrap() {
        let line = text
            .lines()
            .nth(l["range"]["start"]["line"].as_u64().unwrap() as usize)
            .unwrap();
        assert!(
            line.contains("carrier \"") || line.contains("reinsurer \""),
            "{line}"
        );
    }
    // A portfolio: `uses "KEY"` → the program's declaration; the declaration → its file.
    let book = root().join("fixtures/book/custody-book.specie");
    let (bu, btext) = (uri(&book), std::fs::read_to_string(&book).unwrap());
    c.open(&bu, &btext);
    let d = c.at(
        "textDocument/definition",
        &bu,
        &btext,
        find(&btext, "uses \"exchange\"", 0, 7),
    );
    assert_eq!(slice(&btext, &d[0]["range"]), "\"exchange\"");
    let d = c.at(
        "textDocument/definition",
        &bu,
        &btext,
        find(&btext, "program \"exchange\"", 0, 10),
    );
    let target = root().join("fixtures/book/../programs/broker-tower.specie");
    assert_eq!(d[0]["uri"], uri(&target));
    assert!(target.exists());
    c.finish();
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_offers_what_fits_where_the_cursor_is() {
    let mut c = Client::start();
    let (u, text) = program_fixture();
    // Symbols after `tier is`: the standard tiers.
    let cut = find(&text, "when tier is hot", 0, 13);
    let partial = format!("{}\n", &text[..cut]);
    c.open(&u, &partial);
    let got = labels(&c.at("textDocument/completion", &u, &partial, cut));
    assert_eq!(got, ["hot", "warm", "cold"]);
    // Fields in a condition: the built-ins and the three declared attributes.
    let cut = find(&text, "when cause is insider_theft", 0, 5);
    let partial = format!("{}co", &text[..cut]);
    c.change(&u, 2, &partial);
    let got = labels(&c.at("textDocument/completion", &u, &partial, partial.len()));
    for f in [
        "cause",
        "tier",
        "asset",
        "value",
        "colluding_staff",
        "key_ceremony_documented",
        "reported_after",
    ] {
        assert!(got.contains(&f.to_string()), "{f}: {got:?}");
    }
    // Carrier names inside a string after `carrier`, replacing what is typed.
    let partial = format!(
        "{}\n  layer \"X\" 1M xs 100M {{\n    carrier \"Ha",
        &text[..text.rfind('}').unwrap()]
    );
    c.change(&u, 3, &partial);
    let r = c.at("textDocument/completion", &u, &partial, partial.len());
    let got = labels(&r);
    assert!(
        got.contains(&"\"Harbor Underwriting\"".to_string()),
        "{got:?}"
    );
    assert_eq!(slice(&partial, &r[0]["textEdit"]["range"]), "\"Ha");
    // Layer keywords at the start of a layer item; units after a number.
    let partial = format!(
        "{}\n  layer \"X\" 1M xs 100M {{\n    ",
        &text[..text.rfind('}').unwrap()]
    );
    c.change(&u, 4, &partial);
    let got = labels(&c.at("textDocument/completion", &u, &partial, partial.len()));
    assert_eq!(
        got,
        [
            "aggregate",
            "reinstatements",
            "premium",
            "carrier",
            "exclude"
        ]
    );
    let partial = format!("{}premium 40", partial);
    c.change(&u, 5, &partial);
    let got = labels(&c.at("textDocument/completion", &u, &partial, partial.len()));
    assert!(
        got.contains(&"40M".to_string()) && got.contains(&"40k".to_string()),
        "{got:?}"
    );
    c.finish();
}

#[test]
fn document_symbols_outline_the_program() {
    let mut c = Client::start();
    let (u, text) = program_fixture();
    c.open(&u, &text);
    let s = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let program = &s[0];
    assert_eq!(program["name"], "Crypto-native crime and specie 2026");
    let names: Vec<&str> = program["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for n in [
        "colluding_staff",
        "Hot wallets",
        "Hot retention",
        "Late notice",
        "Primary",
        "First excess",
        "Second excess",
    ] {
        assert!(names.contains(&n), "{n}: {names:?}");
    }
    let first = program["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "First excess")
        .unwrap();
    assert_eq!(first["detail"], "40M xs 10M");
    let carriers: Vec<&str> = first["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(carriers, ["Harbor Underwriting", "Meridian Mutual"]);
    assert_eq!(slice(&text, &first["selectionRange"]), "\"First excess\"");
    c.finish();
}

/// Applies a code action's edits to `text` (last first, so offsets stay valid).
fn apply(text: &str, uri: &str, action: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = action["edit"]["changes"][uri]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = slice(text, &e["range"]);
            let start = s.as_ptr() as usize - text.as_ptr() as usize;
            (
                start,
                start + s.len(),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in edits {
        out.replace_range(a..b, &t);
    }
    out
}

#[test]
fn code_actions_fix_a_misspelling_and_allow_a_finding() {
    let mut c = Client::start();
    let (u, text) = program_fixture();
    let typo = text.replace("colluding_staff >= 2", "coluding_staff >= 2");
    let diags = c.open(&u, &typo);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u},
        "range": diags[0]["range"], "context": {"diagnostics": diags}}),
    );
    assert_eq!(
        actions[0]["title"],
        "replace `coluding_staff` with `colluding_staff`"
    );
    assert_eq!(actions[0]["isPreferred"], true);
    let fixed = apply(&typo, &u, &actions[0]);
    assert_eq!(fixed, text);
    assert!(c.change(&u, 2, &fixed).is_empty());
    // A tower finding: a gap between two layers; `allow` silences it.
    let gappy = text.replace(
        "layer \"Second excess\" 50M xs 50M",
        "layer \"Second excess\" 50M xs 60M",
    );
    let diags = c.change(&u, 3, &gappy);
    let gap: Vec<Value> = diags
        .into_iter()
        .filter(|d| d["code"] == "specie::tower::gap")
        .collect();
    assert_eq!(gap.len(), 1);
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u},
        "range": gap[0]["range"], "context": {"diagnostics": gap}}),
    );
    let allow = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("allow"))
        .unwrap();
    let silenced = apply(&gappy, &u, allow);
    assert!(
        silenced.ends_with("  allow specie::tower::gap\n}\n"),
        "{}",
        &silenced[silenced.len() - 80..]
    );
    let after = c.change(&u, 4, &silenced);
    assert!(
        after.iter().all(|d| d["code"] != "specie::tower::gap"),
        "{after:?}"
    );
    c.finish();
}

#[test]
fn malformed_json_gets_a_parse_error_and_the_server_serves_on() {
    let mut c = Client::spawn();
    c.stdin
        .write_all(b"Content-Length: 9\r\n\r\n{not json")
        .unwrap();
    let r = c.read();
    assert_eq!(r["id"], Value::Null);
    assert_eq!(r["error"]["code"], -32700);
    c.send(&json!({"jsonrpc": "2.0", "x": 1}));
    assert_eq!(c.read()["error"]["code"], -32600);
    c.initialize();
    let (u, text) = program_fixture();
    assert!(c.open(&u, &text).is_empty());
    c.finish();
}

#[test]
fn broken_framing_ends_the_server_with_an_error_not_a_crash() {
    for input in [
        &b"Content-Length: x\r\n\r\n{}"[..],
        b"Content-Length: 99\r\n\r\n{}",
        b"no header\r\n\r\n",
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_specie"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("error: specie lsp:"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn exit_without_shutdown_is_status_one() {
    let mut c = Client::start();
    c.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(c.child.wait().unwrap().code(), Some(1));
}

/// Whether every `range` in `v` (at any depth) lies inside `text`: its line exists and its
/// character is at most the line's length in UTF-16 units.
fn ranges_fit(text: &str, v: &Value) -> Result<(), String> {
    match v {
        Value::Object(m) => {
            if let (Some(s), Some(e)) = (m.get("start"), m.get("end")) {
                for p in [s, e] {
                    let (l, c) = (
                        p["line"].as_u64().unwrap_or(u64::MAX),
                        p["character"].as_u64().unwrap_or(u64::MAX),
                    );
                    let lines: Vec<&str> = text.split('\n').collect();
                    let line = lines
                        .get(l as usize)
                        .ok_or(format!("line {l} of {}", lines.len()))?;
                    if c > line.encode_utf16().count() as u64 {
                        return Err(format!("character {c} past line {l} `{line}`"));
                    }
                }
            }
            m.values().try_for_each(|x| ranges_fit(text, x))
        }
        Value::Array(a) => a.iter().try_for_each(|x| ranges_fit(text, x)),
        _ => Ok(()),
    }
}

#[test]
fn random_edits_never_crash_the_server_or_leave_the_text() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let mut sources: Vec<String> = Vec::new();
    for dir in [
        "fixtures/programs",
        "fixtures/models",
        "fixtures/book",
        "fixtures/invalid",
    ] {
        for p in files(dir, "specie") {
            sources.push(std::fs::read_to_string(p).unwrap());
        }
    }
    const SNIPPETS: &[&str] = &[
        "",
        "\"",
        "{",
        "}",
        "𝄞",
        "é",
        "\n",
        " when ",
        " tier is ",
        "carrier \"",
        "10M",
        "%",
        "attribute x: flag\n",
        "layer \"L\" 1M xs 0 { carrier \"A\" 100% }",
        "#",
        "and",
        "[",
        "::",
    ];
    let client = std::cell::RefCell::new(Client::start());
    let version = std::cell::Cell::new(1i64);
    let methods = [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/completion",
    ];
    let strategy = (
        0..sources.len(),
        proptest::collection::vec(
            (any::<prop::sample::Index>(), 0usize..40, 0..SNIPPETS.len()),
            1..6,
        ),
        any::<prop::sample::Index>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(src, edits, cursor)| {
            let mut text = sources[src].clone();
            for (at, del, snip) in edits {
                let mut a = at.index(text.len() + 1);
                while !text.is_char_boundary(a) {
                    a -= 1;
                }
                let mut b = (a + del).min(text.len());
                while !text.is_char_boundary(b) {
                    b += 1;
                }
                text.replace_range(a..b, SNIPPETS[snip]);
            }
            let mut c = client.borrow_mut();
            let u = "file:///tmp/specie-lsp-fuzz/edited.specie";
            version.set(version.get() + 1);
            let diags = if version.get() == 2 { c.open(u, &text) } else { c.change(u, version.get(), &text) };
            ranges_fit(&text, &Value::Array(diags)).map_err(|e| TestCaseError::fail(format!("diagnostics: {e}")))?;
            let mut at = cursor.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            for m in methods {
                let r = c.at(m, u, &text, at);
                ranges_fit(&text, &r).map_err(|e| TestCaseError::fail(format!("{m}: {e}")))?;
            }
            let s = c.call("textDocument/documentSymbol", json!({"textDocument": {"uri": u}}));
            ranges_fit(&text, &s).map_err(|e| TestCaseError::fail(format!("symbols: {e}")))?;
            let f = c.call("textDocument/formatting", json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}));
            ranges_fit(&text, &f).map_err(|e| TestCaseError::fail(format!("formatting: {e}")))?;
            Ok(())
        })
        .unwrap();
    client.into_inner().finish();
}

#[test]
fn every_did_you_mean_of_the_invalid_fixtures_is_a_fix_that_removes_its_error() {
    let mut c = Client::start();
    let mut fixed = 0;
    for path in files("fixtures/invalid", "specie") {
        let (u, text) = (uri(&path), std::fs::read_to_string(&path).unwrap());
        let diags = c.open(&u, &text);
        for d in diags
            .iter()
            .filter(|d| d["message"].as_str().unwrap().contains("did you mean"))
        {
            let actions = c.call(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u},
                "range": d["range"], "context": {"diagnostics": [d]}}),
            );
            let fix = &actions[0];
            assert_eq!(fix["isPreferred"], true, "{}: {actions}", path.display());
            let suggestion = d["message"]
                .as_str()
                .unwrap()
                .split('`')
                .nth(3)
                .unwrap()
                .to_string();
            let after = apply(&text, &u, fix);
            assert!(after.contains(&suggestion), "{}: {after}", path.display());
            let again = c.change(&u, 2, &after);
            assert!(
                again.iter().all(|x| x["code"] != d["code"]),
                "{}: {} still there after the fix: {again:?}",
                path.display(),
                d["code"]
            );
            c.change(&u, 3, &text);
            fixed += 1;
        }
    }
    // unknown-field, unknown-item, unknown-currency, treaty-unknown-cedent, check-unknown-carrier.
    assert!(fixed >= 5, "{fixed} fixes");
    c.finish();
}
