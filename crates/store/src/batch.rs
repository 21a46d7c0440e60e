//! Group commit for the writes that e-mail intake and the API make most: new tickets and
//! new messages, on SQLite. SQLite has one writer, and each commit costs a WAL write and a
//! hand-off to the connection's thread; committing the writes that arrive together in one
//! transaction multiplies throughput under load without changing what any caller sees:
//! each is answered only after the commit that contains its write, and a failing write
//! never takes others down with it.

use crate::{NewMessage, NewTicket, Result, StoreError, TicketEffects};
use soporte_core::ids::TicketId;
use soporte_core::ticket::{Message, Ticket};
use std::sync::Arc;
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
