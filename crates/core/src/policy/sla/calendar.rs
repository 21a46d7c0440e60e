//! Business hours as a clock: which instants count towards an SLA and how far a given
//! amount of business time reaches.
//!
//! Opening hours are wall-clock times in the calendar's zone, so they have to be turned
//! into instants day by day; daylight saving time makes that conversion ambiguous twice a
//! year. The rules, applied to every interval boundary:
//!
//! * A boundary in a gap (a wall-clock time that never happens, e.g. 02:30 on the day
//!   Europe/Madrid jumps from 02:00 to 03:00) becomes the instant of the jump. The skipped
//!   stretch is simply not there, so business time across a gap is the real elapsed time:
//!   an interval 01:00–05:00 on that day is three hours long.
//! * A boundary in a fold (a wall-clock time that happens twice, e.g. 02:30 on the day
//!   Madrid goes back from 03:00 to 02:00) opens at its first occurrence and closes at its
//!   second, so an interval never loses time to the repeated hour: 00:00–24:00 on that day
//!   is 25 hours long and 02:00–03:00 is two.
//! * Intervals whose instants overlap after this (e.g. 00:00–02:30 and 02:30–05:00 on the
//!   day of a fold) are merged, so no instant is counted twice.

use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Span, Timestamp, civil};

use crate::ValidationError;

/// How many local days `add_business_time` looks ahead before giving up. Ten years is far
/// beyond any SLA target; the bound is what keeps a calendar whose holidays cover every
/// working day from looping forever.
const SEARCH_DAYS: i64 = 3660;

/// The weekdays as configuration and the API name them, Monday first like `week`.
pub const WEEKDAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Working hours per weekday (Monday first), holidays, in one time zone.
///
/// Each interval is `(opening, closing)` in local wall-clock time, half-open. `civil::Time`
/// cannot spell 24:00, so a closing of `00:00` or `civil::Time::MAX` means midnight at the
/// end of the day: `(00:00, 00:00)` is the whole day. [`BusinessCalendar::new`] sorts and
/// validates the intervals; a calendar built directly from its fields is still handled
/// (intervals are sorted and merged as they are read), only without the error messages.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    pub time_zone: jiff::tz::TimeZone,
    pub week: [Vec<(civil::Time, civil::Time)>; 7],
    pub holidays: Vec<civil::Date>,
}

impl BusinessCalendar {
    /// Checks and normalises a calendar: every interval opens before it closes, intervals
    /// of one day do not overlap (touching is fine), and at least one day has hours.
    /// Intervals come back sorted by opening and holidays sorted without duplicates. Errors
    /// name the offending input as `time_zone`, `week` or `week.monday[1]`, where the index
    /// is the position in the list as given.
    pub fn new(
        time_zone: &str,
        week: [Vec<(civil::Time, civil::Time)>; 7],
        holidays: Vec<civil::Date>,
    ) -> Result<Self, ValidationError> {
        let time_zone = TimeZone::get(time_zone)
            .map_err(|e| ValidationError::new("time_zone", e.to_string()))?;
        let mut week = week;
        for (day, intervals) in week.iter_mut().enumerate() {
            *intervals = normalize_day(WEEKDAY_NAMES[day], intervals)?;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(ValidationError::new(
                "week",
                "has no working hours on any day; at least one interval is needed",
            ));
        }
        let mut holidays = holidays;
        holidays.sort_unstable();
        holidays.dedup();
        Ok(Self {
            time_zone,
            week,
            holidays,
        })
    }

    /// Europe/Madrid, Monday to Thursday 09:00–14:00 and 15:00–18:00, Friday 09:00–15:00,
    /// with Spain's national holidays for 2026 and 2027.
    pub fn spanish_default() -> Self {
        spanish_default()
    }

