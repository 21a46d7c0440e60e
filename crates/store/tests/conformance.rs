//! The store conformance suite: every check runs unchanged on SQLite and on PostgreSQL.
//!
//! PostgreSQL comes from `TEST_SOPORTE_POSTGRES_URL` (set by `scripts/test.sh`); each check
//! gets a schema of its own (see `soporte_store::testkit`).

use soporte_core::auth::TokenScope;
use soporte_core::directory::{Absence, Role};
use soporte_core::ids::*;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Actor, ChangeError, EventKind, MessageKind, Status, TicketPatch, TicketPrefix,
};
use soporte_store::*;
use std::collections::HashSet;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The fixture of a conformance check is the store itself.
async fn store_of(
    db: &soporte_store::testkit::TestDb,
) -> Result<Arc<dyn Store>, Box<dyn std::error::Error>> {
    Ok(db.store.clone())
}

soporte_store::on_both_databases!(
    store_of;
    migrations_apply_once,
    agents_are_unique_by_email_and_editable,
    accounts_own_their_domains,
    account_import_is_all_or_nothing,
    contacts_are_found_by_any_of_their_emails,
    tokens_are_found_by_hash_and_revoked,
    new_ticket_is_written_whole,
    failed_ticket_creation_leaves_nothing_behind,
    edits_are_recorded_and_invalid_transitions_refused,
    messages_move_status_and_keep_attachments,
    cursor_pages_cover_every_ticket_once,
    filters_narrow_the_listing,
    concurrent_creations_get_their_own_results,
    concurrent_messages_commit_together_and_fail_alone,
    small_blobs_live_in_the_database,
    storing_the_same_blob_again_keeps_one_copy,
    big_blobs_go_to_disk_and_come_back,
    blobs_written_as_files_stay_readable,
    blob_addresses_are_checked,
    backups_carry_the_blobs_inside,
    counts_follow_the_filters,
    search_finds_tickets_by_any_form_of_their_words,
    settings_sections_are_replaced_and_dropped_whole,
);

fn vnd() -> TicketPrefix {
    TicketPrefix::parse("VND").unwrap_or_else(|e| panic!("{e}"))
}

fn agent(email: &str, role: Role) -> NewAgent {
    NewAgent {
        email: email.into(),
        name: "Ana García".into(),
        phone: Some("+34600111222".into()),
        whatsapp: None,
        role,
        types: vec![SupportType::Usage],
        password_hash: None,
    }
}

fn account(name: &str, domains: &[&str]) -> NewAccount {
    NewAccount {
        name: name.into(),
        tax_id: None,
        plan: Some("Pro".into()),
        email_domains: domains.iter().map(|d| d.to_string()).collect(),
        personal_agent_id: None,
        backup_agent_id: None,
    }
}

fn new_contact(email: &str, account_id: Option<AccountId>) -> NewContact {
    NewContact {
        account_id,
        name: "Luis Pérez".into(),
        emails: vec![email.into()],
        phones: vec!["+34911234567".into()],
    }
}

fn ticket(subject: &str, requester: Requester) -> NewTicket {
    NewTicket {
        number_prefix: vnd(),
        subject: subject.into(),
        support_type: None,
        channel: Channel::Email,
        priority: Priority::Normal,
        assignee_id: None,
        assignment_reason: None,
        account_id: None,
        requester,
        product_area: None,
        tags: vec![],
        body_text: "En Sitios Web, al añadir un texto se añaden dos.".into(),
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        extra: MessageExtra::default(),
        created_by: None,
        policy: Default::default(),
    }
}

async fn migrations_apply_once(store: &Arc<dyn Store>) -> TestResult {
    assert!(
        store.migrate().await?.is_empty(),
        "second run must apply nothing"
    );
    Ok(())
}

