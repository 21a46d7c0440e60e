//! A stand-in Graph API server for tests (test support, but public so other crates' tests
//! can drive the WhatsApp channel end to end without Meta).
//!
//! It listens on `127.0.0.1:0` and answers the documented requests and responses of the
//! endpoints [`crate::graph::GraphClient`] uses:
//!
//! * every request needs `Authorization: Bearer <token>`; a missing or wrong token gets
//!   HTTP 401 with an `OAuthException`, code 190 (Graph API error handling,
//!   <https://developers.facebook.com/docs/graph-api/guides/error-handling>);
//! * `GET /{version}/{media-id}` answers `{messaging_product, url, mime_type, sha256,
//!   file_size, id}`; an unknown id gets Graph's HTTP 400 `GraphMethodException`, code 100,
//!   subcode 33 ("Unsupported get request. Object with ID … does not exist");
//! * the `url` is `…/whatsapp_business/attachments/?mid=…&ext=…&hash=…` like Meta's
//!   lookaside URLs, needs the same bearer, and expires (five minutes by default, as Meta
//!   documents); an expired or unknown URL answers 404 with an empty body, which is what
//!   integrators report from Meta's CDN (Meta does not document the status);
//! * `POST /{version}/{phone-number-id}/messages` validates `messaging_product`, `to`, `type`
//!   (defaulting to `text` as documented) and the object of that type, template `name` and
//!   `language.code`, `context.message_id`; it answers `{messaging_product, contacts: [{input,
//!   wa_id}], messages: [{id}]}` (with `message_status: "accepted"` for templates) and records
//!   the request; `{status: "read", message_id}` answers `{success: true}`;
//! * `POST /{version}/{phone-number-id}/media` reads the multipart `messaging_product`, `type`
//!   and `file` fields and answers `{id}`.
//!
//! Failures can be injected for the next requests ([`GraphStandIn::fail_next`]).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;

/// How the stand-in is set up.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    pub access_token: String,
    pub api_version: String,
    /// How long a media URL works (Meta: five minutes).
    pub url_lifetime: Duration,
    /// How long [`Failure::Timeout`] hangs before answering.
    pub hang: Duration,
}

impl StandInConfig {
    pub fn new(access_token: impl Into<String>, api_version: impl Into<String>) -> Self {
        StandInConfig {
            access_token: access_token.into(),
            api_version: api_version.into(),
            url_lifetime: Duration::from_secs(300),
            hang: Duration::from_secs(60),
        }
    }
}

impl Default for StandInConfig {
    /// A test token and the client's default API version, so `StandInConfig { access_token,
    /// ..Default::default() }` works.
    fn default() -> Self {
        StandInConfig::new("test-access-token", crate::graph::DEFAULT_API_VERSION)
    }
}

/// An injected failure for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// That HTTP status with an HTML page, like a load balancer's 5xx.
    Status(u16),
    /// That HTTP status with an empty body.
    EmptyStatus(u16),
    /// Hang (longer than any sane client timeout), then answer 504.
    Timeout,
    /// Meta's error JSON: `{error: {message, type, code, error_subcode, error_data:
    /// {messaging_product, details}, fbtrace_id}}`.
    GraphError {
        http_status: u16,
        code: i64,
        subcode: Option<i64>,
        message: String,
    },
    /// Drop the connection without answering.
    CloseConnection,
}

/// An accepted message.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedSend {
    pub phone_number_id: String,
    pub body: Value,
    pub wamid: String,
}

/// An accepted mark-as-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRead {
    pub phone_number_id: String,
    pub message_id: String,
}

/// An accepted upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedUpload {
    pub phone_number_id: String,
    pub media_id: String,
    pub bytes: Vec<u8>,
    /// The `type` form field.
    pub mime_type: String,
    pub filename: Option<String>,
    /// The `Content-Type` of the `file` part.
    pub content_type: Option<String>,
}

struct StoredMedia {
    bytes: Vec<u8>,
    mime_type: String,
    corrupt: bool,
}

struct Link {
    media_id: String,
    expires: Instant,
}

