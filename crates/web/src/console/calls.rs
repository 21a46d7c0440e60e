//! Calls in the console: the incoming-call card, pushed to the called agent's open pages
//! the moment the phone system reports the call (`/calls/events`, server-sent events on
//! every page), and recording a call on a request from it.

use super::error::ConsoleError;
use super::render;
use super::session::{Console, SESSION_COOKIE, cookie};
use super::texts::Texts;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::phone::{CallCard, CallFilter, CallSignal, CallTarget, spaced_number};
use soporte_app::{App, Principal};
use soporte_core::ids::{AgentId, CallId, ContactId, TicketId};
use soporte_core::phone::{CallDirection, CallNumber, CallOutcome, CallProgress};
use soporte_core::support::Priority;
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often an open console also looks in the database for its calls: signals reach the
/// consoles of the process that took the event, so with several instances a card from
/// another one arrives within this time.
const LOOK_AGAIN: Duration = Duration::from_secs(2);
/// A card stays up this long after its call ended unrecorded, for the agent to record it.
const ENDED_CARD_MINUTES: i64 = 30;

pub struct NumberView {
    pub shown: String,
    pub tel: String,
}

pub struct RequestView {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub urgent: bool,
    /// The SLA state's key and label.
    pub sla: Option<(&'static str, &'static str)>,
}

pub struct CallerView {
    pub id: i64,
    pub name: String,
    pub emails: Vec<String>,
    pub account: String,
    pub personal_agent: Option<String>,
    pub open: Vec<RequestView>,
}

pub struct CardView {
    pub id: i64,
    pub kind: &'static str,
    pub state: &'static str,
    pub progress: &'static str,
    pub number: Option<NumberView>,
    pub urgent: bool,
    pub worst_sla: Option<(&'static str, &'static str)>,
    pub recorded_on: Option<(i64, String)>,
    pub callers: Vec<CallerView>,
}

#[derive(Template)]
#[template(path = "console/call_card.html")]
pub struct CardTemplate<'a> {
    pub t: &'static Texts,
    pub csrf: &'a str,
    pub card: CardView,
}

