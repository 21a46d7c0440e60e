//! An agent's answer on a WhatsApp ticket: it leaves from the number the customer wrote
//! to, as free text and files while the 24-hour window is open, and as an approved
//! template once it has closed.

use crate::{App, AppError, Principal, Result};
use jiff::Timestamp;
use soporte_core::ids::MessageId;
use soporte_core::ticket::{MessageKind, Ticket};
use soporte_core::whatsapp::{
    OutgoingContent, OutgoingWhatsApp, TemplateValues, WhatsAppRequest, WhatsAppTemplate,
    window_closes_at, window_open,
};
use soporte_store::{NewAttachment, NewWhatsAppOutbox, WhatsAppTicket};

/// WhatsApp's longest text message; a longer answer goes as several.
const MAX_TEXT_CHARS: usize = 4096;

/// What an agent asked to send.
pub(crate) struct WhatsAppAnswer<'a> {
    pub agent_name: &'a str,
    /// The composer's text (already trimmed; may be empty with a template).
    pub text: &'a str,
    pub attachments: &'a [NewAttachment],
    pub template: Option<&'a str>,
    pub reply_to: Option<MessageId>,
}

/// The sends of an answer and the text the ticket keeps of it.
pub(crate) struct PlannedAnswer {
    pub body_text: String,
    pub sends: Vec<NewWhatsAppOutbox>,
}

