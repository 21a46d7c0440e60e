//! Tickets: writes whole or not at all, edits, messages, listings, counts, concurrent writes.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    new_ticket_is_written_whole,
    failed_ticket_creation_leaves_nothing_behind,
    edits_are_recorded_and_invalid_transitions_refused,
    messages_move_status_and_keep_attachments,
    cursor_pages_cover_every_ticket_once,
    filters_narrow_the_listing,
    counts_follow_the_filters,
    concurrent_creations_get_their_own_results,
    concurrent_messages_commit_together_and_fail_alone,
);

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
