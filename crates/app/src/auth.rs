//! API tokens and passwords. Tokens are random, shown once, and stored only as SHA-256
//! (they carry 256 bits of entropy, so a fast hash is right); passwords use argon2id.

use crate::two_factor::Login;
use crate::{App, AppError, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Agent, Contact};
use soporte_core::ids::TokenId;
use soporte_store::{NewToken, TokenOwner, TokenRecord};

pub(crate) const TOKEN_PREFIX: &str = "sop_";
/// The label of tokens that are console sessions.
pub const SESSION_LABEL: &str = "console session";
/// Wrong passwords allowed per account within [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES_PER_ACCOUNT: i64 = 5;
/// Wrong passwords allowed per client address within [`LOGIN_WINDOW`] (an office shares one).
pub const LOGIN_FAILURES_PER_ADDRESS: i64 = 20;
pub const LOGIN_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// How long a password-reset link works.
pub const RESET_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(1);
/// Reset links sent to one address in an hour, at most.
pub const RESET_LINKS_PER_HOUR: i64 = 3;
/// How long counted attempts (logins, reset links) are kept: the longest of their windows.
pub(crate) const ATTEMPTS_KEPT: SignedDuration = SignedDuration::from_hours(1);
/// Passwords checked at once, at most: an argon2 check takes 19 MiB and a core for tens of
/// milliseconds, so a flood of logins must queue instead of running side by side.
pub const PASSWORD_CHECKS_AT_ONCE: usize = 2;
/// How long a login waits for its turn to check a password before it is refused.
const PASSWORD_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a new agent's link to choose a password works: long enough to be read after a
/// weekend.
pub const INVITATION_LIFETIME: SignedDuration = SignedDuration::from_hours(72);

/// Why an agent gets a link to choose a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PasswordLink {
    /// They asked for one ("¿Ha olvidado la contraseña?").
    Reset,
    /// An administrator added them.
    Invitation,
}

impl PasswordLink {
    fn lifetime(self) -> SignedDuration {
        match self {
            PasswordLink::Reset => RESET_LINK_LIFETIME,
            PasswordLink::Invitation => INVITATION_LIFETIME,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PasswordLink::Reset => "reset",
            PasswordLink::Invitation => "invitation",
        }
    }
}
/// How long a console session lasts after login: a working day and then some.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    Agent { agent: Agent, scope: TokenScope },
    Contact { contact: Contact },
}

impl Principal {
    /// Admin rights need both an admin token and an agent who is still an admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Agent { agent, scope: TokenScope::Admin } if agent.is_admin())
    }

    pub fn is_agent(&self) -> bool {
        matches!(self, Principal::Agent { .. })
    }

    pub fn require_admin(&self) -> Result<()> {
        match self {
            _ if self.is_admin() => Ok(()),
            Principal::Contact { .. } => Err(not_for_customers()),
            Principal::Agent { .. } => Err(AppError::Forbidden("this needs an admin token".into())),
        }
    }

    /// The agent calling, if an agent is.
    pub fn agent_id(&self) -> Option<soporte_core::ids::AgentId> {
        match self {
            Principal::Agent { agent, .. } => Some(agent.id),
            Principal::Contact { .. } => None,
        }
    }

    pub fn require_agent(&self) -> Result<&Agent> {
        match self {
            Principal::Agent { agent, .. } => Ok(agent),
            Principal::Contact { .. } => Err(not_for_customers()),
        }
    }
}

/// What a customer is told of the parts of the API that are for the support team: that
/// there is nothing there, as for another account's ticket, so that nothing about them
/// can be learned from the answer.
fn not_for_customers() -> AppError {
    AppError::NotFound {
        entity: "endpoint",
        id: "for this token".into(),
    }
}

pub struct IssuedToken {
    pub record: TokenRecord,
    /// The only time the token is visible: it is not stored.
    pub plaintext: String,
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(buf)
}

/// A secret for a token or a one-time link: 256 random bits, URL-safe.
pub(crate) fn new_secret() -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

pub fn hash_token(plaintext: &str) -> String {
    hex::encode(Sha256::digest(plaintext.as_bytes()))
}

/// The anti-forgery token of a console session: derived from the session's secret, so a
/// page from another site, which cannot read the session cookie, cannot compute it, and it
/// needs no storage of its own.
pub fn csrf_token(session: &str) -> String {
    hex::encode(Sha256::digest(
        format!("soporte console csrf\n{session}").as_bytes(),
    ))
}

pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// A password for a first login: 24 URL-safe characters (144 bits).
pub fn generate_password() -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<18>()?))
}

/// The scope of an agent's console session.
pub(crate) fn session_scope(agent: &Agent) -> TokenScope {
    if agent.is_admin() {
        TokenScope::Admin
    } else {
        TokenScope::Agent
    }
}

