//! Tokens, sessions, login attempts, two-step sign-in and the logins waiting for it.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    tokens_are_found_by_hash_and_revoked,
    login_attempts_made_at_once_are_counted_one_by_one,
    two_factor_is_confirmed_once_and_its_codes_are_taken_once,
    a_code_sent_many_times_at_once_is_taken_once,
    login_challenges_expire_and_end_once,
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

async fn two_factor_is_confirmed_once_and_its_codes_are_taken_once(
    store: &Arc<dyn Store>,
) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    let at = jiff::Timestamp::now();
    assert_eq!(store.two_factor(ana.id).await?, None);
    assert!(store.begin_two_factor(ana.id, "v1:first", at).await?);
    assert!(
        store.begin_two_factor(ana.id, "v1:second", at).await?,
        "an unconfirmed secret is replaced"
    );
    let pending = store.two_factor(ana.id).await?.ok_or("no secret")?;
    assert_eq!(pending.sealed_secret, "v1:second");
    assert_eq!(pending.confirmed_at, None);
    assert!(
        !store.use_two_factor_step(ana.id, 100).await?,
        "an unconfirmed secret takes no code"
    );
    assert_eq!(store.two_factor_agents().await?, Vec::<AgentId>::new());

    let hashes = vec!["aa".repeat(32), "bb".repeat(32)];
    assert!(store.confirm_two_factor(ana.id, 100, &hashes, at).await?);
    assert!(!store.confirm_two_factor(ana.id, 101, &hashes, at).await?);
    assert!(
        !store.begin_two_factor(ana.id, "v1:third", at).await?,
        "a confirmed secret stays until removed"
    );
    let confirmed = store.two_factor(ana.id).await?.ok_or("no secret")?;
    assert_eq!(confirmed.sealed_secret, "v1:second");
    assert!(confirmed.confirmed_at.is_some());
    assert_eq!(confirmed.last_step, Some(100));
    assert_eq!(store.two_factor_agents().await?, vec![ana.id]);

    // A step is taken once, and never one older than the last taken.
    assert!(!store.use_two_factor_step(ana.id, 100).await?);
    assert!(store.use_two_factor_step(ana.id, 101).await?);
    assert!(!store.use_two_factor_step(ana.id, 101).await?);
    assert!(!store.use_two_factor_step(ana.id, 99).await?);
    assert!(store.use_two_factor_step(ana.id, 103).await?);

    assert_eq!(store.recovery_codes_left(ana.id).await?, 2);
    assert!(
        store
            .use_recovery_code(ana.id, &"aa".repeat(32), at)
            .await?
    );
    assert!(
        !store
            .use_recovery_code(ana.id, &"aa".repeat(32), at)
            .await?
    );
    assert!(
        !store
            .use_recovery_code(ana.id, &"cc".repeat(32), at)
            .await?
    );
    let bruno = store
        .create_agent(&agent("bruno@vendomia.com", Role::Agent))
        .await?;
    assert!(
        !store
            .use_recovery_code(bruno.id, &"bb".repeat(32), at)
            .await?,
        "another agent's code"
    );
    assert_eq!(store.recovery_codes_left(ana.id).await?, 1);

    assert!(store.remove_two_factor(ana.id).await?);
    assert!(!store.remove_two_factor(ana.id).await?);
    assert_eq!(store.two_factor(ana.id).await?, None);
    assert_eq!(store.recovery_codes_left(ana.id).await?, 0);
    assert!(store.begin_two_factor(ana.id, "v1:new", at).await?);
    Ok(())
}

async fn a_code_sent_many_times_at_once_is_taken_once(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    let at = jiff::Timestamp::now();
    store.begin_two_factor(ana.id, "v1:secret", at).await?;
    store.confirm_two_factor(ana.id, 10, &[], at).await?;
    let tries = (0..12).map(|_| store.use_two_factor_step(ana.id, 11));
    let taken = futures_util::future::join_all(tries)
        .await
        .into_iter()
        .collect::<Result<Vec<bool>, _>>()?;
    assert_eq!(taken.iter().filter(|t| **t).count(), 1, "{taken:?}");
    Ok(())
}

async fn login_challenges_expire_and_end_once(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    let now = jiff::Timestamp::now();
    let five = jiff::SignedDuration::from_mins(5);
    store
        .create_login_challenge(&"ab".repeat(32), ana.id, now, now + five)
        .await?;
    assert_eq!(
        store.login_challenge(&"ab".repeat(32), now).await?,
        Some(ana.id)
    );
    assert_eq!(store.login_challenge(&"cd".repeat(32), now).await?, None);
    assert_eq!(
        store.login_challenge(&"ab".repeat(32), now + five).await?,
        None,
        "expired"
    );
    assert!(store.end_login_challenge(&"ab".repeat(32)).await?);
    assert!(!store.end_login_challenge(&"ab".repeat(32)).await?);
    assert_eq!(store.login_challenge(&"ab".repeat(32), now).await?, None);

    // Expired ones are forgotten when a new one is kept.
    store
        .create_login_challenge(&"ef".repeat(32), ana.id, now, now + five)
        .await?;
    store
        .create_login_challenge(&"12".repeat(32), ana.id, now + five, now + five + five)
        .await?;
    assert!(
        !store.end_login_challenge(&"ef".repeat(32)).await?,
        "forgotten"
    );
    Ok(())
}
