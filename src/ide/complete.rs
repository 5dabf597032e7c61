//! Completion: what may be written at the cursor, read from the tokens before it (so it
//! works on text that does not parse): keywords of the enclosing block at the start of an
//! item, causes, tiers and assets after `is` and in lists, fields and declared attributes
//! in conditions, carrier, layer and treaty names in strings, units after numbers.

use super::names::{sites_in, NameKind};
use super::tokens::{tokens, Token, TokenKind};
use crate::span::Span;
use crate::vocabulary::{FINDING_CODES, STANDARD_CAUSES, STANDARD_TIERS};
use crate::{compile, parse};

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A cause, tier or asset.
    Symbol,
    /// A built-in field or declared attribute.
    Field,
    /// A carrier, layer, treaty, program or vendor name (a string).
    Name,
    /// A magnitude or duration unit after a number.
    Unit,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// What is shown and inserted.
    pub label: String,
    /// Its kind.
    pub kind: CompletionKind,
    /// A short description.
    pub detail: String,
    /// The text it replaces (the partly typed token; empty at the cursor otherwise).
    pub replace: Span,
}

/// Common assets offered after `asset is` besides those the text names.
const COMMON_ASSETS: &[&str] = &["BTC", "ETH", "USDC", "USDT", "SOL"];
const UNITS: &[(&str, &str)] = &[
    ("k", "thousand"),
    ("M", "million"),
    ("B", "billion"),
    ("%", "percent"),
    (" days", "duration"),
    (" hours", "duration"),
    (" minutes", "duration"),
    (" weeks", "duration"),
];

/// Completions at byte `offset` of `src`.
///
/// ```
/// use specie::ide::completions;
/// let src = "program \"P\" {\n  attribute staff: count\n  exclude \"X\" when st";
/// let labels: Vec<String> = completions(src, src.len()).into_iter().map(|c| c.label).collect();
/// assert!(labels.contains(&"staff".to_string()));
/// ```
pub fn completions(src: &str, offset: usize) -> Vec<Completion> {
    let offset = offset.min(src.len());
    let all = tokens(src);
    // The token being typed; punctuation just typed (`(`, `[`, `,`) is context, not a prefix.
    let current = all
        .iter()
        .find(|t| t.span.start < offset && offset <= t.span.end)
        .filter(|t| t.kind != TokenKind::Punct)
        .copied();
    if current.is_some_and(|t| t.kind == TokenKind::Comment) {
        return Vec::new();
    }
    let start = current.map_or(offset, |t| t.span.start);
    let before: Vec<Token<'_>> = all
        .iter()
        .filter(|t| t.span.end <= start && t.kind != TokenKind::Comment)
        .copied()
        .collect();
    let replace = Span::new(start, offset);
    let cx = Context {
        src,
        all: &all,
        before: &before,
        replace,
    };
    match current.map(|t| t.kind) {
        Some(TokenKind::Number) => cx.units(current.map_or("", |t| t.text)),
        Some(TokenKind::Str) => cx.names(),
        _ => cx.words(),
    }
}

struct Context<'s, 't> {
    src: &'s str,
    /// Every token of the text (read once per request).
    all: &'t [Token<'s>],
    before: &'t [Token<'s>],
    replace: Span,
}

