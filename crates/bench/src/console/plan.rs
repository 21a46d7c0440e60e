//! What each seeded ticket is, decided from its index alone so that every run seeds the
//! same data: its status, type, channel, people and words, its checklist and SLA clock.

use super::Dice;
use jiff::{SignedDuration, Timestamp};
use soporte_core::ids::{AccountId, AgentId, ContactId};
use soporte_core::policy::checklist::{Checklist, ChecklistItem, ItemResult};
use soporte_core::policy::classifier::RequestKind;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{Actor, MessageKind, SlaRecord, Status};
use soporte_core::time::from_micros;
use soporte_store::{MessageExtra, NewAttachment, NewMessage};

const DAY_MICROS: i64 = 86_400_000_000;
const HOUR_MICROS: i64 = 3_600_000_000;

pub(super) const FIRST_NAMES: &[&str] = &[
    "Lucía", "Javier", "Carmen", "Antonio", "María", "Pablo", "Elena", "Sergio", "Laura", "Manuel",
    "Marta", "David", "Isabel", "Jorge", "Nuria", "Álvaro", "Rocío", "Andrés",
];
pub(super) const SURNAMES: &[&str] = &[
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
pub(super) const TRADES: &[&str] = &[
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
pub(super) const PLANS: &[&str] = &["Básico", "Profesional", "Empresa"];

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
pub(super) const ACKNOWLEDGEMENT: &str = "Hemos recibido su consulta y la estamos revisando. Le \
     responderemos lo antes posible; para añadir información, responda a este mensaje.";
const URGENCY_WORDS: &[&str] = &[
    "«no podemos vender»",
    "«la tienda está caída»",
    "«es muy urgente»",
];

/// Everything decided about one ticket before it is written.
pub(super) struct Plan {
    pub(super) subject: String,
    pub(super) first_text: String,
    pub(super) support_type: Option<SupportType>,
    pub(super) channel: Channel,
    pub(super) priority: Priority,
    pub(super) status: Status,
    pub(super) assignee: Option<AgentId>,
    pub(super) requester: ContactId,
    pub(super) account: Option<AccountId>,
    /// 1 to 6: the customer's, Soporte's acknowledgement, then replies, notes, answers.
    pub(super) messages: usize,
    pub(super) screenshot: Option<NewAttachment>,
    pub(super) updated_at: Timestamp,
    pub(super) kind: RequestKind,
    pub(super) type_confidence: f64,
    pub(super) checklist: Checklist,
    pub(super) urgency: Option<String>,
    pub(super) sla: SlaRecord,
}

/// The directory the tickets refer to.
pub(super) struct Directory {
    pub(super) agents: Vec<AgentId>,
    /// Each contact with the account it writes for, if any.
    pub(super) contacts: Vec<(ContactId, Option<AccountId>, String)>,
    pub(super) screenshots: Vec<NewAttachment>,
}

pub(super) fn plan(i: usize, directory: &Directory, now: i64) -> Plan {
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

/// The `k`-th message of a ticket (from the third on): agent replies and customer answers
/// in turn, now and then an internal note instead of a reply.
pub(super) fn follow_up(
    plan: &Plan,
    k: usize,
    dice: &mut Dice,
    fallback_agent: AgentId,
) -> NewMessage {
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
