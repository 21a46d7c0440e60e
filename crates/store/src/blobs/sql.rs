//! The SQL of blob contents: the bytes of blobs small enough to live in the database.

use super::deferred::Deferred;
use super::values::now;
use super::{DbConn, SqlStore};
use crate::{BlobContentStore, Result, StagedBlob};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::time::to_micros;

/// Blob contents that travel with the message that refers to them, committed together.
pub(super) async fn insert_blob_contents(
    tx: &mut DbConn,
    later: &mut Deferred,
    blobs: &[StagedBlob],
    at: Timestamp,
) -> Result<()> {
    if blobs.is_empty() {
        return Ok(());
    }
    later
        .add(tx, |insert| {
            insert.push("INSERT INTO blob_contents (sha256, bytes, created_at) ");
            insert.push_values(blobs, |mut row, blob| {
                row.push_bind(blob.sha256.clone())
                    .push_bind(blob.bytes.clone())
                    .push_bind(to_micros(at));
            });
            insert.push(" ON CONFLICT (sha256) DO NOTHING");
            Ok(())
        })
        .await
}

#[async_trait]
impl BlobContentStore for SqlStore {
    async fn put_blob_content(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        // A single statement is a transaction of its own and takes the write lock before it
        // reads, so `begin_write` would add only two more hand-offs to the SQLite writer
        // thread per blob.
        sqlx::query("INSERT INTO blob_contents (sha256, bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha256)
            .bind(bytes)
            .bind(to_micros(now()))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn blob_content(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM blob_contents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&self.reader)
                .await?,
        )
    }
}
