//! The agent console as a browser sees it over HTTP: log in, the inbox views, a ticket's
//! page with what the request lacks, and the actions, with the session and anti-forgery
//! rules that protect them. (Real Chromium drives it in `crates/soporte/tests/browser.rs`.)

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use soporte_app::{AgentInput, App, AppSettings, Principal, TicketInput, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ids::TicketId;
use soporte_core::support::{Channel, Priority};
use soporte_core::ticket::{MessageKind, TicketPrefix};
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
        for (email, name, role) in [
            ("ana@vendomia.com", "Ana Agente", Role::Admin),
            ("bruno@vendomia.com", "Bruno Agente", Role::Agent),
        ] {
            app.create_agent(&AgentInput {
                email: email.into(),
                name: name.into(),
                role: Some(role),
                password: Some("contraseña larga 1".into()),
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

soporte_store::on_both_databases!(
    desk_of;
    pages_need_a_session_and_logging_in_gives_one,
    wrong_passwords_and_disabled_agents_are_refused,
    state_changes_need_the_anti_forgery_token,
    the_inbox_counts_and_lists_each_view,
    the_ticket_page_shows_what_is_missing_and_takes_actions,
    the_language_can_be_switched,
    search_finds_tickets_by_number_and_by_words,
    password_guessing_is_slowed_down_per_account,
    administrators_manage_agents_and_see_mail_problems,
    chosen_tickets_change_together,
    html_mail_is_shown_sandboxed_with_its_inline_images,
    agents_see_who_else_is_on_a_ticket,
    the_account_panel_shows_its_people_and_other_requests,
    a_forgotten_password_is_reset_by_a_link_sent_by_email,
    canned_replies_are_filled_in_for_the_ticket,
    a_request_written_twice_is_merged,
    administrators_give_accounts_their_agents,
    absences_are_recorded_in_madrid_time,
    administrators_change_the_rules_and_every_instance_follows,
    mail_texts_are_edited_with_a_preview_and_broken_ones_refused,
    mailboxes_are_managed_without_ever_showing_their_passwords,
    accounts_and_their_people_are_kept_up_to_date,
    administrators_add_agents_who_then_choose_their_password,
);

async fn pages_need_a_session_and_logging_in_gives_one(desk: &Desk) -> TestResult {
    let anonymous = desk.send("GET", "/tickets/1", None, None, &[]).await?;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location, "/login?next=/tickets/1");
    let login = desk
        .send("GET", "/login?next=/tickets/1", None, None, &[])
        .await?;
    assert!(login.body.contains("id=\"login\""), "{}", login.body);
    assert!(login.body.contains("value=\"/tickets/1\""));
    let csp = login
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("script-src 'self'"), "{csp}");

    // One script and one style sheet, both from here.
    assert!(login.body.contains("src=\"/assets/console.js?v="));
    let script = desk
        .send("GET", "/assets/console.js", None, None, &[])
        .await?;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("htmx") && script.body.contains("#reply-body"));
    let css = desk
        .send("GET", "/assets/console.css", None, None, &[])
        .await?;
    assert!(css.body.contains("#checklist"));

    let browser = desk.log_in("ana@vendomia.com").await?;
    let who = desk.get(&browser, "/console/whoami").await?;
    assert!(who.body.contains("Ana Agente"), "{}", who.body);

    // Logging out ends the session on the server, not just in the browser.
    let out = desk.post(&browser, "/logout", &[]).await?;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.set_cookie.iter().any(|c| c.contains("Max-Age=0")));
    let after = desk.get(&browser, "/inbox").await?;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    Ok(())
}

