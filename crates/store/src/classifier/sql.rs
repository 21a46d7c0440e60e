//! The classifier's SQL: corrections and models.

use super::values::{now, parse};
use super::{DbConn, SqlStore, begin_write};
use crate::{ClassifierModelRecord, ClassifierStore, NewClassifierModel, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use soporte_core::ids::{AgentId, TicketId};
use soporte_core::policy::classifier::TrainingExample;
use soporte_core::support::SupportType;
use soporte_core::time::{from_micros, to_micros};
use sqlx::Row;

/// Keeps an agent's change of a ticket's type as a training example, inside the edit's
/// transaction.
pub(super) async fn insert_correction(
    tx: &mut DbConn,
    ticket: TicketId,
    to: SupportType,
    agent: AgentId,
    at: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO classifier_corrections (ticket_id, support_type, agent_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(ticket.0)
        .bind(to.as_str())
        .bind(agent.0)
        .bind(to_micros(at))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[async_trait]
impl ClassifierStore for SqlStore {
    async fn classifier_corrections(&self) -> Result<Vec<TrainingExample>> {
        // The latest correction of each ticket, with the ticket's first message.
        let rows = sqlx::query(
            "SELECT c.support_type, t.subject, m.body_text FROM classifier_corrections c \
             JOIN tickets t ON t.id = c.ticket_id \
             JOIN messages m ON m.id = (SELECT MIN(id) FROM messages WHERE ticket_id = c.ticket_id) \
             WHERE c.id = (SELECT MAX(id) FROM classifier_corrections WHERE ticket_id = c.ticket_id) \
             ORDER BY c.id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TrainingExample {
                    subject: r.try_get("subject")?,
                    body: r.try_get("body_text")?,
                    support_type: parse::<SupportType>(r.try_get::<&str, _>("support_type")?)?,
                    kind: None,
                })
            })
            .collect()
    }

    async fn save_classifier_model(&self, model: &NewClassifierModel) -> Result<i64> {
        let mut tx = begin_write(&self.writer).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO classifier_models (model, examples, corrections, type_accuracy, kind_accuracy, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&model.model)
        .bind(model.examples)
        .bind(model.corrections)
        .bind(model.type_accuracy)
        .bind(model.kind_accuracy)
        .bind(to_micros(now()))
        .fetch_one(&mut *tx)
        .await?;
        // Older models are history nobody reads; keep the last few for comparison.
        sqlx::query("DELETE FROM classifier_models WHERE id <= $1")
            .bind(id - 5)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn latest_classifier_model(&self) -> Result<Option<ClassifierModelRecord>> {
        let row = sqlx::query(
            "SELECT id, model, examples, corrections, type_accuracy, kind_accuracy, created_at \
             FROM classifier_models ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(ClassifierModelRecord {
                id: r.try_get("id")?,
                model: r.try_get("model")?,
                examples: r.try_get("examples")?,
                corrections: r.try_get("corrections")?,
                type_accuracy: r.try_get("type_accuracy")?,
                kind_accuracy: r.try_get("kind_accuracy")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .transpose()
    }
}
