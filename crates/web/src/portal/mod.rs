//! The customer portal under `/portal`: server-rendered pages (askama templates under
//! `templates/portal/`), mobile first, Spanish by default and English by choice, with one
//! style sheet of its own and no framework. Customers sign in by a one-time link or a
//! password of their own; the session lives in a cookie sent only to `/portal`, apart
//! from the agents' console session.
//!
//! | path | what |
//! |---|---|
//! | `/portal/` | the front door: sign in by link or password |
//! | `/portal/link` | a one-time link: a button that spends it (GET), spending it (POST); a rating link shows the rating form |
//! | `/portal/rating` | rating a solved request with a rating link's secret |
//! | `/portal/requests` | the customer's requests (a manager's: the account's); POST sends a new one |
//! | `/portal/requests/new` | the guided form, with its live checklist (`/new/check`) |
//! | `/portal/requests/{number}` | one request: conversation, attachments, reply, rating once solved |
//! | `/portal/password` | choosing a password |
//! | `/portal/assets/brand.css`, `/portal/brand/logo` | the company's colours and logo, from configuration |

mod error;
mod new_request;
mod rating;
mod requests;
mod session;
mod sign_in;
mod texts;
mod time;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use soporte_app::App;

pub use error::PortalError;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/portal", get(|| async { Redirect::to("/portal/") }))
        .route("/portal/", get(sign_in::front_door))
        .route("/portal/sign-in/link", post(sign_in::request_link))
        .route("/portal/sign-in/password", post(sign_in::password_sign_in))
        .route(
            "/portal/link",
            get(sign_in::link_page).post(sign_in::use_link),
        )
        .route("/portal/sign-out", post(sign_in::sign_out))
        .route(
            "/portal/password",
            get(sign_in::password_page).post(sign_in::save_password),
        )
        .route("/portal/language", get(session::switch_language))
        .route(
            "/portal/requests",
            get(requests::list).post(new_request::submit),
        )
        .route("/portal/requests/new", get(new_request::page))
        .route("/portal/requests/new/check", post(new_request::check))
        .route("/portal/requests/{number}", get(requests::page))
        .route("/portal/requests/{number}/replies", post(requests::reply))
        .route(
            "/portal/requests/{number}/missing",
            post(requests::add_missing),
        )
        .route(
            "/portal/requests/{number}/solved",
            post(requests::mark_solved),
        )
        .route("/portal/requests/{number}/reopen", post(requests::reopen))
        .route("/portal/requests/{number}/rating", post(rating::rate))
        .route("/portal/rating", post(rating::rate_by_link))
        .route("/portal/attachments/{id}", get(requests::attachment))
        .route("/portal/assets/portal.css", get(stylesheet))
        .route("/portal/assets/portal.js", get(script))
        .route("/portal/assets/brand.css", get(brand_stylesheet))
        .route("/portal/brand/logo", get(logo))
}

const STYLESHEET: &str = include_str!("../../assets/portal.css");
/// htmx (vendored, licence in `assets/htmx.LICENSE`) for the live checklist, then the
/// form's screenshots (paste, drop, thumbnails): one script, only on the form's page.
const SCRIPT: &str = concat!(
    include_str!("../../assets/htmx.min.js"),
    "\n",
    include_str!("../../assets/portal.js")
);

fn asset(body: &'static str, media_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type),
            // The URL carries the version, so a new release is fetched anew.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8")
}

async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// The company's colours, after the portal's own style sheet.
async fn brand_stylesheet(State(app): State<App>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        app.settings().portal.brand.css(),
    )
        .into_response()
}

/// The company's logo, for the portal's pages and its e-mails (which load it from here).
async fn logo(State(app): State<App>) -> Response {
    let settings = app.settings();
    let Some(logo) = settings.portal.brand.logo.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, logo.media_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // An SVG opened on its own is a document: it runs nothing and loads nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
        ],
        logo.bytes.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use soporte_app::portal::Colour;

    /// A colour the style sheet's `:root` gives `name`.
    fn variable(name: &str) -> Colour {
        let css = super::STYLESHEET;
        let at = css
            .find(&format!("--{name}:"))
            .map(|i| i + name.len() + 3)
            .unwrap_or_default();
        let value = css[at..].split(';').next().unwrap_or_default();
        Colour::parse(value).unwrap_or(Colour(0xff, 0, 0xff))
    }

    #[test]
    fn the_portal_s_colours_meet_wcag_aa_contrast() {
        let text_pairs = [
            ("ink", "bg"),
            ("ink", "paper"),
            ("muted", "bg"),
            ("muted", "paper"),
            ("accent", "bg"),
            ("accent", "paper"),
            ("accent-ink", "accent"),
            ("top-ink", "top"),
            ("bad", "paper"),
            ("good", "paper"),
            ("you", "paper"),
        ];
        for (text, on) in text_pairs {
            let contrast = variable(text).contrast(variable(on));
            assert!(contrast >= 4.5, "--{text} on --{on}: {contrast:.2}:1");
        }
        // Text on the tinted boxes (the expectation, a chosen type).
        for tint in ["#e8f0fc", "#eef4fd"] {
            let tint = Colour::parse(tint).unwrap_or(Colour::WHITE);
            assert!(variable("ink").contrast(tint) >= 4.5);
        }
        // The edges of fields, which say where to type (WCAG 1.4.11: 3:1).
        let contrast = variable("edge").contrast(variable("paper"));
        assert!(contrast >= 3.0, "field edges: {contrast:.2}:1");
    }
}
