//! What the API and the console share when they show a message: its HTML with inline
//! images pointed at their attachments, and an attachment served so that it can never run
//! as part of this site.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use soporte_core::ticket::Attachment;

/// Points `cid:` references in a message's HTML at the attachments they name. The stored
/// HTML keeps `cid:` because attachment ids do not exist yet when a message is parsed; the
/// replacement is a fixed URL path, so the sanitised HTML stays safe.
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
                &format!("cid:{cid}"),
                &format!("{attachment_path}{}", a.id.0),
            );
        }
    }
    out
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
