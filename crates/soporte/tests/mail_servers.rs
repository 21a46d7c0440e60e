//! The e-mail channel against real servers that `scripts/test.sh` starts: Dovecot (IMAP,
//! with STARTTLS, and IMAPS) and SMTP receivers that keep what they receive in Maildirs: one
//! plain, one demanding STARTTLS and AUTH, one SMTPS. The TLS servers use a certificate from
//! a throw-away CA, as a company's private CA would be. Each test uses an IMAP folder of its
//! own and recipients with a unique tag, so tests can run side by side. Without the servers
//! these tests say they were skipped; under `CI=true` they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/mail.rs"]
mod mail;
mod support;

use mail::{
    ImapFrom, Server, Servers, SmtpTo, config, deliver, http, imap_folder, received, received_in,
    request, server, servers, start_with_log, ticket_count, unique, write_config,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The servers that speak TLS, with the CA that signed their certificate.
struct TlsServers {
    ca: PathBuf,
    imaps_addr: String,
    smtp_auth_addr: String,
    smtp_auth_user: String,
    smtp_auth_password: String,
    smtp_auth_maildir: PathBuf,
    smtps_addr: String,
}

fn tls_servers() -> Option<(Servers, TlsServers)> {
    let servers = servers("mail server tests")?;
    let var = |name: &str| std::env::var(name).ok();
    let found = (|| {
        Some(TlsServers {
            ca: var("TEST_SOPORTE_TLS_CA")?.into(),
            imaps_addr: var("TEST_SOPORTE_IMAPS_ADDR")?,
            smtp_auth_addr: var("TEST_SOPORTE_SMTP_AUTH_ADDR")?,
            smtp_auth_user: var("TEST_SOPORTE_SMTP_AUTH_USER")?,
            smtp_auth_password: var("TEST_SOPORTE_SMTP_AUTH_PASSWORD")?,
            smtp_auth_maildir: var("TEST_SOPORTE_SMTP_AUTH_MAILDIR")?.into(),
            smtps_addr: var("TEST_SOPORTE_SMTPS_ADDR")?,
        })
    })();
    if found.is_none() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but the TLS mail test servers are not configured (TEST_SOPORTE_TLS_CA, TEST_SOPORTE_IMAPS_ADDR, TEST_SOPORTE_SMTP_AUTH_*, TEST_SOPORTE_SMTPS_ADDR): run scripts/test.sh"
        );
        eprintln!(
            "SKIPPED: TLS mail server tests (the running services have no TLS listeners; restart them with scripts/services.sh up)"
        );
    }
    Some((servers, found?))
}

/// `addr` with its host replaced by `localhost`, so the certificate's DNS name is checked
/// (the plain address checks its IP address entry).
fn on_localhost(addr: &str) -> String {
    match addr.rsplit_once(':') {
        Some((_, port)) => format!("localhost:{port}"),
        None => addr.to_string(),
    }
}

fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start(config: &Path) -> Result<Server, Box<dyn std::error::Error>> {
    server(support::start(
        support::soporte_command()
            .arg("--config")
            .arg(config)
            .arg("serve"),
    )?)
}

/// Opens a ticket through the API for `requester`; Soporte acknowledges it by e-mail.
fn open_ticket(server: &Server, token: &str, requester: &str) -> TestResult {
    let body = format!(
        r#"{{"subject":"No carga el panel","body":"Desde esta mañana","requester_email":"{requester}"}}"#
    );
    let (status, text) = http(&server.addr, "POST", "/api/v1/tickets", token, Some(&body))?;
    assert_eq!(status, 201, "{text}");
    Ok(())
}

