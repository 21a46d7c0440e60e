//! The `console` scenario: the agent console's pages, rendered by the server, on a SQLite
//! database the size of a busy helpdesk's (100,000 tickets by default).
//!
//! The database is filled through the store, as intake and agents would have filled it:
//! agents, accounts and their contacts, then tickets of every status, type, priority and
//! SLA state, each with one to six messages (the customer's, Soporte's acknowledgement,
//! agents' replies and notes, the customer's answers), its checklist and its history;
//! some with a screenshot attached. The store stamps creation times itself, so every
//! ticket was created during the seeding; the time of its last change, which the lists
//! are ordered by, is spread over six months (unfinished tickets over the last two weeks).
//!
//! Then an agent logs in through `POST /login`, and every request carries the session
//! cookie, so each measured page includes the session check. The pages go through the
//! real router in this process (no sockets: the figure is the server's rendering time),
//! one at a time by default, as one agent clicking through the console would request
//! them; one extra figure is taken over real HTTP on a loopback socket.
//!
//! Every page is also checked for what it makes the browser fetch: one script (htmx, with
//! the console's own few lines) and one style sheet, both from this server, and nothing
//! from any other host.

use crate::report::{
    Measured, cpu_seconds, load_average, millis, peak_rss_bytes, report, report_figure,
    reset_peak_rss, run_concurrently, target_column,
};
use anyhow::{Context, Result, bail, ensure};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, SET_COOKIE};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jiff::{SignedDuration, Timestamp};
use soporte_app::{AgentInput, App, AppSettings};
use soporte_core::directory::Role;
use soporte_core::ids::{AccountId, AgentId, ContactId, TicketId};
use soporte_core::policy::checklist::{Checklist, ChecklistItem, ItemResult};
use soporte_core::policy::classifier::RequestKind;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{
    Actor, EventKind, MessageKind, SlaRecord, Status, Ticket, TicketPrefix,
};
use soporte_core::time::{from_micros, to_micros};
use soporte_store::sqlite::SqliteStore;
use soporte_store::{
    AutomaticAnswer, BlobStore, Consequences, DiskBlobStore, MessageExtra, NewAccount,
    NewAttachment, NewContact, NewMessage, NewTicket, Requester, Store, TicketChange,
    TicketEffects, TieredBlobStore,
};
use soporte_web::WebConfig;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

const TARGET_P95: Duration = Duration::from_millis(30);
const AGENTS: usize = 10;
const ACCOUNTS: usize = 2_000;
/// Contacts who write on their own behalf, not for an account.
const CONTACTS_WITHOUT_ACCOUNT: usize = 500;
/// Distinct screenshots; tickets share them, as the blob store shares equal files.
const SCREENSHOTS: usize = 32;
/// Concurrent tasks creating tickets: SQLite commits up to 64 waiting tickets in one
/// transaction, and with more waiting than that the next group is ready as soon as the
/// last one commits.
const SEED_WRITERS: usize = 192;
/// Concurrent tasks adding the later messages of tickets, each ticket's in order. The
/// writer takes one at a time whatever the number; a few keep it busy.
const FOLLOW_UP_WRITERS: usize = 4;
/// The agent who signs in (the first one created, with the only password).
const LOGIN_EMAIL: &str = "agente1@vendomia.example";
const PASSWORD: &str = "contraseña del banco de pruebas";
/// The Host the browser sends; the console compares it with Origin on forms.
const HOST_NAME: &str = "soporte.bench";
const DAY_MICROS: i64 = 86_400_000_000;
const HOUR_MICROS: i64 = 3_600_000_000;
const MIB: f64 = 1024.0 * 1024.0;

#[derive(clap::Args)]
pub struct ConsoleArgs {
    /// Tickets in the database.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Requests of each kind of page.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Pages requested at once (1: one agent clicking through the console).
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Keep the database in this directory: seeded when the directory does not exist yet,
    /// measured as it is when it does (to measure again or look at query plans without
    /// seeding anew). By default a tempdir, removed at the end.
    #[arg(long)]
    database: Option<PathBuf>,
}

pub async fn run(args: ConsoleArgs) -> Result<()> {
    ensure!(args.tickets > 0, "--tickets must be at least 1");
    ensure!(args.requests > 0, "--requests must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "soporte-bench console: {} requests of each page, concurrency {}, {cores} CPU(s), \
         load average {}",
        args.requests,
        args.concurrency,
        load_average()
    );
    let database = ConsoleDatabase::open(args.database.as_deref()).await?;
    let seeded = if database.seeded_before {
        println!(
            "\n== sqlite: the database in {} ==",
            database.root.display()
        );
        database.seeded_before().await?
    } else {
        println!("\n== sqlite: seeding {} tickets ==", args.tickets);
        seed(&database, args.tickets).await?
    };
    database.print_contents().await?;

    println!("\n== sqlite: pages (load average {}) ==", load_average());
    let peak_is_pages = reset_peak_rss();
    let desk = Desk::log_in(database.app.clone(), LOGIN_EMAIL).await?;
    let outcome = measure_pages(&desk, &seeded, &args).await;
    let peak = peak_rss_bytes()?;
    let peak = format!(
        "{:.1} MiB{}",
        peak as f64 / MIB,
        if peak_is_pages {
            " (while serving pages)"
        } else {
            " (could not reset: includes seeding)"
        }
    );
    report_figure("sqlite", "peak RSS (VmHWM)", &peak, None);
    if let Some(dir) = &args.database {
        println!("\nthe database is kept in {}", dir.display());
    }
    outcome
}

