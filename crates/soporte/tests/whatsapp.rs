//! The WhatsApp channel end to end against a stand-in Graph API: customers' messages come
//! in signed through `/webhooks/whatsapp`, the workers settle requests, fetch media and
//! send what support writes through the same Graph client the server uses, and the JSON
//! API shows what an agent would see. On SQLite and PostgreSQL.

mod whatsapp {
    pub mod media;
    pub mod policy;
    pub mod sending;
    pub mod window;
}

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use http_body_util::BodyExt;
use jiff::SignedDuration;
use serde_json::{Value, json};
use sha2::Digest as _;
use soporte::whatsapp_cloud::GraphCloud;
use soporte_app::whatsapp::WhatsAppSettings;
use soporte_app::{AgentInput, App, AppSettings, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ticket::TicketPrefix;
use soporte_core::whatsapp::{TemplateParameter, WhatsAppTemplate};
use soporte_store::testkit::TestDb;
use soporte_store::{DiskBlobStore, Store};
use soporte_web::WebConfig;
use soporte_whatsapp::payload::{Body as Notification, MessageBuilder, StatusBuilder};
use soporte_whatsapp::{GraphStandIn, StandInConfig};
use std::sync::Arc;
use tower::ServiceExt;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const APP_SECRET: &str = "secreto-de-la-app-meta";
const ACCESS_TOKEN: &str = "token-permanente-de-prueba";
/// Ana's business number, as Meta names it.
const ANA_NUMBER: &str = "106540352242922";
const CUSTOMER: &str = "34600111222";

pub struct Desk {
    router: Router,
    app: App,
    store: Arc<dyn Store>,
    graph: GraphStandIn,
    cloud: GraphCloud,
    admin: String,
    _blobs: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub bytes: Vec<u8>,
}

async fn desk(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    let graph = GraphStandIn::start(StandInConfig::new(
        ACCESS_TOKEN,
        soporte_whatsapp::graph::DEFAULT_API_VERSION,
    ))
    .await?;
    let cloud = GraphCloud::new(
        &graph.url(),
        soporte_whatsapp::graph::DEFAULT_API_VERSION,
        ACCESS_TOKEN,
    )?;
    let blobs = tempfile::tempdir()?;
    let mut settings = AppSettings::new(
        TicketPrefix::parse("VND")?,
        "Vendomia",
        "soporte@vendomia.com",
    );
    let mut whatsapp = WhatsAppSettings::new("verificar", APP_SECRET);
    // Tests settle at once and retry at once; the server waits 90 s and backs off.
    whatsapp.conversations.quiet_time = SignedDuration::ZERO;
    whatsapp.retry_base = SignedDuration::ZERO;
    whatsapp.templates = vec![WhatsAppTemplate {
        name: "seguimiento_solicitud".into(),
        language: "es".into(),
        parameters: vec![
            TemplateParameter::CustomerName,
            TemplateParameter::TicketNumber,
            TemplateParameter::Message,
        ],
        body: Some("Hola {{1}}, sobre su solicitud {{2}}: {{3}}".into()),
    }];
    settings.whatsapp = Some(whatsapp);
    let app = App::new(
        db.store.clone(),
        Arc::new(DiskBlobStore::new(blobs.path())?),
        settings,
    )
    .with_whatsapp(Arc::new(soporte_whatsapp::CloudApiCodec));
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
            max_body_bytes: 4 * 1024 * 1024,
        },
    );
    let desk = Desk {
        router,
        app,
        store: db.store.clone(),
        graph,
        cloud,
        admin: token.plaintext,
        _blobs: blobs,
    };
    let ana = desk
        .post(
            "/api/v1/agents",
            json!({"email": "ana@vendomia.com", "name": "Ana", "whatsapp": "+34 600 000 001",
                   "phone": "+34 910 000 001", "whatsapp_phone_number_id": ANA_NUMBER,
                   "types": ["usage", "administrative", "technical"]}),
        )
        .await?;
    assert_eq!(ana.status, StatusCode::CREATED, "{}", ana.json);
    Ok(desk)
}

