//! Timing the pages: an agent's desk signed in on the real router, each kind of page
//! requested in turn and reported against the target, and one page over a socket.

use super::references::References;
use super::{ConsoleArgs, Dice, PASSWORD, Seeded, TARGET_P95};
use crate::instance::form_encode;
use crate::report::{Measured, millis, report_figure, run_concurrently, target_column};
use anyhow::{Context, Result, bail, ensure};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, SET_COOKIE};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use soporte_app::App;
use soporte_web::WebConfig;
use std::sync::Arc;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

/// The Host the browser sends; the console compares it with Origin on forms.
const HOST_NAME: &str = "soporte.bench";

pub(crate) type PageRequest = Request<Full<Bytes>>;

/// A response read to its end.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Reads a response to its end: the time to produce the whole page is what counts.
pub(crate) async fn read_reply<B>(response: hyper::Response<B>) -> Result<Reply>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = response.into_parts();
    Ok(Reply {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await?.to_bytes(),
    })
}

/// The console's router with a signed-in agent's session cookie.
#[derive(Clone)]
pub(super) struct Desk {
    router: BoxCloneSyncService<PageRequest, Reply, anyhow::Error>,
    app: App,
    cookie: String,
}

impl Desk {
    /// Logs in through the login form, as a browser would, and keeps the session cookie.
    pub(super) async fn log_in(app: App, email: &str) -> Result<Self> {
        // The router also serves sockets, so the request type must be named.
        let router = soporte_web::router(app.clone(), &WebConfig::default());
        let router = ServiceExt::<PageRequest>::map_err(router, anyhow::Error::from);
        let router = ServiceExt::<PageRequest>::and_then(router, read_reply);
        let mut desk = Self {
            router: BoxCloneSyncService::new(router),
            app,
            cookie: String::new(),
        };
        let form = format!(
            "email={}&password={}&next=%2Finbox",
            form_encode(email),
            form_encode(PASSWORD)
        );
        let request = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(HOST, HOST_NAME)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))?;
        let reply = desk.router.clone().oneshot(request).await?;
        ensure!(
            reply.status == StatusCode::SEE_OTHER,
            "POST /login: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
        let location = reply.headers.get(LOCATION).and_then(|v| v.to_str().ok());
        ensure!(
            location == Some("/inbox"),
            "POST /login sent to {location:?}"
        );
        let session = reply
            .headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("soporte_session="))
            .context("POST /login set no session cookie")?;
        desk.cookie = session.split(';').next().unwrap_or_default().to_string();
        Ok(desk)
    }

    /// One page, read to its end; anything but 200 is an error.
    pub(super) async fn get(&self, path: &str) -> Result<Bytes> {
        let request = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(HOST, HOST_NAME)
            .header(COOKIE, &self.cookie)
            .body(Full::new(Bytes::new()))?;
        let reply = self.router.clone().oneshot(request).await?;
        if reply.status != StatusCode::OK {
            bail!(
                "GET {path}: {} {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            );
        }
        Ok(reply.body)
    }
}

/// `application/x-www-form-urlencoded`, as a browser encodes a form.
const VIEWS: [&str; 7] = [
    "mine",
    "unassigned",
    "urgent",
    "at_risk",
    "breached",
    "pending",
    "all",
];
const TYPES: [&str; 4] = ["administrative", "usage", "technical", "unset"];
/// What agents type in the search box: a few words of a subject, and one word most
/// tickets contain.
const SEARCHES: [&str; 5] = [
    "factura+duplicada",
    "pasarela+de+pago",
    "sincroniza+stock",
    "logotipo",
    "tienda",
];

/// One kind of page and the paths it is requested by, in turn.
struct PageKind {
    label: String,
    paths: Vec<String>,
}

pub(super) async fn measure_pages(desk: &Desk, seeded: &Seeded, args: &ConsoleArgs) -> Result<()> {
    let mut kinds: Vec<PageKind> = VIEWS
        .iter()
        .map(|view| PageKind {
            label: format!("GET /inbox?view={view}"),
            paths: vec![format!("/inbox?view={view}")],
        })
        .collect();
    kinds.push(PageKind {
        label: "GET /inbox?view=all&type=(4)".into(),
        paths: TYPES
            .iter()
            .map(|t| format!("/inbox?view=all&type={t}"))
            .collect(),
    });

    // Not one of the pages the target is set for, but the search box is on every page.
    let search = PageKind {
        label: format!("GET /search?q=({})", SEARCHES.len()),
        paths: SEARCHES.iter().map(|q| format!("/search?q={q}")).collect(),
    };

    // The first pages, once each before any timing: they warm the caches the way an
    // agent's first minute would, give the view counts, the second pages' links, and the
    // markup whose references are checked.
    let mut references = References::default();
    let mut second_pages = Vec::new();
    let mut view_counts = Vec::new();
    for kind in kinds.iter().chain([&search]) {
        for path in &kind.paths {
            let page = String::from_utf8(desk.get(path).await?.to_vec())?;
            references.check(&page);
            if let Some(next) = next_link(&page) {
                second_pages.push(next);
            }
            if path == "/inbox?view=mine" {
                view_counts = VIEWS
                    .iter()
                    .map(|v| Ok(format!("{v} {}", view_count(&page, v)?)))
                    .collect::<Result<_>>()?;
            }
        }
    }
    report_figure("sqlite", "view counts", &view_counts.join(", "), None);
    ensure!(!second_pages.is_empty(), "no inbox view has a second page");
    kinds.push(PageKind {
        label: format!("GET /inbox… page 2 ({})", second_pages.len()),
        paths: second_pages,
    });

    let mut dice = Dice::new(7);
    let mut sample = |ids: &[i64]| -> Vec<String> {
        (0..args.requests.min(ids.len()))
            .filter_map(|_| ids.get(dice.below(ids.len())))
            .map(|id| format!("/tickets/{id}"))
            .collect()
    };
    let long = sample(&seeded.long_ticket_ids);
    let any = sample(&seeded.ticket_ids);
    ensure!(!long.is_empty(), "no ticket has six messages");
    for path in long.iter().take(3).chain(any.iter().take(3)) {
        let page = String::from_utf8(desk.get(path).await?.to_vec())?;
        references.check(&page);
    }
    if let Some(path) = long.first() {
        let page = String::from_utf8(desk.get(path).await?.to_vec())?;
        let shown = page.matches("<article class=\"message ").count();
        ensure!(shown == 6, "{path} shows {shown} messages, not 6");
    }
    kinds.push(PageKind {
        label: "GET /tickets/{id} (6 messages)".into(),
        paths: long,
    });
    kinds.push(PageKind {
        label: "GET /tickets/{id} (any)".into(),
        paths: any,
    });

    let mut passed = 0;
    for kind in &kinds {
        passed += usize::from(measure_kind(desk, kind, args).await?);
    }
    let figure = format!("{passed} of {} kinds of page", kinds.len());
    let all = format!("{} of {}", kinds.len(), kinds.len());
    report_figure(
        "sqlite",
        "inbox, ticket within target",
        &figure,
        Some((&all, passed == kinds.len())),
    );
    measure_kind(desk, &search, args).await?;

    references.report(desk).await?;
    measure_over_http(desk, args).await
}

