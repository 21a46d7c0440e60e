//! Raw RFC 5322 bytes, parsed by mail-parser into the domain's [`InboundEmail`].

use crate::automatic;
use crate::{html, reply, uuencode};
use mail_parser::{Address, Message, MessageParser, MessagePartId, MimeHeaders, PartType};
use soporte_core::directory::normalize_mail_address;
use soporte_core::email::{InboundAttachment, InboundEmail, Mailbox, SignatureKind};
use std::collections::HashSet;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("not an e-mail message (no headers could be read)")]
    NotAMessage,
    /// The MIME parser stopped on a check of its own (found by fuzzing: a multipart report
    /// whose parts it loses track of). The message is quarantined with its original.
    #[error("the MIME structure could not be read (the parser gave up on it)")]
    ParserGaveUp,
}

/// The MIME parser's reading of `raw`, or `None` where it finds no message. The parser is
/// a dependency reading untrusted bytes: if it stops on an internal check instead of
/// returning, that is this message's failure, never the intake's.
pub(crate) fn parse_mime(raw: &[u8]) -> Result<Option<Message<'_>>, ParseError> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .map_err(|_| ParseError::ParserGaveUp)
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|a| {
            a.iter()
                .filter_map(|addr| {
                    let address = normalize_mail_address("address", addr.address()?).ok()?;
                    Some(Mailbox {
                        address,
                        name: addr
                            .name()
                            .map(soporte_core::directory::display_name)
                            .filter(|n| !n.is_empty()),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn id_list(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(t) => vec![t.trim_matches(['<', '>', ' ']).to_string()],
        mail_parser::HeaderValue::TextList(list) => list
            .iter()
            .map(|t| t.trim_matches(['<', '>', ' ']).to_string())
            .collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|id| !id.is_empty())
    .collect()
}

/// The signatures of `multipart/signed` parts (RFC 1847: the signed content first, then its
/// signature): the kind of the first one, and every signature part, which is no attachment
/// for a person to open.
fn signatures(message: &Message<'_>) -> (Option<SignatureKind>, HashSet<MessagePartId>) {
    let mut kind = None;
    let mut parts = HashSet::new();
    for part in &message.parts {
        let signed = part.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("signed"))
        });
        let PartType::Multipart(children) = &part.body else {
            continue;
        };
        if !signed {
            continue;
        }
        for &id in children.iter().skip(1) {
            let subtype = message
                .part(id)
                .and_then(|p| p.content_type())
                .filter(|ct| ct.ctype().eq_ignore_ascii_case("application"))
                .and_then(|ct| ct.subtype())
                .map(str::to_ascii_lowercase);
            let found = match subtype.as_deref() {
                Some("pgp-signature") => SignatureKind::Pgp,
                Some("pkcs7-signature" | "x-pkcs7-signature") => SignatureKind::Smime,
                _ => continue,
            };
            kind.get_or_insert(found);
            parts.insert(id);
        }
    }
    (kind, parts)
}

/// Parses raw RFC 5322 bytes. Broken input is read as far as it goes: only bytes with no
/// recognisable header at all are refused.
pub fn parse(raw: &[u8]) -> Result<InboundEmail, ParseError> {
    let as_sent = parse_mime(raw)?.ok_or(ParseError::NotAMessage)?;
    // Raw 8-bit header bytes (Latin-1, Windows-1252) decoded, the message is read again.
    let utf8_headers = crate::header_bytes::with_utf8_headers(&as_sent);
    let message = match &utf8_headers {
        Some(bytes) => parse_mime(bytes.as_slice())?.unwrap_or(as_sent),
        None => as_sent,
    };
    if message.headers().is_empty() {
        return Err(ParseError::NotAMessage);
    }
    let from = mailboxes(message.from()).into_iter().next();
    let signals = automatic::detect(&message, from.as_ref().map(|m| m.address.as_str()));

    let html_source: Option<String> = message
        .html_bodies()
        .filter_map(|p| match &p.body {
            PartType::Html(h) => Some(h.to_string()),
            _ => None,
        })
        .reduce(|a, b| a + "\n" + &b);
    // Files uuencoded in the text (`begin 644 name` .. `end`) leave it as attachments.
    let mut uuencoded = Vec::new();
    let text_source: Option<String> = message
        .text_bodies()
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(match uuencode::extract(t) {
                Some((text, files)) => {
                    uuencoded.extend(files);
                    text
                }
                None => t.to_string(),
            }),
            _ => None,
        })
        .reduce(|a, b| a + "\n" + &b);
    let full_text = match (text_source, &html_source) {
        (Some(t), _) if !t.trim().is_empty() => t,
        (_, Some(h)) => html::to_text(h),
        (Some(t), None) => t,
        (None, None) => String::new(),
    };
    let parts = reply::split_reply(&full_text);

    let (signed, signature_parts) = signatures(&message);
    let mut attachments = Vec::new();
    let attached = message
        .attachments
        .iter()
        .filter(|id| !signature_parts.contains(id));
    for part in attached.filter_map(|&id| message.part(id)) {
        let bytes = match &part.body {
            PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
            PartType::Text(t) | PartType::Html(t) => t.as_bytes().to_vec(),
            PartType::Message(m) => m.raw_message().to_vec(),
            PartType::Multipart(_) => continue,
        };
        let media_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let content_id = part
            .content_id()
            .map(|c| c.trim_matches(['<', '>']).to_string());
        let inline = matches!(part.body, PartType::InlineBinary(_))
            || part.content_disposition().is_some_and(|d| d.is_inline()) && content_id.is_some();
        let filename = part
            .attachment_name()
            .map(str::to_string)
            .or_else(|| {
                matches!(part.body, PartType::Message(_)).then(|| "mensaje-adjunto.eml".to_string())
            })
            .unwrap_or_default();
        attachments.push(InboundAttachment {
            filename,
            media_type,
            bytes,
            inline,
            content_id,
        });
    }

    attachments.extend(uuencoded.into_iter().map(|file| InboundAttachment {
        media_type: uuencode::media_type(&file.name).to_string(),
        filename: file.name,
        bytes: file.bytes,
        inline: false,
        content_id: None,
    }));

    let mut mail = InboundEmail {
        message_id: message
            .message_id()
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty()),
        in_reply_to: id_list(message.in_reply_to()),
        references: id_list(message.references()),
        from,
        reply_to: mailboxes(message.reply_to()).into_iter().next(),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        subject: subject(&message),
        text: parts.visible,
        quoted_text: [parts.quoted, parts.signature]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        full_text,
        // Markup too deep or too large to parse safely is kept as its text and the original.
        html: html_source
            .as_deref()
            .filter(|h| html::within_bounds(h))
            .map(html::sanitize),
        attachments,
        automatic: signals.automatic,
        no_auto_answer: signals.no_auto_answer,
        bounced_message_id: signals.bounced_message_id,
        signed,
    };
    mail.make_storable();
    Ok(mail)
}

