//! Keeping a ticket's SLA record up to date: due times from the targets of its type and
//! priority, the pause while it waits on the customer, and its state.

use crate::policy::rules::Policy;
use crate::policy::sla::{SlaClock, SlaState, sla_state_with_fraction};
use crate::ticket::{EventKind, SlaRecord, Status, Ticket};
use jiff::{SignedDuration, Timestamp};

fn clock_of(ticket: &Ticket) -> SlaClock {
    SlaClock {
        started_at: ticket.created_at,
        paused_since: ticket.policy.sla.paused_since,
        paused_total: ticket.policy.sla.paused_total,
    }
}

fn severity(state: SlaState) -> u8 {
    state.severity()
}

fn scaled(duration: SignedDuration, fraction: f64) -> SignedDuration {
    SignedDuration::from_secs_f64(duration.as_secs_f64() * fraction)
}

/// Brings the SLA record in line with the ticket as it is now: pauses or resumes the
/// clock when the ticket started or stopped waiting on the customer, recomputes the due
/// times, and the state. Returns the events for what changed.
pub fn refresh(policy: &Policy, ticket: &mut Ticket, now: Timestamp) -> Vec<EventKind> {
    let cal = &policy.calendar;
    let before = ticket.policy.sla.clone();
    let sla = &mut ticket.policy.sla;
    let waiting = ticket.status == Status::Pending;
    match (waiting, sla.paused_since) {
        (true, None) => sla.paused_since = Some(now),
        (false, Some(since)) => {
            sla.paused_total += cal.business_time_between(since, now);
            sla.paused_since = None;
        }
        _ => {}
    }
    let clock = clock_of(ticket);
    let target = match ticket.policy.call_back {
        Some(_) => policy.sla.call_back,
        None => policy.sla.for_ticket(ticket.support_type, ticket.priority),
    };
    let resolved_at = ticket.solved_at.or(ticket.closed_at);
    let first_done = ticket.policy.sla.first_responded_at;
    let fraction = policy.at_risk_fraction;
    let first_state = sla_state_with_fraction(
        cal,
        &clock,
        target.first_response,
        now,
        first_done,
        fraction,
    );
    let resolution_state =
        sla_state_with_fraction(cal, &clock, target.resolution, now, resolved_at, fraction);
    let state = if severity(first_state) >= severity(resolution_state) {
        first_state
    } else {
        resolution_state
    };

    let mut next_check: Option<Timestamp> = None;
    let paused = clock.paused_since.is_some();
    for (done, target) in [
        (first_done, target.first_response),
        (resolved_at, target.resolution),
    ] {
        if done.is_some() || paused {
            continue;
        }
        let at_risk = clock.due(cal, scaled(target, policy.at_risk_fraction));
        let due = clock.due(cal, target);
        // Just after the due time, so the worker sees the clock already past it.
        let candidate = [at_risk, due + SignedDuration::from_secs(1)]
            .into_iter()
            .find(|t| *t > now);
        next_check = match (next_check, candidate) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    let sla: &mut SlaRecord = &mut ticket.policy.sla;
    sla.first_response_due = Some(clock.due(cal, target.first_response));
    sla.resolution_due = Some(clock.due(cal, target.resolution));
    sla.state = Some(state);
    sla.next_check_at = next_check;

    let mut events = Vec::new();
    if sla.first_response_due != before.first_response_due
        || sla.resolution_due != before.resolution_due
    {
        events.push(EventKind::SlaDueChanged {
            first_response_due: sla.first_response_due,
            resolution_due: sla.resolution_due,
        });
    }
    if sla.state != before.state {
        events.push(EventKind::SlaStateChanged {
            from: before.state,
            to: state,
        });
    }
    events
}

/// Records support's first answer (a person's, not an automatic one).
pub fn first_response(ticket: &mut Ticket, at: Timestamp) {
    if ticket.policy.sla.first_responded_at.is_none() {
        ticket.policy.sla.first_responded_at = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ContactId, TicketId};
    use crate::support::{Channel, Priority, SupportType};
    use crate::ticket::TicketPolicy;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// A technical ticket created on Monday 2026-11-23 at 10:00 in Madrid (09:00 UTC).
    fn ticket() -> Ticket {
        Ticket {
            id: TicketId(1),
            number: "VND-000001".into(),
            subject: "Error".into(),
            support_type: Some(SupportType::Technical),
            channel: Channel::Email,
            priority: Priority::Normal,
            status: Status::New,
            assignee_id: None,
            account_id: None,
            requester_id: ContactId(1),
            product_area: None,
            tags: vec![],
            created_at: at("2026-11-23T09:00:00Z"),
            updated_at: at("2026-11-23T09:00:00Z"),
            solved_at: None,
            closed_at: None,
            policy: TicketPolicy::default(),
        }
    }

    #[test]
    fn due_times_follow_type_and_priority_in_business_hours() {
        let policy = Policy::default();
        let mut t = ticket();
        let created = t.created_at;
        let events = refresh(&policy, &mut t, created);
        // Technical, normal: 8 business hours; Monday 10:00–14:00 and 15:00–18:00 give
        // 7, so it is due Tuesday at 10:00 Madrid time.
        assert_eq!(
            t.policy.sla.first_response_due,
            Some(at("2026-11-24T09:00:00Z"))
        );
        assert_eq!(t.policy.sla.state, Some(SlaState::OnTrack));
        assert_eq!(events.len(), 2, "{events:?}");
        // Urgent: 2 business hours.
        t.priority = Priority::Urgent;
        let events = refresh(&policy, &mut t, created);
        assert_eq!(
            t.policy.sla.first_response_due,
            Some(at("2026-11-23T11:00:00Z"))
        );
        assert!(
            matches!(events.as_slice(), [EventKind::SlaDueChanged { .. }]),
            "{events:?}"
        );
    }

    #[test]
    fn state_moves_to_at_risk_then_breached_and_checks_are_scheduled() {
        let policy = Policy::default();
        let mut t = ticket();
        let created = t.created_at;
        refresh(&policy, &mut t, created);
        let check = t.policy.sla.next_check_at;
        // 80% of 8 business hours = 6h24m: Monday 17:24 Madrid.
        assert_eq!(check, Some(at("2026-11-23T16:24:00Z")));
        let events = refresh(&policy, &mut t, at("2026-11-23T16:30:00Z"));
        assert_eq!(t.policy.sla.state, Some(SlaState::AtRisk));
        assert!(events.iter().any(|e| matches!(
            e,
            EventKind::SlaStateChanged {
                to: SlaState::AtRisk,
                ..
            }
        )));
        refresh(&policy, &mut t, at("2026-11-24T09:30:00Z"));
        assert_eq!(t.policy.sla.state, Some(SlaState::Breached));
        // The first response is breached; the resolution clock still has its moments.
        assert!(t.policy.sla.next_check_at > Some(at("2026-11-24T09:30:00Z")));
    }

    #[test]
    fn waiting_on_the_customer_pauses_and_extends_the_due_times() {
        let policy = Policy::default();
        let mut t = ticket();
        let created = t.created_at;
        refresh(&policy, &mut t, created);
        let due = t.policy.sla.resolution_due;
        // Waiting from Monday 12:00 to Tuesday 12:00 Madrid: 12–14, 15–18 and 9–12, eight
        // business hours paused.
        t.status = Status::Pending;
        refresh(&policy, &mut t, at("2026-11-23T11:00:00Z"));
        assert_eq!(t.policy.sla.state, Some(SlaState::Paused));
        assert_eq!(t.policy.sla.next_check_at, None);
        t.status = Status::Open;
        let events = refresh(&policy, &mut t, at("2026-11-24T11:00:00Z"));
        assert_eq!(t.policy.sla.paused_total, SignedDuration::from_hours(8));
        let cal = &policy.calendar;
        assert_eq!(
            t.policy.sla.resolution_due,
            due.map(|d| cal.add_business_time(d, SignedDuration::from_hours(8)))
        );
        assert!(
            events
                .iter()
                .any(|e| matches!(e, EventKind::SlaDueChanged { .. }))
        );
    }

    #[test]
    fn answered_and_solved_in_time_is_met() {
        let policy = Policy::default();
        let mut t = ticket();
        first_response(&mut t, at("2026-11-23T10:00:00Z"));
        first_response(&mut t, at("2026-11-23T12:00:00Z"));
        assert_eq!(
            t.policy.sla.first_responded_at,
            Some(at("2026-11-23T10:00:00Z")),
            "the first one counts"
        );
        t.status = Status::Solved;
        t.solved_at = Some(at("2026-11-23T15:00:00Z"));
        refresh(&policy, &mut t, at("2026-11-23T15:00:00Z"));
        assert_eq!(t.policy.sla.state, Some(SlaState::Met));
        assert_eq!(t.policy.sla.next_check_at, None);
    }
}
