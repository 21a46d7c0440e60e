//! A WhatsApp ticket read as a chat: each WhatsApp message of the ticket becomes a bubble
//! (the customer's on the left, support's on the right) with what its type carries shown
//! as such (a photo, a player, a map link, a contact card …), the message it answers,
//! reactions, edits, deletions and, on support's messages, how far delivery got.
//! Notes and calls stay as the ticket page shows them.

use super::texts::{Lang, Texts, WhatsAppTexts};
use super::time;
use jiff::Timestamp;
use soporte_core::email::Delivery;
use soporte_core::support::Channel;
use soporte_core::ticket::{Message, MessageKind};
use soporte_core::whatsapp::{InboundContent, MediaStatus, WhatsAppDetails};

/// How much of the answered message a reply quotes.
const QUOTE_CHARS: usize = 140;

pub struct Bubble {
    /// `theirs` (the customer's) or `ours`.
    pub side: &'static str,
    /// Meta's type name, for the page's own checks and styles.
    pub content_type: String,
    /// What the customer wrote (a text, a caption); empty when the type says it all.
    pub text: String,
    pub time: String,
    pub time_title: String,
    pub media: Vec<MediaView>,
    pub location: Option<LocationView>,
    pub cards: Vec<CardView>,
    /// The title of the button or row the customer chose, after its label.
    pub choice: Option<(&'static str, String)>,
    pub choice_detail: String,
    pub order: Vec<String>,
    pub unknown: Option<UnknownView>,
    pub notice: bool,
    pub reply: Option<Quote>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
    pub reactions: Vec<ReactionView>,
    pub edited: bool,
    /// Earlier texts, oldest first, with when they were replaced.
    pub versions: Vec<(String, String)>,
    /// Whether the text before the first edit is among the versions.
    pub original_kept: bool,
    pub revoked: bool,
    pub tick: Option<Tick>,
}

pub struct MediaView {
    /// `img`, `sticker`, `video`, `audio` or `file`: how the page shows it.
    pub player: &'static str,
    pub label: &'static str,
    /// `pending`, `stored` or `lost`.
    pub state: &'static str,
    pub url: String,
    pub mime_type: String,
    pub filename: String,
    pub error: String,
}

pub struct LocationView {
    pub coordinates: String,
    /// OpenStreetMap at the spot; empty when the coordinates are not on Earth.
    pub map_url: String,
    pub place: String,
}

pub struct CardView {
    pub name: String,
    /// Each phone as written and as dialled (`tel:` link).
    pub phones: Vec<(String, String)>,
    pub emails: Vec<String>,
}

pub struct UnknownView {
    pub type_name: String,
    pub raw: String,
}

pub struct Quote {
    /// The answered message in this ticket, when it is here.
    pub target: Option<i64>,
    pub author: String,
    pub text: String,
}

pub struct ReactionView {
    pub emoji: String,
    pub who: String,
}

pub struct Tick {
    /// `queued`, `sent`, `delivered`, `read` or `failed`.
    pub state: &'static str,
    /// What the eye sees (✓, ✓✓ …); the words are in `label`.
    pub symbol: &'static str,
    pub label: String,
}

/// What every bubble of one ticket needs to know about the others.
pub struct Chat<'a> {
    messages: &'a [Message],
    t: &'static Texts,
    lang: Lang,
    customer: &'a str,
    now: Timestamp,
}

impl<'a> Chat<'a> {
    /// `customer`: the requester's name, for their reactions.
    pub fn new(messages: &'a [Message], t: &'static Texts, lang: Lang, customer: &'a str) -> Self {
        Self {
            messages,
            t,
            lang,
            customer,
            now: Timestamp::now(),
        }
    }

