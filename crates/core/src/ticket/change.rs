//! How a ticket changes: an agent's edit, or the arrival of a message. Each change yields
//! the new ticket and the history events that describe it; the store writes both together.

use crate::ValidationError;
use crate::ids::{AccountId, AgentId};
use crate::support::{Priority, SupportType};
use crate::ticket::{EventKind, MessageKind, Status, Ticket, normalize_subject, normalize_tags};
use jiff::Timestamp;
use thiserror::Error;

/// An edit to a ticket. `None` leaves a field as it is; for optional fields `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketPatch {
    pub subject: Option<String>,
    pub support_type: Option<Option<SupportType>>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub assignee_id: Option<Option<AgentId>>,
    pub account_id: Option<Option<AccountId>>,
    pub product_area: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    /// Why the assignee changed, kept in the history ("manual", "personal agent", …).
    pub assignment_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChangeError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("a ticket cannot go from {from} to {to}")]
    Transition { from: Status, to: Status },
    #[error("ticket is closed; write a new request instead")]
    Closed,
}

/// Applies an edit. Nothing changes (and no event is produced) for fields that already
/// have the requested value, so repeating a PATCH is harmless.
pub fn apply_patch(
    ticket: &Ticket,
    patch: &TicketPatch,
    now: Timestamp,
) -> Result<(Ticket, Vec<EventKind>), ChangeError> {
    let mut next = ticket.clone();
    let mut events = Vec::new();

    if let Some(raw) = &patch.subject {
        let subject = normalize_subject(raw)?;
        if subject != next.subject {
            events.push(EventKind::SubjectChanged {
                from: next.subject.clone(),
                to: subject.clone(),
            });
            next.subject = subject;
        }
    }
    if let Some(t) = patch.support_type
        && t != next.support_type
    {
        events.push(EventKind::TypeChanged {
            from: next.support_type,
            to: t,
        });
        next.support_type = t;
    }
    if let Some(p) = patch.priority
        && p != next.priority
    {
        events.push(EventKind::PriorityChanged {
            from: next.priority,
            to: p,
        });
        next.priority = p;
    }
    if let Some(a) = patch.assignee_id
        && a != next.assignee_id
    {
        events.push(EventKind::Assigned {
            from: next.assignee_id,
            to: a,
            reason: patch
                .assignment_reason
                .clone()
                .unwrap_or_else(|| "manual".to_string()),
        });
        next.assignee_id = a;
    }
    if let Some(a) = patch.account_id
        && a != next.account_id
    {
        events.push(EventKind::AccountChanged {
            from: next.account_id,
            to: a,
        });
        next.account_id = a;
    }
    if let Some(area) = &patch.product_area {
        let area = match area {
            Some(a) => Some(crate::directory::normalize_name("product_area", a)?),
            None => None,
        };
        if area != next.product_area {
            events.push(EventKind::ProductAreaChanged {
                from: next.product_area.clone(),
                to: area.clone(),
            });
            next.product_area = area;
        }
    }
    if let Some(raw) = &patch.tags {
        let tags = normalize_tags(raw)?;
        let added: Vec<String> = tags
            .iter()
            .filter(|t| !next.tags.contains(t))
            .cloned()
            .collect();
        let removed: Vec<String> = next
            .tags
            .iter()
            .filter(|t| !tags.contains(t))
            .cloned()
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            events.push(EventKind::TagsChanged { added, removed });
        }
        next.tags = tags;
    }
    if ticket.status == Status::Closed && !events.is_empty() {
        return Err(ChangeError::Closed);
    }
    if let Some(status) = patch.status
        && let Some(event) = move_status(&mut next, status, now)?
    {
        events.push(event);
    }
    if !events.is_empty() {
        next.updated_at = now;
    }
    Ok((next, events))
}

/// Moves a ticket to a new status, keeping the solved/closed timestamps in step.
fn move_status(
    ticket: &mut Ticket,
    to: Status,
    now: Timestamp,
) -> Result<Option<EventKind>, ChangeError> {
    let from = ticket.status;
    if from == to {
        return Ok(None);
    }
    if !from.can_become(to) {
        return Err(ChangeError::Transition { from, to });
    }
    ticket.status = to;
    match to {
        Status::Solved => ticket.solved_at = Some(now),
        Status::Closed => ticket.closed_at = Some(now),
        _ => ticket.solved_at = None,
    }
    Ok(Some(EventKind::StatusChanged { from, to }))
}

