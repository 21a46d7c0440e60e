//! The writes of a ticket's change inside the caller's transaction: a new ticket, a new
//! message, the ticket's new state, its history and the e-mails the change causes. SQLite's
//! group commit runs several callers' `write_new_ticket` and `write_added_message` in one
//! transaction.

use super::super::blobs::insert_blob_contents;
use super::super::deferred::Deferred;
use super::super::directory::insert_contact;
use super::super::mail::insert_position;
use super::super::outbox::push_outbox_row;
use super::super::portal::push_portal_link_row;
use super::super::values::{actor_parts, corrupt, json_of, now};
use super::super::whatsapp::{insert_whatsapp_message, queue_whatsapp};
use super::super::{DbConn, FOR_UPDATE, push_search_row};
use super::rows::{TICKET_COLUMNS, ticket_from_row};
use crate::{
    Consequences, MessageExtra, NewAttachment, NewMessage, NewTicket, Requester, Result,
    StoreError, TicketChange, TicketEffects,
};
use jiff::Timestamp;
use soporte_core::email::{AutomaticKind, Delivery};
use soporte_core::ids::{AttachmentId, MessageId, TicketId};
use soporte_core::policy::classifier::RequestKind;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, SupportType};
use soporte_core::ticket::{
    Actor, Attachment, EventKind, Message, MessageKind, Status, Ticket, TicketNumber, apply_message,
};
use soporte_core::time::to_micros;

/// The search terms of a message's text (none for automatic mail, which is not indexed),
/// found by the caller before the write waits for the database's one writer: stemming a
/// long message there would hold up every write queued behind it.
pub(crate) fn body_terms(body: &str, automatic: bool) -> Option<String> {
    (!automatic).then(|| soporte_core::search::index_terms(body))
}