    /// The bubble of a message that came or went by WhatsApp; `None` for the rest (notes,
    /// calls, e-mails), which the page shows as it shows any message.
    pub fn bubble(&self, m: &Message, author_of: impl Fn(&Message) -> String) -> Option<Bubble> {
        let side = match m.kind {
            _ if m.channel != Channel::Whatsapp => return None,
            MessageKind::Inbound => "theirs",
            MessageKind::Outbound => "ours",
            _ => return None,
        };
        let w = &self.t.wa;
        let details = m.whatsapp.as_ref();
        let content =
            details.and_then(|d| serde_json::from_value::<InboundContent>(d.content.clone()).ok());
        let edited = details.is_some_and(|d| !d.edits.is_empty());
        let mut bubble = Bubble {
            side,
            content_type: details.map_or_else(|| "text".to_string(), |d| d.content_type.clone()),
            text: String::new(),
            time: time::clock(m.created_at, self.now, self.lang),
            time_title: time::local(m.created_at, self.lang),
            media: vec![],
            location: None,
            cards: vec![],
            choice: None,
            choice_detail: String::new(),
            order: vec![],
            unknown: None,
            notice: false,
            reply: details
                .and_then(|d| d.reply_to.as_deref())
                .map(|wamid| self.quote(wamid, &author_of)),
            forwarded: details.is_some_and(|d| d.forwarded && !d.frequently_forwarded),
            frequently_forwarded: details.is_some_and(|d| d.frequently_forwarded),
            reactions: details.map(|d| self.reactions(d)).unwrap_or_default(),
            edited,
            versions: details.map(|d| self.versions(d)).unwrap_or_default(),
            original_kept: details.is_some_and(|d| d.original_text.is_some())
                || matches!(
                    &content,
                    Some(InboundContent::Media {
                        caption: Some(_),
                        ..
                    })
                ),
            revoked: details.is_some_and(|d| d.revoked_at.is_some()),
            tick: (side == "ours").then(|| tick(m, w)),
        };
        match content {
            Some(InboundContent::Media {
                caption,
                filename,
                mime_type,
                kind,
                ..
            }) => {
                // An edited caption is the message's text now; otherwise the text holds a
                // description ("[Imagen] …") the player makes redundant.
                bubble.text = if edited {
                    m.body_text.clone()
                } else {
                    caption.unwrap_or_default()
                };
                bubble.media = media_views(m, details, &kind, &mime_type, filename, w);
            }
            Some(InboundContent::Location {
                latitude,
                longitude,
                name,
                address,
                ..
            }) => {
                let on_earth =
                    (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude);
                bubble.location = Some(LocationView {
                    coordinates: format!("{latitude}, {longitude}"),
                    map_url: if on_earth {
                        format!(
                            "https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=17/{latitude}/{longitude}"
                        )
                    } else {
                        String::new()
                    },
                    place: [name, address]
                        .into_iter()
                        .flatten()
                        .filter(|s| !s.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            Some(InboundContent::Contacts { cards }) => {
                bubble.cards = cards
                    .into_iter()
                    .map(|c| CardView {
                        name: c.name,
                        phones: c
                            .phones
                            .into_iter()
                            .map(|p| {
                                let dial: String = p
                                    .chars()
                                    .filter(|c| c.is_ascii_digit() || *c == '+')
                                    .collect();
                                (p, dial)
                            })
                            .collect(),
                        emails: c.emails,
                    })
                    .collect();
            }
            Some(InboundContent::Interactive {
                title, description, ..
            }) => {
                bubble.choice = Some((w.chosen_reply, title));
                bubble.choice_detail = description.unwrap_or_default();
            }
            Some(InboundContent::Button { text, .. }) => {
                bubble.choice = Some((w.button, text));
            }
            Some(InboundContent::Order { text, items, .. }) => {
                bubble.text = text.unwrap_or_default();
                bubble.order = items
                    .iter()
                    .map(|i| {
                        let mut line = format!("{} × {}", i.product_retailer_id, i.quantity);
                        if let Some(price) = i.item_price {
                            line.push_str(&format!(
                                " — {price:.2} {}",
                                i.currency.as_deref().unwrap_or_default()
                            ));
                        }
                        line.trim_end().to_string()
                    })
                    .collect();
            }
            Some(InboundContent::System { .. }) => {
                bubble.notice = true;
                bubble.text = m.body_text.clone();
            }
            // Text, and what changes another message (never stored as a message of its own).
            Some(_) => bubble.text = m.body_text.clone(),
            None => match details {
                // A customer's message of a type Soporte does not know: say so, and keep
                // what Meta sent at hand.
                Some(d) if side == "theirs" && !d.content.is_null() => {
                    let raw = d.content.get("raw").unwrap_or(&d.content);
                    bubble.unknown = Some(UnknownView {
                        type_name: d.content_type.clone(),
                        raw: serde_json::to_string_pretty(raw).unwrap_or_default(),
                    });
                }
                _ => bubble.text = m.body_text.clone(),
            },
        }
        bubble.media.extend(attached_media(m, details, w));
        Some(bubble)
    }

    fn quote(&self, wamid: &str, author_of: &impl Fn(&Message) -> String) -> Quote {
        let answered = self.messages.iter().find(|o| {
            o.whatsapp
                .as_ref()
                .and_then(|w| w.wamid.as_deref())
                .is_some_and(|id| id == wamid)
        });
        match answered {
            Some(o) => {
                let mut text: String = o.body_text.chars().take(QUOTE_CHARS).collect();
                if o.body_text.chars().count() > QUOTE_CHARS {
                    text.push('…');
                }
                Quote {
                    target: Some(o.id.0),
                    author: author_of(o),
                    text,
                }
            }
            None => Quote {
                target: None,
                author: String::new(),
                text: self.t.wa.reply_to_earlier.to_string(),
            },
        }
    }

    fn reactions(&self, d: &WhatsAppDetails) -> Vec<ReactionView> {
        d.reactions
            .iter()
            .filter(|r| !r.emoji.is_empty())
            .map(|r| ReactionView {
                emoji: r.emoji.clone(),
                who: if r.from == d.wa_id && !self.customer.is_empty() {
                    format!("{} (+{})", self.customer, r.from)
                } else {
                    format!("+{}", r.from)
                },
            })
            .collect()
    }

    /// The texts a message had before its latest edit. Each edit holds the text it put in
    /// place, so the versions are the text as received, then the edits but the last. (Edits
    /// taken in before the text as received was kept show a media caption instead.)
    fn versions(&self, d: &WhatsAppDetails) -> Vec<(String, String)> {
        let mut versions = Vec::new();
        if d.edits.is_empty() {
            return versions;
        }
        if let Some(original) = &d.original_text {
            versions.push((original.clone(), String::new()));
        } else if let Ok(InboundContent::Media {
            caption: Some(caption),
            ..
        }) = serde_json::from_value::<InboundContent>(d.content.clone())
        {
            versions.push((caption, String::new()));
        }
        let shown = d.edits.len() - 1;
        versions.extend(
            d.edits[..shown]
                .iter()
                .map(|e| (e.text.clone(), time::local(e.at, self.lang))),
        );
        versions
    }
}

fn tick(m: &Message, w: &WhatsAppTexts) -> Tick {
    let (state, symbol, label) = match m.delivery.unwrap_or(Delivery::Queued) {
        // The page draws a clock.
        Delivery::Queued => ("queued", "", w.queued.to_string()),
        Delivery::Sent => ("sent", "✓", w.sent.to_string()),
        Delivery::Delivered => ("delivered", "✓✓", w.delivered.to_string()),
        Delivery::Read => ("read", "✓✓", w.read.to_string()),
        Delivery::Failed => {
            let error = m.whatsapp.as_ref().and_then(|d| d.delivery_error.as_ref());
            let label = match error {
                Some(e) => format!("{}: {} ({} {})", w.failed, e.reason, w.code, e.code),
                None => w.failed.to_string(),
            };
            ("failed", "!", label)
        }
    };
    Tick {
        state,
        symbol,
        label,
    }
}

fn player_of(kind: &str, w: &WhatsAppTexts) -> (&'static str, &'static str) {
    match kind {
        "image" => ("img", w.image),
        "sticker" => ("sticker", w.sticker),
        "video" => ("video", w.video),
        "audio" => ("audio", w.audio),
        "voice" => ("audio", w.voice),
        "document" => ("file", w.document),
        _ => ("file", w.file),
    }
}

/// The media a customer's message carries, as far as Soporte got fetching them.
fn media_views(
    m: &Message,
    details: Option<&WhatsAppDetails>,
    kind: &str,
    mime_type: &str,
    filename: Option<String>,
    w: &WhatsAppTexts,
) -> Vec<MediaView> {
    let view = |kind: &str, state: &'static str| {
        let (player, label) = player_of(kind, w);
        MediaView {
            player,
            label,
            state,
            url: String::new(),
            mime_type: mime_type.to_string(),
            filename: filename.clone().unwrap_or_default(),
            error: String::new(),
        }
    };
    let states = details.map(|d| d.media.as_slice()).unwrap_or_default();
    if states.is_empty() {
        // Nothing fetched or queued for it: its file, if any, is an attachment of its own
        // (shown by `attached_media`).
        return if m.attachments.iter().any(|a| !a.inline) {
            vec![]
        } else {
            vec![view(kind, "pending")]
        };
    }
    states
        .iter()
        .map(|s| match (s.status, s.attachment_id) {
            (MediaStatus::Stored, Some(id)) => {
                let mut v = view(&s.kind, "stored");
                v.url = format!("/attachments/{}", id.0);
                if let Some(a) = m.attachments.iter().find(|a| a.id == id) {
                    if v.filename.is_empty() {
                        v.filename = a.filename.clone();
                    }
                    v.mime_type = a.media_type.clone();
                }
                v
            }
            (MediaStatus::Lost, _) | (MediaStatus::Stored, None) => {
                let mut v = view(&s.kind, "lost");
                v.error = s.error.clone().unwrap_or_default();
                v
            }
            (MediaStatus::Pending, _) => view(&s.kind, "pending"),
        })
        .collect()
}

/// The files of a message that no media state names (what an agent attached to a reply),
/// each shown by its type: photos, players, or a download.
fn attached_media(
    m: &Message,
    details: Option<&WhatsAppDetails>,
    w: &WhatsAppTexts,
) -> Vec<MediaView> {
    let named = |id| details.is_some_and(|d| d.media.iter().any(|s| s.attachment_id == Some(id)));
    m.attachments
        .iter()
        .filter(|a| !a.inline && !named(a.id))
        .map(|a| {
            let kind = match a.media_type.split('/').next().unwrap_or_default() {
                // Only raster images are served for `<img>`.
                "image" if a.media_type != "image/svg+xml" => "image",
                "video" => "video",
                "audio" => "audio",
                _ => "document",
            };
            let (player, label) = player_of(kind, w);
            MediaView {
                player,
                label,
                state: "stored",
                url: format!("/attachments/{}", a.id.0),
                mime_type: a.media_type.clone(),
                filename: a.filename.clone(),
                error: String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Page;
    use askama::Template;
    use soporte_core::ids::{AttachmentId, ContactId, MessageId, TicketId};
    use soporte_core::ticket::{Actor, Attachment};
    use soporte_core::whatsapp::MediaState;

    /// The bubble alone, as the ticket page includes it.
    #[derive(Template)]
    #[template(path = "console/whatsapp_bubble.html")]
    struct One<'a> {
        page: Page<'a>,
        m: Shown,
        b: Bubble,
    }

    struct Shown {
        id: i64,
        author: String,
        at_iso: String,
    }

    fn customer_media(kind: &str, media: Vec<MediaState>, attachments: Vec<Attachment>) -> Message {
        Message {
            id: MessageId(1),
            ticket_id: TicketId(1),
            kind: MessageKind::Inbound,
            author: Actor::Contact(ContactId(1)),
            channel: Channel::Whatsapp,
            body_text: format!("[{kind}] mire"),
            body_html: None,
            channel_message_id: Some("wamid.M".into()),
            created_at: Timestamp::UNIX_EPOCH,
            attachments,
            quoted_text: None,
            email: None,
            automatic: None,
            original_sha256: None,
            delivery: None,
            whatsapp: Some(WhatsAppDetails {
                wamid: Some("wamid.M".into()),
                phone_number_id: "1065".into(),
                wa_id: "34600111222".into(),
                content_type: kind.into(),
                content: serde_json::json!({
                    "type": "media", "kind": kind, "media_id": "9", "mime_type": "image/jpeg",
                    "sha256": null, "caption": "mire <b>esto</b>", "filename": null,
                }),
                reply_to: None,
                forwarded: false,
                frequently_forwarded: false,
                reactions: vec![],
                edits: vec![],
                original_text: None,
                revoked_at: None,
                delivery_error: None,
                media,
            }),
        }
    }

    fn stored(kind: &str, id: i64) -> MediaState {
        MediaState {
            kind: kind.into(),
            status: MediaStatus::Stored,
            attachment_id: Some(AttachmentId(id)),
            error: None,
        }
    }

    fn file(id: i64, name: &str, media_type: &str) -> Attachment {
        Attachment {
            id: AttachmentId(id),
            message_id: MessageId(1),
            ticket_id: TicketId(1),
            sha256: String::new(),
            filename: name.into(),
            media_type: media_type.into(),
            size: 10,
            inline: false,
            content_id: None,
        }
    }

    fn render(message: &Message) -> Result<String, askama::Error> {
        let messages = std::slice::from_ref(message);
        let chat = Chat::new(messages, Lang::Es.texts(), Lang::Es, "Luis");
        let b = chat
            .bubble(message, |_| "Luis".to_string())
            .ok_or_else(|| askama::Error::Custom("no bubble".into()))?;
        One {
            page: Page::anonymous(Lang::Es, "/"),
            m: Shown {
                id: 1,
                author: "Luis".into(),
                at_iso: String::new(),
            },
            b,
        }
        .render()
    }

    #[test]
    fn stored_media_show_as_photos_players_and_downloads() -> Result<(), askama::Error> {
        let photo = render(&customer_media(
            "image",
            vec![stored("image", 7)],
            vec![file(7, "foto.jpg", "image/jpeg")],
        ))?;
        assert!(
            photo.contains(
                "<a href=\"/attachments/7\"><img src=\"/attachments/7\" alt=\"Imagen: foto.jpg\""
            ),
            "{photo}"
        );
        assert!(
            photo.contains("mire &#60;b&#62;esto&#60;/b&#62;"),
            "the caption, escaped: {photo}"
        );
        assert!(!photo.contains("Descargando"), "{photo}");

        let voice = render(&customer_media(
            "voice",
            vec![stored("voice", 8)],
            vec![file(8, "nota.ogg", "audio/ogg")],
        ))?;
        assert!(
            voice.contains("<audio controls preload=\"metadata\" src=\"/attachments/8\""),
            "{voice}"
        );
        assert!(voice.contains("Nota de voz"), "{voice}");

        let video = render(&customer_media(
            "video",
            vec![stored("video", 9)],
            vec![file(9, "clip.mp4", "video/mp4")],
        ))?;
        assert!(
            video.contains("<video controls preload=\"metadata\" src=\"/attachments/9\""),
            "{video}"
        );

        let sticker = render(&customer_media(
            "sticker",
            vec![stored("sticker", 10)],
            vec![file(10, "sticker.webp", "image/webp")],
        ))?;
        assert!(
            sticker.contains("<img class=\"sticker\" src=\"/attachments/10\""),
            "{sticker}"
        );

        let document = render(&customer_media(
            "document",
            vec![stored("document", 11)],
            vec![file(11, "factura.pdf", "application/pdf")],
        ))?;
        assert!(
            document
                .contains("<a class=\"file\" href=\"/attachments/11\" download>factura.pdf</a>"),
            "{document}"
        );
        Ok(())
    }

    #[test]
    fn media_not_fetched_say_so_and_why() -> Result<(), askama::Error> {
        let pending = render(&customer_media(
            "image",
            vec![MediaState {
                kind: "image".into(),
                status: MediaStatus::Pending,
                attachment_id: None,
                error: None,
            }],
            vec![],
        ))?;
        assert!(pending.contains("Descargando…"), "{pending}");
        assert!(!pending.contains("<img"), "{pending}");

        let lost = render(&customer_media(
            "audio",
            vec![MediaState {
                kind: "audio".into(),
                status: MediaStatus::Lost,
                attachment_id: None,
                error: Some("Meta ya no guarda el archivo".into()),
            }],
            vec![],
        ))?;
        assert!(
            lost.contains("No se pudo descargar: Meta ya no guarda el archivo"),
            "{lost}"
        );
        assert!(!lost.contains("<audio"), "{lost}");
        Ok(())
    }

    #[test]
    fn locations_off_the_map_get_no_link() -> Result<(), askama::Error> {
        let mut message = customer_media("location", vec![], vec![]);
        if let Some(d) = message.whatsapp.as_mut() {
            d.content = serde_json::json!({
                "type": "location", "latitude": 123.0, "longitude": 7.5,
                "name": null, "address": null, "url": null,
            });
        }
        let page = render(&message)?;
        assert!(!page.contains("openstreetmap"), "{page}");
        assert!(page.contains("123, 7.5"), "{page}");
        Ok(())
    }
}
