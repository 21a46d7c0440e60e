//! Tickets: opening one (finding or creating the requester, matching the account, giving
//! it to the account's personal agent), reading them with the caller's visibility, editing
//! them and adding messages.

use crate::email::{EmailReply, OutgoingMail};
use crate::policy::{AcknowledgementMail, NewRequest};
use crate::{App, AppError, Principal, Result};
use jiff::Timestamp;
use soporte_core::auth::contact_may_see;
use soporte_core::directory::normalize_email;
use soporte_core::email::Mailbox;
use soporte_core::ids::{AccountId, AgentId, AttachmentId, MessageId, TicketId};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Actor, Attachment, Event, Message, MessageKind, Status, Ticket, TicketPatch,
    normalize_media_type, normalize_subject, normalize_tags, sanitize_filename,
};
use soporte_store::{
    AssigneeFilter, Cursor, MessageExtra, NewAttachment, NewContact, NewMessage, NewTicket,
    Requester, TicketQuery, TicketSort, TypeFilter,
};
use std::sync::Arc;

/// Longest message body kept as text (1 MiB); attachments carry anything bigger.
const MAX_BODY_BYTES: usize = 1 << 20;
pub const MAX_PAGE: u32 = 200;

/// A file sent with a ticket or message.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct TicketInput {
    pub subject: String,
    pub body: String,
    pub requester_email: Option<String>,
    pub requester_name: Option<String>,
    pub support_type: Option<SupportType>,
    pub priority: Option<Priority>,
    pub channel: Option<Channel>,
    /// Where in the product it happens, as the customer picked it (one of the policy's
    /// product areas).
    pub product_area: Option<String>,
    pub attachments: Vec<Upload>,
}

#[derive(Debug, Clone, Default)]
pub struct TicketUpdate {
    pub subject: Option<String>,
    pub support_type: Option<Option<SupportType>>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub assignee_id: Option<Option<AgentId>>,
    pub account_id: Option<Option<AccountId>>,
    pub product_area: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct MessageInput {
    pub kind: Option<MessageKind>,
    pub body: String,
    pub attachments: Vec<Upload>,
    /// On a WhatsApp ticket: the approved template to send (the only way to write once
    /// the 24-hour window has closed).
    pub whatsapp_template: Option<String>,
    /// On a WhatsApp ticket: the customer's message the answer quotes.
    pub reply_to: Option<MessageId>,
    /// Where a customer's message was written, when not on the ticket's own channel (a
    /// reply from the portal to a request that came by e-mail).
    pub channel: Option<Channel>,
}

/// How long an agent counts as having a ticket open after their page last said so (the
/// console says so every 10 seconds).
pub const PRESENCE_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    pub sla_states: Vec<soporte_core::policy::sla::SlaState>,
    pub support_type: Option<TypeFilter>,
    pub priority: Option<Priority>,
    pub channel: Option<Channel>,
    pub assignee: Option<AssigneeFilter>,
    pub account_id: Option<AccountId>,
    /// Call-back tasks (missed calls) only.
    pub call_backs: bool,
    pub updated_since: Option<Timestamp>,
    pub sort: TicketSort,
    pub after: Option<Cursor>,
    pub limit: Option<u32>,
}

pub struct TicketPage {
    pub items: Vec<Ticket>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

pub struct TicketDetail {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    /// The assignee's name, for showing who has the ticket.
    pub assignee_name: Option<String>,
    /// For a WhatsApp conversation: when free text stops being possible (the customer's
    /// last message plus 24 hours; past, once it has closed).
    pub whatsapp_window_closes_at: Option<Timestamp>,
}

fn body_text(raw: &str) -> Result<String> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "must not be empty"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::invalid(
            "body",
            "is longer than 1 MiB; attach it as a file",
        ));
    }
    Ok(soporte_core::text::storable(body).into_owned())
}

/// A display name for someone known only by address: the part before the @.
fn name_from_email(email: &str) -> String {
    email
        .split('@')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(email)
        .to_string()
}

