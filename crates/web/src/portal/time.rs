//! Times as customers read them, in the company's time zone: "hoy a las 14:30", "mañana
//! antes de las 10:00", "el martes 9 de diciembre antes de las 10:00".

use crate::console::Lang;
use jiff::Timestamp;
use jiff::civil::Weekday;

use crate::pages::madrid;

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday(day: Weekday, lang: Lang) -> &'static str {
    match (day, lang) {
        (Weekday::Monday, Lang::Es) => "lunes",
        (Weekday::Tuesday, Lang::Es) => "martes",
        (Weekday::Wednesday, Lang::Es) => "miércoles",
        (Weekday::Thursday, Lang::Es) => "jueves",
        (Weekday::Friday, Lang::Es) => "viernes",
        (Weekday::Saturday, Lang::Es) => "sábado",
        (Weekday::Sunday, Lang::Es) => "domingo",
        (Weekday::Monday, Lang::En) => "Monday",
        (Weekday::Tuesday, Lang::En) => "Tuesday",
        (Weekday::Wednesday, Lang::En) => "Wednesday",
        (Weekday::Thursday, Lang::En) => "Thursday",
        (Weekday::Friday, Lang::En) => "Friday",
        (Weekday::Saturday, Lang::En) => "Saturday",
        (Weekday::Sunday, Lang::En) => "Sunday",
    }
}

/// A day as people say it: "hoy", "ayer", "el martes 9 de diciembre".
fn day(at: Timestamp, now: Timestamp, lang: Lang) -> String {
    let zoned = at.to_zoned_datetime(madrid().clone());
    let today = now.to_zoned_datetime(madrid().clone()).date();
    let date = zoned.date();
    let month = usize::try_from(date.month() - 1).unwrap_or(0) % 12;
    let days_from_today = (date - today).get_days();
    match (days_from_today, lang) {
        (0, Lang::Es) => "hoy".into(),
        (0, Lang::En) => "today".into(),
        (1, Lang::Es) => "mañana".into(),
        (1, Lang::En) => "tomorrow".into(),
        (-1, Lang::Es) => "ayer".into(),
        (-1, Lang::En) => "yesterday".into(),
        (_, Lang::Es) => format!(
            "el {} {} de {}",
            weekday(date.weekday(), lang),
            date.day(),
            MONTHS_ES[month]
        ),
        (_, Lang::En) => format!(
            "on {} {} {}",
            weekday(date.weekday(), lang),
            date.day(),
            MONTHS_EN[month]
        ),
    }
}

/// When something happened: "hoy a las 14:30", "el martes 9 de diciembre a las 10:05".
pub fn when(at: Timestamp, now: Timestamp, lang: Lang) -> String {
    let hour = at
        .to_zoned_datetime(madrid().clone())
        .strftime("%H:%M")
        .to_string();
    match lang {
        Lang::Es => format!("{} a las {hour}", day(at, now, lang)),
        Lang::En => format!("{} at {hour}", day(at, now, lang)),
    }
}

/// A promise's time: "hoy antes de las 14:30", "on Tuesday 9 December by 10:00".
pub fn by(at: Timestamp, now: Timestamp, lang: Lang) -> String {
    let hour = at
        .to_zoned_datetime(madrid().clone())
        .strftime("%H:%M")
        .to_string();
    match lang {
        Lang::Es => format!("{} antes de las {hour}", day(at, now, lang)),
        Lang::En => format!("{} by {hour}", day(at, now, lang)),
    }
}

/// The machine-readable form for `<time datetime=…>`.
pub fn iso(at: Timestamp) -> String {
    at.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn times_read_as_customers_say_them() {
        let now = ts("2026-12-07T10:00:00Z");
        assert_eq!(
            by(ts("2026-12-07T13:30:00Z"), now, Lang::Es),
            "hoy antes de las 14:30"
        );
        assert_eq!(
            by(ts("2026-12-08T09:00:00Z"), now, Lang::Es),
            "mañana antes de las 10:00"
        );
        assert_eq!(
            by(ts("2026-12-09T09:00:00Z"), now, Lang::Es),
            "el miércoles 9 de diciembre antes de las 10:00"
        );
        assert_eq!(
            when(ts("2026-12-09T09:00:00Z"), now, Lang::En),
            "on Wednesday 9 December at 10:00"
        );
        assert_eq!(
            when(ts("2026-12-06T22:30:00Z"), now, Lang::Es),
            "ayer a las 23:30"
        );
    }
}
