//! The guided form for a new request, built from the policy in force: the support types
//! with the policy's descriptions, its product areas, and the intake checklist checked on
//! the server as the customer writes (htmx, debounced). The form never blocks sending.

use super::error::PortalError;
use super::requests::read_form;
use super::session::{Customer, Frame};
use super::texts::PortalTexts;
use crate::console::Lang;
use crate::multipart::FormParts;
use crate::pages::render;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::portal::{DraftCheck, RequestDraft, check_uploads};
use soporte_app::{App, AppError};
use soporte_core::support::SupportType;

/// A support type as the form offers it.
struct TypeChoice {
    value: &'static str,
    label: String,
    description: String,
}

/// One checklist item as the live panel shows it.
struct ItemView {
    key: &'static str,
    name: &'static str,
    given: bool,
    /// The customer's words that give it, or how to give it.
    detail: String,
}

/// The live panel: what the policy wants and what the draft gives.
#[derive(Template)]
#[template(path = "portal/checklist.html")]
struct ChecklistPanel {
    t: &'static PortalTexts,
    items: Vec<ItemView>,
    complete: bool,
    suggested: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "portal/new_request.html")]
struct NewRequestPage<'a> {
    frame: Frame<'a>,
    types: Vec<TypeChoice>,
    areas: Vec<String>,
    draft: DraftFields,
    /// The live panel, rendered by its own template (the same that answers each check).
    panel_html: String,
    problem: String,
    files_hint: String,
}

/// The form's fields as typed, to show them again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DraftFields {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default, rename = "type")]
    support_type: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    when: String,
    #[serde(default)]
    urgent: String,
    #[serde(default)]
    urgency_reason: String,
    /// How many pictures the browser holds (the files themselves go only with the
    /// request).
    #[serde(default)]
    pictures: String,
}

impl DraftFields {
    fn of(form: &FormParts) -> Self {
        let f = |name: &str| form.field(name).to_string();
        Self {
            subject: f("subject"),
            description: f("description"),
            support_type: f("type"),
            area: f("area"),
            place: f("place"),
            when: f("when"),
            urgent: f("urgent"),
            urgency_reason: f("urgency_reason"),
            pictures: f("pictures"),
        }
    }

    fn draft(&self, lang: Lang, has_image: bool) -> RequestDraft {
        RequestDraft {
            subject: self.subject.clone(),
            description: self.description.clone(),
            support_type: self.support_type.parse::<SupportType>().ok(),
            area: Some(self.area.trim().to_string()).filter(|a| !a.is_empty()),
            place: self.place.clone(),
            when: self.when.clone(),
            urgent: !self.urgent.is_empty(),
            urgency_reason: self.urgency_reason.clone(),
            has_image,
            english: lang == Lang::En,
        }
    }

    fn has_pictures(&self) -> bool {
        self.pictures.trim().parse::<u32>().is_ok_and(|n| n > 0)
    }

    fn urgent_checked(&self) -> bool {
        !self.urgent.is_empty()
    }
}

fn panel(app: &App, t: &'static PortalTexts, check: &DraftCheck) -> ChecklistPanel {
    let settings = app.settings();
    let suggested = match (check.suggested, check.support_type) {
        (true, Some(support_type)) => settings
            .policy
            .support_types
            .iter()
            .find(|s| s.support_type == support_type)
            .map(|s| format!("{} «{}».", t.suggested_type, t.support_type(s).0))
            .unwrap_or_default(),
        _ => String::new(),
    };
    ChecklistPanel {
        t,
        items: check
            .checklist
            .items
            .iter()
            .map(|item| ItemView {
                key: item.key.as_str(),
                name: t.item_name(item.key),
                given: item.present,
                detail: match (&item.evidence, item.present) {
                    (Some(words), true) => words.clone(),
                    _ => t.item_hint(item.key).to_string(),
                },
            })
            .collect(),
        complete: check.checklist.complete,
        suggested,
        phone: check
            .phone
            .as_ref()
            .map(|(name, phone)| format!("{} {name}: {phone}", t.call_if_urgent))
            .unwrap_or_default(),
    }
}

async fn form_page(
    app: &App,
    customer: &Customer,
    fields: DraftFields,
    problem: String,
) -> Result<Response, PortalError> {
    let t = customer.t;
    let check = app
        .check_request_draft(
            &customer.user,
            &fields.draft(customer.lang, fields.has_pictures()),
        )
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    let settings = app.settings();
    let types = settings
        .policy
        .support_types
        .iter()
        .map(|s| {
            let (label, description) = t.support_type(s);
            TypeChoice {
                value: s.support_type.as_str(),
                label: label.to_string(),
                description: description.to_string(),
            }
        })
        .collect();
    let areas = settings
        .policy
        .product_areas
        .iter()
        .map(|a| a.name.clone())
        .collect();
    Ok(render(&NewRequestPage {
        frame: Frame::of(app, customer, "/portal/requests/new"),
        types,
        areas,
        panel_html: panel(app, t, &check)
            .render()
            .map_err(|e| PortalError::App(AppError::Internal(e.to_string()), customer.lang))?,
        draft: fields,
        problem,
        files_hint: t.files_hint(
            soporte_app::portal::MAX_FILES,
            soporte_app::portal::MAX_FILE_BYTES / (1024 * 1024),
        ),
    }))
}

pub async fn page(State(app): State<App>, customer: Customer) -> Result<Response, PortalError> {
    form_page(&app, &customer, DraftFields::default(), String::new()).await
}

/// The live panel for the draft typed so far (the form's fields, without its files).
pub async fn check(
    State(app): State<App>,
    customer: Customer,
    Form(fields): Form<DraftFields>,
) -> Result<Response, PortalError> {
    let check = app
        .check_request_draft(
            &customer.user,
            &fields.draft(customer.lang, fields.has_pictures()),
        )
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    Ok(render(&panel(&app, customer.t, &check)))
}

pub async fn submit(
    State(app): State<App>,
    customer: Customer,
    multipart: Multipart,
) -> Result<Response, PortalError> {
    let form = read_form(multipart, customer.lang).await?;
    customer.check_csrf(form.field("_csrf"))?;
    let fields = DraftFields::of(&form);
    let refused = |problem: String| {
        let app = app.clone();
        let fields = fields.clone();
        let customer = &customer;
        async move {
            let page = form_page(&app, customer, fields, problem).await?;
            Ok::<_, PortalError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let files = match check_uploads(form.files.clone()) {
        Ok(files) => files,
        Err(refusal) => return refused(customer.t.upload_refusal(&refusal)).await,
    };
    let has_image = files.iter().any(|f| f.media_type.starts_with("image/"));
    let draft = fields.draft(customer.lang, has_image);
    match app.submit_request(&customer.user, &draft, files).await {
        Ok(ticket) => Ok(
            Redirect::to(&format!("/portal/requests/{}?created=true", ticket.number))
                .into_response(),
        ),
        Err(AppError::Invalid(v)) => {
            let words = match v.field.as_str() {
                "subject" => customer.t.subject_wanted.to_string(),
                "body" => customer.t.description_wanted.to_string(),
                _ => format!("{}: {}", v.field, v.message),
            };
            refused(words).await
        }
        Err(e) => Err(PortalError::App(e, customer.lang)),
    }
}
