//! What a WhatsApp webhook body carries, as the use cases need it: for each business
//! number, the customers' messages and the delivery reports of what support sent. The
//! WhatsApp adapter reads Meta's payloads into these ([`WhatsAppCodec`]); how a message of
//! each type reads in a ticket is decided here.

use crate::email::Delivery;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The events of one business number in one webhook body.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberEvents {
    /// Meta's id of the business number: names the agent it belongs to.
    pub phone_number_id: String,
    /// The number as people dial it, for messages to an admin.
    pub display_phone_number: String,
    /// The names customers gave themselves in WhatsApp, by wa_id.
    pub profiles: Vec<(String, String)>,
    pub messages: Vec<InboundWhatsApp>,
    pub statuses: Vec<StatusReport>,
    /// Errors Meta reports for the number itself (not for one message).
    pub errors: Vec<GraphErrorReport>,
}

impl NumberEvents {
    /// The customer's WhatsApp name, when Meta sent one.
    pub fn profile_name(&self, wa_id: &str) -> Option<&str> {
        self.profiles
            .iter()
            .find(|(id, _)| id == wa_id)
            .map(|(_, name)| name.as_str())
            .filter(|name| !name.trim().is_empty())
    }
}

/// A customer's message.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundWhatsApp {
    pub wamid: String,
    /// The customer's WhatsApp id: their number in international form without `+`.
    pub from: String,
    pub sent_at: Timestamp,
    /// The message this one answers (`context.id`).
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
    pub content: InboundContent,
    /// The message as Meta sent it, kept for types Soporte cannot show.
    pub raw: serde_json::Value,
}

/// What a customer's message carries, by Meta's type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundContent {
    Text {
        body: String,
    },
    /// image, video, audio, voice, document or sticker.
    Media {
        kind: String,
        media_id: String,
        mime_type: String,
        sha256: Option<String>,
        caption: Option<String>,
        filename: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
        url: Option<String>,
    },
    /// Contact cards: each one's name and phones.
    Contacts {
        cards: Vec<SharedContact>,
    },
    /// A tap on a button or a list row of an interactive message, or a flow's answer.
    Interactive {
        reply_id: String,
        title: String,
        description: Option<String>,
    },
    /// A tap on a quick-reply button of a template.
    Button {
        payload: String,
        text: String,
    },
    Order {
        catalog_id: Option<String>,
        text: Option<String>,
        items: Vec<OrderItem>,
    },
    Reaction {
        target: String,
        /// Empty when the customer took their reaction away.
        emoji: String,
    },
    Edit {
        target: String,
        text: String,
    },
    Revoke {
        target: String,
    },
    /// A notice about the customer's account (a changed number …).
    System {
        body: String,
    },
    /// A type Meta does not deliver to the Cloud API, or one Soporte does not know.
    Unsupported {
        type_name: String,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedContact {
    pub name: String,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub product_retailer_id: String,
    pub quantity: f64,
    pub item_price: Option<f64>,
    pub currency: Option<String>,
}

impl InboundContent {
    /// Meta's name of the type (`voice` for a voice note).
    pub fn type_name(&self) -> &str {
        match self {
            InboundContent::Text { .. } => "text",
            InboundContent::Media { kind, .. } => kind,
            InboundContent::Location { .. } => "location",
            InboundContent::Contacts { .. } => "contacts",
            InboundContent::Interactive { .. } => "interactive",
            InboundContent::Button { .. } => "button",
            InboundContent::Order { .. } => "order",
            InboundContent::Reaction { .. } => "reaction",
            InboundContent::Edit { .. } => "edit",
            InboundContent::Revoke { .. } => "revoke",
            InboundContent::System { .. } => "system",
            InboundContent::Unsupported { type_name, .. } => type_name,
        }
    }

    /// Whether the message changes another one rather than saying something new.
    pub fn changes_another(&self) -> bool {
        matches!(
            self,
            InboundContent::Reaction { .. }
                | InboundContent::Edit { .. }
                | InboundContent::Revoke { .. }
        )
    }

    pub fn is_image(&self) -> bool {
        matches!(self, InboundContent::Media { kind, .. } if kind == "image" || kind == "sticker")
    }

    /// How the message reads in a ticket, in Spanish: what the customer wrote, or a short
    /// description of what they sent (which the policy reads too).
    pub fn text(&self) -> String {
        match self {
            InboundContent::Text { body } => body.clone(),
            InboundContent::Media {
                kind,
                caption,
                filename,
                ..
            } => {
                let what = match kind.as_str() {
                    "image" => "Imagen",
                    "video" => "Vídeo",
                    "audio" => "Audio",
                    "voice" => "Nota de voz",
                    "document" => "Documento",
                    "sticker" => "Sticker",
                    _ => "Archivo",
                };
                let mut out = format!("[{what}");
                if let Some(name) = filename.as_deref().filter(|n| !n.is_empty()) {
                    out.push_str(": ");
                    out.push_str(name);
                }
                out.push(']');
                if let Some(caption) = caption.as_deref().filter(|c| !c.trim().is_empty()) {
                    out.push(' ');
                    out.push_str(caption);
                }
                out
            }
            InboundContent::Location {
                latitude,
                longitude,
                name,
                address,
                ..
            } => {
                let place = [name.as_deref(), address.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                if place.is_empty() {
                    format!("[Ubicación: {latitude}, {longitude}]")
                } else {
                    format!("[Ubicación: {place} ({latitude}, {longitude})]")
                }
            }
            InboundContent::Contacts { cards } => {
                let cards = cards
                    .iter()
                    .map(|c| {
                        let mut card = c.name.clone();
                        for phone in &c.phones {
                            card.push(' ');
                            card.push_str(phone);
                        }
                        for email in &c.emails {
                            card.push(' ');
                            card.push_str(email);
                        }
                        card
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                format!("[Contacto compartido: {cards}]")
            }
            InboundContent::Interactive {
                title, description, ..
            } => match description.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => format!("[Respuesta: {title} — {d}]"),
                None => format!("[Respuesta: {title}]"),
            },
            InboundContent::Button { text, .. } => format!("[Botón: {text}]"),
            InboundContent::Order { text, items, .. } => {
                let count: f64 = items.iter().map(|i| i.quantity).sum();
                let mut out = format!("[Pedido: {count} unidades de {} productos]", items.len());
                if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
                    out.push(' ');
                    out.push_str(text);
                }
                out
            }
            InboundContent::Reaction { emoji, .. } => format!("[Reacción: {emoji}]"),
            InboundContent::Edit { text, .. } => text.clone(),
            InboundContent::Revoke { .. } => "[Mensaje eliminado por el cliente]".into(),
            InboundContent::System { body } => format!("[Aviso de WhatsApp: {body}]"),
            InboundContent::Unsupported { type_name, reason } => {
                let mut out = format!(
                    "[Mensaje de tipo «{type_name}» que Soporte no puede mostrar: se guarda tal como llegó]"
                );
                if let Some(reason) = reason.as_deref().filter(|r| !r.is_empty()) {
                    out.push(' ');
                    out.push_str(reason);
                }
                out
            }
        }
    }
}

/// A delivery report of a message support sent.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport {
    pub wamid: String,
    pub status: Delivery,
    pub at: Timestamp,
    pub recipient: String,
    pub error: Option<GraphErrorReport>,
}

/// An error as Meta reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphErrorReport {
    pub code: i64,
    pub title: String,
    pub details: Option<String>,
}

