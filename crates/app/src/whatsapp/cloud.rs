//! What the use cases need of Meta's Graph API, implemented by the WhatsApp adapter: send
//! a message, upload a file for it, mark a customer's message read, fetch a customer's
//! media.

use async_trait::async_trait;
use soporte_core::whatsapp::OutgoingWhatsApp;

#[async_trait]
pub trait WhatsAppCloud: Send + Sync {
    /// Sends `message` from the business number; `media_id` carries an uploaded file's id
    /// for file content. Returns the wamid Meta gave the message.
    async fn send(
        &self,
        phone_number_id: &str,
        message: &OutgoingWhatsApp,
        media_id: Option<&str>,
    ) -> Result<String, CloudFailure>;
    /// Uploads a file to send; returns its media id.
    async fn upload(
        &self,
        phone_number_id: &str,
        bytes: Vec<u8>,
        media_type: &str,
        filename: &str,
    ) -> Result<String, CloudFailure>;
    async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), CloudFailure>;
    /// A customer's media: a fresh download URL is asked for on every call (they live
    /// minutes), the bytes are checked against `expected_sha256` when given.
    async fn fetch_media(
        &self,
        media_id: &str,
        expected_sha256: Option<&str>,
        max_bytes: usize,
    ) -> Result<CloudMedia, CloudFailure>;
}

/// Media as the Graph API gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudMedia {
    pub bytes: Vec<u8>,
    pub mime_type: String,
}

/// What to do after a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudRetry {
    /// Passing (a 5xx, a timeout, a rate limit): try again later.
    Later,
    /// Refused for good (a bad recipient, a closed window, bad bytes): give up.
    Never,
    /// The access token is no longer valid: nothing works until an admin replaces it.
    Reconnect,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudFailure {
    pub retry: CloudRetry,
    /// Meta's error code, when Meta answered with one.
    pub code: Option<i64>,
    /// The reason in plain words for an agent (Spanish).
    pub reason: String,
}
