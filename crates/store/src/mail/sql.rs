//! The e-mail channel's SQL: threading, mailbox positions, bounces and quarantine.

use super::values::now;
use super::{Db, DbConn, SqlStore, begin_write};
use crate::{MailStore, MailboxPosition, QuarantineItem, Result, StoreError};
use async_trait::async_trait;
use soporte_core::ids::TicketId;
use soporte_core::time::{from_micros, to_micros};
use sqlx::{QueryBuilder, Row};

pub(super) async fn insert_position(tx: &mut DbConn, p: &MailboxPosition) -> Result<()> {
    sqlx::query("INSERT INTO mailbox_positions (mailbox, uidvalidity, uid) VALUES ($1, $2, $3)")
        .bind(&p.mailbox)
        .bind(p.uidvalidity)
        .bind(p.uid)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                "source_position",
                "this mailbox position was already taken in",
            )
        })?;
    Ok(())
}

#[async_trait]
impl MailStore for SqlStore {
    async fn ticket_for_email_ids(&self, ids: &[String]) -> Result<Option<TicketId>> {
        if ids.is_empty() {
            return Ok(None);
        }
        // One query for all the ids, then the nearest one (first in `ids`) wins.
        let mut q = QueryBuilder::<Db>::new(
            "SELECT channel_message_id AS mid, ticket_id FROM messages WHERE channel_message_id IN (",
        );
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        q.push(") UNION ALL SELECT email_message_id AS mid, ticket_id FROM outbox WHERE ticket_id IS NOT NULL AND email_message_id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        q.push(")");
        let found: Vec<(String, i64)> = q
            .build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("mid")?,
                    r.try_get::<i64, _>("ticket_id")?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(ids.iter().find_map(|id| {
            found
                .iter()
                .find(|(mid, _)| mid == id)
                .map(|(_, t)| TicketId(*t))
        }))
    }

    async fn position_taken(&self, p: &MailboxPosition) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT uid FROM mailbox_positions WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3")
            .bind(&p.mailbox)
            .bind(p.uidvalidity)
            .bind(p.uid)
            .fetch_optional(&self.writer)
            .await?;
        Ok(found.is_some())
    }

    async fn record_position(&self, p: &MailboxPosition) -> Result<()> {
        sqlx::query("INSERT INTO mailbox_positions (mailbox, uidvalidity, uid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(&p.mailbox)
            .bind(p.uidvalidity)
            .bind(p.uid)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn mark_bounced(&self, email_message_id: &str) -> Result<Option<TicketId>> {
        let mut tx = begin_write(&self.writer).await?;
        let row = sqlx::query("SELECT id, ticket_id FROM messages WHERE channel_message_id = $1 AND kind = 'outbound'")
            .bind(email_message_id)
            .fetch_optional(&mut *tx)
            .await?;
        let found = match row {
            Some(r) => {
                let id: i64 = r.try_get("id")?;
                sqlx::query("UPDATE messages SET delivery = 'failed' WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Some(TicketId(r.try_get("ticket_id")?))
            }
            None => sqlx::query_scalar::<_, Option<i64>>(
                "SELECT ticket_id FROM outbox WHERE email_message_id = $1",
            )
            .bind(email_message_id)
            .fetch_optional(&mut *tx)
            .await?
            .flatten()
            .map(TicketId),
        };
        tx.commit().await?;
        Ok(found)
    }

    async fn quarantine(
        &self,
        source: &str,
        reason: &str,
        raw_sha256: &str,
        size: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO quarantine (source, reason, raw_sha256, size, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(source)
        .bind(reason)
        .bind(raw_sha256)
        .bind(size)
        .bind(to_micros(now()))
        .fetch_one(&self.writer)
        .await?)
    }

    async fn list_quarantine(&self, limit: u32) -> Result<Vec<QuarantineItem>> {
        sqlx::query("SELECT id, source, reason, raw_sha256, size, received_at FROM quarantine ORDER BY id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(QuarantineItem {
                    id: r.try_get("id")?,
                    source: r.try_get("source")?,
                    reason: r.try_get("reason")?,
                    raw_sha256: r.try_get("raw_sha256")?,
                    size: r.try_get("size")?,
                    received_at: from_micros(r.try_get("received_at")?),
                })
            })
            .collect()
    }
}
