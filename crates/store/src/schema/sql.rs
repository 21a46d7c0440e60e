//! The migration runner: applies, in one transaction, the migrations this build knows and
//! the database has not seen yet.

use super::search::index_existing_messages;
use super::values::now;
use super::{MIGRATIONS, SqlStore, begin_write, lock_migrations};
use crate::{AppliedMigration, Result, StoreError};
use soporte_core::time::to_micros;

pub(super) async fn migrate(store: &SqlStore) -> Result<Vec<AppliedMigration>> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS soporte_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&store.writer)
    .await?;
    let mut tx = begin_write(&store.writer).await?;
    lock_migrations(&mut tx).await?;
    let done: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM soporte_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?;
    let newest_known = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(v) = done.iter().find(|v| **v > newest_known) {
        return Err(StoreError::Config(format!(
            "the database has schema version {v}, newer than this Soporte knows ({newest_known}); upgrade Soporte"
        )));
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO soporte_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(to_micros(now()))
        .execute(&mut *tx)
        .await?;
        if m.name == "search" {
            index_existing_messages(&mut tx).await?;
        }
        applied.push(AppliedMigration {
            version: m.version,
            name: m.name.to_string(),
        });
    }
    tx.commit().await?;
    Ok(applied)
}
