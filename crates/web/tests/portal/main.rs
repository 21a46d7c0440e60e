//! The customer portal as a browser sees it over HTTP: signing in by link and password,
//! who sees which request, following and answering a request, and the refusals that keep
//! bad input out. (Real Chromium drives it in `crates/soporte/tests/browser_portal.rs`.)

mod access;
mod brand;
mod hostile;
mod missing;
mod new_request;
mod requests;
mod satisfaction;
mod sign_in;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use soporte_app::{
    AccountInput, AgentInput, App, AppSettings, ContactInput, Principal, TicketInput, TokenOwner,
};
use soporte_core::auth::TokenScope;
use soporte_core::directory::{Contact, Role};
use soporte_core::ids::TicketId;
use soporte_core::support::Channel;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use soporte_web::WebConfig;
use std::sync::Arc;
use tower::ServiceExt;

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// Two customer accounts: Tienda Luis (contacts Luis and Marta, and Carmen, its manager)
/// and Floristería Bea (contact Bea).
struct Portal {
    router: Router,
    app: App,
    store: Arc<dyn soporte_store::Store>,
    luis: Contact,
    marta: Contact,
    carmen: Contact,
    bea: Contact,
    _blobs: tempfile::TempDir,
}

struct Page {
    status: StatusCode,
    location: String,
    set_cookie: Vec<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

/// A signed-in customer's browser: the portal cookie and the anti-forgery token.
struct Browser {
    cookie: String,
    csrf: String,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of `name="…" value="…"` in a page (a hidden field).
fn hidden_value(body: &str, name: &str) -> Option<String> {
    let at = body.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &body[at + name.len() + 15..];
    rest.split('"').next().map(str::to_string)
}

/// The one-time token of the link in an e-mail.
fn link_token(text: &str) -> Fallible<String> {
    Ok(text
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or("no link in the e-mail")?
        .to_string())
}

/// A multipart body with text fields and files `(field, filename, media type, bytes)`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "soporte-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, filename, media_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {media_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

impl Portal {
    async fn new(db: &TestDb) -> Fallible<Self> {
        Self::with_settings(db, |_| {}).await
    }

    /// The portal with its settings changed by `change` first.
    async fn with_settings(db: &TestDb, change: impl FnOnce(&mut AppSettings)) -> Fallible<Self> {
        let blobs = tempfile::tempdir()?;
        let mut settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        );
        settings.public_url = "https://soporte.vendomia.test".into();
        change(&mut settings);
        let app = App::new(
            db.store.clone(),
            Arc::new(DiskBlobStore::new(blobs.path())?),
            settings,
        )
        .with_mail(Arc::new(soporte_mail::MimeCodec));
        let ana = app
            .create_agent(&AgentInput {
                email: "ana@vendomia.com".into(),
                name: "Ana Agente".into(),
                role: Some(Role::Admin),
                password: Some("contraseña larga 1".into()),
                phone: Some("+34 600 000 001".into()),
                ..AgentInput::default()
            })
            .await?;
        let tienda = app
            .create_account(&AccountInput {
                name: "Tienda Luis".into(),
                email_domains: vec!["tienda.es".into()],
                personal_agent_id: Some(ana.id),
                ..AccountInput::default()
            })
            .await?;
        let floristeria = app
            .create_account(&AccountInput {
                name: "Floristería Bea".into(),
                email_domains: vec!["flores.es".into()],
                personal_agent_id: Some(ana.id),
                ..AccountInput::default()
            })
            .await?;
        let contact = |name: &str, email: &str, account, manager: bool| ContactInput {
            account_id: Some(account),
            name: name.into(),
            emails: vec![email.into()],
            phones: vec![],
            account_manager: manager,
        };
        let luis = app
            .create_contact(&contact("Luis Pérez", "luis@tienda.es", tienda.id, false))
            .await?;
        let marta = app
            .create_contact(&contact("Marta Ruiz", "marta@tienda.es", tienda.id, false))
            .await?;
        let carmen = app
            .create_contact(&contact("Carmen Gil", "carmen@tienda.es", tienda.id, true))
            .await?;
        let bea = app
            .create_contact(&contact(
                "Bea Flores",
                "bea@flores.es",
                floristeria.id,
                false,
            ))
            .await?;
        let router = soporte_web::router(app.clone(), &WebConfig::default());
        Ok(Self {
            router,
            app,
            store: db.store.clone(),
            luis,
            marta,
            carmen,
            bea,
            _blobs: blobs,
        })
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<(String, Vec<u8>)>,
        extra: &[(&str, &str)],
    ) -> Fallible<Page> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "portal.test");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (k, v) in extra {
            request = request.header(*k, *v);
        }
        let request = match body {
            Some((content_type, bytes)) => request
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(bytes))?,
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

