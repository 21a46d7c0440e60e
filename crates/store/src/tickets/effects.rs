//! The rules a ticket's change applies inside its own transaction, and what they cause.

use crate::{AutomaticAnswer, NewOutbox, NewWhatsAppOutbox};
use jiff::Timestamp;
use soporte_core::ticket::{Message, Ticket};

/// A change to a ticket, as the rules applied inside its transaction see it.
#[derive(Debug, Clone, Copy)]
pub enum TicketChange<'a> {
    /// A new ticket with its first message, and the automatic answer written with it.
    Created {
        message: &'a Message,
        answer: Option<&'a Message>,
    },
    /// An edit (or nothing but the passing of time, for the SLA worker).
    Edited { before: &'a Ticket },
    MessageAdded {
        before: &'a Ticket,
        message: &'a Message,
    },
}

impl TicketChange<'_> {
    /// The outgoing message an e-mail of this change may deliver.
    pub fn outgoing_message(&self) -> Option<&Message> {
        match self {
            TicketChange::Created { answer, .. } => *answer,
            TicketChange::MessageAdded { message, .. } => Some(message),
            TicketChange::Edited { .. } => None,
        }
    }
}

/// What a change causes besides itself: history written as Soporte's own, e-mails and
/// WhatsApp messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consequences {
    pub events: Vec<soporte_core::ticket::EventKind>,
    pub outbox: Vec<NewOutbox>,
    pub whatsapp: Vec<NewWhatsAppOutbox>,
    /// One-time portal links an outgoing message carries (the acknowledgement's "add
    /// what is missing"), kept in the same transaction as the message that shows them.
    pub portal_links: Vec<crate::NewPortalLink>,
}

/// Rules applied inside a ticket's transaction, after the change itself: they may adjust
/// the ticket (its policy record: checklist, SLA clock) and say what else follows. They
/// see the ticket as stored (with its number) and the messages with their ids.
pub trait TicketEffects: Send + Sync {
    /// Soporte's own answer to a new ticket (acknowledgement, redirect), written with it.
    /// It sees the ticket with its number.
    fn answer(&self, _ticket: &Ticket) -> Option<AutomaticAnswer> {
        None
    }
    fn apply(&self, change: TicketChange<'_>, ticket: &mut Ticket, at: Timestamp) -> Consequences;
}

/// Nothing follows.
pub struct NoEffects;

impl TicketEffects for NoEffects {
    fn apply(&self, _: TicketChange<'_>, _: &mut Ticket, _: Timestamp) -> Consequences {
        Consequences::default()
    }
}
