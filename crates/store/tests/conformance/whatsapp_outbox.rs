//! The WhatsApp channel's work queues: sends queued with their message and leased to one
//! worker, in each conversation's order; read marks; conversations to settle; media to
//! fetch.

use crate::*;
use jiff::{SignedDuration, Timestamp};
use soporte_core::email::Delivery;
use soporte_core::ticket::{Message, Ticket};
use soporte_core::whatsapp::{
    DeliveryError, MediaStatus, OutgoingContent, OutgoingWhatsApp, WhatsAppRequest,
};

soporte_store::on_both_databases!(
    store_of;
    a_send_gives_its_message_a_record_and_reports_that_came_first_apply_once_sent,
    sends_to_one_customer_leave_in_the_order_written,
    a_dead_send_marks_its_message_failed_with_the_reason,
    read_marks_are_queued_once_for_the_newest_customer_message,
    conversations_are_settled_by_one_worker_and_again_after_a_new_message,
    media_becomes_an_attachment_or_is_lost_with_the_reason,
);

const NUMBER: &str = "106540352242922";
const CUSTOMER: &str = "34600111222";

/// Queues `sends` with the change's outgoing message.
struct Sends(Vec<NewWhatsAppOutbox>);

impl TicketEffects for Sends {
    fn apply(&self, _: TicketChange<'_>, _: &mut Ticket, _: Timestamp) -> Consequences {
        Consequences {
            whatsapp: self.0.clone(),
            ..Consequences::default()
        }
    }
}

fn text_send(body: &str, delivers: bool) -> NewWhatsAppOutbox {
    NewWhatsAppOutbox {
        kind: "reply".into(),
        phone_number_id: NUMBER.into(),
        request: WhatsAppRequest::Send(OutgoingWhatsApp {
            to: CUSTOMER.into(),
            content: OutgoingContent::Text { body: body.into() },
            reply_to: None,
        }),
        delivers_message: delivers,
    }
}

fn inbound(wamid: &str, media: Vec<NewWhatsAppMedia>) -> NewWhatsAppMessage {
    let sent_at = Timestamp::now() - SignedDuration::from_secs(60);
    NewWhatsAppMessage {
        wamid: Some(wamid.into()),
        phone_number_id: NUMBER.into(),
        wa_id: CUSTOMER.into(),
        content_type: "text".into(),
        content: serde_json::Value::Null,
        reply_to: None,
        forwarded: false,
        frequently_forwarded: false,
        sent_at,
        media,
        conversation: Some(ConversationStep { settle_at: sent_at }),
    }
}

/// A customer's WhatsApp ticket; returns it and the customer.
async fn conversation(
    store: &Arc<dyn Store>,
    media: Vec<NewWhatsAppMedia>,
) -> Result<(Ticket, ContactId), Box<dyn std::error::Error>> {
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut new = ticket("hola", Requester::Existing(contact.id));
    new.channel = Channel::Whatsapp;
    new.channel_message_id = Some("wamid.IN1".into());
    new.extra.whatsapp = Some(inbound("wamid.IN1", media));
    let (ticket, _) = store.create_ticket_with(&new, Arc::new(NoEffects)).await?;
    Ok((ticket, contact.id))
}

async fn answer(
    store: &Arc<dyn Store>,
    ticket: &Ticket,
    sends: Vec<NewWhatsAppOutbox>,
) -> Result<Message, Box<dyn std::error::Error>> {
    let new = NewMessage {
        kind: MessageKind::Outbound,
        author: Actor::System,
        channel: Channel::Whatsapp,
        body_text: "Hola Luis".into(),
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        extra: MessageExtra::default(),
    };
    let (_, message) = store
        .add_message_with(ticket.id, &new, Arc::new(Sends(sends)))
        .await?;
    Ok(message)
}

fn lease() -> Timestamp {
    Timestamp::now() + SignedDuration::from_secs(60)
}