async fn wrong_passwords_and_disabled_agents_are_refused(desk: &Desk) -> TestResult {
    let wrong = desk
        .send(
            "POST",
            "/login",
            None,
            Some(form(&[("email", "ana@vendomia.com"), ("password", "otra")])),
            &[],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.set_cookie.is_empty());
    assert!(wrong.body.contains("no son correctos"), "{}", wrong.body);

    let browser = desk.log_in("bruno@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    desk.app
        .update_agent(
            bruno.id,
            &soporte_app::AgentUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .await?;
    let page = desk.get(&browser, "/inbox").await?;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "a disabled agent's session ends"
    );
    Ok(())
}

async fn state_changes_need_the_anti_forgery_token(desk: &Desk) -> TestResult {
    let id = desk
        .request(
            "Duda sobre facturas",
            "¿Dónde descargo la factura de octubre?",
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let path = format!("/tickets/{}/messages", id.0);
    let body = form(&[("_csrf", "forged"), ("kind", "note"), ("body", "hola")]);
    let forged = desk
        .send("POST", &path, Some(&browser.cookie), Some(body), &[])
        .await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Even with the right token, a request sent by another site is refused.
    let body = form(&[("_csrf", &browser.csrf), ("kind", "note"), ("body", "hola")]);
    let cross = desk
        .send(
            "POST",
            &path,
            Some(&browser.cookie),
            Some(body),
            &[("origin", "https://evil.example")],
        )
        .await?;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let detail = desk
        .app
        .ticket_detail(&desk.principal("ana@vendomia.com").await?, id)
        .await?;
    assert!(
        detail.messages.iter().all(|m| m.kind != MessageKind::Note),
        "nothing was added"
    );
    Ok(())
}

async fn the_inbox_counts_and_lists_each_view(desk: &Desk) -> TestResult {
    let first = desk
        .request("No puedo publicar la página", "Sale un error al publicar.")
        .await?;
    desk.request("Cambio de plan", "Quiero cambiar al plan anual.")
        .await?;
    let ana = desk.principal("ana@vendomia.com").await?;
    let me = desk.app.agent_by_email("ana@vendomia.com").await?;
    desk.app
        .update_ticket(
            &ana,
            first,
            &soporte_app::TicketUpdate {
                assignee_id: Some(Some(me.id)),
                priority: Some(Priority::Urgent),
                ..Default::default()
            },
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;

    let mine = desk.get(&browser, "/inbox?view=mine").await?;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.body
            .contains(&format!("data-ticket-id=\"{}\"", first.0))
    );
    assert!(!mine.body.contains("Cambio de plan"), "only Ana's tickets");
    let count = |body: &str, view: &str| -> Option<i64> {
        let at = body.find(&format!("href=\"/inbox?view={view}\""))?;
        let rest = &body[at..];
        let start = rest.find("<span class=\"count\">")? + 20;
        rest[start..].split('<').next()?.trim().parse().ok()
    };
    assert_eq!(count(&mine.body, "urgent"), Some(1));
    assert_eq!(count(&mine.body, "all"), Some(2));

    let all = desk
        .get(&browser, "/inbox?view=all&sort=created_asc")
        .await?;
    assert!(
        all.body.contains("<td>Luis Pérez</td>"),
        "the requester is shown"
    );
    let a = all.body.find("No puedo publicar").ok_or("first missing")?;
    let b = all.body.find("Cambio de plan").ok_or("second missing")?;
    assert!(a < b, "oldest first");

    // The live inbox refreshes its body alone, told by server-sent events.
    let partial = desk.get(&browser, "/inbox?view=all&partial=true").await?;
    assert!(partial.body.contains("id=\"tickets\"") && !partial.body.contains("<html"));
    assert!(all.body.contains("data-live=\"/inbox/events\""));
    let events = desk
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/inbox/events")
                .header(header::HOST, "desk.test")
                .header(header::COOKIE, &browser.cookie)
                .body(Body::empty())?,
        )
        .await?;
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(
        events
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );

    let unknown = desk.get(&browser, "/inbox?view=everything").await?;
    assert_eq!(
        unknown.status,
        StatusCode::OK,
        "an unknown view falls back to mine"
    );
    Ok(())
}

async fn the_ticket_page_shows_what_is_missing_and_takes_actions(desk: &Desk) -> TestResult {
    let id = desk
        .request(
            "No funciona",
            "No me funciona, ayuda <script>alert(1)</script>",
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&browser, &format!("/tickets/{}", id.0)).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("VND-"), "the number is shown");
    assert!(
        page.body
            .contains("li class=\"missing\" data-item=\"screenshot\"")
    );
    assert!(
        page.body.contains("<span class=\"timer\">quedan "),
        "the SLA timers count down: {}",
        page.body
    );
    assert!(
        !page.body.contains("<script>alert"),
        "customer text is escaped"
    );
    assert!(page.body.contains("script&#62;alert(1)") || page.body.contains("script&gt;alert(1)"));

    let draft = desk
        .get(&browser, &format!("/tickets/{}/missing-items-draft", id.0))
        .await?;
    assert!(
        draft.body.contains("capturas de pantalla"),
        "{}",
        draft.body
    );

    let reply = desk
        .post(
            &browser,
            &format!("/tickets/{}/messages", id.0),
            &[
                ("kind", "outbound"),
                ("body", "Hola Luis: ¿nos envía una captura?"),
            ],
        )
        .await?;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let call = desk
        .post(
            &browser,
            &format!("/tickets/{}/messages", id.0),
            &[
                ("kind", "call"),
                ("direction", "outgoing"),
                ("minutes", "4"),
                ("body", "Le expliqué cómo hacer la captura."),
            ],
        )
        .await?;
    assert_eq!(call.status, StatusCode::SEE_OTHER, "{}", call.body);
    let bad_call = desk
        .post(
            &browser,
            &format!("/tickets/{}/messages", id.0),
            &[("kind", "call"), ("direction", "sideways"), ("body", "x")],
        )
        .await?;
    assert_eq!(bad_call.status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = desk.get(&browser, &format!("/tickets/{}", id.0)).await?;
    assert!(page.body.contains("¿nos envía una captura?"));
    assert!(page.body.contains("Llamada: Saliente, 4 min"));
    let detail = desk
        .app
        .ticket_detail(&desk.principal("ana@vendomia.com").await?, id)
        .await?;
    let kinds: Vec<MessageKind> = detail.messages.iter().map(|m| m.kind).collect();
    assert!(kinds.contains(&MessageKind::Outbound) && kinds.contains(&MessageKind::Call));

    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let bruno_id = bruno.id.0.to_string();
    let saved = desk
        .post(
            &browser,
            &format!("/tickets/{}/properties", id.0),
            &[
                ("status", "pending"),
                ("priority", "urgent"),
                ("type", "technical"),
                ("assignee", &bruno_id),
            ],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let ticket = desk
        .app
        .ticket(&desk.principal("ana@vendomia.com").await?, id)
        .await?;
    assert_eq!(ticket.assignee_id, Some(bruno.id));
    assert_eq!(ticket.priority, Priority::Urgent);

    let missing = desk.get(&browser, "/tickets/999999").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    Ok(())
}

async fn the_language_can_be_switched(desk: &Desk) -> TestResult {
    let browser = desk.log_in("ana@vendomia.com").await?;
    let switch = desk
        .get(&browser, "/language?to=en&back=/inbox?view=all")
        .await?;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location, "/inbox?view=all");
    let lang = switch
        .set_cookie
        .first()
        .and_then(|c| c.split(';').next())
        .ok_or("no language cookie")?
        .to_string();
    let cookie = format!("{}; {lang}", browser.cookie);
    let english = desk.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Unassigned"));
    let elsewhere = desk
        .get(&browser, "/language?to=en&back=https://evil.example/")
        .await?;
    assert_eq!(elsewhere.location, "/inbox");
    Ok(())
}

async fn search_finds_tickets_by_number_and_by_words(desk: &Desk) -> TestResult {
    let warranty = desk
        .request(
            "No puedo publicar la página de garantía",
            "Sale un error al publicar.",
        )
        .await?;
    let invoice = desk
        .request("Factura duplicada", "Me cobraron dos veces.")
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let by_word = desk.get(&browser, "/search?q=pagina+garantia").await?;
    assert_eq!(by_word.status, StatusCode::OK);
    assert!(
        by_word
            .body
            .contains(&format!("data-ticket-id=\"{}\"", warranty.0))
    );
    assert!(
        !by_word
            .body
            .contains(&format!("data-ticket-id=\"{}\"", invoice.0))
    );
    assert!(
        by_word.body.contains("value=\"pagina garantia\""),
        "the query stays in the box"
    );
    let by_number = desk
        .get(&browser, &format!("/search?q=vnd-{:06}", invoice.0))
        .await?;
    assert!(
        by_number
            .body
            .contains(&format!("data-ticket-id=\"{}\"", invoice.0))
    );
    let nothing = desk.get(&browser, "/search?q=zzzz").await?;
    assert!(nothing.body.contains("Ninguna solicitud coincide"));
    Ok(())
}

async fn password_guessing_is_slowed_down_per_account(desk: &Desk) -> TestResult {
    let attempt = |password: &'static str| async move {
        desk.send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", "bruno@vendomia.com"),
                ("password", password),
            ])),
            &[],
        )
        .await
    };
    for _ in 0..soporte_app::LOGIN_FAILURES_PER_ACCOUNT {
        assert_eq!(attempt("adivino").await?.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let blocked = attempt("contraseña larga 1").await?;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.set_cookie.is_empty());
    assert!(
        blocked.body.contains("Demasiados intentos"),
        "{}",
        blocked.body
    );
    // Other accounts are not locked out by it.
    desk.log_in("ana@vendomia.com").await?;
    Ok(())
}

