//! Two-step console sign-in for agents: a time-based code (TOTP, RFC 6238: HMAC-SHA-1,
//! 6 digits, 30-second steps, one step of tolerance either way) from an authenticator app,
//! or one of ten single-use recovery codes.
//!
//! The TOTP secret is sealed with the secrets key (see [`crate::secrets`]) for its agent;
//! recovery codes are kept as SHA-256 of their 80 random bits. A code is checked only after
//! an attempt is counted (the login throttle, keyed per agent), and the time step of an
//! accepted code is recorded, so the same code never works twice. After a right password,
//! an agent with two-step sign-in gets a *pending login* — a secret whose hash is stored
//! for [`PENDING_LOGIN_LIFETIME`], kept in a cookie, and no session — that a right code
//! turns into a session. Bearer tokens of the API are not affected.

use crate::auth::{ATTEMPTS_KEPT, IssuedToken, SESSION_LABEL, random_bytes, session_scope};
use crate::secrets::{open_with, seal_with};
use crate::settings::SettingsChange;
use crate::{
    App, AppError, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW, Principal, Result, hash_token,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use soporte_core::directory::Agent;
use soporte_core::ids::AgentId;
use soporte_store::TokenOwner;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// How long a login whose password was right waits for its code.
pub const PENDING_LOGIN_LIFETIME: SignedDuration = SignedDuration::from_mins(5);
/// Wrong codes allowed per agent within [`LOGIN_WINDOW`]: a 6-digit code must not be
/// guessable by trying.
pub const CODE_FAILURES_PER_AGENT: i64 = 5;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show.
pub const ISSUER: &str = "Soporte";
/// Bytes of a TOTP secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// Bytes of a recovery code: 80 bits, written as 16 base32 letters and digits.
const RECOVERY_CODE_BYTES: usize = 10;
/// Seconds a code lasts (RFC 6238's default).
const STEP_SECONDS: u64 = 30;

/// The console setting that asks every agent for two-step sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorSettings {
    /// Every agent must sign in with a code; one without is sent to enrolment first.
    pub required: bool,
}

/// What an agent's authenticator app needs to start producing codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret in base32, for typing it in by hand.
    pub secret: String,
    /// `otpauth://totp/Soporte:<email>?secret=…&issuer=Soporte`, for the QR code.
    pub url: String,
}

/// An agent's two-step sign-in, as the console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// Administrators ask every agent for it.
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// What a right password leads to.
pub enum Login {
    /// Signed in.
    Session(IssuedToken),
    /// A code is needed: the pending login's secret, for an HttpOnly cookie that lives
    /// [`PENDING_LOGIN_LIFETIME`]. It opens no page.
    CodeNeeded { pending: String },
}

fn secret_context(agent: AgentId) -> String {
    format!("two_factor.secret:{}", agent.0)
}

fn totp(secret: &[u8]) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .build()
        .map_err(|e| AppError::Internal(format!("two-factor secret: {e}")))
}

fn unix_seconds(at: Timestamp) -> u64 {
    u64::try_from(at.as_second()).unwrap_or(0)
}

/// The code an authenticator shows at `at` for a base32 secret (what [`Enrolment`] gives);
/// for tests and tools.
pub fn code_at(secret_base32: &str, at: Timestamp) -> Result<String> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|_| AppError::invalid("secret", "not a base32 secret"))?;
    Ok(totp(secret.as_ref())?
        .generate(unix_seconds(at))
        .to_string())
}

/// The time step a 6-digit `code` belongs to at `at` (this step or the one either side), if
/// it is right. Compared in constant time by totp-rs.
fn matching_step(secret: &[u8], code: &str, at: Timestamp) -> Result<Option<i64>> {
    let step = totp(secret)?.check(code, unix_seconds(at));
    Ok(step.and_then(|s| i64::try_from(s).ok()))
}

/// A code as typed: spaces and dashes aside, lower case.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_totp_code(normalized: &str) -> bool {
    normalized.len() == 6 && normalized.bytes().all(|b| b.is_ascii_digit())
}

/// A new recovery code, as shown once: `abcd-efgh-ijkl-mnop`.
fn new_recovery_code() -> Result<String> {
    let raw = base32_lower(&random_bytes::<RECOVERY_CODE_BYTES>()?);
    let groups: Vec<&str> = raw
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    Ok(groups.join("-"))
}

fn base32_lower(bytes: &[u8]) -> String {
    Secret::from(bytes.to_vec()).to_base32().to_lowercase()
}

fn recovery_code_hash(code: &str) -> String {
    hash_token(&format!("recovery:{}", normalize_code(code)))
}

