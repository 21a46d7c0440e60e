//! Search's SQL: the query over the index, and indexing what was written before the index
//! existed. A new message's terms are written with it (`tickets::writes`).

use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{DbConn, SEARCH_MATCH, SqlStore, push_search_row, search_expression};
use crate::{Result, SearchStore};
use async_trait::async_trait;
use soporte_core::ids::TicketId;
use soporte_core::ticket::Ticket;
use sqlx::QueryBuilder;

async fn index_for_search(tx: &mut DbConn, ticket: TicketId, text: &str) -> Result<()> {
    let mut insert = QueryBuilder::new("");
    push_search_row(&mut insert, ticket, soporte_core::search::index_terms(text));
    insert.build().execute(&mut *tx).await?;
    Ok(())
}

/// Indexes every message written before search existed, once, when the migration that
/// creates the index is applied.
pub(super) async fn index_existing_messages(tx: &mut DbConn) -> Result<()> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT m.ticket_id, t.subject, m.body_text FROM messages m JOIN tickets t ON t.id = m.ticket_id \
         WHERE m.automatic IS NULL ORDER BY m.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (ticket, subject, body) in rows {
        index_for_search(tx, TicketId(ticket), &format!("{subject}\n{body}")).await?;
    }
    Ok(())
}

#[async_trait]
impl SearchStore for SqlStore {
    async fn search_tickets(&self, groups: &[Vec<String>], limit: u32) -> Result<Vec<Ticket>> {
        if groups.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE {SEARCH_MATCH} \
             ORDER BY updated_at DESC, id DESC LIMIT $2"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(search_expression(groups))
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(ticket_from_row)
            .collect()
    }
}
