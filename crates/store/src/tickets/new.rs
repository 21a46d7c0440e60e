//! What a new ticket or a new message carries into the store.

use crate::mail::MailboxPosition;
use crate::{NewContact, StagedBlob};
use soporte_core::email::{AutomaticKind, Delivery, EmailHeaders};
use soporte_core::ids::{AccountId, AgentId, ContactId};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{Actor, MessageKind};

/// The person a new ticket is for: a known contact, or one to create in the same
/// transaction as the ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Requester {
    Existing(ContactId),
    New(NewContact),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAttachment {
    pub sha256: String,
    pub size: u64,
    pub filename: String,
    pub media_type: String,
    pub inline: bool,
    pub content_id: Option<String>,
}

/// What a message may carry beyond its text, mostly from e-mail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageExtra {
    pub quoted_text: Option<String>,
    pub email: Option<EmailHeaders>,
    pub automatic: Option<AutomaticKind>,
    pub original_sha256: Option<String>,
    pub delivery: Option<Delivery>,
    pub source_position: Option<MailboxPosition>,
    /// Contents of small blobs this message refers to (its original, its attachments),
    /// written in the message's own transaction: see [`crate::BlobStore::stage`].
    pub blob_contents: Vec<StagedBlob>,
    /// What a WhatsApp message carries beyond its text.
    pub whatsapp: Option<crate::NewWhatsAppMessage>,
    /// The phone call this message records; a call is recorded on one request only.
    pub call: Option<soporte_core::ids::CallId>,
}

impl MessageExtra {
    /// A message that is the entry of a phone call on its ticket.
    pub fn call_entry(call: soporte_core::ids::CallId) -> Self {
        Self {
            call: Some(call),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub kind: MessageKind,
    pub author: Actor,
    pub channel: Channel,
    pub body_text: String,
    pub body_html: Option<String>,
    pub channel_message_id: Option<String>,
    pub attachments: Vec<NewAttachment>,
    pub extra: MessageExtra,
}

/// A new ticket with the customer's first message. The message is written as an inbound
/// message from the requester; `created_by` is who recorded it (the requester, or an
/// agent taking a phone call).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub number_prefix: soporte_core::ticket::TicketPrefix,
    pub subject: String,
    pub support_type: Option<SupportType>,
    pub channel: Channel,
    pub priority: Priority,
    pub assignee_id: Option<AgentId>,
    pub assignment_reason: Option<String>,
    pub account_id: Option<AccountId>,
    pub requester: Requester,
    pub product_area: Option<String>,
    pub tags: Vec<String>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub channel_message_id: Option<String>,
    pub attachments: Vec<NewAttachment>,
    pub extra: MessageExtra,
    pub created_by: Option<Actor>,
    /// What the policy decided at intake (the SLA clock is started by the effects).
    pub policy: soporte_core::ticket::TicketPolicy,
}

/// Soporte's own answer to a new request, kept on the ticket as an outgoing message.
#[derive(Debug, Clone, PartialEq)]
pub struct AutomaticAnswer {
    pub channel: Channel,
    pub body_text: String,
    /// The portal link the answer's text carries, kept with it.
    pub portal_link: Option<crate::NewPortalLink>,
}
