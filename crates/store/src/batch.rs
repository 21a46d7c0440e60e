//! Group commit for ticket creation on SQLite. SQLite has one writer, and each commit costs
//! a WAL write and a hand-off to the connection's thread; committing the tickets that arrive
//! together in one transaction multiplies throughput under load without changing what any
//! caller sees: each is answered only after the commit that contains its ticket, and a
//! failing ticket never takes others down with it.

use crate::{NewTicket, Result, StoreError, TicketEffects};
use soporte_core::ticket::{Message, Ticket};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most creations committed together.
pub(crate) const MAX_GROUP: usize = 64;

pub(crate) struct TicketJob {
    pub new: NewTicket,
    pub effects: Arc<dyn TicketEffects>,
    pub reply: oneshot::Sender<Result<(Ticket, Message)>>,
}

#[derive(Clone)]
pub(crate) struct TicketBatcher {
    jobs: mpsc::UnboundedSender<TicketJob>,
}

impl TicketBatcher {
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<TicketJob>) {
        let (jobs, receiver) = mpsc::unbounded_channel();
        (Self { jobs }, receiver)
    }

    pub(crate) async fn create_ticket(
        &self,
        new: NewTicket,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(TicketJob {
                new,
                effects,
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
    receiver: &mut mpsc::UnboundedReceiver<TicketJob>,
) -> Option<Vec<TicketJob>> {
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
