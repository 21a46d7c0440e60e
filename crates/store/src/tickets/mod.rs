//! Tickets: each request with its messages, attachments and history, the rules applied
//! inside every change's transaction (`effects`), listings and their filters (`query`),
//! merges, and who is looking at a ticket right now.

mod effects;
mod new;
mod query;

pub use effects::{Consequences, NoEffects, TicketChange, TicketEffects};
pub use new::{AutomaticAnswer, MessageExtra, NewAttachment, NewMessage, NewTicket, Requester};
pub use query::{AssigneeFilter, CallBackFilter, Cursor, TicketQuery, TicketSort, TypeFilter};

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::{AgentId, AttachmentId, MessageId, TicketId};
use soporte_core::ticket::{Actor, Attachment, Event, Message, Ticket, TicketPatch};
use std::collections::HashMap;
use std::sync::Arc;

#[async_trait]
pub trait TicketStore: Send + Sync {
    // Changes, each one transaction with the rules that follow from it
    async fn create_ticket(&self, new: &NewTicket) -> Result<Ticket> {
        Ok(self.create_ticket_with(new, Arc::new(NoEffects)).await?.0)
    }
    /// Creates the ticket and its first message, and queues the e-mails `effects` asks
    /// for, all in one transaction.
    async fn create_ticket_with(
        &self,
        new: &NewTicket,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)>;
    async fn update_ticket(
        &self,
        id: TicketId,
        patch: &TicketPatch,
        actor: Actor,
    ) -> Result<Ticket> {
        self.update_ticket_with(id, patch, actor, Arc::new(NoEffects))
            .await
    }
    /// Applies an edit and the rules that follow from it in one transaction. An empty
    /// patch with effects re-applies the rules alone (the SLA worker's check).
    async fn update_ticket_with(
        &self,
        id: TicketId,
        patch: &TicketPatch,
        actor: Actor,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<Ticket>;
    async fn add_message(&self, ticket: TicketId, new: &NewMessage) -> Result<(Ticket, Message)> {
        self.add_message_with(ticket, new, Arc::new(NoEffects))
            .await
    }
    async fn add_message_with(
        &self,
        ticket: TicketId,
        new: &NewMessage,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)>;
    /// Moves every message (with its attachments, search rows and e-mails) of `source`
    /// into `target` and closes `source`, with a history entry on both, in one
    /// transaction. Returns the target as it is afterwards.
    async fn merge_tickets(
        &self,
        source: TicketId,
        target: TicketId,
        actor: Actor,
    ) -> Result<Ticket>;

    // Reading one ticket
    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>>;
    async fn ticket_messages(&self, id: TicketId) -> Result<Vec<Message>>;
    async fn ticket_events(&self, id: TicketId) -> Result<Vec<Event>>;
    async fn message(&self, id: MessageId) -> Result<Option<Message>>;
    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>>;
    async fn message_by_channel_id(
        &self,
        channel_message_id: &str,
    ) -> Result<Option<(TicketId, MessageId)>>;

    // Listings
    async fn list_tickets(&self, query: &TicketQuery) -> Result<Vec<Ticket>>;
    /// How many tickets match the query's filters (its paging and order are ignored).
    async fn count_tickets(&self, query: &TicketQuery) -> Result<i64>;
    /// Open tickets (new, open, pending, on hold) per assignee, for these agents.
    async fn open_ticket_counts(&self, agents: &[AgentId]) -> Result<HashMap<AgentId, i64>>;
    /// Tickets whose SLA state may have changed by now, oldest check first.
    async fn tickets_due_for_sla_check(&self, now: Timestamp, limit: u32) -> Result<Vec<TicketId>>;

    // Who is on a ticket now
    /// Records that `agent` has `ticket` open (and whether they are writing a reply), and
    /// returns the other agents seen on it since `since`, with their replying flag.
    async fn touch_presence(
        &self,
        ticket: TicketId,
        agent: AgentId,
        replying: bool,
        at: Timestamp,
        since: Timestamp,
    ) -> Result<Vec<(AgentId, bool)>>;
}
