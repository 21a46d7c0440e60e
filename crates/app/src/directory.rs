//! Agents, accounts and contacts: validation of what people type, and the rules that keep
//! the directory consistent (an account's backup differs from its personal agent, the
//! last admin cannot lock everyone out).

use crate::auth::hash_password;
use crate::{App, AppError, Principal, Result};
use soporte_core::directory::{
    Absence, Account, Agent, Contact, Role, normalize_domain, normalize_email, normalize_name,
    normalize_phone, normalize_tax_id, validate_absences,
};
use soporte_core::ids::{AccountId, AgentId, ContactId};
use soporte_core::limits::{MAX_ACCOUNT_DOMAINS, MAX_CONTACT_EMAILS, MAX_CONTACT_PHONES};
use soporte_core::support::SupportType;
use soporte_store::{
    AccountPatch, AgentPatch, ContactPatch, NewAccount, NewAgent, NewContact, PageRequest,
};

const MIN_PASSWORD_CHARS: usize = 10;

/// Meta's id of a WhatsApp business number: digits (Meta shows it as such in the app's
/// WhatsApp settings). Empty clears it.
fn opt_phone_number_id(raw: Option<&str>) -> Result<Option<String>> {
    let Some(id) = raw.map(str::trim).filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    if id.len() > 32 || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "whatsapp_phone_number_id",
            "must be the digits of the number's id in Meta's WhatsApp settings (e.g. 106540352242922)",
        ));
    }
    Ok(Some(id.to_string()))
}

#[derive(Debug, Clone, Default)]
pub struct AgentInput {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    /// Meta's id of the agent's WhatsApp business number.
    pub whatsapp_phone_number_id: Option<String>,
    pub role: Option<Role>,
    pub types: Vec<SupportType>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AgentUpdate {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub whatsapp: Option<Option<String>>,
    pub whatsapp_phone_number_id: Option<Option<String>>,
    pub role: Option<Role>,
    pub types: Option<Vec<SupportType>>,
    pub absences: Option<Vec<Absence>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub name: String,
    pub tax_id: Option<String>,
    pub plan: Option<String>,
    pub email_domains: Vec<String>,
    pub personal_agent_id: Option<AgentId>,
    pub backup_agent_id: Option<AgentId>,
}

#[derive(Debug, Clone, Default)]
pub struct AccountUpdate {
    pub name: Option<String>,
    pub tax_id: Option<Option<String>>,
    pub plan: Option<Option<String>>,
    pub email_domains: Option<Vec<String>>,
    pub personal_agent_id: Option<Option<AgentId>>,
    pub backup_agent_id: Option<Option<AgentId>>,
}

#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub account_id: Option<AccountId>,
    /// Sees all of the account's requests; needs `account_id`.
    pub account_manager: bool,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ContactUpdate {
    pub account_id: Option<Option<AccountId>>,
    /// Left out, a change of account ends being the old one's manager; a contact left
    /// without an account is nobody's manager.
    pub account_manager: Option<bool>,
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
}

fn opt_phone(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => Ok(Some(normalize_phone(field, p)?)),
        None => Ok(None),
    }
}

fn opt_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(v) if v.chars().count() > max => Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
        None => Ok(None),
    }
}

pub(crate) fn check_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    hash_password(password)
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn list_of(
    field: &str,
    raw: &[String],
    max: usize,
    normalize: fn(&str, &str) -> Result<String, soporte_core::ValidationError>,
) -> Result<Vec<String>> {
    soporte_core::limits::check_count(field, raw.len(), max)?;
    let mut out = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        out.push(normalize(&format!("{field}[{i}]"), v)?);
    }
    Ok(dedup(out))
}

/// Validates a new account as typed (API, CLI, CSV row).
pub fn validate_account(input: &AccountInput) -> Result<NewAccount> {
    let account = NewAccount {
        name: normalize_name("name", &input.name)?,
        tax_id: match input
            .tax_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(t) => Some(normalize_tax_id("tax_id", t)?),
            None => None,
        },
        plan: opt_text("plan", input.plan.as_deref(), 100)?,
        email_domains: list_of(
            "email_domains",
            &input.email_domains,
            MAX_ACCOUNT_DOMAINS,
            normalize_domain,
        )?,
        personal_agent_id: input.personal_agent_id,
        backup_agent_id: input.backup_agent_id,
    };
    check_agents_differ(account.personal_agent_id, account.backup_agent_id)?;
    Ok(account)
}

fn check_agents_differ(personal: Option<AgentId>, backup: Option<AgentId>) -> Result<()> {
    if personal.is_some() && personal == backup {
        return Err(AppError::invalid(
            "backup_agent_id",
            "the backup agent must be someone other than the personal agent",
        ));
    }
    Ok(())
}

impl App {
    // ----- agents

