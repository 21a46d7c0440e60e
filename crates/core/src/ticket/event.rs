use crate::ids::{AccountId, AgentId, ContactId, EventId, MessageId, TicketId};
use crate::policy::checklist::ChecklistItem;
use crate::policy::classifier::RequestKind;
use crate::policy::sla::SlaState;
use crate::support::{Channel, Priority, SupportType};
use crate::ticket::{MessageKind, Status};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Who did something: an agent, a customer contact, or Soporte itself (rules, workers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Agent(AgentId),
    Contact(ContactId),
    System,
}

/// One entry of a ticket's history. Every change to a ticket produces one, in the same
/// transaction as the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Created {
        channel: Channel,
    },
    StatusChanged {
        from: Status,
        to: Status,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    TypeChanged {
        from: Option<SupportType>,
        to: Option<SupportType>,
    },
    Assigned {
        from: Option<AgentId>,
        to: Option<AgentId>,
        reason: String,
    },
    SubjectChanged {
        from: String,
        to: String,
    },
    TagsChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
    ProductAreaChanged {
        from: Option<String>,
        to: Option<String>,
    },
    AccountChanged {
        from: Option<AccountId>,
        to: Option<AccountId>,
    },
    RequesterChanged {
        from: ContactId,
        to: ContactId,
    },
    MessageAdded {
        message_id: MessageId,
        message_kind: MessageKind,
    },
    /// The classifier's suggestion; `support_type` is `None` when it was not sure enough.
    Classified {
        support_type: Option<SupportType>,
        confidence: f64,
        request_kind: RequestKind,
    },
    /// An agent corrected the type; kept as a training example for the classifier.
    Reclassified {
        from: Option<SupportType>,
        to: SupportType,
    },
    /// The request's type is not handled on its channel; the customer was pointed to another.
    Redirected {
        from: Channel,
        to: Channel,
    },
    UrgencyDetected {
        evidence: String,
    },
    /// The intake checklist after a customer message (on intake, and whenever it changes).
    ChecklistEvaluated {
        missing: Vec<ChecklistItem>,
    },
    SlaDueChanged {
        first_response_due: Option<Timestamp>,
        resolution_due: Option<Timestamp>,
    },
    SlaStateChanged {
        from: Option<SlaState>,
        to: SlaState,
    },
    /// Someone was told about the ticket (urgent, at risk, breached).
    Notified {
        agent_id: AgentId,
        reason: String,
    },
    /// The customer was asked, by e-mail, to rate how the request went: once per request.
    SatisfactionAsked,
    /// This ticket's conversation moved into `into` (the same request, written twice).
    MergedInto {
        into: TicketId,
    },
    /// The conversation of `from` moved into this ticket.
    MergedFrom {
        from: TicketId,
    },
}

impl EventKind {
    /// The stable name stored beside the JSON, for filtering history by kind.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created { .. } => "created",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::PriorityChanged { .. } => "priority_changed",
            EventKind::TypeChanged { .. } => "type_changed",
            EventKind::Assigned { .. } => "assigned",
            EventKind::SubjectChanged { .. } => "subject_changed",
            EventKind::TagsChanged { .. } => "tags_changed",
            EventKind::ProductAreaChanged { .. } => "product_area_changed",
            EventKind::AccountChanged { .. } => "account_changed",
            EventKind::RequesterChanged { .. } => "requester_changed",
            EventKind::MessageAdded { .. } => "message_added",
            EventKind::Classified { .. } => "classified",
            EventKind::Reclassified { .. } => "reclassified",
            EventKind::Redirected { .. } => "redirected",
            EventKind::UrgencyDetected { .. } => "urgency_detected",
            EventKind::ChecklistEvaluated { .. } => "checklist_evaluated",
            EventKind::SlaDueChanged { .. } => "sla_due_changed",
            EventKind::SlaStateChanged { .. } => "sla_state_changed",
            EventKind::Notified { .. } => "notified",
            EventKind::SatisfactionAsked => "satisfaction_asked",
            EventKind::MergedInto { .. } => "merged_into",
            EventKind::MergedFrom { .. } => "merged_from",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub ticket_id: TicketId,
    pub actor: Actor,
    pub kind: EventKind,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_match_their_json_tag() {
        let kinds = [
            EventKind::Created {
                channel: Channel::Email,
            },
            EventKind::StatusChanged {
                from: Status::New,
                to: Status::Open,
            },
            EventKind::Assigned {
                from: None,
                to: Some(AgentId(3)),
                reason: "x".into(),
            },
            EventKind::MessageAdded {
                message_id: MessageId(1),
                message_kind: MessageKind::Note,
            },
            EventKind::Classified {
                support_type: None,
                confidence: 0.4,
                request_kind: RequestKind::Question,
            },
            EventKind::ChecklistEvaluated {
                missing: vec![ChecklistItem::Screenshot],
            },
            EventKind::SlaStateChanged {
                from: None,
                to: SlaState::AtRisk,
            },
            EventKind::SatisfactionAsked,
        ];
        for kind in kinds {
            let json = serde_json::to_value(&kind).unwrap_or_default();
            assert_eq!(json["kind"], kind.name());
        }
    }

    #[test]
    fn actors_serialise_with_kind_and_id() {
        let json = serde_json::to_string(&Actor::Agent(AgentId(7))).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"agent","id":7}"#);
        let json = serde_json::to_string(&Actor::System).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"system"}"#);
    }
}
