//! `specie lsp`: a language server (LSP 3.17, JSON-RPC over stdio) for programs, models
//! and portfolio files (brief section 17): diagnostics on open and on every change (full
//! sync) with the codes, severities, spans and labels of `specie check`; hover, go to
//! definition, references, completion, document symbols, code actions and formatting from
//! [`specie::ide`]. Positions are in UTF-16 code units, as LSP requires.

mod convert;
mod features;
mod transport;

use super::EXIT_USAGE;
use convert::{path_of, range};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, HoverProviderCapability, InitializeResult, Location, NumberOrString, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use specie::diagnostic::JsonDiagnostic;
use std::collections::HashMap;

/// Open documents by URI text (`Uri` caches its parts inside, so it is no key).
pub(crate) type Docs = HashMap<String, String>;

/// Runs the server on stdin/stdout until `exit`.
pub fn run() -> u8 {
    let (connection, threads) = transport::stdio();
    let status = serve(&connection);
    drop(connection);
    let mut transport = Ok(());
    for t in threads {
        let joined = t
            .join()
            .map_err(|_| "a transport thread panicked".to_string());
        transport = transport.and(joined.and_then(|r| r));
    }
    // A broken transport outranks the session's own status.
    match transport.and(status) {
        Ok(code) => code,
        Err(e) => {
            errln!("error: specie lsp: {e}");
            EXIT_USAGE
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        document_formatting_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// Serves until `exit`: status 0 after `shutdown`, 1 when the client exits (or its input
/// ends) without it, as LSP asks.
fn serve(connection: &Connection) -> Result<u8, String> {
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
    let mut docs = Docs::new();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(0);
                }
                send(connection, request(&docs, req))?;
            }
            Message::Notification(n) if n.method == "exit" => return Ok(1),
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
    Ok(1)
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
fn notification(docs: &mut Docs, n: Notification) -> Option<Uri> {
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

type Reply = Result<serde_json::Value, (ErrorCode, String)>;

/// Decodes the params, answers with `f`.
fn answer<P: DeserializeOwned, R: Serialize>(req: Request, f: impl FnOnce(P) -> R) -> Reply {
    let p = serde_json::from_value::<P>(req.params)
        .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
    serde_json::to_value(f(p)).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

fn request(docs: &Docs, req: Request) -> Message {
    let id = req.id.clone();
    let reply = match req.method.as_str() {
        "textDocument/formatting" => answer(req, |p: lsp_types::DocumentFormattingParams| {
            features::formatting(
                docs.get(p.text_document.uri.as_str())
                    .map_or("", String::as_str),
            )
        }),
        "textDocument/hover" => answer(req, |p| features::hover(docs, p)),
        "textDocument/definition" => answer(req, |p| features::definition(docs, p)),
        "textDocument/references" => answer(req, |p| features::references(docs, p)),
        "textDocument/completion" => answer(req, |p| features::completion(docs, p)),
        "textDocument/documentSymbol" => answer(req, |p| features::symbols(docs, p)),
        "textDocument/codeAction" => answer(req, |p| features::code_actions(docs, p)),
        m => Err((ErrorCode::MethodNotFound, format!("unknown method `{m}`"))),
    };
    Message::Response(match reply {
        Ok(result) => Response::new_ok(id, result),
        Err((code, message)) => Response::new_err(id, code as i32, message),
    })
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
    let span = |start, end| specie::span::Span::new(start, end);
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: uri.clone(),
                    range: range(text, span(l.span.start, l.span.end)),
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
        range: range(text, span(d.span.start, d.span.end)),
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
