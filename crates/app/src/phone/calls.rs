//! The call log: every call, newest first, narrowed by agent, direction, outcome, number,
//! customer, request or time. Agents see every call, as they see every request.

use crate::{App, AppError, Principal, Result};
use jiff::Timestamp;
use soporte_core::ids::{AgentId, CallId, ContactId, TicketId};
use soporte_core::phone::{
    CallDirection, CallOutcome, CallProgress, NumberingPlan, read_call_number,
};
use soporte_store::{CallQuery, StoredCall};

/// A page holds at most this many calls.
pub const MAX_CALLS_PAGE: u32 = 200;
const DEFAULT_CALLS_PAGE: u32 = 50;

/// Which calls to list, as the API and the console ask.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallFilter {
    pub agent: Option<AgentId>,
    pub direction: Option<CallDirection>,
    pub progress: Option<CallProgress>,
    pub outcome: Option<CallOutcome>,
    /// The customer's number however written: read as a caller's number is.
    pub number: Option<String>,
    pub contact: Option<ContactId>,
    pub ticket: Option<TicketId>,
    pub unrecorded: bool,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// The cursor a previous page gave.
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// One page of calls and the cursor of the next, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPage {
    pub items: Vec<StoredCall>,
    pub next_cursor: Option<String>,
}

fn cursor_of(call: &StoredCall) -> String {
    format!("{}.{}", call.record.started_at.as_microsecond(), call.id.0)
}

fn read_cursor(raw: &str) -> Result<(Timestamp, CallId)> {
    let bad = || AppError::invalid("cursor", "is not a cursor this list gave");
    let (micros, id) = raw.split_once('.').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let at = Timestamp::from_microsecond(micros).map_err(|_| bad())?;
    Ok((at, CallId(id)))
}

impl App {
    /// A page of the call log.
    pub async fn list_calls(&self, who: &Principal, filter: &CallFilter) -> Result<CallPage> {
        who.require_agent()?;
        let limit = filter.limit.unwrap_or(DEFAULT_CALLS_PAGE);
        if !(1..=MAX_CALLS_PAGE).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be 1 to {MAX_CALLS_PAGE}"),
            ));
        }
        let plan = self
            .settings()
            .phone
            .as_ref()
            .map_or(NumberingPlan::SPAIN, |p| p.plan);
        let customer_number = match filter.number.as_deref() {
            Some(raw) => {
                let number = read_call_number(raw, plan)
                    .map_err(|e| AppError::invalid("number", e.to_string()))?;
                match number.international() {
                    Some(n) => Some(n.to_string()),
                    None => {
                        return Err(AppError::invalid(
                            "number",
                            "must be a customer's number, not an extension or withheld",
                        ));
                    }
                }
            }
            None => None,
        };
        if let (Some(since), Some(until)) = (filter.since, filter.until)
            && since >= until
        {
            return Err(AppError::invalid("since", "must be before until"));
        }
        let query = CallQuery {
            agent: filter.agent,
            direction: filter.direction,
            progress: filter.progress,
            outcome: filter.outcome,
            customer_number,
            contact: filter.contact,
            ticket: filter.ticket,
            unrecorded: filter.unrecorded,
            since: filter.since,
            until: filter.until,
            after: filter.cursor.as_deref().map(read_cursor).transpose()?,
            limit: limit + 1,
        };
        let mut items = self.store.list_calls(&query).await?;
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(cursor_of)
        } else {
            None
        };
        Ok(CallPage { items, next_cursor })
    }

    /// One call, for agents.
    pub async fn call(&self, who: &Principal, id: CallId) -> Result<StoredCall> {
        who.require_agent()?;
        self.store
            .call(id)
            .await?
            .ok_or_else(|| AppError::not_found("call", id))
    }
}
