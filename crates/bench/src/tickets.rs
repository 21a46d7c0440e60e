//! The `tickets` scenario: a fresh database filled the way a busy helpdesk would (tickets
//! written concurrently through the store), then the JSON API measured over real HTTP
//! with keep-alive connections: opening tickets, reading single tickets, and walking the
//! ticket list a thousand pages deep.

use crate::report::{Measured, millis, percentile, report, run_concurrently, target_column};
use anyhow::{Context, Result, bail, ensure};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::ValueEnum;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use soporte_app::{AgentInput, App, AppSettings, Cursor, TokenOwner};
use soporte_core::auth::TokenScope;
use soporte_core::directory::Role;
use soporte_core::ids::ContactId;
use soporte_core::support::{Channel, Priority};
use soporte_core::ticket::TicketPrefix;
use soporte_store::{
    DiskBlobStore, MessageExtra, NewContact, NewTicket, Requester, Store, TicketQuery,
    TieredBlobStore,
};
use soporte_web::WebConfig;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Concurrent tasks writing tickets through the store, as the request handlers of a busy
/// server would (the same concurrency as the HTTP phase's default); on SQLite they are
/// committed in groups.
const STORE_WRITERS: usize = 32;
/// Tickets opened over HTTP: enough for stable percentiles, few enough not to dominate.
const HTTP_CREATES: usize = 2_000;
/// The API's default page size.
const PAGE_SIZE: u32 = 50;
/// How deep the list walk goes: 1,000 pages of 50 is 50,000 tickets into the list.
const PAGES_DEEP: usize = 1_000;
/// Repetitions of the deep store query, so one scheduling hiccup does not decide it.
const DEEP_QUERY_RUNS: usize = 10;
/// The customer whose tickets fill the database.
const CUSTOMER_EMAIL: &str = "lucia.fernandez@ferreteria-lopez.es";

const TARGET_STORE_CREATES_PER_SEC: f64 = 5_000.0;
const TARGET_GETS_PER_SEC: f64 = 3_000.0;
const TARGET_GET_P99: Duration = Duration::from_millis(20);
const TARGET_DEEP_PAGE: Duration = Duration::from_millis(10);

#[derive(clap::Args)]
pub struct TicketsArgs {
    /// Which database(s) to measure. PostgreSQL needs TEST_SOPORTE_POSTGRES_URL.
    #[arg(long, value_enum, default_value_t = DbChoice::Sqlite)]
    db: DbChoice,
    /// Tickets created through the store before the HTTP phase.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// `GET /api/v1/tickets/{id}` requests.
    #[arg(long, default_value_t = 20_000)]
    http_requests: usize,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbChoice {
    Sqlite,
    Postgres,
    Both,
}

/// Runs the scenario on the chosen database(s), each fresh and removed afterwards.
pub async fn run(args: TicketsArgs) -> Result<()> {
    ensure!(args.tickets > 0, "--tickets must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "soporte-bench tickets: {} tickets, {} GETs, concurrency {}, {cores} CPU(s)",
        args.tickets, args.http_requests, args.concurrency
    );
    let postgres_url = std::env::var("TEST_SOPORTE_POSTGRES_URL").ok();
    if args.db != DbChoice::Sqlite && postgres_url.is_none() {
        let message = "TEST_SOPORTE_POSTGRES_URL is not set \
                       (e.g. postgres://ciuser:cipass@127.0.0.1:54329/cidb)";
        if args.db == DbChoice::Postgres {
            bail!("cannot benchmark PostgreSQL: {message}");
        }
        println!("postgres SKIPPED: {message}");
    }
    if args.db != DbChoice::Postgres {
        let bench = BenchDatabase::sqlite().await?;
        let outcome = run_tickets_scenario("sqlite", &bench, &args).await;
        bench.cleanup().await;
        outcome?;
    }
    if let (DbChoice::Postgres | DbChoice::Both, Some(url)) = (args.db, &postgres_url) {
        let bench = BenchDatabase::postgres(url).await?;
        let outcome = run_tickets_scenario("postgres", &bench, &args).await;
        bench.cleanup().await;
        outcome?;
    }
    Ok(())
}

/// A fresh, migrated database and what must be removed afterwards. The tempdir holds
/// the SQLite file (if any) and the attachment blobs.
struct BenchDatabase {
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
    postgres_schema: Option<(sqlx::PgPool, String)>,
}

impl BenchDatabase {
    async fn sqlite() -> Result<Self> {
        let dir = tempfile::tempdir().context("creating a tempdir")?;
        let path = dir.path().join("soporte.db");
        let store = soporte_store::sqlite::SqliteStore::open(&path).await?;
        store.migrate().await.context("migrating SQLite")?;
        let store = Arc::new(store);
        Ok(Self {
            store,
            dir,
            postgres_schema: None,
        })
    }

