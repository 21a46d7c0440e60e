//! A password a contact may choose, to sign in to the portal without waiting for a link.

use super::sign_in::PortalUser;
use super::{PORTAL_SESSION_LABEL, PORTAL_SESSION_LIFETIME};
use crate::auth::{ATTEMPTS_KEPT, LOGIN_WINDOW};
use crate::{App, AppError, Result};
use jiff::Timestamp;
use soporte_core::directory::normalize_email;
use std::sync::OnceLock;

/// Wrong passwords allowed per address within [`LOGIN_WINDOW`].
pub const PORTAL_FAILURES_PER_ADDRESS: i64 = 5;
/// Wrong passwords allowed per client address within [`LOGIN_WINDOW`].
pub const PORTAL_FAILURES_PER_CLIENT: i64 = 20;

/// A hash no password matches, checked when the address has no password, so that the
/// answer takes as long as for a customer who has one: the time must not tell who is a
/// customer.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        crate::auth::hash_password("decoy password that guards timing").unwrap_or_default()
    })
}

impl App {
    /// Signs a contact in with the password they chose; returns the new session's secret.
    /// Attempts are counted per address and per client address before the password is
    /// checked (a right password takes its attempt back), as for agents.
    pub async fn portal_log_in(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<String> {
        let email = normalize_email("email", email).map_err(|_| AppError::Unauthorized)?;
        let now = Timestamp::now();
        let mut keys = vec![(format!("portal-email:{email}"), PORTAL_FAILURES_PER_ADDRESS)];
        keys.extend(client.map(|ip| (format!("portal-ip:{ip}"), PORTAL_FAILURES_PER_CLIENT)));
        let Some(attempt) = self
            .store
            .reserve_login_attempt(&keys, now, now - LOGIN_WINDOW, now - ATTEMPTS_KEPT)
            .await?
        else {
            return Err(AppError::RateLimited {
                retry_after_secs: LOGIN_WINDOW.as_secs().unsigned_abs(),
            });
        };
        let contact = self.store.contact_by_email(&email).await?;
        let hash = match &contact {
            Some(c) => self.store.contact_password_hash(c.id).await?,
            None => None,
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| decoy_hash().to_string());
        let right = self.check_password_hash(password, hash).await?;
        match contact {
            Some(contact) if known && right => {
                self.store.release_login_attempts(&attempt).await?;
                self.store
                    .clear_login_failures(&format!("portal-email:{email}"))
                    .await?;
                self.open_portal_session(contact.id).await
            }
            _ => Err(AppError::Unauthorized),
        }
    }

    /// Sets the signed-in contact's portal password. Their other portal sessions end; this
    /// one stays open.
    pub async fn set_portal_password(&self, user: &PortalUser, password: &str) -> Result<()> {
        let password = password.to_string();
        let hash = tokio::task::spawn_blocking(move || crate::directory::check_password(&password))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        self.store
            .set_contact_password(
                user.contact.id,
                &hash,
                PORTAL_SESSION_LABEL,
                Some(user.session),
                Timestamp::now(),
            )
            .await?;
        Ok(())
    }

    /// Whether the contact has chosen a portal password.
    pub async fn has_portal_password(&self, user: &PortalUser) -> Result<bool> {
        Ok(self
            .store
            .contact_password_hash(user.contact.id)
            .await?
            .is_some())
    }
}

/// How long a portal session lasts, in seconds (the cookie's Max-Age).
pub fn portal_session_seconds() -> i64 {
    PORTAL_SESSION_LIFETIME.as_secs()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_decoy_matches_no_password() {
        let decoy = super::decoy_hash();
        assert!(decoy.starts_with("$argon2id$"));
        assert!(!crate::auth::verify_password("", decoy));
        assert!(!crate::auth::verify_password("decoy", decoy));
    }
}
