//! Accounts, contacts and agents. Agents read the directory; admins change it.

use super::dto::*;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::problem::{Problem, ProblemDocument};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use soporte_app::{
    AccountInput, AccountUpdate, AgentInput, AgentUpdate, App, ContactInput, ContactUpdate,
};
use soporte_app::{PageRequest, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::ids::{AccountId, AgentId, ContactId};
use utoipa::IntoParams;

type Created<T> = (StatusCode, Json<T>);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Return rows with an id greater than this.
    after_id: Option<i64>,
    /// Rows per page, 1 to 200 (default 100).
    limit: Option<u32>,
    /// Contacts only: those of this account.
    account_id: Option<i64>,
}

impl PageParams {
    fn page(&self) -> PageRequest {
        PageRequest {
            after_id: self.after_id,
            limit: self.limit.unwrap_or(100).clamp(1, 200),
        }
    }
}

// ----- accounts

/// Create a customer account (admin).
#[utoipa::path(post, path = "/api/v1/accounts", request_body = AccountCreate, responses(
    (status = 201, body = AccountOut), (status = 409, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn create_account(
    State(app): State<App>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<AccountCreate>,
) -> Result<Created<AccountOut>, Problem> {
    who.require_admin()?;
    let input = AccountInput {
        name: body.name,
        tax_id: body.tax_id,
        plan: body.plan,
        email_domains: body.email_domains,
        personal_agent_id: body.personal_agent_id.map(AgentId),
        backup_agent_id: body.backup_agent_id.map(AgentId),
    };
    let account = app.create_account(&input).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// List accounts, by id (agents).
#[utoipa::path(get, path = "/api/v1/accounts", params(PageParams), responses((status = 200, body = Vec<AccountOut>)))]
pub async fn list_accounts(
    State(app): State<App>,
    Caller(who): Caller,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<Vec<AccountOut>>, Problem> {
    who.require_agent()?;
    let accounts = app.list_accounts(&params.page()).await?;
    Ok(Json(accounts.into_iter().map(AccountOut::from).collect()))
}

/// One account (agents, or a customer for their own account).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", responses((status = 200, body = AccountOut), (status = 404, body = ProblemDocument)))]
pub async fn get_account(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AccountOut>, Problem> {
    Ok(Json(app.account(&who, AccountId(id)).await?.into()))
}

/// Change an account (admin). Absent fields stay as they are; `null` clears.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", request_body = AccountPatchBody, responses(
    (status = 200, body = AccountOut), (status = 404, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn patch_account(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AccountPatchBody>,
) -> Result<Json<AccountOut>, Problem> {
    who.require_admin()?;
    let input = AccountUpdate {
        name: body.name,
        tax_id: body.tax_id,
        plan: body.plan,
        email_domains: body.email_domains,
        personal_agent_id: body.personal_agent_id.map(|o| o.map(AgentId)),
        backup_agent_id: body.backup_agent_id.map(|o| o.map(AgentId)),
    };
    Ok(Json(
        app.update_account(AccountId(id), &input).await?.into(),
    ))
}

// ----- contacts

/// Create a contact, a person of a customer account (admin).
#[utoipa::path(post, path = "/api/v1/contacts", request_body = ContactCreate, responses(
    (status = 201, body = ContactOut), (status = 409, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn create_contact(
    State(app): State<App>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<ContactCreate>,
) -> Result<Created<ContactOut>, Problem> {
    who.require_admin()?;
    let input = ContactInput {
        account_id: body.account_id.map(AccountId),
        account_manager: body.account_manager,
        name: body.name,
        emails: body.emails,
        phones: body.phones,
    };
    let contact = app.create_contact(&input).await?;
    Ok((StatusCode::CREATED, Json(contact.into())))
}

/// List contacts, optionally of one account (agents).
#[utoipa::path(get, path = "/api/v1/contacts", params(PageParams), responses((status = 200, body = Vec<ContactOut>)))]
pub async fn list_contacts(
    State(app): State<App>,
    Caller(who): Caller,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<Vec<ContactOut>>, Problem> {
    who.require_agent()?;
    let contacts = app
        .list_contacts(params.account_id.map(AccountId), &params.page())
        .await?;
    Ok(Json(contacts.into_iter().map(ContactOut::from).collect()))
}

/// One contact (agents; a customer reads themselves, their account's manager the account's
/// people).
#[utoipa::path(get, path = "/api/v1/contacts/{id}", responses((status = 200, body = ContactOut), (status = 404, body = ProblemDocument)))]
pub async fn get_contact(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContactOut>, Problem> {
    Ok(Json(app.contact(&who, ContactId(id)).await?.into()))
}

/// Change a contact (admin).
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", request_body = ContactPatchBody, responses(
    (status = 200, body = ContactOut), (status = 404, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn patch_contact(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ContactPatchBody>,
) -> Result<Json<ContactOut>, Problem> {
    who.require_admin()?;
    let input = ContactUpdate {
        account_id: body.account_id.map(|o| o.map(AccountId)),
        account_manager: body.account_manager,
        name: body.name,
        emails: body.emails,
        phones: body.phones,
    };
    Ok(Json(
        app.update_contact(ContactId(id), &input).await?.into(),
    ))
}

/// Issue an API token for a customer contact (admin). It sees the contact's own tickets, or
/// all of the account's when the contact is its manager.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/tokens", request_body = TokenCreate, responses(
    (status = 201, body = TokenOut), (status = 404, body = ProblemDocument)))]
pub async fn create_contact_token(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TokenCreate>,
) -> Result<Created<TokenOut>, Problem> {
    who.require_admin()?;
    let issued = app
        .issue_token(
            TokenOwner::Contact(ContactId(id)),
            TokenScope::Contact,
            &body.label,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenOut {
            id: issued.record.id.0,
            scope: issued.record.scope,
            token: issued.plaintext,
        }),
    ))
}

// ----- agents

/// Create an agent (admin).
#[utoipa::path(post, path = "/api/v1/agents", request_body = AgentCreate, responses(
    (status = 201, body = AgentOut), (status = 409, body = ProblemDocument), (status = 422, body = ProblemDocument)))]
pub async fn create_agent(
    State(app): State<App>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<AgentCreate>,
) -> Result<Created<AgentOut>, Problem> {
    who.require_admin()?;
    let input = AgentInput {
        email: body.email,
        name: body.name,
        phone: body.phone,
        whatsapp: body.whatsapp,
        whatsapp_phone_number_id: body.whatsapp_phone_number_id,
        role: body.role,
        types: body.types,
        password: body.password,
    };
    let agent = app.create_agent(&input).await?;
    Ok((StatusCode::CREATED, Json(agent.into())))
}

/// List agents (agents).
#[utoipa::path(get, path = "/api/v1/agents", responses((status = 200, body = Vec<AgentOut>)))]
pub async fn list_agents(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<Json<Vec<AgentOut>>, Problem> {
    who.require_agent()?;
    Ok(Json(
        app.list_agents()
            .await?
            .into_iter()
            .map(AgentOut::from)
            .collect(),
    ))
}

/// One agent (agents).
#[utoipa::path(get, path = "/api/v1/agents/{id}", responses((status = 200, body = AgentOut), (status = 404, body = ProblemDocument)))]
pub async fn get_agent(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AgentOut>, Problem> {
    who.require_agent()?;
    Ok(Json(app.agent(AgentId(id)).await?.into()))
}

/// Change an agent: role, support types, absences, disable (admin).
#[utoipa::path(patch, path = "/api/v1/agents/{id}", request_body = AgentPatchBody, responses(
    (status = 200, body = AgentOut), (status = 404, body = ProblemDocument), (status = 409, body = ProblemDocument)))]
pub async fn patch_agent(
    State(app): State<App>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AgentPatchBody>,
) -> Result<Json<AgentOut>, Problem> {
    who.require_admin()?;
    let absences = body.absences();
    let input = AgentUpdate {
        email: body.email,
        name: body.name,
        phone: body.phone,
        whatsapp: body.whatsapp,
        whatsapp_phone_number_id: body.whatsapp_phone_number_id,
        role: body.role,
        types: body.types,
        absences,
        active: body.active,
        password: body.password,
    };
    Ok(Json(app.update_agent(AgentId(id), &input).await?.into()))
}
