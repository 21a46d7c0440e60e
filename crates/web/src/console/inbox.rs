//! The inbox: the ticket lists an agent works through (mine, unassigned, urgent, SLA at
//! risk or breached, waiting on the customer, all), each with its count, narrowed by type
//! and ordered by last change or by age.

use super::error::ConsoleError;
use super::session::Console;
use super::texts::Texts;
use super::ticket::{Choice, agent_choices, status_choices};
use super::{Page, render, time};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use soporte_app::{App, TicketFilter};
use soporte_app::{AssigneeFilter, TicketSort, TypeFilter};
use soporte_core::ids::AgentId;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Priority, SupportType};
use soporte_core::ticket::{Status, Ticket};
use std::collections::HashMap;

/// Statuses in which a ticket still needs work from support.
const WORKING: [Status; 3] = [Status::New, Status::Open, Status::OnHold];
/// Everything not yet solved or closed.
const UNFINISHED: [Status; 4] = [Status::New, Status::Open, Status::Pending, Status::OnHold];

const PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Mine,
    Unassigned,
    Urgent,
    AtRisk,
    Breached,
    CallBacks,
    Pending,
    All,
}

impl View {
    pub const ALL: [View; 8] = [
        View::Mine,
        View::Unassigned,
        View::Urgent,
        View::AtRisk,
        View::Breached,
        View::CallBacks,
        View::Pending,
        View::All,
    ];

    pub fn key(self) -> &'static str {
        match self {
            View::Mine => "mine",
            View::Unassigned => "unassigned",
            View::Urgent => "urgent",
            View::AtRisk => "at_risk",
            View::Breached => "breached",
            View::CallBacks => "call_backs",
            View::Pending => "pending",
            View::All => "all",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }

    fn label(self, t: &Texts) -> &'static str {
        match self {
            View::Mine => t.view_mine,
            View::Unassigned => t.view_unassigned,
            View::Urgent => t.view_urgent,
            View::AtRisk => t.view_at_risk,
            View::Breached => t.view_breached,
            View::CallBacks => t.ph.view_call_backs,
            View::Pending => t.view_pending,
            View::All => t.view_all,
        }
    }

    pub fn filter(self, me: AgentId) -> TicketFilter {
        let mut filter = TicketFilter::default();
        match self {
            View::Mine => {
                filter.assignee = Some(AssigneeFilter::Agent(me));
                filter.statuses = UNFINISHED.to_vec();
            }
            View::Unassigned => {
                filter.assignee = Some(AssigneeFilter::Unassigned);
                filter.statuses = UNFINISHED.to_vec();
            }
            View::Urgent => {
                filter.priority = Some(Priority::Urgent);
                filter.statuses = UNFINISHED.to_vec();
            }
            View::AtRisk => {
                filter.sla_states = vec![SlaState::AtRisk];
                filter.statuses = WORKING.to_vec();
            }
            View::Breached => {
                filter.sla_states = vec![SlaState::Breached];
                filter.statuses = WORKING.to_vec();
            }
            View::CallBacks => {
                filter.call_backs = true;
                filter.statuses = UNFINISHED.to_vec();
            }
            View::Pending => filter.statuses = vec![Status::Pending],
            View::All => {}
        }
        filter
    }
}

fn type_filter(key: &str) -> Option<TypeFilter> {
    match key {
        "unset" => Some(TypeFilter::Unset),
        other => other.parse::<SupportType>().ok().map(TypeFilter::Type),
    }
}

fn sort_of(key: &str) -> TicketSort {
    match key {
        "updated_asc" => TicketSort::UpdatedAsc,
        "created_desc" => TicketSort::CreatedDesc,
        "created_asc" => TicketSort::CreatedAsc,
        _ => TicketSort::UpdatedDesc,
    }
}

fn sort_key(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::UpdatedDesc => "updated_desc",
        TicketSort::UpdatedAsc => "updated_asc",
        TicketSort::CreatedDesc => "created_desc",
        TicketSort::CreatedAsc => "created_asc",
    }
}

use crate::pages::{cursor_of, cursor_text};

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    /// Only the inbox's body (views and list), for refreshing it in place.
    #[serde(default)]
    partial: bool,
    view: Option<String>,
    #[serde(rename = "type")]
    support_type: Option<String>,
    sort: Option<String>,
    after: Option<String>,
}

