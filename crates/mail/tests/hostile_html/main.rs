//! Hostile HTML: every vector of `vectors.jsonl` (DOMPurify's test fixtures, the HTML5
//! Security Cheatsheet and our own URL-check bypasses; the file's header says where each
//! comes from and under which licence) goes through `soporte_mail::html::sanitize`, and the
//! output must keep the invariants below. The output is read with html5ever's tokenizer, the
//! parser ammonia itself is built on, so what is checked is the tags and attributes a browser
//! would see, with entities decoded, not the text of the markup.
//!
//! Every violation across the corpus is collected, and the test fails once, listing them all.

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::catch_unwind;

/// The corpus is meant to be large; fewer vectors than this means it was not read.
const MINIMUM_VECTORS: usize = 200;

/// Elements that must never reach the page: they run script, load other documents or
/// plugins, submit or redirect, restyle the page, or switch the parser into a mode
/// (foreign content, templates) where the sanitiser's view and the browser's can differ.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "iframe", "frame", "object", "embed", "applet", "form", "base", "meta", "link",
    "style", "svg", "math", "template", "noscript",
];

/// Attributes that must never reach the page, besides every `on…` event handler.
const FORBIDDEN_ATTRIBUTES: &[&str] = &["style", "srcdoc", "formaction", "xlink:href"];

/// Attributes whose value is a URL the browser follows or loads.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "cite", "background", "poster"];

/// The only schemes a URL attribute may start with.
const ALLOWED_SCHEMES: &[&str] = &["http:", "https:", "mailto:", "tel:", "cid:"];

/// Schemes that run code or carry a document of their own.
const DANGEROUS_SCHEMES: &[&str] = &["javascript:", "vbscript:", "data:"];

/// How the sanitiser disarms a remote image: this prefix, then the original URL, which the
/// console restores when the agent asks for images.
const REMOTE_IMAGE_PREFIX: &str = "about:blank#remote-image=";

/// What a disarmed remote image's original URL may start with.
const REMOTE_IMAGE_SCHEMES: &[&str] = &["http:", "https:", "//"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    ForbiddenElement,
    ForbiddenAttribute,
    DangerousUrl,
    UrlOutsideAllowList,
    SanitiserPanicked,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::ForbiddenElement => "forbidden element",
            Kind::ForbiddenAttribute => "forbidden attribute",
            Kind::DangerousUrl => "javascript:/vbscript:/data: URL",
            Kind::UrlOutsideAllowList => "URL outside the allow-list (relative or other scheme)",
            Kind::SanitiserPanicked => "the sanitiser panicked",
        })
    }
}

/// One thing wrong with the sanitiser's output: which tag, which attribute, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    kind: Kind,
    tag: String,
    attribute: Option<(String, String)>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some((name, value)) => write!(
                f,
                "{}: <{} {}=\"{}\">",
                self.kind,
                self.tag,
                name,
                visible(value)
            ),
            None if self.tag.is_empty() => write!(f, "{}", self.kind),
            None => write!(f, "{}: <{}>", self.kind, self.tag),
        }
    }
}

/// A value as it can be read in a failure message: anything outside printable ASCII is
/// written as an escape, and long values are cut short.
fn visible(value: &str) -> String {
    const LIMIT: usize = 100;
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == LIMIT {
            out.push('…');
            break;
        }
        match c {
            ' '..='~' => out.push(c),
            _ => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
        }
    }
    out
}

