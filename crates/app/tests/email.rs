//! The e-mail channel's use cases, end to end through the store, on SQLite and PostgreSQL:
//! intake, threading, loop protection, bounces, quarantine and outbox delivery.

use async_trait::async_trait;
use soporte_app::email::{IntakeOutcome, IntakeSource, MailTransport, RawEmail, SendFailure};
use soporte_app::{
    AccountInput, AgentInput, App, AppSettings, MessageInput, Principal, TokenOwner,
};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::email::InboundEmail;
use soporte_core::ids::TicketId;
use soporte_core::ticket::{MessageKind, Status, TicketPrefix};
use soporte_store::testkit::TestDb;
use soporte_store::{DiskBlobStore, MailboxPosition};
use std::sync::{Arc, Mutex};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Records what would have been sent; fails the first `failures` attempts.
#[derive(Default)]
struct FakeSmtp {
    sent: Mutex<Vec<(Vec<String>, Vec<u8>)>>,
    failures: Mutex<usize>,
    permanent: bool,
}

#[async_trait]
impl MailTransport for FakeSmtp {
    async fn send(
        &self,
        _from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), SendFailure> {
        let mut failures = self.failures.lock().map_err(|_| SendFailure {
            permanent: true,
            message: "poisoned".into(),
        })?;
        if *failures > 0 {
            *failures -= 1;
            return Err(SendFailure {
                permanent: self.permanent,
                message: "421 try again later".into(),
            });
        }
        drop(failures);
        if let Ok(mut sent) = self.sent.lock() {
            sent.push((recipients.to_vec(), message.to_vec()));
        }
        Ok(())
    }
}

impl FakeSmtp {
    fn sent(&self) -> Vec<InboundEmail> {
        self.sent
            .lock()
            .map(|s| {
                s.iter()
                    .filter_map(|(_, bytes)| soporte_mail::parse(bytes).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

struct Desk {
    app: App,
    admin: Principal,
    _blobs: tempfile::TempDir,
}

impl Desk {
    async fn new(db: &TestDb) -> Result<Self, Box<dyn std::error::Error>> {
        Self::configured(db, |_| {}).await
    }

    async fn configured(
        db: &TestDb,
        adjust: impl FnOnce(&mut AppSettings),
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let blobs = tempfile::tempdir()?;
        let mut settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        );
        settings.email.retry_base = jiff::SignedDuration::ZERO;
        adjust(&mut settings);
        let app = App::new(
            db.store.clone(),
            Arc::new(DiskBlobStore::new(blobs.path())?),
            settings,
        )
        .with_mail(Arc::new(soporte_mail::MimeCodec));
        let agent = app
            .create_agent(&AgentInput {
                email: "ana@vendomia.com".into(),
                name: "Ana".into(),
                role: Some(Role::Admin),
                ..AgentInput::default()
            })
            .await?;
        let token = app
            .issue_token(TokenOwner::Agent(agent.id), TokenScope::Admin, "")
            .await?;
        let admin = app.authenticate(&token.plaintext).await?;
        Ok(Self {
            app,
            admin,
            _blobs: blobs,
        })
    }

    async fn take(&self, raw: &str) -> Result<IntakeOutcome, Box<dyn std::error::Error>> {
        Ok(self
            .app
            .intake_email(raw.as_bytes(), &IntakeSource::Api)
            .await?)
    }

    async fn deliver(
        &self,
        smtp: &FakeSmtp,
    ) -> Result<soporte_app::email::DeliveryReport, Box<dyn std::error::Error>> {
        Ok(self.app.deliver_outbox(smtp, 100).await?)
    }
}

fn created(outcome: &IntakeOutcome) -> (TicketId, bool) {
    match outcome {
        IntakeOutcome::Created {
            ticket_id,
            new_ticket,
            ..
        } => (*ticket_id, *new_ticket),
        other => panic!("expected a created message, got {other:?}"),
    }
}

fn mail(from: &str, id: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: Soporte <soporte@vendomia.com>\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
Date: Tue, 3 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n{extra_headers}\r\n{body}\r\n"
    )
}

async fn desk_of(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    Desk::new(db).await
}

soporte_store::on_both_databases!(
    desk_of;
    a_new_request_opens_a_ticket_and_is_acknowledged_once,
    replies_join_their_ticket_by_headers_or_number,
    the_same_message_twice_is_taken_once,
    robots_are_kept_but_never_answered,
    answers_per_sender_are_limited,
    bounces_mark_the_reply_failed,
    unreadable_mail_is_quarantined,
    agent_replies_go_out_threaded,
    delivery_retries_and_gives_up,
    senders_are_matched_to_accounts,
    replies_to_closed_tickets_open_new_ones,
    an_import_keeps_threads_in_order_across_lanes,
    an_import_in_many_lanes_settles_each_message_once,
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
                attachments: vec![],
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
                attachments: vec![],
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
                attachments: vec![],
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
