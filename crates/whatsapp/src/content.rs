//! What an inbound message carries, by its `type`.
//!
//! Each documented type has its own object under a key of the same name
//! (`"type": "image", "image": {…}`). Per-type pages under
//! <https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/>
//! (text, image, video, audio, document, sticker, location, contacts, interactive, button,
//! order, reaction, system, unsupported, edit, revoke). A type this crate does not know, or a
//! known type whose object does not fit, becomes [`Content::Unknown`] so the caller can still
//! show a placeholder and keep the raw JSON.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::webhook::{GraphErrorDetail, errors_of};

/// `context` of a message: a reply (`from`/`id` of the quoted message), a forward, or a
/// product enquiry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Context {
    /// Who sent the quoted message (the business number for replies to us).
    pub from: Option<String>,
    /// The quoted message's `wamid`.
    pub id: Option<String>,
    pub forwarded: bool,
    /// Forwarded more than five times.
    pub frequently_forwarded: bool,
    pub referred_product: Option<ReferredProduct>,
}

/// The catalogue product a customer asked about ("Message business" on a product).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ReferredProduct {
    pub catalog_id: String,
    pub product_retailer_id: String,
}

/// The message's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text {
        body: String,
    },
    /// `image`, `video`, `sticker`, `document` and `audio` (voice notes are `audio` with `voice: true`).
    Media(Media),
    Location(Location),
    Contacts(Vec<SharedContact>),
    Interactive(Interactive),
    /// A quick-reply button of a template was tapped.
    Button {
        payload: Option<String>,
        text: String,
    },
    Order(Order),
    /// `emoji` is `None` when the customer removed their reaction (Meta then omits the field
    /// or sends it empty).
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    /// The customer edited an earlier message (documented for WhatsApp Business app
    /// "coexistence" numbers); `new` is the edited content.
    Edit {
        original_message_id: String,
        new: Box<Content>,
    },
    /// The customer deleted an earlier message (coexistence numbers only, per Meta's docs).
    Revoke {
        original_message_id: String,
    },
    /// E.g. `user_changed_number` (then `wa_id` is the new id).
    System {
        body: String,
        kind: Option<String>,
        wa_id: Option<String>,
    },
    /// `type: "unsupported"` (deleted messages, polls, types Cloud API cannot carry; error 131051).
    Unsupported {
        errors: Vec<GraphErrorDetail>,
        type_name: Option<String>,
    },
    /// A type this crate does not know, or a known one whose object did not fit its shape.
    Unknown {
        type_name: String,
    },
}

/// Which media `type` a [`Media`] came as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Sticker,
    Document,
    Audio,
}

impl MediaKind {
    /// The wire name (`image`, `video`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Sticker => "sticker",
            Self::Document => "document",
            Self::Audio => "audio",
        }
    }
}

/// A media attachment: fetch the bytes with `GraphClient::fetch_media(id, …)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub kind: MediaKind,
    pub id: String,
    pub mime_type: Option<String>,
    /// Base64 of the SHA-256 of the file in webhooks (the media URL endpoint answers hex).
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    /// An audio recorded as a voice note.
    pub voice: bool,
    /// An animated sticker.
    pub animated: bool,
    /// Newer Graph versions add a short-lived download URL; the id is what to keep.
    pub url: Option<String>,
}

#[derive(Deserialize)]
struct MediaWire {
    id: String,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    voice: bool,
    #[serde(default)]
    animated: bool,
    #[serde(default)]
    url: Option<String>,
}

/// A shared or current location.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Location {
    #[serde(deserialize_with = "lenient_f64")]
    pub latitude: f64,
    #[serde(deserialize_with = "lenient_f64")]
    pub longitude: f64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// One contact card from a `contacts` message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SharedContact {
    pub name: ContactName,
    pub phones: Vec<SharedPhone>,
    pub emails: Vec<SharedEmail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ContactName {
    pub formatted_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SharedPhone {
    pub phone: Option<String>,
    /// Present when the number is on WhatsApp.
    pub wa_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct SharedEmail {
    pub email: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A reply to an interactive message the business sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interactive {
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A WhatsApp Flow was completed; `response_json` is a JSON document in a string.
    NfmReply {
        name: Option<String>,
        body: Option<String>,
        response_json: String,
    },
    /// An interactive `type` this crate does not know.
    Other {
        type_name: String,
    },
}

#[derive(Deserialize)]
struct Reply {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct NfmReply {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    response_json: String,
}

/// A cart sent from the business's catalogue.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    pub catalog_id: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub product_items: Vec<ProductItem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProductItem {
    pub product_retailer_id: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub quantity: i64,
    #[serde(deserialize_with = "lenient_f64")]
    pub item_price: f64,
    pub currency: String,
}

/// A number that may come as a JSON number or as a string of digits (Meta's placeholders
/// are strings; its examples are numbers).
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("not an integer")),
        Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
        _ => Err(serde::de::Error::custom("not a number")),
    }
}

pub(crate) fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| serde::de::Error::custom("not a number")),
        Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
        _ => Err(serde::de::Error::custom("not a number")),
    }
}

