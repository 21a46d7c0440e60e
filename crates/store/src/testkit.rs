//! Fresh, isolated databases for tests and benchmarks: a SQLite file in a temporary
//! directory, or a schema of its own on the PostgreSQL server named by
//! `TEST_SOPORTE_POSTGRES_URL`. Without that variable PostgreSQL is skipped with a message,
//! except under `CI=true`, where a missing server is an error.

use crate::{Store, StoreError, postgres::PostgresStore, sqlite::SqliteStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

pub const POSTGRES_URL_VAR: &str = "TEST_SOPORTE_POSTGRES_URL";

/// A migrated, empty database that disappears with [`TestDb::cleanup`] (or, for SQLite,
/// when dropped).
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    postgres_schema: Option<(String, sqlx::PgPool)>,
}

impl TestDb {
    pub async fn cleanup(self) {
        if let Some((schema, pool)) = self.postgres_schema {
            let drop = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&pool).await;
        }
    }
}

pub async fn sqlite() -> Result<TestDb, StoreError> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("soporte.db")).await?;
    store.migrate().await?;
    Ok(TestDb {
        store: Arc::new(store),
        name: "sqlite",
        _dir: Some(dir),
        postgres_schema: None,
    })
}

/// `Ok(None)` when PostgreSQL is not configured here (and this is not CI).
pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
    let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return Err(StoreError::Config(format!(
                "CI=true but {POSTGRES_URL_VAR} is not set: PostgreSQL tests cannot run (scripts/test.sh sets it)"
            )));
        }
        eprintln!("SKIPPED: PostgreSQL half (set {POSTGRES_URL_VAR} or run scripts/test.sh)");
        return Ok(None);
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        jiff::Timestamp::now().as_millisecond()
    );
    let admin = sqlx::PgPool::connect(&url).await?;
    let create = format!("CREATE SCHEMA {schema}");
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&admin)
        .await?;
    let sep = if url.contains('?') { '&' } else { '?' };
    let store =
        PostgresStore::connect(&format!("{url}{sep}options=-c%20search_path%3D{schema}")).await?;
    store.migrate().await?;
    Ok(Some(TestDb {
        store: Arc::new(store),
        name: "postgres",
        _dir: None,
        postgres_schema: Some((schema, admin)),
    }))
}

/// Declares each named check twice, as `on_sqlite::NAME` and `on_postgres::NAME`. Each
/// test makes a fresh database, builds its fixture with `FIXTURE(&TestDb)` (an async fn
/// returning `Result<T, Box<dyn Error>>`), and runs `NAME(&T)`; the PostgreSQL half is
/// skipped with a message where no server is configured, and fails under `CI=true`.
#[macro_export]
macro_rules! on_both_databases {
    ($fixture:ident; $($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() -> Result<(), Box<dyn std::error::Error>> {
                    let db = $crate::testkit::sqlite().await?;
                    let fixture = super::$fixture(&db).await?;
                    super::$name(&fixture).await?;
                    db.cleanup().await;
                    Ok(())
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() -> Result<(), Box<dyn std::error::Error>> {
                    let Some(db) = $crate::testkit::postgres().await? else { return Ok(()) };
                    let fixture = super::$fixture(&db).await?;
                    super::$name(&fixture).await?;
                    db.cleanup().await;
                    Ok(())
                }
            )+
        }
    };
}
