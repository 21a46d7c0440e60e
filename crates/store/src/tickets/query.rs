//! Which tickets a listing asks for, in which order, from which page.

use jiff::Timestamp;
use soporte_core::ids::{AccountId, AgentId, ContactId};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    CreatedDesc,
    CreatedAsc,
}

impl TicketSort {
    pub fn descending(self) -> bool {
        matches!(self, TicketSort::UpdatedDesc | TicketSort::CreatedDesc)
    }

    pub fn column(self) -> &'static str {
        match self {
            TicketSort::UpdatedDesc | TicketSort::UpdatedAsc => "updated_at",
            TicketSort::CreatedDesc | TicketSort::CreatedAsc => "created_at",
        }
    }

    /// The value a cursor remembers for this ordering.
    pub fn key_of(self, ticket: &soporte_core::ticket::Ticket) -> i64 {
        match self {
            TicketSort::UpdatedDesc | TicketSort::UpdatedAsc => ticket.updated_at.as_microsecond(),
            TicketSort::CreatedDesc | TicketSort::CreatedAsc => ticket.created_at.as_microsecond(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Agent(AgentId),
    Unassigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeFilter {
    Type(SupportType),
    Unset,
}

/// Position after the last row of the previous page: the sort key and the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketQuery {
    pub statuses: Vec<Status>,
    /// Tickets whose SLA is in one of these states (none: any).
    pub sla_states: Vec<soporte_core::policy::sla::SlaState>,
    pub support_type: Option<TypeFilter>,
    pub priority: Option<Priority>,
    pub channel: Option<Channel>,
    pub assignee: Option<AssigneeFilter>,
    pub account_id: Option<AccountId>,
    pub requester_id: Option<ContactId>,
    /// Call-back tasks only; with a number, those for that number.
    pub call_backs: Option<CallBackFilter>,
    pub updated_since: Option<Timestamp>,
    pub sort: TicketSort,
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// Which call-back tasks a query keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallBackFilter {
    Any,
    /// For this number, in international form.
    Number(String),
}
