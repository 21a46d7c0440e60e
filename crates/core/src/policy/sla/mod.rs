//! The SLA clock: targets counted in business hours of a calendar, paused while the ticket
//! waits on the customer.

mod calendar;

pub use calendar::{BusinessCalendar, WEEKDAY_NAMES, spanish_default};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

crate::string_enum!(
    SlaState {
        OnTrack => "on_track",
        AtRisk => "at_risk",
        Breached => "breached",
        Paused => "paused",
        Met => "met",
    }
);

impl SlaState {
    /// How late this is, worst highest: a ticket is as late as its latest clock.
    pub fn severity(self) -> u8 {
        match self {
            SlaState::Breached => 4,
            SlaState::AtRisk => 3,
            SlaState::OnTrack => 2,
            SlaState::Paused => 1,
            SlaState::Met => 0,
        }
    }
}

/// The share of the target that, once used, makes a running SLA `at_risk`.
pub const AT_RISK_FRACTION: f64 = 0.8;

/// Durations are serialised the way jiff writes them, ISO 8601 (`"PT8H"`); deserialising
/// also accepts jiff's friendly spelling (`"8h"`). Hand-written configuration should go
/// through [`parse_business_duration`], which gives better errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    pub first_response: SignedDuration,
    pub resolution: SignedDuration,
}

/// Where one SLA's clock stands: when it started, whether it is paused, and how much
/// business time it has spent paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    pub started_at: Timestamp,
    pub paused_since: Option<Timestamp>,
    /// Business time spent paused so far, not counting a pause still in progress.
    pub paused_total: SignedDuration,
}

impl SlaClock {
    pub fn new(started_at: Timestamp) -> Self {
        Self {
            started_at,
            paused_since: None,
            paused_total: SignedDuration::ZERO,
        }
    }

    /// Pausing a paused clock keeps the earlier pause, so that a repeated "waiting on the
    /// customer" event does not put the time already waited back on the clock.
    pub fn pause(&mut self, at: Timestamp) {
        if self.paused_since.is_none() {
            self.paused_since = Some(at);
        }
    }

    /// Ends a pause, adding the business time it covered. Only time after `started_at`
    /// counts: time before the start was never on the clock, and counting it would move
    /// the deadline by more than the pause really took (see [`SlaClock::due`]). Resuming a
    /// running clock does nothing.
    pub fn resume(&mut self, cal: &BusinessCalendar, at: Timestamp) {
        if let Some(since) = self.paused_since.take() {
            let counted = cal.business_time_between(since.max(self.started_at), at);
            self.paused_total = self.paused_total.saturating_add(counted);
        }
    }

    /// The instant the target runs out, given the pauses so far.
    ///
    /// Pauses lie after `started_at` (`resume` sees to that), so the business time from
    /// the start up to any instant after them is the time used plus the time paused. The
    /// deadline is therefore the instant at which `target + paused_total` of business
    /// time has elapsed since the start, and every pause moves it by exactly the business
    /// time the pause covered. While paused, the pause in progress is not included: the
    /// deadline moves when the clock resumes.
    pub fn due(&self, cal: &BusinessCalendar, target: SignedDuration) -> Timestamp {
        cal.add_business_time(self.started_at, target.saturating_add(self.paused_total))
    }

    /// Business time used so far: elapsed since the start, minus the time paused. While
    /// paused, the clock stands still at `paused_since`.
    pub fn used(&self, cal: &BusinessCalendar, now: Timestamp) -> SignedDuration {
        let until = self.paused_since.map_or(now, |since| since.min(now));
        let elapsed = cal.business_time_between(self.started_at, until);
        elapsed
            .saturating_sub(self.paused_total)
            .max(SignedDuration::ZERO)
    }
}

/// The state of one SLA at `now`, with the [`AT_RISK_FRACTION`] threshold.
pub fn sla_state(
    cal: &BusinessCalendar,
    clock: &SlaClock,
    target: SignedDuration,
    now: Timestamp,
    done_at: Option<Timestamp>,
) -> SlaState {
    sla_state_with_fraction(cal, clock, target, now, done_at, AT_RISK_FRACTION)
}

