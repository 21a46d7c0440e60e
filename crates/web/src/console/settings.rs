//! The administrator's settings pages: the rules in force (product areas, SLA targets,
//! business calendar), the texts of outgoing mail and the mailboxes mail is taken from.
//! A save is checked by the use case; a refused one shows the page again with what was
//! typed and the reason, so nothing typed is lost.

use super::admin::require_admin;
use super::error::ConsoleError;
use super::forms::{Fields, check_admin_form, field, refusal, refused, split};
use super::session::Console;
use super::{Page, render, time};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::settings::{
    CalendarSettings, MailboxSettings, ProductAreaSettings, Section, Security, SettingsChange,
    SlaSettings, TemplateOverrides, product_area_settings,
};
use soporte_app::{App, AppError};
use soporte_core::policy::sla::WEEKDAY_NAMES;
use soporte_core::support::{Priority, SupportType};

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// Where a section's values come from, in words: the file, or who changed them when.
async fn provenance(app: &App, console: &Console, section: Section) -> Option<String> {
    let settings = app.settings();
    let changed = settings.console.changed.get(&section)?;
    let by = match changed.by {
        Some(id) => app.agent(id).await.ok().map(|a| a.name),
        None => None,
    };
    let when = time::local(changed.at, console.lang);
    Some(match by {
        Some(name) => format!("{}: {name}, {when}", console.t.changed_in_console),
        None => format!("{}: {when}", console.t.changed_in_console),
    })
}

// ---- Rules: product areas, SLA targets, calendar ------------------------------------

pub struct SlaRow {
    pub key: String,
    pub type_label: &'static str,
    pub priority_label: &'static str,
    pub first_response: String,
    pub resolution: String,
}

pub struct WeekdayRow {
    pub key: &'static str,
    pub label: &'static str,
    pub spans: String,
}

#[derive(Template)]
#[template(path = "console/admin_policy.html")]
struct PolicyPage<'a> {
    page: Page<'a>,
    saved: bool,
    error: Option<String>,
    areas: Vec<(usize, String, String)>,
    areas_from: Option<String>,
    sla: Vec<SlaRow>,
    sla_from: Option<String>,
    time_zone: String,
    week: Vec<WeekdayRow>,
    holidays: String,
    calendar_from: Option<String>,
    urgency_phrases: String,
}

/// Blank rows under the product areas, for new ones.
const NEW_AREA_ROWS: usize = 3;

/// What the rules page shows; `typed` replaces the section a refused save was for.
#[derive(Default)]
struct TypedRules {
    areas: Option<Vec<ProductAreaSettings>>,
    sla: Option<SlaSettings>,
    calendar: Option<CalendarSettings>,
}

async fn policy_page(
    app: &App,
    console: &Console,
    saved: bool,
    error: Option<String>,
    typed: TypedRules,
) -> Result<Response, ConsoleError> {
    require_admin(console)?;
    let t = console.t;
    let settings = app.settings();
    let policy = &settings.policy;
    let areas = typed
        .areas
        .unwrap_or_else(|| product_area_settings(&policy.product_areas));
    let mut area_rows: Vec<_> = areas
        .into_iter()
        .enumerate()
        .map(|(i, a)| (i, a.name, a.synonyms.join(", ")))
        .collect();
    let first_new = area_rows.len();
    area_rows
        .extend((first_new..first_new + NEW_AREA_ROWS).map(|i| (i, String::new(), String::new())));

    let mut sla_settings = typed.sla.unwrap_or_else(|| SlaSettings::of(&policy.sla));
    let mut sla = Vec::new();
    let types = [
        Some(SupportType::Administrative),
        Some(SupportType::Usage),
        Some(SupportType::Technical),
        None,
    ];
    for ((key, targets), support_type) in sla_settings.rows_mut().into_iter().zip(types) {
        for (level, priority, target) in [
            ("normal", Priority::Normal, &targets.normal),
            ("urgent", Priority::Urgent, &targets.urgent),
        ] {
            sla.push(SlaRow {
                key: format!("{key}.{level}"),
                type_label: t.support_type(support_type),
                priority_label: t.priority(priority),
                first_response: target.first_response.clone(),
                resolution: target.resolution.clone(),
            });
        }
    }

    let calendar = typed
        .calendar
        .unwrap_or_else(|| CalendarSettings::of(&policy.calendar));
    let week = WEEKDAY_NAMES
        .iter()
        .zip(t.weekdays)
        .zip(calendar.days())
        .map(|((key, label), spans)| WeekdayRow {
            key,
            label,
            spans: spans.join(", "),
        })
        .collect();
    let html = render(&PolicyPage {
        page: Page::of(console, "/admin/policy"),
        saved,
        error,
        areas: area_rows,
        areas_from: provenance(app, console, Section::ProductAreas).await,
        sla,
        sla_from: provenance(app, console, Section::Sla).await,
        time_zone: calendar.time_zone.clone(),
        week,
        holidays: calendar.holidays.join("\n"),
        calendar_from: provenance(app, console, Section::Calendar).await,
        urgency_phrases: policy.urgency_phrases.join(" · "),
    });
    Ok(html)
}