/// How stale `last_used_at` may get before a request refreshes it; refreshing on every
/// request would turn each read into a write.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

impl App {
    /// Resolves a bearer token to who is calling. Revoked tokens, disabled agents and
    /// unknown tokens are all simply "unauthorized".
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal> {
        let record = self.live_token(bearer).await?;
        // Console and portal sessions live in cookies, with lifetimes of their own: they
        // are no API credentials, however they are presented.
        if record.label == SESSION_LABEL || record.label == crate::portal::PORTAL_SESSION_LABEL {
            return Err(AppError::Unauthorized);
        }
        self.principal_of(record).await
    }

    /// The unrevoked token behind a plaintext.
    pub(crate) async fn live_token(&self, plaintext: &str) -> Result<TokenRecord> {
        if !plaintext.starts_with(TOKEN_PREFIX) || plaintext.len() > 200 {
            return Err(AppError::Unauthorized);
        }
        let record = self
            .store
            .token_by_hash(&hash_token(plaintext))
            .await?
            .ok_or(AppError::Unauthorized)?;
        if record.revoked_at.is_some() {
            return Err(AppError::Unauthorized);
        }
        Ok(record)
    }

    /// Who a live token speaks for; disabled agents speak for no one.
    pub(crate) async fn principal_of(&self, record: TokenRecord) -> Result<Principal> {
        let principal = match record.owner {
            TokenOwner::Agent(id) => {
                let agent = self.store.agent(id).await?.ok_or(AppError::Unauthorized)?;
                if !agent.active {
                    return Err(AppError::Unauthorized);
                }
                Principal::Agent {
                    agent,
                    scope: record.scope,
                }
            }
            TokenOwner::Contact(id) => Principal::Contact {
                contact: self
                    .store
                    .contact(id)
                    .await?
                    .ok_or(AppError::Unauthorized)?,
            },
        };
        let stale = record
            .last_used_at
            .is_none_or(|t| Timestamp::now().duration_since(t) > TOUCH_INTERVAL);
        if stale {
            self.store.touch_token(record.id).await?;
        }
        Ok(principal)
    }

    /// Issues an API token. Admin scope only for admin agents; contacts only get contact
    /// scope. The label of console sessions is reserved to them.
    pub async fn issue_token(
        &self,
        owner: TokenOwner,
        scope: TokenScope,
        label: &str,
    ) -> Result<IssuedToken> {
        for reserved in [SESSION_LABEL, crate::portal::PORTAL_SESSION_LABEL] {
            if label.trim().eq_ignore_ascii_case(reserved) {
                return Err(AppError::invalid(
                    "label",
                    format!("\"{reserved}\" is reserved for sessions"),
                ));
            }
        }
        self.issue(owner, scope, label).await
    }

    pub(crate) async fn issue(
        &self,
        owner: TokenOwner,
        scope: TokenScope,
        label: &str,
    ) -> Result<IssuedToken> {
        match owner {
            TokenOwner::Agent(id) => {
                let agent = self
                    .store
                    .agent(id)
                    .await?
                    .ok_or_else(|| AppError::not_found("agent", id))?;
                if scope == TokenScope::Contact {
                    return Err(AppError::invalid(
                        "scope",
                        "agents get admin or agent tokens",
                    ));
                }
                if scope == TokenScope::Admin && !agent.is_admin() {
                    return Err(AppError::invalid(
                        "scope",
                        format!("{} is not an admin; use --scope agent", agent.email),
                    ));
                }
            }
            TokenOwner::Contact(id) => {
                self.store
                    .contact(id)
                    .await?
                    .ok_or_else(|| AppError::not_found("contact", id))?;
                if scope != TokenScope::Contact {
                    return Err(AppError::invalid(
                        "scope",
                        "contacts get contact tokens only",
                    ));
                }
            }
        }
        let plaintext = format!("{TOKEN_PREFIX}{}", new_secret()?);
        let record = self
            .store
            .create_token(&NewToken {
                token_hash: hash_token(&plaintext),
                scope,
                owner,
                label: label.trim().to_string(),
            })
            .await?;
        Ok(IssuedToken { record, plaintext })
    }