/// The state of one SLA at `now`:
///
/// * done: `met` if the business time used when done is within the target, `breached`
///   otherwise;
/// * not done: `breached` once the target is used up (used time reaching the target and
///   the deadline having passed, so a deadline at Friday's closing is breached over the
///   weekend, not only on Monday's opening), then `paused` while the clock is paused, then
///   `at_risk` once `at_risk_fraction` of the target is used, else `on_track`.
///
/// A fraction that is not a finite number never reports `at_risk`.
pub fn sla_state_with_fraction(
    cal: &BusinessCalendar,
    clock: &SlaClock,
    target: SignedDuration,
    now: Timestamp,
    done_at: Option<Timestamp>,
    at_risk_fraction: f64,
) -> SlaState {
    if let Some(done) = done_at {
        return if clock.used(cal, done) <= target {
            SlaState::Met
        } else {
            SlaState::Breached
        };
    }
    let used = clock.used(cal, now);
    if used > target || (used >= target && now >= clock.due(cal, target)) {
        return SlaState::Breached;
    }
    if clock.paused_since.is_some() {
        return SlaState::Paused;
    }
    // Rounding the threshold to whole nanoseconds keeps 0.8 × 10h at exactly 8h rather
    // than a hair above it.
    let threshold = SignedDuration::try_from_secs_f64(target.as_secs_f64() * at_risk_fraction);
    match threshold {
        Ok(threshold) if used >= threshold => SlaState::AtRisk,
        _ => SlaState::OnTrack,
    }
}

