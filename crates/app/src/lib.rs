//! Soporte's use cases: what an agent, a customer or an integration can do, each one
//! checked (who may do it, is the input valid) and carried out in one store transaction.
//! The HTTP API and the command line both call these; neither touches the store directly.

mod auth;
pub mod canned;
mod directory;
pub mod email;
mod error;
pub mod phone;
pub mod policy;
pub mod portal;
pub mod secrets;
pub mod settings;
mod tickets;
pub mod two_factor;
pub mod whatsapp;

pub use auth::{
    IssuedToken, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW,
    PASSWORD_CHECKS_AT_ONCE, Principal, SESSION_LIFETIME, csrf_token, generate_password,
    hash_password, hash_token, verify_password,
};
pub use directory::{
    AccountInput, AccountUpdate, AgentInput, AgentUpdate, ContactInput, ContactUpdate,
    validate_account,
};
pub use error::{AppError, RETRY_AFTER_UNAVAILABLE_SECS};

/// How long a health check waits for the database.
pub const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
pub use tickets::{
    MessageInput, TicketDetail, TicketFilter, TicketInput, TicketPage, TicketUpdate, Upload,
};
pub use two_factor::{Enrolment, Login, TwoFactorSettings, TwoFactorStatus};

/// Store types that are part of the use cases' vocabulary (queries, pages, token owners).
pub use soporte_store::{
    AppliedMigration, AssigneeFilter, Backend, CannedReply, Cursor, PageRequest, StoredCall,
    TicketSort, TokenOwner, TypeFilter,
};

use soporte_core::ticket::TicketPrefix;
use soporte_store::{BlobStore, Store};
use std::sync::Arc;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Settings the use cases need from configuration.
#[derive(Debug, Clone)]
pub struct AppSettings {
    pub ticket_prefix: TicketPrefix,
    pub company_name: String,
    pub support_email: String,
    pub email: email::EmailSettings,
    /// The support policy (channel rules, checklist, SLA…), from configuration.
    pub policy: Arc<soporte_core::policy::rules::Policy>,
    /// Where people reach this Soporte (`https://soporte.example.com`), for links in
    /// e-mails such as a password reset.
    pub public_url: String,
    /// Mailboxes of the configuration file (passwords left out), so that the console
    /// can list them and keep its own mailboxes' names apart.
    pub file_mailboxes: Vec<settings::MailboxSettings>,
    /// The sections saved from the console, already applied to the fields above.
    pub console: settings::ConsoleSettings,
    /// The WhatsApp channel, when configured.
    pub whatsapp: Option<whatsapp::WhatsAppSettings>,
    /// The customer portal's switches.
    pub portal: portal::PortalSettings,
    /// The phone channel, when a phone system is connected.
    pub phone: Option<phone::PhoneSettings>,
}

impl AppSettings {
    /// Settings with the e-mail defaults derived from the support address.
    pub fn new(ticket_prefix: TicketPrefix, company_name: &str, support_email: &str) -> Self {
        Self {
            ticket_prefix,
            company_name: company_name.to_string(),
            support_email: support_email.to_string(),
            email: email::EmailSettings::for_address(company_name, support_email),
            policy: Arc::new(soporte_core::policy::rules::Policy::default()),
            public_url: "http://127.0.0.1:8080".into(),
            file_mailboxes: Vec::new(),
            console: settings::ConsoleSettings::default(),
            whatsapp: None,
            portal: portal::PortalSettings::default(),
            phone: None,
        }
    }
}

