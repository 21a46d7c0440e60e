//! Attachment bytes, stored once per distinct content under their SHA-256.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
}

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores the bytes (or finds them already stored) and returns their address.
    async fn put(&self, bytes: &[u8]) -> std::io::Result<StoredBlob>;
    async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>>;
    /// Copies every blob into `dest`, for backups.
    async fn copy_all_to(&self, dest: &Path) -> std::io::Result<u64>;
}

/// Blobs as files under `root/ab/cd/abcdef…`. A file is written under a temporary name,
/// synced and renamed, so a crash never leaves a half-written blob under a real address.
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
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if !valid {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{sha256:?} is not a SHA-256 address"),
            ));
        }
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

#[async_trait]
impl BlobStore for DiskBlobStore {
    async fn put(&self, bytes: &[u8]) -> std::io::Result<StoredBlob> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256)?;
        let size = bytes.len() as u64;
        if tokio::fs::metadata(&path)
            .await
            .is_ok_and(|m| m.len() == size)
        {
            return Ok(StoredBlob { sha256, size });
        }
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
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
        tokio::fs::read(self.path_of(sha256)?).await
    }

    async fn copy_all_to(&self, dest: &Path) -> std::io::Result<u64> {
        let root = self.root.clone();
        let dest = dest.to_path_buf();
        tokio::task::spawn_blocking(move || copy_tree(&root, &dest))
            .await
            .map_err(std::io::Error::other)?
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
    async fn addresses_that_are_not_hashes_are_refused() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let blobs = DiskBlobStore::new(dir.path())?;
        let err = blobs.get("../../etc/passwd").await.err().map(|e| e.kind());
        assert_eq!(err, Some(std::io::ErrorKind::InvalidInput));
        Ok(())
    }
}
