//! The `portal` scenario: the customer portal's pages on a SQLite database of 100,000
//! tickets (the console scenario's seeding), plus one large account with 2,000 requests
//! among its 20 people, whose manager signs in by a one-time link as a customer would.
//!
//! Measured through the real router in this process (no sockets: the figure is the
//! server's time to produce the page), one request at a time by default: the manager's list
//! of the account's requests (first page, a page deep in the list, the solved ones), a
//! request's page with its conversation, and the live checklist the new-request form asks
//! for as the customer types.

use crate::console::measure::{PageRequest, Reply, read_reply};
use crate::console::{ConsoleDatabase, seed};
use crate::report::{Measured, load_average, millis, run_concurrently, target_column};
use anyhow::{Context, Result, bail, ensure};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, COOKIE, HOST};
use hyper::{Method, Request, StatusCode};
use soporte_core::ids::ContactId;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{Actor, MessageKind, Status, TicketPatch, TicketPrefix};
use soporte_store::{MessageExtra, NewAccount, NewContact, NewMessage, NewTicket, Requester};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

const PAGE_TARGET: Duration = Duration::from_millis(30);
const CHECK_TARGET: Duration = Duration::from_millis(50);
const PEOPLE: usize = 20;
const MANAGER_EMAIL: &str = "gerencia@almacenes-norte.example";

#[derive(clap::Args)]
pub struct PortalArgs {
    /// Tickets in the database besides the large account's.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Requests of the large account whose manager signs in.
    #[arg(long, default_value_t = 2_000)]
    account_requests: usize,
    /// Requests of each kind of page.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Pages requested at once (1: one customer clicking through the portal).
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
}

/// The portal's router with the manager's session cookie.
#[derive(Clone)]
struct Customer {
    router: BoxCloneSyncService<PageRequest, Reply, anyhow::Error>,
    cookie: String,
}

