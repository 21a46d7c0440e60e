//! The SQL shared by both backends. This file is compiled twice, once inside `sqlite` and
//! once inside `postgres`, each providing `Db`, `BACKEND`, `FOR_UPDATE`, `MIGRATIONS`,
//! `begin_write` and `lock_migrations`. Both dialects accept `$n` placeholders, BIGINT
//! microsecond times and JSON kept as text, so one text serves both.

use super::{
    BACKEND, Db, FOR_UPDATE, MIGRATIONS, SEARCH_MATCH, SKIP_LOCKED, begin_write, lock_migrations,
    move_search_rows, push_search_row, search_expression,
};
use crate::migrate::AppliedMigration;
use crate::model::*;
use crate::{Backend, Result, StagedBlob, Store, StoreError};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Account, Agent, Contact, Role};
use soporte_core::email::{AutomaticKind, Delivery, EmailHeaders, OutgoingEmail};
use soporte_core::ids::*;
use soporte_core::policy::checklist::Checklist;
use soporte_core::policy::classifier::{RequestKind, TrainingExample};
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Actor, Attachment, Event, EventKind, Message, MessageKind, SlaRecord, Status, Ticket,
    TicketNumber, TicketPatch, TicketPolicy, apply_message, apply_patch,
};
use soporte_core::time::{from_micros, to_micros};
use sqlx::{Pool, QueryBuilder, Row};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

type DbConn = <Db as sqlx::Database>::Connection;
type DbRow = <Db as sqlx::Database>::Row;

pub struct SqlStore {
    pub(super) writer: Pool<Db>,
    pub(super) reader: Pool<Db>,
    /// Where ticket creations and new messages go when the backend commits them in groups
    /// (SQLite).
    pub(super) batcher: Option<crate::batch::WriteBatcher>,
}

impl SqlStore {
    pub(super) fn from_pools(writer: Pool<Db>, reader: Pool<Db>) -> Self {
        Self {
            writer,
            reader,
            batcher: None,
        }
    }
}

/// Current time at the precision the database keeps, so what is returned equals what a
/// later read gives back.
fn now() -> Timestamp {
    from_micros(to_micros(Timestamp::now()))
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    raw.parse::<T>().map_err(corrupt)
}

fn json_of<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(corrupt)
}

fn from_json<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_str(raw).map_err(corrupt)
}

fn opt_ts(micros: Option<i64>) -> Option<Timestamp> {
    micros.map(from_micros)
}

fn actor_parts(actor: Actor) -> (&'static str, Option<i64>) {
    match actor {
        Actor::Agent(id) => ("agent", Some(id.0)),
        Actor::Contact(id) => ("contact", Some(id.0)),
        Actor::System => ("system", None),
    }
}

fn actor_from(kind: &str, id: Option<i64>) -> Result<Actor> {
    match (kind, id) {
        ("agent", Some(id)) => Ok(Actor::Agent(AgentId(id))),
        ("contact", Some(id)) => Ok(Actor::Contact(ContactId(id))),
        ("system", _) => Ok(Actor::System),
        (other, _) => Err(corrupt(format!("actor {other:?} without id"))),
    }
}

// ---------------------------------------------------------------------------------------
// Row mapping

const AGENT_COLUMNS: &str =
    "id, email, name, phone, whatsapp, role, types, absences, active, created_at, updated_at";

