//! The WhatsApp outbox's SQL: queueing a send inside a change's transaction (with the
//! outgoing message's WhatsApp record), the sending worker's leases, results and retries,
//! read marks, and delivery reports for what was sent.

use super::super::values::{corrupt, from_json, json_of, now};
use super::super::{DbConn, FOR_UPDATE, SKIP_LOCKED, SqlStore, begin_write};
use crate::{NewWhatsAppOutbox, Result, WhatsAppOutboxItem};
use jiff::{SignedDuration, Timestamp};
use soporte_core::email::Delivery;
use soporte_core::ids::{MessageId, TicketId};
use soporte_core::ticket::Message;
use soporte_core::time::{from_micros, to_micros};
use soporte_core::whatsapp::{
    DeliveryError, OutgoingContent, OutgoingWhatsApp, WhatsAppDetails, WhatsAppRequest,
};
use sqlx::Row;

/// Reports for a wamid no message ever took are dropped after this long (a send made from
/// another tool on the same number).
const EARLY_STATUS_KEPT: SignedDuration = SignedDuration::from_hours(24 * 7);

/// What an outgoing message's record keeps of what it sends.
fn sent_content(message: &OutgoingWhatsApp) -> serde_json::Value {
    match &message.content {
        OutgoingContent::Text { .. } => serde_json::Value::Null,
        OutgoingContent::File {
            filename,
            media_type,
            caption,
            ..
        } => {
            serde_json::json!({ "filename": filename, "media_type": media_type, "caption": caption })
        }
        OutgoingContent::Template {
            name,
            language,
            parameters,
        } => serde_json::json!({ "name": name, "language": language, "parameters": parameters }),
    }
}

/// Queues `item` inside the change's transaction. The send that delivers the change's
/// outgoing message gives that message its WhatsApp record, `queued` until the worker
/// hears back from Meta.
pub(crate) async fn queue_whatsapp(
    tx: &mut DbConn,
    ticket: TicketId,
    outgoing: Option<&mut Message>,
    item: &NewWhatsAppOutbox,
    at: Timestamp,
) -> Result<()> {
    let message_id = match &item.request {
        WhatsAppRequest::Send(_) => outgoing.as_ref().map(|m| m.id),
        WhatsAppRequest::MarkRead { .. } => None,
    };
    // Sends to one customer leave in order; read marks wait for nothing.
    let recipient = match &item.request {
        WhatsAppRequest::Send(message) => message.to.clone(),
        WhatsAppRequest::MarkRead { wamid } => format!("read:{wamid}"),
    };
    sqlx::query(
        "INSERT INTO whatsapp_outbox (ticket_id, message_id, phone_number_id, recipient, kind, request, status, \
         next_attempt_at, created_at, delivers_message) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)",
    )
    .bind(ticket.0)
    .bind(message_id.map(|m| m.0))
    .bind(&item.phone_number_id)
    .bind(&recipient)
    .bind(&item.kind)
    .bind(json_of(&item.request)?)
    .bind(to_micros(at))
    .bind(item.delivers_message && message_id.is_some())
    .execute(&mut *tx)
    .await?;
    let (WhatsAppRequest::Send(sent), true, Some(message)) =
        (&item.request, item.delivers_message, outgoing)
    else {
        return Ok(());
    };
    let details = WhatsAppDetails {
        wamid: None,
        phone_number_id: item.phone_number_id.clone(),
        wa_id: sent.to.clone(),
        content_type: sent.content.type_name().to_string(),
        content: sent_content(sent),
        reply_to: sent.reply_to.clone(),
        forwarded: false,
        frequently_forwarded: false,
        reactions: vec![],
        edits: vec![],
        original_text: None,
        revoked_at: None,
        delivery_error: None,
        media: vec![],
    };
    sqlx::query(
        "INSERT INTO whatsapp_messages (message_id, ticket_id, phone_number_id, wa_id, content_type, content, \
         reply_to_wamid, delivery, delivery_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8) \
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(message.id.0)
    .bind(ticket.0)
    .bind(&details.phone_number_id)
    .bind(&details.wa_id)
    .bind(&details.content_type)
    .bind(json_of(&details.content)?)
    .bind(&details.reply_to)
    .bind(to_micros(at))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE messages SET delivery = 'queued' WHERE id = $1")
        .bind(message.id.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE whatsapp_tickets SET last_activity_at = $2 WHERE ticket_id = $1 \
         AND (last_activity_at IS NULL OR last_activity_at < $2)",
    )
    .bind(ticket.0)
    .bind(to_micros(at))
    .execute(&mut *tx)
    .await?;
    message.delivery = Some(Delivery::Queued);
    message.whatsapp = Some(details);
    Ok(())
}

/// Moves a message's delivery on for a report about one of its sends: the send that
/// delivers it moves it forward only; a failed later part (one of its files) marks the
/// whole message failed, since the customer did not get all of it. True when it changed.
async fn apply_report(
    tx: &mut DbConn,
    message: MessageId,
    delivering: bool,
    status: Delivery,
    error: Option<&str>,
    at: Timestamp,
) -> Result<bool> {
    let sql = format!("SELECT delivery FROM whatsapp_messages WHERE message_id = $1{FOR_UPDATE}");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(message.0)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(false);
    };
    let current = row
        .try_get::<Option<&str>, _>("delivery")?
        .and_then(Delivery::parse)
        .unwrap_or(Delivery::Queued);
    let applies = if delivering {
        current.advances_to(status)
    } else {
        status == Delivery::Failed && current != Delivery::Failed
    };
    if !applies {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE whatsapp_messages SET delivery = $2, delivery_error = COALESCE($3, delivery_error), delivery_at = $4 WHERE message_id = $1",
    )
    .bind(message.0)
    .bind(status.as_str())
    .bind(error)
    .bind(to_micros(at))
    .execute(&mut *tx)
    .await?;
    // The message's own column knows e-mail's states: reaching the phone is "sent".
    let column = if status == Delivery::Failed {
        "failed"
    } else {
        "sent"
    };
    sqlx::query("UPDATE messages SET delivery = $2 WHERE id = $1")
        .bind(message.0)
        .bind(column)
        .execute(&mut *tx)
        .await?;
    Ok(true)
}

