//! The one automatic WhatsApp answer a request gets once the customer's burst is over:
//! short, as a chat message should be. It gives the ticket's number and what is still
//! missing; for a request that belongs on e-mail, the support address and a link that
//! prepares the e-mail; for an urgent administrative matter, the personal agent's phone.

use crate::email::{EmailSettings, Language};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::support::SupportType;

/// Where the answer points the customer, besides WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pointer {
    /// Usage questions belong on WhatsApp: nothing else to say.
    Stay,
    /// The type is handled by e-mail.
    Email(SupportType),
    /// An urgent administrative matter: the personal agent's phone.
    Phone { agent: String, phone: String },
}

pub(crate) struct WhatsAppAcknowledgement<'a> {
    pub name: &'a str,
    pub number: &'a str,
    pub subject: &'a str,
    /// What the customer wrote, for the prepared e-mail's body.
    pub request_text: &'a str,
    pub missing: &'a [ChecklistItem],
    pub pointer: Pointer,
    /// The one-time portal link where the missing items can be added (when something is
    /// missing).
    pub portal_link: Option<&'a str>,
}

fn type_words(t: SupportType, language: Language) -> &'static str {
    match (t, language) {
        (SupportType::Administrative, Language::Spanish) => "administrativas",
        (SupportType::Usage, Language::Spanish) => "de uso de la herramienta",
        (SupportType::Technical, Language::Spanish) => "técnicas",
        (SupportType::Administrative, Language::English) => "Administrative",
        (SupportType::Usage, Language::English) => "Tool usage",
        (SupportType::Technical, Language::English) => "Technical",
    }
}

/// Longest part of the customer's text carried into the prepared e-mail: links longer
/// than a few thousand characters break in some phones' mail apps.
const MAILTO_TEXT_CHARS: usize = 1500;

