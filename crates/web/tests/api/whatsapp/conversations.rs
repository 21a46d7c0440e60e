//! How WhatsApp messages become requests: a burst is one ticket for the number's owner,
//! a long silence or a solved ticket starts another.

use super::*;

soporte_store::on_both_databases!(
    whatsapp_of;
    a_burst_is_one_ticket_for_the_numbers_owner,
    a_long_silence_or_a_solved_ticket_starts_a_new_request,
);

async fn a_burst_is_one_ticket_for_the_numbers_owner(w: &WhatsApp) -> TestResult {
    for (wamid, words, ago) in [
        ("wamid.B1", "hola", 40),
        ("wamid.B2", "tengo un problema", 30),
        ("wamid.B3", "desde ayer", 20),
    ] {
        w.receive(
            &Notification::new(ANA_NUMBER)
                .message(text(wamid, words, ago))
                .to_bytes(),
        )
        .await?;
    }
    let tickets = w.tickets().await?;
    assert_eq!(tickets.len(), 1);
    let ticket = &tickets[0];
    assert_eq!(ticket["channel"], "whatsapp");
    assert_eq!(ticket["assignee_id"], w.ana.0, "{ticket}");
    assert_eq!(ticket["subject"], "hola");
    assert_eq!(w.messages(id_of(ticket)).await?.len(), 3);

    // Another customer writing to the same number has a ticket of their own.
    w.receive(
        &Notification::new(ANA_NUMBER)
            .message(
                MessageBuilder::text("34699888777", "buenas")
                    .id("wamid.OTHER")
                    .name("Marta")
                    .timestamp(unix(10)),
            )
            .to_bytes(),
    )
    .await?;
    assert_eq!(w.tickets().await?.len(), 2);
    Ok(())
}

async fn a_long_silence_or_a_solved_ticket_starts_a_new_request(w: &WhatsApp) -> TestResult {
    let hours = |h: i64| h * 3600;
    w.receive(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.S1", "¿cómo cambio el logo?", hours(30)))
            .to_bytes(),
    )
    .await?;
    w.receive(
        &Notification::new(ANA_NUMBER)
            .message(text(
                "wamid.S2",
                "otra cosa: no me llegan los pedidos",
                hours(2),
            ))
            .to_bytes(),
    )
    .await?;
    let tickets = w.tickets().await?;
    assert_eq!(tickets.len(), 2, "after a day of silence, a new request");
    let newest = id_of(&tickets[0]);
    let solved = w
        .api
        .patch(
            &format!("/api/v1/tickets/{newest}"),
            json!({"status": "solved"}),
        )
        .await?;
    assert_eq!(solved.status, StatusCode::OK, "{}", solved.json);
    w.receive(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.S3", "gracias, ya funciona. Una duda más", 60))
            .to_bytes(),
    )
    .await?;
    assert_eq!(
        w.tickets().await?.len(),
        3,
        "a solved ticket is not continued"
    );
    Ok(())
}
