//! Statements whose results nobody reads, sent together at the end of a change.

use super::{BACKEND, Db, DbConn};
use crate::{Backend, Result, StoreError};
use sqlx::QueryBuilder;

/// Writes whose results nobody reads, kept in order until [`Deferred::flush`]. On SQLite
/// they then reach the connection's thread as one query of several statements: one
/// hand-off instead of one per statement, which is most of what a small write costs there.
/// PostgreSQL prepares one statement per query, so there each runs as soon as it is added.
/// Whatever reads what they write must come after the flush.
pub(super) struct Deferred {
    query: QueryBuilder<Db>,
    statements: usize,
}

impl Deferred {
    pub(super) fn new() -> Self {
        Self {
            query: QueryBuilder::new(""),
            statements: 0,
        }
    }

    /// Adds one statement, which `build` writes into the query.
    pub(super) async fn add(
        &mut self,
        tx: &mut DbConn,
        build: impl FnOnce(&mut QueryBuilder<Db>) -> Result<()>,
    ) -> Result<()> {
        if self.statements > 0 {
            self.query.push(";\n");
        }
        if let Err(e) = build(&mut self.query) {
            // A half-written statement must not reach the database; the caller's
            // transaction ends with this error anyway.
            *self = Self::new();
            return Err(e);
        }
        self.statements += 1;
        if BACKEND == Backend::Postgres {
            self.flush(tx).await?;
        }
        Ok(())
    }

    pub(super) async fn flush(&mut self, tx: &mut DbConn) -> Result<()> {
        if self.statements == 0 {
            return Ok(());
        }
        let mut query = std::mem::replace(&mut self.query, QueryBuilder::new(""));
        self.statements = 0;
        // The ticket's row is the one deferred write with references that a caller's
        // values can break.
        query
            .build()
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_write(e, "assignee_id/account_id", "conflict"))?;
        Ok(())
    }
}
