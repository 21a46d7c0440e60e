//! Mail written by machines: auto-replies (out of office), bounces (delivery status
//! notifications) and bulk mail. Soporte keeps them, but never answers them automatically:
//! answering a robot is how mail loops start.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use soporte_core::email::AutomaticKind as Automatic;
use std::sync::LazyLock;

/// What the headers and structure say about who wrote a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    pub automatic: Option<Automatic>,
    /// Why no automatic answer may be sent, if one of the loop rules applies.
    pub no_auto_answer: Option<&'static str>,
    /// For a bounce: the Message-ID of the message that could not be delivered.
    pub bounced_message_id: Option<String>,
}

static AUTO_REPLY_SUBJECT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^\s*(auto:|auto[- ]?reply|automatic reply|respuesta autom[aá]tica|out of (the )?office|fuera de la oficina|ausencia|r[ée]ponse automatique|abwesenheitsnotiz)",
    )
    .expect("the auto-reply subject pattern is valid")
});

static BOUNCE_SUBJECT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)(undeliver|returned mail|delivery status notification|failure notice|mail delivery failed|delivery failure|mail failure|no se (ha )?pudo entregar|no entregado|unzustellbar|не доставлено)",
    )
    .expect("the bounce subject pattern is valid")
});

static MESSAGE_ID_LINE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?im)^message-id:\s*<?([^>\s]+)>?")
        .expect("the Message-ID pattern is valid")
});

fn header_text<'a>(message: &'a Message<'_>, name: &'a str) -> Option<&'a str> {
    message.header_raw(name).map(str::trim)
}

