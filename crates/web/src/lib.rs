//! Soporte's HTTP front. `/api/v1` is the JSON API (described by `/api/v1/openapi.json`),
//! `/healthz` tells a load balancer whether this instance can serve, and everything else
//! is the agent console (see [`console`]), but `/portal`, the customers' portal (see
//! [`portal`]), and `/webhooks/*`, where other systems (Meta's WhatsApp) hand over what
//! happened on their side.

mod api;
mod auth;
mod connection;
pub mod console;
mod message_view;
mod multipart;
mod pages;
pub mod portal;
mod problem;
pub mod webhooks;

pub use api::ApiDoc;
pub use problem::{Problem, ProblemDocument};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use soporte_app::App;

/// Limits and switches of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest request body accepted (JSON or multipart), in bytes.
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 25 * 1024 * 1024,
        }
    }
}

pub fn router(app: App, config: &WebConfig) -> Router {
    Router::new()
        .nest("/api/v1", api::routes())
        .merge(console::routes())
        .merge(portal::routes())
        .merge(webhooks::routes())
        .route("/healthz", axum::routing::get(api::health::healthz))
        .fallback(problem::not_found_route)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::middleware::map_response(problem::finish))
        .with_state(app)
}

/// Serves the router on `listener` until `shutdown` completes, finishing requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: &WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches handlers for the per-address login limit.
    let service =
        router(app, config).into_make_service_with_connect_info::<connection::ClientAddress>();
    axum::serve(connection::ProblemListener(listener), service)
        .with_graceful_shutdown(shutdown)
        .await
}
