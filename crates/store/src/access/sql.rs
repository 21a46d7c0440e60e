//! Access's SQL: tokens and sessions, failed logins, password-reset links, two-step sign-in
//! and the logins waiting for it.

use super::outbox::push_outbox_row;
use super::values::{corrupt, json_of, now, opt_ts, parse};
use super::{Db, DbConn, DbRow, SqlStore, begin_write, lock_login_key};
use crate::{
    AccessStore, NewOutbox, NewToken, Result, StoreError, TokenOwner, TokenRecord, TwoFactorRecord,
};
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

/// Keeps a token (by its hash) created at `at`, on `conn` (a transaction's, when the
/// token comes with other writes).
pub(super) async fn insert_token(
    conn: &mut DbConn,
    new: &NewToken,
    at: Timestamp,
) -> Result<TokenRecord> {
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
    .fetch_one(&mut *conn)
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

#[async_trait]
impl AccessStore for SqlStore {
    // ----- tokens and sessions

    async fn create_token(&self, new: &NewToken) -> Result<TokenRecord> {
        let mut conn = self.writer.acquire().await?;
        insert_token(&mut conn, new, now()).await
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

    // ----- two-step sign-in

    async fn two_factor(&self, agent: AgentId) -> Result<Option<TwoFactorRecord>> {
        let row = sqlx::query(
            "SELECT secret, created_at, confirmed_at, last_step FROM agent_two_factor WHERE agent_id = $1",
        )
        .bind(agent.0)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(TwoFactorRecord {
                agent,
                sealed_secret: r.try_get("secret")?,
                created_at: from_micros(r.try_get("created_at")?),
                confirmed_at: opt_ts(r.try_get("confirmed_at")?),
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    async fn begin_two_factor(
        &self,
        agent: AgentId,
        sealed_secret: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO agent_two_factor (agent_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (agent_id) DO UPDATE SET secret = excluded.secret, \
             created_at = excluded.created_at, last_step = NULL \
             WHERE agent_two_factor.confirmed_at IS NULL",
        )
        .bind(agent.0)
        .bind(sealed_secret)
        .bind(to_micros(at))
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::from_write(e, "agent", "agent does not exist"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn confirm_two_factor(
        &self,
        agent: AgentId,
        step: i64,
        recovery_code_hashes: &[String],
        at: Timestamp,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.writer).await?;
        let confirmed = sqlx::query(
            "UPDATE agent_two_factor SET confirmed_at = $2, last_step = $3 \
             WHERE agent_id = $1 AND confirmed_at IS NULL",
        )
        .bind(agent.0)
        .bind(to_micros(at))
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if confirmed.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM agent_recovery_codes WHERE agent_id = $1")
            .bind(agent.0)
            .execute(&mut *tx)
            .await?;
        if !recovery_code_hashes.is_empty() {
            let mut insert =
                QueryBuilder::<Db>::new("INSERT INTO agent_recovery_codes (agent_id, code_hash) ");
            insert.push_values(recovery_code_hashes, |mut row, hash| {
                row.push_bind(agent.0).push_bind(hash);
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn use_two_factor_step(&self, agent: AgentId, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE agent_two_factor SET last_step = $2 WHERE agent_id = $1 \
             AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)",
        )
        .bind(agent.0)
        .bind(step)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        agent: AgentId,
        code_hash: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE agent_recovery_codes SET used_at = $3 \
             WHERE agent_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(agent.0)
        .bind(code_hash)
        .bind(to_micros(at))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() >= 1)
    }

    async fn recovery_codes_left(&self, agent: AgentId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM agent_recovery_codes WHERE agent_id = $1 AND used_at IS NULL",
        )
        .bind(agent.0)
        .fetch_one(&self.reader)
        .await?)
    }

    async fn remove_two_factor(&self, agent: AgentId) -> Result<bool> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query("DELETE FROM agent_recovery_codes WHERE agent_id = $1")
            .bind(agent.0)
            .execute(&mut *tx)
            .await?;
        let removed = sqlx::query("DELETE FROM agent_two_factor WHERE agent_id = $1")
            .bind(agent.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed.rows_affected() == 1)
    }

    async fn two_factor_agents(&self) -> Result<Vec<AgentId>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT agent_id FROM agent_two_factor WHERE confirmed_at IS NOT NULL ORDER BY agent_id",
        )
        .fetch_all(&self.reader)
        .await?
        .into_iter()
        .map(AgentId)
        .collect())
    }

    // ----- logins waiting for their second step

    async fn create_login_challenge(
        &self,
        token_hash: &str,
        agent: AgentId,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1")
            .bind(to_micros(at))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO login_challenges (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent.0)
        .bind(to_micros(at))
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "agent", "agent does not exist"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn login_challenge(&self, token_hash: &str, at: Timestamp) -> Result<Option<AgentId>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT agent_id FROM login_challenges WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(to_micros(at))
        .fetch_optional(&self.reader)
        .await?
        .map(AgentId))
    }

    async fn end_login_challenge(&self, token_hash: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
