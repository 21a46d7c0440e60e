//! Blob contents in the database, blob files on disk, and backups that carry both.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    small_blobs_live_in_the_database,
    storing_the_same_blob_again_keeps_one_copy,
    big_blobs_go_to_disk_and_come_back,
    blobs_written_as_files_stay_readable,
    blob_addresses_are_checked,
    backups_carry_the_blobs_inside,
);

/// A tiered blob store over the test database, with its files in a fresh directory.
fn tiered(
    store: &Arc<dyn Store>,
) -> Result<(TieredBlobStore, tempfile::TempDir), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let disk = DiskBlobStore::new(dir.path().join("blobs"))?;
    Ok((TieredBlobStore::new(Arc::clone(store), disk), dir))
}

/// Bytes that differ per `seed`, so tests do not share addresses by accident.
fn blob_bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn small_blobs_live_in_the_database(store: &Arc<dyn Store>) -> TestResult {
    let (blobs, dir) = tiered(store)?;
    // A typical e-mail original: must not cost a file (and its fsync).
    let original = blob_bytes(1, 20 * 1024);
    let stored = blobs.put(&original).await?;
    assert_eq!(stored.size, original.len() as u64);
    let as_file = DiskBlobStore::new(dir.path().join("files"))?
        .put(&original)
        .await?;
    assert_eq!(stored, as_file, "the address does not depend on the tier");
    assert!(blobs.get(&stored.sha256).await? == original);
    assert!(
        store.blob_content(&stored.sha256).await?.as_deref() == Some(original.as_slice()),
        "kept in the database"
    );
    let empty = blobs.put(b"").await?;
    assert_eq!(blobs.get(&empty.sha256).await?, b"");
    // Values spanning many database pages, where the limit is raised.
    let (roomy, _roomy_dir) = tiered(store)?;
    let roomy = roomy.with_inline_limit(1024 * 1024);
    let screenshot = blob_bytes(8, 150 * 1024);
    let big = roomy.put(&screenshot).await?;
    assert!(
        store.blob_content(&big.sha256).await?.as_deref() == Some(screenshot.as_slice()),
        "kept in the database"
    );
    assert!(blobs.get(&big.sha256).await? == screenshot);
    assert_eq!(
        blobs.copy_all_to(&dir.path().join("copy")).await?,
        0,
        "no file written for inline blobs"
    );
    Ok(())
}

async fn storing_the_same_blob_again_keeps_one_copy(store: &Arc<dyn Store>) -> TestResult {
    let (blobs, _dir) = tiered(store)?;
    let bytes = blob_bytes(2, 4096);
    let first = blobs.put(&bytes).await?;
    let second = blobs.put(&bytes).await?;
    assert_eq!(first, second);
    assert_eq!(blobs.get(&first.sha256).await?, bytes);
    // The address is the content's hash, so a second write under it is never different
    // content; the store keeps the first rather than failing.
    store.put_blob_content(&first.sha256, b"other").await?;
    assert_eq!(
        store.blob_content(&first.sha256).await?.as_deref(),
        Some(bytes.as_slice())
    );
    // Intake of the same attachment from two e-mails at once.
    let same = blob_bytes(3, 8192);
    let (a, b) = tokio::join!(blobs.put(&same), blobs.put(&same));
    assert_eq!(a?, b?);
    Ok(())
}

async fn big_blobs_go_to_disk_and_come_back(store: &Arc<dyn Store>) -> TestResult {
    let (blobs, dir) = tiered(store)?;
    let blobs = blobs.with_inline_limit(1024);
    let at_limit = blobs.put(&blob_bytes(4, 1024)).await?;
    assert!(store.blob_content(&at_limit.sha256).await?.is_some());
    let big = blob_bytes(5, 1025);
    let stored = blobs.put(&big).await?;
    assert_eq!(stored.size, 1025);
    assert_eq!(store.blob_content(&stored.sha256).await?, None);
    assert_eq!(blobs.get(&stored.sha256).await?, big);
    assert_eq!(
        blobs.put(&big).await?,
        stored,
        "the same address in either tier"
    );
    assert_eq!(
        blobs.copy_all_to(&dir.path().join("copy")).await?,
        1,
        "the backup copies the one file"
    );
    Ok(())
}

async fn blobs_written_as_files_stay_readable(store: &Arc<dyn Store>) -> TestResult {
    let dir = tempfile::tempdir()?;
    // What an earlier version wrote: every blob a file, however small.
    let old = DiskBlobStore::new(dir.path().join("blobs"))?;
    let bytes = blob_bytes(6, 300);
    let stored = old.put(&bytes).await?;
    let blobs = TieredBlobStore::new(
        Arc::clone(store),
        DiskBlobStore::new(dir.path().join("blobs"))?,
    );
    assert_eq!(store.blob_content(&stored.sha256).await?, None);
    assert_eq!(blobs.get(&stored.sha256).await?, bytes);
    // Stored again (the same attachment arriving anew), it is found either way.
    assert_eq!(blobs.put(&bytes).await?, stored);
    assert_eq!(blobs.get(&stored.sha256).await?, bytes);
    Ok(())
}

async fn blob_addresses_are_checked(store: &Arc<dyn Store>) -> TestResult {
    let (blobs, _dir) = tiered(store)?;
    let kind = |r: std::io::Result<Vec<u8>>| r.err().map(|e| e.kind());
    assert_eq!(
        kind(blobs.get("../../etc/passwd").await),
        Some(std::io::ErrorKind::InvalidInput)
    );
    assert_eq!(
        kind(blobs.get(&"AB".repeat(32)).await),
        Some(std::io::ErrorKind::InvalidInput)
    );
    assert_eq!(
        kind(blobs.get(&"ab".repeat(32)).await),
        Some(std::io::ErrorKind::NotFound)
    );
    Ok(())
}

async fn backups_carry_the_blobs_inside(store: &Arc<dyn Store>) -> TestResult {
    if store.backend() != Backend::Sqlite {
        return Ok(()); // pg_dump copies every table; nothing of ours to check
    }
    let (blobs, dir) = tiered(store)?;
    let bytes = blob_bytes(7, 20 * 1024);
    let stored = blobs.put(&bytes).await?;
    let copy = dir.path().join("backup.db");
    store.backup_to(&copy).await?;
    let restored = soporte_store::sqlite::SqliteStore::open(&copy).await?;
    assert!(restored.migrate().await?.is_empty());
    assert!(
        restored.blob_content(&stored.sha256).await?.as_deref() == Some(bytes.as_slice()),
        "the blob is in the backup"
    );
    Ok(())
}
