//! Outgoing mail as MIME, built with lettre's message builder from an outbox row. The same
//! row always gives the same Message-ID and date, so a retried delivery is recognisably the
//! same message. Header values come from data, never from raw text: the builder encodes
//! them, so a subject with a line break cannot add a header.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};
use soporte_core::email::{OutgoingAttachment, OutgoingEmail};
use std::time::{Duration, SystemTime};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("address {0:?} cannot be used: {1}")]
    Address(String, String),
    #[error("the message cannot be built: {0}")]
    Build(String),
}

fn mailbox(raw: &str) -> Result<LettreMailbox, RenderError> {
    raw.parse::<LettreMailbox>()
        .map_err(|e| RenderError::Address(raw.to_string(), e.to_string()))
}

/// Header values from user input lose their line breaks before they reach the builder.
fn one_line(raw: &str) -> String {
    raw.split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn bracket(id: &str) -> String {
    format!("<{}>", id.trim_matches(['<', '>', ' ']))
}

/// Text made inert inside HTML element content.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An HTML version of a plain-text message, for mail programs that show HTML best: the
/// text escaped, paragraphs and line breaks kept, the signature in grey.
pub fn text_to_html(text: &str) -> String {
    let (body, signature) = match text.split_once("\n-- \n") {
        Some((body, signature)) => (body, Some(signature)),
        None => (text, None),
    };
    let paragraphs = |t: &str| {
        t.split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(|p| format!("<p>{}</p>", escape_html(p.trim()).replace('\n', "<br>")))
            .collect::<String>()
    };
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">{}",
        paragraphs(body)
    );
    if let Some(signature) = signature {
        html.push_str(&format!(
            "<div style=\"color:#666\">{}</div>",
            paragraphs(signature)
        ));
    }
    html.push_str("</body></html>");
    html
}

/// The RFC 5322 bytes of an outgoing e-mail: text and HTML alternatives, attachments.
pub fn render(
    email: &OutgoingEmail,
    attachments: &[(OutgoingAttachment, Vec<u8>)],
) -> Result<Vec<u8>, RenderError> {
    let mut builder = lettre::Message::builder()
        .from(mailbox(&email.from)?)
        .subject(one_line(&email.subject))
        .message_id(Some(bracket(&email.message_id)))
        .date(
            SystemTime::UNIX_EPOCH
                + Duration::from_micros(u64::try_from(email.date_micros).unwrap_or(0)),
        );
    for to in &email.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &email.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    if let Some(parent) = &email.in_reply_to {
        builder = builder.in_reply_to(bracket(parent));
    }
    if !email.references.is_empty() {
        builder = builder.references(
            email
                .references
                .iter()
                .map(|r| bracket(r))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if email.automatic {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".to_string(),
        ));
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Auto-Response-Suppress"),
            "All".to_string(),
        ));
    }
    let html = email
        .html
        .clone()
        .unwrap_or_else(|| text_to_html(&email.text));
    // Boundaries derived from the Message-ID make a retried delivery byte-identical; the
    // "=_" prefix cannot occur in quoted-printable or base64 content.
    let tag: String = email
        .message_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .collect();
    let body = MultiPart::alternative()
        .boundary(format!("=_alt_{tag}"))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html),
        );
    let message = if attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed()
            .boundary(format!("=_mix_{tag}"))
            .multipart(body);
        for (meta, bytes) in attachments {
            let content_type = ContentType::parse(&meta.media_type).unwrap_or(
                ContentType::parse("application/octet-stream")
                    .map_err(|e| RenderError::Build(e.to_string()))?,
            );
            mixed = mixed.singlepart(
                Attachment::new(one_line(&meta.filename)).body(bytes.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    }
    .map_err(|e| RenderError::Build(e.to_string()))?;
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> OutgoingEmail {
        OutgoingEmail {
            from: "Soporte Vendomia <soporte@vendomia.com>".into(),
            to: vec!["Luis Pérez <luis@tienda.es>".into()],
            cc: vec![],
            subject: "[VND-000042] Re: Política de Garantía\r\nBcc: victim@example.com".into(),
            message_id: "vnd-42.abc@vendomia.com".into(),
            in_reply_to: Some("CAB123@mail.gmail.com".into()),
            references: vec!["first@tienda.es".into(), "CAB123@mail.gmail.com".into()],
            text: "Hola Luis,\nya está corregido.".into(),
            html: None,
            automatic: false,
            attachments: vec![],
            date_micros: 1_800_000_000_000_000,
        }
    }

    #[test]
    fn replies_thread_and_cannot_inject_headers() -> Result<(), Box<dyn std::error::Error>> {
        let bytes = render(&reply(), &[])?;
        let parsed = crate::parse(&bytes)?;
        assert_eq!(
            parsed.message_id.as_deref(),
            Some("vnd-42.abc@vendomia.com")
        );
        assert_eq!(parsed.in_reply_to, ["CAB123@mail.gmail.com"]);
        assert_eq!(
            parsed.references,
            ["first@tienda.es", "CAB123@mail.gmail.com"]
        );
        assert_eq!(
            parsed.subject,
            "[VND-000042] Re: Política de Garantía Bcc: victim@example.com"
        );
        assert_eq!(parsed.text, "Hola Luis,\nya está corregido.");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{text}"
        );
        assert!(!text.contains("Auto-Submitted"));
        assert!(
            parsed
                .html
                .as_deref()
                .is_some_and(|h| h.contains("<p>Hola Luis,<br>ya está corregido.</p>")),
            "an HTML part goes along: {:?}",
            parsed.html
        );
        assert_eq!(
            render(&reply(), &[])?,
            bytes,
            "the same row renders the same bytes"
        );
        Ok(())
    }

    #[test]
    fn any_display_name_reaches_the_recipient_as_a_name() -> Result<(), Box<dyn std::error::Error>>
    {
        for name in [
            "Ana\r\nBcc: victim@example.com",
            "Pérez, Ana \"la de facturas\"",
            "ana@otra.example <x@evil.example>",
            "Back\\slash",
        ] {
            let to = soporte_core::email::Mailbox {
                address: "ana@tienda.es".into(),
                name: Some(name.into()),
            };
            let mut mail = reply();
            mail.to = vec![to.display()];
            let parsed = crate::parse(&render(&mail, &[])?)?;
            assert_eq!(
                parsed.to,
                [soporte_core::email::Mailbox {
                    address: "ana@tienda.es".into(),
                    name: Some(soporte_core::directory::display_name(name)),
                }],
                "{name:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn automatic_mail_is_marked_and_attachments_travel() -> Result<(), Box<dyn std::error::Error>> {
        let mut ack = reply();
        ack.automatic = true;
        ack.html = Some("<p>Recibido</p>".into());
        let pdf = OutgoingAttachment {
            sha256: "ab".repeat(32),
            filename: "factura.pdf".into(),
            media_type: "application/pdf".into(),
        };
        let bytes = render(&ack, &[(pdf, b"%PDF-1.4".to_vec())])?;
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
        let parsed = crate::parse(&bytes)?;
        assert_eq!(parsed.attachments.len(), 1);
        assert_eq!(parsed.attachments[0].filename, "factura.pdf");
        assert_eq!(parsed.attachments[0].bytes, b"%PDF-1.4");
        assert!(parsed.html.is_some());
        Ok(())
    }
}
