//! The mail servers `scripts/test.sh` starts (Dovecot and the plain SMTP receiver), and a
//! `serve` configured to take mail from the one and send through the other: what the mail
//! channel's tests and the console's browser test share. A test binary that uses these
//! declares this file as a module of its own next to `support` (with `#[path]`), so test
//! binaries without mail don't carry helpers they never call.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support;

/// Where the mail servers listen, and the Maildirs behind Dovecot and the SMTP receiver.
pub struct Servers {
    pub imap_addr: String,
    pub imap_user: String,
    pub imap_password: String,
    pub imap_maildir: PathBuf,
    pub smtp_addr: String,
    pub smtp_maildir: PathBuf,
}

/// The servers from `TEST_SOPORTE_*`; without them `what` is reported as skipped, or fails
/// under `CI=true`.
pub fn servers(what: &str) -> Option<Servers> {
    let var = |name: &str| std::env::var(name).ok();
    let found = (|| {
        Some(Servers {
            imap_addr: var("TEST_SOPORTE_IMAP_ADDR")?,
            imap_user: var("TEST_SOPORTE_IMAP_USER")?,
            imap_password: var("TEST_SOPORTE_IMAP_PASSWORD")?,
            imap_maildir: var("TEST_SOPORTE_IMAP_MAILDIR")?.into(),
            smtp_addr: var("TEST_SOPORTE_SMTP_ADDR")?,
            smtp_maildir: var("TEST_SOPORTE_SMTP_MAILDIR")?.into(),
        })
    })();
    if found.is_none() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but the IMAP/SMTP test servers are not configured (TEST_SOPORTE_IMAP_*, TEST_SOPORTE_SMTP_*): run scripts/test.sh"
        );
        eprintln!("SKIPPED: {what} (run scripts/test.sh to start Dovecot and the SMTP receiver)");
    }
    found
}

pub fn unique(tag: &str) -> String {
    format!(
        "{tag}{}x{}",
        std::process::id(),
        jiff::Timestamp::now().as_microsecond() % 1_000_000_000
    )
}

/// A Maildir++ folder of the test user's mailbox; Dovecot serves it as IMAP folder `name`.
pub fn imap_folder(servers: &Servers, name: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = servers.imap_maildir.join(format!(".{name}"));
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    // Dovecot runs as the mail user: it must be able to write here.
    let _ = Command::new("chown")
        .arg("-R")
        .arg("--reference")
        .arg(&servers.imap_maildir)
        .arg(&dir)
        .status();
    Ok(dir)
}

/// Delivers a message into a Maildir folder the way an MTA does (tmp, then rename).
pub fn deliver(folder: &Path, name: &str, raw: &str) -> std::io::Result<()> {
    let tmp = folder.join("tmp").join(name);
    std::fs::write(&tmp, raw)?;
    std::fs::rename(&tmp, folder.join("new").join(name))?;
    let _ = Command::new("chown")
        .arg("--reference")
        .arg(folder)
        .arg(folder.join("new").join(name))
        .status();
    Ok(())
}

pub fn request(from: &str, id: &str, subject: &str, headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: soporte@vendomia.com\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
Date: Tue, 3 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n{headers}\r\n{body}\r\n"
    )
}

/// Messages the plain SMTP receiver got for recipients carrying `tag`.
pub fn received(servers: &Servers, tag: &str) -> Vec<String> {
    received_in(&servers.smtp_maildir, tag)
}

/// Messages an SMTP receiver delivering to `maildir` got for recipients carrying `tag`.
pub fn received_in(maildir: &Path, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                let to_line = text
                    .lines()
                    .find(|l| l.starts_with("X-RcptTo:"))
                    .unwrap_or_default();
                if to_line.contains(tag) {
                    out.push(text);
                }
            }
        }
    }
    out
}

/// A running `serve`, stopped when the test ends however it ends.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
    pub token: Option<String>,
    /// The first administrator's password, printed on the first start.
    pub password: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the configuration under test reaches the SMTP relay.
pub struct SmtpTo<'a> {
    pub addr: &'a str,
    pub security: &'a str,
    pub login: Option<(&'a str, &'a str)>,
    pub ca_file: Option<&'a Path>,
}

