//! Persistence for Soporte. One [`Store`] trait, implemented for embedded SQLite and for
//! PostgreSQL by the same SQL (`sql_common.rs`, compiled once per backend), and a
//! content-addressed [`BlobStore`] for attachment bytes.
//!
//! Every write method is one transaction: a ticket, its first message, its attachments'
//! rows and its history events are stored together or not at all.

mod blob;
mod error;
mod migrate;
mod model;
pub mod postgres;
pub mod sqlite;
pub mod testkit;

pub use blob::{BlobStore, DiskBlobStore, StoredBlob};
pub use error::StoreError;
pub use migrate::AppliedMigration;
pub use model::*;

use async_trait::async_trait;
use soporte_core::directory::{Account, Agent, Contact};
use soporte_core::ids::{AccountId, AgentId, AttachmentId, ContactId, TicketId, TokenId};
use soporte_core::ticket::{Attachment, Event, Message, Ticket, TicketPatch};
use std::path::Path;
use std::sync::Arc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Applies the migrations this build knows and the database has not seen yet.
    async fn migrate(&self) -> Result<Vec<AppliedMigration>>;

    // Agents
    async fn create_agent(&self, new: &NewAgent) -> Result<Agent>;
    async fn update_agent(&self, id: AgentId, patch: &AgentPatch) -> Result<Agent>;
    async fn agent(&self, id: AgentId) -> Result<Option<Agent>>;
    async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>>;
    async fn agent_password_hash(&self, id: AgentId) -> Result<Option<String>>;
    async fn list_agents(&self) -> Result<Vec<Agent>>;
    async fn count_agents(&self) -> Result<i64>;

    // Accounts
    async fn create_account(&self, new: &NewAccount) -> Result<Account>;
    /// Creates all the accounts or none (a CSV import).
    async fn create_accounts(&self, new: &[NewAccount]) -> Result<Vec<AccountId>>;
    async fn update_account(&self, id: AccountId, patch: &AccountPatch) -> Result<Account>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>>;
    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>>;
    async fn list_accounts(&self, page: &PageRequest) -> Result<Vec<Account>>;

    // Contacts
    async fn create_contact(&self, new: &NewContact) -> Result<Contact>;
    async fn update_contact(&self, id: ContactId, patch: &ContactPatch) -> Result<Contact>;
    async fn contact(&self, id: ContactId) -> Result<Option<Contact>>;
    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>>;
    async fn list_contacts(
        &self,
        account: Option<AccountId>,
        page: &PageRequest,
    ) -> Result<Vec<Contact>>;

    // API tokens (stored as hashes only)
    async fn create_token(&self, new: &NewToken) -> Result<TokenRecord>;
    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>>;
    async fn touch_token(&self, id: TokenId) -> Result<()>;
    async fn revoke_token(&self, id: TokenId) -> Result<bool>;
    async fn list_tokens(&self) -> Result<Vec<TokenRecord>>;

    // Tickets
    async fn create_ticket(&self, new: &NewTicket) -> Result<Ticket>;
    async fn update_ticket(
        &self,
        id: TicketId,
        patch: &TicketPatch,
        actor: soporte_core::ticket::Actor,
    ) -> Result<Ticket>;
    async fn add_message(&self, ticket: TicketId, new: &NewMessage) -> Result<(Ticket, Message)>;
    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>>;
    async fn ticket_messages(&self, id: TicketId) -> Result<Vec<Message>>;
    async fn ticket_events(&self, id: TicketId) -> Result<Vec<Event>>;
    async fn list_tickets(&self, query: &TicketQuery) -> Result<Vec<Ticket>>;
    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>>;

    /// Writes a consistent copy of the database into `dest` (SQLite only; PostgreSQL
    /// has its own tools).
    async fn backup_to(&self, dest: &Path) -> Result<()>;
}

/// Opens the database a URL names: `sqlite://PATH` or `postgres://…`.
pub async fn open(database_url: &str) -> Result<Arc<dyn Store>> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(Arc::new(
            postgres::PostgresStore::connect(database_url).await?,
        ))
    } else if let Some(path) = database_url.strip_prefix("sqlite://") {
        Ok(Arc::new(sqlite::SqliteStore::open(Path::new(path)).await?))
    } else {
        Err(StoreError::Config(format!(
            "database_url {database_url:?} must start with sqlite:// or postgres://"
        )))
    }
}
