//! Importing past mail: history that is never answered, and threads kept in order across
//! the import's lanes, each message settled once.

use crate::{Desk, FakeSmtp, TestResult, created, desk_of, mail};
use soporte_app::email::{IntakeOutcome, IntakeSource, RawEmail};
use soporte_core::ids::TicketId;
use soporte_core::ticket::Status;

soporte_store::on_both_databases!(
    desk_of;
    an_import_keeps_threads_in_order_across_lanes,
    an_import_in_many_lanes_settles_each_message_once,
);

#[tokio::test]
async fn imported_history_is_not_answered() -> TestResult {
    let db = soporte_store::testkit::sqlite().await?;
    let desk = Desk::new(&db).await?;
    let old = mail(
        "luis@tienda.es",
        "old@tienda.es",
        "URGENTE: la tienda no carga",
        "",
        "No puedo vender nada, es urgente.",
    );
    let outcome = desk
        .app
        .intake_email(
            old.as_bytes(),
            &IntakeSource::Import("archivo.mbox#1".into()),
        )
        .await?;
    let (ticket_id, new_ticket) = created(&outcome);
    assert!(new_ticket, "the ticket is created");
    assert_eq!(
        desk.deliver(&FakeSmtp::default()).await?.sent,
        0,
        "but nobody is e-mailed about old mail, urgent or not"
    );
    let ticket = desk.app.ticket(&desk.admin, ticket_id).await?;
    assert_eq!(
        ticket.priority,
        soporte_core::support::Priority::Urgent,
        "it is still classified"
    );
    assert_eq!(
        ticket.policy.sla.first_response_due, None,
        "history has no SLA clock"
    );
    assert_eq!(ticket.policy.sla.next_check_at, None);
    assert_eq!(
        desk.app
            .check_sla(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30))
            .await?,
        0
    );
    Ok(())
}

/// The import pipeline parses ahead and commits in several lanes; a reply that follows the
/// message it answers at once must still join that message's ticket, and every outcome is
/// reported exactly once with its index.
async fn an_import_keeps_threads_in_order_across_lanes(desk: &Desk) -> TestResult {
    let mut emails = Vec::new();
    for thread in 0..12 {
        let first = format!("t{thread}-0@tienda.es");
        emails.push(mail(
            &format!("cliente{thread}@tienda.es"),
            &first,
            &format!("Pedido {thread} sin enviar"),
            "",
            "El pedido no sale del almacén desde ayer.",
        ));
        // Each reply answers the previous message of its thread, right after it.
        for reply in 1..4 {
            let previous = format!("t{thread}-{}@tienda.es", reply - 1);
            emails.push(mail(
                &format!("cliente{thread}@tienda.es"),
                &format!("t{thread}-{reply}@tienda.es"),
                &format!("Re: Pedido {thread} sin enviar"),
                &format!("In-Reply-To: <{previous}>\r\nReferences: <{first}> <{previous}>\r\n"),
                "Sigue igual.",
            ));
        }
    }
    let items = emails
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            (
                format!("{i}.eml"),
                RawEmail::Bytes(raw.clone().into_bytes()),
            )
        })
        .collect();
    let mut outcomes: Vec<Option<Result<(TicketId, bool), String>>> = vec![None; emails.len()];
    desk.app
        .import_emails(items, 8, 3, |i, _, outcome, _| {
            assert!(outcomes[i].is_none(), "message {i} reported twice");
            outcomes[i] = Some(outcome.map(|o| created(&o)).map_err(|e| e.to_string()));
        })
        .await?;
    for thread in 0..12 {
        let at = thread * 4;
        let Some(Ok((ticket, true))) = outcomes[at] else {
            panic!(
                "the first message of thread {thread} opened no ticket: {:?}",
                outcomes[at]
            );
        };
        for reply in 1..4 {
            assert_eq!(
                outcomes[at + reply]
                    .as_ref()
                    .map(|o| o.as_ref().ok().copied()),
                Some(Some((ticket, false))),
                "reply {reply} of thread {thread}"
            );
        }
    }
    Ok(())
}