/// Writes a new ticket with its requester (when new), first message, attachments, history
/// and queued e-mails, inside the caller's transaction.
/// `id`: a ticket id the caller has already reserved (SQLite's group commit numbers the
/// tickets of a group itself), so the number is written with the row.
pub(crate) async fn write_new_ticket(
    tx: &mut DbConn,
    new: &NewTicket,
    effects: &dyn TicketEffects,
    at: Timestamp,
    id: Option<TicketId>,
    body_terms: Option<&str>,
) -> Result<(Ticket, Message)> {
    let requester_id = match &new.requester {
        Requester::Existing(id) => *id,
        Requester::New(contact) => insert_contact(tx, contact, at).await?.id,
    };
    let number = id.map(|id| TicketNumber::format(&new.number_prefix, id));
    let sql = if id.is_some() {
        "INSERT INTO tickets (subject, support_type, channel, priority, status, assignee_id, account_id, requester_id, \
         product_area, tags, created_at, updated_at, id, number) \
         VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $10, $11, $12) RETURNING id"
    } else {
        "INSERT INTO tickets (subject, support_type, channel, priority, status, assignee_id, account_id, requester_id, \
         product_area, tags, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $10) RETURNING id"
    };
    let mut insert = sqlx::query_scalar::<_, i64>(sql)
        .bind(&new.subject)
        .bind(new.support_type.map(SupportType::as_str))
        .bind(new.channel.as_str())
        .bind(new.priority.as_str())
        .bind(new.assignee_id.map(|a| a.0))
        .bind(new.account_id.map(|a| a.0))
        .bind(requester_id.0)
        .bind(&new.product_area)
        .bind(json_of(&new.tags)?)
        .bind(to_micros(at));
    if let (Some(id), Some(number)) = (id, &number) {
        insert = insert.bind(id.0).bind(number.clone());
    }
    let inserted = insert
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "assignee_id/account_id/requester", "conflict"))?;
    let id = TicketId(inserted);
    let number = match number {
        Some(number) => number,
        None => {
            let number = TicketNumber::format(&new.number_prefix, id);
            sqlx::query("UPDATE tickets SET number = $2 WHERE id = $1")
                .bind(id.0)
                .bind(&number)
                .execute(&mut *tx)
                .await?;
            number
        }
    };
    let requester = Actor::Contact(requester_id);
    let mut later = Deferred::new();
    let message = insert_message(
        tx,
        &mut later,
        MessageRow {
            ticket: id,
            body_terms,
            subject: &new.subject,
            // A request opened from a phone call starts with the call's entry.
            kind: if new.extra.call.is_some() {
                MessageKind::Call
            } else {
                MessageKind::Inbound
            },
            author: requester,
            channel: new.channel,
            body_text: &new.body_text,
            body_html: new.body_html.as_deref(),
            channel_message_id: new.channel_message_id.as_deref(),
            attachments: &new.attachments,
            extra: &new.extra,
        },
        at,
    )
    .await?;
    let actor = new.created_by.unwrap_or(requester);
    let created = EventKind::Created {
        channel: new.channel,
    };
    let assigned = new.assignee_id.map(|to| EventKind::Assigned {
        from: None,
        to: Some(to),
        reason: new
            .assignment_reason
            .clone()
            .unwrap_or_else(|| "manual".into()),
    });
    let mut ticket = Ticket {
        id,
        number,
        subject: new.subject.clone(),
        support_type: new.support_type,
        channel: new.channel,
        priority: new.priority,
        status: Status::New,
        assignee_id: new.assignee_id,
        account_id: new.account_id,
        requester_id,
        product_area: new.product_area.clone(),
        tags: new.tags.clone(),
        created_at: at,
        updated_at: at,
        solved_at: None,
        closed_at: None,
        policy: new.policy.clone(),
    };
    let automatic = effects.answer(&ticket);
    let mut answer = match &automatic {
        Some(answer) => Some(
            insert_message(
                tx,
                &mut later,
                MessageRow {
                    ticket: id,
                    body_terms: None,
                    subject: &new.subject,
                    kind: MessageKind::Outbound,
                    author: Actor::System,
                    channel: answer.channel,
                    body_text: &answer.body_text,
                    body_html: None,
                    channel_message_id: None,
                    attachments: &[],
                    extra: &MessageExtra {
                        automatic: Some(AutomaticKind::AutoReply),
                        ..MessageExtra::default()
                    },
                },
                at,
            )
            .await?,
        ),
        None => None,
    };
    let mut consequences = effects.apply(
        TicketChange::Created {
            message: &message,
            answer: answer.as_ref(),
        },
        &mut ticket,
        at,
    );
    consequences
        .portal_links
        .extend(automatic.and_then(|a| a.portal_link));
    write_ticket_state(tx, &mut later, &ticket).await?;
    let answer_added = answer.as_ref().map(|answer| EventKind::MessageAdded {
        message_id: answer.id,
        message_kind: answer.kind,
    });
    let mut events = vec![(actor, &created)];
    events.extend(assigned.iter().map(|e| (Actor::System, e)));
    events.extend(answer_added.iter().map(|e| (Actor::System, e)));
    write_consequences(
        tx,
        &mut later,
        &ticket,
        answer.as_mut(),
        events,
        &consequences,
        at,
    )
    .await?;
    later.flush(tx).await?;
    Ok((ticket, message))
}

/// Adds a message to a ticket with the consequences of the rules, inside the caller's
/// transaction.
pub(crate) async fn write_added_message(
    tx: &mut DbConn,
    ticket_id: TicketId,
    new: &NewMessage,
    effects: &dyn TicketEffects,
    body_terms: Option<&str>,
) -> Result<(Ticket, Message)> {
    let ticket = lock_ticket(tx, ticket_id).await?;
    let (mut next, events) =
        apply_message(&ticket, new.kind, new.extra.automatic.is_some(), now())?;
    let at = next.updated_at;
    let mut later = Deferred::new();
    let mut message = insert_message(
        tx,
        &mut later,
        MessageRow {
            ticket: ticket_id,
            body_terms,
            subject: &ticket.subject,
            kind: new.kind,
            author: new.author,
            channel: new.channel,
            body_text: &new.body_text,
            body_html: new.body_html.as_deref(),
            channel_message_id: new.channel_message_id.as_deref(),
            attachments: &new.attachments,
            extra: &new.extra,
        },
        at,
    )
    .await?;
    let consequences = effects.apply(
        TicketChange::MessageAdded {
            before: &ticket,
            message: &message,
        },
        &mut next,
        at,
    );
    write_ticket_state(tx, &mut later, &next).await?;
    let added = EventKind::MessageAdded {
        message_id: message.id,
        message_kind: message.kind,
    };
    let own = std::iter::once(&added)
        .chain(&events)
        .map(|e| (new.author, e))
        .collect();
    write_consequences(
        tx,
        &mut later,
        &next,
        Some(&mut message),
        own,
        &consequences,
        at,
    )
    .await?;
    later.flush(tx).await?;
    Ok((next, message))
}

