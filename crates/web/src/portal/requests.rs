//! A customer's requests: the list, one request's page and replying to it, and the files
//! of its conversation.

use super::error::PortalError;
use super::session::{Customer, Frame};
use super::texts::PortalTexts;
use super::time;
use crate::console::Lang;
use crate::multipart::FormParts;
use crate::pages::{cursor_of, cursor_text, render};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;
use soporte_app::portal::{MissingItemsInput, RequestList, check_uploads};
use soporte_app::{App, AppError};
use soporte_core::ids::AttachmentId;
use soporte_core::support::Channel;
use soporte_core::ticket::{Actor, Attachment, Message, MessageKind, Status, Ticket};

/// A request as a row of the list.
struct Row {
    number: String,
    subject: String,
    status: &'static str,
    /// Whose turn it is: "waiting_you", "waiting_us" or "" (finished).
    turn: &'static str,
    waiting_for: &'static str,
    updated: String,
    updated_iso: String,
    /// Who asked for it, when it was not the customer looking (a manager's list).
    requester: String,
}

#[derive(Template)]
#[template(path = "portal/requests.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    finished: bool,
    manager: bool,
    rows: Vec<Row>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    closed: bool,
    after: Option<String>,
}

fn turn_of(status: Status) -> &'static str {
    match status {
        Status::Pending => "waiting_you",
        Status::Solved | Status::Closed => "",
        _ => "waiting_us",
    }
}

pub async fn list(
    State(app): State<App>,
    customer: Customer,
    Query(q): Query<ListQuery>,
) -> Result<Response, PortalError> {
    let t = customer.t;
    let list = if q.closed {
        RequestList::Finished
    } else {
        RequestList::Open
    };
    let page = app
        .portal_requests(&customer.user, list, q.after.as_deref().and_then(cursor_of))
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    let now = Timestamp::now();
    let rows = page
        .items
        .iter()
        .map(|ticket| Row {
            number: ticket.number.clone(),
            subject: ticket.subject.clone(),
            status: t.status(ticket.status),
            turn: turn_of(ticket.status),
            waiting_for: t.waiting_for(ticket.status),
            updated: time::when(ticket.updated_at, now, customer.lang),
            updated_iso: time::iso(ticket.updated_at),
            requester: page
                .requesters
                .get(&ticket.requester_id)
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let path = if q.closed {
        "/portal/requests?closed=true"
    } else {
        "/portal/requests"
    };
    Ok(render(&ListPage {
        frame: Frame::of(&app, &customer, path),
        finished: q.closed,
        manager: customer.user.contact.account_manager,
        rows,
        next: page.next.map(cursor_text),
    }))
}

/// A slot of the "add what is missing" form: one checklist item still wanted.
struct MissingSlot {
    key: &'static str,
    name: &'static str,
    hint: &'static str,
}

/// One message of the conversation, as the customer reads it.
struct Entry {
    id: i64,
    from_customer: bool,
    /// Who wrote it: "Usted", the other contact's name, or the agent's.
    author: String,
    channel: &'static str,
    call: bool,
    at: String,
    at_iso: String,
    body: String,
    images: Vec<Attachment>,
    files: Vec<Attachment>,
}

#[derive(Template)]
#[template(path = "portal/request.html")]
struct RequestPageView<'a> {
    frame: Frame<'a>,
    ticket: &'a Ticket,
    status: &'static str,
    turn: &'static str,
    waiting_for: &'static str,
    expectation: String,
    entries: Vec<Entry>,
    can_reply: bool,
    /// Until when a solved request may be reopened (empty: it may not).
    reopen_until: String,
    notice: &'static str,
    sent: bool,
    created: bool,
    added: bool,
    /// The checklist items still wanted, each with its slot.
    missing: Vec<MissingSlot>,
    areas: Vec<String>,
    problem: String,
    draft: &'a str,
    files_hint: String,
    rating: super::rating::RatingBlock,
}

fn channel_words(t: &PortalTexts, channel: Channel) -> &'static str {
    match channel {
        Channel::Email => t.by_email,
        Channel::Whatsapp => t.by_whatsapp,
        Channel::Phone => t.by_phone,
        _ => t.by_portal,
    }
}

/// When to expect an answer, from the SLA's due times, in the customer's words.
fn expectation(t: &PortalTexts, lang: Lang, ticket: &Ticket, now: Timestamp) -> String {
    let sla = &ticket.policy.sla;
    let working = matches!(ticket.status, Status::New | Status::Open | Status::OnHold);
    if !working {
        return String::new();
    }
    match (
        sla.first_responded_at,
        sla.first_response_due,
        sla.resolution_due,
    ) {
        (None, Some(due), _) if due > now => {
            format!("{} {}.", t.expect_answer_by, time::by(due, now, lang))
        }
        (Some(_), _, Some(due)) if due > now => {
            format!("{} {}.", t.expect_solution_by, time::by(due, now, lang))
        }
        _ => t.expect_answer_soon.to_string(),
    }
}

