//! Attaches comments and blank lines to the items they belong to, after parsing.
//!
//! A comment on its own line belongs to the next item of the innermost block (its
//! `comments`); a comment after an item on the same line is that item's `trailing`
//! comment; comments inside a one-line item's text move before it; comments after the last
//! item of a block are the block's `end_comments`; comments before `program` and after its
//! closing brace are the file's header and footer.

use crate::ast::{
    File, Item, ItemKind, ModelFile, ModelItemKind, PortfolioFile, PortfolioItemKind, Trivia,
};
use crate::span::Span;
use std::iter::Peekable;
use std::vec::IntoIter;

/// A comment: the span of `#…` and the text after `#`, without trailing whitespace.
type Comment = (Span, String);

/// Every comment in `src`, in order. Strings are skipped so that `#` inside them is text.
pub(super) fn comments(src: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    // INVARIANT: `at` is where a token may start: outside any string and comment.
    let mut at = 0usize;
    while let Some(k) = b.get(at..).and_then(|r| memchr::memchr2(b'"', b'#', r)) {
        let idx = at.saturating_add(k);
        let rest = b.get(idx..).unwrap_or(&[]);
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        if rest.first() == Some(&b'#') {
            let text = src.get(idx.saturating_add(1)..idx.saturating_add(len));
            let text = text.unwrap_or("").trim_end().to_string();
            out.push((Span::new(idx, idx.saturating_add(len)), text));
            at = idx.saturating_add(len);
        } else {
            at = idx.saturating_add(string_len(rest));
        }
    }
    out
}

/// The length of the string starting at `s[0] == '"'`: through its closing quote, or up to
/// the end of the line (or input) when it is not closed there. A backslash takes the byte
/// after it, whatever it is.
fn string_len(s: &[u8]) -> usize {
    let mut at = 1usize;
    while let Some(k) = s
        .get(at..)
        .and_then(|r| memchr::memchr3(b'"', b'\\', b'\n', r))
    {
        let idx = at.saturating_add(k);
        match s.get(idx) {
            Some(b'"') => return idx.saturating_add(1),
            Some(b'\\') => at = idx.saturating_add(2),
            _ => return idx,
        }
    }
    s.len()
}

type Stream = Peekable<IntoIter<Comment>>;

fn take_before(cs: &mut Stream, offset: usize, into: &mut Vec<String>) {
    while let Some((span, _)) = cs.peek() {
        if span.start >= offset {
            break;
        }
        if let Some((_, text)) = cs.next() {
            into.push(text);
        }
    }
}

fn has_blank_line(src: &str, from: usize, to: usize) -> bool {
    src.get(from..to)
        .is_some_and(|gap| gap.matches('\n').count() >= 2)
}

/// The trailing comment of an item ending at `end`: the next comment if only spaces
/// separate it from the item on the same line. Returns where the item's text (with it) ends.
fn take_trailing(src: &str, cs: &mut Stream, end: usize, trivia: &mut Trivia) -> usize {
    if let Some((span, _)) = cs.peek() {
        let same_line = src
            .get(end..span.start)
            .is_some_and(|gap| gap.chars().all(|c| c.is_whitespace() && c != '\n'));
        if same_line {
            let span = *span;
            if let Some((_, text)) = cs.next() {
                trivia.trailing = Some(text);
            }
            return span.end;
        }
    }
    end
}

