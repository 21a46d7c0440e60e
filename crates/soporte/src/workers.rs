//! Background work of `serve`: delivering the outbox and taking mail from IMAP mailboxes.
//! Every instance runs them; with PostgreSQL, row leases keep instances from sending the
//! same message, and Message-IDs keep them from taking in the same mail twice.

use crate::config::{Config, MailboxConfig, Security, read_ca_file, read_secret};
use crate::mail_adapter::SmtpTransport;
use anyhow::Result;
use soporte_app::App;
use soporte_app::email::IntakeSource;
use soporte_app::settings::MailboxSettings;
use soporte_mail::{
    ImapMailbox, ImapSecurity, ImapSettings, SmtpSecurity, SmtpSender, SmtpSettings,
};
use soporte_store::MailboxPosition;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub fn smtp_transport(config: &Config) -> Result<Option<SmtpTransport>> {
    let Some(smtp) = &config.smtp else {
        return Ok(None);
    };
    let settings = SmtpSettings {
        host: smtp.host.clone(),
        port: smtp.port,
        security: match smtp.security {
            Security::Tls => SmtpSecurity::Tls,
            Security::Starttls => SmtpSecurity::StartTls,
            Security::Plain => SmtpSecurity::Plain,
        },
        username: smtp.username.clone(),
        password: read_secret(
            "smtp.password",
            smtp.password.as_deref(),
            smtp.password_file.as_deref(),
        )?,
        timeout: Duration::from_secs(60),
        extra_roots: read_ca_file("smtp.ca_file", smtp.security, smtp.ca_file.as_deref())?,
    };
    Ok(Some(SmtpTransport(
        SmtpSender::new(&settings).map_err(|e| anyhow::anyhow!("config key `smtp`: {e}"))?,
    )))
}

