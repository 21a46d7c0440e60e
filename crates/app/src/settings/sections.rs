//! The editable sections as an operator writes them (durations as "8h", hours as
//! "09:00-14:00"), shared by `soporte.toml` and the console, and their checks. An error
//! names the key under the prefix it was given (`policy.calendar` in the file,
//! `calendar` in the console).

use crate::email::EmailTemplates;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use soporte_core::policy::checklist::ProductArea;
use soporte_core::policy::rules::{PriorityTargets, SlaTargets};
use soporte_core::policy::sla::{
    BusinessCalendar, SlaTarget, WEEKDAY_NAMES, parse_business_duration,
};
use std::collections::HashSet;
use thiserror::Error;

/// An invalid value and the key it was given under.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{key}: {message}")]
pub struct SettingError {
    pub key: String,
    pub message: String,
}

fn error(key: impl Into<String>, message: impl Into<String>) -> SettingError {
    SettingError {
        key: key.into(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductAreaSettings {
    pub name: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

/// The product areas the checklist recognises, or the first invalid one. Names must be
/// unique (ignoring case): two areas with one name could never be told apart.
pub fn product_areas(
    key: &str,
    areas: &[ProductAreaSettings],
) -> Result<Vec<ProductArea>, SettingError> {
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(areas.len());
    for (i, area) in areas.iter().enumerate() {
        let name = area.name.trim();
        if name.is_empty() {
            return Err(error(format!("{key}[{i}].name"), "must not be empty"));
        }
        if !seen.insert(name.to_lowercase()) {
            return Err(error(
                format!("{key}[{i}].name"),
                format!("{name:?} is used twice"),
            ));
        }
        checked.push(ProductArea {
            name: name.to_string(),
            synonyms: area
                .synonyms
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    Ok(checked)
}

pub fn product_area_settings(areas: &[ProductArea]) -> Vec<ProductAreaSettings> {
    areas
        .iter()
        .map(|a| ProductAreaSettings {
            name: a.name.clone(),
            synonyms: a.synonyms.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    pub time_zone: String,
    /// Working hours as "HH:MM-HH:MM" spans, local time.
    pub monday: Vec<String>,
    pub tuesday: Vec<String>,
    pub wednesday: Vec<String>,
    pub thursday: Vec<String>,
    pub friday: Vec<String>,
    pub saturday: Vec<String>,
    pub sunday: Vec<String>,
    /// Days without service, "YYYY-MM-DD".
    pub holidays: Vec<String>,
}

/// A "HH:MM-HH:MM" span; "24:00" closes at midnight.
fn parse_span(key: &str, text: &str) -> Result<(Time, Time), SettingError> {
    let bad = || error(key, format!("{text:?} is not a span like \"09:00-14:00\""));
    let (from, to) = text.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| -> Result<Time, SettingError> {
        let t = t.trim();
        if t == "24:00" {
            return Ok(Time::midnight());
        }
        Time::strptime("%H:%M", t).map_err(|_| bad())
    };
    Ok((time(from)?, time(to)?))
}

fn span_text((from, to): &(Time, Time)) -> String {
    let to = if *to == Time::midnight() {
        "24:00".to_string()
    } else {
        to.strftime("%H:%M").to_string()
    };
    format!("{}-{to}", from.strftime("%H:%M"))
}

impl CalendarSettings {
    pub fn of(calendar: &BusinessCalendar) -> Self {
        let spans = |day: usize| calendar.week[day].iter().map(span_text).collect();
        Self {
            time_zone: calendar
                .time_zone
                .iana_name()
                .unwrap_or("Europe/Madrid")
                .to_string(),
            monday: spans(0),
            tuesday: spans(1),
            wednesday: spans(2),
            thursday: spans(3),
            friday: spans(4),
            saturday: spans(5),
            sunday: spans(6),
            holidays: calendar.holidays.iter().map(ToString::to_string).collect(),
        }
    }

    /// The weekdays' spans, Monday first (the order of [`WEEKDAY_NAMES`]).
    pub fn days(&self) -> [&Vec<String>; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }

    pub fn days_mut(&mut self) -> [&mut Vec<String>; 7] {
        [
            &mut self.monday,
            &mut self.tuesday,
            &mut self.wednesday,
            &mut self.thursday,
            &mut self.friday,
            &mut self.saturday,
            &mut self.sunday,
        ]
    }

    pub fn to_calendar(&self, key: &str) -> Result<BusinessCalendar, SettingError> {
        let mut week: [Vec<(Time, Time)>; 7] = Default::default();
        for ((slot, day), spans) in week.iter_mut().zip(WEEKDAY_NAMES).zip(self.days()) {
            for (i, span) in spans.iter().enumerate() {
                slot.push(parse_span(&format!("{key}.{day}[{i}]"), span)?);
            }
        }
        let mut holidays = Vec::with_capacity(self.holidays.len());
        for (i, day) in self.holidays.iter().enumerate() {
            holidays.push(day.trim().parse::<Date>().map_err(|_| {
                error(
                    format!("{key}.holidays[{i}]"),
                    format!("{day:?} is not a date like 2026-12-25"),
                )
            })?);
        }
        BusinessCalendar::new(&self.time_zone, week, holidays)
            .map_err(|e| error(format!("{key}.{}", e.field), e.message))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSettings {
    pub first_response: String,
    pub resolution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargetSettings {
    pub normal: TargetSettings,
    pub urgent: TargetSettings,
}

/// First-response and resolution targets in business time ("8h", "1h30m").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaSettings {
    pub administrative: PriorityTargetSettings,
    pub usage: PriorityTargetSettings,
    pub technical: PriorityTargetSettings,
    pub unclassified: PriorityTargetSettings,
    /// Calling back a customer whose call was missed.
    #[serde(default = "default_call_back")]
    pub call_back: TargetSettings,
}

fn default_call_back() -> TargetSettings {
    TargetSettings::of(&SlaTargets::default().call_back)
}

impl TargetSettings {
    fn of(t: &SlaTarget) -> Self {
        Self {
            first_response: duration_text(t.first_response),
            resolution: duration_text(t.resolution),
        }
    }

    fn to_target(&self, key: &str) -> Result<SlaTarget, SettingError> {
        let parse = |field: &str, text: &str| {
            parse_business_duration(text.trim())
                .map_err(|e| error(format!("{key}.{field}"), e.message))
        };
        let first_response = parse("first_response", &self.first_response)?;
        let resolution = parse("resolution", &self.resolution)?;
        if resolution < first_response {
            return Err(error(
                format!("{key}.resolution"),
                "must not be shorter than first_response",
            ));
        }
        Ok(SlaTarget {
            first_response,
            resolution,
        })
    }
}

/// A business duration as the settings write it: "8h", "30m", "1h30m".
pub fn duration_text(d: jiff::SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h}h"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m}m"),
    }
}

impl PriorityTargetSettings {
    fn of(t: &PriorityTargets) -> Self {
        Self {
            normal: TargetSettings::of(&t.normal),
            urgent: TargetSettings::of(&t.urgent),
        }
    }

    fn to_targets(&self, key: &str) -> Result<PriorityTargets, SettingError> {
        Ok(PriorityTargets {
            normal: self.normal.to_target(&format!("{key}.normal"))?,
            urgent: self.urgent.to_target(&format!("{key}.urgent"))?,
        })
    }
}

impl SlaSettings {
    pub fn of(sla: &SlaTargets) -> Self {
        Self {
            administrative: PriorityTargetSettings::of(&sla.administrative),
            usage: PriorityTargetSettings::of(&sla.usage),
            technical: PriorityTargetSettings::of(&sla.technical),
            unclassified: PriorityTargetSettings::of(&sla.unclassified),
            call_back: TargetSettings::of(&sla.call_back),
        }
    }

    /// The four support-type rows with their key names, in the order people read them.
    pub fn rows_mut(&mut self) -> [(&'static str, &mut PriorityTargetSettings); 4] {
        [
            ("administrative", &mut self.administrative),
            ("usage", &mut self.usage),
            ("technical", &mut self.technical),
            ("unclassified", &mut self.unclassified),
        ]
    }

    pub fn to_targets(&self, key: &str) -> Result<SlaTargets, SettingError> {
        Ok(SlaTargets {
            administrative: self
                .administrative
                .to_targets(&format!("{key}.administrative"))?,
            usage: self.usage.to_targets(&format!("{key}.usage"))?,
            technical: self.technical.to_targets(&format!("{key}.technical"))?,
            unclassified: self
                .unclassified
                .to_targets(&format!("{key}.unclassified"))?,
            call_back: self.call_back.to_target(&format!("{key}.call_back"))?,
        })
    }
}

/// Replacements for the built-in texts of outgoing mail (minijinja templates); a missing
/// one keeps the built-in text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateOverrides {
    pub acknowledgement_subject: Option<String>,
    pub acknowledgement_body: Option<String>,
    pub reply_subject: Option<String>,
    pub reply_footer: Option<String>,
    pub item_screenshot: Option<String>,
    pub item_location: Option<String>,
    pub item_timing: Option<String>,
    pub item_account_user: Option<String>,
    pub item_description: Option<String>,
    pub notification_subject: Option<String>,
    pub notification_body: Option<String>,
    pub satisfaction_subject: Option<String>,
    pub satisfaction_body: Option<String>,
}

impl TemplateOverrides {
    /// Every text of `templates`, as overrides.
    pub fn of(templates: &EmailTemplates) -> Self {
        let mut overrides = Self::default();
        for (name, text) in templates.named() {
            if let Some(slot) = overrides.slot(name) {
                *slot = Some(text.to_string());
            }
        }
        overrides
    }

    /// The override named `name` (as in [`EmailTemplates::named`]).
    pub fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "acknowledgement_subject" => &mut self.acknowledgement_subject,
            "acknowledgement_body" => &mut self.acknowledgement_body,
            "reply_subject" => &mut self.reply_subject,
            "reply_footer" => &mut self.reply_footer,
            "item_screenshot" => &mut self.item_screenshot,
            "item_location" => &mut self.item_location,
            "item_timing" => &mut self.item_timing,
            "item_account_user" => &mut self.item_account_user,
            "item_description" => &mut self.item_description,
            "notification_subject" => &mut self.notification_subject,
            "notification_body" => &mut self.notification_body,
            "satisfaction_subject" => &mut self.satisfaction_subject,
            "satisfaction_body" => &mut self.satisfaction_body,
            _ => return None,
        })
    }

    /// `base` with these texts in place, or the first one that does not compile.
    pub fn apply(&self, key: &str, base: &EmailTemplates) -> Result<EmailTemplates, SettingError> {
        let mut t = base.clone();
        for (slot, value) in [
            (
                &mut t.acknowledgement_subject,
                &self.acknowledgement_subject,
            ),
            (&mut t.acknowledgement_body, &self.acknowledgement_body),
            (&mut t.reply_subject, &self.reply_subject),
            (&mut t.reply_footer, &self.reply_footer),
            (&mut t.item_screenshot, &self.item_screenshot),
            (&mut t.item_location, &self.item_location),
            (&mut t.item_timing, &self.item_timing),
            (&mut t.item_account_user, &self.item_account_user),
            (&mut t.item_description, &self.item_description),
            (&mut t.notification_subject, &self.notification_subject),
            (&mut t.notification_body, &self.notification_body),
            (&mut t.satisfaction_subject, &self.satisfaction_subject),
            (&mut t.satisfaction_body, &self.satisfaction_body),
        ] {
            if let Some(v) = value {
                slot.clone_from(v);
            }
        }
        t.validate()
            .map_err(|e| error(format!("{key}.{}", e.name), e.message))?;
        for (name, text) in t.named() {
            if text.trim().is_empty() {
                return Err(error(format!("{key}.{name}"), "must not be empty"));
            }
        }
        Ok(t)
    }
}

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Tls,
    /// Plain connection upgraded with STARTTLS (IMAP 143, submission 587).
    Starttls,
    /// No encryption: only for servers on the same machine or a private network.
    Plain,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::Tls, Security::Starttls, Security::Plain];

    pub fn name(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::Plain => "plain",
        }
    }
}

impl std::str::FromStr for Security {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Security::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| error("security", "one of tls, starttls, plain"))
    }
}

