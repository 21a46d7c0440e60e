//! API token scopes and the rule of who may see a ticket.

use crate::ids::{AccountId, ContactId};
use crate::string_enum;
use crate::ticket::Ticket;

string_enum!(
    /// What an API token may do. `contact` tokens belong to a customer and see only
    /// their own account's tickets.
    TokenScope {
        Admin => "admin",
        Agent => "agent",
        Contact => "contact",
    }
);

/// A customer sees the tickets of their account; a contact without an account sees the
/// tickets they asked for.
pub fn contact_may_see(ticket: &Ticket, contact: ContactId, account: Option<AccountId>) -> bool {
    match account {
        Some(account) => ticket.account_id == Some(account),
        None => ticket.requester_id == contact,
    }
}
