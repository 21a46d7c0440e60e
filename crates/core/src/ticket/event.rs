use crate::ids::{AccountId, AgentId, ContactId, EventId, MessageId, TicketId};
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
