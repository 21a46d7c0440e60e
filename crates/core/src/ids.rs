//! Typed identifiers, so an account id can never be passed where a ticket id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A customer company.
    AccountId,
    /// A person who writes to support on behalf of an account.
    ContactId,
    /// A member of the support team.
    AgentId,
    TicketId,
    MessageId,
    AttachmentId,
    EventId,
    TokenId,
    /// A phone call, as Soporte numbers it (the phone system's own id is a text).
    CallId,
);
