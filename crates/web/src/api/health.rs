use super::dto::Health;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use soporte_app::App;

/// Whether this instance can serve: answers 200 when the database responds.
#[utoipa::path(get, path = "/healthz", security(()), responses(
    (status = 200, body = Health),
    (status = 503, body = ProblemDocument),
))]
pub async fn healthz(State(app): State<App>) -> Result<Json<Health>, Problem> {
    let database = match app.backend() {
        soporte_app::Backend::Sqlite => "sqlite",
        soporte_app::Backend::Postgres => "postgres",
    };
    app.ping().await.map_err(|e| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("database: {e}"),
        )
        .retry_after(soporte_app::RETRY_AFTER_UNAVAILABLE_SECS)
    })?;
    Ok(Json(Health {
        status: "ok".into(),
        database: database.into(),
    }))
}