/// The outbox rows (`pending`, `sent` or `dead`) addressed to a recipient carrying `tag`.
fn outbox(server: &Server, token: &str, status: &str, tag: &str) -> Vec<serde_json::Value> {
    http(
        &server.addr,
        "GET",
        &format!("/api/v1/admin/outbox?status={status}"),
        token,
        None,
    )
    .ok()
    .and_then(|(_, body)| serde_json::from_str::<Vec<serde_json::Value>>(&body).ok())
    .unwrap_or_default()
    .into_iter()
    .filter(|row| row["recipient"].as_str().is_some_and(|r| r.contains(tag)))
    .collect()
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

#[test]
fn mail_from_imap_becomes_tickets_and_answers_thread_back() -> TestResult {
    let Some(servers) = servers("mail server tests") else {
        return Ok(());
    };
    let tag = unique("cliente");
    let folder_name = unique("Soporte");
    let folder = imap_folder(&servers, &folder_name)?;
    let customer = format!("{tag}@tienda.es");
    deliver(
        &folder,
        "1",
        &request(
            &format!("Luis <{customer}>"),
            &format!("{tag}.1@tienda.es"),
            "No puedo publicar la página",
            "",
            "Al añadir un texto se añaden dos.",
        ),
    )?;
    deliver(
        &folder,
        "2",
        &request(
            &customer,
            &format!("{tag}.2@tienda.es"),
            "Re: No puedo publicar la página",
            &format!("In-Reply-To: <{tag}.1@tienda.es>\r\n"),
            "Se me olvidó: pasa en Sitios Web.",
        ),
    )?;

    let dir = tempfile::tempdir()?;
    let server = start(&config(
        &servers,
        dir.path(),
        &folder_name,
        &servers.smtp_addr,
    )?)?;
    let token = server.token.clone().ok_or("no API token printed")?;

    // Both messages are taken in: one ticket (the second threads into it), one acknowledgement.
    let ack = wait_for("the acknowledgement", Duration::from_secs(60), || {
        received(&servers, &tag).into_iter().next()
    })?;
    assert!(ack.contains("Auto-Submitted: auto-replied"), "{ack}");
    assert!(
        ack.contains(&format!("In-Reply-To: <{tag}.1@tienda.es>")),
        "{ack}"
    );
    wait_for(
        "both messages flagged seen",
        Duration::from_secs(30),
        || {
            let seen = std::fs::read_dir(folder.join("cur"))
                .ok()?
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().contains(":2,S"))
                .count();
            (seen == 2).then_some(())
        },
    )?;
    assert_eq!(
        ticket_count(&server, &token),
        1,
        "the reply joined its ticket"
    );

    // Mail arriving while Soporte waits (IDLE) is taken in too.
    deliver(
        &folder,
        "3",
        &request(
            &format!("otra.{customer}"),
            &format!("{tag}.3@tienda.es"),
            "Factura duplicada",
            "",
            "Me habéis cobrado dos veces.",
        ),
    )?;
    wait_for(
        "the second acknowledgement",
        Duration::from_secs(30),
        || {
            received(&servers, &tag)
                .into_iter()
                .find(|m| m.contains(&format!("In-Reply-To: <{tag}.3@tienda.es>")))
        },
    )?;
    assert_eq!(ticket_count(&server, &token), 2);

    // An agent's answer goes out through SMTP, threaded to the customer's last message.
    let (status, body) = http(
        &server.addr,
        "POST",
        "/api/v1/tickets/1/messages",
        &token,
        Some(r#"{"body":"Hola Luis, ¿nos envía una captura?"}"#),
    )?;
    assert_eq!(status, 201, "{body}");
    let reply = wait_for("the agent's reply", Duration::from_secs(30), || {
        received(&servers, &tag)
            .into_iter()
            .find(|m| !m.contains("Auto-Submitted"))
    })?;
    assert!(
        reply.contains(&format!("In-Reply-To: <{tag}.2@tienda.es>")),
        "{reply}"
    );
    assert!(reply.contains("Subject: [VND-000001] Re: "), "{reply}");
    assert!(
        reply.contains(&format!("References: <{tag}.1@tienda.es>")),
        "{reply}"
    );
    assert!(reply.contains("X-RcptTo: ") && reply.contains(&customer));
    Ok(())
}

#[test]
fn a_killed_server_loses_nothing_and_duplicates_nothing() -> TestResult {
    let Some(servers) = servers("mail server tests") else {
        return Ok(());
    };
    let tag = unique("lote");
    let folder_name = unique("Lote");
    let folder = imap_folder(&servers, &folder_name)?;
    const MESSAGES: usize = 150;
    for i in 0..MESSAGES {
        deliver(
            &folder,
            &format!("{i:03}"),
            &request(
                &format!("{tag}{i}@tienda.es"),
                &format!("{tag}.{i}@tienda.es"),
                &format!("Consulta {i}"),
                "",
                "¿Cómo cambio el logo?",
            ),
        )?;
    }
    let dir = tempfile::tempdir()?;
    let config = config(&servers, dir.path(), &folder_name, &servers.smtp_addr)?;
    let mut first = start(&config)?;
    let token = first.token.clone().ok_or("no API token printed")?;
    // Kill it hard while it is taking the batch in.
    wait_for("the first tickets", Duration::from_secs(60), || {
        (ticket_count(&first, &token) > 0).then_some(())
    })?;
    first.child.kill()?;
    first.child.wait()?;

    let second = start(&config)?;
    wait_for("every message", Duration::from_secs(90), || {
        (ticket_count(&second, &token) >= MESSAGES).then_some(())
    })?;
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        ticket_count(&second, &token),
        MESSAGES,
        "each message exactly once"
    );
    wait_for("all flagged seen", Duration::from_secs(30), || {
        let seen = std::fs::read_dir(folder.join("cur"))
            .ok()?
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(":2,S"))
            .count();
        (seen == MESSAGES).then_some(())
    })?;
    Ok(())
}

