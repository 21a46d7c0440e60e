//! The reply composer on a WhatsApp ticket: while the customer's 24-hour window is open, it
//! shows how long it stays open (and offers the approved templates too); once it has
//! closed, it only sends a template, with the agent's text as the template's `message`
//! parameter where the template takes one.

use super::texts::Lang;
use super::time;
use jiff::Timestamp;
use soporte_core::whatsapp::WhatsAppTemplate;

pub struct TemplateChoice {
    pub name: String,
    /// The approved body with its placeholders, or the name when no body is configured.
    pub label: String,
    pub takes_message: bool,
}

pub struct Composer {
    pub open: bool,
    /// "quedan 5 h 12 min", while open.
    pub remaining: String,
    /// When it closes, in the agent's terms, and for the countdown script.
    pub closes_at: String,
    pub closes_at_iso: String,
    pub templates: Vec<TemplateChoice>,
}

impl Composer {
    /// `None` for a ticket that is no WhatsApp conversation.
    pub fn new(
        closes_at: Option<Timestamp>,
        templates: Vec<WhatsAppTemplate>,
        now: Timestamp,
        lang: Lang,
    ) -> Option<Self> {
        let closes_at = closes_at?;
        Some(Composer {
            open: now < closes_at,
            remaining: time::remaining(closes_at, now, lang),
            closes_at: time::local(closes_at, lang),
            closes_at_iso: time::iso(closes_at),
            templates: templates
                .into_iter()
                .map(|t| TemplateChoice {
                    label: match &t.body {
                        Some(body) => format!("{} — {body}", t.name),
                        None => t.name.clone(),
                    },
                    takes_message: t.takes_message(),
                    name: t.name,
                })
                .collect(),
        })
    }

    /// Whether the agent's own text goes into some template (else the text box is of no
    /// use in template mode).
    pub fn any_takes_message(&self) -> bool {
        self.templates.iter().any(|t| t.takes_message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;
    use soporte_core::whatsapp::TemplateParameter;

    #[test]
    fn the_composer_counts_down_the_window_and_lists_templates() {
        let now = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(500_000);
        let template = WhatsAppTemplate {
            name: "seguimiento".into(),
            language: "es".into(),
            parameters: vec![TemplateParameter::Message],
            body: Some("Hola: {{1}}".into()),
        };
        let open = Composer::new(
            Some(now + SignedDuration::from_mins(312)),
            vec![template.clone()],
            now,
            Lang::Es,
        );
        let open = open.expect("a WhatsApp conversation");
        assert!(open.open);
        assert_eq!(open.remaining, "quedan 5 h 12 min");
        assert_eq!(open.templates[0].label, "seguimiento — Hola: {{1}}");
        assert!(open.any_takes_message());
        let closed = Composer::new(
            Some(now - SignedDuration::from_mins(1)),
            vec![],
            now,
            Lang::En,
        )
        .expect("a WhatsApp conversation");
        assert!(!closed.open);
        assert!(Composer::new(None, vec![template], now, Lang::Es).is_none());
    }
}
