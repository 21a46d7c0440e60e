//! The manifest's expectations: what the source projects' own tests assert about a
//! message, read from their words into our model and checked against the parse.

use crate::allow_lists::{CORRECTED, MISATTRIBUTED};
use crate::report::Report;
use soporte_core::email::{AutomaticKind, InboundEmail};
use std::collections::BTreeMap;

/// One row of MANIFEST.tsv, by column name.
pub(super) type Row = BTreeMap<String, String>;

/// Something the source project's test says about a message, in terms of our model.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expectation {
    /// All attachments: stalwart counts like we do (we read mail-parser's attachment list),
    /// inline images and nested messages included; mikel/mail's counts agree on this corpus.
    AttachmentCount(usize),
    HasAttachments,
    AttachmentFilename {
        index: usize,
        name: String,
    },
    /// Lower-cased, RFC 5322 comments removed: `pete(his account)@silly.test` is
    /// `pete@silly.test`.
    FromAddress(String),
    /// `None`: the source states an address without a name.
    FromName(Option<String>),
    FromPresent,
    /// The source's From has no usable address (`<>`, `<moderator>`): we keep only valid
    /// addresses, so there is no sender at all.
    NoFrom,
    To(Vec<String>),
    ToPresent,
    Subject(String),
    MessageId(String),
    References(Vec<String>),
    Bounce,
    AutoReply,
    NotBounce,
    /// `no_auto_answer` names a reason.
    NoAutoAnswer,
}

/// A clause of the manifest, as written, and what it means for us (nothing when it speaks
/// of something our model does not have, such as MIME part counts, dates or Sender).
pub(super) struct Clause {
    text: String,
    pub(super) meaning: Vec<Expectation>,
}

pub(super) fn check_manifest_row(file: &str, row: &Row, mail: &InboundEmail, report: &mut Report) {
    let expected = row.get("expected").map(String::as_str).unwrap_or_default();
    let notable = row.get("notable").map(String::as_str).unwrap_or_default();
    let mut clauses = parse_expected(expected);
    clauses.extend(notable_clauses(notable));
    for (_, corrected, _) in CORRECTED.iter().filter(|(name, _, _)| *name == file) {
        clauses.extend(parse_expected(corrected));
    }
    for clause in clauses {
        if clause.meaning.is_empty() {
            report.unmapped += 1;
            continue;
        }
        if let Some(entry) = MISATTRIBUTED
            .iter()
            .position(|(name, fragment, _)| *name == file && clause.text.contains(fragment))
        {
            report.used_misattributed.insert(entry);
            report.misattributed += 1;
            continue;
        }
        for expectation in &clause.meaning {
            let verdict = check(expectation, mail);
            report.judge(file, &clause.text, "expectation", verdict);
        }
    }

    // The decoded subject, when the manifest's tool could decode it cleanly.
    let subject = row
        .get("subject_decoded")
        .map(|s| s.trim())
        .unwrap_or_default();
    if !subject.is_empty() && !subject.contains('\u{FFFD}') {
        let verdict = check(&Expectation::Subject(subject.to_string()), mail);
        report.judge(
            file,
            &format!("subject_decoded='{subject}'"),
            "subject",
            verdict,
        );
    }
}

/// `Ok` when the message matches, else what we got instead.
fn check(expectation: &Expectation, mail: &InboundEmail) -> Result<(), String> {
    let from_address = mail.from.as_ref().map(|m| m.address.as_str());
    let addresses = |list: &[soporte_core::email::Mailbox]| -> Vec<String> {
        list.iter().map(|m| m.address.clone()).collect()
    };
    let matches = match expectation {
        Expectation::AttachmentCount(count) => mail.attachments.len() == *count,
        Expectation::HasAttachments => !mail.attachments.is_empty(),
        Expectation::AttachmentFilename { index, name } => mail
            .attachments
            .get(*index)
            .is_some_and(|a| a.filename == *name),
        Expectation::FromAddress(address) => from_address == Some(address.as_str()),
        Expectation::FromName(name) => {
            mail.from.as_ref().map(|m| m.name.as_deref()) == Some(name.as_deref())
        }
        Expectation::FromPresent => mail.from.is_some(),
        Expectation::NoFrom => mail.from.is_none(),
        Expectation::To(list) => addresses(&mail.to) == *list,
        Expectation::ToPresent => !mail.to.is_empty(),
        Expectation::Subject(subject) => collapse_spaces(&mail.subject) == collapse_spaces(subject),
        Expectation::MessageId(id) => mail.message_id.as_deref() == Some(id.as_str()),
        Expectation::References(ids) => mail.references == *ids,
        Expectation::Bounce => mail.automatic == Some(AutomaticKind::Bounce),
        Expectation::AutoReply => mail.automatic == Some(AutomaticKind::AutoReply),
        Expectation::NotBounce => mail.automatic != Some(AutomaticKind::Bounce),
        Expectation::NoAutoAnswer => mail.no_auto_answer.is_some(),
    };
    if matches {
        return Ok(());
    }
    let got = match expectation {
        Expectation::AttachmentCount(_)
        | Expectation::HasAttachments
        | Expectation::AttachmentFilename { .. } => format!(
            "attachments {:?}",
            mail.attachments
                .iter()
                .map(|a| (a.filename.as_str(), a.media_type.as_str()))
                .collect::<Vec<_>>()
        ),
        Expectation::FromAddress(_)
        | Expectation::FromName(_)
        | Expectation::FromPresent
        | Expectation::NoFrom => format!("from {:?}", mail.from),
        Expectation::To(_) | Expectation::ToPresent => format!("to {:?}", addresses(&mail.to)),
        Expectation::Subject(_) => format!("subject {:?}", mail.subject),
        Expectation::MessageId(_) => format!("message_id {:?}", mail.message_id),
        Expectation::References(_) => format!("references {:?}", mail.references),
        Expectation::Bounce
        | Expectation::AutoReply
        | Expectation::NotBounce
        | Expectation::NoAutoAnswer => format!(
            "automatic {:?}, no_auto_answer {:?}",
            mail.automatic, mail.no_auto_answer
        ),
    };
    Err(got)
}

