//! The `mail` scenario: a whole inbox taken in, end to end, through `App::intake_email`,
//! the use case behind IMAP fetching and `soporte import mail`: each file read from disk,
//! parsed by the e-mail adapter the `soporte` binary uses (`soporte_mail::MimeCodec`),
//! its original and attachments written to the blob store, threaded by
//! In-Reply-To/References, and stored with its contact and the acknowledgement in the
//! outbox, on a fresh SQLite database.
//!
//! The corpus is generated (see `mail_corpus.rs`) unless `--maildir` names one, which may
//! also be a plain directory of `.eml` files such as the django-helpdesk peer's corpus.
//! Generating happens in this process and the intake in a child process of the same
//! binary, so the peak RSS reported (`VmHWM`) is the intake's, not the generator's.
//!
//! Two runs, each on its own fresh database: one task taking the files in file-name order
//! (delivery order, so every reply comes after the message it answers) is the headline;
//! then several tasks, each taking whole threads in order, to see whether concurrency
//! helps. A manifest (written by the generator, or the peer's) tells which thread every
//! reply belongs to, so the runs also check that each reply joined its thread's ticket.

use crate::mail_corpus::{self, SUPPORT_ADDRESS, SUPPORT_COMPANY};
use crate::report::{
    Measured, cpu_seconds, load_average, peak_rss_bytes, report, report_figure, reset_peak_rss,
    run_in_lanes,
};
use anyhow::{Context, Result, ensure};
use soporte_app::email::{IMPORT_LANES_PER_CORE, IntakeOutcome, IntakeSource, RawEmail};
use soporte_app::{App, AppSettings};
use soporte_core::ticket::TicketPrefix;
use soporte_store::sqlite::SqliteStore;
use soporte_store::{DiskBlobStore, Store, TieredBlobStore};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const TARGET_MESSAGES_PER_SEC: f64 = 1_000.0;
const TARGET_PEAK_RSS_BYTES: u64 = 200_000_000;
/// Threading misses listed one by one; the rest are only counted.
const MISSES_SHOWN: usize = 5;
const MIB: f64 = 1024.0 * 1024.0;

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

/// The messages of a corpus, in the order they are taken in.
struct Corpus {
    dir: PathBuf,
    /// Paths relative to `dir`, as the manifest names them (`new/…` or `000001.eml`).
    files: Vec<String>,
    bytes: u64,
}

impl Corpus {
    /// A Maildir keeps messages in `cur/` and `new/` (any name); a plain directory holds
    /// `.eml` files itself. File-name order is delivery order for Maildir names (they start
    /// with the delivery time) and for numbered `.eml` files alike.
    fn read(dir: &Path) -> Result<Self> {
        let is_maildir = dir.join("cur").is_dir() || dir.join("new").is_dir();
        let folders: Vec<PathBuf> = if is_maildir {
            vec![dir.join("cur"), dir.join("new")]
        } else {
            vec![dir.to_path_buf()]
        };
        let mut found = Vec::new();
        let mut bytes = 0;
        for folder in folders.iter().filter(|f| f.is_dir()) {
            for entry in std::fs::read_dir(folder)
                .with_context(|| format!("listing {}", folder.display()))?
            {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let wanted = is_maildir || name.ends_with(".eml");
                let metadata = entry.metadata()?;
                if wanted && metadata.is_file() && !name.starts_with('.') {
                    bytes += metadata.len();
                    let relative = entry
                        .path()
                        .strip_prefix(dir)?
                        .to_string_lossy()
                        .into_owned();
                    found.push((name, relative));
                }
            }
        }
        found.sort();
        ensure!(!found.is_empty(), "{}: no messages found", dir.display());
        Ok(Self {
            dir: dir.to_path_buf(),
            files: found.into_iter().map(|(_, relative)| relative).collect(),
            bytes,
        })
    }
}

/// Column `column` of a manifest row, empty when the row is short.
fn field<'a>(row: &[&'a str], column: usize) -> &'a str {
    row.get(column).copied().unwrap_or_default()
}

/// What the generator knows and intake has to work out: the thread of every reply.
struct ExpectedThreads {
    /// (reply, first message of its thread), as indexes into the corpus' files.
    replies: Vec<(usize, usize)>,
    threads: usize,
    images: usize,
}