#[test]
fn mail_waits_while_smtp_is_down_and_goes_once_it_is_up() -> TestResult {
    let Some(servers) = servers("mail server tests") else {
        return Ok(());
    };
    let tag = unique("espera");
    let folder_name = unique("Espera");
    imap_folder(&servers, &folder_name)?;
    // A port nothing listens on, yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let smtp_addr = format!("127.0.0.1:{port}");
    let dir = tempfile::tempdir()?;
    let server = start(&config(&servers, dir.path(), &folder_name, &smtp_addr)?)?;
    let token = server.token.clone().ok_or("no API token printed")?;
    for i in 0..3 {
        let body = format!(
            r#"{{"subject":"Consulta {i}","body":"Hola","requester_email":"{tag}{i}@tienda.es"}}"#
        );
        let (status, text) = http(&server.addr, "POST", "/api/v1/tickets", &token, Some(&body))?;
        assert_eq!(status, 201, "{text}");
        http(
            &server.addr,
            "POST",
            &format!("/api/v1/tickets/{}/messages", i + 1),
            &token,
            Some(r#"{"body":"Respuesta"}"#),
        )?;
    }
    std::thread::sleep(Duration::from_secs(3));
    let (_, pending) = http(
        &server.addr,
        "GET",
        "/api/v1/admin/outbox?status=pending",
        &token,
        None,
    )?;
    assert!(
        pending.contains("\"attempts\":1") || pending.contains("\"attempts\":2"),
        "failed attempts are recorded: {pending}"
    );

    let sink_dir = dir.path().join("sink");
    let mut sink = Command::new("/usr/bin/python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &smtp_addr,
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&sink_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let count = || {
        std::fs::read_dir(sink_dir.join("new"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    // Three acknowledgements of the new tickets and three replies.
    let delivered = wait_for("the six e-mails", Duration::from_secs(60), || {
        (count() >= 6).then_some(())
    });
    std::thread::sleep(Duration::from_secs(3));
    let total = count();
    let _ = sink.kill();
    let _ = sink.wait();
    delivered?;
    assert_eq!(total, 6, "each e-mail delivered exactly once");
    let (_, sent) = http(
        &server.addr,
        "GET",
        "/api/v1/admin/outbox?status=sent",
        &token,
        None,
    )?;
    assert_eq!(sent.matches("\"status\":\"sent\"").count(), 6, "{sent}");
    Ok(())
}

#[test]
fn imaps_with_a_private_ca_turns_mail_into_tickets() -> TestResult {
    let Some((servers, tls)) = tls_servers() else {
        return Ok(());
    };
    let tag = unique("imaps");
    let folder_name = unique("Imaps");
    let folder = imap_folder(&servers, &folder_name)?;
    deliver(
        &folder,
        "1",
        &request(
            &format!("{tag}@tienda.es"),
            &format!("{tag}.1@tienda.es"),
            "No llegan los pedidos",
            "",
            "Desde ayer no veo pedidos nuevos.",
        ),
    )?;
    let dir = tempfile::tempdir()?;
    let imaps = on_localhost(&tls.imaps_addr);
    let config = write_config(
        &servers,
        dir.path(),
        &SmtpTo {
            addr: &servers.smtp_addr,
            security: "plain",
            login: None,
            ca_file: None,
        },
        Some(&ImapFrom {
            addr: &imaps,
            security: "tls",
            folder: &folder_name,
            ca_file: Some(&tls.ca),
        }),
    )?;
    let server = start(&config)?;
    let token = server.token.clone().ok_or("no API token printed")?;
    wait_for("the ticket", Duration::from_secs(30), || {
        (ticket_count(&server, &token) == 1).then_some(())
    })?;
    wait_for("the message flagged seen", Duration::from_secs(30), || {
        std::fs::read_dir(folder.join("cur"))
            .ok()?
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(":2,S"))
            .then_some(())
    })?;
    Ok(())
}

#[test]
fn starttls_both_ways_with_smtp_auth_delivers_acknowledgement_and_reply() -> TestResult {
    let Some((servers, tls)) = tls_servers() else {
        return Ok(());
    };
    let tag = unique("starttls");
    let folder_name = unique("Starttls");
    let folder = imap_folder(&servers, &folder_name)?;
    let customer = format!("{tag}@tienda.es");
    deliver(
        &folder,
        "1",
        &request(
            &customer,
            &format!("{tag}.1@tienda.es"),
            "Error al pagar",
            "",
            "El pago con tarjeta da error.",
        ),
    )?;
    let dir = tempfile::tempdir()?;
    let submission = on_localhost(&tls.smtp_auth_addr);
    let config = write_config(
        &servers,
        dir.path(),
        &SmtpTo {
            addr: &submission,
            security: "starttls",
            login: Some((&tls.smtp_auth_user, &tls.smtp_auth_password)),
            ca_file: Some(&tls.ca),
        },
        // 127.0.0.1: the certificate's IP address entry is what gets checked here.
        Some(&ImapFrom {
            addr: &servers.imap_addr,
            security: "starttls",
            folder: &folder_name,
            ca_file: Some(&tls.ca),
        }),
    )?;
    let server = start(&config)?;
    let token = server.token.clone().ok_or("no API token printed")?;

    let ack = wait_for("the acknowledgement", Duration::from_secs(30), || {
        received_in(&tls.smtp_auth_maildir, &tag).into_iter().next()
    })?;
    assert_eq!(header(&ack, "X-Transport"), Some("starttls"), "{ack}");
    assert_eq!(
        header(&ack, "X-Authenticated-As"),
        Some(tls.smtp_auth_user.as_str()),
        "{ack}"
    );
    assert!(
        ack.contains(&format!("In-Reply-To: <{tag}.1@tienda.es>")),
        "{ack}"
    );

    let (status, body) = http(
        &server.addr,
        "POST",
        "/api/v1/tickets/1/messages",
        &token,
        Some(r#"{"body":"¿Con qué tarjeta lo intenta?"}"#),
    )?;
    assert_eq!(status, 201, "{body}");
    let reply = wait_for("the agent's reply", Duration::from_secs(30), || {
        received_in(&tls.smtp_auth_maildir, &tag)
            .into_iter()
            .find(|m| !m.contains("Auto-Submitted"))
    })?;
    assert_eq!(header(&reply, "X-Transport"), Some("starttls"), "{reply}");
    assert!(reply.contains("Subject: [VND-000001] Re: "), "{reply}");
    Ok(())
}

#[test]
fn a_wrong_smtp_password_keeps_mail_waiting_with_the_reason() -> TestResult {
    let Some((servers, tls)) = tls_servers() else {
        return Ok(());
    };
    let tag = unique("clave");
    let dir = tempfile::tempdir()?;
    let submission = on_localhost(&tls.smtp_auth_addr);
    let config = write_config(
        &servers,
        dir.path(),
        &SmtpTo {
            addr: &submission,
            security: "starttls",
            login: Some((&tls.smtp_auth_user, "not-the-password")),
            ca_file: Some(&tls.ca),
        },
        None,
    )?;
    let server = start(&config)?;
    let token = server.token.clone().ok_or("no API token printed")?;
    open_ticket(&server, &token, &format!("{tag}@tienda.es"))?;

    // A refused login is the relay's configuration, not the message's fault: it is retried
    // (and would go once the password is fixed) instead of failing the message for good.
    let row = wait_for("a second failed attempt", Duration::from_secs(20), || {
        outbox(&server, &token, "pending", &tag)
            .into_iter()
            .find(|row| row["attempts"].as_i64().unwrap_or(0) >= 2)
    })?;
    let error = row["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("535"), "the refusal is shown: {row}");
    assert!(outbox(&server, &token, "dead", &tag).is_empty());
    assert!(outbox(&server, &token, "sent", &tag).is_empty());
    assert!(received_in(&tls.smtp_auth_maildir, &tag).is_empty());
    Ok(())
}

#[test]
fn without_the_private_ca_the_servers_certificate_is_refused() -> TestResult {
    let Some((servers, tls)) = tls_servers() else {
        return Ok(());
    };
    let tag = unique("sinca");
    let folder_name = unique("SinCa");
    let folder = imap_folder(&servers, &folder_name)?;
    deliver(
        &folder,
        "1",
        &request(
            &format!("{tag}.imap@tienda.es"),
            &format!("{tag}.1@tienda.es"),
            "Consulta",
            "",
            "Hola",
        ),
    )?;
    let dir = tempfile::tempdir()?;
    let submission = on_localhost(&tls.smtp_auth_addr);
    let imaps = on_localhost(&tls.imaps_addr);
    let config = write_config(
        &servers,
        dir.path(),
        &SmtpTo {
            addr: &submission,
            security: "starttls",
            login: Some((&tls.smtp_auth_user, &tls.smtp_auth_password)),
            ca_file: None,
        },
        Some(&ImapFrom {
            addr: &imaps,
            security: "tls",
            folder: &folder_name,
            ca_file: None,
        }),
    )?;
    let log = dir.path().join("soporte.log");
    let server = start_with_log(&config, std::fs::File::create(&log)?)?;
    let token = server.token.clone().ok_or("no API token printed")?;
    open_ticket(&server, &token, &format!("{tag}@tienda.es"))?;

    let row = wait_for("a failed delivery", Duration::from_secs(20), || {
        outbox(&server, &token, "pending", &tag)
            .into_iter()
            .find(|row| row["attempts"].as_i64().unwrap_or(0) >= 1)
    })?;
    let error = row["last_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("UnknownIssuer") && error.contains("ca_file"),
        "SMTP refuses the unknown CA and says what to do: {row}"
    );
    let line = wait_for(
        "the mailbox's certificate error in the log",
        Duration::from_secs(20),
        || {
            std::fs::read_to_string(&log)
                .ok()?
                .lines()
                .find(|l| l.contains("mailbox connection lost"))
                .map(str::to_string)
        },
    )?;
    assert!(
        line.contains("UnknownIssuer") && line.contains("ca_file"),
        "IMAP refuses the unknown CA and says what to do: {line}"
    );
    assert!(received_in(&tls.smtp_auth_maildir, &tag).is_empty());
    assert_eq!(ticket_count(&server, &token), 1, "only the API's ticket");
    Ok(())
}

#[test]
fn smtps_with_auth_delivers() -> TestResult {
    let Some((servers, tls)) = tls_servers() else {
        return Ok(());
    };
    let tag = unique("smtps");
    let dir = tempfile::tempdir()?;
    let smtps = on_localhost(&tls.smtps_addr);
    let config = write_config(
        &servers,
        dir.path(),
        &SmtpTo {
            addr: &smtps,
            security: "tls",
            login: Some((&tls.smtp_auth_user, &tls.smtp_auth_password)),
            ca_file: Some(&tls.ca),
        },
        None,
    )?;
    let server = start(&config)?;
    let token = server.token.clone().ok_or("no API token printed")?;
    open_ticket(&server, &token, &format!("{tag}@tienda.es"))?;
    let ack = wait_for("the acknowledgement", Duration::from_secs(30), || {
        received_in(&tls.smtp_auth_maildir, &tag).into_iter().next()
    })?;
    assert_eq!(header(&ack, "X-Transport"), Some("smtps"), "{ack}");
    assert_eq!(
        header(&ack, "X-Authenticated-As"),
        Some(tls.smtp_auth_user.as_str()),
        "{ack}"
    );
    wait_for(
        "the outbox row marked sent",
        Duration::from_secs(10),
        || (!outbox(&server, &token, "sent", &tag).is_empty()).then_some(()),
    )?;
    Ok(())
}

/// A console request over plain HTTP: the status, the headers and the body.
fn console(
    addr: &str,
    method: &str,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> Result<(u16, String, String), Box<dyn std::error::Error>> {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let headers =
        format!("Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n");
    mail::exchange(addr, method, path, &headers, &body)
}

#[test]
fn a_mailbox_added_in_the_console_is_drained_and_stops_when_removed() -> TestResult {
    let Some(servers) = servers("mail server tests") else {
        return Ok(());
    };
    let tag = unique("consola");
    let folder_name = unique("Consola");
    let folder = imap_folder(&servers, &folder_name)?;
    let customer = format!("{tag}@tienda.es");
    deliver(
        &folder,
        "1",
        &request(
            &format!("Marta <{customer}>"),
            &format!("{tag}.1@tienda.es"),
            "No llegan los pedidos",
            "",
            "Desde ayer no llegan los avisos de pedidos.",
        ),
    )?;
    // No mailbox in the configuration file: it is added from the console.
    let dir = tempfile::tempdir()?;
    let file = write_config(
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
    let server = start(&file)?;
    let password = server.password.clone().ok_or("no password printed")?;
    let (status, head, _) = console(
        &server.addr,
        "POST",
        "/login",
        "",
        &[
            ("email", "admin@vendomia.com"),
            ("password", &password),
            ("next", "/inbox"),
        ],
    )?;
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .ok_or("no session cookie")?
        .to_string();
    let (_, _, page) = console(&server.addr, "GET", "/admin/mailboxes", &cookie, &[])?;
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no anti-forgery token")?
        .to_string();
    let (host, port) = servers.imap_addr.rsplit_once(':').ok_or("IMAP address")?;
    let (status, head, body) = console(
        &server.addr,
        "POST",
        "/admin/mailboxes",
        &cookie,
        &[
            ("_csrf", &csrf),
            ("original", ""),
            ("name", "ventas"),
            ("host", host),
            ("port", port),
            ("security", "plain"),
            ("username", &servers.imap_user),
            ("password", &servers.imap_password),
            ("folder", &folder_name),
            ("processed_folder", ""),
            ("poll_seconds", "10"),
        ],
    )?;
    assert_eq!(status, 303, "{head}\n{body}");

    let ack = wait_for("the acknowledgement", Duration::from_secs(60), || {
        received(&servers, &tag).into_iter().next()
    })?;
    assert!(
        ack.contains(&format!("In-Reply-To: <{tag}.1@tienda.es>")),
        "{ack}"
    );
    let (_, _, page) = console(&server.addr, "GET", "/admin/mailboxes", &cookie, &[])?;
    assert!(
        page.contains("Conectado"),
        "the console shows the mailbox works: {page}"
    );
    assert!(
        !page.contains(&servers.imap_password),
        "the password is never shown"
    );

    // Removed: mail arriving afterwards stays in the mailbox, unread.
    let (status, _, _) = console(
        &server.addr,
        "POST",
        "/admin/mailboxes/delete",
        &cookie,
        &[("_csrf", &csrf), ("original", "ventas")],
    )?;
    assert_eq!(status, 303);
    std::thread::sleep(Duration::from_secs(1));
    deliver(
        &folder,
        "2",
        &request(
            &customer,
            &format!("{tag}.2@tienda.es"),
            "Otra cosa",
            "",
            "Esto no debe entrar.",
        ),
    )?;
    std::thread::sleep(Duration::from_secs(4));
    let seen = std::fs::read_dir(folder.join("cur"))?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(":2,S"))
        .count();
    assert_eq!(seen, 1, "only the first message was taken");
    Ok(())
}