impl App {
    async fn store_uploads(&self, uploads: &[Upload]) -> Result<Vec<NewAttachment>> {
        let mut out = Vec::with_capacity(uploads.len());
        for upload in uploads {
            let blob = self.blobs.put(&upload.bytes).await?;
            out.push(NewAttachment {
                sha256: blob.sha256,
                size: blob.size,
                filename: sanitize_filename(&upload.filename),
                media_type: normalize_media_type(&upload.media_type),
                inline: false,
                content_id: None,
            });
        }
        Ok(out)
    }

    /// Opens a ticket. Agents open tickets for any requester (by e-mail; unknown people
    /// become contacts); a customer opens tickets for themselves.
    pub async fn create_ticket(&self, who: &Principal, input: &TicketInput) -> Result<Ticket> {
        let subject = normalize_subject(&input.subject)?;
        let body = body_text(&input.body)?;
        // The requester as far as it is known already, so nothing is read twice.
        let (requester, known, created_by, default_channel) = match who {
            Principal::Contact { contact } => {
                if let Some(email) = &input.requester_email {
                    let email = normalize_email("requester_email", email)?;
                    if !contact.emails.contains(&email) {
                        return Err(AppError::Forbidden(
                            "a customer can only open tickets for themselves".into(),
                        ));
                    }
                }
                (
                    Requester::Existing(contact.id),
                    Some(contact.clone()),
                    Actor::Contact(contact.id),
                    Channel::Portal,
                )
            }
            Principal::Agent { agent, .. } => {
                let raw = input
                    .requester_email
                    .as_deref()
                    .ok_or_else(|| AppError::invalid("requester_email", "is required"))?;
                let email = normalize_email("requester_email", raw)?;
                let known = self.store.contact_by_email(&email).await?;
                let requester = match &known {
                    Some(c) => Requester::Existing(c.id),
                    None => {
                        let domain = email.rsplit('@').next().unwrap_or_default();
                        let account = self.store.account_by_domain(domain).await?;
                        Requester::New(NewContact {
                            account_id: account.map(|a| a.id),
                            account_manager: false,
                            name: input
                                .requester_name
                                .as_deref()
                                .map(soporte_core::directory::display_name)
                                .filter(|n| !n.is_empty())
                                .unwrap_or_else(|| name_from_email(&email)),
                            emails: vec![email],
                            phones: vec![],
                        })
                    }
                };
                (requester, known, Actor::Agent(agent.id), Channel::Api)
            }
        };
        let (account_id, requester_name, requester_email) = match (&known, &requester) {
            (Some(c), _) => (c.account_id, c.name.clone(), c.emails.first().cloned()),
            (None, Requester::New(c)) => (c.account_id, c.name.clone(), c.emails.first().cloned()),
            (None, Requester::Existing(_)) => (None, String::new(), None),
        };
        let attachments = self.store_uploads(&input.attachments).await?;
        let channel = input.channel.unwrap_or(default_channel);
        let answer_by: Option<Arc<dyn OutgoingMail>> = match (&requester_email, channel) {
            (Some(address), Channel::Email | Channel::Portal | Channel::Api) => {
                Some(Arc::new(AcknowledgementMail {
                    settings: self.settings().email.clone(),
                    to: Mailbox {
                        address: address.clone(),
                        name: Some(requester_name.clone()),
                    },
                    original_id: None,
                    original_subject: subject.clone(),
                }))
            }
            _ => None,
        };
        let may_answer = requester_email
            .as_deref()
            .is_none_or(|a| !self.settings().email.is_own_address(a));
        let prepared = self
            .prepare_ticket(
                &NewRequest {
                    subject: &subject,
                    text: &body,
                    channel,
                    has_image: attachments
                        .iter()
                        .any(|a| a.media_type.starts_with("image/")),
                    requester_name: &requester_name,
                    requester_email: requester_email.as_deref(),
                    account_id,
                    support_type: input.support_type,
                    priority: input.priority,
                    history: false,
                },
                may_answer,
                answer_by,
                None,
            )
            .await?;
        let new = NewTicket {
            number_prefix: self.settings().ticket_prefix.clone(),
            subject,
            support_type: prepared.decision.support_type,
            channel,
            priority: prepared.decision.priority,
            assignee_id: prepared.assignment.as_ref().map(|a| a.agent_id),
            assignment_reason: prepared.assignment.map(|a| a.reason.to_string()),
            account_id,
            requester,
            product_area: input.product_area.clone(),
            tags: vec![],
            body_text: body,
            body_html: None,
            channel_message_id: None,
            attachments,
            extra: MessageExtra::default(),
            created_by: Some(created_by),
            policy: prepared.decision.ticket_policy(),
        };
        Ok(self
            .store
            .create_ticket_with(&new, prepared.effects)
            .await?
            .0)
    }

