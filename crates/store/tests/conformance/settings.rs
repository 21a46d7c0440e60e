//! Console settings.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    settings_sections_are_replaced_and_dropped_whole,
);

async fn settings_sections_are_replaced_and_dropped_whole(store: &Arc<dyn Store>) -> TestResult {
    let admin = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    assert!(store.settings().await?.is_empty());
    store
        .save_setting("sla", r#"{"first":"8h"}"#, Some(admin.id))
        .await?;
    store.save_setting("calendar", "{}", None).await?;
    store
        .save_setting("sla", r#"{"first":"4h"}"#, Some(admin.id))
        .await?;
    let saved = store.settings().await?;
    let names: Vec<_> = saved.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["calendar", "sla"], "one row per section, by name");
    assert_eq!(saved[1].value, r#"{"first":"4h"}"#, "the last save wins");
    assert_eq!(saved[1].updated_by, Some(admin.id));
    assert_eq!(saved[0].updated_by, None);
    assert!(store.delete_setting("sla").await?);
    assert!(!store.delete_setting("sla").await?, "already gone");
    let names: Vec<_> = store
        .settings()
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["calendar"]);
    Ok(())
}
