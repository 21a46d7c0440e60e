//! Adding a message to a ticket: a reply (sent on the ticket's channel), an internal note,
//! a call log, or the customer's answer; as JSON, or as `multipart/form-data` with files.

use super::dto::{CreatedMessage, MessageCreate};
use super::extract::{ApiJson, ApiPath};
use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument, too_large};
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use soporte_app::{App, MessageInput, Upload};
use soporte_core::ids::{MessageId, TicketId};
use soporte_core::ticket::MessageKind;

/// Add a message: a reply, an internal note, a call log, or the customer's answer. Send
/// JSON, or `multipart/form-data` with the same fields as text parts and any number of file
/// parts, which become attachments. On a WhatsApp ticket a reply is sent on WhatsApp from
/// the number the customer wrote to: free text within 24 hours of the customer's last
/// message (`409 whatsapp_window_closed` after that), an approved template at any time.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", request_body = MessageCreate, responses(
    (status = 201, body = CreatedMessage), (status = 404, body = ProblemDocument), (status = 409, body = ProblemDocument),
    (status = 413, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn add_message(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    req: Request,
) -> Result<Response, Problem> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let input = if is_multipart {
        let multipart = Multipart::from_request(req, &app)
            .await
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid_body", e.body_text()))?;
        message_from_multipart(multipart).await?
    } else {
        let ApiJson(body) = ApiJson::<MessageCreate>::from_request(req, &app).await?;
        MessageInput {
            kind: body.kind,
            body: body.body,
            attachments: vec![],
            whatsapp_template: body.whatsapp_template,
            reply_to: body.reply_to_message_id.map(MessageId),
        }
    };
    let (ticket, message) = app.add_message(&who, TicketId(id), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedMessage {
            ticket: ticket.into(),
            message: message.into(),
        }),
    )
        .into_response())
}

async fn message_from_multipart(mut multipart: Multipart) -> Result<MessageInput, Problem> {
    let mut input = MessageInput::default();
    let invalid = |field: &str, detail: String| {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", detail).with_field(field)
    };
    let read_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "invalid_body", e.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(read_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(filename) = field.file_name().map(str::to_string) {
            let media_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field.bytes().await.map_err(read_error)?;
            input.attachments.push(Upload {
                filename,
                media_type,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let value = field.text().await.map_err(read_error)?;
        match name.as_str() {
            "body" => input.body = value,
            "kind" => {
                input.kind = Some(
                    value
                        .parse::<MessageKind>()
                        .map_err(|e| invalid("kind", e.to_string()))?,
                )
            }
            "whatsapp_template" => input.whatsapp_template = Some(value),
            "reply_to_message_id" => {
                input.reply_to = Some(MessageId(value.trim().parse::<i64>().map_err(|_| {
                    invalid(
                        "reply_to_message_id",
                        format!("not a message id: {value:?}"),
                    )
                })?))
            }
            other => return Err(invalid(other, format!("unknown field {other:?}"))),
        }
    }
    Ok(input)
}