async fn agents_are_unique_by_email_and_editable(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    assert_eq!(store.agent(ana.id).await?, Some(ana.clone()));
    assert_eq!(
        store
            .agent_by_email("ana@vendomia.com")
            .await?
            .map(|a| a.id),
        Some(ana.id)
    );
    match store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await
    {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "email"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let away = Absence {
        starts_at: "2026-08-01T00:00:00Z".parse()?,
        ends_at: "2026-08-15T00:00:00Z".parse()?,
    };
    let patch = AgentPatch {
        role: Some(Role::Agent),
        absences: Some(vec![away.clone()]),
        whatsapp: Some(Some("+34600999888".into())),
        password_hash: Some("$argon2id$fake".into()),
        ..AgentPatch::default()
    };
    let updated = store.update_agent(ana.id, &patch).await?;
    assert_eq!(updated.role, Role::Agent);
    assert_eq!(store.agent(ana.id).await?, Some(updated));
    assert_eq!(
        store.agent_password_hash(ana.id).await?.as_deref(),
        Some("$argon2id$fake")
    );
    assert_eq!(store.count_agents().await?, 1);
    assert!(matches!(
        store
            .update_agent(AgentId(999), &AgentPatch::default())
            .await,
        Err(StoreError::NotFound {
            entity: "agent",
            id: 999
        })
    ));
    Ok(())
}

async fn accounts_own_their_domains(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await?;
    let mut new = account("Tienda Ejemplo SL", &["tienda-ejemplo.es"]);
    new.personal_agent_id = Some(ana.id);
    new.tax_id = Some("B12345674".into());
    let shop = store.create_account(&new).await?;
    assert_eq!(store.account(shop.id).await?, Some(shop.clone()));
    assert_eq!(
        store
            .account_by_domain("tienda-ejemplo.es")
            .await?
            .map(|a| a.id),
        Some(shop.id)
    );

    let clash = store
        .create_account(&account("Otra", &["tienda-ejemplo.es"]))
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict { ref field, .. }) if field == "email_domains"),
        "{clash:?}"
    );
    let mut same_tax = account("Otra", &[]);
    same_tax.tax_id = Some("B12345674".into());
    assert!(
        matches!(store.create_account(&same_tax).await, Err(StoreError::Conflict { ref field, .. }) if field == "tax_id")
    );
    let mut ghost_agent = account("Otra", &[]);
    ghost_agent.personal_agent_id = Some(AgentId(424242));
    assert!(matches!(
        store.create_account(&ghost_agent).await,
        Err(StoreError::Invalid(_))
    ));

    let moved = store
        .update_account(
            shop.id,
            &AccountPatch {
                email_domains: Some(vec!["ejemplo.com".into()]),
                ..AccountPatch::default()
            },
        )
        .await?;
    assert_eq!(moved.email_domains, ["ejemplo.com"]);
    assert_eq!(store.account_by_domain("tienda-ejemplo.es").await?, None);
    assert_eq!(
        store.account_by_domain("ejemplo.com").await?.map(|a| a.id),
        Some(shop.id)
    );
    // The freed domain can now go to someone else.
    store
        .create_account(&account("Otra", &["tienda-ejemplo.es"]))
        .await?;
    assert_eq!(store.list_accounts(&PageRequest::default()).await?.len(), 2);
    Ok(())
}

async fn account_import_is_all_or_nothing(store: &Arc<dyn Store>) -> TestResult {
    store
        .create_account(&account("Existente", &["existente.es"]))
        .await?;
    let rows = [
        account("Uno", &["uno.es"]),
        account("Dos", &["existente.es"]),
    ];
    match store.create_accounts(&rows).await {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "[1].email_domains"),
        other => panic!("expected conflict on row 1, got {other:?}"),
    }
    assert_eq!(
        store.account_by_domain("uno.es").await?,
        None,
        "row 0 must not be half-imported"
    );
    let ids = store
        .create_accounts(&[account("Uno", &["uno.es"]), account("Dos", &["dos.es"])])
        .await?;
    assert_eq!(ids.len(), 2);
    assert_eq!(store.list_accounts(&PageRequest::default()).await?.len(), 3);
    Ok(())
}

