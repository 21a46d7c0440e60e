//! Configuration: built-in defaults taken from the support policy, then the TOML file
//! named by `SOPORTE_CONFIG` (or `--config`), then `SOPORTE_*` environment variables
//! (`SOPORTE_LISTEN`, `SOPORTE_COMPANY__NAME` for nested keys). Unknown keys and invalid
//! values stop the start with a message naming the key.

mod company;
mod phone;
mod policy;
mod secrets_key;
mod whatsapp;

pub use company::Company;
pub use phone::PhoneConfig;
pub use policy::{PolicyConfig, config_error};
use secrets_key::SECRETS_KEY_INLINE;
pub use secrets_key::{DEFAULT_SECRETS_KEY_FILE, LoadedKey};
pub use soporte_app::secrets::SecretKey;
pub use soporte_app::settings::{Security, TemplateOverrides};
pub use whatsapp::{WhatsAppChannel, WhatsAppConfig};

use anyhow::{Context, Result, anyhow, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use soporte_core::directory::normalize_email;
use soporte_core::support::{Channel, SupportType};
use soporte_core::ticket::TicketPrefix;
use soporte_mail::ExtraRoots;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds.
    pub listen: String,
    /// The address people open Soporte at (`https://soporte.example.com`), for links in
    /// e-mails; empty means `http://` + `listen`.
    pub public_url: String,
    /// Where the embedded database and attachments live.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; empty means SQLite in `data_dir`.
    pub database_url: String,
    /// The key that seals the secrets kept in the database (IMAP passwords saved from the
    /// console, two-factor secrets): 32 bytes in base64, usually given as the environment
    /// variable SOPORTE_SECRETS_KEY. Not with `secrets_key_file`.
    pub secrets_key: Option<String>,
    /// A file holding that key. Unset, the key is `<data_dir>/secrets.key`, which the first
    /// `serve` creates; a file named here must exist.
    pub secrets_key_file: Option<PathBuf>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    pub company: Company,
    /// The policy's support types: labels and the channels each one accepts.
    pub support_types: BTreeMap<SupportType, SupportTypeConfig>,
    pub email: EmailConfig,
    /// The relay outgoing mail goes through; without it the outbox waits.
    pub smtp: Option<SmtpConfig>,
    /// Mailboxes to take mail from.
    pub mailboxes: Vec<MailboxConfig>,
    /// The support policy's rules: classifier threshold, checklist, product areas,
    /// urgency, business calendar and SLA targets.
    pub policy: PolicyConfig,
    /// The agents' WhatsApp numbers (Meta's Cloud API); without it the channel is off.
    pub whatsapp: Option<WhatsAppConfig>,
    /// The customer portal under `/portal`.
    pub portal: PortalConfig,
    /// The company's phone system, posting call events; without it the channel is off.
    pub phone: Option<PhoneConfig>,
}

/// The `[portal]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortalConfig {
    /// Days after a request is solved during which its customer may reopen it.
    pub reopen_within_days: u32,
    /// Ask customers to rate solved requests.
    pub satisfaction: bool,
}

impl Default for PortalConfig {
    fn default() -> Self {
        Self {
            reopen_within_days: 7,
            satisfaction: true,
        }
    }
}

