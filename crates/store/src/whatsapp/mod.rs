//! What the WhatsApp channel keeps besides tickets: the webhook bodies Meta sent (kept
//! before Meta is answered), what each WhatsApp message carries (its wamid, type, reply,
//! reactions, edits, delivery), the customer's media still to fetch, the conversations'
//! tickets and their 24-hour windows, and the channel's health.
//!
//! A WhatsApp message's own details are written with the message, in its ticket's
//! transaction ([`crate::MessageExtra::whatsapp`]); what this trait writes afterwards
//! (reactions, edits, delivery reports) changes a message already stored.

use crate::{NewAttachment, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::email::Delivery;
use soporte_core::ids::{MessageId, TicketId};
use soporte_core::whatsapp::{DeliveryError, WhatsAppRequest};

#[async_trait]
pub trait WhatsAppStore: Send + Sync {
    // Webhook bodies
    /// Keeps a signed webhook body until the worker has taken it in; returns its id.
    async fn keep_webhook_body(&self, body: &str, received_at: Timestamp) -> Result<i64>;
    /// Takes up to `limit` bodies still to take in, oldest first; each is leased until
    /// `lease_until` so no other worker takes it meanwhile (one left by a stopped
    /// process is taken again once its lease runs out).
    async fn claim_webhook_bodies(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WebhookBody>>;
    /// The body was taken in (`quarantined`: with a reason, kept for an admin).
    async fn webhook_body_done(&self, id: i64, quarantined: Option<&str>) -> Result<()>;
    /// Taking the body in failed for a reason that may pass (the database): try again at
    /// `retry_at`.
    async fn webhook_body_failed(&self, id: i64, error: &str, retry_at: Timestamp) -> Result<()>;
    /// How many bodies wait to be taken in.
    async fn pending_webhook_bodies(&self) -> Result<i64>;

    // Conversations
    /// The customer's ticket with this number that a message at `since` or later
    /// continues: the newest one, not solved or closed, whose conversation (the customer
    /// writing, or support) was last active at or after `since`.
    async fn open_whatsapp_ticket(
        &self,
        phone_number_id: &str,
        wa_id: &str,
        since: Timestamp,
    ) -> Result<Option<TicketId>>;
    /// Takes up to `limit` conversations whose burst is over (their quiet time has
    /// passed), each leased until `lease_until` so no other worker takes it meanwhile (a
    /// crashed worker's is taken again then).
    async fn claim_whatsapp_settlements(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WhatsAppTicket>>;
    /// The conversation claimed with `settle_version` `claimed_version` was settled, and
    /// acknowledged if `acknowledged`. A customer message since (a newer version) leaves
    /// it to be settled again once the new burst is over.
    async fn whatsapp_settled(
        &self,
        ticket: TicketId,
        claimed_version: i64,
        acknowledged: bool,
    ) -> Result<bool>;
    /// When the customer last wrote to this number (the 24-hour window's start).
    async fn whatsapp_window(
        &self,
        phone_number_id: &str,
        wa_id: &str,
    ) -> Result<Option<Timestamp>>;
    /// The conversation a WhatsApp ticket is: its number and customer.
    async fn whatsapp_ticket(&self, ticket: TicketId) -> Result<Option<WhatsAppTicket>>;

    // Changes to stored messages
    /// The stored message with this wamid.
    async fn whatsapp_message(&self, wamid: &str) -> Result<Option<(TicketId, MessageId)>>;
    /// Puts `emoji` from `from` on the message with `target` as wamid, replacing that
    /// person's earlier reaction; an empty emoji takes it away. False when no such message.
    async fn react_to_whatsapp_message(
        &self,
        target: &str,
        from: &str,
        emoji: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Records the customer's edit of a message: its new text. False when no such message.
    async fn edit_whatsapp_message(&self, target: &str, text: &str, at: Timestamp) -> Result<bool>;
    /// Records that the customer deleted a message for everyone. The text stays for
    /// support: it was received. False when no such message.
    async fn revoke_whatsapp_message(&self, target: &str, at: Timestamp) -> Result<bool>;
    /// Applies a delivery report for the outgoing message `wamid`, never moving its state
    /// back. A report for a wamid not recorded yet (the send's answer is still on its
    /// way) is kept and applied when it is.
    async fn whatsapp_delivery_report(
        &self,
        wamid: &str,
        status: Delivery,
        error: Option<&DeliveryError>,
        at: Timestamp,
    ) -> Result<DeliveryReport>;

    // Media
    /// Takes up to `limit` media files due to be fetched, each leased until `lease_until`.
    async fn claim_whatsapp_media(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<PendingMedia>>;
    /// The file was fetched and its bytes put in the blob store: it becomes an attachment
    /// of its message. False when it was no longer pending.
    async fn whatsapp_media_stored(&self, id: i64, file: &NewAttachment) -> Result<bool>;
    /// Fetching failed: tried again at `retry_at`, or (`None`) given up on as lost, with
    /// the reason shown on the message.
    async fn whatsapp_media_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()>;

    // Outbox
    /// Takes up to `limit` due outbox rows, oldest first, each leased until `lease_until`.
    async fn claim_whatsapp_outbox(
        &self,
        limit: u32,
        lease_until: Timestamp,
    ) -> Result<Vec<WhatsAppOutboxItem>>;
    /// Meta accepted the row's request as `wamid`. The message it delivers becomes `sent`
    /// (or whatever reports for that wamid arrived before this answer say).
    async fn whatsapp_outbox_sent(&self, id: i64, wamid: Option<&str>, at: Timestamp)
    -> Result<()>;
    /// The request failed: tried again at `retry_at`, or (`None`) given up, its message
    /// marked failed with `error`.
    async fn whatsapp_outbox_failed(
        &self,
        id: i64,
        error: &DeliveryError,
        retry_at: Option<Timestamp>,
    ) -> Result<()>;
    /// Queues a read mark for the newest customer message of the ticket not marked yet;
    /// false when there is none (or the ticket is no WhatsApp conversation).
    async fn queue_whatsapp_read_mark(&self, ticket: TicketId, at: Timestamp) -> Result<bool>;
    /// Applies reports kept for sends whose answer has come since; returns how many
    /// wamids were settled.
    async fn reconcile_whatsapp_statuses(&self) -> Result<usize>;

    // Health
    /// Records that an event arrived from Meta, or that the channel failed (`error`).
    async fn record_whatsapp_health(
        &self,
        event_at: Option<Timestamp>,
        error: Option<(&str, Option<i64>)>,
        at: Timestamp,
    ) -> Result<()>;
    async fn whatsapp_health(&self) -> Result<WhatsAppHealth>;
}

/// A customer's media file still to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMedia {
    pub id: i64,
    pub message_id: MessageId,
    pub ticket_id: TicketId,
    pub media_id: String,
    pub kind: String,
    pub mime_type: String,
    pub expected_sha256: Option<String>,
    pub filename: Option<String>,
    pub attempts: i64,
    pub created_at: Timestamp,
}

/// A WhatsApp message (or read mark) to queue in the transaction of the change that
/// causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWhatsAppOutbox {
    /// `reply`, `acknowledgement`, `template` … (for reports).
    pub kind: String,
    /// The business number it leaves from: the one the customer wrote to.
    pub phone_number_id: String,
    pub request: WhatsAppRequest,
    /// Whether this send delivers the change's outgoing message, whose delivery it then
    /// tracks; later parts of the same message (its files) only report failures.
    pub delivers_message: bool,
}

/// An outbox row as the sending worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsAppOutboxItem {
    pub id: i64,
    pub ticket_id: Option<TicketId>,
    pub message_id: Option<MessageId>,
    pub kind: String,
    pub phone_number_id: String,
    pub request: WhatsAppRequest,
    pub attempts: i64,
    pub created_at: Timestamp,
}

/// A kept webhook body as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookBody {
    pub id: i64,
    pub body: String,
    pub received_at: Timestamp,
    pub attempts: i64,
}

/// What a delivery report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryReport {
    /// The message moved to the reported state.
    Applied(MessageId),
    /// The message was already as far (or further): nothing changed.
    Stale(MessageId),
    /// No message has this wamid yet: the report is kept for later.
    Kept,
}

