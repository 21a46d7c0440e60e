//! Conversations whose burst is over: leased to one worker at a time, and cleared once
//! settled unless the customer wrote again meanwhile.

use super::super::values::now;
use super::super::{SKIP_LOCKED, SqlStore, begin_write};
use super::{TICKET_COLUMNS, conversation_from_row};
use crate::{Result, WhatsAppTicket};
use jiff::Timestamp;
use soporte_core::ids::TicketId;
use soporte_core::time::to_micros;

impl SqlStore {
    pub(super) async fn claim_settlements(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WhatsAppTicket>> {
        let at = to_micros(now());
        if !self.any_due(
            "SELECT ticket_id FROM whatsapp_tickets WHERE settle_at IS NOT NULL AND settle_at <= $1 \
             AND (settle_lease_until IS NULL OR settle_lease_until < $1) LIMIT 1",
            at,
        )
        .await?
        {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE whatsapp_tickets SET settle_lease_until = $1 WHERE ticket_id IN (SELECT ticket_id FROM whatsapp_tickets \
             WHERE settle_at IS NOT NULL AND settle_at <= $2 AND (settle_lease_until IS NULL OR settle_lease_until < $2) \
             ORDER BY settle_at LIMIT $3{SKIP_LOCKED}) RETURNING {TICKET_COLUMNS}"
        );
        let mut tx = begin_write(&self.writer).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(lease_until))
            .bind(at)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter().map(conversation_from_row).collect()
    }

    pub(super) async fn settled(
        &self,
        ticket: TicketId,
        claimed_version: i64,
        acknowledged: bool,
    ) -> Result<bool> {
        let at = to_micros(now());
        let done = sqlx::query(
            "UPDATE whatsapp_tickets SET settle_at = CASE WHEN settle_version = $2 THEN NULL ELSE settle_at END, \
             settle_lease_until = NULL, settled_at = $3, \
             acknowledged_at = CASE WHEN $4 THEN COALESCE(acknowledged_at, $3) ELSE acknowledged_at END \
             WHERE ticket_id = $1",
        )
        .bind(ticket.0)
        .bind(claimed_version)
        .bind(at)
        .bind(acknowledged)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