/// A migrated SQLite database and blob store behind the use cases: a fresh one, or the one
/// an earlier run seeded and kept.
struct ConsoleDatabase {
    app: App,
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    root: PathBuf,
    db_path: PathBuf,
    seeded_before: bool,
    _dir: Option<tempfile::TempDir>,
}

impl ConsoleDatabase {
    async fn open(keep_in: Option<&Path>) -> Result<Self> {
        let seeded_before = keep_in.is_some_and(Path::exists);
        let (root, dir) = match keep_in {
            Some(dir) => {
                ensure!(
                    !seeded_before || dir.join("soporte.db").is_file(),
                    "{} holds no soporte.db; --database wants a new directory or a kept one",
                    dir.display()
                );
                std::fs::create_dir_all(dir)?;
                (dir.to_path_buf(), None)
            }
            None => {
                let dir = tempfile::tempdir().context("creating a tempdir for the database")?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let db_path = root.join("soporte.db");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db_path).await?);
        store.migrate().await.context("migrating SQLite")?;
        let blobs: Arc<dyn BlobStore> = Arc::new(TieredBlobStore::new(
            Arc::clone(&store),
            DiskBlobStore::new(root.join("blobs"))?,
        ));
        let settings = AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.example",
        );
        let app = App::new(Arc::clone(&store), Arc::clone(&blobs), settings)
            .with_mail(Arc::new(soporte_mail::MimeCodec));
        Ok(Self {
            app,
            store,
            blobs,
            root,
            db_path,
            seeded_before,
            _dir: dir,
        })
    }

    /// A read-only connection of its own, for counting and finding what was seeded.
    async fn inspect(&self) -> Result<sqlx::SqlitePool> {
        let options = SqliteConnectOptions::new()
            .filename(&self.db_path)
            .read_only(true);
        Ok(SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?)
    }

    /// What the measurements need from a database an earlier run seeded.
    async fn seeded_before(&self) -> Result<Seeded> {
        let pool = self.inspect().await?;
        let ticket_ids = sqlx::query_scalar("SELECT id FROM tickets ORDER BY id")
            .fetch_all(&pool)
            .await?;
        let long_ticket_ids = sqlx::query_scalar(
            "SELECT ticket_id FROM messages GROUP BY ticket_id HAVING COUNT(*) = 6",
        )
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        Ok(Seeded {
            ticket_ids,
            long_ticket_ids,
        })
    }

    /// What the seeding left in the database, counted by SQL on a connection of its own.
    async fn print_contents(&self) -> Result<()> {
        let pool = self.inspect().await?;
        let mut counts = Vec::new();
        for table in ["tickets", "messages", "events", "attachments", "contacts"] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .with_context(|| format!("counting {table}"))?;
            counts.push(format!("{count} {table}"));
        }
        pool.close().await;
        report_figure("sqlite", "in the database", &counts.join(", "), None);
        let bytes: u64 = ["", "-wal"]
            .iter()
            .filter_map(|suffix| {
                let mut path = self.db_path.clone().into_os_string();
                path.push(suffix);
                std::fs::metadata(path).ok()
            })
            .map(|m| m.len())
            .sum();
        let disk = format!("database {:.1} MB with its WAL", bytes as f64 / 1e6);
        report_figure("sqlite", "on disk", &disk, None);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Seeding

/// What the measurements need to know about the seeded database.
struct Seeded {
    /// Every ticket, and the tickets with the most messages (six).
    ticket_ids: Vec<i64>,
    long_ticket_ids: Vec<i64>,
}

/// A small deterministic random source (SplitMix64), so every run seeds the same data.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0x2545_F491_4F6C_DD1D)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in 0..1000, for shares given in tenths of a percent.
    fn per_mille(&mut self) -> usize {
        self.below(1000)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or_default()
    }
}

const FIRST_NAMES: &[&str] = &[
    "Lucía", "Javier", "Carmen", "Antonio", "María", "Pablo", "Elena", "Sergio", "Laura", "Manuel",
    "Marta", "David", "Isabel", "Jorge", "Nuria", "Álvaro", "Rocío", "Andrés",
];
const SURNAMES: &[&str] = &[
    "García",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Romero",
    "Navarro",
];
const TRADES: &[&str] = &[
    "Ferretería",
    "Librería",
    "Óptica",
    "Panadería",
    "Talleres",
    "Distribuciones",
    "Farmacia",
    "Viveros",
    "Moda",
    "Electrodomésticos",
    "Papelería",
    "Bodegas",
];
const PLANS: &[&str] = &["Básico", "Profesional", "Empresa"];

