//! Recording a call on a request: on one of the caller's open requests the agent picks, or
//! on a new phone request opened from the call. The call's entry (a `call` message) and the
//! call's link to it are written in the request's transaction, so a call is recorded once.

use crate::{App, AppError, Principal, Result};
use soporte_core::directory::{Agent, Contact};
use soporte_core::ids::{CallId, ContactId, TicketId};
use soporte_core::phone::{CallDirection, CallNumber, CallOutcome, CallProgress};
use soporte_core::support::Channel;
use soporte_core::ticket::{Actor, Status};
use soporte_store::{MessageExtra, NewContact, NewTicket, Requester, StoredCall};
use std::sync::Arc;

/// Where a call is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallTarget {
    /// One of the caller's requests.
    Ticket(TicketId),
    /// A new phone request, for this contact (one of the numbers' contacts), or for a new
    /// contact with the number when nobody has it.
    NewRequest { contact: Option<ContactId> },
}

/// Why a phone ticket is opened.
#[derive(Clone, Copy)]
pub(super) enum PhoneTicket<'a> {
    /// An agent records the call on a new request.
    FromCall(&'a Agent),
    /// Nobody took the call: someone must call back. `owner` is who, and why, when the
    /// call's agent (or their backup) is known.
    CallBack {
        owner: Option<(soporte_core::ids::AgentId, &'static str)>,
    },
}

/// A number as people read it: `+34 600 111 222`.
pub fn spaced_number(number: &str) -> String {
    match number.strip_prefix("+34") {
        Some(national) if national.len() == 9 => format!(
            "+34 {} {} {}",
            &national[..3],
            &national[3..6],
            &national[6..]
        ),
        _ => number.to_string(),
    }
}

/// What the call's entry says: who called whom, who answered, and how it went, as far as
/// it is known when it is written (the console shows the call as it is now).
pub(crate) fn entry_text(call: &StoredCall, caller: Option<&str>, agents: &[Agent]) -> String {
    let name_of = |id: Option<soporte_core::ids::AgentId>| {
        id.and_then(|id| agents.iter().find(|a| a.id == id))
            .map(|a| a.name.clone())
    };
    let number = match call.record.customer_number() {
        Some(CallNumber::Withheld) | None => "número oculto".to_string(),
        Some(n) => spaced_number(n.as_text()),
    };
    let customer = match caller {
        Some(name) => format!("{name} ({number})"),
        None => number,
    };
    let agent = name_of(call.agent);
    let mut text = match (call.record.direction, &agent) {
        (CallDirection::In, Some(agent)) => format!("Llamada entrante de {customer} a {agent}"),
        (CallDirection::In, None) => format!("Llamada entrante de {customer}"),
        (CallDirection::Out, Some(agent)) => format!("Llamada de {agent} a {customer}"),
        (CallDirection::Out, None) => format!("Llamada saliente a {customer}"),
    };
    if let Some(answerer) = name_of(call.answered_by) {
        text.push_str(&format!(", atendida por {answerer}"));
    }
    text.push('.');
    let state = match (call.record.progress(), call.record.outcome()) {
        (CallProgress::Ringing, _) => "Sonando cuando se registró.".to_string(),
        (CallProgress::Talking, _) => "En curso cuando se registró.".to_string(),
        (_, Some(CallOutcome::Answered)) => {
            let secs = call.record.talk_time().map_or(0, |d| d.as_secs());
            format!("Duración: {} min {:02} s.", secs / 60, secs % 60)
        }
        (_, Some(CallOutcome::Missed)) => "Nadie la atendió.".to_string(),
        (_, Some(CallOutcome::Busy)) => "La línea estaba ocupada.".to_string(),
        (_, Some(CallOutcome::Rejected)) => "Rechazada: número bloqueado.".to_string(),
        (_, Some(CallOutcome::Forwarded)) => "Desviada antes de ser atendida.".to_string(),
        (_, None) => String::new(),
    };
    if !state.is_empty() {
        text.push(' ');
        text.push_str(&state);
    }
    text
}

impl App {
    /// Records a call on a request; returns the request.
    pub async fn record_call(
        &self,
        who: &Principal,
        id: CallId,
        target: CallTarget,
    ) -> Result<TicketId> {
        let agent = who.require_agent()?.clone();
        let call = self
            .store
            .call(id)
            .await?
            .ok_or_else(|| AppError::not_found("call", id))?;
        if call.ticket.is_some() {
            return Err(AppError::Conflict {
                field: "call".into(),
                message: "this call is already recorded on a request".into(),
            });
        }
        let callers = self
            .callers_by_number(call.record.customer_number())
            .await?;
        let agents = self.store.list_agents().await?;
        match target {
            CallTarget::Ticket(ticket_id) => {
                let ticket = self
                    .store
                    .ticket(ticket_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("ticket", ticket_id))?;
                if ticket.status == Status::Closed {
                    return Err(AppError::TicketClosed);
                }
                let caller = callers
                    .candidates
                    .iter()
                    .find(|c| c.id == ticket.requester_id)
                    .map(|c| c.name.as_str());
                let text = entry_text(&call, caller, &agents);
                self.add_call_entry(ticket_id, &call, text, Actor::Agent(agent.id), &agents)
                    .await?;
                Ok(ticket_id)
            }
            CallTarget::NewRequest { contact } => {
                let contact: Option<&Contact> = match contact {
                    Some(id) => Some(callers.candidates.iter().find(|c| c.id == id).ok_or_else(
                        || AppError::invalid("contact", "is not one of the caller's contacts"),
                    )?),
                    None => callers.single(),
                };
                self.open_phone_ticket(&call, contact, &agents, PhoneTicket::FromCall(&agent))
                    .await
            }
        }
    }

    /// Opens a phone ticket whose first entry is the call, for `contact` or, when the
    /// number is nobody's, for a new contact with it.
    pub(super) async fn open_phone_ticket(
        &self,
        call: &StoredCall,
        contact: Option<&Contact>,
        agents: &[Agent],
        purpose: PhoneTicket<'_>,
    ) -> Result<TicketId> {
        let number = call
            .record
            .customer_number()
            .and_then(CallNumber::international)
            .map(str::to_string);
        let (requester, name, account_id) = match contact {
            Some(c) => (Requester::Existing(c.id), c.name.clone(), c.account_id),
            None => {
                let name = number
                    .as_deref()
                    .map_or_else(|| "Número oculto".to_string(), spaced_number);
                let new = NewContact {
                    account_id: None,
                    account_manager: false,
                    name: name.clone(),
                    emails: vec![],
                    phones: number.iter().cloned().collect(),
                };
                (Requester::New(new), name, None)
            }
        };
        let subject = match purpose {
            PhoneTicket::FromCall(_) => format!("Llamada de {name}"),
            PhoneTicket::CallBack { .. } => format!("Devolver llamada a {name}"),
        };
        let body = entry_text(call, contact.map(|c| c.name.as_str()), agents);
        let (assignee, reason) = match purpose {
            // The agent on the phone keeps the request: the caller has just spoken to them.
            PhoneTicket::FromCall(agent) => match call.answered_by.or(call.agent) {
                Some(on_the_phone) => (Some(on_the_phone), "took the call".to_string()),
                None => (Some(agent.id), "recorded the call".to_string()),
            },
            PhoneTicket::CallBack { owner } => match owner {
                Some(owner) => (Some(owner.0), owner.1.to_string()),
                None => (None, String::new()),
            },
        };
        // Nothing is written yet that the policy could read: the type, the checklist and
        // the urgency come from the call's summary.
        let mut policy = soporte_core::ticket::TicketPolicy::default();
        let created_by = match purpose {
            PhoneTicket::FromCall(agent) => Actor::Agent(agent.id),
            PhoneTicket::CallBack { .. } => {
                policy.call_back = number.clone();
                Actor::System
            }
        };
        let new = NewTicket {
            number_prefix: self.settings().ticket_prefix.clone(),
            subject,
            support_type: None,
            channel: Channel::Phone,
            priority: soporte_core::support::Priority::Normal,
            assignee_id: assignee,
            assignment_reason: Some(reason).filter(|r| !r.is_empty()),
            account_id,
            requester,
            product_area: None,
            tags: vec![],
            body_text: body,
            body_html: None,
            channel_message_id: None,
            attachments: vec![],
            extra: MessageExtra::call_entry(call.id),
            created_by: Some(created_by),
            policy,
        };
        let (ticket, _) = self
            .store
            .create_ticket_with(
                &new,
                Arc::new(self.change_effects(None, Vec::new(), Arc::new(agents.to_vec()))),
            )
            .await?;
        Ok(ticket.id)
    }
}
