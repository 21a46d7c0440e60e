//! Embedded SQLite: the zero-configuration default. Writes go through one connection (so
//! they queue in the process instead of failing with "database is locked"), reads through
//! a small pool; WAL lets readers run while a write is in progress.

use crate::schema::Migration;
use crate::{Backend, StoreError};
use group_commit::{WriteBatcher, commit_groups};
use soporte_core::ids::TicketId;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Transaction};
use std::path::Path;
use std::time::Duration;

type Db = sqlx::Sqlite;

const BACKEND: Backend = Backend::Sqlite;
/// SQLite serialises writers itself; the single writer connection already holds the lock.
const FOR_UPDATE: &str = "";
const SKIP_LOCKED: &str = "";

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "directory_and_tickets",
        sql: include_str!("../../migrations/sqlite/0001_directory_and_tickets.sql"),
    },
    Migration {
        version: 2,
        name: "email_channel",
        sql: include_str!("../../migrations/sqlite/0002_email_channel.sql"),
    },
    Migration {
        version: 3,
        name: "support_policy",
        sql: include_str!("../../migrations/sqlite/0003_support_policy.sql"),
    },
    Migration {
        version: 4,
        name: "blob_contents",
        sql: include_str!("../../migrations/sqlite/0004_blob_contents.sql"),
    },
    Migration {
        version: 5,
        name: "search",
        sql: include_str!("../../migrations/sqlite/0005_search.sql"),
    },
    Migration {
        version: 6,
        name: "login_attempts",
        sql: include_str!("../../migrations/sqlite/0006_login_attempts.sql"),
    },
    Migration {
        version: 7,
        name: "ticket_presence",
        sql: include_str!("../../migrations/sqlite/0007_ticket_presence.sql"),
    },
    Migration {
        version: 8,
        name: "password_resets",
        sql: include_str!("../../migrations/sqlite/0008_password_resets.sql"),
    },
    Migration {
        version: 9,
        name: "canned_replies",
        sql: include_str!("../../migrations/sqlite/0009_canned_replies.sql"),
    },
    Migration {
        version: 10,
        name: "inbox_indexes",
        sql: include_str!("../../migrations/sqlite/0010_inbox_indexes.sql"),
    },
    Migration {
        version: 11,
        name: "settings",
        sql: include_str!("../../migrations/sqlite/0011_settings.sql"),
    },
    Migration {
        version: 12,
        name: "search_rows_by_ticket",
        sql: include_str!("../../migrations/sqlite/0012_search_rows_by_ticket.sql"),
    },
    Migration {
        version: 13,
        name: "two_factor",
        sql: include_str!("../../migrations/sqlite/0013_two_factor.sql"),
    },
    Migration {
        version: 14,
        name: "whatsapp",
        sql: include_str!("../../migrations/sqlite/0014_whatsapp.sql"),
    },
    Migration {
        version: 15,
        name: "whatsapp_outbox",
        sql: include_str!("../../migrations/sqlite/0015_whatsapp_outbox.sql"),
    },
    Migration {
        version: 16,
        name: "account_manager",
        sql: include_str!("../../migrations/sqlite/0016_account_manager.sql"),
    },
    Migration {
        version: 17,
        name: "portal",
        sql: include_str!("../../migrations/sqlite/0017_portal.sql"),
    },
    Migration {
        version: 18,
        name: "calls",
        sql: include_str!("../../migrations/sqlite/0018_calls.sql"),
    },
];

/// The tickets whose search rows match the expression bound as `$1`. A search row's rowid
/// carries its ticket (see [`push_search_row`]), so a match names its ticket without its
/// row being read. The unary `+` keeps SQLite from driving the query by the match: it walks
/// tickets newest first and stops at the page's limit, instead of reading and sorting every
/// matching ticket.
const SEARCH_MATCH: &str =
    "+id IN (SELECT rowid >> 24 FROM ticket_search WHERE ticket_search MATCH $1)";

/// Search rows of ticket `t` take the rowids `t << 24` onwards (16 million rows a ticket).
const SEARCH_ROWS_PER_TICKET: i64 = 1 << 24;

