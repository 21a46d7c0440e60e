//! The phone channel under load, on a served instance over real sockets and a fresh SQLite
//! database: CTI events stored per second from concurrent senders (each call's `newCall`,
//! `answer` and `hangup` in order), then the time from a `newCall` POST to its card on the
//! called agent's open console stream, with many agents' phones ringing at once.

use crate::instance::form_body;
use crate::report::{
    Measured, load_average, millis, percentile, report, report_figure, run_concurrently,
};
use anyhow::{Context, Result, bail, ensure};
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use soporte_app::phone::PhoneSettings;
use soporte_app::{AgentInput, App, ContactInput};
use soporte_web::WebConfig;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

const TOKEN: &str = "bench-cti-token-0123456789abcdef";
const PASSWORD: &str = "contraseña de prueba larga";

#[derive(Args)]
pub struct PhoneArgs {
    /// Calls whose three events are posted in the throughput phase.
    #[arg(long, default_value_t = 3_000)]
    calls: usize,
    /// Concurrent senders in the throughput phase.
    #[arg(long, default_value_t = 8)]
    senders: usize,
    /// Agents whose phones ring at once, each with the console open.
    #[arg(long, default_value_t = 50)]
    agents: usize,
    /// Rounds of simultaneous calls in the card phase.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
}

type Http = Client<HttpConnector, Full<Bytes>>;

async fn post_event(http: &Http, url: &str, pairs: &[(&str, &str)]) -> Result<()> {
    let request = Request::builder()
        .method(Method::POST)
        .uri(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form_body(pairs))))?;
    let response = http.request(request).await.context("POST /webhooks/cti")?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    ensure!(
        status == StatusCode::OK,
        "CTI event answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}

async fn log_in(http: &Http, base: &str, email: &str) -> Result<String> {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form_body(&[
            ("email", email),
            ("password", PASSWORD),
            ("next", "/inbox"),
        ]))))?;
    let response = http.request(request).await?;
    ensure!(
        response.status() == StatusCode::SEE_OTHER,
        "POST /login for {email}: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("soporte_session="))
        .context("no session cookie")?;
    Ok(cookie.split(';').next().unwrap_or_default().to_string())
}

/// Reads an agent's `/calls/events` stream and reports when each new call's first card
/// arrives, with the caller's number it shows.
async fn watch_cards(
    http: Http,
    url: String,
    cookie: String,
    agent: usize,
    arrivals: mpsc::UnboundedSender<(usize, String, Instant)>,
    ready: tokio::sync::oneshot::Sender<()>,
) -> Result<()> {
    let request = Request::builder()
        .uri(url)
        .header("cookie", cookie)
        .body(Full::new(Bytes::new()))?;
    let response = http.request(request).await?;
    ensure!(
        response.status() == StatusCode::OK,
        "GET /calls/events: {}",
        response.status()
    );
    let _ = ready.send(());
    let mut body = response.into_body();
    let mut text = String::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        let at = Instant::now();
        text.push_str(&String::from_utf8_lossy(&data));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let is_card = block
                .lines()
                .any(|l| l.strip_prefix("event:").is_some_and(|e| e.trim() == "call"));
            if !is_card {
                continue;
            }
            let Some(start) = block.find("id=\"call-") else {
                continue;
            };
            let id: String = block[start + 9..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let number: String = block
                .find("href=\"tel:")
                .map(|i| block[i + 10..].chars().take_while(|c| *c != '"').collect())
                .unwrap_or_default();
            if seen.insert(id) {
                let _ = arrivals.send((agent, number, at));
            }
        }
    }
    Ok(())
}

/// Who calls agent `agent` in round `round`: a different customer each round.
fn caller(round: usize, agent: usize) -> String {
    format!("+346{:08}", (round * 97 + agent) % 2_000)
}