    /// A ticket the caller may see; anything else is "not found", so a customer cannot
    /// learn which ticket numbers exist.
    pub async fn ticket(&self, who: &Principal, id: TicketId) -> Result<Ticket> {
        let ticket = self
            .store
            .ticket(id)
            .await?
            .ok_or_else(|| AppError::not_found("ticket", id))?;
        match who {
            Principal::Contact { contact } if !contact_may_see(&ticket, contact) => {
                Err(AppError::not_found("ticket", id))
            }
            _ => Ok(ticket),
        }
    }

    pub async fn ticket_detail(&self, who: &Principal, id: TicketId) -> Result<TicketDetail> {
        let ticket = self.ticket(who, id).await?;
        let mut messages = self.store.ticket_messages(id).await?;
        if !who.is_agent() {
            messages.retain(|m| m.kind.visible_to_customer());
        }
        let assignee_name = match ticket.assignee_id {
            Some(id) => self.store.agent(id).await?.map(|a| a.name),
            None => None,
        };
        let whatsapp_window_closes_at = if who.is_agent() {
            self.whatsapp_window_closes_at(&ticket).await?
        } else {
            None
        };
        Ok(TicketDetail {
            ticket,
            messages,
            assignee_name,
            whatsapp_window_closes_at,
        })
    }

    pub async fn ticket_events(&self, who: &Principal, id: TicketId) -> Result<Vec<Event>> {
        who.require_agent()?;
        self.ticket(who, id).await?;
        Ok(self.store.ticket_events(id).await?)
    }

