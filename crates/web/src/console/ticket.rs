//! The ticket page: the conversation in order, what the request still lacks (the intake
//! checklist, with the customer's own words as evidence), the SLA's due times, the
//! account, the history; and the agent's actions: reply on the ticket's channel, internal
//! note, phone call log, and the ticket's properties.

use super::error::ConsoleError;
use super::session::Console;
use super::texts::Texts;
use super::ticket_history::{CustomerRating, EventView, event_label};
use super::{Page, render, time, whatsapp_chat, whatsapp_composer};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::{App, AppError, MessageInput, TicketUpdate};
use soporte_core::ids::{AgentId, AttachmentId, MessageId, TicketId};
use soporte_core::support::{Priority, SupportType};
use soporte_core::ticket::{Actor, Message, MessageKind, Status};
use std::collections::HashMap;

pub struct ChecklistLine {
    pub key: &'static str,
    pub label: &'static str,
    pub present: bool,
    pub evidence: String,
}

pub struct MessageView {
    pub id: i64,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub author: String,
    pub at: String,
    pub at_iso: String,
    pub text: String,
    pub quoted: String,
    pub automatic: bool,
    pub has_original: bool,
    pub has_html: bool,
    pub attachments: Vec<AttachmentView>,
    /// A WhatsApp message, shown as a chat bubble.
    pub chat: Option<whatsapp_chat::Bubble>,
}

pub struct AttachmentView {
    pub id: i64,
    pub filename: String,
    pub size: String,
}

pub struct RecentTicket {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub status_label: &'static str,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Every status, in the console's words, `current` selected.
pub fn status_choices(t: &Texts, current: Option<Status>) -> Vec<Choice> {
    Status::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: t.status(*s).into(),
            selected: Some(*s) == current,
        })
        .collect()
}

