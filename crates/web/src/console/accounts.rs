//! Accounts and their people: the accounts list, one account's page (its details, its
//! personal and backup agents, its contacts) and the directory of contacts, where people
//! who wrote from an unknown address are put into their account.

use super::admin::require_admin;
use super::error::ConsoleError;
use super::forms::{optional, refusal, refused, split};
use super::session::{Console, local_or};
use super::{Page, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::{App, AppError, ContactInput, ContactUpdate, PageRequest};
use soporte_core::ids::{AccountId, AgentId, ContactId};
use std::collections::HashMap;

/// Accounts listed per page of the accounts admin.
const ACCOUNTS_PER_PAGE: u32 = 100;

pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub plan: String,
    pub domains: String,
    pub personal: String,
    pub backup: String,
}

#[derive(Template)]
#[template(path = "console/admin_accounts.html")]
struct AccountsPage<'a> {
    page: Page<'a>,
    accounts: Vec<AccountRow>,
    agents: Vec<super::ticket::Choice>,
    next: Option<i64>,
}

#[derive(Deserialize)]
pub struct AccountsQuery {
    after: Option<i64>,
}

pub async fn accounts(
    State(app): State<App>,
    console: Console,
    axum::extract::Query(q): axum::extract::Query<AccountsQuery>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    let accounts = app
        .list_accounts(&soporte_app::PageRequest {
            after_id: q.after,
            limit: ACCOUNTS_PER_PAGE,
        })
        .await?;
    let next = (accounts.len() == ACCOUNTS_PER_PAGE as usize)
        .then(|| accounts.last().map(|a| a.id.0))
        .flatten();
    let id_text = |id: Option<AgentId>| id.map(|a| a.0.to_string()).unwrap_or_default();
    let accounts = accounts
        .into_iter()
        .map(|a| AccountRow {
            id: a.id.0,
            plan: a.plan.clone().unwrap_or_default(),
            domains: a.email_domains.join(", "),
            personal: id_text(a.personal_agent_id),
            backup: id_text(a.backup_agent_id),
            name: a.name,
        })
        .collect();
    let agents = super::ticket::agent_choices(&app.list_agents().await?, None);
    Ok(render(&AccountsPage {
        page: Page::of(&console, "/admin/accounts"),
        accounts,
        agents,
        next,
    }))
}

fn agent_choice(field: &str, value: &str) -> Result<Option<AgentId>, ConsoleError> {
    match value.trim() {
        "" => Ok(None),
        id => Ok(Some(AgentId(
            id.parse()
                .map_err(|_| AppError::invalid(field, "an agent id"))?,
        ))),
    }
}

#[derive(Deserialize)]
pub struct AccountAgentsForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    personal_agent: String,
    backup_agent: String,
}

pub async fn update_account(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<AccountAgentsForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    app.update_account(
        soporte_core::ids::AccountId(id),
        &soporte_app::AccountUpdate {
            personal_agent_id: Some(agent_choice("personal_agent", &form.personal_agent)?),
            backup_agent_id: Some(agent_choice("backup_agent", &form.backup_agent)?),
            ..soporte_app::AccountUpdate::default()
        },
    )
    .await?;
    Ok(Redirect::to("/admin/accounts").into_response())
}

pub async fn create_account(
    State(app): State<App>,
    console: Console,
    Form(form): Form<AccountForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    app.create_account(&soporte_app::AccountInput {
        name: form.name,
        tax_id: optional(&form.tax_id),
        plan: optional(&form.plan),
        email_domains: list(&form.domains),
        personal_agent_id: agent_choice("personal_agent", &form.personal_agent)?,
        backup_agent_id: agent_choice("backup_agent", &form.backup_agent)?,
    })
    .await?;
    Ok(Redirect::to("/admin/accounts").into_response())
}

/// "a, b; c" → ["a", "b", "c"] (addresses and domains have no spaces).
fn list(text: &str) -> Vec<String> {
    split(text, &[',', ';', ' ', '\n'])
}

/// Phones keep their inner spaces: "+34 611 222 333, 911 000 000".
fn phones(text: &str) -> Vec<String> {
    split(text, &[',', ';', '\n'])
}

