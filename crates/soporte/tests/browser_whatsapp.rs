//! A WhatsApp conversation in a real browser, against a `serve` whose Graph API is the
//! stand-in: the customer's message is acknowledged on WhatsApp once their burst is over,
//! the agent opens the ticket (the customer sees it read), answers from the composer while
//! the window counts down, and answers an older conversation with an approved template.
//! Screenshots are kept in `<target>/browser-artifacts/whatsapp/`. Without Chromium and
//! chromedriver this test says it was skipped; under `CI=true` it fails.

// Test support shared with the e-mail tests, which use the rest of it.
#[allow(dead_code)]
#[path = "support/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "support/mail.rs"]
mod mail;
#[allow(dead_code)]
mod support;

use browser::{Browser, add_agent, until};
use mail::{exchange, toml_str};
use soporte_whatsapp::payload::{Body as Notification, MessageBuilder};
use soporte_whatsapp::{GraphStandIn, StandInConfig};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const APP_SECRET: &str = "secreto-de-la-app-meta";
const ACCESS_TOKEN: &str = "token-permanente-de-prueba";
const NUMBER: &str = "106540352242922";
const AGENT_EMAIL: &str = "laura@vendomia.com";
const AGENT_PASSWORD: &str = "una clave larga para la consola";

/// POSTs a customer's message to the webhook, signed as Meta signs it.
fn customer_writes(addr: &str, wa_id: &str, wamid: &str, text: &str, ago: i64) -> TestResult {
    let raw = Notification::new(NUMBER)
        .message(
            MessageBuilder::text(wa_id, text)
                .id(wamid)
                .name("Marta Gil")
                .timestamp(jiff::Timestamp::now().as_second() - ago),
        )
        .to_bytes();
    let headers = format!(
        "Content-Type: application/json\r\nX-Hub-Signature-256: {}\r\n",
        soporte_whatsapp::sign(APP_SECRET.as_bytes(), &raw)
    );
    let (status, _, body) = exchange(
        addr,
        "POST",
        "/webhooks/whatsapp",
        &headers,
        std::str::from_utf8(&raw)?,
    )?;
    if status != 200 {
        return Err(format!("the webhook answered {status}: {body}").into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_answers_a_whatsapp_conversation_from_the_console() -> TestResult {
    const WHAT: &str = "the WhatsApp browser test";
    let Some(tools) = browser::tools(WHAT) else {
        return Ok(());
    };
    let artifacts = browser::artifacts("whatsapp")?;
    let graph = GraphStandIn::start(StandInConfig::new(
        ACCESS_TOKEN,
        soporte_whatsapp::graph::DEFAULT_API_VERSION,
    ))
    .await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("soporte.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = {data}\n\n[whatsapp]\nverify_token = \"v\"\napp_secret = {secret}\n\
access_token = {token}\ngraph_url = {graph}\nquiet_seconds = 1\n\n[[whatsapp.templates]]\n\
name = \"seguimiento_solicitud\"\nlanguage = \"es\"\nparameters = [\"customer_name\", \"message\"]\n\
body = \"Hola {{{{1}}}}: {{{{2}}}}\"\n",
            data = toml_str(&dir.path().join("data").to_string_lossy()),
            secret = toml_str(APP_SECRET),
            token = toml_str(ACCESS_TOKEN),
            graph = toml_str(&graph.url()),
        ),
    )?;
    let server = mail::start_with_log(
        &config,
        std::fs::File::create(artifacts.join("soporte.log"))?,
    )?;
    add_agent(&config, AGENT_EMAIL, "Laura Martín", AGENT_PASSWORD)?;
    let set = support::soporte_command()
        .arg("--config")
        .arg(&config)
        .args(["agent", "set-whatsapp", "--email", AGENT_EMAIL])
        .args(["--whatsapp", "+34600000001", "--phone-number-id", NUMBER])
        .output()?;
    if !set.status.success() {
        return Err(format!("set-whatsapp: {}", String::from_utf8_lossy(&set.stderr)).into());
    }

    customer_writes(
        &server.addr,
        "34611222333",
        "wamid.HOY",
        "Hola, ¿cómo añado tallas a un producto de la tienda?",
        60,
    )?;
    customer_writes(
        &server.addr,
        "34699888777",
        "wamid.AYER",
        "¿Cómo cambio el logo de la web?",
        25 * 3600,
    )?;
    until(
        "the acknowledgement on WhatsApp",
        Duration::from_secs(30),
        || (!graph.sent().is_empty()).then_some(()),
    )
    .await?;
    let ack = graph.sent()[0].body.clone();
    assert_eq!(
        ack["to"], "34611222333",
        "only the customer inside the window"
    );
    assert!(
        ack["text"]["body"]
            .as_str()
            .is_some_and(|t| t.contains("VND-000001")),
        "{ack}"
    );

    let mut b = Browser::launch(&tools, &format!("http://{}", server.addr), &artifacts).await?;
    b.step("log in");
    b.goto("/login").await?;
    b.fill("form#login input[name=email]", AGENT_EMAIL).await?;
    b.fill("form#login input[name=password]", AGENT_PASSWORD)
        .await?;
    b.click("form#login button[type=submit]").await?;
    b.wait_for_path("/inbox").await?;

    b.step("open the conversation: the customer sees it read");
    b.goto("/tickets/1").await?;
    b.wait_for_text("article.bubble.theirs", "añado tallas")
        .await?;
    let countdown = b.wait_for(".wa-window.open .wa-remaining").await?;
    let left = b.text(&countdown, ".wa-remaining").await?;
    if !left.starts_with("quedan 23 h 5") {
        return Err(b.fail(&format!("the window shows {left:?}")).await);
    }
    b.screenshot("01-conversation").await?;
    until("the read mark", Duration::from_secs(15), || {
        graph
            .read_marks()
            .iter()
            .any(|m| m.message_id == "wamid.HOY")
            .then_some(())
    })
    .await?;

    b.step("answer from the composer");
    b.fill(
        "form#reply textarea[name=body]",
        "Hola Marta: en Tienda > Productos, abra el producto y pulse «Variantes».",
    )
    .await?;
    b.click("form#reply button[type=submit]").await?;
    b.wait_for_text("article.bubble.ours", "pulse «Variantes»")
        .await?;
    until("the answer on WhatsApp", Duration::from_secs(15), || {
        graph
            .sent()
            .into_iter()
            .find(|s| {
                s.body["text"]["body"]
                    .as_str()
                    .is_some_and(|t| t.contains("Variantes"))
            })
            .map(|_| ())
    })
    .await?;
    b.screenshot("02-answered").await?;

    b.step("an older conversation only takes a template");
    b.goto("/tickets/2").await?;
    b.wait_for(".wa-window.closed").await?;
    b.select(
        "form#reply select[name=whatsapp_template]",
        "seguimiento_solicitud",
    )
    .await?;
    b.fill(
        "form#reply textarea[name=body]",
        "ya puede cambiarlo en Diseño > Cabecera",
    )
    .await?;
    b.screenshot("03-template-mode").await?;
    b.click("form#reply button[type=submit]").await?;
    b.wait_for_text(
        "article.bubble.ours",
        "Hola Marta Gil: ya puede cambiarlo en Diseño > Cabecera",
    )
    .await?;
    until("the template on WhatsApp", Duration::from_secs(15), || {
        graph
            .sent()
            .into_iter()
            .find(|s| s.body["type"] == "template" && s.body["to"] == "34699888777")
            .map(|_| ())
    })
    .await?;
    b.screenshot("04-template-sent").await?;
    b.close().await?;
    Ok(())
}