pub struct ViewLink {
    pub key: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
    pub warn: bool,
}

pub struct TypeLink {
    pub key: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct SortOption {
    pub key: &'static str,
    pub label: String,
    pub current: bool,
}

/// One line of a ticket list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub requester: String,
    pub type_label: &'static str,
    pub urgent: bool,
    pub priority_label: &'static str,
    pub status_label: &'static str,
    pub assignee: String,
    pub sla_class: &'static str,
    pub sla_label: &'static str,
    pub updated: String,
    pub updated_iso: String,
    pub missing: usize,
    /// How the request came: its key (for the icon) and its name.
    pub channel: &'static str,
    pub channel_label: &'static str,
}

pub fn rows(
    tickets: &[Ticket],
    names: &HashMap<AgentId, String>,
    requesters: &HashMap<soporte_core::ids::ContactId, String>,
    console: &Console,
) -> Vec<Row> {
    let t = console.t;
    tickets
        .iter()
        .map(|ticket| {
            let sla = ticket.policy.sla.state;
            Row {
                id: ticket.id.0,
                number: ticket.number.clone(),
                subject: ticket.subject.clone(),
                requester: requesters
                    .get(&ticket.requester_id)
                    .cloned()
                    .unwrap_or_default(),
                type_label: t.support_type(ticket.support_type),
                urgent: ticket.priority == Priority::Urgent,
                priority_label: t.priority(ticket.priority),
                status_label: t.status(ticket.status),
                assignee: ticket
                    .assignee_id
                    .and_then(|a| names.get(&a).cloned())
                    .unwrap_or_else(|| t.unassigned.to_string()),
                sla_class: match sla {
                    Some(SlaState::Breached) => "sla-breached",
                    Some(SlaState::AtRisk) => "sla-at-risk",
                    _ => "",
                },
                sla_label: sla.map_or("", |s| t.sla_state(s)),
                updated: time::local(ticket.updated_at, console.lang),
                updated_iso: time::iso(ticket.updated_at),
                missing: ticket
                    .policy
                    .checklist
                    .as_ref()
                    .map_or(0, |c| c.missing().count()),
                channel: ticket.channel.as_str(),
                channel_label: t.channel(ticket.channel),
            }
        })
        .collect()
}

/// The requesters' names of a page of tickets, read in one query.
async fn requester_names(
    app: &App,
    console: &Console,
    tickets: &[Ticket],
) -> Result<HashMap<soporte_core::ids::ContactId, String>, ConsoleError> {
    let ids: Vec<_> = tickets.iter().map(|t| t.requester_id).collect();
    Ok(app.contact_names(&console.principal, &ids).await?)
}

pub async fn agent_names(app: &App) -> Result<HashMap<AgentId, String>, ConsoleError> {
    Ok(names_of(&app.list_agents().await?))
}

fn names_of(agents: &[soporte_core::directory::Agent]) -> HashMap<AgentId, String> {
    agents.iter().map(|a| (a.id, a.name.clone())).collect()
}

#[derive(Template)]
#[template(path = "console/inbox.html")]
struct InboxPage<'a> {
    page: Page<'a>,
    refresh_url: String,
    selectable: bool,
    assignees: Vec<Choice>,
    statuses: Vec<Choice>,
    views: Vec<ViewLink>,
    types: Vec<TypeLink>,
    sorts: Vec<SortOption>,
    view_key: &'static str,
    view_label: &'static str,
    type_key: String,
    sort_key: &'static str,
    rows: Vec<Row>,
    next: Option<String>,
}

