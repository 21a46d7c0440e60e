//! Delivery through an SMTP relay (lettre's async transport, with its connection pool).

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;
use thiserror::Error;

use crate::tls::ExtraRoots;

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
    /// Roots trusted besides Mozilla's (a private CA), for `Tls` and `StartTls`.
    pub extra_roots: ExtraRoots,
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
        let tls = || {
            // Mozilla's roots named explicitly, so enabling another lettre feature
            // (native certificates, platform verifier) cannot change what is trusted.
            let mut params = TlsParameters::builder(settings.host.clone())
                .certificate_store(CertificateStore::WebpkiRoots);
            for der in settings.extra_roots.certificates() {
                params =
                    params.add_root_certificate(Certificate::from_der(der.to_vec()).map_err(bad)?);
            }
            params.build().map_err(bad)
        };
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
                permanent: e.is_permanent() && !is_relay_refusal(e.status().map(u16::from)),
                message: crate::tls::describe(&e),
            })
    }
}

/// 5xx answers about our session with the relay rather than about the message (RFC 4954:
/// authentication required, mechanism too weak, credentials invalid, encryption required).
/// They are fixed in the configuration, after which every waiting message should still
/// go, so they are retried instead of failing the message for good.
fn is_relay_refusal(code: Option<u16>) -> bool {
    matches!(code, Some(530 | 534 | 535 | 538))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_of_the_relay_session_are_retried_refusals_of_the_message_are_not() {
        assert!(is_relay_refusal(Some(535)), "wrong password");
        assert!(is_relay_refusal(Some(530)), "authentication required");
        assert!(!is_relay_refusal(Some(550)), "mailbox unavailable");
        assert!(!is_relay_refusal(Some(554)));
        assert!(!is_relay_refusal(None));
    }
}
