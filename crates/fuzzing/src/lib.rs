//! The fuzzing targets' bodies. Each takes any bytes and must neither panic nor take more
//! than linear work; where a property must hold for every input, it is asserted, so a
//! fuzzer reports its failure as a crash.
//!
//! The fuzzers themselves are under `fuzz/` (cargo-fuzz, nightly); every input they ever
//! found a problem with is kept under `fuzz/regressions/<target>/` and replayed by this
//! crate's tests on stable, in the normal suite.

pub mod hostile;

use soporte_core::policy::classifier::{Classifier, builtin_examples};
use soporte_core::policy::intake::{IntakeRequest, decide_intake};
use soporte_core::policy::rules::Policy;
use soporte_core::search::{index_terms, merge_terms, query_groups};
use soporte_core::support::Channel;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// The targets, by the names `cargo fuzz run` knows them by.
pub const TARGETS: [(&str, Target); 4] = [
    ("mime_intake", mime_intake),
    ("config_file", config_file),
    ("search_query", search_query),
    ("whatsapp_webhook", whatsapp_webhook),
];

/// A WhatsApp webhook body as the channel reads it: the signature checked, the events
/// read, and every message turned into the text a ticket shows. Whatever the body, the
/// same bytes signed with the secret pass the check and any other signature fails.
pub fn whatsapp_webhook(data: &[u8]) {
    use soporte_core::whatsapp::WhatsAppCodec;
    let codec = soporte_whatsapp::CloudApiCodec;
    let secret = b"fuzzing-app-secret";
    let signature = soporte_whatsapp::sign(secret, data);
    assert!(codec.verify(secret, data, Some(&signature)).is_ok());
    assert!(
        codec
            .verify(b"another-secret", data, Some(&signature))
            .is_err()
    );
    let Ok(numbers) = codec.parse(data) else {
        return;
    };
    for number in &numbers {
        for message in &number.messages {
            let _ = message.content.text();
            let _ = number.profile_name(&message.from);
        }
    }
}

/// A received e-mail as intake reads it: parsed, made storable, its quoted part split off,
/// its HTML sanitised and turned to text, and the policy's decisions taken on what it says.
pub fn mime_intake(data: &[u8]) {
    let Ok(mut email) = soporte_mail::inbound::parse(data) else {
        return;
    };
    email.make_storable();
    let _ = soporte_mail::reply::split_reply(&email.full_text);
    if let Some(html) = &email.html {
        let sanitised = soporte_mail::html::sanitize(html);
        assert!(
            !sanitised.to_ascii_lowercase().contains("<script"),
            "a script survived sanitising: {sanitised:?}"
        );
        let _ = soporte_mail::html::to_text(html);
    }
    let has_image = email
        .attachments
        .iter()
        .any(|a| a.media_type.starts_with("image/"));
    let _ = decide_intake(
        policy(),
        classifier(),
        &IntakeRequest {
            subject: &email.subject,
            text: &email.text,
            channel: Channel::Email,
            has_image,
            known_sender: None,
            support_type: None,
            priority: None,
        },
    );
}

/// A configuration file's text: read, checked, and its policy and mail texts built. A
/// file is either refused with a message or gives a configuration that works.
pub fn config_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match soporte::config::Config::from_toml(text) {
        Ok(config) => {
            let _ = config.support_policy();
            let _ = config.email_templates();
            let _ = config.public_url();
            let _ = config.database_url();
        }
        Err(e) => {
            let message = format!("{e:#}");
            assert!(!message.trim().is_empty(), "a refusal without a message");
        }
    }
}

/// A search: the text indexed before a NUL byte, the query after it. Besides not failing,
/// a text is always found by each of its own words, and terms merged piecewise are the
/// terms of the whole.
pub fn search_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (indexed, query) = text.split_once('\0').unwrap_or((&text, ""));
    let terms = index_terms(indexed);
    let index: BTreeSet<&str> = terms.split(' ').filter(|t| !t.is_empty()).collect();
    for group in query_groups(query) {
        assert!(!group.is_empty(), "an empty group matches nothing");
    }
    for word in indexed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= 40)
        .take(20)
    {
        let groups = query_groups(word);
        assert!(
            groups
                .iter()
                .all(|group| group.iter().any(|form| index.contains(form.as_str()))),
            "{indexed:?} is not found by its own word {word:?}"
        );
    }
    assert_eq!(
        merge_terms(&index_terms(indexed), &index_terms(query)),
        index_terms(&format!("{indexed}\n{query}")),
        "terms merged piecewise differ from those of the whole"
    );
}

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(Policy::default)
}

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| Classifier::train(&builtin_examples()))
}
