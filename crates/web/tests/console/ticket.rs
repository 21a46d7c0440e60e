//! A ticket's page: what the request lacks and the agent's actions on it, HTML mail in its
//! sandbox, who else is on the ticket, the account panel, canned replies and merging.

use crate::{Desk, Page, TestResult, desk_of};
use axum::http::{StatusCode, header};
use soporte_core::support::Priority;
use soporte_core::ticket::MessageKind;

soporte_store::on_both_databases!(
    desk_of;
    the_ticket_page_shows_what_is_missing_and_takes_actions,
    html_mail_is_shown_sandboxed_with_its_inline_images,
    agents_see_who_else_is_on_a_ticket,
    the_account_panel_shows_its_people_and_other_requests,
    canned_replies_are_filled_in_for_the_ticket,
    a_request_written_twice_is_merged,
);

async fn the_ticket_page_shows_what_is_missing_and_takes_actions(desk: &Desk) -> TestResult {
    let id = desk
        .request(
            "No funciona",
            "No me funciona, ayuda <script>alert(1)</script>",
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&browser, &format!("/tickets/{}", id.0)).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("VND-"), "the number is shown");
    assert!(
        page.body
            .contains("li class=\"missing\" data-item=\"screenshot\"")
    );
    assert!(
        page.body.contains("<span class=\"timer\">quedan "),
        "the SLA timers count down: {}",
        page.body
    );
    assert!(
        !page.body.contains("<script>alert"),
        "customer text is escaped"
    );
    assert!(page.body.contains("script&#62;alert(1)") || page.body.contains("script&gt;alert(1)"));

    let draft = desk
        .get(&browser, &format!("/tickets/{}/missing-items-draft", id.0))
        .await?;
    assert!(
        draft.body.contains("capturas de pantalla"),
        "{}",
        draft.body
    );

    let reply = desk
        .post(
            &browser,
            &format!("/tickets/{}/messages", id.0),
            &[
                ("kind", "outbound"),
                ("body", "Hola Luis: ¿nos envía una captura?"),
            ],
        )
        .await?;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let call = desk
        .post(
            &browser,
            &format!("/tickets/{}/messages", id.0),
            &[
                ("kind", "call"),
                ("direction", "outgoing"),
                ("minutes", "4"),
                ("body", "Le expliqué cómo hacer la captura."),
            ],
        )
        .await?;
    assert_eq!(call.status, StatusCode::SEE_OTHER, "{}", call.body);
    let bad_call = desk
        .post(
            &browser,
            &format!("/tickets/{}/messages", id.0),
            &[("kind", "call"), ("direction", "sideways"), ("body", "x")],
        )
        .await?;
    assert_eq!(bad_call.status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = desk.get(&browser, &format!("/tickets/{}", id.0)).await?;
    assert!(page.body.contains("¿nos envía una captura?"));
    assert!(page.body.contains("Llamada: Saliente, 4 min"));
    let detail = desk
        .app
        .ticket_detail(&desk.principal("ana@vendomia.com").await?, id)
        .await?;
    let kinds: Vec<MessageKind> = detail.messages.iter().map(|m| m.kind).collect();
    assert!(kinds.contains(&MessageKind::Outbound) && kinds.contains(&MessageKind::Call));

    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let bruno_id = bruno.id.0.to_string();
    let saved = desk
        .post(
            &browser,
            &format!("/tickets/{}/properties", id.0),
            &[
                ("status", "pending"),
                ("priority", "urgent"),
                ("type", "technical"),
                ("assignee", &bruno_id),
            ],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let ticket = desk
        .app
        .ticket(&desk.principal("ana@vendomia.com").await?, id)
        .await?;
    assert_eq!(ticket.assignee_id, Some(bruno.id));
    assert_eq!(ticket.priority, Priority::Urgent);

    let missing = desk.get(&browser, "/tickets/999999").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    Ok(())
}

async fn html_mail_is_shown_sandboxed_with_its_inline_images(desk: &Desk) -> TestResult {
    // A 1x1 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let raw = format!(
        "From: Luis <luis@tienda.es>\r\nTo: soporte@vendomia.com\r\nSubject: Error con imagen\r\n\
Message-ID: <html-1@tienda.es>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>Mire: <img src=\"cid:shot@tienda.es\"> y <img src=\"https://tracker.example/p.gif\"></p>\
<script>alert(1)</script>\r\n\
--b\r\nContent-Type: image/png\r\nContent-ID: <shot@tienda.es>\r\nContent-Transfer-Encoding: base64\r\n\r\n{png}\r\n--b--\r\n"
    );
    let outcome = desk
        .app
        .intake_email(raw.as_bytes(), &soporte_app::email::IntakeSource::Api)
        .await?;
    let soporte_app::email::IntakeOutcome::Created {
        ticket_id,
        message_id,
        ..
    } = outcome
    else {
        return Err(format!("not taken in: {outcome:?}").into());
    };
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk
        .get(&browser, &format!("/tickets/{}", ticket_id.0))
        .await?;
    assert!(
        page.body
            .contains(&format!("src=\"/messages/{}/html\"", message_id.0))
    );
    assert!(page.body.contains("sandbox=\"allow-popups"));

    let html = desk
        .get(&browser, &format!("/messages/{}/html", message_id.0))
        .await?;
    assert_eq!(html.status, StatusCode::OK);
    assert!(!html.body.contains("<script"), "{}", html.body);
    assert!(
        html.body
            .contains("about:blank#remote-image=https://tracker.example/p.gif")
    );
    let policy = |p: &Page| {
        p.headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(policy(&html).contains("sandbox") && !policy(&html).contains("https:"));
    let inline = html
        .body
        .split("src=\"/attachments/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the inline image does not point at its attachment")?
        .to_string();
    let image = desk
        .get(&browser, &format!("/attachments/{inline}"))
        .await?;
    assert_eq!(
        image
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );

    let remote = desk
        .get(
            &browser,
            &format!("/messages/{}/html?remote=true", message_id.0),
        )
        .await?;
    assert!(
        remote
            .body
            .contains("src=\"https://tracker.example/p.gif\"")
    );
    assert!(policy(&remote).contains("https:"));
    Ok(())
}

async fn agents_see_who_else_is_on_a_ticket(desk: &Desk) -> TestResult {
    let id = desk.request("Duda", "¿Cómo cambio el logo?").await?;
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let path = format!("/tickets/{}/presence", id.0);
    let alone = desk.get(&ana, &path).await?;
    assert!(
        !alone.body.contains("presence"),
        "nobody else yet: {}",
        alone.body
    );
    desk.get(&bruno, &format!("{path}?replying=true")).await?;
    let warned = desk.get(&ana, &path).await?;
    assert!(warned.body.contains("Bruno Agente"), "{}", warned.body);
    assert!(warned.body.contains("escribiendo una respuesta"));
    let page = desk.get(&ana, &format!("/tickets/{}", id.0)).await?;
    assert!(page.body.contains("hx-get=\"/tickets/"));
    Ok(())
}

async fn the_account_panel_shows_its_people_and_other_requests(desk: &Desk) -> TestResult {
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    desk.app
        .create_account(&soporte_app::AccountInput {
            name: "Tienda Luis".into(),
            plan: Some("Pro".into()),
            email_domains: vec!["tienda.es".into()],
            personal_agent_id: Some(bruno.id),
            ..Default::default()
        })
        .await?;
    let older = desk
        .request("Cambio de dominio", "Quiero usar mi dominio.")
        .await?;
    let newer = desk
        .request("No carga la tienda", "Sale en blanco.")
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&browser, &format!("/tickets/{}", newer.0)).await?;
    assert!(page.body.contains("Tienda Luis"), "{}", page.body);
    assert!(page.body.contains("Bruno Agente"), "the personal agent");
    assert!(page.body.contains("luis@tienda.es"), "the account's people");
    assert!(
        page.body
            .contains(&format!("href=\"/tickets/{}\"", older.0)),
        "other requests"
    );
    Ok(())
}

