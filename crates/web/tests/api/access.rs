//! What any call meets whatever the resource: tokens and what each kind may see, the
//! problem answer to bad input, and the endpoints open to all.

use crate::{Api, BODY_LIMIT, TestResult, api_of, assert_problem, id};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use soporte_app::TokenOwner;
use soporte_core::auth::TokenScope;

soporte_store::on_both_databases!(
    api_of;
    tokens_are_required_and_checked,
    console_sessions_are_no_api_credential,
    bad_input_gets_a_problem_and_writes_nothing,
    customer_tokens_see_only_their_own_requests,
    service_endpoints_answer,
);

async fn tokens_are_required_and_checked(api: &Api) -> TestResult {
    assert_problem(
        &api.call("GET", "/api/v1/tickets", None, None).await?,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_problem(
        &api.call("GET", "/api/v1/tickets", Some("sop_not-a-real-token"), None)
            .await?,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let issued = api
        .app
        .issue_token(
            TokenOwner::Agent(soporte_core::ids::AgentId(1)),
            TokenScope::Agent,
            "",
        )
        .await?;
    assert_eq!(
        api.call("GET", "/api/v1/tickets", Some(&issued.plaintext), None)
            .await?
            .status,
        StatusCode::OK
    );
    api.app.revoke_token(issued.record.id).await?;
    assert_problem(
        &api.call("GET", "/api/v1/tickets", Some(&issued.plaintext), None)
            .await?,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    Ok(())
}

async fn console_sessions_are_no_api_credential(api: &Api) -> TestResult {
    api.app
        .create_agent(&soporte_app::AgentInput {
            email: "bruno@vendomia.com".into(),
            name: "Bruno".into(),
            password: Some("contraseña larga 1".into()),
            ..Default::default()
        })
        .await?;
    let soporte_app::Login::Session(session) = api
        .app
        .log_in("bruno@vendomia.com", "contraseña larga 1", None)
        .await?
    else {
        return Err("no two-step sign-in here: the password gives a session".into());
    };
    assert!(api.app.session(&session.plaintext).await.is_ok());
    assert_problem(
        &api.call("GET", "/api/v1/tickets", Some(&session.plaintext), None)
            .await?,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    // Nor can an API token pass for a session by its label.
    let labelled = api
        .app
        .issue_token(
            TokenOwner::Agent(soporte_core::ids::AgentId(1)),
            TokenScope::Agent,
            "Console Session",
        )
        .await;
    assert!(labelled.is_err(), "the sessions' label is reserved");
    Ok(())
}

async fn bad_input_gets_a_problem_and_writes_nothing(api: &Api) -> TestResult {
    let unknown_field = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "a", "body": "b", "requester_email": "x@y.es", "urgency": "high"}),
        )
        .await?;
    assert_problem(
        &unknown_field,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );
    assert!(
        unknown_field.json["detail"]
            .as_str()
            .is_some_and(|d| d.contains("urgency"))
    );
    let bad_enum = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "a", "body": "b", "requester_email": "x@y.es", "priority": "high"}),
        )
        .await?;
    assert_problem(&bad_enum, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let bad_email = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "a", "body": "b", "requester_email": "not-an-address"}),
        )
        .await?;
    assert_problem(
        &bad_email,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(bad_email.json["field"], "requester_email");
    let empty_body = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "a", "body": "   ", "requester_email": "x@y.es"}),
        )
        .await?;
    assert_problem(
        &empty_body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    let malformed = Request::builder()
        .method("POST")
        .uri("/api/v1/tickets")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"subject\": "))?;
    assert_problem(
        &api.send(malformed).await?,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    let no_type = Request::builder()
        .method("POST")
        .uri("/api/v1/accounts")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
        .body(Body::from("{\"name\": \"x\"}"))?;
    assert_problem(
        &api.send(no_type).await?,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let huge = "x".repeat(BODY_LIMIT + 1);
    let oversize = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "a", "body": huge, "requester_email": "x@y.es"}),
        )
        .await?;
    assert_problem(
        &oversize,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    assert_problem(
        &api.get("/api/v1/tickets/999999").await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &api.patch("/api/v1/tickets/999999", json!({"status": "open"}))
            .await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &api.get("/api/v1/tickets/abc").await?,
        StatusCode::BAD_REQUEST,
        "invalid_path",
    );
    assert_problem(
        &api.get("/api/v1/nothing-here").await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &api.call("DELETE", "/api/v1/tickets", Some(&api.admin), None)
            .await?,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );

    let listing = api.get("/api/v1/tickets").await?;
    assert_eq!(
        listing.json["items"],
        json!([]),
        "no failed request left a ticket behind"
    );
    assert_eq!(
        api.get("/api/v1/contacts").await?.json,
        json!([]),
        "nor a contact"
    );
    Ok(())
}

