//! The `soporte` command as an operator uses it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

mod support;

/// `soporte` with its data in `dir` and no configuration leaking in from the caller.
fn soporte(dir: &Path) -> Command {
    let mut cmd = support::soporte_command();
    cmd.current_dir(dir)
        .env("SOPORTE_DATA_DIR", dir.join("data"))
        .env("SOPORTE_LISTEN", "127.0.0.1:0");
    cmd
}

fn run(cmd: &mut Command) -> Result<Output, Box<dyn std::error::Error>> {
    Ok(cmd.stdin(Stdio::null()).output()?)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn http_get(
    addr: &str,
    path: &str,
    token: Option<&str>,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[test]
fn first_start_prints_credentials_once_and_serves() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut server = support::start(soporte(dir.path()).arg("serve"))?;
    let (printed, addr) = (&server.printed, &server.addr);
    let token = server
        .token()
        .ok_or_else(|| format!("no API token in {printed:?}"))?;
    assert!(
        printed
            .iter()
            .any(|l| l.trim() == "e-mail:    admin@vendomia.com"),
        "{printed:?}"
    );
    assert!(
        printed.iter().any(|l| l.trim().starts_with("password:  ")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("A new secrets key was created in")
                && l.contains("apart from the database backups")),
        "{printed:?}"
    );
    assert!(dir.path().join("data/secrets.key").is_file());
    let health = http_get(addr, "/healthz", None)?;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let tickets = http_get(addr, "/api/v1/tickets", Some(&token))?;
    assert!(tickets.starts_with("HTTP/1.1 200"), "{tickets}");
    assert!(http_get(addr, "/api/v1/tickets", None)?.starts_with("HTTP/1.1 401"));
    server.child.kill()?;
    server.child.wait()?;
    assert!(
        dir.path().join("data/soporte.db").is_file(),
        "SQLite lives in the data directory"
    );

    let mut again = support::start(soporte(dir.path()).arg("serve"))?;
    again.child.kill()?;
    again.child.wait()?;
    let printed = &again.printed;
    assert!(
        !printed
            .iter()
            .any(|l| l.contains("password") || l.contains("API token")),
        "credentials are shown only once: {printed:?}"
    );
    assert!(
        !printed.iter().any(|l| l.contains("secrets key")),
        "the key is created once: {printed:?}"
    );
    Ok(())
}

#[test]
fn configuration_errors_name_the_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = run(soporte(dir.path())
        .env("SOPORTE_LISTN", "127.0.0.1:9")
        .arg("migrate"))?;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("listn"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    let file = dir.path().join("soporte.toml");
    std::fs::write(&file, "[company]\nticket_prefix = \"vnd\"\n")?;
    let out = run(soporte(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate"))?;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("company.ticket_prefix"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(&file, "[company]\nname = \"Vendomia\"\ncolour = \"red\"\n")?;
    let out = run(soporte(dir.path())
        .env("SOPORTE_CONFIG", &file)
        .arg("migrate"))?;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("colour") && err.contains("soporte.toml"),
        "{err}"
    );

    let out = run(soporte(dir.path())
        .arg("--config")
        .arg(dir.path().join("missing.toml"))
        .arg("migrate"))?;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("missing.toml"));

    for (toml, key) in [
        (
            "[policy.calendar]\nmonday = [\"9-14\"]\n",
            "policy.calendar.monday[0]",
        ),
        (
            "[policy.calendar]\nholidays = [\"2026-13-01\"]\n",
            "policy.calendar.holidays[0]",
        ),
        (
            "[policy.sla.technical.urgent]\nfirst_response = \"2d\"\n",
            "policy.sla.technical.urgent.first_response",
        ),
        (
            "[policy.checklist.technical]\nerror = [\"selfie\"]\n",
            "policy.checklist.technical.error",
        ),
        ("[policy]\ntype_threshold = 1.5\n", "policy.type_threshold"),
        ("[policy]\nurgency = [\"ya\"]\n", "urgency"),
    ] {
        std::fs::write(&file, toml)?;
        let out = run(soporte(dir.path())
            .arg("--config")
            .arg(&file)
            .arg("migrate"))?;
        assert!(!out.status.success(), "{toml}");
        let err = text(&out.stderr);
        assert!(err.contains(key), "{toml}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }

    std::fs::write(
        &file,
        "listen = \"127.0.0.1:0\"\n[company]\nname = \"Tiendas Norte\"\nticket_prefix = \"TN\"\n\
         [policy.calendar]\nsaturday = [\"10:00-14:00\"]\n[policy.sla.usage.normal]\nfirst_response = \"2h\"\nresolution = \"1h30m\"\n",
    )?;
    let out = run(soporte(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate"))?;
    assert!(
        !out.status.success(),
        "resolution shorter than first response"
    );
    assert!(
        text(&out.stderr).contains("policy.sla.usage.normal.resolution"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        &file,
        "listen = \"127.0.0.1:0\"\n[company]\nname = \"Tiendas Norte\"\nticket_prefix = \"TN\"\n\
         [policy.calendar]\nsaturday = [\"10:00-14:00\"]\n",
    )?;
    let out = run(soporte(dir.path())
        .arg("--config")
        .arg(&file)
        .arg("migrate"))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Ok(())
}

#[test]
fn agents_and_tokens_are_managed_from_the_shell() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut add = soporte(dir.path())
        .args([
            "agent",
            "add",
            "--email",
            "Ana@Vendomia.com",
            "--name",
            "Ana García",
            "--admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    add.stdin
        .take()
        .ok_or("stdin")?
        .write_all(b"una clave muy larga\n")?;
    let out = add.wait_with_output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ana@vendomia.com"));

    let short = soporte(dir.path())
        .args([
            "agent",
            "add",
            "--email",
            "bea@vendomia.com",
            "--name",
            "Bea",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .map(|mut s| s.write_all(b"corta\n"))
                .transpose()?;
            c.wait_with_output()
        })?;
    assert!(!short.status.success());
    assert!(
        text(&short.stderr).contains("password"),
        "{}",
        text(&short.stderr)
    );

    let dup = run(soporte(dir.path()).args([
        "agent",
        "add",
        "--email",
        "ana@vendomia.com",
        "--name",
        "Otra",
    ]))?;
    assert!(!dup.status.success());
    assert!(text(&dup.stderr).contains("email"), "{}", text(&dup.stderr));

    let list = run(soporte(dir.path()).args(["agent", "list"]))?;
    assert!(text(&list.stdout).contains("ana@vendomia.com"));
    let reset = run(soporte(dir.path()).args([
        "agent",
        "reset-two-factor",
        "--email",
        "ana@vendomia.com",
    ]))?;
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(
        text(&reset.stdout).contains("had no two-step sign-in"),
        "{}",
        text(&reset.stdout)
    );

    let created = run(soporte(dir.path()).args([
        "token",
        "create",
        "--agent",
        "ana@vendomia.com",
        "--scope",
        "admin",
    ]))?;
    assert!(created.status.success(), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    let token = stdout.trim().lines().last().unwrap_or_default();
    assert!(
        token.starts_with("sop_") && token.len() > 40,
        "token must be the last line: {stdout}"
    );

    let listed = run(soporte(dir.path()).args(["token", "list"]))?;
    assert!(
        !text(&listed.stdout).contains(token),
        "secrets are never listed"
    );
    let revoked = run(soporte(dir.path()).args(["token", "revoke", "1"]))?;
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let again = run(soporte(dir.path()).args(["token", "revoke", "1"]))?;
    assert!(!again.status.success());

    let nobody =
        run(soporte(dir.path()).args(["token", "create", "--agent", "nadie@vendomia.com"]))?;
    assert!(!nobody.status.success());
    assert!(text(&nobody.stderr).contains("nadie@vendomia.com"));
    Ok(())
}

#[test]
fn account_import_is_checked_whole_before_writing() -> TestResult {
    let dir = tempfile::tempdir()?;
    run(soporte(dir.path()).args([
        "agent",
        "add",
        "--email",
        "ana@vendomia.com",
        "--name",
        "Ana",
    ]))?;
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,tax_id,plan,email_domains,personal_agent_email\n\
         Tienda Uno,B12345674,Pro,uno.es,ana@vendomia.com\n\
         Tienda Dos,B12345670,Pro,dos.es,ana@vendomia.com\n\
         Tienda Tres,,Basic,uno.es,nadie@vendomia.com\n",
    )?;
    let out = run(soporte(dir.path()).args(["account", "import"]).arg(&bad))?;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("bad.csv:3: tax_id"), "{err}");
    assert!(err.contains("bad.csv:4: personal_agent_email"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "name,tax_id,plan,email_domains,personal_agent_email\n\
         Tienda Uno,B12345674,Pro,uno.es;uno.com,ana@vendomia.com\n\
         \"Tienda Dos, S.L.\",,Basic,dos.es,\n",
    )?;
    let out = run(soporte(dir.path()).args(["account", "import"]).arg(&good))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 2 accounts"));

    // Importing the same file again clashes on the first row and imports nothing.
    let out = run(soporte(dir.path()).args(["account", "import"]).arg(&good))?;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("good.csv:2:"),
        "{}",
        text(&out.stderr)
    );

    let unknown = dir.path().join("unknown.csv");
    std::fs::write(&unknown, "name,colour\nX,red\n")?;
    let out = run(soporte(dir.path())
        .args(["account", "import"])
        .arg(&unknown))?;
    assert!(
        text(&out.stderr).contains("unknown.csv:1: unknown column \"colour\""),
        "{}",
        text(&out.stderr)
    );
    Ok(())
}

#[test]
fn backup_copies_database_into_a_new_directory() -> TestResult {
    let dir = tempfile::tempdir()?;
    run(soporte(dir.path()).args([
        "account",
        "add",
        "--name",
        "Tienda",
        "--domain",
        "tienda.es",
    ]))?;
    let dest = dir.path().join("copia");
    let out = run(soporte(dir.path()).arg("backup").arg(&dest))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dest.join("soporte.db").metadata()?.len() > 0);
    let again = run(soporte(dir.path()).arg("backup").arg(&dest))?;
    assert!(!again.status.success(), "a backup never overwrites");
    let version = run(soporte(dir.path()).arg("version"))?;
    assert!(text(&version.stdout).starts_with("soporte "));
    Ok(())
}

#[test]
fn mail_is_imported_from_files_maildirs_and_mboxes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let message = |id: &str, subject: &str| {
        format!(
            "From: Luis <luis@tienda.es>\r\nTo: soporte@vendomia.com\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\r\nHola\r\n"
        )
    };
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub))?;
    }
    std::fs::write(maildir.join("cur/1.eml"), message("m1@tienda.es", "Uno"))?;
    std::fs::write(maildir.join("new/2.eml"), message("m2@tienda.es", "Dos"))?;
    // SOPORTE_LOG filters the log; it is not a configuration key.
    let out = run(soporte(dir.path())
        .env("SOPORTE_LOG", "debug")
        .args(["import", "mail"])
        .arg(&maildir))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 messages taken in, 0 already there, 0 quarantined"),
        "{}",
        text(&out.stdout)
    );

    let mbox = dir.path().join("archivo.mbox");
    let mut content = String::new();
    for (id, subject) in [("m2@tienda.es", "Dos"), ("m3@tienda.es", "Tres")] {
        content.push_str("From luis@tienda.es Tue Nov  3 10:15:00 2026\n");
        content.push_str(&message(id, subject).replace("\r\n", "\n"));
        content.push('\n');
    }
    std::fs::write(&mbox, content)?;
    let out = run(soporte(dir.path()).args(["import", "mail"]).arg(&mbox))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 messages taken in, 1 already there, 0 quarantined"),
        "{}",
        text(&out.stdout)
    );

    let broken = dir.path().join("roto.eml");
    std::fs::write(&broken, "")?;
    let out = run(soporte(dir.path()).args(["import", "mail"]).arg(&broken))?;
    assert!(
        text(&out.stdout).contains("0 messages taken in, 0 already there, 1 quarantined"),
        "{}",
        text(&out.stdout)
    );
    let missing = run(soporte(dir.path())
        .args(["import", "mail"])
        .arg(dir.path().join("nada")))?;
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("nada"),
        "{}",
        text(&missing.stderr)
    );
    Ok(())
}

#[test]
fn the_classifier_is_trained_from_the_shell() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = run(soporte(dir.path()).args(["classifier", "train"]))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("classifier model 1 trained on"), "{said}");
    let accuracy = said
        .lines()
        .find_map(|l| l.strip_prefix("held-back accuracy: type "))
        .and_then(|rest| rest.split('%').next())
        .and_then(|n| n.parse::<f64>().ok())
        .ok_or(format!("no accuracy in {said}"))?;
    assert!(accuracy >= 90.0, "{said}");
    Ok(())
}
