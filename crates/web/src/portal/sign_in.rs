//! Signing in and out: the front door (a link by e-mail, or a password), the page a link
//! opens, and choosing a password.

use super::error::PortalError;
use super::session::{Customer, Frame, PORTAL_COOKIE, lang_of, portal_next, signed_in, signed_out};
use crate::console::Lang;
use crate::pages::{client_address, cookie, render, same_origin};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::portal::PortalLinkPurpose;
use soporte_app::portal::{LinkState, PortalEntry};
use soporte_app::{App, AppError};

/// What the front door says above its forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    None,
    WrongCredentials,
    TooMany,
    InvalidEmail,
}

#[derive(Template)]
#[template(path = "portal/front_door.html")]
struct FrontDoor<'a> {
    frame: Frame<'a>,
    next: &'a str,
    email: &'a str,
    notice: Notice,
    /// Open the password form at once (after a wrong password).
    password_open: bool,
}

#[derive(Template)]
#[template(path = "portal/link_sent.html")]
struct LinkSent<'a> {
    frame: Frame<'a>,
}

#[derive(Template)]
#[template(path = "portal/link.html")]
struct LinkPage<'a> {
    frame: Frame<'a>,
    /// The link's secret, carried by the form that spends it; empty when it cannot be.
    token: &'a str,
    /// Why it cannot be, when it cannot.
    problem: &'a str,
    for_request: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

