//! The e-mail channel: what arrives as MIME becomes the domain's `InboundEmail`; what
//! support sends is built into MIME and delivered over SMTP. No database here: the use
//! cases in `soporte-app` decide what to do with a message.

pub mod automatic;
pub mod html;
pub mod imap;
pub mod inbound;
pub mod outbound;
pub mod reply;
pub mod smtp;

pub use imap::{FetchedMessage, ImapError, ImapMailbox, ImapSecurity, ImapSettings};
pub use inbound::{ParseError, parse};
pub use outbound::{RenderError, render};
pub use smtp::{SendError, SmtpSecurity, SmtpSender, SmtpSettings};
