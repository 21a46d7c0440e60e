//! The `mail` scenario: a whole inbox taken in, end to end, through `App::intake_email`,
//! the use case behind IMAP fetching and `soporte import mail`: each file read from disk,
//! parsed by the e-mail adapter the `soporte` binary uses (`soporte_mail::MimeCodec`),
//! its original and attachments written to the blob store, threaded by
//! In-Reply-To/References, and stored with its contact and the acknowledgement in the
//! outbox, on a fresh SQLite database.
//!
//! The corpus is generated (see `mail_corpus/`) unless `--maildir` names one, which may
//! also be a plain directory of `.eml` files such as the django-helpdesk peer's corpus.
//! Generating happens in this process and the intake in a child process of the same
//! binary, so the peak RSS reported (`VmHWM`) is the intake's, not the generator's.
//!
//! Two runs, each on its own fresh database: one task taking the files in file-name order
//! (delivery order, so every reply comes after the message it answers) is the headline;
//! then several tasks, each taking whole threads in order, to see whether concurrency
//! helps. A manifest (written by the generator, or the peer's) tells which thread every
//! reply belongs to, so the runs also check that each reply joined its thread's ticket.

mod corpus;
mod database;
mod lanes;
mod results;

use crate::mail_corpus;
use crate::report::{
    Measured, cpu_seconds, load_average, peak_rss_bytes, reset_peak_rss, run_in_lanes,
};
use anyhow::{Context, Result, ensure};
use corpus::{Corpus, ExpectedThreads};
use database::IntakeDatabase;
use lanes::lanes_by_thread;
use results::{Tally, print_run};
use soporte_app::App;
use soporte_app::email::{IMPORT_LANES_PER_CORE, IntakeOutcome, IntakeSource, RawEmail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const TARGET_MESSAGES_PER_SEC: f64 = 1_000.0;
const TARGET_PEAK_RSS_BYTES: u64 = 200_000_000;

#[derive(clap::Args)]
pub struct MailArgs {
    /// E-mails to generate (when no --maildir is given, or with --generate-only).
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    /// Take in this corpus instead of generating one: a Maildir (`cur/` and `new/`) or a
    /// plain directory of `.eml` files, in file-name order. With --generate-only: where
    /// the generated Maildir is written.
    #[arg(long)]
    maildir: Option<PathBuf>,
    /// Write the corpus and its manifest to --maildir, then stop.
    #[arg(long, requires = "maildir")]
    generate_only: bool,
    /// Manifest to check threading against (this generator's or the peer's
    /// `gen_mail.py --manifest`); by default DIR/manifest.tsv when there is one.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Concurrent intake tasks of the second run, each taking whole threads; 1 skips it.
    #[arg(long, default_value_t = 2)]
    tasks: usize,
    /// Where each run's fresh database and blobs go (a new tempdir inside it); by default
    /// the system's temporary directory. A tmpfs here shows what the disk's fsyncs cost.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

pub async fn run(args: MailArgs) -> Result<()> {
    ensure!(args.messages > 0, "--messages must be at least 1");
    ensure!(args.tasks > 0, "--tasks must be at least 1");
    match &args.maildir {
        Some(dir) if args.generate_only => generate_corpus(dir, args.messages),
        Some(dir) => take_in_corpus(dir, &args).await,
        None => generate_then_take_in_from_child(&args),
    }
}

fn generate_corpus(dir: &Path, messages: usize) -> Result<()> {
    let started = Instant::now();
    let corpus = mail_corpus::generate(dir, messages)?;
    println!(
        "generated {} messages ({:.1} MB) in {:.1} s into {}: {} threads, {} replies, \
         {} with a 100 KB image, {} HTML-only",
        corpus.messages,
        corpus.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        dir.display(),
        corpus.threads,
        corpus.replies,
        corpus.with_image,
        corpus.html_only,
    );
    Ok(())
}

/// Generates into a tempdir, then runs this binary again on it: the child's peak RSS is
/// the intake's alone, and the parent's only job meanwhile is to wait.
fn generate_then_take_in_from_child(args: &MailArgs) -> Result<()> {
    let corpus = tempfile::tempdir().context("creating a tempdir for the corpus")?;
    generate_corpus(corpus.path(), args.messages)?;
    println!("taking it in from a fresh process, so that peak RSS is the intake's alone\n");
    let mut child =
        std::process::Command::new(std::env::current_exe().context("finding this program's path")?);
    child
        .arg("mail")
        .arg("--maildir")
        .arg(corpus.path())
        .arg("--tasks")
        .arg(args.tasks.to_string());
    if let Some(data_dir) = &args.data_dir {
        child.arg("--data-dir").arg(data_dir);
    }
    let status = child.status().context("starting the intake process")?;
    ensure!(status.success(), "the intake process failed ({status})");
    Ok(())
}

async fn take_in_corpus(dir: &Path, args: &MailArgs) -> Result<()> {
    let corpus = Corpus::read(dir)?;
    let manifest = args
        .manifest
        .clone()
        .or_else(|| Some(dir.join("manifest.tsv")).filter(|m| m.is_file()));
    let expected = manifest
        .as_deref()
        .map(|m| ExpectedThreads::read(m, &corpus))
        .transpose()?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "soporte-bench mail: {} messages ({:.1} MB) from {}, {cores} CPU(s)",
        corpus.files.len(),
        corpus.bytes as f64 / 1e6,
        dir.display()
    );
    match (&manifest, &expected) {
        (Some(path), Some(e)) => println!(
            "manifest {}: {} threads, {} replies, {} with an image",
            path.display(),
            e.threads,
            e.replies.len(),
            e.images
        ),
        _ => println!("no manifest: threading is not checked"),
    }

    // Each run's files are deleted only when the process ends: on ext4 without a journal
    // (this machine's root), creating files right after thousands were deleted is much
    // slower (`find_inode_bit` skips recently deleted inodes), so the first run's cleanup
    // would slow the second run down.
    let mut finished_runs = Vec::new();
    let label = "import pipeline (`soporte import mail`), file-name order";
    finished_runs.push(take_in(label, Runner::Import, &corpus, expected.as_ref(), args).await?);
    let in_order = vec![(0..corpus.files.len()).collect()];
    let label = "one message at a time (IMAP, the inbound API), file-name order";
    finished_runs.push(
        take_in(
            label,
            Runner::Lanes(in_order),
            &corpus,
            expected.as_ref(),
            args,
        )
        .await?,
    );
    if args.tasks > 1 {
        let started = Instant::now();
        let lanes = lanes_by_thread(&corpus, args.tasks)?;
        let sizes: Vec<String> = lanes.iter().map(|l| l.len().to_string()).collect();
        let label = format!("{} tasks, each thread on one task", args.tasks);
        println!(
            "\n(threads assigned to tasks from the headers in {:.2} s, not timed: {} messages)",
            started.elapsed().as_secs_f64(),
            sizes.join(" + ")
        );
        finished_runs.push(
            take_in(
                &label,
                Runner::Lanes(lanes),
                &corpus,
                expected.as_ref(),
                args,
            )
            .await?,
        );
    }
    drop(finished_runs);
    Ok(())
}

/// How a run feeds the messages to the use cases.
enum Runner {
    /// `App::import_emails`, as `soporte import mail` does: in file-name order, the next
    /// messages parsed while the current one is committed.
    Import,
    /// Lanes of file indexes, each lane in its own task and in its own order, one
    /// `App::intake_email` call at a time.
    Lanes(Vec<Vec<usize>>),
}

/// One measured run on a fresh database. Returns the database, for the caller to delete
/// once that can no longer disturb a measurement.
async fn take_in(
    label: &str,
    runner: Runner,
    corpus: &Corpus,
    expected: Option<&ExpectedThreads>,
    args: &MailArgs,
) -> Result<IntakeDatabase> {
    println!("\n== sqlite: {label} (load average {}) ==", load_average());
    let database = IntakeDatabase::fresh(args.data_dir.as_deref()).await?;
    // Peak RSS from here on: the corpus listing and an earlier run do not count.
    let peak_is_this_runs = reset_peak_rss();
    let cpu_before = cpu_seconds()?;

    let app = database.app.clone();
    let (outcomes, intake) = match runner {
        Runner::Import => import_all(&app, corpus).await?,
        Runner::Lanes(lanes) => {
            let files = Arc::new(corpus.files.clone());
            let dir = Arc::new(corpus.dir.clone());
            run_in_lanes(lanes, move |i| {
                let (app, files, dir) = (app.clone(), Arc::clone(&files), Arc::clone(&dir));
                async move {
                    let name = &files[i];
                    let path = dir.join(name);
                    let raw = tokio::fs::read(&path)
                        .await
                        .with_context(|| format!("reading {}", path.display()))?;
                    let source = IntakeSource::Import(name.clone());
                    let outcome = app
                        .intake_email(&raw, &source)
                        .await
                        .with_context(|| format!("taking in {}", path.display()))?;
                    Ok((i, outcome))
                }
            })
            .await?
        }
    };

    let cpu = cpu_seconds()? - cpu_before;
    let peak_rss = peak_rss_bytes()?;
    let tally = Tally::of(corpus.files.len(), outcomes);
    let stored = database.stored().await?;
    print_run(
        &intake,
        cpu,
        (peak_rss, peak_is_this_runs),
        &tally,
        &stored,
        expected,
        corpus,
    );
    Ok(database)
}

/// The whole corpus through `App::import_emails`; each message's latency runs from the
/// start of its reading to its commit.
async fn import_all(app: &App, corpus: &Corpus) -> Result<(Vec<(usize, IntakeOutcome)>, Measured)> {
    let emails = corpus
        .files
        .iter()
        .map(|name| (name.clone(), RawEmail::File(corpus.dir.join(name))))
        .collect();
    // As `soporte import mail` does.
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let lanes = cores * IMPORT_LANES_PER_CORE;
    let (mut outcomes, mut latencies) = (Vec::new(), Vec::new());
    let mut first_error = None;
    let started = Instant::now();
    app.import_emails(emails, lanes * 2, lanes, |i, name, outcome, took| {
        match outcome {
            Ok(outcome) => outcomes.push((i, outcome)),
            Err(e) => {
                first_error.get_or_insert_with(|| format!("taking in {name}: {e}"));
            }
        }
        latencies.push(took);
    })
    .await?;
    let wall = started.elapsed();
    if let Some(e) = first_error {
        anyhow::bail!(e);
    }
    latencies.sort_unstable();
    Ok((outcomes, Measured { latencies, wall }))
}
