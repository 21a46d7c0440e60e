//! Delivering queued e-mail. Rows are leased, sent, then marked; a failure is retried with
//! exponential backoff and, past the last attempt or on a permanent refusal, the row is
//! dead (visible to admins) and its message marked failed. Each row keeps its Message-ID,
//! so a retry after a crash re-sends the identical message, which receivers recognise.

use super::OutgoingMail;
use super::templates::Values;
use super::{EmailSettings, new_message_id};
use crate::{App, Result};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use soporte_core::email::{OutgoingAttachment, OutgoingEmail};
use soporte_core::ticket::{Message, Ticket};
use soporte_store::{NewOutbox, OutboxItem};

/// Hands finished MIME bytes to a mail server; implemented by the SMTP adapter.
#[async_trait]
pub trait MailTransport: Send + Sync {
    async fn send(
        &self,
        from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), SendFailure>;
}

#[derive(Debug, Clone)]
pub struct SendFailure {
    /// Refused for good (a 5xx answer): retrying will not help.
    pub permanent: bool,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

const MAX_ATTEMPTS: i64 = 12;
const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// `base`, twice that, four times … up to one hour between attempts.
fn backoff(base: SignedDuration, attempts: i64) -> SignedDuration {
    let exponent = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    let wait = base.as_secs().saturating_mul(2i64.saturating_pow(exponent));
    SignedDuration::from_secs(wait.min(3600))
}

/// The bare address inside `Name <address>`.
fn address_of(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(start), Some(end)) if start < end => mailbox[start + 1..end].trim().to_string(),
        _ => mailbox.trim().to_string(),
    }
}

impl App {
    /// Sends what is due, up to `batch` messages. Returns what happened.
    pub async fn deliver_outbox(
        &self,
        transport: &dyn MailTransport,
        batch: u32,
    ) -> Result<DeliveryReport> {
        let codec = self.codec.clone().ok_or_else(|| {
            crate::AppError::Unavailable("e-mail support is not configured".into())
        })?;
        let items = self
            .store
            .claim_outbox(batch, Timestamp::now() + LEASE)
            .await?;
        let mut report = DeliveryReport::default();
        for item in items {
            match self.deliver_one(codec.as_ref(), transport, &item).await {
                Ok(()) => {
                    self.store.outbox_sent(item.id).await?;
                    report.sent += 1;
                }
                Err(failure) => {
                    let last = failure.permanent || item.attempts + 1 >= MAX_ATTEMPTS;
                    let retry_at = (!last).then(|| {
                        Timestamp::now() + backoff(self.settings().email.retry_base, item.attempts)
                    });
                    tracing::warn!(outbox_id = item.id, error = %failure.message, permanent = failure.permanent, "e-mail delivery failed");
                    self.store
                        .outbox_failed(item.id, &failure.message, retry_at)
                        .await?;
                    if last {
                        report.dead += 1;
                    } else {
                        report.retried += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    async fn deliver_one(
        &self,
        codec: &dyn super::MailCodec,
        transport: &dyn MailTransport,
        item: &OutboxItem,
    ) -> Result<(), SendFailure> {
        let mut files = Vec::with_capacity(item.email.attachments.len());
        for a in &item.email.attachments {
            let bytes = self.blobs.get(&a.sha256).await.map_err(|e| SendFailure {
                permanent: true,
                message: format!("attachment {} is missing: {e}", a.filename),
            })?;
            files.push((a.clone(), bytes));
        }
        let bytes = codec
            .render(&item.email, &files)
            .map_err(|message| SendFailure {
                permanent: true,
                message,
            })?;
        let recipients: Vec<String> = item
            .email
            .to
            .iter()
            .chain(&item.email.cc)
            .map(|m| address_of(m))
            .collect();
        transport
            .send(&address_of(&item.email.from), &recipients, &bytes)
            .await
    }

    pub async fn list_outbox(
        &self,
        who: &crate::Principal,
        status: Option<&str>,
    ) -> Result<Vec<OutboxItem>> {
        who.require_admin()?;
        Ok(self.store.list_outbox(status, 200).await?)
    }

    pub async fn list_quarantine(
        &self,
        who: &crate::Principal,
    ) -> Result<Vec<soporte_store::QuarantineItem>> {
        who.require_admin()?;
        Ok(self.store.list_quarantine(200).await?)
    }
}

/// An agent's answer on an e-mail ticket, wrapped with the footer and threaded to the
/// conversation (In-Reply-To the customer's last message, References to the thread).
pub(crate) struct EmailReply {
    pub settings: EmailSettings,
    pub company: String,
    pub agent_name: String,
    pub to: String,
    /// The customer's message this reply answers.
    pub in_reply_to: Option<String>,
    pub thread: Vec<String>,
    pub attachments: Vec<OutgoingAttachment>,
}

impl OutgoingMail for EmailReply {
    fn emails(&self, ticket: &Ticket, message: &Message) -> Vec<NewOutbox> {
        let values = Values {
            agent: &self.agent_name,
            ..Values::new(
                &ticket.number,
                &ticket.subject,
                &self.company,
                &self.settings.from_address,
            )
        };
        let t = &self.settings.templates;
        let footer = t.render("reply_footer", &values);
        let mut references: Vec<String> =
            self.thread.iter().rev().take(20).rev().cloned().collect();
        references.dedup();
        vec![NewOutbox {
            kind: "reply".into(),
            recipient: address_of(&self.to),
            delivers_message: true,
            email: OutgoingEmail {
                from: self.settings.sender(),
                to: vec![self.to.clone()],
                cc: vec![],
                subject: t.render("reply_subject", &values),
                message_id: new_message_id(&ticket.number, &self.settings.message_id_domain),
                in_reply_to: self.in_reply_to.clone(),
                references,
                text: format!("{}\n\n{footer}", message.body_text),
                html: None,
                automatic: false,
                attachments: self.attachments.clone(),
                date_micros: Timestamp::now().as_microsecond(),
            },
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_caps_at_an_hour() {
        let secs: Vec<i64> = [0, 1, 2, 6, 7, 20]
            .iter()
            .map(|a| backoff(SignedDuration::from_secs(30), *a).as_secs())
            .collect();
        assert_eq!(secs, [30, 60, 120, 1920, 3600, 3600]);
    }

    #[test]
    fn addresses_are_taken_from_display_forms() {
        assert_eq!(address_of("Luis Pérez <luis@tienda.es>"), "luis@tienda.es");
        assert_eq!(address_of("luis@tienda.es"), "luis@tienda.es");
    }
}