async fn contacts_are_found_by_any_of_their_emails(store: &Arc<dyn Store>) -> TestResult {
    let shop = store
        .create_account(&account("Tienda", &["tienda.es"]))
        .await?;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", Some(shop.id)))
        .await?;
    assert_eq!(store.contact(luis.id).await?, Some(luis.clone()));
    assert!(matches!(
        store.create_contact(&new_contact("luis@tienda.es", None)).await,
        Err(StoreError::Conflict { ref field, .. }) if field == "emails"
    ));
    let patch = ContactPatch {
        emails: Some(vec!["luis@tienda.es".into(), "luis.perez@gmail.com".into()]),
        ..ContactPatch::default()
    };
    store.update_contact(luis.id, &patch).await?;
    assert_eq!(
        store
            .contact_by_email("luis.perez@gmail.com")
            .await?
            .map(|c| c.id),
        Some(luis.id)
    );
    store
        .create_contact(&new_contact("marta@otra.es", None))
        .await?;
    let of_shop = store
        .list_contacts(Some(shop.id), &PageRequest::default())
        .await?;
    assert_eq!(of_shop.iter().map(|c| c.id).collect::<Vec<_>>(), [luis.id]);
    assert_eq!(
        store
            .list_contacts(None, &PageRequest::default())
            .await?
            .len(),
        2
    );
    let bad_account = ContactPatch {
        account_id: Some(Some(AccountId(777))),
        ..ContactPatch::default()
    };
    assert!(matches!(
        store.update_contact(luis.id, &bad_account).await,
        Err(StoreError::Invalid(_))
    ));
    Ok(())
}

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

async fn new_ticket_is_written_whole(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await?;
    let shop = store
        .create_account(&account("Tienda", &["tienda.es"]))
        .await?;
    let mut new = ticket(
        "Se duplican los textos",
        Requester::New(new_contact("luis@tienda.es", Some(shop.id))),
    );
    new.account_id = Some(shop.id);
    new.assignee_id = Some(ana.id);
    new.assignment_reason = Some("personal agent".into());
    new.channel_message_id = Some("<abc@mail.tienda.es>".into());
    new.attachments = vec![NewAttachment {
        sha256: "0f".repeat(32),
        size: 1234,
        filename: "captura.png".into(),
        media_type: "image/png".into(),
        inline: false,
        content_id: None,
    }];
    let t = store.create_ticket(&new).await?;
    assert_eq!(t.number, format!("VND-{:06}", t.id.0));
    assert_eq!(t.status, Status::New);
    assert_eq!(store.ticket(t.id).await?, Some(t.clone()));
    let requester = store
        .contact_by_email("luis@tienda.es")
        .await?
        .ok_or("requester not created")?;
    assert_eq!(t.requester_id, requester.id);

    let messages = store.ticket_messages(t.id).await?;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].kind, MessageKind::Inbound);
    assert_eq!(messages[0].author, Actor::Contact(requester.id));
    assert_eq!(messages[0].attachments.len(), 1);
    assert_eq!(
        messages[0].channel_message_id.as_deref(),
        Some("<abc@mail.tienda.es>")
    );
    let attachment = store
        .attachment(messages[0].attachments[0].id)
        .await?
        .ok_or("attachment missing")?;
    assert_eq!(attachment.filename, "captura.png");

    let events = store.ticket_events(t.id).await?;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["created", "assigned"]);
    assert!(
        matches!(&events[1].kind, EventKind::Assigned { to: Some(a), reason, .. } if *a == ana.id && reason == "personal agent")
    );
    Ok(())
}

