//! Media customers sent, fetched by a worker: leased rows, each attempt's result, and the
//! stored file recorded as an attachment of its message.

use super::super::tickets::insert_attachment;
use super::super::values::now;
use super::super::{FOR_UPDATE, SKIP_LOCKED, SqlStore, begin_write};
use crate::{NewAttachment, PendingMedia, Result};
use jiff::Timestamp;
use soporte_core::ids::{MessageId, TicketId};
use soporte_core::time::{from_micros, to_micros};
use sqlx::Row;

const COLUMNS: &str = "id, message_id, ticket_id, media_id, kind, mime_type, expected_sha256, filename, attempts, created_at";

impl SqlStore {
    pub(super) async fn claim_media(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<PendingMedia>> {
        let at = to_micros(now());
        if !self.any_due(
            "SELECT id FROM whatsapp_media WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
            at,
        )
        .await?
        {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE whatsapp_media SET lease_until = $1 WHERE id IN (SELECT id FROM whatsapp_media WHERE status = 'pending' \
             AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $3{SKIP_LOCKED}) \
             RETURNING {COLUMNS}"
        );
        let mut tx = begin_write(&self.writer).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(lease_until))
            .bind(at)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut media = rows
            .iter()
            .map(|r| {
                Ok(PendingMedia {
                    id: r.try_get("id")?,
                    message_id: MessageId(r.try_get("message_id")?),
                    ticket_id: TicketId(r.try_get("ticket_id")?),
                    media_id: r.try_get("media_id")?,
                    kind: r.try_get("kind")?,
                    mime_type: r.try_get("mime_type")?,
                    expected_sha256: r.try_get("expected_sha256")?,
                    filename: r.try_get("filename")?,
                    attempts: r.try_get("attempts")?,
                    created_at: from_micros(r.try_get("created_at")?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        media.sort_by_key(|m| m.id);
        Ok(media)
    }

    pub(super) async fn media_stored(&self, id: i64, file: &NewAttachment) -> Result<bool> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!(
            "SELECT message_id, ticket_id FROM whatsapp_media WHERE id = $1 AND status = 'pending'{FOR_UPDATE}"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let at = now();
        let attachment = insert_attachment(
            &mut tx,
            MessageId(row.try_get("message_id")?),
            TicketId(row.try_get("ticket_id")?),
            file,
            at,
        )
        .await?;
        sqlx::query(
            "UPDATE whatsapp_media SET status = 'stored', attachment_id = $2, attempts = attempts + 1, last_error = NULL, \
             lease_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(attachment.id.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn media_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE whatsapp_media SET status = $2, attempts = attempts + 1, next_attempt_at = COALESCE($3, next_attempt_at), \
             last_error = $4, lease_until = NULL WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(if retry_at.is_some() { "pending" } else { "lost" })
        .bind(retry_at.map(to_micros))
        .bind(error.chars().take(1000).collect::<String>())
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