/// Characters that are not part of a URL for a careful reader: Unicode white space and
/// zero-width characters some browsers and mail clients have skipped before a scheme.
fn is_unicode_blank(c: char) -> bool {
    matches!(
        c,
        '\u{00a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200b}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// A URL attribute's value as the WHATWG URL parser reads it (leading and trailing C0
/// controls and spaces stripped, ASCII tab, LF and CR removed anywhere), and stricter:
/// the Unicode blanks of `is_unicode_blank` are removed anywhere too.
fn normalise_url(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|&c| !matches!(c, '\t' | '\n' | '\r') && !is_unicode_blank(c))
        .collect();
    kept.trim_matches(|c: char| c <= ' ').to_string()
}

fn starts_with_any(url: &str, prefixes: &[&str]) -> bool {
    let lower = url.to_ascii_lowercase();
    prefixes.iter().any(|prefix| lower.starts_with(prefix))
}

/// What is wrong with a URL attribute's value, if anything.
fn url_violation(value: &str) -> Option<Kind> {
    let url = normalise_url(value);
    let remote = url
        .get(..REMOTE_IMAGE_PREFIX.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(REMOTE_IMAGE_PREFIX))
        .map(|_| normalise_url(&url[REMOTE_IMAGE_PREFIX.len()..]));
    match remote {
        Some(original) if starts_with_any(&original, DANGEROUS_SCHEMES) => Some(Kind::DangerousUrl),
        Some(original) if starts_with_any(&original, REMOTE_IMAGE_SCHEMES) => None,
        Some(_) => Some(Kind::UrlOutsideAllowList),
        None if starts_with_any(&url, DANGEROUS_SCHEMES) => Some(Kind::DangerousUrl),
        None if starts_with_any(&url, ALLOWED_SCHEMES) => None,
        None => Some(Kind::UrlOutsideAllowList),
    }
}

/// The violations of one start tag.
fn tag_violations(tag: &Tag, found: &mut Vec<Violation>) {
    let name = tag.name.to_string();
    if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
        found.push(Violation {
            kind: Kind::ForbiddenElement,
            tag: name.clone(),
            attribute: None,
        });
    }
    for attribute in &tag.attrs {
        // The tokenizer lower-cases names and keeps a prefix such as `xlink:` in the name.
        let attribute_name = attribute.name.local.to_string();
        let value = attribute.value.to_string();
        let kind = if attribute_name.starts_with("on")
            || FORBIDDEN_ATTRIBUTES.contains(&attribute_name.as_str())
        {
            Some(Kind::ForbiddenAttribute)
        } else if URL_ATTRIBUTES.contains(&attribute_name.as_str()) {
            url_violation(&value)
        } else {
            None
        };
        if let Some(kind) = kind {
            found.push(Violation {
                kind,
                tag: name.clone(),
                attribute: Some((attribute_name, value)),
            });
        }
    }
}

/// Collects the violations of every start tag the tokenizer meets.
struct InvariantSink {
    found: RefCell<Vec<Violation>>,
    /// Switch the tokenizer into raw text after `<script>`, `<style>`, `<title>` and the
    /// like, as a browser's tree builder does; without it every `<` starts a tag.
    like_a_browser: bool,
}

impl TokenSink for InvariantSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        tag_violations(&tag, &mut self.found.borrow_mut());
        if !self.like_a_browser || tag.self_closing {
            return TokenSinkResult::Continue;
        }
        match &*tag.name {
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

fn tokenize(html: &str, like_a_browser: bool) -> Vec<Violation> {
    let sink = InvariantSink {
        found: RefCell::new(Vec::new()),
        like_a_browser,
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks the tokenizer to stop for a script, so one feed reads it all.
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.found.into_inner()
}

/// Every violation of the invariants in a piece of HTML. It is read twice, once switching
/// to raw text where a browser would and once not, so that neither reading can hide a tag
/// from the other.
fn check(html: &str) -> Vec<Violation> {
    let mut found = tokenize(html, true);
    found.extend(tokenize(html, false));
    found.sort();
    found.dedup();
    found
}

struct Vector {
    source: String,
    id: String,
    html: String,
}

fn read_corpus() -> Vec<Vector> {
    let text = include_str!("vectors.jsonl");
    let mut vectors = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("vectors.jsonl line {}: {e}", number + 1));
        let field = |name: &str| {
            value
                .get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_else(|| panic!("vectors.jsonl line {} has no `{name}`", number + 1))
                .to_string()
        };
        vectors.push(Vector {
            source: field("source"),
            id: field("id"),
            html: field("html"),
        });
    }
    vectors
}

#[test]
fn sanitised_hostile_html_keeps_the_invariants() {
    let vectors = read_corpus();
    assert!(
        vectors.len() >= MINIMUM_VECTORS,
        "the corpus has {} vectors, expected at least {MINIMUM_VECTORS}",
        vectors.len()
    );
    let mut per_source: BTreeMap<&str, usize> = BTreeMap::new();
    for vector in &vectors {
        *per_source.entry(&vector.source).or_default() += 1;
    }
    for source in ["dompurify", "html5sec", "soporte"] {
        assert!(
            per_source.contains_key(source),
            "the corpus has no vector from {source}: {per_source:?}"
        );
    }

    let mut report = Vec::new();
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for vector in &vectors {
        let violations = match catch_unwind(|| soporte_mail::html::sanitize(&vector.html)) {
            Ok(out) => check(&out),
            Err(_) => vec![Violation {
                kind: Kind::SanitiserPanicked,
                tag: String::new(),
                attribute: None,
            }],
        };
        if violations.is_empty() {
            continue;
        }
        report.push(format!("[{}] {}", vector.source, visible(&vector.id)));
        for violation in violations {
            *by_kind.entry(violation.kind).or_default() += 1;
            report.push(format!("    {violation}"));
        }
    }

    if !report.is_empty() {
        let failing = report.iter().filter(|line| line.starts_with('[')).count();
        let summary: Vec<String> = by_kind
            .iter()
            .map(|(kind, count)| format!("{count} × {kind}"))
            .collect();
        panic!(
            "{failing} of {} vectors ({per_source:?}) break the invariants of sanitised HTML: {}\n{}",
            vectors.len(),
            summary.join(", "),
            report.join("\n")
        );
    }
}

#[test]
fn the_checker_catches_what_it_must() {
    let kinds = |html: &str| -> Vec<Kind> { check(html).iter().map(|v| v.kind).collect() };

    assert_eq!(
        kinds("<a href=\"javascript:alert(1)\">"),
        [Kind::DangerousUrl]
    );
    assert_eq!(
        kinds("<a href=\"&#xA0;java&#x09;script&colon;alert(1)\">"),
        [Kind::DangerousUrl]
    );
    assert_eq!(
        kinds("<img src=\"about:blank#remote-image=javascript:alert(1)\">"),
        [Kind::DangerousUrl]
    );
    assert_eq!(kinds("<img src=\"x\">"), [Kind::UrlOutsideAllowList]);
    assert_eq!(
        kinds("<p><script>alert(1)</script></p>"),
        [Kind::ForbiddenElement]
    );
    assert_eq!(
        kinds("<title><script>alert(1)</script></title>"),
        [Kind::ForbiddenElement],
        "a tag hidden from a browser is still reported"
    );
    assert_eq!(
        kinds("<b OnClick=\"alert(1)\" STYLE=\"x\">"),
        [Kind::ForbiddenAttribute, Kind::ForbiddenAttribute]
    );
    assert_eq!(
        kinds(
            "<a href=\"mailto:a@example.com\">a</a><img src=\"cid:logo\">\
             <img src=\"about:blank#remote-image=https://example.com/p.gif\">\
             <a href=\"HTTPS://example.com\" title=\"javascript:alert(1)\">b</a>"
        ),
        []
    );
}
