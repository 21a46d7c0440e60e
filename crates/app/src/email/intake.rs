//! Taking in one received e-mail. At-least-once delivery from the mailbox, exactly-once
//! effect here: the same message (same Message-ID, or same IMAP position) never makes a
//! second ticket or message, and nothing is dropped: what cannot be read is quarantined.

use crate::policy::{AcknowledgementMail, NewRequest};
use crate::{App, AppError, Result};
use jiff::Timestamp;
use soporte_core::directory::Agent;
use soporte_core::directory::Contact;
use soporte_core::email::{AutomaticKind, EmailHeaders, InboundEmail, Mailbox};
use soporte_core::ids::{MessageId, TicketId};
use soporte_core::support::Channel;
use soporte_core::ticket::{
    Actor, MessageKind, Status, TicketNumber, normalize_media_type, normalize_subject,
    sanitize_filename,
};
use soporte_store::{
    MailboxPosition, MessageExtra, NewAttachment, NewContact, NewMessage, NewTicket, Requester,
    StagedBlob, StoreError,
};
use std::sync::Arc;

/// Commit lanes per core for an import ([`App::import_emails`]). A lane spends most of its
/// time waiting (on reads, then on the commit of the group its write joined), so one per
/// core leaves the database's group commit with little company; with 8 per core a group
/// holds a dozen messages or more. Each lane holds one message at a time.
pub const IMPORT_LANES_PER_CORE: usize = 8;

/// Where a message came from, for quarantine records and IMAP de-duplication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeSource {
    Api,
    Import(String),
    Imap(MailboxPosition),
}

impl IntakeSource {
    fn label(&self) -> String {
        match self {
            IntakeSource::Api => "api".into(),
            IntakeSource::Import(path) => format!("import:{path}"),
            IntakeSource::Imap(p) => format!("imap:{}:{}:{}", p.mailbox, p.uidvalidity, p.uid),
        }
    }

    fn position(&self) -> Option<&MailboxPosition> {
        match self {
            IntakeSource::Imap(p) => Some(p),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// A new message, in a new or an existing ticket.
    Created {
        ticket_id: TicketId,
        message_id: MessageId,
        new_ticket: bool,
    },
    /// Seen before (same Message-ID): nothing written.
    Duplicate {
        ticket_id: TicketId,
        message_id: MessageId,
    },
    /// This mailbox position was taken in before (a message without a Message-ID).
    AlreadyTaken,
    /// Kept aside for an admin, with the reason.
    Quarantined { id: i64, reason: String },
}

/// Where an imported message's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawEmail {
    Bytes(Vec<u8>),
    File(std::path::PathBuf),
}

/// A message after [`App::receive_email`], ready for [`App::take_in`].
#[derive(Debug)]
pub struct ReceivedEmail {
    size: usize,
    /// Read here rather than in the ticket transaction's turn: agents do not change with
    /// the mail, and this read then overlaps the transactions of the messages before.
    agents: Arc<Vec<Agent>>,
    original: soporte_store::StoredBlob,
    staged_original: Option<StagedBlob>,
    parsed: Parsed,
}

#[derive(Debug)]
enum Parsed {
    /// Kept in quarantine with this reason.
    Refused(String),
    Mail {
        mail: Box<InboundEmail>,
        attachments: Vec<NewAttachment>,
        blob_contents: Vec<StagedBlob>,
    },
}

fn headers_of(mail: &InboundEmail) -> EmailHeaders {
    EmailHeaders {
        from: mail.from.as_ref().map(Mailbox::display),
        to: mail.to.iter().map(Mailbox::display).collect(),
        cc: mail.cc.iter().map(Mailbox::display).collect(),
        subject: Some(mail.subject.clone()),
    }
}

impl App {
    /// Keeps a message that cannot become a ticket, with the reason, for an admin to see.
    async fn quarantine(
        &self,
        source: &IntakeSource,
        reason: String,
        sha256: &str,
        size: usize,
        staged: Option<StagedBlob>,
    ) -> Result<IntakeOutcome> {
        // The original was staged for the ticket's transaction; no ticket, so it is kept now.
        if let Some(staged) = staged {
            self.store
                .put_blob_content(&staged.sha256, &staged.bytes)
                .await?;
        }
        let id = self
            .store
            .quarantine(&source.label(), &reason, sha256, size as i64)
            .await?;
        if let Some(position) = source.position() {
            self.store.record_position(position).await?;
        }
        tracing::warn!(source = %source.label(), %reason, quarantine_id = id, "e-mail quarantined");
        Ok(IntakeOutcome::Quarantined { id, reason })
    }

