//! Sending queued WhatsApp messages. Rows are leased, sent, then marked: a passing
//! failure (Graph down, 5xx, timeout, rate limit) is retried with backoff; a refusal for
//! good (a number not on WhatsApp, a closed window, a bad template) makes the row dead and
//! shows the reason on its message; an expired token stops nothing for good but is shown
//! on the admin page as "reconnect" until it is replaced.

use super::cloud::{CloudFailure, CloudRetry, WhatsAppCloud};
use crate::email::DeliveryReport;
use crate::{App, Result};
use jiff::{SignedDuration, Timestamp};
use soporte_core::whatsapp::{DeliveryError, OutgoingContent, WhatsAppRequest};
use soporte_store::WhatsAppOutboxItem;

/// Longer than a send with an upload can take; a crashed worker's rows are taken again
/// after it.
const LEASE: SignedDuration = SignedDuration::from_mins(2);
/// Attempts before a passing failure is given up on (about a day with the backoff).
const MAX_ATTEMPTS: i64 = 30;
/// How long an expired token may hold a message back: past the 24-hour window Meta would
/// refuse free text anyway.
const RECONNECT_PATIENCE: SignedDuration = SignedDuration::from_hours(24);

impl App {
    /// Sends up to `batch` due WhatsApp messages and read marks.
    pub async fn deliver_whatsapp(
        &self,
        cloud: &dyn WhatsAppCloud,
        batch: u32,
    ) -> Result<DeliveryReport> {
        let mut report = DeliveryReport::default();
        let Some(settings) = self.settings().whatsapp.clone() else {
            return Ok(report);
        };
        self.store.reconcile_whatsapp_statuses().await?;
        let items = self
            .store
            .claim_whatsapp_outbox(batch, Timestamp::now() + LEASE)
            .await?;
        for item in items {
            match self.send_one(cloud, &item).await {
                Ok(wamid) => {
                    self.store
                        .whatsapp_outbox_sent(item.id, wamid.as_deref(), Timestamp::now())
                        .await?;
                    report.sent += 1;
                }
                Err(failure) => {
                    let error = DeliveryError {
                        code: failure.code.unwrap_or(0),
                        reason: failure.reason.clone(),
                    };
                    let age = Timestamp::now().duration_since(item.created_at);
                    let retry_at = match failure.retry {
                        CloudRetry::Later if item.attempts + 1 < MAX_ATTEMPTS => {
                            Some(Timestamp::now() + settings.backoff(item.attempts))
                        }
                        CloudRetry::Reconnect if age < RECONNECT_PATIENCE => {
                            Some(Timestamp::now() + settings.backoff(item.attempts))
                        }
                        _ => None,
                    };
                    tracing::warn!(
                        row = item.id,
                        code = ?failure.code,
                        reason = %failure.reason,
                        retry = retry_at.is_some(),
                        "WhatsApp send failed"
                    );
                    self.store
                        .record_whatsapp_health(
                            None,
                            Some((&failure.reason, failure.code)),
                            Timestamp::now(),
                        )
                        .await?;
                    self.store
                        .whatsapp_outbox_failed(item.id, &error, retry_at)
                        .await?;
                    if retry_at.is_some() {
                        report.retried += 1;
                    } else {
                        report.dead += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    /// One row's call(s) to the Graph API: the wamid of a sent message.
    async fn send_one(
        &self,
        cloud: &dyn WhatsAppCloud,
        item: &WhatsAppOutboxItem,
    ) -> std::result::Result<Option<String>, CloudFailure> {
        match &item.request {
            WhatsAppRequest::MarkRead { wamid } => {
                cloud.mark_read(&item.phone_number_id, wamid).await?;
                Ok(None)
            }
            WhatsAppRequest::Send(message) => {
                let media_id = match &message.content {
                    OutgoingContent::File {
                        sha256,
                        filename,
                        media_type,
                        ..
                    } => {
                        let bytes = self.blobs.get(sha256).await.map_err(|e| CloudFailure {
                            retry: CloudRetry::Later,
                            code: None,
                            reason: format!("no se pudo leer el archivo adjunto: {e}"),
                        })?;
                        Some(
                            cloud
                                .upload(&item.phone_number_id, bytes, media_type, filename)
                                .await?,
                        )
                    }
                    _ => None,
                };
                let wamid = cloud
                    .send(&item.phone_number_id, message, media_id.as_deref())
                    .await?;
                Ok(Some(wamid))
            }
        }
    }
}
