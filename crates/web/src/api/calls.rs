//! `/api/v1/calls`: the call log the phone system's events wrote, with filters.

use super::extract::{ApiPath, ApiQuery};
use super::tickets::{bad_query, parse_value};
use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use soporte_app::App;
use soporte_app::StoredCall;
use soporte_app::phone::CallFilter;
use soporte_core::ids::{AgentId, CallId, ContactId, TicketId};
use utoipa::{IntoParams, ToSchema};

fn parse_time(field: &str, raw: Option<&str>) -> Result<Option<Timestamp>, Problem> {
    raw.map(|v| {
        v.parse::<Timestamp>()
            .map_err(|e| bad_query(field, format!("{field}: expected an RFC 3339 time ({e})")))
    })
    .transpose()
}

/// One call, put together from the phone system's events.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallOut {
    pub id: i64,
    /// The phone system's id of the call.
    pub call_id: String,
    /// `in` or `out`.
    pub direction: String,
    /// `+34600111222`, an extension, `""` when withheld, null when not reported.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The customer's number in international form, when known.
    pub customer_number: Option<String>,
    /// The people the phone system named.
    pub users: Vec<String>,
    pub queue: Option<String>,
    /// Who picked up, in order, as the phone system named them.
    pub answered_by: Vec<String>,
    /// Whose call it is.
    pub agent_id: Option<i64>,
    /// The agent who picked up last.
    pub answered_by_agent_id: Option<i64>,
    /// The customer, when the number belongs to one contact.
    pub contact_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<Timestamp>,
    /// Seconds from the answer to the end.
    pub duration_seconds: Option<i64>,
    pub cause: Option<String>,
    /// `ringing`, `talking` or `ended`.
    pub progress: String,
    /// `answered`, `missed`, `busy`, `rejected` or `forwarded`, once known.
    pub outcome: Option<String>,
    /// The request the call is recorded on, and its entry there.
    pub ticket_id: Option<i64>,
    pub message_id: Option<i64>,
}

impl From<StoredCall> for CallOut {
    fn from(call: StoredCall) -> Self {
        let c = &call.record;
        Self {
            id: call.id.0,
            call_id: c.call_id.clone(),
            direction: c.direction.as_str().to_string(),
            from: c.from.as_ref().map(|n| n.as_text().to_string()),
            to: c.to.as_ref().map(|n| n.as_text().to_string()),
            customer_number: c
                .customer_number()
                .and_then(|n| n.international())
                .map(str::to_string),
            users: c.users.clone(),
            queue: c.queue.clone(),
            answered_by: c.answered_by.clone(),
            agent_id: call.agent.map(|a| a.0),
            answered_by_agent_id: call.answered_by.map(|a| a.0),
            contact_id: call.contact.map(|a| a.0),
            started_at: c.started_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
            duration_seconds: c.talk_time().map(|d| d.as_secs()),
            cause: c.cause.map(|x| x.as_str().to_string()),
            progress: c.progress().as_str().to_string(),
            outcome: c.outcome().map(|o| o.as_str().to_string()),
            ticket_id: call.ticket.map(|t| t.0),
            message_id: call.message.map(|m| m.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    pub items: Vec<CallOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CallListParams {
    /// Calls of this agent (whose call it is, or who answered it).
    agent_id: Option<i64>,
    /// `in` or `out`.
    direction: Option<String>,
    /// `ringing`, `talking` or `ended`.
    progress: Option<String>,
    /// `answered`, `missed`, `busy`, `rejected` or `forwarded`.
    outcome: Option<String>,
    /// The customer's number, however written.
    number: Option<String>,
    contact_id: Option<i64>,
    ticket_id: Option<i64>,
    /// `true`: only calls not recorded on a request yet.
    unrecorded: Option<bool>,
    /// RFC 3339 time: calls that began at or after it.
    since: Option<String>,
    /// RFC 3339 time: calls that began before it.
    until: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Calls per page, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// The call log, newest first (agents).
#[utoipa::path(get, path = "/api/v1/calls", params(CallListParams), responses(
    (status = 200, body = CallList), (status = 400, body = ProblemDocument)))]
pub async fn list_calls(
    State(app): State<App>,
    Caller(who): Caller,
    ApiQuery(p): ApiQuery<CallListParams>,
) -> Result<Json<CallList>, Problem> {
    let filter = CallFilter {
        agent: p.agent_id.map(AgentId),
        direction: p
            .direction
            .as_deref()
            .map(|v| parse_value("direction", v))
            .transpose()?,
        progress: p
            .progress
            .as_deref()
            .map(|v| parse_value("progress", v))
            .transpose()?,
        outcome: p
            .outcome
            .as_deref()
            .map(|v| parse_value("outcome", v))
            .transpose()?,
        number: p.number,
        contact: p.contact_id.map(ContactId),
        ticket: p.ticket_id.map(TicketId),
        unrecorded: p.unrecorded.unwrap_or(false),
        since: parse_time("since", p.since.as_deref())?,
        until: parse_time("until", p.until.as_deref())?,
        cursor: p.cursor,
        limit: p.limit,
    };
    // The filter's values come from the query string: a bad one is a bad query.
    let page = app.list_calls(&who, &filter).await.map_err(|e| match e {
        soporte_app::AppError::Invalid(v) => {
            bad_query(&v.field, format!("{}: {}", v.field, v.message))
        }
        other => Problem::from(other),
    })?;
    Ok(Json(CallList {
        items: page.items.into_iter().map(CallOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One call (agents).
#[utoipa::path(get, path = "/api/v1/calls/{id}", responses(
    (status = 200, body = CallOut), (status = 404, body = ProblemDocument)))]
pub async fn get_call(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CallOut>, Problem> {
    Ok(Json(app.call(&who, CallId(id)).await?.into()))
}
