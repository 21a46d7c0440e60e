//! API token scopes and the rule of who may see a ticket.

use crate::directory::Contact;
use crate::string_enum;
use crate::ticket::Ticket;

string_enum!(
    /// What an API token may do. `contact` tokens belong to a customer and see only the
    /// requests [`contact_may_see`] allows.
    TokenScope {
        Admin => "admin",
        Agent => "agent",
        Contact => "contact",
    }
);

/// A customer sees the requests they made; their account's manager sees all of the
/// account's requests too. Colleagues' requests may be confidential within the company
/// (a salary query, a complaint), so only the person the account names as manager sees
/// them.
pub fn contact_may_see(ticket: &Ticket, contact: &Contact) -> bool {
    ticket.requester_id == contact.id
        || (contact.account_manager
            && contact.account_id.is_some()
            && ticket.account_id == contact.account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AccountId, ContactId, TicketId};
    use crate::support::{Channel, Priority};
    use crate::ticket::Status;
    use jiff::Timestamp;

    const SHOP: AccountId = AccountId(1);
    const OTHER: AccountId = AccountId(2);
    const ME: ContactId = ContactId(10);
    const COLLEAGUE: ContactId = ContactId(11);
    const STRANGER: ContactId = ContactId(20);

    fn contact(account: Option<AccountId>, manager: bool) -> Contact {
        Contact {
            id: ME,
            account_id: account,
            account_manager: manager,
            name: "Luis".into(),
            emails: vec![],
            phones: vec![],
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn ticket(requester: ContactId, account: Option<AccountId>) -> Ticket {
        Ticket {
            id: TicketId(1),
            number: "VND-1".into(),
            subject: "x".into(),
            status: Status::New,
            support_type: None,
            priority: Priority::Normal,
            channel: Channel::Portal,
            assignee_id: None,
            account_id: account,
            requester_id: requester,
            product_area: None,
            tags: vec![],
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            solved_at: None,
            closed_at: None,
            policy: Default::default(),
        }
    }

    #[test]
    fn who_sees_which_request() {
        let member = contact(Some(SHOP), false);
        let manager = contact(Some(SHOP), true);
        let loner = contact(None, false);
        let cases = [
            (
                "own request in the account",
                &member,
                ticket(ME, Some(SHOP)),
                true,
            ),
            (
                "a colleague's request",
                &member,
                ticket(COLLEAGUE, Some(SHOP)),
                false,
            ),
            (
                "a colleague's request, as manager",
                &manager,
                ticket(COLLEAGUE, Some(SHOP)),
                true,
            ),
            (
                "another account's request",
                &member,
                ticket(STRANGER, Some(OTHER)),
                false,
            ),
            (
                "another account's request, as manager",
                &manager,
                ticket(STRANGER, Some(OTHER)),
                false,
            ),
            (
                "own request, without an account",
                &loner,
                ticket(ME, None),
                true,
            ),
            (
                "someone's request, without an account",
                &loner,
                ticket(STRANGER, None),
                false,
            ),
            (
                "another account's request, without an account",
                &loner,
                ticket(STRANGER, Some(OTHER)),
                false,
            ),
            (
                "own request with no account, as manager",
                &manager,
                ticket(ME, None),
                true,
            ),
            (
                "someone's request with no account, as manager",
                &manager,
                ticket(STRANGER, None),
                false,
            ),
        ];
        for (case, who, ticket, expected) in cases {
            assert_eq!(contact_may_see(&ticket, who), expected, "{case}");
        }
    }

    #[test]
    fn the_flag_means_nothing_without_an_account() {
        // The directory refuses such a contact; should one exist, it sees what any other
        // contact without an account sees.
        let stray = contact(None, true);
        assert!(!contact_may_see(&ticket(STRANGER, None), &stray));
        assert!(contact_may_see(&ticket(ME, None), &stray));
    }
}
