//! A call as its events tell it. Phone systems post events over HTTP, so they may arrive
//! twice, late or out of order: a call is put together from whatever arrives, and each
//! event moves it only forward (it rang, then was answered, then ended), with its times
//! kept in order.

use super::cti::{CallDirection, CtiEvent, CtiEventKind, HangupCause};
use super::number::CallNumber;
use crate::string_enum;
use jiff::{SignedDuration, Timestamp};

string_enum!(
    /// Where a call is now.
    CallProgress {
        Ringing => "ringing",
        Talking => "talking",
        Ended => "ended",
    }
);

string_enum!(
    /// How a call ended.
    CallOutcome {
        /// Someone answered and they talked.
        Answered => "answered",
        /// Nobody answered: the caller gave up, nobody picked up, or the line could not be
        /// reached.
        Missed => "missed",
        /// The called line was busy.
        Busy => "busy",
        /// Soporte told the phone system to turn the call away (a blocked number).
        Rejected => "rejected",
        /// Passed on to someone else before anyone here answered.
        Forwarded => "forwarded",
    }
);

/// What a call is, put together from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub call_id: String,
    pub direction: CallDirection,
    pub from: Option<CallNumber>,
    pub to: Option<CallNumber>,
    pub users: Vec<String>,
    pub queue: Option<String>,
    /// Who picked up, in order: a transferred call was answered more than once.
    pub answered_by: Vec<String>,
    /// When it began to ring (when its first event arrived, if `newCall` came late).
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub cause: Option<HangupCause>,
    pub rejected: bool,
}

/// What an event changed about its call, for what should follow (a card on an agent's
/// screen, a call-back task).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventEffect {
    /// The call is new and ringing.
    Rang,
    /// It was answered (the first time, or by someone else after a transfer).
    Answered,
    /// It ended, with this outcome.
    Ended(CallOutcome),
    /// Nothing anyone waits for: a late `newCall`, or a detail filled in.
    Updated,
}

/// At most this many answerers are kept; a call passed on more often is a loop.
const MAX_ANSWERERS: usize = 20;

impl CallRecord {
    /// The call as its first event to arrive tells it.
    pub fn begin(event: &CtiEvent, at: Timestamp, rejected: bool) -> (Self, EventEffect) {
        let mut call = Self {
            call_id: event.call_id.clone(),
            direction: event.direction,
            from: None,
            to: None,
            users: Vec::new(),
            queue: None,
            answered_by: Vec::new(),
            started_at: at,
            answered_at: None,
            ended_at: None,
            cause: None,
            rejected,
        };
        let effect = call.apply(event, at);
        let effect = match (event.kind, effect) {
            (CtiEventKind::NewCall, _) => EventEffect::Rang,
            (_, effect) => effect,
        };
        (call, effect)
    }

    /// Puts one more event into the call. Times never run backwards: an `answer` that
    /// arrives after the `hangup` is placed at the hang-up, and a `newCall` that arrives
    /// late moves nothing but the details it fills in.
    pub fn apply(&mut self, event: &CtiEvent, at: Timestamp) -> EventEffect {
        if self.from.is_none() {
            self.from = event.from.clone();
        }
        if self.to.is_none() {
            self.to = event.to.clone();
        }
        for user in &event.users {
            if !self.users.contains(user) {
                self.users.push(user.clone());
            }
        }
        if self.queue.is_none() {
            self.queue = event.queue.clone();
        }
        match event.kind {
            CtiEventKind::NewCall => {
                self.started_at = self.started_at.min(at);
                EventEffect::Updated
            }
            CtiEventKind::Answer => {
                let at = self
                    .ended_at
                    .map_or(at, |end| at.min(end))
                    .max(self.started_at);
                let first = self.answered_at.is_none();
                self.answered_at = Some(self.answered_at.map_or(at, |t| t.min(at)));
                let new_answerer = event
                    .answering_number
                    .as_ref()
                    .filter(|n| self.answered_by.last() != Some(*n));
                if let Some(who) = new_answerer
                    && self.answered_by.len() < MAX_ANSWERERS
                {
                    self.answered_by.push(who.clone());
                }
                if self.ended_at.is_some() {
                    // Ended already: the call is now known to have been answered.
                    self.outcome()
                        .map_or(EventEffect::Updated, EventEffect::Ended)
                } else if first || new_answerer.is_some() {
                    EventEffect::Answered
                } else {
                    EventEffect::Updated
                }
            }
            CtiEventKind::Hangup => {
                if self.ended_at.is_some() {
                    return EventEffect::Updated;
                }
                let at = at.max(self.started_at).max(self.answered_at.unwrap_or(at));
                self.ended_at = Some(at);
                self.cause = event.cause;
                if let Some(who) = &event.answering_number
                    && self.answered_by.is_empty()
                    && self.answered_at.is_some()
                {
                    self.answered_by.push(who.clone());
                }
                self.outcome()
                    .map_or(EventEffect::Updated, EventEffect::Ended)
            }
        }
    }

