//! Settings an administrator changes from the console while Soporte runs: product areas,
//! SLA targets, the business calendar, the texts of outgoing mail and extra mailboxes.
//!
//! A saved section is kept in the database and replaces the same section of
//! `soporte.toml` on every instance: each re-reads the sections every few seconds (see
//! [`App::reload_settings`]). Restoring a section deletes it, and the file's values
//! apply again.

mod sections;

pub use sections::{
    CalendarSettings, MIN_POLL_SECONDS, MailboxSettings, PriorityTargetSettings,
    ProductAreaSettings, Security, SettingError, SlaSettings, TargetSettings, TemplateOverrides,
    duration_text, product_area_settings, product_areas,
};

use crate::secrets::{SealError, SecretKey, open_with, seal_with};
use crate::two_factor::TwoFactorSettings;
use crate::{App, AppError, AppSettings, Principal, Result};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use soporte_core::ids::AgentId;
use soporte_store::StoredSetting;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A part of the configuration the console can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    ProductAreas,
    Sla,
    Calendar,
    Templates,
    Mailboxes,
    /// Whether every agent must sign in in two steps.
    TwoFactor,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::ProductAreas,
        Section::Sla,
        Section::Calendar,
        Section::Templates,
        Section::Mailboxes,
        Section::TwoFactor,
    ];

    /// The section's name in the database and in error keys.
    pub fn name(self) -> &'static str {
        match self {
            Section::ProductAreas => "product_areas",
            Section::Sla => "sla",
            Section::Calendar => "calendar",
            Section::Templates => "templates",
            Section::Mailboxes => "mailboxes",
            Section::TwoFactor => "two_factor",
        }
    }

    pub fn parse(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A section's new value, as an administrator submits it.
#[derive(Debug, Clone)]
pub enum SettingsChange {
    ProductAreas(Vec<ProductAreaSettings>),
    Sla(SlaSettings),
    Calendar(CalendarSettings),
    Templates(TemplateOverrides),
    /// The whole list of console mailboxes (see [`App::save_mailbox`] for one at a time).
    Mailboxes(Vec<MailboxSettings>),
    TwoFactor(TwoFactorSettings),
}

impl SettingsChange {
    pub fn section(&self) -> Section {
        match self {
            SettingsChange::ProductAreas(_) => Section::ProductAreas,
            SettingsChange::Sla(_) => Section::Sla,
            SettingsChange::Calendar(_) => Section::Calendar,
            SettingsChange::Templates(_) => Section::Templates,
            SettingsChange::Mailboxes(_) => Section::Mailboxes,
            SettingsChange::TwoFactor(_) => Section::TwoFactor,
        }
    }
}

/// How a mailbox's worker on this instance is doing, for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStatus {
    /// The last connection attempt succeeded and has not failed since.
    pub connected: bool,
    /// Why the last connection failed.
    pub error: Option<String>,
    pub at: Timestamp,
}

/// The mailboxes' statuses on this instance, by mailbox name.
pub(crate) type MailboxStatuses =
    Arc<std::sync::Mutex<std::collections::HashMap<String, MailboxStatus>>>;

/// Who last changed a section from the console, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    pub at: Timestamp,
    pub by: Option<AgentId>,
}

/// The sections saved from the console, as read from the database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsoleSettings {
    pub product_areas: Option<Vec<ProductAreaSettings>>,
    pub sla: Option<SlaSettings>,
    pub calendar: Option<CalendarSettings>,
    pub templates: Option<TemplateOverrides>,
    pub mailboxes: Vec<MailboxSettings>,
    pub two_factor: Option<TwoFactorSettings>,
    pub changed: BTreeMap<Section, Changed>,
}

fn decode<T: DeserializeOwned>(row: &StoredSetting) -> Option<T> {
    match serde_json::from_str(&row.value) {
        Ok(value) => Some(value),
        Err(e) => {
            // Written by a newer or older version: the file's values stay in force
            // rather than the whole section being lost or the start refused.
            tracing::warn!(section = %row.name, error = %e, "saved settings section not understood; the configuration file's values apply");
            None
        }
    }
}

/// What the IMAP passwords of console mailboxes are sealed for (see [`crate::secrets`]).
pub const MAILBOX_PASSWORD_CONTEXT: &str = "settings.mailboxes.password";

/// The mailboxes with their passwords opened (clear ones, from before sealing, as they are).
fn open_mailboxes(
    key: Option<&SecretKey>,
    mut mailboxes: Vec<MailboxSettings>,
) -> Result<Vec<MailboxSettings>, SealError> {
    for m in &mut mailboxes {
        m.password = open_with(key, MAILBOX_PASSWORD_CONTEXT, &m.password)?;
    }
    Ok(mailboxes)
}