/// The message a wamid's report is about, and whether that send delivers it.
pub(super) async fn reported_message(
    tx: &mut DbConn,
    wamid: &str,
) -> Result<Option<(MessageId, bool)>> {
    if let Some(id) =
        sqlx::query_scalar::<_, i64>("SELECT message_id FROM whatsapp_messages WHERE wamid = $1")
            .bind(wamid)
            .fetch_optional(&mut *tx)
            .await?
    {
        return Ok(Some((MessageId(id), true)));
    }
    let part = sqlx::query_scalar::<_, Option<i64>>(
        "SELECT message_id FROM whatsapp_outbox WHERE wamid = $1 ORDER BY id LIMIT 1",
    )
    .bind(wamid)
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    Ok(part.map(|id| (MessageId(id), false)))
}

/// Applies a report for `wamid` in the caller's transaction; `None` when no send has that
/// wamid yet.
pub(super) async fn report_in(
    tx: &mut DbConn,
    wamid: &str,
    status: Delivery,
    error: Option<&str>,
    at: Timestamp,
) -> Result<Option<(MessageId, bool)>> {
    let Some((message, delivering)) = reported_message(tx, wamid).await? else {
        return Ok(None);
    };
    let changed = apply_report(tx, message, delivering, status, error, at).await?;
    Ok(Some((message, changed)))
}

