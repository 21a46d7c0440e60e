//! The reply composer on a WhatsApp ticket: the window's countdown while it is open, and
//! template mode once it has closed.

use super::*;
use soporte_core::whatsapp::{TemplateParameter, WhatsAppTemplate};

pub(super) async fn composer_desk(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    let mut settings = WhatsAppSettings::new("token-de-verificacion", APP_SECRET);
    settings.templates = vec![WhatsAppTemplate {
        name: "seguimiento_solicitud".into(),
        language: "es".into(),
        parameters: vec![TemplateParameter::CustomerName, TemplateParameter::Message],
        body: Some("Hola {{1}}: {{2}}".into()),
    }];
    Desk::with_whatsapp(db, settings, ANA_NUMBER).await
}

pub(super) async fn after_24_hours_the_composer_only_sends_a_template(desk: &Desk) -> TestResult {
    desk.meta_sends(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.OLD", "¿cómo cambio el logo?", 25 * 3600))
            .to_bytes(),
    )
    .await?;
    let ticket = desk.ticket_of("wamid.OLD").await?;
    let path = format!("/tickets/{}", ticket.0);
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&browser, &path).await?;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(html.contains("wa-window closed"), "{html}");
    assert!(html.contains("solo admite una plantilla aprobada"));
    assert!(html.contains("<select name=\"whatsapp_template\" required>"));
    assert!(
        !html.contains("— Texto libre —"),
        "no free text once closed"
    );
    assert!(html.contains("Enviar plantilla"));

    let refused = desk
        .post(
            &browser,
            &format!("{path}/messages"),
            &[("kind", "outbound"), ("body", "Hola")],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::CONFLICT, "free text is refused");
    assert!(refused.body.contains("24 horas"), "{}", refused.body);

    let sent = desk
        .post(
            &browser,
            &format!("{path}/messages"),
            &[
                ("kind", "outbound"),
                ("whatsapp_template", "seguimiento_solicitud"),
                ("body", "ya puede cambiarlo en Diseño"),
            ],
        )
        .await?;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = desk.get(&browser, &path).await?;
    assert!(
        page.body
            .contains("Hola Luis Pérez: ya puede cambiarlo en Diseño"),
        "the ticket shows what the customer read"
    );
    Ok(())
}

pub(super) async fn while_the_window_is_open_the_composer_counts_it_down(
    desk: &Desk,
) -> TestResult {
    desk.meta_sends(
        &Notification::new(ANA_NUMBER)
            .message(text("wamid.NOW", "¿cómo cambio el logo?", 3600))
            .to_bytes(),
    )
    .await?;
    let ticket = desk.ticket_of("wamid.NOW").await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk
        .get(&browser, &format!("/tickets/{}", ticket.0))
        .await?;
    let html = &page.body;
    assert!(html.contains("wa-window open"), "{html}");
    assert!(
        html.contains("quedan 22 h 59 min") || html.contains("quedan 23 h 0 min"),
        "{html}"
    );
    assert!(
        html.contains("— Texto libre —"),
        "free text first, templates too"
    );
    assert!(
        html.contains("Enviar respuesta"),
        "free text is the default"
    );
    // An e-mail ticket has no window at all.
    let email = desk.request("Consulta", "¿Cómo cambio el logo?").await?;
    let page = desk.get(&browser, &format!("/tickets/{}", email.0)).await?;
    assert!(!page.body.contains("wa-window"));
    Ok(())
}
