//! The WhatsApp channel's rules that need no I/O: the 24-hour customer-service window,
//! when a customer's messages still belong to the same request, and what a WhatsApp
//! message carries beyond its text.

mod inbound;
mod outbound;

pub use inbound::{
    GraphErrorReport, InboundContent, InboundWhatsApp, NumberEvents, OrderItem, SharedContact,
    StatusReport, WhatsAppCodec,
};
pub use outbound::{
    MAX_PARAMETER_CHARS, OutgoingContent, OutgoingWhatsApp, TemplateError, TemplateParameter,
    TemplateValues, WhatsAppRequest, WhatsAppTemplate, sends_as_image,
};

use crate::ids::AttachmentId;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Meta lets a business write freely for 24 hours after the customer's last message;
/// after that, only an approved template may start the conversation again.
pub const SERVICE_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// When free text stops being possible, given the customer's last message.
pub fn window_closes_at(last_inbound: Timestamp) -> Timestamp {
    last_inbound + SERVICE_WINDOW
}

/// Whether free text may be sent now.
pub fn window_open(last_inbound: Option<Timestamp>, now: Timestamp) -> bool {
    last_inbound.is_some_and(|last| now < window_closes_at(last))
}

/// How a customer's WhatsApp messages are grouped into requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversations {
    /// A message joins the customer's open WhatsApp ticket with the same number unless the
    /// conversation (the customer or support) has been silent this long: then it starts a
    /// new request.
    pub new_request_after: SignedDuration,
    /// The policy settles a ticket's type, checklist and urgency once the customer has
    /// been quiet this long: people write a burst ("hola" / "tengo un problema" / a photo
    /// / "desde ayer"), and the first line alone says little.
    pub quiet_time: SignedDuration,
}

impl Default for Conversations {
    fn default() -> Self {
        Self {
            new_request_after: SignedDuration::from_hours(12),
            quiet_time: SignedDuration::from_secs(90),
        }
    }
}

impl Conversations {
    /// Whether a message at `at` continues a ticket whose customer last wrote at
    /// `last_inbound` (the ticket being neither solved nor closed).
    pub fn continues(&self, last_inbound: Timestamp, at: Timestamp) -> bool {
        at.duration_since(last_inbound) < self.new_request_after
    }

    /// When a ticket whose customer last wrote at `last_inbound` is settled.
    pub fn settle_at(&self, last_inbound: Timestamp) -> Timestamp {
        last_inbound + self.quiet_time
    }
}

/// A reaction a customer put on a message (one per person: a new one replaces theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub from: String,
    pub emoji: String,
    pub at: Timestamp,
}

/// The text a message had before the customer edited it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The new text.
    pub text: String,
    pub at: Timestamp,
}

/// Why Meta did not deliver an outgoing message: its code and the reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryError {
    pub code: i64,
    pub reason: String,
}

/// Where a media file the customer sent stands: being fetched, stored (as the
/// attachment named), or given up on, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    Pending,
    Stored,
    Lost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaState {
    /// image, video, audio, voice, document or sticker.
    pub kind: String,
    pub status: MediaStatus,
    pub attachment_id: Option<AttachmentId>,
    /// Why it is still pending or was given up on.
    pub error: Option<String>,
}

/// What a WhatsApp message carries beyond its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatsAppDetails {
    /// Meta's id of the message (for an outgoing one, once Meta accepted it).
    pub wamid: Option<String>,
    /// The business number's id and the customer's WhatsApp id.
    pub phone_number_id: String,
    pub wa_id: String,
    /// Meta's message type: text, image, location, contacts, interactive, … or the name
    /// of a type Soporte does not know, kept as received.
    pub content_type: String,
    /// What the type carries (a location's coordinates, shared contacts, the raw message
    /// of an unknown type …).
    pub content: serde_json::Value,
    /// The message this one answers.
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
    pub reactions: Vec<Reaction>,
    pub edits: Vec<Edit>,
    /// The text as first received, once the customer has edited it (the message's text is
    /// the latest edit's).
    pub original_text: Option<String>,
    pub revoked_at: Option<Timestamp>,
    pub delivery_error: Option<DeliveryError>,
    pub media: Vec<MediaState>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::Delivery;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn the_window_closes_24_hours_after_the_customers_last_message() {
        let last = at("2026-12-01T10:00:00Z");
        assert!(window_open(Some(last), at("2026-12-02T09:59:59Z")));
        assert!(!window_open(Some(last), at("2026-12-02T10:00:00Z")));
        assert!(
            !window_open(None, last),
            "a customer who never wrote has no window"
        );
    }

    #[test]
    fn a_burst_is_one_request_and_a_long_silence_starts_another() {
        let rules = Conversations::default();
        let last = at("2026-12-01T10:00:00Z");
        assert!(rules.continues(last, at("2026-12-01T10:03:00Z")));
        assert!(rules.continues(last, at("2026-12-01T21:59:00Z")));
        assert!(!rules.continues(last, at("2026-12-01T22:00:00Z")));
        assert_eq!(rules.settle_at(last), at("2026-12-01T10:01:30Z"));
    }

    #[test]
    fn delivery_only_moves_forward() {
        use Delivery::*;
        let cases = [
            (Queued, Sent, true),
            (Sent, Delivered, true),
            (Delivered, Read, true),
            (Sent, Read, true),
            (Read, Delivered, false),
            (Delivered, Sent, false),
            (Sent, Failed, true),
            (Queued, Failed, true),
            (Read, Failed, false),
            (Failed, Sent, false),
            (Sent, Sent, false),
        ];
        for (from, to, expected) in cases {
            assert_eq!(from.advances_to(to), expected, "{from:?} → {to:?}");
        }
    }
}