    /// A schema of its own, so the benchmark never touches existing data.
    async fn postgres(url: &str) -> Result<Self> {
        let dir = tempfile::tempdir().context("creating a tempdir")?;
        let millis = jiff::Timestamp::now().as_millisecond();
        let schema = format!("bench_{}_{millis}", std::process::id());
        let admin = sqlx::PgPool::connect(url)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .context("creating the benchmark schema")?;
        let separator = if url.contains('?') { '&' } else { '?' };
        let scoped = format!("{url}{separator}options=-c%20search_path%3D{schema}");
        let store = match soporte_store::postgres::PostgresStore::connect(&scoped).await {
            Ok(store) => store,
            Err(e) => {
                drop_schema(&admin, &schema).await;
                return Err(e.into());
            }
        };
        let bench = Self {
            store: Arc::new(store),
            dir,
            postgres_schema: Some((admin, schema)),
        };
        if let Err(e) = bench.store.migrate().await {
            bench.cleanup().await;
            return Err(e).context("migrating PostgreSQL");
        }
        Ok(bench)
    }

    async fn cleanup(self) {
        if let Some((admin, schema)) = self.postgres_schema {
            drop_schema(&admin, &schema).await;
        }
    }
}

async fn drop_schema(admin: &sqlx::PgPool, schema: &str) {
    let drop = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(admin).await {
        eprintln!("warning: could not drop schema {schema}: {e}");
    }
}

const SUBJECTS: &[&str] = &[
    "No puedo emitir facturas desde el módulo de ventas",
    "Error al sincronizar el inventario con la tienda online",
    "Solicitud de cambio de titular de la cuenta",
    "La impresora de tickets no responde en la caja 2",
    "Duda sobre el cierre trimestral del IVA",
    "Acceso bloqueado tras varios intentos fallidos",
    "El informe de ventas mensual sale vacío",
    "Alta de un nuevo usuario para el almacén",
];

/// A subject and body as a customer would write them, varied by `i`.
fn ticket_text(i: usize) -> (String, String) {
    let topic = SUBJECTS[i % SUBJECTS.len()];
    let subject = format!("{topic} (ref. {})", 40_000 + i);
    let body = format!(
        "Buenos días:\n\n{topic}. Nos ocurre desde esta mañana con el pedido {}; lo hemos \
         probado en dos ordenadores distintos y el resultado es el mismo. ¿Podrían revisarlo \
         cuanto antes? Tenemos clientes esperando en el mostrador.\n\nUn saludo,\n\
         Lucía Fernández\nFerretería López, S.L.",
        20_000 + i
    );
    (subject, body)
}

/// An e-mail from the customer: it arrives untriaged and unassigned.
fn emailed_ticket(number_prefix: TicketPrefix, requester: ContactId, i: usize) -> NewTicket {
    let (subject, body_text) = ticket_text(i);
    NewTicket {
        number_prefix,
        subject,
        support_type: None,
        channel: Channel::Email,
        priority: Priority::Normal,
        assignee_id: None,
        assignment_reason: None,
        account_id: None,
        requester: Requester::Existing(requester),
        product_area: None,
        tags: vec![],
        body_text,
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        created_by: None,
        policy: Default::default(),
        extra: MessageExtra::default(),
    }
}

/// Spreads request `i` over `len` items (SplitMix64), so GETs hit ids all over the table.
fn spread(i: usize, len: usize) -> usize {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % len.max(1) as u64) as usize
}

/// A keep-alive HTTP/1.1 client for the API, authenticated with an admin token.
#[derive(Clone)]
struct ApiClient {
    http: Client<HttpConnector, Full<Bytes>>,
    base_url: String,
    authorization: String,
}

