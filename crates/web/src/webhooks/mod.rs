//! Endpoints that other systems call to hand Soporte what happened on their side:
//! `/webhooks/whatsapp` (Meta's WhatsApp Cloud API) and `/webhooks/cti/{token}` (the
//! company's phone system, in Zammad's generic CTI format).

mod cti;
mod whatsapp;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use soporte_app::App;

/// The largest webhook body taken. Meta's notifications are a few kilobytes (media come
/// by id, not inline); a body far larger is not from Meta.
pub const WEBHOOK_BODY_LIMIT: usize = 1024 * 1024;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/webhooks/whatsapp",
            axum::routing::get(whatsapp::verify).post(whatsapp::receive),
        )
        .route(
            "/webhooks/cti/{token}",
            axum::routing::post(cti::receive).layer(DefaultBodyLimit::max(cti::CTI_BODY_LIMIT)),
        )
        .layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT))
}
