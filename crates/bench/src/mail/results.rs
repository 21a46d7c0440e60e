//! What a run achieved: the use case's answers tallied, every reply checked against its
//! thread, and the figures printed beside their targets.

use super::corpus::{Corpus, ExpectedThreads};
use super::database::Stored;
use super::{TARGET_MESSAGES_PER_SEC, TARGET_PEAK_RSS_BYTES};
use crate::report::{Measured, report, report_figure};
use soporte_app::email::IntakeOutcome;
use std::collections::BTreeMap;

/// Threading misses listed one by one; the rest are only counted.
const MISSES_SHOWN: usize = 5;
const MIB: f64 = 1024.0 * 1024.0;

/// What the use case answered for each message.
pub(super) struct Tally {
    /// Per file: the ticket it went to and whether that ticket was new.
    ticket_of: Vec<Option<(i64, bool)>>,
    opened: usize,
    joined: usize,
    duplicates: usize,
    quarantined: BTreeMap<String, usize>,
}

impl Tally {
    pub(super) fn of(files: usize, outcomes: Vec<(usize, IntakeOutcome)>) -> Self {
        let mut tally = Self {
            ticket_of: vec![None; files],
            opened: 0,
            joined: 0,
            duplicates: 0,
            quarantined: BTreeMap::new(),
        };
        for (i, outcome) in outcomes {
            let ticket = match outcome {
                IntakeOutcome::Created {
                    ticket_id,
                    new_ticket,
                    ..
                } => {
                    if new_ticket {
                        tally.opened += 1;
                    } else {
                        tally.joined += 1;
                    }
                    Some((ticket_id.0, new_ticket))
                }
                IntakeOutcome::Duplicate { ticket_id, .. } => {
                    tally.duplicates += 1;
                    Some((ticket_id.0, false))
                }
                IntakeOutcome::AlreadyTaken => {
                    tally.duplicates += 1;
                    None
                }
                IntakeOutcome::Quarantined { reason, .. } => {
                    *tally.quarantined.entry(reason).or_default() += 1;
                    None
                }
            };
            if let Some(slot) = tally.ticket_of.get_mut(i) {
                *slot = ticket;
            }
        }
        tally
    }
}

/// Replies that joined their thread's ticket, and a description of each that did not.
fn check_threading(
    expected: &ExpectedThreads,
    tally: &Tally,
    corpus: &Corpus,
) -> (usize, Vec<String>) {
    let mut threaded = 0;
    let mut misses = Vec::new();
    for &(reply, root) in &expected.replies {
        let ticket_of = |i: usize| tally.ticket_of.get(i).copied().flatten();
        let file = &corpus.files[reply];
        match (ticket_of(reply), ticket_of(root)) {
            (Some((got, _)), Some((want, _))) if got == want => threaded += 1,
            (Some((_, true)), _) => misses.push(format!("{file}: opened a ticket of its own")),
            (Some((got, false)), Some((want, _))) => misses.push(format!(
                "{file}: joined ticket {got}, its thread is in {want}"
            )),
            (Some(_), None) => misses.push(format!(
                "{file}: its thread's first message {} made no ticket",
                corpus.files[root]
            )),
            (None, _) => misses.push(format!("{file}: made no ticket (quarantined?)")),
        }
    }
    (threaded, misses)
}

pub(super) fn print_run(
    intake: &Measured,
    cpu_seconds: f64,
    (peak_rss, peak_is_this_runs): (u64, bool),
    tally: &Tally,
    stored: &Stored,
    expected: Option<&ExpectedThreads>,
    corpus: &Corpus,
) {
    let db = "sqlite";
    let rate_ok = intake.per_second() >= TARGET_MESSAGES_PER_SEC;
    report(db, "intake_email", intake, Some(("≥ 1000/s", rate_ok)));
    let messages = intake.latencies.len().max(1) as f64;
    let cpu = format!(
        "{cpu_seconds:.1} s, {:.2} ms per message",
        cpu_seconds * 1_000.0 / messages
    );
    report_figure(db, "CPU time (user+sys)", &cpu, None);
    let peak = format!(
        "{:.1} MiB{}",
        peak_rss as f64 / MIB,
        if peak_is_this_runs {
            ""
        } else {
            " (could not reset: includes earlier runs)"
        }
    );
    let rss_ok = peak_rss < TARGET_PEAK_RSS_BYTES;
    report_figure(db, "peak RSS (VmHWM)", &peak, Some(("< 200 MB", rss_ok)));

    let misses = match expected {
        Some(expected) => {
            let (threaded, misses) = check_threading(expected, tally, corpus);
            let all = expected.replies.len();
            let figure = format!("{threaded}/{all} replies in their thread's ticket");
            let target = format!("{all}/{all}");
            report_figure(db, "threading", &figure, Some((&target, threaded == all)));
            misses
        }
        None => {
            report_figure(db, "threading", "not checked (no manifest)", None);
            Vec::new()
        }
    };
    let quarantined: usize = tally.quarantined.values().sum();
    let outcomes = format!(
        "{} new tickets, {} into existing tickets, {} duplicates, {quarantined} quarantined",
        tally.opened, tally.joined, tally.duplicates
    );
    report_figure(db, "intake outcomes", &outcomes, None);
    let expected_note = expected.map_or(String::new(), |e| {
        format!(" (manifest: {} threads, {} images)", e.threads, e.images)
    });
    let rows = format!(
        "{} tickets, {} messages, {} attachments ({} inline){expected_note}",
        stored.tickets, stored.messages, stored.attachments, stored.inline
    );
    report_figure(db, "in the database", &rows, None);
    let more = format!(
        "{} contacts, {} acknowledgements queued, {} quarantine rows",
        stored.contacts, stored.acknowledgements, stored.quarantined
    );
    report_figure(db, "", &more, None);
    let disk = format!(
        "database {:.1} MB with its WAL ({} blobs, {:.1} MB, inside), blob files {:.1} MB",
        stored.database_bytes as f64 / 1e6,
        stored.blobs_inside,
        stored.blob_bytes_inside as f64 / 1e6,
        stored.blob_bytes as f64 / 1e6
    );
    report_figure(db, "on disk", &disk, None);
    for (reason, count) in &tally.quarantined {
        println!("    quarantined ×{count}: {reason}");
    }
    for miss in misses.iter().take(MISSES_SHOWN) {
        println!("    threading miss: {miss}");
    }
    if misses.len() > MISSES_SHOWN {
        println!(
            "    … and {} more threading misses",
            misses.len() - MISSES_SHOWN
        );
    }
}
