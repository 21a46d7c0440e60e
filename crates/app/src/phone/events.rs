//! The CTI endpoint's work: the token checked, the event read, its call identified and
//! moved on in one transaction, and the answer the phone system expects.

use super::PhoneSettings;
use super::identify::{answerer, owner};
use crate::{App, AppError, Result};
use jiff::Timestamp;
use soporte_core::phone::{CallDirection, CtiEvent, CtiEventKind};
use soporte_store::{NewCallEvent, StoredCall};
use subtle::ConstantTimeEq;

/// What the phone system is told back, as Zammad's generic CTI answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CtiReply {
    /// `{}`: carry on.
    Carry,
    /// `{"action":"reject","reason":"busy"}`: a blocked caller; the phone system turns
    /// the call away.
    Reject,
    /// `{"action":"dial","caller_id":…,"number":…}`: place the agent's call showing this
    /// caller id.
    Dial { caller_id: String, number: String },
}

impl CtiReply {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            CtiReply::Carry => serde_json::json!({}),
            CtiReply::Reject => serde_json::json!({"action": "reject", "reason": "busy"}),
            CtiReply::Dial { caller_id, number } => {
                serde_json::json!({"action": "dial", "caller_id": caller_id, "number": number})
            }
        }
    }
}

impl App {
    /// Refuses a CTI address whose token is not the configured one, as an unknown address.
    pub fn check_cti_token(&self, token: &str) -> Result<()> {
        self.phone_channel(token).map(|_| ())
    }

    fn phone_channel(&self, token: &str) -> Result<PhoneSettings> {
        let settings = self.settings();
        let Some(phone) = settings.phone.as_ref() else {
            return Err(AppError::not_found("route", "/webhooks/cti"));
        };
        // The token is the endpoint's only secret: compared in constant time, and a wrong
        // one is told nothing more than an unknown address.
        if !bool::from(token.as_bytes().ct_eq(phone.token.as_bytes())) {
            return Err(AppError::not_found("route", "/webhooks/cti"));
        }
        Ok(phone.clone())
    }

    /// Whether a phone system is connected.
    pub fn phone_enabled(&self) -> bool {
        self.settings().phone.is_some()
    }

    /// Takes one CTI event posted with `token`, given as its fields in order (form fields,
    /// or a JSON object's members with each list item as its own pair). A wrong token is
    /// an unknown address (404) and writes nothing; an event that does not read is refused
    /// whole (400).
    pub async fn receive_cti_event(
        &self,
        token: &str,
        fields: &[(String, String)],
    ) -> Result<(StoredCall, CtiReply)> {
        let phone = self.phone_channel(token)?;
        let event = CtiEvent::from_fields(fields, phone.plan).map_err(|e| AppError::Malformed {
            code: "cti_event_invalid",
            message: e.to_string(),
        })?;
        let agents = self.store.list_agents().await?;
        let customer = event.customer_number();
        let callers = self.callers_by_number(customer).await?;
        let blocked = event.direction == CallDirection::In
            && customer
                .and_then(|n| n.international())
                .is_some_and(|n| phone.blocked_numbers.iter().any(|b| b == n));
        let new = NewCallEvent {
            event: &event,
            received_at: Timestamp::now(),
            rejected: blocked && event.kind == CtiEventKind::NewCall,
            agent: owner(&agents, &event, phone.plan),
            answered_by: event
                .answering_number
                .as_deref()
                .and_then(|a| answerer(&agents, a, phone.plan)),
            contact: callers.single().map(|c| c.id),
        };
        let (call, effect) = self.store.record_call_event(&new).await?;
        if let Some(effect) = effect {
            // The event is kept: what follows it is not the phone system's concern, and
            // a task that could not be opened now is opened by the sweep.
            if let Err(e) = self.follow_call(&call, effect).await {
                tracing::warn!(call = %call.id, error = %e, "what follows a call event failed");
            }
            self.signal_call(&call);
        }
        let reply = match (event.kind, event.direction) {
            (CtiEventKind::NewCall, CallDirection::In) if call.record.rejected => CtiReply::Reject,
            (CtiEventKind::NewCall, CallDirection::Out) => {
                // The number goes back as the phone system wrote it, for it to dial.
                let to = fields
                    .iter()
                    .find(|(k, _)| k == "to")
                    .map(|(_, v)| v.trim());
                match (&phone.outbound_caller_id, to) {
                    (Some(caller_id), Some(to)) => CtiReply::Dial {
                        caller_id: caller_id.clone(),
                        number: to.to_string(),
                    },
                    _ => CtiReply::Carry,
                }
            }
            _ => CtiReply::Carry,
        };
        Ok((call, reply))
    }
}
