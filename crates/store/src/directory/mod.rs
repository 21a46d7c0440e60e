//! The directory: agents, customer accounts and their contacts (the people who write in),
//! with the lookups that tell who wrote a message (by e-mail, by phone, by domain).

use crate::Result;
use async_trait::async_trait;
use soporte_core::directory::{Absence, Account, Agent, Contact, Role};
use soporte_core::ids::{AccountId, AgentId, ContactId};
use soporte_core::support::SupportType;

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    // Agents
    async fn create_agent(&self, new: &NewAgent) -> Result<Agent>;
    async fn update_agent(&self, id: AgentId, patch: &AgentPatch) -> Result<Agent>;
    async fn agent(&self, id: AgentId) -> Result<Option<Agent>>;
    async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>>;
    async fn list_agents(&self) -> Result<Vec<Agent>>;
    async fn count_agents(&self) -> Result<i64>;

    // Accounts
    async fn create_account(&self, new: &NewAccount) -> Result<Account>;
    /// Creates all the accounts or none (a CSV import).
    async fn create_accounts(&self, new: &[NewAccount]) -> Result<Vec<AccountId>>;
    async fn update_account(&self, id: AccountId, patch: &AccountPatch) -> Result<Account>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>>;
    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>>;
    async fn list_accounts(&self, page: &PageRequest) -> Result<Vec<Account>>;

    // Contacts
    async fn create_contact(&self, new: &NewContact) -> Result<Contact>;
    async fn update_contact(&self, id: ContactId, patch: &ContactPatch) -> Result<Contact>;
    async fn contact(&self, id: ContactId) -> Result<Option<Contact>>;
    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>>;
    /// The contact with this phone (international form, `+34600111222`); the oldest one
    /// when several people share it (a shop's landline).
    async fn contact_by_phone(&self, phone: &str) -> Result<Option<Contact>>;
    /// The contacts with these ids (those that exist), in one query: a page of tickets
    /// shows its requesters.
    /// Every contact with this number (international form), oldest first, at most
    /// `limit`: a shared office line belongs to several people.
    async fn contacts_by_phone(&self, phone: &str, limit: u32) -> Result<Vec<Contact>>;
    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>>;
    async fn list_contacts(
        &self,
        account: Option<AccountId>,
        page: &PageRequest,
    ) -> Result<Vec<Contact>>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    pub whatsapp_phone_number_id: Option<String>,
    pub role: Role,
    pub types: Vec<SupportType>,
    pub password_hash: Option<String>,
}

/// `None` leaves a field unchanged; for optional fields `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub whatsapp: Option<Option<String>>,
    pub whatsapp_phone_number_id: Option<Option<String>>,
    pub role: Option<Role>,
    pub types: Option<Vec<SupportType>>,
    pub absences: Option<Vec<Absence>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub name: String,
    pub tax_id: Option<String>,
    pub plan: Option<String>,
    pub email_domains: Vec<String>,
    pub personal_agent_id: Option<AgentId>,
    pub backup_agent_id: Option<AgentId>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountPatch {
    pub name: Option<String>,
    pub tax_id: Option<Option<String>>,
    pub plan: Option<Option<String>>,
    pub email_domains: Option<Vec<String>>,
    pub personal_agent_id: Option<Option<AgentId>>,
    pub backup_agent_id: Option<Option<AgentId>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub account_id: Option<AccountId>,
    /// Refused without an account: there is no account to manage.
    pub account_manager: bool,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

/// A change of account ends being the old account's manager, unless the same patch says
/// otherwise: managing one company says nothing about the next.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactPatch {
    pub account_id: Option<Option<AccountId>>,
    pub account_manager: Option<bool>,
    pub name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
}

/// Simple id-ordered pages for directory lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after_id: Option<i64>,
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            after_id: None,
            limit: 100,
        }
    }
}
