//! A database out of reach for a while: the server restarting or the network failing
//! (PostgreSQL), the file locked by another program or the disk full (SQLite). Every
//! request in the meantime is told "unavailable" quickly, nothing is half-written, and the
//! store serves again on its own once the database is back.

use super::*;
use soporte_store::postgres::ACQUIRE_TIMEOUT;
use soporte_store::sqlite::{BUSY_TIMEOUT, SqliteStore};
use soporte_store::testkit;
use sqlx::Connection;
use std::time::{Duration, Instant};

/// What a caller is told in time, with how long it took.
async fn timed<T>(
    call: impl std::future::Future<Output = Result<T, StoreError>>,
) -> (Result<T, StoreError>, Duration) {
    let started = Instant::now();
    let result = call.await;
    (result, started.elapsed())
}

fn assert_unavailable<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    }
}

/// Retries `call` for up to 10 s: the store must come back without being restarted.
async fn recovers<T, F, Fut>(mut call: F, what: &str) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match call().await {
            Ok(value) => return value,
            Err(e) if Instant::now() < deadline => {
                eprintln!("{what}: not yet ({e})");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("{what}: still failing 10 s after the database came back: {e}"),
        }
    }
}

#[tokio::test]
async fn postgres_out_of_reach_is_unavailable_at_once_and_serves_again_after() -> TestResult {
    let Some(db) = testkit::postgres().await? else {
        return Ok(());
    };
    let (through, outage) = db.postgres_through_outage().await?;
    let store = through.store.clone();
    store
        .create_agent(&agent("antes@vendomia.com", Role::Agent))
        .await?;

    outage.begin();
    let limit = ACQUIRE_TIMEOUT + Duration::from_secs(1);
    let (read, took) = timed(store.count_agents()).await;
    assert_unavailable(read, "a read during the outage");
    assert!(took < limit, "a read waited {took:?}");
    let (write, took) =
        timed(store.create_agent(&agent("durante@vendomia.com", Role::Agent))).await;
    assert_unavailable(write, "a write during the outage");
    assert!(took < limit, "a write waited {took:?}");
    let (created, _) = timed(store.create_ticket(&ticket(
        "Durante el corte",
        Requester::New(new_contact("corte@tienda.es", None)),
    )))
    .await;
    assert_unavailable(created, "a new ticket during the outage");

    outage.end()?;
    recovers(|| store.count_agents(), "a read after the outage").await;
    store
        .create_agent(&agent("despues@vendomia.com", Role::Agent))
        .await?;
    let emails: Vec<String> = store
        .list_agents()
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    assert!(emails.contains(&"antes@vendomia.com".to_string()));
    assert!(emails.contains(&"despues@vendomia.com".to_string()));
    assert!(
        !emails.contains(&"durante@vendomia.com".to_string()),
        "a write refused as unavailable was kept"
    );
    drop(through);
    db.cleanup().await;
    Ok(())
}

#[tokio::test]
async fn sqlite_file_locked_by_another_program_is_unavailable_then_writes() -> TestResult {
    let db = testkit::sqlite().await?;
    let store = db.store.clone();
    let file = db.sqlite_file().ok_or("no SQLite file")?;
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;

    // Another program takes the write lock and keeps it.
    let mut other =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await?;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await?;

    let limit = BUSY_TIMEOUT + Duration::from_secs(2);
    let (write, took) =
        timed(store.create_agent(&agent("bloqueo@vendomia.com", Role::Agent))).await;
    assert_unavailable(write, "a write while the file is locked");
    assert!(took < limit, "a write waited {took:?}");
    // Tickets are written in groups: a locked file fails the group once, not each write.
    let (created, took) = timed(store.create_ticket(&ticket(
        "Con el fichero bloqueado",
        Requester::Existing(contact.id),
    )))
    .await;
    assert_unavailable(created, "a new ticket while the file is locked");
    assert!(took < limit, "a new ticket waited {took:?}");
    // Reading goes on: the log keeps readers apart from the writer.
    assert_eq!(store.count_agents().await?, 0);

    sqlx::query("ROLLBACK").execute(&mut other).await?;
    store
        .create_agent(&agent("libre@vendomia.com", Role::Agent))
        .await?;
    store
        .create_ticket(&ticket("Ya libre", Requester::Existing(contact.id)))
        .await?;
    assert_eq!(store.count_agents().await?, 1);
    Ok(())
}

const SMALL_VOLUME_VAR: &str = "TEST_SOPORTE_SMALL_VOLUME";

#[tokio::test]
async fn sqlite_on_a_full_disk_is_unavailable_then_writes_once_there_is_room() -> TestResult {
    let Ok(volume) = std::env::var(SMALL_VOLUME_VAR) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            return Err(format!(
                "CI=true but {SMALL_VOLUME_VAR} is not set (scripts/test.sh sets it)"
            )
            .into());
        }
        eprintln!("SKIPPED: full disk (set {SMALL_VOLUME_VAR} or run scripts/test.sh)");
        return Ok(());
    };
    let dir = tempfile::tempdir_in(&volume)?;
    let store = SqliteStore::open(&dir.path().join("soporte.db")).await?;
    store.migrate().await?;
    let contact = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;

    // Everything left on the disk goes to a filler file.
    let filler = dir.path().join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler)?;
        let chunk = vec![0u8; 64 * 1024];
        loop {
            match file.write_all(&chunk).and_then(|()| file.sync_all()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => return Err(e.into()),
            }
        }
    }
    let long = "Un texto largo que no cabe. ".repeat(4000);
    let mut refused = None;
    for n in 0..64 {
        let mut new = ticket(&format!("Disco lleno {n}"), Requester::Existing(contact.id));
        new.body_text = long.clone();
        match store.create_ticket(&new).await {
            Ok(_) => continue,
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    assert_unavailable(refused.map_or(Ok(()), Err), "a new ticket on a full disk");

    std::fs::remove_file(&filler)?;
    let mut new = ticket("Con sitio otra vez", Requester::Existing(contact.id));
    new.body_text = long;
    recovers(
        || store.create_ticket(&new),
        "a new ticket once there is room",
    )
    .await;
    Ok(())
}
