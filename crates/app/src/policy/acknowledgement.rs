//! The one automatic answer a new request gets: its ticket number, exactly the checklist
//! items still missing, where to write if the request came by the wrong channel, and the
//! personal agent's phone for urgent matters where the type allows it.

use crate::AppSettings;
use crate::email::{EmailSettings, Language, OutgoingMail, Values, new_message_id};
use jiff::Timestamp;
use soporte_core::email::{Mailbox, OutgoingEmail};
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::support::{Channel, SupportType};
use soporte_core::ticket::{Message, Ticket};
use soporte_store::{AutomaticAnswer, NewOutbox};

pub(crate) struct Acknowledgement {
    /// The channel the answer is given on: the request's own.
    pub channel: Channel,
    /// How to greet the customer.
    pub name: String,
    pub missing: Vec<ChecklistItem>,
    /// The type whose channel rule pointed the customer elsewhere.
    pub redirected_type: Option<SupportType>,
    /// The personal agent and their phone, where urgent matters of the type may go by phone.
    pub urgent_contact: Option<(String, String)>,
    /// The "add what is missing" link, when something is missing.
    pub portal_link: Option<crate::portal::MissingItemsLink>,
}

fn type_label(t: SupportType, language: Language) -> &'static str {
    match (t, language) {
        (SupportType::Administrative, Language::Spanish) => "soporte administrativo",
        (SupportType::Usage, Language::Spanish) => "soporte de uso de la herramienta",
        (SupportType::Technical, Language::Spanish) => "soporte técnico",
        (SupportType::Administrative, Language::English) => "administrative support",
        (SupportType::Usage, Language::English) => "tool usage support",
        (SupportType::Technical, Language::English) => "technical support",
    }
}

/// An agent's reply asking for exactly the checklist items still missing, as a draft the
/// agent can edit before sending.
pub(crate) fn missing_items_draft(
    name: &str,
    missing: &[ChecklistItem],
    email: &EmailSettings,
) -> String {
    let items: String = missing
        .iter()
        .map(|item| format!("- {}\n", email.templates.item_request(*item)))
        .collect();
    match email.language {
        Language::Spanish => format!(
            "Hola {name}:\n\nPara poder resolver su solicitud sin volver a molestarle, \
             necesitamos:\n{items}\nPuede responder a este mismo mensaje.\n\nGracias."
        ),
        Language::English => format!(
            "Hello {name},\n\nSo that we can solve your request without asking again, \
             we need:\n{items}\nYou can reply to this very message.\n\nThank you."
        ),
    }
}

impl Acknowledgement {
    pub fn text(&self, ticket: &Ticket, settings: &AppSettings, portal_link: &str) -> String {
        let email = &settings.email;
        let templates = &email.templates;
        let missing: Vec<&str> = self
            .missing
            .iter()
            .map(|item| templates.item_request(*item))
            .collect();
        let (agent, phone) = self
            .urgent_contact
            .as_ref()
            .map_or(("", ""), |(a, p)| (a.as_str(), p.as_str()));
        let values = Values {
            name: &self.name,
            agent,
            agent_phone: phone,
            missing: &missing,
            portal_link,
            redirect: self.redirected_type.is_some(),
            type_label: self
                .redirected_type
                .map_or("", |t| type_label(t, email.language)),
            ..Values::new(
                &ticket.number,
                &ticket.subject,
                &settings.company_name,
                &email.from_address,
            )
        };
        templates.render("acknowledgement_body", &values)
    }

    /// The answer as kept on the ticket: where the e-mail carries the one-time link to add
    /// what is missing, the kept text has a placeholder (see
    /// [`crate::portal::MissingItemsLink`]).
    pub fn answer(&self, ticket: &Ticket, settings: &AppSettings) -> AutomaticAnswer {
        let placeholder = self.portal_link.as_ref().map_or("", |_| {
            crate::portal::MissingItemsLink::placeholder(settings.email.language)
        });
        AutomaticAnswer {
            channel: self.channel,
            body_text: self.text(ticket, settings, placeholder),
            portal_link: self
                .portal_link
                .as_ref()
                .map(|link| link.row(ticket, Timestamp::now())),
        }
    }
}

/// The acknowledgement's e-mail, threaded to the customer's message when there is one.
pub(crate) struct AcknowledgementMail {
    pub settings: EmailSettings,
    pub to: Mailbox,
    pub original_id: Option<String>,
    pub original_subject: String,
}

impl OutgoingMail for AcknowledgementMail {
    fn emails(&self, ticket: &Ticket, message: &Message) -> Vec<NewOutbox> {
        let values = Values::new(
            &ticket.number,
            &self.original_subject,
            "",
            &self.settings.from_address,
        );
        let t = &self.settings.templates;
        vec![NewOutbox {
            kind: "acknowledgement".into(),
            recipient: self.to.address.clone(),
            delivers_message: true,
            email: OutgoingEmail {
                from: self.settings.sender(),
                to: vec![self.to.display()],
                cc: vec![],
                subject: t.render("acknowledgement_subject", &values),
                message_id: new_message_id(&ticket.number, &self.settings.message_id_domain),
                in_reply_to: self.original_id.clone(),
                references: self.original_id.iter().cloned().collect(),
                text: message.body_text.clone(),
                html: None,
                automatic: true,
                attachments: vec![],
                date_micros: Timestamp::now().as_microsecond(),
            },
        }]
    }
}
