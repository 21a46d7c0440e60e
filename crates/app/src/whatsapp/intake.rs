//! Taking in kept webhook bodies: each customer's message joins the open ticket of its
//! conversation or starts one, routed to the owner of the number it was sent to;
//! reactions, edits and deletions change the message they name; delivery reports move
//! outgoing messages on. Every step can be repeated without effect (a message by its
//! wamid, a reaction by its author, a report by the order of states), so a body taken in
//! twice after a crash changes nothing the second time.

use crate::policy::NewRequest;
use crate::{App, AppError, Result};
use jiff::{SignedDuration, Timestamp};
use soporte_core::directory::{Agent, Contact, normalize_phone};
use soporte_core::support::Channel;
use soporte_core::ticket::{Actor, MessageKind, normalize_subject};
use soporte_core::whatsapp::{
    DeliveryError, InboundContent, InboundWhatsApp, NumberEvents, StatusReport,
};
use soporte_store::{
    ConversationStep, MessageExtra, NewContact, NewMessage, NewTicket, NewWhatsAppMedia,
    NewWhatsAppMessage, Requester, StoreError,
};
use std::sync::Arc;

/// How long a worker holds a body before another may take it: a crashed worker's bodies
/// wait this long after a restart. A round takes well under a second; one that overran the
/// lease would only see its bodies taken in twice, which their wamids make harmless.
const BODY_LEASE: SignedDuration = SignedDuration::from_secs(15);
/// When a body whose intake met a passing failure (the database) is tried again.
const BODY_RETRY: SignedDuration = SignedDuration::from_secs(5);

/// What became of one customer's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    New,
    Duplicate,
}

impl App {
    /// Takes in up to `limit` kept bodies; returns how many were finished. A body whose
    /// intake meets a passing failure (the database) is left for a later round; one that
    /// cannot be taken in at all is quarantined, so it never holds up the channel.
    pub async fn take_in_whatsapp(&self, limit: u32) -> Result<usize> {
        let Ok((_, codec)) = self.whatsapp_channel() else {
            return Ok(0);
        };
        let bodies = self
            .store
            .claim_webhook_bodies(limit, Timestamp::now() + BODY_LEASE)
            .await?;
        if bodies.is_empty() {
            return Ok(0);
        }
        // One read of the agents and one health record per round, not per body: the agents
        // change rarely, and the health page needs only the newest event.
        let agents = Arc::new(self.store.list_agents().await?);
        let mut newest_event: Option<Timestamp> = None;
        let mut finished = 0;
        for body in bodies {
            let outcome = match codec.parse(body.body.as_bytes()) {
                Ok(events) => {
                    let taken = self.take_in_body(&agents, &events).await;
                    if events.iter().any(|number| routed(&agents, number)) {
                        newest_event = newest_event.max(Some(body.received_at));
                    }
                    taken
                }
                Err(reason) => Ok(Some(format!("unreadable: {reason}"))),
            };
            match outcome {
                Ok(None) => {
                    self.store.webhook_body_done(body.id, None).await?;
                    finished += 1;
                }
                Ok(Some(reason)) => {
                    self.quarantine_whatsapp_body(body.body.as_bytes(), &reason)
                        .await?;
                    self.store.webhook_body_done(body.id, Some(&reason)).await?;
                    finished += 1;
                }
                Err(AppError::TemporarilyUnavailable(e)) => {
                    tracing::warn!(body_id = body.id, error = %e, "WhatsApp body to take in again");
                    // The database may be away for this write too; the lease then runs out
                    // and the body is taken again all the same.
                    let _ = self
                        .store
                        .webhook_body_failed(body.id, &e, Timestamp::now() + BODY_RETRY)
                        .await;
                }
                Err(e) => {
                    let reason = format!("could not be taken in: {e}");
                    tracing::error!(body_id = body.id, error = %e, "WhatsApp body failed");
                    self.quarantine_whatsapp_body(body.body.as_bytes(), &reason)
                        .await?;
                    self.store.webhook_body_done(body.id, Some(&reason)).await?;
                    finished += 1;
                }
            }
        }
        if let Some(at) = newest_event {
            self.store
                .record_whatsapp_health(Some(at), None, Timestamp::now())
                .await?;
        }
        Ok(finished)
    }

