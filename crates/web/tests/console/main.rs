//! The agent console as a browser sees it over HTTP: log in, the inbox views, a ticket's
//! page with what the request lacks, and the actions, with the session and anti-forgery
//! rules that protect them. (Real Chromium drives it in `crates/soporte/tests/browser.rs`.)

mod accounts;
mod admin;
mod calls;
mod inbox;
mod session;
mod settings;
mod ticket;
mod two_factor;
mod whatsapp;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use soporte_app::secrets::SecretKey;
use soporte_app::{AgentInput, App, AppSettings, Principal, TicketInput, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ids::TicketId;
use soporte_core::support::Channel;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use soporte_web::WebConfig;
use std::sync::Arc;
use tower::ServiceExt;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Desk {
    router: Router,
    app: App,
    store: Arc<dyn soporte_store::Store>,
    _blobs: tempfile::TempDir,
}

struct Page {
    status: StatusCode,
    location: String,
    set_cookie: Vec<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

/// A signed-in browser: its session cookie and the page's anti-forgery token.
struct Browser {
    cookie: String,
    csrf: String,
}

fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The one-time token of the link in an e-mail (a password reset or an invitation).
fn link_token(text: &str) -> Result<String, Box<dyn std::error::Error>> {
    Ok(text
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or("no link in the e-mail")?
        .to_string())
}

/// Form fields built at run time, as `Desk::post` takes them.
fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The value of `name="…" value="…"` in a page (the hidden anti-forgery field).
fn hidden_value(body: &str, name: &str) -> Option<String> {
    let at = body.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &body[at + name.len() + 15..];
    rest.split('"').next().map(str::to_string)
}

impl Desk {
    async fn new(db: &TestDb) -> Result<Self, Box<dyn std::error::Error>> {
        Self::build(db, None, None).await
    }

    /// A desk connected to a phone system posting with `token`; Ana's own phone is
    /// `+34 910 000 001`.
    async fn with_phone(db: &TestDb, token: &str) -> Result<Self, Box<dyn std::error::Error>> {
        Self::build(
            db,
            None,
            Some(soporte_app::phone::PhoneSettings::new(token)),
        )
        .await
    }

    /// A desk with the WhatsApp channel configured; Ana owns the business number
    /// `phone_number_id`.
    async fn with_whatsapp(
        db: &TestDb,
        settings: soporte_app::whatsapp::WhatsAppSettings,
        phone_number_id: &str,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        Self::build(db, Some((settings, phone_number_id)), None).await
    }

    async fn build(
        db: &TestDb,
        whatsapp: Option<(soporte_app::whatsapp::WhatsAppSettings, &str)>,
        phone: Option<soporte_app::phone::PhoneSettings>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let blobs = tempfile::tempdir()?;
        let mut settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        );
        let number_id = whatsapp.as_ref().map(|(_, id)| id.to_string());
        settings.whatsapp = whatsapp.map(|(w, _)| w);
        let with_phone = phone.is_some();
        settings.phone = phone;
        let mut app = App::new(
            db.store.clone(),
            Arc::new(DiskBlobStore::new(blobs.path())?),
            settings,
        )
        .with_mail(Arc::new(soporte_mail::MimeCodec))
        .with_secrets(SecretKey::from_bytes(&[7; 32], "the test key")?);
        if number_id.is_some() {
            app = app.with_whatsapp(Arc::new(soporte_whatsapp::CloudApiCodec));
        }
        for (email, name, role) in [
            ("ana@vendomia.com", "Ana Agente", Role::Admin),
            ("bruno@vendomia.com", "Bruno Agente", Role::Agent),
        ] {
            let owner = role == Role::Admin;
            app.create_agent(&AgentInput {
                email: email.into(),
                name: name.into(),
                role: Some(role),
                password: Some("contraseña larga 1".into()),
                whatsapp: number_id
                    .as_ref()
                    .filter(|_| owner)
                    .map(|_| "+34 600 000 001".into()),
                whatsapp_phone_number_id: number_id.clone().filter(|_| owner),
                phone: Some(if owner {
                    "+34 910 000 001"
                } else {
                    "+34 910 000 002"
                })
                .filter(|_| with_phone)
                .map(str::to_string),
                ..AgentInput::default()
            })
            .await?;
        }
        let router = soporte_web::router(app.clone(), &WebConfig::default());
        Ok(Self {
            router,
            app,
            store: db.store.clone(),
            _blobs: blobs,
        })
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> Result<Page, Box<dyn std::error::Error>> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "desk.test");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (k, v) in extra {
            request = request.header(*k, *v);
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))?,
            None => request.body(Body::empty())?,
        };
        let response = self.router.clone().oneshot(request).await?;
        let headers = response.headers().clone();
        let status = response.status();
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let set_cookie = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(Page {
            status,
            location,
            set_cookie,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    async fn log_in(&self, email: &str) -> Result<Browser, Box<dyn std::error::Error>> {
        let page = self
            .send(
                "POST",
                "/login",
                None,
                Some(form(&[
                    ("email", email),
                    ("password", "contraseña larga 1"),
                    ("next", "/inbox"),
                ])),
                &[],
            )
            .await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location, "/inbox");
        let set = page.set_cookie.first().ok_or("no session cookie")?;
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap_or_default().to_string();
        let inbox = self.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
        assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
        let csrf = hidden_value(&inbox.body, "_csrf").ok_or("no anti-forgery token")?;
        Ok(Browser { cookie, csrf })
    }

    /// The agent as the use cases see a caller, for setting up and checking data.
    async fn principal(&self, email: &str) -> Result<Principal, Box<dyn std::error::Error>> {
        let agent = self.app.agent_by_email(email).await?;
        let scope = if agent.is_admin() {
            TokenScope::Admin
        } else {
            TokenScope::Agent
        };
        let token = self
            .app
            .issue_token(TokenOwner::Agent(agent.id), scope, "tests")
            .await?;
        Ok(self.app.authenticate(&token.plaintext).await?)
    }

    fn app_store(&self) -> Arc<dyn soporte_store::Store> {
        self.store.clone()
    }

    async fn get(&self, b: &Browser, path: &str) -> Result<Page, Box<dyn std::error::Error>> {
        self.send("GET", path, Some(&b.cookie), None, &[]).await
    }

    async fn post(
        &self,
        b: &Browser,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Page, Box<dyn std::error::Error>> {
        let mut all = vec![("_csrf", b.csrf.as_str())];
        all.extend_from_slice(pairs);
        self.send("POST", path, Some(&b.cookie), Some(form(&all)), &[])
            .await
    }

    /// A request from a customer, as the API records it.
    async fn request(
        &self,
        subject: &str,
        body: &str,
    ) -> Result<TicketId, Box<dyn std::error::Error>> {
        let admin = self.principal("ana@vendomia.com").await?;
        let ticket = self
            .app
            .create_ticket(
                &admin,
                &TicketInput {
                    subject: subject.into(),
                    body: body.into(),
                    channel: Some(Channel::Email),
                    requester_email: Some("luis@tienda.es".into()),
                    requester_name: Some("Luis Pérez".into()),
                    ..TicketInput::default()
                },
            )
            .await?;
        Ok(ticket.id)
    }
}

async fn desk_of(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    Desk::new(db).await
}