/// The mailboxes as they are written to the database: every password sealed.
fn sealed_mailboxes(
    key: Option<&SecretKey>,
    mailboxes: &[MailboxSettings],
) -> Result<Vec<MailboxSettings>, SealError> {
    mailboxes
        .iter()
        .map(|m| {
            Ok(MailboxSettings {
                password: seal_with(key, MAILBOX_PASSWORD_CONTEXT, &m.password)?,
                ..m.clone()
            })
        })
        .collect()
}

impl ConsoleSettings {
    /// The sections in `rows`, with the secrets in them opened with `key`. A section
    /// that is not understood is skipped (the file's values apply); a secret that cannot
    /// be opened is an error, as the key is then not the one that sealed it.
    fn from_rows(rows: &[StoredSetting], key: Option<&SecretKey>) -> Result<Self, SealError> {
        let mut settings = ConsoleSettings::default();
        for row in rows {
            let Some(section) = Section::parse(&row.name) else {
                tracing::warn!(section = %row.name, "unknown saved settings section ignored");
                continue;
            };
            let understood = match section {
                Section::ProductAreas => decode(row).map(|v| settings.product_areas = Some(v)),
                Section::Sla => decode(row).map(|v| settings.sla = Some(v)),
                Section::Calendar => decode(row).map(|v| settings.calendar = Some(v)),
                Section::Templates => decode(row).map(|v| settings.templates = Some(v)),
                Section::Mailboxes => match decode(row) {
                    Some(v) => {
                        settings.mailboxes = open_mailboxes(key, v)?;
                        Some(())
                    }
                    None => None,
                },
                Section::TwoFactor => decode(row).map(|v| settings.two_factor = Some(v)),
            }
            .is_some();
            if understood {
                settings.changed.insert(
                    section,
                    Changed {
                        at: row.updated_at,
                        by: row.updated_by,
                    },
                );
            }
        }
        Ok(settings)
    }
}

/// `base` (the configuration file's settings) with the console's sections in place. A
/// section that no longer passes its checks (saved by another version) is skipped with a
/// warning, so the file's values apply.
fn apply(base: &AppSettings, console: ConsoleSettings) -> AppSettings {
    let mut settings = base.clone();
    let mut policy = (*base.policy).clone();
    let warn = |e: SettingError| {
        tracing::warn!(key = %e.key, error = %e.message, "saved setting refused; the configuration file's value applies");
    };
    if let Some(areas) = &console.product_areas {
        match product_areas(Section::ProductAreas.name(), areas) {
            Ok(areas) => policy.product_areas = areas,
            Err(e) => warn(e),
        }
    }
    if let Some(sla) = &console.sla {
        match sla.to_targets(Section::Sla.name()) {
            Ok(sla) => policy.sla = sla,
            Err(e) => warn(e),
        }
    }
    if let Some(calendar) = &console.calendar {
        match calendar.to_calendar(Section::Calendar.name()) {
            Ok(calendar) => policy.calendar = calendar,
            Err(e) => warn(e),
        }
    }
    if let Some(templates) = &console.templates {
        match templates.apply(Section::Templates.name(), &base.email.templates) {
            Ok(templates) => settings.email.templates = templates,
            Err(e) => warn(e),
        }
    }
    settings.policy = Arc::new(policy);
    settings.console = console;
    settings
}

fn invalid(e: SettingError) -> AppError {
    AppError::invalid(e.key, e.message)
}

impl App {
    /// Re-reads the sections saved from the console and puts them in force over the
    /// configuration file's. Returns whether anything changed.
    pub async fn reload_settings(&self) -> Result<bool> {
        let rows = self.store.settings().await?;
        let console = ConsoleSettings::from_rows(&rows, self.secrets.as_ref())?;
        if console == self.settings().console {
            return Ok(false);
        }
        let settings = apply(&self.base_settings, console);
        self.live_settings.send_replace(Arc::new(settings));
        Ok(true)
    }

    /// Follows the settings in force: the receiver sees every change
    /// [`App::reload_settings`] puts in force (mailbox workers restart on it).
    pub fn watch_settings(&self) -> tokio::sync::watch::Receiver<Arc<AppSettings>> {
        self.live_settings.subscribe()
    }

    /// Records how a mailbox's worker is doing (connected, or why not).
    pub fn report_mailbox(&self, name: &str, error: Option<String>) {
        let status = MailboxStatus {
            connected: error.is_none(),
            error,
            at: Timestamp::now(),
        };
        // A poisoned lock only means a panic elsewhere mid-insert; the map is still usable.
        let mut statuses = self
            .mailbox_statuses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        statuses.insert(name.to_string(), status);
    }

