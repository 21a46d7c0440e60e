//! Missed calls become call-back tasks: a "Devolver llamada" ticket for the called agent
//! (their backup while they are away), with its own SLA target, so it shows in the at-risk
//! and breached views like any promise. Further missed calls from the same number join the
//! open task. The task is done when an agent's outgoing call to that number is answered
//! (the call is recorded on it and it is solved), or when an agent solves it.

use super::record::{PhoneTicket, entry_text};
use crate::{App, Result};
use jiff::{SignedDuration, Timestamp};
use soporte_core::directory::{Agent, Contact};
use soporte_core::ids::{AgentId, TicketId};
use soporte_core::phone::{CallDirection, CallNumber, CallOutcome, EventEffect};
use soporte_core::support::Channel;
use soporte_core::ticket::{Actor, MessageKind, Status, TicketPatch};
use soporte_store::{CallBackFilter, CallQuery, MessageExtra, NewMessage, StoredCall, TicketQuery};
use std::sync::Arc;

/// Missed calls this old that still have no task are left alone by the sweep: they were
/// handled some other way, or the task was deliberately not wanted.
const SWEEP_WINDOW: SignedDuration = SignedDuration::from_hours(24);

impl App {
    /// What follows a stored event: a call-back task for a missed call, the end of the
    /// tasks an answered outgoing call settles.
    pub(super) async fn follow_call(&self, call: &StoredCall, effect: EventEffect) -> Result<()> {
        // An outgoing call placed from a request is recorded there first.
        let intended = match effect {
            EventEffect::Ended(_)
                if call.record.direction == CallDirection::Out && call.ticket.is_none() =>
            {
                self.record_intended_call(call).await?
            }
            _ => None,
        };
        let recorded = call.ticket.is_some() || intended.is_some();
        match effect {
            EventEffect::Ended(CallOutcome::Missed | CallOutcome::Busy)
                if call.record.needs_call_back() && !recorded =>
            {
                self.open_call_back(call).await.map(|_| ())
            }
            EventEffect::Ended(CallOutcome::Answered)
                if call.record.direction == CallDirection::Out =>
            {
                self.settle_call_backs(call, recorded).await
            }
            _ => Ok(()),
        }
    }

    /// Opens the call-back task of a missed call, or adds the call to the number's open
    /// one. Returns the task.
    async fn open_call_back(&self, call: &StoredCall) -> Result<TicketId> {
        let Some(number) = call
            .record
            .customer_number()
            .and_then(CallNumber::international)
            .map(str::to_string)
        else {
            return Err(crate::AppError::invalid(
                "call",
                "has no number to call back",
            ));
        };
        let agents = self.store.list_agents().await?;
        let callers = self
            .callers_by_number(call.record.customer_number())
            .await?;
        // A number several people share: the task goes to the oldest contact with it.
        let contact = callers.candidates.first();
        let entry = entry_text(call, contact.map(|c| c.name.as_str()), &agents);
        if let Some(open) = self.open_call_back_for(&number).await? {
            self.add_call_entry(open, call, entry, Actor::System, &agents)
                .await?;
            return Ok(open);
        }
        let owner = self.call_back_owner(call, contact, &agents).await?;
        self.open_phone_ticket(call, contact, &agents, PhoneTicket::CallBack { owner })
            .await
    }

    /// The number's open call-back task, if there is one.
    async fn open_call_back_for(&self, number: &str) -> Result<Option<TicketId>> {
        let open = self
            .store
            .list_tickets(&TicketQuery {
                statuses: vec![Status::New, Status::Open, Status::Pending, Status::OnHold],
                call_backs: Some(CallBackFilter::Number(number.to_string())),
                limit: 1,
                ..TicketQuery::default()
            })
            .await?;
        Ok(open.first().map(|t| t.id))
    }

