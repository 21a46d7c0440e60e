//! Wires the e-mail adapter (`soporte-mail`) into the use cases' ports.

use async_trait::async_trait;
use soporte_app::email::{MailCodec, MailTransport, SendFailure};
use soporte_core::email::{InboundEmail, OutgoingAttachment, OutgoingEmail};
use soporte_mail::SmtpSender;

pub struct MimeCodec;

impl MailCodec for MimeCodec {
    fn parse(&self, raw: &[u8]) -> Result<InboundEmail, String> {
        soporte_mail::parse(raw).map_err(|e| e.to_string())
    }

    fn render(
        &self,
        email: &OutgoingEmail,
        attachments: &[(OutgoingAttachment, Vec<u8>)],
    ) -> Result<Vec<u8>, String> {
        soporte_mail::render(email, attachments).map_err(|e| e.to_string())
    }
}

pub struct SmtpTransport(pub SmtpSender);

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(
        &self,
        from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), SendFailure> {
        self.0
            .send(from, recipients, message)
            .await
            .map_err(|e| SendFailure {
                permanent: e.permanent,
                message: e.message,
            })
    }
}
