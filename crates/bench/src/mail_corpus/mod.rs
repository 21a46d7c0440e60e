//! A synthetic but realistic support inbox for the `mail` scenario, written as a Maildir.
//!
//! Intake cost depends on what the mail looks like, so the corpus imitates what a Spanish
//! helpdesk receives: customers of ~60 small companies (~300 addresses) writing from
//! Gmail, Outlook, Thunderbird and Apple Mail; subjects and display names as RFC 2047
//! encoded-words; bodies in quoted-printable, base64 or raw 8-bit, in UTF-8 or, from
//! Outlook, windows-1252; plain text, multipart/alternative or HTML only; one message in
//! five carrying a 100 KB screenshot (inline behind `cid:` in some HTML); three in ten
//! answering an earlier message of the corpus with `In-Reply-To`, `References` and the
//! parent quoted below a Gmail-style "El … escribió:" line.
//!
//! Everything comes from one fixed-seed xorshift generator, so the same N always gives
//! the same bytes and two runs measure the same work. Files go to `new/` under Maildir
//! names that sort in delivery order, and `manifest.tsv` beside `new/` records, per
//! message, the thread it belongs to, so the intake run can check its threading. The
//! manifest has the columns of the django-helpdesk peer's `gen_mail.py --manifest`, so
//! the same check runs on the peer's corpus.

mod compose;
mod mime;
mod people;
mod words;

use anyhow::{Context, Result, ensure};
use compose::compose;
use jiff::Timestamp;
use jiff::tz::{TimeZone, offset};
use people::people;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// The support address every message is sent to.
pub const SUPPORT_ADDRESS: &str = "soporte@vendomia.com";
/// The company running the helpdesk: an online-shop builder, as the subjects suggest.
pub const SUPPORT_COMPANY: &str = "Vendomia";

/// Fixed seed: the corpus is part of the benchmark's definition.
const SEED: u64 = 0x5EED_2026_0105_0930;
const IMAGE_BYTES: usize = 100 * 1024;
const IMAGE_PERCENT: u64 = 20;
const REPLY_PERCENT: u64 = 30;
const HTML_ONLY_PERCENT: u64 = 15;
const ALTERNATIVE_PERCENT: u64 = 35;
const COMPANY_DOMAINS: usize = 60;
const ADDRESSES_PER_DOMAIN: usize = 5;
/// Replies answer recent mail: the parent is on average this many messages back.
const MEAN_REPLY_DISTANCE: f64 = 40.0;
/// First message: Monday 5 January 2026, 09:30 in Madrid.
const FIRST_DELIVERY: &str = "2026-01-05T08:30:00Z";

/// xorshift64*: a few lines, no dependency, and the same sequence on every machine.
pub struct Xorshift(u64);

impl Xorshift {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn percent(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            let _ = write!(out, "{:016x}", self.next_u64());
        }
        out.truncate(digits);
        out
    }
}

/// What later replies need to know of a message already written.
struct Sent {
    message_id: String,
    references: Vec<String>,
    sender: usize,
    thread_subject: String,
    text: String,
    html_quote: String,
    date: jiff::ZonedDateTime,
    thread_root: usize,
    wave: usize,
}

/// What the generator wrote, for the summary line.
pub struct CorpusSummary {
    pub messages: usize,
    pub bytes: u64,
    pub threads: usize,
    pub replies: usize,
    pub with_image: usize,
    pub html_only: usize,
}

/// Writes `messages` e-mails to `dir/new/` (creating `cur/`, `new/` and `tmp/`) and the
/// manifest to `dir/manifest.tsv`. Refuses a Maildir that already holds mail, so two
/// corpora never mix.
pub fn generate(dir: &Path, messages: usize) -> Result<CorpusSummary> {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("creating {}", dir.join(sub).display()))?;
    }
    let has_mail = std::fs::read_dir(dir.join("new"))?
        .chain(std::fs::read_dir(dir.join("cur"))?)
        .next()
        .is_some();
    ensure!(
        !has_mail,
        "{} already holds messages; generate into an empty directory",
        dir.display()
    );

    let mut rng = Xorshift::new(SEED);
    let people = people(&mut rng);
    let zone = TimeZone::fixed(offset(1));
    let mut delivered: Timestamp = FIRST_DELIVERY.parse()?;
    let mut sent: Vec<Sent> = Vec::with_capacity(messages);
    let mut manifest =
        String::from("seq\tfile\twave\tmessage_id\tin_reply_to\tthread_root\tkind\tcte\thas_png\n");
    let mut summary = CorpusSummary {
        messages,
        bytes: 0,
        threads: 0,
        replies: 0,
        with_image: 0,
        html_only: 0,
    };
    for seq in 1..=messages {
        delivered += jiff::SignedDuration::from_secs(20 + rng.below(580) as i64);
        let date = delivered.to_zoned_datetime(zone.clone());
        let parent = (seq > 5 && rng.percent(REPLY_PERCENT)).then(|| {
            let back = (-(1.0 - rng.unit()).ln() * MEAN_REPLY_DISTANCE) as usize;
            sent.len() - 1 - back.min(sent.len() - 1)
        });
        let mail = compose(&mut rng, &people, &sent, parent, seq, date)?;
        let file_name = format!(
            "{}.M{:06}P{}.mx1.vendomia.com",
            delivered.as_second(),
            rng.below(1_000_000),
            1_000 + rng.below(60_000)
        );
        let path = dir.join("new").join(&file_name);
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(&mail.raw)?;
        summary.bytes += mail.raw.len() as u64;
        summary.with_image += usize::from(mail.has_image);
        summary.html_only += usize::from(mail.kind.starts_with("html"));
        let in_reply_to = parent.map_or("", |p| sent[p].message_id.as_str());
        match parent {
            Some(_) => summary.replies += 1,
            None => summary.threads += 1,
        }
        let _ = writeln!(
            manifest,
            "{seq}\tnew/{file_name}\t{}\t{}\t{in_reply_to}\t{}\t{}\t{}\t{}",
            mail.sent.wave,
            mail.sent.message_id,
            mail.sent.thread_root,
            mail.kind,
            mail.encoding.name(),
            u8::from(mail.has_image),
        );
        sent.push(mail.sent);
    }
    std::fs::write(dir.join("manifest.tsv"), manifest).context("writing manifest.tsv")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_deterministic_and_parses() -> Result<()> {
        let (first, second) = (tempfile::tempdir()?, tempfile::tempdir()?);
        generate(first.path(), 60)?;
        generate(second.path(), 60)?;
        let manifest = std::fs::read_to_string(first.path().join("manifest.tsv"))?;
        assert_eq!(
            manifest,
            std::fs::read_to_string(second.path().join("manifest.tsv"))?
        );
        let mut names: Vec<_> = std::fs::read_dir(first.path().join("new"))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()?;
        names.sort();
        assert_eq!(names.len(), 60);
        for path in names {
            let raw = std::fs::read(&path)?;
            let mail = soporte_mail::parse(&raw)?;
            assert!(mail.message_id.is_some(), "{}", path.display());
            assert!(!mail.subject.is_empty(), "{}", path.display());
            assert!(!mail.text.trim().is_empty(), "{}", path.display());
        }
        Ok(())
    }
}