fn agent_from_row(r: &DbRow) -> Result<Agent> {
    Ok(Agent {
        id: AgentId(r.try_get("id")?),
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        whatsapp: r.try_get("whatsapp")?,
        role: parse::<Role>(r.try_get::<&str, _>("role")?)?,
        types: from_json(r.try_get::<&str, _>("types")?)?,
        absences: from_json(r.try_get::<&str, _>("absences")?)?,
        active: r.try_get("active")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

const ACCOUNT_COLUMNS: &str = "id, name, tax_id, plan, email_domains, personal_agent_id, backup_agent_id, created_at, updated_at";

fn account_from_row(r: &DbRow) -> Result<Account> {
    Ok(Account {
        id: AccountId(r.try_get("id")?),
        name: r.try_get("name")?,
        tax_id: r.try_get("tax_id")?,
        plan: r.try_get("plan")?,
        email_domains: from_json(r.try_get::<&str, _>("email_domains")?)?,
        personal_agent_id: r
            .try_get::<Option<i64>, _>("personal_agent_id")?
            .map(AgentId),
        backup_agent_id: r.try_get::<Option<i64>, _>("backup_agent_id")?.map(AgentId),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

const CONTACT_COLUMNS: &str = "id, account_id, name, emails, phones, created_at, updated_at";

fn contact_from_row(r: &DbRow) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(r.try_get("id")?),
        account_id: r.try_get::<Option<i64>, _>("account_id")?.map(AccountId),
        name: r.try_get("name")?,
        emails: from_json(r.try_get::<&str, _>("emails")?)?,
        phones: from_json(r.try_get::<&str, _>("phones")?)?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

const TOKEN_COLUMNS: &str =
    "id, scope, agent_id, contact_id, label, created_at, last_used_at, revoked_at";

fn token_from_row(r: &DbRow) -> Result<TokenRecord> {
    let owner = match (
        r.try_get::<Option<i64>, _>("agent_id")?,
        r.try_get::<Option<i64>, _>("contact_id")?,
    ) {
        (Some(a), None) => TokenOwner::Agent(AgentId(a)),
        (None, Some(c)) => TokenOwner::Contact(ContactId(c)),
        _ => return Err(corrupt("token without exactly one owner")),
    };
    Ok(TokenRecord {
        id: TokenId(r.try_get("id")?),
        scope: parse::<TokenScope>(r.try_get::<&str, _>("scope")?)?,
        owner,
        label: r.try_get("label")?,
        created_at: from_micros(r.try_get("created_at")?),
        last_used_at: opt_ts(r.try_get("last_used_at")?),
        revoked_at: opt_ts(r.try_get("revoked_at")?),
    })
}

const TICKET_COLUMNS: &str = "id, number, subject, support_type, channel, priority, status, assignee_id, account_id, requester_id, product_area, tags, created_at, updated_at, solved_at, closed_at, \
     type_confidence, request_kind, checklist, redirect_channel, urgency, sla_first_response_due, sla_resolution_due, sla_first_responded_at, sla_paused_since, sla_paused_total, sla_state, sla_next_check_at";

fn ticket_from_row(r: &DbRow) -> Result<Ticket> {
    Ok(Ticket {
        id: TicketId(r.try_get("id")?),
        number: r
            .try_get::<Option<String>, _>("number")?
            .unwrap_or_default(),
        subject: r.try_get("subject")?,
        support_type: r
            .try_get::<Option<&str>, _>("support_type")?
            .map(parse::<SupportType>)
            .transpose()?,
        channel: parse::<Channel>(r.try_get::<&str, _>("channel")?)?,
        priority: parse::<Priority>(r.try_get::<&str, _>("priority")?)?,
        status: parse::<Status>(r.try_get::<&str, _>("status")?)?,
        assignee_id: r.try_get::<Option<i64>, _>("assignee_id")?.map(AgentId),
        account_id: r.try_get::<Option<i64>, _>("account_id")?.map(AccountId),
        requester_id: ContactId(r.try_get("requester_id")?),
        product_area: r.try_get("product_area")?,
        tags: from_json(r.try_get::<&str, _>("tags")?)?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        solved_at: opt_ts(r.try_get("solved_at")?),
        closed_at: opt_ts(r.try_get("closed_at")?),
        policy: TicketPolicy {
            type_confidence: r.try_get("type_confidence")?,
            kind: r
                .try_get::<Option<&str>, _>("request_kind")?
                .map(parse::<RequestKind>)
                .transpose()?,
            checklist: r
                .try_get::<Option<&str>, _>("checklist")?
                .map(from_json::<Checklist>)
                .transpose()?,
            redirect: r
                .try_get::<Option<&str>, _>("redirect_channel")?
                .map(parse::<Channel>)
                .transpose()?,
            urgency: r.try_get("urgency")?,
            sla: SlaRecord {
                first_response_due: opt_ts(r.try_get("sla_first_response_due")?),
                resolution_due: opt_ts(r.try_get("sla_resolution_due")?),
                first_responded_at: opt_ts(r.try_get("sla_first_responded_at")?),
                paused_since: opt_ts(r.try_get("sla_paused_since")?),
                paused_total: jiff::SignedDuration::from_micros(r.try_get("sla_paused_total")?),
                state: r
                    .try_get::<Option<&str>, _>("sla_state")?
                    .map(parse::<SlaState>)
                    .transpose()?,
                next_check_at: opt_ts(r.try_get("sla_next_check_at")?),
            },
        },
    })
}

const MESSAGE_COLUMNS: &str = "id, ticket_id, kind, author_kind, author_id, channel, body_text, body_html, channel_message_id, created_at, quoted_text, email_from, email_to, email_cc, email_subject, automatic, original_sha256, delivery";

fn message_from_row(r: &DbRow) -> Result<Message> {
    Ok(Message {
        id: MessageId(r.try_get("id")?),
        ticket_id: TicketId(r.try_get("ticket_id")?),
        kind: parse::<MessageKind>(r.try_get::<&str, _>("kind")?)?,
        author: actor_from(
            r.try_get::<&str, _>("author_kind")?,
            r.try_get("author_id")?,
        )?,
        channel: parse::<Channel>(r.try_get::<&str, _>("channel")?)?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        channel_message_id: r.try_get("channel_message_id")?,
        created_at: from_micros(r.try_get("created_at")?),
        attachments: Vec::new(),
        quoted_text: r.try_get("quoted_text")?,
        email: {
            let from: Option<String> = r.try_get("email_from")?;
            let subject: Option<String> = r.try_get("email_subject")?;
            let to: Vec<String> = from_json(r.try_get::<&str, _>("email_to")?)?;
            let cc: Vec<String> = from_json(r.try_get::<&str, _>("email_cc")?)?;
            (from.is_some() || subject.is_some() || !to.is_empty()).then_some(EmailHeaders {
                from,
                to,
                cc,
                subject,
            })
        },
        automatic: r
            .try_get::<Option<&str>, _>("automatic")?
            .and_then(AutomaticKind::parse),
        original_sha256: r.try_get("original_sha256")?,
        delivery: r
            .try_get::<Option<&str>, _>("delivery")?
            .and_then(Delivery::parse),
    })
}

const ATTACHMENT_COLUMNS: &str =
    "id, message_id, ticket_id, sha256, filename, media_type, size, inline, content_id";

fn attachment_from_row(r: &DbRow) -> Result<Attachment> {
    Ok(Attachment {
        id: AttachmentId(r.try_get("id")?),
        message_id: MessageId(r.try_get("message_id")?),
        ticket_id: TicketId(r.try_get("ticket_id")?),
        sha256: r.try_get("sha256")?,
        filename: r.try_get("filename")?,
        media_type: r.try_get("media_type")?,
        size: u64::try_from(r.try_get::<i64, _>("size")?).map_err(corrupt)?,
        inline: r.try_get("inline")?,
        content_id: r.try_get("content_id")?,
    })
}

fn event_from_row(r: &DbRow) -> Result<Event> {
    Ok(Event {
        id: EventId(r.try_get("id")?),
        ticket_id: TicketId(r.try_get("ticket_id")?),
        actor: actor_from(r.try_get::<&str, _>("actor_kind")?, r.try_get("actor_id")?)?,
        kind: from_json(r.try_get::<&str, _>("data")?)?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

// ---------------------------------------------------------------------------------------
// Writes shared by several use cases, inside a caller's transaction

async fn insert_contact(tx: &mut DbConn, new: &NewContact, at: Timestamp) -> Result<Contact> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (account_id, name, emails, phones, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(new.account_id.map(|a| a.0))
    .bind(&new.name)
    .bind(json_of(&new.emails)?)
    .bind(json_of(&new.phones)?)
    .bind(to_micros(at))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| StoreError::from_write(e, "account_id", "account does not exist"))?;
    let contact = Contact {
        id: ContactId(id),
        account_id: new.account_id,
        name: new.name.clone(),
        emails: new.emails.clone(),
        phones: new.phones.clone(),
        created_at: at,
        updated_at: at,
    };
    write_contact_lookups(tx, &contact).await?;
    Ok(contact)
}

/// The lookup tables behind "who wrote this?": one row per e-mail (unique) and phone.
async fn write_contact_lookups(tx: &mut DbConn, contact: &Contact) -> Result<()> {
    sqlx::query("DELETE FROM contact_emails WHERE contact_id = $1")
        .bind(contact.id.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM contact_phones WHERE contact_id = $1")
        .bind(contact.id.0)
        .execute(&mut *tx)
        .await?;
    for email in &contact.emails {
        sqlx::query("INSERT INTO contact_emails (email, contact_id) VALUES ($1, $2)")
            .bind(email)
            .bind(contact.id.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    "emails",
                    &format!("{email} already belongs to another contact"),
                )
            })?;
    }
    for phone in &contact.phones {
        sqlx::query(
            "INSERT INTO contact_phones (phone, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(phone)
        .bind(contact.id.0)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn insert_account(tx: &mut DbConn, new: &NewAccount, at: Timestamp) -> Result<AccountId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (name, tax_id, plan, email_domains, personal_agent_id, backup_agent_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&new.name)
    .bind(&new.tax_id)
    .bind(&new.plan)
    .bind(json_of(&new.email_domains)?)
    .bind(new.personal_agent_id.map(|a| a.0))
    .bind(new.backup_agent_id.map(|a| a.0))
    .bind(to_micros(at))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| account_write_error(e, new.personal_agent_id, new.backup_agent_id))?;
    write_account_domains(tx, AccountId(id), &new.email_domains).await?;
    Ok(AccountId(id))
}

fn account_write_error(
    err: sqlx::Error,
    personal: Option<AgentId>,
    backup: Option<AgentId>,
) -> StoreError {
    let field = match (personal, backup) {
        (Some(_), None) => "personal_agent_id",
        (None, Some(_)) => "backup_agent_id",
        _ => "tax_id",
    };
    match StoreError::from_write(err, field, "another account has this tax id") {
        StoreError::Conflict { .. } => StoreError::Conflict {
            field: "tax_id".into(),
            message: "another account has this tax id".into(),
        },
        StoreError::Invalid(_) => soporte_core::ValidationError::new(
            "personal_agent_id/backup_agent_id",
            "refers to an agent that does not exist",
        )
        .into(),
        other => other,
    }
}

async fn write_account_domains(tx: &mut DbConn, id: AccountId, domains: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM account_domains WHERE account_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    for domain in domains {
        sqlx::query("INSERT INTO account_domains (domain, account_id) VALUES ($1, $2)")
            .bind(domain)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    "email_domains",
                    &format!("{domain} already belongs to another account"),
                )
            })?;
    }
    Ok(())
}

/// Writes whose results nobody reads, kept in order until [`Deferred::flush`]. On SQLite
/// they then reach the connection's thread as one query of several statements: one
/// hand-off instead of one per statement, which is most of what a small write costs there.
/// PostgreSQL prepares one statement per query, so there each runs as soon as it is added.
/// Whatever reads what they write must come after the flush.
struct Deferred {
    query: QueryBuilder<Db>,
    statements: usize,
}

impl Deferred {
    fn new() -> Self {
        Self {
            query: QueryBuilder::new(""),
            statements: 0,
        }
    }

    /// Adds one statement, which `build` writes into the query.
    async fn add(
        &mut self,
        tx: &mut DbConn,
        build: impl FnOnce(&mut QueryBuilder<Db>) -> Result<()>,
    ) -> Result<()> {
        if self.statements > 0 {
            self.query.push(";\n");
        }
        if let Err(e) = build(&mut self.query) {
            // A half-written statement must not reach the database; the caller's
            // transaction ends with this error anyway.
            *self = Self::new();
            return Err(e);
        }
        self.statements += 1;
        if BACKEND == Backend::Postgres {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut DbConn) -> Result<()> {
        if self.statements == 0 {
            return Ok(());
        }
        let mut query = std::mem::replace(&mut self.query, QueryBuilder::new(""));
        self.statements = 0;
        // The ticket's row is the one deferred write with references that a caller's
        // values can break.
        query
            .build()
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_write(e, "assignee_id/account_id", "conflict"))?;
        Ok(())
    }
}

/// Every history entry of one change in a single statement: a change writes several
/// (created, assigned, classified, checklist, SLA …).
async fn insert_events(
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

async fn index_for_search(tx: &mut DbConn, ticket: TicketId, text: &str) -> Result<()> {
    let mut insert = QueryBuilder::new("");
    push_search_row(&mut insert, ticket, soporte_core::search::index_terms(text));
    insert.build().execute(&mut *tx).await?;
    Ok(())
}

/// Indexes every message written before search existed, once, when the migration that
/// creates the index is applied.
async fn index_existing_messages(tx: &mut DbConn) -> Result<()> {
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

/// Blob contents that travel with the message that refers to them, committed together.
async fn insert_blob_contents(
    tx: &mut DbConn,
    later: &mut Deferred,
    blobs: &[StagedBlob],
    at: Timestamp,
) -> Result<()> {
    if blobs.is_empty() {
        return Ok(());
    }
    later
        .add(tx, |insert| {
            insert.push("INSERT INTO blob_contents (sha256, bytes, created_at) ");
            insert.push_values(blobs, |mut row, blob| {
                row.push_bind(blob.sha256.clone())
                    .push_bind(blob.bytes.clone())
                    .push_bind(to_micros(at));
            });
            insert.push(" ON CONFLICT (sha256) DO NOTHING");
            Ok(())
        })
        .await
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
    let mut attachments = Vec::with_capacity(m.attachments.len());
    for a in m.attachments {
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
        .bind(id)
        .bind(m.ticket.0)
        .bind(&a.sha256)
        .bind(&a.filename)
        .bind(&a.media_type)
        .bind(size)
        .bind(a.inline)
        .bind(&a.content_id)
        .fetch_one(&mut *tx)
        .await?;
        attachments.push(Attachment {
            id: AttachmentId(attachment_id),
            message_id: MessageId(id),
            ticket_id: m.ticket,
            sha256: a.sha256.clone(),
            filename: a.filename.clone(),
            media_type: a.media_type.clone(),
            size: a.size,
            inline: a.inline,
            content_id: a.content_id.clone(),
        });
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
    })
}

async fn insert_position(tx: &mut DbConn, p: &MailboxPosition) -> Result<()> {
    sqlx::query("INSERT INTO mailbox_positions (mailbox, uidvalidity, uid) VALUES ($1, $2, $3)")
        .bind(&p.mailbox)
        .bind(p.uidvalidity)
        .bind(p.uid)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                "source_position",
                "this mailbox position was already taken in",
            )
        })?;
    Ok(())
}

/// Writes what a change causes: the change's own history entries (`events`) followed by
/// Soporte's, then the e-mails. An e-mail that delivers the change's outgoing message
/// marks that message `queued` until the worker reports back.
async fn write_consequences(
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
    let mut outgoing = outgoing;
    for item in &consequences.outbox {
        let delivered = if item.delivers_message {
            outgoing.as_deref_mut()
        } else {
            None
        };
        let envelope = json_of(&item.email)?;
        let message_id = delivered.as_ref().map(|m| m.id.0);
        later
            .add(tx, |insert| {
                insert
                    .push("INSERT INTO outbox (ticket_id, message_id, kind, email_message_id, recipient, envelope, status, next_attempt_at, created_at) VALUES (")
                    .push_bind(ticket.id.0)
                    .push(", ")
                    .push_bind(message_id)
                    .push(", ")
                    .push_bind(item.kind.clone())
                    .push(", ")
                    .push_bind(item.email.message_id.clone())
                    .push(", ")
                    .push_bind(item.recipient.clone())
                    .push(", ")
                    .push_bind(envelope)
                    .push(", 'pending', ")
                    .push_bind(to_micros(at))
                    .push(", ")
                    .push_bind(to_micros(at))
                    .push(")");
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
    Ok(())
}

const OUTBOX_COLUMNS: &str = "id, ticket_id, message_id, kind, recipient, envelope, status, attempts, next_attempt_at, last_error, created_at, sent_at";

fn outbox_from_row(r: &DbRow) -> Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        message_id: r.try_get("message_id")?,
        kind: r.try_get("kind")?,
        recipient: r.try_get("recipient")?,
        email: from_json::<OutgoingEmail>(r.try_get::<&str, _>("envelope")?)?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: from_micros(r.try_get("next_attempt_at")?),
        last_error: r.try_get("last_error")?,
        created_at: from_micros(r.try_get("created_at")?),
        sent_at: opt_ts(r.try_get("sent_at")?),
    })
}

async fn lock_ticket(tx: &mut DbConn, id: TicketId) -> Result<Ticket> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1{FOR_UPDATE}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("ticket", id.0))?;
    ticket_from_row(&row)
}

/// Writes every field an edit or a message can change.
async fn write_ticket_state(tx: &mut DbConn, later: &mut Deferred, t: &Ticket) -> Result<()> {
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

async fn fetch_agent(pool: &Pool<Db>, id: AgentId) -> Result<Option<Agent>> {
    let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(agent_from_row)
        .transpose()
}

async fn fetch_account(pool: &Pool<Db>, id: AccountId) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
}

async fn fetch_contact(pool: &Pool<Db>, id: ContactId) -> Result<Option<Contact>> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(contact_from_row)
        .transpose()
}