/// The subject as read, except that UTF-7 is never decoded, not even in an encoded word
/// that names it: the charset lets ASCII text stand for markup and other characters (it is
/// why browsers dropped it), so such a subject is shown as it came.
fn subject(message: &Message<'_>) -> String {
    let raw = message.header_raw("Subject").unwrap_or_default();
    if raw.to_ascii_lowercase().contains("=?utf-7?") {
        return raw.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    message.subject().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gmail_reply_is_read_whole() -> Result<(), ParseError> {
        let raw = "From: =?UTF-8?Q?Luis_P=C3=A9rez?= <Luis@Tienda.es>\r\n\
To: Soporte <soporte@vendomia.com>\r\nCc: marta@tienda.es\r\n\
Subject: Re: [VND-000042] =?ISO-8859-1?Q?Pol=EDtica?= de Garantía\r\n\
Message-ID: <CAB123@mail.gmail.com>\r\nIn-Reply-To: <out-42@soporte.vendomia.com>\r\n\
References: <first@tienda.es> <out-42@soporte.vendomia.com>\r\n\
Date: Tue, 3 Nov 2026 10:15:00 +0100\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
--alt\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Sigue pasando al a=C3=B1adir un texto.\r\n\r\n\
El lun, 2 nov 2026 a las 9:00, Soporte (<soporte@vendomia.com>) escribi=C3=B3:\r\n\
> =C2=BFNos env=C3=ADa una captura?\r\n\
--alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n\
<div>Sigue pasando<script>x()</script></div>\r\n--alt--\r\n";
        let mail = parse(raw.as_bytes())?;
        assert_eq!(mail.message_id.as_deref(), Some("CAB123@mail.gmail.com"));
        assert_eq!(
            mail.from.as_ref().map(|m| m.address.as_str()),
            Some("luis@tienda.es")
        );
        assert_eq!(
            mail.from.as_ref().and_then(|m| m.name.as_deref()),
            Some("Luis Pérez")
        );
        assert_eq!(mail.cc.len(), 1);
        assert_eq!(mail.subject, "Re: [VND-000042] Política de Garantía");
        assert_eq!(
            mail.thread_ids(),
            ["out-42@soporte.vendomia.com", "first@tienda.es"]
        );
        assert_eq!(mail.text, "Sigue pasando al añadir un texto.");
        assert!(mail.quoted_text.contains("¿Nos envía una captura?"));
        assert_eq!(
            mail.html.as_deref().map(str::trim_end),
            Some("<div>Sigue pasando</div>")
        );
        assert!(mail.automatic.is_none());
        Ok(())
    }

    #[test]
    fn markup_too_deep_to_parse_is_kept_as_its_text() -> Result<(), ParseError> {
        let raw = format!(
            "From: x@spam.example\r\nSubject: Hola\r\nMIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n{}La tienda no carga\r\n",
            "<div>".repeat(40_000)
        );
        let started = std::time::Instant::now();
        let mail = parse(raw.as_bytes())?;
        assert_eq!(mail.text, "La tienda no carga");
        assert_eq!(mail.html, None, "no HTML is kept that was not parsed");
        // It took 13.6 s when the markup was parsed; a second is ample for a debug build.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        Ok(())
    }

    #[test]
    fn html_only_mail_gets_a_text_version_and_inline_images_stay_linked() -> Result<(), ParseError>
    {
        let raw = "From: ana@tienda.es\r\nSubject: Captura\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
--rel\r\nContent-Type: text/html; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
<p>Adjunto captura del error en la p=E1gina</p><img src=3D\"cid:img1@tienda\">\r\n\
--rel\r\nContent-Type: image/png; name=\"captura.png\"\r\nContent-Disposition: inline; filename=\"captura.png\"\r\nContent-ID: <img1@tienda>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
iVBORw0KGgo=\r\n--rel--\r\n";
        let mail = parse(raw.as_bytes())?;
        assert_eq!(mail.text, "Adjunto captura del error en la página");
        assert_eq!(mail.attachments.len(), 1);
        let image = &mail.attachments[0];
        assert_eq!(
            (
                image.filename.as_str(),
                image.media_type.as_str(),
                image.inline
            ),
            ("captura.png", "image/png", true)
        );
        assert_eq!(image.content_id.as_deref(), Some("img1@tienda"));
        assert_eq!(image.bytes, b"\x89PNG\r\n\x1a\n");
        assert!(
            mail.html
                .as_deref()
                .is_some_and(|h| h.contains("cid:img1@tienda"))
        );
        assert_eq!(mail.message_id, None);
        Ok(())
    }

    #[test]
    fn a_sender_on_a_host_without_a_dot_is_a_sender() -> Result<(), ParseError> {
        let raw = "From: Cron Daemon <root@localhost>\r\nReply-To: informes@intranet\r\n\
To: soporte@vendomia.com\r\nSubject: Copia de seguridad fallida\r\n\r\nError 3\r\n";
        let mail = parse(raw.as_bytes())?;
        assert_eq!(
            mail.from.as_ref().map(|m| m.address.as_str()),
            Some("root@localhost")
        );
        assert_eq!(
            mail.reply_address().map(|m| m.address.as_str()),
            Some("informes@intranet")
        );
        Ok(())
    }

    #[test]
    fn a_signature_marks_the_mail_signed_and_is_no_attachment() -> Result<(), ParseError> {
        let signed = |protocol: &str, signature: &str| {
            format!(
                "From: ana@tienda.es\r\nSubject: Contrato\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/signed; protocol=\"{protocol}\"; micalg=sha-256; boundary=\"s\"\r\n\r\n\
--s\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAdjunto el contrato firmado.\r\n\
--m\r\nContent-Type: application/pdf; name=\"contrato.pdf\"\r\n\
Content-Disposition: attachment; filename=\"contrato.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
JVBERi0xLjQK\r\n--m--\r\n\
--s\r\nContent-Type: {signature}\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIBzQYJKoZIhvcNAQcCoIIBvjCCAboCAQE=\r\n\
--s--\r\n"
            )
        };
        let cases = [
            (
                "application/pgp-signature",
                "application/pgp-signature; name=\"signature.asc\"",
                SignatureKind::Pgp,
            ),
            (
                "application/pkcs7-signature",
                "application/pkcs7-signature; name=\"smime.p7s\"",
                SignatureKind::Smime,
            ),
            (
                "application/x-pkcs7-signature",
                "application/x-pkcs7-signature",
                SignatureKind::Smime,
            ),
        ];
        for (protocol, signature, kind) in cases {
            let mail = parse(signed(protocol, signature).as_bytes())?;
            assert_eq!(mail.signed, Some(kind), "{protocol}");
            assert_eq!(mail.text, "Adjunto el contrato firmado.");
            let names: Vec<&str> = mail
                .attachments
                .iter()
                .map(|a| a.filename.as_str())
                .collect();
            assert_eq!(names, ["contrato.pdf"], "{protocol}");
        }

        // A signature-like part outside multipart/signed is an attachment like any other.
        let loose = "From: ana@tienda.es\r\nSubject: Clave\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
--m\r\nContent-Type: text/plain\r\n\r\nOs mando la firma.\r\n\
--m\r\nContent-Type: application/pgp-signature; name=\"firma.asc\"\r\n\r\nxx\r\n--m--\r\n";
        let mail = parse(loose.as_bytes())?;
        assert_eq!(mail.signed, None);
        assert_eq!(mail.attachments.len(), 1);
        Ok(())
    }

    #[test]
    fn raw_latin1_and_windows_1252_headers_are_read() -> Result<(), ParseError> {
        // As older Outlook and Exchange send it: 8-bit bytes with no encoded words.
        let raw =
            b"From: Jos\xe9 P\xe9rez <Jose@Tienda.es>\r\nTo: Soporte <soporte@vendomia.com>\r\n\
Cc: \"Mu\xf1oz, Ana\" <ana@tienda.es>\r\nSubject: Factura n\xba 12 \x96 pago \x93urgente\x94\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
Adjunto la factura del a\xf1o.\r\n\
--b\r\nContent-Type: application/pdf; name=\"Factura n\xba 12.pdf\"\r\n\
Content-Disposition: attachment; filename=\"Factura n\xba 12.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
        let mail = parse(raw)?;
        assert_eq!(mail.subject, "Factura nº 12 – pago “urgente”");
        let from = mail
            .from
            .as_ref()
            .map(|m| (m.address.as_str(), m.name.as_deref()));
        assert_eq!(from, Some(("jose@tienda.es", Some("José Pérez"))));
        assert_eq!(mail.cc[0].name.as_deref(), Some("Muñoz, Ana"));
        assert_eq!(mail.text, "Adjunto la factura del año.");
        assert_eq!(mail.attachments[0].filename, "Factura nº 12.pdf");
        assert_eq!(mail.attachments[0].bytes, b"%PDF-1.4\n");
        Ok(())
    }

    #[test]
    fn header_bytes_follow_the_charset_the_message_declares() -> Result<(), ParseError> {
        // 0xA4 is the euro sign in ISO-8859-15; Windows-1252 would read it as ¤.
        let raw = b"From: ana@tienda.es\r\nSubject: Cargo de 20 \xa4 =?ISO-8859-1?Q?duplicado_en_Espa=F1a?=\r\n\
Content-Type: text/plain; charset=iso-8859-15\r\n\r\nHola\r\n";
        assert_eq!(parse(raw)?.subject, "Cargo de 20 € duplicado en España");
        Ok(())
    }

    #[test]
    fn utf7_is_never_decoded() -> Result<(), ParseError> {
        // Raw UTF-7 is plain ASCII, shown as it came; a declared UTF-7 is not used to read
        // 8-bit bytes, which would make up characters.
        let raw = b"From: ana@tienda.es\r\nSubject: Pedido +AOk- n\xba 7\r\n\
Content-Type: text/plain; charset=unicode-1-1-utf-7\r\n\r\nHola\r\n";
        assert_eq!(parse(raw)?.subject, "Pedido +AOk- nº 7");
        // Nor is an encoded word that names UTF-7: the subject stays as it came.
        let raw = b"From: ana@tienda.es\r\nSubject: =?utf-7?Q?Pedido_+AOk-?=\r\n\r\nHola\r\n";
        assert_eq!(parse(raw)?.subject, "=?utf-7?Q?Pedido_+AOk-?=");
        let raw = b"From: ana@tienda.es\r\nSubject: Re: =?UTF-7?B?K0FPay0=?=\r\n \r\n\r\nHola\r\n";
        assert_eq!(parse(raw)?.subject, "Re: =?UTF-7?B?K0FPay0=?=");
        Ok(())
    }

    #[test]
    fn a_uuencoded_file_in_the_text_becomes_an_attachment() -> Result<(), ParseError> {
        // As Outlook Express and scripts send it: the file inside the text/plain body.
        let raw = "From: ana@tienda.es\r\nSubject: Factura\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\
Os mando la factura que no se puede descargar.\r\n\r\n\
begin 644 factura.pdf\r\n))5!$1BTQ+C0*\r\n`\r\nend\r\n\r\nUn saludo, Ana\r\n";
        let mail = parse(raw.as_bytes())?;
        assert_eq!(mail.attachments.len(), 1);
        let file = &mail.attachments[0];
        assert_eq!(
            (
                file.filename.as_str(),
                file.media_type.as_str(),
                file.inline
            ),
            ("factura.pdf", "application/pdf", false)
        );
        assert_eq!(file.bytes, b"%PDF-1.4\n");
        assert!(!mail.full_text.contains("begin 644"), "{}", mail.full_text);
        assert!(!mail.full_text.contains("))5!$"), "{}", mail.full_text);
        assert!(mail.text.contains("Os mando la factura"));
        assert!(mail.full_text.contains("Un saludo, Ana"));
        Ok(())
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert_eq!(parse(b"").err(), Some(ParseError::NotAMessage));
        assert!(
            parse(&[0xff, 0xfe, 0x00, 0x13]).is_err() || parse(&[0xff, 0xfe, 0x00, 0x13]).is_ok()
        );
    }
}