const TECHNICAL: &[&str] = &[
    "Error 500 al publicar productos en la tienda",
    "La pasarela de pago rechaza todas las tarjetas",
    "No se sincroniza el stock con el almacén",
    "El sitio web tarda muchísimo en cargar",
    "Fallo al importar el catálogo desde Excel",
    "Los correos de confirmación de pedido no llegan",
];
const USAGE: &[&str] = &[
    "¿Cómo configuro los gastos de envío por zona?",
    "Duda con los descuentos por volumen",
    "No encuentro dónde cambiar el logotipo de la web",
    "¿Se pueden programar ofertas para el Black Friday?",
    "Cómo dar de alta variantes de talla y color",
];
const ADMINISTRATIVE: &[&str] = &[
    "Factura duplicada del mes pasado",
    "Cambio de datos fiscales de la empresa",
    "Solicitud de baja de un usuario",
    "Cargo incorrecto en la tarjeta",
    "Necesito el certificado de retenciones del año",
];
const GREETINGS: &[&str] = &[
    "Buenos días:",
    "Hola,",
    "Buenas tardes:",
    "Estimado equipo de soporte:",
];
const DETAILS: &[&str] = &[
    "Nos pasa desde ayer por la tarde; lo hemos probado en dos navegadores y en dos \
     ordenadores distintos y el resultado es siempre el mismo.",
    "Ocurre en la sección de Tienda, al pulsar en «Guardar cambios»: la página se queda \
     cargando y al final aparece un aviso en rojo que no entendemos.",
    "Lo intentó también nuestra compañera con su propio usuario y le sale exactamente el \
     mismo mensaje, así que no parece cosa de un solo equipo.",
    "Hemos revisado la configuración que nos indicaron la última vez y todo parece estar \
     igual que antes, no hemos tocado nada desde entonces.",
];
const IMPACTS: &[&str] = &[
    "Tenemos clientes esperando en el mostrador y no podemos darles respuesta.",
    "No es urgente, pero nos gustaría dejarlo resuelto esta semana.",
    "Desde entonces estamos perdiendo ventas por la web.",
    "Necesitamos tenerlo listo antes del cierre del mes.",
];
const CLOSINGS: &[&str] = &[
    "Un saludo,",
    "Muchas gracias de antemano,",
    "Quedo a la espera de sus noticias.",
];
const AGENT_REPLIES: &[&str] = &[
    "Gracias por escribirnos. Hemos revisado la configuración de su tienda y hemos \
     encontrado el origen del problema: una regla antigua que se aplicaba a todos los \
     productos. La hemos corregido; ¿puede comprobar si ahora le funciona correctamente?",
    "Hemos reproducido el error en nuestro entorno de pruebas y ya está en manos del \
     equipo técnico. En cuanto tengamos la corrección publicada le avisaremos por este \
     mismo medio. Disculpe las molestias.",
    "Para poder ayudarle mejor, ¿nos podría indicar a qué hora exacta ocurrió y con qué \
     usuario había iniciado sesión? Si puede, adjunte también una captura de pantalla.",
    "Le confirmamos que hemos hecho el cambio que nos pedía. Lo verá reflejado en su panel \
     en unos minutos; si no fuera así, responda a este mensaje y lo revisamos de nuevo.",
];
const CUSTOMER_ANSWERS: &[&str] = &[
    "He probado lo que nos indicaron y ahora funciona bien. Muchas gracias por la rapidez.",
    "Sigue pasando lo mismo: acabo de intentarlo otra vez a las diez y cuarto con el \
     usuario de administración y el aviso no ha cambiado.",
    "Les adjunto la información que me pedían. El usuario es el de la tienda principal y \
     el error apareció justo después de guardar el pedido.",
];
const NOTES: &[&str] = &[
    "Nota interna: revisado con desarrollo, es el mismo fallo que en la incidencia de la \
     semana pasada. Esperamos la corrección en la próxima versión.",
    "Nota interna: el cliente tiene el plan Empresa; le he llamado y está informado.",
];
const ACKNOWLEDGEMENT: &str = "Hemos recibido su consulta y la estamos revisando. Le \
     responderemos lo antes posible; para añadir información, responda a este mensaje.";
const URGENCY_WORDS: &[&str] = &[
    "«no podemos vender»",
    "«la tienda está caída»",
    "«es muy urgente»",
];

/// Everything decided about one ticket before it is written.
struct Plan {
    subject: String,
    first_text: String,
    support_type: Option<SupportType>,
    channel: Channel,
    priority: Priority,
    status: Status,
    assignee: Option<AgentId>,
    requester: ContactId,
    account: Option<AccountId>,
    /// 1 to 6: the customer's, Soporte's acknowledgement, then replies, notes, answers.
    messages: usize,
    screenshot: Option<NewAttachment>,
    updated_at: Timestamp,
    kind: RequestKind,
    type_confidence: f64,
    checklist: Checklist,
    urgency: Option<String>,
    sla: SlaRecord,
}