async fn a_send_gives_its_message_a_record_and_reports_that_came_first_apply_once_sent(
    store: &Arc<dyn Store>,
) -> TestResult {
    let (ticket, _) = conversation(store, vec![]).await?;
    // Meta's "delivered" can overtake the answer to the send itself.
    assert_eq!(
        store
            .whatsapp_delivery_report("wamid.OUT", Delivery::Delivered, None, Timestamp::now())
            .await?,
        DeliveryReport::Kept
    );
    let message = answer(store, &ticket, vec![text_send("Hola Luis", true)]).await?;
    assert_eq!(message.delivery, Some(Delivery::Queued));
    let stored = store.message(message.id).await?.ok_or("there")?;
    assert_eq!(stored.delivery, Some(Delivery::Queued));
    assert_eq!(
        stored.whatsapp.as_ref().map(|w| w.wa_id.as_str()),
        Some(CUSTOMER)
    );

    let claimed = store.claim_whatsapp_outbox(10, lease()).await?;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message_id, Some(message.id));
    assert_eq!(claimed[0].phone_number_id, NUMBER);
    assert!(
        store.claim_whatsapp_outbox(10, lease()).await?.is_empty(),
        "leased to one worker"
    );
    store
        .whatsapp_outbox_sent(claimed[0].id, Some("wamid.OUT"), Timestamp::now())
        .await?;
    let sent = store.message(message.id).await?.ok_or("there")?;
    assert_eq!(
        sent.delivery,
        Some(Delivery::Delivered),
        "the early report applied"
    );
    assert_eq!(sent.channel_message_id.as_deref(), Some("wamid.OUT"));
    assert_eq!(
        store.reconcile_whatsapp_statuses().await?,
        0,
        "nothing left over"
    );
    assert!(store.claim_whatsapp_outbox(10, lease()).await?.is_empty());
    Ok(())
}

async fn sends_to_one_customer_leave_in_the_order_written(store: &Arc<dyn Store>) -> TestResult {
    let (ticket, _) = conversation(store, vec![]).await?;
    answer(
        store,
        &ticket,
        vec![text_send("primero", true), text_send("segundo", false)],
    )
    .await?;
    let first = store.claim_whatsapp_outbox(10, lease()).await?;
    assert_eq!(first.len(), 1, "one at a time per conversation");
    let error = DeliveryError {
        code: 131000,
        reason: "Algo falló".into(),
    };
    store
        .whatsapp_outbox_failed(first[0].id, &error, Some(Timestamp::now()))
        .await?;
    let again = store.claim_whatsapp_outbox(10, lease()).await?;
    assert_eq!(
        again.iter().map(|i| i.id).collect::<Vec<_>>(),
        [first[0].id],
        "the second waits for the first"
    );
    assert_eq!(again[0].attempts, 1);
    store
        .whatsapp_outbox_sent(again[0].id, Some("wamid.1"), Timestamp::now())
        .await?;
    let second = store.claim_whatsapp_outbox(10, lease()).await?;
    assert_eq!(second.len(), 1);
    assert!(second[0].id > first[0].id);
    Ok(())
}

async fn a_dead_send_marks_its_message_failed_with_the_reason(
    store: &Arc<dyn Store>,
) -> TestResult {
    let (ticket, _) = conversation(store, vec![]).await?;
    let message = answer(store, &ticket, vec![text_send("hola", true)]).await?;
    let claimed = store.claim_whatsapp_outbox(10, lease()).await?;
    let error = DeliveryError {
        code: 131026,
        reason: "El número no puede recibir el mensaje".into(),
    };
    store
        .whatsapp_outbox_failed(claimed[0].id, &error, None)
        .await?;
    let failed = store.message(message.id).await?.ok_or("there")?;
    assert_eq!(failed.delivery, Some(Delivery::Failed));
    assert_eq!(
        failed.whatsapp.and_then(|w| w.delivery_error),
        Some(error),
        "the reason is on the message"
    );
    assert!(store.claim_whatsapp_outbox(10, lease()).await?.is_empty());
    Ok(())
}

async fn read_marks_are_queued_once_for_the_newest_customer_message(
    store: &Arc<dyn Store>,
) -> TestResult {
    let (ticket, contact) = conversation(store, vec![]).await?;
    let later = NewMessage {
        kind: MessageKind::Inbound,
        author: Actor::Contact(contact),
        channel: Channel::Whatsapp,
        body_text: "¿hola?".into(),
        body_html: None,
        channel_message_id: Some("wamid.IN2".into()),
        attachments: vec![],
        extra: MessageExtra {
            whatsapp: Some(inbound("wamid.IN2", vec![])),
            ..MessageExtra::default()
        },
    };
    store.add_message(ticket.id, &later).await?;
    assert!(
        store
            .queue_whatsapp_read_mark(ticket.id, Timestamp::now())
            .await?
    );
    assert!(
        !store
            .queue_whatsapp_read_mark(ticket.id, Timestamp::now())
            .await?
    );
    let claimed = store.claim_whatsapp_outbox(10, lease()).await?;
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        claimed[0].request,
        WhatsAppRequest::MarkRead {
            wamid: "wamid.IN2".into()
        }
    );
    assert!(
        !store
            .queue_whatsapp_read_mark(TicketId(ticket.id.0 + 1000), Timestamp::now())
            .await?,
        "no such conversation"
    );
    Ok(())
}

