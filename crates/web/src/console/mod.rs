//! The agent console: server-rendered pages (askama templates under `templates/console/`)
//! with htmx for the parts that change in place. Spanish by default, English by choice
//! (a cookie). One script (htmx and the keyboard shortcuts) and one style sheet, both
//! served from here: no other host is ever contacted.

mod accounts;
mod admin;
mod calls;
mod error;
mod forms;
mod inbox;
mod session;
mod settings;
mod texts;
mod ticket;
mod ticket_history;
mod time;
mod two_factor;
mod whatsapp_chat;
mod whatsapp_composer;

pub use crate::pages::render;
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use soporte_app::App;
pub use texts::Lang;
use texts::Texts;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/inbox") }))
        .route("/login", get(session::login_page).post(session::login))
        .route(
            "/login/code",
            get(two_factor::code_page).post(two_factor::submit_code),
        )
        .route("/login/cancel", post(two_factor::cancel))
        .route("/logout", post(session::logout))
        .route("/account/two-factor", get(two_factor::page))
        .route("/account/two-factor/start", post(two_factor::start))
        .route("/account/two-factor/confirm", post(two_factor::confirm))
        .route("/account/two-factor/disable", post(two_factor::disable))
        .route("/admin/two-factor", post(two_factor::require))
        .route(
            "/admin/agents/{id}/two-factor/reset",
            post(two_factor::reset),
        )
        .route(
            "/password/forgot",
            get(session::forgot_page).post(session::forgot),
        )
        .route(
            "/password/reset",
            get(session::reset_page).post(session::reset),
        )
        .route("/language", get(session::switch_language))
        .route("/console/whoami", get(session::whoami))
        .route("/inbox", get(inbox::inbox))
        .route("/inbox/events", get(inbox::live))
        .route("/calls/events", get(calls::events))
        .route("/calls/{id}/card", get(calls::card))
        .route("/calls/{id}/record", post(calls::record))
        .route("/tickets/{id}/dial", post(calls::dial))
        .route("/inbox/bulk", post(inbox::bulk))
        .route("/search", get(inbox::search))
        .route("/tickets/{id}", get(ticket::page))
        .route("/tickets/{id}/messages", post(ticket::add_message))
        .route("/tickets/{id}/properties", post(ticket::update_properties))
        .route(
            "/tickets/{id}/missing-items-draft",
            get(ticket::missing_items_draft),
        )
        .route("/tickets/{id}/presence", get(ticket::presence))
        .route("/tickets/{id}/canned", get(ticket::canned_reply))
        .route("/tickets/{id}/merge", post(ticket::merge))
        .route("/messages/{id}/original", get(ticket::original))
        .route("/messages/{id}/html", get(ticket::message_html))
        .route("/attachments/{id}", get(ticket::attachment))
        .route(
            "/admin/agents",
            get(admin::agents).post(admin::create_agent),
        )
        .route(
            "/admin/agents/{id}/details",
            post(admin::update_agent_details),
        )
        .route("/admin/agents/{id}/invite", post(admin::invite_agent))
        .route("/admin/agents/{id}", post(admin::update_agent))
        .route("/admin/agents/{id}/absences", post(admin::add_absence))
        .route(
            "/admin/agents/{id}/absences/{index}/remove",
            post(admin::remove_absence),
        )
        .route("/admin/mail", get(admin::mail))
        .route("/admin/policy", get(settings::policy))
        .route(
            "/admin/policy/product-areas",
            post(settings::save_product_areas),
        )
        .route("/admin/policy/sla", post(settings::save_sla))
        .route("/admin/policy/calendar", post(settings::save_calendar))
        .route(
            "/admin/templates",
            get(settings::templates).post(settings::save_templates),
        )
        .route(
            "/admin/mailboxes",
            get(settings::mailboxes).post(settings::save_mailbox),
        )
        .route("/admin/mailboxes/delete", post(settings::delete_mailbox))
        .route("/admin/settings/{section}/restore", post(settings::restore))
        .route(
            "/admin/accounts",
            get(accounts::accounts).post(accounts::create_account),
        )
        .route(
            "/admin/accounts/{id}",
            get(accounts::account).post(accounts::update_account),
        )
        .route(
            "/admin/accounts/{id}/details",
            post(accounts::update_account_details),
        )
        .route(
            "/admin/contacts",
            get(accounts::contacts).post(accounts::create_contact),
        )
        .route("/admin/contacts/{id}", post(accounts::update_contact))
        .route(
            "/admin/contacts/{id}/invite",
            post(accounts::invite_contact),
        )
        .route(
            "/admin/canned",
            get(admin::canned).post(admin::create_canned),
        )
        .route("/admin/canned/{id}", post(admin::update_canned))
        .route("/admin/canned/{id}/delete", post(admin::delete_canned))
        .route("/assets/console.js", get(script))
        .route("/assets/console.css", get(stylesheet))
}

/// What every page's frame needs: the words, who is signed in, the anti-forgery token
/// for its forms, and where the language switch comes back to.
pub struct Page<'a> {
    pub t: &'static Texts,
    pub lang: Lang,
    pub path: &'a str,
    pub agent_name: &'a str,
    pub csrf: &'a str,
    pub signed_in: bool,
    pub is_admin: bool,
    /// What the search box shows.
    pub query: &'a str,
}

impl<'a> Page<'a> {
    pub fn anonymous(lang: Lang, path: &'a str) -> Self {
        Self {
            t: lang.texts(),
            lang,
            path,
            agent_name: "",
            csrf: "",
            signed_in: false,
            is_admin: false,
            query: "",
        }
    }

    pub fn of(console: &'a session::Console, path: &'a str) -> Self {
        Self {
            t: console.t,
            lang: console.lang,
            path,
            agent_name: &console.agent.name,
            csrf: &console.csrf,
            signed_in: true,
            is_admin: console.is_admin,
            query: "",
        }
    }

    pub fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

/// htmx (vendored, licence in `assets/htmx.LICENSE`) followed by the keyboard shortcuts,
/// the live inbox and the WhatsApp window's countdown: one script for every page.
const SCRIPT: &str = concat!(
    include_str!("../../assets/htmx.min.js"),
    "\n",
    include_str!("../../assets/keyboard.js"),
    "\n",
    include_str!("../../assets/live.js"),
    "\n",
    include_str!("../../assets/countdown.js"),
    "\n",
    include_str!("../../assets/calls.js")
);
const STYLESHEET: &str = include_str!("../../assets/console.css");

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

async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8")
}
