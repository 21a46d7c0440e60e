//! `GET /api/v1/policy`: the support policy in force.

use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::extract::State;
use soporte_app::App;
use soporte_app::policy::PolicyView;

/// The policy in force: channel rules, checklist per type and kind, product areas,
/// urgency phrases, business calendar, SLA targets and the classifier model in use.
#[utoipa::path(get, path = "/api/v1/policy", responses(
    (status = 200, description = "The policy in force", body = Object),
    (status = 403, body = ProblemDocument)))]
pub async fn get_policy(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<Json<PolicyView>, Problem> {
    Ok(Json(app.policy(&who)?))
}
