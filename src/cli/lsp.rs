//! `specie lsp`: a language server (LSP 3.17, JSON-RPC over stdio) for programs, models
//! and portfolio files (brief section 17). This first part: diagnostics on open and on
//! every change (full sync) with the codes, severities, spans and labels of
//! `specie check`, document formatting (`specie fmt`, as one edit), shutdown and exit.
//! Positions are in UTF-16 code units, as LSP requires.

use super::EXIT_USAGE;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentFormattingParams,
    InitializeResult, Location, NumberOrString, Position, PublishDiagnosticsParams, Range,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit,
    Uri,
};
use specie::diagnostic::JsonDiagnostic;
use std::collections::HashMap;
use std::path::PathBuf;

/// Runs the server on stdin/stdout until `exit`.
pub fn run() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let status = serve(&connection);
    drop(connection);
    match status.and(io_threads.join().map_err(|e| e.to_string())) {
        Ok(()) => 0,
        Err(e) => {
            errln!("error: specie lsp: {e}");
            EXIT_USAGE
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        document_formatting_provider: Some(lsp_types::OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

fn serve(connection: &Connection) -> Result<(), String> {
    let init = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "specie".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let init = serde_json::to_value(init).map_err(|e| e.to_string())?;
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, init)
        .map_err(|e| e.to_string())?;
    // Keyed by the URI's text (`Uri` caches its parts inside).
    let mut docs: HashMap<String, String> = HashMap::new();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                send(connection, request(&docs, req))?;
            }
            Message::Notification(n) => {
                if let Some(uri) = notification(&mut docs, n) {
                    let text = docs.get(uri.as_str()).map_or("", String::as_str);
                    let params = PublishDiagnosticsParams {
                        diagnostics: diagnostics(&uri, text),
                        uri,
                        version: None,
                    };
                    send(connection, publish(params))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, msg: Message) -> Result<(), String> {
    connection.sender.send(msg).map_err(|e| e.to_string())
}

fn publish(params: PublishDiagnosticsParams) -> Message {
    Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        params,
    ))
}

/// Updates the documents; the document whose diagnostics changed, if any.
fn notification(docs: &mut HashMap<String, String>, n: Notification) -> Option<Uri> {
    match n.method.as_str() {
        "textDocument/didOpen" => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            docs.insert(
                p.text_document.uri.as_str().to_string(),
                p.text_document.text,
            );
            Some(p.text_document.uri)
        }
        "textDocument/didChange" => {
            let p: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(n.params).ok()?;
            // Full sync: the last change holds the whole text.
            let text = p.content_changes.into_iter().last()?.text;
            docs.insert(p.text_document.uri.as_str().to_string(), text);
            Some(p.text_document.uri)
        }
        "textDocument/didClose" => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            docs.remove(p.text_document.uri.as_str());
            None
        }
        _ => None,
    }
}

fn request(docs: &HashMap<String, String>, req: Request) -> Message {
    let id = req.id.clone();
    let reply = match req.method.as_str() {
        "textDocument/formatting" => {
            match serde_json::from_value::<DocumentFormattingParams>(req.params) {
                Ok(p) => {
                    let text = docs
                        .get(p.text_document.uri.as_str())
                        .map_or("", String::as_str);
                    Ok(serde_json::to_value(formatting(text)).unwrap_or_default())
                }
                Err(e) => Err((ErrorCode::InvalidParams, e.to_string())),
            }
        }
        m => Err((ErrorCode::MethodNotFound, format!("unknown method `{m}`"))),
    };
    Message::Response(match reply {
        Ok(result) => Response::new_ok(id, result),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    })
}

/// `specie fmt` of `text` as one edit replacing the whole text; none when it is already
/// formatted or does not parse (its diagnostics say why).
fn formatting(text: &str) -> Option<Vec<TextEdit>> {
    let formatted = super::fmt::formatted(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let end = position(text, text.len());
    Some(vec![TextEdit {
        range: Range {
            start: Position::new(0, 0),
            end,
        },
        new_text: formatted,
    }])
}

/// The path a `file:` URI names (a portfolio's programs are read beside it).
fn path_of(uri: &Uri) -> PathBuf {
    let s = uri.as_str();
    let path = s.strip_prefix("file://").unwrap_or(s);
    PathBuf::from(percent_decode(path))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(b) = bytes.get(i) {
        let hex = bytes
            .get(i.saturating_add(1)..i.saturating_add(3))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            _ => {
                out.push(*b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `specie check`'s diagnostics of one document, as LSP diagnostics.
fn diagnostics(uri: &Uri, text: &str) -> Vec<Diagnostic> {
    let path = path_of(uri);
    let name = path.display().to_string();
    super::check::file_diagnostics(&path, &name, text)
        .iter()
        .map(|d| to_lsp(uri, text, d))
        .collect()
}

fn to_lsp(uri: &Uri, text: &str, d: &JsonDiagnostic) -> Diagnostic {
    let range = |start: usize, end: usize| Range {
        start: position(text, start),
        end: position(text, end),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: uri.clone(),
                    range: range(l.span.start, l.span.end),
                },
                message: l.label.clone()?,
            })
        })
        .collect();
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    Diagnostic {
        range: range(d.span.start, d.span.end),
        severity: Some(match d.severity {
            "warning" => DiagnosticSeverity::WARNING,
            "advice" => DiagnosticSeverity::INFORMATION,
            _ => DiagnosticSeverity::ERROR,
        }),
        code: Some(NumberOrString::String(d.code.clone())),
        source: Some("specie".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

/// The LSP position (line, UTF-16 code units) of byte `offset` in `text`, clamped to the
/// text and moved back to a character boundary.
pub(crate) fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset = offset.saturating_sub(1);
    }
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line = before.matches('\n').count();
    let column: usize = before
        .get(line_start..)
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" 4 bytes and 2 units.
        let text = "ab\n# é 𝄞 x\nz";
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x), Position::new(1, 7)); // "# é 𝄞 ": 6 characters, 7 units (𝄞 is two)
        assert_eq!(position(text, 0), Position::new(0, 0));
        assert_eq!(position(text, text.len()), Position::new(2, 1));
        // Inside a character: back to its start; past the end: the end.
        let e = text.find('é').unwrap();
        assert_eq!(position(text, e + 1), position(text, e));
        assert_eq!(position(text, 999), Position::new(2, 1));
    }

    #[test]
    fn file_uris_become_paths() {
        let uri: Uri = "file:///tmp/a%20b/c.specie".parse().unwrap();
        assert_eq!(path_of(&uri), PathBuf::from("/tmp/a b/c.specie"));
    }
}
