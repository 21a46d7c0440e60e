//! WhatsApp in the console as an agent meets it: a WhatsApp ticket read as a chat (each
//! type shown as what it is, replies, reactions, edits, deletions, delivery ticks), the
//! channel of every ticket in the inbox, and the channel's numbers and health on the
//! agents page.

use crate::{Desk, TestResult};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use soporte_app::whatsapp::WhatsAppSettings;
use soporte_app::{MessageInput, Upload};
use soporte_core::email::Delivery;
use soporte_core::ids::TicketId;
use soporte_core::support::Channel;
use soporte_core::ticket::{Actor, MessageKind};
use soporte_core::whatsapp::DeliveryError;
use soporte_store::testkit::TestDb;
use soporte_store::{MessageExtra, NewMessage, NewWhatsAppMessage};
use soporte_whatsapp::payload::{Body as Notification, MessageBuilder};
use tower::ServiceExt;

const APP_SECRET: &str = "secreto-de-la-app-meta";
/// Ana's business number, as Meta names it.
const ANA_NUMBER: &str = "106540352242922";
const CUSTOMER: &str = "34600111222";

async fn whatsapp_desk(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    Desk::with_whatsapp(
        db,
        WhatsAppSettings::new("token-de-verificacion", APP_SECRET),
        ANA_NUMBER,
    )
    .await
}

mod composer;

mod composing {
    use super::composer::*;
    soporte_store::on_both_databases!(
        composer_desk;
        after_24_hours_the_composer_only_sends_a_template,
        while_the_window_is_open_the_composer_counts_it_down,
    );
}

soporte_store::on_both_databases!(
    whatsapp_desk;
    a_whatsapp_ticket_reads_as_a_chat,
    outgoing_messages_show_how_far_they_got,
    the_inbox_shows_each_tickets_channel,
    the_agents_page_shows_the_numbers_and_the_channels_health,
);

/// Seconds since the epoch, `ago` seconds before now: Meta's timestamps.
fn unix(ago: i64) -> i64 {
    jiff::Timestamp::now().as_second() - ago
}

fn text(wamid: &str, body: &str, ago: i64) -> MessageBuilder {
    MessageBuilder::text(CUSTOMER, body)
        .id(wamid)
        .name("Luis Pérez")
        .timestamp(unix(ago))
}

impl Desk {
    /// POSTs `body` to the webhook signed as Meta signs it, and lets the intake take it in.
    async fn meta_sends(&self, body: &[u8]) -> TestResult {
        let request = Request::builder()
            .method("POST")
            .uri("/webhooks/whatsapp")
            .header(header::HOST, "desk.test")
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                "X-Hub-Signature-256",
                soporte_whatsapp::sign(APP_SECRET.as_bytes(), body),
            )
            .body(Body::from(body.to_vec()))?;
        let response = self.router.clone().oneshot(request).await?;
        assert_eq!(response.status(), StatusCode::OK);
        while self.app.take_in_whatsapp(64).await? > 0 {}
        Ok(())
    }

    /// The ticket a customer's message went to.
    async fn ticket_of(&self, wamid: &str) -> Result<TicketId, Box<dyn std::error::Error>> {
        let (ticket, _) = self
            .app_store()
            .whatsapp_message(wamid)
            .await?
            .ok_or("no such WhatsApp message")?;
        Ok(ticket)
    }

    /// An answer Ana sent by WhatsApp, recorded as the sending records it.
    async fn sent_by_ana(
        &self,
        ticket: TicketId,
        wamid: &str,
        text: &str,
        reply_to: Option<&str>,
    ) -> TestResult {
        let ana = self.app.agent_by_email("ana@vendomia.com").await?;
        let new = NewMessage {
            kind: MessageKind::Outbound,
            author: Actor::Agent(ana.id),
            channel: Channel::Whatsapp,
            body_text: text.into(),
            body_html: None,
            channel_message_id: Some(wamid.into()),
            attachments: vec![],
            extra: MessageExtra {
                delivery: Some(Delivery::Queued),
                whatsapp: Some(NewWhatsAppMessage {
                    wamid: Some(wamid.into()),
                    phone_number_id: ANA_NUMBER.into(),
                    wa_id: CUSTOMER.into(),
                    content_type: "text".into(),
                    content: serde_json::Value::Null,
                    reply_to: reply_to.map(str::to_string),
                    forwarded: false,
                    frequently_forwarded: false,
                    sent_at: jiff::Timestamp::now(),
                    media: vec![],
                    conversation: None,
                }),
                ..MessageExtra::default()
            },
        };
        self.app_store().add_message(ticket, &new).await?;
        Ok(())
    }
}

