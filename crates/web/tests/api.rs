//! The JSON API as a client sees it, on SQLite and on PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use soporte_app::{AgentInput, App, AppSettings, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use soporte_web::WebConfig;
use std::sync::Arc;
use tower::ServiceExt;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const BODY_LIMIT: usize = 64 * 1024;

struct Api {
    router: Router,
    app: App,
    admin: String,
    _blobs: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    content_type: String,
    json: Value,
    bytes: Vec<u8>,
}

impl Api {
    async fn new(db: &TestDb) -> Result<Self, Box<dyn std::error::Error>> {
        let blobs = tempfile::tempdir()?;
        let app = App::new(
            db.store.clone(),
            Arc::new(DiskBlobStore::new(blobs.path())?),
            AppSettings::new(
                TicketPrefix::parse("VND")?,
                "Vendomia",
                "soporte@vendomia.com",
            ),
        )
        .with_mail(Arc::new(soporte_mail::MimeCodec));
        let admin = app
            .create_agent(&AgentInput {
                email: "admin@vendomia.com".into(),
                name: "Admin".into(),
                role: Some(Role::Admin),
                ..AgentInput::default()
            })
            .await?;
        let token = app
            .issue_token(TokenOwner::Agent(admin.id), TokenScope::Admin, "tests")
            .await?;
        let router = soporte_web::router(
            app.clone(),
            &WebConfig {
                max_body_bytes: BODY_LIMIT,
            },
        );
        Ok(Self {
            router,
            app,
            admin: token.plaintext,
            _blobs: blobs,
        })
    }

    async fn send(&self, request: Request<Body>) -> Result<Reply, Box<dyn std::error::Error>> {
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = response.into_body().collect().await?.to_bytes().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            content_type,
            json,
            bytes,
        })
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))?,
            None => request.body(Body::empty())?,
        };
        self.send(request).await
    }

    async fn get(&self, path: &str) -> Result<Reply, Box<dyn std::error::Error>> {
        self.call("GET", path, Some(&self.admin), None).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Reply, Box<dyn std::error::Error>> {
        self.call("POST", path, Some(&self.admin), Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Result<Reply, Box<dyn std::error::Error>> {
        self.call("PATCH", path, Some(&self.admin), Some(body))
            .await
    }
}

fn id(reply: &Reply) -> i64 {
    reply.json["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {}", reply.json))
}

/// Asserts an RFC 9457 problem with the given status and code.
fn assert_problem(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.json["code"], code, "{}", reply.json);
    assert_eq!(reply.json["status"], status.as_u16());
    assert!(reply.json["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

async fn api_of(db: &TestDb) -> Result<Api, Box<dyn std::error::Error>> {
    Api::new(db).await
}

soporte_store::on_both_databases!(
    api_of;
    directory_is_created_read_and_changed,
    tokens_are_required_and_checked,
    ticket_lifecycle_is_recorded,
    bad_input_gets_a_problem_and_writes_nothing,
    customer_tokens_see_only_their_account,
    listing_filters_and_pages_with_a_cursor,
    attachments_are_stored_and_served,
    tickets_go_to_the_personal_agent,
    service_endpoints_answer,
    raw_email_is_taken_in_and_shown,
    policy_decisions_are_shown_and_the_policy_is_readable,
);

async fn directory_is_created_read_and_changed(api: &Api) -> TestResult {
    let agent = api
        .post("/api/v1/agents", json!({"email": "Ana@Vendomia.com", "name": "Ana", "phone": "600 111 222", "role": "agent", "types": ["usage"]}))
        .await?;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.json);
    assert_eq!(agent.json["email"], "ana@vendomia.com");
    assert_eq!(agent.json["phone"], "+34600111222");
    let ana = id(&agent);

    let account = api
        .post("/api/v1/accounts", json!({"name": "Tienda Ejemplo SL", "tax_id": "B12345674", "plan": "Pro", "email_domains": ["tienda.es"], "personal_agent_id": ana}))
        .await?;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.json);
    let shop = id(&account);
    let contact = api
        .post("/api/v1/contacts", json!({"account_id": shop, "name": "Luis", "emails": ["luis@tienda.es"], "phones": ["+34 911 234 567"]}))
        .await?;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.json);

    let got = api.get(&format!("/api/v1/accounts/{shop}")).await?;
    assert_eq!(got.json["personal_agent_id"], ana);
    let changed = api
        .patch(
            &format!("/api/v1/accounts/{shop}"),
            json!({"plan": null, "email_domains": ["tienda.es", "tienda.com"]}),
        )
        .await?;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);
    assert_eq!(changed.json["plan"], Value::Null);
    assert_eq!(
        changed.json["tax_id"], "B12345674",
        "absent fields stay as they were"
    );
    let away = api
        .patch(&format!("/api/v1/agents/{ana}"), json!({"absences": [{"starts_at": "2026-12-24T00:00:00Z", "ends_at": "2027-01-07T00:00:00Z"}]}))
        .await?;
    assert_eq!(away.json["absences"][0]["ends_at"], "2027-01-07T00:00:00Z");

    assert_eq!(
        api.get("/api/v1/accounts")
            .await?
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.get(&format!("/api/v1/contacts?account_id={shop}"))
            .await?
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.get("/api/v1/agents")
            .await?
            .json
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let duplicate = api
        .post(
            "/api/v1/accounts",
            json!({"name": "Otra", "email_domains": ["tienda.es"]}),
        )
        .await?;
    assert_problem(&duplicate, StatusCode::CONFLICT, "conflict");
    assert_eq!(duplicate.json["field"], "email_domains");
    let bad_tax = api
        .post(
            "/api/v1/accounts",
            json!({"name": "Otra", "tax_id": "B12345670"}),
        )
        .await?;
    assert_problem(
        &bad_tax,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(bad_tax.json["field"], "tax_id");

    // An agent token reads the directory but cannot change it.
    let agent_token = api
        .app
        .issue_token(
            TokenOwner::Agent(soporte_core::ids::AgentId(ana)),
            TokenScope::Agent,
            "",
        )
        .await?
        .plaintext;
    let refused = api
        .call(
            "POST",
            "/api/v1/accounts",
            Some(&agent_token),
            Some(json!({"name": "X"})),
        )
        .await?;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.call("GET", "/api/v1/accounts", Some(&agent_token), None)
            .await?
            .status,
        StatusCode::OK
    );
    // The last admin cannot demote themselves.
    let me = api.get("/api/v1/agents").await?.json[0]["id"]
        .as_i64()
        .unwrap_or_default();
    assert_problem(
        &api.patch(&format!("/api/v1/agents/{me}"), json!({"role": "agent"}))
            .await?,
        StatusCode::CONFLICT,
        "conflict",
    );
    Ok(())
}

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

