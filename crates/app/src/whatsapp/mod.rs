//! The personal agent's WhatsApp, on Meta's WhatsApp Business Cloud API.
//!
//! Meta POSTs webhook bodies; a signed body is kept in the database before Meta hears
//! 200 (`webhook`), and a worker takes each kept body in (`intake`): customers' messages
//! become tickets, one per conversation, routed by the business number's owner; reactions,
//! edits and deletions change the message they name; delivery reports move outgoing
//! messages on. Keeping the body first makes the answer fast and the intake safe to retry:
//! a process killed mid-way leaves the body leased, and the next worker takes it again,
//! recognising what was already taken in by its wamid.

mod health;
mod intake;
mod webhook;

pub use webhook::WebhookReceipt;

use soporte_core::whatsapp::Conversations;
use std::fmt;

/// The WhatsApp channel's settings (the `[whatsapp]` section).
#[derive(Clone)]
pub struct WhatsAppSettings {
    /// What Meta sends back in the subscription handshake.
    pub verify_token: String,
    /// The Meta app's secret, which signs every webhook body.
    pub app_secret: String,
    pub conversations: Conversations,
}

impl fmt::Debug for WhatsAppSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhatsAppSettings")
            .field("conversations", &self.conversations)
            .finish_non_exhaustive()
    }
}

/// Bodies a worker takes in one round.
pub const WEBHOOK_BATCH: u32 = 64;