impl PortalConfig {
    /// The portal's settings, with the company's logo and colours.
    pub fn settings(&self, company: &Company) -> Result<soporte_app::portal::PortalSettings> {
        if self.reopen_within_days > 365 {
            bail!("config key `portal.reopen_within_days`: must be at most 365");
        }
        Ok(soporte_app::portal::PortalSettings {
            reopen_within: jiff::SignedDuration::from_hours(
                i64::from(self.reopen_within_days) * 24,
            ),
            satisfaction: self.satisfaction,
            brand: company.brand()?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// Display name of outgoing mail; empty means "Soporte <company>".
    pub from_name: String,
    /// Language of the built-in texts: `es` or `en`.
    pub language: String,
    /// Automatic answers to one sender per hour, at most (loop protection).
    pub auto_answers_per_hour: i64,
    /// Larger messages are quarantined instead of becoming tickets.
    pub max_message_bytes: usize,
    /// Other addresses that are Soporte itself (aliases): never answered automatically.
    pub own_addresses: Vec<String>,
    /// Seconds before the first retry of a failed delivery; doubles each time, up to an hour.
    pub retry_base_seconds: u64,
    /// Replacements for the built-in texts (minijinja templates).
    pub templates: TemplateOverrides,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Read the password from this file (first line) instead of the configuration.
    pub password_file: Option<PathBuf>,
    /// PEM file of root certificates trusted besides the public ones (a private CA).
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// Move taken-in messages here instead of flagging them `\Seen`.
    pub processed_folder: Option<String>,
    /// Seconds between checks when the server has no IDLE.
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// PEM file of root certificates trusted besides the public ones (a private CA).
    pub ca_file: Option<PathBuf>,
}

fn default_folder() -> String {
    "INBOX".into()
}

fn default_poll() -> u64 {
    60
}

/// A password given inline or in a file (first line), never both.
pub fn read_secret(key: &str, inline: Option<&str>, file: Option<&Path>) -> Result<Option<String>> {
    match (inline, file) {
        (Some(_), Some(_)) => {
            let name = key.rsplit('.').next().unwrap_or(key);
            bail!("config key `{key}`: give {name} or {name}_file, not both")
        }
        (Some(p), None) => Ok(Some(p.to_string())),
        (None, Some(f)) => {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("config key `{key}_file`: cannot read {}", f.display()))?;
            Ok(Some(text.lines().next().unwrap_or_default().to_string()))
        }
        (None, None) => Ok(None),
    }
}

/// Root certificates to trust besides the public ones, from the PEM file `key` names. A
/// file that is missing, unreadable or holds no usable certificate is an error, never
/// silently ignored: the operator meant the connection to trust it.
pub fn read_ca_file(key: &str, security: Security, file: Option<&Path>) -> Result<ExtraRoots> {
    let Some(file) = file else {
        return Ok(ExtraRoots::default());
    };
    if security == Security::Plain {
        bail!(
            "config key `{key}`: only used with security \"tls\" or \"starttls\", and security is \"plain\""
        );
    }
    let pem = std::fs::read(file)
        .map_err(|e| anyhow!("config key `{key}`: cannot read {}: {e}", file.display()))?;
    ExtraRoots::from_pem(&pem).map_err(|e| anyhow!("config key `{key}`: {}: {e}", file.display()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportTypeConfig {
    pub label_es: String,
    pub label_en: String,
    pub description_es: String,
    /// The description in English; empty means the Spanish one.
    #[serde(default)]
    pub description_en: String,
    /// Channels this type of request is handled on.
    pub channels: Vec<Channel>,
    /// Channels for urgent cases (the personal agent's phone).
    pub urgent_channels: Vec<Channel>,
}

impl Default for Config {
    fn default() -> Self {
        // The policy's channels per type: e-mail for all; the agent's WhatsApp and phone
        // for usage questions; the phone for urgent administrative matters.
        let channels = |t: SupportType| match t {
            SupportType::Administrative => (vec![Channel::Email], vec![Channel::Phone]),
            SupportType::Usage => (
                vec![Channel::Email, Channel::Whatsapp, Channel::Phone],
                vec![Channel::Whatsapp, Channel::Phone],
            ),
            SupportType::Technical => (vec![Channel::Email], vec![]),
        };
        let support_types = soporte_core::policy::rules::default_support_type_texts()
            .into_iter()
            .map(|text| {
                let (channels, urgent_channels) = channels(text.support_type);
                (
                    text.support_type,
                    SupportTypeConfig {
                        label_es: text.label_es,
                        label_en: text.label_en,
                        description_es: text.description_es,
                        description_en: text.description_en,
                        channels,
                        urgent_channels,
                    },
                )
            })
            .collect();
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: String::new(),
            data_dir: PathBuf::from("./soporte-data"),
            database_url: String::new(),
            secrets_key: None,
            secrets_key_file: None,
            max_body_bytes: 25 * 1024 * 1024,
            log_format: LogFormat::Text,
            email: EmailConfig {
                from_name: String::new(),
                language: "es".into(),
                auto_answers_per_hour: 5,
                max_message_bytes: 40 * 1024 * 1024,
                own_addresses: vec![],
                retry_base_seconds: 30,
                templates: TemplateOverrides::default(),
            },
            smtp: None,
            mailboxes: vec![],
            company: Company {
                name: "Vendomia".into(),
                support_email: "soporte@vendomia.com".into(),
                ticket_prefix: "VND".into(),
                locale: "es-ES".into(),
                timezone: "Europe/Madrid".into(),
                logo_file: None,
                accent_colour: "#1a56b0".into(),
                header_colour: "#1b2230".into(),
            },
            support_types,
            policy: PolicyConfig::default(),
            whatsapp: None,
            portal: PortalConfig::default(),
            phone: None,
        }
    }
}

impl Config {
    /// Loads and validates the configuration. `file` wins over `SOPORTE_CONFIG`.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        let from_env = std::env::var_os("SOPORTE_CONFIG").map(PathBuf::from);
        if let Some(path) = file.map(Path::to_path_buf).or(from_env) {
            if !path.is_file() {
                bail!("config file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(&path));
        }
        // SOPORTE_LOG filters the log and SOPORTE_SERVICES_* steer the test services
        // script: neither is configuration.
        figment = figment.merge(
            Env::prefixed("SOPORTE_")
                .ignore(&["config", "log"])
                .filter(|key| !key.as_str().starts_with("services_"))
                .split("__"),
        );
        Self::extract(&figment)
    }

    /// Reads a configuration file's text alone, without the environment.
    pub fn from_toml(text: &str) -> Result<Self> {
        let figment =
            Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(text));
        Self::extract(&figment)
    }

    fn extract(figment: &Figment) -> Result<Self> {
        let config: Config = figment.extract().map_err(|e| anyhow!(describe(&e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Where people open Soporte, for links in e-mails.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }

    fn validate(&self) -> Result<()> {
        self.listen.parse::<SocketAddr>().with_context(|| {
            format!(
                "config key `listen`: {:?} is not an address like 127.0.0.1:8080",
                self.listen
            )
        })?;
        let web_address =
            self.public_url.starts_with("https://") || self.public_url.starts_with("http://");
        if !self.public_url.is_empty() && !web_address {
            bail!(
                "config key `public_url`: {:?} must start with https:// (or http://)",
                self.public_url
            );
        }
        TicketPrefix::parse(&self.company.ticket_prefix)
            .map_err(|e| anyhow!("config key `company.ticket_prefix`: {}", e.message))?;
        normalize_email("company.support_email", &self.company.support_email)
            .map_err(|e| anyhow!("config key `{}`: {}", e.field, e.message))?;
        jiff::tz::TimeZone::get(&self.company.timezone).map_err(|_| {
            anyhow!(
                "config key `company.timezone`: {:?} is not a known time zone",
                self.company.timezone
            )
        })?;
        if !matches!(self.company.locale.as_str(), "es-ES" | "en") {
            bail!(
                "config key `company.locale`: {:?} is not supported; use es-ES or en",
                self.company.locale
            );
        }
        if self.max_body_bytes < 1024 {
            bail!("config key `max_body_bytes`: must be at least 1024");
        }
        if !self.database_url.is_empty()
            && !["sqlite://", "postgres://", "postgresql://"]
                .iter()
                .any(|p| self.database_url.starts_with(p))
        {
            bail!("config key `database_url`: must start with sqlite:// or postgres://");
        }
        match (&self.secrets_key, &self.secrets_key_file) {
            (Some(_), Some(_)) => bail!(
                "config key `secrets_key`: give secrets_key (SOPORTE_SECRETS_KEY) or secrets_key_file, not both"
            ),
            (Some(text), None) => {
                SecretKey::from_base64(text, SECRETS_KEY_INLINE)?;
            }
            _ => {}
        }
        if !matches!(self.email.language.as_str(), "es" | "en") {
            bail!(
                "config key `email.language`: {:?} is not supported; use es or en",
                self.email.language
            );
        }
        if self.email.auto_answers_per_hour < 0 {
            bail!("config key `email.auto_answers_per_hour`: must not be negative");
        }
        for (i, a) in self.email.own_addresses.iter().enumerate() {
            normalize_email(&format!("email.own_addresses[{i}]"), a)
                .map_err(|e| anyhow!("config key `{}`: {}", e.field, e.message))?;
        }
        self.email_templates()?;
        if let Some(smtp) = &self.smtp {
            read_secret(
                "smtp.password",
                smtp.password.as_deref(),
                smtp.password_file.as_deref(),
            )?;
            read_ca_file("smtp.ca_file", smtp.security, smtp.ca_file.as_deref())?;
        }
        for (i, m) in self.mailboxes.iter().enumerate() {
            if m.name.trim().is_empty() {
                bail!("config key `mailboxes[{i}].name`: must not be empty");
            }
            if self.mailboxes.iter().filter(|o| o.name == m.name).count() > 1 {
                bail!(
                    "config key `mailboxes[{i}].name`: {:?} is used twice",
                    m.name
                );
            }
            if read_secret(
                &format!("mailboxes[{i}].password"),
                m.password.as_deref(),
                m.password_file.as_deref(),
            )?
            .is_none()
            {
                bail!(
                    "config key `mailboxes[{i}].password`: a mailbox needs password or password_file"
                );
            }
            read_ca_file(
                &format!("mailboxes[{i}].ca_file"),
                m.security,
                m.ca_file.as_deref(),
            )?;
        }
        for t in SupportType::ALL {
            let Some(cfg) = self.support_types.get(t) else {
                bail!(
                    "config key `support_types.{t}`: missing; every support type needs its channels"
                );
            };
            if cfg.channels.is_empty() {
                bail!("config key `support_types.{t}.channels`: must name at least one channel");
            }
        }
        self.support_policy()?;
        if let Some(whatsapp) = &self.whatsapp {
            whatsapp.channel()?;
        }
        self.portal.settings(&self.company)?;
        if let Some(phone) = &self.phone {
            phone.settings()?;
        }
        Ok(())
    }

    /// The support policy the engine applies.
    pub fn support_policy(&self) -> Result<soporte_core::policy::rules::Policy> {
        self.policy.to_policy(&self.support_types)
    }

    /// The texts of outgoing mail: the built-in ones for the language, with overrides.
    pub fn email_templates(&self) -> Result<soporte_app::email::EmailTemplates> {
        let base = if self.email.language == "en" {
            soporte_app::email::EmailTemplates::english()
        } else {
            soporte_app::email::EmailTemplates::spanish()
        };
        self.email
            .templates
            .apply("email.templates", &base)
            .map_err(config_error)
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("soporte.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }
}

/// Figment's errors already name the key and where it came from; say it in one line.
fn describe(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("config key `{}`: ", e.path.join("."))
            };
            let source = e.metadata.as_ref().map(|m| match &m.source {
                Some(src) => format!(" (from {} {src})", m.name),
                None => format!(" (from {})", m.name),
            });
            format!("{key}{}{}", e.kind, source.unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_carry_the_policy() -> Result<()> {
        let config = Config::default();
        config.validate()?;
        assert_eq!(config.company.support_email, "soporte@vendomia.com");
        let technical = &config.support_types[&SupportType::Technical];
        assert_eq!(
            technical.channels,
            [Channel::Email],
            "technical support is e-mail only"
        );
        assert_eq!(
            config.support_types[&SupportType::Administrative].urgent_channels,
            [Channel::Phone]
        );
        Ok(())
    }

    #[test]
    fn invalid_values_name_their_key() {
        let mut config = Config::default();
        config.company.ticket_prefix = "vnd".into();
        let err = config
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("company.ticket_prefix"), "{err}");
        let config = Config {
            listen: "localhost".into(),
            ..Config::default()
        };
        let err = config
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("`listen`"), "{err}");
    }

    fn smtp(security: Security, ca_file: Option<PathBuf>) -> SmtpConfig {
        SmtpConfig {
            host: "mail.example.test".into(),
            port: 587,
            security,
            username: None,
            password: None,
            password_file: None,
            ca_file,
        }
    }

    fn mailbox(ca_file: Option<PathBuf>) -> MailboxConfig {
        MailboxConfig {
            name: "soporte".into(),
            host: "imap.example.test".into(),
            port: 993,
            security: Security::Tls,
            username: "soporte".into(),
            password: Some("secret".into()),
            password_file: None,
            folder: default_folder(),
            processed_folder: None,
            poll_seconds: default_poll(),
            ca_file,
        }
    }

    pub(super) fn error_of(config: &Config) -> String {
        config
            .validate()
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default()
    }

    #[test]
    fn a_private_ca_file_is_accepted_for_smtp_and_mailboxes() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let ca = dir.path().join("company-ca.pem");
        std::fs::write(&ca, include_str!("testdata/private-ca.pem"))?;
        let config = Config {
            smtp: Some(smtp(Security::Starttls, Some(ca.clone()))),
            mailboxes: vec![mailbox(Some(ca.clone()))],
            ..Config::default()
        };
        config.validate()?;
        let roots = read_ca_file("smtp.ca_file", Security::Tls, Some(&ca))?;
        assert_eq!(roots.len(), 1);
        assert!(read_ca_file("smtp.ca_file", Security::Tls, None)?.is_empty());
        Ok(())
    }

    #[test]
    fn a_bad_ca_file_is_an_error_naming_its_key() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let missing = dir.path().join("missing.pem");
        let config = Config {
            smtp: Some(smtp(Security::Tls, Some(missing.clone()))),
            ..Config::default()
        };
        let err = error_of(&config);
        assert!(
            err.contains("`smtp.ca_file`")
                && err.contains("cannot read")
                && err.contains("missing.pem"),
            "{err}"
        );

        let key_only = dir.path().join("key.pem");
        std::fs::write(
            &key_only,
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
        )?;
        let config = Config {
            mailboxes: vec![mailbox(Some(key_only))],
            ..Config::default()
        };
        let err = error_of(&config);
        assert!(
            err.contains("`mailboxes[0].ca_file`") && err.contains("no certificate"),
            "{err}"
        );

        let garbage = dir.path().join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )?;
        let config = Config {
            mailboxes: vec![mailbox(None), {
                let mut m = mailbox(Some(garbage));
                m.name = "ventas".into();
                m
            }],
            ..Config::default()
        };
        let err = error_of(&config);
        assert!(
            err.contains("`mailboxes[1].ca_file`")
                && err.contains("cannot be used as a trusted root"),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn a_ca_file_without_tls_is_refused() {
        let config = Config {
            smtp: Some(smtp(
                Security::Plain,
                Some(PathBuf::from("testdata/private-ca.pem")),
            )),
            ..Config::default()
        };
        let err = error_of(&config);
        assert!(
            err.contains("`smtp.ca_file`") && err.contains("\"plain\""),
            "{err}"
        );
    }

    #[test]
    fn ca_file_is_read_from_the_toml_file() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("soporte.toml");
        std::fs::write(
            &file,
            "[smtp]\nhost = \"mail.example.test\"\nport = 465\nsecurity = \"tls\"\n\
ca_file = \"/nonexistent/company-ca.pem\"\n",
        )?;
        let err = Config::load(Some(&file))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(
            err.contains("`smtp.ca_file`") && err.contains("/nonexistent/company-ca.pem"),
            "{err}"
        );
        Ok(())
    }
}