    pub async fn create_agent(&self, input: &AgentInput) -> Result<Agent> {
        let password_hash = match input.password.as_deref() {
            Some(p) => Some(check_password(p)?),
            None => None,
        };
        let new = NewAgent {
            email: normalize_email("email", &input.email)?,
            name: normalize_name("name", &input.name)?,
            phone: opt_phone("phone", input.phone.as_deref())?,
            whatsapp: opt_phone("whatsapp", input.whatsapp.as_deref())?,
            whatsapp_phone_number_id: opt_phone_number_id(
                input.whatsapp_phone_number_id.as_deref(),
            )?,
            role: input.role.unwrap_or(Role::Agent),
            types: dedup(if input.types.is_empty() {
                SupportType::ALL.to_vec()
            } else {
                input.types.clone()
            }),
            password_hash,
        };
        Ok(self.store.create_agent(&new).await?)
    }

    pub async fn update_agent(&self, id: AgentId, input: &AgentUpdate) -> Result<Agent> {
        let current = self
            .store
            .agent(id)
            .await?
            .ok_or_else(|| AppError::not_found("agent", id))?;
        let loses_admin = current.is_admin()
            && current.active
            && (input.role == Some(Role::Agent) || input.active == Some(false));
        if loses_admin {
            let other_admins = self
                .store
                .list_agents()
                .await?
                .iter()
                .filter(|a| a.id != id && a.active && a.is_admin())
                .count();
            if other_admins == 0 {
                return Err(AppError::Conflict {
                    field: "role".into(),
                    message: "this is the last active admin; make someone else admin first".into(),
                });
            }
        }
        if let Some(absences) = &input.absences {
            validate_absences(absences)?;
        }
        let patch = AgentPatch {
            email: input
                .email
                .as_deref()
                .map(|e| normalize_email("email", e))
                .transpose()?,
            name: input
                .name
                .as_deref()
                .map(|n| normalize_name("name", n))
                .transpose()?,
            phone: input
                .phone
                .as_ref()
                .map(|p| opt_phone("phone", p.as_deref()))
                .transpose()?,
            whatsapp: input
                .whatsapp
                .as_ref()
                .map(|p| opt_phone("whatsapp", p.as_deref()))
                .transpose()?,
            whatsapp_phone_number_id: input
                .whatsapp_phone_number_id
                .as_ref()
                .map(|p| opt_phone_number_id(p.as_deref()))
                .transpose()?,
            role: input.role,
            types: input.types.clone().map(dedup),
            absences: input.absences.clone(),
            active: input.active,
            password_hash: input.password.as_deref().map(check_password).transpose()?,
        };
        Ok(self.store.update_agent(id, &patch).await?)
    }

    pub async fn agent(&self, id: AgentId) -> Result<Agent> {
        self.store
            .agent(id)
            .await?
            .ok_or_else(|| AppError::not_found("agent", id))
    }

    pub async fn agent_by_email(&self, email: &str) -> Result<Agent> {
        let email = normalize_email("email", email)?;
        self.store
            .agent_by_email(&email)
            .await?
            .ok_or_else(|| AppError::not_found("agent", email))
    }

    pub async fn list_agents(&self) -> Result<Vec<Agent>> {
        Ok(self.store.list_agents().await?)
    }

    pub async fn count_agents(&self) -> Result<i64> {
        Ok(self.store.count_agents().await?)
    }

    // ----- accounts

    pub async fn create_account(&self, input: &AccountInput) -> Result<Account> {
        let new = validate_account(input)?;
        Ok(self.store.create_account(&new).await?)
    }

    /// Creates every account or none. Errors name the row (0-based) in their field.
    pub async fn import_accounts(&self, rows: &[NewAccount]) -> Result<Vec<AccountId>> {
        Ok(self.store.create_accounts(rows).await?)
    }