    /// The instant at which `amount` of business time has elapsed, counting from `start`
    /// (or from the next opening if `start` is outside business hours). When the amount
    /// runs out exactly at a closing, that closing is the answer rather than the next
    /// opening. A zero or negative amount gives `start`.
    ///
    /// The search stops after about ten years of local days (3660). If the amount has not
    /// been used up by then (a calendar whose holidays cover everything, or an absurd
    /// amount), the answer is `start` plus 3660 × 24 hours, roughly where the search
    /// ended: the real deadline, if there is one, is later still.
    pub fn add_business_time(&self, start: Timestamp, amount: SignedDuration) -> Timestamp {
        if amount <= SignedDuration::ZERO {
            return start;
        }
        let first = self.local_date(start);
        let last = first.saturating_add(Span::new().days(SEARCH_DAYS));
        let mut remaining = amount;
        for (open, close) in self.open_intervals(start, last) {
            let length = close.duration_since(open);
            if length >= remaining {
                return open.checked_add(remaining).unwrap_or(close);
            }
            remaining -= length;
        }
        start
            .checked_add(SignedDuration::from_hours(24 * SEARCH_DAYS))
            .unwrap_or(Timestamp::MAX)
    }

    /// The business time within `[from, to)`; zero when `to` is not after `from`. The
    /// cost grows with the number of days in between, not with the amount of time.
    ///
    /// For any `start` and positive `amount` that fits the search window,
    /// `business_time_between(start, add_business_time(start, amount)) == amount`.
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        let last = self.local_date(to).saturating_add(Span::new().days(1));
        let mut total = SignedDuration::ZERO;
        for (open, close) in self.open_intervals(from, last) {
            if open >= to {
                break;
            }
            total += close.min(to).duration_since(open);
        }
        total
    }

    /// Whether `at` falls within business hours (openings included, closings excluded).
    pub fn is_open(&self, at: Timestamp) -> bool {
        let last = self.local_date(at).saturating_add(Span::new().days(1));
        self.open_intervals(at, last)
            .next()
            .is_some_and(|(open, _)| open == at)
    }

    fn local_date(&self, at: Timestamp) -> civil::Date {
        self.time_zone.to_datetime(at).date()
    }

    /// Business intervals as disjoint, ordered instants, clipped so that none starts before
    /// `from`, covering local days up to and including `last`.
    fn open_intervals(&self, from: Timestamp, last: civil::Date) -> OpenIntervals<'_> {
        // The day before can reach into `from`'s day when a closing at midnight lands in a
        // fold, so reading starts there.
        let first = self.local_date(from);
        OpenIntervals {
            cal: self,
            holidays_sorted: self.holidays.is_sorted(),
            next_date: Some(first.yesterday().unwrap_or(first)),
            last,
            floor: from,
            day: Vec::new(),
            pos: 0,
        }
    }
}

