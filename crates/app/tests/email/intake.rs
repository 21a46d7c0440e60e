//! Taking a message in: a new request and its acknowledgement, replies joining their
//! ticket, the same message twice, senders matched to accounts, closed tickets.

use crate::{Desk, FakeSmtp, TestResult, created, desk_of, mail};
use soporte_app::AccountInput;
use soporte_app::email::{IntakeOutcome, IntakeSource};
use soporte_core::ticket::Status;
use soporte_store::MailboxPosition;

soporte_store::on_both_databases!(
    desk_of;
    a_new_request_opens_a_ticket_and_is_acknowledged_once,
    replies_join_their_ticket_by_headers_or_number,
    the_same_message_twice_is_taken_once,
    senders_are_matched_to_accounts,
    replies_to_closed_tickets_open_new_ones,
    mail_from_a_host_without_a_dot_opens_a_ticket,
    raw_latin1_headers_make_a_readable_ticket,
);

async fn a_new_request_opens_a_ticket_and_is_acknowledged_once(desk: &Desk) -> TestResult {
    let raw = mail(
        "Luis Pérez <luis@tienda.es>",
        "first@tienda.es",
        "No puedo publicar la página",
        "Cc: marta@tienda.es\r\n",
        "En Sitios Web, al añadir un texto se añaden dos.\r\n\r\n-- \r\nLuis Pérez\r\nTienda SL",
    );
    let (ticket_id, new_ticket) = created(&desk.take(&raw).await?);
    assert!(new_ticket);
    let detail = desk.app.ticket_detail(&desk.admin, ticket_id).await?;
    assert_eq!(detail.ticket.subject, "No puedo publicar la página");
    let first = &detail.messages[0];
    assert_eq!(
        first.body_text,
        "En Sitios Web, al añadir un texto se añaden dos."
    );
    assert!(
        first
            .quoted_text
            .as_deref()
            .is_some_and(|q| q.contains("Tienda SL")),
        "signature kept apart"
    );
    assert_eq!(
        first.email.as_ref().map(|e| e.cc.clone()),
        Some(vec!["marta@tienda.es".to_string()])
    );
    assert_eq!(
        desk.app.original_email(&desk.admin, first.id).await?,
        raw.as_bytes(),
        "the original is kept byte for byte"
    );

    let smtp = FakeSmtp::default();
    assert_eq!(desk.deliver(&smtp).await?.sent, 1);
    let ack = smtp.sent();
    assert_eq!(ack.len(), 1);
    assert!(
        ack[0]
            .subject
            .starts_with(&format!("[{}]", detail.ticket.number)),
        "{}",
        ack[0].subject
    );
    assert_eq!(ack[0].in_reply_to, ["first@tienda.es"]);
    assert_eq!(ack[0].to[0].address, "luis@tienda.es");
    assert_eq!(
        ack[0].automatic,
        Some(soporte_core::email::AutomaticKind::AutoReply),
        "marked Auto-Submitted"
    );
    assert_eq!(desk.deliver(&smtp).await?.sent, 0, "nothing is sent twice");

    // A follow-up on the same ticket is not acknowledged again.
    let follow_up = mail(
        "luis@tienda.es",
        "second@tienda.es",
        "Re: No puedo publicar la página",
        "In-Reply-To: <first@tienda.es>\r\n",
        "Adjunto más datos.",
    );
    assert_eq!(created(&desk.take(&follow_up).await?), (ticket_id, false));
    assert_eq!(desk.deliver(&smtp).await?.sent, 0);
    Ok(())
}

