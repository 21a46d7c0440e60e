//! The portal's one-time links, contacts' passwords and ratings.

use crate::*;
use jiff::{SignedDuration, Timestamp};

soporte_store::on_both_databases!(
    store_of;
    a_sign_in_link_opens_one_session_once,
    expired_links_open_nothing_and_are_forgotten,
    a_link_and_its_email_are_kept_together,
    a_new_password_ends_the_other_portal_sessions,
    a_request_is_rated_once_and_its_link_spent_with_it,
);

fn link(hash: &str, contact: ContactId, at: Timestamp, lifetime: SignedDuration) -> NewPortalLink {
    NewPortalLink {
        token_hash: hash.into(),
        purpose: PortalLinkPurpose::SignIn,
        contact,
        ticket: None,
        created_at: at,
        expires_at: at + lifetime,
    }
}

fn session(hash: &str) -> PortalSession {
    PortalSession {
        token_hash: hash.into(),
        label: "portal session".into(),
    }
}

async fn a_sign_in_link_opens_one_session_once(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let now = Timestamp::now();
    let lifetime = SignedDuration::from_mins(15);
    store
        .create_portal_link(&link(&"a1".repeat(32), luis.id, now, lifetime), None, now)
        .await?;
    // Two clicks at once: one session, not two.
    let (link_hash, one, two) = (
        "a1".repeat(32),
        session(&"b1".repeat(32)),
        session(&"b2".repeat(32)),
    );
    let (first, second) = tokio::join!(
        store.sign_in_with_portal_link(&link_hash, now, &one),
        store.sign_in_with_portal_link(&link_hash, now, &two),
    );
    let opened: Vec<_> = [first?, second?].into_iter().flatten().collect();
    assert_eq!(opened.len(), 1, "a link opens one session");
    let (spent, token) = &opened[0];
    assert_eq!(spent.contact, luis.id);
    assert_eq!(token.owner, TokenOwner::Contact(luis.id));
    assert_eq!(token.scope, TokenScope::Contact);
    assert_eq!(token.label, "portal session");
    let mut kept = Vec::new();
    for hash in ["b1".repeat(32), "b2".repeat(32)] {
        kept.extend(store.token_by_hash(&hash).await?.map(|t| t.id));
    }
    assert_eq!(kept, vec![token.id], "only the winner's session exists");
    let used = store.portal_link(&"a1".repeat(32)).await?;
    assert!(
        used.and_then(|l| l.used_at).is_some(),
        "the link shows as used"
    );
    assert_eq!(store.portal_link(&"ff".repeat(32)).await?, None);
    Ok(())
}

async fn expired_links_open_nothing_and_are_forgotten(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let now = Timestamp::now();
    let old = now - SignedDuration::from_hours(48);
    store
        .create_portal_link(
            &link(
                &"c1".repeat(32),
                luis.id,
                old,
                SignedDuration::from_mins(15),
            ),
            None,
            old,
        )
        .await?;
    let opened = store
        .sign_in_with_portal_link(&"c1".repeat(32), now, &session(&"d1".repeat(32)))
        .await?;
    assert_eq!(opened, None, "an expired link opens nothing");
    assert_eq!(store.token_by_hash(&"d1".repeat(32)).await?, None);
    assert!(
        store.portal_link(&"c1".repeat(32)).await?.is_some(),
        "kept until forgotten, so the portal can say it expired"
    );
    store
        .create_portal_link(
            &link(
                &"c2".repeat(32),
                luis.id,
                now,
                SignedDuration::from_mins(15),
            ),
            None,
            now - SignedDuration::from_hours(24),
        )
        .await?;
    assert_eq!(store.portal_link(&"c1".repeat(32)).await?, None);
    Ok(())
}