    /// Takes in what one body carries; `Some(reason)` when a part of it belongs to no one
    /// and was set aside.
    async fn take_in_body(
        &self,
        agents: &Arc<Vec<Agent>>,
        events: &[NumberEvents],
    ) -> Result<Option<String>> {
        let mut set_aside = Vec::new();
        for number in events {
            let Some(owner) = owner_of(agents, number).cloned() else {
                set_aside.push(format!(
                    "the WhatsApp number {} (id {}) is no agent's",
                    number.display_phone_number, number.phone_number_id
                ));
                continue;
            };
            for error in &number.errors {
                let reason = self.whatsapp_reason(error.code, &error.title);
                self.store
                    .record_whatsapp_health(
                        None,
                        Some((&reason, Some(error.code))),
                        Timestamp::now(),
                    )
                    .await?;
            }
            for message in &number.messages {
                self.take_in_whatsapp_message(number, &owner, agents, message)
                    .await?;
            }
            for status in &number.statuses {
                self.take_in_status(status).await?;
            }
        }
        Ok((!set_aside.is_empty()).then(|| set_aside.join("; ")))
    }

    fn whatsapp_reason(&self, code: i64, title: &str) -> String {
        match &self.whatsapp_codec {
            Some(codec) => codec.plain_reason(code),
            None => format!("{title} ({code})"),
        }
    }

    async fn take_in_status(&self, status: &StatusReport) -> Result<()> {
        let error = status.error.as_ref().map(|e| DeliveryError {
            code: e.code,
            reason: self.whatsapp_reason(e.code, &e.title),
        });
        self.store
            .whatsapp_delivery_report(&status.wamid, status.status, error.as_ref(), status.at)
            .await?;
        if let Some(error) = &error {
            self.store
                .record_whatsapp_health(
                    None,
                    Some((&error.reason, Some(error.code))),
                    Timestamp::now(),
                )
                .await?;
        }
        Ok(())
    }

    async fn take_in_whatsapp_message(
        &self,
        number: &NumberEvents,
        owner: &Agent,
        agents: &Arc<Vec<Agent>>,
        message: &InboundWhatsApp,
    ) -> Result<Option<Taken>> {
        match &message.content {
            InboundContent::Reaction { target, emoji } => {
                let found = self
                    .store
                    .react_to_whatsapp_message(target, &message.from, emoji, message.sent_at)
                    .await?;
                if !found {
                    tracing::info!(%target, "reaction to a message Soporte does not have");
                }
                return Ok(None);
            }
            InboundContent::Edit { target, text } => {
                self.store
                    .edit_whatsapp_message(target, text, message.sent_at)
                    .await?;
                return Ok(None);
            }
            InboundContent::Revoke { target } => {
                self.store
                    .revoke_whatsapp_message(target, message.sent_at)
                    .await?;
                return Ok(None);
            }
            _ => {}
        }
        if self
            .store
            .message_by_channel_id(&message.wamid)
            .await?
            .is_some()
        {
            return Ok(Some(Taken::Duplicate));
        }
        let settings = self.settings();
        let conversations = settings
            .whatsapp
            .as_ref()
            .map(|w| w.conversations)
            .unwrap_or_default();
        let contact = self
            .whatsapp_contact(&message.from, number.profile_name(&message.from))
            .await?;
        let details = NewWhatsAppMessage {
            wamid: Some(message.wamid.clone()),
            phone_number_id: number.phone_number_id.clone(),
            wa_id: message.from.clone(),
            content_type: message.content.type_name().to_string(),
            content: content_json(message),
            reply_to: message.reply_to.clone(),
            forwarded: message.forwarded,
            frequently_forwarded: message.frequently_forwarded,
            sent_at: message.sent_at,
            media: media_of(&message.content),
            conversation: Some(ConversationStep {
                settle_at: conversations.settle_at(message.sent_at),
            }),
        };
        let text = message.content.text();
        let extra = MessageExtra {
            whatsapp: Some(details),
            ..MessageExtra::default()
        };
        let since = message.sent_at - conversations.new_request_after;
        if let Some(ticket) = self
            .store
            .open_whatsapp_ticket(&number.phone_number_id, &message.from, since)
            .await?
        {
            let new = NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(contact.id),
                channel: Channel::Whatsapp,
                body_text: text.clone(),
                body_html: None,
                channel_message_id: Some(message.wamid.clone()),
                attachments: vec![],
                extra: extra.clone(),
            };
            let effects = self.policy_effects_with(None, Arc::clone(agents));
            match self.store.add_message_with(ticket, &new, effects).await {
                Ok(_) => return Ok(Some(Taken::New)),
                // Closed meanwhile: the message starts a new request, below.
                Err(StoreError::Change(soporte_core::ticket::ChangeError::Closed)) => {}
                Err(e) => return self.duplicate_wamid_or(e, &message.wamid).await,
            }
        }

