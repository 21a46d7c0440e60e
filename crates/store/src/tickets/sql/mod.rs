//! Tickets' SQL: the use cases' transactions (`writes` holds what they share with SQLite's
//! group commit), reads of one ticket, listings, merges and presence.

mod rows;
mod writes;

pub(crate) use rows::{TICKET_COLUMNS, ticket_from_row};
pub(crate) use writes::{body_terms, insert_attachment, write_added_message, write_new_ticket};

use super::classifier::insert_correction;
use super::deferred::Deferred;
use super::values::now;
use super::{Db, SqlStore, begin_write, move_search_rows};
use crate::sqlite::group_commit::Write;
use crate::{
    AssigneeFilter, Consequences, NewMessage, NewTicket, Result, StoreError, TicketChange,
    TicketEffects, TicketQuery, TicketStore, TypeFilter,
};
use async_trait::async_trait;
use jiff::Timestamp;
use rows::{
    ATTACHMENT_COLUMNS, MESSAGE_COLUMNS, attachment_from_row, event_from_row, message_from_row,
};
use soporte_core::ids::{AgentId, AttachmentId, MessageId, TicketId};
use soporte_core::ticket::{
    Actor, Attachment, Event, EventKind, Message, Status, Ticket, TicketPatch, apply_patch,
};
use soporte_core::time::to_micros;
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;
use std::sync::Arc;
use writes::{insert_events, lock_ticket, write_consequences, write_ticket_state};

