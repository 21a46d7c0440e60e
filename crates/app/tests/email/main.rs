//! The e-mail channel's use cases, end to end through the store, on SQLite and PostgreSQL:
//! intake, threading, loop protection, bounces, quarantine and outbox delivery.

mod delivery;
mod import;
mod intake;
mod protection;

use async_trait::async_trait;
use soporte_app::email::{IntakeOutcome, IntakeSource, MailTransport, SendFailure};
use soporte_app::{AgentInput, App, AppSettings, Principal, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::email::InboundEmail;
use soporte_core::ids::TicketId;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use soporte_store::testkit::TestDb;
use std::sync::{Arc, Mutex};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Records what would have been sent; fails the first `failures` attempts.
#[derive(Default)]
struct FakeSmtp {
    sent: Mutex<Vec<(Vec<String>, Vec<u8>)>>,
    failures: Mutex<usize>,
    permanent: bool,
}

#[async_trait]
impl MailTransport for FakeSmtp {
    async fn send(
        &self,
        _from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), SendFailure> {
        let mut failures = self.failures.lock().map_err(|_| SendFailure {
            permanent: true,
            message: "poisoned".into(),
        })?;
        if *failures > 0 {
            *failures -= 1;
            return Err(SendFailure {
                permanent: self.permanent,
                message: "421 try again later".into(),
            });
        }
        drop(failures);
        if let Ok(mut sent) = self.sent.lock() {
            sent.push((recipients.to_vec(), message.to_vec()));
        }
        Ok(())
    }
}

impl FakeSmtp {
    fn sent(&self) -> Vec<InboundEmail> {
        self.sent
            .lock()
            .map(|s| {
                s.iter()
                    .filter_map(|(_, bytes)| soporte_mail::parse(bytes).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

struct Desk {
    app: App,
    admin: Principal,
    _blobs: tempfile::TempDir,
}

impl Desk {
    async fn new(db: &TestDb) -> Result<Self, Box<dyn std::error::Error>> {
        Self::configured(db, |_| {}).await
    }

    async fn configured(
        db: &TestDb,
        adjust: impl FnOnce(&mut AppSettings),
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let blobs = tempfile::tempdir()?;
        let mut settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        );
        settings.email.retry_base = jiff::SignedDuration::ZERO;
        adjust(&mut settings);
        let app = App::new(
            db.store.clone(),
            Arc::new(DiskBlobStore::new(blobs.path())?),
            settings,
        )
        .with_mail(Arc::new(soporte_mail::MimeCodec));
        let agent = app
            .create_agent(&AgentInput {
                email: "ana@vendomia.com".into(),
                name: "Ana".into(),
                role: Some(Role::Admin),
                ..AgentInput::default()
            })
            .await?;
        let token = app
            .issue_token(TokenOwner::Agent(agent.id), TokenScope::Admin, "")
            .await?;
        let admin = app.authenticate(&token.plaintext).await?;
        Ok(Self {
            app,
            admin,
            _blobs: blobs,
        })
    }

    async fn take(&self, raw: &str) -> Result<IntakeOutcome, Box<dyn std::error::Error>> {
        Ok(self
            .app
            .intake_email(raw.as_bytes(), &IntakeSource::Api)
            .await?)
    }

    async fn deliver(
        &self,
        smtp: &FakeSmtp,
    ) -> Result<soporte_app::email::DeliveryReport, Box<dyn std::error::Error>> {
        Ok(self.app.deliver_outbox(smtp, 100).await?)
    }
}

fn created(outcome: &IntakeOutcome) -> (TicketId, bool) {
    match outcome {
        IntakeOutcome::Created {
            ticket_id,
            new_ticket,
            ..
        } => (*ticket_id, *new_ticket),
        other => panic!("expected a created message, got {other:?}"),
    }
}

fn mail(from: &str, id: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: Soporte <soporte@vendomia.com>\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
Date: Tue, 3 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n{extra_headers}\r\n{body}\r\n"
    )
}

async fn desk_of(db: &TestDb) -> Result<Desk, Box<dyn std::error::Error>> {
    Desk::new(db).await
}
