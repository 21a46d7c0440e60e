//! The policy applied inside each ticket's transaction: the SLA clock, the checklist on
//! later customer messages, urgency, and the notifications that follow.

use super::acknowledgement::Acknowledgement;
use crate::AppSettings;
use crate::email::{OutgoingMail, Values, new_message_id};
use jiff::Timestamp;
use soporte_core::directory::{Agent, Role};
use soporte_core::email::OutgoingEmail;
use soporte_core::ids::AgentId;
use soporte_core::policy::intake::update_checklist;
use soporte_core::policy::rules::Policy;
use soporte_core::policy::service_level;
use soporte_core::policy::sla::SlaState;
use soporte_core::policy::urgency;
use soporte_core::support::Priority;
use soporte_core::ticket::{Actor, EventKind, Message, MessageKind, Status, Ticket};
use soporte_store::{
    AutomaticAnswer, Consequences, NewOutbox, NewWhatsAppOutbox, TicketChange, TicketEffects,
};
use std::sync::Arc;

pub(crate) struct PolicyEffects {
    pub policy: Arc<Policy>,
    pub settings: Arc<AppSettings>,
    /// Who may be notified (a snapshot taken before the transaction).
    pub agents: Arc<Vec<Agent>>,
    /// For a new ticket: the history of the intake decision and the acknowledgement.
    pub intake: Option<IntakeEffects>,
    /// E-mails that deliver the change's outgoing message.
    pub mail: Option<Arc<dyn OutgoingMail>>,
    /// WhatsApp sends that deliver the change's outgoing message.
    pub whatsapp: Vec<NewWhatsAppOutbox>,
    /// The moment the SLA is judged at, when not the change's own (the SLA worker's).
    pub judged_at: Option<Timestamp>,
    /// A new ticket from imported history: no notifications, no SLA clock.
    pub history: bool,
    /// Portal links the change's outgoing message carries.
    pub portal_links: Vec<soporte_store::NewPortalLink>,
    /// The rating e-mail, sent if this change is the one that solves the request.
    pub satisfaction: Option<crate::portal::SatisfactionAsk>,
}

pub(crate) struct IntakeEffects {
    pub events: Vec<EventKind>,
    pub acknowledgement: Option<Acknowledgement>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    Urgent,
    AtRisk,
    Breached,
}

impl Reason {
    fn text(self, english: bool) -> &'static str {
        match (self, english) {
            (Reason::Urgent, false) => "Solicitud urgente",
            (Reason::AtRisk, false) => "SLA en riesgo",
            (Reason::Breached, false) => "SLA incumplido",
            (Reason::Urgent, true) => "Urgent request",
            (Reason::AtRisk, true) => "SLA at risk",
            (Reason::Breached, true) => "SLA breached",
        }
    }
}

impl PolicyEffects {
    fn english(&self) -> bool {
        self.settings.email.language == crate::email::Language::English
    }

    /// The assignee, and for a breach (or nobody assigned) the admins too.
    fn recipients(&self, ticket: &Ticket, reason: Reason) -> Vec<&Agent> {
        let mut out: Vec<&Agent> = Vec::new();
        if let Some(assignee) = ticket.assignee_id {
            out.extend(self.agents.iter().filter(|a| a.id == assignee && a.active));
        }
        if reason == Reason::Breached || out.is_empty() {
            for admin in self
                .agents
                .iter()
                .filter(|a| a.role == Role::Admin && a.active)
            {
                if !out.iter().any(|a| a.id == admin.id) {
                    out.push(admin);
                }
            }
        }
        out
    }

    fn notify(&self, ticket: &Ticket, reason: Reason, detail: &str, c: &mut Consequences) {
        let english = self.english();
        let reason_text = reason.text(english);
        let email = &self.settings.email;
        let values = Values {
            reason: reason_text,
            detail,
            ..Values::new(
                &ticket.number,
                &ticket.subject,
                &self.settings.company_name,
                &email.from_address,
            )
        };
        let recipients: Vec<(AgentId, String, String)> = self
            .recipients(ticket, reason)
            .into_iter()
            .map(|a| (a.id, a.email.clone(), a.name.clone()))
            .collect();
        for (agent_id, address, name) in recipients {
            c.events.push(EventKind::Notified {
                agent_id,
                reason: reason_text.to_string(),
            });
            c.outbox.push(NewOutbox {
                kind: "notification".into(),
                recipient: address.clone(),
                delivers_message: false,
                email: OutgoingEmail {
                    from: email.sender(),
                    to: vec![
                        soporte_core::email::Mailbox {
                            address,
                            name: Some(name),
                        }
                        .display(),
                    ],
                    cc: vec![],
                    subject: email.templates.render("notification_subject", &values),
                    message_id: new_message_id(&ticket.number, &email.message_id_domain),
                    in_reply_to: None,
                    references: vec![],
                    text: email.templates.render("notification_body", &values),
                    html: None,
                    automatic: true,
                    attachments: vec![],
                    date_micros: Timestamp::now().as_microsecond(),
                },
            });
        }
    }