/// Requests the kind's paths in turn and prints its line; true when it meets the target.
async fn measure_kind(desk: &Desk, kind: &PageKind, args: &ConsoleArgs) -> Result<bool> {
    let (desk, paths) = (desk.clone(), Arc::new(kind.paths.clone()));
    let (sizes, measured) = run_concurrently(args.requests, args.concurrency, move |i| {
        let desk = desk.clone();
        let path = paths
            .get(i % paths.len().max(1))
            .cloned()
            .unwrap_or_default();
        async move { Ok(desk.get(&path).await?.len()) }
    })
    .await?;
    let average = sizes.iter().sum::<usize>() / sizes.len().max(1);
    Ok(report_page(&kind.label, &measured, average))
}

/// One aligned line for a kind of page: its latencies, its average size, and the target.
fn report_page(what: &str, m: &Measured, average_bytes: usize) -> bool {
    let pass = m.p95() < TARGET_P95;
    let line = format!(
        "{:<9}{what:<32}N={:<8}p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  {:>5.1} KB  {}",
        "sqlite",
        m.latencies.len(),
        millis(m.p50()),
        millis(m.p95()),
        millis(m.p99()),
        average_bytes as f64 / 1024.0,
        target_column(Some(("p95 < 30 ms", pass))),
    );
    println!("{}", line.trim_end());
    pass
}

/// The `rel="next"` link of an inbox page, as the browser would follow it.
fn next_link(page: &str) -> Option<String> {
    let at = page.find("rel=\"next\" href=\"")? + "rel=\"next\" href=\"".len();
    let href = page.get(at..)?.split('"').next()?;
    Some(href.replace("&amp;", "&"))
}

/// The count an inbox page shows beside a view's name.
fn view_count(page: &str, view: &str) -> Result<i64> {
    let link = format!("href=\"/inbox?view={view}\"");
    let rest = page
        .find(&link)
        .and_then(|at| page.get(at..))
        .context("an inbox page without a view link")?;
    let marker = "<span class=\"count\">";
    let count = rest
        .find(marker)
        .and_then(|at| rest.get(at + marker.len()..))
        .and_then(|r| r.split('<').next())
        .context("a view link without its count")?;
    Ok(count.trim().parse()?)
}

/// One figure over real HTTP: the same page through a loopback socket and hyper, to see
/// what the connection adds to the rendering time.
async fn measure_over_http(desk: &Desk, args: &ConsoleArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let app = desk.app.clone();
    // The set aborts the server when it goes out of scope, also after an error.
    let mut server = JoinSet::new();
    server.spawn(async move {
        soporte_web::serve(listener, app, &WebConfig::default(), std::future::pending()).await
    });
    let mut builder = Client::builder(TokioExecutor::new());
    builder.pool_max_idle_per_host(args.concurrency);
    let client: Client<_, Full<Bytes>> = builder.build_http();
    let cookie = desk.cookie.clone();
    let path = "/inbox?view=mine";
    let (sizes, measured) = run_concurrently(args.requests, args.concurrency, move |_| {
        let (client, cookie) = (client.clone(), cookie.clone());
        let uri = format!("{base_url}{path}");
        async move {
            let request = Request::builder()
                .method(Method::GET)
                .uri(uri)
                .header(COOKIE, cookie)
                .body(Full::new(Bytes::new()))?;
            let response = client.request(request).await.context("GET over HTTP")?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            ensure!(status == StatusCode::OK, "GET {path} over HTTP: {status}");
            Ok(body.len())
        }
    })
    .await?;
    let average = sizes.iter().sum::<usize>() / sizes.len().max(1);
    report_page(&format!("GET {path} over HTTP"), &measured, average);
    server.abort_all();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_and_decoded() {
        let page = "<a class=\"next\" rel=\"next\" href=\"/inbox?view=all&amp;after=5.9\">";
        assert_eq!(
            next_link(page).as_deref(),
            Some("/inbox?view=all&after=5.9")
        );
    }
}