/// The rules in force, editable: product areas, SLA targets and the business calendar.
/// The checklist and urgency phrases are shown as the configuration file sets them.
pub async fn policy(
    State(app): State<App>,
    console: Console,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ConsoleError> {
    policy_page(
        &app,
        &console,
        q.saved.is_some(),
        None,
        TypedRules::default(),
    )
    .await
}

pub async fn save_product_areas(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let mut areas = Vec::new();
    for i in 0.. {
        let name_key = format!("area_name_{i}");
        if !fields.iter().any(|(k, _)| *k == name_key) {
            break;
        }
        let name = field(&fields, &name_key).trim();
        let synonyms = split(field(&fields, &format!("area_synonyms_{i}")), &[',', ';']);
        // A blank row is an unused slot, or an area being removed.
        if name.is_empty() && synonyms.is_empty() {
            continue;
        }
        areas.push(ProductAreaSettings {
            name: name.to_string(),
            synonyms,
        });
    }
    let typed = TypedRules {
        areas: Some(areas.clone()),
        ..TypedRules::default()
    };
    save_rules(
        &app,
        &console,
        SettingsChange::ProductAreas(areas),
        "/admin/policy?saved=product_areas#product-areas",
        typed,
    )
    .await
}

/// Saves one section of the rules page: back to it on success, or the page again with the
/// reason and what was typed (`typed`).
async fn save_rules(
    app: &App,
    console: &Console,
    change: SettingsChange,
    back: &str,
    typed: TypedRules,
) -> Result<Response, ConsoleError> {
    match app.change_settings(&console.principal, change).await {
        Ok(()) => Ok(Redirect::to(back).into_response()),
        Err(e) => {
            let error = refusal(e)?;
            Ok(refused(
                policy_page(app, console, false, Some(error), typed).await?,
            ))
        }
    }
}

pub async fn save_sla(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let mut sla = SlaSettings::of(&app.settings().policy.sla);
    for (key, targets) in sla.rows_mut() {
        for (level, target) in [
            ("normal", &mut targets.normal),
            ("urgent", &mut targets.urgent),
        ] {
            target.first_response = field(&fields, &format!("{key}.{level}.first_response"))
                .trim()
                .to_string();
            target.resolution = field(&fields, &format!("{key}.{level}.resolution"))
                .trim()
                .to_string();
        }
    }
    let typed = TypedRules {
        sla: Some(sla.clone()),
        ..TypedRules::default()
    };
    save_rules(
        &app,
        &console,
        SettingsChange::Sla(sla),
        "/admin/policy?saved=sla#sla-targets",
        typed,
    )
    .await
}

pub async fn save_calendar(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let mut calendar = CalendarSettings::of(&app.settings().policy.calendar);
    calendar.time_zone = field(&fields, "time_zone").trim().to_string();
    for (day, spans) in WEEKDAY_NAMES.iter().zip(calendar.days_mut()) {
        *spans = split(field(&fields, day), &[',', ';']);
    }
    calendar.holidays = split(field(&fields, "holidays"), &['\n', ',', ' ']);
    let typed = TypedRules {
        calendar: Some(calendar.clone()),
        ..TypedRules::default()
    };
    save_rules(
        &app,
        &console,
        SettingsChange::Calendar(calendar),
        "/admin/policy?saved=calendar#calendar",
        typed,
    )
    .await
}

/// Drops the console's version of a section: the configuration file's applies again.
pub async fn restore(
    State(app): State<App>,
    console: Console,
    Path(section): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let section =
        Section::parse(&section).ok_or_else(|| AppError::not_found("section", &section))?;
    app.restore_settings(&console.principal, section).await?;
    let back = match section {
        Section::ProductAreas => "/admin/policy#product-areas",
        Section::Sla => "/admin/policy#sla-targets",
        Section::Calendar => "/admin/policy#calendar",
        Section::Templates => "/admin/templates",
        Section::Mailboxes => "/admin/mailboxes",
        Section::TwoFactor => "/admin/agents#two-factor",
    };
    Ok(Redirect::to(back).into_response())
}

// ---- Texts of outgoing mail ----------------------------------------------------------

pub struct TemplateRow {
    pub name: &'static str,
    pub label: &'static str,
    pub text: String,
    pub preview: String,
}

#[derive(Template)]
#[template(path = "console/admin_templates.html")]
struct TemplatesPage<'a> {
    page: Page<'a>,
    saved: bool,
    error: Option<String>,
    templates: Vec<TemplateRow>,
    variables: [&'static str; 13],
    from: Option<String>,
}

async fn templates_page(
    app: &App,
    console: &Console,
    saved: bool,
    error: Option<String>,
    typed: Option<TemplateOverrides>,
) -> Result<Response, ConsoleError> {
    require_admin(console)?;
    let settings = app.settings();
    let current = &settings.email.templates;
    let english = settings.email.language == soporte_app::email::Language::English;
    let mut typed = typed;
    let templates = current
        .named()
        .into_iter()
        .map(|(name, text)| {
            let text = typed
                .as_mut()
                .and_then(|t| t.slot(name))
                .and_then(|slot| slot.clone())
                .unwrap_or_else(|| text.to_string());
            TemplateRow {
                name,
                label: console.t.template_label(name),
                preview: current.preview(name, english).unwrap_or_default(),
                text,
            }
        })
        .collect();
    Ok(render(&TemplatesPage {
        page: Page::of(console, "/admin/templates"),
        saved,
        error,
        templates,
        variables: soporte_app::email::EmailTemplates::VARIABLES,
        from: provenance(app, console, Section::Templates).await,
    }))
}

pub async fn templates(
    State(app): State<App>,
    console: Console,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ConsoleError> {
    templates_page(&app, &console, q.saved.is_some(), None, None).await
}

pub async fn save_templates(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let mut overrides = TemplateOverrides::of(&app.settings().email.templates);
    for (name, value) in &fields {
        if let Some(slot) = overrides.slot(name) {
            // Browsers send CRLF line ends from a textarea; mail texts use LF.
            *slot = Some(value.replace("\r\n", "\n"));
        }
    }
    let change = SettingsChange::Templates(overrides.clone());
    match app.change_settings(&console.principal, change).await {
        Ok(()) => Ok(Redirect::to("/admin/templates?saved=templates").into_response()),
        Err(e) => {
            let error = refusal(e)?;
            Ok(refused(
                templates_page(&app, &console, false, Some(error), Some(overrides)).await?,
            ))
        }
    }
}

// ---- Mailboxes -------------------------------------------------------------------------

pub struct SecurityChoice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "console/admin_mailboxes.html")]
struct MailboxesPage<'a> {
    page: Page<'a>,
    saved: bool,
    error: Option<String>,
    file_mailboxes: Vec<MailboxSettings>,
    mailboxes: Vec<MailboxSettings>,
    /// Each mailbox's state on this instance, by name: (working, what to say).
    statuses: std::collections::HashMap<String, (bool, String)>,
    /// The mailbox form as typed, when a save was refused; otherwise a blank new one.
    new_mailbox: MailboxSettings,
    securities: Vec<SecurityChoice>,
}