impl ApiClient {
    /// Sends one request and reads the whole response (both count in the latency); any
    /// status other than `expected` is an error that shows the problem the API returned.
    async fn call(
        &self,
        method: Method,
        path: &str,
        json: Option<String>,
        expected: StatusCode,
    ) -> Result<Bytes> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base_url))
            .header(AUTHORIZATION, &self.authorization);
        if json.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request.body(Full::new(Bytes::from(json.unwrap_or_default())))?;
        let response = self
            .http
            .request(request)
            .await
            .context(format!("{method} {path}"))?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        let problem = String::from_utf8_lossy(&body);
        ensure!(status == expected, "{method} {path}: {status} {problem}");
        Ok(body)
    }

    async fn get(&self, path: &str) -> Result<Bytes> {
        self.call(Method::GET, path, None, StatusCode::OK).await
    }
}

/// Decodes the API's opaque cursor (`sort|key|id`, base64) into the store's cursor.
fn decode_cursor(raw: &str) -> Result<Cursor> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw)?)?;
    let mut parts = text.split('|').skip(1);
    let (Some(key), Some(id)) = (parts.next(), parts.next()) else {
        bail!("unexpected cursor format: {text:?}");
    };
    Ok(Cursor {
        key: key.parse()?,
        id: id.parse()?,
    })
}

async fn run_tickets_scenario(db: &str, bench: &BenchDatabase, args: &TicketsArgs) -> Result<()> {
    println!("\n== {db} ==");
    let store = Arc::clone(&bench.store);
    let prefix = TicketPrefix::parse("VND")?;

    // Phase 1: tickets written straight through the store.
    let contact = NewContact {
        account_id: None,
        account_manager: false,
        name: "Lucía Fernández".into(),
        emails: vec![CUSTOMER_EMAIL.into()],
        phones: vec!["+34 600 123 456".into()],
    };
    let requester = store.create_contact(&contact).await?.id;
    let (writer, writer_prefix) = (Arc::clone(&store), prefix.clone());
    let (mut ticket_ids, creates) = run_concurrently(args.tickets, STORE_WRITERS, move |i| {
        let store = Arc::clone(&writer);
        let new = emailed_ticket(writer_prefix.clone(), requester, i);
        async move { Ok(store.create_ticket(&new).await?.id.0) }
    })
    .await?;
    let pass = creates.per_second() >= TARGET_STORE_CREATES_PER_SEC;
    report(
        db,
        "store create_ticket",
        &creates,
        Some(("≥ 5000/s", pass)),
    );

    // Phase 2: the same database behind the HTTP API, served from this process.
    let blobs = Arc::new(TieredBlobStore::new(
        Arc::clone(&store),
        DiskBlobStore::new(bench.dir.path().join("blobs"))?,
    ));
    let settings = AppSettings::new(prefix, "Ferretería López", "soporte@ferreteria-lopez.es");
    let app = App::new(Arc::clone(&store), blobs, settings);
    let admin = AgentInput {
        email: "admin@soporte.example".into(),
        name: "Marta Ruiz".into(),
        role: Some(Role::Admin),
        ..AgentInput::default()
    };
    let owner = TokenOwner::Agent(app.create_agent(&admin).await?.id);
    let token = app.issue_token(owner, TokenScope::Admin, "bench").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut http = Client::builder(TokioExecutor::new());
    http.pool_max_idle_per_host(args.concurrency);
    let client = ApiClient {
        http: http.build_http(),
        base_url: format!("http://{}", listener.local_addr()?),
        authorization: format!("Bearer {}", token.plaintext),
    };
    // The set aborts the server when it goes out of scope, also after an error.
    let mut server = JoinSet::new();
    server.spawn(async move {
        let config = WebConfig::default();
        soporte_web::serve(listener, app, &config, std::future::pending()).await
    });

    ticket_ids.extend(open_tickets_over_http(db, &client, args.concurrency).await?);
    read_tickets_over_http(db, &client, ticket_ids, args).await?;
    let (depth, deep_cursor) = walk_ticket_list(db, &client).await?;

    // The deepest page again, straight from the store, to tell SQL time from HTTP time.
    let query = TicketQuery {
        after: deep_cursor,
        limit: PAGE_SIZE + 1,
        ..TicketQuery::default()
    };
    let mut store_runs = Vec::with_capacity(DEEP_QUERY_RUNS);
    for _ in 0..DEEP_QUERY_RUNS {
        let started = Instant::now();
        let rows = store.list_tickets(&query).await?;
        store_runs.push(started.elapsed());
        ensure!(
            !rows.is_empty(),
            "store list_tickets at page {depth} found nothing"
        );
    }
    store_runs.sort_unstable();
    let store_page = percentile(&store_runs, 50.0);
    report_single(db, &format!("store list_tickets page {depth}"), store_page);
    if depth < PAGES_DEEP {
        println!("    (the list ended after {depth} pages; more --tickets reach {PAGES_DEEP})");
    }
    Ok(())
}