impl Notice {
    fn status(self) -> StatusCode {
        match self {
            Notice::None => StatusCode::OK,
            Notice::WrongCredentials => StatusCode::UNAUTHORIZED,
            Notice::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Notice::InvalidEmail => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// The front door again, saying why a sign-in was refused; `retry_after` when it was
/// for too many tries.
fn refused_front_door(
    app: &App,
    lang: Lang,
    next: &str,
    email: &str,
    notice: Notice,
    password_open: bool,
    retry_after: Option<u64>,
) -> Response {
    let mut page = front_door_page(app, lang, next, email, notice, password_open);
    *page.status_mut() = notice.status();
    if let Some(seconds) = retry_after {
        page.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    page
}

fn front_door_page(
    app: &App,
    lang: Lang,
    next: &str,
    email: &str,
    notice: Notice,
    password_open: bool,
) -> Response {
    render(&FrontDoor {
        frame: Frame::anonymous(app, lang, "/portal/"),
        next,
        email,
        notice,
        password_open,
    })
}

pub async fn front_door(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = portal_next(q.next.as_deref());
    if let Some(token) = cookie(&headers, PORTAL_COOKIE)
        && app.portal_session(token).await.is_ok()
    {
        return Redirect::to(next).into_response();
    }
    front_door_page(&app, lang_of(&headers), next, "", Notice::None, false)
}

#[derive(Deserialize)]
pub struct LinkRequest {
    email: String,
}

pub async fn request_link(
    State(app): State<App>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<LinkRequest>,
) -> Result<Response, PortalError> {
    let lang = lang_of(&headers);
    if !same_origin(&headers) {
        return Err(PortalError::Forgery(lang));
    }
    let language = match lang {
        Lang::Es => soporte_app::email::Language::Spanish,
        Lang::En => soporte_app::email::Language::English,
    };
    let refused = |notice: Notice, retry_after: Option<u64>| {
        refused_front_door(
            &app,
            lang,
            "/portal/requests",
            &form.email,
            notice,
            false,
            retry_after,
        )
    };
    match app
        .request_portal_link(&form.email, client_address(&extensions), language)
        .await
    {
        Ok(()) => Ok(render(&LinkSent {
            frame: Frame::anonymous(&app, lang, "/portal/"),
        })),
        Err(AppError::Invalid(_)) => Ok(refused(Notice::InvalidEmail, None)),
        Err(AppError::RateLimited { retry_after_secs }) => {
            Ok(refused(Notice::TooMany, Some(retry_after_secs)))
        }
        Err(e) => Err(PortalError::App(e, lang)),
    }
}

#[derive(Deserialize)]
pub struct PasswordSignIn {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn password_sign_in(
    State(app): State<App>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<PasswordSignIn>,
) -> Result<Response, PortalError> {
    let lang = lang_of(&headers);
    if !same_origin(&headers) {
        return Err(PortalError::Forgery(lang));
    }
    let next = portal_next(form.next.as_deref());
    let refused = |notice: Notice, retry_after: Option<u64>| {
        refused_front_door(&app, lang, next, &form.email, notice, true, retry_after)
    };
    match app
        .portal_log_in(&form.email, &form.password, client_address(&extensions))
        .await
    {
        Ok(session) => Ok(signed_in(&headers, next, &session)),
        Err(AppError::Unauthorized) => Ok(refused(Notice::WrongCredentials, None)),
        Err(AppError::RateLimited { retry_after_secs }) => {
            Ok(refused(Notice::TooMany, Some(retry_after_secs)))
        }
        Err(e) => Err(PortalError::App(e, lang)),
    }
}

#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

/// The page a link opens. Nothing is spent here: a mail scanner that follows links must
/// not use up the customer's; the button on the page does. The secret in the address
/// never reaches another site (`Referrer-Policy: same-origin`, as on every page; not
/// `no-referrer`, with which browsers send the button's form with `Origin: null`, which the
/// anti-forgery check rightly refuses).
pub async fn link_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<LinkQuery>,
) -> Result<Response, PortalError> {
    let lang = lang_of(&headers);
    if let Some(rating) = app
        .rating_link(&q.token)
        .await
        .map_err(|e| PortalError::App(e, lang))?
    {
        return Ok(super::rating::link_page(&app, &headers, &q.token, rating));
    }
    let state = app
        .portal_link_state(&q.token)
        .await
        .map_err(|e| PortalError::App(e, lang))?;
    Ok(match state {
        LinkState::Usable(purpose) if purpose != PortalLinkPurpose::Satisfaction => {
            render(&LinkPage {
                frame: Frame::anonymous(&app, lang, "/portal/"),
                token: q.token.trim(),
                problem: "",
                for_request: purpose == PortalLinkPurpose::MissingItems,
            })
        }
        other => link_problem(&app, lang, other),
    })
}

/// The page for a link that cannot be used, with the form to ask for a new one.
fn link_problem(app: &App, lang: Lang, state: LinkState) -> Response {
    let t = super::texts::PortalTexts::of(lang);
    let (status, problem) = match state {
        LinkState::Expired => (StatusCode::GONE, t.link_expired),
        LinkState::Used | LinkState::Usable(_) => (StatusCode::GONE, t.link_used),
        LinkState::Unknown => (StatusCode::NOT_FOUND, t.link_unknown),
    };
    let mut response = render(&LinkPage {
        frame: Frame::anonymous(app, lang, "/portal/"),
        token: "",
        problem,
        for_request: false,
    });
    *response.status_mut() = status;
    response
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    token: String,
}

pub async fn use_link(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Result<Response, PortalError> {
    let lang = lang_of(&headers);
    if !same_origin(&headers) {
        return Err(PortalError::Forgery(lang));
    }
    match app
        .sign_in_with_link(&form.token)
        .await
        .map_err(|e| PortalError::App(e, lang))?
    {
        Ok(PortalEntry {
            session,
            ticket_number,
            ..
        }) => {
            let next = ticket_number.map_or_else(
                || "/portal/requests".to_string(),
                |number| format!("/portal/requests/{number}"),
            );
            Ok(signed_in(&headers, &next, &session))
        }
        Err(state) => Ok(link_problem(&app, lang, state)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub async fn sign_out(
    State(app): State<App>,
    customer: Customer,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PortalError> {
    customer.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, PORTAL_COOKIE) {
        app.end_portal_session(token)
            .await
            .map_err(|e| PortalError::App(e, customer.lang))?;
    }
    Ok(signed_out(&headers))
}

#[derive(Template)]
#[template(path = "portal/password.html")]
struct PasswordPage<'a> {
    frame: Frame<'a>,
    has_password: bool,
    saved: bool,
    problem: &'a str,
}

async fn password_form(
    app: &App,
    customer: &Customer,
    saved: bool,
    problem: &str,
) -> Result<Response, PortalError> {
    let has_password = app
        .has_portal_password(&customer.user)
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    Ok(render(&PasswordPage {
        frame: Frame::of(app, customer, "/portal/password"),
        has_password,
        saved,
        problem,
    }))
}

pub async fn password_page(
    State(app): State<App>,
    customer: Customer,
) -> Result<Response, PortalError> {
    password_form(&app, &customer, false, "").await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

pub async fn save_password(
    State(app): State<App>,
    customer: Customer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PortalError> {
    customer.check_csrf(&form.csrf)?;
    match app
        .set_portal_password(&customer.user, &form.password)
        .await
    {
        Ok(()) => password_form(&app, &customer, true, "").await,
        Err(AppError::Invalid(_)) => {
            let mut page = password_form(&app, &customer, false, customer.t.password_hint).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(e) => Err(PortalError::App(e, customer.lang)),
    }
}
