//! The adapter's side of the port the use cases need ([`WhatsAppCodec`]): Meta's
//! signature and payloads read into the domain's events.

use crate::content::{Content, Interactive};
use crate::webhook::{ChangeValue, DeliveryStatus, GraphErrorDetail, InboundMessage, StatusUpdate};
use jiff::Timestamp;
use soporte_core::email::Delivery;
use soporte_core::whatsapp::{
    GraphErrorReport, InboundContent, InboundWhatsApp, NumberEvents, OrderItem, SharedContact,
    StatusReport, WhatsAppCodec,
};

/// Meta's Cloud API payloads.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudApiCodec;

impl WhatsAppCodec for CloudApiCodec {
    fn verify(&self, app_secret: &[u8], raw: &[u8], signature: Option<&str>) -> Result<(), String> {
        crate::verify_signature(app_secret, raw, signature).map_err(|e| e.to_string())
    }

    fn parse(&self, raw: &[u8]) -> Result<Vec<NumberEvents>, String> {
        let notification = crate::parse_notification(raw).map_err(|e| e.to_string())?;
        Ok(notification
            .entry
            .iter()
            .flat_map(|entry| &entry.changes)
            .filter(|change| change.field == "messages")
            .map(|change| number_events(&change.value))
            .collect())
    }

    fn plain_reason(&self, code: i64) -> String {
        crate::plain_reason(code).es_text()
    }
}

fn number_events(value: &ChangeValue) -> NumberEvents {
    NumberEvents {
        phone_number_id: value.metadata.phone_number_id.clone(),
        display_phone_number: value.metadata.display_phone_number.clone(),
        profiles: value
            .contacts
            .iter()
            .map(|p| (p.wa_id.clone(), p.profile.name.clone()))
            .collect(),
        messages: value.messages.iter().map(inbound).collect(),
        statuses: value.statuses.iter().filter_map(status).collect(),
        errors: value.errors.iter().map(error_report).collect(),
    }
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or_else(|_| Timestamp::now())
}

fn error_report(e: &GraphErrorDetail) -> GraphErrorReport {
    GraphErrorReport {
        code: e.code,
        title: e
            .title
            .clone()
            .or_else(|| e.message.clone())
            .unwrap_or_default(),
        details: e.error_data.as_ref().and_then(|d| d.details.clone()),
    }
}

fn inbound(m: &InboundMessage) -> InboundWhatsApp {
    let context = m.context.as_ref();
    InboundWhatsApp {
        wamid: m.id.clone(),
        from: m.from.clone(),
        sent_at: at(m.timestamp),
        reply_to: context.and_then(|c| c.id.clone()),
        forwarded: context.is_some_and(|c| c.forwarded),
        frequently_forwarded: context.is_some_and(|c| c.frequently_forwarded),
        content: content(&m.content, &m.errors),
        raw: m.raw.clone(),
    }
}