/// The directory the tickets refer to.
struct Directory {
    agents: Vec<AgentId>,
    /// Each contact with the account it writes for, if any.
    contacts: Vec<(ContactId, Option<AccountId>, String)>,
    screenshots: Vec<NewAttachment>,
}

fn plan(i: usize, directory: &Directory, now: i64) -> Plan {
    let mut dice = Dice::new(i as u64);
    // Most tickets are finished; about 15% still need something.
    let status = match dice.per_mille() {
        0..550 => Status::Closed,
        550..850 => Status::Solved,
        850..880 => Status::New,
        880..940 => Status::Open,
        940..980 => Status::Pending,
        _ => Status::OnHold,
    };
    let support_type = match dice.below(100) {
        0..40 => Some(SupportType::Technical),
        40..75 => Some(SupportType::Usage),
        75..95 => Some(SupportType::Administrative),
        _ => None,
    };
    let channel = match dice.below(100) {
        0..70 => Channel::Email,
        70..82 => Channel::Whatsapp,
        82..90 => Channel::Phone,
        90..97 => Channel::Portal,
        _ => Channel::Api,
    };
    let priority = if dice.chance(5) {
        Priority::Urgent
    } else {
        Priority::Normal
    };
    // New tickets often wait for someone to take them; the rest were assigned.
    let unassigned = dice.chance(if status == Status::New { 50 } else { 4 });
    let assignee = if unassigned {
        None
    } else {
        directory
            .agents
            .get(dice.below(directory.agents.len()))
            .copied()
    };
    let (requester, account, name) = directory
        .contacts
        .get(dice.below(directory.contacts.len()))
        .cloned()
        .unwrap_or((ContactId(1), None, String::new()));
    let mut messages = match dice.below(100) {
        0..30 => 1,
        30..55 => 2,
        55..73 => 3,
        73..85 => 4,
        85..93 => 5,
        _ => 6,
    };
    if status == Status::New {
        // Nobody has answered a new ticket yet, beyond the acknowledgement.
        messages = messages.min(2);
    }
    let unfinished = !matches!(status, Status::Solved | Status::Closed);
    let age = if unfinished {
        dice.below(14 * 24) as i64 * HOUR_MICROS
    } else {
        dice.below(180 * 24) as i64 * HOUR_MICROS
    };
    let updated = now - age - dice.below(3_600) as i64 * 1_000_000;

    let topics = match support_type {
        Some(SupportType::Technical) => TECHNICAL,
        Some(SupportType::Usage) => USAGE,
        Some(SupportType::Administrative) => ADMINISTRATIVE,
        None => TECHNICAL,
    };
    let topic = dice.pick(topics);
    let subject = format!("{topic} (pedido {})", 40_000 + i);
    let first_text = format!(
        "{}\n\n{topic}. {} {}\n\n{}\n{name}",
        dice.pick(GREETINGS),
        dice.pick(DETAILS),
        dice.pick(IMPACTS),
        dice.pick(CLOSINGS),
    );
    let screenshot = if dice.chance(15) {
        let pick = dice.below(directory.screenshots.len());
        directory.screenshots.get(pick).cloned()
    } else {
        None
    };
    let kind = match support_type {
        Some(SupportType::Technical) => RequestKind::Error,
        Some(SupportType::Usage) => RequestKind::Question,
        Some(SupportType::Administrative) => RequestKind::Request,
        None => RequestKind::Change,
    };
    let checklist = checklist(&mut dice, support_type, screenshot.is_some());
    let urgency = (priority == Priority::Urgent).then(|| dice.pick(URGENCY_WORDS).to_string());
    let sla = sla(&mut dice, status, updated, messages);
    Plan {
        subject,
        first_text,
        support_type,
        channel,
        priority,
        status,
        assignee,
        requester,
        account,
        messages,
        screenshot,
        updated_at: from_micros(updated),
        kind,
        type_confidence: 0.55 + dice.below(45) as f64 / 100.0,
        checklist,
        urgency,
        sla,
    }
}

/// The intake checklist the policy asks of the ticket's type, each item found in the
/// customer's words about two times in three.
fn checklist(dice: &mut Dice, support_type: Option<SupportType>, has_image: bool) -> Checklist {
    use ChecklistItem::*;
    let required: &[ChecklistItem] = match support_type {
        Some(SupportType::Technical) => &[Screenshot, Location, Timing, AccountUser, Description],
        Some(SupportType::Usage) => &[Location, Description, Screenshot],
        Some(SupportType::Administrative) => &[AccountUser, Description],
        None => &[Description],
    };
    let items: Vec<ItemResult> = required
        .iter()
        .map(|key| {
            let present = match key {
                Screenshot => has_image,
                _ => dice.chance(65),
            };
            let evidence = present.then(|| {
                match key {
                    Screenshot => "imagen adjunta: captura-pantalla.png",
                    Location => "«en la sección de Tienda, al pulsar en Guardar cambios»",
                    Timing => "«desde ayer por la tarde»",
                    AccountUser => "«con el usuario de administración»",
                    Description => "«la página se queda cargando y aparece un aviso en rojo»",
                }
                .to_string()
            });
            ItemResult {
                key: *key,
                present,
                evidence,
            }
        })
        .collect();
    let complete = items.iter().all(|i| i.present);
    Checklist { items, complete }
}