async fn administrators_manage_agents_and_see_mail_problems(desk: &Desk) -> TestResult {
    let bruno_browser = desk.log_in("bruno@vendomia.com").await?;
    let refused = desk.get(&bruno_browser, "/admin/agents").await?;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "agents are not admins"
    );

    let ana_browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana_browser, "/admin/agents").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("bruno@vendomia.com"));
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let ana = desk.app.agent_by_email("ana@vendomia.com").await?;

    // Unticking "enabled" disables Bruno, and his open session ends with it.
    let saved = desk
        .post(
            &ana_browser,
            &format!("/admin/agents/{}", bruno.id.0),
            &[("role", "agent")],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(!desk.app.agent(bruno.id).await?.active);
    assert_eq!(
        desk.get(&bruno_browser, "/inbox").await?.status,
        StatusCode::SEE_OTHER
    );

    let myself = desk
        .post(
            &ana_browser,
            &format!("/admin/agents/{}", ana.id.0),
            &[("role", "agent")],
        )
        .await?;
    assert_eq!(
        myself.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no self-lockout"
    );
    assert!(desk.app.agent(ana.id).await?.is_admin());

    desk.app
        .intake_email(b"", &soporte_app::email::IntakeSource::Api)
        .await?;
    let mail = desk.get(&ana_browser, "/admin/mail").await?;
    assert_eq!(mail.status, StatusCode::OK);
    assert!(mail.body.contains("id=\"quarantine\""), "{}", mail.body);
    Ok(())
}

async fn chosen_tickets_change_together(desk: &Desk) -> TestResult {
    let first = desk.request("Primera", "No carga la tienda.").await?;
    let second = desk.request("Segunda", "No carga el blog.").await?;
    let untouched = desk.request("Tercera", "Otra cosa.").await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let inbox = desk.get(&browser, "/inbox?view=all").await?;
    assert!(inbox.body.contains("form=\"bulk\""), "rows can be chosen");
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let body = format!(
        "_csrf={}&back=%2Finbox%3Fview%3Dall&assignee={}&status=pending&ids={}&ids={}",
        browser.csrf, bruno.id.0, first.0, second.0
    );
    let done = desk
        .send(
            "POST",
            "/inbox/bulk",
            Some(&browser.cookie),
            Some(body),
            &[],
        )
        .await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location, "/inbox?view=all");
    let ana = desk.principal("ana@vendomia.com").await?;
    for id in [first, second] {
        let t = desk.app.ticket(&ana, id).await?;
        assert_eq!(t.assignee_id, Some(bruno.id));
        assert_eq!(t.status, soporte_core::ticket::Status::Pending);
    }
    let t = desk.app.ticket(&ana, untouched).await?;
    assert_ne!(t.status, soporte_core::ticket::Status::Pending);

    let forged = format!("_csrf=x&status=closed&ids={}", untouched.0);
    let refused = desk
        .send(
            "POST",
            "/inbox/bulk",
            Some(&browser.cookie),
            Some(forged),
            &[],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    Ok(())
}

