//! Builders of webhook bodies as Meta sends them (test support).
//!
//! Tests of the webhook receiver need realistic deliveries: the same envelope, key names and
//! string-typed numbers as Meta's documented examples, signable with
//! [`crate::signature::sign`]. A body is assembled from message and status builders:
//!
//! ```
//! use soporte_whatsapp::payload::{Body, MessageBuilder, StatusBuilder};
//!
//! let bytes = Body::new("106540352242922")
//!     .message(MessageBuilder::text("16505551234", "Hola").name("Sheena").reply_to("wamid.A"))
//!     .status(StatusBuilder::read("wamid.B", "16505551234"))
//!     .to_bytes();
//! let parsed = soporte_whatsapp::webhook::parse_notification(&bytes);
//! assert!(parsed.is_ok());
//! ```

use serde_json::{Map, Value, json};

/// The default WhatsApp Business Account id in built bodies.
pub const WABA_ID: &str = "102290129340398";
/// The default display number in built bodies.
pub const DISPLAY_PHONE_NUMBER: &str = "15550783881";

/// One webhook delivery with a single `messages` change.
#[derive(Debug, Clone)]
pub struct Body {
    waba_id: String,
    phone_number_id: String,
    display_phone_number: String,
    contacts: Vec<Value>,
    messages: Vec<Value>,
    statuses: Vec<Value>,
}

impl Body {
    pub fn new(phone_number_id: impl Into<String>) -> Self {
        Body {
            waba_id: WABA_ID.to_string(),
            phone_number_id: phone_number_id.into(),
            display_phone_number: DISPLAY_PHONE_NUMBER.to_string(),
            contacts: Vec::new(),
            messages: Vec::new(),
            statuses: Vec::new(),
        }
    }

    pub fn display_phone_number(mut self, number: impl Into<String>) -> Self {
        self.display_phone_number = number.into();
        self
    }

    pub fn waba_id(mut self, id: impl Into<String>) -> Self {
        self.waba_id = id.into();
        self
    }

    /// Adds a message; its sender joins `contacts` (once) as Meta does.
    pub fn message(mut self, message: MessageBuilder) -> Self {
        let from = message.from.clone();
        if !self.contacts.iter().any(|c| c["wa_id"] == json!(from)) {
            self.contacts
                .push(json!({ "profile": { "name": message.name }, "wa_id": from }));
        }
        self.messages.push(message.build());
        self
    }

    /// Adds a message object verbatim (for shapes the builders do not make).
    pub fn raw_message(mut self, message: Value) -> Self {
        self.messages.push(message);
        self
    }

    pub fn status(mut self, status: StatusBuilder) -> Self {
        self.statuses.push(status.build());
        self
    }

    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_phone_number,
                "phone_number_id": self.phone_number_id,
            },
        });
        if !self.contacts.is_empty() && !self.messages.is_empty() {
            value["contacts"] = json!(self.contacts);
        }
        if !self.messages.is_empty() {
            value["messages"] = json!(self.messages);
        }
        if !self.statuses.is_empty() {
            value["statuses"] = json!(self.statuses);
        }
        json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": self.waba_id,
                "changes": [{ "value": value, "field": "messages" }],
            }],
        })
    }

    /// The body as Meta sends it: compact JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }
}

/// A text message body in one call: the common case of receiver tests.
pub fn text(
    phone_number_id: &str,
    display_number: &str,
    wa_id: &str,
    profile_name: &str,
    wamid: &str,
    body: &str,
    ts: i64,
) -> Vec<u8> {
    Body::new(phone_number_id)
        .display_phone_number(display_number)
        .message(
            MessageBuilder::text(wa_id, body)
                .name(profile_name)
                .id(wamid)
                .timestamp(ts),
        )
        .to_bytes()
}

/// One inbound message.
#[derive(Debug, Clone)]
pub struct MessageBuilder {
    from: String,
    name: String,
    id: String,
    timestamp: i64,
    kind: String,
    object: Option<Value>,
    context: Map<String, Value>,
    errors: Vec<Value>,
}

impl MessageBuilder {
    fn new(from: impl Into<String>, kind: &str, object: Option<Value>) -> Self {
        let from = from.into();
        MessageBuilder {
            id: format!("wamid.HBgL{from}FQIAEhgU{kind}"),
            from,
            name: "Cliente".to_string(),
            timestamp: 1_749_416_383,
            kind: kind.to_string(),
            object,
            context: Map::new(),
            errors: Vec::new(),
        }
    }

    pub fn text(from: impl Into<String>, body: &str) -> Self {
        Self::new(from, "text", Some(json!({ "body": body })))
    }

    fn media(
        from: impl Into<String>,
        kind: &str,
        media_id: &str,
        mime_type: &str,
        sha256: &str,
    ) -> Self {
        Self::new(
            from,
            kind,
            Some(json!({ "mime_type": mime_type, "sha256": sha256, "id": media_id })),
        )
    }

