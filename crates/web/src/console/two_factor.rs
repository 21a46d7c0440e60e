//! Two-step sign-in in the console: the code asked for after a right password, the
//! signed-in agent's page to set it up ("Verificación en dos pasos": a QR code drawn here
//! as inline SVG, the key in text, a first code to confirm, then the recovery codes once)
//! or turn it off, and the administrators' switch that requires it of every agent.
//!
//! Between the password and the code the browser holds a pending login in its own
//! HttpOnly cookie, sent only to `/login…` and gone after five minutes: it is no session,
//! and no other page accepts it.

use super::error::ConsoleError;
use super::session::{
    Console, client_address, cookie, lang_of, local_path, login_page_with, same_origin,
    set_cookie_at, signed_in,
};
use super::{Page, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Deserialize;
use soporte_app::two_factor::PENDING_LOGIN_LIFETIME;
use soporte_app::{App, AppError, Enrolment, TwoFactorStatus};
use soporte_core::ids::AgentId;

/// The signed-in agent's page.
pub const PAGE: &str = "/account/two-factor";
/// The cookie of a login waiting for its code.
pub const PENDING_COOKIE: &str = "soporte_login";
const PENDING_PATH: &str = "/login";

/// Pages an agent who must set up two-step sign-in may still open: that page and logging
/// out.
pub fn open_before_enrolment(path: &str) -> bool {
    path == PAGE || path.starts_with("/account/two-factor/") || path == "/logout"
}

/// After a right password, when a code is needed: the pending login's cookie, and on to
/// the page that asks for the code.
pub fn ask_for_code(headers: &HeaderMap, next: &str, pending: &str) -> Response {
    let to = format!("/login/code?next={}", super::forms::percent_encoded(next));
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie_at(
            headers,
            PENDING_COOKIE,
            pending,
            PENDING_LOGIN_LIFETIME.as_secs(),
            PENDING_PATH,
        ),
    );
    response
}

fn forget_pending(headers: &HeaderMap, response: &mut Response) {
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie_at(headers, PENDING_COOKIE, "", 0, PENDING_PATH),
    );
}

#[derive(Template)]
#[template(path = "console/login_code.html")]
struct CodePage<'a> {
    page: Page<'a>,
    next: &'a str,
    failed: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login page again, saying the time for the code has passed.
fn expired(headers: &HeaderMap, next: &str) -> Response {
    let lang = lang_of(headers);
    let mut response = login_page_with(lang, next, lang.texts().login_code_expired);
    forget_pending(headers, &mut response);
    response
}

pub async fn code_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, ConsoleError> {
    let next = local_path(q.next.as_deref());
    let pending = cookie(&headers, PENDING_COOKIE).unwrap_or_default();
    if pending.is_empty() || app.pending_login(pending).await?.is_none() {
        return Ok(expired(&headers, next));
    }
    Ok(render(&CodePage {
        page: Page::anonymous(lang_of(&headers), "/login/code"),
        next,
        failed: false,
    }))
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    next: Option<String>,
}

