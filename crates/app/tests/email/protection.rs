//! What intake guards against: answering robots, answering one sender too often, and
//! losing mail it cannot read, which is quarantined instead.

use crate::{Desk, FakeSmtp, TestResult, created, desk_of, mail};
use soporte_app::email::IntakeOutcome;
use soporte_core::ticket::Status;

soporte_store::on_both_databases!(
    desk_of;
    robots_are_kept_but_never_answered,
    vendor_headers_mark_robots_and_senders_who_want_no_answer,
    answers_per_sender_are_limited,
    unreadable_mail_is_quarantined,
);

async fn robots_are_kept_but_never_answered(desk: &Desk) -> TestResult {
    let smtp = FakeSmtp::default();
    let (ticket_id, _) = created(
        &desk
            .take(&mail(
                "luis@tienda.es",
                "t1@tienda.es",
                "Error",
                "",
                "Falla el pago",
            ))
            .await?,
    );
    desk.deliver(&smtp).await?;
    desk.app
        .update_ticket(
            &desk.admin,
            ticket_id,
            &soporte_app::TicketUpdate {
                status: Some(Status::Pending),
                ..Default::default()
            },
        )
        .await?;
    let out_of_office = mail(
        "luis@tienda.es",
        "ooo@tienda.es",
        "Respuesta automática: Error",
        "Auto-Submitted: auto-replied\r\nIn-Reply-To: <t1@tienda.es>\r\n",
        "Estoy de vacaciones",
    );
    assert_eq!(
        created(&desk.take(&out_of_office).await?),
        (ticket_id, false)
    );
    let ticket = desk.app.ticket(&desk.admin, ticket_id).await?;
    assert_eq!(
        ticket.status,
        Status::Pending,
        "an out-of-office does not reopen the ticket"
    );
    let detail = desk.app.ticket_detail(&desk.admin, ticket_id).await?;
    assert_eq!(
        detail.messages[1].automatic,
        Some(soporte_core::email::AutomaticKind::AutoReply)
    );

    for (id, headers, from) in [
        ("bulk@x", "Precedence: bulk\r\n", "news@tienda.es"),
        (
            "list@x",
            "List-Id: <clientes.tienda.es>\r\n",
            "lista@tienda.es",
        ),
        (
            "auto@x",
            "Auto-Submitted: auto-generated\r\n",
            "robot@tienda.es",
        ),
        ("daemon@x", "", "MAILER-DAEMON@tienda.es"),
        ("self@x", "", "soporte@vendomia.com"),
    ] {
        let outcome = desk
            .take(&mail(from, id, "Aviso", headers, "texto"))
            .await?;
        assert!(
            matches!(
                outcome,
                IntakeOutcome::Created { .. } | IntakeOutcome::Quarantined { .. }
            ),
            "{from}: {outcome:?}"
        );
    }
    assert_eq!(
        desk.deliver(&smtp).await?.sent,
        0,
        "no automatic answer to automatic mail"
    );
    Ok(())
}