    /// `sha256` is base64, as webhooks carry it.
    pub fn image(from: impl Into<String>, media_id: &str, mime_type: &str, sha256: &str) -> Self {
        Self::media(from, "image", media_id, mime_type, sha256)
    }

    pub fn video(from: impl Into<String>, media_id: &str, mime_type: &str, sha256: &str) -> Self {
        Self::media(from, "video", media_id, mime_type, sha256)
    }

    /// A voice note: `audio` with `voice: true` and Opus in Ogg.
    pub fn voice(from: impl Into<String>, media_id: &str, sha256: &str) -> Self {
        Self::media(from, "audio", media_id, "audio/ogg; codecs=opus", sha256)
            .with("voice", json!(true))
    }

    pub fn audio(from: impl Into<String>, media_id: &str, mime_type: &str, sha256: &str) -> Self {
        Self::media(from, "audio", media_id, mime_type, sha256).with("voice", json!(false))
    }

    pub fn document(
        from: impl Into<String>,
        media_id: &str,
        filename: &str,
        mime_type: &str,
        sha256: &str,
    ) -> Self {
        Self::media(from, "document", media_id, mime_type, sha256).with("filename", json!(filename))
    }

    pub fn sticker(from: impl Into<String>, media_id: &str, animated: bool) -> Self {
        Self::media(from, "sticker", media_id, "image/webp", "").with("animated", json!(animated))
    }

    pub fn location(from: impl Into<String>, latitude: f64, longitude: f64) -> Self {
        Self::new(
            from,
            "location",
            Some(json!({ "latitude": latitude, "longitude": longitude })),
        )
    }

    /// A contact card per `(formatted_name, phone)`; the phone is also its `wa_id`.
    pub fn contacts(from: impl Into<String>, cards: &[(&str, &str)]) -> Self {
        let cards: Vec<Value> = cards
            .iter()
            .map(|(name, phone)| {
                let wa_id: String = phone.chars().filter(char::is_ascii_digit).collect();
                json!({
                    "name": { "formatted_name": name, "first_name": name },
                    "phones": [{ "phone": phone, "wa_id": wa_id, "type": "CELL" }],
                })
            })
            .collect();
        let mut m = Self::new(from, "contacts", None);
        m.object = Some(json!(cards));
        m
    }

    pub fn button_reply(from: impl Into<String>, id: &str, title: &str) -> Self {
        Self::new(
            from,
            "interactive",
            Some(json!({ "type": "button_reply", "button_reply": { "id": id, "title": title } })),
        )
    }

    pub fn list_reply(from: impl Into<String>, id: &str, title: &str, description: &str) -> Self {
        Self::new(
            from,
            "interactive",
            Some(json!({
                "type": "list_reply",
                "list_reply": { "id": id, "title": title, "description": description },
            })),
        )
    }

    pub fn nfm_reply(from: impl Into<String>, name: &str, body: &str, response_json: &str) -> Self {
        Self::new(
            from,
            "interactive",
            Some(json!({
                "type": "nfm_reply",
                "nfm_reply": { "name": name, "body": body, "response_json": response_json },
            })),
        )
    }

    /// A template quick-reply button was tapped.
    pub fn button(from: impl Into<String>, payload: &str, text: &str) -> Self {
        Self::new(
            from,
            "button",
            Some(json!({ "payload": payload, "text": text })),
        )
    }

    /// `items` are `(product_retailer_id, quantity, item_price, currency)`.
    pub fn order(
        from: impl Into<String>,
        catalog_id: &str,
        text: &str,
        items: &[(&str, i64, f64, &str)],
    ) -> Self {
        let items: Vec<Value> = items
            .iter()
            .map(|(id, q, price, cur)| {
                json!({ "product_retailer_id": id, "quantity": q, "item_price": price, "currency": cur })
            })
            .collect();
        Self::new(
            from,
            "order",
            Some(json!({ "catalog_id": catalog_id, "text": text, "product_items": items })),
        )
    }

    /// `None` builds a removed reaction (Meta omits `emoji`).
    pub fn reaction(from: impl Into<String>, message_id: &str, emoji: Option<&str>) -> Self {
        let mut r = json!({ "message_id": message_id });
        if let Some(e) = emoji {
            r["emoji"] = json!(e);
        }
        Self::new(from, "reaction", Some(r))
    }

    /// An edited text message (coexistence numbers).
    pub fn edit(from: impl Into<String>, original_message_id: &str, new_body: &str) -> Self {
        Self::new(
            from,
            "edit",
            Some(json!({
                "original_message_id": original_message_id,
                "message": { "type": "text", "text": { "body": new_body } },
            })),
        )
    }

    /// A deleted message (coexistence numbers).
    pub fn revoke(from: impl Into<String>, original_message_id: &str) -> Self {
        Self::new(
            from,
            "revoke",
            Some(json!({ "original_message_id": original_message_id })),
        )
    }

