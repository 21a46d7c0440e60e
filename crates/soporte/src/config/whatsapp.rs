//! The `[whatsapp]` section: the Meta app that carries the agents' WhatsApp numbers.
//! Without it the channel is off and `/webhooks/whatsapp` answers 404.

use super::read_secret;
use anyhow::{Result, bail};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use soporte_app::whatsapp::WhatsAppSettings;
use soporte_core::whatsapp::{Conversations, TemplateParameter, WhatsAppTemplate};
use std::fmt;
use std::path::PathBuf;

/// The Graph API version requests go to unless `api_version` says otherwise.
pub const DEFAULT_API_VERSION: &str = "v26.0";
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatsAppConfig {
    /// The token Meta sends back when the webhook is subscribed.
    pub verify_token: String,
    /// The Meta app's secret, which signs webhook bodies. Not with `app_secret_file`.
    pub app_secret: Option<String>,
    pub app_secret_file: Option<PathBuf>,
    /// A permanent (system user) access token of the Meta app. Not with
    /// `access_token_file`.
    pub access_token: Option<String>,
    pub access_token_file: Option<PathBuf>,
    pub graph_url: String,
    pub api_version: String,
    /// After this many hours in which neither the customer nor support wrote, a customer's
    /// message starts a new request instead of joining their open WhatsApp ticket.
    pub new_request_after_hours: u32,
    /// The quiet time, in seconds, after which a burst of messages is settled by the
    /// policy (type, checklist, urgency) and acknowledged.
    pub quiet_seconds: u32,
    /// Approved message templates (`[[whatsapp.templates]]`), the only messages Meta
    /// accepts once a customer's 24-hour window has closed.
    pub templates: Vec<TemplateConfig>,
}

/// One approved template, as WhatsApp Manager shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateConfig {
    pub name: String,
    /// The language code it was approved in (`es`, `es_ES`, `en_US` …).
    pub language: String,
    /// What fills `{{1}}`, `{{2}}` …: customer_name, ticket_number, subject, agent_name,
    /// company_name or message (the agent's text).
    pub parameters: Vec<String>,
    /// The approved body text, with its placeholders, so tickets show what was sent.
    pub body: Option<String>,
}