impl Context<'_, '_> {
    fn back(&self, k: usize) -> Option<&Token<'_>> {
        self.before
            .len()
            .checked_sub(k)
            .and_then(|i| self.before.get(i))
    }

    fn item(&self, label: &str, kind: CompletionKind, detail: &str) -> Completion {
        Completion {
            label: label.to_string(),
            kind,
            detail: detail.to_string(),
            replace: self.replace,
        }
    }

    fn units(&self, typed: &str) -> Vec<Completion> {
        let digits = typed.trim_end_matches(|c: char| !c.is_ascii_digit());
        if digits.is_empty() || digits.contains('-') {
            return Vec::new();
        }
        UNITS
            .iter()
            .map(|(u, d)| self.item(&format!("{digits}{u}"), CompletionKind::Unit, d))
            .collect()
    }

    /// Names inside a string, by what precedes it.
    fn names(&self) -> Vec<Completion> {
        let kind = match (self.back(1).map(|t| t.text), self.back(2).map(|t| t.text)) {
            (Some("carrier" | "reinsurer" | "cedent"), _) => NameKind::Carrier,
            (Some("layer"), Some("expect")) => NameKind::Layer,
            (Some("after"), Some("inures")) | (Some(","), _) if self.in_inures() => {
                NameKind::Treaty
            }
            (Some("uses"), _) => NameKind::Program,
            (Some("vendor"), _) => NameKind::Vendor,
            _ => return Vec::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        for s in sites_in(self.all) {
            if s.kind == kind
                && s.definition
                && !seen.contains(&s.name)
                && s.span.start != self.replace.start
            {
                seen.push(s.name);
            }
        }
        seen.iter()
            .map(|n| self.item(&quoted(n), CompletionKind::Name, kind_word(kind)))
            .collect()
    }

    fn in_inures(&self) -> bool {
        let mut k = 1;
        while let Some(t) = self.back(k) {
            match (t.kind, t.text) {
                (TokenKind::Word, "after") => {
                    return self
                        .back(k.saturating_add(1))
                        .is_some_and(|t| t.is_word("inures"))
                }
                (TokenKind::Str, _) | (TokenKind::Punct, ",") => k = k.saturating_add(1),
                _ => return false,
            }
        }
        false
    }

    /// Words: symbols, fields or keywords, by what precedes the cursor.
    fn words(&self) -> Vec<Completion> {
        let prev = self.back(1).map(|t| t.text).unwrap_or("");
        let prev2 = self.back(2).map(|t| t.text).unwrap_or("");
        if prev == "is" || (prev == "not" && prev2 == "is") {
            return self.symbols_of(prev_field(self.before, if prev == "is" { 2 } else { 3 }));
        }
        if let Some(field) = self.list_field() {
            return self.symbols_of(Some(field));
        }
        if self.in_list_after(&["covers"]) || prev == "cause" {
            return self.symbols_of(Some("cause"));
        }
        if matches!(prev, "exposure" | "loss" | "damage") || self.after_uses() {
            return self.symbols_of(Some("tier"));
        }
        let fixed: Option<&[&str]> = match (prev2, prev) {
            (_, "allow") => Some(FINDING_CODES),
            ("expect", "uncovered") => Some(parse::REASONS),
            (_, "expect") => Some(&["paid", "retained", "uncovered", "carrier", "layer"]),
            (_, "basis") => Some(&["occurrence", "discovery"]),
            ("valuation", "at") => Some(&["loss", "discovery"]),
            (_, ":") if self.back(3).is_some_and(|t| t.is_word("attribute")) => {
                Some(&["flag", "count", "number", "amount", "duration", "text"])
            }
            _ => None,
        };
        if let Some(list) = fixed {
            return list
                .iter()
                .map(|w| self.item(w, CompletionKind::Keyword, ""))
                .collect();
        }
        if self.field_position() {
            return self.fields();
        }
        if self.at_item_start() {
            return block_keywords(self.before)
                .iter()
                .map(|w| self.item(w, CompletionKind::Keyword, "keyword"))
                .collect();
        }
        Vec::new()
    }

    fn field_position(&self) -> bool {
        let Some(prev) = self.back(1) else {
            return false;
        };
        match prev.text {
            "when" | "and" | "or" | "(" | "event" | "with" => true,
            "not" => !self.back(2).is_some_and(|t| t.is_word("is")),
            _ => false,
        }
    }

    /// Whether the cursor starts an item: after `{` or `}`, or first on its line.
    fn at_item_start(&self) -> bool {
        if self
            .back(1)
            .is_none_or(|t| t.is_punct("{") || t.is_punct("}"))
        {
            return true;
        }
        let line_start = self
            .src
            .get(..self.replace.start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i.saturating_add(1));
        self.src
            .get(line_start..self.replace.start)
            .is_some_and(|s| s.trim().is_empty())
    }

    /// The field of an `in [ … ]` list the cursor is in.
    fn list_field(&self) -> Option<&str> {
        let mut k = 1;
        loop {
            let t = self.back(k)?;
            match t.text {
                "[" => {
                    let in_kw = self.back(k.saturating_add(1))?;
                    if !in_kw.is_word("in") {
                        return None;
                    }
                    let mut j = k.saturating_add(2);
                    if self.back(j).is_some_and(|t| t.is_word("not")) {
                        j = j.saturating_add(1);
                    }
                    return self.back(j).map(|t| t.text);
                }
                "," => k = k.saturating_add(1),
                _ if t.kind == TokenKind::Word => k = k.saturating_add(1),
                _ => return None,
            }
        }
    }

    /// Whether the cursor continues a `KEYWORD a, b, …` list.
    fn in_list_after(&self, keywords: &[&str]) -> bool {
        let mut k = 1;
        loop {
            let Some(t) = self.back(k) else { return false };
            if t.kind == TokenKind::Word && keywords.contains(&t.text) {
                return true;
            }
            // INVARIANT: back to its keyword, the list alternates commas and symbols.
            let symbol_before = self
                .back(k.saturating_add(1))
                .is_some_and(|w| w.kind == TokenKind::Word);
            if !t.is_punct(",") || !symbol_before {
                return false;
            }
            k = k.saturating_add(2);
        }
    }

    /// After `uses "KEY"` or a `, ` in its tier list.
    fn after_uses(&self) -> bool {
        let (Some(a), Some(b)) = (self.back(1), self.back(2)) else {
            return false;
        };
        (b.is_word("uses") && a.kind == TokenKind::Str)
            || (a.is_punct(",")
                && b.kind == TokenKind::Number
                && b.text.ends_with('%')
                && self.before.iter().rev().take(40).any(|t| t.is_word("uses")))
    }

    fn symbols_of(&self, field: Option<&str>) -> Vec<Completion> {
        let (standard, written_after): (&[&str], &[&str]) = match field {
            Some("cause") => (STANDARD_CAUSES, &["covers", "cause"]),
            Some("tier") => (STANDARD_TIERS, &["exposure", "loss"]),
            Some("asset") => (COMMON_ASSETS, &[]),
            _ => return Vec::new(),
        };
        let mut out: Vec<String> = standard.iter().map(|s| s.to_string()).collect();
        for w in written_symbols(self.all, field.unwrap_or(""), written_after) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
        out.iter()
            .map(|s| self.item(s, CompletionKind::Symbol, field.unwrap_or("")))
            .collect()
    }

    fn fields(&self) -> Vec<Completion> {
        let mut out: Vec<Completion> = compile::BUILTIN_FIELDS
            .iter()
            .map(|f| self.item(f, CompletionKind::Field, "built-in field"))
            .collect();
        for w in self.all.windows(4) {
            if let [a, n, colon, ty] = w {
                if a.is_word("attribute") && n.kind == TokenKind::Word && colon.is_punct(":") {
                    out.push(self.item(
                        n.text,
                        CompletionKind::Field,
                        &format!("attribute: {}", ty.text),
                    ));
                }
            }
        }
        out
    }
}