    /// Notes that the agent has the ticket open (and whether they are writing a reply), and
    /// tells who else does: the names of the other agents seen on it within
    /// [`PRESENCE_WINDOW`], each with whether they are replying.
    pub async fn ticket_presence(
        &self,
        who: &Principal,
        id: TicketId,
        replying: bool,
    ) -> Result<Vec<(String, bool)>> {
        let agent = who.require_agent()?;
        self.ticket(who, id).await?;
        let now = Timestamp::now();
        let others = self
            .store
            .touch_presence(id, agent.id, replying, now, now - PRESENCE_WINDOW)
            .await?;
        if others.is_empty() {
            return Ok(vec![]);
        }
        let agents = self.store.list_agents().await?;
        Ok(others
            .into_iter()
            .filter_map(|(id, replying)| {
                agents
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| (a.name.clone(), replying))
            })
            .collect())
    }

    /// One message with its attachments, for an agent (its HTML view in the console).
    pub async fn message(
        &self,
        who: &Principal,
        id: soporte_core::ids::MessageId,
    ) -> Result<Message> {
        who.require_agent()?;
        let message = self
            .store
            .message(id)
            .await?
            .ok_or_else(|| AppError::not_found("message", id))?;
        // The ticket must be visible to the caller too.
        self.ticket(who, message.ticket_id).await?;
        Ok(message)
    }

    /// A reply asking the requester for exactly the checklist items still missing, as a
    /// draft for the agent (the console's "ask for the missing items").
    pub async fn missing_items_reply(&self, who: &Principal, id: TicketId) -> Result<String> {
        who.require_agent()?;
        let ticket = self.ticket(who, id).await?;
        let missing: Vec<_> = ticket
            .policy
            .checklist
            .as_ref()
            .map(|c| c.missing().collect())
            .unwrap_or_default();
        let name = self
            .store
            .contact(ticket.requester_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        Ok(crate::policy::missing_items_draft(
            &name,
            &missing,
            &self.settings().email,
        ))
    }

    /// The ticket a person means by "VND-000123", "vnd-123", "#123" or "123".
    pub fn ticket_reference(&self, text: &str) -> Option<TicketId> {
        let text = text.trim();
        soporte_core::ticket::TicketNumber::find_in(
            &self.settings().ticket_prefix,
            &text.to_uppercase(),
        )
        .or_else(|| {
            let digits = text.trim_start_matches('#');
            let plain = !digits.is_empty()
                && digits.len() <= 12
                && digits.chars().all(|c| c.is_ascii_digit());
            plain.then(|| digits.parse().ok().map(TicketId)).flatten()
        })
    }

    /// Merges `source` into `target`: the same request written twice. Its conversation
    /// joins the target's and it is closed; both histories say so.
    pub async fn merge_tickets(
        &self,
        who: &Principal,
        source: TicketId,
        target: TicketId,
    ) -> Result<Ticket> {
        let agent = who.require_agent()?;
        self.ticket(who, source).await?;
        self.ticket(who, target).await?;
        Ok(self
            .store
            .merge_tickets(source, target, Actor::Agent(agent.id))
            .await?)
    }

    /// The search box: a ticket number ("VND-000123", "123") finds that ticket; words find
    /// the tickets whose subject or messages contain all of them, accents and inflections
    /// aside. Most recently changed first, at most `limit`.
    pub async fn search_tickets(
        &self,
        who: &Principal,
        query: &str,
        limit: u32,
    ) -> Result<Vec<Ticket>> {
        who.require_agent()?;
        let query = query.trim();
        let limit = limit.clamp(1, MAX_PAGE);
        let mut found = Vec::new();
        let by_number = self.ticket_reference(query);
        if let Some(id) = by_number
            && let Some(ticket) = self.store.ticket(id).await?
        {
            found.push(ticket);
        }
        let groups = soporte_core::search::query_groups(query);
        for ticket in self.store.search_tickets(&groups, limit).await? {
            if !found.iter().any(|t| t.id == ticket.id) {
                found.push(ticket);
            }
        }
        found.truncate(limit as usize);
        Ok(found)
    }

    /// How many tickets an agent's list with this filter holds (the console's view counts).
    pub async fn count_tickets(&self, who: &Principal, filter: &TicketFilter) -> Result<i64> {
        who.require_agent()?;
        let query = TicketQuery {
            statuses: filter.statuses.clone(),
            sla_states: filter.sla_states.clone(),
            support_type: filter.support_type,
            priority: filter.priority,
            channel: filter.channel,
            assignee: filter.assignee,
            account_id: filter.account_id,
            call_backs: filter
                .call_backs
                .then_some(soporte_store::CallBackFilter::Any),
            updated_since: filter.updated_since,
            ..TicketQuery::default()
        };
        Ok(self.store.count_tickets(&query).await?)
    }

    pub async fn list_tickets(&self, who: &Principal, filter: &TicketFilter) -> Result<TicketPage> {
        let limit = filter.limit.unwrap_or(50).clamp(1, MAX_PAGE);
        let mut query = TicketQuery {
            statuses: filter.statuses.clone(),
            sla_states: filter.sla_states.clone(),
            support_type: filter.support_type,
            priority: filter.priority,
            channel: filter.channel,
            assignee: filter.assignee,
            account_id: filter.account_id,
            requester_id: None,
            call_backs: filter
                .call_backs
                .then_some(soporte_store::CallBackFilter::Any),
            updated_since: filter.updated_since,
            sort: filter.sort,
            after: filter.after,
            // One extra row tells whether another page exists.
            limit: limit + 1,
        };
        if let Principal::Contact { contact } = who {
            if let (Some(own), Some(asked)) = (contact.account_id, filter.account_id)
                && own != asked
            {
                return Ok(TicketPage {
                    items: vec![],
                    next: None,
                });
            }
            match contact.account_id {
                // The manager's view is the account's: requests the manager made before
                // joining it are not listed (they are still readable one by one).
                Some(own) if contact.account_manager => query.account_id = Some(own),
                _ => query.requester_id = Some(contact.id),
            }
        }
        let mut items = self.store.list_tickets(&query).await?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|t| Cursor {
                key: filter.sort.key_of(t),
                id: t.id.0,
            })
        } else {
            None
        };
        Ok(TicketPage { items, next })
    }

    pub async fn update_ticket(
        &self,
        who: &Principal,
        id: TicketId,
        input: &TicketUpdate,
    ) -> Result<Ticket> {
        if let Principal::Contact { .. } = who {
            // Their own ticket exists for them (403); another's does not (404).
            self.ticket(who, id).await?;
            return Err(AppError::Forbidden(
                "only support agents change a ticket's properties; add a message instead".into(),
            ));
        }
        let agent = who.require_agent()?;
        if let Some(Some(assignee)) = input.assignee_id {
            let target = self.store.agent(assignee).await?.ok_or_else(|| {
                AppError::invalid("assignee_id", format!("agent {assignee} does not exist"))
            })?;
            if !target.active {
                return Err(AppError::invalid(
                    "assignee_id",
                    format!("agent {assignee} is disabled"),
                ));
            }
        }
        if let Some(Some(account)) = input.account_id
            && self.store.account(account).await?.is_none()
        {
            return Err(AppError::invalid(
                "account_id",
                format!("account {account} does not exist"),
            ));
        }
        let patch = TicketPatch {
            subject: input.subject.clone(),
            support_type: input.support_type,
            priority: input.priority,
            status: input.status,
            assignee_id: input.assignee_id,
            account_id: input.account_id,
            product_area: input.product_area.clone(),
            tags: input.tags.as_deref().map(normalize_tags).transpose()?,
            assignment_reason: Some("manual".into()),
        };
        let agents = Arc::new(self.store.list_agents().await?);
        let mut effects = self.change_effects(None, Vec::new(), agents);
        if input.status == Some(soporte_core::ticket::Status::Solved)
            && let Some(before) = self.store.ticket(id).await?
        {
            effects.satisfaction = self.satisfaction_ask(&before).await?;
        }
        Ok(self
            .store
            .update_ticket_with(id, &patch, Actor::Agent(agent.id), Arc::new(effects))
            .await?)
    }

    /// Adds a message. Customers add their own (inbound) messages; agents reply, write
    /// internal notes, log calls, or record something the customer sent another way.
    pub async fn add_message(
        &self,
        who: &Principal,
        id: TicketId,
        input: &MessageInput,
    ) -> Result<(Ticket, Message)> {
        let ticket = self.ticket(who, id).await?;
        let (kind, author) = match who {
            Principal::Contact { contact } => match input.kind.unwrap_or(MessageKind::Inbound) {
                MessageKind::Inbound => (MessageKind::Inbound, Actor::Contact(contact.id)),
                other => {
                    return Err(AppError::Forbidden(format!(
                        "customers can only add inbound messages, not {other}"
                    )));
                }
            },
            Principal::Agent { agent, .. } => match input.kind.unwrap_or(MessageKind::Outbound) {
                MessageKind::Inbound => (MessageKind::Inbound, Actor::Contact(ticket.requester_id)),
                other => (other, Actor::Agent(agent.id)),
            },
        };
        let conversation = match (kind, who) {
            (MessageKind::Outbound, Principal::Agent { .. }) => {
                self.whatsapp_conversation(&ticket).await?
            }
            _ => None,
        };
        if conversation.is_none() && (input.whatsapp_template.is_some() || input.reply_to.is_some())
        {
            return Err(AppError::invalid(
                "whatsapp_template",
                "only an answer on a WhatsApp conversation takes a template or quotes a message",
            ));
        }
        // A template may carry no text of the agent's own; everything else needs some.
        let mut body = if input.whatsapp_template.is_some() && input.body.trim().is_empty() {
            String::new()
        } else {
            body_text(&input.body)?
        };
        let attachments = self.store_uploads(&input.attachments).await?;
        let mut mail: Option<Arc<dyn OutgoingMail>> = None;
        let mut whatsapp = Vec::new();
        if let (MessageKind::Outbound, Principal::Agent { agent, .. }) = (kind, who) {
            if let Some(conversation) = &conversation {
                let planned = self
                    .plan_whatsapp_answer(
                        &ticket,
                        conversation,
                        &crate::whatsapp::WhatsAppAnswer {
                            agent_name: &agent.name,
                            text: &body,
                            attachments: &attachments,
                            template: input.whatsapp_template.as_deref(),
                            reply_to: input.reply_to,
                        },
                    )
                    .await?;
                body = planned.body_text;
                whatsapp = planned.sends;
            } else if let Some(reply) = self
                .email_reply_for(&ticket, &agent.name, &attachments)
                .await?
            {
                mail = Some(Arc::new(reply));
            }
        }
        let new = NewMessage {
            kind,
            author,
            channel: match (kind, input.channel) {
                (MessageKind::Call, _) => Channel::Phone,
                (MessageKind::Note, _) => Channel::Api,
                (MessageKind::Inbound, Some(channel)) => channel,
                _ => ticket.channel,
            },
            body_text: body,
            body_html: None,
            channel_message_id: None,
            attachments,
            extra: MessageExtra::default(),
        };
        let agents = Arc::new(self.store.list_agents().await?);
        let effects = Arc::new(self.change_effects(mail, whatsapp, agents));
        Ok(self.store.add_message_with(id, &new, effects).await?)
    }

    /// An attachment's record and bytes, if the caller may see the message it belongs to.
    pub async fn attachment(
        &self,
        who: &Principal,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>)> {
        let attachment = self
            .store
            .attachment(id)
            .await?
            .ok_or_else(|| AppError::not_found("attachment", id))?;
        let visible = self.ticket(who, attachment.ticket_id).await.is_ok()
            && (who.is_agent()
                || self
                    .store
                    .ticket_messages(attachment.ticket_id)
                    .await?
                    .iter()
                    .any(|m| m.id == attachment.message_id && m.kind.visible_to_customer()));
        if !visible {
            return Err(AppError::not_found("attachment", id));
        }
        let bytes = self.blobs.get(&attachment.sha256).await?;
        Ok((attachment, bytes))
    }
}