impl ExpectedThreads {
    /// Reads a manifest with (at least) the columns `seq`, `file`, `in_reply_to`,
    /// `thread_root` (a `seq`) and `has_png`: this generator's and the peer's.
    fn read(path: &Path, corpus: &Corpus) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the manifest {}", path.display()))?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .with_context(|| format!("{}: no `{name}` column", path.display()))
        };
        let (seq, file, in_reply_to, thread_root, has_png) = (
            column("seq")?,
            column("file")?,
            column("in_reply_to")?,
            column("thread_root")?,
            column("has_png")?,
        );
        let index_of: HashMap<&str, usize> = corpus
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), i))
            .collect();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
        let mut file_of_seq = HashMap::new();
        for row in &rows {
            let name = field(row, file);
            let index = *index_of.get(name).with_context(|| {
                format!(
                    "{}: {name} is not in the corpus {} (wrong manifest or layout?)",
                    path.display(),
                    corpus.dir.display()
                )
            })?;
            file_of_seq.insert(field(row, seq), index);
        }
        let mut expected = Self {
            replies: Vec::new(),
            threads: 0,
            images: 0,
        };
        for row in &rows {
            expected.images += usize::from(field(row, has_png) == "1");
            if field(row, in_reply_to).is_empty() {
                expected.threads += 1;
                continue;
            }
            let root = field(row, thread_root);
            let root_index = *file_of_seq
                .get(root)
                .with_context(|| format!("{}: no message with seq {root}", path.display()))?;
            expected
                .replies
                .push((file_of_seq[field(row, seq)], root_index));
        }
        Ok(expected)
    }
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

/// A fresh, migrated SQLite database and blob store, with the e-mail use cases on, in a
/// tempdir removed when this is dropped.
struct IntakeDatabase {
    app: App,
    db_path: PathBuf,
    blobs_dir: PathBuf,
    _dir: tempfile::TempDir,
}

impl IntakeDatabase {
    async fn fresh(data_dir: Option<&Path>) -> Result<Self> {
        let dir = match data_dir {
            Some(parent) => {
                std::fs::create_dir_all(parent)?;
                tempfile::tempdir_in(parent)
            }
            None => tempfile::tempdir(),
        }
        .context("creating a tempdir for the database")?;
        let db_path = dir.path().join("soporte.db");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db_path).await?);
        store.migrate().await.context("migrating SQLite")?;
        let blobs_dir = dir.path().join("blobs");
        let blobs = TieredBlobStore::new(Arc::clone(&store), DiskBlobStore::new(&blobs_dir)?);
        let prefix = TicketPrefix::parse("VND")?;
        let settings = AppSettings::new(prefix, SUPPORT_COMPANY, SUPPORT_ADDRESS);
        let app =
            App::new(store, Arc::new(blobs), settings).with_mail(Arc::new(soporte_mail::MimeCodec));
        Ok(Self {
            app,
            db_path,
            blobs_dir,
            _dir: dir,
        })
    }

    /// What intake left in the database, counted by SQL on a connection of its own, so
    /// the figures do not depend on what the use case reported.
    async fn stored(&self) -> Result<Stored> {
        let options = SqliteConnectOptions::new()
            .filename(&self.db_path)
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .with_context(|| format!("counting: {sql}"))
            }
        };
        let stored = Stored {
            tickets: count("SELECT COUNT(*) FROM tickets").await?,
            messages: count("SELECT COUNT(*) FROM messages").await?,
            attachments: count("SELECT COUNT(*) FROM attachments").await?,
            inline: count("SELECT COUNT(*) FROM attachments WHERE inline <> 0").await?,
            quarantined: count("SELECT COUNT(*) FROM quarantine").await?,
            acknowledgements: count("SELECT COUNT(*) FROM outbox").await?,
            contacts: count("SELECT COUNT(*) FROM contacts").await?,
            blobs_inside: count("SELECT COUNT(*) FROM blob_contents").await?,
            blob_bytes_inside: count("SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM blob_contents")
                .await?,
            database_bytes: ["", "-wal"]
                .iter()
                .filter_map(|suffix| {
                    let mut path = self.db_path.clone().into_os_string();
                    path.push(suffix);
                    std::fs::metadata(path).ok()
                })
                .map(|m| m.len())
                .sum(),
            blob_bytes: directory_bytes(&self.blobs_dir)?,
        };
        pool.close().await;
        Ok(stored)
    }
}

