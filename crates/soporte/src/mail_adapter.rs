//! Wires the SMTP sender of the e-mail adapter (`soporte-mail`) into the use cases' port.

use async_trait::async_trait;
use soporte_app::email::{MailTransport, SendFailure};
use soporte_mail::SmtpSender;

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
