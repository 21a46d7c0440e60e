//! Persistence for Soporte. One [`Store`] trait, implemented for embedded SQLite and for
//! PostgreSQL by the same SQL (`sql_common.rs`, compiled once per backend), and a
//! content-addressed [`BlobStore`] for attachment bytes.
//!
//! Every write method is one transaction: a ticket, its first message, its attachments'
//! rows and its history events are stored together or not at all.

mod batch;
mod blob;
mod error;
mod migrate;
mod model;
pub mod postgres;
pub mod sqlite;
pub mod testkit;

pub use blob::{
    BlobStore, DEFAULT_INLINE_LIMIT, DiskBlobStore, StagedBlob, StoredBlob, TieredBlobStore,
};
pub use error::StoreError;
pub use migrate::AppliedMigration;
pub use model::*;

use async_trait::async_trait;
use soporte_core::directory::{Account, Agent, Contact};
use soporte_core::ids::{
    AccountId, AgentId, AttachmentId, ContactId, MessageId, TicketId, TokenId,
};
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
    /// The contacts with these ids (those that exist), in one query: a page of tickets
    /// shows its requesters.
    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>>;
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
    async fn create_ticket(&self, new: &NewTicket) -> Result<Ticket> {
        Ok(self.create_ticket_with(new, Arc::new(NoEffects)).await?.0)
    }
    /// Creates the ticket and its first message, and queues the e-mails `effects` asks
    /// for, all in one transaction.
    async fn create_ticket_with(
        &self,
        new: &NewTicket,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)>;
    async fn update_ticket(
        &self,
        id: TicketId,
        patch: &TicketPatch,
        actor: soporte_core::ticket::Actor,
    ) -> Result<Ticket> {
        self.update_ticket_with(id, patch, actor, Arc::new(NoEffects))
            .await
    }
    /// Applies an edit and the rules that follow from it in one transaction. An empty
    /// patch with effects re-applies the rules alone (the SLA worker's check).
    async fn update_ticket_with(
        &self,
        id: TicketId,
        patch: &TicketPatch,
        actor: soporte_core::ticket::Actor,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<Ticket>;
    /// Open tickets (new, open, pending, on hold) per assignee, for these agents.
    async fn open_ticket_counts(
        &self,
        agents: &[AgentId],
    ) -> Result<std::collections::HashMap<AgentId, i64>>;
    /// Tickets whose SLA state may have changed by now, oldest check first.
    async fn tickets_due_for_sla_check(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<TicketId>>;
    /// Agents' type corrections as training examples (the latest per ticket), with the
    /// ticket's subject and first message.
    async fn classifier_corrections(
        &self,
    ) -> Result<Vec<soporte_core::policy::classifier::TrainingExample>>;
    async fn save_classifier_model(&self, model: &NewClassifierModel) -> Result<i64>;
    async fn latest_classifier_model(&self) -> Result<Option<ClassifierModelRecord>>;
    async fn add_message(&self, ticket: TicketId, new: &NewMessage) -> Result<(Ticket, Message)> {
        self.add_message_with(ticket, new, Arc::new(NoEffects))
            .await
    }
    async fn add_message_with(
        &self,
        ticket: TicketId,
        new: &NewMessage,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)>;
    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>>;
    async fn ticket_messages(&self, id: TicketId) -> Result<Vec<Message>>;
    async fn ticket_events(&self, id: TicketId) -> Result<Vec<Event>>;
    async fn list_tickets(&self, query: &TicketQuery) -> Result<Vec<Ticket>>;
    /// Tickets whose subject or messages hold every group of
    /// `soporte_core::search::query_groups` (by any of each group's terms), most recently
    /// changed first.
    async fn search_tickets(&self, groups: &[Vec<String>], limit: u32) -> Result<Vec<Ticket>>;
    /// Records a failed login under each key (the account's and the address's), and
    /// forgets failures older than `forget_before`.
    async fn record_login_failure(
        &self,
        keys: &[String],
        at: jiff::Timestamp,
        forget_before: jiff::Timestamp,
    ) -> Result<()>;
    /// Failed logins under `key` since `since`.
    async fn login_failures_since(&self, key: &str, since: jiff::Timestamp) -> Result<i64>;
    /// Forgets the failures under `key` (after a successful login to that account).
    async fn clear_login_failures(&self, key: &str) -> Result<()>;
    /// Records that `agent` has `ticket` open (and whether they are writing a reply), and
    /// returns the other agents seen on it since `since`, with their replying flag.
    async fn touch_presence(
        &self,
        ticket: TicketId,
        agent: AgentId,
        replying: bool,
        at: jiff::Timestamp,
        since: jiff::Timestamp,
    ) -> Result<Vec<(AgentId, bool)>>;
    /// Keeps a password-reset link (by its hash) and queues the e-mail that carries it, in
    /// one transaction.
    async fn create_password_reset(
        &self,
        token_hash: &str,
        agent: AgentId,
        expires_at: jiff::Timestamp,
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
        at: jiff::Timestamp,
    ) -> Result<Option<AgentId>>;
    /// Canned replies, by title.
    async fn canned_replies(&self) -> Result<Vec<CannedReply>>;
    /// Creates (`id` none) or replaces a canned reply; titles are unique.
    async fn save_canned_reply(&self, id: Option<i64>, title: &str, body: &str) -> Result<i64>;
    async fn delete_canned_reply(&self, id: i64) -> Result<bool>;
    /// The configuration sections changed from the console, by name.
    async fn settings(&self) -> Result<Vec<StoredSetting>>;
    /// Writes one section (replacing what it held), recording who changed it.
    async fn save_setting(&self, name: &str, value: &str, by: Option<AgentId>) -> Result<()>;
    /// Drops one section, so that the configuration file's values apply again.
    async fn delete_setting(&self, name: &str) -> Result<bool>;
    /// Moves every message (with its attachments, search rows and e-mails) of `source`
    /// into `target` and closes `source`, with a history entry on both, in one
    /// transaction. Returns the target as it is afterwards.
    async fn merge_tickets(
        &self,
        source: TicketId,
        target: TicketId,
        actor: soporte_core::ticket::Actor,
    ) -> Result<Ticket>;
    /// How many tickets match the query's filters (its paging and order are ignored).
    async fn count_tickets(&self, query: &TicketQuery) -> Result<i64>;
    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>>;
    async fn message(&self, id: MessageId) -> Result<Option<Message>>;

    // E-mail threading and de-duplication
    /// The ticket of the first of these Message-IDs that Soporte sent or received.
    async fn ticket_for_email_ids(&self, ids: &[String]) -> Result<Option<TicketId>>;
    async fn message_by_channel_id(
        &self,
        channel_message_id: &str,
    ) -> Result<Option<(TicketId, MessageId)>>;
    async fn position_taken(&self, position: &MailboxPosition) -> Result<bool>;
    /// Records a position whose message did not become a ticket (quarantined, skipped).
    async fn record_position(&self, position: &MailboxPosition) -> Result<()>;

    // Outbox
    /// Takes up to `limit` due e-mails for delivery; each is leased until `lease_until`
    /// so no other worker takes it meanwhile.
    async fn claim_outbox(
        &self,
        limit: u32,
        lease_until: jiff::Timestamp,
    ) -> Result<Vec<OutboxItem>>;
    async fn outbox_sent(&self, id: i64) -> Result<()>;
    /// `retry_at: None` gives up: the row becomes dead and its message failed.
    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<jiff::Timestamp>,
    ) -> Result<()>;
    async fn list_outbox(&self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>>;
    async fn count_outbox_since(
        &self,
        recipient: &str,
        kind: &str,
        since: jiff::Timestamp,
    ) -> Result<i64>;
    /// A bounce came back for this Message-ID: mark the outgoing message failed.
    async fn mark_bounced(&self, email_message_id: &str) -> Result<Option<TicketId>>;

    // Quarantine: mail that could not be taken in, kept for admins
    async fn quarantine(
        &self,
        source: &str,
        reason: &str,
        raw_sha256: &str,
        size: i64,
    ) -> Result<i64>;
    async fn list_quarantine(&self, limit: u32) -> Result<Vec<QuarantineItem>>;

    // Blob contents: the bytes of blobs small enough to live in the database
    /// Stores the bytes under their SHA-256 (the caller's hash); storing the same address
    /// again keeps the first copy. Committed before it returns, like every write.
    async fn put_blob_content(&self, sha256: &str, bytes: &[u8]) -> Result<()>;
    async fn blob_content(&self, sha256: &str) -> Result<Option<Vec<u8>>>;

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
