//! What the served scenarios share: a fresh SQLite database with its blob store in a
//! temporary directory, the company's settings, and form bodies as browsers and phone
//! systems send them.

use anyhow::Result;
use soporte_app::AppSettings;
use soporte_core::ticket::TicketPrefix;
use soporte_store::{DiskBlobStore, Store, TieredBlobStore};
use std::path::Path;
use std::sync::Arc;

/// A migrated SQLite database under `dir`, and its blob store.
pub async fn fresh_sqlite(dir: &Path) -> Result<(Arc<dyn Store>, Arc<TieredBlobStore>)> {
    let store =
        soporte_store::open(&format!("sqlite://{}", dir.join("soporte.db").display())).await?;
    store.migrate().await?;
    let blobs = Arc::new(TieredBlobStore::new(
        Arc::clone(&store),
        DiskBlobStore::new(dir.join("blobs"))?,
    ));
    Ok((store, blobs))
}

/// The benchmarks' company.
pub fn vendomia() -> Result<AppSettings> {
    Ok(AppSettings::new(
        TicketPrefix::parse("VND")?,
        "Vendomia",
        "soporte@vendomia.com",
    ))
}

/// One value of an `application/x-www-form-urlencoded` body.
pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A whole form body from its fields.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
