//! What the store is asked to write and to find. Values arrive already validated and
//! normalised by the use cases (see `soporte-app`).

use crate::StagedBlob;
use jiff::Timestamp;
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Absence, Role};
use soporte_core::email::{AutomaticKind, Delivery, EmailHeaders, OutgoingEmail};
use soporte_core::ids::{AccountId, AgentId, ContactId, TokenId};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{Actor, Message, MessageKind, Status, Ticket};

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    pub role: Role,
    pub types: Vec<SupportType>,
    pub password_hash: Option<String>,
}

/// `None` leaves a field unchanged; for optional fields `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub whatsapp: Option<Option<String>>,
    pub role: Option<Role>,
    pub types: Option<Vec<SupportType>>,
    pub absences: Option<Vec<Absence>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub name: String,
    pub tax_id: Option<String>,
    pub plan: Option<String>,
    pub email_domains: Vec<String>,
    pub personal_agent_id: Option<AgentId>,
    pub backup_agent_id: Option<AgentId>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountPatch {
    pub name: Option<String>,
    pub tax_id: Option<Option<String>>,
    pub plan: Option<Option<String>>,
    pub email_domains: Option<Vec<String>>,
    pub personal_agent_id: Option<Option<AgentId>>,
    pub backup_agent_id: Option<Option<AgentId>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub account_id: Option<AccountId>,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactPatch {
    pub account_id: Option<Option<AccountId>>,
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
}

/// Who a token belongs to: an agent (scope `admin` or `agent`) or a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner {
    Agent(AgentId),
    Contact(ContactId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    pub token_hash: String,
    pub scope: TokenScope,
    pub owner: TokenOwner,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub scope: TokenScope,
    pub owner: TokenOwner,
    pub label: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

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

/// An IMAP position (mailbox, UIDVALIDITY, UID): recorded with the message taken from it,
/// so a message without a Message-ID is not taken in twice either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxPosition {
    pub mailbox: String,
    pub uidvalidity: i64,
    pub uid: i64,
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
}

/// An e-mail to queue in the same transaction as the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    /// `reply`, `acknowledgement`, `notification`, … (for reports and rate limits).
    pub kind: String,
    /// The main recipient, for the per-sender limit on automatic answers.
    pub recipient: String,
    pub email: OutgoingEmail,
    /// Whether this e-mail delivers the change's outgoing message (an agent's reply, or
    /// the automatic answer to a new ticket), whose delivery it then tracks.
    pub delivers_message: bool,
}

/// A change to a ticket, as the rules applied inside its transaction see it.
#[derive(Debug, Clone, Copy)]
pub enum TicketChange<'a> {
    /// A new ticket with its first message, and the automatic answer written with it.
    Created {
        message: &'a Message,
        answer: Option<&'a Message>,
    },
    /// An edit (or nothing but the passing of time, for the SLA worker).
    Edited { before: &'a Ticket },
    MessageAdded {
        before: &'a Ticket,
        message: &'a Message,
    },
}

impl TicketChange<'_> {
    /// The outgoing message an e-mail of this change may deliver.
    pub fn outgoing_message(&self) -> Option<&Message> {
        match self {
            TicketChange::Created { answer, .. } => *answer,
            TicketChange::MessageAdded { message, .. } => Some(message),
            TicketChange::Edited { .. } => None,
        }
    }
}

/// What a change causes besides itself: history written as Soporte's own, and e-mails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consequences {
    pub events: Vec<soporte_core::ticket::EventKind>,
    pub outbox: Vec<NewOutbox>,
}

/// Rules applied inside a ticket's transaction, after the change itself: they may adjust
/// the ticket (its policy record: checklist, SLA clock) and say what else follows. They
/// see the ticket as stored (with its number) and the messages with their ids.
pub trait TicketEffects: Send + Sync {
    /// Soporte's own answer to a new ticket (acknowledgement, redirect), written with it.
    /// It sees the ticket with its number.
    fn answer(&self, _ticket: &Ticket) -> Option<AutomaticAnswer> {
        None
    }
    fn apply(&self, change: TicketChange<'_>, ticket: &mut Ticket, at: Timestamp) -> Consequences;
}

/// Nothing follows.
pub struct NoEffects;

impl TicketEffects for NoEffects {
    fn apply(&self, _: TicketChange<'_>, _: &mut Ticket, _: Timestamp) -> Consequences {
        Consequences::default()
    }
}

/// An outbox row as the delivery worker sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub message_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub email: OutgoingEmail,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuarantineItem {
    pub id: i64,
    pub source: String,
    pub reason: String,
    pub raw_sha256: String,
    pub size: i64,
    pub received_at: Timestamp,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    CreatedDesc,
    CreatedAsc,
}

impl TicketSort {
    pub fn descending(self) -> bool {
        matches!(self, TicketSort::UpdatedDesc | TicketSort::CreatedDesc)
    }

    pub fn column(self) -> &'static str {
        match self {
            TicketSort::UpdatedDesc | TicketSort::UpdatedAsc => "updated_at",
            TicketSort::CreatedDesc | TicketSort::CreatedAsc => "created_at",
        }
    }

    /// The value a cursor remembers for this ordering.
    pub fn key_of(self, ticket: &soporte_core::ticket::Ticket) -> i64 {
        match self {
            TicketSort::UpdatedDesc | TicketSort::UpdatedAsc => ticket.updated_at.as_microsecond(),
            TicketSort::CreatedDesc | TicketSort::CreatedAsc => ticket.created_at.as_microsecond(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Agent(AgentId),
    Unassigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeFilter {
    Type(SupportType),
    Unset,
}

/// Position after the last row of the previous page: the sort key and the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketQuery {
    pub statuses: Vec<Status>,
    /// Tickets whose SLA is in one of these states (none: any).
    pub sla_states: Vec<soporte_core::policy::sla::SlaState>,
    pub support_type: Option<TypeFilter>,
    pub priority: Option<Priority>,
    pub channel: Option<Channel>,
    pub assignee: Option<AssigneeFilter>,
    pub account_id: Option<AccountId>,
    pub requester_id: Option<ContactId>,
    pub updated_since: Option<Timestamp>,
    pub sort: TicketSort,
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// Simple id-ordered pages for directory lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after_id: Option<i64>,
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            after_id: None,
            limit: 100,
        }
    }
}

/// A trained classifier to keep, with how it measured.
#[derive(Debug, Clone, PartialEq)]
pub struct NewClassifierModel {
    /// The model as JSON (`soporte_core::policy::classifier::Classifier`).
    pub model: String,
    pub examples: i64,
    pub corrections: i64,
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassifierModelRecord {
    pub id: i64,
    pub model: String,
    pub examples: i64,
    pub corrections: i64,
    pub type_accuracy: f64,
    pub kind_accuracy: f64,
    pub created_at: Timestamp,
}

/// A configuration section as an administrator saved it from the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSetting {
    pub name: String,
    /// The section as JSON.
    pub value: String,
    pub updated_at: Timestamp,
    pub updated_by: Option<AgentId>,
}

/// An answer agents insert into replies, with variables filled in for the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub updated_at: Timestamp,
}
