//! The `[phone]` section: the company's phone system (PBX), which posts each call's events
//! to `/webhooks/cti/{token}` in Zammad's generic CTI format. Without the section the
//! endpoint answers 404.

use super::read_secret;
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use soporte_app::phone::PhoneSettings;
use soporte_core::directory::normalize_phone;
use std::fmt;
use std::path::PathBuf;

/// A token shorter than this could be guessed by trying.
const MIN_TOKEN_CHARS: usize = 24;

#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhoneConfig {
    /// The secret in the endpoint's address. Not with `token_file`.
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Callers turned away (`{"action":"reject"}`), however written.
    pub blocked_numbers: Vec<String>,
    /// The number customers see when an agent calls them, for phone systems that ask.
    pub outbound_caller_id: Option<String>,
}

impl fmt::Debug for PhoneConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhoneConfig")
            .field("token_file", &self.token_file)
            .field("blocked_numbers", &self.blocked_numbers)
            .field("outbound_caller_id", &self.outbound_caller_id)
            .finish_non_exhaustive()
    }
}

impl PhoneConfig {
    /// The channel's settings, every key checked.
    pub fn settings(&self) -> Result<PhoneSettings> {
        let token = read_secret(
            "phone.token",
            self.token.as_deref(),
            self.token_file.as_deref(),
        )?
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
        if token.is_empty() {
            bail!(
                "config key `phone.token`: give token or token_file (the secret in the CTI address)"
            );
        }
        if token.chars().count() < MIN_TOKEN_CHARS
            || !token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!(
                "config key `phone.token`: use at least {MIN_TOKEN_CHARS} letters, digits, - or _ (for example the output of `openssl rand -hex 24`)"
            );
        }
        let mut settings = PhoneSettings::new(token);
        for (i, raw) in self.blocked_numbers.iter().enumerate() {
            let number = normalize_phone("phone.blocked_numbers", raw).map_err(|e| {
                anyhow::anyhow!("config key `phone.blocked_numbers[{i}]`: {}", e.message)
            })?;
            settings.blocked_numbers.push(number);
        }
        if let Some(raw) = &self.outbound_caller_id {
            let number = normalize_phone("phone.outbound_caller_id", raw).map_err(|e| {
                anyhow::anyhow!("config key `phone.outbound_caller_id`: {}", e.message)
            })?;
            settings.outbound_caller_id = Some(number);
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    /// The configuration with this `[phone]` section, or the error that stops the start.
    fn read(section: &str) -> Result<Config, String> {
        Config::from_toml(&format!("[phone]\n{section}")).map_err(|e| e.to_string())
    }

    fn error_of(section: &str) -> String {
        read(section).err().unwrap_or_default()
    }

    #[test]
    fn reads_numbers_in_international_form() {
        let config = read(
            r#"token = "0123456789abcdef0123456789abcdef"
               blocked_numbers = ["600 111 222", "+44 20 7946 0958"]
               outbound_caller_id = "910 000 001""#,
        );
        let settings = config
            .ok()
            .and_then(|c| c.phone)
            .and_then(|p| p.settings().ok());
        assert_eq!(
            settings.as_ref().map(|s| s.blocked_numbers.clone()),
            Some(vec![
                "+34600111222".to_string(),
                "+442079460958".to_string()
            ])
        );
        assert_eq!(
            settings.and_then(|s| s.outbound_caller_id),
            Some("+34910000001".into())
        );
    }

    #[test]
    fn each_bad_key_is_named() {
        assert!(error_of("").contains("phone.token"));
        assert!(error_of(r#"token = "short""#).contains("at least 24"));
        assert!(
            error_of(
                r#"token = "0123456789abcdef0123456789abcdef"
                   token_file = "/nonexistent""#
            )
            .contains("not both")
        );
        assert!(
            error_of(r#"token_file = "/nonexistent/phone-token""#).contains("phone.token_file")
        );
        assert!(
            error_of(
                r#"token = "0123456789abcdef0123456789abcdef"
                   blocked_numbers = ["12"]"#
            )
            .contains("phone.blocked_numbers[0]")
        );
        assert!(error_of(r#"tokn = "x""#).contains("tokn"));
    }
}