/// Parses a business duration as written in configuration: hours and/or minutes, hours
/// first, such as `"8h"`, `"30m"`, `"1h30m"` or `"1h 30m"`. Days are refused: a business
/// day is neither 24 hours nor the same length in every calendar, so "2d" would mean
/// different things to different readers.
pub fn parse_business_duration(text: &str) -> Result<SignedDuration, ValidationError> {
    const FIELD: &str = "duration";
    const HINT: &str = "write hours and minutes such as \"8h\", \"30m\" or \"1h30m\"";
    let bad = |why: String| ValidationError::new(FIELD, format!("{why}; {HINT}"));
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("is empty".to_owned()));
    }
    let mut hours: Option<i64> = None;
    let mut minutes: Option<i64> = None;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (number, after) = rest.split_at(digits);
        let mut units = after.chars();
        let unit = units.next();
        if number.is_empty() {
            return Err(bad(format!("{text:?} is not a duration")));
        }
        let Ok(value) = number.parse::<i64>() else {
            return Err(bad(format!("{number} is too large")));
        };
        match unit.map(|c| c.to_ascii_lowercase()) {
            Some('h') if hours.is_none() && minutes.is_none() => hours = Some(value),
            Some('m') if minutes.is_none() => minutes = Some(value),
            Some('h' | 'm') => {
                return Err(bad(format!(
                    "{text:?} repeats a unit or puts minutes before hours"
                )));
            }
            Some('d' | 'w') => {
                return Err(ValidationError::new(
                    FIELD,
                    format!(
                        "{text:?} counts days or weeks, which are ambiguous in business time \
                         (a business day is not 24 hours and differs between calendars); \
                         write the hours instead, e.g. \"16h\""
                    ),
                ));
            }
            Some(other) => return Err(bad(format!("{text:?} has an unknown unit {other:?}"))),
            None => return Err(bad(format!("{text:?} is missing a unit after {number}"))),
        }
        rest = units.as_str().trim_start();
    }
    let seconds = hours
        .unwrap_or(0)
        .checked_mul(3600)
        .and_then(|h| minutes.unwrap_or(0).checked_mul(60)?.checked_add(h));
    match seconds {
        None => Err(bad(format!("{text:?} is too large"))),
        Some(0) => Err(ValidationError::new(
            FIELD,
            format!("{text:?} is zero; a business duration must be positive"),
        )),
        Some(seconds) => Ok(SignedDuration::from_secs(seconds)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil;

    /// A wall-clock time in Madrid, written "YYYY-MM-DD HH:MM".
    fn at(local: &str) -> Timestamp {
        let dt: civil::DateTime = local.parse().expect("a civil datetime");
        dt.in_tz("Europe/Madrid")
            .expect("a valid Madrid time")
            .timestamp()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn mins(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    /// Monday to Friday, 09:00–18:00.
    fn office() -> BusinessCalendar {
        let day = || vec![(civil::time(9, 0, 0, 0), civil::time(18, 0, 0, 0))];
        let week = [day(), day(), day(), day(), day(), Vec::new(), Vec::new()];
        match BusinessCalendar::new("Europe/Madrid", week, Vec::new()) {
            Ok(cal) => cal,
            Err(e) => panic!("invalid test calendar: {e}"),
        }
    }

    #[test]
    fn a_pause_extends_the_deadline_by_the_business_time_it_covered() {
        let cal = office();
        let mut clock = SlaClock::new(at("2026-03-05 09:00"));
        let target = hours(24);
        // Thursday 9h + Friday 9h + Monday 6h.
        assert_eq!(clock.due(&cal, target), at("2026-03-09 15:00"));

        clock.pause(at("2026-03-06 17:00"));
        assert_eq!(clock.used(&cal, at("2026-03-07 12:00")), hours(17));
        assert_eq!(clock.used(&cal, at("2026-03-09 12:00")), hours(17));
        assert_eq!(
            sla_state(&cal, &clock, target, at("2026-03-09 09:30"), None),
            SlaState::Paused
        );

        clock.resume(&cal, at("2026-03-09 10:00"));
        // One hour on Friday, one on Monday.
        assert_eq!(clock.paused_total, hours(2));
        assert_eq!(clock.paused_since, None);
        assert_eq!(clock.due(&cal, target), at("2026-03-09 17:00"));
        assert_eq!(clock.used(&cal, at("2026-03-09 17:00")), target);
    }

    #[test]
    fn a_pause_with_the_spanish_calendar() {
        let cal = spanish_default();
        let mut clock = SlaClock::new(at("2026-03-06 09:00"));
        let target = hours(8);
        // Friday's six hours, then two on Monday.
        assert_eq!(clock.due(&cal, target), at("2026-03-09 11:00"));
        clock.pause(at("2026-03-06 14:00"));
        clock.pause(at("2026-03-06 14:30"));
        clock.resume(&cal, at("2026-03-09 10:00"));
        clock.resume(&cal, at("2026-03-09 11:00"));
        assert_eq!(clock.paused_total, hours(2));
        assert_eq!(clock.due(&cal, target), at("2026-03-09 13:00"));
    }

    #[test]
    fn a_pause_before_the_start_only_counts_from_the_start() {
        let cal = office();
        let start = at("2026-03-09 12:00");
        let mut clock = SlaClock::new(start);
        clock.pause(at("2026-03-09 10:00"));
        clock.resume(&cal, at("2026-03-09 13:00"));
        assert_eq!(clock.paused_total, hours(1));
        assert_eq!(clock.due(&cal, hours(2)), at("2026-03-09 15:00"));
        assert_eq!(clock.used(&cal, at("2026-03-09 15:00")), hours(2));
    }

    #[test]
    fn states_through_the_life_of_an_sla() {
        use SlaState::{AtRisk, Breached, Met, OnTrack, Paused};
        let cal = spanish_default();
        let start = at("2026-03-09 09:00");
        let target = hours(10);
        // Monday's eight hours, then two on Tuesday.
        assert_eq!(
            SlaClock::new(start).due(&cal, target),
            at("2026-03-10 11:00")
        );
        let late = "2026-03-11 12:00";
        // (now, paused since, done at, expected, why)
        let cases = [
            ("2026-03-08 12:00", None, None, OnTrack, "before the start"),
            ("2026-03-09 12:00", None, None, OnTrack, "three hours in"),
            ("2026-03-09 17:59", None, None, OnTrack, "just under 80%"),
            ("2026-03-09 18:00", None, None, AtRisk, "80% at closing"),
            ("2026-03-10 08:00", None, None, AtRisk, "80% overnight"),
            (
                "2026-03-10 10:59",
                None,
                None,
                AtRisk,
                "a minute before due",
            ),
            ("2026-03-10 11:00", None, None, Breached, "at due"),
            ("2026-03-10 11:01", None, None, Breached, "after due"),
            (late, None, Some("2026-03-09 10:00"), Met, "done early"),
            (late, None, Some("2026-03-10 11:00"), Met, "done at due"),
            (late, None, Some("2026-03-10 11:01"), Breached, "done late"),
            (late, Some("2026-03-09 12:00"), None, Paused, "paused early"),
            (
                late,
                Some("2026-03-10 10:30"),
                None,
                Paused,
                "paused at risk",
            ),
            (
                late,
                Some("2026-03-10 12:00"),
                None,
                Breached,
                "paused after due",
            ),
            (
                late,
                Some("2026-03-09 12:00"),
                Some(late),
                Met,
                "done while paused",
            ),
        ];
        for (now, paused_since, done_at, expected, why) in cases {
            let mut clock = SlaClock::new(start);
            if let Some(since) = paused_since {
                clock.pause(at(since));
            }
            let state = sla_state(&cal, &clock, target, at(now), done_at.map(at));
            assert_eq!(state, expected, "{why}");
        }
    }

    #[test]
    fn a_deadline_at_friday_closing_is_breached_over_the_weekend() {
        let cal = spanish_default();
        let clock = SlaClock::new(at("2026-03-06 09:00"));
        let target = hours(6);
        assert_eq!(clock.due(&cal, target), at("2026-03-06 15:00"));
        assert_eq!(
            sla_state(&cal, &clock, target, at("2026-03-06 14:59"), None),
            SlaState::AtRisk
        );
        assert_eq!(
            sla_state(&cal, &clock, target, at("2026-03-07 12:00"), None),
            SlaState::Breached
        );
    }

    #[test]
    fn the_risk_threshold_can_be_chosen() {
        let cal = spanish_default();
        let clock = SlaClock::new(at("2026-03-09 09:00"));
        let now = at("2026-03-09 12:00");
        let state =
            |fraction| sla_state_with_fraction(&cal, &clock, hours(10), now, None, fraction);
        assert_eq!(state(0.3), SlaState::AtRisk);
        assert_eq!(state(0.5), SlaState::OnTrack);
        assert_eq!(state(f64::NAN), SlaState::OnTrack);
    }

    #[test]
    fn targets_serialise_as_iso_durations() {
        let target = SlaTarget {
            first_response: hours(4),
            resolution: hours(16) + mins(30),
        };
        let json = serde_json::to_string(&target).unwrap_or_default();
        assert_eq!(json, r#"{"first_response":"PT4H","resolution":"PT16H30M"}"#);
        let back: Result<SlaTarget, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(target));
        let friendly: Result<SlaTarget, _> =
            serde_json::from_str(r#"{"first_response":"4h","resolution":"16h 30m"}"#);
        assert_eq!(friendly.ok(), Some(target));
    }

    #[test]
    fn clocks_serialise_with_rfc3339_instants() {
        let mut clock = SlaClock::new(at("2026-03-09 09:00"));
        clock.pause(at("2026-03-09 10:00"));
        let json = serde_json::to_string(&clock).unwrap_or_default();
        let expected = concat!(
            r#"{"started_at":"2026-03-09T08:00:00Z","#,
            r#""paused_since":"2026-03-09T09:00:00Z","#,
            r#""paused_total":"PT0S"}"#,
        );
        assert_eq!(json, expected);
        let back: Result<SlaClock, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(clock));
    }

    #[test]
    fn parsing_configured_durations() {
        let good = [
            ("8h", hours(8)),
            ("30m", mins(30)),
            ("1h30m", mins(90)),
            ("1h 30m", mins(90)),
            (" 2H ", hours(2)),
            ("90m", mins(90)),
            ("0h15m", mins(15)),
        ];
        for (text, expected) in good {
            assert_eq!(parse_business_duration(text), Ok(expected), "{text}");
        }
        let bad = [
            ("", "is empty"),
            ("8", "missing a unit"),
            ("2d", "write the hours instead"),
            ("1w", "write the hours instead"),
            ("1.5h", "unknown unit '.'"),
            ("30m1h", "minutes before hours"),
            ("1h2h", "repeats a unit"),
            ("h", "is not a duration"),
            ("-1h", "is not a duration"),
            ("0h", "must be positive"),
            ("99999999999999999999h", "too large"),
            ("9999999999999999h", "too large"),
        ];
        for (text, message) in bad {
            match parse_business_duration(text) {
                Ok(d) => panic!("{text:?} parsed as {d}"),
                Err(e) => {
                    assert_eq!(e.field, "duration");
                    assert!(e.message.contains(message), "{text:?}: {}", e.message);
                }
            }
        }
    }
}