async fn a_link_and_its_email_are_kept_together(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let now = Timestamp::now();
    let email = NewOutbox {
        kind: "portal_sign_in".into(),
        recipient: "luis@tienda.es".into(),
        email: soporte_core::email::OutgoingEmail {
            from: "Soporte <soporte@vendomia.com>".into(),
            to: vec!["luis@tienda.es".into()],
            cc: vec![],
            subject: "Su enlace".into(),
            message_id: "<link-1@vendomia.com>".into(),
            in_reply_to: None,
            references: vec![],
            text: "https://soporte.vendomia.com/portal/link?token=x".into(),
            html: None,
            automatic: true,
            attachments: vec![],
            date_micros: now.as_microsecond(),
        },
        delivers_message: false,
    };
    store
        .create_portal_link(
            &link(
                &"e1".repeat(32),
                luis.id,
                now,
                SignedDuration::from_mins(15),
            ),
            Some(&email),
            now,
        )
        .await?;
    let queued = store
        .claim_outbox(10, now + SignedDuration::from_mins(1))
        .await?;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].recipient, "luis@tienda.es");
    // A link for someone unknown is refused, and its e-mail is not queued.
    let refused = store
        .create_portal_link(
            &link(
                &"e2".repeat(32),
                ContactId(999_999),
                now,
                SignedDuration::from_mins(15),
            ),
            Some(&email),
            now,
        )
        .await;
    assert!(refused.is_err());
    assert_eq!(store.portal_link(&"e2".repeat(32)).await?, None);
    assert!(
        store
            .claim_outbox(10, now + SignedDuration::from_hours(1))
            .await?
            .is_empty()
    );
    Ok(())
}

async fn a_new_password_ends_the_other_portal_sessions(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let now = Timestamp::now();
    let mut sessions = Vec::new();
    for (i, hash) in ["f1", "f2"].iter().enumerate() {
        let token_hash = hash.repeat(32);
        store
            .create_portal_link(
                &link(
                    &format!("{i}").repeat(64),
                    luis.id,
                    now,
                    SignedDuration::from_mins(15),
                ),
                None,
                now,
            )
            .await?;
        let opened = store
            .sign_in_with_portal_link(&format!("{i}").repeat(64), now, &session(&token_hash))
            .await?;
        sessions.push(opened.map(|(_, t)| t).ok_or("no session")?);
    }
    let api = store
        .create_token(&NewToken {
            token_hash: "f3".repeat(32),
            scope: TokenScope::Contact,
            owner: TokenOwner::Contact(luis.id),
            label: "shop integration".into(),
        })
        .await?;
    assert_eq!(store.contact_password_hash(luis.id).await?, None);
    store
        .set_contact_password(
            luis.id,
            "$argon2id$one",
            "portal session",
            Some(sessions[0].id),
            now,
        )
        .await?;
    store
        .set_contact_password(
            luis.id,
            "$argon2id$two",
            "portal session",
            Some(sessions[0].id),
            now,
        )
        .await?;
    assert_eq!(
        store.contact_password_hash(luis.id).await?.as_deref(),
        Some("$argon2id$two")
    );
    let revoked = |hash: String| {
        let store = store.clone();
        async move {
            Ok::<_, StoreError>(
                store
                    .token_by_hash(&hash)
                    .await?
                    .and_then(|t| t.revoked_at)
                    .is_some(),
            )
        }
    };
    assert!(
        !revoked("f1".repeat(32)).await?,
        "the session that changed it stays"
    );
    assert!(
        revoked("f2".repeat(32)).await?,
        "the other portal session ends"
    );
    assert!(
        !revoked("f3".repeat(32)).await?,
        "API tokens are no sessions"
    );
    let _ = api;
    Ok(())
}

async fn a_request_is_rated_once_and_its_link_spent_with_it(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let ticket = store
        .create_ticket(&ticket("No puedo publicar", Requester::Existing(luis.id)))
        .await?;
    let now = Timestamp::now();
    let mut rate_link = link(
        &"aa".repeat(32),
        luis.id,
        now,
        SignedDuration::from_hours(30 * 24),
    );
    rate_link.purpose = PortalLinkPurpose::Satisfaction;
    rate_link.ticket = Some(ticket.id);
    store.create_portal_link(&rate_link, None, now).await?;
    let rating = NewSatisfaction {
        ticket: ticket.id,
        contact: luis.id,
        rating: 4,
        comment: "Rápido y claro".into(),
        at: now,
    };
    assert!(
        !store.rate_ticket(&rating, Some(&"bb".repeat(32))).await?,
        "an unknown link rates nothing"
    );
    assert_eq!(store.ticket_satisfaction(ticket.id).await?, None);
    assert!(store.rate_ticket(&rating, Some(&"aa".repeat(32))).await?);
    let again = NewSatisfaction {
        rating: 1,
        ..rating.clone()
    };
    assert!(!store.rate_ticket(&again, None).await?, "asked once");
    let kept = store
        .ticket_satisfaction(ticket.id)
        .await?
        .ok_or("no rating")?;
    assert_eq!((kept.rating, kept.comment.as_str()), (4, "Rápido y claro"));
    assert!(
        store
            .portal_link(&"aa".repeat(32))
            .await?
            .and_then(|l| l.used_at)
            .is_some()
    );
    Ok(())
}