    pub fn progress(&self) -> CallProgress {
        match (self.answered_at, self.ended_at) {
            (_, Some(_)) => CallProgress::Ended,
            (Some(_), None) => CallProgress::Talking,
            (None, None) => CallProgress::Ringing,
        }
    }

    /// How the call ended; none while it goes on (except a rejected call, which is decided
    /// the moment it rings).
    pub fn outcome(&self) -> Option<CallOutcome> {
        if self.rejected {
            return Some(CallOutcome::Rejected);
        }
        self.ended_at?;
        Some(match (self.answered_at, self.cause) {
            (Some(_), _) => CallOutcome::Answered,
            (None, Some(HangupCause::Busy)) => CallOutcome::Busy,
            (None, Some(HangupCause::Forwarded)) => CallOutcome::Forwarded,
            (None, _) => CallOutcome::Missed,
        })
    }

    /// How long they talked: from the answer to the end.
    pub fn talk_time(&self) -> Option<SignedDuration> {
        match (self.answered_at, self.ended_at) {
            (Some(answered), Some(ended)) => Some(ended.duration_since(answered)),
            _ => None,
        }
    }

    /// The customer's side: the caller of an incoming call, the called of an outgoing one.
    pub fn customer_number(&self) -> Option<&CallNumber> {
        match self.direction {
            CallDirection::In => self.from.as_ref(),
            CallDirection::Out => self.to.as_ref(),
        }
    }

