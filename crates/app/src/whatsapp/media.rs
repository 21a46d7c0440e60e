//! Fetching the media customers send. The message is stored at once with its media
//! pending; a worker fetches each file (a fresh download URL every attempt: they live
//! minutes), checks it against Meta's sha256, stores it as an attachment, and backs off
//! while the Graph API fails. Media ids live 7 days: after that a file is lost, and the
//! message says so with the reason.

use super::cloud::{CloudRetry, WhatsAppCloud};
use crate::{App, Result};
use jiff::{SignedDuration, Timestamp};
use soporte_core::ticket::{normalize_media_type, sanitize_filename};
use soporte_store::{NewAttachment, PendingMedia};

/// WhatsApp's largest file (documents, 100 MB).
pub const MAX_MEDIA_BYTES: usize = 100 * 1024 * 1024;
const LEASE: SignedDuration = SignedDuration::from_mins(5);
/// How long Meta keeps a customer's media.
const MEDIA_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 7);

/// What became of a round of fetching.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaReport {
    pub stored: usize,
    pub retried: usize,
    pub lost: usize,
}

/// The file's name: the customer's, or one made from its kind and type.
fn file_name(media: &PendingMedia, mime_type: &str) -> String {
    if let Some(name) = media.filename.as_deref().filter(|n| !n.trim().is_empty()) {
        return sanitize_filename(name);
    }
    let extension = match mime_type.split(';').next().unwrap_or_default().trim() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" | "audio/aac" => "m4a",
        "audio/amr" => "amr",
        "application/pdf" => "pdf",
        _ => "bin",
    };
    let kind = match media.kind.as_str() {
        "image" => "imagen",
        "video" => "video",
        "audio" | "voice" => "audio",
        "sticker" => "sticker",
        _ => "archivo",
    };
    format!("whatsapp-{kind}-{}.{extension}", media.id)
}

impl App {
    /// Fetches up to `batch` due media files.
    pub async fn fetch_whatsapp_media(
        &self,
        cloud: &dyn WhatsAppCloud,
        batch: u32,
    ) -> Result<MediaReport> {
        let mut report = MediaReport::default();
        let Some(settings) = self.settings().whatsapp.clone() else {
            return Ok(report);
        };
        let due = self
            .store
            .claim_whatsapp_media(batch, Timestamp::now() + LEASE)
            .await?;
        for media in due {
            let fetched = cloud
                .fetch_media(
                    &media.media_id,
                    media.expected_sha256.as_deref(),
                    MAX_MEDIA_BYTES,
                )
                .await;
            match fetched {
                Ok(file) => {
                    let mime_type = if file.mime_type.trim().is_empty() {
                        media.mime_type.clone()
                    } else {
                        file.mime_type.clone()
                    };
                    let blob = self.blobs.put(&file.bytes).await?;
                    let attachment = NewAttachment {
                        sha256: blob.sha256,
                        size: blob.size,
                        filename: file_name(&media, &mime_type),
                        media_type: normalize_media_type(&mime_type),
                        inline: false,
                        content_id: None,
                    };
                    self.store
                        .whatsapp_media_stored(media.id, &attachment)
                        .await?;
                    report.stored += 1;
                }
                Err(failure) => {
                    let age = Timestamp::now().duration_since(media.created_at);
                    let retry_at = match failure.retry {
                        CloudRetry::Later | CloudRetry::Reconnect if age < MEDIA_LIFETIME => {
                            Some(Timestamp::now() + settings.backoff(media.attempts))
                        }
                        _ => None,
                    };
                    let reason = if retry_at.is_none() && age >= MEDIA_LIFETIME {
                        format!(
                            "Meta ya no guarda el archivo (7 días); último error: {}",
                            failure.reason
                        )
                    } else {
                        failure.reason.clone()
                    };
                    tracing::warn!(media = media.id, code = ?failure.code, reason = %reason, retry = retry_at.is_some(), "WhatsApp media not fetched");
                    if failure.retry == CloudRetry::Reconnect {
                        self.store
                            .record_whatsapp_health(
                                None,
                                Some((&failure.reason, failure.code)),
                                Timestamp::now(),
                            )
                            .await?;
                    }
                    self.store
                        .whatsapp_media_failed(media.id, &reason, retry_at)
                        .await?;
                    if retry_at.is_some() {
                        report.retried += 1;
                    } else {
                        report.lost += 1;
                    }
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soporte_core::ids::{MessageId, TicketId};

    fn media(kind: &str, filename: Option<&str>) -> PendingMedia {
        PendingMedia {
            id: 7,
            message_id: MessageId(1),
            ticket_id: TicketId(1),
            media_id: "m".into(),
            kind: kind.into(),
            mime_type: "image/jpeg".into(),
            expected_sha256: None,
            filename: filename.map(str::to_string),
            attempts: 0,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn files_keep_the_customers_name_or_get_one_from_their_type() {
        assert_eq!(
            file_name(
                &media("document", Some("factura marzo.pdf")),
                "application/pdf"
            ),
            "factura marzo.pdf"
        );
        assert_eq!(
            file_name(&media("image", None), "image/jpeg"),
            "whatsapp-imagen-7.jpg"
        );
        assert_eq!(
            file_name(&media("voice", None), "audio/ogg; codecs=opus"),
            "whatsapp-audio-7.ogg"
        );
    }

    #[test]
    fn the_backoff_doubles_up_to_an_hour() {
        let settings = crate::whatsapp::WhatsAppSettings::new("v", "s");
        assert_eq!(settings.backoff(0), SignedDuration::from_secs(15));
        assert_eq!(settings.backoff(1), SignedDuration::from_secs(30));
        assert_eq!(settings.backoff(3), SignedDuration::from_secs(120));
        assert_eq!(settings.backoff(20), SignedDuration::from_secs(3600));
    }
}