async fn customer_tokens_see_only_their_account(api: &Api) -> TestResult {
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
    api.post(
        &format!("/api/v1/tickets/{colleague}/messages"),
        json!({"kind": "note", "body": "nota interna"}),
    )
    .await?;

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

    let listed = as_luis("GET", "/api/v1/tickets".into(), None).await?;
    let mut ids: Vec<i64> = listed.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_i64())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [colleague, id(&own)]);
    assert_eq!(
        as_luis("GET", format!("/api/v1/tickets?account_id={other}"), None)
            .await?
            .json["items"],
        json!([])
    );
    assert_problem(
        &as_luis("GET", format!("/api/v1/tickets/{foreign}"), None).await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &as_luis("GET", format!("/api/v1/accounts/{other}"), None).await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let seen = as_luis("GET", format!("/api/v1/tickets/{colleague}"), None).await?;
    assert_eq!(
        seen.json["messages"].as_array().map(Vec::len),
        Some(2),
        "the request and its acknowledgement; internal notes are hidden from customers"
    );
    assert_problem(
        &as_luis(
            "PATCH",
            format!("/api/v1/tickets/{colleague}"),
            Some(json!({"status": "solved"})),
        )
        .await?,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_problem(
        &as_luis(
            "POST",
            format!("/api/v1/tickets/{colleague}/messages"),
            Some(json!({"kind": "note", "body": "x"})),
        )
        .await?,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(
        as_luis(
            "POST",
            format!("/api/v1/tickets/{colleague}/messages"),
            Some(json!({"body": "Más datos"}))
        )
        .await?
        .status,
        StatusCode::CREATED
    );
    assert_problem(
        &as_luis(
            "POST",
            format!("/api/v1/tickets/{foreign}/messages"),
            Some(json!({"body": "x"})),
        )
        .await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &as_luis("GET", "/api/v1/accounts".into(), None).await?,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
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

async fn tickets_go_to_the_personal_agent(api: &Api) -> TestResult {
    let ana = id(&api
        .post(
            "/api/v1/agents",
            json!({"email": "ana@vendomia.com", "name": "Ana"}),
        )
        .await?);
    let bea = id(&api
        .post(
            "/api/v1/agents",
            json!({"email": "bea@vendomia.com", "name": "Bea"}),
        )
        .await?);
    let shop = id(&api.post("/api/v1/accounts", json!({"name": "Tienda", "email_domains": ["tienda.es"], "personal_agent_id": ana, "backup_agent_id": bea})).await?);
    let t = api.post("/api/v1/tickets", json!({"subject": "Factura", "body": "Necesito la factura rectificativa", "requester_email": "nueva@tienda.es"})).await?;
    assert_eq!(t.json["account_id"], shop, "matched by the e-mail domain");
    assert_eq!(t.json["assignee_id"], ana);
    let events = api
        .get(&format!("/api/v1/tickets/{}/events", id(&t)))
        .await?;
    assert_eq!(events.json[1]["change"]["reason"], "personal agent");

    api.patch(&format!("/api/v1/agents/{ana}"), json!({"absences": [{"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2100-01-01T00:00:00Z"}]})).await?;
    let during_absence = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "Otra", "body": "x", "requester_email": "nueva@tienda.es"}),
        )
        .await?;
    assert_eq!(during_absence.json["assignee_id"], bea);
    let reassigned = api
        .patch(
            &format!("/api/v1/tickets/{}", id(&during_absence)),
            json!({"assignee_id": null}),
        )
        .await?;
    assert_eq!(reassigned.json["assignee_id"], Value::Null);
    assert_problem(
        &api.patch(
            &format!("/api/v1/tickets/{}", id(&t)),
            json!({"assignee_id": 4242}),
        )
        .await?,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
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
