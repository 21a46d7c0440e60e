//! The policy in force, as integrations and operators read it (`GET /api/v1/policy`).

use crate::{App, Principal, Result};
use serde::Serialize;
use soporte_core::policy::channels::ChannelRules;
use soporte_core::policy::checklist::ProductArea;
use soporte_core::policy::rules::{ChecklistRules, SlaTargets};
use soporte_core::policy::sla::WEEKDAY_NAMES;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    /// Below this classifier confidence a new ticket's type stays unset for triage.
    pub type_threshold: f64,
    /// Share of an SLA target after which a ticket is at risk.
    pub at_risk_fraction: f64,
    pub channels: ChannelRules,
    /// Checklist items required per support type and request kind.
    pub checklist: ChecklistRules,
    pub product_areas: Vec<ProductArea>,
    pub urgency_phrases: Vec<String>,
    pub calendar: CalendarView,
    /// Targets as ISO 8601 durations of business time.
    pub sla: SlaTargets,
    pub classifier: ClassifierView,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    pub time_zone: String,
    /// Working hours per weekday as `HH:MM-HH:MM`, local time.
    pub week: BTreeMap<&'static str, Vec<String>>,
    pub holidays: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassifierView {
    /// The stored model in use; `null` for the one trained on the shipped examples.
    pub model_id: Option<i64>,
}

impl App {
    pub fn policy(&self, who: &Principal) -> Result<PolicyView> {
        who.require_agent()?;
        let p = &self.settings().policy;
        let cal = &p.calendar;
        let week = WEEKDAY_NAMES
            .iter()
            .zip(cal.week.iter())
            .map(|(day, hours)| {
                let spans = hours
                    .iter()
                    .map(|(from, to)| {
                        format!("{}-{}", from.strftime("%H:%M"), to.strftime("%H:%M"))
                    })
                    .collect();
                (*day, spans)
            })
            .collect();
        let model_id = self.classifier.model_id();
        Ok(PolicyView {
            type_threshold: p.type_threshold,
            at_risk_fraction: p.at_risk_fraction,
            channels: p.channels.clone(),
            checklist: p.checklist.clone(),
            product_areas: p.product_areas.clone(),
            urgency_phrases: p.urgency_phrases.clone(),
            calendar: CalendarView {
                time_zone: cal.time_zone.iana_name().unwrap_or("UTC").to_string(),
                week,
                holidays: cal.holidays.iter().map(ToString::to_string).collect(),
            },
            sla: p.sla,
            classifier: ClassifierView { model_id },
        })
    }
}