/// Records a stored file as an attachment of a message (its bytes are already in the
/// blob store).
pub(crate) async fn insert_attachment(
    tx: &mut DbConn,
    message: MessageId,
    ticket: TicketId,
    a: &NewAttachment,
    at: Timestamp,
) -> Result<Attachment> {
    let size = i64::try_from(a.size).map_err(corrupt)?;
    sqlx::query("INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
        .bind(&a.sha256)
        .bind(size)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
    let attachment_id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (message_id, ticket_id, sha256, filename, media_type, size, inline, content_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(message.0)
    .bind(ticket.0)
    .bind(&a.sha256)
    .bind(&a.filename)
    .bind(&a.media_type)
    .bind(size)
    .bind(a.inline)
    .bind(&a.content_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Attachment {
        id: AttachmentId(attachment_id),
        message_id: message,
        ticket_id: ticket,
        sha256: a.sha256.clone(),
        filename: a.filename.clone(),
        media_type: a.media_type.clone(),
        size: a.size,
        inline: a.inline,
        content_id: a.content_id.clone(),
    })
}

struct MessageRow<'a> {
    ticket: TicketId,
    /// The search terms of `body_text`, when the caller found them ahead (see
    /// [`body_terms`]); found here otherwise.
    body_terms: Option<&'a str>,
    /// The ticket's subject, indexed with the message so a search may match words of both.
    subject: &'a str,
    kind: MessageKind,
    author: Actor,
    channel: Channel,
    body_text: &'a str,
    body_html: Option<&'a str>,
    channel_message_id: Option<&'a str>,
    attachments: &'a [NewAttachment],
    extra: &'a MessageExtra,
}

/// Writes the message's row and attachments now (their ids are returned) and leaves its
/// blob contents and search terms to `later`.
async fn insert_message(
    tx: &mut DbConn,
    later: &mut Deferred,
    m: MessageRow<'_>,
    at: Timestamp,
) -> Result<Message> {
    let (author_kind, author_id) = actor_parts(m.author);
    let email = m.extra.email.clone();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (ticket_id, kind, author_kind, author_id, channel, body_text, body_html, channel_message_id, created_at, \
         quoted_text, email_from, email_to, email_cc, email_subject, automatic, original_sha256, delivery) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(m.ticket.0)
    .bind(m.kind.as_str())
    .bind(author_kind)
    .bind(author_id)
    .bind(m.channel.as_str())
    .bind(m.body_text)
    .bind(m.body_html)
    .bind(m.channel_message_id)
    .bind(to_micros(at))
    .bind(&m.extra.quoted_text)
    .bind(email.as_ref().and_then(|e| e.from.clone()))
    .bind(json_of(&email.as_ref().map(|e| e.to.clone()).unwrap_or_default())?)
    .bind(json_of(&email.as_ref().map(|e| e.cc.clone()).unwrap_or_default())?)
    .bind(email.as_ref().and_then(|e| e.subject.clone()))
    .bind(m.extra.automatic.map(AutomaticKind::as_str))
    .bind(&m.extra.original_sha256)
    .bind(m.extra.delivery.map(Delivery::as_str))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| StoreError::from_write(e, "channel_message_id", "this message was already taken in"))?;
    insert_blob_contents(tx, later, &m.extra.blob_contents, at).await?;
    // What people wrote is searchable; automatic mail (acknowledgements, out-of-office
    // replies, bounces) would only make every ticket match the same words.
    if m.extra.automatic.is_none() {
        use soporte_core::search::{index_terms, merge_terms};
        let terms = match m.body_terms {
            Some(body) => merge_terms(&index_terms(m.subject), body),
            None => index_terms(&format!("{}\n{}", m.subject, m.body_text)),
        };
        later
            .add(tx, |insert| {
                push_search_row(insert, m.ticket, terms);
                Ok(())
            })
            .await?;
    }
    if let Some(position) = &m.extra.source_position {
        insert_position(tx, position).await?;
    }
    if let Some(whatsapp) = &m.extra.whatsapp {
        insert_whatsapp_message(tx, MessageId(id), m.ticket, whatsapp, at).await?;
    }
    if let Some(call) = m.extra.call {
        super::super::calls::record_call_entry(tx, call, m.ticket, MessageId(id)).await?;
    }
    let mut attachments = Vec::with_capacity(m.attachments.len());
    for a in m.attachments {
        attachments.push(insert_attachment(tx, MessageId(id), m.ticket, a, at).await?);
    }
    Ok(Message {
        id: MessageId(id),
        ticket_id: m.ticket,
        kind: m.kind,
        author: m.author,
        channel: m.channel,
        body_text: m.body_text.to_string(),
        body_html: m.body_html.map(str::to_string),
        channel_message_id: m.channel_message_id.map(str::to_string),
        created_at: at,
        attachments,
        quoted_text: m.extra.quoted_text.clone(),
        email,
        automatic: m.extra.automatic,
        original_sha256: m.extra.original_sha256.clone(),
        delivery: m.extra.delivery,
        whatsapp: None,
    })
}