impl TemplateConfig {
    fn template(&self, index: usize) -> Result<WhatsAppTemplate> {
        let key = format!("whatsapp.templates[{index}]");
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 512
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            bail!(
                "config key `{key}.name`: {:?} is not a template name (lowercase letters, digits and _)",
                self.name
            );
        }
        let language_ok = (2..=10).contains(&self.language.len())
            && self
                .language
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'_');
        if !language_ok {
            bail!(
                "config key `{key}.language`: {:?} is not a language code such as es or es_ES",
                self.language
            );
        }
        let parameters = self
            .parameters
            .iter()
            .map(|raw| {
                TemplateParameter::parse(raw.trim()).ok_or_else(|| {
                    let known: Vec<&str> =
                        TemplateParameter::ALL.iter().map(|p| p.as_str()).collect();
                    anyhow::anyhow!(
                        "config key `{key}.parameters`: {raw:?} is none of {}",
                        known.join(", ")
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(body) = &self.body {
            for n in 1..=parameters.len() {
                if !body.contains(&format!("{{{{{n}}}}}")) {
                    bail!(
                        "config key `{key}.body`: has no {{{{{n}}}}} for parameter {n} ({})",
                        parameters[n - 1].as_str()
                    );
                }
            }
            if body.contains(&format!("{{{{{}}}}}", parameters.len() + 1)) {
                bail!(
                    "config key `{key}.parameters`: the body has more placeholders than the {} parameters listed",
                    parameters.len()
                );
            }
        }
        Ok(WhatsAppTemplate {
            name: self.name.clone(),
            language: self.language.clone(),
            parameters,
            body: self.body.clone(),
        })
    }
}

impl Default for WhatsAppConfig {
    fn default() -> Self {
        let conversations = Conversations::default();
        Self {
            verify_token: String::new(),
            app_secret: None,
            app_secret_file: None,
            access_token: None,
            access_token_file: None,
            graph_url: DEFAULT_GRAPH_URL.into(),
            api_version: DEFAULT_API_VERSION.into(),
            new_request_after_hours: u32::try_from(conversations.new_request_after.as_hours())
                .unwrap_or(12),
            quiet_seconds: u32::try_from(conversations.quiet_time.as_secs()).unwrap_or(90),
            templates: Vec::new(),
        }
    }
}

impl fmt::Debug for WhatsAppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhatsAppConfig")
            .field("app_secret_file", &self.app_secret_file)
            .field("access_token_file", &self.access_token_file)
            .field("graph_url", &self.graph_url)
            .field("api_version", &self.api_version)
            .field("new_request_after_hours", &self.new_request_after_hours)
            .field("quiet_seconds", &self.quiet_seconds)
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

/// What the channel needs at run time: the use cases' settings and the Graph API's.
pub struct WhatsAppChannel {
    pub settings: WhatsAppSettings,
    pub access_token: String,
    pub graph_url: String,
    pub api_version: String,
}

impl WhatsAppConfig {
    /// The channel's settings with its secrets read; an error names the key at fault.
    pub fn channel(&self) -> Result<WhatsAppChannel> {
        if self.verify_token.trim().is_empty() {
            bail!(
                "config key `whatsapp.verify_token`: must be set (the token you give Meta when subscribing the webhook)"
            );
        }
        let app_secret = read_secret(
            "whatsapp.app_secret",
            self.app_secret.as_deref(),
            self.app_secret_file.as_deref(),
        )?
        .filter(|s| !s.trim().is_empty());
        let Some(app_secret) = app_secret else {
            bail!(
                "config key `whatsapp.app_secret`: give app_secret or app_secret_file (the Meta app's secret)"
            );
        };
        let access_token = read_secret(
            "whatsapp.access_token",
            self.access_token.as_deref(),
            self.access_token_file.as_deref(),
        )?
        .filter(|s| !s.trim().is_empty());
        let Some(access_token) = access_token else {
            bail!(
                "config key `whatsapp.access_token`: give access_token or access_token_file (a permanent token of the Meta app)"
            );
        };
        if !(self.graph_url.starts_with("https://") || self.graph_url.starts_with("http://")) {
            bail!(
                "config key `whatsapp.graph_url`: {:?} must start with https://",
                self.graph_url
            );
        }
        let version_ok = self
            .api_version
            .strip_prefix('v')
            .and_then(|v| v.split_once('.'))
            .is_some_and(|(major, minor)| {
                !major.is_empty()
                    && major.chars().all(|c| c.is_ascii_digit())
                    && !minor.is_empty()
                    && minor.chars().all(|c| c.is_ascii_digit())
            });
        if !version_ok {
            bail!(
                "config key `whatsapp.api_version`: {:?} is not a Graph API version such as {DEFAULT_API_VERSION}",
                self.api_version
            );
        }
        if self.new_request_after_hours == 0 {
            bail!("config key `whatsapp.new_request_after_hours`: must be at least 1");
        }
        if self.quiet_seconds > 3600 {
            bail!("config key `whatsapp.quiet_seconds`: must be at most 3600");
        }
        let mut templates: Vec<WhatsAppTemplate> = Vec::with_capacity(self.templates.len());
        for (i, template) in self.templates.iter().enumerate() {
            let template = template.template(i)?;
            if templates.iter().any(|t| t.name == template.name) {
                bail!(
                    "config key `whatsapp.templates[{i}].name`: {:?} is listed twice",
                    template.name
                );
            }
            templates.push(template);
        }
        Ok(WhatsAppChannel {
            settings: WhatsAppSettings {
                retry_base: SignedDuration::from_secs(15),
                verify_token: self.verify_token.trim().to_string(),
                app_secret: app_secret.trim().to_string(),
                conversations: Conversations {
                    new_request_after: SignedDuration::from_hours(i64::from(
                        self.new_request_after_hours,
                    )),
                    quiet_time: SignedDuration::from_secs(i64::from(self.quiet_seconds)),
                },
                templates,
            },
            access_token: access_token.trim().to_string(),
            graph_url: self.graph_url.trim_end_matches('/').to_string(),
            api_version: self.api_version.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use anyhow::Result;

    fn error_of(toml: &str) -> String {
        match Config::from_toml(toml) {
            Ok(_) => String::new(),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_whatsapp_section_needs_its_three_secrets() {
        let err = error_of("[whatsapp]\napp_secret = \"s\"\naccess_token = \"t\"\n");
        assert!(err.contains("`whatsapp.verify_token`"), "{err}");
        let err = error_of("[whatsapp]\nverify_token = \"v\"\naccess_token = \"t\"\n");
        assert!(err.contains("`whatsapp.app_secret`"), "{err}");
        let err = error_of("[whatsapp]\nverify_token = \"v\"\napp_secret = \"s\"\n");
        assert!(err.contains("`whatsapp.access_token`"), "{err}");
        let err = error_of(
            "[whatsapp]\nverify_token = \"v\"\napp_secret = \"s\"\napp_secret_file = \"/x\"\naccess_token = \"t\"\n",
        );
        assert!(err.contains("`whatsapp.app_secret`"), "{err}");
        let err = error_of(
            "[whatsapp]\nverify_token = \"v\"\napp_secret = \"s\"\naccess_token = \"t\"\napi_version = \"26\"\n",
        );
        assert!(err.contains("`whatsapp.api_version`"), "{err}");
        let err = error_of(
            "[whatsapp]\nverify_token = \"v\"\napp_secret = \"s\"\naccess_token = \"t\"\nverify = 1\n",
        );
        assert!(err.contains("verify"), "{err}");
    }

    #[test]
    fn a_whatsapp_section_reads_its_secrets_from_files() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let secret = dir.path().join("app_secret");
        std::fs::write(&secret, "el-secreto\n")?;
        let config = Config::from_toml(&format!(
            "[whatsapp]\nverify_token = \"v\"\napp_secret_file = {:?}\naccess_token = \"t\"\nquiet_seconds = 30\n",
            secret
        ))?;
        let channel = config
            .whatsapp
            .as_ref()
            .map(|w| w.channel())
            .transpose()?
            .ok_or_else(|| anyhow::anyhow!("the section is there"))?;
        assert_eq!(channel.settings.app_secret, "el-secreto");
        assert_eq!(channel.api_version, super::DEFAULT_API_VERSION);
        assert_eq!(channel.settings.conversations.quiet_time.as_secs(), 30);
        assert!(!format!("{:?}", config.whatsapp).contains("el-secreto"));
        Ok(())
    }

    #[test]
    fn templates_are_checked_and_named_by_their_key() -> Result<()> {
        let base = "[whatsapp]\nverify_token = \"v\"\napp_secret = \"s\"\naccess_token = \"t\"\n";
        let config = Config::from_toml(&format!(
            "{base}[[whatsapp.templates]]\nname = \"seguimiento\"\nlanguage = \"es\"\nparameters = [\"customer_name\", \"message\"]\nbody = \"Hola {{{{1}}}}: {{{{2}}}}\"\n"
        ))?;
        let channel = config
            .whatsapp
            .as_ref()
            .map(|w| w.channel())
            .transpose()?
            .ok_or_else(|| anyhow::anyhow!("the section is there"))?;
        assert_eq!(channel.settings.templates.len(), 1);
        assert!(channel.settings.templates[0].takes_message());
        let cases = [
            (
                "name = \"Seguimiento\"\nlanguage = \"es\"",
                "`whatsapp.templates[0].name`",
            ),
            (
                "name = \"a\"\nlanguage = \"es-ES\"",
                "`whatsapp.templates[0].language`",
            ),
            (
                "name = \"a\"\nlanguage = \"es\"\nparameters = [\"nombre\"]",
                "`whatsapp.templates[0].parameters`",
            ),
            (
                "name = \"a\"\nlanguage = \"es\"\nparameters = [\"subject\"]\nbody = \"sin hueco\"",
                "`whatsapp.templates[0].body`",
            ),
            (
                "name = \"a\"\nlanguage = \"es\"\nbody = \"uno {{{{1}}}}\"",
                "`whatsapp.templates[0].parameters`",
            ),
        ];
        for (template, key) in cases {
            let err = error_of(&format!("{base}[[whatsapp.templates]]\n{template}\n"));
            assert!(err.contains(key), "{template}: {err}");
        }
        let twice = "[[whatsapp.templates]]\nname = \"a\"\nlanguage = \"es\"\n";
        let err = error_of(&format!("{base}{twice}{twice}"));
        assert!(err.contains("`whatsapp.templates[1].name`"), "{err}");
        Ok(())
    }

    #[test]
    fn without_the_section_the_channel_is_off() -> Result<()> {
        assert!(Config::from_toml("")?.whatsapp.is_none());
        Ok(())
    }
}
