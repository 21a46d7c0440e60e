//! Soporte's adapter for the WhatsApp Business Cloud API (Meta's Graph API).
//!
//! * [`signature`]: the `X-Hub-Signature-256` check of webhook deliveries;
//! * [`webhook`]: the `messages` webhook payload (messages of every documented type,
//!   statuses, errors), parsed tolerantly so one odd message never loses the others;
//! * [`graph`]: the Graph API client (media info and download with checksum, upload, send,
//!   mark as read) and [`error`]: its failures with a retry classification;
//! * [`reasons`]: Meta's error codes in plain Spanish and English for agents;
//! * [`standin`] and [`payload`]: test support — a stand-in Graph API server and builders
//!   of realistic webhook bodies.
//!
//! * [`codec`]: the port the use cases need (`soporte_core::whatsapp::WhatsAppCodec`),
//!   Meta's payloads read into the domain's events.
//!
//! Like the e-mail adapter, it depends on the domain alone, so the channel can be tested
//! and fuzzed on its own.
//!
//! # Documented behaviours followed (and mimicked by the stand-in)
//!
//! | Behaviour | Source |
//! | --- | --- |
//! | Webhook envelope `object` / `entry[].id` / `changes[].field`+`value`, `metadata`, `contacts`, string timestamps | <https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages> |
//! | Per-type message objects (text, media, location, contacts, interactive, button, order, reaction, system, unsupported) | the per-type pages under `…/webhooks/reference/messages/` |
//! | `edit` (`original_message_id` + nested `message`) and `revoke` (`original_message_id`), documented for WhatsApp Business app ("coexistence") numbers only | `…/webhooks/reference/messages/edit`, `…/messages/revoke` |
//! | Reaction removal: `emoji` omitted | `…/webhooks/reference/messages/reaction` |
//! | Statuses `sent`, `delivered`, `read`, `failed`, `played`; errors in `statuses[].errors`, `messages[].errors`, `value.errors` | `…/webhooks/reference/messages/status`, <https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes> |
//! | `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>` | <https://developers.facebook.com/docs/graph-api/webhooks/getting-started> |
//! | `GET /{media-id}` → `url, mime_type, sha256, file_size, id`; download with the bearer; URL valid five minutes; upload multipart `messaging_product`, `type`, `file` → `{id}` | <https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media/> |
//! | `POST /{phone-number-id}/messages` request (`messaging_product`, `recipient_type`, `to`, `type` defaulting to `text`, type object, `context.message_id`) and answer (`contacts[{input, wa_id}]`, `messages[{id}]`); mark as read with `status: "read"` → `{success: true}` | <https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/> |
//! | Error JSON `{error: {message, type, code, error_subcode, error_data: {messaging_product, details}, fbtrace_id}}`; 190 with HTTP 401 for bad tokens; throttling and permanent codes | <https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes>, <https://developers.facebook.com/docs/graph-api/guides/error-handling> |
//! | Graph API version v26.0 (released July 29, 2026) | <https://developers.facebook.com/docs/graph-api/changelog/versions/> |
//!
//! Not documented by Meta, taken from what integrators observe: webhook media `sha256` is
//! base64 while the media-URL answer is hex (both are accepted); an expired media URL answers
//! 404 (the stand-in does the same); `file_size` sometimes comes as a string.

pub mod codec;
pub mod error;
pub mod graph;
pub mod payload;
pub mod reasons;
pub mod signature;
pub mod standin;
pub mod webhook;

mod content;

pub use codec::CloudApiCodec;
pub use error::{ApiError, GraphError, Retry};
pub use graph::{
    FetchedMedia, GraphClient, GraphConfig, MediaInfo, OutgoingBody, OutgoingMessage, SentMessage,
};
pub use reasons::{PlainReason, plain_reason};
pub use signature::{SignatureError, sign, verify_signature};
pub use standin::{Failure, GraphStandIn, StandInConfig};
pub use webhook::{Notification, PayloadError, parse_notification};