async fn failed_ticket_creation_leaves_nothing_behind(store: &Arc<dyn Store>) -> TestResult {
    store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    // A second contact with the same address fails inside the ticket's transaction.
    let mut new = ticket(
        "Duplicado",
        Requester::New(new_contact("nuevo@tienda.es", None)),
    );
    new.assignee_id = Some(AgentId(99_999)); // no such agent: the ticket insert fails
    assert!(store.create_ticket(&new).await.is_err());
    assert_eq!(
        store.contact_by_email("nuevo@tienda.es").await?,
        None,
        "the requester must be rolled back too"
    );
    let all = store
        .list_tickets(&TicketQuery {
            limit: 10,
            ..TicketQuery::default()
        })
        .await?;
    assert!(all.is_empty());
    Ok(())
}

async fn edits_are_recorded_and_invalid_transitions_refused(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await?;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let t = store
        .create_ticket(&ticket("Factura", Requester::Existing(luis.id)))
        .await?;
    let patch = TicketPatch {
        status: Some(Status::Open),
        support_type: Some(Some(SupportType::Administrative)),
        priority: Some(Priority::Urgent),
        assignee_id: Some(Some(ana.id)),
        tags: Some(vec!["factura".into()]),
        ..TicketPatch::default()
    };
    let updated = store
        .update_ticket(t.id, &patch, Actor::Agent(ana.id))
        .await?;
    assert_eq!(updated.status, Status::Open);
    assert_eq!(store.ticket(t.id).await?, Some(updated.clone()));
    let events = store.ticket_events(t.id).await?;
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(events[1..].iter().all(|e| e.actor == Actor::Agent(ana.id)));

    let back_to_new = TicketPatch {
        status: Some(Status::New),
        priority: Some(Priority::Normal),
        ..TicketPatch::default()
    };
    match store
        .update_ticket(t.id, &back_to_new, Actor::Agent(ana.id))
        .await
    {
        Err(StoreError::Change(ChangeError::Transition {
            from: Status::Open,
            to: Status::New,
        })) => {}
        other => panic!("expected an invalid transition, got {other:?}"),
    }
    assert_eq!(
        store.ticket(t.id).await?,
        Some(updated),
        "a refused edit changes nothing"
    );
    assert_eq!(store.ticket_events(t.id).await?.len(), 6);

    let ghost = TicketPatch {
        assignee_id: Some(Some(AgentId(31337))),
        ..TicketPatch::default()
    };
    assert!(matches!(
        store.update_ticket(t.id, &ghost, Actor::System).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .update_ticket(TicketId(424242), &TicketPatch::default(), Actor::System)
            .await,
        Err(StoreError::NotFound {
            entity: "ticket",
            ..
        })
    ));
    Ok(())
}