#[async_trait]
impl TicketStore for SqlStore {
    async fn create_ticket_with(
        &self,
        new: &NewTicket,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)> {
        let terms = body_terms(&new.body_text, new.extra.automatic.is_some());
        if let Some(batcher) = &self.batcher {
            let write = Write::CreateTicket(Box::new(new.clone()));
            return batcher.write(write, effects, terms).await;
        }
        let mut tx = begin_write(&self.writer).await?;
        let created = write_new_ticket(
            &mut tx,
            new,
            effects.as_ref(),
            now(),
            None,
            terms.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn update_ticket_with(
        &self,
        id: TicketId,
        patch: &TicketPatch,
        actor: Actor,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<Ticket> {
        let mut tx = begin_write(&self.writer).await?;
        let ticket = lock_ticket(&mut tx, id).await?;
        let at = now();
        let (mut next, events) = apply_patch(&ticket, patch, at)?;
        let consequences = effects.apply(TicketChange::Edited { before: &ticket }, &mut next, at);
        if events.is_empty() && next == ticket && consequences == Consequences::default() {
            return Ok(ticket);
        }
        let mut later = Deferred::new();
        write_ticket_state(&mut tx, &mut later, &next).await?;
        for event in &events {
            if let (EventKind::TypeChanged { to: Some(to), .. }, Actor::Agent(agent)) =
                (event, actor)
            {
                insert_correction(&mut tx, id, *to, agent, at).await?;
            }
        }
        let own = events.iter().map(|e| (actor, e)).collect();
        write_consequences(&mut tx, &mut later, &next, None, own, &consequences, at).await?;
        later.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(next)
    }

    async fn add_message_with(
        &self,
        ticket_id: TicketId,
        new: &NewMessage,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)> {
        let terms = body_terms(&new.body_text, new.extra.automatic.is_some());
        if let Some(batcher) = &self.batcher {
            let write = Write::AddMessage(ticket_id, Box::new(new.clone()));
            return batcher.write(write, effects, terms).await;
        }
        let mut tx = begin_write(&self.writer).await?;
        let added =
            write_added_message(&mut tx, ticket_id, new, effects.as_ref(), terms.as_deref())
                .await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn merge_tickets(
        &self,
        source: TicketId,
        target: TicketId,
        actor: Actor,
    ) -> Result<Ticket> {
        if source == target {
            return Err(StoreError::Invalid(soporte_core::ValidationError::new(
                "target",
                "a ticket cannot be merged into itself",
            )));
        }
        let mut tx = begin_write(&self.writer).await?;
        // Always lock in id order, so two merges in opposite directions cannot deadlock.
        let (first, second) = if source.0 < target.0 {
            (source, target)
        } else {
            (target, source)
        };
        let a = lock_ticket(&mut tx, first).await?;
        let b = lock_ticket(&mut tx, second).await?;
        let (mut from, mut into) = if a.id == source { (a, b) } else { (b, a) };
        if from.status == Status::Closed || into.status == Status::Closed {
            return Err(StoreError::Change(
                soporte_core::ticket::ChangeError::Closed,
            ));
        }
        let at = now();
        move_search_rows(&mut tx, source, target).await?;
        for table in ["messages", "attachments", "outbox"] {
            let sql = format!("UPDATE {table} SET ticket_id = $2 WHERE ticket_id = $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(source.0)
                .bind(target.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM ticket_presence WHERE ticket_id = $1")
            .bind(source.0)
            .execute(&mut *tx)
            .await?;
        let closed = EventKind::StatusChanged {
            from: from.status,
            to: Status::Closed,
        };
        from.status = Status::Closed;
        from.closed_at = Some(at);
        from.updated_at = at;
        into.updated_at = at;
        let mut later = Deferred::new();
        write_ticket_state(&mut tx, &mut later, &from).await?;
        write_ticket_state(&mut tx, &mut later, &into).await?;
        let merged_into = EventKind::MergedInto { into: target };
        insert_events(
            &mut tx,
            &mut later,
            source,
            &[(actor, &merged_into), (actor, &closed)],
            at,
        )
        .await?;
        let merged_from = EventKind::MergedFrom { from: source };
        insert_events(&mut tx, &mut later, target, &[(actor, &merged_from)], at).await?;
        later.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(into)
    }

    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(ticket_from_row)
            .transpose()
    }

    async fn ticket_messages(&self, id: TicketId) -> Result<Vec<Message>> {
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE ticket_id = $1 ORDER BY id");
        let mut messages: Vec<Message> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(message_from_row)
            .collect::<Result<_>>()?;
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE ticket_id = $1 ORDER BY id"
        );
        let attachments = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.reader)
            .await?;
        if !attachments.is_empty() {
            let index: HashMap<MessageId, usize> = messages
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id, i))
                .collect();
            for row in &attachments {
                let a = attachment_from_row(row)?;
                if let Some(i) = index.get(&a.message_id) {
                    messages[*i].attachments.push(a);
                }
            }
        }
        super::whatsapp::attach_whatsapp_details(&self.reader, id, None, &mut messages).await?;
        Ok(messages)
    }

    async fn ticket_events(&self, id: TicketId) -> Result<Vec<Event>> {
        sqlx::query(
            "SELECT id, ticket_id, actor_kind, actor_id, data, created_at FROM events WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(event_from_row)
        .collect()
    }

    async fn message(&self, id: MessageId) -> Result<Option<Message>> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
        else {
            return Ok(None);
        };
        let mut message = message_from_row(&row)?;
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE message_id = $1 ORDER BY id"
        );
        message.attachments = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(attachment_from_row)
            .collect::<Result<_>>()?;
        let mut one = [message];
        super::whatsapp::attach_whatsapp_details(
            &self.reader,
            one[0].ticket_id,
            Some(id),
            &mut one,
        )
        .await?;
        let [message] = one;
        Ok(Some(message))
    }

    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>> {
        let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(attachment_from_row)
            .transpose()
    }

    async fn message_by_channel_id(
        &self,
        channel_message_id: &str,
    ) -> Result<Option<(TicketId, MessageId)>> {
        let row = sqlx::query("SELECT id, ticket_id FROM messages WHERE channel_message_id = $1")
            .bind(channel_message_id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| {
            Ok((
                TicketId(r.try_get("ticket_id")?),
                MessageId(r.try_get("id")?),
            ))
        })
        .transpose()
    }

    async fn list_tickets(&self, query: &TicketQuery) -> Result<Vec<Ticket>> {
        let mut q =
            QueryBuilder::<Db>::new(format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE 1 = 1"));
        push_ticket_filters(&mut q, query);
        let column = query.sort.column();
        let (cmp, dir) = if query.sort.descending() {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(cursor) = query.after {
            q.push(format!(" AND ({column}, id) {cmp} ("))
                .push_bind(cursor.key)
                .push(", ")
                .push_bind(cursor.id)
                .push(")");
        }
        q.push(format!(" ORDER BY {column} {dir}, id {dir} LIMIT "))
            .push_bind(i64::from(query.limit));
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(ticket_from_row)
            .collect()
    }

    async fn count_tickets(&self, query: &TicketQuery) -> Result<i64> {
        let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tickets WHERE 1 = 1");
        push_ticket_filters(&mut q, query);
        Ok(q.build_query_scalar::<i64>()
            .fetch_one(&self.reader)
            .await?)
    }

    async fn open_ticket_counts(&self, agents: &[AgentId]) -> Result<HashMap<AgentId, i64>> {
        let mut counts = HashMap::new();
        if agents.is_empty() {
            return Ok(counts);
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT assignee_id, COUNT(*) AS open FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold') AND assignee_id IN (",
        );
        let mut list = q.separated(", ");
        for a in agents {
            list.push_bind(a.0);
        }
        q.push(") GROUP BY assignee_id");
        for row in q.build().fetch_all(&self.reader).await? {
            counts.insert(AgentId(row.try_get("assignee_id")?), row.try_get("open")?);
        }
        Ok(counts)
    }

    async fn tickets_due_for_sla_check(&self, now: Timestamp, limit: u32) -> Result<Vec<TicketId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM tickets WHERE sla_next_check_at IS NOT NULL AND sla_next_check_at <= $1 \
             ORDER BY sla_next_check_at LIMIT $2",
        )
        .bind(to_micros(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        Ok(ids.into_iter().map(TicketId).collect())
    }

    async fn touch_presence(
        &self,
        ticket: TicketId,
        agent: AgentId,
        replying: bool,
        at: Timestamp,
        since: Timestamp,
    ) -> Result<Vec<(AgentId, bool)>> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query(
            "INSERT INTO ticket_presence (ticket_id, agent_id, replying, seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (ticket_id, agent_id) DO UPDATE SET replying = excluded.replying, seen_at = excluded.seen_at",
        )
        .bind(ticket.0)
        .bind(agent.0)
        .bind(replying)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "ticket_id", "no such ticket"))?;
        // Old rows go as new ones come: presence is only ever about the last minute.
        sqlx::query("DELETE FROM ticket_presence WHERE seen_at < $1")
            .bind(to_micros(since) - 3_600_000_000)
            .execute(&mut *tx)
            .await?;
        let others: Vec<(i64, bool)> = sqlx::query_as(
            "SELECT agent_id, replying FROM ticket_presence WHERE ticket_id = $1 AND agent_id <> $2 AND seen_at >= $3 ORDER BY agent_id",
        )
        .bind(ticket.0)
        .bind(agent.0)
        .bind(to_micros(since))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(others.into_iter().map(|(a, r)| (AgentId(a), r)).collect())
    }
}

