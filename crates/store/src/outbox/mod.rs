//! The outbox: outgoing e-mail queued in the same transaction as the change that causes it,
//! and delivered by a worker with leases and retries.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::email::OutgoingEmail;

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Takes up to `limit` due e-mails for delivery; each is leased until `lease_until`
    /// so no other worker takes it meanwhile.
    async fn claim_outbox(&self, limit: u32, lease_until: Timestamp) -> Result<Vec<OutboxItem>>;
    async fn outbox_sent(&self, id: i64) -> Result<()>;
    /// `retry_at: None` gives up: the row becomes dead and its message failed.
    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<Timestamp>) -> Result<()>;
    async fn list_outbox(&self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>>;
    async fn count_outbox_since(
        &self,
        recipient: &str,
        kind: &str,
        since: Timestamp,
    ) -> Result<i64>;
}

/// An e-mail to queue in the same transaction as the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    /// `reply`, `acknowledgement`, `notification`, … (for reports and rate limits).
    pub kind: String,
    /// The main recipient, for the per-sender limit on automatic answers.
    pub recipient: String,
    pub email: OutgoingEmail,
    /// Whether this e-mail delivers the change's outgoing message (an agent's reply, or
    /// the automatic answer to a new ticket), whose delivery it then tracks.
    pub delivers_message: bool,
}

/// An outbox row as the delivery worker sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub message_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub email: OutgoingEmail,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}