/// Header unfolding keeps the folding whitespace; some tools collapse it. Compare words.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `notable` column names what a fixture is for; sisimai's collection is split into
/// bounces, RFC 3834 auto-replies and messages that must not be taken for bounces. Mail from
/// robots must also never get an automatic answer: that is how mail loops start.
fn notable_clauses(notable: &str) -> Vec<Clause> {
    let clause = |what: &str, meaning: Expectation| Clause {
        text: format!("notable '{notable}' {what}"),
        meaning: vec![meaning],
    };
    if notable.starts_with("bounce") || notable.starts_with("BOUNCE/DSN") {
        vec![
            clause("is a bounce", Expectation::Bounce),
            clause("is never answered automatically", Expectation::NoAutoAnswer),
        ]
    } else if notable.starts_with("AUTO-REPLY") {
        vec![
            clause("is an auto-reply", Expectation::AutoReply),
            clause("is never answered automatically", Expectation::NoAutoAnswer),
        ]
    } else if notable.starts_with("NOT a bounce") {
        vec![clause("is not a bounce", Expectation::NotBounce)]
    } else {
        Vec::new()
    }
}

/// Splits the `expected` column into clauses. Three shapes occur:
/// stalwart's `subject='..'; from=Name <a@b>; attachments=N ... (resources/eml/..json)`,
/// mikel/mail's `expect(..).to eq .. | expect(..) .. (mikel/mail spec)`, and the bounce rows
/// `bounced?=true (spec/..rb); expect(..) | ..`.
pub(super) fn parse_expected(expected: &str) -> Vec<Clause> {
    let expected = expected.trim();
    if expected.is_empty() {
        return Vec::new();
    }
    let mut clauses = Vec::new();
    let mut rest = expected;
    if let Some(after) = rest.strip_prefix("bounced?=true") {
        clauses.push(Clause {
            text: "bounced?=true".to_string(),
            meaning: vec![Expectation::Bounce],
        });
        rest = after.split_once(");").map(|(_, r)| r).unwrap_or("");
    }
    if let Some(source) = rest.rfind(" (resources/eml/") {
        // `; ` separates the items, except the counts at the end, which only spaces separate.
        // A `; ` inside a subject does not start a new item: only a known key does.
        let mut groups: Vec<String> = Vec::new();
        for piece in rest[..source].split("; ") {
            let starts_item = ["subject=", "from=", "attachments="]
                .iter()
                .any(|key| piece.starts_with(key));
            match groups.last_mut() {
                Some(last) if !starts_item => {
                    last.push_str("; ");
                    last.push_str(piece);
                }
                _ => groups.push(piece.to_string()),
            }
        }
        for group in &groups {
            let items: Vec<&str> = if group.starts_with("subject=") || group.starts_with("from=") {
                vec![group.as_str()]
            } else {
                group.split_whitespace().collect()
            };
            for item in items {
                clauses.push(Clause {
                    text: item.to_string(),
                    meaning: stalwart_item(item),
                });
            }
        }
        return clauses;
    }
    let rest = rest.trim().trim_end_matches("(mikel/mail spec)").trim();
    for clause in rest.split(" | ").map(str::trim).filter(|c| !c.is_empty()) {
        clauses.push(Clause {
            text: clause.to_string(),
            meaning: rspec_clause(clause),
        });
    }
    clauses
}

fn stalwart_item(item: &str) -> Vec<Expectation> {
    let Some((key, value)) = item.split_once('=') else {
        return Vec::new();
    };
    match key.trim() {
        "subject" => value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .map(|v| Expectation::Subject(v.to_string()))
            .into_iter()
            .collect(),
        "attachments" => value
            .trim()
            .parse()
            .map(Expectation::AttachmentCount)
            .into_iter()
            .collect(),
        "from" => match display_address(value) {
            Some((name, address)) if address.contains('@') => vec![
                Expectation::FromAddress(address),
                Expectation::FromName(name),
            ],
            Some(_) => vec![Expectation::NoFrom],
            None => Vec::new(),
        },
        // Our model merges the text and the HTML bodies: it has no part counts.
        _ => Vec::new(),
    }
}

