//! The e-mail channel: what arrives as MIME becomes the domain's `InboundEmail`; what
//! support sends is built into MIME and delivered over SMTP. No database here: the use
//! cases in `soporte-app` decide what to do with a message.

pub mod automatic;
mod header_bytes;
pub mod html;
pub mod imap;
pub mod inbound;
pub mod outbound;
pub mod reply;
pub mod smtp;
pub mod tls;
mod uuencode;

pub use imap::{FetchedMessage, ImapError, ImapMailbox, ImapSecurity, ImapSettings};
pub use inbound::{ParseError, parse};
pub use outbound::{RenderError, render};
pub use smtp::{SendError, SmtpSecurity, SmtpSender, SmtpSettings};
pub use tls::{ExtraRoots, RootsError};

/// The e-mail adapter as the use cases see it: mail-parser in, lettre out.
pub struct MimeCodec;

impl soporte_core::email::MailCodec for MimeCodec {
    fn parse(&self, raw: &[u8]) -> Result<soporte_core::email::InboundEmail, String> {
        parse(raw).map_err(|e| e.to_string())
    }

    fn render(
        &self,
        email: &soporte_core::email::OutgoingEmail,
        attachments: &[(soporte_core::email::OutgoingAttachment, Vec<u8>)],
    ) -> Result<Vec<u8>, String> {
        render(email, attachments).map_err(|e| e.to_string())
    }
}
