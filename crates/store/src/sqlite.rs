//! Embedded SQLite: the zero-configuration default. Writes go through one connection (so
//! they queue in the process instead of failing with "database is locked"), reads through
//! a small pool; WAL lets readers run while a write is in progress.

use crate::migrate::Migration;
use crate::{Backend, StoreError};
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
];

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
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000")
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self::from_pools(writer, reader))
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
