//! Every word the console shows, in Spanish (the default) and English. Templates read them
//! as `t.field`; nothing user-visible is written in a template itself.

use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{MessageKind, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Es => &SPANISH,
            Lang::En => &ENGLISH,
        }
    }
}

pub struct Texts {
    pub lang: Lang,
    pub product: &'static str,
    pub other_language: &'static str,
    pub other_language_code: &'static str,
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub wrong_credentials: &'static str,
    pub inbox: &'static str,
    pub views: &'static str,
    pub view_mine: &'static str,
    pub view_unassigned: &'static str,
    pub view_urgent: &'static str,
    pub view_at_risk: &'static str,
    pub view_breached: &'static str,
    pub view_pending: &'static str,
    pub view_all: &'static str,
    pub by_type: &'static str,
    pub number: &'static str,
    pub subject: &'static str,
    pub requester: &'static str,
    pub kind_type: &'static str,
    pub priority: &'static str,
    pub status: &'static str,
    pub assignee: &'static str,
    pub unassigned: &'static str,
    pub sla: &'static str,
    pub updated: &'static str,
    pub created: &'static str,
    pub no_tickets: &'static str,
    pub next_page: &'static str,
    pub sort_newest: &'static str,
    pub sort_oldest: &'static str,
    pub sort: &'static str,
    pub apply: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub no_results: &'static str,
    pub conversation: &'static str,
    pub quoted: &'static str,
    pub checklist: &'static str,
    pub checklist_complete: &'static str,
    pub missing: &'static str,
    pub ask_missing: &'static str,
    pub reply: &'static str,
    pub send_reply: &'static str,
    pub note: &'static str,
    pub add_note: &'static str,
    pub call: &'static str,
    pub log_call: &'static str,
    pub call_incoming: &'static str,
    pub call_outgoing: &'static str,
    pub call_minutes: &'static str,
    pub call_notes: &'static str,
    pub properties: &'static str,
    pub save: &'static str,
    pub unclassified: &'static str,
    pub first_response_due: &'static str,
    pub resolution_due: &'static str,
    pub first_responded: &'static str,
    pub account: &'static str,
    pub personal_agent: &'static str,
    pub backup_agent: &'static str,
    pub plan: &'static str,
    pub no_account: &'static str,
    pub history: &'static str,
    pub attachments: &'static str,
    pub original: &'static str,
    pub automatic: &'static str,
    pub redirected: &'static str,
    pub urgency: &'static str,
    pub channel: &'static str,
    pub saved: &'static str,
    pub skip_to_content: &'static str,
}

static SPANISH: Texts = Texts {
    lang: Lang::Es,
    product: "Soporte",
    other_language: "English",
    other_language_code: "en",
    log_in: "Entrar",
    log_out: "Salir",
    email: "Correo electrónico",
    password: "Contraseña",
    wrong_credentials: "El correo o la contraseña no son correctos.",
    inbox: "Bandeja",
    views: "Vistas",
    view_mine: "Mías",
    view_unassigned: "Sin asignar",
    view_urgent: "Urgentes",
    view_at_risk: "SLA en riesgo",
    view_breached: "SLA incumplido",
    view_pending: "Esperando al cliente",
    view_all: "Todas",
    by_type: "Por tipo",
    number: "Número",
    subject: "Asunto",
    requester: "Solicitante",
    kind_type: "Tipo",
    priority: "Prioridad",
    status: "Estado",
    assignee: "Asignada a",
    unassigned: "Sin asignar",
    sla: "SLA",
    updated: "Actualizada",
    created: "Creada",
    no_tickets: "No hay solicitudes en esta vista.",
    next_page: "Siguientes",
    sort_newest: "Más recientes primero",
    sort_oldest: "Más antiguas primero",
    sort: "Orden",
    apply: "Aplicar",
    search: "Buscar",
    search_placeholder: "Número, asunto o palabras",
    no_results: "Ninguna solicitud coincide.",
    conversation: "Conversación",
    quoted: "Texto citado",
    checklist: "Lo que necesitamos",
    checklist_complete: "La solicitud trae todo lo necesario.",
    missing: "Falta",
    ask_missing: "Pedir lo que falta",
    reply: "Responder",
    send_reply: "Enviar respuesta",
    note: "Nota interna",
    add_note: "Añadir nota",
    call: "Llamada",
    log_call: "Registrar llamada",
    call_incoming: "Entrante",
    call_outgoing: "Saliente",
    call_minutes: "Minutos",
    call_notes: "Notas de la llamada",
    properties: "Propiedades",
    save: "Guardar",
    unclassified: "Sin clasificar",
    first_response_due: "Primera respuesta antes de",
    resolution_due: "Resolución antes de",
    first_responded: "Primera respuesta",
    account: "Cuenta",
    personal_agent: "Agente personal",
    backup_agent: "Agente suplente",
    plan: "Plan",
    no_account: "Sin cuenta asociada",
    history: "Historial",
    attachments: "Adjuntos",
    original: "Ver original",
    automatic: "Automático",
    redirected: "Llegó por un canal que este tipo no usa; se indicó el correcto.",
    urgency: "Urgencia",
    channel: "Canal",
    saved: "Guardado.",
    skip_to_content: "Saltar al contenido",
};

