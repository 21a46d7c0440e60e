//! What the API and the console share when they show a message: its HTML with inline
//! images pointed at their attachments, and an attachment served so that it can never run
//! as part of this site.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use soporte_core::ticket::Attachment;

/// Points `cid:` references in a message's HTML at the attachments they name. The stored
/// HTML keeps `cid:` because attachment ids do not exist yet when a message is parsed.
///
/// The HTML was sanitised when it was stored, so this must not be able to change its markup:
/// only a whole `src` attribute naming a Content-ID, written the way the sanitiser writes it
/// (double-quoted, with `&`, `"` and no-break spaces escaped), is replaced, and by a whole
/// attribute whose value is a fixed path and a number. A Content-ID that carries a quote or
/// markup then matches nothing instead of closing the attribute early.
pub(crate) fn resolve_inline_images(
    html: &str,
    attachments: &[Attachment],
    attachment_path: &str,
) -> String {
    let mut out = html.to_string();
    for a in attachments {
        if let Some(cid) = a
            .content_id
            .as_deref()
            .map(|c| c.trim_matches(['<', '>']))
            .filter(|c| !c.is_empty())
        {
            out = out.replace(
                &format!(" src=\"cid:{}\"", escaped_attribute(cid)),
                &format!(" src=\"{attachment_path}{}\"", a.id.0),
            );
        }
    }
    out
}

/// Restores the addresses of remote images that the sanitiser disarmed, when the agent asks
/// to see them: only at the start of a whole `src` attribute, where the sanitiser put the
/// prefix, so the same words written anywhere else in a message stay as they are.
pub(crate) fn show_remote_images(html: &str) -> String {
    html.replace(
        &format!(" src=\"{}", soporte_core::email::REMOTE_IMAGE_PREFIX),
        " src=\"",
    )
}

/// A value as HTML serialisation writes it inside a double-quoted attribute.
fn escaped_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\u{a0}', "&nbsp;")
}

/// An attachment as a response: raster images inline with their own type (so `<img>` shows
/// them), everything else as a download of opaque bytes; never sniffed, never scripted.
pub(crate) fn attachment_response(attachment: &Attachment, bytes: Vec<u8>) -> Response {
    let renders_safely =
        attachment.media_type.starts_with("image/") && attachment.media_type != "image/svg+xml";
    let disposition = if renders_safely {
        "inline"
    } else {
        "attachment"
    };
    let encoded: String = attachment
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    let content_type = if renders_safely {
        attachment.media_type.as_str()
    } else {
        "application/octet-stream"
    };
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename*=UTF-8''{encoded}")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use soporte_core::ids::{AttachmentId, MessageId, TicketId};

    fn image(id: i64, content_id: &str) -> Attachment {
        Attachment {
            id: AttachmentId(id),
            message_id: MessageId(1),
            ticket_id: TicketId(1),
            sha256: "0".repeat(64),
            filename: "captura.png".into(),
            media_type: "image/png".into(),
            size: 10,
            inline: true,
            content_id: Some(content_id.into()),
        }
    }

    #[test]
    fn inline_images_point_at_their_attachments() {
        let html = "<p>Mire:</p><img src=\"cid:captura@tienda\" alt=\"cid:captura@tienda\">";
        assert_eq!(
            resolve_inline_images(html, &[image(3, "<captura@tienda>")], "/attachments/"),
            "<p>Mire:</p><img src=\"/attachments/3\" alt=\"cid:captura@tienda\">"
        );
    }

    #[test]
    fn a_content_id_cannot_end_the_attribute_it_is_written_into() {
        // What the sanitiser stores for `<img src="cid:x" title=" onerror=alert(1) x">`.
        let html = "<img src=\"cid:x\" title=\" onerror=alert(1) x\">";
        let shown = resolve_inline_images(html, &[image(3, "<x\">")], "/api/v1/attachments/");
        assert_eq!(shown, html, "a Content-ID with a quote matches nothing");
        // A Content-ID whose escaped form the sanitiser wrote is still found.
        let html = "<img src=\"cid:a&amp;b&quot;c\">";
        assert_eq!(
            resolve_inline_images(html, &[image(4, "<a&b\"c>")], "/attachments/"),
            "<img src=\"/attachments/4\">"
        );
    }

    #[test]
    fn remote_images_come_back_only_where_the_sanitiser_disarmed_them() {
        let prefix = soporte_core::email::REMOTE_IMAGE_PREFIX;
        let html = format!("<img src=\"{prefix}https://x.example/a.png\"><p>{prefix}texto</p>");
        assert_eq!(
            show_remote_images(&html),
            format!("<img src=\"https://x.example/a.png\"><p>{prefix}texto</p>")
        );
    }
}
