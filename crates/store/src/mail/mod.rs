//! What the e-mail channel keeps besides tickets: threading by Message-ID, the IMAP
//! positions already taken in, bounces, and the quarantine of mail that could not be read.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::TicketId;

#[async_trait]
pub trait MailStore: Send + Sync {
    // Threading and de-duplication
    /// The ticket of the first of these Message-IDs that Soporte sent or received.
    async fn ticket_for_email_ids(&self, ids: &[String]) -> Result<Option<TicketId>>;
    async fn position_taken(&self, position: &MailboxPosition) -> Result<bool>;
    /// Records a position whose message did not become a ticket (quarantined, skipped).
    async fn record_position(&self, position: &MailboxPosition) -> Result<()>;
    /// A bounce came back for this Message-ID: mark the outgoing message failed.
    async fn mark_bounced(&self, email_message_id: &str) -> Result<Option<TicketId>>;

    // Quarantine: mail that could not be taken in, kept for admins
    async fn quarantine(
        &self,
        source: &str,
        reason: &str,
        raw_sha256: &str,
        size: i64,
    ) -> Result<i64>;
    async fn list_quarantine(&self, limit: u32) -> Result<Vec<QuarantineItem>>;
}

/// An IMAP position (mailbox, UIDVALIDITY, UID): recorded with the message taken from it,
/// so a message without a Message-ID is not taken in twice either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxPosition {
    pub mailbox: String,
    pub uidvalidity: i64,
    pub uid: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuarantineItem {
    pub id: i64,
    pub source: String,
    pub reason: String,
    pub raw_sha256: String,
    pub size: i64,
    pub received_at: Timestamp,
}