/// Markup as the browser reads it back into text (what askama escapes, unescaped).
fn unescaped(html: &str) -> String {
    [
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(html.to_string(), |text, (entity, c)| {
        text.replace(entity, c)
    })
}

/// The bubble (`<article class="bubble …">…</article>`) of the page that contains
/// `needle`.
fn bubble<'a>(page: &'a str, needle: &str) -> &'a str {
    page.split("<article class=\"bubble")
        .skip(1)
        .map(|rest| rest.split("</article>").next().unwrap_or_default())
        .find(|b| b.contains(needle))
        .unwrap_or_else(|| panic!("no bubble with {needle:?} in {page}"))
}

async fn a_whatsapp_ticket_reads_as_a_chat(desk: &Desk) -> TestResult {
    let body = Notification::new(ANA_NUMBER)
        .message(text(
            "wamid.T1",
            "hola, no puedo publicar mi tienda <script>alert('x')</script>",
            300,
        ))
        .message(
            MessageBuilder::image(CUSTOMER, "1001", "image/jpeg", "c2hhMjU2")
                .caption("me sale este error")
                .id("wamid.IMG")
                .timestamp(unix(290)),
        )
        .raw_message(json!({
            "from": CUSTOMER, "id": "wamid.LOC", "timestamp": unix(280).to_string(),
            "type": "location",
            "location": {"latitude": 40.4168, "longitude": -3.7038,
                         "name": "Puerta del Sol", "address": "Madrid"},
        }))
        .message(
            MessageBuilder::contacts(CUSTOMER, &[("Marta Gil", "+34 600 222 333")])
                .id("wamid.CARD")
                .timestamp(unix(270)),
        )
        .message(
            MessageBuilder::button_reply(CUSTOMER, "si", "Sí, sigue pasando")
                .id("wamid.BTN")
                .timestamp(unix(260)),
        )
        .message(
            MessageBuilder::order(
                CUSTOMER,
                "cat-1",
                "para la tienda",
                &[("SKU-1", 2, 9.5, "EUR")],
            )
            .id("wamid.ORDER")
            .timestamp(unix(250)),
        )
        .message(
            MessageBuilder::unknown_type(CUSTOMER, "poll")
                .id("wamid.POLL")
                .timestamp(unix(240)),
        )
        .message(
            text("wamid.QUOTE", "¿esto te sirve?", 230)
                .reply_to("wamid.T1")
                .forwarded(),
        )
        .message(text("wamid.OLD", "sigo igual", 220).reply_to("wamid.GONE"))
        .message(text("wamid.DEL", "mensaje equivocado", 215))
        .to_bytes();
    desk.meta_sends(&body).await?;
    let changes = Notification::new(ANA_NUMBER)
        .message(
            MessageBuilder::reaction(CUSTOMER, "wamid.T1", Some("🙏"))
                .id("wamid.R1")
                .timestamp(unix(200)),
        )
        .message(
            MessageBuilder::edit(CUSTOMER, "wamid.OLD", "sigo igual, ya lo he probado todo")
                .id("wamid.E1")
                .timestamp(unix(190)),
        )
        .message(
            MessageBuilder::revoke(CUSTOMER, "wamid.DEL")
                .id("wamid.D1")
                .timestamp(unix(180)),
        )
        .to_bytes();
    desk.meta_sends(&changes).await?;
    let ticket = desk.ticket_of("wamid.T1").await?;
    // Ana answers with a voice note, and leaves a note for the team.
    let ana = desk.principal("ana@vendomia.com").await?;
    desk.app
        .add_message(
            &ana,
            ticket,
            &MessageInput {
                kind: Some(MessageKind::Outbound),
                body: "Le explico en esta nota de voz".into(),
                attachments: vec![Upload {
                    filename: "explicacion.ogg".into(),
                    media_type: "audio/ogg".into(),
                    bytes: b"OggS\0\x02 una nota de voz".to_vec(),
                }],
                ..MessageInput::default()
            },
        )
        .await?;
    desk.app
        .add_message(
            &ana,
            ticket,
            &MessageInput {
                kind: Some(MessageKind::Note),
                body: "Revisar su plan antes de contestar".into(),
                ..MessageInput::default()
            },
        )
        .await?;

    let browser = desk.log_in("bruno@vendomia.com").await?;
    let page = desk
        .get(&browser, &format!("/tickets/{}", ticket.0))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert_eq!(html.matches("<article class=\"bubble theirs").count(), 10);
    assert_eq!(html.matches("<article class=\"bubble ours").count(), 1);

    // What the customer typed is text, never markup.
    let first = bubble(html, "hola, no puedo publicar");
    assert!(!html.contains("<script>alert("), "{html}");
    assert!(
        unescaped(first).contains("mi tienda <script>alert('x')</script>"),
        "{first}"
    );
    assert!(first.contains("Luis Pérez"), "the customer's name: {first}");
    // The reaction, and who put it there.
    assert!(first.contains("<ul class=\"reactions\""), "{first}");
    assert!(first.contains("🙏"), "{first}");
    assert!(
        first.contains("title=\"Luis Pérez (+34600111222)\""),
        "{first}"
    );

    let image = bubble(html, "me sale este error");
    assert!(image.contains("Imagen"), "{image}");
    assert!(image.contains("Descargando…"), "{image}");
    assert!(!image.contains("<img"), "nothing to show yet: {image}");

    let location = bubble(html, "Puerta del Sol");
    assert!(
        unescaped(location).contains(
            "<a class=\"map\" href=\"https://www.openstreetmap.org/?mlat=40.4168&mlon=-3.7038#map=17/40.4168/-3.7038\""
        ),
        "{location}"
    );
    assert!(location.contains("Puerta del Sol, Madrid"), "{location}");

    let card = bubble(html, "Marta Gil");
    assert!(card.contains("Contacto compartido"), "{card}");
    assert!(
        card.contains("<a href=\"tel:+34600222333\">+34 600 222 333</a>"),
        "{card}"
    );

    let choice = bubble(html, "Sí, sigue pasando");
    assert!(choice.contains("Respuesta elegida"), "{choice}");
    let order = bubble(html, "SKU-1");
    assert!(
        order.contains("Pedido") && order.contains("SKU-1 × 2 — 9.50 EUR"),
        "{order}"
    );

    let poll = bubble(html, "data-type=\"poll\"");
    assert!(
        poll.contains("Mensaje de un tipo que Soporte no muestra: poll"),
        "{poll}"
    );
    assert!(poll.contains("<details class=\"raw\">"), "{poll}");
    assert!(
        !poll.contains("\"type\"") && unescaped(poll).contains("\"type\": \"poll\""),
        "the raw JSON, escaped: {poll}"
    );

    // A reply quotes the message it answers, and links to it.
    let (_, t1) = desk
        .app_store()
        .whatsapp_message("wamid.T1")
        .await?
        .ok_or("no T1")?;
    let quote = bubble(html, "¿esto te sirve?");
    assert!(quote.contains("class=\"reply-quote\""), "{quote}");
    assert!(
        quote.contains(&format!("href=\"#message-{}\"", t1.0)),
        "{quote}"
    );
    assert!(
        quote.contains("hola, no puedo publicar mi tienda"),
        "{quote}"
    );
    assert!(quote.contains("Reenviado"), "{quote}");
    // One answering a message this ticket does not have says so.
    let old = bubble(html, "sigo igual");
    assert!(old.contains("respuesta a un mensaje anterior"), "{old}");
    // The edit: the latest text, marked, with the history at hand.
    assert!(old.contains("sigo igual, ya lo he probado todo"), "{old}");
    assert!(old.contains("<details class=\"versions\">"), "{old}");
    assert!(old.contains("editado"), "{old}");
    assert!(
        !old.contains("no se conserva"),
        "the text as first received is among the versions: {old}"
    );

    let deleted = bubble(html, "mensaje equivocado");
    assert!(deleted.contains("eliminado por el cliente"), "{deleted}");
    assert!(deleted.contains("<s>mensaje equivocado</s>"), "{deleted}");
    assert!(deleted.starts_with(" theirs revoked"), "{deleted}");

    // Ana's voice note plays in the page; her note to the team stays a note.
    let ours = bubble(html, "Le explico en esta nota de voz");
    assert!(ours.starts_with(" ours"), "{ours}");
    assert!(ours.contains("<audio controls"), "{ours}");
    assert!(ours.contains("src=\"/attachments/"), "{ours}");
    assert!(ours.contains("Ana Agente"), "{ours}");
    let note_at = html
        .find("Revisar su plan antes de contestar")
        .ok_or("no note")?;
    let note_article = html[..note_at]
        .rfind("<article")
        .map(|at| &html[at..note_at])
        .ok_or("no article")?;
    assert!(
        note_article.starts_with("<article class=\"message note\""),
        "{note_article}"
    );

    // An e-mail ticket reads as it always did.
    let email = desk
        .request("No llega la factura", "¿Me la reenvían?")
        .await?;
    let page = desk.get(&browser, &format!("/tickets/{}", email.0)).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("class=\"bubble"), "{}", page.body);
    assert!(page.body.contains("<article class=\"message inbound\""));
    Ok(())
}

