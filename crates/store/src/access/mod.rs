//! Access: API tokens and console sessions (a session is a token with its own label),
//! agents' password hashes, failed logins, and password-reset links.

use crate::{NewOutbox, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::auth::TokenScope;
use soporte_core::ids::{AgentId, ContactId, TokenId};

#[async_trait]
pub trait AccessStore: Send + Sync {
    // API tokens and sessions (stored as hashes only)
    async fn create_token(&self, new: &NewToken) -> Result<TokenRecord>;
    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>>;
    async fn touch_token(&self, id: TokenId) -> Result<()>;
    async fn revoke_token(&self, id: TokenId) -> Result<bool>;
    async fn list_tokens(&self) -> Result<Vec<TokenRecord>>;

    // Passwords and logins
    async fn agent_password_hash(&self, id: AgentId) -> Result<Option<String>>;
    /// Counts a login attempt under each `(key, limit)` before its password is checked,
    /// unless a key already has `limit` attempts since `since`: then nothing is counted and
    /// `None` comes back. Atomic per key, so attempts made at once cannot all pass the check
    /// before any of them is counted. Forgets every key's attempts older than
    /// `forget_before`. The ids returned take the attempt back
    /// ([`AccessStore::release_login_attempts`]) when the password proves right.
    async fn reserve_login_attempt(
        &self,
        keys: &[(String, i64)],
        at: Timestamp,
        since: Timestamp,
        forget_before: Timestamp,
    ) -> Result<Option<Vec<i64>>>;
    /// Takes back attempts counted by [`AccessStore::reserve_login_attempt`].
    async fn release_login_attempts(&self, ids: &[i64]) -> Result<()>;
    /// Forgets the failures under `key` (after a successful login to that account).
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
    /// Keeps a password-reset link (by its hash) and queues the e-mail that carries it, in
    /// one transaction.
    async fn create_password_reset(
        &self,
        token_hash: &str,
        agent: AgentId,
        expires_at: Timestamp,
        email: &NewOutbox,
    ) -> Result<()>;
    /// Spends a reset link: sets the agent's new password hash and ends every console
    /// session of the agent (labelled `session_label`), in one transaction. `None` when the
    /// link is unknown, used or expired.
    async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        session_label: &str,
        at: Timestamp,
    ) -> Result<Option<AgentId>>;

    // Two-step sign-in (TOTP)
    /// The agent's two-factor secret (sealed, as stored) and its state, if any.
    async fn two_factor(&self, agent: AgentId) -> Result<Option<TwoFactorRecord>>;
    /// Keeps a new secret, not yet confirmed, in place of an unconfirmed one. `false` when
    /// the agent already has a confirmed one (it must be removed first).
    async fn begin_two_factor(
        &self,
        agent: AgentId,
        sealed_secret: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Confirms the unconfirmed secret with the time step of its first right code, and keeps
    /// the recovery codes' hashes in place of any older ones, in one transaction. `false`
    /// when there is no unconfirmed secret.
    async fn confirm_two_factor(
        &self,
        agent: AgentId,
        step: i64,
        recovery_code_hashes: &[String],
        at: Timestamp,
    ) -> Result<bool>;
    /// Records that a code of time step `step` was accepted, unless a code of that step or a
    /// later one already was: then `false` (a replayed code). Atomic, so two requests with
    /// one code cannot both pass.
    async fn use_two_factor_step(&self, agent: AgentId, step: i64) -> Result<bool>;
    /// Spends an unused recovery code of the agent by its hash: `true` once.
    async fn use_recovery_code(
        &self,
        agent: AgentId,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// How many unused recovery codes the agent has.
    async fn recovery_codes_left(&self, agent: AgentId) -> Result<i64>;
    /// Removes the agent's secret and recovery codes; `false` when there was none.
    async fn remove_two_factor(&self, agent: AgentId) -> Result<bool>;
    /// The agents whose two-step sign-in is confirmed.
    async fn two_factor_agents(&self) -> Result<Vec<AgentId>>;

    // Logins waiting for their second step
    /// Keeps a pending login (by the hash of its secret) until `expires_at`; forgets the
    /// expired ones.
    async fn create_login_challenge(
        &self,
        token_hash: &str,
        agent: AgentId,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// The agent of a pending login that has not expired at `at`.
    async fn login_challenge(&self, token_hash: &str, at: Timestamp) -> Result<Option<AgentId>>;
    /// Ends a pending login: `true` for the one caller that ended it.
    async fn end_login_challenge(&self, token_hash: &str) -> Result<bool>;
}

/// An agent's two-step sign-in, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorRecord {
    pub agent: AgentId,
    /// The TOTP secret, sealed by the application (see `soporte_app::secrets`).
    pub sealed_secret: String,
    pub created_at: Timestamp,
    /// When the first right code confirmed it; until then it does not protect logins.
    pub confirmed_at: Option<Timestamp>,
    /// The last time step a code was accepted for.
    pub last_step: Option<i64>,
}

/// Who a token belongs to: an agent (scope `admin` or `agent`) or a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner {
    Agent(AgentId),
    Contact(ContactId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    pub token_hash: String,
    pub scope: TokenScope,
    pub owner: TokenOwner,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub scope: TokenScope,
    pub owner: TokenOwner,
    pub label: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}
