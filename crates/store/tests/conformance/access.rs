//! Tokens, sessions and login attempts.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    tokens_are_found_by_hash_and_revoked,
    login_attempts_made_at_once_are_counted_one_by_one,
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

async fn login_attempts_made_at_once_are_counted_one_by_one(store: &Arc<dyn Store>) -> TestResult {
    let now = jiff::Timestamp::now();
    let window = now - jiff::SignedDuration::from_mins(15);
    let keys = vec![
        ("email:bruno@vendomia.com".to_string(), 5),
        ("ip:192.0.2.7".to_string(), 20),
    ];
    let attempts = (0..24).map(|_| store.reserve_login_attempt(&keys, now, window, window));
    let mut counted = Vec::new();
    for reserved in futures_util::future::join_all(attempts).await {
        counted.extend(reserved?);
    }
    assert_eq!(
        counted.len(),
        5,
        "the account's limit holds under parallel attempts"
    );
    // A right password takes its attempt back; the limit then lets one more through.
    store.release_login_attempts(&counted[0]).await?;
    assert!(
        store
            .reserve_login_attempt(&keys, now, window, window)
            .await?
            .is_some()
    );
    assert!(
        store
            .reserve_login_attempt(&keys, now, window, window)
            .await?
            .is_none()
    );
    // Another account from the same address is counted apart, up to the address's limit.
    let other = vec![
        ("email:ana@vendomia.com".to_string(), 5),
        ("ip:192.0.2.7".to_string(), 20),
    ];
    assert!(
        store
            .reserve_login_attempt(&other, now, window, window)
            .await?
            .is_some()
    );
    // Attempts older than the window no longer count.
    let later = now + jiff::SignedDuration::from_mins(16);
    let window = later - jiff::SignedDuration::from_mins(15);
    assert!(
        store
            .reserve_login_attempt(&keys, later, window, window)
            .await?
            .is_some()
    );
    Ok(())
}
