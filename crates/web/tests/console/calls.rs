//! The incoming-call card: pushed on the called agent's open console the moment the phone
//! system reports the call, with the caller, their account and open requests; recording
//! the call on a request, or on a new one, from it.

use super::*;
use soporte_app::{AccountInput, ContactInput, TicketUpdate};
use soporte_core::support::Priority;

const TOKEN: &str = "cti-0123456789abcdef0123456789";

soporte_store::on_both_databases!(
    phone_desk_of;
    the_called_agent_gets_the_card_at_once_and_nobody_else_does,
    the_card_shows_the_caller_account_open_requests_and_urgency,
    a_call_is_recorded_on_a_request_picked_from_the_card,
    an_unknown_caller_gets_a_new_phone_request_with_a_new_contact,
    a_missed_call_takes_its_card_away,
    a_call_placed_from_a_request_is_recorded_on_it,
);

struct PhoneDesk {
    desk: Desk,
    luis: soporte_core::ids::ContactId,
}

async fn phone_desk_of(db: &TestDb) -> Result<PhoneDesk, Box<dyn std::error::Error>> {
    let desk = Desk::with_phone(db, TOKEN).await?;
    let ana = desk.app.agent_by_email("ana@vendomia.com").await?;
    let account = desk
        .app
        .create_account(&AccountInput {
            name: "Tienda Pérez".into(),
            personal_agent_id: Some(ana.id),
            ..AccountInput::default()
        })
        .await?;
    let luis = desk
        .app
        .create_contact(&ContactInput {
            account_id: Some(account.id),
            name: "Luis Pérez".into(),
            emails: vec!["luis@tienda.es".into()],
            phones: vec!["600 111 222".into()],
            ..ContactInput::default()
        })
        .await?;
    Ok(PhoneDesk {
        desk,
        luis: luis.id,
    })
}

impl PhoneDesk {
    /// Posts one CTI event as the phone system does.
    async fn cti(&self, fields: &[(&str, &str)]) -> TestResult {
        let page = self
            .desk
            .send(
                "POST",
                &format!("/webhooks/cti/{TOKEN}"),
                None,
                Some(form(fields)),
                &[],
            )
            .await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        Ok(())
    }

    async fn ring(&self, call_id: &str, from: &str) -> TestResult {
        self.cti(&[
            ("event", "newCall"),
            ("from", from),
            ("to", "+34910000001"),
            ("direction", "in"),
            ("callId", call_id),
        ])
        .await
    }

    async fn call_id(&self, pbx_id: &str) -> Result<i64, Box<dyn std::error::Error>> {
        let admin = self.desk.principal("ana@vendomia.com").await?;
        let page = self
            .desk
            .app
            .list_calls(&admin, &soporte_app::phone::CallFilter::default())
            .await?;
        page.items
            .iter()
            .find(|c| c.record.call_id == pbx_id)
            .map(|c| c.id.0)
            .ok_or_else(|| format!("no call {pbx_id}").into())
    }
}

/// An open `/calls/events` stream, read event by event.
struct Stream {
    body: Body,
}