fn card_view(t: &'static Texts, card: &CallCard) -> CardView {
    let call = &card.call.record;
    let number = call
        .customer_number()
        .filter(|n| !matches!(n, CallNumber::Withheld))
        .map(|n| NumberView {
            shown: spaced_number(n.as_text()),
            tel: n.as_text().to_string(),
        });
    let state = match (call.progress(), call.outcome()) {
        (CallProgress::Ringing, _) => t.ph.ringing,
        (CallProgress::Talking, _) => t.ph.talking,
        _ => t.ph.ended,
    };
    CardView {
        id: card.call.id.0,
        kind: match call.direction {
            CallDirection::In => t.ph.incoming,
            CallDirection::Out => t.ph.outgoing,
        },
        state,
        progress: call.progress().as_str(),
        number,
        urgent: card.urgent,
        worst_sla: card.worst_sla.map(|s| (s.as_str(), t.sla_state(s))),
        recorded_on: card
            .recorded_on
            .as_ref()
            .map(|t| (t.id.0, format!("{} · {}", t.number, t.subject))),
        callers: card
            .callers
            .iter()
            .map(|c| CallerView {
                id: c.contact.id.0,
                name: c.contact.name.clone(),
                emails: c.contact.emails.clone(),
                account: c
                    .account
                    .as_ref()
                    .map_or_else(|| t.ph.no_account.to_string(), |a| a.name.clone()),
                personal_agent: c.personal_agent.as_ref().map(|a| a.name.clone()),
                open: c
                    .open
                    .iter()
                    .map(|r| RequestView {
                        id: r.id.0,
                        number: r.number.clone(),
                        subject: r.subject.clone(),
                        urgent: r.priority == Priority::Urgent,
                        sla: r.policy.sla.state.map(|s| (s.as_str(), t.sla_state(s))),
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl<'a> CardTemplate<'a> {
    fn of(t: &'static Texts, csrf: &'a str, card: &CallCard) -> Self {
        Self {
            t,
            csrf,
            card: card_view(t, card),
        }
    }
}

async fn card_html(
    app: &App,
    who: &Principal,
    t: &'static Texts,
    csrf: &str,
    id: CallId,
) -> Option<String> {
    let card = app.call_card(who, id).await.ok()?;
    CardTemplate::of(t, csrf, &card).render().ok()
}

/// Whether a signal concerns this agent: their call, or a call that is nobody's yet.
fn concerns(signal: &CallSignal, me: AgentId) -> bool {
    signal.agent.is_none_or(|a| a == me)
}

/// `GET /calls/{id}/card`: one call's card.
pub async fn card(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let card = app.call_card(&console.principal, CallId(id)).await?;
    Ok(render(&CardTemplate::of(console.t, &console.csrf, &card)))
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    ticket: Option<i64>,
    #[serde(default)]
    new: Option<String>,
    contact: Option<i64>,
}

/// `POST /calls/{id}/record`: records the call on the request picked (or a new one) and
/// opens it.
pub async fn record(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<RecordForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let target = match (form.ticket, form.new.as_deref()) {
        (Some(ticket), _) => CallTarget::Ticket(TicketId(ticket)),
        (None, Some(_)) => CallTarget::NewRequest {
            contact: form.contact.map(ContactId),
        },
        (None, None) => {
            return Err(
                soporte_app::AppError::invalid("ticket", "pick a request, or a new one").into(),
            );
        }
    };
    let ticket = match app
        .record_call(&console.principal, CallId(id), target)
        .await
    {
        Ok(ticket) => ticket,
        // Recorded already (a second click, or a colleague): open the request it is on.
        Err(soporte_app::AppError::Conflict { .. }) => app
            .call(&console.principal, CallId(id))
            .await?
            .ticket
            .ok_or_else(|| soporte_app::AppError::not_found("call", id))?,
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!("/tickets/{}", ticket.0)).into_response())
}

#[derive(Deserialize)]
pub struct DialForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    number: String,
}

/// `POST /tickets/{id}/dial`: keeps that the agent calls this number about the request,
/// then hands the number to the agent's phone (`tel:`).
pub async fn dial(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<DialForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let number = app
        .intend_call(&console.principal, TicketId(id), &form.number)
        .await?;
    Ok(Redirect::to(&format!("tel:{number}")).into_response())
}

/// The calls an agent's console shows when it opens: theirs (or nobody's) that ring or go
/// on, and those that ended answered but unrecorded a short while ago.
async fn current_calls(app: &App, who: &Principal, me: AgentId) -> Vec<(CallId, jiff::Timestamp)> {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(ENDED_CARD_MINUTES);
    let filter = CallFilter {
        since: Some(since),
        unrecorded: true,
        limit: Some(50),
        ..CallFilter::default()
    };
    let Ok(page) = app.list_calls(who, &filter).await else {
        return Vec::new();
    };
    page.items
        .into_iter()
        .filter(|c| c.agent.is_none_or(|a| a == me) || c.answered_by == Some(me))
        .filter(|c| {
            c.record.progress() != CallProgress::Ended
                || c.record.outcome() == Some(CallOutcome::Answered)
        })
        .map(|c| (c.id, c.updated_at))
        .collect()
}

/// `GET /calls/events`: the agent's incoming-call cards as they happen. `call` events
/// carry a card's HTML (to add, or to put in place of the card with its id); `call-gone`
/// names a card to take away. 204 when no phone system is connected, which tells the
/// browser not to ask again.
pub async fn events(State(app): State<App>, console: Console, headers: HeaderMap) -> Response {
    if !app.phone_enabled() {
        return StatusCode::NO_CONTENT.into_response();
    }
    let session = cookie(&headers, SESSION_COOKIE)
        .unwrap_or_default()
        .to_string();
    let me = console.agent.id;
    let t = console.t;
    let csrf = console.csrf.clone();
    let signals = app.subscribe_calls();
    struct Stream {
        app: App,
        session: String,
        signals: tokio::sync::broadcast::Receiver<CallSignal>,
        /// The cards this page shows, with their call's last change.
        shown: HashMap<CallId, jiff::Timestamp>,
        /// Calls to look at and send (or take away) next.
        pending: Vec<(CallId, jiff::Timestamp)>,
        csrf: String,
    }
    let state = Stream {
        // What is already up when the page opens.
        pending: current_calls(&app, &console.principal, me).await,
        app,
        session,
        signals,
        shown: HashMap::new(),
        csrf,
    };
    let stream = futures_util::stream::unfold(state, move |mut s| async move {
        loop {
            if let Some((id, _)) = s.pending.pop() {
                let who = s.app.session(&s.session).await.ok()?;
                let Ok(call) = s.app.call(&who, id).await else {
                    continue;
                };
                // Unanswered: its call-back task is in the inbox; the card has done its part.
                let gone = call.record.progress() == CallProgress::Ended
                    && call.record.outcome() != Some(CallOutcome::Answered);
                if gone {
                    if s.shown.remove(&id).is_some() {
                        let event = Event::default().event("call-gone").data(id.0.to_string());
                        return Some((Ok::<Event, Infallible>(event), s));
                    }
                    continue;
                }
                let Some(html) = card_html(&s.app, &who, t, &s.csrf, id).await else {
                    continue;
                };
                s.shown.insert(id, call.updated_at);
                let event = Event::default().event("call").data(html);
                return Some((Ok(event), s));
            }
            tokio::select! {
                signal = s.signals.recv() => match signal {
                    Ok(signal) if concerns(&signal, me) => {
                        s.pending.push((signal.call, jiff::Timestamp::now()));
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {
                        let who = s.app.session(&s.session).await.ok()?;
                        s.pending = current_calls(&s.app, &who, me).await;
                    }
                    Err(RecvError::Closed) => return None,
                },
                () = tokio::time::sleep(LOOK_AGAIN) => {
                    // The session may have ended; and another instance may have taken a
                    // call's event.
                    let who = s.app.session(&s.session).await.ok()?;
                    let now = current_calls(&s.app, &who, me).await;
                    // Cards up whose calls left the list are looked at again too: they
                    // ended unanswered, or were recorded.
                    let left: Vec<(CallId, jiff::Timestamp)> = s
                        .shown
                        .iter()
                        .filter(|(id, _)| !now.iter().any(|(n, _)| n == *id))
                        .map(|(id, at)| (*id, *at))
                        .collect();
                    s.pending = now
                        .into_iter()
                        .filter(|(id, at)| s.shown.get(id) != Some(at))
                        .chain(left)
                        .collect();
                }
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
