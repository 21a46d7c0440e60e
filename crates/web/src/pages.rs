//! What every HTML page of Soporte shares, the agents' console's and the customers'
//! portal's: how a page is sent (never cached, never framed, scripts only from here), the
//! cookies, and the checks on where a request came from and where a form may send the
//! browser next.

use askama::Template;
use axum::http::header::{COOKIE, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Pages carry customer data: never cached, never framed, and scripts only from here.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; connect-src 'self'; frame-src 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// The value of cookie `name` in the request, if sent.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub(crate) fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// An HttpOnly, SameSite=Lax cookie sent back only to paths under `path`.
pub(crate) fn set_cookie_at(
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age_secs: i64,
    path: &str,
) -> HeaderValue {
    let secure = if over_https(headers) { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A request from another site carries its own `Origin`: refused before anything else.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    origin_host.is_some() && origin_host == host
}

/// `path` when it is a path on this site, else `fallback`: a form's "come back to" field
/// must never send the browser elsewhere. Browsers drop tabs and newlines from an address
/// and read `\\` as `/`, so `/\t/evil.example` would take them to `//evil.example`: a path
/// is only taken as it is when it holds no control character, space or backslash at all.
pub(crate) fn local_or<'a>(path: Option<&'a str>, fallback: &'a str) -> &'a str {
    match path {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.chars().any(|c| c <= ' ' || c == '\u{7f}' || c == '\\') =>
        {
            p
        }
        _ => fallback,
    }
}

/// The address the request came from, when the server knows it (not in in-process tests).
pub(crate) fn client_address(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<crate::connection::ClientAddress>>()
        .map(|info| info.0.0.ip())
}

/// `text` for a URL's path or query: letters, digits and `-_./` as they are.
pub fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A list's "where the next page starts" as a link carries it: `key.id`.
pub(crate) fn cursor_text(cursor: soporte_app::Cursor) -> String {
    format!("{}.{}", cursor.key, cursor.id)
}

/// The cursor of a `?after=key.id` link; `None` for anything else.
pub(crate) fn cursor_of(text: &str) -> Option<soporte_app::Cursor> {
    let (key, id) = text.split_once('.')?;
    Some(soporte_app::Cursor {
        key: key.parse().ok()?,
        id: id.parse().ok()?,
    })
}

/// The company's time zone, in which every page shows times.
pub(crate) fn madrid() -> &'static jiff::tz::TimeZone {
    static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| jiff::tz::TimeZone::get("Europe/Madrid").unwrap_or(jiff::tz::TimeZone::UTC))
}