static ENGLISH: Texts = Texts {
    lang: Lang::En,
    product: "Soporte",
    other_language: "Español",
    other_language_code: "es",
    log_in: "Log in",
    log_out: "Log out",
    email: "E-mail",
    password: "Password",
    wrong_credentials: "The e-mail or the password is not right.",
    inbox: "Inbox",
    views: "Views",
    view_mine: "Mine",
    view_unassigned: "Unassigned",
    view_urgent: "Urgent",
    view_at_risk: "SLA at risk",
    view_breached: "SLA breached",
    view_pending: "Waiting on customer",
    view_all: "All",
    by_type: "By type",
    number: "Number",
    subject: "Subject",
    requester: "Requester",
    kind_type: "Type",
    priority: "Priority",
    status: "Status",
    assignee: "Assignee",
    unassigned: "Unassigned",
    sla: "SLA",
    updated: "Updated",
    created: "Created",
    no_tickets: "No requests in this view.",
    next_page: "Next",
    sort_newest: "Newest first",
    sort_oldest: "Oldest first",
    sort: "Order",
    apply: "Apply",
    search: "Search",
    search_placeholder: "Number, subject or words",
    no_results: "No request matches.",
    conversation: "Conversation",
    quoted: "Quoted text",
    checklist: "What we need",
    checklist_complete: "The request has everything needed.",
    missing: "Missing",
    ask_missing: "Ask for the missing items",
    reply: "Reply",
    send_reply: "Send reply",
    note: "Internal note",
    add_note: "Add note",
    call: "Call",
    log_call: "Log call",
    call_incoming: "Incoming",
    call_outgoing: "Outgoing",
    call_minutes: "Minutes",
    call_notes: "Call notes",
    properties: "Properties",
    save: "Save",
    unclassified: "Unclassified",
    first_response_due: "First response due",
    resolution_due: "Resolution due",
    first_responded: "First response",
    account: "Account",
    personal_agent: "Personal agent",
    backup_agent: "Backup agent",
    plan: "Plan",
    no_account: "No account",
    history: "History",
    attachments: "Attachments",
    original: "View original",
    automatic: "Automatic",
    redirected: "Came by a channel this type does not use; the right one was given.",
    urgency: "Urgency",
    channel: "Channel",
    saved: "Saved.",
    skip_to_content: "Skip to content",
};

impl Texts {
    pub fn status(&self, status: Status) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (status, spanish) {
            (Status::New, true) => "Nueva",
            (Status::Open, true) => "Abierta",
            (Status::Pending, true) => "Esperando al cliente",
            (Status::OnHold, true) => "En espera",
            (Status::Solved, true) => "Resuelta",
            (Status::Closed, true) => "Cerrada",
            (Status::New, false) => "New",
            (Status::Open, false) => "Open",
            (Status::Pending, false) => "Pending",
            (Status::OnHold, false) => "On hold",
            (Status::Solved, false) => "Solved",
            (Status::Closed, false) => "Closed",
        }
    }

    pub fn support_type(&self, t: Option<SupportType>) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (t, spanish) {
            (Some(SupportType::Administrative), true) => "Administrativo",
            (Some(SupportType::Usage), true) => "Uso",
            (Some(SupportType::Technical), true) => "Técnico",
            (Some(SupportType::Administrative), false) => "Administrative",
            (Some(SupportType::Usage), false) => "Usage",
            (Some(SupportType::Technical), false) => "Technical",
            (None, _) => self.unclassified,
        }
    }

    pub fn priority(&self, p: Priority) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (p, spanish) {
            (Priority::Normal, true) => "Normal",
            (Priority::Urgent, true) => "Urgente",
            (Priority::Normal, false) => "Normal",
            (Priority::Urgent, false) => "Urgent",
        }
    }

    pub fn sla_state(&self, s: SlaState) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (s, spanish) {
            (SlaState::OnTrack, true) => "En plazo",
            (SlaState::AtRisk, true) => "En riesgo",
            (SlaState::Breached, true) => "Incumplido",
            (SlaState::Paused, true) => "En pausa",
            (SlaState::Met, true) => "Cumplido",
            (SlaState::OnTrack, false) => "On track",
            (SlaState::AtRisk, false) => "At risk",
            (SlaState::Breached, false) => "Breached",
            (SlaState::Paused, false) => "Paused",
            (SlaState::Met, false) => "Met",
        }
    }

    pub fn channel(&self, c: Channel) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (c, spanish) {
            (Channel::Email, true) => "Correo",
            (Channel::Whatsapp, _) => "WhatsApp",
            (Channel::Phone, true) => "Teléfono",
            (Channel::Portal, true) => "Portal",
            (Channel::Api, _) => "API",
            (Channel::Email, false) => "E-mail",
            (Channel::Phone, false) => "Phone",
            (Channel::Portal, false) => "Portal",
        }
    }

    pub fn message_kind(&self, k: MessageKind) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (k, spanish) {
            (MessageKind::Inbound, true) => "Del cliente",
            (MessageKind::Outbound, true) => "Respuesta",
            (MessageKind::Note, true) => "Nota interna",
            (MessageKind::Call, true) => "Llamada",
            (MessageKind::Inbound, false) => "From customer",
            (MessageKind::Outbound, false) => "Reply",
            (MessageKind::Note, false) => "Internal note",
            (MessageKind::Call, false) => "Call",
        }
    }

    pub fn checklist_item(&self, item: ChecklistItem) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (item, spanish) {
            (ChecklistItem::Screenshot, true) => "Capturas de pantalla",
            (ChecklistItem::Location, true) => "Dónde ocurre",
            (ChecklistItem::Timing, true) => "Cuándo ocurre",
            (ChecklistItem::AccountUser, true) => "Cuenta y usuario",
            (ChecklistItem::Description, true) => "Descripción detallada",
            (ChecklistItem::Screenshot, false) => "Screenshots",
            (ChecklistItem::Location, false) => "Where it happens",
            (ChecklistItem::Timing, false) => "When it happens",
            (ChecklistItem::AccountUser, false) => "Account and user",
            (ChecklistItem::Description, false) => "Detailed description",
        }
    }
}
