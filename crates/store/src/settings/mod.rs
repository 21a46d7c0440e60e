//! What administrators change from the console and every instance reads: configuration
//! sections (replacing the same section of `soporte.toml`) and canned replies.

use crate::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::AgentId;

#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The configuration sections changed from the console, by name.
    async fn settings(&self) -> Result<Vec<StoredSetting>>;
    /// Writes one section (replacing what it held), recording who changed it.
    async fn save_setting(&self, name: &str, value: &str, by: Option<AgentId>) -> Result<()>;
    /// Drops one section, so that the configuration file's values apply again.
    async fn delete_setting(&self, name: &str) -> Result<bool>;
    /// Canned replies, by title.
    async fn canned_replies(&self) -> Result<Vec<CannedReply>>;
    /// Creates (`id` none) or replaces a canned reply; titles are unique.
    async fn save_canned_reply(&self, id: Option<i64>, title: &str, body: &str) -> Result<i64>;
    async fn delete_canned_reply(&self, id: i64) -> Result<bool>;
}

/// A configuration section as an administrator saved it from the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSetting {
    pub name: String,
    /// The section as JSON.
    pub value: String,
    pub updated_at: Timestamp,
    pub updated_by: Option<AgentId>,
}

/// An answer agents insert into replies, with variables filled in for the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub updated_at: Timestamp,
}