async fn canned_replies_are_filled_in_for_the_ticket(desk: &Desk) -> TestResult {
    let id = desk
        .request("Factura de octubre", "¿Dónde está la factura?")
        .await?;
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let body = "Hola {{ name }}: sobre {{ number }} ({{ subject }}), le escribe {{ agent }}.";
    let refused = desk
        .post(
            &bruno,
            "/admin/canned",
            &[("title", "Saludo"), ("body", body)],
        )
        .await?;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "administrators keep them"
    );
    let broken = desk
        .post(
            &ana,
            "/admin/canned",
            &[("title", "Rota"), ("body", "Hola {{ name")],
        )
        .await?;
    assert_eq!(
        broken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a broken template is refused"
    );
    let saved = desk
        .post(
            &ana,
            "/admin/canned",
            &[("title", "Saludo"), ("body", body)],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    let canned = desk.app.canned_replies(&admin).await?;
    let saludo = canned.first().ok_or("not saved")?;

    let page = desk.get(&bruno, &format!("/tickets/{}", id.0)).await?;
    assert!(
        page.body.contains(">Saludo</option>"),
        "offered in the reply box"
    );
    let filled = desk
        .get(
            &bruno,
            &format!("/tickets/{}/canned?canned={}", id.0, saludo.id),
        )
        .await?;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(
        filled.body.contains("Hola Luis Pérez: sobre VND-")
            && filled
                .body
                .contains("(Factura de octubre), le escribe Bruno Agente."),
        "{}",
        filled.body
    );
    let gone = desk
        .post(
            &ana,
            &format!("/admin/canned/{}/delete", saludo.id),
            &[("title", ""), ("body", "")],
        )
        .await?;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(desk.app.canned_replies(&admin).await?.is_empty());
    Ok(())
}

async fn a_request_written_twice_is_merged(desk: &Desk) -> TestResult {
    let first = desk
        .request("No carga la tienda", "La tienda sale en blanco.")
        .await?;
    let again = desk
        .request(
            "Sigue sin cargar",
            "Les escribo otra vez: la tienda en blanco.",
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let merged = desk
        .post(
            &browser,
            &format!("/tickets/{}/merge", again.0),
            &[("target", &format!("VND-{:06}", first.0))],
        )
        .await?;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(merged.location, format!("/tickets/{}", first.0));
    let ana = desk.principal("ana@vendomia.com").await?;
    let target = desk.app.ticket_detail(&ana, first).await?;
    assert!(
        target
            .messages
            .iter()
            .any(|m| m.body_text.contains("otra vez")),
        "the second conversation joined the first"
    );
    let source = desk.app.ticket(&ana, again).await?;
    assert_eq!(source.status, soporte_core::ticket::Status::Closed);
    let found = desk.get(&browser, "/search?q=otra+vez").await?;
    assert!(
        found
            .body
            .contains(&format!("data-ticket-id=\"{}\"", first.0)),
        "search follows"
    );
    let page = desk.get(&browser, &format!("/tickets/{}", first.0)).await?;
    assert!(page.body.contains("Recibió la conversación de"));
    let itself = desk
        .post(
            &browser,
            &format!("/tickets/{}/merge", first.0),
            &[("target", &first.0.to_string())],
        )
        .await?;
    assert_eq!(itself.status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}
