//! Tickets: their life from creation to closing, the filtered and paged list, and their
//! attachments.

use crate::{Api, TestResult, api_of, assert_problem, id};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

soporte_store::on_both_databases!(
    api_of;
    ticket_lifecycle_is_recorded,
    listing_filters_and_pages_with_a_cursor,
    attachments_are_stored_and_served,
    a_requester_name_with_line_breaks_still_gets_its_acknowledgement,
    lists_a_client_sends_are_bounded,
);

async fn ticket_lifecycle_is_recorded(api: &Api) -> TestResult {
    let created = api
        .post("/api/v1/tickets", json!({"subject": "Se duplican los textos", "body": "En Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado un elemento de texto se añaden dos.", "requester_email": "luis@tienda.es", "type": "technical", "channel": "email"}))
        .await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let t = id(&created);
    assert_eq!(created.json["number"], format!("VND-{t:06}"));
    assert_eq!(created.json["status"], "new");
    assert_eq!(created.json["type"], "technical");

    let detail = api.get(&format!("/api/v1/tickets/{t}")).await?;
    assert_eq!(detail.json["messages"][0]["kind"], "inbound");
    assert!(
        detail.json["messages"][0]["text"]
            .as_str()
            .is_some_and(|s| s.contains("Política de Garantía"))
    );

    let opened = api.patch(&format!("/api/v1/tickets/{t}"), json!({"status": "open", "priority": "urgent", "tags": ["Sitios-Web"], "type": "usage"})).await?;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.json);
    assert_eq!(opened.json["tags"], json!(["sitios-web"]));
    let refused = api
        .patch(
            &format!("/api/v1/tickets/{t}"),
            json!({"status": "new", "priority": "normal"}),
        )
        .await?;
    assert_problem(&refused, StatusCode::CONFLICT, "invalid_transition");
    assert_eq!(
        api.get(&format!("/api/v1/tickets/{t}")).await?.json["priority"],
        "urgent",
        "refused edit changed nothing"
    );

    let note = api
        .post(
            &format!("/api/v1/tickets/{t}/messages"),
            json!({"kind": "note", "body": "Reproducido en staging"}),
        )
        .await?;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.json);
    let reply = api
        .post(
            &format!("/api/v1/tickets/{t}/messages"),
            json!({"body": "Lo estamos corrigiendo."}),
        )
        .await?;
    assert_eq!(reply.json["message"]["kind"], "outbound");

    let events = api.get(&format!("/api/v1/tickets/{t}/events")).await?;
    let by_people: Vec<&str> = events
        .json
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["actor"]["kind"] == "agent")
        .filter_map(|e| e["change"]["kind"].as_str())
        .collect();
    assert_eq!(
        by_people,
        [
            "created",
            "type_changed",
            "priority_changed",
            "tags_changed",
            "status_changed",
            "message_added",
            "message_added"
        ]
    );
    let by_policy: Vec<&str> = events
        .json
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["actor"]["kind"] == "system")
        .filter_map(|e| e["change"]["kind"].as_str())
        .collect();
    for expected in [
        "checklist_evaluated",
        "sla_due_changed",
        "sla_state_changed",
    ] {
        assert!(by_policy.contains(&expected), "{expected} in {by_policy:?}");
    }

    for status in ["solved", "closed"] {
        assert_eq!(
            api.patch(&format!("/api/v1/tickets/{t}"), json!({"status": status}))
                .await?
                .status,
            StatusCode::OK
        );
    }
    let late = api
        .post(
            &format!("/api/v1/tickets/{t}/messages"),
            json!({"body": "¿Sigue ahí?"}),
        )
        .await?;
    assert_problem(&late, StatusCode::CONFLICT, "ticket_closed");
    Ok(())
}