async fn replies_join_their_ticket_by_headers_or_number(desk: &Desk) -> TestResult {
    let (ticket_id, _) = created(
        &desk
            .take(&mail(
                "luis@tienda.es",
                "a@tienda.es",
                "Factura",
                "",
                "Necesito la factura de octubre",
            ))
            .await?,
    );
    let number = desk.app.ticket(&desk.admin, ticket_id).await?.number;
    // Our acknowledgement's Message-ID is a thread id too: answering it joins the ticket.
    let smtp = FakeSmtp::default();
    desk.deliver(&smtp).await?;
    let ack_id = smtp
        .sent()
        .first()
        .and_then(|m| m.message_id.clone())
        .ok_or("no acknowledgement")?;
    let by_header = mail(
        "luis@tienda.es",
        "b@tienda.es",
        "Re: lo que sea",
        &format!("In-Reply-To: <{ack_id}>\r\nReferences: <a@tienda.es> <{ack_id}>\r\n"),
        "Gracias",
    );
    assert_eq!(created(&desk.take(&by_header).await?), (ticket_id, false));
    let by_references = mail(
        "otra@tienda.es",
        "c@tienda.es",
        "Re: otra cosa",
        "References: <unknown@x> <a@tienda.es>\r\n",
        "Yo también",
    );
    assert_eq!(
        created(&desk.take(&by_references).await?),
        (ticket_id, false)
    );
    let by_number = mail(
        "luis@tienda.es",
        "d@tienda.es",
        &format!("RE: [{number}] Factura"),
        "",
        "¿Alguna novedad?",
    );
    assert_eq!(created(&desk.take(&by_number).await?), (ticket_id, false));
    let unrelated = mail(
        "luis@tienda.es",
        "e@tienda.es",
        "Otra consulta",
        "",
        "¿Cómo cambio el logo?",
    );
    assert!(
        created(&desk.take(&unrelated).await?).1,
        "no thread, no number: a new ticket"
    );
    let messages = desk
        .app
        .ticket_detail(&desk.admin, ticket_id)
        .await?
        .messages;
    assert_eq!(
        messages.len(),
        5,
        "three from the customer and the acknowledgement"
    );
    Ok(())
}