/// Many lanes, so that messages of one moment are committed together (on SQLite, in one
/// group): a message repeated right after itself is taken once and its copy reported as a
/// duplicate of the same ticket, a reply right after what it answers joins that ticket, a
/// reply to a closed ticket (refused by the store in the middle of a group) opens a new
/// one, and a message without sender is quarantined, none of it disturbing the others.
async fn an_import_in_many_lanes_settles_each_message_once(desk: &Desk) -> TestResult {
    let (closed, _) = created(
        &desk
            .take(&mail(
                "ines@tienda.es",
                "old-0@tienda.es",
                "Pedido antiguo",
                "",
                "x",
            ))
            .await?,
    );
    for status in [Status::Solved, Status::Closed] {
        desk.app
            .update_ticket(
                &desk.admin,
                closed,
                &soporte_app::TicketUpdate {
                    status: Some(status),
                    ..Default::default()
                },
            )
            .await?;
    }
    const THREADS: usize = 10;
    let mut emails = Vec::new();
    for thread in 0..THREADS {
        let first = mail(
            &format!("cliente{thread}@tienda.es"),
            &format!("m{thread}-0@tienda.es"),
            &format!("Factura {thread} duplicada"),
            "",
            "Me han cobrado dos veces.",
        );
        emails.push(first.clone());
        emails.push(first);
        emails.push(mail(
            &format!("cliente{thread}@tienda.es"),
            &format!("m{thread}-1@tienda.es"),
            &format!("Re: Factura {thread} duplicada"),
            &format!("In-Reply-To: <m{thread}-0@tienda.es>\r\n"),
            "¿Alguna novedad?",
        ));
        if thread == THREADS / 2 {
            emails.push(mail(
                "ines@tienda.es",
                "old-1@tienda.es",
                "Re: Pedido antiguo",
                "In-Reply-To: <old-0@tienda.es>\r\n",
                "Vuelve a pasar.",
            ));
            emails.push("Subject: sin remitente\r\n\r\nHola\r\n".to_string());
        }
    }
    let items = emails
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            (
                format!("{i}.eml"),
                RawEmail::Bytes(raw.clone().into_bytes()),
            )
        })
        .collect();
    let mut outcomes: Vec<Option<IntakeOutcome>> = vec![None; emails.len()];
    let mut failures = Vec::new();
    desk.app
        .import_emails(items, 32, 16, |i, _, outcome, _| {
            assert!(outcomes[i].is_none(), "message {i} reported twice");
            match outcome {
                Ok(outcome) => outcomes[i] = Some(outcome),
                Err(e) => failures.push(format!("{i}: {e}")),
            }
        })
        .await?;
    assert!(failures.is_empty(), "{failures:?}");
    let mut at = 0;
    for thread in 0..THREADS {
        // Whichever copy committed first made the ticket; the other is its duplicate.
        let ticket = match (&outcomes[at], &outcomes[at + 1]) {
            (
                Some(IntakeOutcome::Created {
                    ticket_id,
                    new_ticket: true,
                    ..
                }),
                Some(IntakeOutcome::Duplicate {
                    ticket_id: again, ..
                }),
            )
            | (
                Some(IntakeOutcome::Duplicate {
                    ticket_id: again, ..
                }),
                Some(IntakeOutcome::Created {
                    ticket_id,
                    new_ticket: true,
                    ..
                }),
            ) if again == ticket_id => *ticket_id,
            other => {
                panic!("thread {thread}: one ticket and one duplicate expected, got {other:?}")
            }
        };
        assert_eq!(
            outcomes[at + 2].as_ref().map(created),
            Some((ticket, false)),
            "the reply of thread {thread}"
        );
        at += 3;
        if thread == THREADS / 2 {
            let Some((reopened, is_new)) = outcomes[at].as_ref().map(created) else {
                panic!("the reply to the closed ticket was not reported");
            };
            assert!(
                is_new && reopened != closed,
                "a reply to a closed ticket opens a new one"
            );
            assert!(matches!(
                outcomes[at + 1],
                Some(IntakeOutcome::Quarantined { .. })
            ));
            at += 2;
        }
    }
    let page = desk
        .app
        .list_tickets(
            &desk.admin,
            &soporte_app::TicketFilter {
                limit: Some(100),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(page.items.len(), 1 + THREADS + 1);
    Ok(())
}