struct Inner {
    config: StandInConfig,
    base_url: String,
    media: HashMap<String, StoredMedia>,
    links: HashMap<String, Link>,
    failures: VecDeque<Failure>,
    requests: usize,
    next_id: u64,
    sent: Vec<RecordedSend>,
    reads: Vec<RecordedRead>,
    uploads: Vec<RecordedUpload>,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Inner> {
    // A test that panicked while holding the lock must not hide the state from the others.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inner {
    fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn store(&mut self, bytes: Vec<u8>, mime_type: String) -> String {
        let id = format!("{}", 1_000_000_000_000_000 + self.next());
        self.media.insert(
            id.clone(),
            StoredMedia {
                bytes,
                mime_type,
                corrupt: false,
            },
        );
        id
    }

    fn wamid(&mut self) -> String {
        let n = self.next();
        let raw = format!("HBgLMTU1NTAwMDAwMDAVAgARGBI{n:020}AA==");
        format!(
            "wamid.{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// A running stand-in; stops when dropped.
pub struct GraphStandIn {
    addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for GraphStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed on purpose")
    }
}

impl std::error::Error for CloseConnection {}

impl GraphStandIn {
    /// Binds `127.0.0.1:0` and serves until dropped.
    pub async fn start(config: StandInConfig) -> std::io::Result<GraphStandIn> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared: Shared = Arc::new(Mutex::new(Inner {
            config,
            base_url: format!("http://{addr}"),
            media: HashMap::new(),
            links: HashMap::new(),
            failures: VecDeque::new(),
            requests: 0,
            next_id: 0,
            sent: Vec::new(),
            reads: Vec::new(),
            uploads: Vec::new(),
        }));
        let router = Router::new().fallback(route).with_state(shared.clone());
        let state = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let router = router.clone();
                let state = state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let router = router.clone();
                            let state = state.clone();
                            async move { serve(state, router, req).await }
                        },
                    );
                    // Errors here are closed connections, including the injected ones.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(GraphStandIn { addr, shared, task })
    }

    /// The base URL to put in `GraphConfig::graph_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stores media as if a customer had sent it; returns its media id.
    pub fn add_media(&self, bytes: impl Into<Vec<u8>>, mime_type: &str) -> String {
        lock(&self.shared).store(bytes.into(), mime_type.to_string())
    }

    /// From now on, downloads of `media_id` serve bytes that do not match its `sha256`.
    pub fn corrupt_media(&self, media_id: &str) {
        if let Some(m) = lock(&self.shared).media.get_mut(media_id) {
            m.corrupt = true;
        }
    }

    /// Downloads of `media_id` serve its true bytes again.
    pub fn repair_media(&self, media_id: &str) {
        if let Some(m) = lock(&self.shared).media.get_mut(media_id) {
            m.corrupt = false;
        }
    }

    /// Makes every media URL handed out so far expired.
    pub fn expire_media_urls(&self) {
        let now = Instant::now();
        for link in lock(&self.shared).links.values_mut() {
            link.expires = now;
        }
    }

    /// The next `n` requests (of any kind) fail with `failure`.
    pub fn fail_next(&self, n: usize, failure: Failure) {
        let mut inner = lock(&self.shared);
        for _ in 0..n {
            inner.failures.push_back(failure.clone());
        }
    }

    /// Changes the accepted token (simulates expiry or rotation).
    pub fn set_token(&self, token: impl Into<String>) {
        lock(&self.shared).config.access_token = token.into();
    }

    /// Requests received, failed ones included.
    pub fn requests_seen(&self) -> usize {
        lock(&self.shared).requests
    }

    pub fn sent(&self) -> Vec<RecordedSend> {
        lock(&self.shared).sent.clone()
    }

    pub fn read_marks(&self) -> Vec<RecordedRead> {
        lock(&self.shared).reads.clone()
    }

    pub fn uploads(&self) -> Vec<RecordedUpload> {
        lock(&self.shared).uploads.clone()
    }
}

