//! Tickets, their messages, history and attachments.

use super::dto::*;
use super::extract::{ApiJson, ApiPath, ApiQuery, FormParts, JsonOrForm, invalid_field};
use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use soporte_app::{App, TicketFilter, TicketInput, TicketUpdate};
use soporte_app::{AssigneeFilter, Cursor, TicketSort, TypeFilter};
use soporte_core::ids::{AccountId, AgentId, AttachmentId, TicketId};
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::Status;
use utoipa::IntoParams;

pub(super) fn bad_query(field: &str, detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "invalid_query", detail).with_field(field)
}

pub(super) fn parse_value<T: std::str::FromStr<Err = soporte_core::ValidationError>>(
    field: &str,
    raw: &str,
) -> Result<T, Problem> {
    raw.parse::<T>()
        .map_err(|e| bad_query(field, format!("{field}: {}", e.message)))
}

/// Opens a ticket. Send JSON, or `multipart/form-data` with the same fields as text parts
/// and any number of file parts, which become attachments.
#[utoipa::path(post, path = "/api/v1/tickets", request_body = TicketCreate, responses(
    (status = 201, body = TicketOut), (status = 413, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn create_ticket(
    State(app): State<App>,
    Caller(who): Caller,
    body: JsonOrForm<TicketCreate>,
) -> Result<Response, Problem> {
    let input = match body {
        JsonOrForm::Form(parts) => ticket_from_form(parts)?,
        JsonOrForm::Json(body) => TicketInput {
            subject: body.subject,
            body: body.body,
            requester_email: body.requester_email,
            requester_name: body.requester_name,
            support_type: body.support_type,
            priority: body.priority,
            channel: body.channel,
            product_area: None,
            attachments: vec![],
        },
    };
    let ticket = app.create_ticket(&who, &input).await?;
    Ok((StatusCode::CREATED, Json(TicketOut::from(ticket))).into_response())
}

fn ticket_from_form(parts: FormParts) -> Result<TicketInput, Problem> {
    let mut input = TicketInput {
        attachments: parts.files,
        ..TicketInput::default()
    };
    let mut seen_subject = false;
    let mut seen_body = false;
    for (name, value) in parts.fields {
        match name.as_str() {
            "subject" => {
                input.subject = value;
                seen_subject = true;
            }
            "body" => {
                input.body = value;
                seen_body = true;
            }
            "requester_email" => input.requester_email = Some(value),
            "requester_name" => input.requester_name = Some(value),
            "type" => {
                input.support_type = Some(
                    value
                        .parse::<SupportType>()
                        .map_err(|e| invalid_field("type", e.to_string()))?,
                )
            }
            "priority" => {
                input.priority = Some(
                    value
                        .parse::<Priority>()
                        .map_err(|e| invalid_field("priority", e.to_string()))?,
                )
            }
            "channel" => {
                input.channel = Some(
                    value
                        .parse::<Channel>()
                        .map_err(|e| invalid_field("channel", e.to_string()))?,
                )
            }
            other => return Err(invalid_field(other, format!("unknown field {other:?}"))),
        }
    }
    if !seen_subject {
        return Err(invalid_field("subject", "missing field `subject`".into()));
    }
    if !seen_body {
        return Err(invalid_field("body", "missing field `body`".into()));
    }
    Ok(input)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TicketListParams {
    /// Comma-separated statuses, e.g. `new,open`.
    status: Option<String>,
    /// A support type, or `none` for tickets awaiting triage.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    support_type: Option<String>,
    priority: Option<String>,
    channel: Option<String>,
    /// An agent id, `me`, or `none` for unassigned tickets.
    assignee: Option<String>,
    account_id: Option<i64>,
    /// RFC 3339 time: only tickets updated at or after it.
    updated_since: Option<String>,
    /// `-updated_at` (default), `updated_at`, `-created_at` or `created_at`.
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Tickets per page, 1 to 200 (default 50).
    limit: Option<u32>,
}

fn parse_sort(raw: Option<&str>) -> Result<TicketSort, Problem> {
    match raw.unwrap_or("-updated_at") {
        "-updated_at" => Ok(TicketSort::UpdatedDesc),
        "updated_at" => Ok(TicketSort::UpdatedAsc),
        "-created_at" => Ok(TicketSort::CreatedDesc),
        "created_at" => Ok(TicketSort::CreatedAsc),
        other => Err(bad_query(
            "sort",
            format!(
                "sort: unknown value {other:?}; expected one of: -updated_at, updated_at, -created_at, created_at"
            ),
        )),
    }
}

fn sort_name(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::UpdatedDesc => "-updated_at",
        TicketSort::UpdatedAsc => "updated_at",
        TicketSort::CreatedDesc => "-created_at",
        TicketSort::CreatedAsc => "created_at",
    }
}

/// Cursors are opaque to clients; inside they carry the sort they belong to, so a cursor
/// used with another sort is refused instead of returning a wrong page.
fn encode_cursor(sort: TicketSort, c: Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}|{}", sort_name(sort), c.key, c.id))
}

