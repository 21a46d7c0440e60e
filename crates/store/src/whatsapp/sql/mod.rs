//! The WhatsApp channel's SQL: webhook bodies and their leases, a message's WhatsApp
//! details (written in its ticket's transaction, read with the ticket), reactions, edits,
//! revokes and delivery reports, conversations and windows, and the channel's health.

mod media;
mod outbox;
mod settle;

pub(crate) use outbox::queue_whatsapp;

use super::values::{corrupt, from_json, json_of, now, opt_ts};
use super::{Db, DbConn, DbRow, FOR_UPDATE, SKIP_LOCKED, SqlStore, begin_write};
use crate::{
    DeliveryReport, NewAttachment, NewWhatsAppMessage, PendingMedia, Result, WebhookBody,
    WhatsAppHealth, WhatsAppOutboxItem, WhatsAppStore, WhatsAppTicket,
};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::email::Delivery;
use soporte_core::ids::{AttachmentId, MessageId, TicketId};
use soporte_core::ticket::Message;
use soporte_core::time::{from_micros, to_micros};
use soporte_core::whatsapp::{
    DeliveryError, Edit, MediaState, MediaStatus, Reaction, WhatsAppDetails,
};
use sqlx::Row;
use std::collections::HashMap;

/// Writes a message's WhatsApp details, its media still to fetch and, for a customer's
/// message, the step of its conversation, inside the message's transaction.
pub(crate) async fn insert_whatsapp_message(
    tx: &mut DbConn,
    message: MessageId,
    ticket: TicketId,
    new: &NewWhatsAppMessage,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO whatsapp_messages (message_id, ticket_id, wamid, phone_number_id, wa_id, content_type, content, \
         reply_to_wamid, forwarded, frequently_forwarded, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(message.0)
    .bind(ticket.0)
    .bind(&new.wamid)
    .bind(&new.phone_number_id)
    .bind(&new.wa_id)
    .bind(&new.content_type)
    .bind(json_of(&new.content)?)
    .bind(&new.reply_to)
    .bind(new.forwarded)
    .bind(new.frequently_forwarded)
    .bind(to_micros(new.sent_at))
    .execute(&mut *tx)
    .await
    .map_err(|e| crate::StoreError::from_write(e, "wamid", "this WhatsApp message was already taken in"))?;
    for media in &new.media {
        sqlx::query(
            "INSERT INTO whatsapp_media (message_id, ticket_id, media_id, kind, mime_type, expected_sha256, filename, status, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
        )
        .bind(message.0)
        .bind(ticket.0)
        .bind(&media.media_id)
        .bind(&media.kind)
        .bind(&media.mime_type)
        .bind(&media.expected_sha256)
        .bind(&media.filename)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
    }
    if let Some(step) = &new.conversation {
        let sent_at = to_micros(new.sent_at);
        sqlx::query(
            "INSERT INTO whatsapp_windows (phone_number_id, wa_id, last_inbound_at) VALUES ($1, $2, $3) \
             ON CONFLICT (phone_number_id, wa_id) DO UPDATE SET last_inbound_at = \
             CASE WHEN excluded.last_inbound_at > whatsapp_windows.last_inbound_at THEN excluded.last_inbound_at \
             ELSE whatsapp_windows.last_inbound_at END",
        )
        .bind(&new.phone_number_id)
        .bind(&new.wa_id)
        .bind(sent_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO whatsapp_tickets (ticket_id, phone_number_id, wa_id, last_inbound_at, last_activity_at, settle_at) \
             VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (ticket_id) DO UPDATE SET \
             last_inbound_at = CASE WHEN excluded.last_inbound_at > whatsapp_tickets.last_inbound_at \
             THEN excluded.last_inbound_at ELSE whatsapp_tickets.last_inbound_at END, \
             last_activity_at = CASE WHEN whatsapp_tickets.last_activity_at IS NULL \
             OR excluded.last_activity_at > whatsapp_tickets.last_activity_at \
             THEN excluded.last_activity_at ELSE whatsapp_tickets.last_activity_at END, \
             settle_at = CASE WHEN whatsapp_tickets.settle_at IS NULL OR excluded.settle_at > whatsapp_tickets.settle_at \
             THEN excluded.settle_at ELSE whatsapp_tickets.settle_at END, \
             settle_version = whatsapp_tickets.settle_version + 1",
        )
        .bind(ticket.0)
        .bind(&new.phone_number_id)
        .bind(&new.wa_id)
        .bind(sent_at)
        .bind(to_micros(step.settle_at))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

const DETAIL_COLUMNS: &str = "message_id, wamid, phone_number_id, wa_id, content_type, content, reply_to_wamid, forwarded, \
     frequently_forwarded, reactions, edits, original_text, revoked_at, delivery, delivery_error";

fn details_from_row(r: &DbRow) -> Result<(MessageId, WhatsAppDetails, Option<Delivery>)> {
    let details = WhatsAppDetails {
        wamid: r.try_get("wamid")?,
        phone_number_id: r.try_get("phone_number_id")?,
        wa_id: r.try_get("wa_id")?,
        content_type: r.try_get("content_type")?,
        content: from_json(r.try_get::<&str, _>("content")?)?,
        reply_to: r.try_get("reply_to_wamid")?,
        forwarded: r.try_get("forwarded")?,
        frequently_forwarded: r.try_get("frequently_forwarded")?,
        reactions: from_json(r.try_get::<&str, _>("reactions")?)?,
        edits: from_json(r.try_get::<&str, _>("edits")?)?,
        original_text: r.try_get("original_text")?,
        revoked_at: opt_ts(r.try_get("revoked_at")?),
        delivery_error: r
            .try_get::<Option<&str>, _>("delivery_error")?
            .map(from_json::<DeliveryError>)
            .transpose()?,
        media: Vec::new(),
    };
    let delivery = r
        .try_get::<Option<&str>, _>("delivery")?
        .and_then(Delivery::parse);
    Ok((MessageId(r.try_get("message_id")?), details, delivery))
}

/// Fills in the WhatsApp details of `messages` (all of one ticket, or one message), read
/// only when one of them came or went by WhatsApp.
pub(crate) async fn attach_whatsapp_details(
    pool: &sqlx::Pool<Db>,
    ticket: TicketId,
    only: Option<MessageId>,
    messages: &mut [Message],
) -> Result<()> {
    use soporte_core::support::Channel;
    if !messages.iter().any(|m| m.channel == Channel::Whatsapp) {
        return Ok(());
    }
    let index: HashMap<MessageId, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    let filter = if only.is_some() {
        "message_id = $2"
    } else {
        "$2 = 0"
    };
    let sql = format!(
        "SELECT {DETAIL_COLUMNS} FROM whatsapp_messages WHERE ticket_id = $1 AND {filter} ORDER BY message_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ticket.0)
        .bind(only.map_or(0, |m| m.0))
        .fetch_all(pool)
        .await?;
    for row in &rows {
        let (id, details, delivery) = details_from_row(row)?;
        if let Some(i) = index.get(&id) {
            let message = &mut messages[*i];
            if delivery.is_some() {
                message.delivery = delivery;
            }
            message.whatsapp = Some(details);
        }
    }
    let sql = format!(
        "SELECT message_id, kind, status, attachment_id, last_error FROM whatsapp_media WHERE ticket_id = $1 AND {filter} ORDER BY id"
    );
    let media = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ticket.0)
        .bind(only.map_or(0, |m| m.0))
        .fetch_all(pool)
        .await?;
    for row in &media {
        let id = MessageId(row.try_get("message_id")?);
        let status = match row.try_get::<&str, _>("status")? {
            "pending" => MediaStatus::Pending,
            "stored" => MediaStatus::Stored,
            "lost" => MediaStatus::Lost,
            other => return Err(corrupt(format!("media status {other:?}"))),
        };
        let state = MediaState {
            kind: row.try_get("kind")?,
            status,
            attachment_id: row
                .try_get::<Option<i64>, _>("attachment_id")?
                .map(AttachmentId),
            error: row.try_get("last_error")?,
        };
        if let Some(details) = index.get(&id).and_then(|i| messages[*i].whatsapp.as_mut()) {
            details.media.push(state);
        }
    }
    Ok(())
}

const TICKET_COLUMNS: &str = "ticket_id, phone_number_id, wa_id, last_inbound_at, settle_at, settled_at, acknowledged_at, \
     settle_version";

fn conversation_from_row(r: &DbRow) -> Result<WhatsAppTicket> {
    Ok(WhatsAppTicket {
        ticket_id: TicketId(r.try_get("ticket_id")?),
        phone_number_id: r.try_get("phone_number_id")?,
        wa_id: r.try_get("wa_id")?,
        last_inbound_at: from_micros(r.try_get("last_inbound_at")?),
        settle_at: opt_ts(r.try_get("settle_at")?),
        settled_at: opt_ts(r.try_get("settled_at")?),
        acknowledged_at: opt_ts(r.try_get("acknowledged_at")?),
        settle_version: r.try_get("settle_version")?,
    })
}

impl SqlStore {
    /// Whether `sql` (a query for one id, with the current time as `$1`) finds anything
    /// due. The channel's workers poll every second: an idle poll reads, and leaves the
    /// writer alone.
    pub(super) async fn any_due(&self, sql: &'static str, at: i64) -> Result<bool> {
        let due: Option<i64> = sqlx::query_scalar(sql)
            .bind(at)
            .fetch_optional(&self.reader)
            .await?;
        Ok(due.is_some())
    }

    /// Locks the WhatsApp details of the message with `wamid` and changes them with
    /// `change`; false when no message has it.
    async fn change_whatsapp_message(
        &self,
        wamid: &str,
        change: impl FnOnce(&mut Changes) + Send,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!(
            "SELECT message_id, reactions, edits, revoked_at FROM whatsapp_messages WHERE wamid = $1{FOR_UPDATE}"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(wamid)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let message: i64 = row.try_get("message_id")?;
        let mut changes = Changes {
            reactions: from_json(row.try_get::<&str, _>("reactions")?)?,
            edits: from_json(row.try_get::<&str, _>("edits")?)?,
            revoked_at: opt_ts(row.try_get("revoked_at")?),
            new_text: None,
        };
        change(&mut changes);
        sqlx::query(
            "UPDATE whatsapp_messages SET reactions = $2, edits = $3, revoked_at = $4 WHERE message_id = $1",
        )
        .bind(message)
        .bind(json_of(&changes.reactions)?)
        .bind(json_of(&changes.edits)?)
        .bind(changes.revoked_at.map(to_micros))
        .execute(&mut *tx)
        .await?;
        if let Some(text) = &changes.new_text {
            // The first edit keeps what the message said when it came.
            sqlx::query(
                "UPDATE whatsapp_messages SET original_text = COALESCE(original_text, \
                 (SELECT body_text FROM messages WHERE id = $1)) WHERE message_id = $1",
            )
            .bind(message)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE messages SET body_text = $2 WHERE id = $1")
                .bind(message)
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// What a reaction, an edit or a revoke may change on a stored message.
struct Changes {
    reactions: Vec<Reaction>,
    edits: Vec<Edit>,
    revoked_at: Option<Timestamp>,
    new_text: Option<String>,
}

#[async_trait]
impl WhatsAppStore for SqlStore {
    async fn keep_webhook_body(&self, body: &str, received_at: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO whatsapp_webhook_bodies (body, received_at, status) VALUES ($1, $2, 'pending') RETURNING id",
        )
        .bind(body)
        .bind(to_micros(received_at))
        .fetch_one(&self.writer)
        .await?)
    }

    async fn claim_webhook_bodies(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WebhookBody>> {
        let sql = format!(
            "UPDATE whatsapp_webhook_bodies SET lease_until = $1, attempts = attempts + 1 WHERE id IN (SELECT id FROM whatsapp_webhook_bodies \
             WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $3{SKIP_LOCKED}) \
             RETURNING id, body, received_at, attempts"
        );
        let mut tx = begin_write(&self.writer).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(lease_until))
            .bind(to_micros(now()))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut bodies = rows
            .iter()
            .map(|r| {
                Ok(WebhookBody {
                    id: r.try_get("id")?,
                    body: r.try_get("body")?,
                    received_at: from_micros(r.try_get("received_at")?),
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        bodies.sort_by_key(|b| b.id);
        Ok(bodies)
    }

    async fn webhook_body_done(&self, id: i64, quarantined: Option<&str>) -> Result<()> {
        sqlx::query(
            "UPDATE whatsapp_webhook_bodies SET status = $2, last_error = $3, processed_at = $4, lease_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(if quarantined.is_some() {
            "quarantined"
        } else {
            "done"
        })
        .bind(quarantined)
        .bind(to_micros(now()))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn webhook_body_failed(&self, id: i64, error: &str, retry_at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE whatsapp_webhook_bodies SET last_error = $2, lease_until = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(error.chars().take(1000).collect::<String>())
        .bind(to_micros(retry_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn pending_webhook_bodies(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM whatsapp_webhook_bodies WHERE status = 'pending'",
        )
        .fetch_one(&self.reader)
        .await?)
    }

    async fn open_whatsapp_ticket(
        &self,
        phone_number_id: &str,
        wa_id: &str,
        since: Timestamp,
    ) -> Result<Option<TicketId>> {
        // Read on the writer: a message of the same burst may have just made the ticket.
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT w.ticket_id FROM whatsapp_tickets w JOIN tickets t ON t.id = w.ticket_id \
             WHERE w.phone_number_id = $1 AND w.wa_id = $2 AND COALESCE(w.last_activity_at, w.last_inbound_at) >= $3 \
             AND t.status NOT IN ('solved', 'closed') ORDER BY w.ticket_id DESC LIMIT 1",
        )
        .bind(phone_number_id)
        .bind(wa_id)
        .bind(to_micros(since))
        .fetch_optional(&self.writer)
        .await?;
        Ok(id.map(TicketId))
    }

    async fn whatsapp_window(
        &self,
        phone_number_id: &str,
        wa_id: &str,
    ) -> Result<Option<Timestamp>> {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT last_inbound_at FROM whatsapp_windows WHERE phone_number_id = $1 AND wa_id = $2",
        )
        .bind(phone_number_id)
        .bind(wa_id)
        .fetch_optional(&self.reader)
        .await?;
        Ok(last.map(from_micros))
    }

    async fn whatsapp_ticket(&self, ticket: TicketId) -> Result<Option<WhatsAppTicket>> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM whatsapp_tickets WHERE ticket_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ticket.0)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(conversation_from_row)
            .transpose()
    }

    async fn whatsapp_message(&self, wamid: &str) -> Result<Option<(TicketId, MessageId)>> {
        let row =
            sqlx::query("SELECT ticket_id, message_id FROM whatsapp_messages WHERE wamid = $1")
                .bind(wamid)
                .fetch_optional(&self.writer)
                .await?;
        row.map(|r| {
            Ok((
                TicketId(r.try_get("ticket_id")?),
                MessageId(r.try_get("message_id")?),
            ))
        })
        .transpose()
    }

    async fn react_to_whatsapp_message(
        &self,
        target: &str,
        from: &str,
        emoji: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let (from, emoji) = (from.to_string(), emoji.to_string());
        self.change_whatsapp_message(target, move |c| {
            c.reactions.retain(|r| r.from != from);
            if !emoji.is_empty() {
                c.reactions.push(Reaction { from, emoji, at });
            }
        })
        .await
    }

    async fn edit_whatsapp_message(&self, target: &str, text: &str, at: Timestamp) -> Result<bool> {
        let text = text.to_string();
        self.change_whatsapp_message(target, move |c| {
            // The same edit delivered twice is one edit.
            if c.edits.last().is_some_and(|e| e.text == text && e.at == at) {
                return;
            }
            c.edits.push(Edit {
                text: text.clone(),
                at,
            });
            c.new_text = Some(text);
        })
        .await
    }

    async fn revoke_whatsapp_message(&self, target: &str, at: Timestamp) -> Result<bool> {
        self.change_whatsapp_message(target, move |c| {
            c.revoked_at.get_or_insert(at);
        })
        .await
    }

    async fn whatsapp_delivery_report(
        &self,
        wamid: &str,
        status: Delivery,
        error: Option<&DeliveryError>,
        at: Timestamp,
    ) -> Result<DeliveryReport> {
        let error = error.map(json_of).transpose()?;
        let mut tx = begin_write(&self.writer).await?;
        let report = match outbox::report_in(&mut tx, wamid, status, error.as_deref(), at).await? {
            Some((message, true)) => DeliveryReport::Applied(message),
            Some((message, false)) => DeliveryReport::Stale(message),
            None => {
                sqlx::query(
                    "INSERT INTO whatsapp_early_statuses (wamid, status, error, at) VALUES ($1, $2, $3, $4)",
                )
                .bind(wamid)
                .bind(status.as_str())
                .bind(&error)
                .bind(to_micros(at))
                .execute(&mut *tx)
                .await?;
                DeliveryReport::Kept
            }
        };
        tx.commit().await?;
        Ok(report)
    }

    async fn claim_whatsapp_outbox(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WhatsAppOutboxItem>> {
        self.claim_outbox_rows(limit, lease_until).await
    }

    async fn whatsapp_outbox_sent(
        &self,
        id: i64,
        wamid: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        self.outbox_row_sent(id, wamid, at).await
    }

    async fn whatsapp_outbox_failed(
        &self,
        id: i64,
        error: &DeliveryError,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        self.outbox_row_failed(id, error, retry_at).await
    }

    async fn queue_whatsapp_read_mark(&self, ticket: TicketId, at: Timestamp) -> Result<bool> {
        self.queue_read_mark(ticket, at).await
    }

    async fn reconcile_whatsapp_statuses(&self) -> Result<usize> {
        self.reconcile_early().await
    }

    async fn claim_whatsapp_media(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<PendingMedia>> {
        self.claim_media(limit, lease_until).await
    }

    async fn whatsapp_media_stored(&self, id: i64, file: &NewAttachment) -> Result<bool> {
        self.media_stored(id, file).await
    }

    async fn whatsapp_media_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        self.media_failed(id, error, retry_at).await
    }

    async fn claim_whatsapp_settlements(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WhatsAppTicket>> {
        self.claim_settlements(limit, lease_until).await
    }

    async fn whatsapp_settled(
        &self,
        ticket: TicketId,
        claimed_version: i64,
        acknowledged: bool,
    ) -> Result<bool> {
        self.settled(ticket, claimed_version, acknowledged).await
    }

    async fn record_whatsapp_health(
        &self,
        event_at: Option<Timestamp>,
        error: Option<(&str, Option<i64>)>,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO whatsapp_health (scope, last_event_at, last_error, last_error_code, last_error_at) VALUES ('channel', $1, $2, $3, $4) \
             ON CONFLICT (scope) DO UPDATE SET \
             last_event_at = COALESCE(excluded.last_event_at, whatsapp_health.last_event_at), \
             last_error = CASE WHEN excluded.last_error_at IS NULL THEN whatsapp_health.last_error ELSE excluded.last_error END, \
             last_error_code = CASE WHEN excluded.last_error_at IS NULL THEN whatsapp_health.last_error_code ELSE excluded.last_error_code END, \
             last_error_at = COALESCE(excluded.last_error_at, whatsapp_health.last_error_at)",
        )
        .bind(event_at.map(to_micros))
        .bind(error.map(|(e, _)| e.chars().take(1000).collect::<String>()))
        .bind(error.and_then(|(_, code)| code))
        .bind(error.map(|_| to_micros(at)))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn whatsapp_health(&self) -> Result<WhatsAppHealth> {
        let row = sqlx::query(
            "SELECT last_event_at, last_error, last_error_code, last_error_at FROM whatsapp_health WHERE scope = 'channel'",
        )
        .fetch_optional(&self.reader)
        .await?;
        let mut health = match row {
            Some(r) => WhatsAppHealth {
                last_event_at: opt_ts(r.try_get("last_event_at")?),
                last_error: r.try_get("last_error")?,
                last_error_code: r.try_get("last_error_code")?,
                last_error_at: opt_ts(r.try_get("last_error_at")?),
                pending_bodies: 0,
            },
            None => WhatsAppHealth::default(),
        };
        health.pending_bodies = self.pending_webhook_bodies().await?;
        Ok(health)
    }
}
