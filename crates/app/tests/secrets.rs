//! Secrets kept in the database are sealed with a key kept outside it: an IMAP password
//! saved from the console is never in the settings row in clear, a clear one from before
//! sealing is read and sealed at start, and a wrong or missing key is a clear error.

use soporte_app::secrets::SecretKey;
use soporte_app::settings::{MailboxSettings, Security};
use soporte_app::{AgentInput, App, AppSettings, Principal, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use soporte_store::testkit::{self, TestDb};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "Imap-Contraseña-9931";

fn key(byte: u8, source: &str) -> Result<SecretKey, Box<dyn std::error::Error>> {
    Ok(SecretKey::from_bytes(&[byte; 32], source)?)
}

fn app_on(
    db: &TestDb,
    blobs: &tempfile::TempDir,
    key: Option<SecretKey>,
) -> Result<App, Box<dyn std::error::Error>> {
    let app = App::new(
        db.store.clone(),
        Arc::new(DiskBlobStore::new(blobs.path())?),
        AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        ),
    );
    Ok(match key {
        Some(key) => app.with_secrets(key),
        None => app,
    })
}

async fn admin(app: &App) -> Result<Principal, Box<dyn std::error::Error>> {
    let ana = app
        .create_agent(&AgentInput {
            email: "ana@vendomia.com".into(),
            name: "Ana".into(),
            role: Some(Role::Admin),
            ..AgentInput::default()
        })
        .await?;
    let token = app
        .issue_token(TokenOwner::Agent(ana.id), TokenScope::Admin, "")
        .await?;
    Ok(app.authenticate(&token.plaintext).await?)
}

fn mailbox(password: &str) -> MailboxSettings {
    MailboxSettings {
        name: "ventas".into(),
        host: "imap.vendomia.com".into(),
        port: 993,
        security: Security::Tls,
        username: "ventas@vendomia.com".into(),
        password: password.into(),
        folder: "INBOX".into(),
        processed_folder: None,
        poll_seconds: 60,
    }
}

/// The mailboxes section as the database holds it.
async fn mailboxes_row(db: &TestDb) -> Result<String, Box<dyn std::error::Error>> {
    let rows = db.store.settings().await?;
    Ok(rows
        .into_iter()
        .find(|r| r.name == "mailboxes")
        .map(|r| r.value)
        .ok_or("no mailboxes row")?)
}

#[tokio::test]
async fn a_mailbox_password_is_sealed_in_the_database() -> TestResult {
    let db = testkit::sqlite().await?;
    let blobs = tempfile::tempdir()?;
    let app = app_on(&db, &blobs, Some(key(1, "the file /srv/a.key")?))?;
    let ana = admin(&app).await?;
    app.save_mailbox(&ana, None, mailbox(PASSWORD)).await?;

    let row = mailboxes_row(&db).await?;
    assert!(!row.contains(PASSWORD), "password in clear: {row}");
    assert!(!row.contains("Contrase"), "no part of it either: {row}");
    assert!(row.contains("\"password\":\"v1:"), "sealed: {row}");
    assert!(row.contains("imap.vendomia.com"), "the rest stays readable");
    assert_eq!(app.settings().console.mailboxes[0].password, PASSWORD);

    // Saved again without a password (the console never shows it), the mailbox keeps it.
    let mut renamed = mailbox("");
    renamed.folder = "Soporte".into();
    app.save_mailbox(&ana, Some("ventas"), renamed).await?;
    assert!(!mailboxes_row(&db).await?.contains(PASSWORD));
    assert_eq!(app.settings().console.mailboxes[0].password, PASSWORD);

    // Another instance with the same key reads it.
    let other = app_on(&db, &blobs, Some(key(1, "the file /srv/a.key")?))?;
    assert!(other.reload_settings().await?);
    assert_eq!(other.settings().console.mailboxes[0].password, PASSWORD);

    // With another key, or none, the start stops with an error naming the key.
    let wrong = app_on(&db, &blobs, Some(key(2, "the file /srv/other.key")?))?;
    let err = wrong.reload_settings().await.err().map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("/srv/other.key")
            && e.contains("another key")
            && !e.contains(PASSWORD)),
        "{err:?}"
    );
    let keyless = app_on(&db, &blobs, None)?;
    let err = keyless.reload_settings().await.err().map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("SOPORTE_SECRETS_KEY")),
        "{err:?}"
    );
    // Without a key a password cannot be saved at all, rather than saved in clear.
    assert!(
        keyless
            .save_mailbox(&ana, None, mailbox("otra"))
            .await
            .is_err()
    );
    assert!(!mailboxes_row(&db).await?.contains("otra\""));
    Ok(())
}

#[tokio::test]
async fn a_password_saved_in_clear_before_is_read_and_sealed_at_start() -> TestResult {
    let db = testkit::sqlite().await?;
    let blobs = tempfile::tempdir()?;
    let legacy = serde_json::to_string(&vec![mailbox(PASSWORD)])?;
    assert!(legacy.contains(PASSWORD));
    db.store.save_setting("mailboxes", &legacy, None).await?;

    let app = app_on(&db, &blobs, Some(key(1, "test key")?))?;
    assert!(app.reload_settings().await?);
    assert_eq!(
        app.settings().console.mailboxes[0].password,
        PASSWORD,
        "a clear value is read as it is"
    );
    assert_eq!(app.seal_stored_secrets().await?, 1);
    let row = mailboxes_row(&db).await?;
    assert!(!row.contains(PASSWORD), "{row}");
    assert!(row.contains("v1:"), "{row}");
    assert_eq!(app.seal_stored_secrets().await?, 0, "nothing left to seal");
    app.reload_settings().await?;
    assert_eq!(app.settings().console.mailboxes[0].password, PASSWORD);
    Ok(())
}