async fn html_mail_is_shown_sandboxed_with_its_inline_images(desk: &Desk) -> TestResult {
    // A 1x1 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let raw = format!(
        "From: Luis <luis@tienda.es>\r\nTo: soporte@vendomia.com\r\nSubject: Error con imagen\r\n\
Message-ID: <html-1@tienda.es>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>Mire: <img src=\"cid:shot@tienda.es\"> y <img src=\"https://tracker.example/p.gif\"></p>\
<script>alert(1)</script>\r\n\
--b\r\nContent-Type: image/png\r\nContent-ID: <shot@tienda.es>\r\nContent-Transfer-Encoding: base64\r\n\r\n{png}\r\n--b--\r\n"
    );
    let outcome = desk
        .app
        .intake_email(raw.as_bytes(), &soporte_app::email::IntakeSource::Api)
        .await?;
    let soporte_app::email::IntakeOutcome::Created {
        ticket_id,
        message_id,
        ..
    } = outcome
    else {
        return Err(format!("not taken in: {outcome:?}").into());
    };
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk
        .get(&browser, &format!("/tickets/{}", ticket_id.0))
        .await?;
    assert!(
        page.body
            .contains(&format!("src=\"/messages/{}/html\"", message_id.0))
    );
    assert!(page.body.contains("sandbox=\"allow-popups"));

    let html = desk
        .get(&browser, &format!("/messages/{}/html", message_id.0))
        .await?;
    assert_eq!(html.status, StatusCode::OK);
    assert!(!html.body.contains("<script"), "{}", html.body);
    assert!(
        html.body
            .contains("about:blank#remote-image=https://tracker.example/p.gif")
    );
    let policy = |p: &Page| {
        p.headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(policy(&html).contains("sandbox") && !policy(&html).contains("https:"));
    let inline = html
        .body
        .split("src=\"/attachments/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the inline image does not point at its attachment")?
        .to_string();
    let image = desk
        .get(&browser, &format!("/attachments/{inline}"))
        .await?;
    assert_eq!(
        image
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );

    let remote = desk
        .get(
            &browser,
            &format!("/messages/{}/html?remote=true", message_id.0),
        )
        .await?;
    assert!(
        remote
            .body
            .contains("src=\"https://tracker.example/p.gif\"")
    );
    assert!(policy(&remote).contains("https:"));
    Ok(())
}

async fn agents_see_who_else_is_on_a_ticket(desk: &Desk) -> TestResult {
    let id = desk.request("Duda", "¿Cómo cambio el logo?").await?;
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let path = format!("/tickets/{}/presence", id.0);
    let alone = desk.get(&ana, &path).await?;
    assert!(
        !alone.body.contains("presence"),
        "nobody else yet: {}",
        alone.body
    );
    desk.get(&bruno, &format!("{path}?replying=true")).await?;
    let warned = desk.get(&ana, &path).await?;
    assert!(warned.body.contains("Bruno Agente"), "{}", warned.body);
    assert!(warned.body.contains("escribiendo una respuesta"));
    let page = desk.get(&ana, &format!("/tickets/{}", id.0)).await?;
    assert!(page.body.contains("hx-get=\"/tickets/"));
    Ok(())
}

async fn the_account_panel_shows_its_people_and_other_requests(desk: &Desk) -> TestResult {
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    desk.app
        .create_account(&soporte_app::AccountInput {
            name: "Tienda Luis".into(),
            plan: Some("Pro".into()),
            email_domains: vec!["tienda.es".into()],
            personal_agent_id: Some(bruno.id),
            ..Default::default()
        })
        .await?;
    let older = desk
        .request("Cambio de dominio", "Quiero usar mi dominio.")
        .await?;
    let newer = desk
        .request("No carga la tienda", "Sale en blanco.")
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&browser, &format!("/tickets/{}", newer.0)).await?;
    assert!(page.body.contains("Tienda Luis"), "{}", page.body);
    assert!(page.body.contains("Bruno Agente"), "the personal agent");
    assert!(page.body.contains("luis@tienda.es"), "the account's people");
    assert!(
        page.body
            .contains(&format!("href=\"/tickets/{}\"", older.0)),
        "other requests"
    );
    Ok(())
}

async fn a_forgotten_password_is_reset_by_a_link_sent_by_email(desk: &Desk) -> TestResult {
    let old_session = desk.log_in("bruno@vendomia.com").await?;
    let ask = |email: &'static str| async move {
        desk.send(
            "POST",
            "/password/forgot",
            None,
            Some(form(&[("email", email)])),
            &[],
        )
        .await
    };
    let known = ask("bruno@vendomia.com").await?;
    let unknown = ask("nadie@vendomia.com").await?;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        known.body, unknown.body,
        "whether an address is an agent's is not told"
    );

    let admin = desk.principal("ana@vendomia.com").await?;
    let queued = desk.app.list_outbox(&admin, Some("pending")).await?;
    let resets: Vec<_> = queued
        .iter()
        .filter(|o| o.kind == "password_reset")
        .collect();
    assert_eq!(resets.len(), 1, "one link, for the agent only");
    assert_eq!(resets[0].recipient, "bruno@vendomia.com");
    let token = link_token(&resets[0].email.text)?;
    assert!(
        resets[0]
            .email
            .text
            .contains("http://127.0.0.1:8080/password/reset?token=")
    );

    let page = desk
        .send(
            "GET",
            &format!("/password/reset?token={token}"),
            None,
            None,
            &[],
        )
        .await?;
    assert!(page.body.contains("id=\"reset\""));
    let differ = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "nueva clave 2026"),
                ("again", "otra cosa 2026"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "nueva clave 2026"),
                ("again", "nueva clave 2026"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Contraseña cambiada"));
    assert_eq!(
        desk.get(&old_session, "/inbox").await?.status,
        StatusCode::SEE_OTHER,
        "sessions opened with the old password end"
    );
    let login = desk
        .send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", "bruno@vendomia.com"),
                ("password", "nueva clave 2026"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let again = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "otra clave 2027"),
                ("again", "otra clave 2027"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a link works once"
    );
    assert!(again.body.contains("caducado o ya se usó"));
    Ok(())
}

