//! The WhatsApp webhook under load: signed text bodies POSTed by concurrent senders to a
//! served instance on a fresh SQLite database, each answered only once kept durably; then
//! the intake worker taking every kept body in as tickets and messages.

use crate::report::{
    Measured, load_average, millis, peak_rss_bytes, report, report_figure, reset_peak_rss,
    run_concurrently,
};
use anyhow::{Context, Result, ensure};
use clap::Args;
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use soporte_app::whatsapp::WhatsAppSettings;
use soporte_app::{AgentInput, App};
use soporte_web::WebConfig;
use soporte_whatsapp::payload::{Body, MessageBuilder};
use std::sync::Arc;
use std::time::Instant;
use tokio::task::JoinSet;

const APP_SECRET: &str = "bench-app-secret";
const NUMBER: &str = "106540352242922";

#[derive(Args)]
pub struct WhatsAppArgs {
    /// Webhook bodies to send.
    #[arg(long, default_value_t = 20_000)]
    bodies: usize,
    /// Concurrent senders (Meta delivers in parallel).
    #[arg(long, default_value_t = 8)]
    senders: usize,
    /// Distinct customers the messages come from.
    #[arg(long, default_value_t = 2_000)]
    customers: usize,
}

pub async fn run(args: WhatsAppArgs) -> Result<()> {
    println!(
        "soporte-bench whatsapp: {} signed bodies from {} senders, {} customers (load {})",
        args.bodies,
        args.senders,
        args.customers,
        load_average()
    );
    let dir = tempfile::tempdir()?;
    let (store, blobs) = crate::instance::fresh_sqlite(dir.path()).await?;
    let mut settings = crate::instance::vendomia()?;
    settings.whatsapp = Some(WhatsAppSettings::new("bench", APP_SECRET));
    let app = App::new(Arc::clone(&store), blobs, settings)
        .with_whatsapp(Arc::new(soporte_whatsapp::CloudApiCodec));
    app.create_agent(&AgentInput {
        email: "ana@vendomia.com".into(),
        name: "Ana".into(),
        whatsapp_phone_number_id: Some(NUMBER.into()),
        ..AgentInput::default()
    })
    .await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks/whatsapp", listener.local_addr()?);
    let mut server = JoinSet::new();
    let served = app.clone();
    server.spawn(async move {
        soporte_web::serve(
            listener,
            served,
            &WebConfig::default(),
            std::future::pending(),
        )
        .await
    });
    let mut builder = Client::builder(TokioExecutor::new());
    builder.pool_max_idle_per_host(args.senders);
    let http = builder.build_http::<http_body_util::Full<Bytes>>();

    // The bodies are built and signed before the clock starts: Meta does that part.
    let now = jiff::Timestamp::now().as_second();
    let bodies: Arc<Vec<(Bytes, String)>> = Arc::new(
        (0..args.bodies)
            .map(|i| {
                let customer = format!("346{:08}", i % args.customers.max(1));
                let body = Body::new(NUMBER)
                    .message(
                        MessageBuilder::text(
                            &customer,
                            &format!("Hola, mensaje {i}: no puedo publicar la página"),
                        )
                        .id(&format!("wamid.BENCH{i:08}"))
                        .name("Cliente")
                        .timestamp(now - (args.bodies - i) as i64 / 100),
                    )
                    .to_bytes();
                let signature = soporte_whatsapp::sign(APP_SECRET.as_bytes(), &body);
                (Bytes::from(body), signature)
            })
            .collect(),
    );

    reset_peak_rss();
    let cpu_before = crate::report::cpu_seconds().unwrap_or_default();
    let (_, kept): (Vec<()>, Measured) = run_concurrently(args.bodies, args.senders, {
        let (http, url, bodies) = (http.clone(), url.clone(), Arc::clone(&bodies));
        move |i| {
            let (http, url, bodies) = (http.clone(), url.clone(), Arc::clone(&bodies));
            async move {
                let (body, signature) = &bodies[i];
                let request = Request::builder()
                    .method(Method::POST)
                    .uri(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", signature)
                    .body(http_body_util::Full::new(body.clone()))?;
                let response = http
                    .request(request)
                    .await
                    .context("POST /webhooks/whatsapp")?;
                ensure!(
                    response.status() == StatusCode::OK,
                    "body {i} answered {}",
                    response.status()
                );
                Ok(())
            }
        }
    })
    .await?;
    let db = "sqlite";
    report(
        db,
        "webhook bodies kept",
        &kept,
        Some((">= 1000/s", kept.per_second() >= 1000.0)),
    );
    report_figure(
        db,
        "webhook answer p99",
        &format!("{:.2} ms", millis(kept.p99())),
        Some(("< 2000 ms", kept.p99().as_millis() < 2000)),
    );
    let waiting = store.pending_webhook_bodies().await?;
    ensure!(
        waiting as usize == args.bodies,
        "{waiting} bodies kept of {} answered",
        args.bodies
    );

    // The intake: every kept body into tickets, by the worker's own batches.
    let started = Instant::now();
    let mut taken = 0usize;
    while taken < args.bodies {
        let n = app
            .take_in_whatsapp(soporte_app::whatsapp::WEBHOOK_BATCH)
            .await?;
        ensure!(
            n > 0,
            "the intake stopped with {taken} of {} taken in",
            args.bodies
        );
        taken += n;
    }
    let intake = started.elapsed();
    report_figure(
        db,
        "intake into tickets",
        &format!(
            "{:.0} bodies/s ({} bodies in {:.1} s)",
            taken as f64 / intake.as_secs_f64().max(f64::EPSILON),
            taken,
            intake.as_secs_f64()
        ),
        None,
    );
    let cpu = crate::report::cpu_seconds().unwrap_or_default() - cpu_before;
    report_figure(db, "CPU time (whole process)", &format!("{cpu:.1} s"), None);
    let peak = peak_rss_bytes()?;
    report_figure(
        db,
        "peak RSS",
        &format!("{:.1} MiB", peak as f64 / 1024.0 / 1024.0),
        None,
    );
    server.abort_all();
    Ok(())
}