/// Attaches the comments inside a block spanning `outer` to its items, the ones after its
/// last item to `end_comments`. `nested` attaches the comments inside an item that is a
/// block itself (a layer of a program, a peril of a model); without one, comments inside
/// an item's own text move before it.
fn attach_items<K>(
    src: &str,
    cs: &mut Stream,
    outer: Span,
    items: &mut [Item<K>],
    end_comments: &mut Vec<String>,
    mut nested: impl FnMut(&str, &mut Stream, &mut Item<K>) -> bool,
) {
    let mut prev = outer.start;
    for (m, it) in items.iter_mut().enumerate() {
        let span = it.span;
        let first = cs
            .peek()
            .map_or(span.start, |(s, _)| s.start.min(span.start));
        it.trivia.blank_line_before = m > 0 && has_blank_line(src, prev, first);
        take_before(cs, span.start, &mut it.trivia.comments);
        if !nested(src, cs, it) {
            take_before(cs, span.end, &mut it.trivia.comments);
        }
        prev = take_trailing(src, cs, span.end, &mut it.trivia);
    }
    take_before(cs, outer.end, end_comments);
}

/// The items of a nested block have no blocks inside.
fn flat<K>(_: &str, _: &mut Stream, _: &mut Item<K>) -> bool {
    false
}

/// Attaches every comment of `src` to `file`.
pub(super) fn attach(src: &str, file: &mut File) {
    let mut cs = comments(src).into_iter().peekable();
    let program = &mut file.program;
    take_before(&mut cs, program.span.start, &mut file.header);
    attach_items(
        src,
        &mut cs,
        program.span,
        &mut program.items,
        &mut program.end_comments,
        |src, cs, item| {
            let (items, end) = match &mut item.kind {
                ItemKind::Layer(l) => {
                    attach_items(src, cs, item.span, &mut l.items, &mut l.end_comments, flat);
                    return true;
                }
                ItemKind::Parametric(p) => (&mut p.items, &mut p.end_comments),
                _ => return attach_other(src, cs, item),
            };
            attach_items(src, cs, item.span, items, end, flat);
            true
        },
    );
    file.footer.extend(cs.map(|(_, t)| t));
}

/// The blocks of a program other than layers and parametric covers: checks and treaties.
fn attach_other(src: &str, cs: &mut Stream, item: &mut Item) -> bool {
    match &mut item.kind {
        ItemKind::Check(c) => {
            attach_items(src, cs, item.span, &mut c.items, &mut c.end_comments, flat)
        }
        ItemKind::Treaty(t) => {
            attach_items(src, cs, item.span, &mut t.items, &mut t.end_comments, flat)
        }
        _ => return false,
    }
    true
}

/// Attaches every comment of `src` to the model `file`.
pub(super) fn attach_model(src: &str, file: &mut ModelFile) {
    let mut cs = comments(src).into_iter().peekable();
    let model = &mut file.model;
    take_before(&mut cs, model.span.start, &mut file.header);
    attach_items(
        src,
        &mut cs,
        model.span,
        &mut model.items,
        &mut model.end_comments,
        |src, cs, item| match &mut item.kind {
            ModelItemKind::Peril(p) => {
                attach_items(src, cs, item.span, &mut p.items, &mut p.end_comments, flat);
                true
            }
            ModelItemKind::IndexPeril(p) => {
                attach_items(src, cs, item.span, &mut p.items, &mut p.end_comments, flat);
                true
            }
            _ => false,
        },
    );
    file.footer.extend(cs.map(|(_, t)| t));
}

/// Attaches every comment of `src` to the portfolio `file`.
pub(super) fn attach_portfolio(src: &str, file: &mut PortfolioFile) {
    let mut cs = comments(src).into_iter().peekable();
    let book = &mut file.portfolio;
    take_before(&mut cs, book.span.start, &mut file.header);
    attach_items(
        src,
        &mut cs,
        book.span,
        &mut book.items,
        &mut book.end_comments,
        |src, cs, item| match &mut item.kind {
            PortfolioItemKind::Vendor(v) => {
                attach_items(src, cs, item.span, &mut v.items, &mut v.end_comments, flat);
                true
            }
            _ => false,
        },
    );
    file.footer.extend(cs.map(|(_, t)| t));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_in_string_is_not_a_comment() {
        let cs = comments("a \"x # y\" # real\n# two\n\"esc \\\" # still\" b");
        let texts: Vec<_> = cs.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, vec![" real", " two"]);
    }
}
