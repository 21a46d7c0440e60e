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

/// Worst first: a ticket is as late as its latest clock.
fn severity(state: SlaState) -> u8 {
    match state {
        SlaState::Breached => 4,
        SlaState::AtRisk => 3,
        SlaState::OnTrack => 2,
        SlaState::Paused => 1,
        SlaState::Met => 0,
    }
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
    let target = policy.sla.for_ticket(ticket.support_type, ticket.priority);
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
