//! What support writes goes out on WhatsApp through the outbox: from the number the
//! customer wrote to, quoting what it answers, files uploaded first; passing failures are
//! retried, refusals shown on the message, ticks only move forward.

use super::super::*;

/// A customer's usage question, settled and acknowledged; returns the ticket's id and the
/// customer's message's id.
async fn usage_question(desk: &Desk) -> Result<(i64, i64), Box<dyn std::error::Error>> {
    desk.receive(&from_customer(text(
        "wamid.Q1",
        "¿Cómo añado un producto nuevo a la tienda? En Tienda > Productos no veo el botón",
        20,
    )))
    .await?;
    desk.settle().await?;
    desk.deliver_all().await?;
    let ticket = desk.ticket().await?;
    let id = ticket["id"].as_i64().ok_or("no id")?;
    let question = ticket["messages"][0]["id"]
        .as_i64()
        .ok_or("no message id")?;
    Ok((id, question))
}

async fn reply(desk: &Desk, ticket: i64, body: Value) -> Result<Value, Box<dyn std::error::Error>> {
    let created = desk
        .post(&format!("/api/v1/tickets/{ticket}/messages"), body)
        .await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    Ok(created.json["message"].clone())
}

async fn message(desk: &Desk, id: i64) -> Result<Value, Box<dyn std::error::Error>> {
    let ticket = desk.ticket().await?;
    ticket["messages"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["id"].as_i64() == Some(id)).cloned())
        .ok_or_else(|| format!("no message {id}").into())
}

pub async fn a_reply_goes_out_from_the_customers_number_and_its_ticks_only_move_forward(
    desk: &Desk,
) -> TestResult {
    let (ticket, question) = usage_question(desk).await?;
    let acknowledgements = desk.graph.sent();
    assert_eq!(
        acknowledgements.len(),
        1,
        "the request is acknowledged once"
    );

    let sent = reply(
        desk,
        ticket,
        json!({"kind": "outbound", "body": "Hola Luis: pulse «Añadir producto» arriba a la derecha.",
               "reply_to_message_id": question}),
    )
    .await?;
    assert_eq!(sent["delivery"], "queued", "{sent}");
    assert_eq!(sent["channel"], "whatsapp");
    desk.deliver_all().await?;
    let sends = desk.graph.sent();
    assert_eq!(sends.len(), 2);
    let out = &sends[1];
    assert_eq!(
        out.phone_number_id, ANA_NUMBER,
        "it leaves from Ana's number"
    );
    assert_eq!(out.body["to"], CUSTOMER);
    assert_eq!(out.body["type"], "text");
    assert_eq!(
        out.body["text"]["body"],
        "Hola Luis: pulse «Añadir producto» arriba a la derecha."
    );
    assert_eq!(out.body["context"]["message_id"], "wamid.Q1");

    let id = sent["id"].as_i64().ok_or("no id")?;
    let now = message(desk, id).await?;
    assert_eq!(now["delivery"], "sent");
    assert_eq!(now["channel_message_id"], out.wamid.as_str());
    assert_eq!(now["whatsapp"]["reply_to"], "wamid.Q1");

    // Read, then a late "delivered" and "sent": the ticks stay blue.
    desk.receive(&status(StatusBuilder::read(&out.wamid, CUSTOMER), 5))
        .await?;
    assert_eq!(message(desk, id).await?["delivery"], "read");
    desk.receive(&status(StatusBuilder::delivered(&out.wamid, CUSTOMER), 10))
        .await?;
    desk.receive(&status(StatusBuilder::sent(&out.wamid, CUSTOMER), 12))
        .await?;
    let late = message(desk, id).await?;
    assert_eq!(late["delivery"], "read", "{late}");
    // Nothing else went out.
    assert_eq!(desk.graph.sent().len(), 2);
    Ok(())
}