async fn messages_move_status_and_keep_attachments(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await?;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let t = store
        .create_ticket(&ticket("Duda", Requester::Existing(luis.id)))
        .await?;
    let reply = NewMessage {
        kind: MessageKind::Outbound,
        author: Actor::Agent(ana.id),
        channel: Channel::Email,
        body_text: "¿Nos envía una captura?".into(),
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        extra: MessageExtra::default(),
    };
    let (after_reply, _) = store.add_message(t.id, &reply).await?;
    assert_eq!(after_reply.status, Status::Open);
    store
        .update_ticket(
            t.id,
            &TicketPatch {
                status: Some(Status::Pending),
                ..TicketPatch::default()
            },
            Actor::Agent(ana.id),
        )
        .await?;
    let screenshot = NewAttachment {
        sha256: "1a".repeat(32),
        size: 10,
        filename: "captura.png".into(),
        media_type: "image/png".into(),
        inline: true,
        content_id: Some("img1@tienda".into()),
    };
    let answer = NewMessage {
        kind: MessageKind::Inbound,
        author: Actor::Contact(luis.id),
        channel: Channel::Email,
        body_text: "Adjunto captura".into(),
        body_html: Some("<p>Adjunto captura</p>".into()),
        channel_message_id: Some("<r1@tienda.es>".into()),
        attachments: vec![screenshot.clone(), screenshot],
        extra: MessageExtra::default(),
    };
    let (after_answer, message) = store.add_message(t.id, &answer).await?;
    assert_eq!(
        after_answer.status,
        Status::Open,
        "the customer's answer reopens a pending ticket"
    );
    assert_eq!(
        message.attachments.len(),
        2,
        "same bytes twice: two attachments, one blob"
    );
    let messages = store.ticket_messages(t.id).await?;
    assert_eq!(
        messages.iter().map(|m| m.kind).collect::<Vec<_>>(),
        [
            MessageKind::Inbound,
            MessageKind::Outbound,
            MessageKind::Inbound
        ]
    );
    assert_eq!(messages[2], message);

    for status in [Status::Solved, Status::Closed] {
        store
            .update_ticket(
                t.id,
                &TicketPatch {
                    status: Some(status),
                    ..TicketPatch::default()
                },
                Actor::Agent(ana.id),
            )
            .await?;
    }
    assert!(matches!(
        store.add_message(t.id, &answer).await,
        Err(StoreError::Change(ChangeError::Closed))
    ));
    assert_eq!(
        store.ticket_messages(t.id).await?.len(),
        3,
        "nothing written for a refused message"
    );
    Ok(())
}

async fn cursor_pages_cover_every_ticket_once(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut created = Vec::new();
    for i in 0..23 {
        created.push(
            store
                .create_ticket(&ticket(
                    &format!("Ticket {i}"),
                    Requester::Existing(luis.id),
                ))
                .await?
                .id,
        );
    }
    for sort in [
        TicketSort::UpdatedDesc,
        TicketSort::UpdatedAsc,
        TicketSort::CreatedDesc,
        TicketSort::CreatedAsc,
    ] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_tickets(&TicketQuery {
                    sort,
                    after,
                    limit: 5,
                    ..TicketQuery::default()
                })
                .await?;
            if page.is_empty() {
                break;
            }
            after = page.last().map(|t| Cursor {
                key: sort.key_of(t),
                id: t.id.0,
            });
            seen.extend(page.iter().map(|t| t.id));
        }
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(seen.len(), 23, "{sort:?}");
        assert_eq!(unique.len(), 23, "{sort:?}");
        let mut expected = created.clone();
        if sort.descending() {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{sort:?}");
    }
    Ok(())
}

