//! The outbox's SQL: queueing an e-mail inside a change's transaction, and the delivery
//! worker's leases, results and retries.

use super::values::{from_json, now, opt_ts};
use super::{Db, DbRow, SKIP_LOCKED, SqlStore, begin_write};
use crate::{NewOutbox, OutboxItem, OutboxStore, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::email::OutgoingEmail;
use soporte_core::ids::{MessageId, TicketId};
use soporte_core::time::{from_micros, to_micros};
use sqlx::{QueryBuilder, Row};

/// Appends the statement that queues `item`, as `envelope` (its e-mail as JSON): for a
/// ticket's change, with the outgoing message whose delivery it tracks, or for no ticket at
/// all (a password-reset link).
pub(super) fn push_outbox_row(
    q: &mut QueryBuilder<Db>,
    ticket: Option<TicketId>,
    message: Option<MessageId>,
    item: &NewOutbox,
    envelope: String,
    at: Timestamp,
) {
    q.push("INSERT INTO outbox (ticket_id, message_id, kind, email_message_id, recipient, envelope, status, next_attempt_at, created_at) VALUES (")
        .push_bind(ticket.map(|t| t.0))
        .push(", ")
        .push_bind(message.map(|m| m.0))
        .push(", ")
        .push_bind(item.kind.clone())
        .push(", ")
        .push_bind(item.email.message_id.clone())
        .push(", ")
        .push_bind(item.recipient.clone())
        .push(", ")
        .push_bind(envelope)
        .push(", 'pending', ")
        .push_bind(to_micros(at))
        .push(", ")
        .push_bind(to_micros(at))
        .push(")");
}

const OUTBOX_COLUMNS: &str = "id, ticket_id, message_id, kind, recipient, envelope, status, attempts, next_attempt_at, last_error, created_at, sent_at";

fn outbox_from_row(r: &DbRow) -> Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        message_id: r.try_get("message_id")?,
        kind: r.try_get("kind")?,
        recipient: r.try_get("recipient")?,
        email: from_json::<OutgoingEmail>(r.try_get::<&str, _>("envelope")?)?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: from_micros(r.try_get("next_attempt_at")?),
        last_error: r.try_get("last_error")?,
        created_at: from_micros(r.try_get("created_at")?),
        sent_at: opt_ts(r.try_get("sent_at")?),
    })
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn claim_outbox(&self, limit: u32, lease_until: Timestamp) -> Result<Vec<OutboxItem>> {
        let at = to_micros(now());
        let sql = format!(
            "UPDATE outbox SET lease_until = $1 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
             AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $3{SKIP_LOCKED}) RETURNING {OUTBOX_COLUMNS}"
        );
        let mut tx = begin_write(&self.writer).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(lease_until))
            .bind(at)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut items: Vec<OutboxItem> = rows.iter().map(outbox_from_row).collect::<Result<_>>()?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    async fn outbox_sent(&self, id: i64) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        let message: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id = $1 RETURNING message_id",
        )
        .bind(id)
        .bind(to_micros(now()))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(Some(message)) = message {
            sqlx::query(
                "UPDATE messages SET delivery = 'sent' WHERE id = $1 AND delivery = 'queued'",
            )
            .bind(message)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<Timestamp>) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "dead"
        };
        let message: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
             lease_until = NULL WHERE id = $1 RETURNING message_id",
        )
        .bind(id)
        .bind(status)
        .bind(error.chars().take(1000).collect::<String>())
        .bind(retry_at.map(to_micros))
        .fetch_optional(&mut *tx)
        .await?;
        if retry_at.is_none()
            && let Some(Some(message)) = message
        {
            sqlx::query("UPDATE messages SET delivery = 'failed' WHERE id = $1")
                .bind(message)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_outbox(&self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {OUTBOX_COLUMNS} FROM outbox"));
        if let Some(status) = status {
            q.push(" WHERE status = ").push_bind(status.to_string());
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit));
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(outbox_from_row)
            .collect()
    }

    async fn count_outbox_since(
        &self,
        recipient: &str,
        kind: &str,
        since: Timestamp,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = $2 AND created_at >= $3",
        )
        .bind(recipient)
        .bind(kind)
        .bind(to_micros(since))
        .fetch_one(&self.writer)
        .await?)
    }
}
