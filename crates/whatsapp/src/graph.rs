//! The Graph API client for the WhatsApp Cloud API.
//!
//! Endpoints used, as documented by Meta:
//! * `GET /{version}/{media-id}` → `{messaging_product, url, mime_type, sha256, file_size, id}`
//!   and `GET <url>` with the same bearer token to download; the URL is short-lived (five
//!   minutes), so every download attempt asks for a fresh one
//!   (<https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media/>);
//! * `POST /{version}/{phone-number-id}/media`, multipart with `messaging_product`, `type`
//!   and `file` → `{id}` (same page);
//! * `POST /{version}/{phone-number-id}/messages` → `{messaging_product, contacts: [{input,
//!   wa_id}], messages: [{id}]}`, also used with `{status: "read", message_id}` to mark a
//!   message read (<https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/>).
//!
//! The access token travels only in the `Authorization` header and is never logged or put in
//! an error; `GraphConfig`'s `Debug` redacts it.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::GraphError;

/// Meta's production Graph API.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
/// The Graph API version requests name: the newest one Meta's changelog lists as released
/// (v26.0, July 2026) at the time this crate was written.
pub const DEFAULT_API_VERSION: &str = "v26.0";

/// How to reach the Graph API.
#[derive(Clone)]
pub struct GraphConfig {
    /// Base URL without a trailing slash (the stand-in's `url()` in tests).
    pub graph_url: String,
    pub api_version: String,
    /// A system-user or business token with `whatsapp_business_messaging`.
    pub access_token: String,
    /// Whole-request timeout, connection included.
    pub timeout: Duration,
}

impl GraphConfig {
    /// Production defaults with `access_token`.
    pub fn new(access_token: impl Into<String>) -> Self {
        GraphConfig {
            graph_url: DEFAULT_GRAPH_URL.to_string(),
            api_version: DEFAULT_API_VERSION.to_string(),
            access_token: access_token.into(),
            timeout: Duration::from_secs(30),
        }
    }
}

impl fmt::Debug for GraphConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphConfig")
            .field("graph_url", &self.graph_url)
            .field("api_version", &self.api_version)
            .field("access_token", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The answer of `GET /{media-id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaInfo {
    /// Short-lived download URL; needs the bearer token.
    pub url: String,
    #[serde(default)]
    pub mime_type: String,
    /// SHA-256 of the file (hex here; webhooks carry base64 — both are accepted).
    #[serde(default)]
    pub sha256: String,
    /// Bytes; Meta has sent this both as a number and as a string.
    #[serde(default, deserialize_with = "crate::content::lenient_u64_opt")]
    pub file_size: Option<u64>,
    pub id: String,
}

/// Downloaded media with what Meta said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedMedia {
    pub info: MediaInfo,
    pub bytes: Vec<u8>,
}

/// What the messages endpoint returned for an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// The id status webhooks will name.
    pub wamid: String,
    /// The recipient's WhatsApp id as Meta resolved it.
    pub wa_id: Option<String>,
}

/// A message to send, in the shapes Soporte uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The customer's number or WhatsApp id.
    pub to: String,
    pub body: OutgoingBody,
    /// Quote this `wamid` (sent as `context.message_id`).
    pub reply_to: Option<String>,
}

/// The typed part of an [`OutgoingMessage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutgoingBody {
    Text {
        body: String,
        preview_url: bool,
    },
    Image {
        media_id: String,
        caption: Option<String>,
    },
    Document {
        media_id: String,
        filename: Option<String>,
        caption: Option<String>,
    },
    /// An approved template with positional body variables (`{{1}}`, `{{2}}`, …).
    Template {
        name: String,
        language: String,
        body_params: Vec<String>,
    },
}

impl OutgoingMessage {
    pub fn text(to: impl Into<String>, body: impl Into<String>) -> Self {
        Self::new(
            to,
            OutgoingBody::Text {
                body: body.into(),
                preview_url: false,
            },
        )
    }

    pub fn image(
        to: impl Into<String>,
        media_id: impl Into<String>,
        caption: Option<String>,
    ) -> Self {
        Self::new(
            to,
            OutgoingBody::Image {
                media_id: media_id.into(),
                caption,
            },
        )
    }

    pub fn document(
        to: impl Into<String>,
        media_id: impl Into<String>,
        filename: Option<String>,
        caption: Option<String>,
    ) -> Self {
        Self::new(
            to,
            OutgoingBody::Document {
                media_id: media_id.into(),
                filename,
                caption,
            },
        )
    }

    pub fn template(
        to: impl Into<String>,
        name: impl Into<String>,
        language: impl Into<String>,
        body_params: Vec<String>,
    ) -> Self {
        Self::new(
            to,
            OutgoingBody::Template {
                name: name.into(),
                language: language.into(),
                body_params,
            },
        )
    }

    fn new(to: impl Into<String>, body: OutgoingBody) -> Self {
        OutgoingMessage {
            to: to.into(),
            body,
            reply_to: None,
        }
    }

    /// Sends it as a reply quoting `wamid`.
    pub fn reply_to(mut self, wamid: impl Into<String>) -> Self {
        self.reply_to = Some(wamid.into());
        self
    }

    /// Lets WhatsApp render a link preview for the first URL of a text message.
    pub fn with_preview_url(mut self) -> Self {
        if let OutgoingBody::Text { preview_url, .. } = &mut self.body {
            *preview_url = true;
        }
        self
    }

    /// The request body of the messages endpoint.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self.to,
        });
        let (kind, object) = match &self.body {
            OutgoingBody::Text { body, preview_url } => {
                ("text", json!({ "body": body, "preview_url": preview_url }))
            }
            OutgoingBody::Image { media_id, caption } => {
                let mut o = json!({ "id": media_id });
                if let Some(c) = caption {
                    o["caption"] = json!(c);
                }
                ("image", o)
            }
            OutgoingBody::Document {
                media_id,
                filename,
                caption,
            } => {
                let mut o = json!({ "id": media_id });
                if let Some(f) = filename {
                    o["filename"] = json!(f);
                }
                if let Some(c) = caption {
                    o["caption"] = json!(c);
                }
                ("document", o)
            }
            OutgoingBody::Template {
                name,
                language,
                body_params,
            } => {
                let mut o = json!({ "name": name, "language": { "code": language } });
                if !body_params.is_empty() {
                    let parameters: Vec<Value> = body_params
                        .iter()
                        .map(|t| json!({ "type": "text", "text": t }))
                        .collect();
                    o["components"] = json!([{ "type": "body", "parameters": parameters }]);
                }
                ("template", o)
            }
        };
        v["type"] = json!(kind);
        v[kind] = object;
        if let Some(wamid) = &self.reply_to {
            v["context"] = json!({ "message_id": wamid });
        }
        v
    }
}

