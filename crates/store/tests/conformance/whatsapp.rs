//! The WhatsApp channel's records: webhook bodies, message details, conversations,
//! reactions, edits, revokes and delivery reports.

use crate::*;
use jiff::{SignedDuration, Timestamp};
use soporte_core::email::Delivery;
use soporte_core::whatsapp::{DeliveryError, MediaStatus};

soporte_store::on_both_databases!(
    store_of;
    webhook_bodies_are_kept_leased_and_finished,
    a_whatsapp_message_keeps_its_details_and_moves_its_conversation,
    the_same_wamid_is_one_message,
    reactions_edits_and_revokes_change_the_message_they_name,
    delivery_reports_only_move_forward_and_early_ones_are_kept,
    agents_whatsapp_number_ids_are_theirs_alone,
    channel_health_keeps_the_last_event_and_the_last_error,
);

const NUMBER: &str = "106540352242922";
const CUSTOMER: &str = "34600111222";

fn inbound(wamid: &str, sent_at: Timestamp) -> NewWhatsAppMessage {
    NewWhatsAppMessage {
        wamid: Some(wamid.into()),
        phone_number_id: NUMBER.into(),
        wa_id: CUSTOMER.into(),
        content_type: "text".into(),
        content: serde_json::json!({}),
        reply_to: None,
        forwarded: false,
        frequently_forwarded: false,
        sent_at,
        media: vec![],
        conversation: Some(ConversationStep {
            settle_at: sent_at + SignedDuration::from_secs(90),
        }),
    }
}

fn whatsapp_ticket(requester: Requester, wamid: &str, sent_at: Timestamp, text: &str) -> NewTicket {
    let mut new = ticket("hola", requester);
    new.channel = Channel::Whatsapp;
    new.body_text = text.into();
    new.channel_message_id = Some(wamid.into());
    new.extra.whatsapp = Some(inbound(wamid, sent_at));
    new
}

fn customer_message(contact: ContactId, wamid: &str, sent_at: Timestamp) -> NewMessage {
    NewMessage {
        kind: MessageKind::Inbound,
        author: Actor::Contact(contact),
        channel: Channel::Whatsapp,
        body_text: "desde ayer".into(),
        body_html: None,
        channel_message_id: Some(wamid.into()),
        attachments: vec![],
        extra: MessageExtra {
            whatsapp: Some(inbound(wamid, sent_at)),
            ..MessageExtra::default()
        },
    }
}

fn seconds(s: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + s).unwrap_or(Timestamp::UNIX_EPOCH)
}