    pub async fn revoke_token(&self, id: TokenId) -> Result<bool> {
        Ok(self.store.revoke_token(id).await?)
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenRecord>> {
        Ok(self.store.list_tokens().await?)
    }

    /// Logs an agent in to the console. With a right password, an agent without two-step
    /// sign-in gets a session: a token like an API token, labelled as a session, that the
    /// browser keeps in an HttpOnly cookie. One with two-step sign-in gets a pending login
    /// instead, which [`App::complete_login`] turns into a session with a right code.
    ///
    /// Attempts are counted per account and per client address, in the database so that
    /// every instance sees them, before the password is checked (a right password takes its
    /// attempt back): past [`LOGIN_FAILURES_PER_ACCOUNT`] or [`LOGIN_FAILURES_PER_ADDRESS`]
    /// within [`LOGIN_WINDOW`], logins are refused without even checking the password until
    /// the window has passed, however many are sent at once.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<Login> {
        let now = Timestamp::now();
        let account_key = format!("email:{}", email.trim().to_lowercase());
        let mut keys = vec![(account_key.clone(), LOGIN_FAILURES_PER_ACCOUNT)];
        keys.extend(client.map(|ip| (format!("ip:{ip}"), LOGIN_FAILURES_PER_ADDRESS)));
        let Some(attempt) = self
            .store
            .reserve_login_attempt(&keys, now, now - LOGIN_WINDOW, now - ATTEMPTS_KEPT)
            .await?
        else {
            return Err(AppError::RateLimited {
                retry_after_secs: LOGIN_WINDOW.as_secs().unsigned_abs(),
            });
        };
        let agent = match self.check_agent_password(email, password).await {
            Ok(agent) => agent,
            Err(AppError::Unauthorized) => return Err(AppError::Unauthorized),
            Err(e) => {
                // Not a guess: the check itself could not run.
                self.store.release_login_attempts(&attempt).await?;
                return Err(e);
            }
        };
        self.store.release_login_attempts(&attempt).await?;
        self.store.clear_login_failures(&account_key).await?;
        self.after_password(&agent).await
    }

    /// The agent behind a session cookie. Sessions end on logout, when the agent is
    /// disabled, and [`SESSION_LIFETIME`] after login, whichever comes first.
    pub async fn session(&self, plaintext: &str) -> Result<Principal> {
        let record = self
            .live_session(plaintext, SESSION_LABEL, SESSION_LIFETIME)
            .await?;
        self.principal_of(record).await
    }

    /// The session (a token labelled `label`) behind a cookie, while it is unrevoked and
    /// younger than `lifetime`; the caller then asks who it speaks for.
    pub(crate) async fn live_session(
        &self,
        plaintext: &str,
        label: &str,
        lifetime: SignedDuration,
    ) -> Result<TokenRecord> {
        let record = self.live_token(plaintext).await?;
        let fresh = Timestamp::now().duration_since(record.created_at) < lifetime;
        if record.label != label || !fresh {
            return Err(AppError::Unauthorized);
        }
        Ok(record)
    }

    /// Logs a session out; an unknown or finished session is no error.
    pub async fn end_session(&self, plaintext: &str) -> Result<()> {
        self.end_session_labelled(plaintext, SESSION_LABEL).await
    }

    /// Ends the session labelled `label` behind `plaintext`, if there is one.
    pub(crate) async fn end_session_labelled(&self, plaintext: &str, label: &str) -> Result<()> {
        if let Some(record) = self.store.token_by_hash(&hash_token(plaintext)).await?
            && record.label == label
        {
            self.store.revoke_token(record.id).await?;
        }
        Ok(())
    }

    /// Sends an agent, through the outbox, a one-time link to set a new console password.
    /// Whether the address belongs to an agent is never told (the console shows the same
    /// message either way), and at most [`RESET_LINKS_PER_HOUR`] links go to one address
    /// in an hour.
    pub async fn request_password_reset(&self, email: &str) -> Result<()> {
        let email = email.trim().to_lowercase();
        let now = Timestamp::now();
        let hour_ago = now - SignedDuration::from_hours(1);
        let key = format!("reset:{email}");
        let counted = self
            .store
            .reserve_login_attempt(
                &[(key, RESET_LINKS_PER_HOUR)],
                now,
                hour_ago,
                now - ATTEMPTS_KEPT,
            )
            .await?;
        if counted.is_none() {
            tracing::info!(%email, "password reset refused: too many links this hour");
            return Ok(());
        }
        let Some(agent) = self
            .store
            .agent_by_email(&email)
            .await?
            .filter(|a| a.active)
        else {
            return Ok(());
        };
        self.send_password_link(&agent, PasswordLink::Reset).await
    }

    /// Gives a new agent access: an e-mail, through the outbox, with a link to choose their
    /// console password, valid [`INVITATION_LIFETIME`]. Sent again, the older link still
    /// works until it expires.
    pub async fn invite_agent(
        &self,
        who: &Principal,
        id: soporte_core::ids::AgentId,
    ) -> Result<()> {
        who.require_admin()?;
        let agent = self
            .store
            .agent(id)
            .await?
            .filter(|a| a.active)
            .ok_or_else(|| AppError::not_found("agent", id))?;
        self.send_password_link(&agent, PasswordLink::Invitation)
            .await
    }