/// A contact who is not the account's manager; `managers.rs` has what a manager sees.
async fn customer_tokens_see_only_their_own_requests(api: &Api) -> TestResult {
    let shop = id(&api
        .post(
            "/api/v1/accounts",
            json!({"name": "Tienda", "email_domains": ["tienda.es"]}),
        )
        .await?);
    let other = id(&api
        .post(
            "/api/v1/accounts",
            json!({"name": "Otra", "email_domains": ["otra.es"]}),
        )
        .await?);
    let luis = id(&api
        .post(
            "/api/v1/contacts",
            json!({"account_id": shop, "name": "Luis", "emails": ["luis@tienda.es"]}),
        )
        .await?);
    let token = api
        .post(
            &format!("/api/v1/contacts/{luis}/tokens"),
            json!({"label": "portal"}),
        )
        .await?;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.json);
    let luis_token = token.json["token"].as_str().unwrap_or_default().to_string();

    let colleague = id(&api.post("/api/v1/tickets", json!({"subject": "De un compañero", "body": "x", "requester_email": "marta@tienda.es"})).await?);
    let foreign = id(&api
        .post(
            "/api/v1/tickets",
            json!({"subject": "De otra empresa", "body": "x", "requester_email": "pepe@otra.es"}),
        )
        .await?);
    let as_luis = |method: &'static str, path: String, body: Option<Value>| {
        let token = luis_token.clone();
        async move { api.call(method, &path, Some(&token), body).await }
    };
    let own = as_luis(
        "POST",
        "/api/v1/tickets".into(),
        Some(json!({"subject": "Mío", "body": "Hola"})),
    )
    .await?;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.json);
    assert_eq!(own.json["channel"], "portal");
    assert_eq!(own.json["account_id"], shop);
    let mine = id(&own);
    api.post(
        &format!("/api/v1/tickets/{mine}/messages"),
        json!({"kind": "note", "body": "nota interna"}),
    )
    .await?;

    let listed = as_luis("GET", "/api/v1/tickets".into(), None).await?;
    let ids: Vec<i64> = listed.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(ids, [mine], "a colleague's request is not theirs to see");
    assert_eq!(
        as_luis("GET", format!("/api/v1/tickets?account_id={other}"), None)
            .await?
            .json["items"],
        json!([])
    );
    for other_request in [foreign, colleague] {
        assert_problem(
            &as_luis("GET", format!("/api/v1/tickets/{other_request}"), None).await?,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert_problem(
        &as_luis("GET", format!("/api/v1/accounts/{other}"), None).await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let seen = as_luis("GET", format!("/api/v1/tickets/{mine}"), None).await?;
    assert_eq!(
        seen.json["messages"].as_array().map(Vec::len),
        Some(2),
        "the request and its acknowledgement; internal notes are hidden from customers"
    );
    assert_problem(
        &as_luis(
            "PATCH",
            format!("/api/v1/tickets/{mine}"),
            Some(json!({"status": "solved"})),
        )
        .await?,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_problem(
        &as_luis(
            "POST",
            format!("/api/v1/tickets/{mine}/messages"),
            Some(json!({"kind": "note", "body": "x"})),
        )
        .await?,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        as_luis(
            "POST",
            format!("/api/v1/tickets/{mine}/messages"),
            Some(json!({"body": "Más datos"}))
        )
        .await?
        .status,
        StatusCode::CREATED
    );
    for other_request in [foreign, colleague] {
        assert_problem(
            &as_luis(
                "POST",
                format!("/api/v1/tickets/{other_request}/messages"),
                Some(json!({"body": "x"})),
            )
            .await?,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    // The team's endpoints do not exist for a customer, as the README says.
    for (method, path) in [
        ("GET", "/api/v1/accounts".to_string()),
        ("GET", "/api/v1/agents".to_string()),
        ("GET", "/api/v1/admin/outbox".to_string()),
        ("GET", "/api/v1/admin/quarantine".to_string()),
        ("GET", "/api/v1/policy".to_string()),
        ("GET", format!("/api/v1/tickets/{mine}/events")),
    ] {
        let reply = as_luis(method, path.clone(), None).await?;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            reply.json
        );
        assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
    }
    Ok(())
}

async fn service_endpoints_answer(api: &Api) -> TestResult {
    let health = api.call("GET", "/healthz", None, None).await?;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json["status"], "ok");
    let spec = api.call("GET", "/api/v1/openapi.json", None, None).await?;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(
        spec.json["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{id}",
        "/api/v1/accounts",
        "/api/v1/contacts",
        "/api/v1/agents",
        "/api/v1/attachments/{id}",
    ] {
        assert!(
            spec.json["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(spec.json["components"]["schemas"]["TicketCreate"].is_object());
    Ok(())
}
