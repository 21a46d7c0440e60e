//! Logging in and out, the session cookie, the language cookie, and the anti-forgery check
//! every state-changing console request passes.
//!
//! The session is a token of the app's own kind (see `App::start_session`), kept by the
//! browser in an HttpOnly, SameSite=Lax cookie; `Secure` is added when the request came
//! over HTTPS (directly or through a proxy that says so). Forms carry a `_csrf` field
//! derived from the session, and a request whose `Origin` names another site is refused
//! whatever it carries.

use super::error::ConsoleError;
use super::texts::{Lang, Texts};
use super::{Page, render};
pub(super) use crate::pages::{client_address, cookie, local_or, same_origin, set_cookie_at};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use soporte_app::{App, AppError, Login, Principal, SESSION_LIFETIME, csrf_token};
use soporte_core::directory::Agent;

pub const SESSION_COOKIE: &str = "soporte_session";
pub const LANG_COOKIE: &str = "soporte_lang";

pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .unwrap_or_default()
}

pub(super) fn set_cookie(
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age_secs: i64,
) -> HeaderValue {
    set_cookie_at(headers, name, value, max_age_secs, "/")
}

/// Where to go after logging in: only a path on this site.
pub(super) fn local_path(next: Option<&str>) -> &str {
    local_or(next, "/inbox")
}

/// An agent signed in to the console, as every page sees it.
pub struct Console {
    pub principal: Principal,
    pub agent: Agent,
    pub csrf: String,
    pub lang: Lang,
    pub t: &'static Texts,
    pub is_admin: bool,
}

impl Console {
    /// Refuses a state-changing request whose form did not carry this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), ConsoleError> {
        if sent == self.csrf {
            Ok(())
        } else {
            Err(ConsoleError::Forgery)
        }
    }
}

