//! The policy on WhatsApp bursts: a customer's messages are one request, settled once the
//! burst is over (a photo counts as a screenshot) and acknowledged once; requests that
//! belong on another channel are pointed there.

use super::super::*;

/// What went out on WhatsApp, as text.
fn texts(desk: &Desk) -> Vec<String> {
    desk.graph
        .sent()
        .iter()
        .map(|s| {
            s.body["text"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn missing(ticket: &Value) -> Vec<String> {
    ticket["checklist"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["present"] == false)
                .filter_map(|i| i["key"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn a_burst_is_settled_as_one_request_and_acknowledged_once(desk: &Desk) -> TestResult {
    let photo: &[u8] = b"\xff\xd8\xff\xe0 captura";
    let media_id = desk.graph.add_media(photo, "image/jpeg");
    desk.receive(&from_customer(text("wamid.B1", "hola", 40)))
        .await?;
    desk.receive(&from_customer(text("wamid.B2", "tengo un problema", 35)))
        .await?;
    desk.receive(&from_customer(
        MessageBuilder::image(CUSTOMER, &media_id, "image/jpeg", &sha256_base64(photo))
            .id("wamid.B3")
            .name("Luis Pérez")
            .timestamp(unix(30)),
    ))
    .await?;
    desk.receive(&from_customer(text(
        "wamid.B4",
        "desde ayer no sé cómo añadir productos nuevos en la Tienda, no encuentro la opción",
        25,
    )))
    .await?;
    let before = desk.ticket().await?;
    assert_eq!(
        before["messages"].as_array().map(Vec::len),
        Some(4),
        "one request"
    );

    desk.settle().await?;
    desk.deliver_all().await?;
    let ticket = desk.ticket().await?;
    assert_eq!(ticket["type"], "usage", "{ticket}");
    assert_eq!(
        ticket["redirect"],
        Value::Null,
        "usage questions belong on WhatsApp"
    );
    let missing = missing(&ticket);
    assert!(
        !missing.contains(&"screenshot".to_string()),
        "the photo is a screenshot: {missing:?}"
    );
    assert!(
        !missing.contains(&"timing".to_string()),
        "«desde ayer»: {missing:?}"
    );
    let sent = texts(desk);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let number = ticket["number"].as_str().ok_or("no number")?;
    assert!(sent[0].contains(number), "{}", sent[0]);
    assert!(!sent[0].contains("mailto:"), "{}", sent[0]);
    let acknowledgement = ticket["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["kind"] == "outbound").cloned())
        .ok_or("the acknowledgement is on the ticket")?;
    assert_eq!(
        acknowledgement["automatic"], "auto_reply",
        "{acknowledgement}"
    );
    assert_eq!(acknowledgement["delivery"], "sent");

    // A later burst is settled again but not acknowledged again.
    desk.receive(&from_customer(text("wamid.B5", "¿alguna novedad?", 5)))
        .await?;
    desk.settle().await?;
    desk.deliver_all().await?;
    assert_eq!(texts(desk).len(), 1, "acknowledged once per ticket");
    assert_eq!(desk.tickets().await?.len(), 1);
    Ok(())
}

pub async fn a_technical_request_is_pointed_to_e_mail_with_a_prepared_link(
    desk: &Desk,
) -> TestResult {
    desk.receive(&from_customer(text(
        "wamid.T1",
        "La web no carga, da un error 500 del servidor al abrir la página de inicio desde esta mañana",
        20,
    )))
    .await?;
    desk.settle().await?;
    desk.deliver_all().await?;
    let ticket = desk.ticket().await?;
    assert_eq!(ticket["type"], "technical", "{ticket}");
    assert_eq!(ticket["redirect"], "email", "{ticket}");
    let sent = texts(desk);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("correo electrónico"), "{}", sent[0]);
    assert!(sent[0].contains("soporte@vendomia.com"), "{}", sent[0]);
    assert!(
        sent[0].contains("mailto:soporte@vendomia.com?subject=%5BVND"),
        "{}",
        sent[0]
    );
    Ok(())
}

pub async fn an_urgent_administrative_matter_gets_the_agents_phone(desk: &Desk) -> TestResult {
    desk.receive(&from_customer(text(
        "wamid.A1",
        "Es urgente: nos habéis cobrado dos veces la factura de este mes en la tarjeta",
        20,
    )))
    .await?;
    desk.settle().await?;
    desk.deliver_all().await?;
    let ticket = desk.ticket().await?;
    assert_eq!(ticket["type"], "administrative", "{ticket}");
    assert_eq!(ticket["priority"], "urgent", "{ticket}");
    assert_eq!(ticket["redirect"], "phone", "{ticket}");
    let sent = texts(desk);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Ana, al +34910000001"), "{}", sent[0]);
    assert!(!sent[0].contains("mailto:"), "{}", sent[0]);
    Ok(())
}