/// Applies the reports that arrived for `wamid` before its send was recorded.
async fn apply_early_statuses(tx: &mut DbConn, wamid: &str) -> Result<()> {
    let rows = sqlx::query(
        "SELECT status, error, at FROM whatsapp_early_statuses WHERE wamid = $1 ORDER BY id",
    )
    .bind(wamid)
    .fetch_all(&mut *tx)
    .await?;
    for row in &rows {
        let status = Delivery::parse(row.try_get::<&str, _>("status")?)
            .ok_or_else(|| corrupt("early WhatsApp status"))?;
        let error: Option<String> = row.try_get("error")?;
        let at = from_micros(row.try_get("at")?);
        report_in(tx, wamid, status, error.as_deref(), at).await?;
    }
    sqlx::query("DELETE FROM whatsapp_early_statuses WHERE wamid = $1")
        .bind(wamid)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

const ITEM_COLUMNS: &str =
    "id, ticket_id, message_id, kind, phone_number_id, request, attempts, created_at";

impl SqlStore {
    pub(super) async fn claim_outbox_rows(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WhatsAppOutboxItem>> {
        let at = to_micros(now());
        if !self.any_due(
            "SELECT id FROM whatsapp_outbox WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
            at,
        )
        .await?
        {
            return Ok(Vec::new());
        }
        // One row per conversation at a time, oldest first: a chat's messages must arrive
        // in the order they were written, so a send that waits to be retried holds back
        // the ones after it.
        let sql = format!(
            "UPDATE whatsapp_outbox SET lease_until = $1 WHERE id IN (SELECT o.id FROM whatsapp_outbox o \
             WHERE o.status = 'pending' AND o.next_attempt_at <= $2 AND (o.lease_until IS NULL OR o.lease_until < $2) \
             AND NOT EXISTS (SELECT 1 FROM whatsapp_outbox e WHERE e.status = 'pending' AND e.phone_number_id = o.phone_number_id \
             AND e.recipient = o.recipient AND e.id < o.id) \
             ORDER BY o.id LIMIT $3{SKIP_LOCKED}) RETURNING {ITEM_COLUMNS}"
        );
        let mut tx = begin_write(&self.writer).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(lease_until))
            .bind(at)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut items = rows
            .iter()
            .map(|r| {
                Ok(WhatsAppOutboxItem {
                    id: r.try_get("id")?,
                    ticket_id: r.try_get::<Option<i64>, _>("ticket_id")?.map(TicketId),
                    message_id: r.try_get::<Option<i64>, _>("message_id")?.map(MessageId),
                    kind: r.try_get("kind")?,
                    phone_number_id: r.try_get("phone_number_id")?,
                    request: from_json(r.try_get::<&str, _>("request")?)?,
                    attempts: r.try_get("attempts")?,
                    created_at: from_micros(r.try_get("created_at")?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    pub(super) async fn outbox_row_sent(
        &self,
        id: i64,
        wamid: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!(
            "SELECT message_id, delivers_message FROM whatsapp_outbox WHERE id = $1 AND status = 'pending'{FOR_UPDATE}"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(());
        };
        let message: Option<i64> = row.try_get("message_id")?;
        let delivers: bool = row.try_get("delivers_message")?;
        sqlx::query(
            "UPDATE whatsapp_outbox SET status = 'sent', wamid = $2, sent_at = $3, lease_until = NULL, \
             attempts = attempts + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(wamid)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
        if let (Some(message), true) = (message, delivers) {
            sqlx::query(
                "UPDATE whatsapp_messages SET wamid = COALESCE(wamid, $2) WHERE message_id = $1",
            )
            .bind(message)
            .bind(wamid)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::StoreError::from_write(e, "wamid", "Meta gave an id another message has")
            })?;
            sqlx::query(
                "UPDATE messages SET channel_message_id = COALESCE(channel_message_id, $2) WHERE id = $1",
            )
            .bind(message)
            .bind(wamid)
            .execute(&mut *tx)
            .await?;
            apply_report(&mut tx, MessageId(message), true, Delivery::Sent, None, at).await?;
        }
        if let Some(wamid) = wamid {
            apply_early_statuses(&mut tx, wamid).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn outbox_row_failed(
        &self,
        id: i64,
        error: &DeliveryError,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!(
            "SELECT message_id FROM whatsapp_outbox WHERE id = $1 AND status = 'pending'{FOR_UPDATE}"
        );
        let Some(message) = sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(());
        };
        let text = format!("{} ({})", error.reason, error.code);
        sqlx::query(
            "UPDATE whatsapp_outbox SET status = $2, attempts = attempts + 1, next_attempt_at = COALESCE($3, next_attempt_at), \
             last_error = $4, lease_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(if retry_at.is_some() { "pending" } else { "dead" })
        .bind(retry_at.map(to_micros))
        .bind(&text)
        .execute(&mut *tx)
        .await?;
        if let (Some(message), None) = (message, retry_at) {
            // Dead: whichever part it was, the customer did not get the whole message.
            apply_report(
                &mut tx,
                MessageId(message),
                false,
                Delivery::Failed,
                Some(&json_of(error)?),
                now(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn queue_read_mark(&self, ticket: TicketId, at: Timestamp) -> Result<bool> {
        // Agents open tickets all day: a read on the reader settles most visits without
        // taking the writer.
        let unmarked: Option<bool> = sqlx::query_scalar(
            "SELECT COALESCE(w.read_marked_wamid, '') <> COALESCE((SELECT m.wamid FROM whatsapp_messages m \
             JOIN messages x ON x.id = m.message_id WHERE m.ticket_id = w.ticket_id AND x.kind = 'inbound' \
             AND m.wamid IS NOT NULL ORDER BY m.message_id DESC LIMIT 1), '') FROM whatsapp_tickets w WHERE w.ticket_id = $1",
        )
        .bind(ticket.0)
        .fetch_optional(&self.reader)
        .await?;
        if unmarked != Some(true) {
            return Ok(false);
        }
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!(
            "SELECT phone_number_id, wa_id, read_marked_wamid FROM whatsapp_tickets WHERE ticket_id = $1{FOR_UPDATE}"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ticket.0)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let phone_number_id: String = row.try_get("phone_number_id")?;
        let marked: Option<String> = row.try_get("read_marked_wamid")?;
        let newest: Option<String> = sqlx::query_scalar(
            "SELECT w.wamid FROM whatsapp_messages w JOIN messages m ON m.id = w.message_id \
             WHERE w.ticket_id = $1 AND m.kind = 'inbound' AND w.wamid IS NOT NULL ORDER BY w.message_id DESC LIMIT 1",
        )
        .bind(ticket.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(newest) = newest.filter(|n| marked.as_ref() != Some(n)) else {
            return Ok(false);
        };
        queue_whatsapp(
            &mut tx,
            ticket,
            None,
            &NewWhatsAppOutbox {
                kind: "read".into(),
                phone_number_id,
                request: WhatsAppRequest::MarkRead {
                    wamid: newest.clone(),
                },
                delivers_message: false,
            },
            at,
        )
        .await?;
        sqlx::query("UPDATE whatsapp_tickets SET read_marked_wamid = $2 WHERE ticket_id = $1")
            .bind(ticket.0)
            .bind(&newest)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Applies reports that were kept because their send's answer was still on its way
    /// when they came (on PostgreSQL the two can cross), and drops ones nobody will claim.
    pub(super) async fn reconcile_early(&self) -> Result<usize> {
        let wamids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT e.wamid FROM whatsapp_early_statuses e WHERE \
             EXISTS (SELECT 1 FROM whatsapp_messages w WHERE w.wamid = e.wamid) \
             OR EXISTS (SELECT 1 FROM whatsapp_outbox o WHERE o.wamid = e.wamid) LIMIT 100",
        )
        .fetch_all(&self.reader)
        .await?;
        for wamid in &wamids {
            let mut tx = begin_write(&self.writer).await?;
            apply_early_statuses(&mut tx, wamid).await?;
            tx.commit().await?;
        }
        let cutoff = to_micros(now() - EARLY_STATUS_KEPT);
        let stale: Option<i64> =
            sqlx::query_scalar("SELECT id FROM whatsapp_early_statuses WHERE at < $1 LIMIT 1")
                .bind(cutoff)
                .fetch_optional(&self.reader)
                .await?;
        if stale.is_some() {
            sqlx::query("DELETE FROM whatsapp_early_statuses WHERE at < $1")
                .bind(cutoff)
                .execute(&self.writer)
                .await?;
        }
        Ok(wamids.len())
    }
}
