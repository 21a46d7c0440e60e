//! Click to call from a request: the agent's "Llamar" is kept as an intent, and the
//! outgoing call the phone system reports next from that agent to that number is recorded
//! on the request when it ends. Phone systems that report outgoing calls need nothing else.

use crate::{App, AppError, Principal, Result};
use jiff::{SignedDuration, Timestamp};
use soporte_core::ids::TicketId;
use soporte_core::phone::{CallNumber, read_call_number};
use soporte_core::ticket::Actor;
use soporte_store::StoredCall;

/// How long after "Llamar" an outgoing call is taken to be that one.
const INTENT_WINDOW: SignedDuration = SignedDuration::from_mins(10);

impl App {
    /// Keeps that the agent is calling `number` about request `ticket`; returns the number
    /// to dial, in international form.
    pub async fn intend_call(
        &self,
        who: &Principal,
        ticket: TicketId,
        number: &str,
    ) -> Result<String> {
        let agent = who.require_agent()?.clone();
        self.ticket(who, ticket).await?;
        let plan = self
            .settings()
            .phone
            .as_ref()
            .map_or(soporte_core::phone::NumberingPlan::SPAIN, |p| p.plan);
        let number = match read_call_number(number, plan) {
            Ok(CallNumber::International(n)) => n,
            _ => return Err(AppError::invalid("number", "is not a number to call")),
        };
        let now = Timestamp::now();
        self.store
            .add_call_intent(agent.id, &number, ticket, now, now - INTENT_WINDOW * 6)
            .await?;
        Ok(number)
    }

    /// Records an ended outgoing call on the request it was placed from, if an agent
    /// pressed "Llamar" there shortly before; returns the request.
    pub(super) async fn record_intended_call(&self, call: &StoredCall) -> Result<Option<TicketId>> {
        let Some(number) = call
            .record
            .customer_number()
            .and_then(CallNumber::international)
        else {
            return Ok(None);
        };
        let since = call.record.started_at - INTENT_WINDOW;
        let Some(ticket) = self
            .store
            .take_call_intent(call.agent, number, since)
            .await?
        else {
            return Ok(None);
        };
        let agents = self.store.list_agents().await?;
        let caller = match self.store.ticket(ticket).await? {
            Some(t) => self.store.contact(t.requester_id).await?.map(|c| c.name),
            None => return Ok(None),
        };
        let text = super::record::entry_text(call, caller.as_deref(), &agents);
        let author = call.agent.map_or(Actor::System, Actor::Agent);
        self.add_call_entry(ticket, call, text, author, &agents)
            .await?;
        Ok(Some(ticket))
    }
}
