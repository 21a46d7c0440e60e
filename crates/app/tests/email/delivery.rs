//! Mail going out: agents' replies threaded for the customer's client, retries, and
//! bounces that mark a reply failed.

use crate::{Desk, FakeSmtp, TestResult, created, desk_of, mail};
use soporte_app::MessageInput;
use soporte_core::ticket::{MessageKind, Status};
use std::sync::Mutex;

soporte_store::on_both_databases!(
    desk_of;
    bounces_mark_the_reply_failed,
    agent_replies_go_out_threaded,
    delivery_retries_and_gives_up,
);

async fn bounces_mark_the_reply_failed(desk: &Desk) -> TestResult {
    let (ticket_id, _) = created(
        &desk
            .take(&mail(
                "nadie@tienda.es",
                "orig@tienda.es",
                "Hola",
                "",
                "Consulta",
            ))
            .await?,
    );
    let (_, reply) = desk
        .app
        .add_message(
            &desk.admin,
            ticket_id,
            &MessageInput {
                kind: Some(MessageKind::Outbound),
                body: "Respuesta".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    let reply_id = reply
        .channel_message_id
        .clone()
        .ok_or("reply has no Message-ID")?;
    let smtp = FakeSmtp::default();
    desk.deliver(&smtp).await?;
    let bounce = format!(
        "From: MAILER-DAEMON@mx.tienda.es\r\nTo: soporte@vendomia.com\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nNo existe el buzón.\r\n\
--b\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; nadie@tienda.es\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{reply_id}>\r\nSubject: Re: Hola\r\n\r\n--b--\r\n"
    );
    assert_eq!(
        created(&desk.take(&bounce).await?),
        (ticket_id, false),
        "the bounce joins the ticket of the bounced reply"
    );
    let messages = desk
        .app
        .ticket_detail(&desk.admin, ticket_id)
        .await?
        .messages;
    let reply = messages
        .iter()
        .find(|m| m.kind == MessageKind::Outbound && m.automatic.is_none())
        .ok_or("reply missing")?;
    assert_eq!(reply.delivery, Some(soporte_core::email::Delivery::Failed));
    assert_eq!(
        messages.last().and_then(|m| m.automatic),
        Some(soporte_core::email::AutomaticKind::Bounce)
    );
    assert_eq!(
        desk.deliver(&smtp).await?.sent,
        0,
        "bounces are never answered"
    );
    Ok(())
}

async fn agent_replies_go_out_threaded(desk: &Desk) -> TestResult {
    let (ticket_id, _) = created(
        &desk
            .take(&mail(
                "Luis <luis@tienda.es>",
                "q1@tienda.es",
                "Duda con la tienda",
                "",
                "¿Cómo añado un producto?",
            ))
            .await?,
    );
    let smtp = FakeSmtp::default();
    desk.deliver(&smtp).await?;
    desk.take(&mail(
        "luis@tienda.es",
        "q2@tienda.es",
        "Re: Duda con la tienda",
        "In-Reply-To: <q1@tienda.es>\r\n",
        "Sigo sin verlo",
    ))
    .await?;
    let (ticket, reply) = desk
        .app
        .add_message(
            &desk.admin,
            ticket_id,
            &MessageInput {
                kind: None,
                body: "Hola Luis, en Tienda > Productos > Añadir.".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    assert_eq!(ticket.status, Status::Open);
    assert_eq!(reply.delivery, Some(soporte_core::email::Delivery::Queued));
    desk.app
        .add_message(
            &desk.admin,
            ticket_id,
            &MessageInput {
                kind: Some(MessageKind::Note),
                body: "nota interna".into(),
                ..MessageInput::default()
            },
        )
        .await?;
    assert_eq!(desk.deliver(&smtp).await?.sent, 1, "notes are not e-mailed");
    let sent = smtp.sent();
    let out = sent.last().ok_or("nothing sent")?;
    assert_eq!(
        out.subject,
        format!("[{}] Re: Duda con la tienda", ticket.number)
    );
    assert_eq!(
        out.in_reply_to,
        ["q2@tienda.es"],
        "answers the customer's last message"
    );
    assert!(out.references.contains(&"q1@tienda.es".to_string()));
    assert!(
        out.full_text
            .starts_with("Hola Luis, en Tienda > Productos > Añadir."),
        "{}",
        out.full_text
    );
    assert_eq!(out.automatic, None);
    let messages = desk
        .app
        .ticket_detail(&desk.admin, ticket_id)
        .await?
        .messages;
    let stored = messages
        .iter()
        .find(|m| m.kind == MessageKind::Outbound && m.automatic.is_none())
        .ok_or("reply missing")?;
    assert_eq!(stored.delivery, Some(soporte_core::email::Delivery::Sent));
    assert_eq!(stored.channel_message_id, out.message_id);
    Ok(())
}

async fn delivery_retries_and_gives_up(desk: &Desk) -> TestResult {
    desk.take(&mail("luis@tienda.es", "r1@tienda.es", "Hola", "", "x"))
        .await?;
    let flaky = FakeSmtp {
        failures: Mutex::new(2),
        ..FakeSmtp::default()
    };
    assert_eq!(desk.deliver(&flaky).await?.retried, 1);
    assert_eq!(desk.deliver(&flaky).await?.retried, 1);
    assert_eq!(
        desk.deliver(&flaky).await?.sent,
        1,
        "delivered on the third attempt"
    );
    assert_eq!(flaky.sent().len(), 1, "and only once");

    desk.take(&mail("otro@tienda.es", "r2@tienda.es", "Hola", "", "x"))
        .await?;
    let refusing = FakeSmtp {
        failures: Mutex::new(1),
        permanent: true,
        ..FakeSmtp::default()
    };
    assert_eq!(
        desk.deliver(&refusing).await?.dead,
        1,
        "a permanent refusal is not retried"
    );
    let dead = desk.app.list_outbox(&desk.admin, Some("dead")).await?;
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("421"))
    );
    Ok(())
}
