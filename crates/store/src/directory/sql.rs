//! The directory's SQL: agents, accounts and contacts, with the lookup tables behind "who
//! wrote this?" (contacts' e-mails and phones, accounts' domains).

use super::values::{from_json, json_of, now, parse};
use super::{Db, DbConn, DbRow, FOR_UPDATE, SqlStore, begin_write};
use crate::{
    AccountPatch, AgentPatch, ContactPatch, DirectoryStore, NewAccount, NewAgent, NewContact,
    PageRequest, Result, StoreError,
};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::directory::{Account, Agent, Contact, Role};
use soporte_core::ids::{AccountId, AgentId, ContactId};
use soporte_core::time::{from_micros, to_micros};
use sqlx::{Pool, QueryBuilder, Row};

// ---------------------------------------------------------------------------------------
// Row mapping

const AGENT_COLUMNS: &str = "id, email, name, phone, whatsapp, whatsapp_phone_number_id, role, types, absences, active, created_at, updated_at";

fn agent_from_row(r: &DbRow) -> Result<Agent> {
    Ok(Agent {
        id: AgentId(r.try_get("id")?),
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        whatsapp: r.try_get("whatsapp")?,
        whatsapp_phone_number_id: r.try_get("whatsapp_phone_number_id")?,
        role: parse::<Role>(r.try_get::<&str, _>("role")?)?,
        types: from_json(r.try_get::<&str, _>("types")?)?,
        absences: from_json(r.try_get::<&str, _>("absences")?)?,
        active: r.try_get("active")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// An agent's e-mail and WhatsApp number id are each theirs alone; the error names which
/// one is taken.
fn agent_conflict(e: sqlx::Error) -> StoreError {
    let number_taken = matches!(&e, sqlx::Error::Database(db)
        if db.message().contains("whatsapp_phone_number_id")
            || db.constraint().is_some_and(|c| c.contains("whatsapp_phone_number_id")));
    if number_taken {
        StoreError::from_write(
            e,
            "whatsapp_phone_number_id",
            "another agent already has this WhatsApp number id",
        )
    } else {
        StoreError::from_write(e, "email", "an agent with this e-mail already exists")
    }
}

const ACCOUNT_COLUMNS: &str = "id, name, tax_id, plan, email_domains, personal_agent_id, backup_agent_id, created_at, updated_at";

fn account_from_row(r: &DbRow) -> Result<Account> {
    Ok(Account {
        id: AccountId(r.try_get("id")?),
        name: r.try_get("name")?,
        tax_id: r.try_get("tax_id")?,
        plan: r.try_get("plan")?,
        email_domains: from_json(r.try_get::<&str, _>("email_domains")?)?,
        personal_agent_id: r
            .try_get::<Option<i64>, _>("personal_agent_id")?
            .map(AgentId),
        backup_agent_id: r.try_get::<Option<i64>, _>("backup_agent_id")?.map(AgentId),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

const CONTACT_COLUMNS: &str =
    "id, account_id, account_manager, name, emails, phones, created_at, updated_at";

fn contact_from_row(r: &DbRow) -> Result<Contact> {
    Ok(Contact {
        id: ContactId(r.try_get("id")?),
        account_id: r.try_get::<Option<i64>, _>("account_id")?.map(AccountId),
        account_manager: r.try_get("account_manager")?,
        name: r.try_get("name")?,
        emails: from_json(r.try_get::<&str, _>("emails")?)?,
        phones: from_json(r.try_get::<&str, _>("phones")?)?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

// ---------------------------------------------------------------------------------------
// Writes shared with other aggregates' use cases, inside a caller's transaction

pub(super) async fn insert_contact(
    tx: &mut DbConn,
    new: &NewContact,
    at: Timestamp,
) -> Result<Contact> {
    check_manager_has_account(new.account_manager, new.account_id)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (account_id, account_manager, name, emails, phones, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(new.account_id.map(|a| a.0))
    .bind(new.account_manager)
    .bind(&new.name)
    .bind(json_of(&new.emails)?)
    .bind(json_of(&new.phones)?)
    .bind(to_micros(at))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| StoreError::from_write(e, "account_id", "account does not exist"))?;
    let contact = Contact {
        id: ContactId(id),
        account_id: new.account_id,
        account_manager: new.account_manager,
        name: new.name.clone(),
        emails: new.emails.clone(),
        phones: new.phones.clone(),
        created_at: at,
        updated_at: at,
    };
    write_contact_lookups(tx, &contact).await?;
    Ok(contact)
}

/// Being an account's manager needs an account; the directory keeps it so, whoever writes.
fn check_manager_has_account(manager: bool, account: Option<AccountId>) -> Result<()> {
    if manager && account.is_none() {
        return Err(soporte_core::ValidationError::new(
            "account_manager",
            "only a contact of an account can be its manager",
        )
        .into());
    }
    Ok(())
}

/// The lookup tables behind "who wrote this?": one row per e-mail (unique) and phone.
async fn write_contact_lookups(tx: &mut DbConn, contact: &Contact) -> Result<()> {
    sqlx::query("DELETE FROM contact_emails WHERE contact_id = $1")
        .bind(contact.id.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM contact_phones WHERE contact_id = $1")
        .bind(contact.id.0)
        .execute(&mut *tx)
        .await?;
    for email in &contact.emails {
        sqlx::query("INSERT INTO contact_emails (email, contact_id) VALUES ($1, $2)")
            .bind(email)
            .bind(contact.id.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    "emails",
                    &format!("{email} already belongs to another contact"),
                )
            })?;
    }
    for phone in &contact.phones {
        sqlx::query(
            "INSERT INTO contact_phones (phone, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(phone)
        .bind(contact.id.0)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn insert_account(tx: &mut DbConn, new: &NewAccount, at: Timestamp) -> Result<AccountId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (name, tax_id, plan, email_domains, personal_agent_id, backup_agent_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&new.name)
    .bind(&new.tax_id)
    .bind(&new.plan)
    .bind(json_of(&new.email_domains)?)
    .bind(new.personal_agent_id.map(|a| a.0))
    .bind(new.backup_agent_id.map(|a| a.0))
    .bind(to_micros(at))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| account_write_error(e, new.personal_agent_id, new.backup_agent_id))?;
    write_account_domains(tx, AccountId(id), &new.email_domains).await?;
    Ok(AccountId(id))
}

fn account_write_error(
    err: sqlx::Error,
    personal: Option<AgentId>,
    backup: Option<AgentId>,
) -> StoreError {
    let field = match (personal, backup) {
        (Some(_), None) => "personal_agent_id",
        (None, Some(_)) => "backup_agent_id",
        _ => "tax_id",
    };
    match StoreError::from_write(err, field, "another account has this tax id") {
        StoreError::Conflict { .. } => StoreError::Conflict {
            field: "tax_id".into(),
            message: "another account has this tax id".into(),
        },
        StoreError::Invalid(_) => soporte_core::ValidationError::new(
            "personal_agent_id/backup_agent_id",
            "refers to an agent that does not exist",
        )
        .into(),
        other => other,
    }
}

async fn write_account_domains(tx: &mut DbConn, id: AccountId, domains: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM account_domains WHERE account_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    for domain in domains {
        sqlx::query("INSERT INTO account_domains (domain, account_id) VALUES ($1, $2)")
            .bind(domain)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    "email_domains",
                    &format!("{domain} already belongs to another account"),
                )
            })?;
    }
    Ok(())
}

async fn fetch_agent(pool: &Pool<Db>, id: AgentId) -> Result<Option<Agent>> {
    let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(agent_from_row)
        .transpose()
}

async fn fetch_account(pool: &Pool<Db>, id: AccountId) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
}

async fn fetch_contact(pool: &Pool<Db>, id: ContactId) -> Result<Option<Contact>> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(contact_from_row)
        .transpose()
}

/// The query for the contact one of whose e-mail addresses or phones (`table`'s `column`)
/// is `$1`; the oldest, should two share it.
fn contact_through(table: &str, column: &str) -> String {
    let columns = CONTACT_COLUMNS
        .split(", ")
        .map(|c| format!("c.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns} FROM {table} x JOIN contacts c ON c.id = x.contact_id WHERE x.{column} = $1 ORDER BY c.id LIMIT 1"
    )
}

#[async_trait]
impl DirectoryStore for SqlStore {
    // ----- agents

    async fn create_agent(&self, new: &NewAgent) -> Result<Agent> {
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agents (email, name, phone, whatsapp, role, types, absences, active, password_hash, created_at, updated_at, whatsapp_phone_number_id) \
             VALUES ($1, $2, $3, $4, $5, $6, '[]', TRUE, $7, $8, $8, $9) RETURNING id",
        )
        .bind(&new.email)
        .bind(&new.name)
        .bind(&new.phone)
        .bind(&new.whatsapp)
        .bind(new.role.as_str())
        .bind(json_of(&new.types)?)
        .bind(&new.password_hash)
        .bind(to_micros(at))
        .bind(&new.whatsapp_phone_number_id)
        .fetch_one(&self.writer)
        .await
        .map_err(agent_conflict)?;
        Ok(Agent {
            id: AgentId(id),
            email: new.email.clone(),
            name: new.name.clone(),
            phone: new.phone.clone(),
            whatsapp: new.whatsapp.clone(),
            whatsapp_phone_number_id: new.whatsapp_phone_number_id.clone(),
            role: new.role,
            types: new.types.clone(),
            absences: Vec::new(),
            active: true,
            created_at: at,
            updated_at: at,
        })
    }

    async fn update_agent(&self, id: AgentId, patch: &AgentPatch) -> Result<Agent> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("agent", id.0))?;
        let mut agent = agent_from_row(&row)?;
        if let Some(v) = &patch.email {
            agent.email.clone_from(v);
        }
        if let Some(v) = &patch.name {
            agent.name.clone_from(v);
        }
        if let Some(v) = &patch.phone {
            agent.phone.clone_from(v);
        }
        if let Some(v) = &patch.whatsapp {
            agent.whatsapp.clone_from(v);
        }
        if let Some(v) = &patch.whatsapp_phone_number_id {
            agent.whatsapp_phone_number_id.clone_from(v);
        }
        if let Some(v) = patch.role {
            agent.role = v;
        }
        if let Some(v) = &patch.types {
            agent.types.clone_from(v);
        }
        if let Some(v) = &patch.absences {
            agent.absences.clone_from(v);
        }
        if let Some(v) = patch.active {
            agent.active = v;
        }
        agent.updated_at = now();
        sqlx::query(
            "UPDATE agents SET email = $2, name = $3, phone = $4, whatsapp = $5, role = $6, types = $7, absences = $8, \
             active = $9, updated_at = $10, password_hash = COALESCE($11, password_hash), whatsapp_phone_number_id = $12 WHERE id = $1",
        )
        .bind(id.0)
        .bind(&agent.email)
        .bind(&agent.name)
        .bind(&agent.phone)
        .bind(&agent.whatsapp)
        .bind(agent.role.as_str())
        .bind(json_of(&agent.types)?)
        .bind(json_of(&agent.absences)?)
        .bind(agent.active)
        .bind(to_micros(agent.updated_at))
        .bind(&patch.password_hash)
        .bind(&agent.whatsapp_phone_number_id)
        .execute(&mut *tx)
        .await
        .map_err(agent_conflict)?;
        tx.commit().await?;
        Ok(agent)
    }

    async fn agent(&self, id: AgentId) -> Result<Option<Agent>> {
        fetch_agent(&self.reader, id).await
    }

    async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE email = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(agent_from_row)
            .transpose()
    }

    async fn list_agents(&self) -> Result<Vec<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(agent_from_row)
            .collect()
    }

    async fn count_agents(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&self.writer)
            .await?)
    }

    // ----- accounts

    async fn create_account(&self, new: &NewAccount) -> Result<Account> {
        let at = now();
        let mut tx = begin_write(&self.writer).await?;
        let id = insert_account(&mut tx, new, at).await?;
        tx.commit().await?;
        Ok(Account {
            id,
            name: new.name.clone(),
            tax_id: new.tax_id.clone(),
            plan: new.plan.clone(),
            email_domains: new.email_domains.clone(),
            personal_agent_id: new.personal_agent_id,
            backup_agent_id: new.backup_agent_id,
            created_at: at,
            updated_at: at,
        })
    }

    async fn create_accounts(&self, new: &[NewAccount]) -> Result<Vec<AccountId>> {
        let at = now();
        let mut tx = begin_write(&self.writer).await?;
        let mut ids = Vec::with_capacity(new.len());
        for (i, account) in new.iter().enumerate() {
            let id = insert_account(&mut tx, account, at)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict { field, message } => StoreError::Conflict {
                        field: format!("[{i}].{field}"),
                        message,
                    },
                    StoreError::Invalid(v) => {
                        soporte_core::ValidationError::new(format!("[{i}].{}", v.field), v.message)
                            .into()
                    }
                    other => other,
                })?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn update_account(&self, id: AccountId, patch: &AccountPatch) -> Result<Account> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("account", id.0))?;
        let mut account = account_from_row(&row)?;
        if let Some(v) = &patch.name {
            account.name.clone_from(v);
        }
        if let Some(v) = &patch.tax_id {
            account.tax_id.clone_from(v);
        }
        if let Some(v) = &patch.plan {
            account.plan.clone_from(v);
        }
        if let Some(v) = patch.personal_agent_id {
            account.personal_agent_id = v;
        }
        if let Some(v) = patch.backup_agent_id {
            account.backup_agent_id = v;
        }
        if let Some(v) = &patch.email_domains {
            account.email_domains.clone_from(v);
            write_account_domains(&mut tx, id, v).await?;
        }
        account.updated_at = now();
        sqlx::query(
            "UPDATE accounts SET name = $2, tax_id = $3, plan = $4, email_domains = $5, personal_agent_id = $6, \
             backup_agent_id = $7, updated_at = $8 WHERE id = $1",
        )
        .bind(id.0)
        .bind(&account.name)
        .bind(&account.tax_id)
        .bind(&account.plan)
        .bind(json_of(&account.email_domains)?)
        .bind(account.personal_agent_id.map(|a| a.0))
        .bind(account.backup_agent_id.map(|a| a.0))
        .bind(to_micros(account.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| account_write_error(e, account.personal_agent_id, account.backup_agent_id))?;
        tx.commit().await?;
        Ok(account)
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>> {
        fetch_account(&self.reader, id).await
    }

    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT account_id FROM account_domains WHERE domain = $1")
                .bind(domain)
                .fetch_optional(&self.reader)
                .await?;
        match id {
            Some(id) => fetch_account(&self.reader, AccountId(id)).await,
            None => Ok(None),
        }
    }

    async fn list_accounts(&self, page: &PageRequest) -> Result<Vec<Account>> {
        let sql =
            format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id > $1 ORDER BY id LIMIT $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(page.after_id.unwrap_or(0))
            .bind(i64::from(page.limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(account_from_row)
            .collect()
    }

    // ----- contacts

    async fn create_contact(&self, new: &NewContact) -> Result<Contact> {
        let mut tx = begin_write(&self.writer).await?;
        let contact = insert_contact(&mut tx, new, now()).await?;
        tx.commit().await?;
        Ok(contact)
    }

    async fn update_contact(&self, id: ContactId, patch: &ContactPatch) -> Result<Contact> {
        let mut tx = begin_write(&self.writer).await?;
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1{FOR_UPDATE}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("contact", id.0))?;
        let mut contact = contact_from_row(&row)?;
        if let Some(v) = patch.account_id
            && v != contact.account_id
        {
            contact.account_id = v;
            contact.account_manager = false;
        }
        if let Some(v) = patch.account_manager {
            contact.account_manager = v;
        }
        check_manager_has_account(contact.account_manager, contact.account_id)?;
        if let Some(v) = &patch.name {
            contact.name.clone_from(v);
        }
        if let Some(v) = &patch.emails {
            contact.emails.clone_from(v);
        }
        if let Some(v) = &patch.phones {
            contact.phones.clone_from(v);
        }
        contact.updated_at = now();
        sqlx::query(
            "UPDATE contacts SET account_id = $2, name = $3, emails = $4, phones = $5, updated_at = $6, \
             account_manager = $7 WHERE id = $1",
        )
        .bind(id.0)
        .bind(contact.account_id.map(|a| a.0))
        .bind(&contact.name)
        .bind(json_of(&contact.emails)?)
        .bind(json_of(&contact.phones)?)
        .bind(to_micros(contact.updated_at))
        .bind(contact.account_manager)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "account_id", "account does not exist"))?;
        if patch.emails.is_some() || patch.phones.is_some() {
            write_contact_lookups(&mut tx, &contact).await?;
        }
        tx.commit().await?;
        Ok(contact)
    }

    async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        fetch_contact(&self.reader, id).await
    }

    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id IN ("
        ));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.0);
        }
        q.push(")");
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(contact_from_row)
            .collect()
    }

    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
        sqlx::query(sqlx::AssertSqlSafe(contact_through(
            "contact_emails",
            "email",
        )))
        .bind(email)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(contact_from_row)
        .transpose()
    }

    async fn contact_by_phone(&self, phone: &str) -> Result<Option<Contact>> {
        // On the writer: a message of the same burst may have just created the contact.
        sqlx::query(sqlx::AssertSqlSafe(contact_through(
            "contact_phones",
            "phone",
        )))
        .bind(phone)
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(contact_from_row)
        .transpose()
    }

    async fn contacts_by_phone(&self, phone: &str, limit: u32) -> Result<Vec<Contact>> {
        let columns = CONTACT_COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM contact_phones x JOIN contacts c ON c.id = x.contact_id \
             WHERE x.phone = $1 ORDER BY c.id LIMIT $2"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(phone)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(contact_from_row)
            .collect()
    }

    async fn list_contacts(
        &self,
        account: Option<AccountId>,
        page: &PageRequest,
    ) -> Result<Vec<Contact>> {
        let mut q = QueryBuilder::<Db>::new(format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id > "
        ));
        q.push_bind(page.after_id.unwrap_or(0));
        if let Some(account) = account {
            q.push(" AND account_id = ").push_bind(account.0);
        }
        q.push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(page.limit));
        q.build()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(contact_from_row)
            .collect()
    }
}
