//! Delivery through an SMTP relay (lettre's async transport, with its connection pool).

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 587); refuses servers without it.
    StartTls,
    /// No encryption: only for a relay on the same machine or a test server.
    Plain,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
}

#[derive(Debug, Error)]
#[error("{message}")]
pub struct SendError {
    /// The server refused the message for good (5xx): retrying will not help.
    pub permanent: bool,
    pub message: String,
}

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    pub fn new(settings: &SmtpSettings) -> Result<Self, SendError> {
        let bad = |e: lettre::transport::smtp::Error| SendError {
            permanent: true,
            message: format!("SMTP settings: {e}"),
        };
        let tls = || TlsParameters::new(settings.host.clone()).map_err(bad);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(settings.timeout));
        builder = match settings.security {
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Plain => builder.tls(Tls::None),
        };
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
        })
    }

    /// Sends finished MIME bytes to `recipients`, with `from` as the envelope sender.
    pub async fn send(
        &self,
        from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), SendError> {
        let parse = |raw: &str| {
            raw.parse::<Address>().map_err(|e| SendError {
                permanent: true,
                message: format!("address {raw:?}: {e}"),
            })
        };
        let to = recipients
            .iter()
            .map(|r| parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(parse(from)?), to).map_err(|e| SendError {
            permanent: true,
            message: format!("envelope: {e}"),
        })?;
        self.transport
            .send_raw(&envelope, message)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}