pub async fn inbox(
    State(app): State<App>,
    console: Console,
    Query(q): Query<InboxQuery>,
) -> Result<Response, ConsoleError> {
    let t = console.t;
    let me = console.agent.id;
    let view = q
        .view
        .as_deref()
        .and_then(View::from_key)
        .unwrap_or(View::Mine);
    let chosen_type = q.support_type.as_deref().and_then(type_filter);
    let sort = sort_of(q.sort.as_deref().unwrap_or_default());

    let mut views = Vec::with_capacity(View::ALL.len());
    for v in View::ALL {
        let count = app.count_tickets(&console.principal, &v.filter(me)).await?;
        views.push(ViewLink {
            key: v.key(),
            label: v.label(t),
            count,
            current: v == view,
            warn: matches!(v, View::Breached | View::AtRisk | View::Urgent) && count > 0,
        });
    }

    let mut filter = view.filter(me);
    filter.support_type = chosen_type;
    filter.sort = sort;
    filter.after = q.after.as_deref().and_then(cursor_of);
    filter.limit = Some(PAGE_SIZE);
    let page = app.list_tickets(&console.principal, &filter).await?;
    let agents = app.list_agents().await?;
    let names = names_of(&agents);

    let type_key = q
        .support_type
        .clone()
        .filter(|_| chosen_type.is_some())
        .unwrap_or_default();
    let types = [
        ("", t.view_all),
        (
            "administrative",
            t.support_type(Some(SupportType::Administrative)),
        ),
        ("usage", t.support_type(Some(SupportType::Usage))),
        ("technical", t.support_type(Some(SupportType::Technical))),
        ("unset", t.unclassified),
    ]
    .into_iter()
    .map(|(key, label)| TypeLink {
        key,
        label,
        current: key == type_key,
    })
    .collect();
    let sorts = [
        TicketSort::UpdatedDesc,
        TicketSort::UpdatedAsc,
        TicketSort::CreatedDesc,
        TicketSort::CreatedAsc,
    ]
    .into_iter()
    .map(|s| SortOption {
        key: sort_key(s),
        label: match s {
            TicketSort::UpdatedDesc => format!("{}, {}", t.updated, t.sort_newest),
            TicketSort::UpdatedAsc => format!("{}, {}", t.updated, t.sort_oldest),
            TicketSort::CreatedDesc => format!("{}, {}", t.created, t.sort_newest),
            TicketSort::CreatedAsc => format!("{}, {}", t.created, t.sort_oldest),
        }
        .to_lowercase(),
        current: s == sort,
    })
    .collect();

    let requesters = requester_names(&app, &console, &page.items).await?;
    let rows = rows(&page.items, &names, &requesters, &console);
    let next = page.next.map(cursor_text);
    let refresh_url = format!(
        "/inbox?view={}&type={type_key}&sort={}&partial=true",
        view.key(),
        sort_key(sort)
    );
    let assignees = agent_choices(&agents, None);
    let statuses = status_choices(t, None);
    let page = InboxPage {
        page: Page::of(&console, "/inbox"),
        refresh_url,
        selectable: true,
        assignees,
        statuses,
        views,
        types,
        sorts,
        view_key: view.key(),
        view_label: view.label(t),
        type_key,
        sort_key: sort_key(sort),
        rows,
        next,
    };
    if q.partial {
        return Ok(render(&InboxPartial { inbox: &page }));
    }
    Ok(render(&page))
}

/// The body of the inbox alone, rendered from the same data as the whole page.
#[derive(Template)]
#[template(path = "console/inbox_partial.html")]
struct InboxPartial<'a, 'b> {
    inbox: &'b InboxPage<'a>,
}

impl<'a> std::ops::Deref for InboxPartial<'a, '_> {
    type Target = InboxPage<'a>;
    fn deref(&self) -> &Self::Target {
        self.inbox
    }
}