/// Appends the statement that adds one search row for `ticket`, with the next rowid of the
/// ticket's range.
fn push_search_row(q: &mut sqlx::QueryBuilder<Db>, ticket: TicketId, terms: String) {
    let first = ticket.0 * SEARCH_ROWS_PER_TICKET;
    q.push("INSERT INTO ticket_search (rowid, ticket_id, terms) SELECT coalesce(max(rowid) + 1, ")
        .push_bind(first)
        .push("), ")
        .push_bind(ticket.0)
        .push(", ")
        .push_bind(terms)
        .push(" FROM ticket_search WHERE rowid BETWEEN ")
        .push_bind(first)
        .push(" AND ")
        .push_bind(first + SEARCH_ROWS_PER_TICKET - 1);
}

/// Moves a merged ticket's search rows to the ticket it was merged into: into that
/// ticket's rowid range, since the rowid is what names the ticket.
async fn move_search_rows(
    tx: &mut sqlx::SqliteConnection,
    source: TicketId,
    target: TicketId,
) -> crate::Result<()> {
    let first = source.0 * SEARCH_ROWS_PER_TICKET;
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT terms FROM ticket_search WHERE rowid BETWEEN $1 AND $2 ORDER BY rowid",
    )
    .bind(first)
    .bind(first + SEARCH_ROWS_PER_TICKET - 1)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM ticket_search WHERE rowid BETWEEN $1 AND $2")
        .bind(first)
        .bind(first + SEARCH_ROWS_PER_TICKET - 1)
        .execute(&mut *tx)
        .await?;
    for terms in rows {
        let mut insert = sqlx::QueryBuilder::new("");
        push_search_row(&mut insert, target, terms);
        insert.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// The search expression for `groups` of alternative terms (see `soporte_core::search`):
/// every group must match, by any of its terms. Terms are letters and digits only.
fn search_expression(groups: &[Vec<String>]) -> String {
    groups
        .iter()
        .map(|group| {
            let alternatives: Vec<String> =
                group.iter().map(|term| format!("\"{term}\"")).collect();
            format!("({})", alternatives.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Whether the writer may be used again. A COMMIT that fails on a full disk has SQLite roll
/// the transaction back by itself, so the ROLLBACK that follows fails too and the
/// connection stays counted as inside a transaction: no transaction could ever begin on it
/// again. Such a connection is closed and the pool opens a fresh one. The ping lets a
/// rollback still queued on the connection finish first.
async fn out_of_transaction(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}

/// `BEGIN IMMEDIATE` takes the write lock at once, so a transaction that reads before it
/// writes never fails half-way because another process wrote in between.
async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

async fn lock_migrations(_tx: &mut Transaction<'static, Db>) -> Result<(), sqlx::Error> {
    Ok(())
}

/// The single writer connection already serialises the transactions that count login
/// attempts.
async fn lock_login_key(_tx: &mut Transaction<'static, Db>, _key: &str) -> Result<(), sqlx::Error> {
    Ok(())
}

pub(crate) mod group_commit;

// The shared SQL is compiled once per backend on purpose: see sql/mod.rs.
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

pub use sql::SqlStore as SqliteStore;

/// How long a write waits for a lock another program holds on the file (a backup tool, a
/// second process) before it is told the database is unavailable. Soporte's own writes
/// never wait on each other: they go through one connection.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(3);

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        // 8 MB of page cache per connection, five connections: memory stays bounded however
        // large the database grows.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", "-8000")
            .pragma("temp_store", "memory");
        // Pooled connections are not pinged before use: a SQLite file does not drop
        // connections, and the ping doubled the round trips of every query.
        // The writer leaves copying the log into the database (and its fsyncs) to a
        // connection of its own, in the background: see `checkpoint`. Its own automatic
        // checkpoint stays as a backstop, should the log grow past 40 MB regardless.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_release(|conn, _| Box::pin(out_of_transaction(conn)))
            .connect_with(options.clone().pragma("wal_autocheckpoint", "10000"))
            .await?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        let mut store = Self::from_pools(writer.clone(), reader);
        let (batcher, jobs) = WriteBatcher::new();
        store.batcher = Some(batcher);
        tokio::spawn(commit_groups(writer, checkpointer, jobs));
        Ok(store)
    }

    async fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Config(format!(
                "{} already exists; a backup never overwrites",
                dest.display()
            )));
        }
        let dest = dest.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(&self.reader)
            .await?;
        Ok(())
    }
}
