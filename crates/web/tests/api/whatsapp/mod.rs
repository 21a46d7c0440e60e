//! `/webhooks/whatsapp` as Meta calls it: the handshake, signed and forged bodies, and
//! what the intake makes of each kind of message.

mod conversations;
mod messages;

use super::*;
use soporte_app::whatsapp::WhatsAppSettings;
use soporte_store::Store;
use soporte_whatsapp::payload::{Body as Notification, MessageBuilder, StatusBuilder};

const VERIFY_TOKEN: &str = "token-de-verificacion";
const APP_SECRET: &str = "secreto-de-la-app-meta";
/// Ana's business number, as Meta names it.
const ANA_NUMBER: &str = "106540352242922";
const CUSTOMER: &str = "34600111222";

struct WhatsApp {
    api: Api,
    store: Arc<dyn Store>,
    ana: soporte_core::ids::AgentId,
}

async fn whatsapp_of(db: &TestDb) -> Result<WhatsApp, Box<dyn std::error::Error>> {
    let api = Api::with_settings(db, |settings| {
        settings.whatsapp = Some(WhatsAppSettings::new(VERIFY_TOKEN, APP_SECRET));
    })
    .await?;
    let ana = api
        .post(
            "/api/v1/agents",
            json!({"email": "ana@vendomia.com", "name": "Ana", "whatsapp": "+34 600 000 001",
                   "whatsapp_phone_number_id": ANA_NUMBER, "types": ["usage"]}),
        )
        .await?;
    assert_eq!(ana.status, StatusCode::CREATED, "{}", ana.json);
    assert_eq!(ana.json["whatsapp_phone_number_id"], ANA_NUMBER);
    Ok(WhatsApp {
        api,
        store: db.store.clone(),
        ana: soporte_core::ids::AgentId(id(&ana)),
    })
}

use serde_json::json;

impl WhatsApp {
    /// POSTs `body` signed as Meta signs it.
    async fn deliver(&self, body: &[u8]) -> Result<Reply, Box<dyn std::error::Error>> {
        self.deliver_signed(
            body,
            Some(&soporte_whatsapp::sign(APP_SECRET.as_bytes(), body)),
        )
        .await
    }

    async fn deliver_signed(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        let mut request = Request::builder()
            .method("POST")
            .uri("/webhooks/whatsapp")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(signature) = signature {
            request = request.header("X-Hub-Signature-256", signature);
        }
        self.api
            .send(request.body(Body::from(body.to_vec()))?)
            .await
    }

    /// Delivers `body`, expects 200, and lets the intake worker take it in.
    async fn receive(&self, body: &[u8]) -> TestResult {
        let reply = self.deliver(body).await?;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        self.take_in().await
    }

    async fn take_in(&self) -> TestResult {
        while self.api.app.take_in_whatsapp(64).await? > 0 {}
        assert_eq!(self.store.pending_webhook_bodies().await?, 0);
        Ok(())
    }

    /// The tickets' JSON, newest first.
    async fn tickets(&self) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
        let list = self.api.get("/api/v1/tickets?channel=whatsapp").await?;
        assert_eq!(list.status, StatusCode::OK, "{}", list.json);
        Ok(list.json["items"].as_array().cloned().unwrap_or_default())
    }

    async fn messages(&self, ticket: i64) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
        let detail = self.api.get(&format!("/api/v1/tickets/{ticket}")).await?;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.json);
        Ok(detail.json["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }
}

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

soporte_store::on_both_databases!(
    whatsapp_of;
    the_handshake_gives_the_challenge_back_to_the_right_token_only,
    unsigned_and_forged_bodies_are_refused_and_nothing_is_written,
    a_signed_body_that_is_not_a_notification_is_refused_and_quarantined,
    a_huge_body_is_refused_by_the_limit,
    a_number_no_agent_has_is_answered_and_set_aside,
    the_same_body_twice_or_at_once_is_one_message,
);

async fn the_handshake_gives_the_challenge_back_to_the_right_token_only(
    w: &WhatsApp,
) -> TestResult {
    let path = |token: &str| {
        format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        )
    };
    let ok = w.api.call("GET", &path(VERIFY_TOKEN), None, None).await?;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(
        ok.content_type.starts_with("text/plain"),
        "{}",
        ok.content_type
    );
    assert_eq!(ok.bytes, b"1158201444");
    let wrong = w.api.call("GET", &path("otro"), None, None).await?;
    assert_problem(&wrong, StatusCode::FORBIDDEN, "forbidden");
    let no_mode = w
        .api
        .call(
            "GET",
            &format!("/webhooks/whatsapp?hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"),
            None,
            None,
        )
        .await?;
    assert_problem(&no_mode, StatusCode::FORBIDDEN, "forbidden");

    // Without a [whatsapp] section the channel is not there at all.
    let db = soporte_store::testkit::sqlite().await?;
    let off = Api::new(&db).await?;
    let get = off.call("GET", &path(VERIFY_TOKEN), None, None).await?;
    assert_problem(&get, StatusCode::NOT_FOUND, "not_found");
    let body = text("wamid.OFF", "hola", 0);
    let body = Notification::new(ANA_NUMBER).message(body).to_bytes();
    let post = off
        .send(
            Request::builder()
                .method("POST")
                .uri("/webhooks/whatsapp")
                .header(
                    "X-Hub-Signature-256",
                    soporte_whatsapp::sign(APP_SECRET.as_bytes(), &body),
                )
                .body(Body::from(body))?,
        )
        .await?;
    assert_problem(&post, StatusCode::NOT_FOUND, "not_found");
    db.cleanup().await;
    Ok(())
}

