//! Errors as RFC 9457 problem documents (`application/problem+json`), each with a stable
//! `code` that clients can branch on; `detail` is for people.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use soporte_app::AppError;

/// An error on its way to the client. Kept small (clippy's `result_large_err`): the
/// document's `type` and `title` are derived from `code` and `status` when it is sent.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub field: Option<String>,
    /// Seconds after which the same request may succeed, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

/// The RFC 9457 document as sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDocument {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable error code.
    pub code: String,
    pub detail: String,
    /// The request field the problem is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status;
        let document = ProblemDocument {
            type_uri: format!("urn:soporte:problem:{}", self.code),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            code: self.code.to_string(),
            detail: self.detail,
            field: self.field,
        };
        let mut response = (status, Json(document)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        let detail = e.to_string();
        match e {
            AppError::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a valid API token as 'Authorization: Bearer <token>'",
            ),
            AppError::Forbidden(_) => Problem::new(StatusCode::FORBIDDEN, "forbidden", detail),
            AppError::NotFound { .. } => Problem::new(StatusCode::NOT_FOUND, "not_found", detail),
            AppError::Invalid(v) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                detail,
            )
            .with_field(v.field),
            AppError::Conflict { field, .. } => {
                Problem::new(StatusCode::CONFLICT, "conflict", detail).with_field(field)
            }
            AppError::InvalidTransition { .. } => {
                Problem::new(StatusCode::CONFLICT, "invalid_transition", detail)
                    .with_field("status")
            }
            AppError::TicketClosed => Problem::new(StatusCode::CONFLICT, "ticket_closed", detail),
            AppError::Unavailable(_) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
            }
            AppError::TemporarilyUnavailable(_) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
                    .retry_after(soporte_app::RETRY_AFTER_UNAVAILABLE_SECS)
            }
            AppError::RateLimited { retry_after_secs } => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
                    .retry_after(retry_after_secs)
            }
            AppError::BadSignature(_) => {
                Problem::new(StatusCode::UNAUTHORIZED, "signature_invalid", detail)
            }
            AppError::Malformed { code, .. } => Problem::new(StatusCode::BAD_REQUEST, code, detail),
            AppError::WhatsAppWindowClosed { .. } => {
                Problem::new(StatusCode::CONFLICT, "whatsapp_window_closed", detail)
            }
            AppError::Unprocessable { code, .. } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
            }
            AppError::Internal(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side; it has been logged",
            ),
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        let detail = r.body_text();
        match r {
            JsonRejection::JsonDataError(_) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", detail)
            }
            JsonRejection::JsonSyntaxError(_) => {
                Problem::new(StatusCode::BAD_REQUEST, "malformed_json", detail)
            }
            JsonRejection::MissingJsonContentType(_) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as 'Content-Type: application/json'",
            ),
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            _ => Problem::new(StatusCode::BAD_REQUEST, "invalid_body", detail),
        }
    }
}

pub fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "the request body is larger than this server accepts (max_body_bytes)",
    )
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "invalid_query", r.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(r: PathRejection) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "invalid_path", r.body_text())
    }
}

pub async fn not_found_route() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

pub async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not accept that method",
    )
}

/// The last look at every answer, whatever produced it. A refusal written as plain text by
/// a layer or an extractor (a body over its limit, say) leaves as a problem document with a
/// stable code like every other; every answer is marked not to be sniffed; and an HTML page
/// without a policy of its own gets the console's.
pub async fn finish(response: Response) -> Response {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut response = if (status.is_client_error() || status.is_server_error())
        && (content_type.is_empty() || content_type.starts_with("text/plain"))
    {
        as_problem(response)
    } else {
        response
    };
    let headers = response.headers_mut();
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if content_type.starts_with("text/html") {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(
                crate::pages::CONTENT_SECURITY_POLICY,
            ));
        headers
            .entry(header::REFERRER_POLICY)
            .or_insert(HeaderValue::from_static("same-origin"));
    }
    response
}

/// A plain refusal as a problem document, keeping the headers that tell a client what to
/// do next.
fn as_problem(plain: Response) -> Response {
    let status = plain.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => return keep_headers(&plain, too_large().into_response()),
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::LENGTH_REQUIRED => "length_required",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let detail = status
        .canonical_reason()
        .unwrap_or("the request was refused")
        .to_string();
    keep_headers(&plain, Problem::new(status, code, detail).into_response())
}

fn keep_headers(from: &Response, mut to: Response) -> Response {
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(value) = from.headers().get(&name) {
            to.headers_mut().insert(name, value.clone());
        }
    }
    to
}
