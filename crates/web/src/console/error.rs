//! What a console page shows when something goes wrong: the login page when there is no
//! session, a plain page with the reason otherwise (in both languages, since an error can
//! come before the language is known).

use super::forms::percent_encoded;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use soporte_app::AppError;

#[derive(Debug)]
pub enum ConsoleError {
    /// No valid session: log in, then come back to `next`.
    LogIn {
        next: String,
    },
    /// Administrators require two-step sign-in and this agent has not set it up: to its
    /// page first.
    Enrol,
    /// A state-changing request without this session's anti-forgery token, or from
    /// another site.
    Forgery,
    App(AppError),
}

impl From<AppError> for ConsoleError {
    fn from(e: AppError) -> Self {
        ConsoleError::App(e)
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    status: u16,
    spanish: &'a str,
    english: &'a str,
    detail: &'a str,
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, spanish, english, detail) = match &self {
            ConsoleError::LogIn { .. } | ConsoleError::Enrol => {
                let to = match &self {
                    ConsoleError::LogIn { next } => {
                        format!("/login?next={}", percent_encoded(next))
                    }
                    _ => super::two_factor::PAGE.to_string(),
                };
                let mut response =
                    (StatusCode::SEE_OTHER, [(header::LOCATION, to.clone())]).into_response();
                // htmx follows redirects inside the page; this makes it load the login page.
                if let Ok(v) = HeaderValue::from_str(&to) {
                    response.headers_mut().insert("hx-redirect", v);
                }
                return response;
            }
            ConsoleError::Forgery => (
                StatusCode::FORBIDDEN,
                "La petición no venía de esta página. Vuelva a cargarla e inténtelo de nuevo.",
                "The request did not come from this page. Reload it and try again.",
                String::new(),
            ),
            ConsoleError::App(e) => {
                let (status, spanish, english) = match e {
                    AppError::Unauthorized => (
                        StatusCode::UNAUTHORIZED,
                        "Hace falta iniciar sesión.",
                        "You need to log in.",
                    ),
                    AppError::Forbidden(_) => (
                        StatusCode::FORBIDDEN,
                        "No tiene permiso para esto.",
                        "You are not allowed to do this.",
                    ),
                    AppError::NotFound { .. } => {
                        (StatusCode::NOT_FOUND, "No existe.", "It does not exist.")
                    }
                    AppError::Invalid(_)
                    | AppError::Malformed { .. }
                    | AppError::BadSignature(_)
                    | AppError::Conflict { .. }
                    | AppError::InvalidTransition { .. }
                    | AppError::Unprocessable { .. }
                    | AppError::TicketClosed => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "No se ha podido guardar.",
                        "It could not be saved.",
                    ),
                    AppError::WhatsAppWindowClosed { .. } => (
                        StatusCode::CONFLICT,
                        "Han pasado más de 24 horas desde el último mensaje del cliente: WhatsApp solo admite una plantilla aprobada.",
                        "More than 24 hours have passed since the customer's last message: WhatsApp only accepts an approved template.",
                    ),
                    AppError::RateLimited { .. } => (
                        StatusCode::TOO_MANY_REQUESTS,
                        "Demasiados intentos fallidos. Espere unos minutos antes de volver a intentarlo.",
                        "Too many failed attempts. Wait a few minutes before trying again.",
                    ),
                    AppError::TemporarilyUnavailable(_) => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "La base de datos no responde en este momento y no se ha guardado nada. Vuelva atrás e inténtelo de nuevo en unos segundos.",
                        "The database is not answering right now and nothing was saved. Go back and try again in a few seconds.",
                    ),
                    AppError::Unavailable(_) => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "No está disponible ahora.",
                        "It is not available now.",
                    ),
                    AppError::Internal(_) => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Algo ha fallado en el servidor.",
                        "Something failed on the server.",
                    ),
                };
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    tracing::error!(error = %e, "console request failed");
                }
                let detail = match e {
                    // Internal details stay in the log.
                    AppError::Internal(_) => String::new(),
                    other => other.to_string(),
                };
                (status, spanish, english, detail)
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            spanish,
            english,
            detail: &detail,
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, english.to_string()).into_response(),
        };
        let retry_after = match &self {
            ConsoleError::App(AppError::TemporarilyUnavailable(_)) => {
                Some(soporte_app::RETRY_AFTER_UNAVAILABLE_SECS)
            }
            ConsoleError::App(AppError::RateLimited { retry_after_secs }) => {
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
