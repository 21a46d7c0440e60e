//! Tokens and sessions.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    tokens_are_found_by_hash_and_revoked,
);

async fn tokens_are_found_by_hash_and_revoked(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    let token = store
        .create_token(&NewToken {
            token_hash: "ab".repeat(32),
            scope: TokenScope::Admin,
            owner: TokenOwner::Agent(ana.id),
            label: "cli".into(),
        })
        .await?;
    let found = store.token_by_hash(&"ab".repeat(32)).await?;
    assert_eq!(
        found.as_ref().map(|t| t.owner),
        Some(TokenOwner::Agent(ana.id))
    );
    assert_eq!(store.token_by_hash(&"cd".repeat(32)).await?, None);
    store.touch_token(token.id).await?;
    assert!(store.revoke_token(token.id).await?);
    assert!(
        !store.revoke_token(token.id).await?,
        "revoking twice reports nothing to do"
    );
    assert!(
        store
            .token_by_hash(&"ab".repeat(32))
            .await?
            .and_then(|t| t.revoked_at)
            .is_some()
    );
    assert_eq!(store.list_tokens().await?.len(), 1);
    Ok(())
}