pub fn detect(message: &Message<'_>, from: Option<&str>) -> Signals {
    let mut signals = Signals::default();
    let subject = message.subject().unwrap_or_default();
    let from_local = from
        .and_then(|f| f.split('@').next())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let from_daemon = matches!(
        from_local.as_str(),
        "mailer-daemon" | "postmaster" | "mail-daemon"
    );
    let report_type = message.root_part().content_type().and_then(|ct| {
        let is_report = ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"));
        is_report.then(|| {
            ct.attribute("report-type")
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
    });
    let is_delivery_report = report_type.as_deref() == Some("delivery-status");
    let auto_submitted = header_text(message, "Auto-Submitted").map(str::to_ascii_lowercase);
    let auto_header = auto_submitted
        .as_deref()
        .is_some_and(|v| !v.starts_with("no"))
        || header_text(message, "X-Autoreply").is_some()
        || header_text(message, "X-Autorespond").is_some()
        || header_text(message, "X-Auto-Response").is_some();
    // A delivery report, or a robot's message that says delivery failed, is a bounce;
    // other reports (abuse feedback, read receipts) and auto-replies are automatic mail.
    if is_delivery_report || ((from_daemon || auto_header) && BOUNCE_SUBJECT.is_match(subject)) {
        signals.automatic = Some(Automatic::Bounce);
        signals.bounced_message_id = bounced_message_id(message);
    } else if report_type.is_some() || auto_header || AUTO_REPLY_SUBJECT.is_match(subject) {
        signals.automatic = Some(Automatic::AutoReply);
    }

    let precedence = header_text(message, "Precedence").map(str::to_ascii_lowercase);
    signals.no_auto_answer = if signals.automatic == Some(Automatic::Bounce) {
        Some("delivery report")
    } else if signals.automatic.is_some() {
        Some("automatic mail")
    } else if from_daemon {
        Some("sent by a mail system")
    } else if precedence
        .as_deref()
        .is_some_and(|p| matches!(p, "bulk" | "junk" | "list"))
    {
        Some("bulk mail (Precedence)")
    } else if header_text(message, "List-Id").is_some() {
        Some("mailing list (List-Id)")
    } else {
        None
    };
    signals
}

/// The Message-ID of the original message inside a delivery report: from its
/// `message/rfc822` or `text/rfc822-headers` part, or from the report's text.
fn bounced_message_id(message: &Message<'_>) -> Option<String> {
    for part in &message.parts {
        match &part.body {
            PartType::Message(inner) => {
                if let Some(id) = inner.message_id() {
                    return Some(id.to_string());
                }
            }
            PartType::Text(text)
                if part.content_type().is_some_and(|ct| {
                    ct.subtype()
                        .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers"))
                }) =>
            {
                if let Some(id) = MessageParser::default()
                    .parse(text.as_bytes())
                    .and_then(|m| m.message_id().map(str::to_string))
                {
                    return Some(id);
                }
            }
            _ => {}
        }
    }
    message
        .text_bodies()
        .filter_map(|p| p.text_contents())
        .find_map(|t| {
            MESSAGE_ID_LINE
                .captures(t)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(raw: &str) -> Signals {
        let message = MessageParser::default().parse(raw.as_bytes());
        match message {
            Some(m) => {
                let from = m
                    .from()
                    .and_then(|f| f.first())
                    .and_then(|a| a.address())
                    .map(str::to_string);
                detect(&m, from.as_deref())
            }
            None => Signals::default(),
        }
    }

    #[test]
    fn robots_are_recognised() {
        let base = "From: ana@tienda.es\r\nTo: soporte@vendomia.com\r\nMessage-ID: <1@t>\r\n";
        let cases = [
            ("Subject: Hola\r\n", None, None),
            (
                "Subject: Hola\r\nAuto-Submitted: auto-replied\r\n",
                Some(Automatic::AutoReply),
                Some("automatic mail"),
            ),
            ("Subject: Hola\r\nAuto-Submitted: no\r\n", None, None),
            (
                "Subject: Respuesta automática: Factura\r\n",
                Some(Automatic::AutoReply),
                Some("automatic mail"),
            ),
            (
                "Subject: Out of Office: Re: VND-000001\r\n",
                Some(Automatic::AutoReply),
                Some("automatic mail"),
            ),
            (
                "Subject: Hola\r\nX-Autoreply: yes\r\n",
                Some(Automatic::AutoReply),
                Some("automatic mail"),
            ),
            (
                "Subject: Boletín\r\nPrecedence: bulk\r\n",
                None,
                Some("bulk mail (Precedence)"),
            ),
            (
                "Subject: Auto reply: Nyaan\r\n",
                Some(Automatic::AutoReply),
                Some("automatic mail"),
            ),
            (
                "Subject: Mail failure.\r\nAuto-Submitted: auto-replied\r\n",
                Some(Automatic::Bounce),
                Some("delivery report"),
            ),
            (
                "Subject: Abuse report\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=x\r\n",
                Some(Automatic::AutoReply),
                Some("automatic mail"),
            ),
            (
                "Subject: Hilo\r\nList-Id: <clientes.tienda.es>\r\n",
                None,
                Some("mailing list (List-Id)"),
            ),
        ];
        for (headers, automatic, no_answer) in cases {
            let got = signals(&format!("{base}{headers}\r\nCuerpo\r\n"));
            assert_eq!(got.automatic, automatic, "{headers}");
            assert_eq!(got.no_auto_answer, no_answer, "{headers}");
        }
    }

    #[test]
    fn bounces_name_the_message_that_bounced() {
        let raw = "From: MAILER-DAEMON@mx.tienda.es\r\nTo: soporte@vendomia.com\r\nSubject: Undelivered Mail Returned to Sender\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nNo se pudo entregar.\r\n\
--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.tienda.es\r\n\r\nFinal-Recipient: rfc822; nadie@tienda.es\r\nAction: failed\r\nStatus: 5.1.1\r\n\
--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: soporte@vendomia.com\r\nTo: nadie@tienda.es\r\nMessage-ID: <out-42@soporte.vendomia.com>\r\nSubject: [VND-000042] Re: Factura\r\n\r\n\
--b--\r\n";
        let got = signals(raw);
        assert_eq!(got.automatic, Some(Automatic::Bounce));
        assert_eq!(
            got.bounced_message_id.as_deref(),
            Some("out-42@soporte.vendomia.com")
        );
        assert_eq!(got.no_auto_answer, Some("delivery report"));
    }
}