fn quoted(s: &str) -> String {
    let mut out = String::new();
    crate::format::string(&mut out, s);
    out
}

fn kind_word(k: NameKind) -> &'static str {
    match k {
        NameKind::Attribute => "attribute",
        NameKind::Layer => "layer",
        NameKind::Carrier => "carrier",
        NameKind::Treaty => "treaty",
        NameKind::Program | NameKind::ProgramFile => "program",
        NameKind::Vendor => "vendor",
    }
}

/// The field named `back` tokens from the end of `before` (the word before `is`).
fn prev_field<'a>(before: &'a [Token<'_>], back: usize) -> Option<&'a str> {
    before
        .len()
        .checked_sub(back)
        .and_then(|i| before.get(i))
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text)
}

/// Symbols the text already uses for `field`: after `field is [not]`, in `field [not] in
/// [ … ]`, and after the item keywords `after` (a whole list after `covers`).
fn written_symbols(all: &[Token<'_>], field: &str, after: &[&str]) -> Vec<String> {
    let toks: Vec<&Token<'_>> = all
        .iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: &Token<'_>| {
        if t.kind == TokenKind::Word
            && !parse::KEYWORDS.contains(&t.text)
            && !out.iter().any(|o| o == t.text)
        {
            out.push(t.text.to_string());
        }
    };
    for (i, t) in toks.iter().enumerate() {
        let after_t = toks.get(i.saturating_add(1)..).unwrap_or(&[]);
        let tested = after_t
            .first()
            .is_some_and(|n| n.is_word("is") || n.is_word("in") || n.is_word("not"));
        if t.is_word(field) && tested {
            // `FIELD is [not] S`, `FIELD [not] in [S, …]`: the symbols after the operator.
            let mut rest = after_t.iter().skip_while(|t| {
                t.is_word("not") || t.is_word("is") || t.is_word("in") || t.is_punct("[")
            });
            while let Some(s) = rest.next() {
                push(s);
                if !rest.next().is_some_and(|c| c.is_punct(",")) {
                    break;
                }
            }
        } else if t.kind == TokenKind::Word && after.contains(&t.text) {
            let mut rest = after_t.iter();
            while let Some(s) = rest.next() {
                push(s);
                if t.text != "covers" || !rest.next().is_some_and(|c| c.is_punct(",")) {
                    break;
                }
            }
        }
    }
    out
}