        let subject = subject_of(&text, &contact.name)?;
        let prepared = self
            .prepare_ticket(
                &NewRequest {
                    subject: &subject,
                    text: &text,
                    channel: Channel::Whatsapp,
                    has_image: message.content.is_image(),
                    requester_name: &contact.name,
                    requester_email: contact.emails.first().map(String::as_str),
                    account_id: contact.account_id,
                    support_type: None,
                    priority: None,
                    history: false,
                },
                // The acknowledgement waits for the burst to be over.
                false,
                None,
                Some(Arc::clone(agents)),
            )
            .await?;
        // The number's owner takes what comes to it; while away, the account's cover
        // (or the least busy agent) does.
        let assignment = if owner.active && !owner.is_absent_at(Timestamp::now()) {
            Some((owner.id, "owner of the WhatsApp number".to_string()))
        } else {
            prepared
                .assignment
                .as_ref()
                .filter(|a| a.agent_id != owner.id)
                .map(|a| {
                    (
                        a.agent_id,
                        format!("{} (WhatsApp number's owner away)", a.reason),
                    )
                })
        };
        let new = NewTicket {
            number_prefix: settings.ticket_prefix.clone(),
            subject,
            support_type: prepared.decision.support_type,
            channel: Channel::Whatsapp,
            priority: prepared.decision.priority,
            assignee_id: assignment.as_ref().map(|(id, _)| *id),
            assignment_reason: assignment.map(|(_, reason)| reason),
            account_id: contact.account_id,
            requester: Requester::Existing(contact.id),
            product_area: None,
            tags: vec![],
            body_text: text,
            body_html: None,
            channel_message_id: Some(message.wamid.clone()),
            attachments: vec![],
            extra,
            created_by: None,
            policy: prepared.decision.ticket_policy(),
        };
        match self.store.create_ticket_with(&new, prepared.effects).await {
            Ok(_) => Ok(Some(Taken::New)),
            Err(e) => self.duplicate_wamid_or(e, &message.wamid).await,
        }
    }

    /// Two deliveries of one message racing each other: the loser sees the unique wamid.
    async fn duplicate_wamid_or(&self, error: StoreError, wamid: &str) -> Result<Option<Taken>> {
        if let StoreError::Conflict { .. } = error
            && self.store.message_by_channel_id(wamid).await?.is_some()
        {
            return Ok(Some(Taken::Duplicate));
        }
        Err(error.into())
    }

    /// The contact who wrote, known by their phone, or created now with it and the name
    /// they gave themselves in WhatsApp.
    async fn whatsapp_contact(&self, wa_id: &str, profile_name: Option<&str>) -> Result<Contact> {
        let phone = normalize_phone("from", &format!("+{wa_id}"))?;
        if let Some(contact) = self.store.contact_by_phone(&phone).await? {
            return Ok(contact);
        }
        let new = NewContact {
            account_id: None,
            account_manager: false,
            name: profile_name
                .map(|n| n.trim().chars().take(200).collect())
                .unwrap_or_else(|| phone.clone()),
            emails: vec![],
            phones: vec![phone],
        };
        Ok(self.store.create_contact(&new).await?)
    }
}

/// The agent whose business number the events came to.
fn owner_of<'a>(agents: &'a [Agent], number: &NumberEvents) -> Option<&'a Agent> {
    agents
        .iter()
        .find(|a| a.whatsapp_phone_number_id.as_deref() == Some(&number.phone_number_id))
}

fn routed(agents: &[Agent], number: &NumberEvents) -> bool {
    owner_of(agents, number).is_some()
}

/// A ticket's subject from the customer's first words.
fn subject_of(text: &str, name: &str) -> Result<String> {
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let mut subject: String = first_line.chars().take(80).collect();
    if first_line.chars().count() > 80 {
        subject.push('…');
    }
    if subject.is_empty() {
        subject = format!("WhatsApp de {name}");
    }
    Ok(normalize_subject(&subject)?)
}

/// What a message's type carries, kept with it.
fn content_json(message: &InboundWhatsApp) -> serde_json::Value {
    match &message.content {
        InboundContent::Text { .. } => serde_json::Value::Null,
        InboundContent::Unsupported { .. } => serde_json::json!({ "raw": message.raw }),
        content => serde_json::to_value(content).unwrap_or(serde_json::Value::Null),
    }
}

fn media_of(content: &InboundContent) -> Vec<NewWhatsAppMedia> {
    match content {
        InboundContent::Media {
            kind,
            media_id,
            mime_type,
            sha256,
            filename,
            ..
        } => vec![NewWhatsAppMedia {
            media_id: media_id.clone(),
            kind: kind.clone(),
            mime_type: mime_type.clone(),
            expected_sha256: sha256.clone(),
            filename: filename.clone(),
        }],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_come_from_the_first_words() -> Result<()> {
        assert_eq!(subject_of("\n  hola\nqué tal", "Luis")?, "hola");
        assert_eq!(subject_of("", "Luis")?, "WhatsApp de Luis");
        let long = "a".repeat(100);
        assert_eq!(subject_of(&long, "Luis")?.chars().count(), 81);
        Ok(())
    }
}