/// A Graph API client; cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base: String,
    version: String,
    bearer: String,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.base)
            .field("version", &self.version)
            .finish()
    }
}

/// Graph ids are digits (media, phone numbers); refusing anything else keeps a hostile id
/// from turning into another path or query.
fn path_id(id: &str, what: &'static str) -> Result<(), GraphError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(GraphError::InvalidArgument(what))
    }
}

fn transport(e: reqwest::Error) -> GraphError {
    // The URL (which may carry Meta's signed download query) is left out of the message.
    let e = e.without_url();
    if e.is_timeout() {
        GraphError::Timeout
    } else if e.is_connect() {
        GraphError::Connect(e.to_string())
    } else {
        GraphError::Transport(e.to_string())
    }
}

impl GraphClient {
    /// Builds the client (rustls with the ring provider and the webpki roots).
    pub fn new(config: GraphConfig) -> Result<Self, GraphError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| GraphError::Connect(e.to_string()))?;
        Ok(GraphClient {
            http,
            base: config.graph_url.trim_end_matches('/').to_string(),
            version: config.api_version,
            bearer: format!("Bearer {}", config.access_token),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}/{}", self.base, self.version, path)
    }

    /// Sends a request and reads the whole answer, turning HTTP errors into [`GraphError::Api`].
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, GraphError> {
        let response = request
            .header(reqwest::header::AUTHORIZATION, &self.bearer)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(transport)?;
        if !(200..300).contains(&status) {
            let error = GraphError::from_response(status, &body);
            tracing::debug!(status, code = ?error.code(), "Graph API error");
            return Err(error);
        }
        serde_json::from_slice(&body).map_err(|e| GraphError::Decode(e.to_string()))
    }

    /// `GET /{version}/{media-id}`: where to download the media, and its checksum.
    pub async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GraphError> {
        path_id(media_id, "media id")?;
        let v = self.call(self.http.get(self.url(media_id))).await?;
        MediaInfo::deserialize(&v).map_err(|e| GraphError::Decode(e.to_string()))
    }

    /// Downloads a media URL with the bearer token, reading at most `max_bytes`.
    ///
    /// Only pass URLs from [`GraphClient::media_info`]: the token is sent to them.
    pub async fn download(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, GraphError> {
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::AUTHORIZATION, &self.bearer)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.bytes().await.map_err(transport)?;
            return Err(GraphError::from_response(status, &body));
        }
        if response
            .content_length()
            .is_some_and(|n| n > max_bytes as u64)
        {
            return Err(GraphError::TooLarge { limit: max_bytes });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(GraphError::TooLarge { limit: max_bytes });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// Asks for a fresh URL, downloads it and checks the bytes against Meta's `sha256`.
    pub async fn fetch_media(
        &self,
        media_id: &str,
        max_bytes: usize,
    ) -> Result<FetchedMedia, GraphError> {
        let info = self.media_info(media_id).await?;
        if info.file_size.is_some_and(|n| n > max_bytes as u64) {
            return Err(GraphError::TooLarge { limit: max_bytes });
        }
        let bytes = self.download(&info.url, max_bytes).await?;
        if !info.sha256.is_empty() && !sha256_matches(&bytes, &info.sha256) {
            return Err(GraphError::MediaChecksum {
                expected: info.sha256.clone(),
                actual: hex::encode(Sha256::digest(&bytes)),
            });
        }
        Ok(FetchedMedia { info, bytes })
    }

    /// `POST /{version}/{phone-number-id}/messages`.
    pub async fn send(
        &self,
        phone_number_id: &str,
        message: &OutgoingMessage,
    ) -> Result<SentMessage, GraphError> {
        path_id(phone_number_id, "phone number id")?;
        let url = self.url(&format!("{phone_number_id}/messages"));
        let v = self
            .call(self.http.post(url).json(&message.to_json()))
            .await?;
        let wamid = v
            .get("messages")
            .and_then(|m| m.get(0))
            .and_then(|m| m.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::Decode("no messages[0].id in the answer".into()))?;
        let wa_id = v
            .get("contacts")
            .and_then(|c| c.get(0))
            .and_then(|c| c.get("wa_id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(SentMessage {
            wamid: wamid.to_string(),
            wa_id,
        })
    }

    /// `POST /{version}/{phone-number-id}/media` (multipart); returns the media id to send.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        bytes: Vec<u8>,
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GraphError> {
        path_id(phone_number_id, "phone number id")?;
        let file = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str(mime_type)
            .map_err(|_| GraphError::InvalidArgument("mime type"))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_string())
            .part("file", file);
        let url = self.url(&format!("{phone_number_id}/media"));
        let v = self.call(self.http.post(url).multipart(form)).await?;
        v.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GraphError::Decode("no id in the upload answer".into()))
    }

    /// Marks an inbound message (and the ones before it) read: blue ticks for the customer.
    pub async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), GraphError> {
        path_id(phone_number_id, "phone number id")?;
        let body =
            json!({ "messaging_product": "whatsapp", "status": "read", "message_id": wamid });
        let url = self.url(&format!("{phone_number_id}/messages"));
        let v = self.call(self.http.post(url).json(&body)).await?;
        if v.get("success").and_then(Value::as_bool) == Some(true) {
            Ok(())
        } else {
            Err(GraphError::Decode(
                "mark-as-read answer without success: true".into(),
            ))
        }
    }
}

