//! Command-line interface. Everything prints plain lines so it can be scripted; secrets
//! that are shown once (tokens) are printed as the last line.

use crate::config::{Config, LogFormat};
use crate::{import, serve};
use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use soporte_app::{AccountInput, AgentInput, App, AppSettings, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ids::TokenId;
use soporte_core::ticket::TicketPrefix;
use soporte_store::{Backend, DiskBlobStore, TieredBlobStore};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "soporte",
    version,
    about = "Soporte helpdesk: complete, correctly routed support tickets."
)]
pub struct Cli {
    /// TOML configuration file (default: $SOPORTE_CONFIG, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Manage support agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Manage customer accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Take in e-mail from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Copy the database and every attachment into DEST (a new directory).
    Backup { dest: PathBuf },
    /// The support-type classifier.
    #[command(subcommand)]
    Classifier(ClassifierCommand),
    /// Print the version.
    Version,
}

#[derive(Debug, Subcommand)]
enum ClassifierCommand {
    /// Retrain on the shipped examples plus agents' corrections, report the accuracy on
    /// the held-back fifth, and put the new model in use (running servers pick it up on
    /// their next scheduled check).
    Train,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A .eml file, a directory of them, a Maildir or an mbox file.
    Mail { path: PathBuf },
}

#[derive(Debug, Subcommand)]
enum AgentCommand {
    /// Add an agent.
    Add(AgentAdd),
    /// List agents.
    List,
    /// Give an agent their WhatsApp business number: the number as customers write to it
    /// and Meta's id of it. Empty values take them away.
    SetWhatsapp {
        /// E-mail of the agent.
        #[arg(long)]
        email: String,
        /// The number in international form (+34…).
        #[arg(long)]
        whatsapp: String,
        /// Meta's id of the number (WhatsApp Manager → the number's settings).
        #[arg(long)]
        phone_number_id: String,
    },
    /// Turn off an agent's two-step sign-in (lost phone and recovery codes); if
    /// administrators require it, the agent sets it up again at the next login.
    ResetTwoFactor {
        /// E-mail of the agent.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
struct AgentAdd {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Make the agent an administrator.
    #[arg(long)]
    admin: bool,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    whatsapp: Option<String>,
    /// Meta's id of the agent's WhatsApp business number.
    #[arg(long)]
    whatsapp_phone_number_id: Option<String>,
    /// Read the console password from standard input (first line).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Add one account.
    Add(AccountAdd),
    /// Import accounts from a CSV file: all rows or none.
    Import { file: PathBuf },
}

#[derive(Debug, Args)]
struct AccountAdd {
    #[arg(long)]
    name: String,
    #[arg(long)]
    tax_id: Option<String>,
    #[arg(long)]
    plan: Option<String>,
    /// An e-mail domain of the customer (repeatable).
    #[arg(long = "domain")]
    domains: Vec<String>,
    /// E-mail of the personal agent.
    #[arg(long)]
    personal_agent: Option<String>,
    /// E-mail of the backup agent.
    #[arg(long)]
    backup_agent: Option<String>,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, as the last line.
    Create(TokenCreate),
    /// Revoke a token by id.
    Revoke { id: i64 },
    /// List tokens (never their secret).
    List,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false, id = "owner")]
struct TokenOwnerArgs {
    /// E-mail of the agent who owns the token.
    #[arg(long, group = "owner")]
    agent: Option<String>,
    /// E-mail of a customer contact (a contact token sees the contact's own tickets, or all
    /// of the account's when the contact is its manager).
    #[arg(long, group = "owner")]
    contact: Option<String>,
}

#[derive(Debug, Args)]
struct TokenCreate {
    #[command(flatten)]
    owner: TokenOwnerArgs,
    /// admin or agent for agents (default: admin for admins, else agent).
    #[arg(long, value_parser = ["admin", "agent", "contact"])]
    scope: Option<String>,
    #[arg(long, default_value = "")]
    label: String,
}

pub struct Context {
    pub config: Config,
    pub app: App,
}

/// Whether a command may create the default secrets key file when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFile {
    /// `serve`: the first start creates it.
    Create,
    /// Every other command: reads it when there.
    ReadOnly,
}