/// An IMAP mailbox added from the console. Mailboxes that need a private CA or a password
/// file are configured in `soporte.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxSettings {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// Kept in the database and never shown again; blank in what the console lists.
    pub password: String,
    pub folder: String,
    /// Move taken-in messages here instead of flagging them `\Seen`.
    pub processed_folder: Option<String>,
    /// Seconds between checks when the server has no IDLE.
    pub poll_seconds: u64,
}

/// Mailbox checks fewer than this many seconds apart would hammer the server.
pub const MIN_POLL_SECONDS: u64 = 10;

impl MailboxSettings {
    pub fn check(&self, key: &str) -> Result<(), SettingError> {
        let required = [
            ("name", &self.name),
            ("host", &self.host),
            ("username", &self.username),
            ("password", &self.password),
            ("folder", &self.folder),
        ];
        for (field, value) in required {
            if value.trim().is_empty() {
                return Err(error(format!("{key}.{field}"), "must not be empty"));
            }
        }
        if self.host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(error(
                format!("{key}.host"),
                format!("{:?} is not a host name or address", self.host),
            ));
        }
        if self.port == 0 {
            return Err(error(format!("{key}.port"), "must be between 1 and 65535"));
        }
        if self.poll_seconds < MIN_POLL_SECONDS {
            return Err(error(
                format!("{key}.poll_seconds"),
                format!("must be at least {MIN_POLL_SECONDS}"),
            ));
        }
        if self.processed_folder.as_deref() == Some(self.folder.as_str()) {
            return Err(error(
                format!("{key}.processed_folder"),
                "must differ from the folder mail is taken from",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soporte_core::policy::rules::Policy;

    #[test]
    fn the_policy_defaults_go_round_trip_through_their_text() -> Result<(), SettingError> {
        let policy = Policy::default();
        let calendar = CalendarSettings::of(&policy.calendar);
        assert_eq!(calendar.monday, ["09:00-14:00", "15:00-18:00"]);
        assert_eq!(calendar.to_calendar("calendar")?.week, policy.calendar.week);
        let sla = SlaSettings::of(&policy.sla);
        assert_eq!(sla.to_targets("sla")?, policy.sla);
        let areas = product_area_settings(&policy.product_areas);
        assert_eq!(product_areas("areas", &areas)?, policy.product_areas);
        Ok(())
    }

    #[test]
    fn errors_name_the_key_under_its_prefix() {
        let mut calendar = CalendarSettings::of(&Policy::default().calendar);
        let index = calendar.friday.len();
        calendar.friday.push("nine to five".into());
        let e = calendar.to_calendar("policy.calendar").err();
        assert_eq!(
            e.map(|e| e.key),
            Some(format!("policy.calendar.friday[{index}]"))
        );

        let mut sla = SlaSettings::of(&Policy::default().sla);
        sla.usage.urgent.resolution = "10m".into();
        sla.usage.urgent.first_response = "1h".into();
        let e = sla.to_targets("sla").err();
        assert_eq!(
            e.map(|e| e.key),
            Some("sla.usage.urgent.resolution".to_string())
        );

        let twice = [
            ProductAreaSettings {
                name: "Tienda".into(),
                synonyms: vec![],
            },
            ProductAreaSettings {
                name: "tienda ".into(),
                synonyms: vec![],
            },
        ];
        let e = product_areas("product_areas", &twice).err();
        assert_eq!(e.map(|e| e.key), Some("product_areas[1].name".to_string()));
    }

    #[test]
    fn a_template_that_does_not_compile_is_named() {
        let overrides = TemplateOverrides {
            reply_footer: Some("{{ agent ".into()),
            ..TemplateOverrides::default()
        };
        let e = overrides
            .apply("templates", &EmailTemplates::spanish())
            .err();
        assert_eq!(e.map(|e| e.key), Some("templates.reply_footer".to_string()));
        let all = TemplateOverrides::of(&EmailTemplates::english());
        assert_eq!(
            all.apply("templates", &EmailTemplates::spanish()).ok(),
            Some(EmailTemplates::english()),
            "every text is carried"
        );
    }

    #[test]
    fn a_mailbox_needs_its_server_and_a_sane_poll() {
        let mailbox = MailboxSettings {
            name: "ventas".into(),
            host: "imap.vendomia.com".into(),
            port: 993,
            security: Security::Tls,
            username: "ventas".into(),
            password: "secreto".into(),
            folder: "INBOX".into(),
            processed_folder: Some("Procesados".into()),
            poll_seconds: 60,
        };
        assert_eq!(mailbox.check("mailboxes[0]"), Ok(()));
        let fast = MailboxSettings {
            poll_seconds: 1,
            ..mailbox.clone()
        };
        assert_eq!(
            fast.check("m").err().map(|e| e.key),
            Some("m.poll_seconds".into())
        );
        let no_password = MailboxSettings {
            password: " ".into(),
            ..mailbox
        };
        assert_eq!(
            no_password.check("m").err().map(|e| e.key),
            Some("m.password".into())
        );
    }
}