/// The SLA clock as the worker would have left it: running tickets mostly on track, some
/// at risk or breached; paused while waiting on the customer; finished ones met or not.
fn sla(dice: &mut Dice, status: Status, updated: i64, messages: usize) -> SlaRecord {
    let state = match status {
        Status::New | Status::Open | Status::OnHold => match dice.below(100) {
            0..70 => SlaState::OnTrack,
            70..85 => SlaState::AtRisk,
            _ => SlaState::Breached,
        },
        Status::Pending => SlaState::Paused,
        Status::Solved | Status::Closed => {
            if dice.chance(10) {
                SlaState::Breached
            } else {
                SlaState::Met
            }
        }
    };
    let (first_response, resolution) = match state {
        SlaState::Breached => (-2 * HOUR_MICROS, -HOUR_MICROS),
        SlaState::AtRisk => (HOUR_MICROS, 6 * HOUR_MICROS),
        _ => (8 * HOUR_MICROS, 3 * DAY_MICROS),
    };
    let answered = messages >= 3;
    SlaRecord {
        first_response_due: Some(from_micros(updated + first_response)),
        resolution_due: Some(from_micros(updated + resolution)),
        first_responded_at: answered.then(|| from_micros(updated - HOUR_MICROS)),
        paused_since: (state == SlaState::Paused).then(|| from_micros(updated)),
        paused_total: SignedDuration::ZERO,
        state: Some(state),
        next_check_at: None,
    }
}

/// The effects of the seeding: what intake and the SLA worker would have decided, from
/// the plan. On the ticket's last change the ticket takes its final state (status, SLA,
/// time of last change), so agents' replies on the way move it as they would.
struct SeedEffects {
    plan: Arc<Plan>,
    last: bool,
}

impl SeedEffects {
    fn finish(&self, ticket: &mut Ticket, events: &mut Vec<EventKind>) {
        let plan = &self.plan;
        if ticket.status != plan.status {
            events.push(EventKind::StatusChanged {
                from: ticket.status,
                to: plan.status,
            });
            ticket.status = plan.status;
        }
        ticket.updated_at = plan.updated_at;
        if matches!(plan.status, Status::Solved | Status::Closed) {
            ticket.solved_at = Some(plan.updated_at);
        }
        if plan.status == Status::Closed {
            ticket.closed_at = Some(plan.updated_at);
        }
        ticket.policy.sla = plan.sla.clone();
        if let Some(to @ (SlaState::AtRisk | SlaState::Breached)) = plan.sla.state {
            events.push(EventKind::SlaStateChanged {
                from: Some(SlaState::OnTrack),
                to,
            });
        }
    }
}

impl TicketEffects for SeedEffects {
    fn answer(&self, _ticket: &Ticket) -> Option<AutomaticAnswer> {
        (self.plan.messages >= 2).then(|| AutomaticAnswer {
            channel: self.plan.channel,
            body_text: ACKNOWLEDGEMENT.to_string(),
        })
    }

    fn apply(&self, change: TicketChange<'_>, ticket: &mut Ticket, _at: Timestamp) -> Consequences {
        let plan = &self.plan;
        let mut events = Vec::new();
        if let TicketChange::Created { .. } = change {
            ticket.policy.type_confidence = Some(plan.type_confidence);
            ticket.policy.kind = Some(plan.kind);
            ticket.policy.checklist = Some(plan.checklist.clone());
            ticket.policy.urgency = plan.urgency.clone();
            events.push(EventKind::Classified {
                support_type: plan.support_type,
                confidence: plan.type_confidence,
                request_kind: plan.kind,
            });
            events.push(EventKind::ChecklistEvaluated {
                missing: plan.checklist.missing().collect(),
            });
            if let Some(evidence) = &plan.urgency {
                events.push(EventKind::UrgencyDetected {
                    evidence: evidence.clone(),
                });
            }
            events.push(EventKind::SlaDueChanged {
                first_response_due: plan.sla.first_response_due,
                resolution_due: plan.sla.resolution_due,
            });
        }
        if self.last {
            self.finish(ticket, &mut events);
        }
        Consequences {
            events,
            outbox: Vec::new(),
        }
    }
}

/// The `k`-th message of a ticket (from the third on): agent replies and customer answers
/// in turn, now and then an internal note instead of a reply.
fn follow_up(plan: &Plan, k: usize, dice: &mut Dice, fallback_agent: AgentId) -> NewMessage {
    let agent = Actor::Agent(plan.assignee.unwrap_or(fallback_agent));
    let (kind, author, text) = if k.is_multiple_of(2) {
        if dice.chance(15) {
            (MessageKind::Note, agent, dice.pick(NOTES))
        } else {
            (MessageKind::Outbound, agent, dice.pick(AGENT_REPLIES))
        }
    } else {
        let customer = Actor::Contact(plan.requester);
        (MessageKind::Inbound, customer, dice.pick(CUSTOMER_ANSWERS))
    };
    let body_text = match kind {
        MessageKind::Outbound => format!("Hola:\n\n{text}\n\nUn saludo,\nSoporte de Vendomia"),
        _ => text.to_string(),
    };
    NewMessage {
        kind,
        author,
        channel: plan.channel,
        body_text,
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        extra: MessageExtra::default(),
    }
}