async fn the_same_message_twice_is_taken_once(desk: &Desk) -> TestResult {
    let raw = mail(
        "luis@tienda.es",
        "dup@tienda.es",
        "Duda",
        "",
        "¿Cómo añado un producto?",
    );
    let first = desk.take(&raw).await?;
    let (ticket_id, _) = created(&first);
    match desk.take(&raw).await? {
        IntakeOutcome::Duplicate {
            ticket_id: again, ..
        } => assert_eq!(again, ticket_id),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    // Without a Message-ID the content identifies it.
    let no_id = "From: luis@tienda.es\r\nSubject: Sin id\r\n\r\nHola\r\n";
    let (t2, _) = created(&desk.take(no_id).await?);
    assert!(
        matches!(desk.take(no_id).await?, IntakeOutcome::Duplicate { ticket_id, .. } if ticket_id == t2)
    );
    // An IMAP position taken in once is skipped before parsing.
    let position = MailboxPosition {
        mailbox: "soporte".into(),
        uidvalidity: 7,
        uid: 42,
    };
    let other = mail("luis@tienda.es", "imap@tienda.es", "Por IMAP", "", "x");
    created(
        &desk
            .app
            .intake_email(other.as_bytes(), &IntakeSource::Imap(position.clone()))
            .await?,
    );
    assert_eq!(
        desk.app
            .intake_email(other.as_bytes(), &IntakeSource::Imap(position))
            .await?,
        IntakeOutcome::AlreadyTaken
    );
    let page = desk
        .app
        .list_tickets(&desk.admin, &soporte_app::TicketFilter::default())
        .await?;
    assert_eq!(page.items.len(), 3);
    Ok(())
}

async fn senders_are_matched_to_accounts(desk: &Desk) -> TestResult {
    let agent = desk.app.agent_by_email("ana@vendomia.com").await?;
    let account = desk
        .app
        .create_account(&AccountInput {
            name: "Tienda SL".into(),
            email_domains: vec!["tienda.es".into()],
            personal_agent_id: Some(agent.id),
            ..AccountInput::default()
        })
        .await?;
    let (ticket_id, _) = created(
        &desk
            .take(&mail(
                "Nueva <nueva@tienda.es>",
                "m1@tienda.es",
                "Alta de usuario",
                "",
                "Quiero dar de alta a un usuario",
            ))
            .await?,
    );
    let ticket = desk.app.ticket(&desk.admin, ticket_id).await?;
    assert_eq!(ticket.account_id, Some(account.id));
    assert_eq!(
        ticket.assignee_id,
        Some(agent.id),
        "the account's personal agent gets it"
    );
    let contact = desk.app.contact_by_email("nueva@tienda.es").await?;
    assert_eq!(
        (contact.name.as_str(), contact.account_id),
        ("Nueva", Some(account.id))
    );
    Ok(())
}

async fn replies_to_closed_tickets_open_new_ones(desk: &Desk) -> TestResult {
    let (ticket_id, _) = created(
        &desk
            .take(&mail("luis@tienda.es", "c1@tienda.es", "Hola", "", "x"))
            .await?,
    );
    for status in [Status::Solved, Status::Closed] {
        desk.app
            .update_ticket(
                &desk.admin,
                ticket_id,
                &soporte_app::TicketUpdate {
                    status: Some(status),
                    ..Default::default()
                },
            )
            .await?;
    }
    let late = mail(
        "luis@tienda.es",
        "c2@tienda.es",
        "Re: Hola",
        "In-Reply-To: <c1@tienda.es>\r\n",
        "Otra vez",
    );
    let (new_ticket, is_new) = created(&desk.take(&late).await?);
    assert!(is_new && new_ticket != ticket_id);
    Ok(())
}

/// `root@localhost` or `informes@intranet` (a server's cron, an in-house system) are valid
/// addresses: such mail is a request like any other, not a message without sender.
async fn mail_from_a_host_without_a_dot_opens_a_ticket(desk: &Desk) -> TestResult {
    let raw = mail(
        "Cron Daemon <root@intranet>",
        "cron-1@intranet",
        "Copia de seguridad fallida",
        "",
        "La copia de seguridad de la tienda ha fallado.",
    );
    let (ticket_id, new_ticket) = created(&desk.take(&raw).await?);
    assert!(new_ticket);
    let detail = desk.app.ticket_detail(&desk.admin, ticket_id).await?;
    assert_eq!(
        detail.messages[0]
            .email
            .as_ref()
            .and_then(|e| e.from.clone()),
        Some("Cron Daemon <root@intranet>".to_string())
    );
    assert!(desk.app.list_quarantine(&desk.admin).await?.is_empty());
    Ok(())
}

/// Older Outlook and Exchange write Latin-1 bytes in headers as they are, with no encoded
/// words: the ticket's subject and the requester's name are read, not replaced by U+FFFD.
async fn raw_latin1_headers_make_a_readable_ticket(desk: &Desk) -> TestResult {
    let raw = b"From: Jos\xe9 P\xe9rez <jose@tienda.es>\r\nTo: soporte@vendomia.com\r\n\
Subject: Factura n\xba 12 \x96 cobro duplicado\r\nMessage-ID: <latin1@tienda.es>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n\
Me han cobrado dos veces la factura n\xba 12.\r\n";
    let outcome = desk.app.intake_email(raw, &IntakeSource::Api).await?;
    let (ticket_id, _) = created(&outcome);
    let detail = desk.app.ticket_detail(&desk.admin, ticket_id).await?;
    assert_eq!(detail.ticket.subject, "Factura nº 12 – cobro duplicado");
    assert_eq!(
        detail.messages[0]
            .email
            .as_ref()
            .and_then(|e| e.from.clone()),
        Some("José Pérez <jose@tienda.es>".to_string())
    );
    assert_eq!(
        detail.messages[0].body_text,
        "Me han cobrado dos veces la factura nº 12."
    );
    Ok(())
}
