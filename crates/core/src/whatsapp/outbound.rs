//! What support sends on WhatsApp, as it waits in the outbox: free text, a file, or an
//! approved template with its body parameters filled from the ticket. Meta checks
//! templates strictly and refuses a whole send for one bad parameter, so parameters are
//! checked here, before anything is queued.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What one outbox row asks of the Graph API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum WhatsAppRequest {
    Send(OutgoingWhatsApp),
    /// Shows the customer's message (and every one before it) as read on their phone.
    MarkRead {
        wamid: String,
    },
}

/// A message for one customer, sent from one business number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingWhatsApp {
    /// The customer's WhatsApp id.
    pub to: String,
    pub content: OutgoingContent,
    /// The customer's message this one answers (shown quoted on their phone).
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutgoingContent {
    Text {
        body: String,
    },
    /// A stored file (a blob), sent as an image when WhatsApp shows its type as one, as a
    /// document otherwise.
    File {
        sha256: String,
        filename: String,
        media_type: String,
        caption: Option<String>,
    },
    Template {
        name: String,
        language: String,
        parameters: Vec<String>,
    },
}

impl OutgoingContent {
    /// Meta's message type for this content.
    pub fn type_name(&self) -> &'static str {
        match self {
            OutgoingContent::Text { .. } => "text",
            OutgoingContent::File { media_type, .. } if sends_as_image(media_type) => "image",
            OutgoingContent::File { .. } => "document",
            OutgoingContent::Template { .. } => "template",
        }
    }
}

/// WhatsApp shows JPEG and PNG as pictures; every other file goes as a document.
pub fn sends_as_image(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png")
}

/// Where a template's body parameter takes its text from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateParameter {
    CustomerName,
    TicketNumber,
    Subject,
    AgentName,
    CompanyName,
    /// What the agent wrote in the composer, on one line.
    Message,
}

impl TemplateParameter {
    pub const ALL: [TemplateParameter; 6] = [
        TemplateParameter::CustomerName,
        TemplateParameter::TicketNumber,
        TemplateParameter::Subject,
        TemplateParameter::AgentName,
        TemplateParameter::CompanyName,
        TemplateParameter::Message,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateParameter::CustomerName => "customer_name",
            TemplateParameter::TicketNumber => "ticket_number",
            TemplateParameter::Subject => "subject",
            TemplateParameter::AgentName => "agent_name",
            TemplateParameter::CompanyName => "company_name",
            TemplateParameter::Message => "message",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

/// An approved message template, as configured (`[[whatsapp.templates]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsAppTemplate {
    /// The template's name in WhatsApp Manager.
    pub name: String,
    /// Its language code (`es`, `es_ES`, `en_US` …).
    pub language: String,
    /// What fills `{{1}}`, `{{2}}` … in order.
    pub parameters: Vec<TemplateParameter>,
    /// The approved body text with its `{{n}}` placeholders, so the ticket shows what the
    /// customer read; without it the ticket shows the template's name and values.
    pub body: Option<String>,
}

/// The values a template's parameters take from a ticket.
#[derive(Debug, Clone, Copy)]
pub struct TemplateValues<'a> {
    pub customer_name: &'a str,
    pub ticket_number: &'a str,
    pub subject: &'a str,
    pub agent_name: &'a str,
    pub company_name: &'a str,
    pub message: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    #[error("parameter {position} ({source_name}) is empty")]
    Empty {
        position: usize,
        source_name: &'static str,
    },
    #[error(
        "parameter {position} ({source_name}) has a line break, a tab or more than four spaces in a row, which WhatsApp refuses in templates"
    )]
    Layout {
        position: usize,
        source_name: &'static str,
    },
    #[error("parameter {position} ({source_name}) is longer than {MAX_PARAMETER_CHARS} characters")]
    TooLong {
        position: usize,
        source_name: &'static str,
    },
}

/// Longest text of one parameter (Meta allows 1,024 characters in a whole body).
pub const MAX_PARAMETER_CHARS: usize = 1024;

