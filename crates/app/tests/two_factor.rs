//! Two-step sign-in as the use cases see it: enrolment, a login that needs a code, codes
//! taken once, recovery codes, the throttle on codes, turning it off, and the
//! administrators' requirement.

use jiff::{SignedDuration, Timestamp};
use soporte_app::secrets::SecretKey;
use soporte_app::two_factor::{CODE_FAILURES_PER_AGENT, RECOVERY_CODES, code_at};
use soporte_app::{AgentInput, App, AppError, AppSettings, Login, Principal, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use soporte_store::testkit::{self, TestDb};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "contraseña larga 1";

struct Desk {
    app: App,
    _db: TestDb,
    _blobs: tempfile::TempDir,
}

async fn desk() -> Result<Desk, Box<dyn std::error::Error>> {
    let db = testkit::sqlite().await?;
    let blobs = tempfile::tempdir()?;
    let app = App::new(
        db.store.clone(),
        Arc::new(DiskBlobStore::new(blobs.path())?),
        AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        ),
    )
    .with_secrets(SecretKey::from_bytes(&[3; 32], "the test key")?);
    Ok(Desk {
        app,
        _db: db,
        _blobs: blobs,
    })
}

impl Desk {
    async fn agent(
        &self,
        email: &str,
        role: Role,
    ) -> Result<Principal, Box<dyn std::error::Error>> {
        let agent = self
            .app
            .create_agent(&AgentInput {
                email: email.into(),
                name: email.into(),
                role: Some(role),
                password: Some(PASSWORD.into()),
                ..AgentInput::default()
            })
            .await?;
        let scope = if role == Role::Admin {
            TokenScope::Admin
        } else {
            TokenScope::Agent
        };
        let token = self
            .app
            .issue_token(TokenOwner::Agent(agent.id), scope, "")
            .await?;
        Ok(self.app.authenticate(&token.plaintext).await?)
    }

    /// Turns two-step sign-in on for `who`; returns the base32 secret and the codes.
    async fn enrol(
        &self,
        who: &Principal,
    ) -> Result<(String, Vec<String>), Box<dyn std::error::Error>> {
        let enrolment = self.app.begin_two_factor(who).await?;
        let codes = self
            .app
            .confirm_two_factor(who, &code_at(&enrolment.secret, Timestamp::now())?, None)
            .await?;
        Ok((enrolment.secret, codes))
    }

    async fn pending(&self, email: &str) -> Result<String, Box<dyn std::error::Error>> {
        match self.app.log_in(email, PASSWORD, None).await? {
            Login::CodeNeeded { pending } => Ok(pending),
            Login::Session(_) => Err("a session without a code".into()),
        }
    }
}

fn next_code(secret: &str) -> Result<String, AppError> {
    code_at(secret, Timestamp::now() + SignedDuration::from_secs(30))
}

#[tokio::test]
async fn enrolment_shows_a_secret_and_confirms_with_a_code() -> TestResult {
    let desk = desk().await?;
    let ana = desk.agent("ana@vendomia.com", Role::Agent).await?;
    let enrolment = desk.app.begin_two_factor(&ana).await?;
    assert!(
        enrolment
            .url
            .starts_with("otpauth://totp/Soporte:ana@vendomia.com?secret=")
            && enrolment.url.ends_with("&issuer=Soporte"),
        "{}",
        enrolment.url
    );
    assert_eq!(enrolment.secret.len(), 32, "160 bits in base32");
    assert_eq!(
        desk.app.pending_two_factor(&ana).await?,
        Some(enrolment.clone()),
        "shown again until confirmed"
    );
    let stored = desk
        ._db
        .store
        .two_factor(ana.agent_id().ok_or("no agent")?)
        .await?
        .ok_or("no secret stored")?;
    assert!(stored.sealed_secret.starts_with("v1:"));
    assert!(!stored.sealed_secret.contains(&enrolment.secret));

    // Not on until confirmed: the password alone still signs in.
    assert!(matches!(
        desk.app.log_in("ana@vendomia.com", PASSWORD, None).await?,
        Login::Session(_)
    ));
    let wrong = desk.app.confirm_two_factor(&ana, "000000", None).await;
    assert!(
        matches!(wrong, Err(AppError::Invalid(ref e)) if e.field == "code"),
        "{wrong:?}"
    );
    let codes = desk
        .app
        .confirm_two_factor(&ana, &code_at(&enrolment.secret, Timestamp::now())?, None)
        .await?;
    assert_eq!(codes.len(), RECOVERY_CODES);
    let status = desk.app.two_factor_status(&ana).await?;
    assert!(status.enabled);
    assert_eq!(status.recovery_codes_left, 10);
    assert_eq!(desk.app.pending_two_factor(&ana).await?, None);
    assert!(
        desk.app.begin_two_factor(&ana).await.is_err(),
        "a second secret needs the first one off"
    );
    Ok(())
}

