//! Embedded SQLite: the zero-configuration default. Writes go through one connection (so
//! they queue in the process instead of failing with "database is locked"), reads through
//! a small pool; WAL lets readers run while a write is in progress.

use crate::batch::{Write, WriteBatcher, WriteJob, next_group};
use crate::migrate::Migration;
use crate::{Backend, StoreError};
use soporte_core::ids::TicketId;
use soporte_core::ticket::{Message, Ticket};
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
        sql: include_str!("../migrations/sqlite/0001_directory_and_tickets.sql"),
    },
    Migration {
        version: 2,
        name: "email_channel",
        sql: include_str!("../migrations/sqlite/0002_email_channel.sql"),
    },
    Migration {
        version: 3,
        name: "support_policy",
        sql: include_str!("../migrations/sqlite/0003_support_policy.sql"),
    },
    Migration {
        version: 4,
        name: "blob_contents",
        sql: include_str!("../migrations/sqlite/0004_blob_contents.sql"),
    },
    Migration {
        version: 5,
        name: "search",
        sql: include_str!("../migrations/sqlite/0005_search.sql"),
    },
    Migration {
        version: 6,
        name: "login_attempts",
        sql: include_str!("../migrations/sqlite/0006_login_attempts.sql"),
    },
    Migration {
        version: 7,
        name: "ticket_presence",
        sql: include_str!("../migrations/sqlite/0007_ticket_presence.sql"),
    },
    Migration {
        version: 8,
        name: "password_resets",
        sql: include_str!("../migrations/sqlite/0008_password_resets.sql"),
    },
    Migration {
        version: 9,
        name: "canned_replies",
        sql: include_str!("../migrations/sqlite/0009_canned_replies.sql"),
    },
    Migration {
        version: 10,
        name: "inbox_indexes",
        sql: include_str!("../migrations/sqlite/0010_inbox_indexes.sql"),
    },
    Migration {
        version: 11,
        name: "settings",
        sql: include_str!("../migrations/sqlite/0011_settings.sql"),
    },
    Migration {
        version: 12,
        name: "search_rows_by_ticket",
        sql: include_str!("../migrations/sqlite/0012_search_rows_by_ticket.sql"),
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

/// `BEGIN IMMEDIATE` takes the write lock at once, so a transaction that reads before it
/// writes never fails half-way because another process wrote in between.
async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

async fn lock_migrations(_tx: &mut Transaction<'static, Db>) -> Result<(), sqlx::Error> {
    Ok(())
}

// The shared SQL is compiled once per backend on purpose: see sql_common.rs.
#[allow(clippy::duplicate_mod)]
#[path = "sql_common.rs"]
mod common;

pub use common::SqlStore as SqliteStore;

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
            .busy_timeout(Duration::from_secs(10))
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

/// Writes queued ticket creations and new messages in groups: one transaction per group,
/// the new tickets numbered in turn. A write that fails is answered with its error and the
/// group is written again without it, so every other caller's write still commits, and
/// nothing of the failed one does. Should the transaction itself fail (beginning or
/// committing it), each write is tried alone. Runs until the store is dropped.
async fn commit_groups(
    writer: Pool<Db>,
    checkpointer: Pool<Db>,
    mut jobs: tokio::sync::mpsc::UnboundedReceiver<WriteJob>,
) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut checkpointing: Option<tokio::task::JoinHandle<()>> = None;
    loop {
        let group = tokio::select! {
            group = next_group(&mut jobs) => group,
            _ = every.tick() => {
                if checkpointing.as_ref().is_none_or(|c| c.is_finished()) {
                    checkpointing = Some(tokio::spawn(checkpoint(checkpointer.clone())));
                }
                continue;
            }
        };
        let Some(group) = group else { break };
        let results = write_group(&writer, &group).await;
        for (job, result) in group.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// Why a group's transaction did not commit.
enum GroupFailure {
    /// The write at this index into the group was refused (a conflict, a closed ticket…).
    Write(usize, StoreError),
    /// The transaction failed (beginning, numbering, committing), or the database did.
    Transaction(StoreError),
}

/// Every write's result, in the group's order.
async fn write_group(
    writer: &Pool<Db>,
    group: &[WriteJob],
) -> Vec<Result<(Ticket, Message), StoreError>> {
    let mut results: Vec<Option<Result<(Ticket, Message), StoreError>>> =
        group.iter().map(|_| None).collect();
    let mut pending: Vec<usize> = (0..group.len()).collect();
    while !pending.is_empty() {
        match try_group(writer, group, &pending).await {
            Ok(written) => {
                for (index, done) in pending.iter().zip(written) {
                    results[*index] = Some(Ok(done));
                }
                break;
            }
            Err(GroupFailure::Write(index, error)) => {
                results[index] = Some(Err(error));
                pending.retain(|i| *i != index);
            }
            Err(GroupFailure::Transaction(error)) => {
                tracing::warn!(%error, writes = pending.len(), "group commit failed; writing each alone");
                for index in &pending {
                    results[*index] = Some(write_alone(writer, &group[*index]).await);
                }
                break;
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(StoreError::Unsupported("write not attempted".into()))))
        .collect()
}

/// The writes at `pending` in one transaction, or the first failure.
async fn try_group(
    writer: &Pool<Db>,
    group: &[WriteJob],
    pending: &[usize],
) -> Result<Vec<(Ticket, Message)>, GroupFailure> {
    let mut tx = begin_write(writer)
        .await
        .map_err(|e| GroupFailure::Transaction(e.into()))?;
    let creates = pending
        .iter()
        .any(|i| matches!(group[*i].write, Write::CreateTicket(_)));
    let mut last = 0;
    if creates {
        last = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| GroupFailure::Transaction(e.into()))?;
    }
    let at = now_stored();
    let mut written = Vec::with_capacity(pending.len());
    for index in pending {
        let job = &group[*index];
        let done = match &job.write {
            Write::CreateTicket(new) => {
                last += 1;
                common::write_new_ticket(
                    &mut tx,
                    new,
                    job.effects.as_ref(),
                    at,
                    Some(TicketId(last)),
                    job.body_terms.as_deref(),
                )
                .await
            }
            Write::AddMessage(ticket, new) => {
                let terms = job.body_terms.as_deref();
                common::write_added_message(&mut tx, *ticket, new, job.effects.as_ref(), terms)
                    .await
            }
        };
        // Returning drops the transaction, which rolls it back.
        written.push(done.map_err(|e| match e {
            // The database or the disk failing is no fault of this write: every write is
            // tried alone.
            StoreError::Database(_) | StoreError::Io(_) => GroupFailure::Transaction(e),
            e => GroupFailure::Write(*index, e),
        })?);
    }
    tx.commit()
        .await
        .map_err(|e| GroupFailure::Transaction(e.into()))?;
    Ok(written)
}

/// How often the log is copied into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies what the write-ahead log holds into the database file. PASSIVE: it never waits
/// for, nor blocks, the writer or readers, so the fsyncs it makes stay off the path of
/// every write. What it cannot copy yet (frames a reader still needs) waits for the next
/// round.
async fn checkpoint(checkpointer: Pool<Db>) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(&checkpointer)
        .await
    {
        tracing::warn!(error = %e, "SQLite checkpoint failed; the next one retries");
    }
}

fn now_stored() -> jiff::Timestamp {
    soporte_core::time::from_micros(soporte_core::time::to_micros(jiff::Timestamp::now()))
}

async fn write_alone(writer: &Pool<Db>, job: &WriteJob) -> Result<(Ticket, Message), StoreError> {
    let mut tx = begin_write(writer).await?;
    let done = match &job.write {
        Write::CreateTicket(new) => {
            let at = now_stored();
            let terms = job.body_terms.as_deref();
            common::write_new_ticket(&mut tx, new, job.effects.as_ref(), at, None, terms).await
        }
        Write::AddMessage(ticket, new) => {
            let terms = job.body_terms.as_deref();
            common::write_added_message(&mut tx, *ticket, new, job.effects.as_ref(), terms).await
        }
    }?;
    tx.commit().await?;
    Ok(done)
}