/// What a new message does to its ticket: a customer writing again reopens a ticket that
/// was waiting on them or already solved; support's first answer opens a new one. Notes
/// and call logs never move the status. A closed ticket takes only internal notes.
/// Mail written by machines (`automatic`: an out-of-office, a bounce) is kept on the
/// ticket but never reopens it.
pub fn apply_message(
    ticket: &Ticket,
    kind: MessageKind,
    automatic: bool,
    now: Timestamp,
) -> Result<(Ticket, Vec<EventKind>), ChangeError> {
    let mut next = ticket.clone();
    if ticket.status == Status::Closed && kind != MessageKind::Note && !automatic {
        return Err(ChangeError::Closed);
    }
    let target = match (kind, ticket.status) {
        _ if automatic => None,
        (MessageKind::Inbound, Status::Pending | Status::Solved) => Some(Status::Open),
        (MessageKind::Outbound, Status::New) => Some(Status::Open),
        _ => None,
    };
    let mut events = Vec::new();
    if let Some(to) = target
        && let Some(event) = move_status(&mut next, to, now)?
    {
        events.push(event);
    }
    next.updated_at = now;
    Ok((next, events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ContactId, TicketId};
    use crate::support::Channel;

    fn ticket(status: Status) -> Ticket {
        Ticket {
            id: TicketId(1),
            number: "VND-000001".into(),
            subject: "Factura duplicada".into(),
            support_type: None,
            channel: Channel::Email,
            priority: Priority::Normal,
            status,
            assignee_id: None,
            account_id: None,
            requester_id: ContactId(1),
            product_area: None,
            tags: vec![],
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            solved_at: None,
            closed_at: None,
            policy: Default::default(),
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn patch_records_one_event_per_real_change() {
        let patch = TicketPatch {
            support_type: Some(Some(SupportType::Administrative)),
            priority: Some(Priority::Normal), // unchanged: no event
            status: Some(Status::Open),
            assignee_id: Some(Some(AgentId(4))),
            tags: Some(vec!["Factura".into()]),
            ..TicketPatch::default()
        };
        let (next, events) =
            apply_patch(&ticket(Status::New), &patch, now()).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = events.iter().map(EventKind::name).collect();
        assert_eq!(
            names,
            ["type_changed", "assigned", "tags_changed", "status_changed"]
        );
        assert_eq!(next.tags, ["factura"]);
        assert_eq!(next.updated_at, now());
    }

    #[test]
    fn empty_patch_changes_nothing() {
        let t = ticket(Status::Open);
        let (next, events) =
            apply_patch(&t, &TicketPatch::default(), now()).unwrap_or_else(|e| panic!("{e}"));
        assert!(events.is_empty());
        assert_eq!(next, t);
    }

    #[test]
    fn invalid_transition_is_refused() {
        let patch = TicketPatch {
            status: Some(Status::New),
            ..TicketPatch::default()
        };
        assert_eq!(
            apply_patch(&ticket(Status::Open), &patch, now()).err(),
            Some(ChangeError::Transition {
                from: Status::Open,
                to: Status::New
            })
        );
    }

    #[test]
    fn solving_and_reopening_keep_timestamps_in_step() {
        let solve = TicketPatch {
            status: Some(Status::Solved),
            ..TicketPatch::default()
        };
        let (solved, _) =
            apply_patch(&ticket(Status::Open), &solve, now()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(solved.solved_at, Some(now()));
        let (reopened, events) = apply_message(&solved, MessageKind::Inbound, false, now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reopened.status, Status::Open);
        assert_eq!(reopened.solved_at, None);
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn messages_move_status_as_support_expects() {
        use MessageKind::*;
        // (status before, message, status after or None if refused)
        let table = [
            (Status::New, Inbound, Some(Status::New)),
            (Status::New, Outbound, Some(Status::Open)),
            (Status::New, Note, Some(Status::New)),
            (Status::Pending, Inbound, Some(Status::Open)),
            (Status::Pending, Outbound, Some(Status::Pending)),
            (Status::OnHold, Inbound, Some(Status::OnHold)),
            (Status::Solved, Inbound, Some(Status::Open)),
            (Status::Solved, Call, Some(Status::Solved)),
            (Status::Closed, Inbound, None),
            (Status::Closed, Outbound, None),
            (Status::Closed, Note, Some(Status::Closed)),
        ];
        for (before, kind, after) in table {
            let got = apply_message(&ticket(before), kind, false, now())
                .ok()
                .map(|(t, _)| t.status);
            assert_eq!(got, after, "{before} + {kind}");
        }
    }

    #[test]
    fn automatic_mail_never_reopens() {
        for before in [Status::Pending, Status::Solved, Status::Closed] {
            let got = apply_message(&ticket(before), MessageKind::Inbound, true, now())
                .ok()
                .map(|(t, _)| t.status);
            assert_eq!(got, Some(before), "{before}");
        }
    }

    #[test]
    fn closed_ticket_refuses_edits_other_than_status() {
        let patch = TicketPatch {
            priority: Some(Priority::Urgent),
            ..TicketPatch::default()
        };
        assert_eq!(
            apply_patch(&ticket(Status::Closed), &patch, now()).err(),
            Some(ChangeError::Closed)
        );
    }
}