/// Opens the configured database (migrating it) and builds the use cases.
pub async fn open(config: Config, key_file: KeyFile) -> Result<Context> {
    let secrets = config.load_secrets_key(key_file == KeyFile::Create)?;
    if let Some(path) = secrets.as_ref().and_then(|k| k.created.as_ref()) {
        println!(
            "A new secrets key was created in {}. Back it up now, and keep it apart from the database backups: without it, the mailbox credentials and two-factor secrets kept in the database cannot be read.",
            path.display()
        );
    }
    let url = config.database_url();
    let store = soporte_store::open(&url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&url)))?;
    let disk = DiskBlobStore::new(config.blob_dir())
        .with_context(|| format!("cannot create {}", config.blob_dir().display()))?;
    let blobs = TieredBlobStore::new(Arc::clone(&store), disk);
    let mut settings = AppSettings::new(
        TicketPrefix::parse(&config.company.ticket_prefix)?,
        &config.company.name,
        &config.company.support_email,
    );
    settings.public_url = config.public_url();
    let email = &mut settings.email;
    if !config.email.from_name.trim().is_empty() {
        email.from_name = config.email.from_name.trim().to_string();
    }
    email.auto_answers_per_hour = config.email.auto_answers_per_hour;
    email.max_message_bytes = config.email.max_message_bytes;
    email.retry_base = jiff::SignedDuration::from_secs(
        i64::try_from(config.email.retry_base_seconds).unwrap_or(3600),
    );
    email
        .own_addresses
        .extend(config.email.own_addresses.iter().map(|a| a.to_lowercase()));
    email.templates = config.email_templates()?;
    if config.email.language == "en" {
        email.language = soporte_app::email::Language::English;
    }
    settings.policy = Arc::new(config.support_policy()?);
    settings.file_mailboxes = config
        .mailboxes
        .iter()
        .map(crate::workers::mailbox_summary)
        .collect();
    if let Some(whatsapp) = &config.whatsapp {
        settings.whatsapp = Some(whatsapp.channel()?.settings);
    }
    settings.portal = config.portal.settings(&config.company)?;
    if let Some(phone) = &config.phone {
        settings.phone = Some(phone.settings()?);
    }
    let mut app = App::new(store, Arc::new(blobs), settings)
        .with_mail(Arc::new(soporte_mail::MimeCodec))
        .with_whatsapp(Arc::new(soporte_whatsapp::CloudApiCodec));
    if let Some(secrets) = secrets {
        app = app.with_secrets(secrets.key);
    }
    let applied = app.migrate().await.context("database migration failed")?;
    for m in applied {
        tracing::info!(version = m.version, name = %m.name, "migration applied");
    }
    if app
        .reload_settings()
        .await
        .context("cannot read the settings saved from the console")?
    {
        tracing::info!(
            "settings saved from the console are in force over the configuration file's"
        );
    }
    if let Some(model) = app
        .load_classifier()
        .await
        .context("cannot load the stored classifier model")?
    {
        tracing::info!(model, "classifier model loaded");
    }
    Ok(Context { config, app })
}