async fn canned_replies_are_filled_in_for_the_ticket(desk: &Desk) -> TestResult {
    let id = desk
        .request("Factura de octubre", "¿Dónde está la factura?")
        .await?;
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let body = "Hola {{ name }}: sobre {{ number }} ({{ subject }}), le escribe {{ agent }}.";
    let refused = desk
        .post(
            &bruno,
            "/admin/canned",
            &[("title", "Saludo"), ("body", body)],
        )
        .await?;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "administrators keep them"
    );
    let broken = desk
        .post(
            &ana,
            "/admin/canned",
            &[("title", "Rota"), ("body", "Hola {{ name")],
        )
        .await?;
    assert_eq!(
        broken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a broken template is refused"
    );
    let saved = desk
        .post(
            &ana,
            "/admin/canned",
            &[("title", "Saludo"), ("body", body)],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    let canned = desk.app.canned_replies(&admin).await?;
    let saludo = canned.first().ok_or("not saved")?;

    let page = desk.get(&bruno, &format!("/tickets/{}", id.0)).await?;
    assert!(
        page.body.contains(">Saludo</option>"),
        "offered in the reply box"
    );
    let filled = desk
        .get(
            &bruno,
            &format!("/tickets/{}/canned?canned={}", id.0, saludo.id),
        )
        .await?;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(
        filled.body.contains("Hola Luis Pérez: sobre VND-")
            && filled
                .body
                .contains("(Factura de octubre), le escribe Bruno Agente."),
        "{}",
        filled.body
    );
    let gone = desk
        .post(
            &ana,
            &format!("/admin/canned/{}/delete", saludo.id),
            &[("title", ""), ("body", "")],
        )
        .await?;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(desk.app.canned_replies(&admin).await?.is_empty());
    Ok(())
}

