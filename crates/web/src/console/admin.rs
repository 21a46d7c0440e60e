//! The administrator's pages: agents (role, enabled or not) and the mail that needs a
//! person (quarantined messages, e-mails that could not be delivered).

use super::error::ConsoleError;
use super::forms::{check_admin_form, field, optional, percent_encoded, refusal, refused};
use super::session::Console;
use super::{Page, render, time};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::{AgentInput, AgentUpdate, App, AppError};
use soporte_core::directory::Role;
use soporte_core::ids::AgentId;
use soporte_core::support::SupportType;

pub(super) fn require_admin(console: &Console) -> Result<(), ConsoleError> {
    if console.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("administrators only".into()).into())
    }
}

pub struct AbsenceView {
    pub index: usize,
    pub from: String,
    pub until: String,
}

pub struct AgentRow {
    pub id: i64,
    pub phone: String,
    pub whatsapp: String,
    pub whatsapp_phone_number_id: String,
    /// The support types the agent handles, as (key, label, handled).
    pub types: Vec<(&'static str, &'static str, bool)>,
    pub absences: Vec<AbsenceView>,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub active: bool,
    pub myself: bool,
    pub away: bool,
    /// Signs in with a code besides the password.
    pub two_factor: bool,
}

#[derive(Template)]
#[template(path = "console/admin_agents.html")]
struct AgentsPage<'a> {
    page: Page<'a>,
    agents: Vec<AgentRow>,
    /// Whom an invitation was just sent to.
    invited: String,
    error: Option<String>,
    all_types: Vec<(&'static str, &'static str)>,
    /// Every agent must sign in in two steps.
    two_factor_required: bool,
    /// `None` when the WhatsApp channel is not configured.
    whatsapp: Option<WhatsAppHealthView>,
}

/// The WhatsApp channel's health as the agents page shows it.
pub struct WhatsAppHealthView {
    pub last_event: String,
    pub last_error: String,
    pub last_error_code: String,
    pub last_error_at: String,
    pub pending_bodies: i64,
    /// The access token expired: nothing goes out until an admin replaces it.
    pub reconnect: bool,
}

/// Meta's code for an access token that expired or was revoked.
const TOKEN_EXPIRED: i64 = 190;

#[derive(Deserialize)]
pub struct AgentsQuery {
    #[serde(default)]
    invited: String,
}

pub async fn agents(
    State(app): State<App>,
    console: Console,
    axum::extract::Query(q): axum::extract::Query<AgentsQuery>,
) -> Result<Response, ConsoleError> {
    agents_page(&app, &console, q.invited, None).await
}

async fn agents_page(
    app: &App,
    console: &Console,
    invited: String,
    error: Option<String>,
) -> Result<Response, ConsoleError> {
    require_admin(console)?;
    let t = console.t;
    let now = jiff::Timestamp::now();
    let two_factor = app.two_factor_agents(&console.principal).await?;
    let agents = app
        .list_agents()
        .await?
        .into_iter()
        .map(|a| AgentRow {
            id: a.id.0,
            absences: a
                .absences
                .iter()
                .enumerate()
                .filter(|(_, absence)| absence.ends_at > now)
                .map(|(index, absence)| AbsenceView {
                    index,
                    from: time::local(absence.starts_at, console.lang),
                    until: time::local(absence.ends_at, console.lang),
                })
                .collect(),
            away: a.is_absent_at(now),
            admin: a.is_admin(),
            phone: a.phone.clone().unwrap_or_default(),
            whatsapp: a.whatsapp.clone().unwrap_or_default(),
            whatsapp_phone_number_id: a.whatsapp_phone_number_id.clone().unwrap_or_default(),
            types: SupportType::ALL
                .iter()
                .map(|st| (st.as_str(), t.support_type(Some(*st)), a.types.contains(st)))
                .collect(),
            myself: a.id == console.agent.id,
            two_factor: two_factor.contains(&a.id),
            name: a.name,
            email: a.email,
            active: a.active,
        })
        .collect();
    Ok(render(&AgentsPage {
        page: Page::of(console, "/admin/agents"),
        agents,
        invited,
        error,
        all_types: SupportType::ALL
            .iter()
            .map(|st| (st.as_str(), t.support_type(Some(*st))))
            .collect(),
        two_factor_required: app.two_factor_required(),
        whatsapp: app
            .whatsapp_health(&console.principal)
            .await?
            .map(|h| WhatsAppHealthView {
                last_event: h
                    .last_event_at
                    .map(|at| time::local(at, console.lang))
                    .unwrap_or_default(),
                last_error: h.last_error.unwrap_or_default(),
                last_error_code: h.last_error_code.map(|c| c.to_string()).unwrap_or_default(),
                last_error_at: h
                    .last_error_at
                    .map(|at| time::local(at, console.lang))
                    .unwrap_or_default(),
                pending_bodies: h.pending_bodies,
                reconnect: h.last_error_code == Some(TOKEN_EXPIRED),
            }),
    }))
}

