//! Meta's error codes in words an agent can act on, Spanish first.
//!
//! The codes and their meanings come from Meta's error-code page
//! (<https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes>);
//! the wording is ours: it says what happened and what the agent can do, not how the API
//! names it.

use std::fmt;

/// A code explained in Spanish and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainReason {
    pub code: i64,
    pub es: &'static str,
    pub en: &'static str,
    /// `false` for the generic fallback, whose text does not name the cause.
    pub known: bool,
}

impl PlainReason {
    /// The Spanish text, with the code appended when the reason is the generic fallback
    /// (so the agent can still quote it to support).
    pub fn es_text(&self) -> String {
        if self.known {
            self.es.to_string()
        } else {
            format!("{} (código {})", self.es, self.code)
        }
    }

    /// The English text, with the code for the generic fallback.
    pub fn en_text(&self) -> String {
        if self.known {
            self.en.to_string()
        } else {
            format!("{} (code {})", self.en, self.code)
        }
    }
}

impl fmt::Display for PlainReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.es_text())
    }
}

const TABLE: &[(i64, &str, &str)] = &[
    (
        131047,
        "Han pasado más de 24 horas desde el último mensaje del cliente: solo se puede enviar una plantilla aprobada.",
        "More than 24 hours have passed since the customer's last message: only an approved template can be sent.",
    ),
    (
        131026,
        "No se pudo entregar el mensaje: el número puede no tener WhatsApp, haber bloqueado a la empresa o usar una versión antigua.",
        "The message could not be delivered: the number may not be on WhatsApp, may have blocked the business or may run an old version.",
    ),
    (
        130429,
        "Se alcanzó el límite de envíos por segundo de WhatsApp: se reintentará en unos momentos.",
        "WhatsApp's sending rate limit was reached: it will be retried in a moment.",
    ),
    (
        131056,
        "Demasiados mensajes seguidos a este mismo cliente: se reintentará en unos minutos.",
        "Too many messages in a row to this same customer: it will be retried in a few minutes.",
    ),
    (
        131048,
        "WhatsApp limitó los envíos de este número por reportes de spam: revise la calidad del número en WhatsApp Manager.",
        "WhatsApp limited this number's sending after spam reports: check the number's quality in WhatsApp Manager.",
    ),
    (
        80007,
        "La cuenta de WhatsApp Business alcanzó su límite de llamadas: se reintentará más tarde.",
        "The WhatsApp Business account reached its call limit: it will be retried later.",
    ),
    (
        4,
        "La aplicación alcanzó su límite de llamadas a la API: se reintentará más tarde.",
        "The app reached its API call limit: it will be retried later.",
    ),
    (
        190,
        "La conexión con WhatsApp caducó o fue revocada: un administrador debe reconectar el número (Reconectar).",
        "The WhatsApp connection expired or was revoked: an administrator must reconnect the number (Reconnect).",
    ),
    (
        0,
        "WhatsApp no aceptó las credenciales: un administrador debe reconectar el número (Reconectar).",
        "WhatsApp did not accept the credentials: an administrator must reconnect the number (Reconnect).",
    ),
    (
        131051,
        "El cliente envió un tipo de mensaje que WhatsApp no permite recibir aquí (por ejemplo, una encuesta o un mensaje borrado): pídale que lo envíe como texto, foto o documento.",
        "The customer sent a message type WhatsApp cannot deliver here (for example a poll or a deleted message): ask them to send it as text, a photo or a document.",
    ),
    (
        131052,
        "No se pudo descargar el archivo que envió el cliente: pídale que lo vuelva a enviar.",
        "The file the customer sent could not be downloaded: ask them to send it again.",
    ),
    (
        131053,
        "WhatsApp no pudo procesar el archivo adjunto (tipo o tamaño no admitido): pruebe con otro formato o un archivo más pequeño.",
        "WhatsApp could not process the attachment (unsupported type or size): try another format or a smaller file.",
    ),
    (
        132000,
        "La plantilla no recibió el número de variables que espera: revise los parámetros.",
        "The template did not get the number of variables it expects: check the parameters.",
    ),
    (
        132001,
        "La plantilla no existe, no está aprobada o no existe en ese idioma.",
        "The template does not exist, is not approved or does not exist in that language.",
    ),
    (
        132015,
        "La plantilla está pausada por baja calidad: elija otra o edítela.",
        "The template is paused for low quality: choose another or edit it.",
    ),
    (
        132016,
        "La plantilla está desactivada: elija otra.",
        "The template is disabled: choose another one.",
    ),
    (
        133010,
        "El número de la empresa no está registrado en la API de WhatsApp Cloud: un administrador debe registrarlo.",
        "The business number is not registered with the WhatsApp Cloud API: an administrator must register it.",
    ),
    (
        131021,
        "El destinatario es el propio número de la empresa.",
        "The recipient is the business's own number.",
    ),
    (
        131050,
        "El cliente pidió no recibir mensajes de marketing de esta empresa.",
        "The customer asked not to receive marketing messages from this business.",
    ),
    (
        131009,
        "WhatsApp rechazó un valor del mensaje (por ejemplo, un número o un identificador inválido).",
        "WhatsApp rejected a value in the message (for example an invalid number or id).",
    ),
    (
        100,
        "WhatsApp rechazó la petición por un parámetro inválido.",
        "WhatsApp rejected the request because of an invalid parameter.",
    ),
    (
        131000,
        "WhatsApp tuvo un error interno: se reintentará más tarde.",
        "WhatsApp had an internal error: it will be retried later.",
    ),
    (
        368,
        "La cuenta está bloqueada temporalmente por incumplir las políticas de WhatsApp.",
        "The account is temporarily blocked for breaking WhatsApp policies.",
    ),
    (
        131031,
        "La cuenta de WhatsApp Business está bloqueada: contacte con el soporte de Meta.",
        "The WhatsApp Business account is locked: contact Meta support.",
    ),
];

/// Explains `code` for an agent; unknown codes get a generic text carrying the code.
pub fn plain_reason(code: i64) -> PlainReason {
    match TABLE.iter().find(|(c, _, _)| *c == code) {
        Some(&(code, es, en)) => PlainReason {
            code,
            es,
            en,
            known: true,
        },
        None => PlainReason {
            code,
            es: "WhatsApp rechazó el mensaje",
            en: "WhatsApp rejected the message",
            known: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_and_fallback() {
        let r = plain_reason(131047);
        assert!(r.known);
        assert!(r.es.starts_with("Han pasado más de 24 horas"));
        assert!(r.en.starts_with("More than 24 hours"));
        assert!(plain_reason(190).es.contains("Reconectar"));
        let unknown = plain_reason(999_999);
        assert!(!unknown.known);
        assert_eq!(
            unknown.es_text(),
            "WhatsApp rechazó el mensaje (código 999999)"
        );
        assert_eq!(
            unknown.en_text(),
            "WhatsApp rejected the message (code 999999)"
        );
        assert_eq!(plain_reason(131026).to_string(), plain_reason(131026).es);
    }

    #[test]
    fn every_code_appears_once() {
        for (i, (code, ..)) in TABLE.iter().enumerate() {
            assert!(
                !TABLE[i + 1..].iter().any(|(c, ..)| c == code),
                "{code} twice"
            );
        }
    }
}
