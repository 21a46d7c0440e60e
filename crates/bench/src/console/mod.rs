//! The `console` scenario: the agent console's pages, rendered by the server, on a SQLite
//! database the size of a busy helpdesk's (100,000 tickets by default).
//!
//! The database is filled through the store, as intake and agents would have filled it:
//! agents, accounts and their contacts, then tickets of every status, type, priority and
//! SLA state, each with one to six messages (the customer's, Soporte's acknowledgement,
//! agents' replies and notes, the customer's answers), its checklist and its history;
//! some with a screenshot attached. The store stamps creation times itself, so every
//! ticket was created during the seeding; the time of its last change, which the lists
//! are ordered by, is spread over six months (unfinished tickets over the last two weeks).
//!
//! Then an agent logs in through `POST /login`, and every request carries the session
//! cookie, so each measured page includes the session check. The pages go through the
//! real router in this process (no sockets: the figure is the server's rendering time),
//! one at a time by default, as one agent clicking through the console would request
//! them; one extra figure is taken over real HTTP on a loopback socket.
//!
//! Every page is also checked for what it makes the browser fetch: one script (htmx, with
//! the console's own few lines) and one style sheet, both from this server, and nothing
//! from any other host.

pub(crate) mod measure;
mod plan;
mod references;
mod seed;

use crate::report::{load_average, peak_rss_bytes, report_figure, reset_peak_rss};
use anyhow::{Context, Result, ensure};
use measure::{Desk, measure_pages};
pub(crate) use seed::seed;
use soporte_app::{App, AppSettings};
use soporte_core::ticket::TicketPrefix;
use soporte_store::sqlite::SqliteStore;
use soporte_store::{BlobStore, DiskBlobStore, Store, TieredBlobStore};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const TARGET_P95: Duration = Duration::from_millis(30);
const AGENTS: usize = 10;
const ACCOUNTS: usize = 2_000;
/// Contacts who write on their own behalf, not for an account.
const CONTACTS_WITHOUT_ACCOUNT: usize = 500;
/// Distinct screenshots; tickets share them, as the blob store shares equal files.
const SCREENSHOTS: usize = 32;
/// The agent who signs in (the first one created, with the only password).
const LOGIN_EMAIL: &str = "agente1@vendomia.example";
const PASSWORD: &str = "contraseña del banco de pruebas";
const MIB: f64 = 1024.0 * 1024.0;

#[derive(clap::Args)]
pub struct ConsoleArgs {
    /// Tickets in the database.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Requests of each kind of page.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Pages requested at once (1: one agent clicking through the console).
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Keep the database in this directory: seeded when the directory does not exist yet,
    /// measured as it is when it does (to measure again or look at query plans without
    /// seeding anew). By default a tempdir, removed at the end.
    #[arg(long)]
    database: Option<PathBuf>,
}

pub async fn run(args: ConsoleArgs) -> Result<()> {
    ensure!(args.tickets > 0, "--tickets must be at least 1");
    ensure!(args.requests > 0, "--requests must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "soporte-bench console: {} requests of each page, concurrency {}, {cores} CPU(s), \
         load average {}",
        args.requests,
        args.concurrency,
        load_average()
    );
    let database = ConsoleDatabase::open(args.database.as_deref()).await?;
    let seeded = if database.seeded_before {
        println!(
            "\n== sqlite: the database in {} ==",
            database.root.display()
        );
        database.seeded_before().await?
    } else {
        println!("\n== sqlite: seeding {} tickets ==", args.tickets);
        seed(&database, args.tickets).await?
    };
    database.print_contents().await?;

    println!("\n== sqlite: pages (load average {}) ==", load_average());
    let peak_is_pages = reset_peak_rss();
    let desk = Desk::log_in(database.app.clone(), LOGIN_EMAIL).await?;
    let outcome = measure_pages(&desk, &seeded, &args).await;
    let peak = peak_rss_bytes()?;
    let peak = format!(
        "{:.1} MiB{}",
        peak as f64 / MIB,
        if peak_is_pages {
            " (while serving pages)"
        } else {
            " (could not reset: includes seeding)"
        }
    );
    report_figure("sqlite", "peak RSS (VmHWM)", &peak, None);
    if let Some(dir) = &args.database {
        println!("\nthe database is kept in {}", dir.display());
    }
    outcome
}