async fn webhook_bodies_are_kept_leased_and_finished(store: &Arc<dyn Store>) -> TestResult {
    let now = Timestamp::now();
    let first = store.keep_webhook_body(r#"{"a":1}"#, now).await?;
    let second = store.keep_webhook_body(r#"{"b":2}"#, now).await?;
    assert_eq!(store.pending_webhook_bodies().await?, 2);
    let claimed = store
        .claim_webhook_bodies(10, now + SignedDuration::from_secs(60))
        .await?;
    let ids: Vec<i64> = claimed.iter().map(|b| b.id).collect();
    assert_eq!(ids, [first, second], "oldest first");
    assert_eq!(claimed[0].body, r#"{"a":1}"#);
    assert!(
        store
            .claim_webhook_bodies(10, now + SignedDuration::from_secs(60))
            .await?
            .is_empty(),
        "leased bodies are not taken twice"
    );
    store.webhook_body_done(first, None).await?;
    store
        .webhook_body_failed(second, "database down", now - SignedDuration::from_secs(1))
        .await?;
    let again = store
        .claim_webhook_bodies(10, now + SignedDuration::from_secs(60))
        .await?;
    assert_eq!(again.len(), 1, "a failed body is tried again");
    assert_eq!(again[0].id, second);
    assert_eq!(again[0].attempts, 2);
    store
        .webhook_body_done(second, Some("número sin agente"))
        .await?;
    assert_eq!(store.pending_webhook_bodies().await?, 0);
    Ok(())
}

async fn a_whatsapp_message_keeps_its_details_and_moves_its_conversation(
    store: &Arc<dyn Store>,
) -> TestResult {
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut namesake = new_contact("caja@tienda.es", None);
    namesake.name = "Caja".into();
    store.create_contact(&namesake).await?;
    assert_eq!(
        store.contact_by_phone("+34911234567").await?.map(|c| c.id),
        Some(contact.id),
        "a shared phone names its oldest contact"
    );
    assert_eq!(store.contact_by_phone("+34911000000").await?, None);
    let mut new = whatsapp_ticket(
        Requester::Existing(contact.id),
        "wamid.A",
        seconds(0),
        "hola",
    );
    if let Some(w) = new.extra.whatsapp.as_mut() {
        w.content_type = "image".into();
        w.reply_to = Some("wamid.OLD".into());
        w.forwarded = true;
        w.media = vec![NewWhatsAppMedia {
            media_id: "1037543291543636".into(),
            kind: "image".into(),
            mime_type: "image/jpeg".into(),
            expected_sha256: Some("abc".into()),
            filename: None,
        }];
    }
    let (ticket, _) = store.create_ticket_with(&new, Arc::new(NoEffects)).await?;
    let messages = store.ticket_messages(ticket.id).await?;
    let details = messages[0]
        .whatsapp
        .as_ref()
        .ok_or("the message has its WhatsApp details")?;
    assert_eq!(details.wamid.as_deref(), Some("wamid.A"));
    assert_eq!(details.content_type, "image");
    assert_eq!(details.reply_to.as_deref(), Some("wamid.OLD"));
    assert!(details.forwarded);
    assert_eq!(details.media.len(), 1);
    assert_eq!(details.media[0].status, MediaStatus::Pending);
    let one = store
        .message(messages[0].id)
        .await?
        .ok_or("the message is there")?;
    assert_eq!(one.whatsapp.as_ref(), Some(details));

    let conversation = store
        .whatsapp_ticket(ticket.id)
        .await?
        .ok_or("the ticket is a conversation")?;
    assert_eq!(conversation.wa_id, CUSTOMER);
    assert_eq!(conversation.last_inbound_at, seconds(0));
    assert_eq!(conversation.settle_at, Some(seconds(90)));
    assert_eq!(
        store.whatsapp_window(NUMBER, CUSTOMER).await?,
        Some(seconds(0))
    );
    assert_eq!(
        store
            .open_whatsapp_ticket(NUMBER, CUSTOMER, seconds(-100))
            .await?,
        Some(ticket.id)
    );
    assert_eq!(
        store
            .open_whatsapp_ticket(NUMBER, CUSTOMER, seconds(1))
            .await?,
        None,
        "the customer has been silent since"
    );
    assert_eq!(
        store
            .open_whatsapp_ticket(NUMBER, "34699999999", seconds(-100))
            .await?,
        None
    );

    // A later message of the burst moves the window and the settling time on; one that
    // Meta delivers late (sent earlier) moves neither back.
    store
        .add_message(
            ticket.id,
            &customer_message(contact.id, "wamid.B", seconds(30)),
        )
        .await?;
    store
        .add_message(
            ticket.id,
            &customer_message(contact.id, "wamid.C", seconds(10)),
        )
        .await?;
    let conversation = store
        .whatsapp_ticket(ticket.id)
        .await?
        .ok_or("the ticket is a conversation")?;
    assert_eq!(conversation.last_inbound_at, seconds(30));
    assert_eq!(conversation.settle_at, Some(seconds(120)));
    assert_eq!(
        store.whatsapp_window(NUMBER, CUSTOMER).await?,
        Some(seconds(30))
    );

    store
        .update_ticket(
            ticket.id,
            &TicketPatch {
                status: Some(Status::Solved),
                ..TicketPatch::default()
            },
            Actor::System,
        )
        .await?;
    assert_eq!(
        store
            .open_whatsapp_ticket(NUMBER, CUSTOMER, seconds(-100))
            .await?,
        None,
        "a solved ticket is not continued"
    );
    Ok(())
}

async fn the_same_wamid_is_one_message(store: &Arc<dyn Store>) -> TestResult {
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let new = whatsapp_ticket(
        Requester::Existing(contact.id),
        "wamid.SAME",
        seconds(0),
        "hola",
    );
    let (ticket, _) = store.create_ticket_with(&new, Arc::new(NoEffects)).await?;
    let again = store
        .add_message(
            ticket.id,
            &customer_message(contact.id, "wamid.SAME", seconds(0)),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    // Two deliveries at once: one wins, the other is told it is a duplicate.
    let racing = futures_util::future::join_all((0..4).map(|_| {
        let store = store.clone();
        async move {
            store
                .add_message(
                    ticket.id,
                    &customer_message(contact.id, "wamid.RACE", seconds(5)),
                )
                .await
        }
    }))
    .await;
    assert_eq!(racing.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        racing
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict { .. })))
    );
    assert_eq!(store.ticket_messages(ticket.id).await?.len(), 2);
    assert_eq!(
        store.whatsapp_message("wamid.RACE").await?.map(|(t, _)| t),
        Some(ticket.id)
    );
    Ok(())
}

async fn reactions_edits_and_revokes_change_the_message_they_name(
    store: &Arc<dyn Store>,
) -> TestResult {
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let new = whatsapp_ticket(
        Requester::Existing(contact.id),
        "wamid.R",
        seconds(0),
        "no puedo publicar",
    );
    let (ticket, message) = store.create_ticket_with(&new, Arc::new(NoEffects)).await?;
    assert!(
        store
            .react_to_whatsapp_message("wamid.R", CUSTOMER, "👍", seconds(1))
            .await?
    );
    assert!(
        store
            .react_to_whatsapp_message("wamid.R", CUSTOMER, "❤️", seconds(2))
            .await?,
        "a person's new reaction replaces theirs"
    );
    assert!(
        !store
            .react_to_whatsapp_message("wamid.NOPE", CUSTOMER, "👍", seconds(2))
            .await?
    );
    assert!(
        store
            .edit_whatsapp_message("wamid.R", "no puedo publicar la página", seconds(3))
            .await?
    );
    assert!(store.revoke_whatsapp_message("wamid.R", seconds(4)).await?);
    let stored = store.message(message.id).await?.ok_or("still there")?;
    let details = stored.whatsapp.ok_or("details")?;
    assert_eq!(details.reactions.len(), 1);
    assert_eq!(details.reactions[0].emoji, "❤️");
    assert_eq!(details.edits.len(), 1);
    assert_eq!(stored.body_text, "no puedo publicar la página");
    assert_eq!(details.revoked_at, Some(seconds(4)));
    assert!(
        store
            .react_to_whatsapp_message("wamid.R", CUSTOMER, "", seconds(5))
            .await?
    );
    let details = store
        .message(message.id)
        .await?
        .and_then(|m| m.whatsapp)
        .ok_or("details")?;
    assert!(details.reactions.is_empty(), "an empty emoji takes it away");
    assert_eq!(store.ticket_messages(ticket.id).await?.len(), 1);
    Ok(())
}

async fn delivery_reports_only_move_forward_and_early_ones_are_kept(
    store: &Arc<dyn Store>,
) -> TestResult {
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let new = whatsapp_ticket(
        Requester::Existing(contact.id),
        "wamid.IN",
        seconds(0),
        "hola",
    );
    let (ticket, _) = store.create_ticket_with(&new, Arc::new(NoEffects)).await?;
    let mut reply = customer_message(contact.id, "wamid.OUT", seconds(10));
    reply.kind = MessageKind::Outbound;
    reply.author = Actor::System;
    if let Some(w) = reply.extra.whatsapp.as_mut() {
        w.conversation = None;
    }
    let (_, sent) = store.add_message(ticket.id, &reply).await?;
    let report = |status, error| {
        let store = store.clone();
        async move {
            store
                .whatsapp_delivery_report("wamid.OUT", status, error, seconds(20))
                .await
        }
    };
    assert_eq!(
        report(Delivery::Read, None).await?,
        DeliveryReport::Applied(sent.id)
    );
    assert_eq!(
        report(Delivery::Delivered, None).await?,
        DeliveryReport::Stale(sent.id),
        "a late delivered does not undo read"
    );
    let error = DeliveryError {
        code: 131026,
        reason: "No se pudo entregar".into(),
    };
    assert_eq!(
        report(Delivery::Failed, Some(&error)).await?,
        DeliveryReport::Stale(sent.id)
    );
    let stored = store.message(sent.id).await?.ok_or("there")?;
    assert_eq!(stored.delivery, Some(Delivery::Read));
    assert_eq!(
        store
            .whatsapp_delivery_report("wamid.FUTURE", Delivery::Sent, None, seconds(20))
            .await?,
        DeliveryReport::Kept
    );
    Ok(())
}

async fn agents_whatsapp_number_ids_are_theirs_alone(store: &Arc<dyn Store>) -> TestResult {
    let mut ana = agent("ana@vendomia.com", Role::Agent);
    ana.whatsapp = Some("+34600111222".into());
    ana.whatsapp_phone_number_id = Some(NUMBER.into());
    let ana = store.create_agent(&ana).await?;
    assert_eq!(ana.whatsapp_phone_number_id.as_deref(), Some(NUMBER));
    let mut luis = agent("luis@vendomia.com", Role::Agent);
    luis.whatsapp_phone_number_id = Some(NUMBER.into());
    let taken = store.create_agent(&luis).await;
    assert!(
        matches!(&taken, Err(StoreError::Conflict { field, .. }) if field == "whatsapp_phone_number_id"),
        "{taken:?}"
    );
    luis.whatsapp_phone_number_id = None;
    let luis = store.create_agent(&luis).await?;
    let taken = store
        .update_agent(
            luis.id,
            &AgentPatch {
                whatsapp_phone_number_id: Some(Some(NUMBER.into())),
                ..AgentPatch::default()
            },
        )
        .await;
    assert!(
        matches!(&taken, Err(StoreError::Conflict { field, .. }) if field == "whatsapp_phone_number_id"),
        "{taken:?}"
    );
    let cleared = store
        .update_agent(
            ana.id,
            &AgentPatch {
                whatsapp_phone_number_id: Some(None),
                ..AgentPatch::default()
            },
        )
        .await?;
    assert_eq!(cleared.whatsapp_phone_number_id, None);
    let moved = store
        .update_agent(
            luis.id,
            &AgentPatch {
                whatsapp_phone_number_id: Some(Some(NUMBER.into())),
                ..AgentPatch::default()
            },
        )
        .await?;
    assert_eq!(moved.whatsapp_phone_number_id.as_deref(), Some(NUMBER));
    Ok(())
}

async fn channel_health_keeps_the_last_event_and_the_last_error(
    store: &Arc<dyn Store>,
) -> TestResult {
    assert_eq!(store.whatsapp_health().await?.last_event_at, None);
    store
        .record_whatsapp_health(Some(seconds(1)), None, seconds(1))
        .await?;
    store
        .record_whatsapp_health(None, Some(("token caducado", Some(190))), seconds(2))
        .await?;
    store
        .record_whatsapp_health(Some(seconds(3)), None, seconds(3))
        .await?;
    let health = store.whatsapp_health().await?;
    assert_eq!(health.last_event_at, Some(seconds(3)));
    assert_eq!(health.last_error.as_deref(), Some("token caducado"));
    assert_eq!(health.last_error_code, Some(190));
    assert_eq!(health.last_error_at, Some(seconds(2)));
    Ok(())
}
