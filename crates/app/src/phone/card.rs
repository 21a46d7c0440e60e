//! What an agent needs on screen while the phone rings: who calls (every contact with the
//! number), their account and its personal agent, their open requests, whether any is
//! urgent, and how each stands against its SLA.

use crate::{App, AppError, Principal, Result};
use soporte_core::directory::{Account, Agent, Contact};
use soporte_core::ids::CallId;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::Priority;
use soporte_core::ticket::{Status, Ticket};
use soporte_store::{StoredCall, TicketQuery};

/// Open requests shown per caller: the newest, which are what a caller rings about.
const OPEN_SHOWN: u32 = 5;

/// One person the number belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct CardCaller {
    pub contact: Contact,
    pub account: Option<Account>,
    pub personal_agent: Option<Agent>,
    /// Their open requests, newest first (at most five).
    pub open: Vec<Ticket>,
}

/// The card of one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallCard {
    pub call: StoredCall,
    pub callers: Vec<CardCaller>,
    /// Whether any of the callers' open requests is urgent.
    pub urgent: bool,
    /// The worst SLA state among them.
    pub worst_sla: Option<SlaState>,
    /// The request the call is recorded on.
    pub recorded_on: Option<Ticket>,
}

impl App {
    /// The card of a call, for agents.
    pub async fn call_card(&self, who: &Principal, id: CallId) -> Result<CallCard> {
        who.require_agent()?;
        let call = self
            .store
            .call(id)
            .await?
            .ok_or_else(|| AppError::not_found("call", id))?;
        let matched = self
            .callers_by_number(call.record.customer_number())
            .await?;
        let agents = self.store.list_agents().await?;
        let mut callers = Vec::with_capacity(matched.candidates.len());
        for contact in matched.candidates {
            let account = match contact.account_id {
                Some(account) => self.store.account(account).await?,
                None => None,
            };
            let personal_agent = account
                .as_ref()
                .and_then(|a| a.personal_agent_id)
                .and_then(|id| agents.iter().find(|a| a.id == id).cloned());
            let open = self
                .store
                .list_tickets(&TicketQuery {
                    statuses: vec![Status::New, Status::Open, Status::Pending, Status::OnHold],
                    requester_id: Some(contact.id),
                    limit: OPEN_SHOWN,
                    ..TicketQuery::default()
                })
                .await?;
            callers.push(CardCaller {
                contact,
                account,
                personal_agent,
                open,
            });
        }
        let open = callers.iter().flat_map(|c| c.open.iter());
        let urgent = open.clone().any(|t| t.priority == Priority::Urgent);
        let worst_sla = open
            .filter_map(|t| t.policy.sla.state)
            .max_by_key(|s| s.severity());
        let recorded_on = match call.ticket {
            Some(ticket) => self.store.ticket(ticket).await?,
            None => None,
        };
        Ok(CallCard {
            call,
            callers,
            urgent,
            worst_sla,
            recorded_on,
        })
    }
}
