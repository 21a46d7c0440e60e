//! Following a request: the list in plain words, a request's conversation across
//! channels with when to expect an answer, and replying with files that are what they say.

use crate::{PNG, Portal, TestResult, portal_of};
use axum::http::{StatusCode, header};
use soporte_app::{MessageInput, TicketUpdate};
use soporte_core::ticket::{MessageKind, Status};

soporte_store::on_both_databases!(
    portal_of;
    the_list_says_in_plain_words_whose_turn_it_is,
    a_request_shows_its_conversation_and_when_to_expect_an_answer,
    a_reply_with_a_screenshot_joins_the_conversation,
    disguised_or_oversized_files_are_refused_and_nothing_is_written,
    a_customer_marks_a_request_solved_and_reopens_it_within_the_time,
);

async fn the_list_says_in_plain_words_whose_turn_it_is(portal: &Portal) -> TestResult {
    let (waiting, _) = portal
        .request_of(
            &portal.luis,
            "No puedo subir fotos",
            "En Tienda, al subir una foto da error.",
        )
        .await?;
    let (solved, solved_number) = portal
        .request_of(&portal.luis, "Cambio de plan", "Quiero pasar al plan Pro.")
        .await?;
    let agent = portal.agent().await?;
    portal
        .app
        .update_ticket(
            &agent,
            waiting,
            &TicketUpdate {
                status: Some(Status::Pending),
                ..TicketUpdate::default()
            },
        )
        .await?;
    portal
        .app
        .update_ticket(
            &agent,
            solved,
            &TicketUpdate {
                status: Some(Status::Solved),
                ..TicketUpdate::default()
            },
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let open = portal.get(Some(&luis), "/portal/requests").await?;
    assert!(open.body.contains("No puedo subir fotos"));
    assert!(
        open.body.contains("Esperando su respuesta"),
        "{}",
        open.body
    );
    assert!(open.body.contains("Le toca a usted"));
    assert!(
        !open.body.contains(&solved_number),
        "solved ones are in the other list"
    );
    let finished = portal
        .get(Some(&luis), "/portal/requests?closed=true")
        .await?;
    assert!(finished.body.contains(&solved_number));
    assert!(finished.body.contains("Resuelta"));
    assert!(finished.body.contains("Mis solicitudes"));

    // English on request, the same data.
    let english = portal
        .send(
            "GET",
            "/portal/requests",
            Some(&format!("{}; soporte_lang=en", luis.cookie)),
            None,
            &[],
        )
        .await?;
    assert!(
        english.body.contains("Waiting for your answer"),
        "{}",
        english.body
    );
    assert!(english.body.contains("lang=\"en\""));
    Ok(())
}

async fn a_request_shows_its_conversation_and_when_to_expect_an_answer(
    portal: &Portal,
) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "Error <b>al</b> guardar",
            "En Sitios Web, al guardar la página <script>alert(1)</script> sale un error.",
        )
        .await?;
    let agent = portal.agent().await?;
    portal
        .app
        .add_message(
            &agent,
            ticket,
            &MessageInput {
                kind: Some(MessageKind::Call),
                body: "Llamada: el cliente confirma que ocurre desde ayer.".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let page = portal
        .get(Some(&luis), &format!("/portal/requests/{number}"))
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "HTML in a request is shown as text: {}",
        page.body
    );
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(
        page.body
            .contains("Error &#60;b&#62;al&#60;/b&#62; guardar")
    );
    assert!(page.body.contains("Resumen de la llamada"));
    assert!(page.body.contains("el cliente confirma"));
    assert!(
        page.body.contains("Le responderemos"),
        "the SLA's promise: {}",
        page.body
    );
    assert!(page.body.contains("id=\"reply-form\""));
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    Ok(())
}

async fn a_reply_with_a_screenshot_joins_the_conversation(portal: &Portal) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "No se ve el logo",
            "En Sitios Web el logo no aparece.",
        )
        .await?;
    portal
        .app
        .update_ticket(
            &portal.agent().await?,
            ticket,
            &TicketUpdate {
                status: Some(Status::Pending),
                ..TicketUpdate::default()
            },
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let sent = portal
        .reply(
            &luis,
            &number,
            "Adjunto la captura: ocurre al abrir la portada.",
            &[("files", "captura.png", "application/octet-stream", PNG)],
        )
        .await?;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        sent.location,
        format!("/portal/requests/{number}?sent=true#reply")
    );
    let ticket_now = portal.store.ticket(ticket).await?.ok_or("gone")?;
    assert_eq!(
        ticket_now.status,
        Status::Open,
        "a request waiting for the customer goes back to support"
    );
    let messages = portal.store.ticket_messages(ticket).await?;
    let reply = messages.last().ok_or("no reply")?;
    assert_eq!(reply.kind, MessageKind::Inbound);
    assert_eq!(reply.channel, soporte_core::support::Channel::Portal);
    assert_eq!(reply.attachments.len(), 1);
    assert_eq!(
        reply.attachments[0].media_type, "image/png",
        "typed by its bytes"
    );
    let page = portal.get(Some(&luis), &sent.location).await?;
    assert!(page.body.contains("Respuesta enviada"));
    assert!(page.body.contains(&format!(
        "src=\"/portal/attachments/{}\"",
        reply.attachments[0].id.0
    )));
    let image = portal
        .get(
            Some(&luis),
            &format!("/portal/attachments/{}", reply.attachments[0].id.0),
        )
        .await?;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(
        image
            .headers
            .get(header::X_CONTENT_TYPE_OPTIONS)
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    Ok(())
}