    pub async fn update_account(&self, id: AccountId, input: &AccountUpdate) -> Result<Account> {
        let current = self
            .store
            .account(id)
            .await?
            .ok_or_else(|| AppError::not_found("account", id))?;
        let patch = AccountPatch {
            name: input
                .name
                .as_deref()
                .map(|n| normalize_name("name", n))
                .transpose()?,
            tax_id: input
                .tax_id
                .as_ref()
                .map(
                    |t| match t.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                        Some(t) => normalize_tax_id("tax_id", t).map(Some),
                        None => Ok(None),
                    },
                )
                .transpose()?,
            plan: input
                .plan
                .as_ref()
                .map(|p| opt_text("plan", p.as_deref(), 100))
                .transpose()?,
            email_domains: input
                .email_domains
                .as_deref()
                .map(|d| list_of("email_domains", d, MAX_ACCOUNT_DOMAINS, normalize_domain))
                .transpose()?,
            personal_agent_id: input.personal_agent_id,
            backup_agent_id: input.backup_agent_id,
        };
        check_agents_differ(
            patch.personal_agent_id.unwrap_or(current.personal_agent_id),
            patch.backup_agent_id.unwrap_or(current.backup_agent_id),
        )?;
        Ok(self.store.update_account(id, &patch).await?)
    }

    /// Accounts are visible to agents, and to a contact for their own account only.
    pub async fn account(&self, who: &Principal, id: AccountId) -> Result<Account> {
        if let Principal::Contact { contact } = who
            && contact.account_id != Some(id)
        {
            return Err(AppError::not_found("account", id));
        }
        self.store
            .account(id)
            .await?
            .ok_or_else(|| AppError::not_found("account", id))
    }

    pub async fn list_accounts(&self, page: &PageRequest) -> Result<Vec<Account>> {
        Ok(self.store.list_accounts(page).await?)
    }

    // ----- contacts

    pub async fn create_contact(&self, input: &ContactInput) -> Result<Contact> {
        let new = NewContact {
            account_id: input.account_id,
            account_manager: input.account_manager,
            name: normalize_name("name", &input.name)?,
            emails: list_of("emails", &input.emails, MAX_CONTACT_EMAILS, normalize_email)?,
            phones: list_of("phones", &input.phones, MAX_CONTACT_PHONES, normalize_phone)?,
        };
        if new.emails.is_empty() && new.phones.is_empty() {
            return Err(AppError::invalid(
                "emails",
                "a contact needs at least one e-mail or phone",
            ));
        }
        Ok(self.store.create_contact(&new).await?)
    }

    pub async fn update_contact(&self, id: ContactId, input: &ContactUpdate) -> Result<Contact> {
        let patch = ContactPatch {
            account_id: input.account_id,
            account_manager: input.account_manager,
            name: input
                .name
                .as_deref()
                .map(|n| normalize_name("name", n))
                .transpose()?,
            emails: input
                .emails
                .as_deref()
                .map(|e| list_of("emails", e, MAX_CONTACT_EMAILS, normalize_email))
                .transpose()?,
            phones: input
                .phones
                .as_deref()
                .map(|p| list_of("phones", p, MAX_CONTACT_PHONES, normalize_phone))
                .transpose()?,
        };
        Ok(self.store.update_contact(id, &patch).await?)
    }

    /// A contact as the caller may read it: agents read anyone; a customer reads
    /// themselves, and their account's manager the account's people too.
    pub async fn contact(&self, who: &Principal, id: ContactId) -> Result<Contact> {
        let contact = self
            .store
            .contact(id)
            .await?
            .ok_or_else(|| AppError::not_found("contact", id))?;
        if let Principal::Contact { contact: me } = who {
            let manages = me.account_manager
                && me.account_id.is_some()
                && me.account_id == contact.account_id;
            if me.id != contact.id && !manages {
                return Err(AppError::not_found("contact", id));
            }
        }
        Ok(contact)
    }

    /// The names of these contacts, for an agent's ticket list.
    pub async fn contact_names(
        &self,
        who: &Principal,
        ids: &[ContactId],
    ) -> Result<std::collections::HashMap<ContactId, String>> {
        who.require_agent()?;
        let mut unique = ids.to_vec();
        unique.sort_by_key(|id| id.0);
        unique.dedup();
        Ok(self
            .store
            .contacts_by_ids(&unique)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect())
    }

    pub async fn contact_by_email(&self, email: &str) -> Result<Contact> {
        let email = normalize_email("email", email)?;
        self.store
            .contact_by_email(&email)
            .await?
            .ok_or_else(|| AppError::not_found("contact", email))
    }

    pub async fn list_contacts(
        &self,
        account: Option<AccountId>,
        page: &PageRequest,
    ) -> Result<Vec<Contact>> {
        Ok(self.store.list_contacts(account, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_input_is_normalised() -> Result<()> {
        let account = validate_account(&AccountInput {
            name: "  Tienda Ejemplo SL ".into(),
            tax_id: Some("b-12345674".into()),
            plan: Some(" ".into()),
            email_domains: vec!["Tienda.ES".into(), "@tienda.es".into()],
            ..AccountInput::default()
        })?;
        assert_eq!(account.name, "Tienda Ejemplo SL");
        assert_eq!(account.tax_id.as_deref(), Some("B12345674"));
        assert_eq!(account.plan, None);
        assert_eq!(account.email_domains, ["tienda.es"]);
        Ok(())
    }

    #[test]
    fn same_personal_and_backup_agent_is_refused() {
        let err = validate_account(&AccountInput {
            name: "X".into(),
            personal_agent_id: Some(AgentId(1)),
            backup_agent_id: Some(AgentId(1)),
            ..AccountInput::default()
        });
        assert!(matches!(err, Err(AppError::Invalid(v)) if v.field == "backup_agent_id"));
    }

    #[test]
    fn bad_list_item_is_named_by_index() {
        let err = validate_account(&AccountInput {
            name: "X".into(),
            email_domains: vec!["ok.es".into(), "not a domain".into()],
            ..AccountInput::default()
        });
        assert!(matches!(err, Err(AppError::Invalid(v)) if v.field == "email_domains[1]"));
    }
}
