//! Attachment bytes and e-mail originals, stored once per distinct content under their
//! SHA-256: small ones in the database (their SQL is `sql.rs`), larger ones as files.

use crate::{Result, Store, StoreError};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
}

/// A small blob's bytes, handed back by [`BlobStore::stage`] for the caller to commit with
/// the rows that refer to it (`MessageExtra::blob_contents`).
#[derive(Clone, PartialEq, Eq)]
pub struct StagedBlob {
    pub sha256: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for StagedBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedBlob")
            .field("sha256", &self.sha256)
            .field("size", &self.bytes.len())
            .finish()
    }
}

/// The bytes of blobs small enough to live in the database.
#[async_trait]
pub trait BlobContentStore: Send + Sync {
    /// Stores the bytes under their SHA-256 (the caller's hash); storing the same address
    /// again keeps the first copy. Committed before it returns, like every write.
    async fn put_blob_content(&self, sha256: &str, bytes: &[u8]) -> Result<()>;
    async fn blob_content(&self, sha256: &str) -> Result<Option<Vec<u8>>>;
}

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores the bytes (or finds them already stored) and returns their address.
    async fn put(&self, bytes: &[u8]) -> std::io::Result<StoredBlob>;
    /// Like [`BlobStore::put`], except that a blob the database would hold is not written
    /// yet but handed back, for the caller to write in the transaction that refers to it:
    /// one commit instead of two, and never a blob without its row. The caller that ends
    /// up writing no row must write the staged bytes itself (`BlobContentStore::put_blob_content`).
    async fn stage(&self, bytes: &[u8]) -> std::io::Result<(StoredBlob, Option<StagedBlob>)> {
        Ok((self.put(bytes).await?, None))
    }
    async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>>;
    /// Copies every blob into `dest`, for backups.
    async fn copy_all_to(&self, dest: &Path) -> std::io::Result<u64>;
}

/// Blobs as files under `root/ab/abcdef…`. A file is written under a temporary name,
/// synced and renamed, so a crash never leaves a half-written blob under a real address.
///
/// One directory level, at most 256 directories: creating a directory is the dearest thing
/// a file system does here (ext4 searches its block groups for room), and the older
/// two-level layout (`root/ab/cd/abcdef…`) made up to two per new blob. Blobs written in that
/// layout are still found.
#[derive(Debug, Clone)]
pub struct DiskBlobStore {
    root: PathBuf,
}

impl DiskBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    fn path_of(&self, sha256: &str) -> std::io::Result<PathBuf> {
        check_address(sha256)?;
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Where versions before the one-level layout put the blob.
    fn two_level_path_of(&self, sha256: &str) -> std::io::Result<PathBuf> {
        check_address(sha256)?;
        Ok(self
            .root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Addresses come from URLs and database rows; anything but lowercase hex is refused before
/// it reaches a file path or a query.
fn check_address(sha256: &str) -> std::io::Result<()> {
    let valid = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    if valid {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{sha256:?} is not a SHA-256 address"),
        ))
    }
}

#[async_trait]
impl BlobStore for DiskBlobStore {
    async fn put(&self, bytes: &[u8]) -> std::io::Result<StoredBlob> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256)?;
        let size = bytes.len() as u64;
        let bytes = bytes.to_vec();
        // One trip to the blocking pool for the whole write, the existence check included.
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if std::fs::metadata(&path).is_ok_and(|m| m.len() == size) {
                return Ok(());
            }
            let dir = path
                .parent()
                .ok_or_else(|| std::io::Error::other("blob path has no parent"))?;
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            tmp.write_all(&bytes)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(StoredBlob { sha256, size })
    }

    async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        match tokio::fs::read(self.path_of(sha256)?).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tokio::fs::read(self.two_level_path_of(sha256)?).await
            }
            read => read,
        }
    }

    async fn copy_all_to(&self, dest: &Path) -> std::io::Result<u64> {
        let root = self.root.clone();
        let dest = dest.to_path_buf();
        tokio::task::spawn_blocking(move || copy_tree(&root, &dest))
            .await
            .map_err(std::io::Error::other)?
    }
}

/// Blobs up to this size live in the database by default: the text of almost every
/// e-mail original, signatures' logos, small attachments.
///
/// Larger ones are better as files. An inline blob costs the single SQLite writer its size
/// twice over, 4 KiB page by page (into the WAL, then checkpointed into the database),
/// while file blobs are written by many threads at once; past a few tens of KiB that serial
/// work outweighs the fsync it saves. In the `mail` bench (a fifth of the e-mails carrying a
/// 100 KB image) with two intake tasks, a 1 MiB limit, which takes the images and their
/// originals in too, was about a fifth slower than this one, and no faster with one task.
pub const DEFAULT_INLINE_LIMIT: usize = 64 * 1024;

/// Small blobs in the database, large ones on disk.
///
/// Durability: an inline blob is written through the store, into the same write-ahead log as
/// the rows that refer to it, and committed before them, so it is exactly as durable as
/// they are and costs no fsync of its own. With SQLite's `synchronous=NORMAL` a commit does
/// not wait for the disk: a killed process loses nothing; a power cut may lose the last
/// commits, but recovery keeps a prefix of the log, so a blob is lost only together with
/// every row written after it, and a row never points at a missing blob. File blobs are
/// weaker there: their rename is not synced, so a power cut could in principle drop a file
/// under a committed row. On PostgreSQL each commit is durable when it returns. Blobs over
/// the limit stay files and keep their fsync.
///
/// `get` looks in the database first and then on disk, so blobs written as files by earlier
/// versions, whatever their size, stay readable. Backups: inline blobs travel inside the
/// database copy (`VACUUM INTO` on SQLite, `pg_dump` on PostgreSQL); `copy_all_to` copies
/// the files.
pub struct TieredBlobStore {
    store: Arc<dyn Store>,
    disk: DiskBlobStore,
    inline_limit: usize,
}