/// Writes what a change causes: the change's own history entries (`events`) followed by
/// Soporte's, then the e-mails and WhatsApp messages. A send that delivers the change's
/// outgoing message marks that message `queued` until the worker reports back.
pub(super) async fn write_consequences(
    tx: &mut DbConn,
    later: &mut Deferred,
    ticket: &Ticket,
    outgoing: Option<&mut Message>,
    mut events: Vec<(Actor, &EventKind)>,
    consequences: &Consequences,
    at: Timestamp,
) -> Result<()> {
    events.extend(consequences.events.iter().map(|e| (Actor::System, e)));
    insert_events(tx, later, ticket.id, &events, at).await?;
    for link in &consequences.portal_links {
        later
            .add(tx, |insert| {
                push_portal_link_row(insert, link);
                Ok(())
            })
            .await?;
    }
    let mut outgoing = outgoing;
    for item in &consequences.outbox {
        let delivered = if item.delivers_message {
            outgoing.as_deref_mut()
        } else {
            None
        };
        let envelope = json_of(&item.email)?;
        let message_id = delivered.as_ref().map(|m| m.id);
        later
            .add(tx, |insert| {
                push_outbox_row(insert, Some(ticket.id), message_id, item, envelope, at);
                Ok(())
            })
            .await?;
        if let Some(message) = delivered {
            later
                .add(tx, |update| {
                    update
                        .push("UPDATE messages SET delivery = 'queued', channel_message_id = COALESCE(channel_message_id, ")
                        .push_bind(item.email.message_id.clone())
                        .push(") WHERE id = ")
                        .push_bind(message.id.0);
                    Ok(())
                })
                .await?;
            message.delivery = Some(Delivery::Queued);
            if message.channel_message_id.is_none() {
                message.channel_message_id = Some(item.email.message_id.clone());
            }
        }
    }
    for item in &consequences.whatsapp {
        queue_whatsapp(tx, ticket.id, outgoing.as_deref_mut(), item, at).await?;
    }
    Ok(())
}