async fn serve(
    shared: Shared,
    router: Router,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<Response, CloseConnection> {
    let (failure, hang) = {
        let mut inner = lock(&shared);
        inner.requests += 1;
        (inner.failures.pop_front(), inner.config.hang)
    };
    match failure {
        None => match router.oneshot(req.map(Body::new)).await {
            Ok(response) => Ok(response),
            Err(never) => match never {},
        },
        Some(Failure::CloseConnection) => Err(CloseConnection),
        Some(Failure::Timeout) => {
            tokio::time::sleep(hang).await;
            Ok(StatusCode::GATEWAY_TIMEOUT.into_response())
        }
        Some(Failure::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let page = format!("<!DOCTYPE html><html><body><h1>{status}</h1></body></html>");
            Ok((
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page,
            )
                .into_response())
        }
        Some(Failure::EmptyStatus(code)) => Ok(StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response()),
        Some(Failure::GraphError {
            http_status,
            code,
            subcode,
            message,
        }) => {
            let status = StatusCode::from_u16(http_status).unwrap_or(StatusCode::BAD_REQUEST);
            Ok(graph_error(
                status,
                "OAuthException",
                code,
                subcode,
                &message,
                Some(&message),
            ))
        }
    }
}

/// Meta's error body.
fn graph_error(
    status: StatusCode,
    kind: &str,
    code: i64,
    subcode: Option<i64>,
    message: &str,
    details: Option<&str>,
) -> Response {
    let mut error = json!({
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "AStandInTraceId0000000",
    });
    if let Some(sub) = subcode {
        error["error_subcode"] = json!(sub);
    }
    if let Some(details) = details {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    (status, axum::Json(json!({ "error": error }))).into_response()
}

fn invalid(message: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        message,
        Some(message),
    )
}

fn missing(details: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        131008,
        None,
        "(#131008) Required parameter is missing",
        Some(details),
    )
}

fn authorized(inner: &Inner, headers: &HeaderMap) -> bool {
    let expected = format!("Bearer {}", inner.config.access_token);
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str())
}

fn unauthorized() -> Response {
    graph_error(
        StatusCode::UNAUTHORIZED,
        "OAuthException",
        190,
        None,
        "Invalid OAuth access token - Cannot parse access token",
        None,
    )
}

async fn route(State(shared): State<Shared>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let version = {
        let inner = lock(&shared);
        if !authorized(&inner, req.headers()) {
            return unauthorized();
        }
        inner.config.api_version.clone()
    };
    match (method, segments.as_slice()) {
        (Method::GET, ["whatsapp_business", "attachments"]) => download(&shared, &query),
        (Method::GET, [v, media_id]) if *v == version => media_info(&shared, media_id),
        (Method::POST, [v, phone, "messages"]) if *v == version => {
            let phone = phone.to_string();
            match Bytes::from_request(req, &()).await {
                Ok(body) => messages(&shared, phone, &body),
                Err(_) => invalid("(#100) Invalid parameter"),
            }
        }
        (Method::POST, [v, phone, "media"]) if *v == version => {
            let phone = phone.to_string();
            match Multipart::from_request(req, &()).await {
                Ok(form) => upload(&shared, phone, form).await,
                Err(_) => invalid("(#100) The parameter file is required."),
            }
        }
        _ => graph_error(
            StatusCode::BAD_REQUEST,
            "OAuthException",
            2500,
            None,
            "Unknown path components",
            None,
        ),
    }
}

fn media_info(shared: &Shared, media_id: &str) -> Response {
    let mut inner = lock(shared);
    let Some(media) = inner.media.get(media_id) else {
        let message = format!(
            "Unsupported get request. Object with ID '{media_id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        );
        return graph_error(
            StatusCode::BAD_REQUEST,
            "GraphMethodException",
            100,
            Some(33),
            &message,
            None,
        );
    };
    let sha256 = hex::encode(Sha256::digest(&media.bytes));
    let (mime_type, size) = (media.mime_type.clone(), media.bytes.len());
    let expires = Instant::now() + inner.config.url_lifetime;
    let hash = format!("ATs{:016x}", inner.next());
    inner.links.insert(
        hash.clone(),
        Link {
            media_id: media_id.to_string(),
            expires,
        },
    );
    let url = format!(
        "{}/whatsapp_business/attachments/?mid={media_id}&ext={}&hash={hash}",
        inner.base_url,
        inner.config.url_lifetime.as_secs()
    );
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "url": url,
        "mime_type": mime_type,
        "sha256": sha256,
        "file_size": size,
        "id": media_id,
    }))
    .into_response()
}

