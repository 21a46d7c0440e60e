//! The customer portal's use cases: signing in without a password to remember (one-time
//! links by e-mail, an agent's invitation, or a password the contact chose), the portal
//! session, and what a signed-in customer does with their requests.
//!
//! A portal session is a contact token labelled [`PORTAL_SESSION_LABEL`], kept by the
//! browser in a cookie of its own: it is neither an API credential nor a console session.
//! What a customer may see is decided by `soporte_core::auth::contact_may_see`, the same
//! rule as the API's.

mod brand;
mod emails;
mod new_request;
mod password;
mod requests;
mod satisfaction;
mod sign_in;
mod uploads;

pub use brand::{Brand, BrandError, Colour, Logo, MAX_LOGO_BYTES};
pub use new_request::{DraftCheck, RequestDraft};
pub use password::{
    PORTAL_FAILURES_PER_ADDRESS, PORTAL_FAILURES_PER_CLIENT, portal_session_seconds,
};
pub use requests::{MissingItemsInput, REQUESTS_PER_PAGE, RequestList, RequestPage};
pub(crate) use satisfaction::SatisfactionAsk;
pub use satisfaction::{MAX_RATING_COMMENT_CHARS, RatingInput, RatingLink};
pub use sign_in::{LinkState, PortalEntry, PortalUser};
pub use uploads::{MAX_FILE_BYTES, MAX_FILES, UploadRefusal, check_uploads};

use jiff::SignedDuration;
pub use soporte_store::{PortalLinkPurpose, Satisfaction};

/// The label of contact tokens that are portal sessions.
pub const PORTAL_SESSION_LABEL: &str = "portal session";
/// How long a portal session lasts after signing in: customers write from their phones
/// now and then, and should not have to sign in each time.
pub const PORTAL_SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(14 * 24);
/// How long a sign-in link asked for on the portal works.
pub const SIGN_IN_LINK_LIFETIME: SignedDuration = SignedDuration::from_mins(15);
/// How long an agent's invitation to the portal works: long enough to be read after a
/// holiday weekend.
pub const INVITATION_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);
/// How long the "add what is missing" link of an acknowledgement works.
pub const MISSING_ITEMS_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(14 * 24);
/// How long the rating link of a solved request's e-mail works.
pub const SATISFACTION_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Sign-in links sent to one address within [`LINK_REQUEST_WINDOW`], at most.
pub const LINKS_PER_ADDRESS: i64 = 5;
/// Sign-in links asked for from one client address within [`LINK_REQUEST_WINDOW`], at
/// most (an office shares one address).
pub const LINKS_PER_CLIENT: i64 = 30;
pub const LINK_REQUEST_WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// Spent and expired links are kept this long, so that opening one says what became of
/// it instead of "unknown".
const LINKS_KEPT: SignedDuration = SignedDuration::from_hours(30 * 24);

/// The portal's switches, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSettings {
    /// How long after a request is solved its customer may reopen it.
    pub reopen_within: SignedDuration,
    /// Whether customers are asked to rate solved requests (in the portal, and by e-mail
    /// when an agent solves one).
    pub satisfaction: bool,
    /// The company's logo and colours, on the portal and its e-mails.
    pub brand: Brand,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            reopen_within: SignedDuration::from_hours(7 * 24),
            satisfaction: true,
            brand: Brand::default(),
        }
    }
}

/// The anti-forgery token of a portal session: derived from the session's secret, like the
/// console's, but apart from it, so that one never stands for the other.
pub fn csrf_token(session: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(
        format!("soporte portal csrf\n{session}").as_bytes(),
    ))
}

/// Where a one-time link's secret opens the portal.
pub(crate) fn link_url(settings: &crate::AppSettings, secret: &str) -> String {
    format!(
        "{}/portal/link?token={secret}",
        settings.public_url.trim_end_matches('/')
    )
}

/// The one-time "add what is missing" link of an acknowledgement, drawn before the
/// ticket's transaction. The message kept on the ticket shows only [`Self::placeholder`]:
/// the link signs its holder in as the customer, so agents reading the conversation must
/// not see it. Only what is sent (the e-mail, the WhatsApp message) carries the address.
#[derive(Debug, Clone)]
pub(crate) struct MissingItemsLink {
    secret: String,
    pub url: String,
}

impl MissingItemsLink {
    /// A fresh link; `None` when no random secret could be drawn (the acknowledgement then
    /// goes without one).
    pub fn new(settings: &crate::AppSettings) -> Option<Self> {
        let secret = crate::auth::new_secret().ok()?;
        let url = link_url(settings, &secret);
        Some(Self { secret, url })
    }

    /// What the kept message says in place of the address.
    pub fn placeholder(language: crate::email::Language) -> &'static str {
        match language {
            crate::email::Language::Spanish => "[enlace personal al portal, enviado al cliente]",
            crate::email::Language::English => "[personal portal link, sent to the customer]",
        }
    }

    /// The row that keeps the link, for the ticket's transaction.
    pub fn row(
        &self,
        ticket: &soporte_core::ticket::Ticket,
        now: jiff::Timestamp,
    ) -> soporte_store::NewPortalLink {
        soporte_store::NewPortalLink {
            token_hash: crate::auth::hash_token(&self.secret),
            purpose: PortalLinkPurpose::MissingItems,
            contact: ticket.requester_id,
            ticket: Some(ticket.id),
            created_at: now,
            expires_at: now + MISSING_ITEMS_LINK_LIFETIME,
        }
    }
}

/// An acknowledgement's e-mail with the placeholder of the kept message replaced by the
/// link's address.
pub(crate) struct WithPortalLink {
    pub inner: std::sync::Arc<dyn crate::email::OutgoingMail>,
    pub placeholder: &'static str,
    pub url: String,
}

impl crate::email::OutgoingMail for WithPortalLink {
    fn emails(
        &self,
        ticket: &soporte_core::ticket::Ticket,
        message: &soporte_core::ticket::Message,
    ) -> Vec<soporte_store::NewOutbox> {
        let mut emails = self.inner.emails(ticket, message);
        for email in &mut emails {
            email.email.text = email.email.text.replace(self.placeholder, &self.url);
        }
        emails
    }
}