async fn seed(database: &ConsoleDatabase, tickets: usize) -> Result<Seeded> {
    let started = Instant::now();
    let store = Arc::clone(&database.store);
    let app = &database.app;

    let cpu_before = cpu_seconds()?;
    let mut agents = Vec::with_capacity(AGENTS);
    for a in 0..AGENTS {
        let first = FIRST_NAMES
            .get(a % FIRST_NAMES.len())
            .copied()
            .unwrap_or("Ana");
        let last = SURNAMES
            .get((a * 7) % SURNAMES.len())
            .copied()
            .unwrap_or("Ruiz");
        let email = match a {
            0 => LOGIN_EMAIL.to_string(),
            _ => format!("agente{}@vendomia.example", a + 1),
        };
        // One agent signs in; hashing a password is slow on purpose, so only one has one.
        let password = (a == 0).then(|| PASSWORD.to_string());
        let agent = app
            .create_agent(&AgentInput {
                email,
                name: format!("{first} {last}"),
                role: Some(if a == 0 { Role::Admin } else { Role::Agent }),
                password,
                ..AgentInput::default()
            })
            .await?;
        agents.push(agent.id);
    }

    let mut dice = Dice::new(u64::MAX);
    let accounts: Vec<NewAccount> = (0..ACCOUNTS)
        .map(|i| {
            let trade = dice.pick(TRADES);
            let surname = dice.pick(SURNAMES);
            let personal = if dice.chance(30) {
                agents.get(dice.below(agents.len())).copied()
            } else {
                None
            };
            let backup = personal.and_then(|p| agents.iter().copied().find(|a| *a != p));
            NewAccount {
                name: format!("{trade} {surname}, S.L."),
                tax_id: Some(format!("B{:08}", 10_000_000 + i)),
                plan: Some(dice.pick(PLANS).to_string()),
                email_domains: vec![format!("cliente{i:04}.example")],
                personal_agent_id: personal,
                backup_agent_id: backup,
            }
        })
        .collect();
    let account_ids = store.create_accounts(&accounts).await?;

    let people = Arc::new(account_ids);
    let writer = Arc::clone(&store);
    let (mut contacts, _) = run_concurrently(ACCOUNTS + CONTACTS_WITHOUT_ACCOUNT, 8, move |c| {
        let (store, people) = (Arc::clone(&writer), Arc::clone(&people));
        async move {
            let mut dice = Dice::new(c as u64 ^ 0xC0FFEE);
            let name = format!("{} {}", dice.pick(FIRST_NAMES), dice.pick(SURNAMES));
            let account = people.get(c).copied();
            let email = match account {
                Some(_) => format!("compras@cliente{c:04}.example"),
                None => format!("particular{c}@correo.example"),
            };
            let new = NewContact {
                account_id: account,
                name: name.clone(),
                emails: vec![email],
                phones: vec![format!("+34 6{:08}", 10_000_000 + c)],
            };
            Ok((store.create_contact(&new).await?.id, account, name))
        }
    })
    .await?;

    // Sorted, so that every run spreads the tickets over the same contacts.
    contacts.sort_unstable_by_key(|(id, _, _)| id.0);

    let mut screenshots = Vec::with_capacity(SCREENSHOTS);
    for s in 0..SCREENSHOTS {
        // Not a real image: the pages list attachments, they never decode them.
        let bytes = format!("captura de pantalla {s} ").repeat(400 + 37 * s);
        let blob = database.blobs.put(bytes.as_bytes()).await?;
        screenshots.push(NewAttachment {
            sha256: blob.sha256,
            size: blob.size,
            filename: format!("captura-pantalla-{}.png", s + 1),
            media_type: "image/png".into(),
            inline: false,
            content_id: None,
        });
    }
    let directory = Directory {
        agents: agents.clone(),
        contacts,
        screenshots,
    };
    let directory_took = started.elapsed();

    let now = to_micros(Timestamp::now());
    let plans: Arc<Vec<Arc<Plan>>> = Arc::new(
        (0..tickets)
            .map(|i| Arc::new(plan(i, &directory, now)))
            .collect(),
    );
    let prefix = TicketPrefix::parse("VND")?;
    let (writer, all_plans) = (Arc::clone(&store), Arc::clone(&plans));
    let (created, creates) = run_concurrently(tickets, SEED_WRITERS, move |i| {
        let (store, prefix) = (Arc::clone(&writer), prefix.clone());
        let plan = all_plans.get(i).cloned();
        async move {
            let plan = plan.context("no plan for a ticket")?;
            let new = NewTicket {
                number_prefix: prefix,
                subject: plan.subject.clone(),
                support_type: plan.support_type,
                channel: plan.channel,
                priority: plan.priority,
                assignee_id: plan.assignee,
                assignment_reason: plan.assignee.map(|_| "round_robin".to_string()),
                account_id: plan.account,
                requester: Requester::Existing(plan.requester),
                product_area: Some("Tienda".into()),
                tags: vec![],
                body_text: plan.first_text.clone(),
                body_html: None,
                channel_message_id: None,
                attachments: plan.screenshot.iter().cloned().collect(),
                created_by: None,
                policy: Default::default(),
                extra: MessageExtra::default(),
            };
            let last = plan.messages <= 2;
            let effects = Arc::new(SeedEffects { plan, last });
            let (ticket, _) = store.create_ticket_with(&new, effects).await?;
            Ok((i, ticket.id))
        }
    })
    .await?;
    report("sqlite", "seed: create_ticket_with", &creates, None);

    let mut ticket_ids = vec![0; tickets];
    let mut long_ticket_ids = Vec::new();
    let mut later: Vec<(usize, TicketId)> = Vec::new();
    for (i, id) in created {
        let messages = plans.get(i).map_or(1, |p| p.messages);
        if let Some(slot) = ticket_ids.get_mut(i) {
            *slot = id.0;
        }
        if messages == 6 {
            long_ticket_ids.push(id.0);
        }
        if messages > 2 {
            later.push((i, id));
        }
    }
    // In creation order, as the conversations would have gone on.
    later.sort_unstable();
    let later = Arc::new(later);
    let fallback = *agents.first().context("no agents")?;
    let (writer, all_plans) = (Arc::clone(&store), Arc::clone(&plans));
    let (added, follow_ups) = run_concurrently(later.len(), FOLLOW_UP_WRITERS, move |n| {
        let (store, plans, later) = (
            Arc::clone(&writer),
            Arc::clone(&all_plans),
            Arc::clone(&later),
        );
        async move {
            let (i, id) = *later.get(n).context("no follow-up for a ticket")?;
            let plan = plans.get(i).cloned().context("no plan for a ticket")?;
            let mut dice = Dice::new(!(i as u64));
            for k in 2..plan.messages {
                let message = follow_up(&plan, k, &mut dice, fallback);
                let effects = Arc::new(SeedEffects {
                    plan: Arc::clone(&plan),
                    last: k + 1 == plan.messages,
                });
                store.add_message_with(id, &message, effects).await?;
            }
            Ok(plan.messages - 2)
        }
    })
    .await?;
    let messages_added: usize = added.iter().sum();
    let rate = messages_added as f64 / follow_ups.wall.as_secs_f64().max(f64::EPSILON);
    // One call per ticket: its later messages, one after another.
    report(
        "sqlite",
        "seed: add_message_with ×ticket",
        &follow_ups,
        None,
    );
    let total = started.elapsed();
    let cpu = cpu_seconds()? - cpu_before;
    let figure = format!(
        "{:.1} s ({cpu:.1} s CPU): directory {:.1} s ({AGENTS} agents, {ACCOUNTS} accounts, \
         {} contacts), {messages_added} later messages at {rate:.0}/s",
        total.as_secs_f64(),
        directory_took.as_secs_f64(),
        directory.contacts.len(),
    );
    report_figure("sqlite", "seeding took", &figure, None);
    Ok(Seeded {
        ticket_ids,
        long_ticket_ids,
    })
}