/// `POST /api/v1/tickets`, returning the new ids. Half the requesters are the known
/// customer, half new people who become contacts in the same transaction: both paths of
/// a real inbox.
async fn open_tickets_over_http(db: &str, client: &ApiClient, workers: usize) -> Result<Vec<i64>> {
    let client = client.clone();
    let (ids, posts) = run_concurrently(HTTP_CREATES, workers, move |i| {
        let client = client.clone();
        let (subject, body) = ticket_text(i);
        let requester_email = match i % 2 {
            0 => CUSTOMER_EMAIL.to_string(),
            _ => format!("cliente{i}@talleres-garcia.es"),
        };
        let json = serde_json::json!({
            "subject": subject, "body": body, "requester_email": requester_email,
        });
        async move {
            let json = Some(json.to_string());
            let path = "/api/v1/tickets";
            let created = client
                .call(Method::POST, path, json, StatusCode::CREATED)
                .await?;
            let created: serde_json::Value = serde_json::from_slice(&created)?;
            created["id"]
                .as_i64()
                .context("POST /api/v1/tickets: no id in the response")
        }
    })
    .await?;
    report(db, "POST /api/v1/tickets", &posts, None);
    Ok(ids)
}

/// `GET /api/v1/tickets/{id}` over ids spread across the whole table.
async fn read_tickets_over_http(
    db: &str,
    client: &ApiClient,
    ticket_ids: Vec<i64>,
    args: &TicketsArgs,
) -> Result<()> {
    let (client, ids) = (client.clone(), Arc::new(ticket_ids));
    let (_, gets) = run_concurrently(args.http_requests, args.concurrency, move |i| {
        let client = client.clone();
        let id = ids.get(spread(i, ids.len())).copied().unwrap_or(1);
        async move { client.get(&format!("/api/v1/tickets/{id}")).await.map(drop) }
    })
    .await?;
    let pass = gets.per_second() >= TARGET_GETS_PER_SEC && gets.p99() < TARGET_GET_P99;
    let target = Some(("≥ 3000/s, p99 < 20 ms", pass));
    report(db, "GET /api/v1/tickets/{id}", &gets, target);
    Ok(())
}

/// Follows `next_cursor` page after page, as a sync job would, up to `PAGES_DEEP` pages.
/// Returns how deep it got and the cursor the deepest page was requested with.
async fn walk_ticket_list(db: &str, client: &ApiClient) -> Result<(usize, Option<Cursor>)> {
    let mut latencies = Vec::with_capacity(PAGES_DEEP);
    let (mut cursor, mut cursor_of_last_page) = (None::<String>, None);
    let started = Instant::now();
    while latencies.len() < PAGES_DEEP {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tickets?limit={PAGE_SIZE}&cursor={c}"),
            None => format!("/api/v1/tickets?limit={PAGE_SIZE}"),
        };
        let page_started = Instant::now();
        let page = client.get(&path).await?;
        latencies.push(page_started.elapsed());
        let page: serde_json::Value = serde_json::from_slice(&page)?;
        cursor_of_last_page = cursor.take();
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    let depth = latencies.len();
    let last_page = latencies.last().copied().unwrap_or_default();
    latencies.sort_unstable();
    let walk = Measured {
        latencies,
        wall: started.elapsed(),
    };
    report(db, "GET /api/v1/tickets (pages)", &walk, None);
    report_single(db, &format!("GET /api/v1/tickets page {depth}"), last_page);
    let deep_cursor = cursor_of_last_page
        .as_deref()
        .map(decode_cursor)
        .transpose()?;
    Ok((depth, deep_cursor))
}

/// One aligned result line for a single request (its latency in the p50 column), held
/// against the deep-page target.
fn report_single(db: &str, what: &str, latency: Duration) {
    let target = target_column(Some(("< 10 ms", latency < TARGET_DEEP_PAGE)));
    let took = millis(latency);
    println!(
        "{db:<9}{what:<32}N=1{:17} took {took:>7.2} ms{:33}{target}",
        "", ""
    );
}