/// An Exchange out-of-office carries no `Auto-Submitted`, only Microsoft's headers, and its
/// subject is in the recipient's language: it must still not reopen a ticket waiting on the
/// customer. Mail whose sender asks for no automatic answers gets none.
async fn vendor_headers_mark_robots_and_senders_who_want_no_answer(desk: &Desk) -> TestResult {
    let smtp = FakeSmtp::default();
    let (ticket_id, _) = created(
        &desk
            .take(&mail(
                "giulia@negozio.it",
                "t1@negozio.it",
                "Errore nel pagamento",
                "",
                "Il pagamento non funziona",
            ))
            .await?,
    );
    assert_eq!(
        desk.deliver(&smtp).await?.sent,
        1,
        "the request is acknowledged"
    );
    desk.app
        .update_ticket(
            &desk.admin,
            ticket_id,
            &soporte_app::TicketUpdate {
                status: Some(Status::Pending),
                ..Default::default()
            },
        )
        .await?;
    let out_of_office = mail(
        "giulia@negozio.it",
        "oof@negozio.it",
        "Risposta automatica: Errore nel pagamento",
        "X-Auto-Response-Suppress: All\r\nX-MS-Exchange-Inbox-Rules-Loop: giulia@negozio.it\r\n\
In-Reply-To: <t1@negozio.it>\r\n",
        "Sono fuori ufficio fino al 3 novembre.",
    );
    assert_eq!(
        created(&desk.take(&out_of_office).await?),
        (ticket_id, false)
    );
    assert_eq!(
        desk.app.ticket(&desk.admin, ticket_id).await?.status,
        Status::Pending,
        "an Exchange out-of-office does not reopen the ticket"
    );
    let detail = desk.app.ticket_detail(&desk.admin, ticket_id).await?;
    assert_eq!(
        detail.messages[1].automatic,
        Some(soporte_core::email::AutomaticKind::AutoReply)
    );

    let (other, new_ticket) = created(
        &desk
            .take(&mail(
                "marco@negozio.it",
                "t2@negozio.it",
                "Domanda",
                "X-Auto-Response-Suppress: OOF, AutoReply\r\n",
                "Come si cambia il logo?",
            ))
            .await?,
    );
    assert!(new_ticket);
    let detail = desk.app.ticket_detail(&desk.admin, other).await?;
    assert_eq!(detail.messages[0].automatic, None, "a person wrote it");
    // Outlook and Exchange put these on mail people write: the customer still hears back
    // with the ticket number and what is missing, as Zammad does.
    assert_eq!(
        desk.deliver(&smtp).await?.sent,
        1,
        "a person's request is acknowledged whatever their mail client asks of robots"
    );
    Ok(())
}

async fn answers_per_sender_are_limited(desk: &Desk) -> TestResult {
    for i in 0..8 {
        desk.take(&mail(
            "insistente@tienda.es",
            &format!("n{i}@tienda.es"),
            &format!("Consulta {i}"),
            "",
            "Hola",
        ))
        .await?;
    }
    let smtp = FakeSmtp::default();
    assert_eq!(
        desk.deliver(&smtp).await?.sent,
        5,
        "at most 5 automatic answers per sender per hour"
    );
    Ok(())
}

async fn unreadable_mail_is_quarantined(desk: &Desk) -> TestResult {
    assert!(matches!(
        desk.take("").await?,
        IntakeOutcome::Quarantined { .. }
    ));
    let no_from = "Subject: sin remitente\r\nMessage-ID: <nofrom@x>\r\n\r\nhola\r\n";
    match desk.take(no_from).await? {
        IntakeOutcome::Quarantined { reason, .. } => assert!(reason.contains("From"), "{reason}"),
        other => panic!("expected quarantine, got {other:?}"),
    }
    let quarantined = desk.app.list_quarantine(&desk.admin).await?;
    assert_eq!(quarantined.len(), 2);
    assert!(
        quarantined.iter().all(|q| !q.raw_sha256.is_empty()),
        "the bytes are kept"
    );
    Ok(())
}

#[tokio::test]
async fn oversized_mail_is_quarantined_not_dropped() -> TestResult {
    let db = soporte_store::testkit::sqlite().await?;
    let desk = Desk::configured(&db, |s| s.email.max_message_bytes = 10_000).await?;
    let big = mail(
        "luis@tienda.es",
        "big@tienda.es",
        "Vídeo del error",
        "",
        &"x".repeat(20_000),
    );
    match desk.take(&big).await? {
        IntakeOutcome::Quarantined { reason, .. } => {
            assert!(reason.contains("exceeds"), "{reason}")
        }
        other => panic!("expected quarantine, got {other:?}"),
    }
    let kept = desk.app.list_quarantine(&desk.admin).await?;
    assert_eq!(kept.first().map(|q| q.size), Some(big.len() as i64));
    Ok(())
}