/// The agents one can assign work to (the enabled ones), `current` selected.
pub fn agent_choices(
    agents: &[soporte_core::directory::Agent],
    current: Option<AgentId>,
) -> Vec<Choice> {
    agents
        .iter()
        .filter(|a| a.active)
        .map(|a| Choice {
            value: a.id.0.to_string(),
            label: a.name.clone(),
            selected: current == Some(a.id),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/ticket.html")]
struct TicketPage<'a> {
    page: Page<'a>,
    id: i64,
    number: String,
    subject: String,
    status_label: &'static str,
    type_label: &'static str,
    urgent: bool,
    channel_label: &'static str,
    requester: String,
    requester_emails: String,
    /// The requester's numbers, as shown and as dialled (`tel:`).
    requester_phones: Vec<(String, String)>,
    /// With a phone system connected, "Llamar" goes through Soporte, which records the
    /// call on this request when the phone system reports it.
    dial_through_soporte: bool,
    checklist: Vec<ChecklistLine>,
    checklist_evaluated: bool,
    missing_count: usize,
    redirected: bool,
    urgency: String,
    sla_state: &'static str,
    sla_class: &'static str,
    first_response_due: String,
    resolution_due: String,
    first_responded: String,
    /// Countdowns while a due time still matters ("quedan 2 h"), and whether it has passed.
    first_response_timer: String,
    first_response_overdue: bool,
    resolution_timer: String,
    resolution_overdue: bool,
    account_name: String,
    account_plan: String,
    personal_agent: String,
    backup_agent: String,
    contacts: Vec<String>,
    recent: Vec<RecentTicket>,
    messages: Vec<MessageView>,
    events: Vec<EventView>,
    rating: Option<CustomerRating>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    types: Vec<Choice>,
    assignees: Vec<Choice>,
    canned: Vec<Choice>,
    /// On a WhatsApp conversation: the window's countdown and the templates.
    whatsapp: Option<whatsapp_composer::Composer>,
    /// The window has closed: the composer only sends templates (if there are any).
    template_mode: bool,
    can_send: bool,
    /// Whether the agent's text goes anywhere: always in free text, in template mode only
    /// if a template takes it.
    agent_text: bool,
}

/// How many contacts and recent tickets the account panel lists.
const ACCOUNT_PANEL_ROWS: u32 = 5;

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

fn author_of(
    message: &Message,
    names: &HashMap<AgentId, String>,
    requester: &str,
    t: &Texts,
) -> String {
    match message.author {
        Actor::Agent(id) => names.get(&id).cloned().unwrap_or_default(),
        Actor::Contact(_) => message
            .email
            .as_ref()
            .and_then(|e| e.from.clone())
            .unwrap_or_else(|| requester.to_string()),
        Actor::System => t.product.to_string(),
    }
}

pub async fn page(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let t = console.t;
    let who = &console.principal;
    let detail = app.ticket_detail(who, TicketId(id)).await?;
    let ticket = &detail.ticket;
    // The customer sees their messages read once an agent has the ticket open.
    if let Err(e) = app.whatsapp_ticket_opened(who, ticket).await {
        tracing::warn!(ticket = id, error = %e, "WhatsApp read mark not queued");
    }
    let events = app.ticket_events(who, ticket.id).await?;
    let rating = app
        .satisfaction(who, ticket.id)
        .await?
        .map(|s| CustomerRating::of(s, console.lang));
    let agents = app.list_agents().await?;
    let names: HashMap<AgentId, String> = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let requester = app.contact(who, ticket.requester_id).await.ok();
    let requester_name = requester
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let account = match ticket.account_id {
        Some(account) => Some(app.account(who, account).await?),
        None => None,
    };
    // The account's people and its other recent requests: what else is going on with
    // this customer.
    let (contacts, recent) = match &account {
        Some(account) => {
            let contacts = app
                .list_contacts(
                    Some(account.id),
                    &soporte_app::PageRequest {
                        after_id: None,
                        limit: ACCOUNT_PANEL_ROWS,
                    },
                )
                .await?
                .into_iter()
                .map(|c| match c.emails.first() {
                    Some(email) => format!("{} <{email}>", c.name),
                    None => c.name,
                })
                .collect();
            let filter = soporte_app::TicketFilter {
                account_id: Some(account.id),
                limit: Some(ACCOUNT_PANEL_ROWS + 1),
                ..soporte_app::TicketFilter::default()
            };
            let recent = app
                .list_tickets(who, &filter)
                .await?
                .items
                .into_iter()
                .filter(|other| other.id != ticket.id)
                .take(ACCOUNT_PANEL_ROWS as usize)
                .map(|other| RecentTicket {
                    id: other.id.0,
                    status_label: t.status(other.status),
                    number: other.number,
                    subject: other.subject,
                })
                .collect();
            (contacts, recent)
        }
        None => (vec![], vec![]),
    };
    let agent_name =
        |id: Option<AgentId>| id.and_then(|a| names.get(&a).cloned()).unwrap_or_default();

    let checklist = ticket.policy.checklist.as_ref();
    let lines: Vec<ChecklistLine> = checklist
        .map(|c| {
            c.items
                .iter()
                .map(|item| ChecklistLine {
                    key: item.key.as_str(),
                    label: t.checklist_item(item.key),
                    present: item.present,
                    evidence: item.evidence.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let sla = &ticket.policy.sla;
    let at = |ts: Option<jiff::Timestamp>| {
        ts.map(|ts| time::local(ts, console.lang))
            .unwrap_or_default()
    };

    let chat = whatsapp_chat::Chat::new(&detail.messages, t, console.lang, &requester_name);
    let author = |m: &Message| author_of(m, &names, &requester_name, t);
    let messages = detail
        .messages
        .iter()
        .map(|m| MessageView {
            chat: chat.bubble(m, author),
            id: m.id.0,
            kind: m.kind.as_str(),
            kind_label: t.message_kind(m.kind),
            author: author(m),
            at: time::local(m.created_at, console.lang),
            at_iso: time::iso(m.created_at),
            text: m.body_text.clone(),
            quoted: m.quoted_text.clone().unwrap_or_default(),
            automatic: m.automatic.is_some(),
            has_original: m.original_sha256.is_some(),
            has_html: m.body_html.is_some(),
            attachments: m
                .attachments
                .iter()
                .filter(|a| !a.inline)
                .map(|a| AttachmentView {
                    id: a.id.0,
                    filename: a.filename.clone(),
                    size: human_size(a.size),
                })
                .collect(),
        })
        .collect();
    let events = events
        .iter()
        .rev()
        .map(|e| EventView {
            at: time::local(e.created_at, console.lang),
            what: event_label(e, t, &names),
        })
        .collect();

    let statuses = status_choices(t, Some(ticket.status));
    let priorities = Priority::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str().into(),
            label: t.priority(*p).into(),
            selected: *p == ticket.priority,
        })
        .collect();
    let mut types = vec![Choice {
        value: String::new(),
        label: t.unclassified.into(),
        selected: ticket.support_type.is_none(),
    }];
    types.extend(SupportType::ALL.iter().map(|s| Choice {
        value: s.as_str().into(),
        label: t.support_type(Some(*s)).into(),
        selected: ticket.support_type == Some(*s),
    }));
    let mut assignees = vec![Choice {
        value: String::new(),
        label: t.unassigned.into(),
        selected: ticket.assignee_id.is_none(),
    }];
    assignees.extend(agent_choices(&agents, ticket.assignee_id));

    let canned = app
        .canned_replies(who)
        .await?
        .into_iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: r.title,
            selected: false,
        })
        .collect();
    // A due time counts down while its clock runs: not once answered or solved, not while
    // the ticket waits on the customer.
    let now = jiff::Timestamp::now();
    let open = !matches!(
        ticket.status,
        soporte_core::ticket::Status::Solved | soporte_core::ticket::Status::Closed
    );
    let running = open && sla.state != Some(soporte_core::policy::sla::SlaState::Paused);
    let first_response_running = running && sla.first_responded_at.is_none();
    let resolution_running = running;
    let timer = |running: bool, due: Option<jiff::Timestamp>| match due {
        Some(due) if running => time::remaining(due, now, console.lang),
        _ => String::new(),
    };
    let composer = whatsapp_composer::Composer::new(
        detail.whatsapp_window_closes_at,
        app.whatsapp_templates(),
        now,
        console.lang,
    );
    let template_mode = composer.as_ref().is_some_and(|c| !c.open);
    let can_send = !template_mode || composer.as_ref().is_some_and(|c| !c.templates.is_empty());
    let agent_text = !template_mode || composer.as_ref().is_some_and(|c| c.any_takes_message());
    let path = format!("/tickets/{id}");
    Ok(render(&TicketPage {
        page: Page::of(&console, &path),
        id,
        number: ticket.number.clone(),
        subject: ticket.subject.clone(),
        status_label: t.status(ticket.status),
        type_label: t.support_type(ticket.support_type),
        urgent: ticket.priority == Priority::Urgent,
        channel_label: t.channel(ticket.channel),
        requester: requester_name.clone(),
        requester_emails: requester
            .as_ref()
            .map(|c| c.emails.join(", "))
            .unwrap_or_default(),
        dial_through_soporte: app.phone_enabled(),
        requester_phones: requester
            .map(|c| {
                c.phones
                    .iter()
                    .map(|p| (soporte_app::phone::spaced_number(p), p.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        missing_count: lines.iter().filter(|l| !l.present).count(),
        checklist_evaluated: checklist.is_some(),
        checklist: lines,
        redirected: ticket.policy.redirect.is_some(),
        urgency: ticket.policy.urgency.clone().unwrap_or_default(),
        sla_state: sla.state.map_or("", |s| t.sla_state(s)),
        sla_class: match sla.state {
            Some(soporte_core::policy::sla::SlaState::Breached) => "sla-breached",
            Some(soporte_core::policy::sla::SlaState::AtRisk) => "sla-at-risk",
            _ => "",
        },
        first_response_timer: timer(first_response_running, sla.first_response_due),
        first_response_overdue: first_response_running
            && sla.first_response_due.is_some_and(|d| d < now),
        resolution_timer: timer(resolution_running, sla.resolution_due),
        resolution_overdue: resolution_running && sla.resolution_due.is_some_and(|d| d < now),
        first_response_due: at(sla.first_response_due),
        resolution_due: at(sla.resolution_due),
        first_responded: at(sla.first_responded_at),
        account_name: account.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        account_plan: account
            .as_ref()
            .and_then(|a| a.plan.clone())
            .unwrap_or_default(),
        personal_agent: agent_name(account.as_ref().and_then(|a| a.personal_agent_id)),
        backup_agent: agent_name(account.as_ref().and_then(|a| a.backup_agent_id)),
        contacts,
        recent,
        messages,
        events,
        rating,
        statuses,
        priorities,
        types,
        assignees,
        canned,
        whatsapp: composer,
        template_mode,
        can_send,
        agent_text,
    }))
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    /// `outbound` (a reply), `note` or `call`.
    kind: String,
    body: String,
    /// For calls: `incoming` or `outgoing`.
    direction: Option<String>,
    /// For calls: how long it lasted.
    minutes: Option<String>,
    /// On a WhatsApp ticket: the approved template to send (empty: free text).
    whatsapp_template: Option<String>,
}

/// A call is kept as a message whose text says which way it went and how long it took,
/// followed by the agent's notes.
fn call_text(form: &MessageForm, t: &Texts) -> Result<String, AppError> {
    let direction = match form.direction.as_deref() {
        Some("incoming") => t.call_incoming,
        Some("outgoing") => t.call_outgoing,
        _ => {
            return Err(AppError::invalid(
                "direction",
                "a call is incoming or outgoing",
            ));
        }
    };
    let minutes = match form.minutes.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) => Some(
            m.parse::<u32>()
                .ok()
                .filter(|m| *m <= 24 * 60)
                .ok_or_else(|| {
                    AppError::invalid("minutes", "minutes are a whole number up to 1440")
                })?,
        ),
    };
    let head = match minutes {
        Some(m) => format!("{}: {direction}, {m} min", t.call),
        None => format!("{}: {direction}", t.call),
    };
    Ok(format!("{head}\n\n{}", form.body.trim()))
}

pub async fn add_message(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<MessageForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let (kind, body) = match form.kind.as_str() {
        "outbound" => (MessageKind::Outbound, form.body.clone()),
        "note" => (MessageKind::Note, form.body.clone()),
        "call" => (MessageKind::Call, call_text(&form, console.t)?),
        _ => {
            return Err(AppError::invalid("kind", "outbound, note or call").into());
        }
    };
    let (_, message) = app
        .add_message(
            &console.principal,
            TicketId(id),
            &MessageInput {
                kind: Some(kind),
                body,
                whatsapp_template: form
                    .whatsapp_template
                    .clone()
                    .filter(|t| !t.trim().is_empty() && kind == MessageKind::Outbound),
                ..MessageInput::default()
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/tickets/{id}#message-{}", message.id.0)).into_response())
}

#[derive(Deserialize)]
pub struct PropertiesForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    status: String,
    priority: String,
    #[serde(rename = "type")]
    support_type: String,
    assignee: String,
}

pub async fn update_properties(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<PropertiesForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let invalid = |field: &str, expected: String| AppError::invalid(field, expected);
    let current = app.ticket(&console.principal, TicketId(id)).await?;
    let status: Status = form
        .status
        .parse()
        .map_err(|_| invalid("status", Status::expected()))?;
    let priority: Priority = form
        .priority
        .parse()
        .map_err(|_| invalid("priority", Priority::expected()))?;
    let support_type = match form.support_type.as_str() {
        "" => None,
        t => Some(
            t.parse::<SupportType>()
                .map_err(|_| invalid("type", SupportType::expected()))?,
        ),
    };
    let assignee = match form.assignee.as_str() {
        "" => None,
        a => Some(AgentId(
            a.parse()
                .map_err(|_| invalid("assignee", "an agent id".into()))?,
        )),
    };
    // Only what changed is sent, so the history records only real changes.
    let update = TicketUpdate {
        status: (status != current.status).then_some(status),
        priority: (priority != current.priority).then_some(priority),
        support_type: (support_type != current.support_type).then_some(support_type),
        assignee_id: (assignee != current.assignee_id).then_some(assignee),
        ..TicketUpdate::default()
    };
    app.update_ticket(&console.principal, TicketId(id), &update)
        .await?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

#[derive(Template)]
#[template(source = "{{ draft }}", ext = "html")]
struct Draft {
    draft: String,
}

/// The reply asking for the missing items, escaped as the reply box's content (htmx swaps
/// it into the textarea).
pub async fn missing_items_draft(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let draft = app
        .missing_items_reply(&console.principal, TicketId(id))
        .await?;
    Ok(render(&Draft { draft }))
}

/// The raw e-mail as received, shown as text (never interpreted by the browser).
pub async fn original(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let raw = app
        .original_email(&console.principal, MessageId(id))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        String::from_utf8_lossy(&raw).into_owned(),
    )
        .into_response())
}

/// An attachment: raster images inline (for `<img>`), anything else as a download.
pub async fn attachment(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let (attachment, bytes) = app.attachment(&console.principal, AttachmentId(id)).await?;
    Ok(crate::message_view::attachment_response(&attachment, bytes))
}

#[derive(Deserialize)]
pub struct HtmlQuery {
    /// Load the images the sender links to on other sites (they tell the sender the
    /// message was opened, so only when the agent asks).
    #[serde(default)]
    remote: bool,
}

/// A message's sanitised HTML as a document of its own, for a sandboxed frame in the
/// ticket page: inline images point at their attachments; remote images stay disarmed
/// unless asked for.
pub async fn message_html(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Query(q): Query<HtmlQuery>,
) -> Result<Response, ConsoleError> {
    let message = app.message(&console.principal, MessageId(id)).await?;
    let html = message
        .body_html
        .as_deref()
        .ok_or_else(|| AppError::not_found("HTML of message", id))?;
    let mut html =
        crate::message_view::resolve_inline_images(html, &message.attachments, "/attachments/");
    if q.remote {
        html = crate::message_view::show_remote_images(&html);
    }
    let document = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><base target=\"_blank\">\
         <style>body{{font-family:system-ui,sans-serif;margin:.5rem;overflow-wrap:anywhere}}\
         img{{max-width:100%;height:auto}}</style></head><body>{html}</body></html>"
    );
    let images = if q.remote {
        "img-src 'self' data: https: http:"
    } else {
        "img-src 'self' data:"
    };
    let policy = format!(
        "default-src 'none'; {images}; style-src 'unsafe-inline'; sandbox allow-popups allow-popups-to-escape-sandbox"
    );
    let mut response = axum::response::Html(document).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(
        header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    /// The ticket this one joins: its number or id.
    target: String,
}

/// Merges this ticket into another (the same request written twice) and opens the other.
pub async fn merge(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let target = app
        .ticket_reference(&form.target)
        .ok_or_else(|| AppError::invalid("target", "a ticket number such as VND-000123"))?;
    let merged = app
        .merge_tickets(&console.principal, TicketId(id), target)
        .await?;
    Ok(Redirect::to(&format!("/tickets/{}", merged.id.0)).into_response())
}

#[derive(Deserialize)]
pub struct CannedQuery {
    #[serde(default)]
    canned: String,
}

/// A canned reply filled in for this ticket, for the reply box (htmx swaps it in).
pub async fn canned_reply(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Query(q): Query<CannedQuery>,
) -> Result<Response, ConsoleError> {
    let draft = match q.canned.parse::<i64>() {
        Ok(canned) => {
            app.canned_reply_for(&console.principal, TicketId(id), canned)
                .await?
        }
        Err(_) => String::new(),
    };
    Ok(render(&Draft { draft }))
}

#[derive(Template)]
#[template(path = "console/presence.html")]
struct Presence {
    t: &'static Texts,
    others: Vec<(String, bool)>,
}

#[derive(Deserialize)]
pub struct PresenceQuery {
    #[serde(default)]
    replying: bool,
}

/// Polled by the open ticket page: says this agent is here (or writing a reply) and shows
/// who else is.
pub async fn presence(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Query(q): Query<PresenceQuery>,
) -> Result<Response, ConsoleError> {
    let others = app
        .ticket_presence(&console.principal, TicketId(id), q.replying)
        .await?;
    Ok(render(&Presence {
        t: console.t,
        others,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Lang;

    fn call(direction: Option<&str>, minutes: Option<&str>) -> MessageForm {
        MessageForm {
            csrf: String::new(),
            kind: "call".into(),
            body: " Llamó por la factura de octubre. ".into(),
            direction: direction.map(str::to_string),
            minutes: minutes.map(str::to_string),
            whatsapp_template: None,
        }
    }

    #[test]
    fn calls_record_direction_duration_and_notes() -> Result<(), AppError> {
        let t = Lang::Es.texts();
        assert_eq!(
            call_text(&call(Some("incoming"), Some("7")), t)?,
            "Llamada: Entrante, 7 min\n\nLlamó por la factura de octubre."
        );
        assert_eq!(
            call_text(&call(Some("outgoing"), Some("")), t)?,
            "Llamada: Saliente\n\nLlamó por la factura de octubre."
        );
        assert!(call_text(&call(None, Some("7")), t).is_err());
        assert!(call_text(&call(Some("incoming"), Some("siete")), t).is_err());
        assert!(call_text(&call(Some("incoming"), Some("99999")), t).is_err());
        Ok(())
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(100 * 1024), "100 KB");
        assert_eq!(human_size(3 * 1024 * 1024 / 2), "1.5 MB");
    }
}
