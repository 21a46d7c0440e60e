//! Each kind of WhatsApp message as it ends up in a ticket.

use super::*;

soporte_store::on_both_databases!(
    whatsapp_of;
    every_type_keeps_what_it_carries,
    reactions_edits_and_deletions_change_the_message_they_name,
    unknown_types_never_block_the_channel,
    delivery_reports_are_taken_in_for_any_wamid,
);

async fn every_type_keeps_what_it_carries(w: &WhatsApp) -> TestResult {
    let from = CUSTOMER;
    let body = Notification::new(ANA_NUMBER)
        .message(text("wamid.01", "hola, no me deja publicar la tienda", 60))
        .message(
            MessageBuilder::image(from, "1001", "image/jpeg", "c2hhMjU2")
                .caption("me sale este error")
                .id("wamid.02")
                .timestamp(unix(59)),
        )
        .message(
            MessageBuilder::voice(from, "1002", "c2hhMjU2")
                .id("wamid.03")
                .timestamp(unix(58)),
        )
        .message(
            MessageBuilder::document(from, "1003", "factura.pdf", "application/pdf", "c2hh")
                .id("wamid.04")
                .timestamp(unix(57)),
        )
        .message(
            MessageBuilder::sticker(from, "1004", false)
                .id("wamid.05")
                .timestamp(unix(56)),
        )
        .message(
            MessageBuilder::location(from, 40.4168, -3.7038)
                .id("wamid.06")
                .timestamp(unix(55)),
        )
        .message(
            MessageBuilder::contacts(from, &[("Marta Gil", "+34 600 222 333")])
                .id("wamid.07")
                .timestamp(unix(54)),
        )
        .message(
            MessageBuilder::button_reply(from, "si", "Sí, sigue pasando")
                .id("wamid.08")
                .timestamp(unix(53)),
        )
        .message(
            MessageBuilder::list_reply(from, "web", "Sitios Web", "El editor")
                .id("wamid.09")
                .timestamp(unix(52)),
        )
        .message(
            MessageBuilder::button(from, "CALLBACK", "Llamadme")
                .id("wamid.10")
                .timestamp(unix(51)),
        )
        .message(
            MessageBuilder::order(from, "cat-1", "para la tienda", &[("SKU-1", 2, 9.5, "EUR")])
                .id("wamid.11")
                .timestamp(unix(50)),
        )
        .message(
            text("wamid.12", "esto es lo que me contestasteis", 49)
                .reply_to("wamid.FROM-SUPPORT")
                .forwarded(),
        )
        .to_bytes();
    w.receive(&body).await?;
    let tickets = w.tickets().await?;
    assert_eq!(tickets.len(), 1, "one burst, one ticket");
    let messages = w.messages(id_of(&tickets[0])).await?;
    assert_eq!(messages.len(), 12);
    let kind = |i: usize| messages[i]["whatsapp"]["type"].as_str().unwrap_or("?");
    let kinds: Vec<&str> = (0..12).map(kind).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "image",
            "voice",
            "document",
            "sticker",
            "location",
            "contacts",
            "interactive",
            "interactive",
            "button",
            "order",
            "text"
        ]
    );
    for m in &messages {
        assert_eq!(m["channel"], "whatsapp");
        assert_eq!(m["kind"], "inbound");
        assert!(
            m["channel_message_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("wamid.")),
            "{m}"
        );
    }
    assert_eq!(messages[1]["text"], "[Imagen] me sale este error");
    assert_eq!(messages[1]["whatsapp"]["media"][0]["status"], "pending");
    assert_eq!(messages[1]["whatsapp"]["media"][0]["kind"], "image");
    assert_eq!(messages[2]["text"], "[Nota de voz]");
    assert_eq!(messages[3]["text"], "[Documento: factura.pdf]");
    assert_eq!(messages[5]["whatsapp"]["content"]["latitude"], 40.4168);
    assert!(
        messages[6]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Marta Gil") && t.contains("+34 600 222 333")),
        "{}",
        messages[6]["text"]
    );
    assert_eq!(messages[7]["text"], "[Respuesta: Sí, sigue pasando]");
    assert_eq!(messages[8]["text"], "[Respuesta: Sitios Web — El editor]");
    assert_eq!(messages[9]["text"], "[Botón: Llamadme]");
    assert!(
        messages[10]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("[Pedido:")),
        "{}",
        messages[10]["text"]
    );
    assert_eq!(messages[11]["whatsapp"]["reply_to"], "wamid.FROM-SUPPORT");
    assert_eq!(messages[11]["whatsapp"]["forwarded"], true);

    // The sender became a contact with their WhatsApp name and number.
    let requester = tickets[0]["requester_id"].as_i64().unwrap_or_default();
    let contact = w.api.get(&format!("/api/v1/contacts/{requester}")).await?;
    assert_eq!(contact.json["name"], "Luis Pérez");
    assert_eq!(contact.json["phones"][0], "+34600111222");
    Ok(())
}