async fn a_request_written_twice_is_merged(desk: &Desk) -> TestResult {
    let first = desk
        .request("No carga la tienda", "La tienda sale en blanco.")
        .await?;
    let again = desk
        .request(
            "Sigue sin cargar",
            "Les escribo otra vez: la tienda en blanco.",
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let merged = desk
        .post(
            &browser,
            &format!("/tickets/{}/merge", again.0),
            &[("target", &format!("VND-{:06}", first.0))],
        )
        .await?;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    assert_eq!(merged.location, format!("/tickets/{}", first.0));
    let ana = desk.principal("ana@vendomia.com").await?;
    let target = desk.app.ticket_detail(&ana, first).await?;
    assert!(
        target
            .messages
            .iter()
            .any(|m| m.body_text.contains("otra vez")),
        "the second conversation joined the first"
    );
    let source = desk.app.ticket(&ana, again).await?;
    assert_eq!(source.status, soporte_core::ticket::Status::Closed);
    let found = desk.get(&browser, "/search?q=otra+vez").await?;
    assert!(
        found
            .body
            .contains(&format!("data-ticket-id=\"{}\"", first.0)),
        "search follows"
    );
    let page = desk.get(&browser, &format!("/tickets/{}", first.0)).await?;
    assert!(page.body.contains("Recibió la conversación de"));
    let itself = desk
        .post(
            &browser,
            &format!("/tickets/{}/merge", first.0),
            &[("target", &first.0.to_string())],
        )
        .await?;
    assert_eq!(itself.status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

async fn administrators_give_accounts_their_agents(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let bruno_id = bruno.id.0.to_string();
    let created = desk
        .post(
            &ana,
            "/admin/accounts",
            &[
                ("name", "Tienda Luis"),
                ("plan", "Pro"),
                ("domains", "tienda.es, tienda.com"),
                ("personal_agent", &bruno_id),
                ("backup_agent", ""),
            ],
        )
        .await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let accounts = desk
        .app
        .list_accounts(&soporte_app::PageRequest::default())
        .await?;
    let account = accounts.first().ok_or("no account")?;
    assert_eq!(account.personal_agent_id, Some(bruno.id));
    let mut domains = account.email_domains.clone();
    domains.sort();
    assert_eq!(domains, ["tienda.com", "tienda.es"]);
    let page = desk.get(&ana, "/admin/accounts").await?;
    assert!(page.body.contains("Tienda Luis") && page.body.contains("tienda.es"));

    // The personal agent becomes the backup, and nobody the personal one.
    let moved = desk
        .post(
            &ana,
            &format!("/admin/accounts/{}", account.id.0),
            &[("personal_agent", ""), ("backup_agent", &bruno_id)],
        )
        .await?;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    let account = desk.app.account(&admin, account.id).await?;
    assert_eq!(account.personal_agent_id, None);
    assert_eq!(account.backup_agent_id, Some(bruno.id));

    let agent = desk.log_in("bruno@vendomia.com").await?;
    assert_eq!(
        desk.get(&agent, "/admin/accounts").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

async fn absences_are_recorded_in_madrid_time(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let added = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/absences", bruno.id.0),
            &[("from", "2099-08-03T09:00"), ("until", "2099-08-17T18:00")],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let absences = desk.app.agent(bruno.id).await?.absences;
    assert_eq!(absences.len(), 1);
    assert_eq!(
        absences[0].starts_at.to_string(),
        "2099-08-03T07:00:00Z",
        "summer time"
    );
    let page = desk.get(&ana, "/admin/agents").await?;
    assert!(page.body.contains("03/08/2099 09:00"), "{}", page.body);
    let backwards = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/absences", bruno.id.0),
            &[("from", "2099-09-10T09:00"), ("until", "2099-09-01T09:00")],
        )
        .await?;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let removed = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/absences/0/remove", bruno.id.0),
            &[],
        )
        .await?;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(desk.app.agent(bruno.id).await?.absences.is_empty());
    Ok(())
}

/// Whether the checklist of the ticket still asks where the problem happens.
async fn location_missing(desk: &Desk, id: TicketId) -> Result<bool, Box<dyn std::error::Error>> {
    let admin = desk.principal("ana@vendomia.com").await?;
    let ticket = desk.app.ticket(&admin, id).await?;
    let checklist = ticket.policy.checklist.ok_or("no checklist")?;
    Ok(checklist
        .missing()
        .any(|item| item == soporte_core::policy::checklist::ChecklistItem::Location))
}

async fn administrators_change_the_rules_and_every_instance_follows(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana, "/admin/policy").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("value=\"Europe/Madrid\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Sitios Web\""),
        "the policy's product areas"
    );
    assert!(page.body.contains("Valores de soporte.toml"));
    let complaint = "al guardar una cita sale un error y se pierde. Les adjunto captura. Pasa desde ayer a las 10:00.";
    let before = desk
        .request(
            "No se guardan las citas",
            &format!("En Reservas: {complaint}"),
        )
        .await?;
    assert!(
        location_missing(desk, before).await?,
        "Reservas is not an area yet"
    );

    // A new product area, named as customers say it: new requests that name it are complete.
    let mut areas: Vec<(String, String)> = Vec::new();
    for i in 0.. {
        let Some(name) = hidden_value(&page.body, &format!("area_name_{i}")) else {
            break;
        };
        let synonyms = hidden_value(&page.body, &format!("area_synonyms_{i}")).unwrap_or_default();
        areas.push((format!("area_name_{i}"), name));
        areas.push((format!("area_synonyms_{i}"), synonyms));
    }
    let n = areas.len() / 2;
    areas.push((format!("area_name_{n}"), "Reservas".into()));
    areas.push((
        format!("area_synonyms_{n}"),
        "citas, agenda de citas".into(),
    ));
    let pairs = borrowed(&areas);
    let saved = desk
        .post(&ana, "/admin/policy/product-areas", &pairs)
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = desk.get(&ana, &saved.location).await?;
    assert!(page.body.contains("Guardado.") && page.body.contains("value=\"Reservas\""));
    assert!(
        page.body.contains("Cambiado desde la consola: Ana Agente"),
        "{}",
        page.body
    );
    let after = desk
        .request(
            "No se guardan las citas",
            &format!("En Reservas: {complaint}"),
        )
        .await?;
    assert!(
        !location_missing(desk, after).await?,
        "Reservas is an area now"
    );

    // SLA targets: a shorter urgent first response is in force at once; a resolution
    // shorter than the first response is refused with what was typed kept.
    let mut sla: Vec<(String, String)> = Vec::new();
    for t in ["administrative", "usage", "technical", "unclassified"] {
        for level in ["normal", "urgent"] {
            for field in ["first_response", "resolution"] {
                let key = format!("{t}.{level}.{field}");
                let value = hidden_value(&page.body, &key).ok_or("no SLA field")?;
                sla.push((key, value));
            }
        }
    }
    let with = |key: &str, value: &str| -> Vec<(String, String)> {
        sla.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == key {
                        value.to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    };
    let faster = with("usage.urgent.first_response", "30m");
    let pairs = borrowed(&faster);
    let saved = desk.post(&ana, "/admin/policy/sla", &pairs).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        desk.app.settings().policy.sla.usage.urgent.first_response,
        jiff::SignedDuration::from_mins(30)
    );
    let backwards = with("technical.normal.resolution", "1h");
    let pairs = borrowed(&backwards);
    let refused = desk.post(&ana, "/admin/policy/sla", &pairs).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("sla.technical.normal.resolution"),
        "{}",
        refused.body
    );
    assert_eq!(
        hidden_value(&refused.body, "technical.normal.resolution").as_deref(),
        Some("1h"),
        "what was typed is kept"
    );
    assert_eq!(
        desk.app.settings().policy.sla.usage.urgent.first_response,
        jiff::SignedDuration::from_mins(30),
        "a refused save changes nothing"
    );

    // The calendar: hours per weekday and holidays.
    let saved = desk
        .post(
            &ana,
            "/admin/policy/calendar",
            &[
                ("time_zone", "Europe/Madrid"),
                ("monday", "08:00-15:00"),
                ("tuesday", "08:00-15:00"),
                ("wednesday", "08:00-15:00"),
                ("thursday", "08:00-15:00"),
                ("friday", "08:00-14:00"),
                ("saturday", ""),
                ("sunday", ""),
                ("holidays", "2026-12-25\r\n2027-01-01"),
            ],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let calendar = desk.app.settings().policy.calendar.clone();
    assert_eq!(calendar.week[4].len(), 1, "Friday is one span now");
    assert_eq!(calendar.holidays.len(), 2);
    let refused = desk
        .post(
            &ana,
            "/admin/policy/calendar",
            &[("time_zone", "Europe/Madrid"), ("monday", "9 a 5")],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("calendar.monday[0]"),
        "{}",
        refused.body
    );

    // Another instance on the same database follows on its next reload.
    let other = App::new(
        desk.app_store(),
        Arc::new(DiskBlobStore::new(desk._blobs.path())?),
        AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        ),
    );
    assert!(
        other.reload_settings().await?,
        "the saved sections are read"
    );
    assert_eq!(
        other.settings().policy.sla.usage.urgent.first_response,
        jiff::SignedDuration::from_mins(30)
    );
    assert!(
        other
            .settings()
            .policy
            .product_areas
            .iter()
            .any(|a| a.name == "Reservas")
    );

    // Going back to the file's values.
    let restored = desk.post(&ana, "/admin/settings/sla/restore", &[]).await?;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(
        desk.app.settings().policy.sla,
        desk.app.file_settings().policy.sla
    );
    assert!(other.reload_settings().await?);
    assert_eq!(
        other.settings().policy.sla,
        desk.app.file_settings().policy.sla
    );

    let bruno = desk.log_in("bruno@vendomia.com").await?;
    assert_eq!(
        desk.get(&bruno, "/admin/policy").await?.status,
        StatusCode::FORBIDDEN
    );
    let forbidden = desk.post(&bruno, "/admin/policy/sla", &pairs).await?;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    Ok(())
}

