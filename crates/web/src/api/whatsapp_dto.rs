//! What a WhatsApp message shows in the API beyond its text.

use jiff::Timestamp;
use serde::Serialize;
use soporte_core::whatsapp::{DeliveryError, MediaStatus, WhatsAppDetails};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct WhatsAppOut {
    /// Meta's id of the message (for an outgoing one, once Meta accepted it).
    pub wamid: Option<String>,
    /// The business number's id (the agent's) and the customer's WhatsApp id.
    pub phone_number_id: String,
    pub wa_id: String,
    /// Meta's type: text, image, video, audio, voice, document, sticker, location,
    /// contacts, interactive, button, order, system, or the name of one Soporte does
    /// not know (kept as received in `content.raw`).
    pub r#type: String,
    /// What the type carries: a location's coordinates, shared contacts, an order …
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// The wamid of the message this one answers.
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
    pub reactions: Vec<ReactionOut>,
    /// The customer's edits, oldest first (the message's `text` is the latest).
    pub edits: Vec<EditOut>,
    /// The text as first received, once the customer has edited it.
    pub original_text: Option<String>,
    /// When the customer deleted the message for everyone (its text stays for support).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
    pub media: Vec<MediaOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionOut {
    pub from: String,
    pub emoji: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EditOut {
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaOut {
    /// image, video, audio, voice, document or sticker.
    pub kind: String,
    /// `pending` (being fetched from Meta), `stored` (see `attachment_id`) or `lost`.
    pub status: String,
    pub attachment_id: Option<i64>,
    /// Why it is still pending, or was lost.
    pub error: Option<String>,
}

/// Why Meta did not deliver a message: its code and the reason in plain words.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryErrorOut {
    pub code: i64,
    pub reason: String,
}

impl From<DeliveryError> for DeliveryErrorOut {
    fn from(e: DeliveryError) -> Self {
        Self {
            code: e.code,
            reason: e.reason,
        }
    }
}

impl From<WhatsAppDetails> for WhatsAppOut {
    fn from(w: WhatsAppDetails) -> Self {
        Self {
            wamid: w.wamid,
            phone_number_id: w.phone_number_id,
            wa_id: w.wa_id,
            r#type: w.content_type,
            content: w.content,
            reply_to: w.reply_to,
            forwarded: w.forwarded,
            frequently_forwarded: w.frequently_forwarded,
            reactions: w
                .reactions
                .into_iter()
                .map(|r| ReactionOut {
                    from: r.from,
                    emoji: r.emoji,
                    at: r.at,
                })
                .collect(),
            edits: w
                .edits
                .into_iter()
                .map(|e| EditOut {
                    text: e.text,
                    at: e.at,
                })
                .collect(),
            original_text: w.original_text.clone(),
            revoked_at: w.revoked_at,
            media: w
                .media
                .into_iter()
                .map(|m| MediaOut {
                    kind: m.kind,
                    status: match m.status {
                        MediaStatus::Pending => "pending",
                        MediaStatus::Stored => "stored",
                        MediaStatus::Lost => "lost",
                    }
                    .into(),
                    attachment_id: m.attachment_id.map(|a| a.0),
                    error: m.error,
                })
                .collect(),
        }
    }
}