fn is_picture(attachment: &Attachment) -> bool {
    matches!(
        attachment.media_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

fn entry(t: &PortalTexts, customer: &Customer, message: &Message, now: Timestamp) -> Entry {
    let from_customer = message.kind == MessageKind::Inbound;
    let author = match message.author {
        Actor::Contact(id) if id == customer.user.contact.id => t.you.to_string(),
        _ if from_customer => String::new(),
        _ => t.support.to_string(),
    };
    let (images, files) = message
        .attachments
        .iter()
        .filter(|a| !a.inline || is_picture(a))
        .cloned()
        .partition(is_picture);
    Entry {
        id: message.id.0,
        from_customer,
        author,
        channel: channel_words(t, message.channel),
        call: message.kind == MessageKind::Call,
        at: time::when(message.created_at, now, customer.lang),
        at_iso: time::iso(message.created_at),
        body: message.body_text.clone(),
        images,
        files,
    }
}

/// What the page confirms after a customer's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Notice {
    #[default]
    None,
    Solved,
    Reopened,
    Rated,
    AlreadyRated,
}

#[derive(Default)]
struct Shown<'a> {
    notice: Notice,
    sent: bool,
    created: bool,
    added: bool,
    problem: String,
    draft: &'a str,
    rating_problem: &'static str,
}