fn content(c: &Content, errors: &[GraphErrorDetail]) -> InboundContent {
    match c {
        Content::Text { body } => InboundContent::Text { body: body.clone() },
        Content::Media(media) => InboundContent::Media {
            kind: if media.voice {
                "voice".into()
            } else {
                media.kind.as_str().into()
            },
            media_id: media.id.clone(),
            mime_type: media
                .mime_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
            sha256: media.sha256.clone(),
            caption: media.caption.clone(),
            filename: media.filename.clone(),
        },
        Content::Location(l) => InboundContent::Location {
            latitude: l.latitude,
            longitude: l.longitude,
            name: l.name.clone(),
            address: l.address.clone(),
            url: l.url.clone(),
        },
        Content::Contacts(cards) => InboundContent::Contacts {
            cards: cards
                .iter()
                .map(|c| SharedContact {
                    name: c.name.formatted_name.clone(),
                    phones: c.phones.iter().filter_map(|p| p.phone.clone()).collect(),
                    emails: c.emails.iter().filter_map(|e| e.email.clone()).collect(),
                })
                .collect(),
        },
        Content::Interactive(i) => match i {
            Interactive::ButtonReply { id, title } => InboundContent::Interactive {
                reply_id: id.clone(),
                title: title.clone(),
                description: None,
            },
            Interactive::ListReply {
                id,
                title,
                description,
            } => InboundContent::Interactive {
                reply_id: id.clone(),
                title: title.clone(),
                description: description.clone(),
            },
            Interactive::NfmReply {
                name,
                body,
                response_json,
            } => InboundContent::Interactive {
                reply_id: name.clone().unwrap_or_else(|| "flow".into()),
                title: body.clone().unwrap_or_else(|| "Formulario enviado".into()),
                description: Some(response_json.clone()),
            },
            Interactive::Other { type_name } => InboundContent::Unsupported {
                type_name: format!("interactive/{type_name}"),
                reason: None,
            },
        },
        Content::Button { payload, text } => InboundContent::Button {
            payload: payload.clone().unwrap_or_default(),
            text: text.clone(),
        },
        Content::Order(order) => InboundContent::Order {
            catalog_id: Some(order.catalog_id.clone()),
            text: order.text.clone(),
            items: order
                .product_items
                .iter()
                .map(|i| OrderItem {
                    product_retailer_id: i.product_retailer_id.clone(),
                    quantity: i.quantity as f64,
                    item_price: Some(i.item_price),
                    currency: Some(i.currency.clone()),
                })
                .collect(),
        },
        Content::Reaction { message_id, emoji } => InboundContent::Reaction {
            target: message_id.clone(),
            emoji: emoji.clone().unwrap_or_default(),
        },
        Content::Edit {
            original_message_id,
            new,
        } => InboundContent::Edit {
            target: original_message_id.clone(),
            text: content(new, &[]).text(),
        },
        Content::Revoke {
            original_message_id,
        } => InboundContent::Revoke {
            target: original_message_id.clone(),
        },
        Content::System { body, .. } => InboundContent::System { body: body.clone() },
        Content::Unsupported {
            errors: own,
            type_name,
        } => InboundContent::Unsupported {
            type_name: type_name.clone().unwrap_or_else(|| "unsupported".into()),
            reason: own
                .iter()
                .chain(errors)
                .next()
                .map(|e| crate::plain_reason(e.code).es_text()),
        },
        Content::Unknown { type_name } => InboundContent::Unsupported {
            type_name: type_name.clone(),
            reason: None,
        },
    }
}

/// A delivery report; `played` counts as read, and states Soporte does not track
/// (`deleted`, unknown ones) are left out.
fn status(s: &StatusUpdate) -> Option<StatusReport> {
    let status = match &s.status {
        DeliveryStatus::Sent => Delivery::Sent,
        DeliveryStatus::Delivered => Delivery::Delivered,
        DeliveryStatus::Read | DeliveryStatus::Played => Delivery::Read,
        DeliveryStatus::Failed => Delivery::Failed,
        DeliveryStatus::Deleted | DeliveryStatus::Other(_) => return None,
    };
    Some(StatusReport {
        wamid: s.id.clone(),
        status,
        at: at(s.timestamp),
        recipient: s.recipient_id.clone(),
        error: s.errors.first().map(error_report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{Body, MessageBuilder, StatusBuilder};

    #[test]
    fn a_body_reads_as_each_numbers_events() -> Result<(), String> {
        let body = Body::new("106540352242922")
            .message(
                MessageBuilder::text("34600111222", "hola")
                    .id("wamid.T")
                    .name("Luis"),
            )
            .message(MessageBuilder::voice("34600111222", "987", "c2hh").id("wamid.V"))
            .message(MessageBuilder::reaction("34600111222", "wamid.T", Some("👍")).id("wamid.R"))
            .status(StatusBuilder::read("wamid.OUT", "34600111222"))
            .to_bytes();
        let events = CloudApiCodec.parse(&body)?;
        assert_eq!(events.len(), 1);
        let number = &events[0];
        assert_eq!(number.phone_number_id, "106540352242922");
        assert_eq!(number.profile_name("34600111222"), Some("Luis"));
        assert_eq!(number.messages.len(), 3);
        assert!(matches!(
            &number.messages[1].content,
            InboundContent::Media { kind, .. } if kind == "voice"
        ));
        assert!(matches!(
            &number.messages[2].content,
            InboundContent::Reaction { target, emoji } if target == "wamid.T" && emoji == "👍"
        ));
        assert_eq!(number.statuses[0].status, Delivery::Read);
        Ok(())
    }
}
