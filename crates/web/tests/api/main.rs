//! The JSON API as a client sees it, on SQLite and on PostgreSQL.

mod access;
mod directory;
mod intake;
mod managers;
mod outage;
mod phone;
mod tickets;
mod whatsapp;
mod wire;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
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
    retry_after: Option<String>,
    json: Value,
    bytes: Vec<u8>,
}

impl Api {
    async fn new(db: &TestDb) -> Result<Self, Box<dyn std::error::Error>> {
        Self::with_settings(db, |_| {}).await
    }

    /// An instance whose settings `adjust` changes first (the WhatsApp channel's, say).
    async fn with_settings(
        db: &TestDb,
        adjust: impl FnOnce(&mut AppSettings),
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let blobs = tempfile::tempdir()?;
        let mut settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        );
        adjust(&mut settings);
        let app = App::new(
            db.store.clone(),
            Arc::new(DiskBlobStore::new(blobs.path())?),
            settings,
        )
        .with_mail(Arc::new(soporte_mail::MimeCodec))
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
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.into_body().collect().await?.to_bytes().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            content_type,
            retry_after,
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