/// The support types ticked in a form (`type_<key>` fields).
fn ticked_types(fields: &[(String, String)]) -> Vec<SupportType> {
    SupportType::ALL
        .iter()
        .copied()
        .filter(|st| {
            let key = format!("type_{}", st.as_str());
            fields.iter().any(|(k, _)| *k == key)
        })
        .collect()
}

/// Adds an agent and e-mails them a link to choose their password.
pub async fn create_agent(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let role: Role = field(&fields, "role")
        .parse()
        .map_err(|_| AppError::invalid("role", Role::expected()))?;
    let types = ticked_types(&fields);
    if types.is_empty() {
        let error = "types: tick at least one support type".to_string();
        return Ok(refused(
            agents_page(&app, &console, String::new(), Some(error)).await?,
        ));
    }
    let input = AgentInput {
        email: field(&fields, "email").to_string(),
        name: field(&fields, "name").to_string(),
        phone: optional(field(&fields, "phone")),
        whatsapp: optional(field(&fields, "whatsapp")),
        whatsapp_phone_number_id: optional(field(&fields, "whatsapp_phone_number_id")),
        role: Some(role),
        types,
        password: None,
    };
    let agent = match app.create_agent(&input).await {
        Ok(agent) => agent,
        Err(e) => {
            let error = refusal(e)?;
            return Ok(refused(
                agents_page(&app, &console, String::new(), Some(error)).await?,
            ));
        }
    };
    app.invite_agent(&console.principal, agent.id).await?;
    let to = format!("/admin/agents?invited={}", percent_encoded(&agent.email));
    Ok(Redirect::to(&to).into_response())
}

/// Changes an agent's name, phones and the support types they handle (the phone is the
/// one the acknowledgement gives customers for urgent matters).
pub async fn update_agent_details(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let types = ticked_types(&fields);
    if types.is_empty() {
        let error = "types: tick at least one support type".to_string();
        return Ok(refused(
            agents_page(&app, &console, String::new(), Some(error)).await?,
        ));
    }
    let update = AgentUpdate {
        name: Some(field(&fields, "name").to_string()),
        phone: Some(optional(field(&fields, "phone"))),
        whatsapp: Some(optional(field(&fields, "whatsapp"))),
        whatsapp_phone_number_id: Some(optional(field(&fields, "whatsapp_phone_number_id"))),
        types: Some(types),
        ..AgentUpdate::default()
    };
    match app.update_agent(AgentId(id), &update).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/agents#agent-{id}")).into_response()),
        Err(e) => {
            let error = refusal(e)?;
            Ok(refused(
                agents_page(&app, &console, String::new(), Some(error)).await?,
            ))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Sends an agent a new link to choose their password (an invitation that expired, or a
/// colleague locked out).
pub async fn invite_agent(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    app.invite_agent(&console.principal, AgentId(id)).await?;
    let agent = app.agent(AgentId(id)).await?;
    let to = format!("/admin/agents?invited={}", percent_encoded(&agent.email));
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub struct AgentForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    role: String,
    /// Present (any value) when the box is ticked.
    active: Option<String>,
}

pub async fn update_agent(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<AgentForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    let role: Role = form
        .role
        .parse()
        .map_err(|_| AppError::invalid("role", Role::expected()))?;
    let active = form.active.is_some();
    // An administrator cannot lock themselves out of the console.
    if AgentId(id) == console.agent.id && (!active || role != Role::Admin) {
        return Err(AppError::invalid(
            "active",
            "you cannot disable yourself or drop your own admin role",
        )
        .into());
    }
    app.update_agent(
        AgentId(id),
        &AgentUpdate {
            role: Some(role),
            active: Some(active),
            ..AgentUpdate::default()
        },
    )
    .await?;
    Ok(Redirect::to("/admin/agents").into_response())
}

pub struct QuarantineRow {
    pub id: i64,
    pub source: String,
    pub reason: String,
    pub size: i64,
    pub at: String,
}

pub struct DeadMailRow {
    pub ticket_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub error: String,
    pub attempts: i64,
    pub at: String,
}

#[derive(Template)]
#[template(path = "console/admin_mail.html")]
struct MailPage<'a> {
    page: Page<'a>,
    quarantine: Vec<QuarantineRow>,
    dead: Vec<DeadMailRow>,
}

pub async fn mail(State(app): State<App>, console: Console) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    let lang = console.lang;
    let quarantine = app
        .list_quarantine(&console.principal)
        .await?
        .into_iter()
        .map(|q| QuarantineRow {
            id: q.id,
            source: q.source,
            reason: q.reason,
            size: q.size,
            at: time::local(q.received_at, lang),
        })
        .collect();
    let dead = app
        .list_outbox(&console.principal, Some("dead"))
        .await?
        .into_iter()
        .map(|o| DeadMailRow {
            ticket_id: o.ticket_id,
            recipient: o.recipient,
            subject: o.email.subject,
            error: o.last_error.unwrap_or_default(),
            attempts: o.attempts,
            at: time::local(o.created_at, lang),
        })
        .collect();
    Ok(render(&MailPage {
        page: Page::of(&console, "/admin/mail"),
        quarantine,
        dead,
    }))
}

#[derive(Template)]
#[template(path = "console/admin_canned.html")]
struct CannedPage<'a> {
    page: Page<'a>,
    replies: Vec<soporte_app::CannedReply>,
    variables: [&'static str; 6],
}

pub async fn canned(State(app): State<App>, console: Console) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    let replies = app.canned_replies(&console.principal).await?;
    Ok(render(&CannedPage {
        page: Page::of(&console, "/admin/canned"),
        replies,
        variables: soporte_app::canned::CANNED_REPLY_VARIABLES,
    }))
}