/// Splits `text` into pieces WhatsApp takes, at line ends where it can.
fn text_pieces(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut count = 0;
    for line in text.split_inclusive('\n') {
        let line_chars = line.chars().count();
        if count + line_chars > MAX_TEXT_CHARS && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
            count = 0;
        }
        if line_chars > MAX_TEXT_CHARS {
            for c in line.chars() {
                if count == MAX_TEXT_CHARS {
                    pieces.push(std::mem::take(&mut current));
                    count = 0;
                }
                current.push(c);
                count += 1;
            }
        } else {
            current.push_str(line);
            count += line_chars;
        }
    }
    if !current.trim().is_empty() {
        pieces.push(current);
    }
    pieces
        .into_iter()
        .map(|p| p.trim_end().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

impl App {
    /// The approved templates an agent can send (none when the channel is off).
    pub fn whatsapp_templates(&self) -> Vec<WhatsAppTemplate> {
        self.settings()
            .whatsapp
            .as_ref()
            .map(|w| w.templates.clone())
            .unwrap_or_default()
    }

    /// The configured template named `name`.
    pub fn whatsapp_template(&self, name: &str) -> Result<WhatsAppTemplate> {
        self.settings()
            .whatsapp
            .as_ref()
            .and_then(|w| w.templates.iter().find(|t| t.name == name).cloned())
            .ok_or_else(|| AppError::Unprocessable {
                code: "whatsapp_template_unknown",
                message: format!(
                    "whatsapp_template: no template named {name:?} is configured in [[whatsapp.templates]]"
                ),
            })
    }

    /// The conversation a ticket is, when its answers go out on WhatsApp: the channel is
    /// on and the ticket came from a customer's WhatsApp message.
    pub(crate) async fn whatsapp_conversation(
        &self,
        ticket: &Ticket,
    ) -> Result<Option<WhatsAppTicket>> {
        if ticket.channel != soporte_core::support::Channel::Whatsapp || !self.whatsapp_enabled() {
            return Ok(None);
        }
        Ok(self.store.whatsapp_ticket(ticket.id).await?)
    }

    /// When free text stops being possible on the ticket's conversation (`None`: it is
    /// no WhatsApp conversation).
    pub async fn whatsapp_window_closes_at(&self, ticket: &Ticket) -> Result<Option<Timestamp>> {
        let Some(conversation) = self.whatsapp_conversation(ticket).await? else {
            return Ok(None);
        };
        let last = self
            .store
            .whatsapp_window(&conversation.phone_number_id, &conversation.wa_id)
            .await?
            .unwrap_or(conversation.last_inbound_at);
        Ok(Some(window_closes_at(last)))
    }

    /// An agent opened the ticket: the customer's messages show as read on their phone
    /// (one read mark for the newest, which covers the ones before it). True when a mark
    /// was queued.
    pub async fn whatsapp_ticket_opened(&self, who: &Principal, ticket: &Ticket) -> Result<bool> {
        if !who.is_agent()
            || ticket.channel != soporte_core::support::Channel::Whatsapp
            || !self.whatsapp_enabled()
        {
            return Ok(false);
        }
        Ok(self
            .store
            .queue_whatsapp_read_mark(ticket.id, Timestamp::now())
            .await?)
    }

    /// The sends of an agent's answer, refused when WhatsApp would refuse them: free text
    /// after the window closed, a template with a parameter Meta does not take.
    pub(crate) async fn plan_whatsapp_answer(
        &self,
        ticket: &Ticket,
        conversation: &WhatsAppTicket,
        answer: &WhatsAppAnswer<'_>,
    ) -> Result<PlannedAnswer> {
        let reply_to = match answer.reply_to {
            Some(id) => Some(self.answered_wamid(ticket, id).await?),
            None => None,
        };
        let send = |content: OutgoingContent, first: bool| NewWhatsAppOutbox {
            kind: "reply".into(),
            phone_number_id: conversation.phone_number_id.clone(),
            request: WhatsAppRequest::Send(OutgoingWhatsApp {
                to: conversation.wa_id.clone(),
                content,
                reply_to: if first { reply_to.clone() } else { None },
            }),
            delivers_message: first,
        };
        if let Some(name) = answer.template {
            let template = self.whatsapp_template(name)?;
            if !answer.attachments.is_empty() {
                return Err(AppError::Unprocessable {
                    code: "whatsapp_template_invalid",
                    message:
                        "a template carries no files: send them once the customer writes again"
                            .into(),
                });
            }
            let customer = self.store.contact(ticket.requester_id).await?;
            let settings = self.settings();
            let parameters = template
                .fill(&TemplateValues {
                    customer_name: customer.as_ref().map_or("", |c| c.name.as_str()),
                    ticket_number: &ticket.number,
                    subject: &ticket.subject,
                    agent_name: answer.agent_name,
                    company_name: &settings.company_name,
                    message: answer.text,
                })
                .map_err(|e| AppError::Unprocessable {
                    code: "whatsapp_template_invalid",
                    message: format!("template {name:?}: {e}"),
                })?;
            let body_text = template.render(&parameters);
            let content = OutgoingContent::Template {
                name: template.name.clone(),
                language: template.language.clone(),
                parameters,
            };
            return Ok(PlannedAnswer {
                body_text,
                sends: vec![send(content, true)],
            });
        }
        let last = self
            .store
            .whatsapp_window(&conversation.phone_number_id, &conversation.wa_id)
            .await?;
        let now = Timestamp::now();
        if !window_open(last, now) {
            return Err(AppError::WhatsAppWindowClosed {
                closed_at: window_closes_at(last.unwrap_or(conversation.last_inbound_at)),
            });
        }
        let mut contents: Vec<OutgoingContent> = text_pieces(answer.text)
            .into_iter()
            .map(|body| OutgoingContent::Text { body })
            .collect();
        contents.extend(answer.attachments.iter().map(|a| OutgoingContent::File {
            sha256: a.sha256.clone(),
            filename: a.filename.clone(),
            media_type: a.media_type.clone(),
            caption: None,
        }));
        Ok(PlannedAnswer {
            body_text: answer.text.to_string(),
            sends: contents
                .into_iter()
                .enumerate()
                .map(|(i, content)| send(content, i == 0))
                .collect(),
        })
    }

    /// The wamid of the customer's message an answer quotes.
    async fn answered_wamid(&self, ticket: &Ticket, id: MessageId) -> Result<String> {
        let message = self
            .store
            .message(id)
            .await?
            .filter(|m| m.ticket_id == ticket.id && m.kind == MessageKind::Inbound);
        message
            .and_then(|m| m.whatsapp.and_then(|w| w.wamid))
            .ok_or_else(|| {
                AppError::invalid(
                    "reply_to_message_id",
                    format!(
                        "message {} is no WhatsApp message of the customer on this ticket",
                        id.0
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_answers_are_split_at_line_ends() {
        assert_eq!(text_pieces("hola"), ["hola"]);
        assert!(text_pieces("  \n ").is_empty());
        let line = format!("{}\n", "a".repeat(3000));
        let pieces = text_pieces(&format!("{line}{line}"));
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.chars().count() == 3000));
        let huge = "b".repeat(MAX_TEXT_CHARS * 2 + 10);
        let pieces = text_pieces(&huge);
        assert_eq!(
            pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [MAX_TEXT_CHARS, MAX_TEXT_CHARS, 10]
        );
    }
}
