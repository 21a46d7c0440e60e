//! `soporte serve`: first-start bootstrap, then the HTTP server until SIGINT/SIGTERM.

use crate::cli::{Context, redact};
use crate::workers;
use anyhow::{Context as _, Result};
use soporte_app::{AgentInput, App, AppError, TokenOwner, generate_password};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_web::WebConfig;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How soon a setting changed from the console on another instance is in force here.
const SETTINGS_RELOAD: Duration = Duration::from_secs(5);

pub async fn serve(ctx: Context) -> Result<()> {
    ctx.app
        .seal_stored_secrets()
        .await
        .context("cannot seal the IMAP passwords saved from the console")?;
    bootstrap_first_admin(&ctx).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    match workers::smtp_transport(&ctx.config)? {
        Some(transport) => workers.push(tokio::spawn(workers::deliver_outbox(
            ctx.app.clone(),
            transport,
            stopped.clone(),
        ))),
        None => tracing::warn!("no [smtp] configured: outgoing mail waits in the outbox"),
    }
    for (i, mailbox) in ctx.config.mailboxes.iter().enumerate() {
        let settings = workers::imap_settings(mailbox, i)?;
        workers.push(tokio::spawn(workers::watch_mailbox(
            ctx.app.clone(),
            settings,
            stopped.clone(),
        )));
    }
    workers.push(tokio::spawn(workers::watch_console_mailboxes(
        ctx.app.clone(),
        stopped.clone(),
    )));
    if let (true, Some(whatsapp)) = (ctx.app.whatsapp_enabled(), &ctx.config.whatsapp) {
        workers.push(tokio::spawn(workers::take_in_whatsapp(
            ctx.app.clone(),
            stopped.clone(),
        )));
        let channel = whatsapp.channel()?;
        let cloud = Arc::new(
            soporte::whatsapp_cloud::GraphCloud::new(
                &channel.graph_url,
                &channel.api_version,
                &channel.access_token,
            )
            .context("cannot set up the Graph API client for [whatsapp]")?,
        );
        workers.push(tokio::spawn(workers::deliver_whatsapp(
            ctx.app.clone(),
            cloud.clone(),
            stopped.clone(),
        )));
        workers.push(tokio::spawn(workers::whatsapp_upkeep(
            ctx.app.clone(),
            cloud,
            stopped.clone(),
        )));
    }
    workers.push(tokio::spawn(workers::reload_settings(
        ctx.app.clone(),
        SETTINGS_RELOAD,
        stopped.clone(),
    )));
    workers.push(tokio::spawn(workers::check_sla(
        ctx.app.clone(),
        Duration::from_secs(ctx.config.policy.sla_check_seconds),
        stopped.clone(),
    )));
    if ctx.config.policy.retrain_hours > 0 {
        workers.push(tokio::spawn(workers::retrain_classifier(
            ctx.app.clone(),
            Duration::from_secs(ctx.config.policy.retrain_hours * 3600),
            stopped.clone(),
        )));
    }
    let listener = TcpListener::bind(&ctx.config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (config key `listen`)",
                ctx.config.listen
            )
        })?;
    let web = WebConfig {
        max_body_bytes: ctx.config.max_body_bytes,
    };
    println!(
        "Soporte listening on http://{} (database {})",
        listener
            .local_addr()
            .map_or_else(|_| ctx.config.listen.clone(), |a| a.to_string()),
        redact(&ctx.config.database_url())
    );
    soporte_web::serve(listener, ctx.app.clone(), &web, shutdown_signal())
        .await
        .context("HTTP server failed")?;
    let _ = stop.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// On an empty database, creates the first administrator and prints the credentials once.
/// Several instances starting together on one PostgreSQL: the first one wins, the others
/// see the conflict and carry on.
async fn bootstrap_first_admin(ctx: &Context) -> Result<()> {
    let app: &App = &ctx.app;
    if app.count_agents().await? > 0 {
        return Ok(());
    }
    let domain = ctx
        .config
        .company
        .support_email
        .rsplit_once('@')
        .map_or("localhost.localdomain", |(_, d)| d);
    let email = format!("admin@{domain}");
    let password = generate_password()?;
    let agent = match app
        .create_agent(&AgentInput {
            email: email.clone(),
            name: "Administrador".into(),
            role: Some(Role::Admin),
            password: Some(password.clone()),
            ..AgentInput::default()
        })
        .await
    {
        Ok(agent) => agent,
        Err(AppError::Conflict { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let token = app
        .issue_token(
            TokenOwner::Agent(agent.id),
            TokenScope::Admin,
            "first admin",
        )
        .await?;
    println!("First start: an administrator was created. These credentials are shown only once.");
    println!("  e-mail:    {email}");
    println!("  password:  {password}");
    println!("  API token: {}", token.plaintext);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
