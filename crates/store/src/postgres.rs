//! PostgreSQL: for several Soporte instances sharing one database.

use crate::schema::Migration;
use crate::{Backend, StoreError};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Transaction};
use std::path::Path;
use std::time::Duration;

type Db = sqlx::Postgres;

const BACKEND: Backend = Backend::Postgres;
/// Row locks keep two instances from applying conflicting edits to one ticket.
const FOR_UPDATE: &str = " FOR UPDATE";
/// Several instances deliver the outbox together; each takes rows the others are not on.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "directory_and_tickets",
        sql: include_str!("../migrations/postgres/0001_directory_and_tickets.sql"),
    },
    Migration {
        version: 2,
        name: "email_channel",
        sql: include_str!("../migrations/postgres/0002_email_channel.sql"),
    },
    Migration {
        version: 3,
        name: "support_policy",
        sql: include_str!("../migrations/postgres/0003_support_policy.sql"),
    },
    Migration {
        version: 4,
        name: "blob_contents",
        sql: include_str!("../migrations/postgres/0004_blob_contents.sql"),
    },
    Migration {
        version: 5,
        name: "search",
        sql: include_str!("../migrations/postgres/0005_search.sql"),
    },
    Migration {
        version: 6,
        name: "login_attempts",
        sql: include_str!("../migrations/postgres/0006_login_attempts.sql"),
    },
    Migration {
        version: 7,
        name: "ticket_presence",
        sql: include_str!("../migrations/postgres/0007_ticket_presence.sql"),
    },
    Migration {
        version: 8,
        name: "password_resets",
        sql: include_str!("../migrations/postgres/0008_password_resets.sql"),
    },
    Migration {
        version: 9,
        name: "canned_replies",
        sql: include_str!("../migrations/postgres/0009_canned_replies.sql"),
    },
    Migration {
        version: 10,
        name: "inbox_indexes",
        sql: include_str!("../migrations/postgres/0010_inbox_indexes.sql"),
    },
    Migration {
        version: 11,
        name: "settings",
        sql: include_str!("../migrations/postgres/0011_settings.sql"),
    },
    Migration {
        version: 12,
        name: "search_rows_by_ticket",
        sql: include_str!("../migrations/postgres/0012_search_rows_by_ticket.sql"),
    },
    Migration {
        version: 13,
        name: "two_factor",
        sql: include_str!("../migrations/postgres/0013_two_factor.sql"),
    },
    Migration {
        version: 14,
        name: "whatsapp",
        sql: include_str!("../migrations/postgres/0014_whatsapp.sql"),
    },
    Migration {
        version: 15,
        name: "whatsapp_outbox",
        sql: include_str!("../migrations/postgres/0015_whatsapp_outbox.sql"),
    },
    Migration {
        version: 16,
        name: "account_manager",
        sql: include_str!("../migrations/postgres/0016_account_manager.sql"),
    },
    Migration {
        version: 17,
        name: "portal",
        sql: include_str!("../migrations/postgres/0017_portal.sql"),
    },
    Migration {
        version: 18,
        name: "calls",
        sql: include_str!("../migrations/postgres/0018_calls.sql"),
    },
];

/// The tickets whose search rows match the expression bound as `$1`.
const SEARCH_MATCH: &str =
    "id IN (SELECT ticket_id FROM ticket_search WHERE document @@ to_tsquery('simple', $1))";

/// Appends the statement that adds one search row for `ticket`.
fn push_search_row(
    q: &mut sqlx::QueryBuilder<Db>,
    ticket: soporte_core::ids::TicketId,
    terms: String,
) {
    q.push("INSERT INTO ticket_search (ticket_id, terms) VALUES (")
        .push_bind(ticket.0)
        .push(", ")
        .push_bind(terms)
        .push(")");
}

/// Moves a merged ticket's search rows to the ticket it was merged into.
async fn move_search_rows(
    tx: &mut sqlx::PgConnection,
    source: soporte_core::ids::TicketId,
    target: soporte_core::ids::TicketId,
) -> crate::Result<()> {
    sqlx::query("UPDATE ticket_search SET ticket_id = $2 WHERE ticket_id = $1")
        .bind(source.0)
        .bind(target.0)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The search expression for `groups` of alternative terms (see `soporte_core::search`):
/// every group must match, by any of its terms. Terms are letters and digits only.
fn search_expression(groups: &[Vec<String>]) -> String {
    groups
        .iter()
        .map(|group| {
            let alternatives: Vec<String> = group.to_vec();
            format!("({})", alternatives.join(" | "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>, sqlx::Error> {
    pool.begin().await
}

/// Instances starting together would otherwise race to apply the same migration.
async fn lock_migrations(tx: &mut Transaction<'static, Db>) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(7306120001)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Attempts to log in under the same key (an account, an address) count one after the
/// other, so that parallel guesses cannot all pass the limit before any is counted.
async fn lock_login_key(tx: &mut Transaction<'static, Db>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(73061202, hashtext($1))")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// The shared SQL is compiled once per backend on purpose: see sql/mod.rs.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

pub use sql::SqlStore as PostgresStore;

/// How long a request waits for a connection: far more than a healthy pool ever needs
/// (queries take milliseconds), short enough that an outage is answered at once.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        // No ping before each use (it doubled round trips); a broken connection fails its
        // query and the pool replaces it. While the server is out of reach, a request waits
        // at most ACQUIRE_TIMEOUT for a connection and is then told to come back.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;
        Ok(Self::from_pools(pool.clone(), pool))
    }

    async fn backup(&self, _dest: &Path) -> Result<(), StoreError> {
        Err(StoreError::Unsupported(
            "backups of a PostgreSQL database are made with pg_dump".to_string(),
        ))
    }
}
