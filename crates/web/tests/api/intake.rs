//! Requests coming in: raw e-mail taken in through the API and shown, and what the policy
//! decided on each request, beside the policy itself.

use crate::{Api, TestResult, api_of, assert_problem, id};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

soporte_store::on_both_databases!(
    api_of;
    raw_email_is_taken_in_and_shown,
    nul_characters_mean_the_same_on_both_databases,
    an_e_mail_over_the_limit_gets_a_problem,
    policy_decisions_are_shown_and_the_policy_is_readable,
);

async fn raw_email_is_taken_in_and_shown(api: &Api) -> TestResult {
    let raw = "From: Luis <luis@tienda.es>\r\nTo: soporte@vendomia.com\r\nCc: Marta <marta@tienda.es>\r\n\
Subject: Captura del error\r\nMessage-ID: <inline-1@tienda.es>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
--rel\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
<p>Al pulsar Publicar sale esto:</p><img src=\"cid:shot@tienda\"><img src=\"https://tracker.example/p.gif\"><script>x()</script>\
<p>El lun, 2 nov 2026 a las 9:00, Soporte escribió:</p><blockquote>&gt; hola</blockquote>\r\n\
--rel\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"shot.png\"\r\nContent-ID: <shot@tienda>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
iVBORw0KGgo=\r\n--rel--\r\n";
    let post = |body: &'static str, content_type: &'static str| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/inbound/email")
            .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
    };
    let first = api.send(post(raw, "message/rfc822")?).await?;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert_eq!(first.json["created"], true);
    let again = api.send(post(raw, "message/rfc822")?).await?;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json["created"], false);
    assert_eq!(
        (
            again.json["ticket_id"].clone(),
            again.json["message_id"].clone()
        ),
        (
            first.json["ticket_id"].clone(),
            first.json["message_id"].clone()
        )
    );
    assert_problem(
        &api.send(post(raw, "text/plain")?).await?,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    let ticket = api
        .get(&format!("/api/v1/tickets/{}", first.json["ticket_id"]))
        .await?;
    let message = &ticket.json["messages"][0];
    assert_eq!(ticket.json["channel"], "email");
    assert_eq!(message["text"], "Al pulsar Publicar sale esto:");
    assert!(
        message["quoted_text"]
            .as_str()
            .is_some_and(|q| q.contains("escribió")),
        "{message}"
    );
    assert_eq!(message["from"], "Luis <luis@tienda.es>");
    assert_eq!(message["to"], json!(["soporte@vendomia.com"]));
    assert_eq!(message["cc"], json!(["Marta <marta@tienda.es>"]));
    assert_eq!(message["subject"], "Captura del error");
    assert_eq!(message["email_message_id"], "inline-1@tienda.es");
    assert_eq!(message["automatic"], Value::Null);
    let attachment = &message["attachments"][0];
    assert_eq!(
        (
            attachment["filename"].as_str(),
            attachment["inline"].as_bool()
        ),
        (Some("shot.png"), Some(true))
    );
    let html = message["html"].as_str().unwrap_or_default();
    assert!(
        html.contains(&format!("src=\"/api/v1/attachments/{}\"", attachment["id"])),
        "{html}"
    );
    assert!(
        html.contains("about:blank#remote-image=https://tracker.example/p.gif"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");

    let original = api
        .get(&format!("/api/v1/messages/{}/original", message["id"]))
        .await?;
    assert_eq!(original.status, StatusCode::OK);
    assert_eq!(original.content_type, "message/rfc822");
    assert_eq!(original.bytes, raw.as_bytes());

    let garbage = api.send(post("", "message/rfc822")?).await?;
    assert_eq!(garbage.status, StatusCode::ACCEPTED);
    assert!(garbage.json["quarantine_id"].as_i64().is_some());
    let quarantine = api.get("/api/v1/admin/quarantine").await?;
    assert_eq!(quarantine.json.as_array().map(Vec::len), Some(1));
    let outbox = api.get("/api/v1/admin/outbox?status=pending").await?;
    assert_eq!(
        outbox.json.as_array().map(Vec::len),
        Some(1),
        "the acknowledgement waits for delivery"
    );
    assert_problem(
        &api.get("/api/v1/admin/outbox?status=lost").await?,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    Ok(())
}

async fn nul_characters_mean_the_same_on_both_databases(api: &Api) -> TestResult {
    // PostgreSQL cannot keep U+0000 in text; SQLite can. Both keep U+FFFD in its place.
    let created = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "nul\u{0}byte", "body": "texto con\u{0}nulo", "requester_email": "luis@tienda.es"}),
        )
        .await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(created.json["subject"], "nul\u{fffd}byte");
    let raw = "From: Luis <luis@tienda.es>\r\nTo: soporte@vendomia.com\r\nSubject: Cero\0aqui\r\n\
Message-ID: <nul-1@tienda.es>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nEl pedido\0 no sale.\r\n";
    let taken = api
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/v1/inbound/email")
                .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
                .header(header::CONTENT_TYPE, "message/rfc822")
                .body(Body::from(raw))?,
        )
        .await?;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.json);
    let ticket = api
        .get(&format!("/api/v1/tickets/{}", taken.json["ticket_id"]))
        .await?;
    let text = ticket.json["messages"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("El pedido\u{fffd} no sale."),
        "{}",
        ticket.json
    );
    // The original keeps the byte as it came.
    let original = api
        .get(&format!(
            "/api/v1/messages/{}/original",
            taken.json["message_id"]
        ))
        .await?;
    assert!(original.bytes.windows(2).any(|w| w == b"\0 "));
    Ok(())
}

