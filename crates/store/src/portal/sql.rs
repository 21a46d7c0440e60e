//! The portal's SQL: one-time links, contacts' passwords and ratings.

use super::access::insert_token;
use super::outbox::push_outbox_row;
use super::values::{corrupt, json_of, opt_ts, parse};
use super::{Db, DbRow, SqlStore, begin_write};
use crate::portal::{
    NewPortalLink, NewSatisfaction, PortalLinkPurpose, PortalLinkRecord, PortalSession,
    PortalStore, Satisfaction,
};
use crate::{NewOutbox, Result, StoreError, TokenRecord};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::{ContactId, TicketId, TokenId};
use soporte_core::time::{from_micros, to_micros};
use sqlx::{QueryBuilder, Row};

const LINK_COLUMNS: &str = "purpose, contact_id, ticket_id, created_at, expires_at, used_at";

fn link_from_row(r: &DbRow) -> Result<PortalLinkRecord> {
    Ok(PortalLinkRecord {
        purpose: parse::<PortalLinkPurpose>(r.try_get::<&str, _>("purpose")?)?,
        contact: ContactId(r.try_get("contact_id")?),
        ticket: r.try_get::<Option<i64>, _>("ticket_id")?.map(TicketId),
        created_at: from_micros(r.try_get("created_at")?),
        expires_at: from_micros(r.try_get("expires_at")?),
        used_at: opt_ts(r.try_get("used_at")?),
    })
}

/// Appends the statement that keeps a link; for links written in a ticket's transaction
/// with the message that carries them.
pub(super) fn push_portal_link_row(q: &mut QueryBuilder<Db>, link: &NewPortalLink) {
    q.push("INSERT INTO portal_links (token_hash, purpose, contact_id, ticket_id, created_at, expires_at) VALUES (")
        .push_bind(link.token_hash.clone())
        .push(", ")
        .push_bind(link.purpose.as_str())
        .push(", ")
        .push_bind(link.contact.0)
        .push(", ")
        .push_bind(link.ticket.map(|t| t.0))
        .push(", ")
        .push_bind(to_micros(link.created_at))
        .push(", ")
        .push_bind(to_micros(link.expires_at))
        .push(")");
}

#[async_trait]
impl PortalStore for SqlStore {
    async fn create_portal_link(
        &self,
        link: &NewPortalLink,
        email: Option<&NewOutbox>,
        forget_before: Timestamp,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query("DELETE FROM portal_links WHERE expires_at < $1")
            .bind(to_micros(forget_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO portal_links (token_hash, purpose, contact_id, ticket_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&link.token_hash)
        .bind(link.purpose.as_str())
        .bind(link.contact.0)
        .bind(link.ticket.map(|t| t.0))
        .bind(to_micros(link.created_at))
        .bind(to_micros(link.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "contact", "contact or ticket does not exist"))?;
        if let Some(email) = email {
            let mut queue = QueryBuilder::new("");
            push_outbox_row(
                &mut queue,
                link.ticket,
                None,
                email,
                json_of(&email.email)?,
                link.created_at,
            );
            queue.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn portal_link(&self, token_hash: &str) -> Result<Option<PortalLinkRecord>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM portal_links WHERE token_hash = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(link_from_row)
            .transpose()
    }

    async fn sign_in_with_portal_link(
        &self,
        token_hash: &str,
        at: Timestamp,
        session: &PortalSession,
    ) -> Result<Option<(PortalLinkRecord, TokenRecord)>> {
        let mut tx = begin_write(&self.writer).await?;
        // Spending the link is the check: of two requests with one link, one updates it.
        let sql = format!(
            "UPDATE portal_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND purpose <> $3 \
             RETURNING {LINK_COLUMNS}"
        );
        let Some(link) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(to_micros(at))
            .bind(PortalLinkPurpose::Satisfaction.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(link_from_row)
            .transpose()?
        else {
            return Ok(None);
        };
        let record = insert_token(&mut tx, &session.token_for(link.contact), at).await?;
        tx.commit().await?;
        Ok(Some((link, record)))
    }

    async fn contact_password_hash(&self, contact: ContactId) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM contact_passwords WHERE contact_id = $1")
                .bind(contact.0)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    async fn set_contact_password(
        &self,
        contact: ContactId,
        password_hash: &str,
        session_label: &str,
        keep: Option<TokenId>,
        at: Timestamp,
    ) -> Result<()> {
        let mut tx = begin_write(&self.writer).await?;
        sqlx::query(
            "INSERT INTO contact_passwords (contact_id, password_hash, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (contact_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
        )
        .bind(contact.0)
        .bind(password_hash)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "contact", "contact does not exist"))?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 \
             WHERE contact_id = $1 AND label = $2 AND revoked_at IS NULL AND id <> $4",
        )
        .bind(contact.0)
        .bind(session_label)
        .bind(to_micros(at))
        .bind(keep.map_or(0, |t| t.0))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rate_ticket(&self, rating: &NewSatisfaction, link_hash: Option<&str>) -> Result<bool> {
        let mut tx = begin_write(&self.writer).await?;
        if let Some(hash) = link_hash {
            let spent = sqlx::query(
                "UPDATE portal_links SET used_at = $3 \
                 WHERE token_hash = $1 AND ticket_id = $2 AND used_at IS NULL AND expires_at > $3",
            )
            .bind(hash)
            .bind(rating.ticket.0)
            .bind(to_micros(rating.at))
            .execute(&mut *tx)
            .await?;
            if spent.rows_affected() != 1 {
                return Ok(false);
            }
        }
        let added = sqlx::query(
            "INSERT INTO ticket_satisfaction (ticket_id, contact_id, rating, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id) DO NOTHING",
        )
        .bind(rating.ticket.0)
        .bind(rating.contact.0)
        .bind(i32::from(rating.rating))
        .bind(&rating.comment)
        .bind(to_micros(rating.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "ticket", "ticket or contact does not exist"))?;
        if added.rows_affected() != 1 {
            // Rated already: the link stays unspent too.
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn ticket_satisfaction(&self, ticket: TicketId) -> Result<Option<Satisfaction>> {
        let row = sqlx::query(
            "SELECT contact_id, rating, comment, created_at FROM ticket_satisfaction WHERE ticket_id = $1",
        )
        .bind(ticket.0)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(Satisfaction {
                ticket,
                contact: ContactId(r.try_get("contact_id")?),
                rating: r
                    .try_get::<i32, _>("rating")?
                    .try_into()
                    .map_err(|_| corrupt("rating out of range"))?,
                comment: r.try_get("comment")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .transpose()
    }
}
