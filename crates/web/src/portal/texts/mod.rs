//! Every word the customer portal shows, in Spanish (the default) and English: the pages
//! read them as `t.field`, and the words that depend on a value (a request's status, what
//! it waits for) come from the functions here. Nothing a customer reads is written in a
//! template itself.

mod english;
mod spanish;

use crate::console::Lang;
use soporte_app::portal::UploadRefusal;
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::policy::rules::SupportTypeText;
use soporte_core::ticket::Status;

pub struct PortalTexts {
    pub lang: Lang,
    pub portal: &'static str,
    pub other_language: &'static str,
    pub other_language_code: &'static str,
    pub skip_to_content: &'static str,
    // Signing in
    pub sign_in_title: &'static str,
    pub sign_in_intro: &'static str,
    pub email: &'static str,
    pub send_link: &'static str,
    pub with_password: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub wrong_credentials: &'static str,
    pub link_sent_title: &'static str,
    pub link_sent: &'static str,
    pub link_sent_hint: &'static str,
    pub link_title: &'static str,
    pub link_continue: &'static str,
    pub link_for_request: &'static str,
    pub link_used: &'static str,
    pub link_expired: &'static str,
    pub link_unknown: &'static str,
    pub ask_new_link: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub too_many: &'static str,
    pub invalid_email: &'static str,
    // Password
    pub password_title: &'static str,
    pub password_intro: &'static str,
    pub password_change_intro: &'static str,
    pub new_password: &'static str,
    pub password_hint: &'static str,
    pub save_password: &'static str,
    pub password_saved: &'static str,
    // Requests
    pub my_requests: &'static str,
    pub account_requests: &'static str,
    pub new_request: &'static str,
    pub open_requests: &'static str,
    pub closed_requests: &'static str,
    pub no_open_requests: &'static str,
    pub no_closed_requests: &'static str,
    pub updated: &'static str,
    pub requested_by: &'static str,
    pub waiting_for_us: &'static str,
    pub waiting_for_you: &'static str,
    pub more: &'static str,
    pub conversation: &'static str,
    pub you: &'static str,
    pub support: &'static str,
    pub attachments: &'static str,
    pub call_summary: &'static str,
    pub reply: &'static str,
    pub reply_label: &'static str,
    pub send_reply: &'static str,
    pub reply_sent: &'static str,
    pub attach_files: &'static str,
    pub expect_answer_by: &'static str,
    pub expect_answer_soon: &'static str,
    pub expect_solution_by: &'static str,
    pub back_to_requests: &'static str,
    pub empty_reply: &'static str,
    pub closed_write_new: &'static str,
    pub by_email: &'static str,
    pub by_whatsapp: &'static str,
    pub by_phone: &'static str,
    pub by_portal: &'static str,
    // Writing a request
    pub new_request_intro: &'static str,
    pub type_question: &'static str,
    pub type_auto: &'static str,
    pub type_auto_hint: &'static str,
    pub subject_label: &'static str,
    pub subject_hint: &'static str,
    pub description_label: &'static str,
    pub description_hint: &'static str,
    pub where_label: &'static str,
    pub area_none: &'static str,
    pub place_label: &'static str,
    pub when_label: &'static str,
    pub when_hint: &'static str,
    pub screenshots_label: &'static str,
    pub screenshots_hint: &'static str,
    pub urgent_label: &'static str,
    pub urgency_reason_label: &'static str,
    pub send_request: &'static str,
    pub subject_wanted: &'static str,
    pub description_wanted: &'static str,
    pub checklist_title: &'static str,
    pub checklist_intro: &'static str,
    pub checklist_complete: &'static str,
    pub never_blocks: &'static str,
    pub example_intro: &'static str,
    pub policy_example: &'static str,
    pub suggested_type: &'static str,
    pub call_if_urgent: &'static str,
    pub request_created: &'static str,
    pub given: &'static str,
    pub still_wanted: &'static str,
    // Solving and reopening
    pub mark_solved: &'static str,
    pub mark_solved_hint: &'static str,
    pub reopen: &'static str,
    pub reopen_until: &'static str,
    pub solved_done: &'static str,
    pub reopened: &'static str,
    pub cannot_reopen: &'static str,
    // Rating a solved request
    pub rate_title: &'static str,
    pub rate_intro: &'static str,
    pub rate_comment: &'static str,
    pub rate_send: &'static str,
    pub rate_invalid: &'static str,
    pub rated_thanks: &'static str,
    pub already_rated: &'static str,
    pub your_rating: &'static str,
    pub out_of_five: &'static str,
    pub rate_link_title: &'static str,
    pub rate_link_expired: &'static str,
    pub rate_follow: &'static str,
    // Adding what is missing
    pub add_missing_title: &'static str,
    pub add_missing_intro: &'static str,
    pub add_missing_send: &'static str,
    pub added: &'static str,
    pub nothing_added: &'static str,
    // Errors
    pub error_title: &'static str,
    pub not_found: &'static str,
    pub forgery: &'static str,
    pub unavailable: &'static str,
    pub server_error: &'static str,
    pub not_saved: &'static str,
}

