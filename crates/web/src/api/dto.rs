//! The JSON shapes of the API. Requests refuse unknown fields so that a typo is an error
//! instead of a silently ignored value.

use super::extract::double_option;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Absence, Account, Agent, Contact, Role};
use soporte_core::policy::checklist::Checklist;
use soporte_core::policy::classifier::RequestKind;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{Actor, Attachment, Event, Message, MessageKind, Status, Ticket};
use utoipa::ToSchema;

// ----- accounts

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountCreate {
    pub name: String,
    /// Spanish NIF/NIE/CIF (checked) or an EU VAT number.
    pub tax_id: Option<String>,
    pub plan: Option<String>,
    #[serde(default)]
    pub email_domains: Vec<String>,
    pub personal_agent_id: Option<i64>,
    pub backup_agent_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatchBody {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub tax_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub plan: Option<Option<String>>,
    pub email_domains: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub personal_agent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub backup_agent_id: Option<Option<i64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    pub id: i64,
    pub name: String,
    pub tax_id: Option<String>,
    pub plan: Option<String>,
    pub email_domains: Vec<String>,
    pub personal_agent_id: Option<i64>,
    pub backup_agent_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Account> for AccountOut {
    fn from(a: Account) -> Self {
        Self {
            id: a.id.0,
            name: a.name,
            tax_id: a.tax_id,
            plan: a.plan,
            email_domains: a.email_domains,
            personal_agent_id: a.personal_agent_id.map(|x| x.0),
            backup_agent_id: a.backup_agent_id.map(|x| x.0),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

// ----- contacts

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCreate {
    pub account_id: Option<i64>,
    /// The account's manager sees all of the account's tickets; other contacts see the
    /// ones they asked for. Needs `account_id`.
    #[serde(default)]
    pub account_manager: bool,
    pub name: String,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatchBody {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub account_id: Option<Option<i64>>,
    /// Absent with a new `account_id`, the contact stops being the old account's
    /// manager; removing the account always clears it.
    pub account_manager: Option<bool>,
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub account_id: Option<i64>,
    /// Sees all of the account's tickets, not only their own.
    pub account_manager: bool,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Contact> for ContactOut {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id.0,
            account_id: c.account_id.map(|x| x.0),
            account_manager: c.account_manager,
            name: c.name,
            emails: c.emails,
            phones: c.phones,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// A note for whoever audits tokens later ("portal", "integración CRM").
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    #[schema(value_type = String, example = "contact")]
    pub scope: TokenScope,
    /// Shown only in this response; Soporte keeps only a hash.
    pub token: String,
}

// ----- agents

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentCreate {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    /// Meta's id of the agent's WhatsApp business number: what customers send to it
    /// comes to this agent.
    #[schema(example = "106540352242922")]
    pub whatsapp_phone_number_id: Option<String>,
    #[schema(value_type = Option<String>, example = "agent")]
    pub role: Option<Role>,
    /// Support types this agent handles; all three when empty.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub types: Vec<SupportType>,
    /// Console password (at least 10 characters); without one the agent cannot log in.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceBody {
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Timestamp,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentPatchBody {
    pub email: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub whatsapp: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub whatsapp_phone_number_id: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    #[schema(value_type = Option<Vec<String>>)]
    pub types: Option<Vec<SupportType>>,
    pub absences: Option<Vec<AbsenceBody>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

impl AgentPatchBody {
    pub fn absences(&self) -> Option<Vec<Absence>> {
        self.absences.as_ref().map(|list| {
            list.iter()
                .map(|a| Absence {
                    starts_at: a.starts_at,
                    ends_at: a.ends_at,
                })
                .collect()
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceOut {
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentOut {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    pub whatsapp_phone_number_id: Option<String>,
    #[schema(value_type = String, example = "agent")]
    pub role: Role,
    #[schema(value_type = Vec<String>)]
    pub types: Vec<SupportType>,
    pub absences: Vec<AbsenceOut>,
    pub active: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Agent> for AgentOut {
    fn from(a: Agent) -> Self {
        Self {
            id: a.id.0,
            email: a.email,
            name: a.name,
            phone: a.phone,
            whatsapp: a.whatsapp,
            whatsapp_phone_number_id: a.whatsapp_phone_number_id,
            role: a.role,
            types: a.types,
            absences: a
                .absences
                .into_iter()
                .map(|x| AbsenceOut {
                    starts_at: x.starts_at,
                    ends_at: x.ends_at,
                })
                .collect(),
            active: a.active,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

// ----- tickets

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketCreate {
    pub subject: String,
    pub body: String,
    /// Who the ticket is for. Required for agents; a customer's own token implies it.
    pub requester_email: Option<String>,
    /// Name for a requester Soporte does not know yet.
    pub requester_name: Option<String>,
    #[serde(rename = "type")]
    #[schema(value_type = Option<String>, example = "technical")]
    pub support_type: Option<SupportType>,
    #[schema(value_type = Option<String>, example = "normal")]
    pub priority: Option<Priority>,
    #[schema(value_type = Option<String>, example = "email")]
    pub channel: Option<Channel>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatchBody {
    pub subject: Option<String>,
    /// A re-classification; `null` sends the ticket back to triage.
    #[serde(rename = "type", default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub support_type: Option<Option<SupportType>>,
    #[schema(value_type = Option<String>)]
    pub priority: Option<Priority>,
    #[schema(value_type = Option<String>)]
    pub status: Option<Status>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub account_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub product_area: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageCreate {
    /// `outbound` (default for agents), `note`, `call`, or `inbound` (default for customers).
    #[schema(value_type = Option<String>)]
    pub kind: Option<MessageKind>,
    /// The text; with a template, what fills its `message` parameter (may be empty).
    #[serde(default)]
    pub body: String,
    /// On a WhatsApp ticket: the name of an approved template from `[[whatsapp.templates]]`
    /// (the only way to write once the 24-hour window has closed).
    pub whatsapp_template: Option<String>,
    /// On a WhatsApp ticket: the id of the customer's message this answer quotes.
    pub reply_to_message_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOut {
    pub id: i64,
    /// Human number, e.g. `VND-000123`.
    pub number: String,
    pub subject: String,
    #[serde(rename = "type")]
    #[schema(value_type = Option<String>)]
    pub support_type: Option<SupportType>,
    #[schema(value_type = String)]
    pub channel: Channel,
    #[schema(value_type = String)]
    pub priority: Priority,
    #[schema(value_type = String)]
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub account_id: Option<i64>,
    pub requester_id: i64,
    pub product_area: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub solved_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// The classifier's confidence (0–1) in the type it suggested; `null` when a person set
    /// the type or the classifier did not run.
    pub type_confidence: Option<f64>,
    /// `error`, `change`, `question` or `request`.
    #[schema(value_type = Option<String>)]
    pub request_kind: Option<RequestKind>,
    /// The intake checklist: `{"items": [{"key", "present", "evidence"}], "complete"}`.
    #[schema(value_type = Option<Object>)]
    pub checklist: Option<Checklist>,
    /// The channel the customer was pointed to, when the request's type is not handled on
    /// the channel it came by.
    #[schema(value_type = Option<String>)]
    pub redirect: Option<Channel>,
    /// The customer's words that made the ticket urgent.
    pub urgency: Option<String>,
    /// A call-back task (a missed call): the number to call back.
    pub call_back: Option<String>,
    pub sla: SlaOut,
    /// The assignee with their name; present on `GET /tickets/{id}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Option<AgentRef>>,
    /// Present on `GET /tickets/{id}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<MessageOut>>,
    /// On `GET /tickets/{id}` of a WhatsApp conversation: when free text stops being
    /// possible (24 hours after the customer's last message); after it, only a template.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub whatsapp_window_closes_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaOut {
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_due: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolution_due: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_responded_at: Option<Timestamp>,
    /// `on_track`, `at_risk`, `breached`, `paused` (waiting on the customer) or `met`.
    #[schema(value_type = Option<String>)]
    pub state: Option<SlaState>,
}

impl From<Ticket> for TicketOut {
    fn from(t: Ticket) -> Self {
        Self {
            id: t.id.0,
            number: t.number,
            subject: t.subject,
            support_type: t.support_type,
            channel: t.channel,
            priority: t.priority,
            status: t.status,
            assignee_id: t.assignee_id.map(|x| x.0),
            account_id: t.account_id.map(|x| x.0),
            requester_id: t.requester_id.0,
            product_area: t.product_area,
            tags: t.tags,
            created_at: t.created_at,
            updated_at: t.updated_at,
            solved_at: t.solved_at,
            closed_at: t.closed_at,
            type_confidence: t.policy.type_confidence,
            request_kind: t.policy.kind,
            checklist: t.policy.checklist,
            redirect: t.policy.redirect,
            urgency: t.policy.urgency,
            call_back: t.policy.call_back,
            sla: SlaOut {
                first_response_due: t.policy.sla.first_response_due,
                resolution_due: t.policy.sla.resolution_due,
                first_responded_at: t.policy.sla.first_responded_at,
                state: t.policy.sla.state,
            },
            assignee: None,
            messages: None,
            whatsapp_window_closes_at: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorOut {
    /// `agent`, `contact` or `system`.
    pub kind: String,
    pub id: Option<i64>,
}

impl From<Actor> for ActorOut {
    fn from(a: Actor) -> Self {
        let (kind, id) = match a {
            Actor::Agent(x) => ("agent", Some(x.0)),
            Actor::Contact(x) => ("contact", Some(x.0)),
            Actor::System => ("system", None),
        };
        Self {
            kind: kind.to_string(),
            id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub filename: String,
    pub media_type: String,
    pub size: u64,
    pub inline: bool,
    pub sha256: String,
    /// The Content-ID an HTML body refers to (inline images).
    pub content_id: Option<String>,
}

impl From<Attachment> for AttachmentOut {
    fn from(a: Attachment) -> Self {
        Self {
            id: a.id.0,
            filename: a.filename,
            media_type: a.media_type,
            size: a.size,
            inline: a.inline,
            sha256: a.sha256,
            content_id: a.content_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    pub ticket_id: i64,
    #[schema(value_type = String)]
    pub kind: MessageKind,
    pub author: ActorOut,
    #[schema(value_type = String)]
    pub channel: Channel,
    /// What the sender wrote in this message: for e-mail, quotes and signature removed.
    pub text: String,
    /// What was removed from `text` (quoted history, signature), or null.
    pub quoted_text: Option<String>,
    /// Sanitised HTML, safe to display, with inline images pointing at their attachments;
    /// remote images are disarmed (`about:blank#remote-image=URL`). Null for plain text.
    pub html: Option<String>,
    /// E-mail headers: `Name <address>`.
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: Option<String>,
    /// The e-mail Message-ID (without angle brackets), for e-mail messages.
    pub email_message_id: Option<String>,
    /// The channel's own id of the message (e-mail Message-ID, WhatsApp id…).
    pub channel_message_id: Option<String>,
    /// `auto_reply` or `bounce` when a machine wrote the message; else null.
    pub automatic: Option<String>,
    /// Outgoing messages: `queued`, `sent` or `failed`; WhatsApp also `delivered` (on
    /// the customer's phone) and `read`.
    pub delivery: Option<String>,
    /// Why an outgoing WhatsApp message was not delivered: Meta's code and the reason.
    pub delivery_error: Option<super::whatsapp_dto::DeliveryErrorOut>,
    /// What a WhatsApp message carries beyond its text; null for other channels.
    pub whatsapp: Option<super::whatsapp_dto::WhatsAppOut>,
    /// Whether the message as received can be downloaded from `/messages/{id}/original`.
    pub has_original: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub attachments: Vec<AttachmentOut>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        let email = m.email.clone().unwrap_or_default();
        Self {
            id: m.id.0,
            ticket_id: m.ticket_id.0,
            kind: m.kind,
            author: m.author.into(),
            channel: m.channel,
            text: m.body_text,
            quoted_text: m.quoted_text,
            html: m.body_html.map(|h| {
                crate::message_view::resolve_inline_images(
                    &h,
                    &m.attachments,
                    "/api/v1/attachments/",
                )
            }),
            from: email.from,
            to: email.to,
            cc: email.cc,
            subject: email.subject,
            email_message_id: (m.channel == Channel::Email)
                .then(|| m.channel_message_id.clone())
                .flatten(),
            channel_message_id: m.channel_message_id,
            automatic: m.automatic.map(|a| a.as_str().to_string()),
            delivery: m.delivery.map(|d| d.as_str().to_string()),
            delivery_error: m
                .whatsapp
                .as_ref()
                .and_then(|w| w.delivery_error.clone())
                .map(Into::into),
            whatsapp: m.whatsapp.map(Into::into),
            has_original: m.original_sha256.is_some(),
            created_at: m.created_at,
            attachments: m.attachments.into_iter().map(AttachmentOut::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundEmailResult {
    pub ticket_id: Option<i64>,
    pub message_id: Option<i64>,
    /// False when the same message was posted before (nothing was written).
    pub created: bool,
    /// Set when the message could not be read and was kept aside for an admin.
    pub quarantine_id: Option<i64>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantineOut {
    pub id: i64,
    pub source: String,
    pub reason: String,
    pub size: i64,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxOut {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub message_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub email_message_id: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub ticket_id: i64,
    pub actor: ActorOut,
    /// What happened: `{"kind": "status_changed", "from": "new", "to": "open"}` and so on.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Event> for EventOut {
    fn from(e: Event) -> Self {
        Self {
            id: e.id.0,
            ticket_id: e.ticket_id.0,
            actor: e.actor.into(),
            change: serde_json::to_value(&e.kind).unwrap_or(serde_json::Value::Null),
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketOut>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedMessage {
    pub ticket: TicketOut,
    pub message: MessageOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
}
