//! Times as agents read them: in the company's time zone (Europe/Madrid), to the minute.

use super::texts::Lang;
use jiff::Timestamp;

use crate::pages::madrid;

pub fn local(at: Timestamp, lang: Lang) -> String {
    let zoned = at.to_zoned_datetime(madrid().clone());
    match lang {
        Lang::Es => zoned.strftime("%d/%m/%Y %H:%M").to_string(),
        Lang::En => zoned.strftime("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A chat bubble's time: the hour alone on the day it is read, with the day before that
/// (the full date is in the `<time>` element's title).
pub fn clock(at: Timestamp, now: Timestamp, lang: Lang) -> String {
    let zoned = at.to_zoned_datetime(madrid().clone());
    let today = now.to_zoned_datetime(madrid().clone()).date();
    match lang {
        _ if zoned.date() == today => zoned.strftime("%H:%M").to_string(),
        Lang::Es => zoned.strftime("%d/%m %H:%M").to_string(),
        Lang::En => zoned.strftime("%m-%d %H:%M").to_string(),
    }
}

/// How far `due` is from `now`, as an SLA timer reads: "quedan 2 h 10 min", "vencido hace
/// 35 min" (wall-clock time; the due time itself already counts business hours).
pub fn remaining(due: Timestamp, now: Timestamp, lang: Lang) -> String {
    let minutes = (due.as_second() - now.as_second()) / 60;
    let span = |m: i64| {
        let m = m.abs();
        let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
        match (days, hours) {
            (0, 0) => format!("{mins} min"),
            (0, h) => format!("{h} h {mins} min"),
            (d, h) => format!("{d} d {h} h"),
        }
    };
    match (minutes >= 0, lang) {
        (true, Lang::Es) => format!("quedan {}", span(minutes)),
        (false, Lang::Es) => format!("vencido hace {}", span(minutes)),
        (true, Lang::En) => format!("{} left", span(minutes)),
        (false, Lang::En) => format!("overdue by {}", span(minutes)),
    }
}

/// A time typed in a `datetime-local` field ("2026-11-27T09:00"), as Madrid time.
pub fn parse_local(text: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = text.trim().parse().ok()?;
    civil
        .to_zoned_datetime(madrid().clone())
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// The machine-readable form for `<time datetime=…>`.
pub fn iso(at: Timestamp) -> String {
    at.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_count_down_and_then_up() -> Result<(), jiff::Error> {
        let now: Timestamp = "2026-11-26T10:00:00Z".parse()?;
        let due = |s: &str| -> Result<Timestamp, jiff::Error> { s.parse() };
        assert_eq!(
            remaining(due("2026-11-26T12:10:30Z")?, now, Lang::Es),
            "quedan 2 h 10 min"
        );
        assert_eq!(
            remaining(due("2026-11-26T09:25:00Z")?, now, Lang::Es),
            "vencido hace 35 min"
        );
        assert_eq!(
            remaining(due("2026-11-29T15:00:00Z")?, now, Lang::En),
            "3 d 5 h left"
        );
        assert_eq!(
            remaining(due("2026-11-26T09:00:00Z")?, now, Lang::En),
            "overdue by 1 h 0 min"
        );
        Ok(())
    }

    #[test]
    fn bubbles_show_the_hour_and_the_day_only_when_not_today() -> Result<(), jiff::Error> {
        let now: Timestamp = "2026-12-07T20:00:00Z".parse()?;
        let morning: Timestamp = "2026-12-07T08:05:00Z".parse()?;
        assert_eq!(clock(morning, now, Lang::Es), "09:05");
        // The day is Madrid's: 23:30 there on the 6th is not today.
        let late: Timestamp = "2026-12-06T22:30:00Z".parse()?;
        assert_eq!(clock(late, now, Lang::Es), "06/12 23:30");
        let after_midnight: Timestamp = "2026-12-06T23:30:00Z".parse()?;
        assert_eq!(clock(after_midnight, now, Lang::Es), "00:30");
        let yesterday: Timestamp = "2026-12-06T08:05:00Z".parse()?;
        assert_eq!(clock(yesterday, now, Lang::Es), "06/12 09:05");
        assert_eq!(clock(yesterday, now, Lang::En), "12-06 09:05");
        Ok(())
    }

    #[test]
    fn times_are_shown_in_madrid() -> Result<(), jiff::Error> {
        let summer: Timestamp = "2026-07-01T08:30:00Z".parse()?;
        assert_eq!(local(summer, Lang::Es), "01/07/2026 10:30");
        let winter: Timestamp = "2026-11-25T08:30:00Z".parse()?;
        assert_eq!(local(winter, Lang::En), "2026-11-25 09:30");
        Ok(())
    }

    #[test]
    fn typed_times_are_madrid_times() {
        let winter = parse_local("2026-11-27T09:00").map(|t| t.to_string());
        assert_eq!(winter.as_deref(), Some("2026-11-27T08:00:00Z"));
        assert_eq!(parse_local("mañana"), None);
    }
}
