//! The customer portal in a real browser, at a phone's width (390 px) and a desk's (1400 px),
//! against a `serve` that sends its mail to the SMTP receiver `scripts/test.sh` starts: a
//! customer signs in by the link they receive, writes a request with a pasted screenshot
//! while the checklist fills in, follows it and gets the agent's answer, and adds what an
//! earlier request was missing from its acknowledgement's link, and rates the request once
//! it is solved, from the link in the e-mail that says so. Screenshots are kept in
//! `<target>/browser-artifacts/portal/`. Without Chromium and chromedriver, or the SMTP
//! receiver, this test says it was skipped; under `CI=true` it fails.

// Test support shared with the other browser tests, which use the rest of it.
#[allow(dead_code)]
#[path = "support/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "support/mail.rs"]
mod mail;
#[allow(dead_code)]
mod support;

use browser::{Browser, until};
use mail::{SmtpTo, http, received, unique, write_config};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A 1×1 PNG, as a screenshot pasted from the clipboard.
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==";

/// The decoded text of an e-mail.
fn body_text(raw: &str) -> Option<String> {
    let message = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
    Some(message.body_text(0)?.into_owned())
}

/// The path and query of the portal link in the newest e-mail to `tag` whose text says
/// `words`.
fn link_in_mail(servers: &mail::Servers, tag: &str, words: &str) -> Option<String> {
    received(servers, tag)
        .iter()
        .filter_map(|raw| body_text(raw))
        .filter(|text| text.contains(words))
        .filter_map(|text| {
            let at = text.find("/portal/link?token=")?;
            text[at..].split_whitespace().next().map(str::to_string)
        })
        .next_back()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_writes_follows_and_completes_requests_on_the_portal() -> TestResult {
    const WHAT: &str = "the portal browser test";
    let Some(servers) = mail::servers(WHAT) else {
        return Ok(());
    };
    let Some(tools) = browser::tools(WHAT) else {
        return Ok(());
    };
    let artifacts = browser::artifacts("portal")?;
    let tag = unique("portal");
    let customer = format!("{tag}@tienda.es");
    let dir = tempfile::tempdir()?;
    let config = write_config(
        &servers,
        dir.path(),
        &SmtpTo {
            addr: &servers.smtp_addr,
            security: "plain",
            login: None,
            ca_file: None,
        },
        None,
    )?;
    let server = mail::start_with_log(
        &config,
        std::fs::File::create(artifacts.join("soporte.log"))?,
    )?;
    let token = server.token.clone().ok_or("no API token printed")?;
    let api = |method: &str,
               path: &str,
               body: &str|
     -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let (status, answer) = http(&server.addr, method, path, &token, Some(body))?;
        if !(200..300).contains(&status) {
            return Err(format!("{method} {path}: {status} {answer}").into());
        }
        Ok(serde_json::from_str(&answer)?)
    };
    let account = api(
        "POST",
        "/api/v1/accounts",
        r#"{"name": "Tienda Luis", "email_domains": ["tienda.es"]}"#,
    )?;
    api(
        "POST",
        "/api/v1/contacts",
        &serde_json::json!({
            "name": "Luis Pérez",
            "emails": [customer],
            "account_id": account["id"],
        })
        .to_string(),
    )?;
    // An earlier request by e-mail that lacks screenshots and where it happens.
    let earlier = api(
        "POST",
        "/api/v1/tickets",
        &serde_json::json!({
            "subject": "Error al publicar",
            "body": "Me sale un error y no puedo seguir trabajando.",
            "requester_email": customer,
            "channel": "email",
        })
        .to_string(),
    )?;
    let earlier_number = earlier["number"].as_str().ok_or("no number")?.to_string();

    let mut b = Browser::launch(&tools, &format!("http://{}", server.addr), &artifacts).await?;
    b.resize(390, 900).await?;

    b.step("ask for a sign-in link");
    b.goto("/portal/").await?;
    b.wait_for("form#link-form").await?;
    b.screenshot("01-front-door-390").await?;
    b.fill("#link-email", &customer).await?;
    b.click("form#link-form button[type=submit]").await?;
    b.wait_for_text("main", "Revise su correo").await?;
    let sign_in = until("the sign-in e-mail", Duration::from_secs(30), || {
        link_in_mail(&servers, &tag, "entrar en el portal")
    })
    .await?;

    b.step("sign in by the link");
    b.goto(&sign_in).await?;
    b.wait_for("form#use-link").await?;
    b.screenshot("02-link-390").await?;
    b.click("form#use-link button[type=submit]").await?;
    b.wait_for_path("/portal/requests").await?;
    b.wait_for_text("#requests", "Error al publicar").await?;
    b.screenshot("03-requests-390").await?;
    b.resize(1400, 1000).await?;
    b.screenshot("03-requests-1400").await?;

    b.step("write a request with a pasted screenshot, watching the checklist");
    b.resize(390, 1600).await?;
    b.goto("/portal/requests/new").await?;
    b.wait_for("#checklist").await?;
    b.click("input[name=type][value=usage]").await?;
    b.fill("#request-subject", "Error: se duplican los textos")
        .await?;
    b.fill(
        "#request-description",
        "Es un error: estoy creando la página de garantía y cuando añado un elemento de texto se añaden dos elementos de golpe en lugar de uno.",
    )
    .await?;
    b.select("#request-area", "Sitios Web").await?;
    b.wait_for("#checklist .item.given[data-item=location]")
        .await?;
    b.wait_for("#checklist .item.wanted[data-item=screenshot]")
        .await?;
    b.screenshot("04-writing-390").await?;
    b.run_script(&format!(
        "const bin = atob('{PNG_BASE64}');
         const bytes = new Uint8Array(bin.length);
         for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
         const data = new DataTransfer();
         data.items.add(new File([bytes], 'image.png', {{ type: 'image/png' }}));
         document.getElementById('request-description').dispatchEvent(
           new ClipboardEvent('paste', {{ clipboardData: data, bubbles: true, cancelable: true }}));"
    ))
    .await?;
    b.wait_for("#thumbnails img").await?;
    b.wait_for("#checklist .item.given[data-item=screenshot]")
        .await?;
    b.screenshot("05-pasted-390").await?;
    b.resize(1400, 1400).await?;
    b.screenshot("05-pasted-1400").await?;
    b.click("#request-form button[type=submit]").await?;
    b.wait_for_text(".done", "Solicitud enviada").await?;
    b.wait_for(".entry.from-customer .thumb img").await?;
    b.screenshot("06-sent-1400").await?;

    b.step("follow it and get a reply");
    let listed = api("GET", "/api/v1/tickets?limit=10", "")?;
    let new_request = listed["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|t| t["subject"] == "Error: se duplican los textos")
        })
        .ok_or("the new request is not listed")?;
    assert_eq!(new_request["channel"], "portal");
    let id = new_request["id"].as_i64().ok_or("no id")?;
    let number = new_request["number"].as_str().ok_or("no number")?;
    api(
        "POST",
        &format!("/api/v1/tickets/{id}/messages"),
        r#"{"body": "Hola Luis: lo hemos reproducido y ya está corregido. ¿Puede comprobarlo?", "kind": "outbound"}"#,
    )?;
    b.goto(&format!("/portal/requests/{number}")).await?;
    b.wait_for_text(".entry.from-support", "ya está corregido")
        .await?;
    b.screenshot("07-reply-1400").await?;
    b.resize(390, 1400).await?;
    b.screenshot("07-reply-390").await?;

    b.step("add what was missing from the acknowledgement's link");
    let add_missing = until(
        "the earlier request's acknowledgement",
        Duration::from_secs(30),
        || link_in_mail(&servers, &tag, &earlier_number),
    )
    .await?;
    b.goto(&add_missing).await?;
    b.click("form#use-link button[type=submit]").await?;
    b.wait_for_path(&format!("/portal/requests/{earlier_number}"))
        .await?;
    b.wait_for("#add-missing .slot[data-item=location]").await?;
    b.screenshot("08-add-missing-390").await?;
    b.select("#missing-area", "Tienda").await?;
    b.fill("#missing-place", "la página de pago").await?;
    b.click("#missing-form button[type=submit]").await?;
    b.wait_for_text(".done", "lo hemos añadido").await?;
    b.wait_for_text(".entry.from-customer", "Dónde: Tienda, la página de pago")
        .await?;
    if b.count("#add-missing .slot[data-item=location]").await? != 0 {
        return Err(b.fail("the location slot is still offered").await);
    }
    b.screenshot("09-added-390").await?;
    b.resize(1400, 1200).await?;
    b.screenshot("09-added-1400").await?;

    b.step("rate the solved request from the link in the e-mail");
    api(
        "PATCH",
        &format!("/api/v1/tickets/{id}"),
        r#"{"status": "solved"}"#,
    )?;
    let rating_link = until(
        "the e-mail saying the request is solved",
        Duration::from_secs(30),
        || link_in_mail(&servers, &tag, "Díganos de 1 a 5"),
    )
    .await?;
    b.resize(390, 1400).await?;
    b.goto(&rating_link).await?;
    b.wait_for("#rating-form .star").await?;
    b.screenshot("10-rating-390").await?;
    b.click("#rating-form .star:nth-child(4)").await?;
    b.fill("#rating-comment", "Lo arreglaron el mismo día.")
        .await?;
    b.click("#rating-form button[type=submit]").await?;
    b.wait_for_text(".done", "Gracias por su valoración")
        .await?;
    b.screenshot("11-rated-390").await?;
    b.goto(&format!("/portal/requests/{number}")).await?;
    b.wait_for_text("#rating.given", "4 de 5").await?;
    b.resize(1400, 1200).await?;
    b.screenshot("12-request-rated-1400").await?;
    b.close().await?;
    Ok(())
}
