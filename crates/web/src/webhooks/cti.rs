//! The phone system's calls: `POST /webhooks/cti/{token}` with one event of Zammad's
//! generic CTI format, as JSON, `application/x-www-form-urlencoded` or
//! `multipart/form-data` (what `curl --form` sends). The answer is the JSON Zammad gives:
//! `{}`, a reject for a blocked caller, or the caller id to dial out with.

use crate::problem::Problem;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use soporte_app::App;

/// A CTI event is a few hundred bytes.
pub const CTI_BODY_LIMIT: usize = 64 * 1024;

fn unreadable(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "cti_event_invalid", detail)
}

/// `curl --form 'event="newCall"'`, as Zammad's documentation writes it, may leave the
/// quotes in the value.
fn unquoted(value: &str) -> String {
    let trimmed = value.trim();
    match trimmed
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => inner.to_string(),
        None => trimmed.to_string(),
    }
}

/// A JSON object's members as fields: a list gives one field per item.
fn json_fields(body: &[u8]) -> Result<Vec<(String, String)>, Problem> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| unreadable(format!("the body is not JSON: {e}")))?;
    let serde_json::Value::Object(members) = value else {
        return Err(unreadable("the body must be a JSON object"));
    };
    let mut fields = Vec::with_capacity(members.len());
    for (key, value) in members {
        let items = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let text = match item {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(unreadable(format!(
                        "{key}: must be a text, a number or a list of them"
                    ))
                    .with_field(&key));
                }
            };
            fields.push((key.clone(), text));
        }
    }
    Ok(fields)
}

/// `POST /webhooks/cti/{token}`: 200 with the answer once the event is stored; 404 for a
/// wrong token (nothing is read or written); 400 with the field for an event that does not
/// read; 503 when the database cannot keep it (the phone system may post it again).
pub async fn receive(
    State(app): State<App>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, Problem> {
    // Checked before the body is read: a wrong address costs nothing.
    app.check_cti_token(&token)?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/x-www-form-urlencoded")
        .to_ascii_lowercase();
    let fields = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| unreadable(format!("the form cannot be read: {}", e.body_text())))?;
        let parts = crate::multipart::FormParts::read(multipart)
            .await
            .map_err(|e| unreadable(format!("the form cannot be read: {}", e.body_text())))?;
        parts
            .fields
            .into_iter()
            .map(|(k, v)| (k, unquoted(&v)))
            .collect()
    } else {
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|e| unreadable(format!("the body cannot be read: {}", e.body_text())))?;
        if content_type.starts_with("application/json") || content_type.ends_with("+json") {
            json_fields(&body)?
        } else if content_type.starts_with("application/x-www-form-urlencoded")
            || content_type.starts_with("text/plain")
        {
            form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), unquoted(&v)))
                .collect()
        } else {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the event as JSON, application/x-www-form-urlencoded or multipart/form-data",
            ));
        }
    };
    let (_, reply) = app.receive_cti_event(&token, &fields).await?;
    Ok(Json(reply.to_json()).into_response())
}
