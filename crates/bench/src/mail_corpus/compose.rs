//! One e-mail as its sender's mail program would write it: the words, the quoted parent,
//! the shape of the body, the screenshot and the headers.

use super::mime::{Part, TransferEncoding, encode_header_text, mailbox_header};
use super::people::{Client, Person};
use super::words::{FAREWELLS, GREETINGS, MONTHS, MONTHS_SHORT, REPLY_LINES, TOPICS, WEEKDAYS};
use super::{
    ADDRESSES_PER_DOMAIN, ALTERNATIVE_PERCENT, HTML_ONLY_PERCENT, IMAGE_BYTES, IMAGE_PERCENT,
    SUPPORT_ADDRESS, SUPPORT_COMPANY, Sent, Xorshift,
};
use anyhow::Result;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Plain,
    Alternative,
    HtmlOnly,
}

/// One generated e-mail: its bytes and what the manifest and later replies need.
pub(super) struct Composed {
    pub(super) raw: Vec<u8>,
    pub(super) sent: Sent,
    pub(super) kind: &'static str,
    pub(super) encoding: TransferEncoding,
    pub(super) has_image: bool,
}

pub(super) fn compose(
    rng: &mut Xorshift,
    people: &[Person],
    sent: &[Sent],
    parent: Option<usize>,
    seq: usize,
    date: jiff::ZonedDateTime,
) -> Result<Composed> {
    let fill = |rng: &mut Xorshift, template: &str| {
        template
            .replace("{pedido}", &format!("PED-{}", 10_000 + rng.below(90_000)))
            .replace("{mes}", rng.pick::<&str>(MONTHS))
            .replace("{factura}", &format!("F2025-{:05}", rng.below(100_000)))
    };
    let parent = parent.map(|p| &sent[p]);

    // Who writes, about what, and the words they write.
    let (sender, subject, own_text) = match parent {
        Some(parent) => {
            // Mostly the same person answering; sometimes a colleague takes over.
            let sender = if rng.percent(80) {
                parent.sender
            } else {
                let colleague = people[parent.sender].domain * ADDRESSES_PER_DOMAIN
                    + rng.below(ADDRESSES_PER_DOMAIN);
                colleague.min(people.len() - 1)
            };
            let template = *rng.pick(REPLY_LINES);
            let reply = fill(rng, template);
            let text = format!(
                "{}\n\n{reply}\n\n{}\n{}",
                rng.pick(GREETINGS),
                rng.pick(FAREWELLS),
                people[sender].name
            );
            let prefix = if people[sender].client == Client::Outlook {
                "RE: "
            } else {
                "Re: "
            };
            (sender, format!("{prefix}{}", parent.thread_subject), text)
        }
        None => {
            let sender = rng.below(people.len());
            let topic = rng.pick(TOPICS);
            let sentences = 2 + rng.below(topic.lines.len() - 1);
            let first_line = rng.below(topic.lines.len());
            let body: Vec<String> = (0..sentences)
                .map(|i| fill(rng, topic.lines[(first_line + i) % topic.lines.len()]))
                .collect();
            let person = &people[sender];
            let text = format!(
                "{}\n\n{}\n\n{}\n{}\n{}\nTel. 9{} {:02} {:02} {:02}",
                rng.pick(GREETINGS),
                body.join(" "),
                rng.pick(FAREWELLS),
                person.name,
                person.company,
                10 + rng.below(89),
                rng.below(100),
                rng.below(100),
                rng.below(100),
            );
            (sender, fill(rng, topic.subject), text)
        }
    };
    let person = &people[sender];
    let domain = person.address.rsplit('@').next().unwrap_or("example.es");
    let client_signature = match person.client {
        Client::AppleMail if rng.percent(40) => "\n\nEnviado desde mi iPhone",
        Client::Outlook if rng.percent(20) => "\n\nObtener Outlook para Android",
        _ => "",
    };
    let own_text = format!("{own_text}{client_signature}");

    // The quoted parent, as Gmail writes it: attribution line, then "> " lines.
    let (text, html_quote_of_parent) = match parent {
        Some(parent) => {
            let author = &people[parent.sender];
            let attribution = format!(
                "El {}, {} (<{}>) escribió:",
                spanish_date(&parent.date),
                author.name,
                author.address
            );
            let quoted: Vec<String> = parent
                .text
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".into()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect();
            let text = format!("{own_text}\n\n{attribution}\n\n{}\n", quoted.join("\n"));
            let html = format!(
                "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">{}<br></div>\
                 <blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;\
                 border-left:1px solid rgb(204,204,204);padding-left:1ex\">{}</blockquote></div>",
                escape_html(&attribution),
                parent.html_quote
            );
            (text, html)
        }
        None => (format!("{own_text}\n"), String::new()),
    };
    let own_html = paragraphs_html(&own_text);

    // Shape of the message.
    let kind = match rng.below(100) as u64 {
        n if n < HTML_ONLY_PERCENT => BodyKind::HtmlOnly,
        n if n < HTML_ONLY_PERCENT + ALTERNATIVE_PERCENT => BodyKind::Alternative,
        _ => BodyKind::Plain,
    };
    let encoding = match rng.below(100) {
        0..55 => TransferEncoding::QuotedPrintable,
        55..90 => TransferEncoding::Base64,
        _ => TransferEncoding::EightBit,
    };
    let windows_1252 = person.client == Client::Outlook && rng.percent(50);
    let has_image = rng.percent(IMAGE_PERCENT);
    let inline_image = has_image && kind != BodyKind::Plain && rng.percent(50);
    let image = has_image.then(|| screenshot(rng, person.client, domain, &date, inline_image));
    let image_tag = match &image {
        Some(Image {
            content_id: Some(cid),
            filename,
            ..
        }) => format!(
            "<p><img src=\"cid:{cid}\" alt=\"{}\" width=\"640\" height=\"360\"></p>",
            escape_html(filename)
        ),
        _ => String::new(),
    };
    let html = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={}\"></head>\
         <body><div dir=\"ltr\">{own_html}{image_tag}</div>{html_quote_of_parent}</body></html>\n",
        if windows_1252 {
            "windows-1252"
        } else {
            "utf-8"
        }
    );
    let text_part = || Part::Text {
        subtype: "plain",
        body: text.clone(),
        encoding,
        windows_1252,
    };
    let html_part = || Part::Text {
        subtype: "html",
        body: html.clone(),
        encoding,
        windows_1252,
    };
    let mut boundary_of = |level: usize| boundary(rng, person.client, level);
    let body = match kind {
        BodyKind::Plain => text_part(),
        BodyKind::HtmlOnly => html_part(),
        BodyKind::Alternative => Part::Multipart {
            subtype: "alternative",
            boundary: boundary_of(2),
            parts: vec![text_part(), html_part()],
        },
    };
    let body = match image {
        Some(image) if image.content_id.is_some() => Part::Multipart {
            subtype: "related",
            boundary: boundary_of(1),
            parts: vec![body, Part::Image(image)],
        },
        Some(image) => Part::Multipart {
            subtype: "mixed",
            boundary: boundary_of(0),
            parts: vec![body, Part::Image(image)],
        },
        None => body,
    };
    let kind_label = match (kind, has_image, inline_image) {
        (BodyKind::Plain, false, _) => "plain",
        (BodyKind::Plain, true, _) => "plain+png",
        (BodyKind::Alternative, false, _) => "alternative",
        (BodyKind::Alternative, true, false) => "alternative+png",
        (BodyKind::Alternative, true, true) => "alternative+inline",
        (BodyKind::HtmlOnly, false, _) => "html",
        (BodyKind::HtmlOnly, true, false) => "html+png",
        (BodyKind::HtmlOnly, true, true) => "html+inline",
    };

    // Headers, as the receiving MTA stores them.
    let message_id = message_id(rng, person.client, domain, seq);
    let mut references = parent.map(|p| p.references.clone()).unwrap_or_default();
    if let Some(parent) = parent {
        references.push(parent.message_id.clone());
    }
    let rfc2822_date = jiff::fmt::rfc2822::to_string(&date)?;
    let mut head = String::with_capacity(2048);
    let _ = write!(
        head,
        "Return-Path: <{address}>\r\nDelivered-To: {SUPPORT_ADDRESS}\r\n\
         Received: from mail-{host}.{domain} (mail-{host}.{domain} [192.0.2.{ip}])\r\n\
         \tby mx1.vendomia.com (Postfix) with ESMTPS id {queue_id}\r\n\
         \tfor <{SUPPORT_ADDRESS}>; {rfc2822_date}\r\n\
         Date: {rfc2822_date}\r\nFrom: {from}\r\nTo: Soporte {SUPPORT_COMPANY} <{SUPPORT_ADDRESS}>\r\n",
        address = person.address,
        host = rng.hex(6),
        ip = 1 + rng.below(254),
        queue_id = rng.hex(11).to_ascii_uppercase(),
        from = mailbox_header(&person.name, &person.address, person.client, windows_1252),
    );
    if rng.percent(8) {
        let colleague =
            &people[person.domain * ADDRESSES_PER_DOMAIN + rng.below(ADDRESSES_PER_DOMAIN)];
        let cc = mailbox_header(
            &colleague.name,
            &colleague.address,
            person.client,
            windows_1252,
        );
        let _ = write!(head, "Cc: {cc}\r\n");
    }
    let _ = write!(
        head,
        "Subject: {}\r\nMessage-ID: {message_id}\r\n",
        encode_header_text(&subject, person.client, windows_1252)
    );
    if let Some(parent) = parent {
        let _ = write!(
            head,
            "In-Reply-To: {}\r\nReferences: {}\r\n",
            parent.message_id,
            references.join("\r\n ")
        );
    }
    head.push_str("MIME-Version: 1.0\r\n");
    head.push_str(match person.client {
        Client::Gmail => "",
        Client::Outlook => "X-Mailer: Microsoft Outlook 16.0\r\n",
        Client::Thunderbird => "User-Agent: Mozilla Thunderbird\r\nContent-Language: es-ES\r\n",
        Client::AppleMail => "X-Mailer: iPhone Mail (21F90)\r\n",
    });
    let mut raw = head.into_bytes();
    body.render(&mut raw);

    let html_quote = format!("{own_html}{html_quote_of_parent}");
    Ok(Composed {
        raw,
        sent: Sent {
            message_id,
            thread_subject: parent.map_or_else(|| subject.clone(), |p| p.thread_subject.clone()),
            references,
            sender,
            text,
            html_quote,
            date,
            thread_root: parent.map_or(seq, |p| p.thread_root),
            wave: parent.map_or(0, |p| p.wave + 1),
        },
        kind: kind_label,
        encoding,
        has_image,
    })
}

