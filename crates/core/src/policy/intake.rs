//! The decisions taken when a request arrives: its type and kind, its priority, what is
//! missing from it and whether its channel is the right one.

use crate::policy::checklist::{self, Checklist, ChecklistInput};
use crate::policy::classifier::{Classification, Classifier};
use crate::policy::rules::Policy;
use crate::policy::urgency;
use crate::support::{Channel, Priority, SupportType};
use crate::ticket::{EventKind, TicketPolicy};

/// A request as it arrives, on any channel.
#[derive(Debug, Clone, Copy)]
pub struct IntakeRequest<'a> {
    pub subject: &'a str,
    /// The customer's visible text (quotes and signatures removed).
    pub text: &'a str,
    pub channel: Channel,
    pub has_image: bool,
    /// The sender, when it is a known contact of an account.
    pub known_sender: Option<&'a str>,
    /// Set by whoever recorded the request (an agent, an integration).
    pub support_type: Option<SupportType>,
    pub priority: Option<Priority>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntakeDecision {
    pub support_type: Option<SupportType>,
    /// The classifier's confidence, when the type is its suggestion.
    pub type_confidence: Option<f64>,
    pub classification: Classification,
    pub priority: Priority,
    pub urgency: Option<String>,
    pub checklist: Checklist,
    pub redirect: Option<Channel>,
}

pub fn decide_intake(
    policy: &Policy,
    classifier: &Classifier,
    request: &IntakeRequest<'_>,
) -> IntakeDecision {
    let classification = classifier.classify(request.subject, request.text);
    let (support_type, type_confidence) = match request.support_type {
        Some(t) => (Some(t), None),
        None => (
            (classification.type_confidence >= policy.type_threshold)
                .then_some(classification.support_type),
            Some(classification.type_confidence),
        ),
    };
    let urgency = urgency::detect(request.subject, request.text, &policy.urgency_phrases);
    let priority = request.priority.unwrap_or(if urgency.is_some() {
        Priority::Urgent
    } else {
        Priority::Normal
    });
    let checklist = evaluate_checklist(policy, support_type, classification, request);
    let redirect =
        support_type.and_then(|t| policy.channels.redirect(t, request.channel, priority));
    IntakeDecision {
        support_type,
        type_confidence,
        classification,
        priority,
        urgency,
        checklist,
        redirect,
    }
}

fn evaluate_checklist(
    policy: &Policy,
    support_type: Option<SupportType>,
    classification: Classification,
    request: &IntakeRequest<'_>,
) -> Checklist {
    let required = policy.checklist.required(support_type, classification.kind);
    checklist::evaluate(
        &ChecklistInput {
            subject: request.subject,
            text: request.text,
            has_image: request.has_image,
            known_sender: request.known_sender,
            product_areas: &policy.product_areas,
        },
        required,
    )
}

impl IntakeDecision {
    /// The policy record a new ticket starts with (the SLA clock is started separately).
    pub fn ticket_policy(&self) -> TicketPolicy {
        TicketPolicy {
            type_confidence: self.type_confidence,
            kind: Some(self.classification.kind),
            checklist: Some(self.checklist.clone()),
            redirect: self.redirect,
            urgency: self.urgency.clone(),
            call_back: None,
            sla: Default::default(),
        }
    }

    /// The history a new ticket starts with, besides its creation.
    pub fn events(&self, channel: Channel) -> Vec<EventKind> {
        let mut events = Vec::new();
        if let Some(confidence) = self.type_confidence {
            events.push(EventKind::Classified {
                support_type: self.support_type,
                confidence,
                request_kind: self.classification.kind,
            });
        }
        if let Some(evidence) = &self.urgency {
            events.push(EventKind::UrgencyDetected {
                evidence: evidence.clone(),
            });
        }
        events.push(EventKind::ChecklistEvaluated {
            missing: self.checklist.missing().collect(),
        });
        if let Some(to) = self.redirect {
            events.push(EventKind::Redirected { from: channel, to });
        }
        events
    }
}