fn decode_cursor(sort: TicketSort, raw: &str) -> Result<Cursor, Problem> {
    let bad = || bad_query("cursor", "cursor: not a cursor returned by this endpoint");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.split('|');
    let (Some(s), Some(key), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if s != sort_name(sort) {
        return Err(bad_query(
            "cursor",
            format!("cursor: it belongs to sort={s}; pass the same sort"),
        ));
    }
    Ok(Cursor {
        key: key.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// List tickets the caller may see, newest activity first, with cursor pagination.
#[utoipa::path(get, path = "/api/v1/tickets", params(TicketListParams), responses(
    (status = 200, body = TicketList), (status = 400, body = ProblemDocument)))]
pub async fn list_tickets(
    State(app): State<App>,
    Caller(who): Caller,
    ApiQuery(p): ApiQuery<TicketListParams>,
) -> Result<Json<TicketList>, Problem> {
    let sort = parse_sort(p.sort.as_deref())?;
    let mut filter = TicketFilter {
        sort,
        limit: p.limit,
        account_id: p.account_id.map(AccountId),
        ..TicketFilter::default()
    };
    if let Some(raw) = p.status.as_deref().filter(|s| !s.is_empty()) {
        filter.statuses = raw
            .split(',')
            .map(|s| parse_value::<Status>("status", s.trim()))
            .collect::<Result<_, _>>()?;
    }
    filter.support_type = match p.support_type.as_deref() {
        None | Some("") => None,
        Some("none") => Some(TypeFilter::Unset),
        Some(t) => Some(TypeFilter::Type(parse_value("type", t)?)),
    };
    filter.priority = p
        .priority
        .as_deref()
        .map(|v| parse_value("priority", v))
        .transpose()?;
    filter.channel = p
        .channel
        .as_deref()
        .map(|v| parse_value("channel", v))
        .transpose()?;
    filter.assignee = match p.assignee.as_deref() {
        None | Some("") => None,
        Some("none") => Some(AssigneeFilter::Unassigned),
        Some("me") => Some(AssigneeFilter::Agent(who.require_agent()?.id)),
        Some(id) => Some(AssigneeFilter::Agent(AgentId(id.parse().map_err(
            |_| bad_query("assignee", "assignee: expected an agent id, `me` or `none`"),
        )?))),
    };
    filter.updated_since = p
        .updated_since
        .as_deref()
        .map(|v| {
            v.parse::<jiff::Timestamp>().map_err(|e| {
                bad_query(
                    "updated_since",
                    format!("updated_since: expected an RFC 3339 time ({e})"),
                )
            })
        })
        .transpose()?;
    filter.after = p
        .cursor
        .as_deref()
        .map(|c| decode_cursor(sort, c))
        .transpose()?;
    let page = app.list_tickets(&who, &filter).await?;
    Ok(Json(TicketList {
        items: page.items.into_iter().map(TicketOut::from).collect(),
        next_cursor: page.next.map(|c| encode_cursor(sort, c)),
    }))
}

/// One ticket with its conversation (customers do not see internal notes).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", responses((status = 200, body = TicketOut), (status = 404, body = ProblemDocument)))]
pub async fn get_ticket(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketOut>, Problem> {
    let detail = app.ticket_detail(&who, TicketId(id)).await?;
    let assignee = detail.ticket.assignee_id.map(|id| AgentRef {
        id: id.0,
        name: detail.assignee_name.clone().unwrap_or_default(),
    });
    let mut out = TicketOut::from(detail.ticket);
    out.assignee = Some(assignee);
    out.messages = Some(detail.messages.into_iter().map(MessageOut::from).collect());
    out.whatsapp_window_closes_at = detail.whatsapp_window_closes_at;
    Ok(Json(out))
}

/// Change a ticket: status (allowed transitions only), type, priority, assignee… (agents).
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", request_body = TicketPatchBody, responses(
    (status = 200, body = TicketOut), (status = 404, body = ProblemDocument), (status = 409, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn patch_ticket(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TicketPatchBody>,
) -> Result<Json<TicketOut>, Problem> {
    let input = TicketUpdate {
        subject: body.subject,
        support_type: body.support_type,
        priority: body.priority,
        status: body.status,
        assignee_id: body.assignee_id.map(|o| o.map(AgentId)),
        account_id: body.account_id.map(|o| o.map(AccountId)),
        product_area: body.product_area,
        tags: body.tags,
    };
    Ok(Json(
        app.update_ticket(&who, TicketId(id), &input).await?.into(),
    ))
}

/// The ticket's full history: who changed what and when (agents).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/events", responses((status = 200, body = Vec<EventOut>), (status = 404, body = ProblemDocument)))]
pub async fn list_events(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<EventOut>>, Problem> {
    let events = app.ticket_events(&who, TicketId(id)).await?;
    Ok(Json(events.into_iter().map(EventOut::from).collect()))
}

/// Download an attachment. Images are shown inline; everything else is a download, and
/// nothing is ever sniffed into something executable.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", responses(
    (status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ProblemDocument)))]
pub async fn get_attachment(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let (attachment, bytes) = app.attachment(&who, AttachmentId(id)).await?;
    Ok(crate::message_view::attachment_response(&attachment, bytes))
}