/// Delivers due mail every few seconds until `stop` changes.
pub async fn deliver_outbox(app: App, transport: SmtpTransport, mut stop: watch::Receiver<bool>) {
    loop {
        match app.deliver_outbox(&transport, 50).await {
            Ok(report) if report.sent + report.retried + report.dead > 0 => {
                tracing::info!(
                    sent = report.sent,
                    retried = report.retried,
                    dead = report.dead,
                    "outbox delivered"
                );
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox delivery failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Takes in the WhatsApp webhook bodies kept by any instance: at once when this one kept
/// a body, and every few seconds for the others' (and for bodies whose lease ran out
/// because a process stopped mid-way).
pub async fn take_in_whatsapp(app: App, mut stop: watch::Receiver<bool>) {
    let wake = app.whatsapp_wake();
    loop {
        match app
            .take_in_whatsapp(soporte_app::whatsapp::WEBHOOK_BATCH)
            .await
        {
            Ok(n) if n >= soporte_app::whatsapp::WEBHOOK_BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "WhatsApp intake failed"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Sends queued WhatsApp messages and read marks, through any instance: each row is
/// leased, so instances share the work without sending anything twice.
pub async fn deliver_whatsapp(
    app: App,
    cloud: Arc<soporte::whatsapp_cloud::GraphCloud>,
    mut stop: watch::Receiver<bool>,
) {
    const BATCH: u32 = 32;
    loop {
        let busy = match app.deliver_whatsapp(cloud.as_ref(), BATCH).await {
            Ok(report) => report.sent + report.retried + report.dead > 0,
            Err(e) => {
                tracing::error!(error = %e, "WhatsApp sending failed");
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Fetches the media customers sent, and settles the requests whose burst is over.
pub async fn whatsapp_upkeep(
    app: App,
    cloud: Arc<soporte::whatsapp_cloud::GraphCloud>,
    mut stop: watch::Receiver<bool>,
) {
    const BATCH: u32 = 16;
    loop {
        let mut busy = false;
        match app.fetch_whatsapp_media(cloud.as_ref(), BATCH).await {
            Ok(report) => busy |= report.stored + report.retried + report.lost > 0,
            Err(e) => tracing::error!(error = %e, "WhatsApp media fetching failed"),
        }
        match app.settle_whatsapp(BATCH).await {
            Ok(n) => busy |= n > 0,
            Err(e) => tracing::error!(error = %e, "settling WhatsApp requests failed"),
        }
        if busy {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Marks tickets at risk or breached when their moment comes, notifying assignees and
/// escalating breaches to admins; and opens the call-back tasks of missed calls that have
/// none (a stop between a hang-up and its task).
pub async fn check_sla(app: App, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = app.sweep_missed_calls().await {
            tracing::error!(error = %e, "opening call-back tasks failed");
        }
        match app.check_sla(jiff::Timestamp::now()).await {
            // A full batch: more may be waiting.
            Ok(n) if n >= soporte_app::policy::SLA_BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "SLA check failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Retrains the classifier on agents' corrections on a schedule (and picks up a model
/// another instance or `soporte classifier train` stored).
pub async fn retrain_classifier(app: App, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        match app.retrain_if_corrected().await {
            Ok(Some(report)) => tracing::info!(
                model = report.model_id,
                examples = report.examples,
                corrections = report.corrections,
                type_accuracy = report.type_accuracy,
                "classifier retrained"
            ),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "classifier retraining failed"),
        }
    }
}

fn imap_security(security: Security) -> ImapSecurity {
    match security {
        Security::Tls => ImapSecurity::Tls,
        Security::Starttls => ImapSecurity::StartTls,
        Security::Plain => ImapSecurity::Plain,
    }
}

/// A mailbox of the configuration file, as the console lists it (no password).
pub fn mailbox_summary(m: &MailboxConfig) -> MailboxSettings {
    MailboxSettings {
        name: m.name.clone(),
        host: m.host.clone(),
        port: m.port,
        security: m.security,
        username: m.username.clone(),
        password: String::new(),
        folder: m.folder.clone(),
        processed_folder: m.processed_folder.clone(),
        poll_seconds: m.poll_seconds,
    }
}

/// A mailbox added from the console; it trusts the public roots only.
fn console_imap_settings(m: &MailboxSettings) -> ImapSettings {
    ImapSettings {
        name: m.name.clone(),
        host: m.host.clone(),
        port: m.port,
        security: imap_security(m.security),
        username: m.username.clone(),
        password: m.password.clone(),
        folder: m.folder.clone(),
        processed_folder: m.processed_folder.clone(),
        poll_interval: Duration::from_secs(m.poll_seconds.max(5)),
        extra_roots: soporte_mail::ExtraRoots::default(),
    }
}

/// Re-reads the settings saved from the console, so that a change made on another
/// instance is in force here within `every`.
pub async fn reload_settings(app: App, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        match app.reload_settings().await {
            Ok(true) => tracing::info!("settings changed from the console are now in force"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot re-read the console's settings"),
        }
    }
}

/// Runs the mailboxes added from the console: each one's worker starts when it is added,
/// restarts when it is changed and stops when it is removed.
pub async fn watch_console_mailboxes(app: App, mut stop: watch::Receiver<bool>) {
    type Running = (
        MailboxSettings,
        watch::Sender<bool>,
        tokio::task::JoinHandle<()>,
    );
    let mut settings = app.watch_settings();
    let mut running: HashMap<String, Running> = HashMap::new();
    loop {
        let wanted = settings.borrow_and_update().console.mailboxes.clone();
        for (name, (current, halt, worker)) in std::mem::take(&mut running) {
            if wanted.contains(&current) {
                running.insert(name, (current, halt, worker));
            } else {
                let _ = halt.send(true);
                let _ = worker.await;
                tracing::info!(mailbox = %name, "mailbox worker stopped");
            }
        }
        for mailbox in wanted {
            if running.contains_key(&mailbox.name) {
                continue;
            }
            let (halt, halted) = watch::channel(false);
            let worker = tokio::spawn(watch_mailbox(
                app.clone(),
                console_imap_settings(&mailbox),
                halted,
            ));
            tracing::info!(mailbox = %mailbox.name, "mailbox worker started");
            running.insert(mailbox.name.clone(), (mailbox, halt, worker));
        }
        tokio::select! {
            changed = settings.changed() => if changed.is_err() { break },
            _ = stop.changed() => break,
        }
    }
    for (_, (_, halt, worker)) in running {
        let _ = halt.send(true);
        let _ = worker.await;
    }
}

pub fn imap_settings(m: &MailboxConfig, index: usize) -> Result<ImapSettings> {
    Ok(ImapSettings {
        name: m.name.clone(),
        host: m.host.clone(),
        port: m.port,
        security: imap_security(m.security),
        username: m.username.clone(),
        password: read_secret(
            &format!("mailboxes[{index}].password"),
            m.password.as_deref(),
            m.password_file.as_deref(),
        )?
        .unwrap_or_default(),
        folder: m.folder.clone(),
        processed_folder: m.processed_folder.clone(),
        poll_interval: Duration::from_secs(m.poll_seconds.max(5)),
        extra_roots: read_ca_file(
            &format!("mailboxes[{index}].ca_file"),
            m.security,
            m.ca_file.as_deref(),
        )?,
    })
}

/// Takes mail from one mailbox for as long as the server runs, reconnecting with backoff
/// (1 s doubling to 5 min; back to 1 s after a connection that lasted) after any failure.
pub async fn watch_mailbox(app: App, settings: ImapSettings, mut stop: watch::Receiver<bool>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let started = std::time::Instant::now();
        tokio::select! {
            result = take_mail(&app, &settings) => {
                if let Err(e) = result {
                    tracing::warn!(mailbox = %settings.name, error = %e, retry_in = ?backoff, "mailbox connection lost");
                    app.report_mailbox(&settings.name, Some(e.to_string()));
                }
            }
            _ = stop.changed() => return,
        }
        if started.elapsed() > Duration::from_secs(60) {
            backoff = Duration::from_secs(1);
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(300));
    }
}

#[derive(Debug, thiserror::Error)]
enum MailboxError {
    #[error(transparent)]
    Imap(#[from] soporte_mail::ImapError),
    #[error("taking in a message failed: {0}")]
    Intake(#[from] soporte_app::AppError),
}

async fn take_mail(app: &App, settings: &ImapSettings) -> Result<(), MailboxError> {
    let mut mailbox = ImapMailbox::connect(settings.clone()).await?;
    tracing::info!(mailbox = %settings.name, "connected");
    app.report_mailbox(&settings.name, None);
    loop {
        let (uidvalidity, uids) = mailbox.unseen().await?;
        for uid in &uids {
            let Some(message) = mailbox.fetch(uidvalidity, *uid).await? else {
                continue;
            };
            let source = IntakeSource::Imap(MailboxPosition {
                mailbox: settings.name.clone(),
                uidvalidity: i64::from(uidvalidity),
                uid: i64::from(*uid),
            });
            // Marked only after the intake committed: a failure here leaves the message
            // unseen, and the reconnect takes it again.
            app.intake_email(&message.raw, &source).await?;
            mailbox.mark_taken(*uid).await?;
        }
        if !uids.is_empty() {
            tracing::info!(mailbox = %settings.name, taken = uids.len(), "mail taken in");
        }
        mailbox = mailbox.wait_for_mail().await?;
    }
}