    /// Takes in one raw RFC 5322 message.
    pub async fn intake_email(&self, raw: &[u8], source: &IntakeSource) -> Result<IntakeOutcome> {
        if let Some(position) = source.position()
            && self.store.position_taken(position).await?
        {
            return Ok(IntakeOutcome::AlreadyTaken);
        }
        let received = self.receive_email(raw).await?;
        self.take_in(received, source).await
    }

    /// The part of a message's intake that needs no database: its original kept (or staged
    /// for the ticket's transaction), the MIME parsed, its attachments stored. It may run
    /// ahead of [`App::take_in`] and several at once; what it writes is addressed by content,
    /// so a message received twice costs nothing more.
    pub async fn receive_email(&self, raw: &[u8]) -> Result<ReceivedEmail> {
        let codec = self
            .codec
            .clone()
            .ok_or_else(|| AppError::Unavailable("e-mail support is not configured".into()))?;
        let settings = &self.settings().email;
        // The original is kept whatever happens next: it is what "never lose a message" means.
        let (original, staged_original) = self.blobs.stage(raw).await?;
        let parsed = if raw.len() > settings.max_message_bytes {
            Parsed::Refused(format!(
                "message of {} bytes exceeds the limit of {} bytes",
                raw.len(),
                settings.max_message_bytes
            ))
        } else {
            match codec.parse(raw) {
                Err(e) => Parsed::Refused(format!("unreadable: {e}")),
                Ok(mail) => {
                    let has_sender = mail.from.is_some() || mail.reply_to.is_some();
                    let (attachments, blob_contents) = if has_sender {
                        self.store_inbound_attachments(&mail).await?
                    } else {
                        Default::default()
                    };
                    Parsed::Mail {
                        mail: Box::new(mail),
                        attachments,
                        blob_contents,
                    }
                }
            }
        };
        Ok(ReceivedEmail {
            size: raw.len(),
            agents: Arc::new(self.store.list_agents().await?),
            original,
            staged_original,
            parsed,
        })
    }

