//! The webhook's two doors: Meta's subscription handshake, and event bodies, each checked
//! against the app secret and kept before it is answered.

use super::WhatsAppSettings;
use crate::{App, AppError, Result};
use jiff::Timestamp;
use soporte_core::whatsapp::WhatsAppCodec;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// What was kept of a signed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookReceipt {
    pub body_id: i64,
    pub messages: usize,
    pub statuses: usize,
}

impl App {
    pub(super) fn whatsapp_channel(&self) -> Result<(WhatsAppSettings, Arc<dyn WhatsAppCodec>)> {
        match (&self.settings().whatsapp, &self.whatsapp_codec) {
            (Some(settings), Some(codec)) => Ok((settings.clone(), codec.clone())),
            _ => Err(AppError::not_found("route", "/webhooks/whatsapp")),
        }
    }

    /// Whether the WhatsApp channel is configured.
    pub fn whatsapp_enabled(&self) -> bool {
        self.whatsapp_channel().is_ok()
    }

    /// Meta's subscription handshake: with `hub.mode=subscribe` and the verify token, the
    /// challenge is given back.
    pub fn verify_whatsapp_subscription(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Result<String> {
        let (settings, _) = self.whatsapp_channel()?;
        let token_right =
            token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(settings.verify_token.as_bytes())));
        match (mode, challenge) {
            (Some("subscribe"), Some(challenge)) if token_right => Ok(challenge.to_string()),
            _ => Err(AppError::Forbidden(
                "the verification needs hub.mode=subscribe and the configured verify token".into(),
            )),
        }
    }

    /// Takes a webhook body: its signature checked, its shape read, and the body kept
    /// for the intake worker before the caller answers Meta. A body that is signed but
    /// unreadable is quarantined and refused (Meta stops retrying on a 4xx); one that
    /// cannot be kept because the database is away is refused with a temporary error, so
    /// Meta sends it again.
    pub async fn receive_whatsapp_webhook(
        &self,
        raw: &[u8],
        signature: Option<&str>,
    ) -> Result<WebhookReceipt> {
        let (settings, codec) = self.whatsapp_channel()?;
        codec
            .verify(settings.app_secret.as_bytes(), raw, signature)
            .map_err(AppError::BadSignature)?;
        let events = match codec.parse(raw) {
            Ok(events) => events,
            Err(reason) => {
                self.quarantine_whatsapp_body(raw, &reason).await?;
                return Err(AppError::Malformed {
                    code: "whatsapp_payload_invalid",
                    message: format!("the body is not a WhatsApp notification: {reason}"),
                });
            }
        };
        // Parsed as JSON, so UTF-8.
        let body = std::str::from_utf8(raw).map_err(|_| AppError::Malformed {
            code: "whatsapp_payload_invalid",
            message: "the body is not UTF-8".into(),
        })?;
        let body_id = self.store.keep_webhook_body(body, Timestamp::now()).await?;
        self.whatsapp_wake.notify_one();
        Ok(WebhookReceipt {
            body_id,
            messages: events.iter().map(|e| e.messages.len()).sum(),
            statuses: events.iter().map(|e| e.statuses.len()).sum(),
        })
    }

    /// Keeps a body that cannot be taken in, with the reason, for an admin to see.
    pub(super) async fn quarantine_whatsapp_body(&self, raw: &[u8], reason: &str) -> Result<i64> {
        let blob = self.blobs.put(raw).await?;
        let id = self
            .store
            .quarantine("whatsapp", reason, &blob.sha256, raw.len() as i64)
            .await?;
        tracing::warn!(%reason, quarantine_id = id, "WhatsApp body quarantined");
        Ok(id)
    }

    /// Wakes the intake worker when a body was kept.
    pub fn whatsapp_wake(&self) -> Arc<tokio::sync::Notify> {
        self.whatsapp_wake.clone()
    }
}