/// How the configuration under test reaches the IMAP server.
pub struct ImapFrom<'a> {
    pub addr: &'a str,
    pub security: &'a str,
    pub folder: &'a str,
    pub ca_file: Option<&'a Path>,
}

pub fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn write_config(
    servers: &Servers,
    dir: &Path,
    smtp: &SmtpTo,
    imap: Option<&ImapFrom>,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let (smtp_host, smtp_port) = smtp.addr.rsplit_once(':').ok_or("SMTP address")?;
    let mut toml = format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = {data}\n\n[email]\nretry_base_seconds = 1\n\n\
[smtp]\nhost = {host}\nport = {smtp_port}\nsecurity = {security}\n",
        data = toml_str(&dir.join("data").to_string_lossy()),
        host = toml_str(smtp_host),
        security = toml_str(smtp.security),
    );
    if let Some((user, password)) = smtp.login {
        toml += &format!(
            "username = {}\npassword = {}\n",
            toml_str(user),
            toml_str(password)
        );
    }
    if let Some(ca) = smtp.ca_file {
        toml += &format!("ca_file = {}\n", toml_str(&ca.to_string_lossy()));
    }
    if let Some(imap) = imap {
        let (imap_host, imap_port) = imap.addr.rsplit_once(':').ok_or("IMAP address")?;
        toml += &format!(
            "\n[[mailboxes]]\nname = \"soporte\"\nhost = {host}\nport = {imap_port}\nsecurity = {security}\n\
username = {user}\npassword = {password}\nfolder = {folder}\npoll_seconds = 5\n",
            host = toml_str(imap_host),
            security = toml_str(imap.security),
            user = toml_str(&servers.imap_user),
            password = toml_str(&servers.imap_password),
            folder = toml_str(imap.folder),
        );
        if let Some(ca) = imap.ca_file {
            toml += &format!("ca_file = {}\n", toml_str(&ca.to_string_lossy()));
        }
    }
    let file = dir.join("soporte.toml");
    std::fs::write(&file, toml)?;
    Ok(file)
}

/// Plain IMAP from `folder`, plain SMTP to `smtp_addr`.
pub fn config(
    servers: &Servers,
    dir: &Path,
    folder: &str,
    smtp_addr: &str,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    write_config(
        servers,
        dir,
        &SmtpTo {
            addr: smtp_addr,
            security: "plain",
            login: None,
            ca_file: None,
        },
        Some(&ImapFrom {
            addr: &servers.imap_addr,
            security: "plain",
            folder,
            ca_file: None,
        }),
    )
}

/// Like `start`, with the server's log going to `log`.
pub fn start_with_log(
    config: &Path,
    log: impl Into<Stdio>,
) -> Result<Server, Box<dyn std::error::Error>> {
    server(support::start_with_log(
        support::soporte_command()
            // The log is read from a file, where colour codes only get in the way.
            .env("NO_COLOR", "1")
            .arg("--config")
            .arg(config)
            .arg("serve"),
        log,
    )?)
}

/// `started`, stopped when the test ends however it ends.
pub fn server(started: support::Started) -> Result<Server, Box<dyn std::error::Error>> {
    let token = started.token();
    let password = started.printed.iter().find_map(|l| {
        l.trim()
            .strip_prefix("password:")
            .map(|p| p.trim().to_string())
    });
    Ok(Server {
        child: started.child,
        addr: started.addr,
        token,
        password,
    })
}

pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> Result<(u16, String), Box<dyn std::error::Error>> {
    let headers = format!("Authorization: Bearer {token}\r\nContent-Type: application/json\r\n");
    let (status, _, body) = exchange(addr, method, path, &headers, body.unwrap_or(""))?;
    Ok((status, body))
}

/// One HTTP/1.1 request with `headers` (each line ending in CRLF) and `body`: the status,
/// the response's head and its body.
pub fn exchange(
    addr: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> Result<(u16, String, String), Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or((response.as_str(), ""));
    Ok((status, head.to_string(), body.to_string()))
}

/// Ticket numbers the API lists (at most 200, enough for these tests).
pub fn ticket_count(server: &Server, token: &str) -> usize {
    http(
        &server.addr,
        "GET",
        "/api/v1/tickets?limit=200",
        token,
        None,
    )
    .map(|(_, body)| body.matches("\"number\":").count())
    .unwrap_or(0)
}