/// `Name <address>` or `"Name" <address>` or `<address>`: the name (if any) and the
/// address, lower-cased and without comments.
fn display_address(text: &str) -> Option<(Option<String>, String)> {
    let text = text.trim();
    let (name, address) = match text.rfind('<') {
        Some(open) => {
            let inner = text[open + 1..].strip_suffix('>')?;
            (text[..open].trim().trim_matches('"').trim(), inner)
        }
        None => ("", text),
    };
    let name = (!name.is_empty()).then(|| name.to_string());
    Some((name, normalise_address(address)))
}

fn normalise_address(address: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in address.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 && !c.is_whitespace() => plain.push(c),
            _ => {}
        }
    }
    plain.to_lowercase()
}

/// One RSpec line: `expect(SUBJECT).to eq VALUE`, `.to eq(VALUE)`, `.not_to be_nil`,
/// `.to be_bounced` and friends.
fn rspec_clause(clause: &str) -> Vec<Expectation> {
    rspec_expectation(clause).unwrap_or_default()
}

fn rspec_expectation(clause: &str) -> Option<Vec<Expectation>> {
    let inner = clause.strip_prefix("expect(")?;
    let close = matching_paren(inner)?;
    let subject = &inner[..close];
    let matcher = inner[close + 1..].trim();

    match matcher {
        ".not_to be_nil" if subject.ends_with(".from") => {
            return Some(vec![Expectation::FromPresent]);
        }
        ".not_to be_nil" if subject.ends_with(".to") => return Some(vec![Expectation::ToPresent]),
        ".to be_bounced" => return Some(vec![Expectation::Bounce]),
        ".to be_has_attachments" => return Some(vec![Expectation::HasAttachments]),
        _ => {}
    }
    // `.to eq VALUE` or `.to eq(VALUE)`.
    let value = matcher.strip_prefix(".to eq")?.trim();
    let value = value
        .strip_prefix('(')
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or(value)
        .trim();

    let expectation =
        if subject.ends_with("attachments.length") || subject.ends_with("attachments.size") {
            Expectation::AttachmentCount(value.parse().ok()?)
        } else if let Some(index) = attachment_index(subject) {
            Expectation::AttachmentFilename {
                index,
                name: ruby_string(value)?,
            }
        } else if subject.ends_with(".from") || subject.ends_with("[:from].addresses") {
            match ruby_list(value) {
                // We keep the first sender only, so only one-address lists compare.
                Some(list) => match list.as_slice() {
                    [only] => Expectation::FromAddress(normalise_address(only)),
                    _ => return None,
                },
                // A display string (`'John Doe <jdoe@machine.example>'`).
                None => Expectation::FromAddress(display_address(&ruby_string(value)?)?.1),
            }
        } else if subject.ends_with("[:from].to_s") {
            let (name, address) = display_address(&ruby_string(value)?)?;
            return Some(vec![
                Expectation::FromAddress(address),
                Expectation::FromName(name),
            ]);
        } else if subject.ends_with("[:from].display_names") {
            match ruby_list(value)?.as_slice() {
                [only] => Expectation::FromName(Some(only.clone())),
                _ => return None,
            }
        } else if subject.ends_with(".to") {
            let list = match ruby_list(value) {
                Some(list) => list.iter().map(|a| normalise_address(a)).collect(),
                None => vec![display_address(&ruby_string(value)?)?.1],
            };
            Expectation::To(list)
        } else if subject.ends_with(".subject") {
            Expectation::Subject(ruby_string(value)?)
        } else if subject.ends_with(".reply.in_reply_to") {
            // A reply answers the Message-ID of the message it replies to.
            Expectation::MessageId(ruby_string(value)?)
        } else if subject.ends_with(".references") {
            Expectation::References(vec![ruby_string(value)?])
        } else {
            return None;
        };
    Some(vec![expectation])
}

fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// `mail.attachments.first.filename` is 0, `mail.attachments[1].filename` is 1.
fn attachment_index(subject: &str) -> Option<usize> {
    if subject.ends_with("attachments.first.filename") {
        return Some(0);
    }
    let (_, after) = subject.split_once("attachments[")?;
    let (index, tail) = after.split_once(']')?;
    (tail == ".filename").then_some(index.parse().ok()?)
}

/// A complete Ruby string literal in single or double quotes.
fn ruby_string(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = value.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(body.to_string())
}

/// A complete Ruby array of string literals; `None` when it is not one (or was cut off).
fn ruby_list(value: &str) -> Option<Vec<String>> {
    let body = value.strip_prefix('[')?.strip_suffix(']')?;
    let mut items = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let after = &rest[1..];
        let close = after.find(quote)?;
        items.push(after[..close].to_string());
        rest = after[close + 1..]
            .trim_start()
            .trim_start_matches(',')
            .trim_start();
    }
    Some(items)
}
