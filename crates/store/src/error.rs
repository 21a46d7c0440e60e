use soporte_core::ValidationError;
use soporte_core::ticket::ChangeError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: i64 },
    /// A unique value that is already taken (an e-mail, a domain, a tax id).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Unsupported(String),
    // Not `#[source]`: the message already carries the cause, and error reports that
    // walk the chain would print it twice.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("file storage error: {0}")]
    Io(std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e)
    }
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: i64) -> Self {
        StoreError::NotFound { entity, id }
    }

    /// Turns a unique or foreign-key violation into an error that names the field, and
    /// passes other database errors through.
    pub(crate) fn from_write(err: sqlx::Error, field: &str, taken: &str) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                return StoreError::Conflict {
                    field: field.to_string(),
                    message: taken.to_string(),
                };
            }
            if db.is_foreign_key_violation() {
                return StoreError::Invalid(ValidationError::new(
                    field,
                    "refers to something that does not exist",
                ));
            }
        }
        StoreError::Database(err)
    }
}
