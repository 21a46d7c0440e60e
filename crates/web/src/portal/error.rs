//! What a portal page shows when something goes wrong: the front door when there is no
//! session, otherwise a plain page in the customer's language with what to do next.

use super::texts::PortalTexts;
use crate::console::Lang;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soporte_app::AppError;

#[derive(Debug)]
pub enum PortalError {
    /// No valid session: sign in, then come back to `next`.
    SignIn {
        next: String,
    },
    /// A state-changing request without this session's anti-forgery token, or from
    /// another site.
    Forgery(Lang),
    App(AppError, Lang),
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage<'a> {
    t: &'static PortalTexts,
    lang: Lang,
    message: &'a str,
    detail: &'a str,
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let (status, lang, message, detail) = match &self {
            PortalError::SignIn { next } => {
                let to = format!("/portal/?next={}", crate::pages::percent_encoded(next));
                return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
            }
            PortalError::Forgery(lang) => (
                StatusCode::FORBIDDEN,
                *lang,
                PortalTexts::of(*lang).forgery,
                String::new(),
            ),
            PortalError::App(e, lang) => {
                let t = PortalTexts::of(*lang);
                let (status, message) = match e {
                    AppError::Unauthorized | AppError::Forbidden(_) | AppError::NotFound { .. } => {
                        (StatusCode::NOT_FOUND, t.not_found)
                    }
                    AppError::Invalid(_)
                    | AppError::Malformed { .. }
                    | AppError::BadSignature(_)
                    | AppError::Conflict { .. }
                    | AppError::InvalidTransition { .. }
                    | AppError::Unprocessable { .. }
                    | AppError::WhatsAppWindowClosed { .. } => {
                        (StatusCode::UNPROCESSABLE_ENTITY, t.not_saved)
                    }
                    AppError::TicketClosed => (StatusCode::CONFLICT, t.closed_write_new),
                    AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, t.too_many),
                    AppError::TemporarilyUnavailable(_) | AppError::Unavailable(_) => {
                        (StatusCode::SERVICE_UNAVAILABLE, t.unavailable)
                    }
                    AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, t.server_error),
                };
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    tracing::error!(error = %e, "portal request failed");
                }
                // What was wrong with what they typed helps them; nothing else is told.
                let detail = match e {
                    AppError::Invalid(v) => v.message.clone(),
                    _ => String::new(),
                };
                (status, *lang, message, detail)
            }
        };
        let page = ErrorPage {
            t: PortalTexts::of(lang),
            lang,
            message,
            detail: &detail,
        };
        let mut response = crate::pages::render(&page);
        *response.status_mut() = status;
        let retry_after = match &self {
            PortalError::App(AppError::TemporarilyUnavailable(_), _) => {
                Some(soporte_app::RETRY_AFTER_UNAVAILABLE_SECS)
            }
            PortalError::App(AppError::RateLimited { retry_after_secs }, _) => {
                Some(*retry_after_secs)
            }
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
