//! The e-mail use cases: taking in a received message (threading, de-duplication,
//! contact and account matching, quarantine), answering automatically without starting
//! mail loops, and delivering the outbox.

mod intake;
mod outbox;
mod templates;

pub use intake::{IMPORT_LANES_PER_CORE, IntakeOutcome, IntakeSource, RawEmail, ReceivedEmail};
pub(crate) use outbox::EmailReply;
pub use outbox::{DeliveryReport, MailTransport, SendFailure};
pub(crate) use templates::Values;
pub use templates::{EmailTemplates, TemplateError};

pub use soporte_core::email::MailCodec;

/// The language of Soporte's own texts to customers and agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Spanish,
    English,
}

#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub language: Language,
    /// Display name on outgoing mail ("Soporte Vendomia").
    pub from_name: String,
    /// The support address: sender of every outgoing message.
    pub from_address: String,
    /// Right-hand side of the Message-IDs Soporte generates.
    pub message_id_domain: String,
    /// Addresses that are Soporte itself: mail from them is never answered.
    pub own_addresses: Vec<String>,
    /// Automatic answers per sender per hour, at most.
    pub auto_answers_per_hour: i64,
    /// Larger messages go to quarantine instead of becoming tickets.
    pub max_message_bytes: usize,
    /// First wait before retrying a failed delivery; it doubles with each attempt.
    pub retry_base: jiff::SignedDuration,
    pub templates: EmailTemplates,
}

impl EmailSettings {
    pub fn for_address(company: &str, support_email: &str) -> Self {
        let domain = support_email
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d)
            .to_string();
        Self {
            language: Language::Spanish,
            from_name: format!("Soporte {company}"),
            from_address: support_email.to_string(),
            message_id_domain: domain,
            own_addresses: vec![support_email.to_string()],
            auto_answers_per_hour: 5,
            max_message_bytes: 40 * 1024 * 1024,
            retry_base: jiff::SignedDuration::from_secs(30),
            templates: EmailTemplates::default(),
        }
    }

    pub fn sender(&self) -> String {
        format!(
            "{} <{}>",
            self.from_name.replace(['"', '<', '>', '\r', '\n'], ""),
            self.from_address
        )
    }

    /// One of Soporte's own e-mails to one person (a sign-in or password link, a rating
    /// request): from the support address, not a reply, marked automatic. `id_seed` starts
    /// its Message-ID.
    pub(crate) fn own_email(
        &self,
        to: String,
        subject: String,
        text: String,
        html: Option<String>,
        id_seed: &str,
        now: jiff::Timestamp,
    ) -> soporte_core::email::OutgoingEmail {
        soporte_core::email::OutgoingEmail {
            from: self.sender(),
            to: vec![to],
            cc: vec![],
            subject,
            message_id: new_message_id(id_seed, &self.message_id_domain),
            in_reply_to: None,
            references: vec![],
            text,
            html,
            automatic: true,
            attachments: vec![],
            date_micros: now.as_microsecond(),
        }
    }

    pub fn is_own_address(&self, address: &str) -> bool {
        self.own_addresses
            .iter()
            .any(|a| a.eq_ignore_ascii_case(address))
    }
}

/// The e-mails that deliver a ticket's outgoing message (an agent's reply, Soporte's
/// acknowledgement). They are queued in the message's own transaction.
pub(crate) trait OutgoingMail: Send + Sync {
    fn emails(
        &self,
        ticket: &soporte_core::ticket::Ticket,
        message: &soporte_core::ticket::Message,
    ) -> Vec<soporte_store::NewOutbox>;
}

/// A fresh Message-ID for outgoing mail: unguessable, so nobody can forge a reply into a
/// ticket by guessing it.
pub(crate) fn new_message_id(prefix: &str, domain: &str) -> String {
    let mut bytes = [0u8; 12];
    // A failing random source still gives a unique id thanks to the time part.
    let _ = getrandom::fill(&mut bytes);
    let micros = jiff::Timestamp::now().as_microsecond();
    format!(
        "{}.{micros:x}.{}@{domain}",
        prefix.to_ascii_lowercase(),
        hex::encode(bytes)
    )
}