pub async fn submit_code(
    State(app): State<App>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, ConsoleError> {
    if !same_origin(&headers) {
        return Err(ConsoleError::Forgery);
    }
    let next = local_path(form.next.as_deref());
    let pending = cookie(&headers, PENDING_COOKIE).unwrap_or_default();
    if pending.is_empty() {
        return Ok(expired(&headers, next));
    }
    match app
        .complete_login(pending, &form.code, client_address(&extensions))
        .await
    {
        Ok(session) => {
            let mut response = signed_in(&headers, next, &session.plaintext);
            forget_pending(&headers, &mut response);
            Ok(response)
        }
        Err(AppError::Unauthorized) => {
            if app.pending_login(pending).await?.is_none() {
                return Ok(expired(&headers, next));
            }
            tracing::info!("console login code refused");
            let mut response = render(&CodePage {
                page: Page::anonymous(lang_of(&headers), "/login/code"),
                next,
                failed: true,
            });
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// "Start again": drops the pending login.
pub async fn cancel(State(app): State<App>, headers: HeaderMap) -> Result<Response, ConsoleError> {
    if !same_origin(&headers) {
        return Err(ConsoleError::Forgery);
    }
    if let Some(pending) = cookie(&headers, PENDING_COOKIE) {
        app.cancel_login(pending).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    forget_pending(&headers, &mut response);
    Ok(response)
}

// ----- the signed-in agent's page

#[derive(Template)]
#[template(path = "console/two_factor.html")]
struct SettingsPage<'a> {
    page: Page<'a>,
    status: TwoFactorStatus,
    /// The set-up under way: the key and its QR code (inline SVG).
    enrolment: Option<(Enrolment, String)>,
    /// Shown once, right after the set-up is confirmed.
    recovery_codes: Vec<String>,
    must_enrol: bool,
    error: &'a str,
    notice: &'a str,
}

/// The QR code of an `otpauth://` address, as an `<svg>` element to put in the page.
fn qr_svg(url: &str) -> Result<String, ConsoleError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inside HTML the XML declaration has no place.
    Ok(match image.find("<svg") {
        Some(at) => image[at..].to_string(),
        None => image,
    })
}

async fn settings_page(
    app: &App,
    console: &Console,
    recovery_codes: Vec<String>,
    error: &str,
    notice: &str,
) -> Result<Response, ConsoleError> {
    let status = app.two_factor_status(&console.principal).await?;
    let enrolment = if status.enabled {
        None
    } else {
        match app.pending_two_factor(&console.principal).await? {
            Some(e) => {
                let svg = qr_svg(&e.url)?;
                Some((e, svg))
            }
            None => None,
        }
    };
    let mut response = render(&SettingsPage {
        page: Page::of(console, PAGE),
        must_enrol: status.required && !status.enabled,
        status,
        enrolment,
        recovery_codes,
        error,
        notice,
    });
    if !error.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    off: bool,
}

pub async fn page(
    State(app): State<App>,
    console: Console,
    Query(q): Query<PageQuery>,
) -> Result<Response, ConsoleError> {
    let notice = if q.off {
        console.t.two_factor_now_off
    } else {
        ""
    };
    settings_page(&app, &console, Vec::new(), "", notice).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn start(
    State(app): State<App>,
    console: Console,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    app.begin_two_factor(&console.principal).await?;
    Ok(Redirect::to(PAGE).into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    code: String,
}

pub async fn confirm(
    State(app): State<App>,
    console: Console,
    extensions: axum::http::Extensions,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    match app
        .confirm_two_factor(&console.principal, &form.code, client_address(&extensions))
        .await
    {
        Ok(codes) => settings_page(&app, &console, codes, "", "").await,
        Err(AppError::Invalid(e)) if e.field == "code" => {
            settings_page(&app, &console, Vec::new(), console.t.wrong_code, "").await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    password: String,
    code: String,
}

pub async fn disable(
    State(app): State<App>,
    console: Console,
    extensions: axum::http::Extensions,
    Form(form): Form<DisableForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let t = console.t;
    match app
        .disable_two_factor(
            &console.principal,
            &form.password,
            &form.code,
            client_address(&extensions),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{PAGE}?off=true")).into_response()),
        Err(AppError::Invalid(e)) => {
            let error = if e.field == "password" {
                t.wrong_password
            } else {
                t.wrong_code
            };
            settings_page(&app, &console, Vec::new(), error, "").await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- administrators

#[derive(Deserialize)]
pub struct RequireForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    required: Option<String>,
}

pub async fn require(
    State(app): State<App>,
    console: Console,
    Form(form): Form<RequireForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    app.require_two_factor(&console.principal, form.required.is_some())
        .await?;
    Ok(Redirect::to("/admin/agents#two-factor").into_response())
}

pub async fn reset(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    app.reset_two_factor(&console.principal, AgentId(id))
        .await?;
    Ok(Redirect::to(&format!("/admin/agents#agent-{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_element_for_the_page() -> Result<(), ConsoleError> {
        let svg = qr_svg(
            "otpauth://totp/Soporte:ana@vendomia.com?secret=JBSWY3DPEHPK3PXP&issuer=Soporte",
        )?;
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(
            !svg.contains("style="),
            "inline styles break the page's policy"
        );
        Ok(())
    }

    #[test]
    fn only_the_set_up_and_logging_out_come_before_enrolment() {
        assert!(open_before_enrolment("/account/two-factor"));
        assert!(open_before_enrolment("/account/two-factor/confirm"));
        assert!(open_before_enrolment("/logout"));
        assert!(!open_before_enrolment("/inbox"));
        assert!(!open_before_enrolment("/account/two-factorx"));
        assert!(!open_before_enrolment("/admin/agents"));
    }
}
