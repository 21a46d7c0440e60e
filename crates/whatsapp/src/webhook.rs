//! The `messages` webhook notification: envelope, contacts, inbound messages, statuses.
//!
//! Shapes follow Meta's "messages webhook reference"
//! (<https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages>)
//! and its per-type pages. Parsing is deliberately lopsided:
//!
//! * the envelope (`object`, `entry[].id`, `entry[].changes[].field`/`value`) is strict, because
//!   a body without it is not a WhatsApp notification at all and should be refused loudly;
//! * everything inside a change is tolerant: unknown fields are ignored, a missing list is
//!   empty, and one message that does not fit its documented shape becomes
//!   [`Content::Unknown`] (its JSON kept in [`InboundMessage::raw`]) instead of failing the
//!   whole body, because Meta retries a refused delivery and one odd message must not block
//!   the others behind it for days.
//!
//! The whole body is parsed once into a `serde_json::Value` and walked once, so the work is
//! linear in the input; serde_json's recursion limit bounds nesting.

use serde::Deserialize;
use serde_json::Value;

pub use crate::content::{
    ContactName, Content, Context, Interactive, Location, Media, MediaKind, Order, ProductItem,
    ReferredProduct, SharedContact, SharedEmail, SharedPhone,
};

/// Why a body is not a notification we can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not JSON at all (or JSON nested deeper than serde_json's limit).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not Meta's `{object, entry: [{id, changes: [{field, value}]}]}` envelope.
    #[error("not a webhook envelope: {0}")]
    NotEnvelope(String),
}

/// One webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `whatsapp_business_account` for WhatsApp.
    pub object: String,
    pub entry: Vec<Entry>,
}

/// One WhatsApp Business Account's share of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The WhatsApp Business Account id.
    pub id: String,
    pub changes: Vec<Change>,
}

/// One change; `field` is `messages` for what this crate reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub value: ChangeValue,
}

/// The `value` of a `messages` change. Other fields (template updates, account updates)
/// parse to an empty value with their `field` kept, so callers can skip them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeValue {
    pub messaging_product: String,
    pub metadata: Metadata,
    pub contacts: Vec<Profile>,
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
    /// Errors about the change as a whole (`entry.changes.value.errors`).
    pub errors: Vec<GraphErrorDetail>,
}

/// Which business number the change is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Metadata {
    pub display_phone_number: String,
    pub phone_number_id: String,
}

/// The sender's WhatsApp profile as Meta shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub wa_id: String,
    pub profile: ProfileName,
}

/// The profile name the customer chose (not verified by anyone).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ProfileName {
    pub name: String,
}

/// A message from a WhatsApp user to the business.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The sender's WhatsApp id (their number without `+`).
    pub from: String,
    /// The message id (`wamid.…`), unique per message: the key for de-duplicating redeliveries.
    pub id: String,
    /// Unix seconds. Meta sends a string of digits; 0 when absent or not a number (the
    /// original is still in `raw`).
    pub timestamp: i64,
    pub context: Option<Context>,
    pub content: Content,
    /// Errors attached to the message (`messages[].errors`), e.g. 131051 on `unsupported`.
    pub errors: Vec<GraphErrorDetail>,
    /// The message object exactly as received, for placeholders and audit.
    pub raw: Value,
}

/// What happened to a message the business sent.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// The `wamid` the Graph API returned when the message was sent.
    pub id: String,
    pub status: DeliveryStatus,
    pub timestamp: i64,
    pub recipient_id: String,
    pub errors: Vec<GraphErrorDetail>,
    pub raw: Value,
}

/// Documented values of `statuses[].status`; anything else is kept as [`DeliveryStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    /// A voice message was played (documented on the status reference page).
    Played,
    Failed,
    Deleted,
    Other(String),
}

impl DeliveryStatus {
    fn from_wire(s: &str) -> Self {
        match s {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "played" => Self::Played,
            "failed" => Self::Failed,
            "deleted" => Self::Deleted,
            other => Self::Other(other.to_string()),
        }
    }
}

/// One error object as Meta puts it in webhooks (`{code, title, message, error_data, href}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct GraphErrorDetail {
    #[serde(deserialize_with = "crate::content::lenient_i64")]
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    pub error_data: Option<ErrorData>,
    pub href: Option<String>,
}

/// `error_data` of an error: `details` is Meta's most specific explanation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ErrorData {
    pub details: Option<String>,
}