/// Europe/Madrid, Monday to Thursday 09:00–14:00 and 15:00–18:00, Friday 09:00–15:00,
/// weekend closed, with Spain's national holidays for 2026 and 2027 (those that fall on a
/// Sunday are listed anyway; they change nothing).
pub fn spanish_default() -> BusinessCalendar {
    let t = |hour| civil::time(hour, 0, 0, 0);
    let long_day = vec![(t(9), t(14)), (t(15), t(18))];
    let friday = vec![(t(9), t(15))];
    let holidays = [2026, 2027]
        .into_iter()
        .flat_map(|year| {
            let good_friday = if year == 2026 {
                civil::date(2026, 4, 3)
            } else {
                civil::date(2027, 3, 26)
            };
            [
                civil::date(year, 1, 1),
                civil::date(year, 1, 6),
                good_friday,
                civil::date(year, 5, 1),
                civil::date(year, 8, 15),
                civil::date(year, 10, 12),
                civil::date(year, 11, 1),
                civil::date(year, 12, 6),
                civil::date(year, 12, 8),
                civil::date(year, 12, 25),
            ]
        })
        .collect::<Vec<_>>();
    // The bundled database always has Madrid; the POSIX rule (its current one) only
    // guards against a build without it, so that this constructor cannot fail.
    let time_zone = TimeZone::get("Europe/Madrid")
        .or_else(|_| TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3"))
        .unwrap_or(TimeZone::fixed(jiff::tz::offset(1)));
    let mut cal = BusinessCalendar {
        time_zone,
        week: [
            long_day.clone(),
            long_day.clone(),
            long_day.clone(),
            long_day,
            friday,
            Vec::new(),
            Vec::new(),
        ],
        holidays,
    };
    cal.holidays.sort_unstable();
    cal
}

/// A closing of 00:00 or `Time::MAX` stands for 24:00.
fn closes_at_midnight(close: civil::Time) -> bool {
    close == civil::Time::midnight() || close == civil::Time::MAX
}

/// Whether a day's interval closing at `close` is still open at `t` (wall-clock).
fn closes_after(close: civil::Time, t: civil::Time) -> bool {
    closes_at_midnight(close) || close > t
}

fn normalize_day(
    day: &str,
    intervals: &[(civil::Time, civil::Time)],
) -> Result<Vec<(civil::Time, civil::Time)>, ValidationError> {
    let field = |index: usize| format!("week.{day}[{index}]");
    let mut indexed: Vec<(usize, civil::Time, civil::Time)> = intervals
        .iter()
        .enumerate()
        .map(|(i, &(open, close))| (i, open, close))
        .collect();
    for &(i, open, close) in &indexed {
        if !closes_after(close, open) {
            return Err(ValidationError::new(
                field(i),
                format!(
                    "opens at {open} but closes at {close}; the opening must come first \
                     (use 00:00 as the closing for midnight)"
                ),
            ));
        }
    }
    indexed.sort_by_key(|&(i, open, _)| (open, i));
    for pair in indexed.windows(2) {
        let (i, open, close) = pair[1];
        let (prev_i, prev_open, prev_close) = pair[0];
        if closes_after(prev_close, open) {
            return Err(ValidationError::new(
                field(i),
                format!(
                    "{open}–{close} overlaps {prev_open}–{prev_close} ({})",
                    field(prev_i)
                ),
            ));
        }
    }
    Ok(indexed
        .into_iter()
        .map(|(_, open, close)| (open, close))
        .collect())
}

#[derive(Clone, Copy)]
enum Edge {
    Opening,
    Closing,
}

/// The instant of a wall-clock boundary, with the gap and fold rules of the module docs.
fn resolve(tz: &TimeZone, dt: civil::DateTime, edge: Edge) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Fold { before, after } => match edge {
            Edge::Opening => before.to_timestamp(dt).ok(),
            Edge::Closing => after.to_timestamp(dt).ok(),
        },
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the offset after the jump, the wall-clock time names an instant
            // before the jump, so the next transition from there is the jump itself.
            let before_jump = after.to_timestamp(dt).ok()?;
            tz.following(before_jump).next().map(|t| t.timestamp())
        }
    }
}

struct OpenIntervals<'a> {
    cal: &'a BusinessCalendar,
    holidays_sorted: bool,
    next_date: Option<civil::Date>,
    last: civil::Date,
    /// Nothing before this instant is yielded: the caller's start at first, then the end
    /// of the last interval yielded, which is what merges overlapping intervals.
    floor: Timestamp,
    day: Vec<(Timestamp, Timestamp)>,
    pos: usize,
}

impl OpenIntervals<'_> {
    fn is_holiday(&self, date: civil::Date) -> bool {
        if self.holidays_sorted {
            self.cal.holidays.binary_search(&date).is_ok()
        } else {
            self.cal.holidays.contains(&date)
        }
    }

    fn load_day(&mut self, date: civil::Date) {
        self.day.clear();
        self.pos = 0;
        if self.is_holiday(date) {
            return;
        }
        let tz = &self.cal.time_zone;
        let weekday = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        for &(open, close) in &self.cal.week[weekday] {
            let Some(start) = resolve(tz, date.to_datetime(open), Edge::Opening) else {
                continue;
            };
            let end = if closes_at_midnight(close) {
                date.tomorrow().ok().and_then(|next| {
                    resolve(tz, next.to_datetime(civil::Time::midnight()), Edge::Closing)
                })
            } else {
                resolve(tz, date.to_datetime(close), Edge::Closing)
            };
            if let Some(end) = end
                && start < end
            {
                self.day.push((start, end));
            }
        }
        self.day.sort_unstable();
    }
}