async fn outgoing_messages_show_how_far_they_got(desk: &Desk) -> TestResult {
    desk.meta_sends(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.IN", "¿me llamáis?", 600))
            .to_bytes(),
    )
    .await?;
    let ticket = desk.ticket_of("wamid.IN").await?;
    desk.sent_by_ana(ticket, "wamid.OUT-READ", "Le llamo ahora", Some("wamid.IN"))
        .await?;
    desk.sent_by_ana(ticket, "wamid.OUT-FAIL", "¿Sigue ahí?", None)
        .await?;
    desk.sent_by_ana(ticket, "wamid.OUT-DELIVERED", "Quedo atento", None)
        .await?;
    desk.sent_by_ana(ticket, "wamid.OUT-QUEUED", "Un momento", None)
        .await?;
    let store = desk.app_store();
    let now = jiff::Timestamp::now();
    for status in [Delivery::Sent, Delivery::Delivered, Delivery::Read] {
        store
            .whatsapp_delivery_report("wamid.OUT-READ", status, None, now)
            .await?;
    }
    store
        .whatsapp_delivery_report("wamid.OUT-DELIVERED", Delivery::Delivered, None, now)
        .await?;
    let error = DeliveryError {
        code: 131047,
        reason: "Han pasado más de 24 horas desde el último mensaje del cliente".into(),
    };
    store
        .whatsapp_delivery_report("wamid.OUT-FAIL", Delivery::Failed, Some(&error), now)
        .await?;

    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk
        .get(&browser, &format!("/tickets/{}", ticket.0))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;

    let read = bubble(html, "Le llamo ahora");
    assert!(read.starts_with(" ours"), "{read}");
    assert!(
        read.contains("class=\"tick read\" title=\"Leído\""),
        "{read}"
    );
    assert!(read.contains("✓✓"), "{read}");
    assert!(read.contains("¿me llamáis?"), "the quoted question: {read}");
    let delivered = bubble(html, "Quedo atento");
    assert!(
        delivered.contains("class=\"tick delivered\" title=\"Entregado\""),
        "{delivered}"
    );
    let queued = bubble(html, "Un momento");
    assert!(queued.contains("class=\"tick queued\""), "{queued}");
    assert!(
        queued.contains("<span class=\"visually-hidden\">En cola</span>"),
        "{queued}"
    );

    let failed = bubble(html, "¿Sigue ahí?");
    let why = "No entregado: Han pasado más de 24 horas desde el último mensaje del cliente (código 131047)";
    assert!(
        failed.contains(&format!("class=\"tick failed\" title=\"{why}\"")),
        "the mark's tooltip: {failed}"
    );
    assert!(
        failed.contains(&format!("<p class=\"failure\">{why}</p>")),
        "the reason in words, for the eye and for screen readers: {failed}"
    );
    // The customer's own message has no ticks.
    let theirs = bubble(html, "data-type=\"text\"");
    assert!(theirs.starts_with(" theirs"), "{theirs}");
    assert!(!theirs.contains("class=\"tick"), "{theirs}");
    Ok(())
}