impl Customer {
    async fn send(&self, method: Method, path: &str, form: Option<String>) -> Result<Bytes> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(HOST, "soporte.bench")
            .header(COOKIE, &self.cookie);
        if form.is_some() {
            request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = Full::new(Bytes::from(form.unwrap_or_default()));
        let Reply { status, body, .. } = self.router.clone().oneshot(request.body(body)?).await?;
        if status != StatusCode::OK {
            bail!(
                "{method} {path}: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(body)
    }
}

pub async fn run(args: PortalArgs) -> Result<()> {
    ensure!(args.requests > 0, "--requests must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    ensure!(
        args.account_requests > 0,
        "--account-requests must be at least 1"
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "soporte-bench portal: {} requests of each page, concurrency {}, {cores} CPU(s), \
         load average {}",
        args.requests,
        args.concurrency,
        load_average()
    );
    let database = ConsoleDatabase::open(None).await?;
    println!("\n== sqlite: seeding {} tickets ==", args.tickets);
    seed(&database, args.tickets).await?;
    println!(
        "\n== sqlite: the large account: {} requests among {PEOPLE} people ==",
        args.account_requests
    );
    let numbers = seed_large_account(&database, args.account_requests).await?;
    let customer = sign_in(&database).await?;

    println!(
        "\n== sqlite: portal pages (load average {}) ==",
        load_average()
    );
    let list = customer.send(Method::GET, "/portal/requests", None).await?;
    let list = String::from_utf8_lossy(&list);
    ensure!(
        list.contains("Solicitudes de la cuenta"),
        "the manager's list is not the account's"
    );
    let deep = deep_page(&customer, 10).await?;
    let mut all_pass = true;
    for (label, paths) in [
        ("list, first page", vec!["/portal/requests".to_string()]),
        ("list, 10th page", vec![deep]),
        ("list, solved", vec!["/portal/requests?closed=true".into()]),
        (
            "request page",
            numbers
                .iter()
                .map(|n| format!("/portal/requests/{n}"))
                .collect(),
        ),
        (
            "solved request, rating",
            numbers
                .iter()
                .step_by(3)
                .map(|n| format!("/portal/requests/{n}"))
                .collect(),
        ),
    ] {
        all_pass &= measure(
            &customer,
            &args,
            label,
            Method::GET,
            paths,
            None,
            PAGE_TARGET,
        )
        .await?;
    }
    let drafts: Vec<String> = (0..50)
        .map(|i| {
            format!(
                "type=&subject=Error+{i}&description=Al+pulsar+Guardar+en+la+p%C3%A1gina+{i}+de+Sitios+Web+sale+un+error+y+no+se+guarda+nada&area=&place=&when=&pictures={}",
                i % 2
            )
        })
        .collect();
    all_pass &= measure(
        &customer,
        &args,
        "live checklist",
        Method::POST,
        vec!["/portal/requests/new/check".into()],
        Some(drafts),
        CHECK_TARGET,
    )
    .await?;
    println!(
        "\nall portal figures within target: {}",
        if all_pass { "yes" } else { "no" }
    );
    Ok(())
}

/// The large account: its people (the first is its manager) and their requests, each with
/// the customer's message and, for most, support's answer and an internal note; a third are
/// solved.
async fn seed_large_account(database: &ConsoleDatabase, requests: usize) -> Result<Vec<String>> {
    let store = Arc::clone(&database.store);
    let account = store
        .create_account(&NewAccount {
            name: "Almacenes Norte".into(),
            tax_id: None,
            plan: Some("Empresa".into()),
            email_domains: vec!["almacenes-norte.example".into()],
            personal_agent_id: None,
            backup_agent_id: None,
        })
        .await?;
    let mut people: Vec<ContactId> = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        let email = if i == 0 {
            MANAGER_EMAIL.to_string()
        } else {
            format!("persona{i}@almacenes-norte.example")
        };
        let contact = store
            .create_contact(&NewContact {
                account_id: Some(account.id),
                name: format!("Persona {i}"),
                emails: vec![email],
                phones: vec![],
                account_manager: i == 0,
            })
            .await?;
        people.push(contact.id);
    }
    let people = Arc::new(people);
    let (numbers, measured) = run_concurrently(requests, 64, move |i| {
        let (store, people) = (Arc::clone(&store), Arc::clone(&people));
        async move {
            let requester = people[i % people.len()];
            let ticket = store
                .create_ticket(&NewTicket {
                    number_prefix: TicketPrefix::parse("VND")?,
                    subject: format!("Solicitud {i} de Almacenes Norte"),
                    support_type: Some(SupportType::Usage),
                    channel: Channel::Email,
                    priority: Priority::Normal,
                    assignee_id: None,
                    assignment_reason: None,
                    account_id: Some(account.id),
                    requester: Requester::Existing(requester),
                    product_area: None,
                    tags: vec![],
                    body_text: format!(
                        "En Tienda, al publicar el producto {i} sale un error y no se guarda."
                    ),
                    body_html: None,
                    channel_message_id: None,
                    attachments: vec![],
                    extra: MessageExtra::default(),
                    created_by: None,
                    policy: Default::default(),
                })
                .await?;
            if i % 4 != 0 {
                for (kind, author, text) in [
                    (
                        MessageKind::Outbound,
                        Actor::System,
                        "Hola: lo hemos revisado y ya está corregido. ¿Puede comprobarlo?",
                    ),
                    (
                        MessageKind::Note,
                        Actor::System,
                        "Nota interna: era la caché del catálogo.",
                    ),
                ] {
                    store
                        .add_message(
                            ticket.id,
                            &NewMessage {
                                kind,
                                author,
                                channel: Channel::Email,
                                body_text: text.into(),
                                body_html: None,
                                channel_message_id: None,
                                attachments: vec![],
                                extra: MessageExtra::default(),
                            },
                        )
                        .await?;
                }
            }
            // A third of them solved: the closed list has rows, and their pages ask for
            // (or show) the rating.
            if i % 3 == 0 {
                store
                    .update_ticket(
                        ticket.id,
                        &TicketPatch {
                            status: Some(Status::Solved),
                            ..TicketPatch::default()
                        },
                        Actor::System,
                    )
                    .await?;
            }
            Ok(ticket.number)
        }
    })
    .await?;
    println!(
        "sqlite   {requests} requests written in {:.1} s",
        measured.wall.as_secs_f64()
    );
    Ok(numbers)
}

/// Signs the manager in as a customer does: a link asked for on the portal, spent.
async fn sign_in(database: &ConsoleDatabase) -> Result<Customer> {
    let app = &database.app;
    app.request_portal_link(MANAGER_EMAIL, None, soporte_app::email::Language::Spanish)
        .await?;
    let mail = database
        .store
        .list_outbox(None, 50)
        .await?
        .into_iter()
        .find(|item| item.recipient == MANAGER_EMAIL)
        .context("no sign-in e-mail in the outbox")?;
    let secret = mail
        .email
        .text
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .context("no link in the sign-in e-mail")?;
    let entry = app
        .sign_in_with_link(secret)
        .await?
        .map_err(|state| anyhow::anyhow!("the link did not sign in: {state:?}"))?;
    // The router also serves sockets, so the request type must be named.
    let router = soporte_web::router(app.clone(), &soporte_web::WebConfig::default());
    let router = ServiceExt::<PageRequest>::map_err(router, anyhow::Error::from);
    let router = ServiceExt::<PageRequest>::and_then(router, read_reply);
    Ok(Customer {
        router: BoxCloneSyncService::new(router),
        cookie: format!("soporte_portal={}", entry.session),
    })
}

/// The path of the list's `page`-th page, following its "show more" links.
async fn deep_page(customer: &Customer, page: usize) -> Result<String> {
    let mut path = "/portal/requests".to_string();
    for _ in 1..page {
        let body = customer.send(Method::GET, &path, None).await?;
        let body = String::from_utf8_lossy(&body);
        let marker = "<p class=\"more\"><a href=\"";
        let at = body.find(marker).context("the list has fewer pages")? + marker.len();
        path = body[at..]
            .split('"')
            .next()
            .unwrap_or_default()
            .replace("&amp;", "&");
    }
    Ok(path)
}

/// Requests `paths` in turn (with `forms` as bodies, in turn, when given) and prints the
/// line; true when the p95 meets `target`.
async fn measure(
    customer: &Customer,
    args: &PortalArgs,
    label: &str,
    method: Method,
    paths: Vec<String>,
    forms: Option<Vec<String>>,
    target: Duration,
) -> Result<bool> {
    let (customer, paths, forms) = (customer.clone(), Arc::new(paths), Arc::new(forms));
    let (sizes, measured) = run_concurrently(args.requests, args.concurrency, move |i| {
        let (customer, method) = (customer.clone(), method.clone());
        let path = paths[i % paths.len()].clone();
        let form = forms.as_ref().as_ref().map(|f| f[i % f.len()].clone());
        async move { Ok(customer.send(method, &path, form).await?.len()) }
    })
    .await?;
    let average = sizes.iter().sum::<usize>() / sizes.len().max(1);
    Ok(report_line(label, &measured, average, target))
}

fn report_line(what: &str, m: &Measured, average_bytes: usize, target: Duration) -> bool {
    let pass = m.p95() < target;
    let goal = format!("p95 < {} ms", target.as_millis());
    let line = format!(
        "{:<9}{what:<32}N={:<8}p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  {:>5.1} KB  {}",
        "sqlite",
        m.latencies.len(),
        millis(m.p50()),
        millis(m.p95()),
        millis(m.p99()),
        average_bytes as f64 / 1024.0,
        target_column(Some((&goal, pass))),
    );
    println!("{}", line.trim_end());
    pass
}