    /// Whether someone should call the customer back: an incoming call nobody here took.
    pub fn needs_call_back(&self) -> bool {
        self.direction == CallDirection::In
            && matches!(
                self.outcome(),
                Some(CallOutcome::Missed | CallOutcome::Busy)
            )
            && matches!(self.customer_number(), Some(CallNumber::International(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::NumberingPlan;

    fn event(kind: &str, extra: &[(&str, &str)]) -> CtiEvent {
        let mut fields = vec![
            ("event".to_string(), kind.to_string()),
            ("callId".to_string(), "c1".to_string()),
            ("direction".to_string(), "in".to_string()),
            ("from".to_string(), "600111222".to_string()),
            ("to".to_string(), "910000001".to_string()),
        ];
        fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        match CtiEvent::from_fields(&fields, NumberingPlan::SPAIN) {
            Ok(event) => event,
            Err(e) => panic!("test event refused: {e}"),
        }
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + second).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// One event to play: its kind, extra fields, and the second it is received.
    type Step<'a> = (&'a str, &'a [(&'a str, &'a str)], i64);

    /// Plays events in order.
    fn play(events: &[Step<'_>]) -> (CallRecord, Vec<EventEffect>) {
        let mut effects = Vec::new();
        let (first, rest) = events.split_first().unwrap_or((&("newCall", &[], 0), &[]));
        let (mut call, effect) = CallRecord::begin(&event(first.0, first.1), at(first.2), false);
        effects.push(effect);
        for (kind, extra, second) in rest {
            effects.push(call.apply(&event(kind, extra), at(*second)));
        }
        (call, effects)
    }

    #[test]
    fn an_answered_call_has_its_times_and_talk_time() {
        let (call, effects) = play(&[
            ("newCall", &[], 0),
            ("answer", &[("answeringNumber", "201")], 8),
            ("hangup", &[("cause", "normalClearing")], 128),
        ]);
        assert_eq!(
            effects,
            vec![
                EventEffect::Rang,
                EventEffect::Answered,
                EventEffect::Ended(CallOutcome::Answered)
            ]
        );
        assert_eq!(call.talk_time(), Some(SignedDuration::from_secs(120)));
        assert_eq!(call.answered_by, vec!["201".to_string()]);
        assert!(!call.needs_call_back());
    }

    #[test]
    fn outcomes_by_cause() {
        let cases = [
            ("cancel", CallOutcome::Missed, true),
            ("noAnswer", CallOutcome::Missed, true),
            ("congestion", CallOutcome::Missed, true),
            ("notFound", CallOutcome::Missed, true),
            ("busy", CallOutcome::Busy, true),
            ("forwarded", CallOutcome::Forwarded, false),
            ("normalClearing", CallOutcome::Missed, true),
        ];
        for (cause, outcome, call_back) in cases {
            let (call, _) = play(&[("newCall", &[], 0), ("hangup", &[("cause", cause)], 20)]);
            assert_eq!(call.outcome(), Some(outcome), "{cause}");
            assert_eq!(call.needs_call_back(), call_back, "{cause}");
            assert_eq!(call.talk_time(), None);
        }
    }

    #[test]
    fn events_out_of_order_keep_times_in_order() {
        // The hang-up first, then the answer, then the ring.
        let (call, effects) = play(&[
            ("hangup", &[("cause", "normalClearing")], 60),
            ("answer", &[("answeringNumber", "201")], 65),
            ("newCall", &[], 70),
        ]);
        assert_eq!(
            effects,
            vec![
                EventEffect::Ended(CallOutcome::Missed),
                EventEffect::Ended(CallOutcome::Answered),
                EventEffect::Updated
            ]
        );
        assert_eq!(call.outcome(), Some(CallOutcome::Answered));
        assert!(call.started_at <= call.answered_at.unwrap_or(call.started_at));
        assert_eq!(call.talk_time(), Some(SignedDuration::ZERO));
    }

    #[test]
    fn a_transfer_keeps_everyone_who_answered() {
        let (call, effects) = play(&[
            ("newCall", &[], 0),
            ("answer", &[("answeringNumber", "201")], 5),
            ("answer", &[("answeringNumber", "202")], 40),
            ("hangup", &[("cause", "normalClearing")], 100),
        ]);
        assert_eq!(effects[2], EventEffect::Answered);
        assert_eq!(call.answered_by, vec!["201".to_string(), "202".to_string()]);
        assert_eq!(call.answered_at, Some(at(5)));
        assert_eq!(call.talk_time(), Some(SignedDuration::from_secs(95)));
    }

    #[test]
    fn a_second_hangup_changes_nothing() {
        let (call, effects) = play(&[
            ("newCall", &[], 0),
            ("hangup", &[("cause", "cancel")], 10),
            ("hangup", &[("cause", "busy")], 12),
        ]);
        assert_eq!(effects[2], EventEffect::Updated);
        assert_eq!(call.outcome(), Some(CallOutcome::Missed));
        assert_eq!(call.ended_at, Some(at(10)));
    }

    #[test]
    fn a_rejected_call_is_rejected_from_the_start() {
        let (call, effect) = CallRecord::begin(&event("newCall", &[]), at(0), true);
        assert_eq!(effect, EventEffect::Rang);
        assert_eq!(call.outcome(), Some(CallOutcome::Rejected));
        assert!(!call.needs_call_back());
    }

    #[test]
    fn a_withheld_caller_cannot_be_called_back() {
        let mut ring = event("newCall", &[]);
        ring.from = Some(CallNumber::Withheld);
        let (mut call, _) = CallRecord::begin(&ring, at(0), false);
        call.apply(&event("hangup", &[("cause", "cancel")]), at(9));
        assert_eq!(call.outcome(), Some(CallOutcome::Missed));
        assert!(!call.needs_call_back());
    }
}