struct Stored {
    tickets: i64,
    messages: i64,
    attachments: i64,
    inline: i64,
    quarantined: i64,
    acknowledgements: i64,
    contacts: i64,
    /// Blobs small enough to be kept in the database rather than as files.
    blobs_inside: i64,
    blob_bytes_inside: i64,
    database_bytes: u64,
    blob_bytes: u64,
}

fn directory_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        total += if metadata.is_dir() {
            directory_bytes(&entry.path())?
        } else {
            metadata.len()
        };
    }
    Ok(total)
}

/// What the use case answered for each message.
struct Tally {
    /// Per file: the ticket it went to and whether that ticket was new.
    ticket_of: Vec<Option<(i64, bool)>>,
    opened: usize,
    joined: usize,
    duplicates: usize,
    quarantined: BTreeMap<String, usize>,
}

impl Tally {
    fn of(files: usize, outcomes: Vec<(usize, IntakeOutcome)>) -> Self {
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

fn print_run(
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

/// Splits the corpus into `tasks` lanes so that all of a thread lands in one lane, in
/// file-name order: a reply is never taken in before the message it answers. The thread
/// is found from the Message-ID, In-Reply-To and References headers alone, as a real
/// importer could do before taking messages in.
fn lanes_by_thread(corpus: &Corpus, tasks: usize) -> Result<Vec<Vec<usize>>> {
    let mut root_of: HashMap<String, String> = HashMap::new();
    let mut lanes = vec![Vec::new(); tasks];
    for (i, name) in corpus.files.iter().enumerate() {
        let path = corpus.dir.join(name);
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let headers = ThreadHeaders::of(&raw);
        let root = headers
            .references
            .iter()
            .chain(&headers.in_reply_to)
            .find_map(|id| root_of.get(id).cloned())
            .or_else(|| headers.references.first().cloned())
            .or_else(|| headers.in_reply_to.first().cloned())
            .or_else(|| headers.message_id.clone())
            .unwrap_or_else(|| name.clone());
        if let Some(id) = headers.message_id {
            root_of.insert(id, root.clone());
        }
        let lane = (fnv1a(root.as_bytes()) % tasks as u64) as usize;
        if let Some(lane) = lanes.get_mut(lane) {
            lane.push(i);
        }
    }
    Ok(lanes)
}

/// The threading headers of a message, ids without their angle brackets.
struct ThreadHeaders {
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    references: Vec<String>,
}

impl ThreadHeaders {
    fn of(raw: &[u8]) -> Self {
        let mut end = raw.len();
        for (i, _) in raw.iter().enumerate().filter(|(_, b)| **b == b'\n') {
            let rest = &raw[i + 1..];
            if rest.starts_with(b"\n") || rest.starts_with(b"\r\n") {
                end = i;
                break;
            }
        }
        let block = String::from_utf8_lossy(&raw[..end]);
        // Unfold: a line starting with white space continues the field above it.
        let mut fields: Vec<String> = Vec::new();
        for line in block.split('\n').map(|l| l.trim_end_matches('\r')) {
            match fields.last_mut() {
                Some(field) if line.starts_with([' ', '\t']) => {
                    field.push(' ');
                    field.push_str(line.trim());
                }
                _ => fields.push(line.to_string()),
            }
        }
        let mut headers = Self {
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
        };
        for field in &fields {
            let Some((name, value)) = field.split_once(':') else {
                continue;
            };
            let ids = || -> Vec<String> {
                value
                    .split('<')
                    .skip(1)
                    .filter_map(|s| s.split_once('>').map(|(id, _)| id.trim().to_string()))
                    .filter(|id| !id.is_empty())
                    .collect()
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "message-id" => headers.message_id = ids().into_iter().next(),
                "in-reply-to" => headers.in_reply_to = ids(),
                "references" => headers.references = ids(),
                _ => {}
            }
        }
        headers
    }
}

/// FNV-1a: a stable hash, so the same corpus is always split the same way.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_headers_are_read_from_folded_lines() {
        let raw = b"Message-ID: <b@x.es>\r\nIn-Reply-To:\r\n <a@x.es>\r\n\
                    References: <r@x.es>\r\n\t<a@x.es>\r\nSubject: Re: hola\r\n\r\n\
                    Message-ID: <not-a-header@x.es>\r\n";
        let headers = ThreadHeaders::of(raw);
        assert_eq!(headers.message_id.as_deref(), Some("b@x.es"));
        assert_eq!(headers.in_reply_to, ["a@x.es"]);
        assert_eq!(headers.references, ["r@x.es", "a@x.es"]);
    }
}