async fn conversations_are_settled_by_one_worker_and_again_after_a_new_message(
    store: &Arc<dyn Store>,
) -> TestResult {
    let (ticket, contact) = conversation(store, vec![]).await?;
    let claimed = store.claim_whatsapp_settlements(10, lease()).await?;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].ticket_id, ticket.id);
    assert!(
        store
            .claim_whatsapp_settlements(10, lease())
            .await?
            .is_empty(),
        "leased"
    );
    // The customer writes while the worker settles: settled again afterwards.
    let later = NewMessage {
        kind: MessageKind::Inbound,
        author: Actor::Contact(contact),
        channel: Channel::Whatsapp,
        body_text: "desde ayer".into(),
        body_html: None,
        channel_message_id: Some("wamid.IN2".into()),
        attachments: vec![],
        extra: MessageExtra {
            whatsapp: Some(inbound("wamid.IN2", vec![])),
            ..MessageExtra::default()
        },
    };
    store.add_message(ticket.id, &later).await?;
    store
        .whatsapp_settled(ticket.id, claimed[0].settle_version, true)
        .await?;
    let again = store.claim_whatsapp_settlements(10, lease()).await?;
    assert_eq!(again.len(), 1, "the new message is settled too");
    assert!(again[0].acknowledged_at.is_some());
    store
        .whatsapp_settled(ticket.id, again[0].settle_version, false)
        .await?;
    assert!(
        store
            .claim_whatsapp_settlements(10, lease())
            .await?
            .is_empty()
    );
    let done = store.whatsapp_ticket(ticket.id).await?.ok_or("there")?;
    assert!(
        done.acknowledged_at.is_some(),
        "acknowledged stays acknowledged"
    );
    Ok(())
}

async fn media_becomes_an_attachment_or_is_lost_with_the_reason(
    store: &Arc<dyn Store>,
) -> TestResult {
    let media = |id: &str| NewWhatsAppMedia {
        media_id: id.into(),
        kind: "image".into(),
        mime_type: "image/jpeg".into(),
        expected_sha256: None,
        filename: None,
    };
    let (ticket, _) = conversation(store, vec![media("m1"), media("m2")]).await?;
    let due = store.claim_whatsapp_media(10, lease()).await?;
    assert_eq!(
        due.iter().map(|m| m.media_id.as_str()).collect::<Vec<_>>(),
        ["m1", "m2"]
    );
    assert!(
        store.claim_whatsapp_media(10, lease()).await?.is_empty(),
        "leased"
    );
    // The bytes are in the blob store already; the record names them by their hash.
    let file = NewAttachment {
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        size: 4,
        filename: "whatsapp-imagen.jpg".into(),
        media_type: "image/jpeg".into(),
        inline: false,
        content_id: None,
    };
    assert!(store.whatsapp_media_stored(due[0].id, &file).await?);
    assert!(
        !store.whatsapp_media_stored(due[0].id, &file).await?,
        "once"
    );
    store
        .whatsapp_media_failed(due[1].id, "Meta ya no guarda el archivo", None)
        .await?;
    let messages = store.ticket_messages(ticket.id).await?;
    let first = &messages[0];
    assert_eq!(first.attachments.len(), 1);
    assert_eq!(first.attachments[0].filename, "whatsapp-imagen.jpg");
    let states = first
        .whatsapp
        .as_ref()
        .map(|w| w.media.clone())
        .unwrap_or_default();
    assert_eq!(states[0].status, MediaStatus::Stored);
    assert_eq!(states[0].attachment_id, Some(first.attachments[0].id));
    assert_eq!(states[1].status, MediaStatus::Lost);
    assert_eq!(
        states[1].error.as_deref(),
        Some("Meta ya no guarda el archivo")
    );
    Ok(())
}