#[derive(Deserialize)]
pub struct CannedForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    title: String,
    body: String,
}

pub async fn create_canned(
    State(app): State<App>,
    console: Console,
    Form(form): Form<CannedForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    app.save_canned_reply(&console.principal, None, &form.title, &form.body)
        .await?;
    Ok(Redirect::to("/admin/canned").into_response())
}

pub async fn update_canned(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<CannedForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    app.save_canned_reply(&console.principal, Some(id), &form.title, &form.body)
        .await?;
    Ok(Redirect::to("/admin/canned").into_response())
}

pub async fn delete_canned(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<CannedForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    app.delete_canned_reply(&console.principal, id).await?;
    Ok(Redirect::to("/admin/canned").into_response())
}

#[derive(Deserialize)]
pub struct AbsenceForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    /// `datetime-local` values, Madrid time.
    from: String,
    until: String,
}

/// Records an absence: while it lasts, the agent's accounts go to their backup agent.
/// Absences already over are dropped on the way.
pub async fn add_absence(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<AbsenceForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    let from = time::parse_local(&form.from)
        .ok_or_else(|| AppError::invalid("from", "a date and time"))?;
    let until = time::parse_local(&form.until)
        .ok_or_else(|| AppError::invalid("until", "a date and time"))?;
    let agent = app.agent(AgentId(id)).await?;
    let now = jiff::Timestamp::now();
    let mut absences: Vec<_> = agent
        .absences
        .into_iter()
        .filter(|a| a.ends_at > now)
        .collect();
    absences.push(soporte_core::directory::Absence {
        starts_at: from,
        ends_at: until,
    });
    app.update_agent(
        AgentId(id),
        &AgentUpdate {
            absences: Some(absences),
            ..AgentUpdate::default()
        },
    )
    .await?;
    Ok(Redirect::to("/admin/agents").into_response())
}

#[derive(Deserialize)]
pub struct RemoveAbsenceForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn remove_absence(
    State(app): State<App>,
    console: Console,
    Path((id, index)): Path<(i64, usize)>,
    Form(form): Form<RemoveAbsenceForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    let agent = app.agent(AgentId(id)).await?;
    let mut absences = agent.absences;
    if index >= absences.len() {
        return Err(AppError::not_found("absence", index).into());
    }
    absences.remove(index);
    app.update_agent(
        AgentId(id),
        &AgentUpdate {
            absences: Some(absences),
            ..AgentUpdate::default()
        },
    )
    .await?;
    Ok(Redirect::to("/admin/agents").into_response())
}