async fn unsigned_and_forged_bodies_are_refused_and_nothing_is_written(w: &WhatsApp) -> TestResult {
    let body = Notification::new(ANA_NUMBER)
        .message(text("wamid.F1", "hola", 0))
        .to_bytes();
    let unsigned = w.deliver_signed(&body, None).await?;
    assert_problem(&unsigned, StatusCode::UNAUTHORIZED, "signature_invalid");
    let other_secret = soporte_whatsapp::sign(b"otro-secreto", &body);
    let forged = w.deliver_signed(&body, Some(&other_secret)).await?;
    assert_problem(&forged, StatusCode::UNAUTHORIZED, "signature_invalid");
    // The right signature of another body.
    let mut altered = body.clone();
    altered.extend_from_slice(b" ");
    let signature = soporte_whatsapp::sign(APP_SECRET.as_bytes(), &body);
    let replayed = w.deliver_signed(&altered, Some(&signature)).await?;
    assert_problem(&replayed, StatusCode::UNAUTHORIZED, "signature_invalid");
    let garbage = w.deliver_signed(&body, Some("sha1=abc")).await?;
    assert_problem(&garbage, StatusCode::UNAUTHORIZED, "signature_invalid");
    assert_eq!(w.store.pending_webhook_bodies().await?, 0);
    w.take_in().await?;
    assert!(w.tickets().await?.is_empty());
    assert!(w.store.list_quarantine(10).await?.is_empty());
    Ok(())
}

async fn a_signed_body_that_is_not_a_notification_is_refused_and_quarantined(
    w: &WhatsApp,
) -> TestResult {
    for body in [
        &b"{\"object\": \"whatsapp_business_account\", \"entry\": ["[..],
        b"[1, 2, 3]",
    ] {
        let reply = w.deliver(body).await?;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "whatsapp_payload_invalid");
    }
    let kept = w.store.list_quarantine(10).await?;
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|q| q.source == "whatsapp"), "{kept:?}");
    assert_eq!(w.store.pending_webhook_bodies().await?, 0);
    Ok(())
}

async fn a_huge_body_is_refused_by_the_limit(w: &WhatsApp) -> TestResult {
    let huge = Notification::new(ANA_NUMBER)
        .message(text("wamid.HUGE", &"a".repeat(2 * 1024 * 1024), 0))
        .to_bytes();
    let reply = w.deliver(&huge).await?;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.json
    );
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(w.store.pending_webhook_bodies().await?, 0);
    Ok(())
}

async fn a_number_no_agent_has_is_answered_and_set_aside(w: &WhatsApp) -> TestResult {
    let body = Notification::new("999000111222333")
        .display_phone_number("34910000000")
        .message(text("wamid.STRAY", "hola", 0))
        .to_bytes();
    w.receive(&body).await?;
    assert!(w.tickets().await?.is_empty());
    let kept = w.store.list_quarantine(10).await?;
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0].reason.contains("999000111222333") && kept[0].reason.contains("no agent"),
        "{}",
        kept[0].reason
    );
    Ok(())
}

async fn the_same_body_twice_or_at_once_is_one_message(w: &WhatsApp) -> TestResult {
    let body = Notification::new(ANA_NUMBER)
        .message(text("wamid.DUP", "hola, no puedo publicar mi tienda", 0))
        .to_bytes();
    w.receive(&body).await?;
    w.receive(&body).await?;
    // Meta redelivers while the first delivery is still being taken in.
    let at_once = futures_util::future::join_all((0..8).map(|_| w.deliver(&body))).await;
    for reply in at_once {
        assert_eq!(reply?.status, StatusCode::OK);
    }
    let racing =
        futures_util::future::join_all((0..4).map(|_| w.api.app.take_in_whatsapp(64))).await;
    for finished in racing {
        finished?;
    }
    w.take_in().await?;
    let tickets = w.tickets().await?;
    assert_eq!(tickets.len(), 1);
    assert_eq!(w.messages(id_of(&tickets[0])).await?.len(), 1);
    Ok(())
}

fn id_of(ticket: &Value) -> i64 {
    ticket["id"].as_i64().unwrap_or_default()
}
