//! Settling a WhatsApp request once the customer's burst is over: the policy runs on
//! everything the customer wrote (a photo counts as a screenshot), the ticket's type,
//! urgency, checklist and channel rule follow, and the acknowledgement goes out once,
//! inside the 24-hour window, pointing to e-mail or to the agent's phone where the policy
//! says so. Each burst settles again; what an agent set by hand is left as they set it.

use super::acknowledgement::{Pointer, WhatsAppAcknowledgement};
use crate::policy::PolicyEffects;
use crate::{App, AppError, Result};
use jiff::{SignedDuration, Timestamp};
use soporte_core::directory::Agent;
use soporte_core::email::AutomaticKind;
use soporte_core::policy::intake::{IntakeRequest, decide_intake};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Actor, EventKind, Message, MessageKind, Status, Ticket, TicketPatch, TicketPolicy,
};
use soporte_core::whatsapp::{OutgoingContent, OutgoingWhatsApp, WhatsAppRequest, window_open};
use soporte_store::{
    MessageExtra, NewMessage, NewWhatsAppOutbox, TicketChange, TicketEffects, WhatsAppTicket,
};
use std::sync::Arc;

/// How long a worker holds a conversation it settles.
const LEASE: SignedDuration = SignedDuration::from_secs(60);

/// The policy's new view of a ticket, written with the settling edit.
struct Settled {
    inner: PolicyEffects,
    policy: TicketPolicy,
    events: Vec<EventKind>,
}

impl TicketEffects for Settled {
    fn apply(
        &self,
        change: TicketChange<'_>,
        ticket: &mut Ticket,
        at: Timestamp,
    ) -> soporte_store::Consequences {
        let sla = std::mem::take(&mut ticket.policy.sla);
        ticket.policy = TicketPolicy {
            sla,
            ..self.policy.clone()
        };
        let mut consequences = self.inner.apply(change, ticket, at);
        consequences
            .events
            .splice(0..0, self.events.iter().cloned());
        consequences
    }
}

fn is_image(message: &Message) -> bool {
    message
        .attachments
        .iter()
        .any(|a| a.media_type.starts_with("image/"))
        || message
            .whatsapp
            .as_ref()
            .is_some_and(|w| w.content_type == "image")
}

impl App {
    /// Settles up to `limit` conversations whose burst is over; returns how many.
    pub async fn settle_whatsapp(&self, limit: u32) -> Result<usize> {
        if !self.whatsapp_enabled() {
            return Ok(0);
        }
        let claimed = self
            .store
            .claim_whatsapp_settlements(limit, Timestamp::now() + LEASE)
            .await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let agents = Arc::new(self.store.list_agents().await?);
        for conversation in &claimed {
            let acknowledged = match self.settle_one(conversation, &agents).await {
                Ok(acknowledged) => acknowledged,
                // The lease runs out and the conversation is settled again.
                Err(AppError::TemporarilyUnavailable(e)) => {
                    tracing::warn!(ticket = conversation.ticket_id.0, error = %e, "WhatsApp request to settle again");
                    continue;
                }
                Err(e) => {
                    tracing::error!(ticket = conversation.ticket_id.0, error = %e, "WhatsApp request could not be settled");
                    false
                }
            };
            self.store
                .whatsapp_settled(
                    conversation.ticket_id,
                    conversation.settle_version,
                    acknowledged,
                )
                .await?;
        }
        Ok(claimed.len())
    }

