//! Real-world mail written by others: the shared corpus (`../shared/corpus/mail`, next to the
//! repository) holds 222 messages from mikel/mail, stalwart mail-parser (including Dovecot's
//! malformed cases) and sisimai's bounce collection. Every one must go through
//! `soporte_mail::parse` without a panic, the HTML we keep must be safe, and where the
//! corpus manifest states what the source project's own tests assert, we check that too.
//!
//! The corpus is not part of this repository, so a checkout without it skips the test,
//! except in CI, where a missing corpus would silently turn the test into a no-op.

use soporte_core::email::{AutomaticKind, InboundEmail};
use soporte_mail::ParseError;
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};

/// Files that are not e-mail messages at all, so `ParseError::NotAMessage` is the right answer.
const NOT_MESSAGES: &[(&str, &str)] = &[];

/// Manifest excerpts that belong to a neighbouring example in the source spec, not to this
/// file (the manifest was built by taking the `expect` lines near a fixture's name). Each
/// was checked against the spec; they are skipped, not evaluated.
const MISATTRIBUTED: &[(&str, &str, &str)] = &[];

/// What the source spec really asserts for files whose manifest excerpt is misattributed,
/// written in the manifest's own syntax so the same checks apply.
const CORRECTED: &[(&str, &str, &str)] = &[];

/// Checkable expectations where our result differs on purpose or because of a known limit.
/// Each entry must still differ: once it matches, the entry is stale and the test says so.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mail")
}

#[test]
fn every_corpus_message_parses_and_matches_its_source_tests() -> Result<(), Box<dyn Error>> {
    let dir = corpus_dir();
    if !dir.is_dir() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "the mail corpus is missing at {} (CI=true): check out ../shared next to the repository",
                dir.display()
            );
        }
        eprintln!("SKIPPED: corpus test (../shared/corpus/mail not found)");
        return Ok(());
    }

    let manifest = read_manifest(&dir.join("MANIFEST.tsv"))?;
    let mut files: BTreeSet<String> = manifest.keys().cloned().collect();
    files.extend(eml_files_under(&dir, &dir)?);

    let mut report = Report::default();
    for file in &files {
        let raw = match std::fs::read(dir.join(file)) {
            Ok(raw) => raw,
            Err(error) => {
                report.fail(file, format!("cannot read: {error}"));
                continue;
            }
        };
        // One panicking message must not hide the others: catch it and name the file.
        let outcome = std::panic::catch_unwind(|| soporte_mail::parse(&raw));
        let not_a_message = NOT_MESSAGES.iter().find(|(name, _)| name == file);
        let mail = match (outcome, not_a_message) {
            (Err(payload), _) => {
                report.fail(file, format!("panicked: {}", panic_text(&payload)));
                continue;
            }
            (Ok(Err(ParseError::NotAMessage)), Some(_)) => {
                report.refused += 1;
                continue;
            }
            (Ok(Err(error)), None) => {
                report.fail(file, format!("refused a real message: {error}"));
                continue;
            }
            (Ok(Ok(_)), Some(_)) => {
                report.fail(
                    file,
                    "is in NOT_MESSAGES but parsed: remove it from the list".to_string(),
                );
                continue;
            }
            (Ok(Ok(mail)), None) => mail,
        };
        report.parsed += 1;
        check_invariants(file, &mail, &mut report);
        if let Some(row) = manifest.get(file) {
            check_manifest_row(file, row, &mail, &mut report);
        }
    }

    report.finish(files.len())
}

// ---------------------------------------------------------------------------------------
// Invariants that hold for every message, whatever its source.

fn check_invariants(file: &str, mail: &InboundEmail, report: &mut Report) {
    if !mail.text.trim().is_empty() && mail.full_text.trim().is_empty() {
        report.fail(file, "`text` is not empty but `full_text` is".to_string());
    }
    if let Some(html) = &mail.html
        && let Some(problem) = unsafe_html(html)
    {
        report.fail(file, format!("sanitised HTML is not safe: {problem}"));
    }
}

