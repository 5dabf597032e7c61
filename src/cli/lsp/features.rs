//! Requests answered from the library's editor services ([`specie::ide`]): hover, go to
//! definition, references, completion, document symbols, code actions, formatting.

use super::convert::{offset, path_of, range, uri_of};
use super::Docs;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItem,
    CompletionItemKind, CompletionParams, CompletionTextEdit, DocumentSymbol, DocumentSymbolParams,
    GotoDefinitionParams, Hover, HoverContents, HoverParams, Location, MarkupContent, MarkupKind,
    NumberOrString, Range, ReferenceParams, TextEdit, Uri, WorkspaceEdit,
};
use specie::ide::names::{self, NameKind, Site};
use specie::ide::{CompletionKind, Symbol, SymbolKind};
use specie::span::Span;
use std::collections::HashMap;

/// The text of `uri` (empty when it is not open).
fn text<'d>(docs: &'d Docs, uri: &Uri) -> &'d str {
    docs.get(uri.as_str()).map_or("", String::as_str)
}

pub(super) fn hover(docs: &Docs, p: HoverParams) -> Option<Hover> {
    let uri = &p.text_document_position_params.text_document.uri;
    let src = text(docs, uri);
    let at = offset(src, p.text_document_position_params.position);
    let value = specie::ide::hover(src, at)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    })
}

fn location(uri: &Uri, src: &str, span: Span) -> Location {
    Location {
        uri: uri.clone(),
        range: range(src, span),
    }
}

/// The start of the file a portfolio names by `path` (relative to the portfolio).
fn file_location(portfolio: &Uri, path: &str) -> Option<Location> {
    let dir = path_of(portfolio).parent()?.to_path_buf();
    let file = dir.join(path);
    Some(Location {
        uri: uri_of(&file)?,
        range: Range::default(),
    })
}

pub(super) fn definition(docs: &Docs, p: GotoDefinitionParams) -> Vec<Location> {
    let uri = &p.text_document_position_params.text_document.uri;
    let src = text(docs, uri);
    let at = offset(src, p.text_document_position_params.position);
    let all = names::sites(src);
    let Some(here) = names::site_at(&all, at) else {
        return Vec::new();
    };
    // A portfolio's program: its declaration opens the program's file.
    if here.kind == NameKind::ProgramFile || (here.kind == NameKind::Program && here.definition) {
        let path = program_path(&all, &here.name, here);
        return path
            .and_then(|p| file_location(uri, &p))
            .into_iter()
            .collect();
    }
    let local: Vec<Location> = names::definitions(src, at)
        .iter()
        .map(|s| location(uri, src, s.span))
        .collect();
    if !local.is_empty() || here.kind != NameKind::Vendor {
        return local;
    }
    // A vendor peril's vendor is declared in a portfolio: look in the open documents.
    elsewhere(docs, uri, here)
}

/// The path of program `key` (or the path itself when `here` is one).
fn program_path(all: &[Site], key: &str, here: &Site) -> Option<String> {
    if here.kind == NameKind::ProgramFile {
        return Some(here.name.clone());
    }
    let i = all
        .iter()
        .position(|s| s.span == here.span && s.name == key)?;
    all.get(i.saturating_add(1))
        .filter(|s| s.kind == NameKind::ProgramFile)
        .map(|s| s.name.clone())
}

/// Definitions of `here`'s name in the other open documents.
fn elsewhere(docs: &Docs, uri: &Uri, here: &Site) -> Vec<Location> {
    let mut out = Vec::new();
    for (other, src) in docs {
        if other == uri.as_str() {
            continue;
        }
        let Ok(other_uri) = other.parse::<Uri>() else {
            continue;
        };
        for s in names::sites(src) {
            if s.kind == here.kind && s.name == here.name && s.definition {
                out.push(location(&other_uri, src, s.span));
            }
        }
    }
    out
}