impl TieredBlobStore {
    pub fn new(store: Arc<dyn Store>, disk: DiskBlobStore) -> Self {
        Self {
            store,
            disk,
            inline_limit: DEFAULT_INLINE_LIMIT,
        }
    }

    /// Blobs of at most `limit` bytes go to the database, larger ones to disk.
    pub fn with_inline_limit(mut self, limit: usize) -> Self {
        self.inline_limit = limit;
        self
    }

    pub fn inline_limit(&self) -> usize {
        self.inline_limit
    }
}

impl std::fmt::Debug for TieredBlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TieredBlobStore")
            .field("backend", &self.store.backend())
            .field("disk", &self.disk)
            .field("inline_limit", &self.inline_limit)
            .finish()
    }
}

fn io_error(e: StoreError) -> std::io::Error {
    match e {
        StoreError::Io(e) => e,
        other => std::io::Error::other(other),
    }
}

#[async_trait]
impl BlobStore for TieredBlobStore {
    async fn put(&self, bytes: &[u8]) -> std::io::Result<StoredBlob> {
        if bytes.len() > self.inline_limit {
            return self.disk.put(bytes).await;
        }
        let sha256 = sha256_hex(bytes);
        self.store
            .put_blob_content(&sha256, bytes)
            .await
            .map_err(io_error)?;
        Ok(StoredBlob {
            sha256,
            size: bytes.len() as u64,
        })
    }

    async fn stage(&self, bytes: &[u8]) -> std::io::Result<(StoredBlob, Option<StagedBlob>)> {
        if bytes.len() > self.inline_limit {
            return Ok((self.disk.put(bytes).await?, None));
        }
        let sha256 = sha256_hex(bytes);
        let stored = StoredBlob {
            sha256: sha256.clone(),
            size: bytes.len() as u64,
        };
        let staged = StagedBlob {
            sha256,
            bytes: bytes.to_vec(),
        };
        Ok((stored, Some(staged)))
    }

    async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        check_address(sha256)?;
        match self.store.blob_content(sha256).await.map_err(io_error)? {
            Some(bytes) => Ok(bytes),
            None => self.disk.get(sha256).await,
        }
    }

    async fn copy_all_to(&self, dest: &Path) -> std::io::Result<u64> {
        self.disk.copy_all_to(dest).await
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    std::fs::create_dir_all(to)?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copied += copy_tree(&entry.path(), &target)?;
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            std::fs::copy(entry.path(), &target)?;
            copied += 1;
        }
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_bytes_are_stored_once_and_read_back() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let blobs = DiskBlobStore::new(dir.path().join("blobs"))?;
        let a = blobs.put(b"captura de pantalla").await?;
        let b = blobs.put(b"captura de pantalla").await?;
        assert_eq!(a, b);
        assert_eq!(a.size, 19);
        assert_eq!(blobs.get(&a.sha256).await?, b"captura de pantalla");
        let files = copy_tree(&dir.path().join("blobs"), &dir.path().join("copy"))?;
        assert_eq!(files, 1);
        Ok(())
    }

    #[tokio::test]
    async fn database_failures_reach_callers_as_io_errors() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        // Not migrated: no blob_contents table, so every database call fails.
        let store = crate::sqlite::SqliteStore::open(&dir.path().join("soporte.db")).await?;
        let blobs = TieredBlobStore::new(
            Arc::new(store),
            DiskBlobStore::new(dir.path().join("blobs"))?,
        );
        let put = blobs.put(b"factura.pdf").await;
        assert!(
            put.as_ref()
                .is_err_and(|e| e.to_string().contains("blob_contents")),
            "{put:?}"
        );
        assert!(blobs.get(&sha256_hex(b"factura.pdf")).await.is_err());
        // Large blobs never touch the database.
        let big = vec![7u8; DEFAULT_INLINE_LIMIT + 1];
        let stored = blobs.put(&big).await?;
        assert_eq!(blobs.disk.get(&stored.sha256).await?, big);
        Ok(())
    }

    #[tokio::test]
    async fn blobs_of_the_two_level_layout_are_still_read() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let blobs = DiskBlobStore::new(dir.path())?;
        let sha = sha256_hex(b"captura antigua");
        let old = blobs.two_level_path_of(&sha)?;
        std::fs::create_dir_all(old.parent().ok_or_else(|| std::io::Error::other("root"))?)?;
        std::fs::write(&old, b"captura antigua")?;
        assert_eq!(blobs.get(&sha).await?, b"captura antigua");
        // New blobs go one level deep.
        let stored = blobs.put(b"captura nueva").await?;
        let entries = std::fs::read_dir(dir.path().join(&stored.sha256[..2]))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<Vec<_>>>()?;
        assert_eq!(entries, vec![std::ffi::OsString::from(&stored.sha256)]);
        Ok(())
    }

    #[tokio::test]
    async fn addresses_that_are_not_hashes_are_refused() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let blobs = DiskBlobStore::new(dir.path())?;
        let err = blobs.get("../../etc/passwd").await.err().map(|e| e.kind());
        assert_eq!(err, Some(std::io::ErrorKind::InvalidInput));
        Ok(())
    }
}