/// An account number typed or picked in a form: "12", "#12" or "12 · Tienda SL"; blank
/// means no account.
fn account_choice(field: &str, value: &str) -> Result<Option<AccountId>, ConsoleError> {
    let value = value.trim().trim_start_matches('#');
    if value.is_empty() {
        return Ok(None);
    }
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .map(|id| Some(AccountId(id)))
        .map_err(|_| AppError::invalid(field, "an account number").into())
}

/// Contacts listed per page, on an account's page and in the directory.
const CONTACTS_PER_PAGE: u32 = 100;
/// The account's latest requests shown on its page.
const RECENT_TICKETS: u32 = 20;
/// Accounts offered when moving a person into an account (a longer list is typed by number).
const ACCOUNT_CHOICES: u32 = 1000;

pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub emails: String,
    pub phones: String,
    pub account: String,
    pub account_id: Option<i64>,
    pub account_name: String,
    /// Sees all of the account's requests.
    pub manager: bool,
}

fn contact_row(
    c: soporte_core::directory::Contact,
    names: &HashMap<AccountId, String>,
) -> ContactRow {
    ContactRow {
        id: c.id.0,
        account: c.account_id.map(|a| a.0.to_string()).unwrap_or_default(),
        account_id: c.account_id.map(|a| a.0),
        account_name: c
            .account_id
            .and_then(|a| names.get(&a).cloned())
            .unwrap_or_default(),
        manager: c.account_manager,
        name: c.name,
        emails: c.emails.join(", "),
        phones: c.phones.join(", "),
    }
}

async fn account_choices(app: &App) -> Result<Vec<(i64, String)>, ConsoleError> {
    Ok(app
        .list_accounts(&PageRequest {
            after_id: None,
            limit: ACCOUNT_CHOICES,
        })
        .await?
        .into_iter()
        .map(|a| (a.id.0, a.name))
        .collect())
}

/// What a new-contact form held when its save was refused.
#[derive(Default)]
pub struct TypedContact {
    pub name: String,
    pub emails: String,
    pub phones: String,
    pub manager: bool,
}

#[derive(Template)]
#[template(path = "console/admin_account.html")]
struct AccountPage<'a> {
    page: Page<'a>,
    saved: bool,
    error: Option<String>,
    id: i64,
    name: String,
    tax_id: String,
    plan: String,
    domains: String,
    personal: Vec<super::ticket::Choice>,
    backup: Vec<super::ticket::Choice>,
    contacts: Vec<ContactRow>,
    next: Option<i64>,
    accounts: Vec<(i64, String)>,
    typed: TypedContact,
    /// Where a contact's save comes back to.
    back: String,
    /// The account's number, as the new-contact form sends it.
    account_number: String,
    recent: Vec<super::ticket::RecentTicket>,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    after: Option<i64>,
    saved: Option<String>,
}

async fn account_page(
    app: &App,
    console: &Console,
    id: AccountId,
    after: Option<i64>,
    saved: bool,
    error: Option<String>,
    typed: TypedContact,
) -> Result<Response, ConsoleError> {
    require_admin(console)?;
    let account = app.account(&console.principal, id).await?;
    let contacts = app
        .list_contacts(
            Some(id),
            &PageRequest {
                after_id: after,
                limit: CONTACTS_PER_PAGE,
            },
        )
        .await?;
    let next = (contacts.len() == CONTACTS_PER_PAGE as usize)
        .then(|| contacts.last().map(|c| c.id.0))
        .flatten();
    let names = HashMap::from([(account.id, account.name.clone())]);
    let agents = app.list_agents().await?;
    let filter = soporte_app::TicketFilter {
        account_id: Some(id),
        limit: Some(RECENT_TICKETS),
        ..soporte_app::TicketFilter::default()
    };
    let recent = app
        .list_tickets(&console.principal, &filter)
        .await?
        .items
        .into_iter()
        .map(|t| super::ticket::RecentTicket {
            id: t.id.0,
            status_label: console.t.status(t.status),
            number: t.number,
            subject: t.subject,
        })
        .collect();
    let path = format!("/admin/accounts/{}", id.0);
    let html = render(&AccountPage {
        page: Page::of(console, &path),
        saved,
        error,
        id: id.0,
        tax_id: account.tax_id.clone().unwrap_or_default(),
        plan: account.plan.clone().unwrap_or_default(),
        domains: account.email_domains.join(", "),
        personal: super::ticket::agent_choices(&agents, account.personal_agent_id),
        backup: super::ticket::agent_choices(&agents, account.backup_agent_id),
        name: account.name,
        contacts: contacts
            .into_iter()
            .map(|c| contact_row(c, &names))
            .collect(),
        next,
        accounts: account_choices(app).await?,
        typed,
        back: format!("/admin/accounts/{}#contacts", id.0),
        account_number: id.0.to_string(),
        recent,
    });
    Ok(html)
}