    /// Returns whether the request has been acknowledged (now or before).
    async fn settle_one(
        &self,
        conversation: &WhatsAppTicket,
        agents: &Arc<Vec<Agent>>,
    ) -> Result<bool> {
        let already = conversation.acknowledged_at.is_some();
        let Some(ticket) = self.store.ticket(conversation.ticket_id).await? else {
            return Ok(already);
        };
        if matches!(ticket.status, Status::Solved | Status::Closed) {
            return Ok(already);
        }
        let messages = self.store.ticket_messages(ticket.id).await?;
        let customer: Vec<&Message> = messages
            .iter()
            .filter(|m| {
                m.kind == MessageKind::Inbound
                    && matches!(m.author, Actor::Contact(_))
                    && m.automatic.is_none()
            })
            .collect();
        if customer.is_empty() {
            return Ok(already);
        }
        let text = customer
            .iter()
            .map(|m| m.body_text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let has_image = customer.iter().any(|m| is_image(m));
        let contact = self.store.contact(ticket.requester_id).await?;
        let account = match ticket.account_id {
            Some(id) => self.store.account(id).await?,
            None => None,
        };
        let known_sender = match (&account, &contact) {
            (Some(account), Some(contact)) => Some(format!(
                "{} <+{}>, cuenta {}",
                contact.name, conversation.wa_id, account.name
            )),
            _ => None,
        };
        // What an agent set by hand stays as they set it.
        let events = self.store.ticket_events(ticket.id).await?;
        let by_agent = |f: fn(&EventKind) -> bool| {
            events
                .iter()
                .any(|e| matches!(e.actor, Actor::Agent(_)) && f(&e.kind))
        };
        let agent_typed = by_agent(|k| {
            matches!(
                k,
                EventKind::TypeChanged { .. } | EventKind::Reclassified { .. }
            )
        });
        let agent_prioritised = by_agent(|k| matches!(k, EventKind::PriorityChanged { .. }));
        let settings = self.settings();
        let classifier = self.classifier.current();
        let decision = decide_intake(
            &settings.policy,
            &classifier,
            &IntakeRequest {
                subject: &ticket.subject,
                text: &text,
                channel: Channel::Whatsapp,
                has_image,
                known_sender: known_sender.as_deref(),
                support_type: if agent_typed {
                    ticket.support_type
                } else {
                    None
                },
                priority: agent_prioritised.then_some(ticket.priority),
            },
        );
        let support_type = decision.support_type.or(ticket.support_type);
        // Urgency found in any message stays: the customer said it.
        let priority = if ticket.priority == Priority::Urgent && !agent_prioritised {
            Priority::Urgent
        } else {
            decision.priority
        };
        let channels = &settings.policy.channels;
        let phone_contact = self.agent_phone(&ticket, conversation, agents);
        let redirect = support_type
            .and_then(|t| channels.redirect(t, Channel::Whatsapp, priority))
            .map(|to| {
                let by_phone = support_type
                    .is_some_and(|t| channels.rule(t).urgent_channels.contains(&Channel::Phone));
                if priority == Priority::Urgent && by_phone && phone_contact.is_some() {
                    Channel::Phone
                } else {
                    to
                }
            });
        let checklist = decision
            .checklist
            .clone()
            .keeping_present(ticket.policy.checklist.as_ref());
        let policy = TicketPolicy {
            type_confidence: decision.type_confidence.or(ticket.policy.type_confidence),
            kind: Some(decision.classification.kind),
            checklist: Some(checklist.clone()),
            redirect,
            urgency: decision.urgency.clone().or(ticket.policy.urgency.clone()),
            call_back: ticket.policy.call_back.clone(),
            sla: ticket.policy.sla.clone(),
        };
        let mut history = Vec::new();
        if support_type != ticket.support_type
            && let Some(confidence) = decision.type_confidence
        {
            history.push(EventKind::Classified {
                support_type,
                confidence,
                request_kind: decision.classification.kind,
            });
        }
        if priority == Priority::Urgent
            && ticket.priority != Priority::Urgent
            && let Some(evidence) = &decision.urgency
        {
            history.push(EventKind::UrgencyDetected {
                evidence: evidence.clone(),
            });
        }
        let missing_before: Option<Vec<_>> = ticket
            .policy
            .checklist
            .as_ref()
            .map(|c| c.missing().collect());
        let missing_now: Vec<_> = checklist.missing().collect();
        if missing_before.as_ref() != Some(&missing_now) {
            history.push(EventKind::ChecklistEvaluated {
                missing: missing_now.clone(),
            });
        }
        if redirect != ticket.policy.redirect
            && let Some(to) = redirect
        {
            history.push(EventKind::Redirected {
                from: Channel::Whatsapp,
                to,
            });
        }
        let patch = TicketPatch {
            support_type: (support_type != ticket.support_type).then_some(support_type),
            priority: (priority != ticket.priority).then_some(priority),
            ..TicketPatch::default()
        };
        let unchanged_policy = TicketPolicy {
            sla: ticket.policy.sla.clone(),
            ..policy.clone()
        } == ticket.policy;
        if patch != TicketPatch::default() || !unchanged_policy || !history.is_empty() {
            self.store
                .update_ticket_with(
                    ticket.id,
                    &patch,
                    Actor::System,
                    Arc::new(Settled {
                        inner: self.change_effects(None, Vec::new(), Arc::clone(agents)),
                        policy,
                        events: history,
                    }),
                )
                .await?;
        }

        let answered_before = messages
            .iter()
            .any(|m| m.kind == MessageKind::Outbound && m.automatic.is_some());
        if already || answered_before {
            return Ok(true);
        }
        let window = self
            .store
            .whatsapp_window(&conversation.phone_number_id, &conversation.wa_id)
            .await?;
        if !window_open(window, Timestamp::now()) || self.is_own_number(&conversation.wa_id, agents)
        {
            return Ok(false);
        }
        let pointer = match (redirect, support_type, phone_contact) {
            (Some(Channel::Phone), _, Some((agent, phone))) => Pointer::Phone { agent, phone },
            (Some(_), Some(t), _) => Pointer::Email(t),
            (Some(_), None, _) => Pointer::Email(SupportType::Technical),
            (None, _, _) => Pointer::Stay,
        };
        let name = contact.as_ref().map_or("", |c| c.name.as_str());
        let link = if missing_now.is_empty() {
            None
        } else {
            crate::portal::MissingItemsLink::new(&settings)
        };
        let placeholder = crate::portal::MissingItemsLink::placeholder(settings.email.language);
        let acknowledgement = WhatsAppAcknowledgement {
            name,
            number: &ticket.number,
            subject: &ticket.subject,
            request_text: &text,
            missing: &missing_now,
            pointer,
            portal_link: link.as_ref().map(|_| placeholder),
        };
        // The kept message shows a placeholder; only the message sent carries the link.
        let body = acknowledgement.text(&settings.email);
        let sent = match &link {
            Some(link) => WhatsAppAcknowledgement {
                portal_link: Some(&link.url),
                ..acknowledgement
            }
            .text(&settings.email),
            None => body.clone(),
        };
        let sends = vec![NewWhatsAppOutbox {
            kind: "acknowledgement".into(),
            phone_number_id: conversation.phone_number_id.clone(),
            request: WhatsAppRequest::Send(OutgoingWhatsApp {
                to: conversation.wa_id.clone(),
                content: OutgoingContent::Text { body: sent },
                reply_to: None,
            }),
            delivers_message: true,
        }];
        let new = NewMessage {
            kind: MessageKind::Outbound,
            author: Actor::System,
            channel: Channel::Whatsapp,
            body_text: body,
            body_html: None,
            channel_message_id: None,
            attachments: vec![],
            extra: MessageExtra {
                automatic: Some(AutomaticKind::AutoReply),
                ..MessageExtra::default()
            },
        };
        let mut effects = self.change_effects(None, sends, Arc::clone(agents));
        effects
            .portal_links
            .extend(link.map(|link| link.row(&ticket, Timestamp::now())));
        self.store
            .add_message_with(ticket.id, &new, Arc::new(effects))
            .await?;
        Ok(true)
    }

    /// The agent the customer should call for an urgent matter: the one who has the
    /// ticket now (the backup while the owner is away), or the number's owner.
    fn agent_phone(
        &self,
        ticket: &Ticket,
        conversation: &WhatsAppTicket,
        agents: &[Agent],
    ) -> Option<(String, String)> {
        let assignee = ticket
            .assignee_id
            .and_then(|id| agents.iter().find(|a| a.id == id));
        let owner = agents
            .iter()
            .find(|a| a.whatsapp_phone_number_id.as_deref() == Some(&conversation.phone_number_id));
        [assignee, owner]
            .into_iter()
            .flatten()
            .find_map(|a| Some((a.name.clone(), a.phone.clone()?)))
    }

    /// Whether a sender is one of support's own numbers: answering it would start two
    /// automatic answerers talking to each other.
    fn is_own_number(&self, wa_id: &str, agents: &[Agent]) -> bool {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        agents
            .iter()
            .filter_map(|a| a.whatsapp.as_deref())
            .any(|number| digits(number) == wa_id)
    }
}