/// An optional size that may come as a number or a string of digits.
pub(crate) fn lenient_u64_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn obj<'a, T: Deserialize<'a>>(message: &'a Value, key: &str) -> Option<T> {
    message.get(key).and_then(|v| T::deserialize(v).ok())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

impl Content {
    /// Reads the content of one message object; never fails.
    pub(crate) fn from_message(message: &Value) -> Content {
        let type_name = message
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Self::parse(type_name, message).unwrap_or_else(|| Content::Unknown {
            type_name: type_name.to_string(),
        })
    }

    fn parse(type_name: &str, m: &Value) -> Option<Content> {
        let media = |kind: MediaKind| {
            let w: MediaWire = obj(m, kind.as_str())?;
            Some(Content::Media(Media {
                kind,
                id: w.id,
                mime_type: w.mime_type,
                sha256: w.sha256,
                caption: w.caption,
                filename: w.filename,
                voice: w.voice,
                animated: w.animated,
                url: w.url,
            }))
        };
        Some(match type_name {
            "text" => Content::Text {
                body: m.get("text")?.get("body")?.as_str()?.to_string(),
            },
            "image" => media(MediaKind::Image)?,
            "video" => media(MediaKind::Video)?,
            "sticker" => media(MediaKind::Sticker)?,
            "document" => media(MediaKind::Document)?,
            "audio" => media(MediaKind::Audio)?,
            "location" => Content::Location(obj(m, "location")?),
            "contacts" => Content::Contacts(obj(m, "contacts")?),
            "interactive" => Content::Interactive(interactive(m.get("interactive")?)?),
            "button" => {
                let b = m.get("button")?;
                Content::Button {
                    payload: b.get("payload").and_then(Value::as_str).map(str::to_string),
                    text: b.get("text")?.as_str()?.to_string(),
                }
            }
            "order" => Content::Order(obj(m, "order")?),
            "reaction" => {
                let r = m.get("reaction")?;
                Content::Reaction {
                    message_id: r.get("message_id")?.as_str()?.to_string(),
                    emoji: non_empty(r.get("emoji").and_then(Value::as_str).map(str::to_string)),
                }
            }
            "edit" => {
                let e = m.get("edit")?;
                let inner = e.get("message")?;
                Content::Edit {
                    original_message_id: e.get("original_message_id")?.as_str()?.to_string(),
                    new: Box::new(Content::from_message(inner)),
                }
            }
            "revoke" => Content::Revoke {
                original_message_id: m
                    .get("revoke")?
                    .get("original_message_id")?
                    .as_str()?
                    .to_string(),
            },
            "system" => {
                let s = m.get("system")?;
                let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
                Content::System {
                    body: text("body").unwrap_or_default(),
                    kind: text("type"),
                    wa_id: text("wa_id").or_else(|| text("new_wa_id")),
                }
            }
            "unsupported" => Content::Unsupported {
                errors: errors_of(m),
                type_name: m
                    .get("unsupported")
                    .and_then(|u| u.get("type"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            },
            _ => return None,
        })
    }

    /// A one-line description for an agent when the content cannot be shown as such.
    pub fn placeholder(&self) -> String {
        match self {
            Content::Text { body } => body.clone(),
            Content::Media(m) => match (&m.caption, &m.filename) {
                (Some(c), _) if !c.is_empty() => format!("[{}] {c}", m.kind.as_str()),
                (_, Some(f)) => format!("[{}] {f}", m.kind.as_str()),
                _ if m.voice => "[voice]".to_string(),
                _ => format!("[{}]", m.kind.as_str()),
            },
            Content::Location(l) => format!("[location] {}, {}", l.latitude, l.longitude),
            Content::Contacts(c) => format!("[contacts] {}", c.len()),
            Content::Interactive(Interactive::ButtonReply { title, .. })
            | Content::Interactive(Interactive::ListReply { title, .. }) => title.clone(),
            Content::Interactive(Interactive::NfmReply { body, .. }) => {
                body.clone().unwrap_or_else(|| "[form]".into())
            }
            Content::Interactive(Interactive::Other { type_name }) => {
                format!("[interactive {type_name}]")
            }
            Content::Button { text, .. } => text.clone(),
            Content::Order(o) => format!("[order] {} items", o.product_items.len()),
            Content::Reaction { emoji: Some(e), .. } => e.clone(),
            Content::Reaction { emoji: None, .. } => "[reaction removed]".into(),
            Content::Edit { new, .. } => new.placeholder(),
            Content::Revoke { .. } => "[deleted]".into(),
            Content::System { body, .. } => body.clone(),
            Content::Unsupported { .. } => "[unsupported message]".into(),
            Content::Unknown { type_name } => format!("[{type_name}]"),
        }
    }
}

fn interactive(i: &Value) -> Option<Interactive> {
    let kind = i.get("type")?.as_str()?;
    Some(match kind {
        "button_reply" => {
            let r: Reply = obj(i, "button_reply")?;
            Interactive::ButtonReply {
                id: r.id,
                title: r.title,
            }
        }
        "list_reply" => {
            let r: Reply = obj(i, "list_reply")?;
            Interactive::ListReply {
                id: r.id,
                title: r.title,
                description: r.description,
            }
        }
        "nfm_reply" => {
            let r: NfmReply = obj(i, "nfm_reply")?;
            Interactive::NfmReply {
                name: r.name,
                body: r.body,
                response_json: r.response_json,
            }
        }
        other => Interactive::Other {
            type_name: other.to_string(),
        },
    })
}
