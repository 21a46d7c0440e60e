//! While the database is out of reach, clients are told so at once, as a problem they can
//! act on (503 `unavailable`, with `Retry-After`), never as a server fault; and the API
//! serves again on its own once the database is back.

use super::*;
use soporte_store::testkit;
use sqlx::Connection;
use std::time::{Duration, Instant};

const QUICKLY: Duration = Duration::from_secs(4);

fn assert_unavailable(reply: &Reply, what: &str, took: Duration) {
    assert_problem(reply, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(
        reply
            .retry_after
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().is_ok()),
        "{what}: no Retry-After in seconds"
    );
    assert!(took < QUICKLY, "{what}: answered after {took:?}");
}

async fn timed(
    api: &Api,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(Reply, Duration), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let reply = api.call(method, path, Some(&api.admin), body).await?;
    Ok((reply, started.elapsed()))
}

fn new_ticket() -> Value {
    serde_json::json!({
        "subject": "No carga el panel",
        "body": "Desde esta mañana el panel de ventas se queda en blanco.",
        "requester_email": "luis@tienda.es",
    })
}

#[tokio::test]
async fn a_postgres_outage_is_answered_unavailable_and_then_passes() -> TestResult {
    let Some(db) = testkit::postgres().await? else {
        return Ok(());
    };
    let (through, outage) = db.postgres_through_outage().await?;
    let api = Api::new(&through).await?;

    outage.begin();
    let (reply, took) = timed(&api, "GET", "/api/v1/tickets", None).await?;
    assert_unavailable(&reply, "listing tickets", took);
    let (reply, took) = timed(&api, "POST", "/api/v1/tickets", Some(new_ticket())).await?;
    assert_unavailable(&reply, "a new ticket", took);
    let (reply, took) = timed(&api, "GET", "/healthz", None).await?;
    assert_unavailable(&reply, "the health check", took);

    outage.end()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = api.call("GET", "/healthz", None, None).await?;
        if reply.status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not healthy 10 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let reply = api.post("/api/v1/tickets", new_ticket()).await?;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    drop(through);
    db.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn a_locked_sqlite_file_is_answered_unavailable_and_then_writes() -> TestResult {
    let db = testkit::sqlite().await?;
    let api = Api::new(&db).await?;
    let file = db.sqlite_file().ok_or("no SQLite file")?;
    let mut other =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await?;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await?;

    let (reply, took) = timed(&api, "POST", "/api/v1/tickets", Some(new_ticket())).await?;
    assert_unavailable(&reply, "a new ticket", took);
    let reply = api.get("/healthz").await?;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "reads go on while a writer waits"
    );

    sqlx::query("ROLLBACK").execute(&mut other).await?;
    let reply = api.post("/api/v1/tickets", new_ticket()).await?;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let listed = api.get("/api/v1/tickets").await?;
    assert_eq!(
        listed.json["items"].as_array().map(Vec::len),
        Some(1),
        "the refused ticket was half-kept: {}",
        listed.json
    );
    Ok(())
}

/// Meta retries a webhook that gets no 200: a body that cannot be kept must not get one.
#[tokio::test]
async fn a_whatsapp_body_during_an_outage_is_answered_503_so_meta_retries_it() -> TestResult {
    use soporte_whatsapp::payload::{Body as Notification, MessageBuilder};
    let Some(db) = testkit::postgres().await? else {
        return Ok(());
    };
    let (through, outage) = db.postgres_through_outage().await?;
    let secret = "secreto-de-la-app";
    let api = Api::with_settings(&through, |settings| {
        settings.whatsapp = Some(soporte_app::whatsapp::WhatsAppSettings::new("v", secret));
    })
    .await?;
    let body = Notification::new("106540352242922")
        .message(
            MessageBuilder::text("34600111222", "hola")
                .id("wamid.OUTAGE")
                .timestamp(jiff::Timestamp::now().as_second()),
        )
        .to_bytes();
    let post = || {
        let request = Request::builder()
            .method("POST")
            .uri("/webhooks/whatsapp")
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                "X-Hub-Signature-256",
                soporte_whatsapp::sign(secret.as_bytes(), &body),
            )
            .body(Body::from(body.clone()));
        async { api.send(request?).await }
    };

    outage.begin();
    let started = Instant::now();
    let reply = post().await?;
    assert_unavailable(&reply, "a WhatsApp webhook body", started.elapsed());
    outage.end()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = post().await?;
        if reply.status == StatusCode::OK {
            break;
        }
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            reply.json
        );
        assert!(
            Instant::now() < deadline,
            "not kept 10 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The reading pool may still hold a connection the outage cut: it is dropped on its
    // first use, and the next read gets a fresh one.
    let pending = loop {
        match through.store.pending_webhook_bodies().await {
            Ok(n) => break n,
            Err(e) if Instant::now() < deadline => {
                eprintln!("reading after the outage: {e}; trying again");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    assert_eq!(pending, 1, "kept once it could be");
    drop(through);
    db.cleanup().await;
    Ok(())
}