/// One account: its details, agents and people.
pub async fn account(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Query(q): Query<AccountQuery>,
) -> Result<Response, ConsoleError> {
    account_page(
        &app,
        &console,
        AccountId(id),
        q.after,
        q.saved.is_some(),
        None,
        TypedContact::default(),
    )
    .await
}

#[derive(Deserialize)]
/// An account's details, as the new-account form and the account's page send them.
pub struct AccountForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
    #[serde(default)]
    tax_id: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    domains: String,
    #[serde(default)]
    personal_agent: String,
    #[serde(default)]
    backup_agent: String,
}

pub async fn update_account_details(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<AccountForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    let update = soporte_app::AccountUpdate {
        name: Some(form.name),
        tax_id: Some(optional(&form.tax_id)),
        plan: Some(optional(&form.plan)),
        email_domains: Some(list(&form.domains)),
        personal_agent_id: Some(agent_choice("personal_agent", &form.personal_agent)?),
        backup_agent_id: Some(agent_choice("backup_agent", &form.backup_agent)?),
    };
    match app.update_account(AccountId(id), &update).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/accounts/{id}?saved=account")).into_response()),
        Err(e) => {
            let error = refusal(e)?;
            let page = account_page(
                &app,
                &console,
                AccountId(id),
                None,
                false,
                Some(error),
                TypedContact::default(),
            );
            Ok(refused(page.await?))
        }
    }
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    phones: String,
    #[serde(default)]
    account: String,
    /// A ticked checkbox is sent, an unticked one is not.
    #[serde(default)]
    account_manager: Option<String>,
    /// Where to go back to: an account's page or the directory.
    #[serde(default)]
    back: String,
}

/// Adds a person (to an account, from its page).
pub async fn create_contact(
    State(app): State<App>,
    console: Console,
    Form(form): Form<ContactForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    let account = account_choice("account", &form.account)?;
    let input = ContactInput {
        account_id: account,
        account_manager: form.account_manager.is_some(),
        name: form.name.clone(),
        emails: list(&form.emails),
        phones: phones(&form.phones),
    };
    let error = match app.create_contact(&input).await {
        Ok(_) => {
            let back = local_or(Some(&form.back), "/admin/contacts");
            return Ok(Redirect::to(back).into_response());
        }
        Err(e) => refusal(e)?,
    };
    let typed = TypedContact {
        manager: form.account_manager.is_some(),
        name: form.name,
        emails: form.emails,
        phones: form.phones,
    };
    match account {
        Some(account) => Ok(refused(
            account_page(&app, &console, account, None, false, Some(error), typed).await?,
        )),
        None => Ok(refused(
            contacts_page(
                &app,
                &console,
                &ContactsQuery::default(),
                Some(error),
                typed,
            )
            .await?,
        )),
    }
}