/// The WHERE conditions of a ticket query (everything but paging and order).
fn push_ticket_filters(q: &mut QueryBuilder<Db>, query: &TicketQuery) {
    if !query.statuses.is_empty() {
        q.push(" AND status IN (");
        let mut list = q.separated(", ");
        for s in &query.statuses {
            list.push_bind(s.as_str());
        }
        q.push(")");
    }
    match query.support_type {
        Some(TypeFilter::Type(t)) => {
            q.push(" AND support_type = ").push_bind(t.as_str());
        }
        Some(TypeFilter::Unset) => {
            q.push(" AND support_type IS NULL");
        }
        None => {}
    }
    if let Some(p) = query.priority {
        q.push(" AND priority = ").push_bind(p.as_str());
    }
    if let Some(c) = query.channel {
        q.push(" AND channel = ").push_bind(c.as_str());
    }
    match query.assignee {
        Some(AssigneeFilter::Agent(a)) => {
            q.push(" AND assignee_id = ").push_bind(a.0);
        }
        Some(AssigneeFilter::Unassigned) => {
            q.push(" AND assignee_id IS NULL");
        }
        None => {}
    }
    if let Some(a) = query.account_id {
        q.push(" AND account_id = ").push_bind(a.0);
    }
    match &query.call_backs {
        Some(crate::tickets::CallBackFilter::Any) => {
            q.push(" AND call_back_number IS NOT NULL");
        }
        Some(crate::tickets::CallBackFilter::Number(number)) => {
            q.push(" AND call_back_number = ").push_bind(number.clone());
        }
        None => {}
    }
    if let Some(c) = query.requester_id {
        q.push(" AND requester_id = ").push_bind(c.0);
    }
    if let Some(since) = query.updated_since {
        q.push(" AND updated_at >= ").push_bind(to_micros(since));
    }
    if !query.sla_states.is_empty() {
        q.push(" AND sla_state IN (");
        let mut list = q.separated(", ");
        for s in &query.sla_states {
            list.push_bind(s.as_str());
        }
        q.push(")");
    }
}
