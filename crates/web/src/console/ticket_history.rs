//! A ticket's history as the agent reads it, and what its customer said of how it went.

use super::texts::Texts;
use super::time;
use soporte_app::portal::Satisfaction;
use soporte_core::ids::AgentId;
use soporte_core::ticket::Event;
use std::collections::HashMap;

pub struct EventView {
    pub at: String,
    pub what: String,
}

/// The customer's rating of a solved request.
pub struct CustomerRating {
    pub rating: i16,
    pub comment: String,
    pub at: String,
}

impl CustomerRating {
    pub fn of(satisfaction: Satisfaction, lang: super::Lang) -> Self {
        Self {
            rating: satisfaction.rating,
            comment: satisfaction.comment,
            at: time::local(satisfaction.created_at, lang),
        }
    }
}

pub fn event_label(event: &Event, t: &Texts, names: &HashMap<AgentId, String>) -> String {
    use soporte_core::ticket::EventKind as E;
    let spanish = t.lang == super::Lang::Es;
    let agent = |id: Option<AgentId>| {
        id.and_then(|a| names.get(&a).cloned())
            .unwrap_or_else(|| t.unassigned.to_string())
    };
    match &event.kind {
        E::Created { channel } => format!(
            "{} ({})",
            if spanish { "Creada" } else { "Created" },
            t.channel(*channel)
        ),
        E::StatusChanged { to, .. } => format!("{}: {}", t.status, t.status(*to)),
        E::PriorityChanged { to, .. } => format!("{}: {}", t.priority, t.priority(*to)),
        E::TypeChanged { to, .. } => format!("{}: {}", t.kind_type, t.support_type(*to)),
        E::Assigned { to, reason, .. } => format!("{}: {} ({reason})", t.assignee, agent(*to)),
        E::MessageAdded { message_kind, .. } => t.message_kind(*message_kind).to_string(),
        E::MergedInto { into } => format!("{} #{}", t.merged_into, into.0),
        E::MergedFrom { from } => format!("{} #{}", t.merged_from, from.0),
        E::SatisfactionAsked => t.satisfaction_asked.to_string(),
        other => other.name().replace('_', " "),
    }
}