/// The search terms of a message's text (none for automatic mail, which is not indexed),
/// found by the caller before the write waits for the database's one writer: stemming a
/// long message there would hold up every write queued behind it.
pub(super) fn body_terms(body: &str, automatic: bool) -> Option<String> {
    (!automatic).then(|| soporte_core::search::index_terms(body))
}

/// Writes a new ticket with its requester (when new), first message, attachments, history
/// and queued e-mails, inside the caller's transaction.
/// `id`: a ticket id the caller has already reserved (SQLite's group commit numbers the
/// tickets of a group itself), so the number is written with the row.
pub(super) async fn write_new_ticket(
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
            kind: MessageKind::Inbound,
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
    let mut answer = match effects.answer(&ticket) {
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
    let consequences = effects.apply(
        TicketChange::Created {
            message: &message,
            answer: answer.as_ref(),
        },
        &mut ticket,
        at,
    );
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
pub(super) async fn write_added_message(
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

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn migrate(&self) -> Result<Vec<AppliedMigration>> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS soporte_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(&self.writer)
        .await?;
        let mut tx = begin_write(&self.writer).await?;
        lock_migrations(&mut tx).await?;
        let done: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM soporte_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await?;
        let newest_known = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(v) = done.iter().find(|v| **v > newest_known) {
            return Err(StoreError::Config(format!(
                "the database has schema version {v}, newer than this Soporte knows ({newest_known}); upgrade Soporte"
            )));
        }
        let mut applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
            sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO soporte_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(to_micros(now()))
            .execute(&mut *tx)
            .await?;
            if m.name == "search" {
                index_existing_messages(&mut tx).await?;
            }
            applied.push(AppliedMigration {
                version: m.version,
                name: m.name.to_string(),
            });
        }
        tx.commit().await?;
        Ok(applied)
    }

    // ----- agents

    async fn create_agent(&self, new: &NewAgent) -> Result<Agent> {
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agents (email, name, phone, whatsapp, role, types, absences, active, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '[]', TRUE, $7, $8, $8) RETURNING id",
        )
        .bind(&new.email)
        .bind(&new.name)
        .bind(&new.phone)
        .bind(&new.whatsapp)
        .bind(new.role.as_str())
        .bind(json_of(&new.types)?)
        .bind(&new.password_hash)
        .bind(to_micros(at))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| StoreError::from_write(e, "email", "an agent with this e-mail already exists"))?;
        Ok(Agent {
            id: AgentId(id),
            email: new.email.clone(),
            name: new.name.clone(),
            phone: new.phone.clone(),
            whatsapp: new.whatsapp.clone(),
            role: new.role,
            types: new.types.clone(),
            absences: Vec::new(),
            active: true,
            created_at: at,
            updated_at: at,
        })
    }

    async fn update_agent(&self, id: AgentId, patch: &AgentPatch) -> Result<Agent> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("agent", id.0))?;
        let mut agent = agent_from_row(&row)?;
        if let Some(v) = &patch.email {
            agent.email.clone_from(v);
        }
        if let Some(v) = &patch.name {
            agent.name.clone_from(v);
        }
        if let Some(v) = &patch.phone {
            agent.phone.clone_from(v);
        }
        if let Some(v) = &patch.whatsapp {
            agent.whatsapp.clone_from(v);
        }
        if let Some(v) = patch.role {
            agent.role = v;
        }
        if let Some(v) = &patch.types {
            agent.types.clone_from(v);
        }
        if let Some(v) = &patch.absences {
            agent.absences.clone_from(v);
        }
        if let Some(v) = patch.active {
            agent.active = v;
        }
        agent.updated_at = now();
        sqlx::query(
            "UPDATE agents SET email = $2, name = $3, phone = $4, whatsapp = $5, role = $6, types = $7, absences = $8, \
             active = $9, updated_at = $10, password_hash = COALESCE($11, password_hash) WHERE id = $1",
        )
        .bind(id.0)
        .bind(&agent.email)
        .bind(&agent.name)
        .bind(&agent.phone)
        .bind(&agent.whatsapp)
        .bind(agent.role.as_str())
        .bind(json_of(&agent.types)?)
        .bind(json_of(&agent.absences)?)
        .bind(agent.active)
        .bind(to_micros(agent.updated_at))
        .bind(&patch.password_hash)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "email", "an agent with this e-mail already exists"))?;
        tx.commit().await?;
        Ok(agent)
    }

    async fn agent(&self, id: AgentId) -> Result<Option<Agent>> {
        fetch_agent(&self.reader, id).await
    }

    async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE email = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(agent_from_row)
            .transpose()
    }

    async fn agent_password_hash(&self, id: AgentId) -> Result<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT password_hash FROM agents WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?
        .flatten())
    }

    async fn list_agents(&self) -> Result<Vec<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(agent_from_row)
            .collect()
    }

    async fn count_agents(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.writer)
            .await?)
    }

    // ----- accounts

    async fn create_account(&self, new: &NewAccount) -> Result<Account> {
        let at = now();
        let mut tx = begin_write(&self.writer).await?;
        let id = insert_account(&mut tx, new, at).await?;
        tx.commit().await?;
        Ok(Account {
            id,
            name: new.name.clone(),
            tax_id: new.tax_id.clone(),
            plan: new.plan.clone(),
            email_domains: new.email_domains.clone(),
            personal_agent_id: new.personal_agent_id,
            backup_agent_id: new.backup_agent_id,
            created_at: at,
            updated_at: at,
        })
    }

    async fn create_accounts(&self, new: &[NewAccount]) -> Result<Vec<AccountId>> {
        let at = now();
        let mut tx = begin_write(&self.writer).await?;
        let mut ids = Vec::with_capacity(new.len());
        for (i, account) in new.iter().enumerate() {
            let id = insert_account(&mut tx, account, at)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict { field, message } => StoreError::Conflict {
                        field: format!("[{i}].{field}"),
                        message,
                    },
                    StoreError::Invalid(v) => {
                        soporte_core::ValidationError::new(format!("[{i}].{}", v.field), v.message)
                            .into()
                    }
                    other => other,
                })?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn update_account(&self, id: AccountId, patch: &AccountPatch) -> Result<Account> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("account", id.0))?;
        let mut account = account_from_row(&row)?;
        if let Some(v) = &patch.name {
            account.name.clone_from(v);
        }
        if let Some(v) = &patch.tax_id {
            account.tax_id.clone_from(v);
        }
        if let Some(v) = &patch.plan {
            account.plan.clone_from(v);
        }
        if let Some(v) = patch.personal_agent_id {
            account.personal_agent_id = v;
        }
        if let Some(v) = patch.backup_agent_id {
            account.backup_agent_id = v;
        }
        if let Some(v) = &patch.email_domains {
            account.email_domains.clone_from(v);
            write_account_domains(&mut tx, id, v).await?;
        }
        account.updated_at = now();
        sqlx::query(
            "UPDATE accounts SET name = $2, tax_id = $3, plan = $4, email_domains = $5, personal_agent_id = $6, \
             backup_agent_id = $7, updated_at = $8 WHERE id = $1",
        )
        .bind(id.0)
        .bind(&account.name)
        .bind(&account.tax_id)
        .bind(&account.plan)
        .bind(json_of(&account.email_domains)?)
        .bind(account.personal_agent_id.map(|a| a.0))
        .bind(account.backup_agent_id.map(|a| a.0))
        .bind(to_micros(account.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| account_write_error(e, account.personal_agent_id, account.backup_agent_id))?;
        tx.commit().await?;
        Ok(account)
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>> {
        fetch_account(&self.reader, id).await
    }

    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT account_id FROM account_domains WHERE domain = $1")
                .bind(domain)
                .fetch_optional(&self.reader)
                .await?;
        match id {
            Some(id) => fetch_account(&self.reader, AccountId(id)).await,
            None => Ok(None),
        }
    }

    async fn list_accounts(&self, page: &PageRequest) -> Result<Vec<Account>> {
        let sql =
            format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id > $1 ORDER BY id LIMIT $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(page.after_id.unwrap_or(0))
            .bind(i64::from(page.limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(account_from_row)
            .collect()
    }

    // ----- contacts

    async fn create_contact(&self, new: &NewContact) -> Result<Contact> {
        let mut tx = begin_write(&self.writer).await?;
        let contact = insert_contact(&mut tx, new, now()).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn update_contact(&self, id: ContactId, patch: &ContactPatch) -> Result<Contact> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("contact", id.0))?;
        let mut contact = contact_from_row(&row)?;
        if let Some(v) = patch.account_id {
            contact.account_id = v;
        }
        if let Some(v) = &patch.name {
            contact.name.clone_from(v);
        }
        if let Some(v) = &patch.emails {
            contact.emails.clone_from(v);
        }
        if let Some(v) = &patch.phones {
            contact.phones.clone_from(v);
        }
        contact.updated_at = now();
        sqlx::query(
            "UPDATE contacts SET account_id = $2, name = $3, emails = $4, phones = $5, updated_at = $6 WHERE id = $1",
        )
        .bind(id.0)
        .bind(contact.account_id.map(|a| a.0))
        .bind(&contact.name)
        .bind(json_of(&contact.emails)?)
        .bind(json_of(&contact.phones)?)
        .bind(to_micros(contact.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "account_id", "account does not exist"))?;
        if patch.emails.is_some() || patch.phones.is_some() {
            write_contact_lookups(&mut tx, &contact).await?;
        }
        tx.commit().await?;
        Ok(contact)
    }

    async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        fetch_contact(&self.reader, id).await
    }

    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN ("
        ));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        q.push(")");
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(contact_from_row)
            .collect()
    }

    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
        let columns = CONTACT_COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM contact_emails e JOIN contacts c ON c.id = e.contact_id WHERE e.email = $1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(contact_from_row)
            .transpose()
    }

    async fn list_contacts(
        &self,
        account: Option<AccountId>,
        page: &PageRequest,
    ) -> Result<Vec<Contact>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id > "
        ));
        q.push_bind(page.after_id.unwrap_or(0));
        if let Some(account) = account {
            q.push(" AND account_id = ").push_bind(account.0);
        }
        q.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(page.limit));
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(contact_from_row)
            .collect()
    }

    // ----- tokens

    async fn create_token(&self, new: &NewToken) -> Result<TokenRecord> {
        let at = now();
        let (agent, contact) = match new.owner {
            TokenOwner::Agent(a) => (Some(a.0), None),
            TokenOwner::Contact(c) => (None, Some(c.0)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, scope, agent_id, contact_id, label, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.token_hash)
        .bind(new.scope.as_str())
        .bind(agent)
        .bind(contact)
        .bind(&new.label)
        .bind(to_micros(at))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| StoreError::from_write(e, "owner", "token owner does not exist"))?;
        Ok(TokenRecord {
            id: TokenId(id),
            scope: new.scope,
            owner: new.owner,
            label: new.label.clone(),
            created_at: at,
            last_used_at: None,
            revoked_at: None,
        })
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(token_from_row)
            .transpose()
    }

    async fn touch_token(&self, id: TokenId) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id.0)
            .bind(to_micros(now()))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn revoke_token(&self, id: TokenId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id.0)
        .bind(to_micros(now()))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn list_tokens(&self) -> Result<Vec<TokenRecord>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(token_from_row)
            .collect()
    }

    // ----- tickets

    async fn create_ticket_with(
        &self,
        new: &NewTicket,
        effects: Arc<dyn TicketEffects>,
    ) -> Result<(Ticket, Message)> {
        let terms = body_terms(&new.body_text, new.extra.automatic.is_some());
        if let Some(batcher) = &self.batcher {
            let write = crate::batch::Write::CreateTicket(Box::new(new.clone()));
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
                sqlx::query("INSERT INTO classifier_corrections (ticket_id, support_type, agent_id, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.0)
                    .bind(to.as_str())
                    .bind(agent.0)
                    .bind(to_micros(at))
                    .execute(&mut *tx)
                    .await?;
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
            let write = crate::batch::Write::AddMessage(ticket_id, Box::new(new.clone()));
            return batcher.write(write, effects, terms).await;
        }
        let mut tx = begin_write(&self.writer).await?;
        let added =
            write_added_message(&mut tx, ticket_id, new, effects.as_ref(), terms.as_deref())
                .await?;
        tx.commit().await?;
        Ok(added)
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

    async fn record_login_failure(
        &self,
        keys: &[String],
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(to_micros(forget_before))
            .execute(&mut *tx)
            .await?;
        for key in keys {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(key)
                .bind(to_micros(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn login_failures_since(&self, key: &str, since: Timestamp) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                .bind(key)
                .bind(to_micros(since))
                .fetch_one(&self.reader)
                .await?,
        )
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
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

    async fn create_password_reset(
        &self,
        token_hash: &str,
        agent: AgentId,
        expires_at: Timestamp,
        email: &NewOutbox,
    ) -> Result<()> {
        let at = now();
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent.0)
        .bind(to_micros(at))
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO outbox (ticket_id, message_id, kind, email_message_id, recipient, envelope, status, next_attempt_at, created_at) \
             VALUES (NULL, NULL, $1, $2, $3, $4, 'pending', $5, $5)",
        )
        .bind(&email.kind)
        .bind(&email.email.message_id)
        .bind(&email.recipient)
        .bind(json_of(&email.email)?)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        session_label: &str,
        at: Timestamp,
    ) -> Result<Option<AgentId>> {
        let mut tx = begin_write(&self.writer).await?;
        let agent: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING agent_id",
        )
        .bind(token_hash)
        .bind(to_micros(at))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(agent) = agent else {
            return Ok(None);
        };
        sqlx::query("UPDATE agents SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(agent)
            .bind(password_hash)
            .bind(to_micros(at))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE agent_id = $1 AND label = $2 AND revoked_at IS NULL",
        )
        .bind(agent)
        .bind(session_label)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(AgentId(agent)))
    }

    async fn canned_replies(&self) -> Result<Vec<CannedReply>> {
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, title, body, updated_at FROM canned_replies ORDER BY title, id",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, body, updated_at)| CannedReply {
                id,
                title,
                body,
                updated_at: from_micros(updated_at),
            })
            .collect())
    }

    async fn save_canned_reply(&self, id: Option<i64>, title: &str, body: &str) -> Result<i64> {
        let at = to_micros(now());
        let saved: Option<i64> = match id {
            None => sqlx::query_scalar(
                "INSERT INTO canned_replies (title, body, updated_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(title)
            .bind(body)
            .bind(at)
            .fetch_optional(&self.writer)
            .await,
            Some(id) => sqlx::query_scalar(
                "UPDATE canned_replies SET title = $2, body = $3, updated_at = $4 WHERE id = $1 RETURNING id",
            )
            .bind(id)
            .bind(title)
            .bind(body)
            .bind(at)
            .fetch_optional(&self.writer)
            .await,
        }
        .map_err(|e| StoreError::from_write(e, "title", "another canned reply has this title"))?;
        saved.ok_or_else(|| StoreError::not_found("canned reply", id.unwrap_or_default()))
    }

    async fn delete_canned_reply(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn settings(&self) -> Result<Vec<StoredSetting>> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT name, value, updated_at, updated_by FROM settings ORDER BY name",
        )
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, value, updated_at, updated_by)| StoredSetting {
                name,
                value,
                updated_at: from_micros(updated_at),
                updated_by: updated_by.map(AgentId),
            })
            .collect())
    }

    async fn save_setting(&self, name: &str, value: &str, by: Option<AgentId>) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(name)
        .bind(value)
        .bind(to_micros(now()))
        .bind(by.map(|a| a.0))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn delete_setting(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM settings WHERE name = $1")
            .bind(name)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
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

    async fn count_tickets(&self, query: &TicketQuery) -> Result<i64> {
        let mut q = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tickets WHERE 1 = 1");
        push_ticket_filters(&mut q, query);
        Ok(q.build_query_scalar::<i64>()
            .fetch_one(&self.reader)
            .await?)
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
        Ok(Some(message))
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

    async fn classifier_corrections(&self) -> Result<Vec<TrainingExample>> {
        // The latest correction of each ticket, with the ticket's first message.
        let rows = sqlx::query(
            "SELECT c.support_type, t.subject, m.body_text FROM classifier_corrections c \
             JOIN tickets t ON t.id = c.ticket_id \
             JOIN messages m ON m.id = (SELECT MIN(id) FROM messages WHERE ticket_id = c.ticket_id) \
             WHERE c.id = (SELECT MAX(id) FROM classifier_corrections WHERE ticket_id = c.ticket_id) \
             ORDER BY c.id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TrainingExample {
                    subject: r.try_get("subject")?,
                    body: r.try_get("body_text")?,
                    support_type: parse::<SupportType>(r.try_get::<&str, _>("support_type")?)?,
                    kind: None,
                })
            })
            .collect()
    }

    async fn save_classifier_model(&self, model: &NewClassifierModel) -> Result<i64> {
        let mut tx = begin_write(&self.writer).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO classifier_models (model, examples, corrections, type_accuracy, kind_accuracy, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&model.model)
        .bind(model.examples)
        .bind(model.corrections)
        .bind(model.type_accuracy)
        .bind(model.kind_accuracy)
        .bind(to_micros(now()))
        .fetch_one(&mut *tx)
        .await?;
        // Older models are history nobody reads; keep the last few for comparison.
        sqlx::query("DELETE FROM classifier_models WHERE id <= $1")
            .bind(id - 5)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn latest_classifier_model(&self) -> Result<Option<ClassifierModelRecord>> {
        let row = sqlx::query(
            "SELECT id, model, examples, corrections, type_accuracy, kind_accuracy, created_at \
             FROM classifier_models ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(ClassifierModelRecord {
                id: r.try_get("id")?,
                model: r.try_get("model")?,
                examples: r.try_get("examples")?,
                corrections: r.try_get("corrections")?,
                type_accuracy: r.try_get("type_accuracy")?,
                kind_accuracy: r.try_get("kind_accuracy")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .transpose()
    }

    async fn ticket_for_email_ids(&self, ids: &[String]) -> Result<Option<TicketId>> {
        if ids.is_empty() {
            return Ok(None);
        }
        // One query for all the ids, then the nearest one (first in `ids`) wins.
        let mut q = QueryBuilder::<Db>::new(
            "SELECT channel_message_id AS mid, ticket_id FROM messages WHERE channel_message_id IN (",
        );
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        q.push(") UNION ALL SELECT email_message_id AS mid, ticket_id FROM outbox WHERE ticket_id IS NOT NULL AND email_message_id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        q.push(")");
        let found: Vec<(String, i64)> = q
            .build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("mid")?,
                    r.try_get::<i64, _>("ticket_id")?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(ids.iter().find_map(|id| {
            found
                .iter()
                .find(|(mid, _)| mid == id)
                .map(|(_, t)| TicketId(*t))
        }))
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

    async fn position_taken(&self, p: &MailboxPosition) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT uid FROM mailbox_positions WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3")
            .bind(&p.mailbox)
            .bind(p.uidvalidity)
            .bind(p.uid)
            .fetch_optional(&self.writer)
            .await?;
        Ok(found.is_some())
    }

    async fn record_position(&self, p: &MailboxPosition) -> Result<()> {
        sqlx::query("INSERT INTO mailbox_positions (mailbox, uidvalidity, uid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(&p.mailbox)
            .bind(p.uidvalidity)
            .bind(p.uid)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn claim_outbox(&self, limit: u32, lease_until: Timestamp) -> Result<Vec<OutboxItem>> {
        let at = to_micros(now());
        let sql = format!(
            "UPDATE outbox SET lease_until = $1 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
             AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $3{SKIP_LOCKED}) RETURNING {OUTBOX_COLUMNS}"
        );
        let mut tx = begin_write(&self.writer).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(lease_until))
            .bind(at)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut items: Vec<OutboxItem> = rows.iter().map(outbox_from_row).collect::<Result<_>>()?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    async fn outbox_sent(&self, id: i64) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        let message: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id = $1 RETURNING message_id",
        )
        .bind(id)
        .bind(to_micros(now()))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(Some(message)) = message {
            sqlx::query(
                "UPDATE messages SET delivery = 'sent' WHERE id = $1 AND delivery = 'queued'",
            )
            .bind(message)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<Timestamp>) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "dead"
        };
        let message: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
             lease_until = NULL WHERE id = $1 RETURNING message_id",
        )
        .bind(id)
        .bind(status)
        .bind(error.chars().take(1000).collect::<String>())
        .bind(retry_at.map(to_micros))
        .fetch_optional(&mut *tx)
        .await?;
        if retry_at.is_none()
            && let Some(Some(message)) = message
        {
            sqlx::query("UPDATE messages SET delivery = 'failed' WHERE id = $1")
                .bind(message)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_outbox(&self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxItem>> {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {OUTBOX_COLUMNS} FROM outbox"));
        if let Some(status) = status {
            q.push(" WHERE status = ").push_bind(status.to_string());
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit));
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(outbox_from_row)
            .collect()
    }

    async fn count_outbox_since(
        &self,
        recipient: &str,
        kind: &str,
        since: Timestamp,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = $2 AND created_at >= $3",
        )
        .bind(recipient)
        .bind(kind)
        .bind(to_micros(since))
        .fetch_one(&self.writer)
        .await?)
    }

    async fn mark_bounced(&self, email_message_id: &str) -> Result<Option<TicketId>> {
        let mut tx = begin_write(&self.writer).await?;
        let row = sqlx::query("SELECT id, ticket_id FROM messages WHERE channel_message_id = $1 AND kind = 'outbound'")
            .bind(email_message_id)
            .fetch_optional(&mut *tx)
            .await?;
        let found = match row {
            Some(r) => {
                let id: i64 = r.try_get("id")?;
                sqlx::query("UPDATE messages SET delivery = 'failed' WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Some(TicketId(r.try_get("ticket_id")?))
            }
            None => sqlx::query_scalar::<_, Option<i64>>(
                "SELECT ticket_id FROM outbox WHERE email_message_id = $1",
            )
            .bind(email_message_id)
            .fetch_optional(&mut *tx)
            .await?
            .flatten()
            .map(TicketId),
        };
        tx.commit().await?;
        Ok(found)
    }

    async fn quarantine(
        &self,
        source: &str,
        reason: &str,
        raw_sha256: &str,
        size: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO quarantine (source, reason, raw_sha256, size, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(source)
        .bind(reason)
        .bind(raw_sha256)
        .bind(size)
        .bind(to_micros(now()))
        .fetch_one(&self.writer)
        .await?)
    }

    async fn list_quarantine(&self, limit: u32) -> Result<Vec<QuarantineItem>> {
        sqlx::query("SELECT id, source, reason, raw_sha256, size, received_at FROM quarantine ORDER BY id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(QuarantineItem {
                    id: r.try_get("id")?,
                    source: r.try_get("source")?,
                    reason: r.try_get("reason")?,
                    raw_sha256: r.try_get("raw_sha256")?,
                    size: r.try_get("size")?,
                    received_at: from_micros(r.try_get("received_at")?),
                })
            })
            .collect()
    }

    async fn put_blob_content(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        // A single statement is a transaction of its own and takes the write lock before it
        // reads, so `begin_write` would add only two more hand-offs to the SQLite writer
        // thread per blob.
        sqlx::query("INSERT INTO blob_contents (sha256, bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha256)
            .bind(bytes)
            .bind(to_micros(now()))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn blob_content(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM blob_contents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    async fn backup_to(&self, dest: &Path) -> Result<()> {
        self.backup(dest).await
    }
}
