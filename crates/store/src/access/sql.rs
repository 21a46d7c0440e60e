//! Access's SQL: tokens and sessions, failed logins, password-reset links.

use super::outbox::push_outbox_row;
use super::values::{corrupt, json_of, now, opt_ts, parse};
use super::{Db, DbRow, SqlStore, begin_write, lock_login_key};
use crate::{AccessStore, NewOutbox, NewToken, Result, StoreError, TokenOwner, TokenRecord};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::auth::TokenScope;
use soporte_core::ids::{AgentId, ContactId, TokenId};
use soporte_core::time::{from_micros, to_micros};
use sqlx::{QueryBuilder, Row};

const TOKEN_COLUMNS: &str =
    "id, scope, agent_id, contact_id, label, created_at, last_used_at, revoked_at";

fn token_from_row(r: &DbRow) -> Result<TokenRecord> {
    let owner = match (
        r.try_get::<Option<i64>, _>("agent_id")?,
        r.try_get::<Option<i64>, _>("contact_id")?,
    ) {
        (Some(a), None) => TokenOwner::Agent(AgentId(a)),
        (None, Some(c)) => TokenOwner::Contact(ContactId(c)),
        _ => return Err(corrupt("token without exactly one owner")),
    };
    Ok(TokenRecord {
        id: TokenId(r.try_get("id")?),
        scope: parse::<TokenScope>(r.try_get::<&str, _>("scope")?)?,
        owner,
        label: r.try_get("label")?,
        created_at: from_micros(r.try_get("created_at")?),
        last_used_at: opt_ts(r.try_get("last_used_at")?),
        revoked_at: opt_ts(r.try_get("revoked_at")?),
    })
}

#[async_trait]
impl AccessStore for SqlStore {
    // ----- tokens and sessions

    async fn create_token(&self, new: &NewToken) -> Result<TokenRecord> {
        let at = now();
        let (agent, contact) = match new.owner {
            TokenOwner::Agent(a) => (Some(a.0), None),
            TokenOwner::Contact(c) => (None, Some(c.0)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, scope, agent_id, contact_id, label, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.token_hash)
        .bind(new.scope.as_str())
        .bind(agent)
        .bind(contact)
        .bind(&new.label)
        .bind(to_micros(at))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| StoreError::from_write(e, "owner", "token owner does not exist"))?;
        Ok(TokenRecord {
            id: TokenId(id),
            scope: new.scope,
            owner: new.owner,
            label: new.label.clone(),
            created_at: at,
            last_used_at: None,
            revoked_at: None,
        })
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(token_from_row)
            .transpose()
    }

    async fn touch_token(&self, id: TokenId) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id.0)
            .bind(to_micros(now()))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn revoke_token(&self, id: TokenId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id.0)
        .bind(to_micros(now()))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn list_tokens(&self) -> Result<Vec<TokenRecord>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(token_from_row)
            .collect()
    }

    // ----- passwords and logins

    async fn agent_password_hash(&self, id: AgentId) -> Result<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT password_hash FROM agents WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?
        .flatten())
    }

    async fn reserve_login_attempt(
        &self,
        keys: &[(String, i64)],
        at: Timestamp,
        since: Timestamp,
        forget_before: Timestamp,
    ) -> Result<Option<Vec<i64>>> {
        let mut tx = begin_write(&self.writer).await?;
        // In one order, so that two attempts never wait on each other's keys.
        let mut locked: Vec<&str> = keys.iter().map(|(key, _)| key.as_str()).collect();
        locked.sort_unstable();
        locked.dedup();
        for key in locked {
            lock_login_key(&mut tx, key).await?;
        }
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(to_micros(forget_before))
            .execute(&mut *tx)
            .await?;
        for (key, limit) in keys {
            let attempts: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2",
            )
            .bind(key)
            .bind(to_micros(since))
            .fetch_one(&mut *tx)
            .await?;
            if attempts >= *limit {
                tx.commit().await?;
                return Ok(None);
            }
        }
        let mut ids = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id",
            )
            .bind(key)
            .bind(to_micros(at))
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Some(ids))
    }

    async fn release_login_attempts(&self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut delete = QueryBuilder::<Db>::new("DELETE FROM login_failures WHERE id IN (");
        let mut list = delete.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        delete.push(")");
        delete.build().execute(&self.writer).await?;
        Ok(())
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn create_password_reset(
        &self,
        token_hash: &str,
        agent: AgentId,
        expires_at: Timestamp,
        email: &NewOutbox,
    ) -> Result<()> {
        let at = now();
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent.0)
        .bind(to_micros(at))
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        let mut queue = QueryBuilder::new("");
        push_outbox_row(&mut queue, None, None, email, json_of(&email.email)?, at);
        queue.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        session_label: &str,
        at: Timestamp,
    ) -> Result<Option<AgentId>> {
        let mut tx = begin_write(&self.writer).await?;
        let agent: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING agent_id",
        )
        .bind(token_hash)
        .bind(to_micros(at))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(agent) = agent else {
            return Ok(None);
        };
        sqlx::query("UPDATE agents SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(agent)
            .bind(password_hash)
            .bind(to_micros(at))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE agent_id = $1 AND label = $2 AND revoked_at IS NULL",
        )
        .bind(agent)
        .bind(session_label)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(AgentId(agent)))
    }
}