/// Everything a use case needs, cheap to clone into each request.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    /// The configuration file's settings.
    base_settings: Arc<AppSettings>,
    /// The settings in force: the file's with the console's sections applied.
    live_settings: Arc<tokio::sync::watch::Sender<Arc<AppSettings>>>,
    mailbox_statuses: settings::MailboxStatuses,
    codec: Option<Arc<dyn email::MailCodec>>,
    classifier: policy::ClassifierSlot,
    /// Turns to check a password: see [`PASSWORD_CHECKS_AT_ONCE`].
    password_checks: Arc<tokio::sync::Semaphore>,
    /// Seals the secrets kept in the database (see [`secrets`]); without it they cannot
    /// be written, and sealed ones cannot be read.
    secrets: Option<secrets::SecretKey>,
    /// Reads Meta's webhook bodies (the WhatsApp adapter).
    whatsapp_codec: Option<Arc<dyn soporte_core::whatsapp::WhatsAppCodec>>,
    /// Rung when a webhook body was kept, so the intake worker takes it in at once.
    whatsapp_wake: Arc<tokio::sync::Notify>,
    /// Every call change, for the consoles this process serves (see [`phone`]).
    call_signals: tokio::sync::broadcast::Sender<phone::CallSignal>,
}

impl App {
    /// An App with the configuration file's settings; call [`App::reload_settings`] to put
    /// the sections saved from the console in force.
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, settings: AppSettings) -> Self {
        let settings = Arc::new(settings);
        Self {
            store,
            blobs,
            base_settings: settings.clone(),
            live_settings: Arc::new(tokio::sync::watch::Sender::new(settings)),
            mailbox_statuses: settings::MailboxStatuses::default(),
            codec: None,
            classifier: policy::ClassifierSlot::builtin(),
            password_checks: Arc::new(tokio::sync::Semaphore::new(PASSWORD_CHECKS_AT_ONCE)),
            secrets: None,
            whatsapp_codec: None,
            whatsapp_wake: Arc::new(tokio::sync::Notify::new()),
            call_signals: tokio::sync::broadcast::Sender::new(phone::SIGNALS_KEPT),
        }
    }

    /// Enables the WhatsApp use cases with the WhatsApp adapter's codec (the channel
    /// also needs its `[whatsapp]` settings).
    pub fn with_whatsapp(mut self, codec: Arc<dyn soporte_core::whatsapp::WhatsAppCodec>) -> Self {
        self.whatsapp_codec = Some(codec);
        self
    }

    /// Gives the key that seals the secrets kept in the database (IMAP passwords saved
    /// from the console, two-factor secrets).
    pub fn with_secrets(mut self, key: secrets::SecretKey) -> Self {
        self.secrets = Some(key);
        self
    }

    /// The key that seals secrets, when one was given.
    pub fn secrets_key(&self) -> Option<&secrets::SecretKey> {
        self.secrets.as_ref()
    }

    /// Enables the e-mail use cases with the codec of the e-mail adapter.
    pub fn with_mail(mut self, codec: Arc<dyn email::MailCodec>) -> Self {
        self.codec = Some(codec);
        self
    }

    /// The settings in force now (a snapshot: a console change replaces it whole).
    pub fn settings(&self) -> Arc<AppSettings> {
        self.live_settings.borrow().clone()
    }

    pub fn backend(&self) -> soporte_store::Backend {
        self.store.backend()
    }

    /// Checks that the database answers (for health checks), within [`PING_TIMEOUT`]: a
    /// load balancer asking must hear back before its own timeout, whatever the database
    /// is doing.
    pub async fn ping(&self) -> Result<()> {
        match tokio::time::timeout(PING_TIMEOUT, self.store.count_agents()).await {
            Ok(answer) => {
                answer?;
                Ok(())
            }
            Err(_) => Err(AppError::TemporarilyUnavailable(format!(
                "the database did not answer within {} s",
                PING_TIMEOUT.as_secs()
            ))),
        }
    }

    pub async fn migrate(&self) -> Result<Vec<soporte_store::AppliedMigration>> {
        Ok(self.store.migrate().await?)
    }

    /// A consistent copy of the database and every attachment under `dest`.
    pub async fn backup(&self, dest: &std::path::Path) -> Result<u64> {
        std::fs::create_dir_all(dest)?;
        self.store.backup_to(&dest.join("soporte.db")).await?;
        Ok(self.blobs.copy_all_to(&dest.join("blobs")).await?)
    }
}