    async fn send_password_link(&self, agent: &Agent, kind: PasswordLink) -> Result<()> {
        let now = Timestamp::now();
        let secret = new_secret()?;
        let link = format!(
            "{}/password/reset?token={secret}",
            self.settings().public_url.trim_end_matches('/')
        );
        let settings = &self.settings().email;
        let lifetime = kind.lifetime();
        let minutes = lifetime.as_mins();
        let hours = lifetime.as_hours();
        let company = &self.settings().company_name;
        let (subject, text) = match (settings.language, kind) {
            (crate::email::Language::Spanish, PasswordLink::Reset) => (
                "Nueva contraseña para Soporte".to_string(),
                format!(
                    "Hola {}:\n\nPara elegir una nueva contraseña, abra este enlace en los próximos {minutes} minutos:\n\n{link}\n\nSi no lo ha pedido usted, ignore este mensaje: su contraseña no cambia.\n",
                    agent.name
                ),
            ),
            (crate::email::Language::English, PasswordLink::Reset) => (
                "New password for Soporte".to_string(),
                format!(
                    "Hello {},\n\nTo choose a new password, open this link within {minutes} minutes:\n\n{link}\n\nIf you did not ask for it, ignore this message: your password does not change.\n",
                    agent.name
                ),
            ),
            (crate::email::Language::Spanish, PasswordLink::Invitation) => (
                format!("Su acceso al soporte de {company}"),
                format!(
                    "Hola {}:\n\nLe hemos dado de alta como agente en el soporte de {company}. Para elegir su contraseña y entrar, abra este enlace en las próximas {hours} horas:\n\n{link}\n\nSu usuario es esta dirección de correo, {}.\n",
                    agent.name, agent.email
                ),
            ),
            (crate::email::Language::English, PasswordLink::Invitation) => (
                format!("Your access to {company}'s support desk"),
                format!(
                    "Hello {},\n\nYou have been added as an agent of {company}'s support desk. To choose your password and log in, open this link within {hours} hours:\n\n{link}\n\nYou log in with this e-mail address, {}.\n",
                    agent.name, agent.email
                ),
            ),
        };
        let email = settings.own_email(agent.email.clone(), subject, text, None, kind.name(), now);
        self.store
            .create_password_reset(
                &hash_token(&secret),
                agent.id,
                now + lifetime,
                &soporte_store::NewOutbox {
                    kind: format!("password_{}", kind.name()),
                    recipient: agent.email.clone(),
                    email,
                    delivers_message: false,
                },
            )
            .await?;
        Ok(())
    }

    /// Sets a new password with a link from [`App::request_password_reset`]. The link works
    /// once; every console session of the agent ends, wherever it was open.
    pub async fn reset_password(&self, secret: &str, new_password: &str) -> Result<()> {
        let password = new_password.to_string();
        let hash = tokio::task::spawn_blocking(move || crate::directory::check_password(&password))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        match self
            .store
            .use_password_reset(
                &hash_token(secret.trim()),
                &hash,
                SESSION_LABEL,
                Timestamp::now(),
            )
            .await?
        {
            Some(_) => Ok(()),
            None => Err(AppError::invalid(
                "token",
                "this link has expired or was already used; ask for a new one",
            )),
        }
    }

    /// Checks an agent's password (for the console's login).
    pub async fn check_agent_password(&self, email: &str, password: &str) -> Result<Agent> {
        let agent = self
            .store
            .agent_by_email(&email.trim().to_lowercase())
            .await?
            .filter(|a| a.active)
            .ok_or(AppError::Unauthorized)?;
        let hash = self
            .store
            .agent_password_hash(agent.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if self.check_password_hash(password, hash).await? {
            Ok(agent)
        } else {
            Err(AppError::Unauthorized)
        }
    }

    /// Checks a password against its argon2 hash, waiting for one of the
    /// [`PASSWORD_CHECKS_AT_ONCE`] turns.
    pub(crate) async fn check_password_hash(&self, password: &str, hash: String) -> Result<bool> {
        // Waiting for a turn holds only the request; the 19 MiB of a check are taken by the
        // few that run.
        let _turn = tokio::time::timeout(PASSWORD_CHECK_WAIT, self.password_checks.acquire())
            .await
            .map_err(|_| AppError::RateLimited {
                retry_after_secs: PASSWORD_CHECK_WAIT.as_secs(),
            })?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let password = password.to_string();
        tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() -> Result<()> {
        let hash = hash_password("correct horse")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        Ok(())
    }

    #[test]
    fn generated_secrets_differ() -> Result<()> {
        let a = generate_password()?;
        assert_eq!(a.len(), 24);
        assert_ne!(a, generate_password()?);
        Ok(())
    }
}
