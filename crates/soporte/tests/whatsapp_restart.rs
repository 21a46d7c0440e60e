//! A `kill -9` in the middle of a burst of WhatsApp webhooks, then a restart, on SQLite
//! and PostgreSQL: every body the server answered 200 is taken in, and none twice; Meta
//! redelivering the bodies that were not answered (and some that were) adds nothing twice.

// Shared with the e-mail tests, which use the rest of it.
#[allow(dead_code)]
#[path = "support/mail.rs"]
mod mail;
mod support;

use mail::{Server, exchange, http, server, toml_str};
use soporte_store::testkit::{self, TestDb};
use soporte_whatsapp::payload::{Body as Notification, MessageBuilder};
use soporte_whatsapp::{GraphStandIn, StandInConfig};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const APP_SECRET: &str = "secreto-de-la-app-meta";
const ACCESS_TOKEN: &str = "token-permanente-de-prueba";
const NUMBER: &str = "106540352242922";
/// Bodies in the burst: one customer each, so each is one ticket.
const BODIES: usize = 160;
const SENDERS: usize = 8;

fn body(i: usize) -> Vec<u8> {
    Notification::new(NUMBER)
        .message(
            MessageBuilder::text(
                format!("3460{i:07}"),
                &format!("Hola, tengo una consulta {i}"),
            )
            .id(&format!("wamid.KILL{i:04}"))
            .name("Cliente")
            .timestamp(jiff::Timestamp::now().as_second() - 30),
        )
        .to_bytes()
}

/// POSTs a signed body; true when the server answered 200.
fn deliver(addr: &str, raw: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(raw) else {
        return false;
    };
    let headers = format!(
        "Content-Type: application/json\r\nX-Hub-Signature-256: {}\r\n",
        soporte_whatsapp::sign(APP_SECRET.as_bytes(), raw)
    );
    matches!(
        exchange(addr, "POST", "/webhooks/whatsapp", &headers, text),
        Ok((200, _, _))
    )
}

fn write_config(
    dir: &Path,
    database_url: &str,
    graph_url: &str,
) -> std::io::Result<std::path::PathBuf> {
    let file = dir.join("soporte.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = {data}\ndatabase_url = {db}\n\n[whatsapp]\nverify_token = \"v\"\n\
app_secret = {secret}\naccess_token = {token}\ngraph_url = {graph}\nquiet_seconds = 1\n",
            data = toml_str(&dir.join("data").to_string_lossy()),
            db = toml_str(database_url),
            secret = toml_str(APP_SECRET),
            token = toml_str(ACCESS_TOKEN),
            graph = toml_str(graph_url),
        ),
    )?;
    Ok(file)
}

fn start(config: &Path) -> Result<Server, Box<dyn std::error::Error>> {
    server(support::start(
        support::soporte_command()
            .arg("--config")
            .arg(config)
            .arg("serve"),
    )?)
}

/// The WhatsApp tickets' ids (at most 200).
fn whatsapp_tickets(server: &Server, token: &str) -> Vec<i64> {
    let Ok((200, body)) = http(
        &server.addr,
        "GET",
        "/api/v1/tickets?channel=whatsapp&limit=200",
        token,
        None,
    ) else {
        return Vec::new();
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    json["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|t| t["id"].as_i64()).collect())
        .unwrap_or_default()
}

fn burst_then_kill(database_url: String) -> TestResult {
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let graph = runtime.block_on(GraphStandIn::start(StandInConfig::new(
        ACCESS_TOKEN,
        soporte_whatsapp::graph::DEFAULT_API_VERSION,
    )))?;
    let config = write_config(dir.path(), &database_url, &graph.url())?;
    let mut first = start(&config)?;
    let token = first.token.clone().ok_or("no API token printed")?;
    let (status, agent) = http(
        &first.addr,
        "POST",
        "/api/v1/agents",
        &token,
        Some(&format!(
            r#"{{"email":"ana@vendomia.com","name":"Ana","whatsapp":"+34600000001","whatsapp_phone_number_id":"{NUMBER}","types":["usage"]}}"#
        )),
    )?;
    assert_eq!(status, 201, "{agent}");

    // Eight senders at once, as Meta's delivery does; the server dies mid-way.
    let answered = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let addr = first.addr.clone();
            let answered = Arc::clone(&answered);
            std::thread::spawn(move || {
                (s..BODIES)
                    .step_by(SENDERS)
                    .map(|i| {
                        let ok = deliver(&addr, &body(i));
                        if ok {
                            answered.fetch_add(1, Ordering::SeqCst);
                        }
                        (i, ok)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.load(Ordering::SeqCst) < BODIES / 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    first.child.kill()?;
    first.child.wait()?;
    let mut outcome = [false; BODIES];
    for sender in senders {
        for (i, ok) in sender.join().map_err(|_| "a sender panicked")? {
            outcome[i] = ok;
        }
    }
    let acknowledged = outcome.iter().filter(|ok| **ok).count();
    assert!(
        acknowledged > 0 && acknowledged < BODIES,
        "the kill came mid-burst ({acknowledged} of {BODIES} answered)"
    );
    let second = start(&config)?;
    // Meta redelivers what it got no 200 for; it may also redeliver some that it did.
    for (i, ok) in outcome.iter().enumerate() {
        if !ok || i % 5 == 0 {
            assert!(deliver(&second.addr, &body(i)), "redelivery of body {i}");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut tickets = whatsapp_tickets(&second, &token);
    while tickets.len() < BODIES && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        tickets = whatsapp_tickets(&second, &token);
    }
    std::thread::sleep(Duration::from_secs(1));
    let tickets = whatsapp_tickets(&second, &token);
    assert_eq!(
        tickets.len(),
        BODIES,
        "one ticket per customer, none lost, none doubled"
    );
    for id in tickets {
        let (_, detail) = http(
            &second.addr,
            "GET",
            &format!("/api/v1/tickets/{id}"),
            &token,
            None,
        )?;
        let json: serde_json::Value = serde_json::from_str(&detail)?;
        let inbound = json["messages"]
            .as_array()
            .map(|m| m.iter().filter(|m| m["kind"] == "inbound").count());
        assert_eq!(inbound, Some(1), "ticket {id}: {json}");
    }
    drop(graph);
    Ok(())
}

#[test]
fn a_killed_server_loses_no_acknowledged_whatsapp_body_on_sqlite() -> TestResult {
    let runtime = tokio::runtime::Runtime::new()?;
    let db: TestDb = runtime.block_on(testkit::sqlite())?;
    let url = db.database_url().ok_or("no database url")?;
    burst_then_kill(url)
}

#[test]
fn a_killed_server_loses_no_acknowledged_whatsapp_body_on_postgres() -> TestResult {
    let runtime = tokio::runtime::Runtime::new()?;
    let Some(db) = runtime.block_on(testkit::postgres())? else {
        return Ok(());
    };
    let url = db.database_url().ok_or("no database url")?;
    let result = burst_then_kill(url);
    runtime.block_on(db.cleanup());
    result
}
