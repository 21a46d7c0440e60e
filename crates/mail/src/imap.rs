//! Taking mail from an IMAP mailbox. A message is flagged `\Seen` (or moved to the
//! processed folder) only after the caller has taken it in, so a crash between fetch and
//! commit leaves it unseen and it is fetched again; the caller recognises what it already
//! has. Waiting uses IDLE where the server offers it, polling otherwise.

use async_imap::Session;
use async_imap::extensions::idle::IdleResponse;
use futures_util::TryStreamExt;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::tls::ExtraRoots;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    StartTls,
    /// No encryption: only for a server on the same machine or a test server.
    Plain,
}

#[derive(Debug, Clone)]
pub struct ImapSettings {
    /// A name for logs and for remembering positions ("soporte").
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub username: String,
    pub password: String,
    pub folder: String,
    /// Move taken-in messages here instead of flagging them `\Seen`.
    pub processed_folder: Option<String>,
    /// How long to wait between checks when the server has no IDLE.
    pub poll_interval: Duration,
    /// Roots trusted besides Mozilla's (a private CA), for `Tls` and `StartTls`.
    pub extra_roots: ExtraRoots,
}

#[derive(Debug, Error)]
pub enum ImapError {
    #[error("connecting to {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("TLS with {0}: {1}")]
    Tls(String, String),
    #[error("login as {0} refused: {1}")]
    Login(String, String),
    #[error("IMAP: {0}")]
    Protocol(#[from] async_imap::error::Error),
}

/// One message as fetched, with where it came from.
#[derive(Debug, Clone)]
pub struct FetchedMessage {
    pub uidvalidity: u32,
    pub uid: u32,
    pub raw: Vec<u8>,
}

pub trait ImapIo: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> ImapIo for T {}

pub struct ImapMailbox {
    settings: ImapSettings,
    session: Session<Box<dyn ImapIo>>,
    idle: bool,
}

/// TLS with Mozilla's roots (plus the configured extra ones) and the ring provider, chosen
/// explicitly so no process-wide default is needed.
fn tls_connector(extra_roots: &ExtraRoots) -> Result<TlsConnector, String> {
    let roots = extra_roots.root_store();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn wrap_tls(settings: &ImapSettings, tcp: TcpStream) -> Result<Box<dyn ImapIo>, ImapError> {
    let name = ServerName::try_from(settings.host.clone())
        .map_err(|e| ImapError::Tls(settings.host.clone(), e.to_string()))?;
    let tls = tls_connector(&settings.extra_roots)
        .map_err(|e| ImapError::Tls(settings.host.clone(), e))?
        .connect(name, tcp)
        .await
        .map_err(|e| ImapError::Tls(settings.host.clone(), crate::tls::describe(&e)))?;
    Ok(Box::new(tls))
}

impl ImapMailbox {
    /// Connects, logs in and selects the folder.
    pub async fn connect(settings: ImapSettings) -> Result<Self, ImapError> {
        let address = format!("{}:{}", settings.host, settings.port);
        let tcp = tokio::time::timeout(Duration::from_secs(30), TcpStream::connect(&address))
            .await
            .map_err(|_| ImapError::Connect(address.clone(), std::io::ErrorKind::TimedOut.into()))?
            .map_err(|e| ImapError::Connect(address.clone(), e))?;
        let stream: Box<dyn ImapIo> = match settings.security {
            ImapSecurity::Tls => wrap_tls(&settings, tcp).await?,
            ImapSecurity::Plain => Box::new(tcp),
            ImapSecurity::StartTls => {
                let mut client = async_imap::Client::new(tcp);
                client
                    .read_response()
                    .await
                    .map_err(|e| ImapError::Connect(address.clone(), e))?;
                client.run_command_and_check_ok("STARTTLS", None).await?;
                wrap_tls(&settings, client.into_inner()).await?
            }
        };
        let mut client = async_imap::Client::new(stream);
        if settings.security != ImapSecurity::StartTls {
            client
                .read_response()
                .await
                .map_err(|e| ImapError::Connect(address.clone(), e))?;
        }
        let mut session = client
            .login(&settings.username, &settings.password)
            .await
            .map_err(|(e, _)| ImapError::Login(settings.username.clone(), e.to_string()))?;
        let idle = session.capabilities().await?.has_str("IDLE");
        session.select(&settings.folder).await?;
        Ok(Self {
            settings,
            session,
            idle,
        })
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The unseen messages' UIDs, oldest first, with the folder's UIDVALIDITY.
    pub async fn unseen(&mut self) -> Result<(u32, Vec<u32>), ImapError> {
        let mailbox = self.session.select(&self.settings.folder).await?;
        let uidvalidity = mailbox.uid_validity.unwrap_or(0);
        let mut uids: Vec<u32> = self
            .session
            .uid_search("UNSEEN")
            .await?
            .into_iter()
            .collect();
        uids.sort_unstable();
        Ok((uidvalidity, uids))
    }

    /// One message's bytes, without marking it seen (`BODY.PEEK`).
    pub async fn fetch(
        &mut self,
        uidvalidity: u32,
        uid: u32,
    ) -> Result<Option<FetchedMessage>, ImapError> {
        let fetched: Vec<_> = self
            .session
            .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
            .await?
            .try_collect()
            .await?;
        Ok(fetched
            .iter()
            .find_map(|f| f.body().map(<[u8]>::to_vec))
            .map(|raw| FetchedMessage {
                uidvalidity,
                uid,
                raw,
            }))
    }

    /// Marks a message as taken in: flagged `\Seen`, or moved to the processed folder.
    /// Call it only once the message is safely stored.
    pub async fn mark_taken(&mut self, uid: u32) -> Result<(), ImapError> {
        match &self.settings.processed_folder {
            Some(folder) => self.session.uid_mv(uid.to_string(), folder).await?,
            None => {
                let _: Vec<_> = self
                    .session
                    .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                    .await?
                    .try_collect()
                    .await?;
            }
        }
        Ok(())
    }

    /// Waits until the server reports a change (IDLE, re-issued well before the 29-minute
    /// limit) or the poll interval has passed.
    pub async fn wait_for_mail(self) -> Result<Self, ImapError> {
        if !self.idle {
            tokio::time::sleep(self.settings.poll_interval).await;
            return Ok(self);
        }
        let Self {
            settings,
            session,
            idle,
        } = self;
        let mut handle = session.idle();
        handle.init().await?;
        let (wait, _stop) = handle.wait_with_timeout(Duration::from_secs(25 * 60));
        let response = wait.await?;
        if let IdleResponse::NewData(_) = response {
            tracing::debug!(mailbox = %settings.name, "new mail announced");
        }
        let session = handle.done().await?;
        Ok(Self {
            settings,
            session,
            idle,
        })
    }

    pub async fn logout(mut self) {
        let _ = self.session.logout().await;
    }
}