    /// `type: "unsupported"` with Meta's 131051 error.
    pub fn unsupported(from: impl Into<String>) -> Self {
        let mut m = Self::new(from, "unsupported", None);
        m.errors.push(json!({
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": { "details": "Message type is currently not supported." },
        }));
        m
    }

    /// A type no documentation lists yet, with an object of the same name.
    pub fn unknown_type(from: impl Into<String>, type_name: &str) -> Self {
        Self::new(from, type_name, Some(json!({ "anything": true })))
    }

    /// `user_changed_number`: `new_wa_id` is the customer's new WhatsApp id.
    pub fn changed_number(from: impl Into<String>, new_wa_id: &str) -> Self {
        let from = from.into();
        let body = format!("User {from} changed from {from} to {new_wa_id}");
        Self::new(
            from,
            "system",
            Some(json!({ "body": body, "wa_id": new_wa_id, "type": "user_changed_number" })),
        )
    }

    /// Sets a field of the type object.
    fn with(mut self, key: &str, value: Value) -> Self {
        if let Some(Value::Object(o)) = &mut self.object {
            o.insert(key.to_string(), value);
        }
        self
    }

    pub fn caption(self, caption: &str) -> Self {
        self.with("caption", json!(caption))
    }

    /// The sender's profile name (in `contacts`).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    pub fn id(mut self, wamid: &str) -> Self {
        self.id = wamid.to_string();
        self
    }

    pub fn timestamp(mut self, ts: i64) -> Self {
        self.timestamp = ts;
        self
    }

    /// A reply quoting `wamid` of a message the business sent.
    pub fn reply_to(mut self, wamid: &str) -> Self {
        self.context
            .insert("from".into(), json!(DISPLAY_PHONE_NUMBER));
        self.context.insert("id".into(), json!(wamid));
        self
    }

    pub fn forwarded(mut self) -> Self {
        self.context.insert("forwarded".into(), json!(true));
        self
    }

    pub fn frequently_forwarded(mut self) -> Self {
        self.context
            .insert("frequently_forwarded".into(), json!(true));
        self
    }

    /// The message object as it goes into `messages`.
    pub fn build(self) -> Value {
        let mut m = Map::new();
        if !self.context.is_empty() {
            m.insert("context".into(), Value::Object(self.context));
        }
        m.insert("from".into(), json!(self.from));
        m.insert("id".into(), json!(self.id));
        m.insert("timestamp".into(), json!(self.timestamp.to_string()));
        if !self.errors.is_empty() {
            m.insert("errors".into(), json!(self.errors));
        }
        m.insert("type".into(), json!(self.kind));
        if let Some(object) = self.object {
            m.insert(self.kind.clone(), object);
        }
        Value::Object(m)
    }
}

/// One status update about a message the business sent.
#[derive(Debug, Clone)]
pub struct StatusBuilder {
    id: String,
    status: String,
    recipient_id: String,
    timestamp: i64,
    errors: Vec<Value>,
}

impl StatusBuilder {
    fn new(status: &str, wamid: &str, recipient_id: &str) -> Self {
        StatusBuilder {
            id: wamid.to_string(),
            status: status.to_string(),
            recipient_id: recipient_id.to_string(),
            timestamp: 1_749_416_400,
            errors: Vec::new(),
        }
    }

    pub fn sent(wamid: &str, recipient_id: &str) -> Self {
        Self::new("sent", wamid, recipient_id)
    }

    pub fn delivered(wamid: &str, recipient_id: &str) -> Self {
        Self::new("delivered", wamid, recipient_id)
    }

    pub fn read(wamid: &str, recipient_id: &str) -> Self {
        Self::new("read", wamid, recipient_id)
    }

    /// `failed` with one error as Meta documents it (`code`, `title`, `message`,
    /// `error_data.details`, `href`).
    pub fn failed(wamid: &str, recipient_id: &str, code: i64, title: &str, details: &str) -> Self {
        let mut s = Self::new("failed", wamid, recipient_id);
        s.errors.push(json!({
            "code": code,
            "title": title,
            "message": title,
            "error_data": { "details": details },
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }));
        s
    }

    pub fn timestamp(mut self, ts: i64) -> Self {
        self.timestamp = ts;
        self
    }

    pub fn build(self) -> Value {
        let mut s = json!({
            "id": self.id,
            "status": self.status,
            "timestamp": self.timestamp.to_string(),
            "recipient_id": self.recipient_id,
        });
        if self.status == "sent" || self.status == "delivered" || self.status == "read" {
            s["pricing"] = json!({ "billable": true, "pricing_model": "PMP", "category": "service", "type": "free_customer_service" });
        }
        if !self.errors.is_empty() {
            s["errors"] = json!(self.errors);
        }
        s
    }
}