    /// Imports messages given in delivery order. Up to `ahead` of them are read and
    /// parsed in parallel, and their ticket transactions run in `lanes` concurrent lanes
    /// (so that SQLite's group commit has company: see [`IMPORT_LANES_PER_CORE`]). A message goes to the lane of any
    /// still-unfinished message it answers, so a reply is always committed after what it
    /// answers; messages of unrelated threads go to the least busy lane.
    ///
    /// `each` hears every message's outcome as it is committed, with the message's index
    /// in `emails` and the time from the start of its reading to its commit.
    pub async fn import_emails(
        &self,
        emails: Vec<(String, RawEmail)>,
        ahead: usize,
        lanes: usize,
        mut each: impl FnMut(usize, &str, Result<IntakeOutcome>, std::time::Duration),
    ) -> Result<()> {
        type Receiving = tokio::task::JoinHandle<(Result<ReceivedEmail>, std::time::Instant)>;
        let (received_tx, mut received_rx) =
            tokio::sync::mpsc::channel::<(String, Receiving)>(ahead.max(1));
        let app = self.clone();
        let producer = tokio::spawn(async move {
            for (label, raw) in emails {
                let app = app.clone();
                let receiving = tokio::spawn(async move {
                    let started = std::time::Instant::now();
                    let received = match raw {
                        RawEmail::Bytes(bytes) => app.receive_email(&bytes).await,
                        RawEmail::File(path) => match tokio::fs::read(&path).await {
                            Ok(bytes) => app.receive_email(&bytes).await,
                            Err(e) => Err(AppError::Internal(format!(
                                "{}: cannot read: {e}",
                                path.display()
                            ))),
                        },
                    };
                    (received, started)
                });
                if received_tx.send((label, receiving)).await.is_err() {
                    break;
                }
            }
        });

        type Done = (usize, String, Result<IntakeOutcome>, std::time::Duration);
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Done>();
        let mut lane_inputs = Vec::new();
        let mut lane_tasks = Vec::new();
        for _ in 0..lanes.max(1) {
            let (input, mut queue) = tokio::sync::mpsc::channel::<(
                usize,
                String,
                Result<ReceivedEmail>,
                std::time::Instant,
            )>(2);
            let (app, done) = (self.clone(), done_tx.clone());
            lane_tasks.push(tokio::spawn(async move {
                while let Some((index, label, received, started)) = queue.recv().await {
                    let outcome = match received {
                        Ok(received) => {
                            app.take_in(received, &IntakeSource::Import(label.clone()))
                                .await
                        }
                        Err(e) => Err(e),
                    };
                    if done
                        .send((index, label, outcome, started.elapsed()))
                        .is_err()
                    {
                        break;
                    }
                }
            }));
            lane_inputs.push(input);
        }
        drop(done_tx);

        // Message-ID → (lane, index) of the messages dispatched and not yet reported done.
        let mut unfinished: std::collections::HashMap<String, (usize, usize)> =
            std::collections::HashMap::new();
        // Index → lane of every message dispatched and not yet reported done.
        let mut lane_of: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        let mut busy = vec![0usize; lane_inputs.len()];
        let mut index = 0;
        let mut finish = |done: Done,
                          unfinished: &mut std::collections::HashMap<String, (usize, usize)>,
                          lane_of: &mut std::collections::HashMap<usize, usize>,
                          busy: &mut Vec<usize>| {
            let (i, label, outcome, took) = done;
            if let Some(lane) = lane_of.remove(&i) {
                busy[lane] = busy[lane].saturating_sub(1);
            }
            unfinished.retain(|_, (_, at)| *at != i);
            each(i, &label, outcome, took);
        };
        while let Some((label, receiving)) = received_rx.recv().await {
            let (received, started) = receiving
                .await
                .map_err(|e| AppError::Internal(format!("{label}: receiving failed: {e}")))?;
            while let Ok(done) = done_rx.try_recv() {
                finish(done, &mut unfinished, &mut lane_of, &mut busy);
            }
            let (own_id, answers) = match &received {
                Ok(ReceivedEmail {
                    parsed: Parsed::Mail { mail, .. },
                    ..
                }) => (mail.message_id.clone(), mail.thread_ids()),
                _ => (None, Vec::new()),
            };
            let lane = answers
                .iter()
                .find_map(|id| unfinished.get(id).map(|(lane, _)| *lane))
                .unwrap_or_else(|| {
                    (0..busy.len())
                        .min_by_key(|lane| busy[*lane])
                        .unwrap_or_default()
                });
            busy[lane] += 1;
            lane_of.insert(index, lane);
            if let Some(own_id) = own_id {
                unfinished.insert(own_id, (lane, index));
            }
            lane_inputs[lane]
                .send((index, label, received, started))
                .await
                .map_err(|_| AppError::Internal("an import lane stopped".into()))?;
            index += 1;
        }
        drop(lane_inputs);
        while let Some(done) = done_rx.recv().await {
            finish(done, &mut unfinished, &mut lane_of, &mut busy);
        }
        for task in lane_tasks {
            task.await
                .map_err(|e| AppError::Internal(format!("an import lane failed: {e}")))?;
        }
        producer
            .await
            .map_err(|e| AppError::Internal(format!("import stopped: {e}")))
    }

