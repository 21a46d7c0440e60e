//! The e-mail channel over HTTP: an MTA pipes received mail in; agents download the
//! original of a message; admins see the quarantine and the outbox.

use super::dto::{InboundEmailResult, OutboxOut, QuarantineOut};
use super::extract::{ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use soporte_app::App;
use soporte_app::email::{IntakeOutcome, IntakeSource};
use soporte_core::ids::MessageId;
use utoipa::IntoParams;

/// Take in one received e-mail (raw RFC 5322, `Content-Type: message/rfc822`). Posting
/// the same message again answers with the same ids and `created: false`.
#[utoipa::path(post, path = "/api/v1/inbound/email", request_body(content = String, content_type = "message/rfc822"), responses(
    (status = 201, body = InboundEmailResult), (status = 200, description = "Seen before", body = InboundEmailResult),
    (status = 202, description = "Quarantined", body = InboundEmailResult), (status = 415, body = ProblemDocument)))]
pub async fn inbound_email(
    State(app): State<App>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<InboundEmailResult>), Problem> {
    who.require_agent()?;
    let is_rfc822 = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("message/rfc822"));
    if !is_rfc822 {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the raw message with 'Content-Type: message/rfc822'",
        ));
    }
    let outcome = app.intake_email(&body, &IntakeSource::Api).await?;
    let (status, result) = match outcome {
        IntakeOutcome::Created {
            ticket_id,
            message_id,
            ..
        } => (
            StatusCode::CREATED,
            InboundEmailResult {
                ticket_id: Some(ticket_id.0),
                message_id: Some(message_id.0),
                created: true,
                quarantine_id: None,
                reason: None,
            },
        ),
        IntakeOutcome::Duplicate {
            ticket_id,
            message_id,
        } => (
            StatusCode::OK,
            InboundEmailResult {
                ticket_id: Some(ticket_id.0),
                message_id: Some(message_id.0),
                created: false,
                quarantine_id: None,
                reason: None,
            },
        ),
        IntakeOutcome::Quarantined { id, reason } => (
            StatusCode::ACCEPTED,
            InboundEmailResult {
                ticket_id: None,
                message_id: None,
                created: false,
                quarantine_id: Some(id),
                reason: Some(reason),
            },
        ),
        IntakeOutcome::AlreadyTaken => (
            StatusCode::OK,
            InboundEmailResult {
                ticket_id: None,
                message_id: None,
                created: false,
                quarantine_id: None,
                reason: None,
            },
        ),
    };
    Ok((status, Json(result)))
}

/// The message exactly as it was received (agents).
#[utoipa::path(get, path = "/api/v1/messages/{id}/original", responses(
    (status = 200, description = "The raw message", content_type = "message/rfc822"), (status = 404, body = ProblemDocument)))]
pub async fn original(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let bytes = app.original_email(&who, MessageId(id)).await?;
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("message/rfc822"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"mensaje-{id}.eml\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Mail that could not be taken in, newest first (admin).
#[utoipa::path(get, path = "/api/v1/admin/quarantine", responses((status = 200, body = Vec<QuarantineOut>)))]
pub async fn quarantine(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<Json<Vec<QuarantineOut>>, Problem> {
    let items = app.list_quarantine(&who).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|q| QuarantineOut {
                id: q.id,
                source: q.source,
                reason: q.reason,
                size: q.size,
                received_at: q.received_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxParams {
    /// `pending`, `sent` or `dead`.
    status: Option<String>,
}

/// Outgoing mail and its delivery state, newest first (admin). `status=dead` lists what
/// could not be delivered.
#[utoipa::path(get, path = "/api/v1/admin/outbox", params(OutboxParams), responses((status = 200, body = Vec<OutboxOut>)))]
pub async fn outbox(
    State(app): State<App>,
    Caller(who): Caller,
    ApiQuery(params): ApiQuery<OutboxParams>,
) -> Result<Json<Vec<OutboxOut>>, Problem> {
    if let Some(status) = params.status.as_deref()
        && !matches!(status, "pending" | "sent" | "dead")
    {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "status: expected one of: pending, sent, dead",
        )
        .with_field("status"));
    }
    let items = app.list_outbox(&who, params.status.as_deref()).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|o| OutboxOut {
                id: o.id,
                ticket_id: o.ticket_id,
                message_id: o.message_id,
                kind: o.kind,
                recipient: o.recipient,
                subject: o.email.subject,
                email_message_id: o.email.message_id,
                status: o.status,
                attempts: o.attempts,
                last_error: o.last_error,
                next_attempt_at: o.next_attempt_at,
                created_at: o.created_at,
                sent_at: o.sent_at,
            })
            .collect(),
    ))
}
