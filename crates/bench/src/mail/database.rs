//! Each run's fresh database, and what intake left in it, counted on a connection of its
//! own rather than taken from what the use case reported.

use crate::mail_corpus::{SUPPORT_ADDRESS, SUPPORT_COMPANY};
use anyhow::{Context, Result};
use soporte_app::{App, AppSettings};
use soporte_core::ticket::TicketPrefix;
use soporte_store::sqlite::SqliteStore;
use soporte_store::{DiskBlobStore, Store, TieredBlobStore};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A fresh, migrated SQLite database and blob store, with the e-mail use cases on, in a
/// tempdir removed when this is dropped.
pub(super) struct IntakeDatabase {
    pub(super) app: App,
    db_path: PathBuf,
    blobs_dir: PathBuf,
    _dir: tempfile::TempDir,
}

impl IntakeDatabase {
    pub(super) async fn fresh(data_dir: Option<&Path>) -> Result<Self> {
        let dir = match data_dir {
            Some(parent) => {
                std::fs::create_dir_all(parent)?;
                tempfile::tempdir_in(parent)
            }
            None => tempfile::tempdir(),
        }
        .context("creating a tempdir for the database")?;
        let db_path = dir.path().join("soporte.db");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db_path).await?);
        store.migrate().await.context("migrating SQLite")?;
        let blobs_dir = dir.path().join("blobs");
        let blobs = TieredBlobStore::new(Arc::clone(&store), DiskBlobStore::new(&blobs_dir)?);
        let prefix = TicketPrefix::parse("VND")?;
        let settings = AppSettings::new(prefix, SUPPORT_COMPANY, SUPPORT_ADDRESS);
        let app =
            App::new(store, Arc::new(blobs), settings).with_mail(Arc::new(soporte_mail::MimeCodec));
        Ok(Self {
            app,
            db_path,
            blobs_dir,
            _dir: dir,
        })
    }

    /// What intake left in the database, counted by SQL on a connection of its own, so
    /// the figures do not depend on what the use case reported.
    pub(super) async fn stored(&self) -> Result<Stored> {
        let options = SqliteConnectOptions::new()
            .filename(&self.db_path)
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&pool)
                    .await
                    .with_context(|| format!("counting: {sql}"))
            }
        };
        let stored = Stored {
            tickets: count("SELECT COUNT(*) FROM tickets").await?,
            messages: count("SELECT COUNT(*) FROM messages").await?,
            attachments: count("SELECT COUNT(*) FROM attachments").await?,
            inline: count("SELECT COUNT(*) FROM attachments WHERE inline <> 0").await?,
            quarantined: count("SELECT COUNT(*) FROM quarantine").await?,
            acknowledgements: count("SELECT COUNT(*) FROM outbox").await?,
            contacts: count("SELECT COUNT(*) FROM contacts").await?,
            blobs_inside: count("SELECT COUNT(*) FROM blob_contents").await?,
            blob_bytes_inside: count("SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM blob_contents")
                .await?,
            database_bytes: ["", "-wal"]
                .iter()
                .filter_map(|suffix| {
                    let mut path = self.db_path.clone().into_os_string();
                    path.push(suffix);
                    std::fs::metadata(path).ok()
                })
                .map(|m| m.len())
                .sum(),
            blob_bytes: directory_bytes(&self.blobs_dir)?,
        };
        pool.close().await;
        Ok(stored)
    }
}

pub(super) struct Stored {
    pub(super) tickets: i64,
    pub(super) messages: i64,
    pub(super) attachments: i64,
    pub(super) inline: i64,
    pub(super) quarantined: i64,
    pub(super) acknowledgements: i64,
    pub(super) contacts: i64,
    /// Blobs small enough to be kept in the database rather than as files.
    pub(super) blobs_inside: i64,
    pub(super) blob_bytes_inside: i64,
    pub(super) database_bytes: u64,
    pub(super) blob_bytes: u64,
}

fn directory_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        total += if metadata.is_dir() {
            directory_bytes(&entry.path())?
        } else {
            metadata.len()
        };
    }
    Ok(total)
}