async fn disguised_or_oversized_files_are_refused_and_nothing_is_written(
    portal: &Portal,
) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "Pedido duplicado",
            "En Tienda, el pedido 42 sale dos veces.",
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let before = portal.store.ticket_messages(ticket).await?.len();
    let disguised = portal
        .reply(
            &luis,
            &number,
            "Aquí va la captura",
            &[(
                "files",
                "captura.png",
                "image/png",
                b"<html><script>alert(1)</script>",
            )],
        )
        .await?;
    assert_eq!(disguised.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        disguised.body.contains("«captura.png» no es una imagen"),
        "{}",
        disguised.body
    );
    assert!(
        disguised.body.contains("Aquí va la captura"),
        "the text typed is kept"
    );
    let big = vec![0u8; soporte_app::portal::MAX_FILE_BYTES + 1];
    let oversized = portal
        .reply(
            &luis,
            &number,
            "Vídeo",
            &[("files", "video.png", "image/png", &big)],
        )
        .await?;
    assert_eq!(oversized.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        oversized.body.contains("10 MB"),
        "the limit is named: {}",
        oversized.body
    );
    let empty = portal.reply(&luis, &number, "   ", &[]).await?;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        portal.store.ticket_messages(ticket).await?.len(),
        before,
        "nothing was written"
    );
    Ok(())
}

async fn a_customer_marks_a_request_solved_and_reopens_it_within_the_time(
    portal: &Portal,
) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "Cambio de logo",
            "En Sitios Web quiero cambiar el logo.",
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let marta = portal.sign_in(&portal.marta).await?;
    let path = format!("/portal/requests/{number}");
    let others = portal
        .post(Some(&marta), &format!("{path}/solved"), &[])
        .await?;
    assert_eq!(others.status, StatusCode::NOT_FOUND, "only who may see it");
    let solved = portal
        .post(Some(&luis), &format!("{path}/solved"), &[])
        .await?;
    assert_eq!(solved.status, StatusCode::SEE_OTHER);
    let now = portal.store.ticket(ticket).await?.ok_or("gone")?;
    assert_eq!(now.status, Status::Solved);
    let events = portal.store.ticket_events(ticket).await?;
    assert!(
        events
            .iter()
            .any(|e| e.actor == soporte_core::ticket::Actor::Contact(portal.luis.id)),
        "the history says the customer did it"
    );
    let page = portal.get(Some(&luis), &solved.location).await?;
    assert!(
        page.body.contains("la hemos marcado como resuelta"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"reopen-form\""));
    assert!(
        !page.body.contains("id=\"reply-form\""),
        "a solved request is reopened, not answered"
    );

    let reopened = portal
        .post(Some(&luis), &format!("{path}/reopen"), &[])
        .await?;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    let now = portal.store.ticket(ticket).await?.ok_or("gone")?;
    assert_eq!(now.status, Status::Open);

    // Past the configured time, or once closed, it stays as it is.
    let mut old = now.clone();
    old.status = Status::Solved;
    old.solved_at = Some(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(8 * 24));
    assert!(!portal.app.may_reopen(&old, jiff::Timestamp::now()));
    old.solved_at = Some(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(6 * 24));
    assert!(portal.app.may_reopen(&old, jiff::Timestamp::now()));
    let agent = portal.agent().await?;
    for status in [Status::Solved, Status::Closed] {
        portal
            .app
            .update_ticket(
                &agent,
                ticket,
                &TicketUpdate {
                    status: Some(status),
                    ..TicketUpdate::default()
                },
            )
            .await?;
    }
    let refused = portal
        .post(Some(&luis), &format!("{path}/reopen"), &[])
        .await?;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.body.contains("ya no se puede reabrir"),
        "{}",
        refused.body
    );
    let closed = portal.store.ticket(ticket).await?.ok_or("gone")?;
    assert_eq!(closed.status, Status::Closed);
    Ok(())
}