    /// The database part of a message's intake, in arrival order: de-duplication,
    /// threading, the contact, and the ticket or message with its consequences.
    pub async fn take_in(
        &self,
        received: ReceivedEmail,
        source: &IntakeSource,
    ) -> Result<IntakeOutcome> {
        let settings = &self.settings().email;
        let ReceivedEmail {
            size,
            agents,
            original,
            staged_original,
            parsed,
        } = received;
        let (mail, attachments, mut blob_contents) = match parsed {
            Parsed::Refused(reason) => {
                return self
                    .quarantine(source, reason, &original.sha256, size, staged_original)
                    .await;
            }
            Parsed::Mail {
                mail,
                attachments,
                blob_contents,
            } => (*mail, attachments, blob_contents),
        };
        // Messages without a Message-ID get one derived from their content, so posting the
        // same bytes twice is still recognised.
        let message_id = mail
            .message_id
            .clone()
            .unwrap_or_else(|| format!("{}@no-message-id.soporte.invalid", &original.sha256[..32]));
        if let Some((ticket_id, message_id)) = self.store.message_by_channel_id(&message_id).await?
        {
            if let Some(position) = source.position() {
                self.store.record_position(position).await?;
            }
            return Ok(IntakeOutcome::Duplicate {
                ticket_id,
                message_id,
            });
        }
        let Some(sender) = mail.from.clone().or_else(|| mail.reply_to.clone()) else {
            return self
                .quarantine(
                    source,
                    "no sender (From)".into(),
                    &original.sha256,
                    size,
                    staged_original,
                )
                .await;
        };

        blob_contents.extend(staged_original.clone());
        // Not kept yet: whether the mail came signed (`mail.signed`, never verified). A
        // message's e-mail details are columns of their own, so it needs a migration; the
        // original is kept, so it can be read again then.
        let extra = MessageExtra {
            quoted_text: Some(mail.quoted_text.clone()).filter(|q| !q.is_empty()),
            email: Some(headers_of(&mail)),
            automatic: mail.automatic,
            original_sha256: Some(original.sha256.clone()),
            delivery: None,
            source_position: source.position().cloned(),
            blob_contents,
            whatsapp: None,
            call: None,
        };
        let body = if mail.text.trim().is_empty() {
            "(mensaje sin texto)".to_string()
        } else {
            mail.text.clone()
        };

        // A bounce belongs to the ticket of the message that bounced.
        let existing = if mail.automatic == Some(AutomaticKind::Bounce) {
            match &mail.bounced_message_id {
                Some(bounced) => self.store.mark_bounced(bounced).await?,
                None => None,
            }
            .or(self.thread_of(&mail).await?)
        } else {
            self.thread_of(&mail).await?
        };
        if mail.automatic == Some(AutomaticKind::Bounce) && existing.is_none() {
            return self
                .quarantine(
                    source,
                    "delivery report for a message Soporte did not send".into(),
                    &original.sha256,
                    size,
                    staged_original,
                )
                .await;
        }

        let contact = self.contact_for(&sender).await?;
        if let Some(ticket_id) = existing {
            let new = NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(contact.id),
                channel: Channel::Email,
                body_text: body.clone(),
                body_html: mail.html.clone(),
                channel_message_id: Some(message_id.clone()),
                attachments: attachments.clone(),
                extra: extra.clone(),
            };
            let effects = self.policy_effects_with(None, Arc::clone(&agents));
            match self.store.add_message_with(ticket_id, &new, effects).await {
                Ok((_, message)) => {
                    return Ok(IntakeOutcome::Created {
                        ticket_id,
                        message_id: message.id,
                        new_ticket: false,
                    });
                }
                // A reply to a closed ticket opens a new one, below.
                Err(StoreError::Change(soporte_core::ticket::ChangeError::Closed)) => {}
                Err(e) => return self.duplicate_or(e, &message_id).await,
            }
        }

        let answer_to = mail
            .reply_address()
            .cloned()
            .unwrap_or_else(|| sender.clone());
        // Imported mail is history: its senders are not answered now.
        let may_answer = !matches!(source, IntakeSource::Import(_))
            && mail.no_auto_answer.is_none()
            && !settings.is_own_address(&answer_to.address)
            && !settings.is_own_address(&sender.address)
            && self
                .store
                .count_outbox_since(
                    &answer_to.address,
                    "acknowledgement",
                    Timestamp::now() - jiff::SignedDuration::from_hours(1),
                )
                .await?
                < settings.auto_answers_per_hour;
        let subject = normalize_subject(&mail.subject)?;
        let prepared = self
            .prepare_ticket(
                &NewRequest {
                    subject: &subject,
                    text: &body,
                    channel: Channel::Email,
                    has_image: attachments
                        .iter()
                        .any(|a| a.media_type.starts_with("image/")),
                    requester_name: &contact.name,
                    requester_email: Some(&sender.address),
                    account_id: contact.account_id,
                    support_type: None,
                    priority: None,
                    history: matches!(source, IntakeSource::Import(_)),
                },
                may_answer,
                Some(std::sync::Arc::new(AcknowledgementMail {
                    settings: settings.clone(),
                    to: answer_to,
                    original_id: Some(message_id.clone()),
                    original_subject: mail.subject.clone(),
                })),
                Some(agents),
            )
            .await?;
        let new = NewTicket {
            number_prefix: self.settings().ticket_prefix.clone(),
            subject,
            support_type: prepared.decision.support_type,
            channel: Channel::Email,
            priority: prepared.decision.priority,
            assignee_id: prepared.assignment.as_ref().map(|a| a.agent_id),
            assignment_reason: prepared.assignment.map(|a| a.reason.to_string()),
            account_id: contact.account_id,
            requester: Requester::Existing(contact.id),
            product_area: None,
            tags: vec![],
            body_text: body,
            body_html: mail.html.clone(),
            channel_message_id: Some(message_id.clone()),
            attachments,
            extra,
            created_by: None,
            policy: prepared.decision.ticket_policy(),
        };
        let effects = prepared.effects;
        let result = self.store.create_ticket_with(&new, effects).await;
        match result {
            Ok((ticket, message)) => Ok(IntakeOutcome::Created {
                ticket_id: ticket.id,
                message_id: message.id,
                new_ticket: true,
            }),
            Err(e) => self.duplicate_or(e, &message_id).await,
        }
    }