    fn sla_detail(ticket: &Ticket) -> String {
        let due = |t: Option<Timestamp>| {
            t.map_or_else(String::new, |t| {
                t.strftime("%Y-%m-%d %H:%M UTC").to_string()
            })
        };
        format!(
            "Primera respuesta / first response: {}\nResolución / resolution: {}",
            due(ticket.policy.sla.first_response_due),
            due(ticket.policy.sla.resolution_due)
        )
    }

    /// A customer's later message: what it adds to the checklist, and whether it makes
    /// the ticket urgent.
    fn customer_wrote(&self, ticket: &mut Ticket, message: &Message, c: &mut Consequences) {
        let has_image = message
            .attachments
            .iter()
            .any(|a| a.media_type.starts_with("image/"));
        if let Some(checklist) = ticket.policy.checklist.as_mut()
            && update_checklist(
                &self.policy,
                checklist,
                "",
                &message.body_text,
                has_image,
                None,
            )
        {
            c.events.push(EventKind::ChecklistEvaluated {
                missing: checklist.missing().collect(),
            });
        }
        if ticket.priority == Priority::Normal
            && let Some(evidence) =
                urgency::detect("", &message.body_text, &self.policy.urgency_phrases)
        {
            c.events.push(EventKind::UrgencyDetected {
                evidence: evidence.clone(),
            });
            c.events.push(EventKind::PriorityChanged {
                from: Priority::Normal,
                to: Priority::Urgent,
            });
            ticket.priority = Priority::Urgent;
            ticket.policy.urgency = Some(evidence.clone());
            self.notify(ticket, Reason::Urgent, &format!("«{evidence}»"), c);
        }
    }
}

impl TicketEffects for PolicyEffects {
    fn answer(&self, ticket: &Ticket) -> Option<AutomaticAnswer> {
        let ack = self.intake.as_ref()?.acknowledgement.as_ref()?;
        Some(ack.answer(ticket, &self.settings))
    }

    fn apply(&self, change: TicketChange<'_>, ticket: &mut Ticket, at: Timestamp) -> Consequences {
        let mut c = Consequences::default();
        match change {
            TicketChange::Created { .. } => {
                if let Some(intake) = &self.intake {
                    c.events.extend(intake.events.iter().cloned());
                }
                if self.history {
                    return c;
                }
                if ticket.priority == Priority::Urgent {
                    let detail = ticket
                        .policy
                        .urgency
                        .as_deref()
                        .map(|e| format!("«{e}»"))
                        .unwrap_or_default();
                    self.notify(ticket, Reason::Urgent, &detail, &mut c);
                }
            }
            TicketChange::Edited { before } => {
                let became_urgent =
                    before.priority != Priority::Urgent && ticket.priority == Priority::Urgent;
                let urgent_handed_over = ticket.priority == Priority::Urgent
                    && before.assignee_id != ticket.assignee_id
                    && ticket.assignee_id.is_some();
                if (became_urgent || urgent_handed_over)
                    && !matches!(ticket.status, Status::Solved | Status::Closed)
                {
                    self.notify(ticket, Reason::Urgent, "", &mut c);
                }
                let solved_now = ticket.status == Status::Solved
                    && !matches!(before.status, Status::Solved | Status::Closed);
                if let Some(ask) = self.satisfaction.as_ref().filter(|_| solved_now) {
                    c.events.push(EventKind::SatisfactionAsked);
                    c.outbox.push(ask.email.clone());
                    c.portal_links.push(ask.link.clone());
                }
            }
            TicketChange::MessageAdded { message, .. } => {
                let by_person = message.automatic.is_none();
                match (message.kind, message.author) {
                    (MessageKind::Outbound, Actor::Agent(_)) if by_person => {
                        service_level::first_response(ticket, at);
                    }
                    (MessageKind::Inbound, Actor::Contact(_)) if by_person => {
                        self.customer_wrote(ticket, message, &mut c);
                    }
                    _ => {}
                }
            }
        }
        // The clock starts at intake; a ticket that never had one (imported history, or
        // older than the policy) is not given one later.
        let clocked = matches!(change, TicketChange::Created { .. })
            || ticket.policy.sla.first_response_due.is_some();
        let sla_events = if clocked {
            service_level::refresh(&self.policy, ticket, self.judged_at.unwrap_or(at))
        } else {
            Vec::new()
        };
        for event in &sla_events {
            if let EventKind::SlaStateChanged { to, .. } = event {
                let reason = match to {
                    SlaState::AtRisk => Some(Reason::AtRisk),
                    SlaState::Breached => Some(Reason::Breached),
                    _ => None,
                };
                if let Some(reason) = reason {
                    let detail = Self::sla_detail(ticket);
                    self.notify(ticket, reason, &detail, &mut c);
                }
            }
        }
        c.events.extend(sla_events);
        if let (Some(mail), Some(message)) = (&self.mail, change.outgoing_message()) {
            c.outbox.extend(mail.emails(ticket, message));
        }
        if change.outgoing_message().is_some() {
            c.whatsapp.extend(self.whatsapp.iter().cloned());
            c.portal_links.extend(self.portal_links.iter().cloned());
        }
        c
    }
}