    /// Who calls back: the called agent, or while they are away their account's backup.
    async fn call_back_owner(
        &self,
        call: &StoredCall,
        contact: Option<&Contact>,
        agents: &[Agent],
    ) -> Result<Option<(AgentId, &'static str)>> {
        let now = Timestamp::now();
        let available = |id: AgentId| {
            agents
                .iter()
                .find(|a| a.id == id)
                .is_some_and(|a| a.active && !a.is_absent_at(now))
        };
        let account = match contact.and_then(|c| c.account_id) {
            Some(id) => self.store.account(id).await?,
            None => None,
        };
        let called = call
            .agent
            .or(account.as_ref().and_then(|a| a.personal_agent_id));
        if let Some(agent) = called.filter(|a| available(*a)) {
            return Ok(Some((agent, "the call was to them")));
        }
        let backup = account.as_ref().and_then(|a| a.backup_agent_id);
        Ok(backup
            .filter(|a| available(*a))
            .map(|a| (a, "backup while the called agent is away")))
    }

    /// Writes a call's entry on a ticket, in the ticket's transaction.
    pub(super) async fn add_call_entry(
        &self,
        ticket: TicketId,
        call: &StoredCall,
        text: String,
        author: Actor,
        agents: &[Agent],
    ) -> Result<()> {
        let entry = NewMessage {
            kind: MessageKind::Call,
            author,
            channel: Channel::Phone,
            body_text: text,
            body_html: None,
            channel_message_id: None,
            attachments: vec![],
            extra: MessageExtra::call_entry(call.id),
        };
        let effects = self.change_effects(None, Vec::new(), Arc::new(agents.to_vec()));
        self.store
            .add_message_with(ticket, &entry, Arc::new(effects))
            .await?;
        Ok(())
    }

    /// An agent's outgoing call to a number was answered: the number's open call-back
    /// tasks are done. The call is recorded on the first of them, unless it is `recorded`
    /// already.
    async fn settle_call_backs(&self, call: &StoredCall, recorded: bool) -> Result<()> {
        let Some(number) = call
            .record
            .customer_number()
            .and_then(CallNumber::international)
        else {
            return Ok(());
        };
        let tasks = self
            .store
            .list_tickets(&TicketQuery {
                statuses: vec![Status::New, Status::Open, Status::Pending, Status::OnHold],
                call_backs: Some(CallBackFilter::Number(number.to_string())),
                limit: 20,
                ..TicketQuery::default()
            })
            .await?;
        let agents = self.store.list_agents().await?;
        let actor = call
            .answered_by
            .or(call.agent)
            .map_or(Actor::System, Actor::Agent);
        for (i, task) in tasks.iter().enumerate() {
            if i == 0 && !recorded {
                let callers = self
                    .callers_by_number(call.record.customer_number())
                    .await?;
                let caller = callers
                    .candidates
                    .iter()
                    .find(|c| c.id == task.requester_id)
                    .map(|c| c.name.as_str());
                let text = entry_text(call, caller, &agents);
                self.add_call_entry(task.id, call, text, actor, &agents)
                    .await?;
            }
            let patch = TicketPatch {
                status: Some(Status::Solved),
                ..TicketPatch::default()
            };
            let effects = self.change_effects(None, Vec::new(), Arc::new(agents.clone()));
            self.store
                .update_ticket_with(task.id, &patch, actor, Arc::new(effects))
                .await?;
        }
        Ok(())
    }

    /// Opens the call-back tasks of missed calls of the last day that have none: a process
    /// stopped between storing a hang-up and opening its task leaves one behind. Returns
    /// how many it opened.
    pub async fn sweep_missed_calls(&self) -> Result<usize> {
        if !self.phone_enabled() {
            return Ok(0);
        }
        let mut opened = 0;
        for outcome in [CallOutcome::Missed, CallOutcome::Busy] {
            let calls = self
                .store
                .list_calls(&CallQuery {
                    direction: Some(CallDirection::In),
                    outcome: Some(outcome),
                    unrecorded: true,
                    since: Some(Timestamp::now() - SWEEP_WINDOW),
                    limit: 200,
                    ..CallQuery::default()
                })
                .await?;
            for call in calls.iter().filter(|c| c.record.needs_call_back()) {
                self.open_call_back(call).await?;
                opened += 1;
            }
        }
        Ok(opened)
    }
}
