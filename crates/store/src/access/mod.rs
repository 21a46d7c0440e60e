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
