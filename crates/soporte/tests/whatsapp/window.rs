//! The 24-hour customer-service window: free text inside it, only an approved template
//! (with parameters Meta takes) after it.

use super::super::*;

pub async fn after_24_hours_only_a_checked_template_goes_out(desk: &Desk) -> TestResult {
    // The customer last wrote 25 hours ago.
    desk.receive(&from_customer(text(
        "wamid.OLD",
        "¿Cómo cambio el logo de la web?",
        25 * 3600,
    )))
    .await?;
    desk.settle().await?;
    desk.deliver_all().await?;
    assert!(
        desk.graph.sent().is_empty(),
        "no acknowledgement outside the window"
    );
    let ticket = desk.ticket().await?;
    let id = ticket["id"].as_i64().ok_or("no id")?;
    let path = format!("/api/v1/tickets/{id}/messages");
    let closed_at: jiff::Timestamp = ticket["whatsapp_window_closes_at"]
        .as_str()
        .ok_or("the window's end is shown")?
        .parse()?;
    assert!(closed_at < jiff::Timestamp::now(), "closed an hour ago");

    let free = desk.post(&path, json!({"body": "Hola Luis"})).await?;
    assert_eq!(free.status, StatusCode::CONFLICT, "{}", free.json);
    assert_eq!(free.json["code"], "whatsapp_window_closed");
    assert!(
        free.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("24 hours")),
        "{}",
        free.json
    );

    let unknown = desk
        .post(
            &path,
            json!({"body": "x", "whatsapp_template": "no_existe"}),
        )
        .await?;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json["code"], "whatsapp_template_unknown");

    for bad in ["Dos\nlíneas", "Cinco     espacios", ""] {
        let refused = desk
            .post(
                &path,
                json!({"body": bad, "whatsapp_template": "seguimiento_solicitud"}),
            )
            .await?;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert_eq!(refused.json["code"], "whatsapp_template_invalid", "{bad:?}");
    }
    assert_eq!(
        desk.ticket().await?["messages"].as_array().map(Vec::len),
        Some(1),
        "nothing refused was kept"
    );

    let template = desk
        .post(
            &path,
            json!({"body": "ya puede cambiar el logo en Diseño > Cabecera",
                   "whatsapp_template": "seguimiento_solicitud"}),
        )
        .await?;
    assert_eq!(template.status, StatusCode::CREATED, "{}", template.json);
    let number = ticket["number"].as_str().ok_or("no number")?;
    assert_eq!(
        template.json["message"]["text"],
        format!(
            "Hola Luis Pérez, sobre su solicitud {number}: ya puede cambiar el logo en Diseño > Cabecera"
        )
    );
    desk.deliver_all().await?;
    let sends = desk.graph.sent();
    assert_eq!(sends.len(), 1);
    let body = &sends[0].body;
    assert_eq!(body["type"], "template");
    assert_eq!(body["template"]["name"], "seguimiento_solicitud");
    assert_eq!(body["template"]["language"]["code"], "es");
    let parameters: Vec<&str> = body["template"]["components"][0]["parameters"]
        .as_array()
        .map(|p| p.iter().filter_map(|v| v["text"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        parameters,
        [
            "Luis Pérez",
            number,
            "ya puede cambiar el logo en Diseño > Cabecera"
        ]
    );

    // The customer answers: the window opens again and free text is allowed.
    desk.receive(&from_customer(text("wamid.NEW", "¡Gracias!", 2)))
        .await?;
    let free = desk.post(&path, json!({"body": "De nada"})).await?;
    assert_eq!(free.status, StatusCode::CREATED, "{}", free.json);
    let open_until: jiff::Timestamp = desk.ticket().await?["whatsapp_window_closes_at"]
        .as_str()
        .ok_or("the window's end is shown")?
        .parse()?;
    assert!(open_until > jiff::Timestamp::now() + SignedDuration::from_hours(23));
    Ok(())
}