/// A later customer message: items it shows become present; items present before stay
/// present (the customer already gave them). Returns whether anything changed.
pub fn update_checklist(
    policy: &Policy,
    checklist: &mut Checklist,
    subject: &str,
    text: &str,
    has_image: bool,
    known_sender: Option<&str>,
) -> bool {
    let input = ChecklistInput {
        subject,
        text,
        has_image,
        known_sender,
        product_areas: &policy.product_areas,
    };
    let mut changed = false;
    for item in checklist.items.iter_mut().filter(|i| !i.present) {
        if let Some(evidence) = checklist::detect(item.key, &input) {
            item.present = true;
            item.evidence = Some(evidence);
            changed = true;
        }
    }
    checklist.complete = checklist.items.iter().all(|i| i.present);
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::checklist::ChecklistItem;
    use crate::policy::classifier::builtin_examples;

    fn request<'a>(subject: &'a str, text: &'a str, channel: Channel) -> IntakeRequest<'a> {
        IntakeRequest {
            subject,
            text,
            channel,
            has_image: false,
            known_sender: None,
            support_type: None,
            priority: None,
        }
    }

    #[test]
    fn decisions_follow_the_policy() {
        let policy = Policy::default();
        let classifier = Classifier::train(&builtin_examples());
        let bug = request(
            "Error al guardar",
            "Cuando pulso Guardar en la Tienda sale un error 500.",
            Channel::Whatsapp,
        );
        let d = decide_intake(&policy, &classifier, &bug);
        assert_eq!(d.support_type, Some(SupportType::Technical));
        assert_eq!(
            d.redirect,
            Some(Channel::Email),
            "technical support is e-mail only"
        );
        assert!(
            d.checklist
                .missing()
                .any(|i| i == ChecklistItem::Screenshot)
        );
        let events = d.events(Channel::Whatsapp);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, EventKind::Redirected { .. }))
        );

        let urgent = request(
            "URGENTE",
            "La tienda no carga, no puedo vender",
            Channel::Email,
        );
        let d = decide_intake(&policy, &classifier, &urgent);
        assert_eq!(d.priority, Priority::Urgent);
        assert!(d.urgency.is_some());

        // A person's choice wins and carries no confidence.
        let explicit = IntakeRequest {
            support_type: Some(SupportType::Administrative),
            priority: Some(Priority::Normal),
            ..urgent
        };
        let d = decide_intake(&policy, &classifier, &explicit);
        assert_eq!(d.support_type, Some(SupportType::Administrative));
        assert_eq!(d.type_confidence, None);
        assert_eq!(d.priority, Priority::Normal);
    }

    #[test]
    fn below_the_threshold_the_type_waits_for_triage() {
        let strict = Policy {
            type_threshold: 1.0,
            ..Policy::default()
        };
        let classifier = Classifier::train(&builtin_examples());
        let d = decide_intake(
            &strict,
            &classifier,
            &request("Hola", "Una cosa", Channel::Whatsapp),
        );
        assert_eq!(d.support_type, None);
        assert!(d.type_confidence.is_some_and(|c| c < 1.0));
        assert_eq!(d.redirect, None, "no redirect without a type");
    }

    #[test]
    fn later_messages_only_add_to_the_checklist() {
        let policy = Policy::default();
        let mut checklist = crate::policy::checklist::evaluate(
            &crate::policy::checklist::ChecklistInput {
                subject: "Error",
                text: "No funciona",
                has_image: false,
                known_sender: None,
                product_areas: &policy.product_areas,
            },
            &[ChecklistItem::Screenshot, ChecklistItem::Location],
        );
        assert!(!checklist.complete);
        assert!(update_checklist(
            &policy,
            &mut checklist,
            "",
            "Es en la Tienda",
            false,
            None
        ));
        assert!(!update_checklist(
            &policy,
            &mut checklist,
            "",
            "nada nuevo",
            false,
            None
        ));
        assert!(update_checklist(
            &policy,
            &mut checklist,
            "",
            "",
            true,
            None
        ));
        assert!(checklist.complete);
    }
}