impl WhatsAppTemplate {
    /// The parameters' texts, checked the way Meta checks them: none empty, none with a
    /// line break, a tab or more than four consecutive spaces.
    pub fn fill(&self, values: &TemplateValues<'_>) -> Result<Vec<String>, TemplateError> {
        self.parameters
            .iter()
            .enumerate()
            .map(|(i, parameter)| {
                let position = i + 1;
                let source_name = parameter.as_str();
                let text = match parameter {
                    TemplateParameter::CustomerName => values.customer_name,
                    TemplateParameter::TicketNumber => values.ticket_number,
                    TemplateParameter::Subject => values.subject,
                    TemplateParameter::AgentName => values.agent_name,
                    TemplateParameter::CompanyName => values.company_name,
                    TemplateParameter::Message => values.message,
                }
                .trim();
                if text.is_empty() {
                    return Err(TemplateError::Empty {
                        position,
                        source_name,
                    });
                }
                if text.contains(['\n', '\r', '\t']) || text.contains("     ") {
                    return Err(TemplateError::Layout {
                        position,
                        source_name,
                    });
                }
                if text.chars().count() > MAX_PARAMETER_CHARS {
                    return Err(TemplateError::TooLong {
                        position,
                        source_name,
                    });
                }
                Ok(text.to_string())
            })
            .collect()
    }

    /// What the customer reads: the approved body with the parameters put in, or the
    /// template's name and values when the body is not configured.
    pub fn render(&self, parameters: &[String]) -> String {
        match &self.body {
            Some(body) => {
                // From the highest position down, so `{{1}}` does not eat `{{10}}`.
                let mut text = body.clone();
                for (i, value) in parameters.iter().enumerate().rev() {
                    text = text.replace(&format!("{{{{{}}}}}", i + 1), value);
                }
                text
            }
            None => format!("[Plantilla {}] {}", self.name, parameters.join(" · ")),
        }
    }

    /// Whether the agent's own text goes into the template.
    pub fn takes_message(&self) -> bool {
        self.parameters.contains(&TemplateParameter::Message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(body: Option<&str>) -> WhatsAppTemplate {
        WhatsAppTemplate {
            name: "seguimiento".into(),
            language: "es".into(),
            parameters: vec![
                TemplateParameter::CustomerName,
                TemplateParameter::TicketNumber,
                TemplateParameter::Message,
            ],
            body: body.map(str::to_string),
        }
    }

    fn values(message: &str) -> TemplateValues<'_> {
        TemplateValues {
            customer_name: "Luis",
            ticket_number: "VND-0042",
            subject: "No puedo facturar",
            agent_name: "Ana",
            company_name: "Vendomia",
            message,
        }
    }

    #[test]
    fn parameters_are_filled_in_order_and_rendered_into_the_body() -> Result<(), TemplateError> {
        let t = template(Some("Hola {{1}}, sobre su solicitud {{2}}: {{3}}"));
        let filled = t.fill(&values("ya está resuelto"))?;
        assert_eq!(filled, ["Luis", "VND-0042", "ya está resuelto"]);
        assert_eq!(
            t.render(&filled),
            "Hola Luis, sobre su solicitud VND-0042: ya está resuelto"
        );
        let bare = template(None);
        assert_eq!(
            bare.render(&filled),
            "[Plantilla seguimiento] Luis · VND-0042 · ya está resuelto"
        );
        Ok(())
    }

    #[test]
    fn parameters_meta_would_refuse_are_refused_first() {
        let t = template(None);
        assert_eq!(
            t.fill(&values("  ")),
            Err(TemplateError::Empty {
                position: 3,
                source_name: "message"
            })
        );
        for bad in ["dos\nlíneas", "con\ttab", "cinco     espacios"] {
            assert_eq!(
                t.fill(&values(bad)),
                Err(TemplateError::Layout {
                    position: 3,
                    source_name: "message"
                }),
                "{bad:?}"
            );
        }
        assert!(t.fill(&values("cuatro    espacios")).is_ok());
        let long = "a".repeat(MAX_PARAMETER_CHARS + 1);
        assert!(matches!(
            t.fill(&values(&long)),
            Err(TemplateError::TooLong { position: 3, .. })
        ));
    }

    #[test]
    fn only_jpeg_and_png_go_as_pictures() {
        let file = |media_type: &str| OutgoingContent::File {
            sha256: "x".into(),
            filename: "f".into(),
            media_type: media_type.into(),
            caption: None,
        };
        assert_eq!(file("image/png").type_name(), "image");
        assert_eq!(file("image/jpeg").type_name(), "image");
        assert_eq!(file("image/gif").type_name(), "document");
        assert_eq!(file("application/pdf").type_name(), "document");
    }
}