    /// Two deliveries of one message racing each other: the loser sees the unique
    /// Message-ID and reports the winner's result.
    async fn duplicate_or(&self, error: StoreError, message_id: &str) -> Result<IntakeOutcome> {
        if let StoreError::Conflict { .. } = error
            && let Some((ticket_id, message_id)) =
                self.store.message_by_channel_id(message_id).await?
        {
            return Ok(IntakeOutcome::Duplicate {
                ticket_id,
                message_id,
            });
        }
        if let StoreError::Conflict { field, .. } = &error
            && field == "source_position"
        {
            return Ok(IntakeOutcome::AlreadyTaken);
        }
        Err(error.into())
    }

    /// The ticket a message continues: by In-Reply-To/References against every Message-ID
    /// Soporte sent or received, then by a ticket number in the subject.
    async fn thread_of(&self, mail: &InboundEmail) -> Result<Option<TicketId>> {
        let ids = mail.thread_ids();
        if !ids.is_empty()
            && let Some(ticket) = self.store.ticket_for_email_ids(&ids).await?
        {
            return Ok(Some(ticket));
        }
        if let Some(id) = TicketNumber::find_in(&self.settings().ticket_prefix, &mail.subject)
            && let Some(ticket) = self.store.ticket(id).await?
            && ticket.status != Status::Closed
        {
            return Ok(Some(ticket.id));
        }
        Ok(None)
    }

    /// The contact who wrote: known by address, or created now with the account matched
    /// by the address's domain.
    async fn contact_for(&self, sender: &Mailbox) -> Result<Contact> {
        for _ in 0..2 {
            if let Some(contact) = self.store.contact_by_email(&sender.address).await? {
                return Ok(contact);
            }
            let domain = sender.address.rsplit('@').next().unwrap_or_default();
            let account = self.store.account_by_domain(domain).await?;
            let new = NewContact {
                account_id: account.map(|a| a.id),
                account_manager: false,
                name: sender
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| {
                        sender
                            .address
                            .split('@')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    }),
                emails: vec![sender.address.clone()],
                phones: vec![],
            };
            match self.store.create_contact(&new).await {
                Ok(contact) => return Ok(contact),
                // Someone else created the same contact a moment ago: look again.
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal(format!(
            "contact {} could not be created",
            sender.address
        )))
    }

    /// Stores the attachments' bytes, or stages the small ones for the message's transaction.
    async fn store_inbound_attachments(
        &self,
        mail: &InboundEmail,
    ) -> Result<(Vec<NewAttachment>, Vec<StagedBlob>)> {
        let mut out = Vec::with_capacity(mail.attachments.len());
        let mut staged = Vec::new();
        for a in &mail.attachments {
            let (blob, contents) = self.blobs.stage(&a.bytes).await?;
            staged.extend(contents);
            out.push(NewAttachment {
                sha256: blob.sha256,
                size: blob.size,
                filename: sanitize_filename(&a.filename),
                media_type: normalize_media_type(&a.media_type),
                inline: a.inline,
                content_id: a.content_id.clone(),
            });
        }
        Ok((out, staged))
    }

    /// The raw message as received, for "show original".
    pub async fn original_email(&self, who: &crate::Principal, id: MessageId) -> Result<Vec<u8>> {
        who.require_agent()?;
        let message = self
            .store
            .message(id)
            .await?
            .ok_or_else(|| AppError::not_found("message", id))?;
        let sha = message
            .original_sha256
            .ok_or_else(|| AppError::not_found("original of message", id))?;
        Ok(self.blobs.get(&sha).await?)
    }
}