    /// How each mailbox's worker on this instance is doing, by mailbox name.
    pub fn mailbox_statuses(&self) -> std::collections::HashMap<String, MailboxStatus> {
        self.mailbox_statuses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The configuration file's settings, before the console's sections.
    pub fn file_settings(&self) -> &AppSettings {
        &self.base_settings
    }

    /// Checks and saves one section, then puts it in force on this instance at once
    /// (the others follow within seconds).
    pub async fn change_settings(&self, who: &Principal, change: SettingsChange) -> Result<()> {
        who.require_admin()?;
        let section = change.section();
        let key = section.name();
        let value = match change {
            SettingsChange::ProductAreas(areas) => {
                product_areas(key, &areas).map_err(invalid)?;
                to_json(&areas)?
            }
            SettingsChange::Sla(sla) => {
                sla.to_targets(key).map_err(invalid)?;
                to_json(&sla)?
            }
            SettingsChange::Calendar(calendar) => {
                calendar.to_calendar(key).map_err(invalid)?;
                to_json(&calendar)?
            }
            SettingsChange::Templates(templates) => {
                templates
                    .apply(key, &self.base_settings.email.templates)
                    .map_err(invalid)?;
                to_json(&templates)?
            }
            SettingsChange::Mailboxes(mailboxes) => {
                self.check_mailboxes(&mailboxes)?;
                to_json(&sealed_mailboxes(self.secrets.as_ref(), &mailboxes)?)?
            }
            SettingsChange::TwoFactor(two_factor) => to_json(&two_factor)?,
        };
        self.store.save_setting(key, &value, who.agent_id()).await?;
        self.reload_settings().await?;
        tracing::info!(section = key, by = ?who.agent_id(), "settings changed from the console");
        Ok(())
    }

    /// Seals the IMAP passwords that were saved from the console before sealing existed
    /// (kept in clear then), writing their section again with who changed it last. Run at
    /// start; returns how many passwords it sealed. Without a key there is nothing it can
    /// do, and it says so.
    pub async fn seal_stored_secrets(&self) -> Result<usize> {
        let rows = self.store.settings().await?;
        let Some(row) = rows.iter().find(|r| r.name == Section::Mailboxes.name()) else {
            return Ok(0);
        };
        let Some(stored) = decode::<Vec<MailboxSettings>>(row) else {
            return Ok(0);
        };
        let clear = stored
            .iter()
            .filter(|m| !crate::secrets::is_sealed(&m.password))
            .count();
        if clear == 0 {
            return Ok(0);
        }
        let opened = open_mailboxes(self.secrets.as_ref(), stored)?;
        let sealed = sealed_mailboxes(self.secrets.as_ref(), &opened)?;
        self.store
            .save_setting(row.name.as_str(), &to_json(&sealed)?, row.updated_by)
            .await?;
        tracing::info!(
            passwords = clear,
            "IMAP passwords saved from the console are now sealed with the secrets key"
        );
        Ok(clear)
    }

    /// Drops the console's version of a section: the configuration file's applies again.
    pub async fn restore_settings(&self, who: &Principal, section: Section) -> Result<bool> {
        who.require_admin()?;
        let dropped = self.store.delete_setting(section.name()).await?;
        self.reload_settings().await?;
        Ok(dropped)
    }

    /// Adds a console mailbox (`replacing` none) or changes the one named `replacing`,
    /// which may be renamed. Saved without a password, a mailbox keeps the one it has: the
    /// console never shows passwords, so it cannot send them back.
    pub async fn save_mailbox(
        &self,
        who: &Principal,
        replacing: Option<&str>,
        mut mailbox: MailboxSettings,
    ) -> Result<()> {
        who.require_admin()?;
        let mut list = self.settings().console.mailboxes.clone();
        match replacing {
            None => list.push(mailbox),
            Some(name) => {
                let existing = list
                    .iter_mut()
                    .find(|m| m.name == name)
                    .ok_or_else(|| AppError::not_found("mailbox", name))?;
                if mailbox.password.is_empty() {
                    mailbox.password.clone_from(&existing.password);
                }
                *existing = mailbox;
            }
        }
        self.change_settings(who, SettingsChange::Mailboxes(list))
            .await
    }

    /// Removes a console mailbox; its worker stops.
    pub async fn remove_mailbox(&self, who: &Principal, name: &str) -> Result<()> {
        who.require_admin()?;
        let mut list = self.settings().console.mailboxes.clone();
        let before = list.len();
        list.retain(|m| m.name != name);
        if list.len() == before {
            return Err(AppError::not_found("mailbox", name));
        }
        self.change_settings(who, SettingsChange::Mailboxes(list))
            .await
    }

    fn check_mailboxes(&self, mailboxes: &[MailboxSettings]) -> Result<()> {
        let key = Section::Mailboxes.name();
        for (i, m) in mailboxes.iter().enumerate() {
            m.check(&format!("{key}[{i}]")).map_err(invalid)?;
            let taken = self
                .base_settings
                .file_mailboxes
                .iter()
                .chain(&mailboxes[..i])
                .any(|o| o.name.trim() == m.name.trim());
            if taken {
                return Err(AppError::invalid(
                    format!("{key}[{i}].name"),
                    format!("{:?} is already the name of another mailbox", m.name),
                ));
            }
        }
        Ok(())
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| AppError::Internal(format!("settings cannot be written: {e}")))
}