/// Parses a webhook body. Safe on arbitrary bytes: it returns an error, never panics.
pub fn parse_notification(raw: &[u8]) -> Result<Notification, PayloadError> {
    let root: Value =
        serde_json::from_slice(raw).map_err(|e| PayloadError::NotJson(e.to_string()))?;
    let bad = |what: String| PayloadError::NotEnvelope(what);
    let root = root
        .as_object()
        .ok_or_else(|| bad("the body is not an object".into()))?;
    let object = root
        .get("object")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("\"object\" is missing or not a string".into()))?
        .to_string();
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("\"entry\" is missing or not a list".into()))?;
    let mut entry = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let e = e
            .as_object()
            .ok_or_else(|| bad(format!("entry[{i}] is not an object")))?;
        let id = e
            .get("id")
            .and_then(id_string)
            .ok_or_else(|| bad(format!("entry[{i}].id is missing")))?;
        let changes = match e.get("changes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => {
                let mut changes = Vec::with_capacity(list.len());
                for (j, c) in list.iter().enumerate() {
                    let field = c
                        .get("field")
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad(format!("entry[{i}].changes[{j}].field is missing")))?;
                    let value = c.get("value").filter(|v| v.is_object()).ok_or_else(|| {
                        bad(format!("entry[{i}].changes[{j}].value is not an object"))
                    })?;
                    changes.push(Change {
                        field: field.to_string(),
                        value: change_value(value),
                    });
                }
                changes
            }
            Some(_) => return Err(bad(format!("entry[{i}].changes is not a list"))),
        };
        entry.push(Entry { id, changes });
    }
    Ok(Notification { object, entry })
}

/// Ids are strings on the wire; a number is accepted and kept as its digits.
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn typed<T: Default + for<'de> Deserialize<'de>>(v: Option<&Value>) -> T {
    v.and_then(|v| T::deserialize(v).ok()).unwrap_or_default()
}

pub(crate) fn errors_of(v: &Value) -> Vec<GraphErrorDetail> {
    list(v, "errors")
        .iter()
        .filter_map(|e| GraphErrorDetail::deserialize(e).ok())
        .collect()
}

fn change_value(v: &Value) -> ChangeValue {
    ChangeValue {
        messaging_product: v
            .get("messaging_product")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        metadata: typed(v.get("metadata")),
        contacts: list(v, "contacts")
            .iter()
            .filter_map(|c| Profile::deserialize(c).ok())
            .collect(),
        messages: list(v, "messages").iter().map(inbound_message).collect(),
        statuses: list(v, "statuses").iter().map(status_update).collect(),
        errors: errors_of(v),
    }
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key).and_then(id_string).unwrap_or_default()
}

/// Meta's timestamps are strings of unix seconds; numbers are accepted too.
fn timestamp(v: &Value) -> i64 {
    match v.get("timestamp") {
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

fn inbound_message(v: &Value) -> InboundMessage {
    InboundMessage {
        from: str_field(v, "from"),
        id: str_field(v, "id"),
        timestamp: timestamp(v),
        context: v.get("context").and_then(|c| Context::deserialize(c).ok()),
        content: Content::from_message(v),
        errors: errors_of(v),
        raw: v.clone(),
    }
}

fn status_update(v: &Value) -> StatusUpdate {
    StatusUpdate {
        id: str_field(v, "id"),
        status: DeliveryStatus::from_wire(
            v.get("status").and_then(Value::as_str).unwrap_or_default(),
        ),
        timestamp: timestamp(v),
        recipient_id: str_field(v, "recipient_id"),
        errors: errors_of(v),
        raw: v.clone(),
    }
}

impl Notification {
    /// Every inbound message in the delivery with the change it came in (for the business
    /// number's `phone_number_id` and the sender's profile).
    pub fn messages(&self) -> impl Iterator<Item = (&ChangeValue, &InboundMessage)> {
        self.changes()
            .flat_map(|c| c.messages.iter().map(move |m| (c, m)))
    }

    /// Every status update in the delivery with the change it came in.
    pub fn statuses(&self) -> impl Iterator<Item = (&ChangeValue, &StatusUpdate)> {
        self.changes()
            .flat_map(|c| c.statuses.iter().map(move |s| (c, s)))
    }

    fn changes(&self) -> impl Iterator<Item = &ChangeValue> {
        self.entry
            .iter()
            .flat_map(|e| e.changes.iter())
            .filter(|c| c.field == "messages")
            .map(|c| &c.value)
    }
}

impl ChangeValue {
    /// The profile name Meta sent for `wa_id`, if any.
    pub fn profile_name(&self, wa_id: &str) -> Option<&str> {
        self.contacts
            .iter()
            .find(|c| c.wa_id == wa_id)
            .map(|c| c.profile.name.as_str())
            .filter(|n| !n.is_empty())
    }
}
