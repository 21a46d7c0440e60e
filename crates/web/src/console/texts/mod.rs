//! Every word the console shows, in Spanish (the default) and English. Templates read them
//! as `t.field`; nothing user-visible is written in a template itself.

mod english;
mod phone;
mod spanish;
mod whatsapp;

use english::ENGLISH;
pub use phone::PhoneTexts;
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::policy::sla::SlaState;
use soporte_core::support::{Channel, Priority, SupportType};
use soporte_core::ticket::{MessageKind, Status};
use spanish::SPANISH;
pub use whatsapp::WhatsAppTexts;

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
    pub policy: &'static str,
    pub policy_hint: &'static str,
    pub sla_targets: &'static str,
    pub calendar: &'static str,
    pub holidays: &'static str,
    pub product_areas: &'static str,
    pub urgency_phrases: &'static str,
    pub away_from: &'static str,
    pub away_until: &'static str,
    pub add_absence: &'static str,
    pub accounts: &'static str,
    pub domains: &'static str,
    pub new_account: &'static str,
    pub merge: &'static str,
    pub merge_into: &'static str,
    pub satisfaction: &'static str,
    pub satisfaction_asked: &'static str,
    pub out_of_five: &'static str,
    pub merged_into: &'static str,
    pub merged_from: &'static str,
    pub canned_replies: &'static str,
    pub canned_hint: &'static str,
    pub new_canned: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub delete: &'static str,
    pub insert_canned: &'static str,
    pub forgot_password: &'static str,
    pub reset_explain: &'static str,
    pub reset_sent: &'static str,
    pub send_link: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub passwords_differ: &'static str,
    pub password_changed: &'static str,
    pub reset_link_dead: &'static str,
    pub password_too_short: &'static str,
    pub contacts: &'static str,
    pub recent_requests: &'static str,
    pub presence_viewing: &'static str,
    pub presence_replying: &'static str,
    pub view_html: &'static str,
    pub remote_images: &'static str,
    pub select: &'static str,
    pub selected_tickets: &'static str,
    pub no_change: &'static str,
    pub bulk_failed: &'static str,
    pub shortcuts: &'static str,
    pub key_move: &'static str,
    pub key_open: &'static str,
    pub close: &'static str,
    pub agents: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub role_agent: &'static str,
    pub role_admin: &'static str,
    pub enabled: &'static str,
    pub away: &'static str,
    pub mail_problems: &'static str,
    pub quarantine: &'static str,
    pub quarantine_hint: &'static str,
    pub undelivered: &'static str,
    pub nothing_here: &'static str,
    pub received: &'static str,
    pub source: &'static str,
    pub reason: &'static str,
    pub size: &'static str,
    pub recipient: &'static str,
    pub attempts: &'static str,
    pub admin: &'static str,
    pub not_saved: &'static str,
    pub from_file: &'static str,
    pub changed_in_console: &'static str,
    pub restore_file_values: &'static str,
    pub settings_hint: &'static str,
    pub areas_hint: &'static str,
    pub area: &'static str,
    pub synonyms: &'static str,
    pub sla_hint: &'static str,
    pub calendar_hint: &'static str,
    pub time_zone: &'static str,
    pub holidays_hint: &'static str,
    pub mail_texts: &'static str,
    pub templates_hint: &'static str,
    pub variables: &'static str,
    pub preview: &'static str,
    pub mailboxes: &'static str,
    pub mailboxes_hint: &'static str,
    pub mailbox_in_file: &'static str,
    pub new_mailbox: &'static str,
    pub host: &'static str,
    pub port: &'static str,
    pub security: &'static str,
    pub username: &'static str,
    pub password_keep: &'static str,
    pub folder: &'static str,
    pub processed_folder: &'static str,
    pub poll_seconds: &'static str,
    pub security_plain: &'static str,
    pub no_mailboxes: &'static str,
    pub mailbox_connected: &'static str,
    pub mailbox_failing: &'static str,
    pub mailbox_waiting: &'static str,
    pub tax_id: &'static str,
    pub contacts_hint: &'static str,
    pub new_contact: &'static str,
    pub emails: &'static str,
    pub phones: &'static str,
    pub people: &'static str,
    pub people_hint: &'static str,
    /// The checkbox that makes a contact their account's manager.
    pub account_manager: &'static str,
    /// The badge of a contact who is their account's manager.
    pub account_manager_badge: &'static str,
    pub invite_to_portal: &'static str,
    pub invite_to_portal_hint: &'static str,
    pub portal_invitation_sent: &'static str,
    pub invitation_sent: &'static str,
    pub agent_details: &'static str,
    pub agent_phone: &'static str,
    /// Meta's id of an agent's WhatsApp business number.
    pub whatsapp_number_id: &'static str,
    pub handles_types: &'static str,
    pub send_password_link: &'static str,
    pub new_agent: &'static str,
    pub new_agent_hint: &'static str,
    pub two_factor: &'static str,
    pub two_factor_hint: &'static str,
    pub two_factor_on: &'static str,
    pub two_factor_off: &'static str,
    pub two_factor_must_enrol: &'static str,
    pub two_factor_start: &'static str,
    pub two_factor_scan: &'static str,
    pub two_factor_key: &'static str,
    pub two_factor_qr: &'static str,
    pub code: &'static str,
    pub confirm: &'static str,
    pub wrong_code: &'static str,
    pub recovery_codes: &'static str,
    pub recovery_codes_hint: &'static str,
    pub recovery_codes_left: &'static str,
    pub continue_to_inbox: &'static str,
    pub two_factor_disable: &'static str,
    pub two_factor_disable_hint: &'static str,
    pub wrong_password: &'static str,
    pub two_factor_now_off: &'static str,
    pub login_code_hint: &'static str,
    pub start_again: &'static str,
    pub login_code_expired: &'static str,
    pub require_two_factor: &'static str,
    pub require_two_factor_hint: &'static str,
    pub reset_two_factor: &'static str,
    pub weekdays: [&'static str; 7],
    pub wa: WhatsAppTexts,
    pub ph: PhoneTexts,
}

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

    /// What a template of outgoing mail is for, by its name.
    pub fn template_label(&self, name: &str) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (name, spanish) {
            ("acknowledgement_subject", true) => "Acuse de recibo: asunto",
            ("acknowledgement_body", true) => "Acuse de recibo: texto",
            ("reply_subject", true) => "Respuesta de un agente: asunto",
            ("reply_footer", true) => "Respuesta de un agente: pie",
            ("item_screenshot", true) => "Qué se pide si faltan capturas",
            ("item_location", true) => "Qué se pide si falta dónde ocurre",
            ("item_timing", true) => "Qué se pide si falta cuándo ocurre",
            ("item_account_user", true) => "Qué se pide si faltan la cuenta y el usuario",
            ("item_description", true) => "Qué se pide si falta una descripción detallada",
            ("notification_subject", true) => "Aviso a los agentes: asunto",
            ("notification_body", true) => "Aviso a los agentes: texto",
            ("satisfaction_subject", true) => "Solicitud resuelta, con la valoración: asunto",
            ("satisfaction_body", true) => "Solicitud resuelta, con la valoración: texto",
            ("acknowledgement_subject", false) => "Acknowledgement: subject",
            ("acknowledgement_body", false) => "Acknowledgement: text",
            ("reply_subject", false) => "Agent's reply: subject",
            ("reply_footer", false) => "Agent's reply: footer",
            ("item_screenshot", false) => "Asked for when screenshots are missing",
            ("item_location", false) => "Asked for when where it happens is missing",
            ("item_timing", false) => "Asked for when when it happens is missing",
            ("item_account_user", false) => "Asked for when the account and user are missing",
            ("item_description", false) => "Asked for when a detailed description is missing",
            ("notification_subject", false) => "Notice to agents: subject",
            ("notification_body", false) => "Notice to agents: text",
            ("satisfaction_subject", false) => "Request solved, asking for a rating: subject",
            ("satisfaction_body", false) => "Request solved, asking for a rating: text",
            _ => "",
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
