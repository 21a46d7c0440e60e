//! Signing in to the portal by a one-time link, and the portal session.

use super::emails::{LinkEmail, link_email};
use super::{
    INVITATION_LIFETIME, LINK_REQUEST_WINDOW, LINKS_KEPT, LINKS_PER_ADDRESS, LINKS_PER_CLIENT,
    PORTAL_SESSION_LABEL, PORTAL_SESSION_LIFETIME, SIGN_IN_LINK_LIFETIME,
};
use crate::auth::{TOKEN_PREFIX, hash_token};
use crate::email::Language;
use crate::{App, AppError, Principal, Result};
use jiff::Timestamp;
use soporte_core::directory::{Contact, normalize_email};
use soporte_core::ids::{ContactId, TokenId};
use soporte_store::{NewOutbox, NewPortalLink, PortalLinkPurpose, PortalSession, TokenOwner};

/// What opening a link finds, before anything is spent (the portal shows a button that
/// spends it, so that a mail scanner following links does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Usable(PortalLinkPurpose),
    Used,
    Expired,
    /// Never issued, forgotten, or mistyped.
    Unknown,
}

/// A portal session just opened by a link: the cookie's value, whose it is, and the
/// request the link was about.
#[derive(Debug, Clone)]
pub struct PortalEntry {
    /// The only time the session's secret is visible: it is not stored.
    pub session: String,
    pub contact: ContactId,
    pub purpose: PortalLinkPurpose,
    /// The number of the request the link opens ("VND-000123").
    pub ticket_number: Option<String>,
}

/// A signed-in customer, as each portal page sees them.
#[derive(Debug, Clone)]
pub struct PortalUser {
    pub contact: Contact,
    /// The session's token, so that changing the password can keep this one open.
    pub session: TokenId,
}

impl PortalUser {
    pub fn principal(&self) -> Principal {
        Principal::Contact {
            contact: self.contact.clone(),
        }
    }
}

/// A secret as it may arrive from a link: a mail client may add spaces or cut nothing
/// else; anything too long to be one is no link.
pub(super) fn link_hash(secret: &str) -> Option<String> {
    let secret = secret.trim();
    (!secret.is_empty() && secret.len() <= 100).then(|| hash_token(secret))
}

impl App {
    /// Sends a sign-in link to `email` if it is a known contact's address; the caller is
    /// told the same either way. Links are counted per address and per client address
    /// before anything is looked up: past [`LINKS_PER_ADDRESS`] or [`LINKS_PER_CLIENT`]
    /// within [`LINK_REQUEST_WINDOW`] the request is refused, known address or not.
    pub async fn request_portal_link(
        &self,
        email: &str,
        client: Option<std::net::IpAddr>,
        language: Language,
    ) -> Result<()> {
        let email = normalize_email("email", email)?;
        let now = Timestamp::now();
        let mut keys = vec![(format!("portal-link:{email}"), LINKS_PER_ADDRESS)];
        keys.extend(client.map(|ip| (format!("portal-link-ip:{ip}"), LINKS_PER_CLIENT)));
        let counted = self
            .store
            .reserve_login_attempt(
                &keys,
                now,
                now - LINK_REQUEST_WINDOW,
                now - crate::auth::ATTEMPTS_KEPT,
            )
            .await?;
        if counted.is_none() {
            return Err(AppError::RateLimited {
                retry_after_secs: LINK_REQUEST_WINDOW.as_secs().unsigned_abs(),
            });
        }
        let Some(contact) = self.store.contact_by_email(&email).await? else {
            tracing::info!("portal link asked for an address that is no contact's");
            return Ok(());
        };
        self.send_portal_link(&contact, &email, LinkEmail::SignIn, language, None)
            .await
    }

    /// Gives a contact access to the portal: an e-mail, through the outbox, with a link
    /// that signs them in once within [`INVITATION_LIFETIME`].
    pub async fn invite_contact(&self, who: &Principal, id: ContactId) -> Result<()> {
        let agent = who.require_agent()?;
        let contact = self
            .store
            .contact(id)
            .await?
            .ok_or_else(|| AppError::not_found("contact", id))?;
        let Some(address) = contact.emails.first().cloned() else {
            return Err(AppError::invalid(
                "email",
                "this contact has no e-mail address to send the invitation to",
            ));
        };
        let language = self.settings().email.language;
        self.send_portal_link(
            &contact,
            &address,
            LinkEmail::Invitation,
            language,
            Some(&agent.name),
        )
        .await
    }