async fn an_e_mail_over_the_limit_gets_a_problem(api: &Api) -> TestResult {
    // 70 MB, over the 64 MiB the inbound route reads: refused before intake, as a problem.
    let huge = vec![b'a'; 70 * 1000 * 1000];
    let refused = api
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/v1/inbound/email")
                .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
                .header(header::CONTENT_TYPE, "message/rfc822")
                .body(Body::from(huge))?,
        )
        .await?;
    assert_problem(&refused, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    Ok(())
}

async fn policy_decisions_are_shown_and_the_policy_is_readable(api: &Api) -> TestResult {
    let policy = api.get("/api/v1/policy").await?;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.json);
    assert_eq!(
        policy.json["channels"]["technical"]["channels"],
        json!(["email"])
    );
    assert_eq!(
        policy.json["sla"]["technical"]["normal"]["first_response"],
        "PT8H"
    );
    assert_eq!(policy.json["calendar"]["time_zone"], "Europe/Madrid");
    assert_eq!(
        policy.json["calendar"]["week"]["friday"],
        json!(["09:00-15:00"])
    );
    assert_eq!(
        policy.json["checklist"]["technical"]["error"],
        json!([
            "screenshot",
            "location",
            "timing",
            "account_user",
            "description"
        ])
    );
    assert!(
        policy.json["product_areas"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );

    let ana = id(&api
        .post(
            "/api/v1/agents",
            json!({"email": "ana@vendomia.com", "name": "Ana"}),
        )
        .await?);
    api.post(
        "/api/v1/accounts",
        json!({"name": "Tienda", "email_domains": ["tienda.es"], "personal_agent_id": ana}),
    )
    .await?;
    let created = api
        .post("/api/v1/tickets", json!({"subject": "Error", "body": "No me funciona, me sale un error.", "requester_email": "luis@tienda.es", "channel": "whatsapp", "type": "technical"}))
        .await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let t = id(&created);
    let detail = api.get(&format!("/api/v1/tickets/{t}")).await?;
    let d = &detail.json;
    assert_eq!(d["type"], "technical");
    assert_eq!(d["type_confidence"], Value::Null, "a person set the type");
    assert_eq!(d["priority"], "normal");
    assert_eq!(d["assignee"], json!({"id": ana, "name": "Ana"}));
    assert_eq!(d["redirect"], "email", "technical support is e-mail only");
    let items = d["checklist"]["items"]
        .as_array()
        .ok_or("no checklist items")?;
    let keys: Vec<&str> = items.iter().filter_map(|i| i["key"].as_str()).collect();
    assert_eq!(
        keys,
        [
            "screenshot",
            "location",
            "timing",
            "account_user",
            "description"
        ]
    );
    assert!(
        items
            .iter()
            .all(|i| i["present"].is_boolean() && i.get("evidence").is_some())
    );
    assert_eq!(d["checklist"]["complete"], false);
    let account_user = items
        .iter()
        .find(|i| i["key"] == "account_user")
        .ok_or("no account_user")?;
    assert_eq!(
        account_user["present"], true,
        "a known sender names the account"
    );
    assert!(d["sla"]["first_response_due"].is_string() && d["sla"]["resolution_due"].is_string());
    assert_eq!(d["sla"]["state"], "on_track");
    let answer = d["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["kind"] == "outbound"))
        .ok_or("no acknowledgement")?;
    assert_eq!(
        answer["channel"], "whatsapp",
        "answered on the request's channel"
    );
    assert!(
        answer["text"]
            .as_str()
            .is_some_and(|t| t.contains("soporte@vendomia.com")),
        "{answer}"
    );

    // A re-classification is an agent's correction.
    let fixed = api
        .patch(&format!("/api/v1/tickets/{t}"), json!({"type": "usage"}))
        .await?;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.json);
    assert_eq!(fixed.json["type"], "usage");
    assert_ne!(
        fixed.json["sla"]["resolution_due"], d["sla"]["resolution_due"],
        "usage targets are shorter"
    );
    assert_problem(
        &api.patch(&format!("/api/v1/tickets/{t}"), json!({"type": "billing"}))
            .await?,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
    Ok(())
}
