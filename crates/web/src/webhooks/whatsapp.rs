//! Meta's calls: the subscription handshake (GET) and event bodies (POST), each answered
//! only after the body is kept (or refused with the reason).

use crate::problem::Problem;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soporte_app::App;
use std::collections::HashMap;

/// `GET /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
pub async fn verify(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let challenge = app.verify_whatsapp_subscription(
        query.get("hub.mode").map(String::as_str),
        query.get("hub.verify_token").map(String::as_str),
        query.get("hub.challenge").map(String::as_str),
    )?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        challenge,
    )
        .into_response())
}

/// `POST /webhooks/whatsapp`: 200 once the body is kept; 401 unsigned or forged; 400
/// unreadable (kept in quarantine); 503 when the database cannot keep it (Meta retries).
pub async fn receive(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let receipt = app.receive_whatsapp_webhook(&body, signature).await?;
    Ok(Json(serde_json::json!({
        "kept": receipt.body_id,
        "messages": receipt.messages,
        "statuses": receipt.statuses,
    }))
    .into_response())
}
