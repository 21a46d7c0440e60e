//! Settings' SQL: console configuration sections and canned replies.

use super::SqlStore;
use super::values::now;
use crate::{CannedReply, Result, SettingsStore, StoreError, StoredSetting};
use async_trait::async_trait;
use soporte_core::ids::AgentId;
use soporte_core::time::{from_micros, to_micros};

#[async_trait]
impl SettingsStore for SqlStore {
    async fn settings(&self) -> Result<Vec<StoredSetting>> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT name, value, updated_at, updated_by FROM settings ORDER BY name",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, value, updated_at, updated_by)| StoredSetting {
                name,
                value,
                updated_at: from_micros(updated_at),
                updated_by: updated_by.map(AgentId),
            })
            .collect())
    }

    async fn save_setting(&self, name: &str, value: &str, by: Option<AgentId>) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(name)
        .bind(value)
        .bind(to_micros(now()))
        .bind(by.map(|a| a.0))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn delete_setting(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM settings WHERE name = $1")
            .bind(name)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn canned_replies(&self) -> Result<Vec<CannedReply>> {
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, title, body, updated_at FROM canned_replies ORDER BY title, id",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, body, updated_at)| CannedReply {
                id,
                title,
                body,
                updated_at: from_micros(updated_at),
            })
            .collect())
    }

    async fn save_canned_reply(&self, id: Option<i64>, title: &str, body: &str) -> Result<i64> {
        let at = to_micros(now());
        let saved: Option<i64> = match id {
            None => sqlx::query_scalar(
                "INSERT INTO canned_replies (title, body, updated_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(title)
            .bind(body)
            .bind(at)
            .fetch_optional(&self.writer)
            .await,
            Some(id) => sqlx::query_scalar(
                "UPDATE canned_replies SET title = $2, body = $3, updated_at = $4 WHERE id = $1 RETURNING id",
            )
            .bind(id)
            .bind(title)
            .bind(body)
            .bind(at)
            .fetch_optional(&self.writer)
            .await,
        }
        .map_err(|e| StoreError::from_write(e, "title", "another canned reply has this title"))?;
        saved.ok_or_else(|| StoreError::not_found("canned reply", id.unwrap_or_default()))
    }

    async fn delete_canned_reply(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
