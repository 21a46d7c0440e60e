//! The `[policy]` section: the support policy's rules as an operator writes them, checked
//! and turned into the engine's `Policy`. Defaults are the policy text's.

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use soporte_app::settings::{
    CalendarSettings, ProductAreaSettings, SettingError, SlaSettings, product_area_settings,
    product_areas,
};
use soporte_core::policy::channels::{ChannelRule, ChannelRules};
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::policy::rules::{ChecklistRules, KindItems, Policy};
use soporte_core::support::{Channel, SupportType};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Below this classifier confidence (0–1) a new ticket's type stays unset for triage.
    pub type_threshold: f64,
    /// Share of an SLA target (0–1) after which the ticket is at risk.
    pub at_risk_fraction: f64,
    /// Retrain the classifier on agents' corrections this often (hours); 0 turns it off.
    pub retrain_hours: u64,
    /// How often the SLA worker looks for tickets at risk or breached (seconds).
    pub sla_check_seconds: u64,
    /// Phrases that make a request urgent (matched without accents, whole words).
    pub urgency_phrases: Vec<String>,
    /// Product areas customers name, with their synonyms (the checklist's `location`).
    pub product_areas: Vec<ProductAreaSettings>,
    /// Checklist items required per support type and kind of request.
    pub checklist: ChecklistConfig,
    pub calendar: CalendarSettings,
    /// First-response and resolution targets in business time ("8h", "1h30m").
    pub sla: SlaSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindConfig {
    pub error: Vec<ChecklistItem>,
    pub change: Vec<ChecklistItem>,
    pub question: Vec<ChecklistItem>,
    pub request: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistConfig {
    pub administrative: KindConfig,
    pub usage: KindConfig,
    pub technical: KindConfig,
    pub unclassified: KindConfig,
}

fn kind_config(items: &KindItems) -> KindConfig {
    KindConfig {
        error: items.error.clone(),
        change: items.change.clone(),
        question: items.question.clone(),
        request: items.request.clone(),
    }
}

impl Default for PolicyConfig {
    fn default() -> Self {
        let p = Policy::default();
        Self {
            type_threshold: p.type_threshold,
            at_risk_fraction: p.at_risk_fraction,
            retrain_hours: 24,
            sla_check_seconds: 60,
            urgency_phrases: p.urgency_phrases.clone(),
            product_areas: product_area_settings(&p.product_areas),
            checklist: ChecklistConfig {
                administrative: kind_config(&p.checklist.administrative),
                usage: kind_config(&p.checklist.usage),
                technical: kind_config(&p.checklist.technical),
                unclassified: kind_config(&p.checklist.unclassified),
            },
            calendar: CalendarSettings::of(&p.calendar),
            sla: SlaSettings::of(&p.sla),
        }
    }
}

fn kind_items(k: &KindConfig) -> KindItems {
    KindItems {
        error: k.error.clone(),
        change: k.change.clone(),
        question: k.question.clone(),
        request: k.request.clone(),
    }
}

impl PolicyConfig {
    /// The engine's policy, or the first invalid value with its key.
    pub fn to_policy(
        &self,
        support_types: &BTreeMap<SupportType, super::SupportTypeConfig>,
    ) -> Result<Policy> {
        if !(0.0..=1.0).contains(&self.type_threshold) {
            bail!("config key `policy.type_threshold`: must be between 0 and 1");
        }
        if !(self.at_risk_fraction > 0.0 && self.at_risk_fraction < 1.0) {
            bail!("config key `policy.at_risk_fraction`: must be between 0 and 1 (exclusive)");
        }
        if self.sla_check_seconds == 0 {
            bail!("config key `policy.sla_check_seconds`: must be at least 1");
        }
        for (i, phrase) in self.urgency_phrases.iter().enumerate() {
            if phrase.trim().is_empty() {
                bail!("config key `policy.urgency_phrases[{i}]`: must not be empty");
            }
        }
        let product_areas =
            product_areas("policy.product_areas", &self.product_areas).map_err(config_error)?;
        let calendar = self
            .calendar
            .to_calendar("policy.calendar")
            .map_err(config_error)?;
        let sla = self.sla.to_targets("policy.sla").map_err(config_error)?;
        let rule = |t: SupportType| -> ChannelRule {
            let cfg = support_types.get(&t);
            ChannelRule {
                channels: cfg.map(|c| c.channels.clone()).unwrap_or_default(),
                urgent_channels: cfg.map(|c| c.urgent_channels.clone()).unwrap_or_default(),
                redirect_to: Channel::Email,
            }
        };
        Ok(Policy {
            type_threshold: self.type_threshold,
            channels: ChannelRules {
                administrative: rule(SupportType::Administrative),
                usage: rule(SupportType::Usage),
                technical: rule(SupportType::Technical),
            },
            checklist: ChecklistRules {
                administrative: kind_items(&self.checklist.administrative),
                usage: kind_items(&self.checklist.usage),
                technical: kind_items(&self.checklist.technical),
                unclassified: kind_items(&self.checklist.unclassified),
            },
            product_areas,
            urgency_phrases: self.urgency_phrases.clone(),
            calendar,
            sla,
            at_risk_fraction: self.at_risk_fraction,
            support_types: support_types
                .iter()
                .map(|(t, c)| soporte_core::policy::rules::SupportTypeText {
                    support_type: *t,
                    label_es: c.label_es.clone(),
                    label_en: c.label_en.clone(),
                    description_es: c.description_es.clone(),
                    description_en: if c.description_en.trim().is_empty() {
                        c.description_es.clone()
                    } else {
                        c.description_en.clone()
                    },
                })
                .collect(),
        })
    }
}

/// A setting's error as the configuration file names keys.
pub fn config_error(e: SettingError) -> anyhow::Error {
    anyhow!("config key `{}`: {}", e.key, e.message)
}
