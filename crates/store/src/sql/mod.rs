//! The SQL of every aggregate, compiled once per backend on purpose: `sqlite` and
//! `postgres` each include this module tree after defining their dialect (`Db`, `BACKEND`,
//! `FOR_UPDATE`, `SKIP_LOCKED`, `MIGRATIONS`, `begin_write`, `lock_migrations`,
//! `lock_login_key` and the search index's items). Both dialects accept `$n` placeholders, BIGINT microsecond times
//! and JSON kept as text, so one text serves both. Each aggregate's SQL lives in its own
//! folder (`directory/sql.rs`, `tickets/sql/`, …) next to its trait and types.

use super::{
    BACKEND, Db, FOR_UPDATE, MIGRATIONS, SEARCH_MATCH, SKIP_LOCKED, begin_write, lock_login_key,
    lock_migrations, move_search_rows, push_search_row, search_expression,
};
use crate::{AppliedMigration, Backend, Result, Store};
use async_trait::async_trait;
use sqlx::Pool;
use std::path::Path;

mod deferred;
mod values;

#[path = "../access/sql.rs"]
mod access;
#[path = "../blobs/sql.rs"]
mod blobs;
#[path = "../calls/sql.rs"]
pub(super) mod calls;
#[path = "../classifier/sql.rs"]
mod classifier;
#[path = "../directory/sql.rs"]
mod directory;
#[path = "../mail/sql.rs"]
mod mail;
#[path = "../outbox/sql.rs"]
mod outbox;
#[path = "../portal/sql.rs"]
mod portal;
#[path = "../schema/sql.rs"]
mod schema;
#[path = "../search/sql.rs"]
mod search;
#[path = "../settings/sql.rs"]
mod settings;
/// SQLite's group commit writes tickets and messages through it.
#[path = "../tickets/sql/mod.rs"]
pub(super) mod tickets;
#[path = "../whatsapp/sql/mod.rs"]
mod whatsapp;

type DbConn = <Db as sqlx::Database>::Connection;
type DbRow = <Db as sqlx::Database>::Row;

pub struct SqlStore {
    pub(super) writer: Pool<Db>,
    pub(super) reader: Pool<Db>,
    /// Where ticket creations and new messages go when the backend commits them in groups
    /// (SQLite).
    pub(super) batcher: Option<crate::sqlite::group_commit::WriteBatcher>,
}

impl SqlStore {
    pub(super) fn from_pools(writer: Pool<Db>, reader: Pool<Db>) -> Self {
        Self {
            writer,
            reader,
            batcher: None,
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn migrate(&self) -> Result<Vec<AppliedMigration>> {
        schema::migrate(self).await
    }

    async fn backup_to(&self, dest: &Path) -> Result<()> {
        self.backup(dest).await
    }
}