async fn the_inbox_shows_each_tickets_channel(desk: &Desk) -> TestResult {
    desk.meta_sends(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.INBOX", "hola, tengo una duda", 60))
            .to_bytes(),
    )
    .await?;
    let whatsapp = desk.ticket_of("wamid.INBOX").await?;
    let email = desk
        .request("No llega la factura", "¿Me la reenvían?")
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&browser, "/inbox?view=all").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let row = |id: TicketId| -> Result<&str, Box<dyn std::error::Error>> {
        let at = page
            .body
            .find(&format!("data-ticket-id=\"{}\"", id.0))
            .ok_or("no row")?;
        let rest = &page.body[at..];
        Ok(&rest[..rest.find("</tr>").ok_or("no row end")?])
    };
    let row_whatsapp = row(whatsapp)?;
    assert!(
        row_whatsapp.contains("class=\"channel ch-whatsapp\" title=\"WhatsApp\""),
        "{row_whatsapp}"
    );
    assert!(
        row_whatsapp.contains("<span class=\"visually-hidden\">WhatsApp</span>"),
        "{row_whatsapp}"
    );
    let row_email = row(email)?;
    assert!(
        row_email.contains("class=\"channel ch-email\" title=\"Correo\""),
        "{row_email}"
    );
    assert!(
        row_email.contains("<span class=\"visually-hidden\">Correo</span>"),
        "{row_email}"
    );
    Ok(())
}