pub(super) fn references(docs: &Docs, p: ReferenceParams) -> Vec<Location> {
    let uri = &p.text_document_position.text_document.uri;
    let src = text(docs, uri);
    let at = offset(src, p.text_document_position.position);
    names::references(src, at, p.context.include_declaration)
        .iter()
        .map(|s| location(uri, src, s.span))
        .collect()
}

pub(super) fn completion(docs: &Docs, p: CompletionParams) -> Vec<CompletionItem> {
    let uri = &p.text_document_position.text_document.uri;
    let src = text(docs, uri);
    let at = offset(src, p.text_document_position.position);
    specie::ide::completions(src, at)
        .into_iter()
        .map(|c| CompletionItem {
            kind: Some(match c.kind {
                CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                CompletionKind::Symbol => CompletionItemKind::ENUM_MEMBER,
                CompletionKind::Field => CompletionItemKind::FIELD,
                CompletionKind::Name => CompletionItemKind::REFERENCE,
                CompletionKind::Unit => CompletionItemKind::UNIT,
            }),
            detail: (!c.detail.is_empty()).then(|| c.detail.clone()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: range(src, c.replace),
                new_text: c.label.clone(),
            })),
            label: c.label,
            ..CompletionItem::default()
        })
        .collect()
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written; it is `None`.
fn symbol(src: &str, s: Symbol) -> DocumentSymbol {
    DocumentSymbol {
        name: s.name,
        detail: Some(s.detail),
        kind: match s.kind {
            SymbolKind::File => lsp_types::SymbolKind::MODULE,
            SymbolKind::Layer => lsp_types::SymbolKind::CLASS,
            SymbolKind::Carrier => lsp_types::SymbolKind::FIELD,
            SymbolKind::Clause => lsp_types::SymbolKind::FUNCTION,
            SymbolKind::Attribute => lsp_types::SymbolKind::PROPERTY,
            SymbolKind::Check => lsp_types::SymbolKind::EVENT,
            SymbolKind::Peril => lsp_types::SymbolKind::EVENT,
            SymbolKind::Program => lsp_types::SymbolKind::FILE,
            SymbolKind::Vendor => lsp_types::SymbolKind::INTERFACE,
        },
        tags: None,
        deprecated: None,
        range: range(src, s.span),
        // INVARIANT: LSP wants the selection inside the range.
        selection_range: range(src, clamp(s.name_span, s.span)),
        children: Some(s.children.into_iter().map(|c| symbol(src, c)).collect()),
    }
}

fn clamp(inner: Span, outer: Span) -> Span {
    if inner.start >= outer.start && inner.end <= outer.end {
        inner
    } else {
        Span::new(outer.start, outer.start)
    }
}

pub(super) fn symbols(docs: &Docs, p: DocumentSymbolParams) -> Vec<DocumentSymbol> {
    let src = text(docs, &p.text_document.uri);
    specie::ide::outline(src)
        .into_iter()
        .map(|s| symbol(src, s))
        .collect()
}

pub(super) fn code_actions(docs: &Docs, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &p.text_document.uri;
    let src = text(docs, uri);
    let mut out = Vec::new();
    for d in &p.context.diagnostics {
        let Some(NumberOrString::String(code)) = &d.code else {
            continue;
        };
        let help = d.message.split_once("\nhelp: ").map(|(_, h)| h);
        let span = Span::new(offset(src, d.range.start), offset(src, d.range.end));
        for fix in specie::ide::fixes(src, code, help, span) {
            let edits = fix
                .edits
                .iter()
                .map(|(s, t)| TextEdit {
                    range: range(src, *s),
                    new_text: t.clone(),
                })
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(fix.preferred),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// `specie fmt` of `text` as one edit replacing the whole text; none when it is already
/// formatted or does not parse (its diagnostics say why).
pub(super) fn formatting(text: &str) -> Option<Vec<TextEdit>> {
    let formatted = super::super::fmt::formatted(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit {
        range: range(text, Span::new(0, text.len())),
        new_text: formatted,
    }])
}
