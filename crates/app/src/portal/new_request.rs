//! Writing a request on the portal: the guided form's pieces put together as the request's
//! text, the live check of what the policy wants (the intake checklist, through the same
//! core detectors as every channel), and sending it, complete or not.

use super::sign_in::PortalUser;
use crate::{App, AppError, Result, TicketInput, Upload};
use jiff::Timestamp;
use soporte_core::policy::checklist::Checklist;
use soporte_core::policy::intake::{IntakeRequest, decide_intake};
use soporte_core::policy::routing::assign_for_account;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::Ticket;

/// Longest text a draft's short fields (where, when, why urgent) may hold.
const MAX_FIELD_CHARS: usize = 500;

/// What the customer has filled in so far.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub subject: String,
    pub description: String,
    /// Chosen by the customer; `None` leaves it to the classifier.
    pub support_type: Option<SupportType>,
    /// One of the policy's product areas.
    pub area: Option<String>,
    /// The page, section or link, in their words.
    pub place: String,
    /// When it happens: the time, or the action that sets it off.
    pub when: String,
    pub urgent: bool,
    pub urgency_reason: String,
    /// Pictures were attached (a screenshot counts as given).
    pub has_image: bool,
    /// The language the labels of the composed text are written in.
    pub english: bool,
}

impl RequestDraft {
    /// The request's text as support reads it: the description, then what the guided
    /// fields said, each on a labelled line.
    pub fn text(&self) -> String {
        let mut text = self.description.trim().to_string();
        let (where_label, when_label, urgent_label) = if self.english {
            ("Where", "When", "Urgent")
        } else {
            ("Dónde", "Cuándo", "Urgente")
        };
        let place = self.place.trim();
        let area = self.area.as_deref().map(str::trim).unwrap_or_default();
        let location = match (area.is_empty(), place.is_empty()) {
            (false, false) => format!("{area}, {place}"),
            (false, true) => area.to_string(),
            (true, false) => place.to_string(),
            (true, true) => String::new(),
        };
        let mut lines = Vec::new();
        if !location.is_empty() {
            lines.push(format!("{where_label}: {location}"));
        }
        if !self.when.trim().is_empty() {
            lines.push(format!("{when_label}: {}", self.when.trim()));
        }
        if self.urgent {
            let reason = self.urgency_reason.trim();
            lines.push(if reason.is_empty() {
                format!("{urgent_label}.")
            } else {
                format!("{urgent_label}: {reason}")
            });
        }
        if !lines.is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&lines.join("\n"));
        }
        text
    }

    fn check_lengths(&self) -> Result<()> {
        if self.subject.trim().is_empty() {
            return Err(AppError::invalid("subject", "is required"));
        }
        if self.description.trim().is_empty() {
            return Err(AppError::invalid("body", "is required"));
        }
        self.check_field_lengths()
    }

    fn check_field_lengths(&self) -> Result<()> {
        for (field, value) in [
            ("place", &self.place),
            ("when", &self.when),
            ("urgency_reason", &self.urgency_reason),
        ] {
            if value.chars().count() > MAX_FIELD_CHARS {
                return Err(AppError::invalid(
                    field,
                    format!("must be at most {MAX_FIELD_CHARS} characters"),
                ));
            }
        }
        Ok(())
    }
}

/// What the policy makes of a draft, as the form shows it while the customer writes.
#[derive(Debug, Clone)]
pub struct DraftCheck {
    /// The customer's choice, or the classifier's when it is sure enough.
    pub support_type: Option<SupportType>,
    /// The type is the classifier's suggestion, not the customer's choice.
    pub suggested: bool,
    pub checklist: Checklist,
    /// The personal agent's name and phone, where the policy allows phone for the type.
    pub phone: Option<(String, String)>,
}

impl App {
    /// Runs the intake checklist on a draft, exactly as intake will when it is sent.
    pub async fn check_request_draft(
        &self,
        user: &PortalUser,
        draft: &RequestDraft,
    ) -> Result<DraftCheck> {
        draft.check_field_lengths()?;
        let text = draft.text();
        let account = match user.contact.account_id {
            Some(id) => self.store.account(id).await?,
            None => None,
        };
        let known_sender = account.as_ref().map(|a| {
            let address = user.contact.emails.first().map_or("", String::as_str);
            crate::policy::known_sender(&user.contact.name, address, a)
        });
        let settings = self.settings();
        let classifier = self.classifier.current();
        let decision = decide_intake(
            &settings.policy,
            &classifier,
            &IntakeRequest {
                subject: &draft.subject,
                text: &text,
                channel: Channel::Portal,
                has_image: draft.has_image,
                known_sender: known_sender.as_deref(),
                support_type: draft.support_type,
                priority: draft.urgent.then_some(Priority::Urgent),
            },
        );
        // The phone is named as the acknowledgement will name it.
        let by_phone = decision
            .support_type
            .is_some_and(|t| settings.policy.channels.urgent_by_phone(t));
        let phone = match &account {
            Some(account) if by_phone => {
                let agents = self.store.list_agents().await?;
                let covering = assign_for_account(
                    account,
                    |id| agents.iter().find(|a| a.id == id).cloned(),
                    Timestamp::now(),
                );
                self.urgent_contact(&decision, covering.as_ref(), &agents)
            }
            _ => None,
        };
        Ok(DraftCheck {
            support_type: decision.support_type,
            suggested: draft.support_type.is_none() && decision.support_type.is_some(),
            checklist: decision.checklist,
            phone,
        })
    }

    /// Sends a request written on the portal. It goes in like a request from any channel,
    /// complete or not, with its checklist; the acknowledgement goes by e-mail.
    pub async fn submit_request(
        &self,
        user: &PortalUser,
        draft: &RequestDraft,
        files: Vec<Upload>,
    ) -> Result<Ticket> {
        draft.check_lengths()?;
        let files =
            super::uploads::check_uploads(files).map_err(|refusal| AppError::Unprocessable {
                code: "upload_refused",
                message: format!("{refusal:?}"),
            })?;
        if let Some(area) = &draft.area
            && !self
                .settings()
                .policy
                .product_areas
                .iter()
                .any(|a| &a.name == area)
        {
            return Err(AppError::invalid("area", "is not one of the product areas"));
        }
        self.create_ticket(
            &user.principal(),
            &TicketInput {
                subject: draft.subject.clone(),
                body: draft.text(),
                support_type: draft.support_type,
                priority: draft.urgent.then_some(Priority::Urgent),
                channel: Some(Channel::Portal),
                product_area: draft.area.clone(),
                attachments: files,
                ..TicketInput::default()
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guided_fields_become_labelled_lines_of_the_text() {
        let draft = RequestDraft {
            description: "Al añadir un texto se añaden dos.".into(),
            area: Some("Sitios Web".into()),
            place: "página «Política de Garantía»".into(),
            when: "al pulsar Añadir".into(),
            urgent: true,
            urgency_reason: "la tienda abre mañana".into(),
            ..RequestDraft::default()
        };
        assert_eq!(
            draft.text(),
            "Al añadir un texto se añaden dos.\n\nDónde: Sitios Web, página «Política de Garantía»\nCuándo: al pulsar Añadir\nUrgente: la tienda abre mañana"
        );
        assert_eq!(RequestDraft::default().text(), "");
    }
}