/// The keywords that may start an item of the block enclosing the end of `before`.
fn block_keywords(before: &[Token<'_>]) -> &'static [&'static str] {
    let mut stack: Vec<&'static [&'static str]> = Vec::new();
    for (i, t) in before.iter().enumerate() {
        if t.is_punct("{") {
            stack.push(opened_by(before.get(..i).unwrap_or(&[])));
        } else if t.is_punct("}") {
            stack.pop();
        }
    }
    match stack.last() {
        Some(words) => words,
        None if before.is_empty() => &["program", "model", "portfolio"],
        None => &[],
    }
}

/// Item keywords of the block whose `{` follows `head`.
fn opened_by(head: &[Token<'_>]) -> &'static [&'static str] {
    const OPENERS: &[&str] = &[
        "program",
        "layer",
        "parametric",
        "treaty",
        "check",
        "model",
        "peril",
        "portfolio",
        "vendor",
    ];
    let Some(k) = head
        .iter()
        .rposition(|t| t.kind == TokenKind::Word && OPENERS.contains(&t.text))
    else {
        return &[];
    };
    let word = head.get(k).map_or("", |t| t.text);
    let before = k
        .checked_sub(1)
        .and_then(|j| head.get(j))
        .map_or("", |t| t.text);
    match (before, word) {
        ("index", "peril") => parse::INDEX_PERIL_ITEM_KEYWORDS,
        ("vendor", "peril") => parse::VENDOR_PERIL_ITEM_KEYWORDS,
        ("portfolio", "model") => parse::PORTFOLIO_MODEL_ITEM_KEYWORDS,
        (_, "program") => parse::ITEM_KEYWORDS,
        (_, "layer") => parse::LAYER_ITEM_KEYWORDS,
        (_, "parametric") => parse::PARAMETRIC_ITEM_KEYWORDS,
        (_, "treaty") => parse::TREATY_ITEM_KEYWORDS,
        (_, "check") => parse::CHECK_ITEM_KEYWORDS,
        (_, "model") => parse::MODEL_ITEM_KEYWORDS,
        (_, "peril") => parse::PERIL_ITEM_KEYWORDS,
        (_, "portfolio") => parse::PORTFOLIO_ITEM_KEYWORDS,
        (_, "vendor") => parse::VENDOR_ITEM_KEYWORDS,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(src: &str) -> Vec<String> {
        completions(src, src.len())
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    const HEAD: &str = "program \"P\" {\n  covers external_hack, my_cause\n  exposure vault 1M\n  attribute late: flag\n";

    #[test]
    fn symbols_in_lists_and_after_is() {
        // Right after `[` and after a comma in the list: the field's symbols.
        let tiers = labels(&format!("{HEAD}  exclude \"x\" when tier in ["));
        assert_eq!(tiers, ["hot", "warm", "cold", "vault"]);
        assert_eq!(
            labels(&format!("{HEAD}  exclude \"x\" when tier not in [hot, ")),
            tiers
        );
        // Causes after `cause is`: the standard ones, then those the text names.
        let causes = labels(&format!("{HEAD}  exclude \"x\" when cause is "));
        assert_eq!(causes.len(), STANDARD_CAUSES.len() + 1);
        assert_eq!(causes.last().unwrap(), "my_cause");
        assert_eq!(labels(&format!("{HEAD}  covers external_hack, ")), causes);
        // Fields after `(`, `and`, `not`; not after `is not` (a symbol goes there).
        for cond in ["when (", "when tier is hot and ", "when not "] {
            let f = labels(&format!("{HEAD}  exclude \"x\" {cond}"));
            assert!(
                f.contains(&"late".to_string()) && f.contains(&"cause".to_string()),
                "{cond}: {f:?}"
            );
        }
        assert_eq!(
            labels(&format!("{HEAD}  exclude \"x\" when tier is not ")),
            tiers
        );
    }

    #[test]
    fn fixed_word_lists_and_units() {
        assert_eq!(
            labels(&format!("{HEAD}  allow ")).len(),
            FINDING_CODES.len()
        );
        let reasons = labels(&format!("{HEAD}  check \"c\" {{ expect uncovered "));
        assert_eq!(reasons, parse::REASONS);
        assert_eq!(
            labels(&format!("{HEAD}  basis ")),
            ["occurrence", "discovery"]
        );
        assert_eq!(labels(&format!("{HEAD}  attribute n: ")).len(), 6);
        assert_eq!(
            labels(&format!("{HEAD}  sublimit \"s\" 25"))[..4],
            ["25k", "25M", "25B", "25%"]
        );
        // Nothing inside a comment, nothing in the middle of an item.
        assert!(labels(&format!("{HEAD}  # exclude when ")).is_empty());
        assert!(labels(&format!("{HEAD}  sublimit \"s\" ")).is_empty());
        // Item keywords by block; top-level words in an empty file.
        assert_eq!(labels(&format!("{HEAD}  ")), parse::ITEM_KEYWORDS);
        assert_eq!(
            labels("model \"m\" {\n  index peril \"i\" {\n    "),
            parse::INDEX_PERIL_ITEM_KEYWORDS
        );
        assert_eq!(
            labels("portfolio model \"m\" {\n  vendor peril \"v\" {\n    "),
            parse::VENDOR_PERIL_ITEM_KEYWORDS
        );
        assert_eq!(labels(""), ["program", "model", "portfolio"]);
    }
}