async fn mail_texts_are_edited_with_a_preview_and_broken_ones_refused(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana, "/admin/templates").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("[VND-000123] Hemos recibido su solicitud: No se publica la tienda"),
        "the preview fills in example values: {}",
        page.body
    );
    let broken = desk
        .post(&ana, "/admin/templates", &[("reply_footer", "{{ agent ")])
        .await?;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        broken.body.contains("templates.reply_footer"),
        "{}",
        broken.body
    );
    assert!(
        broken.body.contains(">{{ agent </textarea>"),
        "kept as typed: {}",
        broken.body
    );

    let saved = desk
        .post(
            &ana,
            "/admin/templates",
            &[(
                "acknowledgement_subject",
                "[{{ number }}] Recibido: {{ subject }}",
            )],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    desk.request("No puedo publicar", "Al publicar la tienda sale un error.")
        .await?;
    let admin = desk.principal("ana@vendomia.com").await?;
    let outbox = desk.app.list_outbox(&admin, None).await?;
    assert!(
        outbox
            .iter()
            .any(|o| o.email.subject.ends_with("] Recibido: No puedo publicar")),
        "the acknowledgement uses the new text: {:?}",
        outbox.iter().map(|o| &o.email.subject).collect::<Vec<_>>()
    );
    let page = desk.get(&ana, "/admin/templates").await?;
    assert!(page.body.contains("Cambiado desde la consola"));
    Ok(())
}

async fn mailboxes_are_managed_without_ever_showing_their_passwords(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let watcher = desk.app.watch_settings();
    let page = desk.get(&ana, "/admin/mailboxes").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mailbox = |original: &'static str, name: &'static str, password: &'static str| {
        vec![
            ("original", original),
            ("name", name),
            ("host", "imap.vendomia.com"),
            ("port", "993"),
            ("security", "tls"),
            ("username", "ventas@vendomia.com"),
            ("password", password),
            ("folder", "INBOX"),
            ("processed_folder", "Procesados"),
            ("poll_seconds", "60"),
        ]
    };
    let added = desk
        .post(
            &ana,
            "/admin/mailboxes",
            &mailbox("", "ventas", "secreto-imap"),
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(watcher.has_changed()?, "the mailbox workers are told");
    let saved = desk.app.settings().console.mailboxes.clone();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].password, "secreto-imap");
    assert_eq!(saved[0].processed_folder.as_deref(), Some("Procesados"));
    let page = desk.get(&ana, "/admin/mailboxes").await?;
    assert!(page.body.contains("data-mailbox=\"ventas\""));
    assert!(
        !page.body.contains("secreto-imap"),
        "a password is never shown"
    );

    // Saved again without a password: the password stays.
    let changed = desk
        .post(&ana, "/admin/mailboxes", &mailbox("ventas", "ventas", ""))
        .await?;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        desk.app.settings().console.mailboxes[0].password,
        "secreto-imap"
    );

    let second = desk
        .post(&ana, "/admin/mailboxes", &mailbox("", "ventas", "otro"))
        .await?;
    assert_eq!(
        second.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "names are unique"
    );
    assert!(second.body.contains("mailboxes[1].name"), "{}", second.body);
    let no_password = desk
        .post(&ana, "/admin/mailboxes", &mailbox("", "compras", ""))
        .await?;
    assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_password.body.contains("mailboxes[1].password"),
        "{}",
        no_password.body
    );
    assert!(
        no_password.body.contains("value=\"compras\""),
        "kept as typed"
    );
    let mut bad_port = mailbox("", "compras", "x");
    bad_port[3] = ("port", "imap");
    let refused = desk.post(&ana, "/admin/mailboxes", &bad_port).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let deleted = desk
        .post(&ana, "/admin/mailboxes/delete", &[("original", "ventas")])
        .await?;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(desk.app.settings().console.mailboxes.is_empty());
    Ok(())
}

