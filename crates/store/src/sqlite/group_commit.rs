//! Group commit for the writes that e-mail intake and the API make most: new tickets and
//! new messages, on SQLite. SQLite has one writer, and each commit costs a WAL write and a
//! hand-off to the connection's thread; committing the writes that arrive together in one
//! transaction multiplies throughput under load without changing what any caller sees:
//! each is answered only after the commit that contains its write, and a failing write
//! never takes others down with it.

use super::sql::tickets::{write_added_message, write_new_ticket};
use super::{Db, begin_write};
use crate::{NewMessage, NewTicket, Result, StoreError, TicketEffects};
use soporte_core::ids::TicketId;
use soporte_core::ticket::{Message, Ticket};
use sqlx::Pool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most writes committed together.
pub(crate) const MAX_GROUP: usize = 64;

/// One use case's write, as it would be done alone in its own transaction.
pub(crate) enum Write {
    CreateTicket(Box<NewTicket>),
    AddMessage(TicketId, Box<NewMessage>),
}

pub(crate) struct WriteJob {
    pub write: Write,
    pub effects: Arc<dyn TicketEffects>,
    /// The search terms of the message's text, found before queueing.
    pub body_terms: Option<String>,
    pub reply: oneshot::Sender<Result<(Ticket, Message)>>,
}

#[derive(Clone)]
pub(crate) struct WriteBatcher {
    jobs: mpsc::UnboundedSender<WriteJob>,
}

impl WriteBatcher {
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<WriteJob>) {
        let (jobs, receiver) = mpsc::unbounded_channel();
        (Self { jobs }, receiver)
    }

    /// Queues the write and waits for the commit of the group it joined.
    pub(crate) async fn write(
        &self,
        write: Write,
        effects: Arc<dyn TicketEffects>,
        body_terms: Option<String>,
    ) -> Result<(Ticket, Message)> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(WriteJob {
                write,
                effects,
                body_terms,
                reply,
            })
            .map_err(|_| StoreError::Unsupported("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unsupported("the database writer has stopped".into()))?
    }
}