impl Iterator for OpenIntervals<'_> {
    type Item = (Timestamp, Timestamp);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(&(start, end)) = self.day.get(self.pos) {
                self.pos += 1;
                let start = start.max(self.floor);
                if start < end {
                    self.floor = end;
                    return Some((start, end));
                }
                continue;
            }
            let date = self.next_date.filter(|&d| d <= self.last)?;
            self.next_date = date.tomorrow().ok();
            self.load_day(date);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wall-clock time in Madrid, written "YYYY-MM-DD HH:MM".
    fn at(local: &str) -> Timestamp {
        let dt: civil::DateTime = local.parse().expect("a civil datetime");
        dt.in_tz("Europe/Madrid")
            .expect("a valid Madrid time")
            .timestamp()
    }

    fn dur(text: &str) -> SignedDuration {
        super::super::parse_business_duration(text).expect("a duration")
    }

    fn utc(text: &str) -> Timestamp {
        text.parse().expect("an RFC 3339 instant")
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn mins(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn t(h: i8, m: i8) -> civil::Time {
        civil::time(h, m, 0, 0)
    }

    fn calendar(
        week: [Vec<(civil::Time, civil::Time)>; 7],
        holidays: Vec<civil::Date>,
    ) -> BusinessCalendar {
        match BusinessCalendar::new("Europe/Madrid", week, holidays) {
            Ok(cal) => cal,
            Err(e) => panic!("invalid test calendar: {e}"),
        }
    }

    fn always_open() -> BusinessCalendar {
        calendar(
            std::array::from_fn(|_| vec![(t(0, 0), t(0, 0))]),
            Vec::new(),
        )
    }

    fn sundays(intervals: Vec<(civil::Time, civil::Time)>) -> BusinessCalendar {
        let mut week: [Vec<(civil::Time, civil::Time)>; 7] = Default::default();
        week[6] = intervals;
        calendar(week, Vec::new())
    }

    #[test]
    fn adding_business_time_with_the_spanish_calendar() {
        let cal = spanish_default();
        let cases = [
            // Friday closes at 15:00: one hour on Friday, two on Monday.
            (
                "2026-03-06 14:00",
                "3h",
                "2026-03-09 11:00",
                "across the weekend",
            ),
            (
                "2026-03-06 14:00",
                "1h",
                "2026-03-06 15:00",
                "ends exactly at closing",
            ),
            ("2026-03-09 13:00", "2h", "2026-03-09 16:00", "across lunch"),
            (
                "2026-03-09 13:00",
                "1h",
                "2026-03-09 14:00",
                "ends at lunch",
            ),
            (
                "2026-03-09 14:20",
                "30m",
                "2026-03-09 15:30",
                "starts at lunch",
            ),
            (
                "2026-03-09 07:00",
                "1h",
                "2026-03-09 10:00",
                "before opening",
            ),
            (
                "2026-03-09 20:00",
                "1h",
                "2026-03-10 10:00",
                "after closing",
            ),
            ("2026-03-07 12:00", "30m", "2026-03-09 09:30", "on Saturday"),
            ("2026-12-08 10:00", "1h", "2026-12-09 10:00", "on a holiday"),
            (
                "2026-12-07 17:00",
                "2h",
                "2026-12-09 10:00",
                "across a holiday",
            ),
            (
                "2026-12-24 17:00",
                "2h",
                "2026-12-28 10:00",
                "across Christmas",
            ),
            (
                "2026-04-02 17:30",
                "1h",
                "2026-04-06 09:30",
                "across Good Friday",
            ),
            (
                "2026-03-09 09:00",
                "38h",
                "2026-03-13 15:00",
                "a whole week",
            ),
            (
                "2026-03-27 14:00",
                "2h",
                "2026-03-30 10:00",
                "across spring forward",
            ),
            (
                "2026-10-23 14:00",
                "2h",
                "2026-10-26 10:00",
                "across fall back",
            ),
        ];
        for (start, amount, expected, name) in cases {
            assert_eq!(
                cal.add_business_time(at(start), dur(amount)),
                at(expected),
                "{name}"
            );
        }
        let start = at("2026-03-07 12:00");
        assert_eq!(cal.add_business_time(start, SignedDuration::ZERO), start);
        assert_eq!(cal.add_business_time(start, hours(-2)), start);
    }

    #[test]
    fn measuring_business_time_with_the_spanish_calendar() {
        let cal = spanish_default();
        let cases = [
            (
                "2026-03-09 00:00",
                "2026-03-10 00:00",
                "8h",
                "a working Monday",
            ),
            (
                "2026-03-09 00:00",
                "2026-03-16 00:00",
                "38h",
                "a whole week",
            ),
            (
                "2026-12-07 00:00",
                "2026-12-14 00:00",
                "30h",
                "a week with a holiday",
            ),
            ("2026-03-07 00:00", "2026-03-09 00:00", "0m", "a weekend"),
            ("2026-03-09 14:00", "2026-03-09 15:00", "0m", "lunch"),
            (
                "2026-03-06 14:00",
                "2026-03-09 11:00",
                "3h",
                "Friday to Monday",
            ),
            ("2026-03-09 12:00", "2026-03-09 10:00", "0m", "reversed"),
            ("2026-03-09 12:00", "2026-03-09 12:00", "0m", "empty"),
            (
                "2026-03-09 09:15",
                "2026-03-09 09:45",
                "30m",
                "within a morning",
            ),
        ];
        for (from, to, expected, name) in cases {
            let expected = if expected == "0m" {
                SignedDuration::ZERO
            } else {
                dur(expected)
            };
            assert_eq!(
                cal.business_time_between(at(from), at(to)),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn opening_hours_are_half_open() {
        let cal = spanish_default();
        let cases = [
            ("2026-03-09 09:00", true),
            ("2026-03-09 08:59", false),
            ("2026-03-09 14:00", false),
            ("2026-03-09 17:59", true),
            ("2026-03-09 18:00", false),
            ("2026-03-13 14:30", true),
            ("2026-03-13 15:00", false),
            ("2026-03-14 10:00", false),
            ("2026-12-08 10:00", false),
            ("2026-03-30 09:30", true),
        ];
        for (local, expected) in cases {
            assert_eq!(cal.is_open(at(local)), expected, "{local}");
        }
    }

    #[test]
    fn spring_forward_loses_the_missing_hour() {
        let cal = always_open();
        let sunday = at("2026-03-29 00:00");
        let monday = at("2026-03-30 00:00");
        assert_eq!(cal.business_time_between(sunday, monday), hours(23));
        assert_eq!(
            cal.add_business_time(sunday, hours(24)),
            at("2026-03-30 01:00")
        );
        assert!(cal.is_open(utc("2026-03-29T01:00:00Z")));

        let night = sundays(vec![(t(1, 0), t(5, 0))]);
        let saturday = at("2026-03-28 00:00");
        assert_eq!(night.business_time_between(saturday, monday), hours(3));
        assert_eq!(
            night.business_time_between(at("2026-03-21 00:00"), at("2026-03-23 00:00")),
            hours(4)
        );
        // 01:00 CET + 1h is the jump to 03:00 CEST; one more hour gives 04:00 CEST.
        assert_eq!(
            night.add_business_time(saturday, hours(2)),
            utc("2026-03-29T02:00:00Z")
        );
        assert_eq!(
            night.add_business_time(saturday, hours(3)),
            utc("2026-03-29T03:00:00Z")
        );
    }

    #[test]
    fn boundaries_in_the_gap_move_to_the_jump() {
        let opens_in_gap = sundays(vec![(t(2, 30), t(4, 0))]);
        assert!(!opens_in_gap.is_open(utc("2026-03-29T00:59:59Z")));
        assert!(opens_in_gap.is_open(utc("2026-03-29T01:00:00Z")));
        assert_eq!(
            opens_in_gap.business_time_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")),
            hours(1)
        );

        let inside_gap = sundays(vec![(t(2, 10), t(2, 50))]);
        assert_eq!(
            inside_gap.business_time_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")),
            SignedDuration::ZERO
        );
        assert_eq!(
            inside_gap.business_time_between(at("2026-03-22 00:00"), at("2026-03-23 00:00")),
            mins(40)
        );
        // The next Sunday with hours is a week later.
        assert_eq!(
            inside_gap.add_business_time(at("2026-03-28 00:00"), mins(10)),
            at("2026-04-05 02:20")
        );
    }

    #[test]
    fn fall_back_counts_the_repeated_hour_twice() {
        let cal = always_open();
        let sunday = at("2026-10-25 00:00");
        let monday = at("2026-10-26 00:00");
        assert_eq!(cal.business_time_between(sunday, monday), hours(25));
        assert_eq!(
            cal.add_business_time(sunday, hours(24)),
            at("2026-10-25 23:00")
        );

        // First 02:00 (CEST) to 03:00 (CET): both passes through the repeated hour.
        let repeated = sundays(vec![(t(2, 0), t(3, 0))]);
        let saturday = at("2026-10-24 00:00");
        assert_eq!(repeated.business_time_between(saturday, monday), hours(2));
        assert_eq!(
            repeated.add_business_time(saturday, hours(2)),
            utc("2026-10-25T02:00:00Z")
        );
        assert!(repeated.is_open(utc("2026-10-25T00:00:00Z")));
        assert!(repeated.is_open(utc("2026-10-25T01:30:00Z")));
        assert!(!repeated.is_open(utc("2026-10-25T02:00:00Z")));

        // Opening at the first 02:15 (00:15Z), closing at the second 02:45 (01:45Z).
        let inside = sundays(vec![(t(2, 15), t(2, 45))]);
        assert_eq!(inside.business_time_between(saturday, monday), mins(90));

        let night = sundays(vec![(t(1, 0), t(5, 0))]);
        assert_eq!(night.business_time_between(saturday, monday), hours(5));
    }

    #[test]
    fn intervals_touching_in_the_fold_are_not_counted_twice() {
        let split = sundays(vec![(t(0, 0), t(2, 30)), (t(2, 30), t(5, 0))]);
        let saturday = at("2026-10-24 00:00");
        let monday = at("2026-10-26 00:00");
        // 22:00Z to 04:00Z, although the two halves alone would add up to seven hours.
        assert_eq!(split.business_time_between(saturday, monday), hours(6));
        for minutes in 1..=360 {
            let amount = mins(minutes);
            let due = split.add_business_time(saturday, amount);
            assert_eq!(
                split.business_time_between(saturday, due),
                amount,
                "{minutes}m"
            );
        }
    }

    #[test]
    fn midnight_can_be_written_as_the_last_instant_of_the_day() {
        let max = calendar(
            std::array::from_fn(|_| vec![(t(0, 0), civil::Time::MAX)]),
            Vec::new(),
        );
        let week = (at("2026-03-23 00:00"), at("2026-03-30 00:00"));
        assert_eq!(max.business_time_between(week.0, week.1), hours(7 * 24 - 1));
        let evenings = calendar(
            std::array::from_fn(|_| vec![(t(20, 0), t(0, 0))]),
            Vec::new(),
        );
        assert_eq!(
            evenings.add_business_time(at("2026-03-09 23:00"), hours(2)),
            at("2026-03-10 21:00")
        );
    }

    #[test]
    fn adding_and_measuring_are_inverse() {
        let cal = spanish_default();
        // 60 days from mid March: spring forward, Good Friday and 1 May are inside.
        let origin = at("2026-03-16 00:00");
        let step = mins(37);
        let mut start = origin;
        while start < origin + hours(60 * 24) {
            for h in 1..=50 {
                let amount = hours(h);
                let due = cal.add_business_time(start, amount);
                assert_eq!(
                    cal.business_time_between(start, due),
                    amount,
                    "{start} + {h}h = {due}"
                );
                assert!(due > start, "{start} + {h}h = {due}");
            }
            start += step;
        }
    }

    #[test]
    fn adding_and_measuring_are_inverse_across_folds_and_gaps() {
        let calendars = [
            always_open(),
            sundays(vec![(t(1, 0), t(5, 0))]),
            sundays(vec![(t(2, 15), t(2, 45)), (t(3, 0), t(4, 0))]),
        ];
        for cal in &calendars {
            for origin in [at("2026-03-28 00:00"), at("2026-10-24 00:00")] {
                let mut start = origin;
                while start < origin + hours(48) {
                    for m in (7..=600).step_by(17) {
                        let amount = mins(m);
                        let due = cal.add_business_time(start, amount);
                        assert_eq!(
                            cal.business_time_between(start, due),
                            amount,
                            "{start}+{m}m"
                        );
                    }
                    start += mins(13);
                }
            }
        }
    }

    #[test]
    fn a_calendar_of_holidays_gives_up() {
        let start = at("2026-01-01 00:00");
        let holidays: Vec<civil::Date> = civil::date(2026, 1, 1)
            .series(Span::new().days(1))
            .take(20 * 366)
            .collect();
        let cal = calendar(spanish_default().week, holidays);
        let due = cal.add_business_time(start, hours(1));
        assert_eq!(due, start + hours(24 * SEARCH_DAYS));
        let spanish = spanish_default();
        let far = spanish.add_business_time(start, hours(1_000_000));
        assert_eq!(far, start + hours(24 * SEARCH_DAYS));
    }

    #[test]
    fn validation_names_the_interval() {
        let mut reversed: [Vec<(civil::Time, civil::Time)>; 7] = Default::default();
        reversed[1] = vec![(t(9, 0), t(14, 0)), (t(18, 0), t(15, 0))];
        let mut overlapping: [Vec<(civil::Time, civil::Time)>; 7] = Default::default();
        overlapping[0] = vec![
            (t(15, 0), t(18, 0)),
            (t(9, 0), t(14, 0)),
            (t(13, 0), t(16, 0)),
        ];
        let mut empty_interval: [Vec<(civil::Time, civil::Time)>; 7] = Default::default();
        empty_interval[4] = vec![(t(9, 0), t(9, 0))];
        let cases = [
            ("Europe/Madrid", reversed, "week.tuesday[1]"),
            ("Europe/Madrid", overlapping, "week.monday[2]"),
            ("Europe/Madrid", empty_interval, "week.friday[0]"),
            ("Europe/Madrid", Default::default(), "week"),
            ("Europe/Madird", spanish_default().week, "time_zone"),
        ];
        for (zone, week, field) in cases {
            let err = BusinessCalendar::new(zone, week, Vec::new())
                .err()
                .map(|e| e.field);
            assert_eq!(err.as_deref(), Some(field));
        }
    }

    #[test]
    fn new_sorts_intervals_and_holidays() {
        let mut week: [Vec<(civil::Time, civil::Time)>; 7] = Default::default();
        week[0] = vec![(t(15, 0), t(18, 0)), (t(9, 0), t(15, 0))];
        let holidays = vec![
            civil::date(2026, 12, 8),
            civil::date(2026, 1, 1),
            civil::date(2026, 12, 8),
        ];
        let cal = calendar(week, holidays);
        assert_eq!(cal.week[0], vec![(t(9, 0), t(15, 0)), (t(15, 0), t(18, 0))]);
        assert_eq!(
            cal.holidays,
            vec![civil::date(2026, 1, 1), civil::date(2026, 12, 8)]
        );
        // Touching intervals behave as one.
        assert_eq!(
            cal.add_business_time(at("2026-03-09 14:00"), hours(2)),
            at("2026-03-09 16:00")
        );
    }

    #[test]
    fn a_calendar_built_from_its_fields_is_read_in_order() {
        let mut cal = spanish_default();
        cal.week[0] = vec![(t(15, 0), t(18, 0)), (t(9, 0), t(14, 0))];
        cal.holidays.reverse();
        assert_eq!(
            cal.add_business_time(at("2026-12-07 08:00"), hours(9)),
            at("2026-12-09 10:00")
        );
    }

    #[test]
    fn the_spanish_calendar() {
        let cal = spanish_default();
        assert_eq!(cal.time_zone.iana_name(), Some("Europe/Madrid"));
        assert_eq!(cal.holidays.len(), 20);
        assert!(cal.holidays.contains(&civil::date(2027, 3, 26)));
        assert!(cal.week[5].is_empty() && cal.week[6].is_empty());
        let rebuilt =
            BusinessCalendar::new("Europe/Madrid", cal.week.clone(), cal.holidays.clone());
        assert_eq!(
            rebuilt.map(|c| (c.week, c.holidays)),
            Ok((cal.week, cal.holidays))
        );
    }
}
