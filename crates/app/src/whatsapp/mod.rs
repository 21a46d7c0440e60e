//! The personal agent's WhatsApp, on Meta's WhatsApp Business Cloud API.
//!
//! Meta POSTs webhook bodies; a signed body is kept in the database before Meta hears
//! 200 (`webhook`), and a worker takes each kept body in (`intake`): customers' messages
//! become tickets, one per conversation, routed by the business number's owner; reactions,
//! edits and deletions change the message they name; delivery reports move outgoing
//! messages on. Keeping the body first makes the answer fast and the intake safe to retry:
//! a process killed mid-way leaves the body leased, and the next worker takes it again,
//! recognising what was already taken in by its wamid.

mod acknowledgement;
mod cloud;
mod health;
mod intake;
mod media;
mod outbox;
mod replies;
mod settle;
mod webhook;

pub use cloud::{CloudFailure, CloudMedia, CloudRetry, WhatsAppCloud};
pub use media::{MAX_MEDIA_BYTES, MediaReport};
pub(crate) use replies::WhatsAppAnswer;
pub use webhook::WebhookReceipt;

use soporte_core::whatsapp::{Conversations, WhatsAppTemplate};
use std::fmt;

/// The WhatsApp channel's settings (the `[whatsapp]` section).
#[derive(Clone)]
pub struct WhatsAppSettings {
    /// What Meta sends back in the subscription handshake.
    pub verify_token: String,
    /// The Meta app's secret, which signs every webhook body.
    pub app_secret: String,
    pub conversations: Conversations,
    /// Approved message templates, the only messages allowed once a customer's 24-hour
    /// window has closed.
    pub templates: Vec<WhatsAppTemplate>,
    /// The first wait before a failed send or media download is tried again; it doubles
    /// with each attempt, up to an hour.
    pub retry_base: jiff::SignedDuration,
}

impl WhatsAppSettings {
    /// Settings with the channel's defaults around the two secrets.
    pub fn new(verify_token: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self {
            verify_token: verify_token.into(),
            app_secret: app_secret.into(),
            conversations: Conversations::default(),
            templates: Vec::new(),
            retry_base: jiff::SignedDuration::from_secs(15),
        }
    }

    /// `retry_base`, doubled `attempts` times, at most one hour.
    pub(crate) fn backoff(&self, attempts: i64) -> jiff::SignedDuration {
        let exponent = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
        let wait = self
            .retry_base
            .as_secs()
            .saturating_mul(2i64.saturating_pow(exponent));
        jiff::SignedDuration::from_secs(wait.min(3600))
    }
}

impl fmt::Debug for WhatsAppSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhatsAppSettings")
            .field("conversations", &self.conversations)
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

/// Bodies a worker takes in one round.
pub const WEBHOOK_BATCH: u32 = 64;