/// Takes the first waiting job and whatever else is already queued, up to [`MAX_GROUP`].
pub(crate) async fn next_group(
    receiver: &mut mpsc::UnboundedReceiver<WriteJob>,
) -> Option<Vec<WriteJob>> {
    let first = receiver.recv().await?;
    let mut group = vec![first];
    while group.len() < MAX_GROUP {
        match receiver.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    Some(group)
}

/// Writes queued ticket creations and new messages in groups: one transaction per group,
/// the new tickets numbered in turn. A write that fails is answered with its error and the
/// group is written again without it, so every other caller's write still commits, and
/// nothing of the failed one does. Should the transaction itself fail (beginning or
/// committing it), each write is tried alone. Runs until the store is dropped.
pub(super) async fn commit_groups(
    writer: Pool<Db>,
    checkpointer: Pool<Db>,
    mut jobs: tokio::sync::mpsc::UnboundedReceiver<WriteJob>,
) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut checkpointing: Option<tokio::task::JoinHandle<()>> = None;
    loop {
        let group = tokio::select! {
            group = next_group(&mut jobs) => group,
            _ = every.tick() => {
                if checkpointing.as_ref().is_none_or(|c| c.is_finished()) {
                    checkpointing = Some(tokio::spawn(checkpoint(checkpointer.clone())));
                }
                continue;
            }
        };
        let Some(group) = group else { break };
        let results = write_group(&writer, &group).await;
        for (job, result) in group.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// Why a group's transaction did not commit.
enum GroupFailure {
    /// The write at this index into the group was refused (a conflict, a closed ticket…).
    Write(usize, StoreError),
    /// The transaction failed (beginning, numbering, committing), or the database did.
    Transaction(StoreError),
}

/// Every write's result, in the group's order.
async fn write_group(
    writer: &Pool<Db>,
    group: &[WriteJob],
) -> Vec<Result<(Ticket, Message), StoreError>> {
    let mut results: Vec<Option<Result<(Ticket, Message), StoreError>>> =
        group.iter().map(|_| None).collect();
    let mut pending: Vec<usize> = (0..group.len()).collect();
    while !pending.is_empty() {
        match try_group(writer, group, &pending).await {
            Ok(written) => {
                for (index, done) in pending.iter().zip(written) {
                    results[*index] = Some(Ok(done));
                }
                break;
            }
            Err(GroupFailure::Write(index, error)) => {
                results[index] = Some(Err(error));
                pending.retain(|i| *i != index);
            }
            // Locked by another program, or the disk is full: each write alone would wait
            // as long again and fail the same way. None was written; each caller may retry.
            Err(GroupFailure::Transaction(StoreError::Unavailable(reason))) => {
                for index in &pending {
                    results[*index] = Some(Err(StoreError::Unavailable(reason.clone())));
                }
                break;
            }
            Err(GroupFailure::Transaction(error)) => {
                tracing::warn!(%error, writes = pending.len(), "group commit failed; writing each alone");
                for index in &pending {
                    results[*index] = Some(write_alone(writer, &group[*index]).await);
                }
                break;
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(StoreError::Unsupported("write not attempted".into()))))
        .collect()
}

/// The writes at `pending` in one transaction, or the first failure.
async fn try_group(
    writer: &Pool<Db>,
    group: &[WriteJob],
    pending: &[usize],
) -> Result<Vec<(Ticket, Message)>, GroupFailure> {
    let mut tx = begin_write(writer)
        .await
        .map_err(|e| GroupFailure::Transaction(e.into()))?;
    let creates = pending
        .iter()
        .any(|i| matches!(group[*i].write, Write::CreateTicket(_)));
    let mut last = 0;
    if creates {
        last = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM tickets")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| GroupFailure::Transaction(e.into()))?;
    }
    let at = now_stored();
    let mut written = Vec::with_capacity(pending.len());
    for index in pending {
        let job = &group[*index];
        let done = match &job.write {
            Write::CreateTicket(new) => {
                last += 1;
                write_new_ticket(
                    &mut tx,
                    new,
                    job.effects.as_ref(),
                    at,
                    Some(TicketId(last)),
                    job.body_terms.as_deref(),
                )
                .await
            }
            Write::AddMessage(ticket, new) => {
                let terms = job.body_terms.as_deref();
                write_added_message(&mut tx, *ticket, new, job.effects.as_ref(), terms).await
            }
        };
        // Returning drops the transaction, which rolls it back.
        written.push(done.map_err(|e| match e {
            // The database or the disk failing is no fault of this write: every write is
            // tried alone.
            StoreError::Database(_) | StoreError::Unavailable(_) | StoreError::Io(_) => {
                GroupFailure::Transaction(e)
            }
            e => GroupFailure::Write(*index, e),
        })?);
    }
    tx.commit()
        .await
        .map_err(|e| GroupFailure::Transaction(e.into()))?;
    Ok(written)
}

/// How often the log is copied into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies what the write-ahead log holds into the database file. PASSIVE: it never waits
/// for, nor blocks, the writer or readers, so the fsyncs it makes stay off the path of
/// every write. What it cannot copy yet (frames a reader still needs) waits for the next
/// round.
async fn checkpoint(checkpointer: Pool<Db>) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(&checkpointer)
        .await
    {
        tracing::warn!(error = %e, "SQLite checkpoint failed; the next one retries");
    }
}

fn now_stored() -> jiff::Timestamp {
    soporte_core::time::from_micros(soporte_core::time::to_micros(jiff::Timestamp::now()))
}

async fn write_alone(writer: &Pool<Db>, job: &WriteJob) -> Result<(Ticket, Message), StoreError> {
    let mut tx = begin_write(writer).await?;
    let done = match &job.write {
        Write::CreateTicket(new) => {
            let at = now_stored();
            let terms = job.body_terms.as_deref();
            write_new_ticket(&mut tx, new, job.effects.as_ref(), at, None, terms).await
        }
        Write::AddMessage(ticket, new) => {
            let terms = job.body_terms.as_deref();
            write_added_message(&mut tx, *ticket, new, job.effects.as_ref(), terms).await
        }
    }?;
    tx.commit().await?;
    Ok(done)
}