pub async fn passing_failures_are_retried_and_refusals_are_shown_on_the_message(
    desk: &Desk,
) -> TestResult {
    let (ticket, _) = usage_question(desk).await?;
    desk.graph
        .fail_next(1, soporte_whatsapp::Failure::Status(503));
    let sent = reply(desk, ticket, json!({"body": "Primera respuesta"})).await?;
    let report = desk.deliver().await?;
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    let id = sent["id"].as_i64().ok_or("no id")?;
    assert_eq!(message(desk, id).await?["delivery"], "queued");
    desk.deliver_all().await?;
    assert_eq!(message(desk, id).await?["delivery"], "sent");
    assert_eq!(
        desk.graph.sent().len(),
        2,
        "the acknowledgement and the reply, once each"
    );

    // 131026: the number cannot receive it. No retry helps: the agent is told why.
    desk.graph.fail_next(
        1,
        soporte_whatsapp::Failure::GraphError {
            http_status: 400,
            code: 131026,
            subcode: None,
            message: "Message undeliverable".into(),
        },
    );
    let refused = reply(desk, ticket, json!({"body": "Segunda respuesta"})).await?;
    let report = desk.deliver().await?;
    assert_eq!(report.dead, 1, "{report:?}");
    let refused = message(desk, refused["id"].as_i64().ok_or("no id")?).await?;
    assert_eq!(refused["delivery"], "failed", "{refused}");
    assert_eq!(refused["delivery_error"]["code"], 131026, "{refused}");
    let reason = refused["delivery_error"]["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(
        !reason.is_empty() && !reason.contains("undeliverable"),
        "a reason in plain Spanish: {reason}"
    );
    desk.deliver_all().await?;
    assert_eq!(
        desk.graph.sent().len(),
        2,
        "a refused message is not sent again"
    );

    // A failure report from Meta after the send moves a sent message to failed.
    let third = reply(desk, ticket, json!({"body": "Tercera respuesta"})).await?;
    desk.deliver_all().await?;
    let wamid = desk
        .graph
        .sent()
        .last()
        .map(|s| s.wamid.clone())
        .ok_or("no send")?;
    desk.receive(&status(
        StatusBuilder::failed(
            &wamid,
            CUSTOMER,
            131047,
            "Re-engagement message",
            "More than 24 hours",
        ),
        1,
    ))
    .await?;
    let third = message(desk, third["id"].as_i64().ok_or("no id")?).await?;
    assert_eq!(third["delivery"], "failed", "{third}");
    assert_eq!(third["delivery_error"]["code"], 131047);
    Ok(())
}

pub async fn an_expired_token_shows_as_reconnect_and_sends_once_replaced(
    desk: &Desk,
) -> TestResult {
    let (ticket, _) = usage_question(desk).await?;
    desk.graph.set_token("un-token-nuevo");
    let sent = reply(desk, ticket, json!({"body": "Respuesta"})).await?;
    let report = desk.deliver().await?;
    assert_eq!((report.retried, report.dead), (1, 0), "{report:?}");
    let health = desk.store.whatsapp_health().await?;
    assert_eq!(health.last_error_code, Some(190), "{health:?}");
    // The admin puts the new token in place (here: the stand-in takes the old one again).
    desk.graph.set_token(ACCESS_TOKEN);
    desk.deliver_all().await?;
    let id = sent["id"].as_i64().ok_or("no id")?;
    assert_eq!(message(desk, id).await?["delivery"], "sent");
    Ok(())
}

pub async fn files_are_uploaded_and_sent_after_the_text(desk: &Desk) -> TestResult {
    let (ticket, _) = usage_question(desk).await?;
    let png: &[u8] = b"\x89PNG\r\n\x1a\nuna captura";
    let pdf: &[u8] = b"%PDF-1.4 manual";
    let created = desk
        .post_form(
            &format!("/api/v1/tickets/{ticket}/messages"),
            &[
                ("kind", "outbound"),
                ("body", "Le envío la captura y el manual."),
            ],
            &[
                ("captura.png", "image/png", png),
                ("manual.pdf", "application/pdf", pdf),
            ],
        )
        .await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    desk.deliver_all().await?;
    let sends = desk.graph.sent();
    let kinds: Vec<&str> = sends[1..]
        .iter()
        .map(|s| s.body["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["text", "image", "document"], "in the order written");
    let uploads = desk.graph.uploads();
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[0].bytes, png);
    assert_eq!(uploads[0].mime_type, "image/png");
    assert_eq!(uploads[1].filename.as_deref(), Some("manual.pdf"));
    assert_eq!(sends[2].body["image"]["id"], uploads[0].media_id.as_str());
    assert_eq!(
        sends[3].body["document"]["id"],
        uploads[1].media_id.as_str()
    );
    assert_eq!(sends[3].body["document"]["filename"], "manual.pdf");
    let id = created.json["message"]["id"].as_i64().ok_or("no id")?;
    assert_eq!(message(desk, id).await?["delivery"], "sent");
    Ok(())
}

pub async fn opening_the_ticket_marks_the_customers_messages_read_once(desk: &Desk) -> TestResult {
    let (ticket, _) = usage_question(desk).await?;
    desk.receive(&from_customer(text("wamid.Q2", "¿Me oye?", 5)))
        .await?;
    let agent = desk.app.authenticate(&desk.admin).await?;
    let id = soporte_core::ids::TicketId(ticket);
    let opened = desk.app.ticket(&agent, id).await?;
    assert!(desk.app.whatsapp_ticket_opened(&agent, &opened).await?);
    assert!(
        !desk.app.whatsapp_ticket_opened(&agent, &opened).await?,
        "nothing new to mark"
    );
    desk.deliver_all().await?;
    let marks = desk.graph.read_marks();
    assert_eq!(marks.len(), 1, "one mark covers every earlier message");
    assert_eq!(marks[0].message_id, "wamid.Q2");
    assert_eq!(marks[0].phone_number_id, ANA_NUMBER);
    desk.receive(&from_customer(text("wamid.Q3", "Hola otra vez", 1)))
        .await?;
    assert!(desk.app.whatsapp_ticket_opened(&agent, &opened).await?);
    desk.deliver_all().await?;
    assert_eq!(desk.graph.read_marks().len(), 2);
    Ok(())
}