fn blank_mailbox() -> MailboxSettings {
    MailboxSettings {
        name: String::new(),
        host: String::new(),
        port: 993,
        security: Security::Tls,
        username: String::new(),
        password: String::new(),
        folder: "INBOX".into(),
        processed_folder: None,
        poll_seconds: 60,
    }
}

async fn mailboxes_page(
    app: &App,
    console: &Console,
    saved: bool,
    error: Option<String>,
    typed: Option<(String, MailboxSettings)>,
) -> Result<Response, ConsoleError> {
    require_admin(console)?;
    let settings = app.settings();
    let mut mailboxes: Vec<MailboxSettings> = settings
        .console
        .mailboxes
        .iter()
        .map(|m| MailboxSettings {
            password: String::new(),
            ..m.clone()
        })
        .collect();
    let mut new_mailbox = blank_mailbox();
    if let Some((original, typed)) = typed {
        match mailboxes.iter_mut().find(|m| m.name == original) {
            Some(existing) if !original.is_empty() => *existing = typed,
            _ => new_mailbox = typed,
        }
    }
    let t = console.t;
    let securities = Security::ALL
        .into_iter()
        .map(|s| SecurityChoice {
            value: s.name(),
            label: match s {
                Security::Tls => "TLS",
                Security::Starttls => "STARTTLS",
                Security::Plain => t.security_plain,
            },
        })
        .collect();
    let statuses = app
        .mailbox_statuses()
        .into_iter()
        .map(|(name, s)| {
            let when = time::local(s.at, console.lang);
            let said = match &s.error {
                None => format!("{} ({when})", t.mailbox_connected),
                Some(e) => format!("{}: {e} ({when})", t.mailbox_failing),
            };
            (name, (s.connected, said))
        })
        .collect();
    Ok(render(&MailboxesPage {
        page: Page::of(console, "/admin/mailboxes"),
        saved,
        error,
        statuses,
        file_mailboxes: settings.file_mailboxes.clone(),
        mailboxes,
        new_mailbox,
        securities,
    }))
}

