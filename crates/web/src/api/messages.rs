//! Adding a message to a ticket: a reply (sent on the ticket's channel), an internal note,
//! a call log, or the customer's answer; as JSON, or as `multipart/form-data` with files.

use super::dto::{CreatedMessage, MessageCreate};
use super::extract::{ApiPath, FormParts, JsonOrForm, invalid_field};
use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use soporte_app::{App, MessageInput};
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
    body: JsonOrForm<MessageCreate>,
) -> Result<Response, Problem> {
    let input = match body {
        JsonOrForm::Form(parts) => message_from_form(parts)?,
        JsonOrForm::Json(body) => MessageInput {
            kind: body.kind,
            body: body.body,
            attachments: vec![],
            whatsapp_template: body.whatsapp_template,
            reply_to: body.reply_to_message_id.map(MessageId),
            channel: None,
        },
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

fn message_from_form(parts: FormParts) -> Result<MessageInput, Problem> {
    let mut input = MessageInput {
        attachments: parts.files,
        ..MessageInput::default()
    };
    for (name, value) in parts.fields {
        match name.as_str() {
            "body" => input.body = value,
            "kind" => {
                input.kind = Some(
                    value
                        .parse::<MessageKind>()
                        .map_err(|e| invalid_field("kind", e.to_string()))?,
                )
            }
            "whatsapp_template" => input.whatsapp_template = Some(value),
            "reply_to_message_id" => {
                input.reply_to = Some(MessageId(value.trim().parse::<i64>().map_err(|_| {
                    invalid_field(
                        "reply_to_message_id",
                        format!("not a message id: {value:?}"),
                    )
                })?))
            }
            other => return Err(invalid_field(other, format!("unknown field {other:?}"))),
        }
    }
    Ok(input)
}