async fn reactions_edits_and_deletions_change_the_message_they_name(w: &WhatsApp) -> TestResult {
    w.receive(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.A", "no puedo publicar", 30))
            .to_bytes(),
    )
    .await?;
    let body = Notification::new(ANA_NUMBER)
        .message(
            MessageBuilder::reaction(CUSTOMER, "wamid.A", Some("🙏"))
                .id("wamid.R1")
                .timestamp(unix(20)),
        )
        .message(
            MessageBuilder::edit(CUSTOMER, "wamid.A", "no puedo publicar la página de inicio")
                .id("wamid.E1")
                .timestamp(unix(10)),
        )
        .message(
            MessageBuilder::reaction(CUSTOMER, "wamid.UNKNOWN", Some("👍"))
                .id("wamid.R2")
                .timestamp(unix(9)),
        )
        .to_bytes();
    w.receive(&body).await?;
    // Taken in again (a redelivery): the edit is not doubled.
    w.receive(&body).await?;
    w.receive(
        &Notification::new(ANA_NUMBER)
            .message(
                MessageBuilder::revoke(CUSTOMER, "wamid.A")
                    .id("wamid.D1")
                    .timestamp(unix(5)),
            )
            .to_bytes(),
    )
    .await?;
    let tickets = w.tickets().await?;
    assert_eq!(tickets.len(), 1, "reactions open nothing");
    let messages = w.messages(id_of(&tickets[0])).await?;
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["whatsapp"]["reactions"][0]["emoji"], "🙏");
    assert_eq!(m["whatsapp"]["edits"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        m["whatsapp"]["original_text"], "no puedo publicar",
        "what the customer first wrote is kept"
    );
    assert_eq!(m["text"], "no puedo publicar la página de inicio");
    assert!(m["whatsapp"]["revoked_at"].is_string(), "{m}");
    Ok(())
}

async fn unknown_types_never_block_the_channel(w: &WhatsApp) -> TestResult {
    let body = Notification::new(ANA_NUMBER)
        .message(
            MessageBuilder::unknown_type(CUSTOMER, "poll")
                .id("wamid.U1")
                .timestamp(unix(30)),
        )
        .message(
            MessageBuilder::unsupported(CUSTOMER)
                .id("wamid.U2")
                .timestamp(unix(29)),
        )
        .raw_message(
            json!({"from": CUSTOMER, "id": "wamid.U3", "timestamp": unix(28).to_string(),
                            "type": "text", "text": {"no_body": true}}),
        )
        .message(text("wamid.U4", "¿me llegan los mensajes?", 27))
        .to_bytes();
    w.receive(&body).await?;
    let tickets = w.tickets().await?;
    assert_eq!(tickets.len(), 1);
    let messages = w.messages(id_of(&tickets[0])).await?;
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(
        messages[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("«poll»")),
        "{}",
        messages[0]["text"]
    );
    assert_eq!(messages[0]["whatsapp"]["content"]["raw"]["type"], "poll");
    assert_eq!(messages[2]["whatsapp"]["content"]["raw"]["id"], "wamid.U3");
    assert_eq!(messages[3]["text"], "¿me llegan los mensajes?");
    Ok(())
}

async fn delivery_reports_are_taken_in_for_any_wamid(w: &WhatsApp) -> TestResult {
    let body = Notification::new(ANA_NUMBER)
        .status(StatusBuilder::delivered("wamid.NOT-YET", CUSTOMER))
        .status(StatusBuilder::failed(
            "wamid.NOT-YET-2",
            CUSTOMER,
            131026,
            "Message undeliverable",
            "",
        ))
        .to_bytes();
    w.receive(&body).await?;
    assert!(w.tickets().await?.is_empty());
    let health = w.store.whatsapp_health().await?;
    assert!(health.last_event_at.is_some());
    assert_eq!(health.last_error_code, Some(131026));
    let _ = w.ana;
    Ok(())
}
