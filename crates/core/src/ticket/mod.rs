//! Tickets: their lifecycle, their human numbers, the messages in them and their history.

mod change;
mod event;
mod message;
mod number;
mod policy_record;
mod status;

pub use change::{ChangeError, TicketPatch, apply_message, apply_patch};
pub use event::{Actor, Event, EventKind};
pub use message::{Attachment, Message, MessageKind, normalize_media_type, sanitize_filename};
pub use number::{TicketNumber, TicketPrefix};
pub use policy_record::{SlaRecord, TicketPolicy};
pub use status::Status;

use crate::ids::{AccountId, AgentId, ContactId, TicketId};
use crate::support::{Channel, Priority, SupportType};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub number: String,
    pub subject: String,
    pub support_type: Option<SupportType>,
    pub channel: Channel,
    pub priority: Priority,
    pub status: Status,
    pub assignee_id: Option<AgentId>,
    pub account_id: Option<AccountId>,
    pub requester_id: ContactId,
    pub product_area: Option<String>,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub solved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// What the support policy decided (classification, checklist, redirect, SLA).
    pub policy: TicketPolicy,
}

/// Tags are short lower-case words so that filters and reports group them reliably.
pub fn normalize_tags(raw: &[String]) -> Result<Vec<String>, crate::ValidationError> {
    crate::limits::check_count("tags", raw.len(), crate::limits::MAX_TAGS)?;
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for (i, tag) in raw.iter().enumerate() {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tag.chars().count() > 50 {
            return Err(crate::ValidationError::new(
                format!("tags[{i}]"),
                "must be 1 to 50 characters",
            ));
        }
        if tag
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        {
            return Err(crate::ValidationError::new(
                format!("tags[{i}]"),
                "must not contain spaces, commas or control characters",
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// A subject line as stored: one line, trimmed, bounded. An empty subject gets a
/// placeholder so lists never show a blank row.
pub fn normalize_subject(raw: &str) -> Result<String, crate::ValidationError> {
    let one_line: String = crate::text::storable(raw)
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.chars().count() > 500 {
        return Err(crate::ValidationError::new(
            "subject",
            "must be at most 500 characters",
        ));
    }
    if one_line.is_empty() {
        return Ok("(sin asunto)".to_string());
    }
    Ok(one_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_lowercased_and_deduplicated() {
        let tags = normalize_tags(&["Factura".into(), "factura ".into(), "tienda".into()]);
        assert_eq!(tags, Ok(vec!["factura".to_string(), "tienda".to_string()]));
        assert!(normalize_tags(&["dos palabras".into()]).is_err());
        assert!(normalize_tags(&["".into()]).is_err());
    }

    #[test]
    fn subjects_become_one_line() {
        assert_eq!(
            normalize_subject("  Error al\r\n  publicar  ").as_deref(),
            Ok("Error al publicar")
        );
        assert_eq!(normalize_subject("").as_deref(), Ok("(sin asunto)"));
        assert!(normalize_subject(&"x".repeat(501)).is_err());
    }
}