pub async fn run(args: PhoneArgs) -> Result<()> {
    println!(
        "soporte-bench phone: {} calls x 3 events from {} senders; then {} agents' phones ringing at once, {} rounds (load {})",
        args.calls,
        args.senders,
        args.agents,
        args.rounds,
        load_average()
    );
    let dir = tempfile::tempdir()?;
    let (store, blobs) = crate::instance::fresh_sqlite(dir.path()).await?;
    let mut settings = crate::instance::vendomia()?;
    settings.phone = Some(PhoneSettings::new(TOKEN));
    let app = App::new(Arc::clone(&store), blobs, settings);
    for i in 0..args.agents {
        app.create_agent(&AgentInput {
            email: format!("agente{i}@vendomia.com"),
            name: format!("Agente {i}"),
            phone: Some(format!("+3491{:07}", i)),
            password: Some(PASSWORD.into()),
            ..AgentInput::default()
        })
        .await?;
    }
    // Customers the calls come from, so every call is looked up and found.
    for i in 0..2_000 {
        app.create_contact(&ContactInput {
            name: format!("Cliente {i}"),
            emails: vec![format!("cliente{i}@tienda.es")],
            phones: vec![format!("+346{:08}", i)],
            ..ContactInput::default()
        })
        .await?;
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let cti = format!("{base}/webhooks/cti/{TOKEN}");
    let mut server = JoinSet::new();
    let served: App = app.clone();
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
    builder.pool_max_idle_per_host(args.senders.max(args.agents) * 2);
    let http: Http = builder.build_http();

    // Throughput: every call's events in order, calls from concurrent senders.
    let (_, stored): (Vec<()>, Measured) = run_concurrently(args.calls, args.senders, {
        let (http, cti) = (http.clone(), cti.clone());
        move |i| {
            let (http, cti) = (http.clone(), cti.clone());
            async move {
                let call_id = format!("t-{i}");
                let from = format!("+346{:08}", i % 2_000);
                let to = format!("+3491{:07}", i % 50);
                let base = [
                    ("direction", "in"),
                    ("callId", call_id.as_str()),
                    ("from", from.as_str()),
                    ("to", to.as_str()),
                ];
                for extra in [
                    &[("event", "newCall")][..],
                    &[("event", "answer"), ("answeringNumber", to.as_str())][..],
                    &[("event", "hangup"), ("cause", "normalClearing")][..],
                ] {
                    let pairs: Vec<(&str, &str)> =
                        base.iter().chain(extra.iter()).copied().collect();
                    post_event(&http, &cti, &pairs).await?;
                }
                Ok(())
            }
        }
    })
    .await?;
    let events = args.calls * 3;
    let db = "sqlite";
    let per_second = events as f64 / stored.wall.as_secs_f64().max(f64::EPSILON);
    report_figure(
        db,
        "CTI events stored",
        &format!(
            "{per_second:.0} events/s ({events} events in {:.1} s)",
            stored.wall.as_secs_f64()
        ),
        Some((">= 500/s", per_second >= 500.0)),
    );
    report(db, "one call's three events", &stored, None);

    // The card: every agent has the console open; their phones ring at once.
    let mut cookies = Vec::with_capacity(args.agents);
    for i in 0..args.agents {
        cookies.push(log_in(&http, &base, &format!("agente{i}@vendomia.com")).await?);
    }
    let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel();
    let mut watchers = JoinSet::new();
    for (i, cookie) in cookies.iter().enumerate() {
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        watchers.spawn(watch_cards(
            http.clone(),
            format!("{base}/calls/events"),
            cookie.clone(),
            i,
            arrivals_tx.clone(),
            ready_tx,
        ));
        ready.await.context("a console stream did not open")?;
    }
    let mut latencies = Vec::with_capacity(args.agents * args.rounds);
    let started = Instant::now();
    for round in 0..args.rounds {
        let mut sent = vec![Instant::now(); args.agents];
        let mut posts = JoinSet::new();
        for (agent, sent_at) in sent.iter_mut().enumerate() {
            *sent_at = Instant::now();
            let (http, cti) = (http.clone(), cti.clone());
            posts.spawn(async move {
                let call_id = format!("r{round}-a{agent}");
                let from = caller(round, agent);
                let to = format!("+3491{:07}", agent);
                post_event(
                    &http,
                    &cti,
                    &[
                        ("event", "newCall"),
                        ("direction", "in"),
                        ("callId", &call_id),
                        ("from", &from),
                        ("to", &to),
                    ],
                )
                .await
            });
        }
        let mut arrived = vec![false; args.agents];
        let deadline = Instant::now() + Duration::from_secs(10);
        while arrived.iter().any(|a| !a) {
            let wait = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(wait, arrivals.recv()).await {
                // Cards of earlier calls (the ones a console shows when it opens) are not
                // this round's.
                Ok(Some((agent, number, at)))
                    if !arrived[agent] && number == caller(round, agent) && at >= sent[agent] =>
                {
                    arrived[agent] = true;
                    latencies.push(at.saturating_duration_since(sent[agent]));
                }
                Ok(Some(_)) => {}
                _ => bail!(
                    "round {round}: {} cards did not arrive within 10 s",
                    arrived.iter().filter(|a| !**a).count()
                ),
            }
        }
        while let Some(posted) = posts.join_next().await {
            posted??;
        }
        // The calls end answered, so the next round starts with quiet consoles.
        let mut ends = JoinSet::new();
        for agent in 0..args.agents {
            let (http, cti) = (http.clone(), cti.clone());
            ends.spawn(async move {
                let call_id = format!("r{round}-a{agent}");
                for extra in [
                    &[("event", "answer")][..],
                    &[("event", "hangup"), ("cause", "normalClearing")][..],
                ] {
                    let pairs: Vec<(&str, &str)> =
                        [("direction", "in"), ("callId", call_id.as_str())]
                            .iter()
                            .chain(extra.iter())
                            .copied()
                            .collect();
                    post_event(&http, &cti, &pairs).await?;
                }
                Ok::<(), anyhow::Error>(())
            });
        }
        while let Some(ended) = ends.join_next().await {
            ended??;
        }
    }
    latencies.sort_unstable();
    let cards = Measured {
        wall: started.elapsed(),
        latencies,
    };
    let p99 = percentile(&cards.latencies, 99.0);
    report(
        db,
        &format!("newCall to card ({} at once)", args.agents),
        &cards,
        Some(("p99 < 300 ms", p99 < Duration::from_millis(300))),
    );
    report_figure(db, "card p99", &format!("{:.1} ms", millis(p99)), None);
    watchers.abort_all();
    server.abort_all();
    Ok(())
}