async fn show(
    app: &App,
    customer: &Customer,
    number: &str,
    shown: Shown<'_>,
) -> Result<Response, PortalError> {
    let detail = app
        .portal_request(&customer.user, number)
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    let t = customer.t;
    let now = Timestamp::now();
    let ticket = &detail.ticket;
    let path = format!("/portal/requests/{}", ticket.number);
    let entries = detail
        .messages
        .iter()
        .map(|m| entry(t, customer, m, now))
        .collect();
    let open = !matches!(ticket.status, Status::Solved | Status::Closed);
    let rating = super::rating::request_block(app, customer, ticket, shown.rating_problem).await?;
    let missing = ticket
        .policy
        .checklist
        .as_ref()
        .filter(|_| open)
        .map(|c| {
            c.missing()
                .map(|item| MissingSlot {
                    key: item.as_str(),
                    name: t.item_name(item),
                    hint: t.item_hint(item),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render(&RequestPageView {
        frame: Frame::of(app, customer, &path),
        ticket,
        status: t.status(ticket.status),
        turn: turn_of(ticket.status),
        waiting_for: t.waiting_for(ticket.status),
        expectation: expectation(t, customer.lang, ticket, now),
        entries,
        can_reply: open,
        reopen_until: ticket
            .solved_at
            .filter(|_| app.may_reopen(ticket, now))
            .map(|at| time::when(at + app.settings().portal.reopen_within, now, customer.lang))
            .unwrap_or_default(),
        notice: match shown.notice {
            Notice::None => "",
            Notice::Solved => t.solved_done,
            Notice::Reopened => t.reopened,
            Notice::Rated => t.rated_thanks,
            Notice::AlreadyRated => t.already_rated,
        },
        sent: shown.sent,
        created: shown.created,
        added: shown.added,
        missing,
        areas: app
            .settings()
            .policy
            .product_areas
            .iter()
            .map(|a| a.name.clone())
            .collect(),
        problem: shown.problem,
        draft: shown.draft,
        files_hint: t.files_hint(
            soporte_app::portal::MAX_FILES,
            soporte_app::portal::MAX_FILE_BYTES / (1024 * 1024),
        ),
        rating,
    }))
}

/// The request's page again, with why what was sent was refused, answered with `status`.
async fn refuse(
    app: &App,
    customer: &Customer,
    number: &str,
    status: StatusCode,
    problem: String,
    draft: &str,
) -> Result<Response, PortalError> {
    let page = show(
        app,
        customer,
        number,
        Shown {
            problem,
            draft,
            ..Shown::default()
        },
    )
    .await?;
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    sent: bool,
    #[serde(default)]
    created: bool,
    #[serde(default)]
    added: bool,
    /// What was just done: "solved", "reopened", "rated", "already_rated", or
    /// "rate_invalid" (a rating that was refused).
    #[serde(default)]
    done: String,
}

pub async fn page(
    State(app): State<App>,
    customer: Customer,
    Path(number): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PortalError> {
    show(
        &app,
        &customer,
        &number,
        Shown {
            notice: match q.done.as_str() {
                "solved" => Notice::Solved,
                "reopened" => Notice::Reopened,
                "rated" => Notice::Rated,
                "already_rated" => Notice::AlreadyRated,
                _ => Notice::None,
            },
            rating_problem: if q.done == "rate_invalid" {
                customer.t.rate_invalid
            } else {
                ""
            },
            sent: q.sent,
            created: q.created,
            added: q.added,
            ..Shown::default()
        },
    )
    .await
}

/// A portal form sent as `multipart/form-data`, read whole.
pub(super) async fn read_form(multipart: Multipart, lang: Lang) -> Result<FormParts, PortalError> {
    FormParts::read(multipart).await.map_err(|e| {
        let problem = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::invalid("files", "the files together are too large")
        } else {
            AppError::invalid("form", e.body_text())
        };
        PortalError::App(problem, lang)
    })
}

pub async fn reply(
    State(app): State<App>,
    customer: Customer,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, PortalError> {
    let form = read_form(multipart, customer.lang).await?;
    customer.check_csrf(form.field("_csrf"))?;
    let text = form.field("body");
    if text.trim().is_empty() {
        return refuse(
            &app,
            &customer,
            &number,
            StatusCode::UNPROCESSABLE_ENTITY,
            customer.t.empty_reply.into(),
            text,
        )
        .await;
    }
    let files = match check_uploads(form.files.clone()) {
        Ok(files) => files,
        Err(refusal) => {
            let words = customer.t.upload_refusal(&refusal);
            return refuse(
                &app,
                &customer,
                &number,
                StatusCode::UNPROCESSABLE_ENTITY,
                words,
                text,
            )
            .await;
        }
    };
    match app.portal_reply(&customer.user, &number, text, files).await {
        Ok(ticket) => Ok(Redirect::to(&format!(
            "/portal/requests/{}?sent=true#reply",
            ticket.number
        ))
        .into_response()),
        Err(AppError::TicketClosed) => {
            refuse(
                &app,
                &customer,
                &number,
                StatusCode::CONFLICT,
                customer.t.closed_write_new.into(),
                text,
            )
            .await
        }
        Err(e) => Err(PortalError::App(e, customer.lang)),
    }
}

pub async fn attachment(
    State(app): State<App>,
    customer: Customer,
    Path(id): Path<i64>,
) -> Result<Response, PortalError> {
    let (attachment, bytes) = app
        .attachment(&customer.principal(), AttachmentId(id))
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    Ok(crate::message_view::attachment_response(&attachment, bytes))
}

/// The "add what is missing" form: each slot's answer joins the request as the customer's
/// message.
pub async fn add_missing(
    State(app): State<App>,
    customer: Customer,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, PortalError> {
    let form = read_form(multipart, customer.lang).await?;
    customer.check_csrf(form.field("_csrf"))?;
    let files = match check_uploads(form.files.clone()) {
        Ok(files) => files,
        Err(refusal) => {
            let words = customer.t.upload_refusal(&refusal);
            return refuse(
                &app,
                &customer,
                &number,
                StatusCode::UNPROCESSABLE_ENTITY,
                words,
                "",
            )
            .await;
        }
    };
    let given = MissingItemsInput {
        area: Some(form.field("area").trim().to_string()).filter(|a| !a.is_empty()),
        place: form.field("place").to_string(),
        when: form.field("when").to_string(),
        account_user: form.field("account_user").to_string(),
        description: form.field("description").to_string(),
        english: customer.lang == Lang::En,
    };
    match app
        .portal_add_missing(&customer.user, &number, &given, files)
        .await
    {
        Ok(ticket) => Ok(Redirect::to(&format!(
            "/portal/requests/{}?added=true#add-missing",
            ticket.number
        ))
        .into_response()),
        Err(AppError::Invalid(_)) => {
            refuse(
                &app,
                &customer,
                &number,
                StatusCode::UNPROCESSABLE_ENTITY,
                customer.t.nothing_added.into(),
                "",
            )
            .await
        }
        Err(e) => Err(PortalError::App(e, customer.lang)),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// The customer says the request is solved.
pub async fn mark_solved(
    State(app): State<App>,
    customer: Customer,
    Path(number): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PortalError> {
    customer.check_csrf(&form.csrf)?;
    let ticket = app
        .portal_mark_solved(&customer.user, &number)
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    Ok(Redirect::to(&format!("/portal/requests/{}?done=solved", ticket.number)).into_response())
}

/// The customer reopens a solved request within the configured time.
pub async fn reopen(
    State(app): State<App>,
    customer: Customer,
    Path(number): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PortalError> {
    customer.check_csrf(&form.csrf)?;
    match app.portal_reopen(&customer.user, &number).await {
        Ok(ticket) => Ok(Redirect::to(&format!(
            "/portal/requests/{}?done=reopened",
            ticket.number
        ))
        .into_response()),
        Err(AppError::Forbidden(_)) => {
            refuse(
                &app,
                &customer,
                &number,
                StatusCode::CONFLICT,
                customer.t.cannot_reopen.into(),
                "",
            )
            .await
        }
        Err(e) => Err(PortalError::App(e, customer.lang)),
    }
}