/// Changes a person: name, addresses, phones, the account they belong to and whether they
/// are its manager.
pub async fn update_contact(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> Result<Response, ConsoleError> {
    require_admin(&console)?;
    console.check_csrf(&form.csrf)?;
    let account = account_choice("account", &form.account)?;
    if let Some(account) = account {
        // A clear "no such account" rather than a database error.
        app.account(&console.principal, account).await?;
    }
    let update = ContactUpdate {
        account_id: Some(account),
        // Taking someone out of their account ends their being its manager, whatever the
        // box still says.
        account_manager: account.map(|_| form.account_manager.is_some()),
        name: Some(form.name),
        emails: Some(list(&form.emails)),
        phones: Some(phones(&form.phones)),
    };
    let error = match app.update_contact(ContactId(id), &update).await {
        Ok(_) => {
            let back = local_or(Some(&form.back), "/admin/contacts");
            return Ok(Redirect::to(back).into_response());
        }
        Err(e) => refusal(e)?,
    };
    Ok(refused(
        contacts_page(
            &app,
            &console,
            &ContactsQuery::default(),
            Some(error),
            TypedContact::default(),
        )
        .await?,
    ))
}

#[derive(Template)]
#[template(path = "console/admin_contacts.html")]
struct ContactsPage<'a> {
    page: Page<'a>,
    error: Option<String>,
    email: String,
    /// The address a portal invitation was just sent to.
    invited: String,
    contacts: Vec<ContactRow>,
    next: Option<i64>,
    accounts: Vec<(i64, String)>,
    typed: TypedContact,
}

#[derive(Deserialize, Default)]
pub struct ContactsQuery {
    after: Option<i64>,
    /// Find the person with this address.
    #[serde(default)]
    email: String,
    /// A portal invitation was just sent to this address.
    #[serde(default)]
    invited: String,
}

async fn contacts_page(
    app: &App,
    console: &Console,
    q: &ContactsQuery,
    error: Option<String>,
    typed: TypedContact,
) -> Result<Response, ConsoleError> {
    require_admin(console)?;
    let email = q.email.trim();
    let (contacts, next) = if email.is_empty() {
        let contacts = app
            .list_contacts(
                None,
                &PageRequest {
                    after_id: q.after,
                    limit: CONTACTS_PER_PAGE,
                },
            )
            .await?;
        let next = (contacts.len() == CONTACTS_PER_PAGE as usize)
            .then(|| contacts.last().map(|c| c.id.0))
            .flatten();
        (contacts, next)
    } else {
        match app.contact_by_email(email).await {
            Ok(contact) => (vec![contact], None),
            Err(AppError::NotFound { .. } | AppError::Invalid(_)) => (vec![], None),
            Err(e) => return Err(e.into()),
        }
    };
    // The names come from the accounts already read for the form's list; only accounts
    // beyond that list are read one by one.
    let accounts = account_choices(app).await?;
    let mut names: HashMap<AccountId, String> = accounts
        .iter()
        .map(|(id, name)| (AccountId(*id), name.clone()))
        .collect();
    for id in contacts.iter().filter_map(|c| c.account_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
            let account = app.account(&console.principal, id).await?;
            slot.insert(account.name);
        }
    }
    Ok(render(&ContactsPage {
        page: Page::of(console, "/admin/contacts"),
        error,
        email: email.to_string(),
        invited: q.invited.clone(),
        contacts: contacts
            .into_iter()
            .map(|c| contact_row(c, &names))
            .collect(),
        next,
        accounts,
        typed,
    }))
}

/// Sends a person a one-time link into the customer portal.
pub async fn invite_contact(
    State(app): State<App>,
    console: Console,
    Path(id): Path<i64>,
    Form(form): Form<super::session::CsrfForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(form.token())?;
    app.invite_contact(&console.principal, ContactId(id))
        .await?;
    let contact = app.contact(&console.principal, ContactId(id)).await?;
    let email = contact.emails.first().cloned().unwrap_or_default();
    let to = format!(
        "/admin/contacts?email={}&invited={}",
        super::forms::percent_encoded(&email),
        super::forms::percent_encoded(&email)
    );
    Ok(Redirect::to(&to).into_response())
}

/// Everyone who has written, with their account; found by address.
pub async fn contacts(
    State(app): State<App>,
    console: Console,
    Query(q): Query<ContactsQuery>,
) -> Result<Response, ConsoleError> {
    contacts_page(&app, &console, &q, None, TypedContact::default()).await
}