impl FromRequestParts<App> for Console {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let login = || {
            let next = parts
                .uri
                .path_and_query()
                .map_or("/inbox", |p| p.as_str())
                .to_string();
            ConsoleError::LogIn { next }
        };
        if parts.method != axum::http::Method::GET && !same_origin(&parts.headers) {
            return Err(ConsoleError::Forgery);
        }
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(login)?;
        let principal = match app.session(token).await {
            Ok(principal) => principal,
            Err(AppError::Unauthorized) => return Err(login()),
            Err(e) => return Err(e.into()),
        };
        let agent = principal.require_agent()?.clone();
        // Under the administrators' rule, an agent without two-step sign-in sets it up
        // before anything else.
        if app.two_factor_required()
            && !super::two_factor::open_before_enrolment(parts.uri.path())
            && app.must_enrol_two_factor(&agent).await?
        {
            return Err(ConsoleError::Enrol);
        }
        let lang = lang_of(&parts.headers);
        Ok(Console {
            is_admin: principal.is_admin(),
            principal,
            agent,
            csrf: csrf_token(token),
            lang,
            t: lang.texts(),
        })
    }
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    page: Page<'a>,
    next: &'a str,
    failed: bool,
    email: &'a str,
    /// A message shown above the form (after a password change).
    notice: &'a str,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login_page(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let lang = lang_of(&headers);
    render(&LoginPage {
        page: Page::anonymous(lang, "/login"),
        next: local_path(q.next.as_deref()),
        failed: false,
        email: "",
        notice: "",
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(app): State<App>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    if !same_origin(&headers) {
        return Err(ConsoleError::Forgery);
    }
    let next = local_path(form.next.as_deref());
    let client = client_address(&extensions);
    match app.log_in(&form.email, &form.password, client).await {
        Ok(Login::Session(session)) => Ok(signed_in(&headers, next, &session.plaintext)),
        Ok(Login::CodeNeeded { pending }) => {
            Ok(super::two_factor::ask_for_code(&headers, next, &pending))
        }
        Err(AppError::Unauthorized) => {
            tracing::info!(email = %form.email, "console login refused");
            let lang = lang_of(&headers);
            let mut response = render(&LoginPage {
                page: Page::anonymous(lang, "/login"),
                next,
                failed: true,
                email: &form.email,
                notice: "",
            });
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// The answer to a completed login: the session cookie, and on to `next`.
pub(super) fn signed_in(headers: &HeaderMap, next: &str, session: &str) -> Response {
    let mut response = Redirect::to(next).into_response();
    let max_age = SESSION_LIFETIME.as_secs();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(headers, SESSION_COOKIE, session, max_age),
    );
    response
}

/// The login page with a message above the form.
pub(super) fn login_page_with(lang: Lang, next: &str, notice: &str) -> Response {
    render(&LoginPage {
        page: Page::anonymous(lang, "/login"),
        next,
        failed: false,
        email: "",
        notice,
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

impl CsrfForm {
    pub fn token(&self) -> &str {
        &self.csrf
    }
}

pub async fn logout(
    State(app): State<App>,
    console: Console,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        app.end_session(token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, "", 0));
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// Switches the console's language; a preference, not a change to data, so a plain link.
pub async fn switch_language(headers: HeaderMap, Query(q): Query<LanguageQuery>) -> Response {
    let lang = Lang::from_code(&q.to).unwrap_or_default();
    let mut response = Redirect::to(local_path(q.back.as_deref())).into_response();
    let a_year = 365 * 24 * 3600;
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie(&headers, LANG_COOKIE, lang.code(), a_year),
    );
    response
}

/// Who is signed in, for scripts and the page's own checks.
pub async fn whoami(console: Console) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "id": console.agent.id.0,
        "name": console.agent.name,
        "admin": console.is_admin,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        let cases = [
            ("/tickets/12?tab=history#m3", "/tickets/12?tab=history#m3"),
            ("/inbox", "/inbox"),
            ("/\t/evil.example/phish", "/fallback"),
            ("/\n/evil.example", "/fallback"),
            ("/\r/evil.example", "/fallback"),
            ("/ /evil.example", "/fallback"),
            ("/\\evil.example", "/fallback"),
            ("//evil.example", "/fallback"),
            ("https://evil.example", "/fallback"),
            ("javascript:alert(1)", "/fallback"),
            ("", "/fallback"),
        ];
        for (path, followed) in cases {
            assert_eq!(local_or(Some(path), "/fallback"), followed, "{path:?}");
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.append(*k, v);
            }
        }
        h
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = headers(&[(
            "cookie",
            "a=1; soporte_session_old=x; soporte_session=sop_abc",
        )]);
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("sop_abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn other_sites_are_refused_by_origin() {
        assert!(same_origin(&headers(&[("host", "desk.example")])));
        assert!(same_origin(&headers(&[
            ("host", "desk.example"),
            ("origin", "https://desk.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "desk.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "desk.example"),
            ("origin", "null")
        ])));
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(local_path(Some("/tickets/5")), "/tickets/5");
        assert_eq!(local_path(Some("//evil.example/")), "/inbox");
        assert_eq!(local_path(Some("https://evil.example/")), "/inbox");
        assert_eq!(local_path(Some("/\\evil.example")), "/inbox");
        assert_eq!(local_path(None), "/inbox");
    }

    #[test]
    fn cookies_are_secure_behind_https() {
        let plain = set_cookie(&HeaderMap::new(), SESSION_COOKIE, "v", 60);
        assert_eq!(
            plain.to_str().ok(),
            Some("soporte_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60")
        );
        let tls = set_cookie(
            &headers(&[("x-forwarded-proto", "https")]),
            SESSION_COOKIE,
            "v",
            60,
        );
        assert!(tls.to_str().is_ok_and(|c| c.ends_with("; Secure")));
    }
}

#[derive(Template)]
#[template(path = "console/password_forgot.html")]
struct ForgotPage<'a> {
    page: Page<'a>,
    sent: bool,
}

pub async fn forgot_page(headers: HeaderMap) -> Response {
    render(&ForgotPage {
        page: Page::anonymous(lang_of(&headers), "/password/forgot"),
        sent: false,
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// Sends the link when the address is an agent's; says the same either way.
pub async fn forgot(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Result<Response, ConsoleError> {
    if !same_origin(&headers) {
        return Err(ConsoleError::Forgery);
    }
    app.request_password_reset(&form.email).await?;
    Ok(render(&ForgotPage {
        page: Page::anonymous(lang_of(&headers), "/password/forgot"),
        sent: true,
    }))
}

#[derive(Template)]
#[template(path = "console/password_reset.html")]
struct ResetPage<'a> {
    page: Page<'a>,
    token: &'a str,
    error: &'a str,
}

#[derive(Deserialize)]
pub struct ResetQuery {
    #[serde(default)]
    token: String,
}

pub async fn reset_page(headers: HeaderMap, Query(q): Query<ResetQuery>) -> Response {
    let mut response = render(&ResetPage {
        page: Page::anonymous(lang_of(&headers), "/password/forgot"),
        token: &q.token,
        error: "",
    });
    // The link's secret must not leak to other sites through the Referer header.
    response.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[derive(Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
    again: String,
}

pub async fn reset(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Result<Response, ConsoleError> {
    if !same_origin(&headers) {
        return Err(ConsoleError::Forgery);
    }
    let lang = lang_of(&headers);
    let t = lang.texts();
    let error = if form.password != form.again {
        t.passwords_differ
    } else {
        match app.reset_password(&form.token, &form.password).await {
            Ok(()) => {
                return Ok(render(&LoginPage {
                    page: Page::anonymous(lang, "/login"),
                    next: "/inbox",
                    failed: false,
                    email: "",
                    notice: t.password_changed,
                }));
            }
            Err(AppError::Invalid(e)) if e.field == "password" => t.password_too_short,
            Err(AppError::Invalid(_)) => t.reset_link_dead,
            Err(e) => return Err(e.into()),
        }
    };
    let mut response = render(&ResetPage {
        page: Page::anonymous(lang, "/password/forgot"),
        token: &form.token,
        error,
    });
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}