    async fn send_portal_link(
        &self,
        contact: &Contact,
        address: &str,
        kind: LinkEmail,
        language: Language,
        inviting_agent: Option<&str>,
    ) -> Result<()> {
        let (purpose, lifetime) = match kind {
            LinkEmail::SignIn => (PortalLinkPurpose::SignIn, SIGN_IN_LINK_LIFETIME),
            LinkEmail::Invitation => (PortalLinkPurpose::Invitation, INVITATION_LIFETIME),
        };
        let now = Timestamp::now();
        let secret = crate::auth::new_secret()?;
        let settings = self.settings();
        let link = super::link_url(&settings, &secret);
        let text = link_email(
            kind,
            language,
            &contact.name,
            &settings.company_name,
            &link,
            lifetime,
            inviting_agent,
        );
        let html = super::emails::branded_html(
            &settings,
            &text.text,
            &link,
            super::emails::button_words(Some(kind), language),
        );
        let email = settings.email.own_email(
            address.to_string(),
            text.subject,
            text.text,
            html,
            purpose.as_str(),
            now,
        );
        self.store
            .create_portal_link(
                &NewPortalLink {
                    token_hash: hash_token(&secret),
                    purpose,
                    contact: contact.id,
                    ticket: None,
                    created_at: now,
                    expires_at: now + lifetime,
                },
                Some(&NewOutbox {
                    kind: format!("portal_{purpose}"),
                    recipient: address.to_string(),
                    email,
                    delivers_message: false,
                }),
                now - LINKS_KEPT,
            )
            .await?;
        Ok(())
    }

    /// What became of a link, without spending it.
    pub async fn portal_link_state(&self, secret: &str) -> Result<LinkState> {
        let Some(hash) = link_hash(secret) else {
            return Ok(LinkState::Unknown);
        };
        Ok(match self.store.portal_link(&hash).await? {
            None => LinkState::Unknown,
            Some(link) if link.used_at.is_some() => LinkState::Used,
            Some(link) if link.expires_at <= Timestamp::now() => LinkState::Expired,
            Some(link) => LinkState::Usable(link.purpose),
        })
    }

    /// Spends a sign-in, invitation or "add what is missing" link and opens a portal
    /// session for its contact. A link works once: the second use, like an expired or
    /// unknown link, gets what became of it instead.
    pub async fn sign_in_with_link(
        &self,
        secret: &str,
    ) -> Result<std::result::Result<PortalEntry, LinkState>> {
        let Some(hash) = link_hash(secret) else {
            return Ok(Err(LinkState::Unknown));
        };
        let session = format!("{TOKEN_PREFIX}{}", crate::auth::new_secret()?);
        let opened = self
            .store
            .sign_in_with_portal_link(
                &hash,
                Timestamp::now(),
                &PortalSession {
                    token_hash: hash_token(&session),
                    label: PORTAL_SESSION_LABEL.to_string(),
                },
            )
            .await?;
        match opened {
            Some((link, _)) => {
                let ticket_number = match link.ticket {
                    Some(id) => self.store.ticket(id).await?.map(|t| t.number),
                    None => None,
                };
                Ok(Ok(PortalEntry {
                    session,
                    contact: link.contact,
                    purpose: link.purpose,
                    ticket_number,
                }))
            }
            None => Ok(Err(match self.portal_link_state(secret).await? {
                // A rating link opens no session; to the customer it is as good as used.
                LinkState::Usable(_) => LinkState::Used,
                other => other,
            })),
        }
    }

    /// Opens a portal session for a contact whose identity was proved otherwise (their
    /// password).
    pub(crate) async fn open_portal_session(&self, contact: ContactId) -> Result<String> {
        let session = format!("{TOKEN_PREFIX}{}", crate::auth::new_secret()?);
        self.store
            .create_token(&soporte_store::NewToken {
                token_hash: hash_token(&session),
                scope: soporte_core::auth::TokenScope::Contact,
                owner: TokenOwner::Contact(contact),
                label: PORTAL_SESSION_LABEL.to_string(),
            })
            .await?;
        Ok(session)
    }

    /// The customer behind a portal session cookie. Sessions end on signing out, when a
    /// new password is chosen elsewhere, and [`PORTAL_SESSION_LIFETIME`] after signing in.
    pub async fn portal_session(&self, plaintext: &str) -> Result<PortalUser> {
        let record = self
            .live_session(plaintext, PORTAL_SESSION_LABEL, PORTAL_SESSION_LIFETIME)
            .await?;
        let session = record.id;
        match self.principal_of(record).await? {
            Principal::Contact { contact } => Ok(PortalUser { contact, session }),
            Principal::Agent { .. } => Err(AppError::Unauthorized),
        }
    }

    /// Signs a portal session out; an unknown or finished session is no error.
    pub async fn end_portal_session(&self, plaintext: &str) -> Result<()> {
        self.end_session_labelled(plaintext, PORTAL_SESSION_LABEL)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_secrets_of_a_sensible_size_are_looked_up() {
        assert_eq!(link_hash("   "), None);
        assert_eq!(link_hash(&"a".repeat(101)), None);
        assert_eq!(link_hash(" abc "), Some(hash_token("abc")));
    }
}
