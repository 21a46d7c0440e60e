//! The SLA clock: targets counted in business hours of a calendar, paused while the ticket
//! waits on the customer.

use jiff::{SignedDuration, Timestamp, civil};
use serde::{Deserialize, Serialize};

crate::string_enum!(
    SlaState {
        OnTrack => "on_track",
        AtRisk => "at_risk",
        Breached => "breached",
        Paused => "paused",
        Met => "met",
    }
);

/// Working hours per weekday (Monday first), holidays, in one time zone.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    pub time_zone: jiff::tz::TimeZone,
    pub week: [Vec<(civil::Time, civil::Time)>; 7],
    pub holidays: Vec<civil::Date>,
}

impl BusinessCalendar {
    pub fn new(
        time_zone: &str,
        week: [Vec<(civil::Time, civil::Time)>; 7],
        holidays: Vec<civil::Date>,
    ) -> Result<Self, crate::ValidationError> {
        let time_zone = jiff::tz::TimeZone::get(time_zone)
            .map_err(|e| crate::ValidationError::new("time_zone", e.to_string()))?;
        Ok(Self {
            time_zone,
            week,
            holidays,
        })
    }

    pub fn spanish_default() -> BusinessCalendar {
        BusinessCalendar {
            time_zone: jiff::tz::TimeZone::UTC,
            week: Default::default(),
            holidays: vec![],
        }
    }

    pub fn add_business_time(&self, start: Timestamp, _amount: SignedDuration) -> Timestamp {
        start
    }

    pub fn business_time_between(&self, _from: Timestamp, _to: Timestamp) -> SignedDuration {
        SignedDuration::ZERO
    }
}

/// Business time from `started_at`, extended by the business time spent paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaClock {
    pub started_at: Timestamp,
    pub paused_since: Option<Timestamp>,
    pub paused_total: SignedDuration,
}

impl SlaClock {
    pub fn due(&self, cal: &BusinessCalendar, target: SignedDuration) -> Timestamp {
        cal.add_business_time(self.started_at, target + self.paused_total)
    }
}

pub fn sla_state(
    _cal: &BusinessCalendar,
    _clock: &SlaClock,
    _target: SignedDuration,
    _now: Timestamp,
    _done_at: Option<Timestamp>,
) -> SlaState {
    SlaState::OnTrack
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    pub first_response: SignedDuration,
    pub resolution: SignedDuration,
}
