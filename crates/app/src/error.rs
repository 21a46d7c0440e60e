use soporte_core::ValidationError;
use soporte_core::ticket::{ChangeError, Status};
use soporte_store::StoreError;
use thiserror::Error;

/// What went wrong, in terms a caller can act on. The HTTP layer maps each variant to a
/// status and a stable problem code; the CLI prints the message.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error("a ticket cannot go from {from} to {to}")]
    InvalidTransition { from: Status, to: Status },
    #[error("ticket is closed; write a new request instead")]
    TicketClosed,
    #[error("{0}")]
    Unavailable(String),
    /// The database is out of reach for a moment (restarting, locked, disk full): the same
    /// request may well succeed in a few seconds.
    #[error("{0}")]
    TemporarilyUnavailable(String),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A webhook body whose signature does not match its sender's secret.
    #[error("{0}")]
    BadSignature(String),
    /// A body that is not what the endpoint takes; `code` is the problem's stable code.
    #[error("{message}")]
    Malformed { code: &'static str, message: String },
    /// A WhatsApp free-text reply after the 24-hour customer-service window closed.
    #[error(
        "the customer last wrote on WhatsApp more than 24 hours ago (the window closed at {closed_at}); only an approved template can be sent now"
    )]
    WhatsAppWindowClosed { closed_at: jiff::Timestamp },
    /// Well-formed but not acceptable as it stands; `code` is the problem's stable code.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

/// How long a client is told to wait when the database is out of reach: long enough for a
/// restart or a lost connection to be over, short enough not to lose anyone.
pub const RETRY_AFTER_UNAVAILABLE_SECS: u64 = 5;

impl AppError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        AppError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(ValidationError::new(field, message))
    }
}

impl From<ChangeError> for AppError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Invalid(v) => AppError::Invalid(v),
            ChangeError::Transition { from, to } => AppError::InvalidTransition { from, to },
            ChangeError::Closed => AppError::TicketClosed,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => AppError::not_found(entity, id),
            StoreError::Conflict { field, message } => AppError::Conflict { field, message },
            StoreError::Invalid(v) => AppError::Invalid(v),
            StoreError::Change(c) => c.into(),
            StoreError::Unsupported(m) => AppError::Unavailable(m),
            StoreError::Config(m) => AppError::Unavailable(m),
            StoreError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                AppError::TemporarilyUnavailable(format!(
                    "the database cannot be reached right now; try again in {RETRY_AFTER_UNAVAILABLE_SECS} s"
                ))
            }
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "i/o failure");
        AppError::Internal(e.to_string())
    }
}

impl From<crate::secrets::SealError> for AppError {
    fn from(e: crate::secrets::SealError) -> Self {
        tracing::error!(error = %e, "secrets key");
        AppError::Internal(e.to_string())
    }
}
