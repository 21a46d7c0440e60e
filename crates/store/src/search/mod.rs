//! Full-text search over tickets' subjects and messages. The words are folded and stemmed
//! in Rust (`soporte_core::search`); each backend keeps them in its own index (FTS5 on
//! SQLite, a `tsvector` on PostgreSQL: see their `search` dialect items).

use crate::Result;
use async_trait::async_trait;
use soporte_core::ticket::Ticket;

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Tickets whose subject or messages hold every group of
    /// `soporte_core::search::query_groups` (by any of each group's terms), most recently
    /// changed first.
    async fn search_tickets(&self, groups: &[Vec<String>], limit: u32) -> Result<Vec<Ticket>>;
}
