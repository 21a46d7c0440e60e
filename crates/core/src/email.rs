//! E-mail as the domain sees it: the headers kept with a message, and an outgoing e-mail
//! as queued in the outbox (everything needed to build the same MIME message again).

use serde::{Deserialize, Serialize};

/// Headers of an e-mail message, kept for display and for threading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailHeaders {
    /// `Name <address>` or just the address.
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: Option<String>,
}

/// Who wrote a message when it was not a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomaticKind {
    AutoReply,
    Bounce,
}

impl AutomaticKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AutomaticKind::AutoReply => "auto_reply",
            AutomaticKind::Bounce => "bounce",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "auto_reply" => Some(AutomaticKind::AutoReply),
            "bounce" => Some(AutomaticKind::Bounce),
            _ => None,
        }
    }
}

/// How a received message was signed (RFC 1847 `multipart/signed`). Soporte does not verify
/// signatures: this says only that the sender signed, not that the signature holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// OpenPGP (`application/pgp-signature`, RFC 3156).
    Pgp,
    /// S/MIME (`application/pkcs7-signature`, RFC 8551).
    Smime,
}

impl SignatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureKind::Pgp => "pgp",
            SignatureKind::Smime => "smime",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pgp" => Some(SignatureKind::Pgp),
            "smime" => Some(SignatureKind::Smime),
            _ => None,
        }
    }
}

/// Delivery state of an outgoing message. E-mail knows `queued`, `sent` (accepted by the
/// customer's mail server) and `failed`; WhatsApp also tells `delivered` (on the customer's
/// phone) and `read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
            Delivery::Failed => "failed",
        }
    }

    /// Whether a report of `next` moves a message in state `self` forward. Reports come
    /// out of order (a `delivered` after a `read`): a state never goes back, and a message
    /// that reached the phone does not fail afterwards.
    pub fn advances_to(self, next: Delivery) -> bool {
        let rank = |d: Delivery| match d {
            Delivery::Queued => 0,
            Delivery::Sent => 1,
            Delivery::Delivered => 2,
            Delivery::Read => 3,
            Delivery::Failed => 4,
        };
        match (self, next) {
            (Delivery::Failed, _) => false,
            (Delivery::Delivered | Delivery::Read, Delivery::Failed) => false,
            (from, to) => rank(to) > rank(from),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "queued" => Some(Delivery::Queued),
            "sent" => Some(Delivery::Sent),
            "delivered" => Some(Delivery::Delivered),
            "read" => Some(Delivery::Read),
            "failed" => Some(Delivery::Failed),
            _ => None,
        }
    }
}

/// A file attached to outgoing mail, by its address in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingAttachment {
    pub sha256: String,
    pub filename: String,
    pub media_type: String,
}

/// An e-mail waiting in the outbox. Built into MIME when sent; its Message-ID and date
/// are fixed when it is queued, so a retry sends the very same message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// `Name <address>`.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub text: String,
    pub html: Option<String>,
    /// Marks automatic mail (`Auto-Submitted: auto-replied`) so other robots do not answer.
    pub automatic: bool,
    pub attachments: Vec<OutgoingAttachment>,
    /// Microseconds since the epoch.
    pub date_micros: i64,
}

/// An e-mail address with its display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// Lower-cased and checked.
    pub address: String,
    pub name: Option<String>,
}

impl Mailbox {
    /// `Name <address>`, as shown in headers and lists: the name made one line, and quoted
    /// (RFC 5322) unless it is only letters, digits and spaces, so that whatever it holds
    /// (a comma, a quote, an `@`) reads as a name and not as another address.
    pub fn display(&self) -> String {
        let name = self
            .name
            .as_deref()
            .map(crate::directory::display_name)
            .filter(|n| !n.is_empty());
        match name {
            Some(name) if name.chars().all(|c| c.is_alphanumeric() || c == ' ') => {
                format!("{name} <{}>", self.address)
            }
            Some(name) => format!(
                "\"{}\" <{}>",
                name.replace('\\', "\\\\").replace('"', "\\\""),
                self.address
            ),
            None => self.address.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    pub filename: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// Shown inside the HTML body (`Content-Disposition: inline` with a Content-ID).
    pub inline: bool,
    pub content_id: Option<String>,
}

/// A received e-mail as the intake needs it: who, about what, the new text and the quoted
/// history, sanitised HTML, attachments, threading ids and whether a machine wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundEmail {
    /// Without angle brackets; `None` when the sender did not give one.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<Mailbox>,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    /// The whole text, as sent.
    pub full_text: String,
    /// What is new in this message: quotes and signature removed.
    pub text: String,
    /// What was removed from `text`.
    pub quoted_text: String,
    /// Already sanitised.
    pub html: Option<String>,
    pub attachments: Vec<InboundAttachment>,
    pub automatic: Option<AutomaticKind>,
    /// Why no automatic answer may be sent (loop protection), if a rule applies.
    pub no_auto_answer: Option<&'static str>,
    /// For a bounce: the Message-ID of the message that could not be delivered.
    pub bounced_message_id: Option<String>,
    /// The message came signed; the signature is not verified (signed, not checked), and
    /// its part is not among the attachments.
    pub signed: Option<SignatureKind>,
}

impl InboundEmail {
    /// Replaces what a database could not keep in every text the e-mail carries (see
    /// [`crate::text`]); addresses and names are already checked and made one line.
    pub fn make_storable(&mut self) {
        use crate::text::make_storable;
        for text in [
            &mut self.subject,
            &mut self.full_text,
            &mut self.text,
            &mut self.quoted_text,
        ] {
            make_storable(text);
        }
        let ids = self.message_id.iter_mut().chain(&mut self.in_reply_to);
        for id in ids
            .chain(&mut self.references)
            .chain(self.html.iter_mut())
            .chain(self.bounced_message_id.iter_mut())
        {
            make_storable(id);
        }
        for attachment in &mut self.attachments {
            make_storable(&mut attachment.filename);
            make_storable(&mut attachment.media_type);
            if let Some(id) = &mut attachment.content_id {
                make_storable(id);
            }
        }
    }

    /// Where answers go: Reply-To when given, else From.
    pub fn reply_address(&self) -> Option<&Mailbox> {
        self.reply_to.as_ref().or(self.from.as_ref())
    }

    /// Every Message-ID this message refers to, nearest first.
    pub fn thread_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.in_reply_to.clone();
        for id in self.references.iter().rev() {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }
}

/// Turns raw bytes into an [`InboundEmail`] and an [`OutgoingEmail`] into bytes: the port
/// the use cases need from an e-mail adapter. Pure transformations, no I/O.
/// What the e-mail adapter puts before the address of a remote image in sanitised HTML, to
/// disarm it: opening a message must not tell its sender it was read. Views remove it when
/// the agent asks for the images.
pub const REMOTE_IMAGE_PREFIX: &str = "about:blank#remote-image=";

pub trait MailCodec: Send + Sync {
    fn parse(&self, raw: &[u8]) -> Result<InboundEmail, String>;
    fn render(
        &self,
        email: &OutgoingEmail,
        attachments: &[(OutgoingAttachment, Vec<u8>)],
    ) -> Result<Vec<u8>, String>;
}
