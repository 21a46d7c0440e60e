//! Wires the Graph API client of the WhatsApp adapter (`soporte-whatsapp`) into the use
//! cases' port: Soporte's outgoing messages become the Cloud API's request shapes, and its
//! errors become what the sending and media workers need (retry, give up, reconnect) with
//! a reason an agent can read.

use async_trait::async_trait;
use soporte_app::whatsapp::{CloudFailure, CloudMedia, CloudRetry, WhatsAppCloud};
use soporte_core::whatsapp::{OutgoingContent, OutgoingWhatsApp};
use soporte_whatsapp::{GraphClient, GraphConfig, GraphError, OutgoingMessage, Retry};
use std::time::Duration;

pub struct GraphCloud(GraphClient);

impl GraphCloud {
    pub fn new(graph_url: &str, api_version: &str, access_token: &str) -> Result<Self, GraphError> {
        Ok(Self(GraphClient::new(GraphConfig {
            graph_url: graph_url.to_string(),
            api_version: api_version.to_string(),
            access_token: access_token.to_string(),
            timeout: Duration::from_secs(30),
        })?))
    }
}

fn failure(e: GraphError) -> CloudFailure {
    let retry = match e.retry() {
        Retry::Later => CloudRetry::Later,
        Retry::Never => CloudRetry::Never,
        Retry::Reconnect => CloudRetry::Reconnect,
    };
    let reason = match &e {
        GraphError::Api(api) => match api.code {
            Some(code) => soporte_whatsapp::plain_reason(code).es_text(),
            None => format!("Meta respondió con el estado HTTP {}", api.status),
        },
        GraphError::Timeout => "Meta no respondió a tiempo".to_string(),
        GraphError::Connect(_) | GraphError::Transport(_) => {
            "no se pudo conectar con la API de Meta".to_string()
        }
        GraphError::Decode(_) => "Meta dio una respuesta que no se entiende".to_string(),
        GraphError::TooLarge { limit } => {
            format!(
                "el archivo supera el límite de {} MB",
                limit / (1024 * 1024)
            )
        }
        GraphError::MediaChecksum { .. } => {
            "el archivo descargado no coincide con su huella (sha256)".to_string()
        }
        GraphError::InvalidArgument(what) => format!("identificador no válido ({what})"),
    };
    CloudFailure {
        retry,
        code: e.code(),
        reason,
    }
}

fn request(
    message: &OutgoingWhatsApp,
    media_id: Option<&str>,
) -> Result<OutgoingMessage, CloudFailure> {
    let outgoing = match &message.content {
        OutgoingContent::Text { body } => OutgoingMessage::text(&message.to, body),
        OutgoingContent::Template {
            name,
            language,
            parameters,
        } => OutgoingMessage::template(&message.to, name, language, parameters.clone()),
        file @ OutgoingContent::File {
            filename, caption, ..
        } => {
            let Some(media_id) = media_id else {
                return Err(CloudFailure {
                    retry: CloudRetry::Later,
                    code: None,
                    reason: "el archivo no se subió a Meta".into(),
                });
            };
            if file.type_name() == "image" {
                OutgoingMessage::image(&message.to, media_id, caption.clone())
            } else {
                OutgoingMessage::document(
                    &message.to,
                    media_id,
                    Some(filename.clone()),
                    caption.clone(),
                )
            }
        }
    };
    Ok(match &message.reply_to {
        Some(wamid) => outgoing.reply_to(wamid),
        None => outgoing,
    })
}

#[async_trait]
impl WhatsAppCloud for GraphCloud {
    async fn send(
        &self,
        phone_number_id: &str,
        message: &OutgoingWhatsApp,
        media_id: Option<&str>,
    ) -> Result<String, CloudFailure> {
        let outgoing = request(message, media_id)?;
        self.0
            .send(phone_number_id, &outgoing)
            .await
            .map(|sent| sent.wamid)
            .map_err(failure)
    }

    async fn upload(
        &self,
        phone_number_id: &str,
        bytes: Vec<u8>,
        media_type: &str,
        filename: &str,
    ) -> Result<String, CloudFailure> {
        self.0
            .upload_media(phone_number_id, bytes, media_type, filename)
            .await
            .map_err(failure)
    }

    async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), CloudFailure> {
        self.0
            .mark_read(phone_number_id, wamid)
            .await
            .map_err(failure)
    }

    async fn fetch_media(
        &self,
        media_id: &str,
        expected_sha256: Option<&str>,
        max_bytes: usize,
    ) -> Result<CloudMedia, CloudFailure> {
        let fetched = self
            .0
            .fetch_media(media_id, max_bytes)
            .await
            .map_err(failure)?;
        // The webhook's hash too: the download must be the file the customer sent.
        if let Some(expected) = expected_sha256.filter(|e| !e.trim().is_empty())
            && !soporte_whatsapp::graph::sha256_matches(&fetched.bytes, expected)
        {
            return Err(failure(GraphError::MediaChecksum {
                expected: expected.to_string(),
                actual: String::new(),
            }));
        }
        Ok(CloudMedia {
            bytes: fetched.bytes,
            mime_type: fetched.info.mime_type,
        })
    }
}
