//! Migrations.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    migrations_apply_once,
);

async fn migrations_apply_once(store: &Arc<dyn Store>) -> TestResult {
    assert!(
        store.migrate().await?.is_empty(),
        "second run must apply nothing"
    );
    Ok(())
}