async fn listing_filters_and_pages_with_a_cursor(api: &Api) -> TestResult {
    let mut created = Vec::new();
    for i in 0..7 {
        let channel = if i % 2 == 0 { "email" } else { "whatsapp" };
        created.push(id(&api.post("/api/v1/tickets", json!({"subject": format!("T{i}"), "body": "x", "requester_email": "luis@tienda.es", "channel": channel})).await?));
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/tickets?limit=3&sort=created_at".to_string();
    let mut pages = 0;
    loop {
        let page = api.get(&path).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        pages += 1;
        seen.extend(
            page.json["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["id"].as_i64()),
        );
        match page.json["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/tickets?limit=3&sort=created_at&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created);

    let whatsapp = api
        .get("/api/v1/tickets?channel=whatsapp&status=new,open")
        .await?;
    assert_eq!(whatsapp.json["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        api.get("/api/v1/tickets?assignee=none&type=none")
            .await?
            .json["items"]
            .as_array()
            .map(Vec::len),
        Some(7)
    );
    assert_eq!(
        api.get("/api/v1/tickets?updated_since=2100-01-01T00:00:00Z")
            .await?
            .json["items"],
        json!([])
    );

    let first = api.get("/api/v1/tickets?limit=1").await?;
    let cursor = first.json["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_problem(
        &api.get(&format!("/api/v1/tickets?sort=created_at&cursor={cursor}"))
            .await?,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    assert_problem(
        &api.get("/api/v1/tickets?cursor=garbage").await?,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    let bad_status = api.get("/api/v1/tickets?status=abierto").await?;
    assert_problem(&bad_status, StatusCode::BAD_REQUEST, "invalid_query");
    assert_eq!(bad_status.json["field"], "status");
    assert_problem(
        &api.get("/api/v1/tickets?colour=red").await?,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    Ok(())
}

async fn attachments_are_stored_and_served(api: &Api) -> TestResult {
    let boundary = "soporteboundary";
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";
    let mut body = Vec::new();
    for (name, value) in [
        ("subject", "Captura del error"),
        ("body", "Adjunto captura"),
        ("requester_email", "luis@tienda.es"),
        ("type", "technical"),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../captura pantalla.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend_from_slice(png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/tickets")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))?;
    let created = api.send(request).await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(created.json["type"], "technical");
    let detail = api
        .get(&format!("/api/v1/tickets/{}", id(&created)))
        .await?;
    let attachment = &detail.json["messages"][0]["attachments"][0];
    assert_eq!(attachment["filename"], "captura pantalla.png");
    assert_eq!(attachment["media_type"], "image/png");
    assert_eq!(attachment["size"], png.len());
    let download = api
        .get(&format!("/api/v1/attachments/{}", attachment["id"]))
        .await?;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.content_type, "image/png");
    assert_eq!(download.bytes, png);

    let stranger = id(&api
        .post(
            "/api/v1/contacts",
            json!({"name": "Pepe", "emails": ["pepe@otra.es"]}),
        )
        .await?);
    let token = api
        .post(&format!("/api/v1/contacts/{stranger}/tokens"), json!({}))
        .await?
        .json["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let denied = api
        .call(
            "GET",
            &format!("/api/v1/attachments/{}", attachment["id"]),
            Some(&token),
            None,
        )
        .await?;
    assert_problem(&denied, StatusCode::NOT_FOUND, "not_found");
    Ok(())
}

async fn a_requester_name_with_line_breaks_still_gets_its_acknowledgement(api: &Api) -> TestResult {
    let created = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "Factura", "body": "No encuentro la factura de marzo.", "requester_email": "marta@tienda.es", "requester_name": "Marta\r\nBcc: victim@example.com", "channel": "email"}),
        )
        .await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let requester = created.json["requester_id"]
        .as_i64()
        .ok_or("requester_id")?;
    let contact = api.get(&format!("/api/v1/contacts/{requester}")).await?;
    assert_eq!(contact.json["name"], "Marta Bcc: victim@example.com");
    // Its acknowledgement is queued with the name on one line, and renders.
    let admin = api.app.authenticate(&api.admin).await?;
    let queued = api.app.list_outbox(&admin, None).await?;
    let acknowledgement = queued
        .iter()
        .find(|item| item.recipient.contains("marta@tienda.es"))
        .ok_or("no acknowledgement queued")?;
    let rendered = soporte_mail::render(&acknowledgement.email, &[])?;
    let parsed = soporte_mail::parse(&rendered)?;
    assert_eq!(
        parsed.to.first().and_then(|m| m.name.as_deref()),
        Some("Marta Bcc: victim@example.com")
    );
    Ok(())
}

async fn lists_a_client_sends_are_bounded(api: &Api) -> TestResult {
    let created = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "Etiquetas", "body": "Una petición cualquiera.", "requester_email": "luis@tienda.es"}),
        )
        .await?;
    let t = id(&created);
    // The test server takes 64 KiB bodies; a real one 25 MB, room for 100,000 tags, which
    // took 40 s when every tag was compared with every other.
    let tags: Vec<String> = (0..5_000).map(|i| format!("t{i}")).collect();
    let refused = api
        .patch(&format!("/api/v1/tickets/{t}"), json!({ "tags": tags }))
        .await?;
    assert_problem(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(refused.json["field"], "tags");
    assert!(
        refused.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("at most 50")),
        "{}",
        refused.json
    );
    let contact = api
        .post(
            "/api/v1/contacts",
            json!({"name": "Muchos correos", "emails": (0..100).map(|i| format!("p{i}@tienda.es")).collect::<Vec<_>>()}),
        )
        .await?;
    assert_problem(
        &contact,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(contact.json["field"], "emails");
    Ok(())
}