/// A WhatsApp ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsAppTicket {
    pub ticket_id: TicketId,
    pub phone_number_id: String,
    pub wa_id: String,
    pub last_inbound_at: Timestamp,
    pub settle_at: Option<Timestamp>,
    pub settled_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    /// How many customer messages the conversation has taken in: settling is finished
    /// only if none came while it ran.
    pub settle_version: i64,
}

/// The channel's health, for the admin page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhatsAppHealth {
    pub last_event_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_error_code: Option<i64>,
    pub last_error_at: Option<Timestamp>,
    pub pending_bodies: i64,
}

/// What a WhatsApp message carries into the store with the message itself.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWhatsAppMessage {
    pub wamid: Option<String>,
    pub phone_number_id: String,
    pub wa_id: String,
    pub content_type: String,
    pub content: serde_json::Value,
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
    /// When the customer sent it (Meta's timestamp), or when Soporte queued it.
    pub sent_at: Timestamp,
    /// Media to fetch from the Graph API; each shows as pending until stored.
    pub media: Vec<NewWhatsAppMedia>,
    /// For a customer's message: the ticket's conversation moves on (the window, and
    /// the moment the burst is quiet enough to be settled).
    pub conversation: Option<ConversationStep>,
}

/// How a customer's message moves its conversation on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationStep {
    pub settle_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWhatsAppMedia {
    pub media_id: String,
    /// image, video, audio, voice, document or sticker.
    pub kind: String,
    pub mime_type: String,
    pub expected_sha256: Option<String>,
    pub filename: Option<String>,
}