impl Stream {
    async fn open(desk: &Desk, b: &Browser) -> Result<Self, Box<dyn std::error::Error>> {
        let request = Request::builder()
            .uri("/calls/events")
            .header(header::HOST, "desk.test")
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())?;
        let response = desk.router.clone().oneshot(request).await?;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"))
        );
        Ok(Self {
            body: response.into_body(),
        })
    }

    /// The next event (name and data) within `wait`, skipping keep-alive comments.
    async fn next(&mut self, wait: std::time::Duration) -> Option<(String, String)> {
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
                if !data.is_empty() {
                    return Some((name, data.join("\n")));
                }
                continue;
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??
                .ok()?;
            if let Ok(bytes) = frame.into_data() {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn the_called_agent_gets_the_card_at_once_and_nobody_else_does(p: &PhoneDesk) -> TestResult {
    let ana = p.desk.log_in("ana@vendomia.com").await?;
    let bruno = p.desk.log_in("bruno@vendomia.com").await?;
    let mut anas = Stream::open(&p.desk, &ana).await?;
    let mut brunos = Stream::open(&p.desk, &bruno).await?;
    p.ring("c-1", "600 111 222").await?;
    let (name, card) = anas.next(WAIT).await.ok_or("no card reached Ana")?;
    assert_eq!(name, "call");
    assert!(card.contains("Llamada entrante"), "{card}");
    assert!(card.contains("sonando"), "{card}");
    assert!(
        card.contains("Luis Pérez") && card.contains("Tienda Pérez"),
        "{card}"
    );
    assert!(card.contains("href=\"tel:+34600111222\""), "{card}");
    assert!(card.contains("+34 600 111 222"), "{card}");
    // Bruno's line was not called.
    let theirs = brunos.next(std::time::Duration::from_millis(600)).await;
    assert!(theirs.is_none(), "{theirs:?}");

    // Answered: the card says so.
    p.cti(&[
        ("event", "answer"),
        ("direction", "in"),
        ("callId", "c-1"),
        ("answeringNumber", "ana@vendomia.com"),
    ])
    .await?;
    let (name, card) = anas.next(WAIT).await.ok_or("no update")?;
    assert_eq!(name, "call");
    assert!(card.contains("en curso"), "{card}");

    // A page opened during the call shows the card straight away.
    let mut later = Stream::open(&p.desk, &ana).await?;
    let (name, card) = later.next(WAIT).await.ok_or("no card on a new page")?;
    assert_eq!(name, "call");
    assert!(card.contains("Luis Pérez"));
    // Every page has the region the cards go in.
    let inbox = p.desk.get(&ana, "/inbox").await?;
    assert!(inbox.body.contains("id=\"calls\""), "{}", inbox.body);
    Ok(())
}

async fn the_card_shows_the_caller_account_open_requests_and_urgency(p: &PhoneDesk) -> TestResult {
    let calm = p
        .desk
        .request("Duda con el menú", "¿Dónde se cambia el menú?")
        .await?;
    let urgent = p
        .desk
        .request("No puedo cobrar", "La tienda no cobra")
        .await?;
    let admin = p.desk.principal("ana@vendomia.com").await?;
    p.desk
        .app
        .update_ticket(
            &admin,
            urgent,
            &TicketUpdate {
                priority: Some(Priority::Urgent),
                ..TicketUpdate::default()
            },
        )
        .await?;
    p.ring("c-2", "+34600111222").await?;
    let id = p.call_id("c-2").await?;
    let ana = p.desk.log_in("ana@vendomia.com").await?;
    let card = p.desk.get(&ana, &format!("/calls/{id}/card")).await?;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    let body = &card.body;
    assert!(
        body.contains("Duda con el menú") && body.contains("No puedo cobrar"),
        "{body}"
    );
    assert!(
        body.contains("Tiene una solicitud urgente abierta"),
        "{body}"
    );
    assert!(body.contains("Agente personal: Ana Agente"), "{body}");
    assert!(body.contains("En plazo"), "the SLA state is shown: {body}");
    assert!(body.contains(&format!("name=\"ticket\" value=\"{}\"", calm.0)));
    // Customers' sessions get nothing of it.
    let anonymous = p
        .desk
        .send("GET", &format!("/calls/{id}/card"), None, None, &[])
        .await?;
    assert_ne!(anonymous.status, StatusCode::OK);
    Ok(())
}

async fn a_call_is_recorded_on_a_request_picked_from_the_card(p: &PhoneDesk) -> TestResult {
    let ticket = p
        .desk
        .request("Factura de octubre", "No me llega la factura")
        .await?;
    p.ring("c-3", "600111222").await?;
    let id = p.call_id("c-3").await?;
    let ana = p.desk.log_in("ana@vendomia.com").await?;
    let recorded = p
        .desk
        .post(
            &ana,
            &format!("/calls/{id}/record"),
            &[("ticket", &ticket.0.to_string())],
        )
        .await?;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    assert_eq!(recorded.location, format!("/tickets/{}", ticket.0));
    let page = p.desk.get(&ana, &recorded.location).await?;
    assert!(
        page.body
            .contains("Llamada entrante de Luis Pérez (+34 600 111 222) a Ana Agente"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("action=\"/tickets/{}/dial\"", ticket.0))
            && page.body.contains("value=\"+34600111222\"")
            && page.body.contains(">+34 600 111 222</button>"),
        "the requester's number dials through Soporte: {}",
        page.body
    );
    let card = p.desk.get(&ana, &format!("/calls/{id}/card")).await?;
    assert!(card.body.contains("Registrada en"), "{}", card.body);
    // Recorded once: a second click (or a colleague's, on another request) opens the
    // request it is on.
    let other = p.desk.request("Otra cosa", "Otra consulta").await?;
    let again = p
        .desk
        .post(
            &ana,
            &format!("/calls/{id}/record"),
            &[("ticket", &other.0.to_string())],
        )
        .await?;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(again.location, format!("/tickets/{}", ticket.0));
    let messages = p.desk.app_store().ticket_messages(ticket).await?;
    let entries = messages
        .iter()
        .filter(|m| m.kind == soporte_core::ticket::MessageKind::Call)
        .count();
    assert_eq!(entries, 1);
    // Without the form's token, nothing.
    let forged = p
        .desk
        .send(
            "POST",
            &format!("/calls/{id}/record"),
            Some(&ana.cookie),
            Some(form(&[("ticket", &ticket.0.to_string())])),
            &[],
        )
        .await?;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    Ok(())
}

async fn an_unknown_caller_gets_a_new_phone_request_with_a_new_contact(
    p: &PhoneDesk,
) -> TestResult {
    p.ring("c-4", "699 000 111").await?;
    let id = p.call_id("c-4").await?;
    let ana = p.desk.log_in("ana@vendomia.com").await?;
    let card = p.desk.get(&ana, &format!("/calls/{id}/card")).await?;
    assert!(
        card.body.contains("Ningún contacto tiene este número."),
        "{}",
        card.body
    );
    let created = p
        .desk
        .post(&ana, &format!("/calls/{id}/record"), &[("new", "1")])
        .await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let ticket_id: i64 = created.location.trim_start_matches("/tickets/").parse()?;
    let store = p.desk.app_store();
    let ticket = store
        .ticket(TicketId(ticket_id))
        .await?
        .ok_or("no ticket")?;
    assert_eq!(ticket.channel, Channel::Phone);
    assert_eq!(ticket.subject, "Llamada de +34 699 000 111");
    let anas = p.desk.app.agent_by_email("ana@vendomia.com").await?;
    assert_eq!(
        ticket.assignee_id,
        Some(anas.id),
        "the called agent keeps it"
    );
    let requester = store
        .contact(ticket.requester_id)
        .await?
        .ok_or("no contact")?;
    assert_eq!(requester.phones, vec!["+34699000111".to_string()]);
    assert_ne!(requester.id, p.luis);
    let first = store.ticket_messages(ticket.id).await?;
    assert_eq!(first[0].kind, soporte_core::ticket::MessageKind::Call);
    // The next call from that number finds the new contact.
    p.ring("c-5", "+34699000111").await?;
    let next = p.call_id("c-5").await?;
    let card = p.desk.get(&ana, &format!("/calls/{next}/card")).await?;
    assert!(
        card.body.contains("Llamada de +34 699 000 111"),
        "{}",
        card.body
    );
    Ok(())
}

async fn a_missed_call_takes_its_card_away(p: &PhoneDesk) -> TestResult {
    let ana = p.desk.log_in("ana@vendomia.com").await?;
    let mut stream = Stream::open(&p.desk, &ana).await?;
    p.ring("c-6", "600111222").await?;
    let (name, _) = stream.next(WAIT).await.ok_or("no card")?;
    assert_eq!(name, "call");
    let id = p.call_id("c-6").await?;
    p.cti(&[
        ("event", "hangup"),
        ("direction", "in"),
        ("callId", "c-6"),
        ("cause", "cancel"),
    ])
    .await?;
    let (name, data) = stream.next(WAIT).await.ok_or("no removal")?;
    assert_eq!((name.as_str(), data), ("call-gone", id.to_string()));
    // Its call-back task waits in its own view.
    let view = p.desk.get(&ana, "/inbox?view=call_backs").await?;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains("Llamadas por devolver"), "{}", view.body);
    assert!(
        view.body.contains("Devolver llamada a Luis Pérez"),
        "{}",
        view.body
    );
    let all = p.desk.get(&ana, "/inbox?view=mine").await?;
    assert!(all.body.contains("href=\"/inbox?view=call_backs\""));
    Ok(())
}

async fn a_call_placed_from_a_request_is_recorded_on_it(p: &PhoneDesk) -> TestResult {
    let ticket = p
        .desk
        .request("Alta de usuario", "Necesito dar de alta a un empleado")
        .await?;
    let ana = p.desk.log_in("ana@vendomia.com").await?;
    let dialled = p
        .desk
        .post(
            &ana,
            &format!("/tickets/{}/dial", ticket.0),
            &[("number", "600 111 222")],
        )
        .await?;
    assert_eq!(dialled.status, StatusCode::SEE_OTHER, "{}", dialled.body);
    assert_eq!(dialled.location, "tel:+34600111222");
    let bad = p
        .desk
        .post(
            &ana,
            &format!("/tickets/{}/dial", ticket.0),
            &[("number", "201")],
        )
        .await?;
    assert_ne!(bad.status, StatusCode::SEE_OTHER);
    // The phone system reports Ana's outgoing call.
    let out = |event: &str| {
        vec![
            ("event", event.to_string()),
            ("direction", "out".to_string()),
            ("callId", "out-1".to_string()),
            ("from", "+34910000001".to_string()),
            ("to", "0034600111222".to_string()),
        ]
    };
    for (event, extra) in [
        ("newCall", None),
        ("answer", None),
        ("hangup", Some(("cause", "normalClearing"))),
    ] {
        let mut fields = out(event);
        if let Some((k, v)) = extra {
            fields.push((k, v.to_string()));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        p.cti(&fields).await?;
    }
    let id = p.call_id("out-1").await?;
    let admin = p.desk.principal("ana@vendomia.com").await?;
    let call = p
        .desk
        .app
        .call(&admin, soporte_core::ids::CallId(id))
        .await?;
    assert_eq!(
        call.ticket,
        Some(ticket),
        "recorded on the request it was placed from"
    );
    let page = p.desk.get(&ana, &format!("/tickets/{}", ticket.0)).await?;
    assert!(
        page.body
            .contains("Llamada de Ana Agente a Luis Pérez (+34 600 111 222). Duración"),
        "{}",
        page.body
    );
    // The intent is spent: the next call to the number is not recorded there.
    for event in ["newCall", "hangup"] {
        p.cti(&[
            ("event", event),
            ("direction", "out"),
            ("callId", "out-2"),
            ("from", "+34910000001"),
            ("to", "600111222"),
            ("cause", "cancel"),
        ])
        .await?;
    }
    let second = p.call_id("out-2").await?;
    let second = p
        .desk
        .app
        .call(&admin, soporte_core::ids::CallId(second))
        .await?;
    assert_eq!(second.ticket, None);
    Ok(())
}