// ---------------------------------------------------------------------------------------
// Measuring

type PageRequest = Request<Full<Bytes>>;

/// A response read to its end.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// Reads a response to its end: the time to produce the whole page is what counts.
async fn read_reply<B>(response: hyper::Response<B>) -> Result<Reply>
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
struct Desk {
    router: BoxCloneSyncService<PageRequest, Reply, anyhow::Error>,
    app: App,
    cookie: String,
}

impl Desk {
    /// Logs in through the login form, as a browser would, and keeps the session cookie.
    async fn log_in(app: App, email: &str) -> Result<Self> {
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
    async fn get(&self, path: &str) -> Result<Bytes> {
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
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

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

async fn measure_pages(desk: &Desk, seeded: &Seeded, args: &ConsoleArgs) -> Result<()> {
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

/// What the pages make the browser fetch, over every page checked.
#[derive(Default)]
struct References {
    pages: usize,
    scripts: BTreeSet<String>,
    style_sheets: BTreeSet<String>,
    problems: BTreeSet<String>,
}

impl References {
    fn check(&mut self, page: &str) {
        self.pages += 1;
        for tag in tags(page) {
            let attribute = |name: &str| {
                tag.attributes
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
            };
            match tag.name.as_str() {
                "script" => match attribute("src") {
                    Some(src) => {
                        self.scripts.insert(path_of(src));
                    }
                    None => {
                        self.problems.insert("an inline <script>".into());
                    }
                },
                "style" => {
                    self.problems.insert("an inline <style>".into());
                }
                "link" => {
                    let rel = attribute("rel").unwrap_or_default();
                    let href = attribute("href").unwrap_or_default();
                    if rel.split_whitespace().any(|r| r == "stylesheet") {
                        self.style_sheets.insert(path_of(href));
                    } else {
                        self.problems
                            .insert(format!("<link rel=\"{rel}\" href=\"{href}\">"));
                    }
                }
                _ => {}
            }
            for (name, value) in &tag.attributes {
                // htmx and the console's script take URLs from `hx-*` and `data-*`.
                let fetched = matches!(
                    name.as_str(),
                    "src" | "href" | "action" | "formaction" | "srcset" | "poster" | "data"
                ) || name.starts_with("hx-")
                    || name.starts_with("data-");
                if fetched && names_another_host(value) {
                    self.problems
                        .insert(format!("<{} {name}=\"{value}\">", tag.name));
                }
            }
        }
    }

    /// The PASS/MISS line, and the sizes of the files as the browser gets them.
    async fn report(&self, desk: &Desk) -> Result<()> {
        let pass =
            self.scripts.len() == 1 && self.style_sheets.len() == 1 && self.problems.is_empty();
        let mut fetched: Vec<String> = self.scripts.iter().cloned().collect();
        fetched.extend(self.style_sheets.iter().cloned());
        let figure = format!(
            "{}; {}; {} pages",
            fetched.join(", "),
            if self.problems.is_empty() {
                "no other host"
            } else {
                "more (below)"
            },
            self.pages
        );
        report_figure(
            "sqlite",
            "what pages fetch",
            &figure,
            Some(("1 js, 1 css, same host", pass)),
        );
        for problem in &self.problems {
            println!("    not allowed: {problem}");
        }
        let mut sizes = Vec::new();
        for asset in self.scripts.iter().chain(&self.style_sheets) {
            let bytes = desk.get(asset).await?.len();
            sizes.push(format!("{asset} {:.1} KB", bytes as f64 / 1024.0));
        }
        report_figure("sqlite", "", &sizes.join(", "), None);
        Ok(())
    }
}

/// The path of a same-site URL, without its query (the version the pages add).
fn path_of(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// Whether a URL makes the browser contact a host other than this one: a scheme other than
/// `data:`, `mailto:` or `tel:`, or a scheme-relative `//host`.
fn names_another_host(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    if url.starts_with("//") {
        return true;
    }
    let Some((scheme, _)) = url.split_once(':') else {
        return false;
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme && !matches!(scheme, "data" | "mailto" | "tel")
}

struct Tag {
    name: String,
    /// Names in lower case; values as written, `&amp;` decoded.
    attributes: Vec<(String, String)>,
}

/// The start tags of a page with their attributes. Enough for the console's own markup,
/// which escapes every `<` that is not a tag; not a general HTML parser.
fn tags(page: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        rest = &rest[name.len()..];
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
                break;
            }
            let attribute: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '=' | '>' | '/'))
                .collect();
            if attribute.is_empty() {
                rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
                continue;
            }
            rest = rest[attribute.len()..].trim_start();
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (text, remaining) = match after.chars().next() {
                    Some(quote @ ('"' | '\'')) => {
                        let inner = &after[1..];
                        let end = inner.find(quote).unwrap_or(inner.len());
                        (&inner[..end], inner.get(end + 1..).unwrap_or_default())
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                value = text.replace("&amp;", "&");
                rest = remaining;
            }
            attributes.push((attribute.to_ascii_lowercase(), value));
        }
        found.push(Tag { name, attributes });
    }
    found
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
    fn references_to_other_hosts_are_found() {
        let page = "<html><head><link rel=\"stylesheet\" href=\"/assets/console.css?v=1\">\
                    <script src=\"/assets/htmx.min.js?v=1\" defer></script></head>\
                    <body><a href=\"/inbox?view=mine&amp;type=\">x</a>\
                    <img src=\"https://cdn.example/x.png\"><p>1 &lt; 2</p></body></html>";
        let mut references = References::default();
        references.check(page);
        assert_eq!(
            references.scripts,
            BTreeSet::from(["/assets/htmx.min.js".to_string()])
        );
        assert_eq!(
            references.style_sheets,
            BTreeSet::from(["/assets/console.css".to_string()])
        );
        assert_eq!(
            references.problems,
            BTreeSet::from(["<img src=\"https://cdn.example/x.png\">".to_string()])
        );
    }

    #[test]
    fn only_urls_with_another_host_count() {
        assert!(names_another_host("https://example.com/x"));
        assert!(names_another_host("//example.com/x"));
        assert!(!names_another_host("/tickets/1"));
        assert!(!names_another_host("/language?to=en&back=/inbox"));
        assert!(!names_another_host("mailto:ana@example.com"));
        assert!(!names_another_host("#main"));
        assert!(!names_another_host("2025-11-25T10:00:00Z"));
    }

    #[test]
    fn the_next_link_is_found_and_decoded() {
        let page = "<a class=\"next\" rel=\"next\" href=\"/inbox?view=all&amp;after=5.9\">";
        assert_eq!(
            next_link(page).as_deref(),
            Some("/inbox?view=all&after=5.9")
        );
    }
}
