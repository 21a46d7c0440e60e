//! Times as agents read them: in the company's time zone (Europe/Madrid), to the minute.

use super::texts::Lang;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::sync::OnceLock;

fn madrid() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| TimeZone::get("Europe/Madrid").unwrap_or(TimeZone::UTC))
}

pub fn local(at: Timestamp, lang: Lang) -> String {
    let zoned = at.to_zoned_datetime(madrid().clone());
    match lang {
        Lang::Es => zoned.strftime("%d/%m/%Y %H:%M").to_string(),
        Lang::En => zoned.strftime("%Y-%m-%d %H:%M").to_string(),
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