/// A migrated SQLite database and blob store behind the use cases: a fresh one, or the one
/// an earlier run seeded and kept.
pub(crate) struct ConsoleDatabase {
    pub(crate) app: App,
    pub(crate) store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    root: PathBuf,
    db_path: PathBuf,
    seeded_before: bool,
    _dir: Option<tempfile::TempDir>,
}

impl ConsoleDatabase {
    pub(crate) async fn open(keep_in: Option<&Path>) -> Result<Self> {
        let seeded_before = keep_in.is_some_and(Path::exists);
        let (root, dir) = match keep_in {
            Some(dir) => {
                ensure!(
                    !seeded_before || dir.join("soporte.db").is_file(),
                    "{} holds no soporte.db; --database wants a new directory or a kept one",
                    dir.display()
                );
                std::fs::create_dir_all(dir)?;
                (dir.to_path_buf(), None)
            }
            None => {
                let dir = tempfile::tempdir().context("creating a tempdir for the database")?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let db_path = root.join("soporte.db");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db_path).await?);
        store.migrate().await.context("migrating SQLite")?;
        let blobs: Arc<dyn BlobStore> = Arc::new(TieredBlobStore::new(
            Arc::clone(&store),
            DiskBlobStore::new(root.join("blobs"))?,
        ));
        let settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.example",
        );
        let app = App::new(Arc::clone(&store), Arc::clone(&blobs), settings)
            .with_mail(Arc::new(soporte_mail::MimeCodec));
        Ok(Self {
            app,
            store,
            blobs,
            root,
            db_path,
            seeded_before,
            _dir: dir,
        })
    }

    /// A read-only connection of its own, for counting and finding what was seeded.
    async fn inspect(&self) -> Result<sqlx::SqlitePool> {
        let options = SqliteConnectOptions::new()
            .filename(&self.db_path)
            .read_only(true);
        Ok(SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?)
    }

    /// What the measurements need from a database an earlier run seeded.
    async fn seeded_before(&self) -> Result<Seeded> {
        let pool = self.inspect().await?;
        let ticket_ids = sqlx::query_scalar("SELECT id FROM tickets ORDER BY id")
            .fetch_all(&pool)
            .await?;
        let long_ticket_ids = sqlx::query_scalar(
            "SELECT ticket_id FROM messages GROUP BY ticket_id HAVING COUNT(*) = 6",
        )
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        Ok(Seeded {
            ticket_ids,
            long_ticket_ids,
        })
    }

    /// What the seeding left in the database, counted by SQL on a connection of its own.
    async fn print_contents(&self) -> Result<()> {
        let pool = self.inspect().await?;
        let mut counts = Vec::new();
        for table in ["tickets", "messages", "events", "attachments", "contacts"] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .with_context(|| format!("counting {table}"))?;
            counts.push(format!("{count} {table}"));
        }
        pool.close().await;
        report_figure("sqlite", "in the database", &counts.join(", "), None);
        let bytes: u64 = ["", "-wal"]
            .iter()
            .filter_map(|suffix| {
                let mut path = self.db_path.clone().into_os_string();
                path.push(suffix);
                std::fs::metadata(path).ok()
            })
            .map(|m| m.len())
            .sum();
        let disk = format!("database {:.1} MB with its WAL", bytes as f64 / 1e6);
        report_figure("sqlite", "on disk", &disk, None);
        Ok(())
    }
}

/// What the measurements need to know about the seeded database.
pub(crate) struct Seeded {
    /// Every ticket, and the tickets with the most messages (six).
    ticket_ids: Vec<i64>,
    long_ticket_ids: Vec<i64>,
}

/// A small deterministic random source (SplitMix64), so every run seeds the same data.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0x2545_F491_4F6C_DD1D)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in 0..1000, for shares given in tenths of a percent.
    fn per_mille(&mut self) -> usize {
        self.below(1000)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or_default()
    }
}