/// Hides the password in a database URL before it reaches a log or a terminal.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SOPORTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub async fn run(cli: Cli) -> Result<()> {
    if matches!(cli.command, Command::Version) {
        println!("soporte {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref())?;
    init_logging(config.log_format);
    match cli.command {
        Command::Version => Ok(()),
        Command::Serve => serve::serve(open(config, KeyFile::Create).await?).await,
        Command::Migrate => {
            let ctx = open(config, KeyFile::ReadOnly).await?;
            println!(
                "database {} is up to date",
                redact(&ctx.config.database_url())
            );
            Ok(())
        }
        Command::Agent(AgentCommand::Add(args)) => {
            agent_add(&open(config, KeyFile::ReadOnly).await?.app, args).await
        }
        Command::Agent(AgentCommand::List) => {
            agent_list(&open(config, KeyFile::ReadOnly).await?.app).await
        }
        Command::Agent(AgentCommand::SetWhatsapp {
            email,
            whatsapp,
            phone_number_id,
        }) => {
            let app = open(config, KeyFile::ReadOnly).await?.app;
            let agent = app.agent_by_email(&email).await.context("--email")?;
            let empty_is_none = |v: String| Some(v).filter(|v| !v.trim().is_empty());
            let agent = app
                .update_agent(
                    agent.id,
                    &soporte_app::AgentUpdate {
                        whatsapp: Some(empty_is_none(whatsapp)),
                        whatsapp_phone_number_id: Some(empty_is_none(phone_number_id)),
                        ..Default::default()
                    },
                )
                .await?;
            println!(
                "{}: WhatsApp {} (Meta id {})",
                agent.email,
                agent.whatsapp.as_deref().unwrap_or("-"),
                agent.whatsapp_phone_number_id.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        Command::Agent(AgentCommand::ResetTwoFactor { email }) => {
            let app = open(config, KeyFile::ReadOnly).await?.app;
            if app.reset_two_factor_by_email(&email).await? {
                println!("two-step sign-in of {email} turned off");
            } else {
                println!("{email} had no two-step sign-in");
            }
            Ok(())
        }
        Command::Account(AccountCommand::Add(args)) => {
            account_add(&open(config, KeyFile::ReadOnly).await?.app, args).await
        }
        Command::Account(AccountCommand::Import { file }) => {
            import::import_accounts(&open(config, KeyFile::ReadOnly).await?.app, &file).await
        }
        Command::Token(TokenCommand::Create(args)) => {
            token_create(&open(config, KeyFile::ReadOnly).await?.app, args).await
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let app = open(config, KeyFile::ReadOnly).await?.app;
            if app.revoke_token(TokenId(id)).await? {
                println!("token {id} revoked");
                Ok(())
            } else {
                bail!("token {id}: no such active token")
            }
        }
        Command::Token(TokenCommand::List) => {
            token_list(&open(config, KeyFile::ReadOnly).await?.app).await
        }
        Command::Import(ImportCommand::Mail { path }) => {
            import::import_mail(&open(config, KeyFile::ReadOnly).await?.app, &path).await
        }
        Command::Backup { dest } => backup(open(config, KeyFile::ReadOnly).await?, &dest).await,
        Command::Classifier(ClassifierCommand::Train) => {
            let report = open(config, KeyFile::ReadOnly)
                .await?
                .app
                .train_classifier()
                .await?;
            println!(
                "classifier model {} trained on {} examples ({} corrections by agents)",
                report.model_id, report.examples, report.corrections
            );
            println!(
                "held-back accuracy: type {:.1}%, kind {:.1}%",
                report.type_accuracy * 100.0,
                report.kind_accuracy * 100.0
            );
            Ok(())
        }
    }
}

async fn agent_add(app: &App, args: AgentAdd) -> Result<()> {
    let password = if args.password_stdin {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .context("reading the password from standard input")?;
        let line = input.lines().next().unwrap_or_default().to_string();
        if line.is_empty() {
            bail!("--password-stdin: standard input is empty");
        }
        Some(line)
    } else {
        None
    };
    let agent = app
        .create_agent(&AgentInput {
            email: args.email,
            name: args.name,
            phone: args.phone,
            whatsapp: args.whatsapp,
            whatsapp_phone_number_id: args.whatsapp_phone_number_id,
            role: Some(if args.admin { Role::Admin } else { Role::Agent }),
            types: vec![],
            password,
        })
        .await?;
    println!(
        "agent {} created: {} <{}> ({})",
        agent.id, agent.name, agent.email, agent.role
    );
    Ok(())
}

async fn agent_list(app: &App) -> Result<()> {
    println!(
        "{:>6}  {:<6}  {:<8}  {:<32}  name",
        "id", "role", "active", "email"
    );
    for a in app.list_agents().await? {
        println!(
            "{:>6}  {:<6}  {:<8}  {:<32}  {}",
            a.id,
            a.role,
            if a.active { "yes" } else { "no" },
            a.email,
            a.name
        );
    }
    Ok(())
}

async fn account_add(app: &App, args: AccountAdd) -> Result<()> {
    let personal = match &args.personal_agent {
        Some(email) => Some(
            app.agent_by_email(email)
                .await
                .context("--personal-agent")?
                .id,
        ),
        None => None,
    };
    let backup = match &args.backup_agent {
        Some(email) => Some(
            app.agent_by_email(email)
                .await
                .context("--backup-agent")?
                .id,
        ),
        None => None,
    };
    let account = app
        .create_account(&AccountInput {
            name: args.name,
            tax_id: args.tax_id,
            plan: args.plan,
            email_domains: args.domains,
            personal_agent_id: personal,
            backup_agent_id: backup,
        })
        .await?;
    println!("account {} created: {}", account.id, account.name);
    Ok(())
}

async fn token_create(app: &App, args: TokenCreate) -> Result<()> {
    let (owner, default_scope) = match (&args.owner.agent, &args.owner.contact) {
        (Some(email), _) => {
            let agent = app.agent_by_email(email).await?;
            let scope = if agent.is_admin() {
                TokenScope::Admin
            } else {
                TokenScope::Agent
            };
            (TokenOwner::Agent(agent.id), scope)
        }
        (None, Some(email)) => (
            TokenOwner::Contact(app.contact_by_email(email).await?.id),
            TokenScope::Contact,
        ),
        (None, None) => bail!("name the owner with --agent EMAIL or --contact EMAIL"),
    };
    let scope = match args.scope.as_deref() {
        Some(s) => s.parse::<TokenScope>()?,
        None => default_scope,
    };
    let issued = app.issue_token(owner, scope, &args.label).await?;
    eprintln!(
        "token {} created with scope {}; it is shown only now:",
        issued.record.id, issued.record.scope
    );
    println!("{}", issued.plaintext);
    Ok(())
}

async fn token_list(app: &App) -> Result<()> {
    println!(
        "{:>6}  {:<8}  {:<14}  {:<8}  label",
        "id", "scope", "owner", "revoked"
    );
    for t in app.list_tokens().await? {
        let owner = match t.owner {
            TokenOwner::Agent(id) => format!("agent {id}"),
            TokenOwner::Contact(id) => format!("contact {id}"),
        };
        println!(
            "{:>6}  {:<8}  {:<14}  {:<8}  {}",
            t.id,
            t.scope,
            owner,
            if t.revoked_at.is_some() { "yes" } else { "no" },
            t.label
        );
    }
    Ok(())
}

async fn backup(ctx: Context, dest: &Path) -> Result<()> {
    if dest.exists() {
        bail!(
            "{}: already exists; a backup goes into a new directory",
            dest.display()
        );
    }
    match ctx.app.backend() {
        Backend::Sqlite => {
            let blobs = ctx.app.backup(dest).await?;
            println!(
                "backup written to {} (database + {blobs} attachment files)",
                dest.display()
            );
        }
        Backend::Postgres => {
            std::fs::create_dir_all(dest)
                .with_context(|| format!("cannot create {}", dest.display()))?;
            let file = dest.join("soporte.pgdump");
            let status = std::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--file")
                .arg(&file)
                .arg(ctx.config.database_url())
                .status()
                .context("backup of PostgreSQL needs pg_dump on PATH")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
            // Blobs kept in the database are in the dump; only the files need copying.
            let blobs = DiskBlobStore::new(ctx.config.blob_dir())?;
            let copied = soporte_store::BlobStore::copy_all_to(&blobs, &dest.join("blobs")).await?;
            println!(
                "backup written to {} (pg_dump + {copied} attachment files)",
                dest.display()
            );
        }
    }
    let key = if ctx.config.secrets_key.is_some() {
        "SOPORTE_SECRETS_KEY".to_string()
    } else {
        ctx.config.secrets_key_path().display().to_string()
    };
    println!("the secrets key ({key}) is not in the backup: keep it apart from it");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact("postgres://ciuser:cipass@127.0.0.1:54329/cidb"),
            "postgres://ciuser:***@127.0.0.1:54329/cidb"
        );
        assert_eq!(
            redact("sqlite://./soporte-data/soporte.db"),
            "sqlite://./soporte-data/soporte.db"
        );
    }
}
