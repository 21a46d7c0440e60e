//! The support policy as configuration: everything an operator may change, with the
//! defaults the policy text gives.

use crate::policy::channels::ChannelRules;
use crate::policy::checklist::{ChecklistItem, ProductArea};
use crate::policy::classifier::RequestKind;
use crate::policy::sla::{BusinessCalendar, SlaTarget};
use crate::support::{Priority, SupportType};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

/// The checklist items one support type asks for, per kind of request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindItems {
    pub error: Vec<ChecklistItem>,
    pub change: Vec<ChecklistItem>,
    pub question: Vec<ChecklistItem>,
    pub request: Vec<ChecklistItem>,
}

impl KindItems {
    pub fn for_kind(&self, kind: RequestKind) -> &[ChecklistItem] {
        match kind {
            RequestKind::Error => &self.error,
            RequestKind::Change => &self.change,
            RequestKind::Question => &self.question,
            RequestKind::Request => &self.request,
        }
    }
}

/// The policy's "Nos ayuda mucho" list asks for evidence of an error, so error reports
/// need all of it; a change request needs where and for whom, a question where, and an
/// administrative request whose account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistRules {
    pub administrative: KindItems,
    pub usage: KindItems,
    pub technical: KindItems,
    /// For tickets whose type is not known yet.
    pub unclassified: KindItems,
}

impl Default for ChecklistRules {
    fn default() -> Self {
        use ChecklistItem::*;
        let error = vec![Screenshot, Location, Timing, AccountUser, Description];
        let by_kind = KindItems {
            error: error.clone(),
            change: vec![Location, AccountUser],
            question: vec![Location],
            request: vec![AccountUser],
        };
        Self {
            administrative: KindItems {
                error: vec![AccountUser, Description],
                change: vec![AccountUser],
                question: vec![AccountUser],
                request: vec![AccountUser],
            },
            usage: KindItems {
                error: vec![Screenshot, Location, AccountUser, Description],
                ..by_kind.clone()
            },
            technical: by_kind.clone(),
            unclassified: by_kind,
        }
    }
}

impl ChecklistRules {
    pub fn required(
        &self,
        support_type: Option<SupportType>,
        kind: RequestKind,
    ) -> &[ChecklistItem] {
        let items = match support_type {
            Some(SupportType::Administrative) => &self.administrative,
            Some(SupportType::Usage) => &self.usage,
            Some(SupportType::Technical) => &self.technical,
            None => &self.unclassified,
        };
        items.for_kind(kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTargets {
    pub normal: SlaTarget,
    pub urgent: SlaTarget,
}

/// First-response and resolution targets, in business time, per type and priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    pub administrative: PriorityTargets,
    pub usage: PriorityTargets,
    pub technical: PriorityTargets,
    pub unclassified: PriorityTargets,
    /// A call-back task (a missed call): its own target, one business hour by default.
    #[serde(default = "default_call_back")]
    pub call_back: SlaTarget,
}

fn default_call_back() -> SlaTarget {
    target(1, 1)
}

fn target(first_response_hours: i64, resolution_hours: i64) -> SlaTarget {
    SlaTarget {
        first_response: SignedDuration::from_hours(first_response_hours),
        resolution: SignedDuration::from_hours(resolution_hours),
    }
}

impl Default for SlaTargets {
    fn default() -> Self {
        Self {
            administrative: PriorityTargets {
                normal: target(8, 24),
                urgent: target(1, 8),
            },
            usage: PriorityTargets {
                normal: target(4, 16),
                urgent: target(1, 4),
            },
            technical: PriorityTargets {
                normal: target(8, 40),
                urgent: target(2, 16),
            },
            unclassified: PriorityTargets {
                normal: target(4, 24),
                urgent: target(1, 8),
            },
            call_back: default_call_back(),
        }
    }
}

impl SlaTargets {
    pub fn for_ticket(&self, support_type: Option<SupportType>, priority: Priority) -> SlaTarget {
        let by_priority = match support_type {
            Some(SupportType::Administrative) => &self.administrative,
            Some(SupportType::Usage) => &self.usage,
            Some(SupportType::Technical) => &self.technical,
            None => &self.unclassified,
        };
        match priority {
            Priority::Normal => by_priority.normal,
            Priority::Urgent => by_priority.urgent,
        }
    }
}

/// How a support type is named and explained to customers choosing what their request is
/// about (the portal's form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportTypeText {
    pub support_type: SupportType,
    pub label_es: String,
    pub label_en: String,
    pub description_es: String,
    pub description_en: String,
}

/// The three types as the policy describes them.
pub fn default_support_type_texts() -> Vec<SupportTypeText> {
    let text = |support_type, label_es: &str, label_en: &str, es: &str, en: &str| SupportTypeText {
        support_type,
        label_es: label_es.into(),
        label_en: label_en.into(),
        description_es: es.into(),
        description_en: en.into(),
    };
    vec![
        text(
            SupportType::Administrative,
            "Administrativo",
            "Administrative",
            "Facturas, rectificaciones y gestiones de la cuenta.",
            "Invoices, corrected invoices and managing the account.",
        ),
        text(
            SupportType::Usage,
            "Uso de la herramienta",
            "Tool usage",
            "Dudas sobre cómo usar la herramienta; el correo para lo no urgente.",
            "Questions about how to use the tool; e-mail for what is not urgent.",
        ),
        text(
            SupportType::Technical,
            "Técnico",
            "Technical",
            "Cambios, mejoras y errores de la aplicación; solo por correo.",
            "Changes, improvements and bugs of the application; by e-mail only.",
        ),
    ]
}

/// Everything the policy engine needs besides the trained classifier.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Below this confidence the classifier's type is not applied; the ticket waits for
    /// triage.
    pub type_threshold: f64,
    pub channels: ChannelRules,
    pub checklist: ChecklistRules,
    pub product_areas: Vec<ProductArea>,
    pub urgency_phrases: Vec<String>,
    pub calendar: BusinessCalendar,
    pub sla: SlaTargets,
    /// Share of a target after which a ticket is "at risk".
    pub at_risk_fraction: f64,
    /// The types' names and descriptions for customers.
    pub support_types: Vec<SupportTypeText>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            type_threshold: 0.6,
            channels: ChannelRules::default(),
            checklist: ChecklistRules::default(),
            product_areas: crate::policy::checklist::default_product_areas(),
            urgency_phrases: crate::policy::urgency::default_phrases(),
            calendar: BusinessCalendar::spanish_default(),
            sla: SlaTargets::default(),
            at_risk_fraction: 0.8,
            support_types: default_support_type_texts(),
        }
    }
}
