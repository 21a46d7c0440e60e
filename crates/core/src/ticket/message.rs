use crate::email::{AutomaticKind, Delivery, EmailHeaders};
use crate::ids::{AttachmentId, MessageId, TicketId};
use crate::string_enum;
use crate::support::Channel;
use crate::ticket::Actor;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

string_enum!(
    /// `inbound` comes from the customer, `outbound` goes to them, a `note` is internal
    /// to support, a `call` records a phone conversation.
    MessageKind {
        Inbound => "inbound",
        Outbound => "outbound",
        Note => "note",
        Call => "call",
    }
);

impl MessageKind {
    /// Notes never reach the customer, nor do they show in the customer's view.
    pub fn visible_to_customer(self) -> bool {
        !matches!(self, MessageKind::Note)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub kind: MessageKind,
    pub author: Actor,
    pub channel: Channel,
    pub body_text: String,
    /// Already sanitised when stored: safe to put in a page as it is.
    pub body_html: Option<String>,
    /// The e-mail Message-ID, or another channel's own message id, used to recognise
    /// the same message delivered twice.
    pub channel_message_id: Option<String>,
    pub created_at: Timestamp,
    pub attachments: Vec<Attachment>,
    /// Quoted history and signature cut from `body_text` (e-mail replies).
    pub quoted_text: Option<String>,
    pub email: Option<EmailHeaders>,
    pub automatic: Option<AutomaticKind>,
    /// The message as received, in the blob store.
    pub original_sha256: Option<String>,
    /// For outgoing messages: whether it reached the customer (their mail server; for
    /// WhatsApp, their phone, and whether they read it).
    pub delivery: Option<Delivery>,
    /// What a WhatsApp message carries beyond its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp: Option<crate::whatsapp::WhatsAppDetails>,
}

/// A file attached to a message. The bytes live in the blob store under their SHA-256,
/// so the same logo sent a hundred times is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub message_id: MessageId,
    pub ticket_id: TicketId,
    pub sha256: String,
    pub filename: String,
    pub media_type: String,
    pub size: u64,
    pub inline: bool,
    /// The Content-ID an HTML body refers to with `cid:`.
    pub content_id: Option<String>,
}

/// A file name as a customer's mail program sent it, made safe to show and to offer as a
/// download name: no directories, no control characters, not empty.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string();
    let truncated: String = cleaned.chars().take(200).collect();
    if truncated.is_empty() {
        "adjunto".to_string()
    } else {
        truncated
    }
}

/// A media type as `type/subtype`, lower-cased; anything unrecognisable becomes
/// `application/octet-stream` so it is offered as a download and never rendered.
pub fn normalize_media_type(raw: &str) -> String {
    let essence = raw.split(';').next().unwrap_or("").trim().to_lowercase();
    let valid = essence.split_once('/').is_some_and(|(t, s)| {
        let token = |x: &str| {
            !x.is_empty()
                && x.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
        };
        token(t) && token(s)
    });
    if valid {
        essence
    } else {
        "application/octet-stream".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_control_characters() {
        let cases = [
            ("captura.png", "captura.png"),
            ("C:\\Users\\ana\\factura.pdf", "factura.pdf"),
            ("../../etc/passwd", "passwd"),
            ("..hidden", "hidden"),
            ("a\r\nb.txt", "ab.txt"),
            ("", "adjunto"),
            ("Política de Garantía.docx", "Política de Garantía.docx"),
        ];
        for (raw, expected) in cases {
            assert_eq!(sanitize_filename(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn media_types_are_normalised_or_neutralised() {
        assert_eq!(normalize_media_type("Image/PNG; name=x.png"), "image/png");
        assert_eq!(normalize_media_type("text/html"), "text/html");
        assert_eq!(normalize_media_type("garbage"), "application/octet-stream");
        assert_eq!(
            normalize_media_type("text/<script>"),
            "application/octet-stream"
        );
    }
}