impl PortalTexts {
    pub fn of(lang: Lang) -> &'static PortalTexts {
        match lang {
            Lang::Es => &spanish::SPANISH,
            Lang::En => &english::ENGLISH,
        }
    }

    /// A rating's words, from 1 (bad) to 5 (very good).
    pub fn rating_word(&self, rating: i16) -> &'static str {
        match (rating, self.lang) {
            (1, Lang::Es) => "Muy mal",
            (2, Lang::Es) => "Mal",
            (3, Lang::Es) => "Regular",
            (4, Lang::Es) => "Bien",
            (5, Lang::Es) => "Muy bien",
            (1, Lang::En) => "Very poor",
            (2, Lang::En) => "Poor",
            (3, Lang::En) => "Fair",
            (4, Lang::En) => "Good",
            (5, Lang::En) => "Very good",
            _ => "",
        }
    }

    /// A request's status as its customer reads it.
    pub fn status(&self, status: Status) -> &'static str {
        let spanish = self.lang == Lang::Es;
        match (status, spanish) {
            (Status::New, true) => "Recibida",
            (Status::Open | Status::OnHold, true) => "En curso",
            (Status::Pending, true) => "Esperando su respuesta",
            (Status::Solved, true) => "Resuelta",
            (Status::Closed, true) => "Cerrada",
            (Status::New, false) => "Received",
            (Status::Open | Status::OnHold, false) => "In progress",
            (Status::Pending, false) => "Waiting for your answer",
            (Status::Solved, false) => "Solved",
            (Status::Closed, false) => "Closed",
        }
    }

    /// Who the request waits for, when it waits for anyone.
    pub fn waiting_for(&self, status: Status) -> &'static str {
        match status {
            Status::New | Status::Open | Status::OnHold => self.waiting_for_us,
            Status::Pending => self.waiting_for_you,
            Status::Solved | Status::Closed => "",
        }
    }

    /// What a checklist item is called on the form.
    pub fn item_name(&self, item: ChecklistItem) -> &'static str {
        match (item, self.lang) {
            (ChecklistItem::Screenshot, Lang::Es) => "Capturas de pantalla del error",
            (ChecklistItem::Location, Lang::Es) => "Dónde ocurre",
            (ChecklistItem::Timing, Lang::Es) => "Cuándo ocurre",
            (ChecklistItem::AccountUser, Lang::Es) => "En qué cuenta y con qué usuario",
            (ChecklistItem::Description, Lang::Es) => "Una descripción detallada",
            (ChecklistItem::Screenshot, Lang::En) => "Screenshots of the error",
            (ChecklistItem::Location, Lang::En) => "Where it happens",
            (ChecklistItem::Timing, Lang::En) => "When it happens",
            (ChecklistItem::AccountUser, Lang::En) => "Which account and user",
            (ChecklistItem::Description, Lang::En) => "A detailed description",
        }
    }

    /// How to give a checklist item that is still wanted.
    pub fn item_hint(&self, item: ChecklistItem) -> &'static str {
        match (item, self.lang) {
            (ChecklistItem::Screenshot, Lang::Es) => {
                "Pegue una captura (Ctrl+V), arrástrela aquí o elíjala de sus archivos."
            }
            (ChecklistItem::Location, Lang::Es) => {
                "Elija la sección (por ejemplo «Sitios Web» o «Tienda») y diga la página o el enlace."
            }
            (ChecklistItem::Timing, Lang::Es) => {
                "Diga la hora, o la acción que lo provoca (por ejemplo «al pulsar Guardar»)."
            }
            (ChecklistItem::AccountUser, Lang::Es) => {
                "Diga en qué cuenta ocurre y con qué usuario."
            }
            (ChecklistItem::Description, Lang::Es) => {
                "Cuente qué estaba haciendo, qué esperaba que pasara y qué pasó en su lugar."
            }
            (ChecklistItem::Screenshot, Lang::En) => {
                "Paste a screenshot (Ctrl+V), drop it here or choose it from your files."
            }
            (ChecklistItem::Location, Lang::En) => {
                "Choose the section (for example \"Web Sites\" or \"Shop\") and say the page or link."
            }
            (ChecklistItem::Timing, Lang::En) => {
                "Say the time, or the action that sets it off (for example \"when I click Save\")."
            }
            (ChecklistItem::AccountUser, Lang::En) => {
                "Say which account it happens in and with which user."
            }
            (ChecklistItem::Description, Lang::En) => {
                "Tell what you were doing, what you expected and what happened instead."
            }
        }
    }

    /// A support type's name and description as the policy words them.
    pub fn support_type<'p>(&self, text: &'p SupportTypeText) -> (&'p str, &'p str) {
        match self.lang {
            Lang::Es => (&text.label_es, &text.description_es),
            Lang::En => (&text.label_en, &text.description_en),
        }
    }

    /// Why an upload was refused, with the limit, in the customer's language.
    pub fn upload_refusal(&self, refusal: &UploadRefusal) -> String {
        let mb = |bytes: usize| bytes / (1024 * 1024);
        match (self.lang, refusal) {
            (Lang::Es, UploadRefusal::TooMany { limit }) => {
                format!("Puede adjuntar como mucho {limit} archivos a la vez.")
            }
            (Lang::En, UploadRefusal::TooMany { limit }) => {
                format!("You can attach at most {limit} files at a time.")
            }
            (
                Lang::Es,
                UploadRefusal::TooLarge {
                    filename,
                    limit_bytes,
                },
            ) => format!(
                "«{filename}» es demasiado grande: el límite es de {} MB por archivo.",
                mb(*limit_bytes)
            ),
            (
                Lang::En,
                UploadRefusal::TooLarge {
                    filename,
                    limit_bytes,
                },
            ) => format!(
                "\"{filename}\" is too large: the limit is {} MB a file.",
                mb(*limit_bytes)
            ),
            (Lang::Es, UploadRefusal::NotAnImage { filename }) => format!(
                "«{filename}» no es una imagen PNG, JPEG, GIF ni WebP, aunque su nombre lo parezca."
            ),
            (Lang::En, UploadRefusal::NotAnImage { filename }) => {
                format!(
                    "\"{filename}\" is no PNG, JPEG, GIF or WebP image, whatever its name says."
                )
            }
            (Lang::Es, UploadRefusal::NotAccepted { filename }) => format!(
                "«{filename}» no es un tipo de archivo admitido: imágenes (PNG, JPEG, GIF, WebP), PDF, texto o documentos de Office."
            ),
            (Lang::En, UploadRefusal::NotAccepted { filename }) => format!(
                "\"{filename}\" is not a file type we take: images (PNG, JPEG, GIF, WebP), PDF, text or office documents."
            ),
        }
    }

    /// What may be attached, with the limits.
    pub fn files_hint(&self, max_files: usize, max_file_mb: usize) -> String {
        match self.lang {
            Lang::Es => format!(
                "Hasta {max_files} archivos de {max_file_mb} MB como mucho: imágenes (PNG, JPEG, GIF, WebP), PDF, texto o documentos de Office."
            ),
            Lang::En => format!(
                "Up to {max_files} files of at most {max_file_mb} MB each: images (PNG, JPEG, GIF, WebP), PDF, text or office documents."
            ),
        }
    }
}
