//! What the console's form handlers share: reading submitted fields, splitting lists people
//! type, and answering a refused save with the page again (HTTP 422) and the reason.

use super::admin::require_admin;
use super::error::ConsoleError;
use super::session::Console;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use soporte_app::AppError;

/// A submitted form as its fields, in order (rows of a table come as numbered fields).
pub type Fields = Vec<(String, String)>;

/// The value of field `name`, empty when it was not sent.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// An administrator's form with this session's anti-forgery token.
pub fn check_admin_form(
    console: &Console,
    fields: &[(String, String)],
) -> Result<(), ConsoleError> {
    require_admin(console)?;
    console.check_csrf(field(fields, "_csrf"))
}

/// "a, b ,, c" → ["a", "b", "c"], cut at any of `separators`.
pub fn split(text: &str, separators: &[char]) -> Vec<String> {
    text.split(separators)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A trimmed value, or none when blank.
pub fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// What to tell about a save the use case refused for its input; any other error is not
/// the form's and goes on as an error page.
pub fn refusal(e: AppError) -> Result<String, ConsoleError> {
    match e {
        AppError::Invalid(e) => Ok(e.to_string()),
        AppError::Conflict { field, message } => Ok(format!("{field}: {message}")),
        other => Err(other.into()),
    }
}

/// The page shown again after a refused save.
pub fn refused(html: Response) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
}

pub use crate::pages::percent_encoded;