/// "lun, 5 ene 2026 a las 9:30", as Gmail writes dates in Spanish.
fn spanish_date(date: &jiff::ZonedDateTime) -> String {
    format!(
        "{}, {} {} {} a las {}:{:02}",
        WEEKDAYS[date.weekday().to_monday_zero_offset() as usize],
        date.day(),
        MONTHS_SHORT[(date.month() - 1) as usize],
        date.year(),
        date.hour(),
        date.minute()
    )
}

fn message_id(rng: &mut Xorshift, client: Client, domain: &str, seq: usize) -> String {
    match client {
        Client::Gmail => {
            let mut bytes = [0u8; 30];
            rng.fill(&mut bytes);
            let token = STANDARD.encode(bytes).replace('/', "_");
            format!("<CA+{token}@mail.gmail.com>")
        }
        Client::Outlook => format!(
            "<{}@{}.eurprd04.prod.outlook.com>",
            rng.hex(36).to_ascii_uppercase(),
            rng.hex(12).to_ascii_uppercase()
        ),
        Client::Thunderbird => format!("<{}-{}-{}@{domain}>", rng.hex(8), rng.hex(4), rng.hex(12)),
        Client::AppleMail => format!(
            "<{}-{seq}-{}@{domain}>",
            rng.hex(8).to_ascii_uppercase(),
            rng.hex(12).to_ascii_uppercase()
        ),
    }
}