pub async fn mailboxes(
    State(app): State<App>,
    console: Console,
    Query(q): Query<SavedQuery>,
) -> Result<Response, ConsoleError> {
    mailboxes_page(&app, &console, q.saved.is_some(), None, None).await
}

/// Adds a mailbox (`original` blank) or changes the one named `original`.
pub async fn save_mailbox(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    let original = field(&fields, "original").to_string();
    let text = |name: &str| field(&fields, name).trim().to_string();
    let mut problem = None;
    let port = text("port").parse::<u16>().unwrap_or_else(|_| {
        problem = Some(AppError::invalid("port", "a number between 1 and 65535"));
        0
    });
    let poll_seconds = text("poll_seconds").parse::<u64>().unwrap_or_else(|_| {
        problem = Some(AppError::invalid("poll_seconds", "a number of seconds"));
        0
    });
    let security = text("security")
        .parse::<Security>()
        .unwrap_or(Security::Tls);
    let mailbox = MailboxSettings {
        name: text("name"),
        host: text("host"),
        port,
        security,
        username: text("username"),
        // Passwords may start or end with spaces: taken as typed.
        password: field(&fields, "password").to_string(),
        folder: text("folder"),
        processed_folder: Some(text("processed_folder")).filter(|f| !f.is_empty()),
        poll_seconds,
    };
    let replacing = Some(original.as_str()).filter(|o| !o.is_empty());
    let result = match problem {
        Some(problem) => Err(problem),
        None => {
            app.save_mailbox(&console.principal, replacing, mailbox.clone())
                .await
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/mailboxes?saved=mailboxes").into_response()),
        Err(e) => {
            let error = refusal(e)?;
            let typed = MailboxSettings {
                password: String::new(),
                ..mailbox
            };
            Ok(refused(
                mailboxes_page(&app, &console, false, Some(error), Some((original, typed))).await?,
            ))
        }
    }
}

pub async fn delete_mailbox(
    State(app): State<App>,
    console: Console,
    Form(fields): Form<Fields>,
) -> Result<Response, ConsoleError> {
    check_admin_form(&console, &fields)?;
    app.remove_mailbox(&console.principal, field(&fields, "original"))
        .await?;
    Ok(Redirect::to("/admin/mailboxes?saved=mailboxes").into_response())
}