/// Whether `bytes` hash to `expected`, given as hex (the media URL endpoint) or base64
/// (webhooks), case-insensitively for hex.
pub fn sha256_matches(bytes: &[u8], expected: &str) -> bool {
    let digest = Sha256::digest(bytes);
    let expected = expected.trim();
    if expected.len() == 64
        && let Ok(raw) = hex::decode(expected)
    {
        return raw.as_slice() == digest.as_slice();
    }
    base64::engine::general_purpose::STANDARD
        .decode(expected)
        .is_ok_and(|raw| raw.as_slice() == digest.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_follow_the_messages_reference() {
        let image = OutgoingMessage::image("34600", "77", None)
            .reply_to("wamid.Q")
            .to_json();
        assert_eq!(
            image,
            json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "34600",
                "type": "image",
                "image": { "id": "77" },
                "context": { "message_id": "wamid.Q" },
            })
        );
        let doc =
            OutgoingMessage::document("34600", "78", Some("a.pdf".into()), Some("Aquí".into()))
                .to_json();
        assert_eq!(
            doc["document"],
            json!({ "id": "78", "filename": "a.pdf", "caption": "Aquí" })
        );
        let template = OutgoingMessage::template("34600", "hola", "es_ES", Vec::new()).to_json();
        assert_eq!(
            template["template"],
            json!({ "name": "hola", "language": { "code": "es_ES" } })
        );
        assert!(template.get("context").is_none());
    }

    #[test]
    fn checksums_in_hex_or_base64() {
        let bytes = b"abc";
        let hex_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert!(sha256_matches(bytes, hex_digest));
        assert!(sha256_matches(bytes, &hex_digest.to_uppercase()));
        assert!(sha256_matches(
            bytes,
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        ));
        assert!(!sha256_matches(b"abd", hex_digest));
        assert!(!sha256_matches(bytes, "not a digest"));
        assert!(!sha256_matches(bytes, ""));
    }

    #[test]
    fn the_token_stays_out_of_debug_output() {
        let config = GraphConfig::new("EAAsecret");
        assert!(!format!("{config:?}").contains("EAAsecret"));
        let client = GraphClient::new(config).map_err(|e| e.to_string());
        assert!(client.is_ok_and(|c| !format!("{c:?}").contains("EAAsecret")));
    }

    #[test]
    fn ids_that_would_change_the_path_are_refused() {
        assert!(path_id("1234567890", "id").is_ok());
        for bad in ["", "../x", "1/messages", "1?x=1", "a b", "%2e%2e"] {
            assert!(path_id(bad, "id").is_err(), "{bad}");
        }
    }
}
