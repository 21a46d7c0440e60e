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
    /// The database cannot be reached or cannot take the request now (a restart, a lost
    /// connection, a file locked by another program, a full disk): worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    // Not `#[source]`: the message already carries the cause, and error reports that
    // walk the chain would print it twice.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("file storage error: {0}")]
    Io(std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Database(e)
        }
    }
}

/// Whether an error says the database is out of reach for now rather than that the
/// request was wrong: the pool could not hand out a connection in time, the connection
/// broke, or the server refused work it will take again later.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// PostgreSQL's SQLSTATE codes and SQLite's result codes that mean "not now".
fn unavailable_code(code: &str) -> bool {
    // PostgreSQL: connection exceptions (class 08), insufficient resources (53: disk full,
    // out of memory, too many connections), operator intervention (57P01 shutdown by an
    // administrator, 57P02 crash shutdown, 57P03 starting up), and a transaction that lost
    // a serialisation race or a deadlock (40001, 40P01).
    if code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "40001" | "40P01")
    {
        return true;
    }
    // SQLite reports its extended result code as a number; the primary code is its low
    // byte: BUSY 5, LOCKED 6, NOMEM 7, IOERR 10, FULL 13, CANTOPEN 14, PROTOCOL 15.
    code.parse::<i32>()
        .is_ok_and(|extended| matches!(extended & 0xff, 5 | 6 | 7 | 10 | 13 | 14 | 15))
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        // A full disk empties again; any other failure of a blob file is ours to look at.
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                StoreError::Unavailable(format!("file storage: {e}"))
            }
            _ => StoreError::Io(e),
        }
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
        StoreError::from(err)
    }
}

#[cfg(test)]
mod tests {
    use super::unavailable_code;

    #[test]
    fn codes_that_mean_not_now_are_told_from_those_that_mean_wrong() {
        for code in [
            "08006", "08001", "57P01", "57P03", "53100", "53300", "40001", "40P01",
        ] {
            assert!(unavailable_code(code), "PostgreSQL {code}");
        }
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT (517), SQLITE_LOCKED, SQLITE_IOERR_WRITE (778),
        // SQLITE_FULL, SQLITE_CANTOPEN.
        for code in ["5", "517", "6", "778", "13", "14"] {
            assert!(unavailable_code(code), "SQLite {code}");
        }
        // Unique and foreign-key violations, a syntax error, a missing table: the request's
        // fault or ours, not the database's availability.
        for code in ["23505", "23503", "42601", "42P01", "2067", "787", "1", "19"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