fn download(shared: &Shared, query: &str) -> Response {
    let inner = lock(shared);
    let hash = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("hash="))
        .unwrap_or_default();
    let media = inner
        .links
        .get(hash)
        .filter(|link| link.expires > Instant::now())
        .and_then(|link| inner.media.get(&link.media_id));
    let Some(media) = media else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut bytes = media.bytes.clone();
    if media.corrupt {
        match bytes.first_mut() {
            Some(b) => *b ^= 0xff,
            None => bytes.push(0),
        }
    }
    ([(header::CONTENT_TYPE, media.mime_type.clone())], bytes).into_response()
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn messages(shared: &Shared, phone_number_id: String, body: &[u8]) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return invalid("(#100) Invalid parameter");
    };
    if text(&body, "messaging_product").is_none() {
        return invalid("(#100) The parameter messaging_product is required.");
    }
    if text(&body, "messaging_product") != Some("whatsapp") {
        return invalid(
            "(#100) Param messaging_product must be one of {WHATSAPP} - got \"other\".",
        );
    }
    if text(&body, "status") == Some("read") {
        let Some(message_id) = text(&body, "message_id") else {
            return invalid("(#100) The parameter message_id is required.");
        };
        let message_id = message_id.to_string();
        lock(shared).reads.push(RecordedRead {
            phone_number_id,
            message_id,
        });
        return axum::Json(json!({ "success": true })).into_response();
    }
    let Some(to) = text(&body, "to") else {
        return invalid("(#100) The parameter to is required.");
    };
    // Documented: "If omitted, defaults to text".
    let kind = text(&body, "type").unwrap_or("text");
    let Some(object) = body.get(kind).filter(|o| o.is_object()) else {
        return missing(&format!("Parameter '{kind}' is required"));
    };
    let problem = match kind {
        "text" => text(object, "body").is_none().then_some("text['body']"),
        "image" | "document" | "audio" | "video" | "sticker" => {
            (text(object, "id").is_none() && text(object, "link").is_none()).then_some("id or link")
        }
        "template" => {
            if text(object, "name").is_none() {
                Some("template['name']")
            } else if object
                .get("language")
                .and_then(|l| text(l, "code"))
                .is_none()
            {
                Some("template['language']['code']")
            } else {
                template_parameters_problem(object)
            }
        }
        "reaction" => text(object, "message_id")
            .is_none()
            .then_some("reaction['message_id']"),
        "interactive" | "location" | "contacts" => None,
        _ => return invalid("(#100) Param type must be one of the supported message types"),
    };
    if let Some(what) = problem {
        return missing(&format!("Parameter {what} is required"));
    }
    if let Some(context) = body.get("context")
        && text(context, "message_id").is_none()
    {
        return missing("Parameter context['message_id'] is required");
    }
    let wa_id: String = to.chars().filter(char::is_ascii_digit).collect();
    let to = to.to_string();
    let mut inner = lock(shared);
    let wamid = inner.wamid();
    inner.sent.push(RecordedSend {
        phone_number_id,
        body: body.clone(),
        wamid: wamid.clone(),
    });
    let mut message = json!({ "id": wamid });
    if kind == "template" {
        message["message_status"] = json!("accepted");
    }
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": wa_id }],
        "messages": [message],
    }))
    .into_response()
}

fn template_parameters_problem(template: &Value) -> Option<&'static str> {
    let components = template.get("components").and_then(Value::as_array)?;
    for component in components {
        if text(component, "type").is_none() {
            return Some("components[]['type']");
        }
        for p in component
            .get("parameters")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            match text(p, "type") {
                None => return Some("parameters[]['type']"),
                Some("text") if text(p, "text").is_none() => return Some("parameters[]['text']"),
                _ => {}
            }
        }
    }
    None
}

async fn upload(shared: &Shared, phone_number_id: String, mut form: Multipart) -> Response {
    let (mut product, mut mime_type, mut file) = (None, None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return invalid("(#100) Invalid parameter"),
        };
        match field.name().unwrap_or_default() {
            "messaging_product" => product = field.text().await.ok(),
            "type" => mime_type = field.text().await.ok(),
            "file" => {
                let filename = field.file_name().map(str::to_string);
                let content_type = field.content_type().map(str::to_string);
                match field.bytes().await {
                    Ok(bytes) => file = Some((bytes.to_vec(), filename, content_type)),
                    Err(_) => return invalid("(#100) Invalid parameter"),
                }
            }
            _ => {}
        }
    }
    if product.as_deref() != Some("whatsapp") {
        return invalid("(#100) The parameter messaging_product is required.");
    }
    let Some((bytes, filename, content_type)) = file else {
        return invalid("(#100) The parameter file is required.");
    };
    let Some(mime_type) = mime_type.filter(|m| !m.is_empty()) else {
        return invalid("(#100) The parameter type is required.");
    };
    let mut inner = lock(shared);
    let media_id = inner.store(bytes.clone(), mime_type.clone());
    inner.uploads.push(RecordedUpload {
        phone_number_id,
        media_id: media_id.clone(),
        bytes,
        mime_type,
        filename,
        content_type,
    });
    axum::Json(json!({ "id": media_id })).into_response()
}
