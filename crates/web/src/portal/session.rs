//! The portal session as each page sees it: the signed-in customer, the anti-forgery
//! token of their forms, the language, and the frame every page shares.

use super::error::PortalError;
use super::texts::PortalTexts;
use crate::console::Lang;
use crate::pages::{cookie, local_or, same_origin, set_cookie_at};
use axum::extract::{FromRequestParts, Query};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::portal::PortalUser;
use soporte_app::{App, AppError, Principal};

pub const PORTAL_COOKIE: &str = "soporte_portal";
/// The session cookie goes back only to the portal's own paths.
pub const PORTAL_PATH: &str = "/portal";
/// The language is the console's cookie: one choice for the whole site.
const LANG_COOKIE: &str = "soporte_lang";

pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .unwrap_or_default()
}

/// What every portal page's frame needs.
pub struct Frame<'a> {
    pub t: &'static PortalTexts,
    pub lang: Lang,
    /// The page's path, for the language switch to come back to.
    pub path: &'a str,
    pub csrf: &'a str,
    /// The signed-in customer's name; empty on the pages before signing in.
    pub customer: &'a str,
    pub company: String,
    pub support_email: String,
    /// Changes with the company's colours and logo, for their addresses.
    pub brand_version: String,
    pub has_logo: bool,
}

impl<'a> Frame<'a> {
    pub fn anonymous(app: &App, lang: Lang, path: &'a str) -> Self {
        let settings = app.settings();
        Self {
            t: PortalTexts::of(lang),
            lang,
            path,
            csrf: "",
            customer: "",
            company: settings.company_name.clone(),
            support_email: settings.support_email.clone(),
            brand_version: settings.portal.brand.version(),
            has_logo: settings.portal.brand.logo.is_some(),
        }
    }

    pub fn of(app: &App, customer: &'a Customer, path: &'a str) -> Self {
        Self {
            csrf: &customer.csrf,
            customer: &customer.user.contact.name,
            ..Self::anonymous(app, customer.lang, path)
        }
    }

    pub fn signed_in(&self) -> bool {
        !self.customer.is_empty()
    }

    pub fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

/// A customer signed in to the portal.
pub struct Customer {
    pub user: PortalUser,
    pub csrf: String,
    pub lang: Lang,
    pub t: &'static PortalTexts,
}

impl Customer {
    pub fn principal(&self) -> Principal {
        self.user.principal()
    }

    /// Refuses a state-changing request whose form did not carry this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PortalError> {
        if sent == self.csrf {
            Ok(())
        } else {
            Err(PortalError::Forgery(self.lang))
        }
    }
}

impl FromRequestParts<App> for Customer {
    type Rejection = PortalError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        if parts.method != axum::http::Method::GET && !same_origin(&parts.headers) {
            return Err(PortalError::Forgery(lang));
        }
        let sign_in = || PortalError::SignIn {
            next: parts
                .uri
                .path_and_query()
                .map_or("/portal/requests", |p| p.as_str())
                .to_string(),
        };
        let token = cookie(&parts.headers, PORTAL_COOKIE).ok_or_else(sign_in)?;
        let user = match app.portal_session(token).await {
            Ok(user) => user,
            Err(AppError::Unauthorized) => return Err(sign_in()),
            Err(e) => return Err(PortalError::App(e, lang)),
        };
        Ok(Customer {
            user,
            csrf: soporte_app::portal::csrf_token(token),
            lang,
            t: PortalTexts::of(lang),
        })
    }
}

/// Where to go after signing in: only a portal path.
pub fn portal_next(next: Option<&str>) -> &str {
    match local_or(next, "/portal/requests") {
        path if path.starts_with("/portal/") => path,
        _ => "/portal/requests",
    }
}

/// The answer to a completed sign-in: the session cookie, and on to `next`.
pub fn signed_in(headers: &HeaderMap, next: &str, session: &str) -> Response {
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie_at(
            headers,
            PORTAL_COOKIE,
            session,
            soporte_app::portal::portal_session_seconds(),
            PORTAL_PATH,
        ),
    );
    response
}

pub fn signed_out(headers: &HeaderMap) -> Response {
    let mut response = Redirect::to("/portal/").into_response();
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie_at(headers, PORTAL_COOKIE, "", 0, PORTAL_PATH),
    );
    response
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// Switches the portal's language; a preference, not a change to data, so a plain link.
pub async fn switch_language(headers: HeaderMap, Query(q): Query<LanguageQuery>) -> Response {
    let lang = Lang::from_code(&q.to).unwrap_or_default();
    let back = match local_or(q.back.as_deref(), "/portal/") {
        path if path.starts_with("/portal") => path,
        _ => "/portal/",
    };
    let mut response = Redirect::to(back).into_response();
    let a_year = 365 * 24 * 3600;
    response.headers_mut().append(
        SET_COOKIE,
        set_cookie_at(&headers, LANG_COOKIE, lang.code(), a_year, "/"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::portal_next;

    #[test]
    fn after_signing_in_only_portal_paths_are_followed() {
        assert_eq!(
            portal_next(Some("/portal/requests/VND-000012")),
            "/portal/requests/VND-000012"
        );
        assert_eq!(portal_next(Some("/inbox")), "/portal/requests");
        assert_eq!(portal_next(Some("//evil.example/")), "/portal/requests");
        assert_eq!(portal_next(None), "/portal/requests");
    }
}