fn boundary(rng: &mut Xorshift, client: Client, level: usize) -> String {
    match client {
        Client::Gmail => format!("000000000000{}{level}", rng.hex(11)),
        Client::Outlook => format!("_00{level}_{}_", rng.hex(40).to_ascii_uppercase()),
        Client::Thunderbird => format!("------------{}{level}", rng.hex(23)),
        Client::AppleMail => format!("Apple-Mail={}-{level}", rng.hex(32).to_ascii_uppercase()),
    }
}

/// A 100 KB "screenshot": a PNG signature and header, then bytes that look random (and
/// differ for every image, so content-addressed storage cannot share them).
pub(super) struct Image {
    pub(super) filename: String,
    pub(super) content_id: Option<String>,
    pub(super) bytes: Vec<u8>,
}

fn screenshot(
    rng: &mut Xorshift,
    client: Client,
    domain: &str,
    date: &jiff::ZonedDateTime,
    inline: bool,
) -> Image {
    let mut bytes = vec![0u8; IMAGE_BYTES];
    rng.fill(&mut bytes);
    let header = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x05\0\0\0\x02\xd0\x08\x06\0\0\0";
    bytes[..header.len()].copy_from_slice(header);
    let filename = match rng.below(7) {
        0 => "captura.png".to_string(),
        1 => format!(
            "Captura de pantalla {}-{:02}-{:02} a las {}.{:02}.{:02}.png",
            date.year(),
            date.month(),
            date.day(),
            date.hour(),
            date.minute(),
            date.second()
        ),
        2 => "pantallazo.png".to_string(),
        3 => "image001.png".to_string(),
        4 => "error_tienda.png".to_string(),
        5 => format!(
            "IMG_{}{:02}{:02}_{:02}{:02}{:02}.png",
            date.year(),
            date.month(),
            date.day(),
            date.hour(),
            date.minute(),
            date.second()
        ),
        _ => "página de error.png".to_string(),
    };
    let content_id = inline.then(|| match client {
        Client::Gmail => format!("ii_{}", rng.hex(10)),
        Client::Outlook => format!(
            "image001.png@01DC{}.{}",
            rng.hex(4).to_ascii_uppercase(),
            rng.hex(8).to_ascii_uppercase()
        ),
        _ => format!("part1.{}.{}@{domain}", rng.hex(8), rng.hex(8)),
    });
    Image {
        filename,
        content_id,
        bytes,
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Paragraphs of `<p>`, line breaks inside a paragraph as `<br>`.
fn paragraphs_html(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect()
}
