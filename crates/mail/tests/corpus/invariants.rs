//! Invariants that hold for every message, whatever its source: the text is kept whole,
//! and the HTML kept is safe to show.

use crate::report::Report;
use soporte_core::email::InboundEmail;

pub(super) fn check_invariants(file: &str, mail: &InboundEmail, report: &mut Report) {
    if !mail.text.trim().is_empty() && mail.full_text.trim().is_empty() {
        report.fail(file, "`text` is not empty but `full_text` is".to_string());
    }
    if let Some(html) = &mail.html
        && let Some(problem) = unsafe_html(html)
    {
        report.fail(file, format!("sanitised HTML is not safe: {problem}"));
    }
}

/// Raw 8-bit bytes in headers (older Outlook and Exchange write Latin-1 as it is) are decoded,
/// not replaced: the subject and the names read have no U+FFFD the message did not hold.
pub(super) fn check_header_text(file: &str, raw: &[u8], mail: &InboundEmail, report: &mut Report) {
    const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();
    if raw.windows(REPLACEMENT.len()).any(|w| w == REPLACEMENT) {
        return;
    }
    let names = [&mail.from, &mail.reply_to]
        .into_iter()
        .flatten()
        .chain(&mail.to)
        .chain(&mail.cc)
        .filter_map(|m| m.name.as_deref());
    for text in names.chain([mail.subject.as_str()]) {
        if text.contains('\u{FFFD}') {
            report.fail(file, format!("header text {text:?} has U+FFFD"));
        }
    }
}

/// Why sanitised HTML would still be dangerous to show, if it would: a script element, an
/// event-handler attribute or a `javascript:` URL. Attributes are read tag by tag, so text
/// such as "based on=" in the body does not count.
pub(super) fn unsafe_html(html: &str) -> Option<String> {
    let lower = html.to_lowercase();
    if lower.contains("<script") {
        return Some("contains <script".to_string());
    }
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let tag = &rest[start + 1..];
        let end = tag.find('>').unwrap_or(tag.len());
        for (name, value) in attributes(&tag[..end]) {
            if name.starts_with("on") {
                return Some(format!("event attribute `{name}`"));
            }
            if value.trim_start().starts_with("javascript:") {
                return Some(format!("javascript: URL in `{name}`"));
            }
        }
        rest = &tag[end..];
    }
    None
}

/// The attributes of one tag's inside (`a href="x" title="y"`), as the sanitiser writes
/// them: names, then an optional double-quoted value.
fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    // Skip the tag name.
    let mut rest = tag.trim_start_matches('/');
    rest = rest.trim_start_matches(|c: char| !c.is_whitespace());
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return found;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let mut value = "";
        if let Some(after_equals) = rest.strip_prefix('=') {
            if let Some(quoted) = after_equals.strip_prefix('"') {
                let close = quoted.find('"').unwrap_or(quoted.len());
                value = &quoted[..close];
                rest = quoted.get(close + 1..).unwrap_or("");
            } else {
                let close = after_equals
                    .find(char::is_whitespace)
                    .unwrap_or(after_equals.len());
                value = &after_equals[..close];
                rest = &after_equals[close..];
            }
        }
        if name.is_empty() {
            // Nothing recognisable left (a stray '='): stop rather than loop forever.
            return found;
        }
        found.push((name, value));
    }
}
