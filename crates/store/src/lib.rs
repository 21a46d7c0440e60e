//! Persistence for Soporte, one trait and one folder per part of the domain (an
//! aggregate): the folder holds the trait, its types and its SQL (`sql.rs`, or `sql/` for
//! tickets). [`Store`] is the sum of those traits, implemented for embedded SQLite and for
//! PostgreSQL by the same SQL (the `sql` module tree, compiled once per backend), beside a
//! content-addressed [`BlobStore`] for attachment bytes.
//!
//! | folder | holds |
//! |---|---|
//! | `directory/` | agents, accounts, contacts |
//! | `access/` | API tokens and sessions, password hashes, failed logins, reset links, two-step sign-in |
//! | `tickets/` | tickets, messages, attachments, history, merges, presence |
//! | `search/` | full-text search over tickets |
//! | `mail/` | e-mail threading, IMAP positions, bounces, quarantine |
//! | `outbox/` | outgoing e-mail waiting for delivery |
//! | `portal/` | customers' one-time links (sign in, add what is missing, rate), their passwords, ratings of solved requests |
//! | `calls/` | phone calls put together from the phone system's events, and the request each is recorded on |
//! | `whatsapp/` | WhatsApp webhook bodies, message details, reactions, delivery reports, conversations, windows, media to fetch |
//! | `settings/` | console configuration sections, canned replies |
//! | `classifier/` | agents' type corrections, trained models |
//! | `blobs/` | attachment bytes (database and disk) |
//! | `schema/` | migrations |
//! | `sqlite/`, `postgres.rs` | each backend's dialect and connections |
//!
//! Every write method is one transaction: a ticket, its first message, its attachments'
//! rows and its history events are stored together or not at all.

mod access;
mod blobs;
mod calls;
mod classifier;
mod directory;
mod error;
mod mail;
mod outbox;
mod portal;
pub mod postgres;
mod schema;
mod search;
mod settings;
pub mod sqlite;
pub mod testkit;
mod tickets;
mod whatsapp;

pub use access::{AccessStore, NewToken, TokenOwner, TokenRecord, TwoFactorRecord};
pub use blobs::{
    BlobContentStore, BlobStore, DEFAULT_INLINE_LIMIT, DiskBlobStore, StagedBlob, StoredBlob,
    TieredBlobStore,
};
pub use calls::{CallQuery, CallStore, NewCallEvent, StoredCall};
pub use classifier::{ClassifierModelRecord, ClassifierStore, NewClassifierModel};
pub use directory::{
    AccountPatch, AgentPatch, ContactPatch, DirectoryStore, NewAccount, NewAgent, NewContact,
    PageRequest,
};
pub use error::StoreError;
pub use mail::{MailStore, MailboxPosition, QuarantineItem};
pub use outbox::{NewOutbox, OutboxItem, OutboxStore};
pub use portal::{
    NewPortalLink, NewSatisfaction, PortalLinkPurpose, PortalLinkRecord, PortalSession,
    PortalStore, Satisfaction,
};
pub use schema::AppliedMigration;
pub use search::SearchStore;
pub use settings::{CannedReply, SettingsStore, StoredSetting};
pub use tickets::{
    AssigneeFilter, AutomaticAnswer, CallBackFilter, Consequences, Cursor, MessageExtra,
    NewAttachment, NewMessage, NewTicket, NoEffects, Requester, TicketChange, TicketEffects,
    TicketQuery, TicketSort, TicketStore, TypeFilter,
};
pub use whatsapp::{
    ConversationStep, DeliveryReport, NewWhatsAppMedia, NewWhatsAppMessage, NewWhatsAppOutbox,
    PendingMedia, WebhookBody, WhatsAppHealth, WhatsAppOutboxItem, WhatsAppStore, WhatsAppTicket,
};

use async_trait::async_trait;
use std::path::Path;
use std::sync::Arc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The whole store: every aggregate's trait, on one database, so wiring keeps one object.
/// A use case that needs one aggregate may ask for that trait alone.
#[async_trait]
pub trait Store:
    DirectoryStore
    + AccessStore
    + TicketStore
    + SearchStore
    + MailStore
    + OutboxStore
    + SettingsStore
    + ClassifierStore
    + BlobContentStore
    + WhatsAppStore
    + PortalStore
    + CallStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Applies the migrations this build knows and the database has not seen yet.
    async fn migrate(&self) -> Result<Vec<AppliedMigration>>;

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
