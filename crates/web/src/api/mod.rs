//! `/api/v1`: JSON over HTTP with bearer tokens.

mod calls;
mod directory;
mod dto;
mod email;
mod extract;
pub(crate) mod health;
mod messages;
mod policy;
mod tickets;
mod whatsapp_dto;

use axum::Router;
use axum::routing::get;
use soporte_app::App;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Soporte API", description = "Tickets, accounts, contacts and agents of a Soporte helpdesk."),
    paths(
        directory::create_account, directory::list_accounts, directory::get_account, directory::patch_account,
        directory::create_contact, directory::list_contacts, directory::get_contact, directory::patch_contact,
        directory::create_contact_token,
        directory::create_agent, directory::list_agents, directory::get_agent, directory::patch_agent,
        tickets::create_ticket, tickets::list_tickets, tickets::get_ticket, tickets::patch_ticket,
        messages::add_message, tickets::list_events, tickets::get_attachment,
        email::inbound_email, email::original, email::quarantine, email::outbox,
        calls::list_calls, calls::get_call,
        health::healthz, policy::get_policy,
    ),
    components(schemas(crate::problem::ProblemDocument)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// Largest raw e-mail the inbound endpoint reads.
const INBOUND_EMAIL_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/policy", get(policy::get_policy))
        .route(
            "/accounts",
            get(directory::list_accounts).post(directory::create_account),
        )
        .route(
            "/accounts/{id}",
            get(directory::get_account).patch(directory::patch_account),
        )
        .route(
            "/contacts",
            get(directory::list_contacts).post(directory::create_contact),
        )
        .route(
            "/contacts/{id}",
            get(directory::get_contact).patch(directory::patch_contact),
        )
        .route(
            "/contacts/{id}/tokens",
            axum::routing::post(directory::create_contact_token),
        )
        .route(
            "/agents",
            get(directory::list_agents).post(directory::create_agent),
        )
        .route(
            "/agents/{id}",
            get(directory::get_agent).patch(directory::patch_agent),
        )
        .route(
            "/tickets",
            get(tickets::list_tickets).post(tickets::create_ticket),
        )
        .route(
            "/tickets/{id}",
            get(tickets::get_ticket).patch(tickets::patch_ticket),
        )
        .route(
            "/tickets/{id}/messages",
            axum::routing::post(messages::add_message),
        )
        .route("/tickets/{id}/events", get(tickets::list_events))
        .route("/attachments/{id}", get(tickets::get_attachment))
        .route(
            "/inbound/email",
            // Big messages must reach the intake, which quarantines what is too large
            // instead of the sender's server retrying for days.
            axum::routing::post(email::inbound_email)
                .layer(axum::extract::DefaultBodyLimit::max(INBOUND_EMAIL_LIMIT)),
        )
        .route("/messages/{id}/original", get(email::original))
        .route("/admin/quarantine", get(email::quarantine))
        .route("/admin/outbox", get(email::outbox))
        .route("/calls", get(calls::list_calls))
        .route("/calls/{id}", get(calls::get_call))
}
