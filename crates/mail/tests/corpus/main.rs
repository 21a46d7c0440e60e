//! Real-world mail written by others: the shared corpus (`../shared/corpus/mail`, next to the
//! repository) holds 222 messages from mikel/mail, stalwart mail-parser (including Dovecot's
//! malformed cases) and sisimai's bounce collection. Every one must go through
//! `soporte_mail::parse` without a panic, the HTML we keep must be safe, and where the
//! corpus manifest states what the source project's own tests assert, we check that too.
//!
//! The corpus is not part of this repository, so a checkout without it skips the test,
//! except in CI, where a missing corpus would silently turn the test into a no-op.

mod allow_lists;
mod expectations;
mod invariants;
mod reading;
mod report;

use allow_lists::{CORRECTED, NOT_MESSAGES};
use expectations::{Expectation, check_manifest_row, parse_expected};
use invariants::{check_header_text, check_invariants, unsafe_html};
use reading::{eml_files_under, panic_text, read_manifest, split_tsv};
use report::Report;
use soporte_mail::ParseError;
use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

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
    let listed = NOT_MESSAGES
        .iter()
        .copied()
        .chain(CORRECTED.iter().map(|(name, _, _)| *name));
    for name in listed {
        if !manifest.contains_key(name) {
            report.fail(
                name,
                "is in an allow-list but not in the manifest".to_string(),
            );
        }
    }
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
        let not_a_message = NOT_MESSAGES.contains(&file.as_str());
        let mail = match (outcome, not_a_message) {
            (Err(payload), _) => {
                report.fail(file, format!("panicked: {}", panic_text(&payload)));
                continue;
            }
            (Ok(Err(ParseError::NotAMessage)), true) => {
                report.refused += 1;
                continue;
            }
            (Ok(Err(error)), _) => {
                report.fail(file, format!("refused a real message: {error}"));
                continue;
            }
            (Ok(Ok(_)), true) => {
                report.fail(
                    file,
                    "is in NOT_MESSAGES but parsed: remove it from the list".to_string(),
                );
                continue;
            }
            (Ok(Ok(mail)), false) => mail,
        };
        report.parsed += 1;
        check_invariants(file, &mail, &mut report);
        check_header_text(file, &raw, &mail, &mut report);
        if let Some(row) = manifest.get(file) {
            check_manifest_row(file, row, &mail, &mut report);
        }
    }

    report.finish(files.len())
}

/// Outlook 2000 sent files uuencoded inside the text (stalwart's legacy/049.eml): they are
/// attachments, and the text keeps only what the person wrote.
#[test]
fn uuencoded_files_in_outlook_2000_mail_are_attachments() -> Result<(), Box<dyn Error>> {
    let path = corpus_dir().join("stalwart-mail-parser/legacy/049.eml");
    if !path.is_file() {
        eprintln!("SKIPPED: {} not found", path.display());
        return Ok(());
    }
    let mail = soporte_mail::parse(&std::fs::read(path)?)?;
    let names: Vec<(&str, &str)> = mail
        .attachments
        .iter()
        .map(|a| (a.filename.as_str(), a.media_type.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("blueball.png", "image/png"),
            ("greenball.png", "image/png"),
            ("redball.png", "image/png")
        ]
    );
    for attachment in &mail.attachments {
        assert!(
            attachment.bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is a PNG image",
            attachment.filename
        );
    }
    assert!(mail.full_text.contains("Slow but steady wins the race."));
    assert!(!mail.full_text.contains("begin 666"));
    Ok(())
}

/// The checks above are only as good as their helpers: these must be able to say no.
#[test]
fn the_helpers_catch_what_they_must() {
    assert!(unsafe_html("<p>Hola</p><img src=\"cid:a@b\" alt=\"x\">").is_none());
    assert!(unsafe_html("<p>based on=this, <b>on</b></p>").is_none());
    assert!(unsafe_html("<img src=\"x\" onerror=\"alert(1)\">").is_some());
    assert!(unsafe_html("<DIV OnClick=steal()>x</DIV>").is_some());
    assert!(unsafe_html("<a title=\"a\" href=\" javascript:alert(1)\">x</a>").is_some());
    assert!(unsafe_html("<ScRiPt>alert(1)</script>").is_some());

    let records = split_tsv("file\texpected\na.eml\t\"say \"\"hi\"\"\ttab\"\n");
    assert_eq!(records[1], ["a.eml", "say \"hi\"\ttab"]);

    let meanings = |expected: &str| -> Vec<Expectation> {
        parse_expected(expected)
            .into_iter()
            .flat_map(|c| c.meaning)
            .collect()
    };
    assert_eq!(
        meanings(
            "from=Al Gore <VP@whitehouse.gov>; subject='a; b'; attachments=2 text_body_parts=1 \
             html_body_parts=1 (resources/eml/rfc/002.json)"
        ),
        [
            Expectation::FromAddress("vp@whitehouse.gov".to_string()),
            Expectation::FromName(Some("Al Gore".to_string())),
            Expectation::Subject("a; b".to_string()),
            Expectation::AttachmentCount(2),
        ]
    );
    assert_eq!(
        meanings(
            "expect(mail.from).to eq [\"pete(his account)@silly.test\"] | expect(mail.to).to eq \
             ['c@a.test', 'JOE@where.test'] | expect(mail.attachments[1].filename).to eq 'x.rb' \
             | expect(mail.date).to eq ::DateTime.parse('21 Nov 97') (mikel/mail spec)"
        ),
        [
            Expectation::FromAddress("pete@silly.test".to_string()),
            Expectation::To(vec!["c@a.test".to_string(), "joe@where.test".to_string()]),
            Expectation::AttachmentFilename {
                index: 1,
                name: "x.rb".to_string()
            },
        ]
    );
    assert_eq!(
        meanings(
            "bounced?=true (spec/x.rb); expect(mail1).to be_bounced | expect(m).to be_multipart"
        ),
        [Expectation::Bounce, Expectation::Bounce]
    );
    // A list cut off by the manifest's excerpt length is not guessed at.
    assert!(meanings("expect(mail.to).to eq ['a@b.c', 'd@e (mikel/mail spec)").is_empty());
}
