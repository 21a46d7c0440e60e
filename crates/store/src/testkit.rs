//! Fresh, isolated databases for tests and benchmarks: a SQLite file in a temporary
//! directory, or a schema of its own on the PostgreSQL server named by
//! `TEST_SOPORTE_POSTGRES_URL`. Without that variable PostgreSQL is skipped with a message,
//! except under `CI=true`, where a missing server is an error.

mod outage;

pub use outage::Outage;

use crate::{Store, StoreError, postgres::PostgresStore, sqlite::SqliteStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

pub const POSTGRES_URL_VAR: &str = "TEST_SOPORTE_POSTGRES_URL";

/// A migrated, empty database that disappears with [`TestDb::cleanup`] (or, for SQLite,
/// when dropped).
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    sqlite_file: Option<PathBuf>,
    /// The connection URL, with its own schema as the search path.
    postgres_url: Option<String>,
    postgres_schema: Option<(String, sqlx::PgPool)>,
}

impl TestDb {
    /// The database file, for SQLite.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// What a `soporte` process needs to use this very database: `sqlite://FILE`, or the
    /// PostgreSQL URL with this test's schema as its search path.
    pub fn database_url(&self) -> Option<String> {
        match (&self.sqlite_file, &self.postgres_url) {
            (Some(file), _) => Some(format!("sqlite://{}", file.display())),
            (None, Some(url)) => Some(url.clone()),
            (None, None) => None,
        }
    }

    /// The same PostgreSQL database reached through an [`Outage`], which can cut it off.
    /// The copy does not drop the schema: the original does.
    pub async fn postgres_through_outage(&self) -> Result<(TestDb, Outage), StoreError> {
        let url = self
            .postgres_url
            .as_deref()
            .ok_or_else(|| StoreError::Config("not a PostgreSQL test database".into()))?;
        let outage = Outage::start(outage::UrlParts::of(url)?.host_port).await?;
        let proxied = outage.rewrite_url(url)?;
        let store = PostgresStore::connect(&proxied).await?;
        let db = TestDb {
            store: Arc::new(store),
            name: "postgres",
            _dir: None,
            sqlite_file: None,
            postgres_url: Some(proxied),
            postgres_schema: None,
        };
        Ok((db, outage))
    }

    pub async fn cleanup(self) {
        if let Some((schema, pool)) = self.postgres_schema {
            let drop = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&pool).await;
        }
    }
}

pub async fn sqlite() -> Result<TestDb, StoreError> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("soporte.db");
    let store = SqliteStore::open(&file).await?;
    store.migrate().await?;
    Ok(TestDb {
        store: Arc::new(store),
        name: "sqlite",
        _dir: Some(dir),
        sqlite_file: Some(file),
        postgres_url: None,
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
    let url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let store = PostgresStore::connect(&url).await?;
    store.migrate().await?;
    Ok(Some(TestDb {
        store: Arc::new(store),
        name: "postgres",
        _dir: None,
        sqlite_file: None,
        postgres_url: Some(url),
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