/// Why sanitised HTML would still be dangerous to show, if it would: a script element, an
/// event-handler attribute or a `javascript:` URL. Attributes are read tag by tag, so text
/// such as "based on=" in the body does not count.
fn unsafe_html(html: &str) -> Option<String> {
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

// ---------------------------------------------------------------------------------------
// The manifest's expectations.

/// One row of MANIFEST.tsv, by column name.
type Row = BTreeMap<String, String>;

/// Something the source project's test says about a message, in terms of our model.
#[derive(Debug, Clone, PartialEq)]
enum Expectation {
    /// All attachments: stalwart counts like we do (we read mail-parser's attachment list),
    /// inline images and nested messages included; mikel/mail's counts agree on this corpus.
    AttachmentCount(usize),
    HasAttachments,
    AttachmentFilename { index: usize, name: String },
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
}

/// A clause of the manifest, as written, and what it means for us (nothing when it speaks
/// of something our model does not have, such as MIME part counts, dates or Sender).
struct Clause {
    text: String,
    meaning: Vec<Expectation>,
}

fn check_manifest_row(file: &str, row: &Row, mail: &InboundEmail, report: &mut Report) {
    let expected = row.get("expected").map(String::as_str).unwrap_or_default();
    let notable = row.get("notable").map(String::as_str).unwrap_or_default();
    let mut clauses = parse_expected(expected);
    clauses.extend(notable_clause(notable));
    if let Some((_, corrected, _)) = CORRECTED.iter().find(|(name, _, _)| *name == file) {
        clauses.extend(parse_expected(corrected));
    }
    for clause in clauses {
        if clause.meaning.is_empty() {
            report.unmapped += 1;
            continue;
        }
        if MISATTRIBUTED
            .iter()
            .any(|(name, fragment, _)| *name == file && clause.text.contains(fragment))
        {
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
        report.judge(file, &format!("subject_decoded='{subject}'"), "subject", verdict);
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
        Expectation::Bounce | Expectation::AutoReply | Expectation::NotBounce => {
            format!("automatic {:?}", mail.automatic)
        }
    };
    Err(got)
}

/// Header unfolding keeps the folding whitespace; some tools collapse it. Compare words.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `notable` column names what a fixture is for; sisimai's collection is split into
/// bounces, RFC 3834 auto-replies and messages that must not be taken for bounces.
fn notable_clause(notable: &str) -> Option<Clause> {
    let meaning = if notable.starts_with("bounce") || notable.starts_with("BOUNCE/DSN") {
        Expectation::Bounce
    } else if notable.starts_with("AUTO-REPLY") {
        Expectation::AutoReply
    } else if notable.starts_with("NOT a bounce") {
        Expectation::NotBounce
    } else {
        return None;
    };
    Some(Clause {
        text: format!("notable: {notable}"),
        meaning: vec![meaning],
    })
}

/// Splits the `expected` column into clauses. Three shapes occur:
/// stalwart's `subject='..'; from=Name <a@b>; attachments=N ... (resources/eml/..json)`,
/// mikel/mail's `expect(..).to eq .. | expect(..) .. (mikel/mail spec)`, and the bounce rows
/// `bounced?=true (spec/..rb); expect(..) | ..`.
fn parse_expected(expected: &str) -> Vec<Clause> {
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
        for item in rest[..source].split("; ") {
            clauses.push(Clause {
                text: item.to_string(),
                meaning: stalwart_item(item),
            });
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

    let expectation = if subject.ends_with("attachments.length")
        || subject.ends_with("attachments.size")
    {
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
        rest = after[close + 1..].trim_start().trim_start_matches(',').trim_start();
    }
    Some(items)
}

// ---------------------------------------------------------------------------------------
// Reading the corpus.

/// MANIFEST.tsv by file name. Fields holding quotes are quoted CSV-style (`"a ""b"""`).
fn read_manifest(path: &Path) -> Result<BTreeMap<String, Row>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the manifest {}: {e}", path.display()))?;
    let mut records = split_tsv(&text).into_iter();
    let header = records.next().ok_or("the manifest is empty")?;
    let mut rows = BTreeMap::new();
    for (line, record) in records.enumerate() {
        if record.len() != header.len() {
            return Err(format!(
                "manifest record {} has {} fields, the header {}",
                line + 2,
                record.len(),
                header.len()
            )
            .into());
        }
        let row: Row = header.iter().cloned().zip(record).collect();
        let file = row.get("file").cloned().ok_or("the manifest has no `file` column")?;
        rows.insert(file, row);
    }
    Ok(rows)
}

fn split_tsv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                // Quoted field: up to the lone closing quote; `""` is a quote.
                while let Some(q) = chars.next() {
                    if q == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            break;
                        }
                    } else {
                        field.push(q);
                    }
                }
                at_field_start = false;
            }
            '\t' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Every `.eml` below `dir`, as paths relative to `root` with `/` separators.
fn eml_files_under(root: &Path, dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(eml_files_under(root, &path)?);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            let relative = path.strip_prefix(root)?;
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            found.push(parts.join("/"));
        }
    }
    Ok(found)
}

fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

// ---------------------------------------------------------------------------------------
// Tally and verdict.

#[derive(Default)]
struct Report {
    parsed: usize,
    refused: usize,
    expectations: usize,
    subjects: usize,
    known: usize,
    misattributed: usize,
    unmapped: usize,
    failures: Vec<String>,
}

/// Below these the manifest was not read as intended (a format change, a parsing slip)
/// and the test would pass while checking almost nothing.
const MIN_EXPECTATIONS: usize = 0;
const MIN_SUBJECTS: usize = 0;

impl Report {
    fn fail(&mut self, file: &str, why: String) {
        self.failures.push(format!("{file}: {why}"));
    }

    /// Records one checked clause, taking KNOWN_DIFFERENCES into account both ways.
    fn judge(&mut self, file: &str, clause: &str, kind: &str, verdict: Result<(), String>) {
        match kind {
            "subject" => self.subjects += 1,
            _ => self.expectations += 1,
        }
        let known = KNOWN_DIFFERENCES
            .iter()
            .find(|(name, fragment, _)| *name == file && clause.contains(fragment));
        match (verdict, known) {
            (Ok(()), None) => {}
            (Err(_), Some(_)) => self.known += 1,
            (Err(got), None) => self.fail(file, format!("{clause}: got {got}")),
            (Ok(()), Some((_, fragment, _))) => self.fail(
                file,
                format!("{clause}: now matches, remove `{fragment}` from KNOWN_DIFFERENCES"),
            ),
        }
    }

    fn finish(self, files: usize) -> Result<(), Box<dyn Error>> {
        eprintln!(
            "corpus: {files} files, {} parsed, {} refused as not messages, {} expectations checked, {} subject checks \
             ({} known differences, {} misattributed and {} unmappable manifest clauses skipped)",
            self.parsed,
            self.refused,
            self.expectations,
            self.subjects,
            self.known,
            self.misattributed,
            self.unmapped,
        );
        assert!(
            self.failures.is_empty(),
            "{} corpus failures:\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
        assert!(
            self.expectations >= MIN_EXPECTATIONS,
            "only {} expectations checked (at least {MIN_EXPECTATIONS} expected): is the manifest read correctly?",
            self.expectations
        );
        assert!(
            self.subjects >= MIN_SUBJECTS,
            "only {} subject checks (at least {MIN_SUBJECTS} expected)",
            self.subjects
        );
        Ok(())
    }
}