impl App {
    /// How an agent's answer reaches the customer by e-mail: for tickets that came by
    /// e-mail, the portal or the API, when the requester has an address. WhatsApp and phone
    /// tickets are answered on their own channels.
    async fn email_reply_for(
        &self,
        ticket: &Ticket,
        agent_name: &str,
        attachments: &[NewAttachment],
    ) -> Result<Option<EmailReply>> {
        if !matches!(
            ticket.channel,
            Channel::Email | Channel::Portal | Channel::Api
        ) {
            return Ok(None);
        }
        let Some(requester) = self.store.contact(ticket.requester_id).await? else {
            return Ok(None);
        };
        let Some(address) = requester.emails.first() else {
            return Ok(None);
        };
        let emails: Vec<Message> = self
            .store
            .ticket_messages(ticket.id)
            .await?
            .into_iter()
            .filter(|m| m.channel == Channel::Email && m.channel_message_id.is_some())
            .collect();
        // The reply answers what the customer last wrote (not our own acknowledgement),
        // and names the whole conversation for clients that thread by References.
        let in_reply_to = emails
            .iter()
            .rev()
            .find(|m| m.kind == MessageKind::Inbound && m.automatic.is_none())
            .or(emails.last())
            .and_then(|m| m.channel_message_id.clone());
        let thread: Vec<String> = emails
            .into_iter()
            .filter_map(|m| m.channel_message_id)
            .collect();
        let to = soporte_core::email::Mailbox {
            address: address.clone(),
            name: Some(requester.name.clone()),
        }
        .display();
        Ok(Some(EmailReply {
            settings: self.settings().email.clone(),
            company: self.settings().company_name.clone(),
            agent_name: agent_name.to_string(),
            to,
            in_reply_to,
            thread,
            attachments: attachments
                .iter()
                .map(|a| soporte_core::email::OutgoingAttachment {
                    sha256: a.sha256.clone(),
                    filename: a.filename.clone(),
                    media_type: a.media_type.clone(),
                })
                .collect(),
        }))
    }
}
