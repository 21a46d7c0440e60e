//! `soporte account import FILE.csv`: every row is checked first; errors are reported by
//! line and nothing is imported unless the whole file is valid.

use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use soporte_app::email::{IMPORT_LANES_PER_CORE, IntakeOutcome, RawEmail};
use soporte_app::{AccountInput, App, AppError, validate_account};
use soporte_core::ids::AgentId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Columns; only `name` is required. Domains are separated by `;` or spaces.
const COLUMNS: [&str; 6] = [
    "name",
    "tax_id",
    "plan",
    "email_domains",
    "personal_agent_email",
    "backup_agent_email",
];
const MAX_REPORTED: usize = 20;

pub async fn import_accounts(app: &App, file: &Path) -> Result<()> {
    let shown = file.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_path(file)
        .with_context(|| format!("{shown}: cannot open"))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{shown}: cannot read the header line"))?
        .clone();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase();
        if !COLUMNS.contains(&h.as_str()) {
            bail!(
                "{shown}:1: unknown column {h:?}; expected some of: {}",
                COLUMNS.join(", ")
            );
        }
        index.insert(h, i);
    }
    if !index.contains_key("name") {
        bail!("{shown}:1: the header needs a `name` column");
    }
    let agents: HashMap<String, AgentId> = app
        .list_agents()
        .await?
        .into_iter()
        .map(|a| (a.email.clone(), a.id))
        .collect();

    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .with_context(|| format!("{shown}: not valid CSV"))?;
    let bar = ProgressBar::new(records.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("checking");
    let mut rows = Vec::with_capacity(records.len());
    let mut lines = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    let mut seen_domains: HashMap<String, u64> = HashMap::new();
    let mut seen_tax: HashMap<String, u64> = HashMap::new();
    for record in &records {
        bar.inc(1);
        let line = record.position().map_or(0, |p| p.line());
        let get = |col: &str| {
            index
                .get(col)
                .and_then(|i| record.get(*i))
                .map(str::to_string)
                .filter(|v| !v.is_empty())
        };
        let agent = |col: &str| -> Result<Option<AgentId>, String> {
            match get(col) {
                Some(email) => agents
                    .get(&email.to_lowercase())
                    .copied()
                    .map(Some)
                    .ok_or_else(|| format!("{col}: no agent with e-mail {email}")),
                None => Ok(None),
            }
        };
        let parsed = (|| -> Result<_, String> {
            let input = AccountInput {
                name: get("name").unwrap_or_default(),
                tax_id: get("tax_id"),
                plan: get("plan"),
                email_domains: get("email_domains")
                    .map(|d| {
                        d.split([';', ' ', ','])
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                personal_agent_id: agent("personal_agent_email")?,
                backup_agent_id: agent("backup_agent_email")?,
            };
            validate_account(&input).map_err(|e| e.to_string())
        })();
        match parsed {
            Ok(row) => {
                for d in &row.email_domains {
                    if let Some(first) = seen_domains.insert(d.clone(), line) {
                        errors.push(format!(
                            "{shown}:{line}: email_domains: {d} is also on line {first}"
                        ));
                    }
                }
                if let Some(t) = &row.tax_id
                    && let Some(first) = seen_tax.insert(t.clone(), line)
                {
                    errors.push(format!(
                        "{shown}:{line}: tax_id: {t} is also on line {first}"
                    ));
                }
                rows.push(row);
                lines.push(line);
            }
            Err(e) => errors.push(format!("{shown}:{line}: {e}")),
        }
    }
    bar.finish_and_clear();
    if !errors.is_empty() {
        for e in errors.iter().take(MAX_REPORTED) {
            eprintln!("{e}");
        }
        if errors.len() > MAX_REPORTED {
            eprintln!("… and {} more", errors.len() - MAX_REPORTED);
        }
        bail!("{shown}: {} bad row(s); nothing was imported", errors.len());
    }
    let spinner =
        ProgressBar::new_spinner().with_message(format!("importing {} accounts", rows.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = app.import_accounts(&rows).await;
    spinner.finish_and_clear();
    match result {
        Ok(ids) => {
            println!("imported {} accounts from {shown}", ids.len());
            Ok(())
        }
        Err(AppError::Conflict { field, message })
        | Err(AppError::Invalid(soporte_core::ValidationError { field, message })) => {
            // The store names the failing row as `[i].field`.
            let (row, field) = field
                .strip_prefix('[')
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(i, f)| i.parse::<usize>().ok().map(|i| (i, f.to_string())))
                .unwrap_or((usize::MAX, field));
            let line = lines
                .get(row)
                .map_or_else(|| "?".to_string(), u64::to_string);
            bail!("{shown}:{line}: {field}: {message}; nothing was imported")
        }
        Err(e) => Err(e.into()),
    }
}

/// `soporte import mail PATH`: one .eml file, a directory of .eml files, a Maildir (`cur/`
/// and `new/`) or an mbox file. Each message is taken in on its own; what is already there
/// is recognised, what cannot be read goes to quarantine.
pub async fn import_mail(app: &App, path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    if !path.exists() {
        bail!("{shown}: no such file or directory");
    }
    let sources = mail_sources(path).with_context(|| format!("{shown}: cannot read"))?;
    let bar = ProgressBar::new(sources.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("importing");
    let (mut created, mut duplicates, mut quarantined) = (0usize, 0usize, 0usize);
    let mut failed = Vec::new();
    let emails = sources
        .into_iter()
        .map(|source| match source {
            MailSource::File(file) => (file.display().to_string(), RawEmail::File(file)),
            MailSource::Mbox(label, raw) => (label, RawEmail::Bytes(raw)),
        })
        .collect();
    // Parsing and attachment writes of the next messages overlap the transactions of the
    // messages before; the messages of one thread are committed in file order.
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let lanes = cores * IMPORT_LANES_PER_CORE;
    app.import_emails(emails, lanes * 2, lanes, |_, label, outcome, _| {
        bar.inc(1);
        match outcome {
            Ok(IntakeOutcome::Created { .. }) => created += 1,
            Ok(IntakeOutcome::Duplicate { .. } | IntakeOutcome::AlreadyTaken) => duplicates += 1,
            Ok(IntakeOutcome::Quarantined { .. }) => quarantined += 1,
            Err(e) => failed.push(format!("{label}: {e}")),
        }
    })
    .await?;
    bar.finish_and_clear();
    for line in failed.iter().take(MAX_REPORTED) {
        eprintln!("{line}");
    }
    println!(
        "{shown}: {created} messages taken in, {duplicates} already there, {quarantined} quarantined"
    );
    if !failed.is_empty() {
        bail!(
            "{shown}: {} message(s) could not be taken in; importing again takes in only those",
            failed.len()
        );
    }
    Ok(())
}

enum MailSource {
    File(PathBuf),
    Mbox(String, Vec<u8>),
}

fn mail_sources(path: &Path) -> Result<Vec<MailSource>> {
    if path.is_file() {
        let head = {
            let mut buf = [0u8; 5];
            let mut f = std::fs::File::open(path)?;
            let n = std::io::Read::read(&mut f, &mut buf)?;
            buf[..n].to_vec()
        };
        if head.starts_with(b"From ") {
            let file = std::fs::File::open(path)?;
            let shown = path.display().to_string();
            return mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(file))
                .enumerate()
                .map(|(i, m)| {
                    m.map(|m| MailSource::Mbox(format!("{shown}#{}", i + 1), m.unwrap_contents()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| anyhow::anyhow!("{shown}: not a valid mbox file"));
        }
        return Ok(vec![MailSource::File(path.to_path_buf())]);
    }
    // A Maildir keeps messages in cur/ and new/; a plain directory holds them itself.
    let mut dirs = vec![path.to_path_buf()];
    if path.join("cur").is_dir() || path.join("new").is_dir() {
        dirs = vec![path.join("cur"), path.join("new")];
    }
    let mut files = Vec::new();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && !name.starts_with('.') {
                files.push(entry.path());
            }
        }
    }
    // Oldest first, so replies come after the messages they answer.
    files.sort();
    Ok(files.into_iter().map(MailSource::File).collect())
}