#[tokio::test]
async fn a_login_needs_a_code_that_works_once() -> TestResult {
    let desk = desk().await?;
    let ana = desk.agent("ana@vendomia.com", Role::Agent).await?;
    let (secret, codes) = desk.enrol(&ana).await?;

    let pending = desk.pending("ana@vendomia.com").await?;
    assert!(
        desk.app.session(&pending).await.is_err(),
        "a pending login is no session"
    );
    assert!(desk.app.authenticate(&pending).await.is_err());
    assert!(desk.app.pending_login(&pending).await?.is_some());
    // The code that confirmed enrolment was taken already.
    let replayed = desk
        .app
        .complete_login(&pending, &code_at(&secret, Timestamp::now())?, None)
        .await;
    assert!(
        matches!(replayed, Err(AppError::Unauthorized)),
        "{:?}",
        replayed.err()
    );
    let code = next_code(&secret)?;
    let session = desk.app.complete_login(&pending, &code, None).await?;
    assert!(desk.app.session(&session.plaintext).await.is_ok());
    assert!(
        desk.app.pending_login(&pending).await?.is_none(),
        "a pending login ends with its session"
    );

    // The same code again, on a new login, is refused.
    let again = desk.pending("ana@vendomia.com").await?;
    assert!(matches!(
        desk.app.complete_login(&again, &code, None).await,
        Err(AppError::Unauthorized)
    ));
    // A recovery code works, once, typed as people type.
    let typed = codes[0].to_uppercase().replace('-', " ");
    assert!(desk.app.complete_login(&again, &typed, None).await.is_ok());
    let third = desk.pending("ana@vendomia.com").await?;
    assert!(matches!(
        desk.app.complete_login(&third, &codes[0], None).await,
        Err(AppError::Unauthorized)
    ));
    assert_eq!(
        desk.app.two_factor_status(&ana).await?.recovery_codes_left,
        9
    );
    assert!(
        desk.app
            .complete_login(&third, &codes[1], None)
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_agent() -> TestResult {
    let desk = desk().await?;
    let bruno = desk.agent("bruno@vendomia.com", Role::Agent).await?;
    let (secret, _) = desk.enrol(&bruno).await?;
    let pending = desk.pending("bruno@vendomia.com").await?;
    for _ in 0..CODE_FAILURES_PER_AGENT {
        assert!(matches!(
            desk.app.complete_login(&pending, "123456", None).await,
            Err(AppError::Unauthorized)
        ));
    }
    // Past the limit even the right code is not checked.
    let limited = desk
        .app
        .complete_login(&pending, &next_code(&secret)?, None)
        .await;
    assert!(
        matches!(limited, Err(AppError::RateLimited { .. })),
        "{:?}",
        limited.err()
    );
    // Another agent is not held back by Bruno's.
    let ana = desk.agent("ana@vendomia.com", Role::Agent).await?;
    let (ana_secret, _) = desk.enrol(&ana).await?;
    let ana_pending = desk.pending("ana@vendomia.com").await?;
    assert!(
        desk.app
            .complete_login(&ana_pending, &next_code(&ana_secret)?, None)
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code() -> TestResult {
    let desk = desk().await?;
    let ana = desk.agent("ana@vendomia.com", Role::Agent).await?;
    let (secret, codes) = desk.enrol(&ana).await?;
    let wrong_password = desk
        .app
        .disable_two_factor(&ana, "otra", &next_code(&secret)?, None)
        .await;
    assert!(
        matches!(wrong_password, Err(AppError::Invalid(ref e)) if e.field == "password"),
        "{wrong_password:?}"
    );
    let wrong_code = desk
        .app
        .disable_two_factor(&ana, PASSWORD, "999999", None)
        .await;
    assert!(
        matches!(wrong_code, Err(AppError::Invalid(ref e)) if e.field == "code"),
        "{wrong_code:?}"
    );
    assert!(desk.app.two_factor_status(&ana).await?.enabled);
    desk.app
        .disable_two_factor(&ana, PASSWORD, &codes[3], None)
        .await?;
    assert!(!desk.app.two_factor_status(&ana).await?.enabled);
    assert!(matches!(
        desk.app.log_in("ana@vendomia.com", PASSWORD, None).await?,
        Login::Session(_)
    ));
    Ok(())
}

#[tokio::test]
async fn administrators_can_require_it_and_reset_it() -> TestResult {
    let desk = desk().await?;
    let admin = desk.agent("admin@vendomia.com", Role::Admin).await?;
    let ana = desk.agent("ana@vendomia.com", Role::Agent).await?;
    let ana_agent = ana.require_agent()?.clone();
    assert!(!desk.app.must_enrol_two_factor(&ana_agent).await?);
    assert!(
        desk.app.require_two_factor(&ana, true).await.is_err(),
        "only administrators"
    );
    desk.app.require_two_factor(&admin, true).await?;
    assert!(desk.app.two_factor_required());
    assert!(desk.app.must_enrol_two_factor(&ana_agent).await?);
    desk.enrol(&ana).await?;
    assert!(!desk.app.must_enrol_two_factor(&ana_agent).await?);
    assert_eq!(
        desk.app.two_factor_agents(&admin).await?,
        vec![ana_agent.id]
    );

    // Lost phone and codes: an administrator turns it off; enrolment is asked for again.
    assert!(desk.app.reset_two_factor(&admin, ana_agent.id).await?);
    assert!(desk.app.must_enrol_two_factor(&ana_agent).await?);
    desk.app.require_two_factor(&admin, false).await?;
    assert!(!desk.app.must_enrol_two_factor(&ana_agent).await?);
    Ok(())
}