async fn filters_narrow_the_listing(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await?;
    let shop = store
        .create_account(&account("Tienda", &["tienda.es"]))
        .await?;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", Some(shop.id)))
        .await?;
    let marta = store
        .create_contact(&new_contact("marta@otra.es", None))
        .await?;
    let mut a = ticket("A", Requester::Existing(luis.id));
    a.account_id = Some(shop.id);
    a.assignee_id = Some(ana.id);
    a.support_type = Some(SupportType::Technical);
    let a = store.create_ticket(&a).await?;
    let mut b = ticket("B", Requester::Existing(marta.id));
    b.channel = Channel::Whatsapp;
    b.priority = Priority::Urgent;
    let b = store.create_ticket(&b).await?;
    let since = jiff::Timestamp::now();
    store
        .update_ticket(
            b.id,
            &TicketPatch {
                status: Some(Status::Pending),
                ..TicketPatch::default()
            },
            Actor::System,
        )
        .await?;

    let ids = |q: TicketQuery| async move {
        store
            .list_tickets(&TicketQuery { limit: 50, ..q })
            .await
            .map(|v| v.into_iter().map(|t| t.id).collect::<Vec<_>>())
    };
    assert_eq!(
        ids(TicketQuery {
            statuses: vec![Status::Pending],
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    assert_eq!(
        ids(TicketQuery {
            statuses: vec![Status::Pending, Status::New],
            ..Default::default()
        })
        .await?
        .len(),
        2
    );
    assert_eq!(
        ids(TicketQuery {
            support_type: Some(TypeFilter::Type(SupportType::Technical)),
            ..Default::default()
        })
        .await?,
        [a.id]
    );
    assert_eq!(
        ids(TicketQuery {
            support_type: Some(TypeFilter::Unset),
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    assert_eq!(
        ids(TicketQuery {
            priority: Some(Priority::Urgent),
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    assert_eq!(
        ids(TicketQuery {
            channel: Some(Channel::Whatsapp),
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    assert_eq!(
        ids(TicketQuery {
            assignee: Some(AssigneeFilter::Agent(ana.id)),
            ..Default::default()
        })
        .await?,
        [a.id]
    );
    assert_eq!(
        ids(TicketQuery {
            assignee: Some(AssigneeFilter::Unassigned),
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    assert_eq!(
        ids(TicketQuery {
            account_id: Some(shop.id),
            ..Default::default()
        })
        .await?,
        [a.id]
    );
    assert_eq!(
        ids(TicketQuery {
            requester_id: Some(marta.id),
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    assert_eq!(
        ids(TicketQuery {
            updated_since: Some(since),
            ..Default::default()
        })
        .await?,
        [b.id]
    );
    Ok(())
}

async fn concurrent_creations_get_their_own_results(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let news: Vec<NewTicket> = (0..20)
        .map(|i| {
            let mut new = ticket(&format!("Concurrente {i}"), Requester::Existing(luis.id));
            if i == 7 {
                new.assignee_id = Some(AgentId(987_654)); // fails inside its transaction
            }
            new
        })
        .collect();
    // All at once, as a busy server would: on SQLite they are committed as a group.
    let results = futures_util::future::join_all(news.iter().map(|n| store.create_ticket(n))).await;
    assert!(results[7].is_err(), "the bad one fails");
    let created: Vec<_> = results
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 7)
        .map(|(_, r)| r)
        .collect::<Result<_, _>>()?;
    assert_eq!(created.len(), 19, "the others are not taken down with it");
    for t in &created {
        assert_eq!(t.number, format!("VND-{:06}", t.id.0));
        assert_eq!(store.ticket(t.id).await?.as_ref(), Some(t));
    }
    let listed = store
        .list_tickets(&TicketQuery {
            limit: 50,
            ..TicketQuery::default()
        })
        .await?;
    assert_eq!(listed.len(), 19);
    Ok(())
}

/// New messages and tickets arriving together (on SQLite: committed in one group). A message
/// refused in the middle (closed ticket, a Message-ID another write of the same moment took)
/// leaves nothing behind and takes nothing down with it; the others are written whole,
/// history, search terms and staged blob contents included.
async fn concurrent_messages_commit_together_and_fail_alone(store: &Arc<dyn Store>) -> TestResult {
    use soporte_core::search::query_groups;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut open = Vec::new();
    for i in 0..3 {
        let new = ticket(&format!("Abierto {i}"), Requester::Existing(luis.id));
        open.push(store.create_ticket(&new).await?);
    }
    let closed = store
        .create_ticket(&ticket("Cerrado", Requester::Existing(luis.id)))
        .await?;
    for status in [Status::Solved, Status::Closed] {
        let patch = TicketPatch {
            status: Some(status),
            ..TicketPatch::default()
        };
        store
            .update_ticket(closed.id, &patch, Actor::System)
            .await?;
    }
    let closed_events = store.ticket_events(closed.id).await?.len();
    let inbound = |text: &str, id: &str, staged: u8| NewMessage {
        kind: MessageKind::Inbound,
        author: Actor::Contact(luis.id),
        channel: Channel::Email,
        body_text: text.into(),
        body_html: None,
        channel_message_id: Some(id.into()),
        attachments: vec![],
        extra: MessageExtra {
            blob_contents: vec![StagedBlob {
                sha256: format!("{staged:02x}").repeat(32),
                bytes: vec![staged; 100],
            }],
            ..MessageExtra::default()
        },
    };
    let mut repeated = ticket("Nuevo con id repetido", Requester::Existing(luis.id));
    repeated.channel_message_id = Some("repetido@tienda.es".into());
    let first = inbound("El albarán sigue sin llegar.", "a@tienda.es", 1);
    let refused = inbound("¿Hay alguien?", "cerrado@tienda.es", 2);
    let twin = inbound("Lo mismo otra vez.", "repetido@tienda.es", 3);
    let last = inbound("Adjunto el justificante.", "c@tienda.es", 4);
    // All at once: a write refused in the middle of the group.
    // On SQLite the message comes first in the group and wins the Message-ID, so the
    // ticket written before its own message is refused must be rolled back.
    let (a, on_closed, on_twin, created, c) = tokio::join!(
        store.add_message(open[0].id, &first),
        store.add_message(closed.id, &refused),
        store.add_message(open[1].id, &twin),
        store.create_ticket(&repeated),
        store.add_message(open[2].id, &last),
    );
    let (_, a) = a?;
    let (_, c) = c?;
    assert!(
        matches!(on_closed, Err(StoreError::Change(ChangeError::Closed))),
        "a closed ticket takes no message: {on_closed:?}"
    );
    assert_eq!(store.ticket_messages(closed.id).await?.len(), 1);
    assert_eq!(store.ticket_events(closed.id).await?.len(), closed_events);
    assert_eq!(
        store.message_by_channel_id("cerrado@tienda.es").await?,
        None
    );
    assert_eq!(store.blob_content(&"02".repeat(32)).await?, None);
    // One Message-ID, two writes: exactly one of them holds it, and the other left nothing.
    let holder = store.message_by_channel_id("repetido@tienda.es").await?;
    match (&created, &on_twin) {
        (Ok(t), Err(StoreError::Conflict { field, .. })) => {
            assert_eq!(field, "channel_message_id");
            assert_eq!(holder.map(|(ticket, _)| ticket), Some(t.id));
            assert_eq!(store.ticket_messages(open[1].id).await?.len(), 1);
        }
        (Err(StoreError::Conflict { field, .. }), Ok((t, _))) => {
            assert_eq!(field, "channel_message_id");
            assert_eq!(holder.map(|(ticket, _)| ticket), Some(t.id));
            let all = store
                .list_tickets(&TicketQuery {
                    limit: 50,
                    ..TicketQuery::default()
                })
                .await?;
            assert!(all.iter().all(|t| t.subject != "Nuevo con id repetido"));
        }
        other => panic!("one write must win the Message-ID: {other:?}"),
    }
    for (ticket, message, staged) in [(open[0].id, &a, 1u8), (open[2].id, &c, 4)] {
        let messages = store.ticket_messages(ticket).await?;
        assert_eq!(messages.len(), 2);
        assert_eq!(messages.last(), Some(message));
        assert!(store.ticket_events(ticket).await?.iter().any(|e| matches!(
            e.kind,
            EventKind::MessageAdded { message_id, .. } if message_id == message.id
        )));
        assert_eq!(
            store
                .blob_content(&format!("{staged:02x}").repeat(32))
                .await?,
            Some(vec![staged; 100])
        );
    }
    let found = store.search_tickets(&query_groups("albaran"), 10).await?;
    assert_eq!(found.iter().map(|t| t.id).collect::<Vec<_>>(), [open[0].id]);
    Ok(())
}

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

async fn counts_follow_the_filters(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut urgent = ticket("Urgente", Requester::Existing(luis.id));
    urgent.priority = Priority::Urgent;
    store.create_ticket(&urgent).await?;
    let calm = store
        .create_ticket(&ticket("Tranquila", Requester::Existing(luis.id)))
        .await?;
    store
        .update_ticket(
            calm.id,
            &TicketPatch {
                status: Some(Status::Pending),
                ..TicketPatch::default()
            },
            Actor::System,
        )
        .await?;
    let count = |q: TicketQuery| async move { store.count_tickets(&q).await };
    assert_eq!(count(TicketQuery::default()).await?, 2);
    assert_eq!(
        count(TicketQuery {
            priority: Some(Priority::Urgent),
            ..Default::default()
        })
        .await?,
        1
    );
    assert_eq!(
        count(TicketQuery {
            statuses: vec![Status::Pending],
            limit: 1,
            ..Default::default()
        })
        .await?,
        1,
        "paging does not cut a count"
    );
    assert_eq!(
        count(TicketQuery {
            sla_states: vec![soporte_core::policy::sla::SlaState::Breached],
            ..Default::default()
        })
        .await?,
        0
    );
    Ok(())
}

async fn search_finds_tickets_by_any_form_of_their_words(store: &Arc<dyn Store>) -> TestResult {
    use soporte_core::search::query_groups;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut warranty = ticket(
        "No puedo publicar la página de garantía",
        Requester::Existing(luis.id),
    );
    warranty.body_text = "Al pulsar Publicar sale un error.".into();
    let warranty = store.create_ticket(&warranty).await?;
    let mut invoice = ticket("Factura duplicada", Requester::Existing(luis.id));
    invoice.body_text = "Me han cobrado dos veces la facturación de octubre.".into();
    let invoice = store.create_ticket(&invoice).await?;

    let found = |q: &'static str| async move {
        store
            .search_tickets(&query_groups(q), 10)
            .await
            .map(|v| v.into_iter().map(|t| t.id).collect::<Vec<_>>())
    };
    assert_eq!(
        found("pagina garantia").await?,
        [warranty.id],
        "accents aside"
    );
    assert_eq!(found("facturas").await?, [invoice.id], "inflections aside");
    assert_eq!(
        found("PUBLICAR error").await?,
        [warranty.id],
        "subject and text together"
    );
    assert!(found("pedido").await?.is_empty());
    assert!(found("\"; DROP TABLE tickets; --").await?.is_empty());
    assert!(found("").await?.is_empty());

    // A later message is searchable; an automatic one is not.
    store
        .add_message(
            invoice.id,
            &NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(luis.id),
                channel: Channel::Email,
                body_text: "Adjunto el extracto del banco.".into(),
                body_html: None,
                channel_message_id: None,
                attachments: vec![],
                extra: MessageExtra::default(),
            },
        )
        .await?;
    store
        .add_message(
            warranty.id,
            &NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(luis.id),
                channel: Channel::Email,
                body_text: "Estoy de vacaciones hasta el lunes.".into(),
                body_html: None,
                channel_message_id: None,
                attachments: vec![],
                extra: MessageExtra {
                    automatic: Some(soporte_core::email::AutomaticKind::AutoReply),
                    ..MessageExtra::default()
                },
            },
        )
        .await?;
    assert_eq!(found("extracto banco").await?, [invoice.id]);
    assert!(found("vacaciones").await?.is_empty());

    // Merged into the invoice, the warranty request's words find the invoice, and a message
    // added to it afterwards is searchable beside them.
    store
        .merge_tickets(warranty.id, invoice.id, Actor::System)
        .await?;
    assert_eq!(found("garantia").await?, [invoice.id]);
    assert_eq!(found("facturas").await?, [invoice.id]);
    store
        .add_message(
            invoice.id,
            &NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(luis.id),
                channel: Channel::Email,
                body_text: "Les mando también el recibo de noviembre.".into(),
                body_html: None,
                channel_message_id: None,
                attachments: vec![],
                extra: MessageExtra::default(),
            },
        )
        .await?;
    assert_eq!(found("recibo noviembre").await?, [invoice.id]);
    assert_eq!(found("publicar").await?, [invoice.id]);
    Ok(())
}

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