impl WhatsAppAcknowledgement<'_> {
    /// A `mailto:` link with the subject (the ticket's number first, so the e-mail joins
    /// the ticket) and the customer's words filled in.
    pub fn mailto(&self, support: &str) -> String {
        let subject = format!("[{}] {}", self.number, self.subject);
        let body: String = self.request_text.chars().take(MAILTO_TEXT_CHARS).collect();
        format!(
            "mailto:{support}?subject={}&body={}",
            utf8_percent_encode(&subject, NON_ALPHANUMERIC),
            utf8_percent_encode(&body, NON_ALPHANUMERIC)
        )
    }

    pub fn text(&self, email: &EmailSettings) -> String {
        let items: String = self
            .missing
            .iter()
            .map(|item| format!("\n- {}", email.templates.item_request(*item)))
            .collect();
        let support = &email.from_address;
        let (number, name) = (self.number, self.name);
        match email.language {
            Language::Spanish => {
                let mut text =
                    format!("Hola {name}, hemos recibido su solicitud con el número {number}.");
                match &self.pointer {
                    Pointer::Stay => {
                        if !items.is_empty() {
                            text.push_str(&format!(
                                "\n\nPara resolverla sin volver a preguntarle, envíenos por aquí:{items}"
                            ));
                            if let Some(link) = self.portal_link {
                                text.push_str(&format!(
                                    "\n\nO, si lo prefiere, añádalo en el portal: {link}"
                                ));
                            }
                        }
                    }
                    Pointer::Email(t) => {
                        text.push_str(&format!(
                            "\n\nLas consultas {} se atienden por correo electrónico. Escríbanos a {support} indicando el número {number}",
                            type_words(*t, Language::Spanish)
                        ));
                        if items.is_empty() {
                            text.push('.');
                        } else {
                            text.push_str(&format!(" e incluya:{items}"));
                        }
                        text.push_str(&format!(
                            "\n\nEste enlace prepara el correo: {}",
                            self.mailto(support)
                        ));
                    }
                    Pointer::Phone { agent, phone } => {
                        text.push_str(&format!(
                            "\n\nPara un asunto administrativo urgente, llame a su agente personal, {agent}, al {phone}."
                        ));
                    }
                }
                text
            }
            Language::English => {
                let mut text =
                    format!("Hello {name}, we have received your request with number {number}.");
                match &self.pointer {
                    Pointer::Stay => {
                        if !items.is_empty() {
                            text.push_str(&format!(
                                "\n\nSo that we can solve it without asking again, please send us here:{items}"
                            ));
                            if let Some(link) = self.portal_link {
                                text.push_str(&format!(
                                    "\n\nOr, if you prefer, add it on the portal: {link}"
                                ));
                            }
                        }
                    }
                    Pointer::Email(t) => {
                        text.push_str(&format!(
                            "\n\n{} questions are handled by e-mail. Write to {support} quoting number {number}",
                            type_words(*t, Language::English)
                        ));
                        if items.is_empty() {
                            text.push('.');
                        } else {
                            text.push_str(&format!(" and include:{items}"));
                        }
                        text.push_str(&format!(
                            "\n\nThis link prepares the e-mail: {}",
                            self.mailto(support)
                        ));
                    }
                    Pointer::Phone { agent, phone } => {
                        text.push_str(&format!(
                            "\n\nFor an urgent administrative matter, call your personal agent, {agent}, on {phone}."
                        ));
                    }
                }
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(pointer: Pointer, missing: &[ChecklistItem]) -> WhatsAppAcknowledgement<'_> {
        WhatsAppAcknowledgement {
            name: "Luis",
            number: "VND-000042",
            subject: "No puedo publicar",
            request_text: "Hola, sale un error 500 & no sé qué hacer",
            missing,
            pointer,
            portal_link: None,
        }
    }

    #[test]
    fn a_usage_question_gets_the_number_and_what_is_missing() {
        let email = EmailSettings::for_address("Vendomia", "soporte@vendomia.com");
        let text = ack(Pointer::Stay, &[ChecklistItem::Screenshot]).text(&email);
        assert!(text.contains("VND-000042"), "{text}");
        assert!(
            text.contains(email.templates.item_request(ChecklistItem::Screenshot)),
            "{text}"
        );
        assert!(!text.contains("mailto:"), "{text}");
        let complete = ack(Pointer::Stay, &[]).text(&email);
        assert!(!complete.contains("envíenos"), "{complete}");
        let with_link = WhatsAppAcknowledgement {
            portal_link: Some("https://soporte.vendomia.com/portal/link?token=abc"),
            ..ack(Pointer::Stay, &[ChecklistItem::Screenshot])
        }
        .text(&email);
        assert!(
            with_link.ends_with(
                "añádalo en el portal: https://soporte.vendomia.com/portal/link?token=abc"
            ),
            "{with_link}"
        );
    }

    #[test]
    fn a_technical_request_is_pointed_to_e_mail_with_a_prepared_link() {
        let email = EmailSettings::for_address("Vendomia", "soporte@vendomia.com");
        let a = ack(Pointer::Email(SupportType::Technical), &[]);
        let text = a.text(&email);
        assert!(text.contains("correo electrónico"), "{text}");
        assert!(text.contains("soporte@vendomia.com"), "{text}");
        let link = a.mailto("soporte@vendomia.com");
        assert!(
            link.starts_with("mailto:soporte@vendomia.com?subject=%5BVND%2D000042%5D%20No%20puedo"),
            "{link}"
        );
        assert!(
            link.contains("&body=Hola%2C%20sale%20un%20error%20500%20%26%20no"),
            "{link}"
        );
        assert!(text.contains(&link), "{text}");
    }

    #[test]
    fn an_urgent_administrative_matter_gets_the_agents_phone() {
        let email = EmailSettings::for_address("Vendomia", "soporte@vendomia.com");
        let text = ack(
            Pointer::Phone {
                agent: "Ana".into(),
                phone: "+34 600 000 001".into(),
            },
            &[],
        )
        .text(&email);
        assert!(text.contains("Ana, al +34 600 000 001"), "{text}");
        assert!(!text.contains("mailto:"), "{text}");
    }
}
