//! The `[policy]` section: the support policy's rules as an operator writes them, checked
//! and turned into the engine's `Policy`. Defaults are the policy text's.

use anyhow::{Result, anyhow, bail};
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use soporte_core::policy::channels::{ChannelRule, ChannelRules};
use soporte_core::policy::checklist::{ChecklistItem, ProductArea};
use soporte_core::policy::rules::{ChecklistRules, KindItems, Policy, PriorityTargets, SlaTargets};
use soporte_core::policy::sla::{
    BusinessCalendar, SlaTarget, WEEKDAY_NAMES, parse_business_duration,
};
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
    pub product_areas: Vec<ProductAreaConfig>,
    /// Checklist items required per support type and kind of request.
    pub checklist: ChecklistConfig,
    pub calendar: CalendarConfig,
    /// First-response and resolution targets in business time ("8h", "1h30m").
    pub sla: SlaConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductAreaConfig {
    pub name: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub first_response: String,
    pub resolution: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityConfig {
    pub normal: TargetConfig,
    pub urgent: TargetConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    pub administrative: PriorityConfig,
    pub usage: PriorityConfig,
    pub technical: PriorityConfig,
    pub unclassified: PriorityConfig,
}

fn hours(d: jiff::SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h}h"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m}m"),
    }
}

fn kind_config(items: &KindItems) -> KindConfig {
    KindConfig {
        error: items.error.clone(),
        change: items.change.clone(),
        question: items.question.clone(),
        request: items.request.clone(),
    }
}

fn priority_config(t: &PriorityTargets) -> PriorityConfig {
    let target = |t: &SlaTarget| TargetConfig {
        first_response: hours(t.first_response),
        resolution: hours(t.resolution),
    };
    PriorityConfig {
        normal: target(&t.normal),
        urgent: target(&t.urgent),
    }
}

impl Default for PolicyConfig {
    fn default() -> Self {
        let p = Policy::default();
        let cal = &p.calendar;
        let spans = |day: usize| -> Vec<String> {
            cal.week[day]
                .iter()
                .map(|(from, to)| format!("{}-{}", from.strftime("%H:%M"), to.strftime("%H:%M")))
                .collect()
        };
        Self {
            type_threshold: p.type_threshold,
            at_risk_fraction: p.at_risk_fraction,
            retrain_hours: 24,
            sla_check_seconds: 60,
            urgency_phrases: p.urgency_phrases.clone(),
            product_areas: p
                .product_areas
                .iter()
                .map(|a| ProductAreaConfig {
                    name: a.name.clone(),
                    synonyms: a.synonyms.clone(),
                })
                .collect(),
            checklist: ChecklistConfig {
                administrative: kind_config(&p.checklist.administrative),
                usage: kind_config(&p.checklist.usage),
                technical: kind_config(&p.checklist.technical),
                unclassified: kind_config(&p.checklist.unclassified),
            },
            calendar: CalendarConfig {
                time_zone: cal
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
                holidays: cal.holidays.iter().map(ToString::to_string).collect(),
            },
            sla: SlaConfig {
                administrative: priority_config(&p.sla.administrative),
                usage: priority_config(&p.sla.usage),
                technical: priority_config(&p.sla.technical),
                unclassified: priority_config(&p.sla.unclassified),
            },
        }
    }
}

/// A "HH:MM-HH:MM" span; "24:00" closes at midnight.
fn parse_span(key: &str, text: &str) -> Result<(Time, Time)> {
    let bad = || anyhow!("config key `{key}`: {text:?} is not a span like \"09:00-14:00\"");
    let (from, to) = text.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| -> Result<Time> {
        let t = t.trim();
        if t == "24:00" {
            return Ok(Time::midnight());
        }
        Time::strptime("%H:%M", t).map_err(|_| bad())
    };
    Ok((time(from)?, time(to)?))
}

fn kind_items(k: &KindConfig) -> KindItems {
    KindItems {
        error: k.error.clone(),
        change: k.change.clone(),
        question: k.question.clone(),
        request: k.request.clone(),
    }
}

fn targets(key: &str, p: &PriorityConfig) -> Result<PriorityTargets> {
    let target = |level: &str, t: &TargetConfig| -> Result<SlaTarget> {
        let parse = |field: &str, text: &str| {
            parse_business_duration(text)
                .map_err(|e| anyhow!("config key `{key}.{level}.{field}`: {}", e.message))
        };
        let first_response = parse("first_response", &t.first_response)?;
        let resolution = parse("resolution", &t.resolution)?;
        if resolution < first_response {
            bail!("config key `{key}.{level}.resolution`: must not be shorter than first_response");
        }
        Ok(SlaTarget {
            first_response,
            resolution,
        })
    };
    Ok(PriorityTargets {
        normal: target("normal", &p.normal)?,
        urgent: target("urgent", &p.urgent)?,
    })
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
        for (i, area) in self.product_areas.iter().enumerate() {
            if area.name.trim().is_empty() {
                bail!("config key `policy.product_areas[{i}].name`: must not be empty");
            }
        }
        let c = &self.calendar;
        let days = [
            &c.monday,
            &c.tuesday,
            &c.wednesday,
            &c.thursday,
            &c.friday,
            &c.saturday,
            &c.sunday,
        ];
        let mut week: [Vec<(Time, Time)>; 7] = Default::default();
        for ((slot, day), spans) in week.iter_mut().zip(WEEKDAY_NAMES).zip(days) {
            for (i, span) in spans.iter().enumerate() {
                slot.push(parse_span(&format!("policy.calendar.{day}[{i}]"), span)?);
            }
        }
        let mut holidays = Vec::with_capacity(c.holidays.len());
        for (i, day) in c.holidays.iter().enumerate() {
            holidays.push(day.parse::<Date>().map_err(|_| {
                anyhow!("config key `policy.calendar.holidays[{i}]`: {day:?} is not a date like 2026-12-25")
            })?);
        }
        let calendar = BusinessCalendar::new(&c.time_zone, week, holidays)
            .map_err(|e| anyhow!("config key `policy.calendar.{}`: {}", e.field, e.message))?;
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
            product_areas: self
                .product_areas
                .iter()
                .map(|a| ProductArea {
                    name: a.name.trim().to_string(),
                    synonyms: a.synonyms.clone(),
                })
                .collect(),
            urgency_phrases: self.urgency_phrases.clone(),
            calendar,
            sla: SlaTargets {
                administrative: targets("policy.sla.administrative", &self.sla.administrative)?,
                usage: targets("policy.sla.usage", &self.sla.usage)?,
                technical: targets("policy.sla.technical", &self.sla.technical)?,
                unclassified: targets("policy.sla.unclassified", &self.sla.unclassified)?,
            },
            at_risk_fraction: self.at_risk_fraction,
        })
    }
}