async fn the_agents_page_shows_the_numbers_and_the_channels_health(desk: &Desk) -> TestResult {
    let browser = desk.log_in("ana@vendomia.com").await?;
    let health = |body: &str| -> String {
        body.split("<section id=\"whatsapp-health\"")
            .nth(1)
            .and_then(|rest| rest.split("</section>").next())
            .unwrap_or_default()
            .to_string()
    };
    let page = desk.get(&browser, "/admin/agents").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let ana = desk.app.agent_by_email("ana@vendomia.com").await?;
    let row = page
        .body
        .split(&format!("<tr id=\"agent-{}\"", ana.id.0))
        .nth(1)
        .and_then(|rest| rest.split("<td colspan").next())
        .unwrap_or_default();
    assert!(row.contains("class=\"whatsapp\""), "{row}");
    assert!(
        row.contains(ana.whatsapp.as_deref().unwrap_or("no number")),
        "{row}"
    );
    assert!(row.contains(ANA_NUMBER), "{row}");
    let quiet = health(&page.body);
    assert!(quiet.contains("Último evento recibido"), "{quiet}");
    assert!(quiet.contains("Nunca"), "{quiet}");
    assert!(quiet.contains("Funciona"), "{quiet}");
    assert!(!quiet.contains("Reconectar"), "{quiet}");

    desk.meta_sends(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.H1", "hola", 5))
            .to_bytes(),
    )
    .await?;
    let store = desk.app_store();
    store
        .record_whatsapp_health(
            None,
            Some(("El token de acceso ha caducado", Some(190))),
            jiff::Timestamp::now(),
        )
        .await?;
    let page = desk.get(&browser, "/admin/agents").await?;
    let expired = health(&page.body);
    assert!(!expired.contains("Nunca"), "an event came: {expired}");
    assert!(expired.contains("Reconectar"), "{expired}");
    assert!(
        expired.contains("access_token") && expired.contains("access_token_file"),
        "{expired}"
    );
    assert!(expired.contains("reinicie el servidor"), "{expired}");
    assert!(
        expired.contains("El token de acceso ha caducado</span> (código 190)"),
        "{expired}"
    );
    assert!(expired.contains("<dd>0</dd>"), "nothing waiting: {expired}");

    // Another error afterwards is shown as it is, without asking to reconnect.
    store
        .record_whatsapp_health(
            None,
            Some(("El número no está registrado", Some(133010))),
            jiff::Timestamp::now(),
        )
        .await?;
    let page = desk.get(&browser, "/admin/agents").await?;
    let other = health(&page.body);
    assert!(other.contains("(código 133010)"), "{other}");
    assert!(!other.contains("Reconectar"), "{other}");

    // The health is for administrators only.
    let bruno = desk.principal("bruno@vendomia.com").await?;
    assert!(desk.app.whatsapp_health(&bruno).await.is_err());
    let admin = desk.principal("ana@vendomia.com").await?;
    assert!(desk.app.whatsapp_health(&admin).await?.is_some());

    // Without a [whatsapp] section, the page says the channel is not there.
    let db = soporte_store::testkit::sqlite().await?;
    let plain = Desk::new(&db).await?;
    let admin = plain.principal("ana@vendomia.com").await?;
    assert!(plain.app.whatsapp_health(&admin).await?.is_none());
    let browser = plain.log_in("ana@vendomia.com").await?;
    let page = plain.get(&browser, "/admin/agents").await?;
    let off = health(&page.body);
    assert!(off.contains("Canal de WhatsApp no configurado"), "{off}");
    assert!(!off.contains("Último evento recibido"), "{off}");
    db.cleanup().await;
    Ok(())
}
