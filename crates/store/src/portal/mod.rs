//! What the customer portal keeps: the one-time links customers receive (to sign in, to add
//! what a request is missing, to rate a solved request), the passwords contacts may choose,
//! and the ratings of solved requests. A portal session is an API token of the contact's,
//! with a label of its own (see [`crate::AccessStore`]).

use crate::{NewOutbox, NewToken, Result, TokenRecord};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::{ContactId, TicketId};
use soporte_core::string_enum;

string_enum!(
    /// What a one-time portal link is for: signing in (asked for on the portal's front door,
    /// or an agent's invitation), adding what a request is missing (in its acknowledgement;
    /// it opens that request), or rating a solved request (in the e-mail that says so).
    PortalLinkPurpose {
        SignIn => "sign_in",
        Invitation => "invitation",
        MissingItems => "missing_items",
        Satisfaction => "satisfaction",
    }
);

#[async_trait]
pub trait PortalStore: Send + Sync {
    /// Keeps a link (by the hash of its secret) and, when given, queues the e-mail that
    /// carries it, in one transaction. Forgets links that expired before `forget_before`.
    async fn create_portal_link(
        &self,
        link: &NewPortalLink,
        email: Option<&NewOutbox>,
        forget_before: Timestamp,
    ) -> Result<()>;
    /// The link with this hash, used or not, expired or not: the portal tells which.
    async fn portal_link(&self, token_hash: &str) -> Result<Option<PortalLinkRecord>>;
    /// Spends a link that is unused and unexpired at `at` and opens the portal session
    /// `session` of the link's contact (its owner is taken from the link), in one
    /// transaction. `None` when the link is unknown, used or expired, or is a rating link
    /// (which opens no session): then nothing is written.
    async fn sign_in_with_portal_link(
        &self,
        token_hash: &str,
        at: Timestamp,
        session: &PortalSession,
    ) -> Result<Option<(PortalLinkRecord, TokenRecord)>>;

    /// The portal password's hash of a contact, if they chose one.
    async fn contact_password_hash(&self, contact: ContactId) -> Result<Option<String>>;
    /// Keeps the contact's new password hash and ends their other portal sessions (those
    /// labelled `session_label`, but `keep`), in one transaction.
    async fn set_contact_password(
        &self,
        contact: ContactId,
        password_hash: &str,
        session_label: &str,
        keep: Option<soporte_core::ids::TokenId>,
        at: Timestamp,
    ) -> Result<()>;

    /// Records a rating of a solved request, and spends the link it came with (if any), in
    /// one transaction. `false` when the request was rated already or the link is used or
    /// expired: then nothing is written.
    async fn rate_ticket(&self, rating: &NewSatisfaction, link_hash: Option<&str>) -> Result<bool>;
    /// The rating of a request, if it has one.
    async fn ticket_satisfaction(&self, ticket: TicketId) -> Result<Option<Satisfaction>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPortalLink {
    pub token_hash: String,
    pub purpose: PortalLinkPurpose,
    pub contact: ContactId,
    pub ticket: Option<TicketId>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLinkRecord {
    pub purpose: PortalLinkPurpose,
    pub contact: ContactId,
    pub ticket: Option<TicketId>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// The session a spent link opens: a contact token of this hash and label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSession {
    pub token_hash: String,
    pub label: String,
}

impl PortalSession {
    pub(crate) fn token_for(&self, contact: ContactId) -> NewToken {
        NewToken {
            token_hash: self.token_hash.clone(),
            scope: soporte_core::auth::TokenScope::Contact,
            owner: crate::TokenOwner::Contact(contact),
            label: self.label.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSatisfaction {
    pub ticket: TicketId,
    pub contact: ContactId,
    /// 1 (bad) to 5 (very good).
    pub rating: i16,
    pub comment: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Satisfaction {
    pub ticket: TicketId,
    pub contact: ContactId,
    pub rating: i16,
    pub comment: String,
    pub created_at: Timestamp,
}