/// How often a live inbox looks for changes. Polling the database rather than listening
/// inside one process keeps it right when several instances share PostgreSQL.
const LIVE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Server-sent events for an open inbox: a `tickets` event whenever any ticket changed
/// (created, updated, answered), so the page refreshes its views and list. The stream ends
/// when the session does.
pub async fn live(
    State(app): State<App>,
    console: Console,
    headers: axum::http::HeaderMap,
) -> axum::response::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let session = super::session::cookie(&headers, super::session::SESSION_COOKIE)
        .unwrap_or_default()
        .to_string();
    let latest = |app: App, who: soporte_app::Principal| async move {
        let filter = TicketFilter {
            limit: Some(1),
            ..TicketFilter::default()
        };
        app.list_tickets(&who, &filter)
            .await
            .ok()
            .and_then(|p| p.items.first().map(|t| (t.updated_at, t.id)))
    };
    let first = latest(app.clone(), console.principal.clone()).await;
    let stream = futures_util::stream::unfold(
        (app, session, first),
        move |(app, session, mut last)| async move {
            loop {
                tokio::time::sleep(LIVE_EVERY).await;
                let who = app.session(&session).await.ok()?;
                let now = latest(app.clone(), who).await;
                if now != last {
                    last = now;
                    let event = Event::default().event("tickets").data("changed");
                    return Some((Ok(event), (app, session, last)));
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_has_a_key_that_finds_it_again() {
        for view in View::ALL {
            assert_eq!(View::from_key(view.key()), Some(view));
        }
        assert_eq!(View::from_key("everything"), None);
    }

    #[test]
    fn sla_views_leave_out_tickets_waiting_on_the_customer() {
        let me = AgentId(1);
        for view in [View::AtRisk, View::Breached] {
            assert!(!view.filter(me).statuses.contains(&Status::Pending));
        }
        assert_eq!(View::Pending.filter(me).statuses, vec![Status::Pending]);
        assert_eq!(
            View::Mine.filter(me).assignee,
            Some(AssigneeFilter::Agent(me))
        );
    }

    #[test]
    fn cursors_round_trip_and_nonsense_is_ignored() {
        assert_eq!(
            cursor_of("1700000000.42"),
            Some(soporte_app::Cursor {
                key: 1_700_000_000,
                id: 42
            })
        );
        assert_eq!(cursor_of("abc"), None);
        assert_eq!(cursor_of("1.x"), None);
    }
}

#[derive(Template)]
#[template(path = "console/search.html")]
struct SearchPage<'a> {
    page: Page<'a>,
    rows: Vec<Row>,
    selectable: bool,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// How many results the search page shows; a longer list means the words were too few.
const SEARCH_RESULTS: u32 = 50;

pub async fn search(
    State(app): State<App>,
    console: Console,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ConsoleError> {
    let tickets = app
        .search_tickets(&console.principal, &q.q, SEARCH_RESULTS)
        .await?;
    let names = agent_names(&app).await?;
    let requesters = requester_names(&app, &console, &tickets).await?;
    let rows = rows(&tickets, &names, &requesters, &console);
    let path = format!("/search?q={}", q.q);
    let mut page = Page::of(&console, &path);
    page.query = &q.q;
    Ok(render(&SearchPage {
        page,
        rows,
        selectable: false,
    }))
}

/// Changes the assignee and/or the status of the chosen tickets, each in its own
/// transaction with its own history. The form repeats `ids`, which is why the body is read
/// as pairs rather than into a struct.
pub async fn bulk(
    State(app): State<App>,
    console: Console,
    body: String,
) -> Result<Response, ConsoleError> {
    let mut csrf = String::new();
    let mut back = String::from("/inbox");
    let (mut assignee, mut status) = (String::new(), String::new());
    let mut ids = Vec::new();
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        match key.as_ref() {
            "_csrf" => csrf = value.into_owned(),
            "back" => back = value.into_owned(),
            "assignee" => assignee = value.into_owned(),
            "status" => status = value.into_owned(),
            "ids" => ids.push(
                value
                    .parse::<i64>()
                    .map_err(|_| soporte_app::AppError::invalid("ids", "ticket ids"))?,
            ),
            _ => {}
        }
    }
    console.check_csrf(&csrf)?;
    soporte_core::limits::check_count("ids", ids.len(), soporte_core::limits::MAX_BULK_TICKETS)
        .map_err(soporte_app::AppError::from)?;
    let mut update = soporte_app::TicketUpdate::default();
    match assignee.as_str() {
        "" => {}
        "none" => update.assignee_id = Some(None),
        id => {
            let id = id
                .parse()
                .map_err(|_| soporte_app::AppError::invalid("assignee", "an agent id"))?;
            update.assignee_id = Some(Some(AgentId(id)));
        }
    }
    if !status.is_empty() {
        update.status = Some(
            status
                .parse()
                .map_err(|_| soporte_app::AppError::invalid("status", Status::expected()))?,
        );
    }
    let mut failed = Vec::new();
    for id in ids {
        let ticket = soporte_core::ids::TicketId(id);
        if let Err(e) = app.update_ticket(&console.principal, ticket, &update).await {
            failed.push(format!("{id}: {e}"));
        }
    }
    if !failed.is_empty() {
        return Err(soporte_app::AppError::invalid(
            "ids",
            format!("{}: {}", console.t.bulk_failed, failed.join("; ")),
        )
        .into());
    }
    let back = if back.starts_with("/inbox") {
        back
    } else {
        "/inbox".into()
    };
    Ok(axum::response::Redirect::to(&back).into_response())
}
