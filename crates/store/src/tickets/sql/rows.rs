//! Tickets, messages, attachments and history events as rows.

use super::super::DbRow;
use super::super::values::{actor_from, corrupt, from_json, opt_ts, parse};
use crate::Result;
use soporte_core::email::{AutomaticKind, Delivery, EmailHeaders};
use soporte_core::ids::{
    AccountId, AgentId, AttachmentId, ContactId, EventId, MessageId, TicketId,
};
use soporte_core::policy::checklist::Checklist;
use soporte_core::policy::classifier::RequestKind;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Attachment, Event, Message, MessageKind, SlaRecord, Status, Ticket, TicketPolicy,
};
use soporte_core::time::from_micros;
use sqlx::Row;

pub(crate) const TICKET_COLUMNS: &str = "id, number, subject, support_type, channel, priority, status, assignee_id, account_id, requester_id, product_area, tags, created_at, updated_at, solved_at, closed_at, \
     type_confidence, request_kind, checklist, redirect_channel, urgency, call_back_number, sla_first_response_due, sla_resolution_due, sla_first_responded_at, sla_paused_since, sla_paused_total, sla_state, sla_next_check_at";

pub(crate) fn ticket_from_row(r: &DbRow) -> Result<Ticket> {
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
            call_back: r.try_get("call_back_number")?,
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

pub(crate) const MESSAGE_COLUMNS: &str = "id, ticket_id, kind, author_kind, author_id, channel, body_text, body_html, channel_message_id, created_at, quoted_text, email_from, email_to, email_cc, email_subject, automatic, original_sha256, delivery";

pub(crate) fn message_from_row(r: &DbRow) -> Result<Message> {
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
        whatsapp: None,
    })
}

pub(crate) const ATTACHMENT_COLUMNS: &str =
    "id, message_id, ticket_id, sha256, filename, media_type, size, inline, content_id";

pub(crate) fn attachment_from_row(r: &DbRow) -> Result<Attachment> {
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

pub(crate) fn event_from_row(r: &DbRow) -> Result<Event> {
    Ok(Event {
        id: EventId(r.try_get("id")?),
        ticket_id: TicketId(r.try_get("ticket_id")?),
        actor: actor_from(r.try_get::<&str, _>("actor_kind")?, r.try_get("actor_id")?)?,
        kind: from_json(r.try_get::<&str, _>("data")?)?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}