/// Every history entry of one change in a single statement: a change writes several
/// (created, assigned, classified, checklist, SLA …).
pub(super) async fn insert_events(
    tx: &mut DbConn,
    later: &mut Deferred,
    ticket: TicketId,
    events: &[(Actor, &EventKind)],
    at: Timestamp,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(events.len());
    for (actor, kind) in events {
        let (actor_kind, actor_id) = actor_parts(*actor);
        rows.push((actor_kind, actor_id, kind.name(), json_of(*kind)?));
    }
    later
        .add(tx, |insert| {
            insert.push(
                "INSERT INTO events (ticket_id, actor_kind, actor_id, kind, data, created_at) ",
            );
            insert.push_values(rows, |mut row, (actor_kind, actor_id, kind, data)| {
                row.push_bind(ticket.0)
                    .push_bind(actor_kind)
                    .push_bind(actor_id)
                    .push_bind(kind)
                    .push_bind(data)
                    .push_bind(to_micros(at));
            });
            Ok(())
        })
        .await
}

pub(super) async fn lock_ticket(tx: &mut DbConn, id: TicketId) -> Result<Ticket> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1{FOR_UPDATE}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("ticket", id.0))?;
    ticket_from_row(&row)
}

/// Writes every field an edit or a message can change.
pub(super) async fn write_ticket_state(
    tx: &mut DbConn,
    later: &mut Deferred,
    t: &Ticket,
) -> Result<()> {
    let tags = json_of(&t.tags)?;
    let checklist = t.policy.checklist.as_ref().map(json_of).transpose()?;
    let paused_total = i64::try_from(t.policy.sla.paused_total.as_micros()).map_err(corrupt)?;
    later
        .add(tx, |update| {
            update.push("UPDATE tickets SET ");
            let mut set = update.separated(", ");
            set.push("subject = ")
                .push_bind_unseparated(t.subject.clone());
            set.push("support_type = ")
                .push_bind_unseparated(t.support_type.map(SupportType::as_str));
            set.push("priority = ")
                .push_bind_unseparated(t.priority.as_str());
            set.push("status = ")
                .push_bind_unseparated(t.status.as_str());
            set.push("assignee_id = ")
                .push_bind_unseparated(t.assignee_id.map(|a| a.0));
            set.push("account_id = ")
                .push_bind_unseparated(t.account_id.map(|a| a.0));
            set.push("product_area = ")
                .push_bind_unseparated(t.product_area.clone());
            set.push("tags = ").push_bind_unseparated(tags);
            set.push("updated_at = ")
                .push_bind_unseparated(to_micros(t.updated_at));
            set.push("solved_at = ")
                .push_bind_unseparated(t.solved_at.map(to_micros));
            set.push("closed_at = ")
                .push_bind_unseparated(t.closed_at.map(to_micros));
            set.push("requester_id = ")
                .push_bind_unseparated(t.requester_id.0);
            set.push("type_confidence = ")
                .push_bind_unseparated(t.policy.type_confidence);
            set.push("request_kind = ")
                .push_bind_unseparated(t.policy.kind.map(RequestKind::as_str));
            set.push("checklist = ").push_bind_unseparated(checklist);
            set.push("redirect_channel = ")
                .push_bind_unseparated(t.policy.redirect.map(Channel::as_str));
            set.push("urgency = ")
                .push_bind_unseparated(t.policy.urgency.clone());
            set.push("call_back_number = ")
                .push_bind_unseparated(t.policy.call_back.clone());
            let sla = &t.policy.sla;
            set.push("sla_first_response_due = ")
                .push_bind_unseparated(sla.first_response_due.map(to_micros));
            set.push("sla_resolution_due = ")
                .push_bind_unseparated(sla.resolution_due.map(to_micros));
            set.push("sla_first_responded_at = ")
                .push_bind_unseparated(sla.first_responded_at.map(to_micros));
            set.push("sla_paused_since = ")
                .push_bind_unseparated(sla.paused_since.map(to_micros));
            set.push("sla_paused_total = ")
                .push_bind_unseparated(paused_total);
            set.push("sla_state = ")
                .push_bind_unseparated(sla.state.map(SlaState::as_str));
            set.push("sla_next_check_at = ")
                .push_bind_unseparated(sla.next_check_at.map(to_micros));
            update.push(" WHERE id = ").push_bind(t.id.0);
            Ok(())
        })
        .await
}