/// The port the use cases need from a WhatsApp adapter: Meta's signature and payloads.
/// Pure, no I/O.
pub trait WhatsAppCodec: Send + Sync {
    /// Checks `X-Hub-Signature-256` against the raw body, in constant time.
    fn verify(&self, app_secret: &[u8], raw: &[u8], signature: Option<&str>) -> Result<(), String>;
    /// The events a body carries; an error says what is wrong with the body as a whole
    /// (one odd message is read as [`InboundContent::Unsupported`] instead).
    fn parse(&self, raw: &[u8]) -> Result<Vec<NumberEvents>, String>;
    /// Meta's error code in plain words for an agent (Spanish).
    fn plain_reason(&self, code: i64) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_as_something_an_agent_understands() {
        let cases = [
            (
                InboundContent::Media {
                    kind: "image".into(),
                    media_id: "1".into(),
                    mime_type: "image/jpeg".into(),
                    sha256: None,
                    caption: Some("sale este error".into()),
                    filename: None,
                },
                "[Imagen] sale este error",
            ),
            (
                InboundContent::Media {
                    kind: "document".into(),
                    media_id: "1".into(),
                    mime_type: "application/pdf".into(),
                    sha256: None,
                    caption: None,
                    filename: Some("factura.pdf".into()),
                },
                "[Documento: factura.pdf]",
            ),
            (
                InboundContent::Location {
                    latitude: 40.4168,
                    longitude: -3.7038,
                    name: Some("Tienda".into()),
                    address: Some("Gran Vía 1".into()),
                    url: None,
                },
                "[Ubicación: Tienda, Gran Vía 1 (40.4168, -3.7038)]",
            ),
            (
                InboundContent::Contacts {
                    cards: vec![SharedContact {
                        name: "Marta".into(),
                        phones: vec!["+34 600 111 222".into()],
                        emails: vec![],
                    }],
                },
                "[Contacto compartido: Marta +34 600 111 222]",
            ),
            (
                InboundContent::Interactive {
                    reply_id: "b1".into(),
                    title: "Sí".into(),
                    description: None,
                },
                "[Respuesta: Sí]",
            ),
            (
                InboundContent::Unsupported {
                    type_name: "poll".into(),
                    reason: None,
                },
                "[Mensaje de tipo «poll» que Soporte no puede mostrar: se guarda tal como llegó]",
            ),
        ];
        for (content, expected) in cases {
            assert_eq!(content.text(), expected);
        }
    }
}