    async fn get(&self, b: Option<&Browser>, path: &str) -> Fallible<Page> {
        self.send("GET", path, b.map(|b| b.cookie.as_str()), None, &[])
            .await
    }

    /// A form posted from a portal page, with the session's anti-forgery token.
    async fn post(
        &self,
        b: Option<&Browser>,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Fallible<Page> {
        let mut all = Vec::new();
        if let Some(b) = b {
            all.push(("_csrf", b.csrf.as_str()));
        }
        all.extend_from_slice(pairs);
        let body = (
            "application/x-www-form-urlencoded".to_string(),
            form(&all).into_bytes(),
        );
        self.send("POST", path, b.map(|b| b.cookie.as_str()), Some(body), &[])
            .await
    }

    /// A reply with files, as the request page's form sends it.
    async fn reply(
        &self,
        b: &Browser,
        number: &str,
        text: &str,
        files: &[(&str, &str, &str, &[u8])],
    ) -> Fallible<Page> {
        let body = multipart(&[("_csrf", &b.csrf), ("body", text)], files);
        self.send(
            "POST",
            &format!("/portal/requests/{number}/replies"),
            Some(&b.cookie),
            Some(body),
            &[],
        )
        .await
    }

    /// The text of the newest e-mail queued for `to` of kind `kind`.
    async fn last_email(&self, to: &str, kind: &str) -> Fallible<Option<String>> {
        Ok(self.emails(to, kind).await?.pop().map(|email| email.text))
    }

    /// Every e-mail queued for `to` of kind `kind`, oldest first.
    async fn emails(
        &self,
        to: &str,
        kind: &str,
    ) -> Fallible<Vec<soporte_core::email::OutgoingEmail>> {
        let mut items: Vec<_> = self
            .store
            .list_outbox(None, 500)
            .await?
            .into_iter()
            .filter(|item| item.recipient == to && item.kind == kind)
            .collect();
        items.sort_by_key(|item| item.id);
        Ok(items.into_iter().map(|item| item.email).collect())
    }

    /// Ana, the agent, signed in to the console: her session cookie and anti-forgery token.
    async fn console(&self) -> Fallible<Browser> {
        let body = form(&[
            ("email", "ana@vendomia.com"),
            ("password", "contraseña larga 1"),
            ("next", "/inbox"),
        ]);
        let page = self
            .send(
                "POST",
                "/login",
                None,
                Some((
                    "application/x-www-form-urlencoded".to_string(),
                    body.into_bytes(),
                )),
                &[],
            )
            .await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let cookie = page
            .set_cookie
            .first()
            .ok_or("no console session")?
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        let inbox = self.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
        let csrf = hidden_value(&inbox.body, "_csrf").ok_or("no anti-forgery token")?;
        Ok(Browser { cookie, csrf })
    }

    /// Signs in by asking for a link and opening it, as a customer does.
    async fn sign_in(&self, contact: &Contact) -> Fallible<Browser> {
        let email = contact.emails.first().ok_or("contact without e-mail")?;
        let sent = self
            .post(None, "/portal/sign-in/link", &[("email", email)])
            .await?;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let text = self
            .last_email(email, "portal_sign_in")
            .await?
            .ok_or("no sign-in e-mail")?;
        let token = link_token(&text)?;
        let opened = self
            .post(None, "/portal/link", &[("token", &token)])
            .await?;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let cookie = opened
            .set_cookie
            .iter()
            .find(|c| c.starts_with("soporte_portal="))
            .ok_or("no portal cookie")?
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        let list = self
            .send("GET", "/portal/requests", Some(&cookie), None, &[])
            .await?;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let csrf = hidden_value(&list.body, "_csrf").ok_or("no anti-forgery token")?;
        Ok(Browser { cookie, csrf })
    }

    async fn agent(&self) -> Fallible<Principal> {
        let agent = self.app.agent_by_email("ana@vendomia.com").await?;
        let token = self
            .app
            .issue_token(TokenOwner::Agent(agent.id), TokenScope::Admin, "tests")
            .await?;
        Ok(self.app.authenticate(&token.plaintext).await?)
    }

    /// A request from `contact` by e-mail, as an agent records it; its number.
    async fn request_of(
        &self,
        contact: &Contact,
        subject: &str,
        body: &str,
    ) -> Fallible<(TicketId, String)> {
        let ticket = self
            .app
            .create_ticket(
                &self.agent().await?,
                &TicketInput {
                    subject: subject.into(),
                    body: body.into(),
                    channel: Some(Channel::Email),
                    requester_email: contact.emails.first().cloned(),
                    ..TicketInput::default()
                },
            )
            .await?;
        Ok((ticket.id, ticket.number))
    }
}

async fn portal_of(db: &TestDb) -> Fallible<Portal> {
    Portal::new(db).await
}