async fn accounts_and_their_people_are_kept_up_to_date(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let created = desk
        .post(
            &ana,
            "/admin/accounts",
            &[("name", "Tienda Luis"), ("domains", "tienda.es")],
        )
        .await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let accounts = desk
        .app
        .list_accounts(&soporte_app::PageRequest::default())
        .await?;
    let account = accounts.first().ok_or("no account")?.id;
    let path = format!("/admin/accounts/{}", account.0);

    let bruno_id = bruno.id.0.to_string();
    let details = desk
        .post(
            &ana,
            &format!("{path}/details"),
            &[
                ("name", "Tienda Luis SL"),
                ("tax_id", "B12345674"),
                ("plan", "Premium"),
                ("domains", "tienda.es, tienda.com"),
                ("personal_agent", &bruno_id),
                ("backup_agent", ""),
            ],
        )
        .await?;
    assert_eq!(details.status, StatusCode::SEE_OTHER, "{}", details.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    let saved = desk.app.account(&admin, account).await?;
    assert_eq!(saved.name, "Tienda Luis SL");
    assert_eq!(saved.plan.as_deref(), Some("Premium"));
    assert_eq!(saved.personal_agent_id, Some(bruno.id));

    let account_text = account.0.to_string();
    let added = desk
        .post(
            &ana,
            "/admin/contacts",
            &[
                ("name", "Marta Gil"),
                ("emails", "marta@tienda.es, compras@tienda.es"),
                ("phones", "+34 611 222 333"),
                ("account", &account_text),
                ("back", &format!("{path}#contacts")),
            ],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let marta = desk.app.contact_by_email("compras@tienda.es").await?;
    assert_eq!(marta.account_id, Some(account));
    let page = desk.get(&ana, &path).await?;
    assert!(
        page.body.contains("marta@tienda.es, compras@tienda.es"),
        "{}",
        page.body
    );

    let nobody = desk
        .post(
            &ana,
            "/admin/contacts",
            &[("name", "Sin datos"), ("account", &account_text)],
        )
        .await?;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains("value=\"Sin datos\""), "kept as typed");

    // Someone who wrote from a free-mail address is put into the account.
    desk.app
        .create_contact(&soporte_app::ContactInput {
            name: "Luis Pérez".into(),
            emails: vec!["luis.perez@gmail.com".into()],
            ..soporte_app::ContactInput::default()
        })
        .await?;
    let found = desk
        .get(&ana, "/admin/contacts?email=luis.perez@gmail.com")
        .await?;
    assert!(found.body.contains("Luis Pérez"), "{}", found.body);
    let luis = desk.app.contact_by_email("luis.perez@gmail.com").await?;
    let moved = desk
        .post(
            &ana,
            &format!("/admin/contacts/{}", luis.id.0),
            &[
                ("name", "Luis Pérez"),
                ("emails", "luis.perez@gmail.com"),
                ("phones", ""),
                ("account", &format!("#{account_text}")),
                ("back", "/admin/contacts"),
            ],
        )
        .await?;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        desk.app
            .contact_by_email("luis.perez@gmail.com")
            .await?
            .account_id,
        Some(account)
    );
    let nowhere = desk
        .post(
            &ana,
            &format!("/admin/contacts/{}", luis.id.0),
            &[
                ("name", "Luis Pérez"),
                ("emails", "luis.perez@gmail.com"),
                ("account", "999999"),
            ],
        )
        .await?;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let away = desk
        .post(
            &ana,
            &format!("/admin/contacts/{}", luis.id.0),
            &[
                ("name", "Luis"),
                ("emails", "luis.perez@gmail.com"),
                ("back", "https://evil.example/"),
            ],
        )
        .await?;
    assert_eq!(away.location, "/admin/contacts", "never sent off-site");

    let agent = desk.log_in("bruno@vendomia.com").await?;
    assert_eq!(desk.get(&agent, &path).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(
        desk.get(&agent, "/admin/contacts").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

async fn administrators_add_agents_who_then_choose_their_password(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let new_agent = [
        ("name", "Carla Ruiz"),
        ("email", "carla@vendomia.com"),
        ("phone", "+34 600 333 444"),
        ("whatsapp", ""),
        ("role", "agent"),
        ("type_usage", "1"),
        ("type_technical", "1"),
    ];
    let added = desk.post(&ana, "/admin/agents", &new_agent).await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = desk.get(&ana, &added.location).await?;
    assert!(page.body.contains("carla@vendomia.com."), "{}", page.body);
    let carla = desk.app.agent_by_email("carla@vendomia.com").await?;
    assert_eq!(carla.phone.as_deref(), Some("+34600333444"));
    assert_eq!(
        carla.types,
        [
            soporte_core::support::SupportType::Usage,
            soporte_core::support::SupportType::Technical
        ]
    );

    let again = desk.post(&ana, "/admin/agents", &new_agent).await?;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one agent per address"
    );
    assert!(again.body.contains("email"), "{}", again.body);
    let no_types = desk
        .post(
            &ana,
            "/admin/agents",
            &[
                ("name", "Dani"),
                ("email", "dani@vendomia.com"),
                ("role", "agent"),
            ],
        )
        .await?;
    assert_eq!(no_types.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The invitation carries a link that sets the password, once.
    let admin = desk.principal("ana@vendomia.com").await?;
    let invitation = desk
        .app
        .list_outbox(&admin, Some("pending"))
        .await?
        .into_iter()
        .find(|o| o.kind == "password_invitation")
        .ok_or("no invitation queued")?;
    assert_eq!(invitation.recipient, "carla@vendomia.com");
    assert!(
        invitation.email.text.contains("72 horas"),
        "{}",
        invitation.email.text
    );
    let token = link_token(&invitation.email.text)?;
    let chosen = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "contraseña larga 1"),
                ("again", "contraseña larga 1"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    let carla_session = desk.log_in("carla@vendomia.com").await?;
    assert_eq!(
        desk.get(&carla_session, "/inbox").await?.status,
        StatusCode::OK
    );

    // Her phone changes: the acknowledgement's urgent phone follows.
    let details = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/details", carla.id.0),
            &[
                ("name", "Carla Ruiz Gil"),
                ("phone", "+34 600 555 666"),
                ("whatsapp", "+34 600 555 666"),
                ("type_usage", "1"),
            ],
        )
        .await?;
    assert_eq!(details.status, StatusCode::SEE_OTHER, "{}", details.body);
    let carla = desk.app.agent(carla.id).await?;
    assert_eq!(carla.name, "Carla Ruiz Gil");
    assert_eq!(carla.phone.as_deref(), Some("+34600555666"));
    assert_eq!(carla.types, [soporte_core::support::SupportType::Usage]);

    let resend = desk
        .post(&ana, &format!("/admin/agents/{}/invite", carla.id.0), &[])
        .await?;
    assert_eq!(resend.status, StatusCode::SEE_OTHER);
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let forbidden = desk.post(&bruno, "/admin/agents", &new_agent).await?;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    Ok(())
}
