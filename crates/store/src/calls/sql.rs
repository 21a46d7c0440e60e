//! The phone channel's SQL: calls and the events taken in.

use super::values::{from_json, json_of, opt_ts, parse};
use super::{Db, DbConn, DbRow, FOR_UPDATE, SqlStore, begin_write};
use crate::Result;
use crate::calls::{CallQuery, CallStore, NewCallEvent, StoredCall};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::{AgentId, CallId, ContactId, MessageId, TicketId};
use soporte_core::phone::{CallDirection, CallNumber, CallRecord, EventEffect, HangupCause};
use soporte_core::time::{from_micros, to_micros};
use sqlx::{QueryBuilder, Row};

const CALL_COLUMNS: &str = "id, pbx_call_id, direction, from_number, to_number, users, queue, \
    answered_by, agent_id, answered_by_agent_id, contact_id, started_at, answered_at, ended_at, \
    cause, rejected, ticket_id, message_id, updated_at";

fn number_of(raw: Option<String>) -> Option<CallNumber> {
    raw.as_deref().map(CallNumber::from_text)
}

fn call_from_row(r: &DbRow) -> Result<StoredCall> {
    Ok(StoredCall {
        id: CallId(r.try_get("id")?),
        record: CallRecord {
            call_id: r.try_get("pbx_call_id")?,
            direction: parse::<CallDirection>(r.try_get::<&str, _>("direction")?)?,
            from: number_of(r.try_get("from_number")?),
            to: number_of(r.try_get("to_number")?),
            users: from_json(r.try_get::<&str, _>("users")?)?,
            queue: r.try_get("queue")?,
            answered_by: from_json(r.try_get::<&str, _>("answered_by")?)?,
            started_at: from_micros(r.try_get("started_at")?),
            answered_at: opt_ts(r.try_get("answered_at")?),
            ended_at: opt_ts(r.try_get("ended_at")?),
            cause: r
                .try_get::<Option<&str>, _>("cause")?
                .map(parse::<HangupCause>)
                .transpose()?,
            rejected: r.try_get("rejected")?,
        },
        agent: r.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
        answered_by: r
            .try_get::<Option<i64>, _>("answered_by_agent_id")?
            .map(AgentId),
        contact: r.try_get::<Option<i64>, _>("contact_id")?.map(ContactId),
        ticket: r.try_get::<Option<i64>, _>("ticket_id")?.map(TicketId),
        message: r.try_get::<Option<i64>, _>("message_id")?.map(MessageId),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

async fn locked_call(tx: &mut DbConn, pbx_call_id: &str) -> Result<Option<StoredCall>> {
    let sql = format!("SELECT {CALL_COLUMNS} FROM calls WHERE pbx_call_id = $1{FOR_UPDATE}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(pbx_call_id)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(call_from_row)
        .transpose()
}

/// Writes the call's state over its row.
async fn save_call(tx: &mut DbConn, call: &StoredCall) -> Result<()> {
    let c = &call.record;
    sqlx::query(
        "UPDATE calls SET from_number = $2, to_number = $3, customer_number = $4, users = $5, \
         queue = $6, answered_by = $7, agent_id = $8, answered_by_agent_id = $9, contact_id = $10, \
         started_at = $11, answered_at = $12, ended_at = $13, cause = $14, progress = $15, \
         outcome = $16, updated_at = $17 WHERE id = $1",
    )
    .bind(call.id.0)
    .bind(c.from.as_ref().map(|n| n.as_text().to_string()))
    .bind(c.to.as_ref().map(|n| n.as_text().to_string()))
    .bind(c.customer_number().and_then(CallNumber::international))
    .bind(json_of(&c.users)?)
    .bind(&c.queue)
    .bind(json_of(&c.answered_by)?)
    .bind(call.agent.map(|a| a.0))
    .bind(call.answered_by.map(|a| a.0))
    .bind(call.contact.map(|a| a.0))
    .bind(to_micros(c.started_at))
    .bind(c.answered_at.map(to_micros))
    .bind(c.ended_at.map(to_micros))
    .bind(c.cause.map(HangupCause::as_str))
    .bind(c.progress().as_str())
    .bind(c.outcome().map(|o| o.as_str()))
    .bind(to_micros(call.updated_at))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Fills in who the call is about where the call does not know yet.
fn learn(call: &mut StoredCall, new: &NewCallEvent<'_>) {
    call.agent = call.agent.or(new.agent);
    call.answered_by = new.answered_by.or(call.answered_by);
    call.contact = call.contact.or(new.contact);
    call.updated_at = from_micros(to_micros(new.received_at));
}

#[async_trait]
impl CallStore for SqlStore {
    async fn record_call_event(
        &self,
        new: &NewCallEvent<'_>,
    ) -> Result<(StoredCall, Option<EventEffect>)> {
        let event = new.event;
        // At the precision kept, so the call returned equals the call read back later.
        let at = from_micros(to_micros(new.received_at));
        let mut tx = begin_write(&self.writer).await?;
        let taken = sqlx::query(
            "INSERT INTO call_events (pbx_call_id, event, answering, received_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&event.call_id)
        .bind(event.kind.as_str())
        .bind(event.answering_number.as_deref().unwrap_or_default())
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let existing = locked_call(&mut tx, &event.call_id).await?;
        if !taken && let Some(call) = existing {
            tx.commit().await?;
            return Ok((call, None));
        }
        let (call, effect) = match existing {
            Some(mut call) => {
                let effect = call.record.apply(event, at);
                learn(&mut call, new);
                save_call(&mut tx, &call).await?;
                (call, effect)
            }
            None => {
                let (record, effect) = CallRecord::begin(event, at, new.rejected);
                // Of two first events of one call arriving together, one inserts the row; the
                // other waits for it here and then moves it on.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO calls (pbx_call_id, direction, rejected, started_at, progress, updated_at) \
                     VALUES ($1, $2, $3, $4, 'ringing', $4) ON CONFLICT (pbx_call_id) DO NOTHING RETURNING id",
                )
                .bind(&record.call_id)
                .bind(record.direction.as_str())
                .bind(record.rejected)
                .bind(to_micros(at))
                .fetch_optional(&mut *tx)
                .await?;
                let mut call = match id {
                    Some(id) => StoredCall {
                        id: CallId(id),
                        record,
                        agent: None,
                        answered_by: None,
                        contact: None,
                        ticket: None,
                        message: None,
                        updated_at: at,
                    },
                    None => {
                        let Some(mut call) = locked_call(&mut tx, &event.call_id).await? else {
                            return Err(crate::StoreError::Corrupt(format!(
                                "call {} vanished while its event was taken in",
                                event.call_id
                            )));
                        };
                        let effect = call.record.apply(event, at);
                        learn(&mut call, new);
                        save_call(&mut tx, &call).await?;
                        tx.commit().await?;
                        return Ok((call, Some(effect)));
                    }
                };
                learn(&mut call, new);
                save_call(&mut tx, &call).await?;
                (call, effect)
            }
        };
        tx.commit().await?;
        Ok((call, Some(effect)))
    }

    async fn add_call_intent(
        &self,
        agent: AgentId,
        number: &str,
        ticket: TicketId,
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query("DELETE FROM call_intents WHERE created_at < $1")
            .bind(to_micros(forget_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO call_intents (agent_id, number, ticket_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(agent.0)
        .bind(number)
        .bind(ticket.0)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::StoreError::from_write(e, "ticket", "agent or ticket does not exist"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn take_call_intent(
        &self,
        agent: Option<AgentId>,
        number: &str,
        since: Timestamp,
    ) -> Result<Option<TicketId>> {
        let mut tx = begin_write(&self.writer).await?;
        let mut q = QueryBuilder::<Db>::new(
            "SELECT agent_id, ticket_id, created_at FROM call_intents WHERE number = ",
        );
        q.push_bind(number.to_string())
            .push(" AND created_at >= ")
            .push_bind(to_micros(since));
        if let Some(agent) = agent {
            q.push(" AND agent_id = ").push_bind(agent.0);
        }
        q.push(" ORDER BY created_at DESC LIMIT 1");
        q.push(FOR_UPDATE);
        let Some(row) = q.build().fetch_optional(&mut *tx).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let (agent_id, ticket_id, created_at): (i64, i64, i64) = (
            row.try_get("agent_id")?,
            row.try_get("ticket_id")?,
            row.try_get("created_at")?,
        );
        sqlx::query(
            "DELETE FROM call_intents WHERE agent_id = $1 AND number = $2 AND ticket_id = $3 AND created_at = $4",
        )
        .bind(agent_id)
        .bind(number)
        .bind(ticket_id)
        .bind(created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(TicketId(ticket_id)))
    }

    async fn call(&self, id: CallId) -> Result<Option<StoredCall>> {
        let sql = format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(call_from_row)
            .transpose()
    }

    async fn list_calls(&self, query: &CallQuery) -> Result<Vec<StoredCall>> {
        let mut q =
            QueryBuilder::<Db>::new(format!("SELECT {CALL_COLUMNS} FROM calls WHERE 1 = 1"));
        if let Some(agent) = query.agent {
            q.push(" AND (agent_id = ")
                .push_bind(agent.0)
                .push(" OR answered_by_agent_id = ")
                .push_bind(agent.0)
                .push(")");
        }
        if let Some(direction) = query.direction {
            q.push(" AND direction = ").push_bind(direction.as_str());
        }
        if let Some(progress) = query.progress {
            q.push(" AND progress = ").push_bind(progress.as_str());
        }
        if let Some(outcome) = query.outcome {
            q.push(" AND outcome = ").push_bind(outcome.as_str());
        }
        if let Some(number) = &query.customer_number {
            q.push(" AND customer_number = ").push_bind(number.clone());
        }
        if let Some(contact) = query.contact {
            q.push(" AND contact_id = ").push_bind(contact.0);
        }
        if let Some(ticket) = query.ticket {
            q.push(" AND ticket_id = ").push_bind(ticket.0);
        }
        if query.unrecorded {
            q.push(" AND ticket_id IS NULL");
        }
        if let Some(since) = query.since {
            q.push(" AND started_at >= ").push_bind(to_micros(since));
        }
        if let Some(until) = query.until {
            q.push(" AND started_at < ").push_bind(to_micros(until));
        }
        if let Some((at, id)) = query.after {
            q.push(" AND (started_at < ")
                .push_bind(to_micros(at))
                .push(" OR (started_at = ")
                .push_bind(to_micros(at))
                .push(" AND id < ")
                .push_bind(id.0)
                .push("))");
        }
        q.push(" ORDER BY started_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(query.limit));
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(call_from_row)
            .collect()
    }
}

/// Records, in a message's transaction, that the message is the entry of `call` on its
/// ticket. A call is recorded on one request only.
pub(crate) async fn record_call_entry(
    tx: &mut DbConn,
    call: CallId,
    ticket: TicketId,
    message: MessageId,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE calls SET ticket_id = $2, message_id = $3 WHERE id = $1 AND ticket_id IS NULL",
    )
    .bind(call.0)
    .bind(ticket.0)
    .bind(message.0)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(crate::StoreError::Conflict {
            field: "call".into(),
            message: format!("call {call} is already recorded on a request, or does not exist"),
        })
    }
}
