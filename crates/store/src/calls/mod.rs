//! What the phone channel keeps: every call the phone system reported, put together from
//! its events (each taken in once), whose call it is, who answered, and the request it is
//! recorded on. A call's entry on a request is a message written in that request's
//! transaction ([`crate::MessageExtra::call`]).

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::{AgentId, CallId, ContactId, MessageId, TicketId};
use soporte_core::phone::{
    CallDirection, CallOutcome, CallProgress, CallRecord, CtiEvent, EventEffect,
};

#[async_trait]
pub trait CallStore: Send + Sync {
    /// Takes one event in, in one transaction: the call is begun or moved on, and the
    /// event kept so that the same event posted again changes nothing. Returns the call as
    /// it now is, and what the event changed (`None` when it was taken in before).
    async fn record_call_event(
        &self,
        new: &NewCallEvent<'_>,
    ) -> Result<(StoredCall, Option<EventEffect>)>;
    async fn call(&self, id: CallId) -> Result<Option<StoredCall>>;
    /// Calls newest first, as `query` narrows them.
    async fn list_calls(&self, query: &CallQuery) -> Result<Vec<StoredCall>>;

    /// Keeps that `agent` is about to call `number` about `ticket`, forgetting intents
    /// older than `forget_before`.
    async fn add_call_intent(
        &self,
        agent: AgentId,
        number: &str,
        ticket: TicketId,
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<()>;
    /// Takes (and forgets) the newest intent to call `number` made at or after `since`, by
    /// `agent` when the call's agent is known: the request the call is about.
    async fn take_call_intent(
        &self,
        agent: Option<AgentId>,
        number: &str,
        since: Timestamp,
    ) -> Result<Option<TicketId>>;
}

/// One event, with what Soporte made of it before it is stored.
#[derive(Debug, Clone)]
pub struct NewCallEvent<'a> {
    pub event: &'a CtiEvent,
    pub received_at: Timestamp,
    /// A new call from a blocked number: turned away, and recorded as such.
    pub rejected: bool,
    /// Whose call it is, when the event tells (the called agent's number, the caller of
    /// an outgoing call); a call keeps the first one found.
    pub agent: Option<AgentId>,
    /// The agent who picked up, when the event names one.
    pub answered_by: Option<AgentId>,
    /// The customer, when the number belongs to exactly one contact.
    pub contact: Option<ContactId>,
}

/// A call as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCall {
    pub id: CallId,
    pub record: CallRecord,
    pub agent: Option<AgentId>,
    /// The agent who picked up last.
    pub answered_by: Option<AgentId>,
    pub contact: Option<ContactId>,
    /// The request the call is recorded on, and its entry there.
    pub ticket: Option<TicketId>,
    pub message: Option<MessageId>,
    pub updated_at: Timestamp,
}

/// Which calls to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallQuery {
    pub agent: Option<AgentId>,
    pub direction: Option<CallDirection>,
    pub progress: Option<CallProgress>,
    pub outcome: Option<CallOutcome>,
    /// The customer's number, in international form.
    pub customer_number: Option<String>,
    pub contact: Option<ContactId>,
    pub ticket: Option<TicketId>,
    /// Only calls not recorded on any request yet.
    pub unrecorded: bool,
    /// Calls that began at or after this time.
    pub since: Option<Timestamp>,
    /// Calls that began before this time.
    pub until: Option<Timestamp>,
    /// The page after this call (newest first: older calls follow).
    pub after: Option<(Timestamp, CallId)>,
    pub limit: u32,
}