impl App {
    /// Whether administrators ask every agent for two-step sign-in.
    pub fn two_factor_required(&self) -> bool {
        self.settings()
            .console
            .two_factor
            .as_ref()
            .is_some_and(|t| t.required)
    }

    /// Whether an agent's two-step sign-in is on (confirmed).
    async fn two_factor_enabled(&self, agent: AgentId) -> Result<bool> {
        Ok(self
            .store
            .two_factor(agent)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some()))
    }

    /// Whether the signed-in agent must enrol before using the console: administrators
    /// require two-step sign-in and the agent has not set it up.
    pub async fn must_enrol_two_factor(&self, agent: &Agent) -> Result<bool> {
        Ok(self.two_factor_required() && !self.two_factor_enabled(agent.id).await?)
    }

    pub async fn two_factor_status(&self, who: &Principal) -> Result<TwoFactorStatus> {
        let agent = who.require_agent()?;
        Ok(TwoFactorStatus {
            enabled: self.two_factor_enabled(agent.id).await?,
            required: self.two_factor_required(),
            recovery_codes_left: self.store.recovery_codes_left(agent.id).await?,
        })
    }

    /// The agents whose two-step sign-in is on (for administrators).
    pub async fn two_factor_agents(&self, who: &Principal) -> Result<Vec<AgentId>> {
        who.require_admin()?;
        Ok(self.store.two_factor_agents().await?)
    }

    /// Starts enrolment for the signed-in agent: a new secret, sealed and kept unconfirmed
    /// until [`App::confirm_two_factor`]. Refused while two-step sign-in is on.
    pub async fn begin_two_factor(&self, who: &Principal) -> Result<Enrolment> {
        let agent = who.require_agent()?;
        let secret = random_bytes::<SECRET_BYTES>()?;
        let encoded = Secret::from(secret.to_vec()).to_base32();
        let sealed = seal_with(self.secrets.as_ref(), &secret_context(agent.id), &encoded)?;
        if !self
            .store
            .begin_two_factor(agent.id, &sealed, Timestamp::now())
            .await?
        {
            return Err(AppError::Conflict {
                field: "two_factor".into(),
                message: "two-step sign-in is already on; turn it off first".into(),
            });
        }
        Ok(enrolment(&agent.email, encoded))
    }

    /// The enrolment under way (not confirmed yet), to show its QR code again.
    pub async fn pending_two_factor(&self, who: &Principal) -> Result<Option<Enrolment>> {
        let agent = who.require_agent()?;
        match self.store.two_factor(agent.id).await? {
            Some(t) if t.confirmed_at.is_none() => {
                let encoded = open_with(
                    self.secrets.as_ref(),
                    &secret_context(agent.id),
                    &t.sealed_secret,
                )?;
                Ok(Some(enrolment(&agent.email, encoded)))
            }
            _ => Ok(None),
        }
    }

    /// Confirms enrolment with a first right code; returns the recovery codes, shown only
    /// now. A wrong code is counted like a wrong password.
    pub async fn confirm_two_factor(
        &self,
        who: &Principal,
        code: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<Vec<String>> {
        let agent = who.require_agent()?;
        let record = self
            .store
            .two_factor(agent.id)
            .await?
            .filter(|t| t.confirmed_at.is_none())
            .ok_or_else(|| AppError::invalid("code", "start the set-up again"))?;
        let now = Timestamp::now();
        let attempt = self.reserve_code_attempt(agent.id, client, now).await?;
        let secret = self.open_secret(agent.id, &record.sealed_secret)?;
        let Some(step) = matching_step(&secret, &normalize_code(code), now)? else {
            return Err(AppError::invalid("code", "the code is not right"));
        };
        let codes = (0..RECOVERY_CODES)
            .map(|_| new_recovery_code())
            .collect::<Result<Vec<_>>>()?;
        let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
        if !self
            .store
            .confirm_two_factor(agent.id, step, &hashes, now)
            .await?
        {
            return Err(AppError::invalid("code", "start the set-up again"));
        }
        self.store.release_login_attempts(&attempt).await?;
        tracing::info!(agent = %agent.id, "two-step sign-in turned on");
        Ok(codes)
    }

    /// Turns two-step sign-in off for the signed-in agent, who proves it with their
    /// password and a code (or a recovery code).
    pub async fn disable_two_factor(
        &self,
        who: &Principal,
        password: &str,
        code: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<()> {
        let agent = who.require_agent()?;
        let now = Timestamp::now();
        // The password is counted like a login's, before it is checked.
        let account_key = format!("email:{}", agent.email.to_lowercase());
        let attempt = self
            .store
            .reserve_login_attempt(
                &[(account_key, crate::LOGIN_FAILURES_PER_ACCOUNT)],
                now,
                now - LOGIN_WINDOW,
                now - ATTEMPTS_KEPT,
            )
            .await?
            .ok_or(AppError::RateLimited {
                retry_after_secs: LOGIN_WINDOW.as_secs().unsigned_abs(),
            })?;
        match self.check_agent_password(&agent.email, password).await {
            Ok(_) => self.store.release_login_attempts(&attempt).await?,
            Err(AppError::Unauthorized) => {
                return Err(AppError::invalid("password", "the password is not right"));
            }
            Err(e) => {
                self.store.release_login_attempts(&attempt).await?;
                return Err(e);
            }
        }
        if !self.check_code(agent.id, code, client).await? {
            return Err(AppError::invalid("code", "the code is not right"));
        }
        self.store.remove_two_factor(agent.id).await?;
        tracing::info!(agent = %agent.id, "two-step sign-in turned off");
        Ok(())
    }

    /// Turns an agent's two-step sign-in off (one who lost both phone and recovery codes):
    /// their next login sets it up again if it is required.
    pub async fn reset_two_factor(&self, who: &Principal, agent: AgentId) -> Result<bool> {
        who.require_admin()?;
        let removed = self.store.remove_two_factor(agent).await?;
        tracing::info!(%agent, by = ?who.agent_id(), removed, "two-step sign-in reset by an administrator");
        Ok(removed)
    }

    /// Turns off an agent's two-step sign-in from the command line.
    pub async fn reset_two_factor_by_email(&self, email: &str) -> Result<bool> {
        let agent = self.agent_by_email(email).await?;
        Ok(self.store.remove_two_factor(agent.id).await?)
    }

    /// Asks every agent for two-step sign-in, or stops asking.
    pub async fn require_two_factor(&self, who: &Principal, required: bool) -> Result<()> {
        self.change_settings(
            who,
            SettingsChange::TwoFactor(TwoFactorSettings { required }),
        )
        .await
    }

    /// After a right password: a session, or a pending login when the agent has two-step
    /// sign-in on.
    pub(crate) async fn after_password(&self, agent: &Agent) -> Result<Login> {
        if !self.two_factor_enabled(agent.id).await? {
            return Ok(Login::Session(self.open_session(agent).await?));
        }
        let pending = format!("pl_{}", crate::auth::new_secret()?);
        let now = Timestamp::now();
        self.store
            .create_login_challenge(
                &hash_token(&pending),
                agent.id,
                now,
                now + PENDING_LOGIN_LIFETIME,
            )
            .await?;
        Ok(Login::CodeNeeded { pending })
    }

    /// The agent a pending login belongs to, while it lasts.
    pub async fn pending_login(&self, pending: &str) -> Result<Option<Agent>> {
        if pending.len() > 200 {
            return Ok(None);
        }
        let Some(id) = self
            .store
            .login_challenge(&hash_token(pending), Timestamp::now())
            .await?
        else {
            return Ok(None);
        };
        Ok(self.store.agent(id).await?.filter(|a| a.active))
    }

    /// The second step of a login: a right code (or an unused recovery code) turns the
    /// pending login into a session, once. Unknown or expired pending logins and wrong
    /// codes are "unauthorized"; too many wrong codes are "rate limited".
    pub async fn complete_login(
        &self,
        pending: &str,
        code: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<IssuedToken> {
        let agent = self
            .pending_login(pending)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !self.check_code(agent.id, code, client).await? {
            return Err(AppError::Unauthorized);
        }
        if !self.store.end_login_challenge(&hash_token(pending)).await? {
            return Err(AppError::Unauthorized);
        }
        self.store
            .clear_login_failures(&format!("email:{}", agent.email.to_lowercase()))
            .await?;
        self.open_session(&agent).await
    }

    /// Drops a pending login (the "start again" link); an unknown one is no error.
    pub async fn cancel_login(&self, pending: &str) -> Result<()> {
        self.store.end_login_challenge(&hash_token(pending)).await?;
        Ok(())
    }

    async fn open_session(&self, agent: &Agent) -> Result<IssuedToken> {
        self.issue(
            TokenOwner::Agent(agent.id),
            session_scope(agent),
            SESSION_LABEL,
        )
        .await
    }

    fn open_secret(&self, agent: AgentId, sealed: &str) -> Result<Vec<u8>> {
        let encoded = open_with(self.secrets.as_ref(), &secret_context(agent), sealed)?;
        Secret::try_from_base32(&encoded)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| AppError::Internal("a two-factor secret is damaged".into()))
    }

    /// Counts an attempt for the agent's codes (and the client's address) before a code is
    /// checked; refused past [`CODE_FAILURES_PER_AGENT`] within [`LOGIN_WINDOW`].
    async fn reserve_code_attempt(
        &self,
        agent: AgentId,
        client: Option<std::net::IpAddr>,
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        let mut keys = vec![(format!("code:agent:{}", agent.0), CODE_FAILURES_PER_AGENT)];
        keys.extend(client.map(|ip| (format!("ip:{ip}"), LOGIN_FAILURES_PER_ADDRESS)));
        self.store
            .reserve_login_attempt(&keys, now, now - LOGIN_WINDOW, now - ATTEMPTS_KEPT)
            .await?
            .ok_or(AppError::RateLimited {
                retry_after_secs: LOGIN_WINDOW.as_secs().unsigned_abs(),
            })
    }

    /// Checks a code of an agent whose two-step sign-in is on: a 6-digit code whose time
    /// step was not used yet, or an unused recovery code (spent by this check). The attempt
    /// is counted first and taken back when the code is right.
    async fn check_code(
        &self,
        agent: AgentId,
        code: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<bool> {
        let now = Timestamp::now();
        let attempt = self.reserve_code_attempt(agent, client, now).await?;
        let Some(record) = self
            .store
            .two_factor(agent)
            .await?
            .filter(|t| t.confirmed_at.is_some())
        else {
            return Ok(false);
        };
        let code = normalize_code(code);
        let right = if is_totp_code(&code) {
            let secret = self.open_secret(agent, &record.sealed_secret)?;
            match matching_step(&secret, &code, now)? {
                Some(step) => self.store.use_two_factor_step(agent, step).await?,
                None => false,
            }
        } else if code.len() == 16 {
            self.store
                .use_recovery_code(agent, &recovery_code_hash(&code), now)
                .await?
        } else {
            false
        };
        if right {
            self.store.release_login_attempts(&attempt).await?;
        }
        Ok(right)
    }
}

fn enrolment(email: &str, secret: String) -> Enrolment {
    let label: String = form_urlencoded_component(&format!("{ISSUER}:{email}"));
    let url = format!("otpauth://totp/{label}?secret={secret}&issuer={ISSUER}");
    Enrolment { secret, url }
}

/// Percent-encodes everything but unreserved characters and the label's `:` and `@`.
fn form_urlencoded_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" and its 8-digit
    /// codes, of which a 6-digit code is the last six.
    #[test]
    fn codes_follow_rfc_6238() -> Result<()> {
        let secret = base32_upper(b"12345678901234567890");
        for (seconds, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at =
                Timestamp::from_second(seconds).map_err(|e| AppError::Internal(e.to_string()))?;
            assert_eq!(code_at(&secret, at)?, code, "at {seconds}");
        }
        Ok(())
    }

    fn base32_upper(bytes: &[u8]) -> String {
        Secret::from(bytes.to_vec()).to_base32()
    }

    #[test]
    fn a_code_is_taken_one_step_either_side_and_no_further() -> Result<()> {
        let secret = b"12345678901234567890";
        let at =
            Timestamp::from_second(1_111_111_111).map_err(|e| AppError::Internal(e.to_string()))?;
        let step = 1_111_111_111 / 30;
        let code_of = |offset: i64| -> Result<String> {
            code_at(
                &base32_upper(secret),
                at + SignedDuration::from_secs(30 * offset),
            )
        };
        assert_eq!(matching_step(secret, &code_of(0)?, at)?, Some(step));
        assert_eq!(matching_step(secret, &code_of(-1)?, at)?, Some(step - 1));
        assert_eq!(matching_step(secret, &code_of(1)?, at)?, Some(step + 1));
        assert_eq!(matching_step(secret, &code_of(2)?, at)?, None);
        assert_eq!(matching_step(secret, &code_of(-2)?, at)?, None);
        assert_eq!(matching_step(secret, "12345", at)?, None);
        assert_eq!(matching_step(secret, "+12345", at)?, None);
        Ok(())
    }

    #[test]
    fn recovery_codes_are_long_and_typed_loosely() -> Result<()> {
        let code = new_recovery_code()?;
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3, "{code}");
        assert_ne!(code, new_recovery_code()?);
        let typed = format!(" {} ", code.to_uppercase().replace('-', " "));
        assert_eq!(recovery_code_hash(&typed), recovery_code_hash(&code));
        assert!(!is_totp_code(&normalize_code(&code)));
        assert!(is_totp_code(&normalize_code("123 456")));
        Ok(())
    }

    #[test]
    fn the_enrolment_link_names_soporte_and_the_agent() {
        let e = enrolment("ana+soporte@vendomia.com", "JBSWY3DPEHPK3PXP".into());
        assert_eq!(
            e.url,
            "otpauth://totp/Soporte:ana%2Bsoporte@vendomia.com?secret=JBSWY3DPEHPK3PXP&issuer=Soporte"
        );
    }
}