impl Desk {
    async fn send(&self, request: Request<Body>) -> Result<Reply, Box<dyn std::error::Error>> {
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = response.into_body().collect().await?.to_bytes().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            json,
            bytes,
        })
    }

    pub async fn get(&self, path: &str) -> Result<Reply, Box<dyn std::error::Error>> {
        self.send(
            Request::builder()
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {}", self.admin))
                .body(Body::empty())?,
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Reply, Box<dyn std::error::Error>> {
        self.send(
            Request::builder()
                .method("POST")
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {}", self.admin))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))?,
        )
        .await
    }

    /// POSTs a multipart form: text fields, then files as (name, type, bytes).
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        let boundary = "----soporte-prueba";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (filename, media_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {media_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            Request::builder()
                .method("POST")
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {}", self.admin))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))?,
        )
        .await
    }

    /// Delivers a webhook body signed as Meta signs it, expects 200, and lets the intake
    /// take it in.
    pub async fn receive(&self, body: &Notification) -> TestResult {
        let raw = body.to_bytes();
        let reply = self
            .send(
                Request::builder()
                    .method("POST")
                    .uri("/webhooks/whatsapp")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(
                        "X-Hub-Signature-256",
                        soporte_whatsapp::sign(APP_SECRET.as_bytes(), &raw),
                    )
                    .body(Body::from(raw))?,
            )
            .await?;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        while self.app.take_in_whatsapp(64).await? > 0 {}
        Ok(())
    }

    /// Runs the settling worker until nothing is due.
    pub async fn settle(&self) -> TestResult {
        while self.app.settle_whatsapp(16).await? > 0 {}
        Ok(())
    }

    /// One round of the sending worker.
    pub async fn deliver(
        &self,
    ) -> Result<soporte_app::email::DeliveryReport, Box<dyn std::error::Error>> {
        Ok(self.app.deliver_whatsapp(&self.cloud, 32).await?)
    }

    /// Runs the sending worker until nothing is due.
    pub async fn deliver_all(&self) -> TestResult {
        for _ in 0..50 {
            let report = self.deliver().await?;
            if report.sent + report.retried + report.dead == 0 {
                return Ok(());
            }
        }
        Err("the sending worker never ran out of work".into())
    }

    pub async fn tickets(&self) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
        let list = self.get("/api/v1/tickets?channel=whatsapp").await?;
        assert_eq!(list.status, StatusCode::OK, "{}", list.json);
        Ok(list.json["items"].as_array().cloned().unwrap_or_default())
    }

    /// The only WhatsApp ticket, with its messages.
    pub async fn ticket(&self) -> Result<Value, Box<dyn std::error::Error>> {
        let tickets = self.tickets().await?;
        assert_eq!(tickets.len(), 1, "{tickets:?}");
        let id = tickets[0]["id"].as_i64().ok_or("no ticket id")?;
        let detail = self.get(&format!("/api/v1/tickets/{id}")).await?;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.json);
        Ok(detail.json)
    }
}

/// Seconds since the epoch, `ago` seconds before now: Meta's timestamps.
pub fn unix(ago: i64) -> i64 {
    jiff::Timestamp::now().as_second() - ago
}

pub fn text(wamid: &str, body: &str, ago: i64) -> MessageBuilder {
    MessageBuilder::text(CUSTOMER, body)
        .id(wamid)
        .name("Luis Pérez")
        .timestamp(unix(ago))
}

pub fn from_customer(message: MessageBuilder) -> Notification {
    Notification::new(ANA_NUMBER).message(message)
}

pub fn status(status: StatusBuilder, ago: i64) -> Notification {
    Notification::new(ANA_NUMBER).status(status.timestamp(unix(ago)))
}

/// A file's sha256 as WhatsApp webhooks carry it (base64).
pub fn sha256_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

use whatsapp::media::*;
use whatsapp::policy::*;
use whatsapp::sending::*;
use whatsapp::window::*;

soporte_store::on_both_databases!(
    desk;
    a_reply_goes_out_from_the_customers_number_and_its_ticks_only_move_forward,
    passing_failures_are_retried_and_refusals_are_shown_on_the_message,
    an_expired_token_shows_as_reconnect_and_sends_once_replaced,
    files_are_uploaded_and_sent_after_the_text,
    opening_the_ticket_marks_the_customers_messages_read_once,
    after_24_hours_only_a_checked_template_goes_out,
    media_is_fetched_checked_and_retried_until_it_arrives,
    media_meta_no_longer_has_is_shown_lost_with_the_reason,
    a_burst_is_settled_as_one_request_and_acknowledged_once,
    a_technical_request_is_pointed_to_e_mail_with_a_prepared_link,
    an_urgent_administrative_matter_gets_the_agents_phone,
);
