//! Parsing of `messages` webhook bodies: the fixtures in `tests/payloads` (see its README
//! for the reference pages they follow), the builders, and hostile input.

use soporte_whatsapp::payload::{Body, MessageBuilder, StatusBuilder};
use soporte_whatsapp::webhook::{
    Content, DeliveryStatus, InboundMessage, Interactive, MediaKind, Notification, PayloadError,
    StatusUpdate, parse_notification,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(name: &str) -> Result<Notification, Box<dyn std::error::Error>> {
    let path = format!("{}/tests/payloads/{name}", env!("CARGO_MANIFEST_DIR"));
    Ok(parse_notification(&std::fs::read(path)?)?)
}

fn messages(n: &Notification) -> Vec<InboundMessage> {
    n.messages().map(|(_, m)| m.clone()).collect()
}

fn statuses(n: &Notification) -> Vec<StatusUpdate> {
    n.statuses().map(|(_, s)| s.clone()).collect()
}

#[test]
fn text_fixture() -> TestResult {
    let n = fixture("text.json")?;
    assert_eq!(n.object, "whatsapp_business_account");
    assert_eq!(n.entry[0].id, "102290129340398");
    let (change, m) = n.messages().next().ok_or("no message")?;
    assert_eq!(change.metadata.phone_number_id, "106540352242922");
    assert_eq!(change.metadata.display_phone_number, "15550783881");
    assert_eq!(change.profile_name("34612345678"), Some("Marta Ruiz"));
    assert_eq!(m.from, "34612345678");
    assert!(m.id.starts_with("wamid."));
    assert_eq!(m.timestamp, 1_765_100_001);
    assert_eq!(
        m.content,
        Content::Text {
            body: "¿Tienen la talla 42 en azul?".into()
        }
    );
    assert_eq!(m.raw["text"]["body"], "¿Tienen la talla 42 en azul?");
    Ok(())
}

#[test]
fn reply_forward_and_product_context() -> TestResult {
    let m = messages(&fixture("reply_and_forward.json")?);
    let reply = m[0].context.clone().ok_or("no context")?;
    assert_eq!(reply.from.as_deref(), Some("15550783881"));
    assert!(
        reply
            .id
            .as_deref()
            .is_some_and(|id| id.starts_with("wamid."))
    );
    assert!(!reply.forwarded);
    assert!(
        m[1].context
            .as_ref()
            .is_some_and(|c| c.forwarded && !c.frequently_forwarded)
    );
    assert!(
        m[2].context
            .as_ref()
            .is_some_and(|c| c.frequently_forwarded)
    );
    let product = m[3]
        .context
        .as_ref()
        .and_then(|c| c.referred_product.clone())
        .ok_or("no product")?;
    assert_eq!(product.product_retailer_id, "ZAP-42-AZUL");
    Ok(())
}

#[test]
fn media_fixture() -> TestResult {
    let m = messages(&fixture("media.json")?);
    let media: Vec<_> = m
        .iter()
        .map(|m| match &m.content {
            Content::Media(media) => Ok(media.clone()),
            other => Err(format!("not media: {other:?}")),
        })
        .collect::<Result<_, _>>()?;
    assert_eq!(
        media.iter().map(|m| m.kind).collect::<Vec<_>>(),
        [
            MediaKind::Image,
            MediaKind::Audio,
            MediaKind::Document,
            MediaKind::Sticker,
            MediaKind::Video
        ]
    );
    assert_eq!(media[0].caption.as_deref(), Some("La caja llegó así"));
    assert_eq!(
        media[0].sha256.as_deref(),
        Some("kSSwyH9H3I8ViYKxVl4dmAYAXVFI0rXc4SWbQfKU/Bw=")
    );
    assert_eq!(media[0].id, "1003383421387256");
    assert!(media[1].voice);
    assert_eq!(
        media[1].mime_type.as_deref(),
        Some("audio/ogg; codecs=opus")
    );
    assert_eq!(media[2].filename.as_deref(), Some("factura-2031.pdf"));
    assert!(!media[3].animated);
    assert_eq!(m[2].content.placeholder(), "[document] Factura");
    Ok(())
}

#[test]
fn location_and_contacts_fixture() -> TestResult {
    let m = messages(&fixture("location_contacts.json")?);
    let Content::Location(l) = &m[0].content else {
        return Err("not a location".into());
    };
    assert_eq!((l.latitude, l.longitude), (40.4168, -3.7038));
    assert_eq!(l.name.as_deref(), Some("Tienda Centro"));
    assert_eq!(l.address.as_deref(), Some("Calle Mayor 1, Madrid"));
    let Content::Contacts(cards) = &m[1].content else {
        return Err("not contacts".into());
    };
    assert_eq!(cards[0].name.formatted_name, "Ana López");
    assert_eq!(cards[0].phones.len(), 2);
    assert_eq!(cards[0].phones[0].wa_id.as_deref(), Some("34600111222"));
    assert_eq!(cards[0].phones[1].wa_id, None);
    assert_eq!(cards[0].emails[0].email.as_deref(), Some("ana@example.com"));
    Ok(())
}

#[test]
fn interactive_and_button_fixture() -> TestResult {
    let m = messages(&fixture("interactive.json")?);
    assert_eq!(
        m[0].content,
        Content::Interactive(Interactive::ButtonReply {
            id: "cambio".into(),
            title: "Quiero un cambio".into()
        })
    );
    assert_eq!(
        m[1].content,
        Content::Interactive(Interactive::ListReply {
            id: "envio-urgente".into(),
            title: "Envío urgente".into(),
            description: Some("24 horas".into()),
        })
    );
    let Content::Interactive(Interactive::NfmReply { response_json, .. }) = &m[2].content else {
        return Err("not a flow reply".into());
    };
    let answers: serde_json::Value = serde_json::from_str(response_json)?;
    assert_eq!(answers["valoracion"], "5");
    assert_eq!(
        m[3].content,
        Content::Button {
            payload: Some("SI_CONFIRMO".into()),
            text: "Sí, confirmo".into()
        }
    );
    Ok(())
}

#[test]
fn order_and_reactions_fixture() -> TestResult {
    let m = messages(&fixture("order_reaction.json")?);
    let Content::Order(order) = &m[0].content else {
        return Err("not an order".into());
    };
    assert_eq!(order.catalog_id, "2040404040404040");
    assert_eq!(order.product_items.len(), 2);
    assert_eq!(order.product_items[0].item_price, 59.9);
    // Quantities and prices given as strings are read too.
    assert_eq!(order.product_items[1].quantity, 2);
    assert_eq!(order.product_items[1].item_price, 4.5);
    assert!(matches!(&m[1].content, Content::Reaction { emoji: Some(e), .. } if e == "👍"));
    assert!(matches!(
        &m[2].content,
        Content::Reaction { emoji: None, .. }
    ));
    assert!(matches!(
        &m[3].content,
        Content::Reaction { emoji: None, .. }
    ));
    Ok(())
}

#[test]
fn edit_revoke_system_unsupported_fixture() -> TestResult {
    let m = messages(&fixture("edit_revoke_system_unsupported.json")?);
    let Content::Edit {
        original_message_id,
        new,
    } = &m[0].content
    else {
        return Err("not an edit".into());
    };
    assert!(original_message_id.starts_with("wamid."));
    assert!(
        matches!(new.as_ref(), Content::Media(media) if media.caption.as_deref() == Some("Foto corregida"))
    );
    assert!(
        matches!(&m[1].content, Content::Revoke { original_message_id } if original_message_id.starts_with("wamid."))
    );
    assert_eq!(
        m[2].content,
        Content::System {
            body: "User 34612345678 changed from 34612345678 to 34699999999".into(),
            kind: Some("user_changed_number".into()),
            wa_id: Some("34699999999".into()),
        }
    );
    let Content::Unsupported { errors, type_name } = &m[3].content else {
        return Err("not unsupported".into());
    };
    assert_eq!(type_name.as_deref(), Some("poll_creation"));
    assert_eq!(errors[0].code, 131051);
    assert_eq!(
        m[3].errors[0]
            .error_data
            .as_ref()
            .and_then(|d| d.details.as_deref()),
        Some("Message type is currently not supported.")
    );
    assert!(
        matches!(&m[4].content, Content::Unsupported { type_name: None, errors } if errors.len() == 1)
    );
    Ok(())
}

#[test]
fn statuses_fixture() -> TestResult {
    let s = statuses(&fixture("statuses.json")?);
    let kinds: Vec<_> = s.iter().map(|s| s.status.clone()).collect();
    assert_eq!(
        kinds,
        [
            DeliveryStatus::Sent,
            DeliveryStatus::Delivered,
            DeliveryStatus::Read,
            DeliveryStatus::Failed,
            DeliveryStatus::Played,
            DeliveryStatus::Other("some_future_status".into()),
        ]
    );
    assert_eq!(s[0].timestamp, 1_765_100_100);
    assert_eq!(s[0].recipient_id, "34612345678");
    assert_eq!(s[0].raw["pricing"]["category"], "service");
    assert_eq!(s[3].errors[0].code, 131047);
    assert_eq!(
        s[3].errors[0].title.as_deref(),
        Some("Re-engagement message")
    );
    assert!(s[3].errors[0].href.is_some());
    Ok(())
}

#[test]
fn value_errors_fixture() -> TestResult {
    let n = fixture("value_errors.json")?;
    let value = &n.entry[0].changes[0].value;
    assert!(value.messages.is_empty() && value.statuses.is_empty());
    assert_eq!(value.errors[0].code, 131000);
    Ok(())
}

#[test]
fn one_bad_message_does_not_spoil_the_body() -> TestResult {
    let body = Body::new("1")
        .raw_message(serde_json::json!({"from": "34600000001", "id": "wamid.bad", "timestamp": "x", "type": "image", "image": "not an object"}))
        .raw_message(serde_json::json!({"from": "34600000001", "id": "wamid.worse", "type": "text", "text": {"body": 42}}))
        .raw_message(serde_json::json!(["not", "even", "an", "object"]))
        .message(MessageBuilder::unknown_type("34600000001", "hologram"))
        .message(MessageBuilder::text("34600000001", "¿Me oyen?"))
        .to_bytes();
    let m = messages(&parse_notification(&body)?);
    assert_eq!(m.len(), 5);
    assert_eq!(
        m[0].content,
        Content::Unknown {
            type_name: "image".into()
        }
    );
    assert_eq!(m[0].timestamp, 0);
    assert_eq!(m[0].raw["image"], "not an object");
    assert_eq!(
        m[1].content,
        Content::Unknown {
            type_name: "text".into()
        }
    );
    assert_eq!(
        m[2].content,
        Content::Unknown {
            type_name: String::new()
        }
    );
    assert_eq!(
        m[3].content,
        Content::Unknown {
            type_name: "hologram".into()
        }
    );
    assert_eq!(
        m[4].content,
        Content::Text {
            body: "¿Me oyen?".into()
        }
    );
    Ok(())
}

#[test]
fn builders_round_trip_every_type() -> TestResult {
    let from = "34611111111";
    let body = Body::new("106540352242922")
        .message(
            MessageBuilder::text(from, "hola")
                .name("Luis")
                .reply_to("wamid.Q")
                .forwarded(),
        )
        .message(MessageBuilder::image(from, "11", "image/png", "c2hh").caption("foto"))
        .message(MessageBuilder::voice(from, "12", "c2hh"))
        .message(MessageBuilder::audio(from, "13", "audio/mpeg", "c2hh"))
        .message(MessageBuilder::video(from, "14", "video/mp4", "c2hh"))
        .message(MessageBuilder::document(
            from,
            "15",
            "a.pdf",
            "application/pdf",
            "c2hh",
        ))
        .message(MessageBuilder::sticker(from, "16", true))
        .message(MessageBuilder::location(from, 1.5, -2.5))
        .message(MessageBuilder::contacts(
            from,
            &[("Ana", "+34 600 000 001")],
        ))
        .message(MessageBuilder::button_reply(from, "b", "B"))
        .message(MessageBuilder::list_reply(from, "l", "L", "d"))
        .message(MessageBuilder::nfm_reply(from, "flow", "Sent", "{}"))
        .message(MessageBuilder::button(from, "P", "T"))
        .message(MessageBuilder::order(
            from,
            "cat",
            "",
            &[("sku", 2, 3.5, "EUR")],
        ))
        .message(MessageBuilder::reaction(from, "wamid.R", Some("❤️")))
        .message(MessageBuilder::reaction(from, "wamid.R", None))
        .message(MessageBuilder::edit(from, "wamid.E", "corregido"))
        .message(MessageBuilder::revoke(from, "wamid.V"))
        .message(MessageBuilder::unsupported(from))
        .message(MessageBuilder::changed_number(from, "34622222222"))
        .message(
            MessageBuilder::text(from, "x")
                .frequently_forwarded()
                .id("wamid.F")
                .timestamp(7),
        )
        .status(StatusBuilder::sent("wamid.S", from))
        .status(
            StatusBuilder::failed("wamid.S", from, 131026, "Message undeliverable", "…")
                .timestamp(9),
        )
        .to_bytes();
    let n = parse_notification(&body)?;
    let m = messages(&n);
    assert_eq!(n.entry[0].changes[0].value.contacts.len(), 1);
    assert_eq!(n.entry[0].changes[0].value.profile_name(from), Some("Luis"));
    assert!(
        m.iter()
            .all(|m| !matches!(m.content, Content::Unknown { .. })),
        "{m:#?}"
    );
    assert!(
        m[0].context
            .as_ref()
            .is_some_and(|c| c.forwarded && c.id.as_deref() == Some("wamid.Q"))
    );
    assert!(matches!(&m[2].content, Content::Media(x) if x.voice && x.kind == MediaKind::Audio));
    assert!(matches!(&m[6].content, Content::Media(x) if x.animated));
    assert!(
        matches!(&m[16].content, Content::Edit { new, .. } if **new == Content::Text { body: "corregido".into() })
    );
    assert!(matches!(&m[19].content, Content::System { wa_id: Some(w), .. } if w == "34622222222"));
    assert_eq!((m[20].id.as_str(), m[20].timestamp), ("wamid.F", 7));
    let s = statuses(&n);
    assert_eq!(s[1].status, DeliveryStatus::Failed);
    assert_eq!((s[1].errors[0].code, s[1].timestamp), (131026, 9));
    let single =
        soporte_whatsapp::payload::text("1", "15550000000", "34699", "Eva", "wamid.T", "hola", 5);
    let m = messages(&parse_notification(&single)?);
    assert_eq!(
        (m[0].id.as_str(), m[0].timestamp, m[0].from.as_str()),
        ("wamid.T", 5, "34699")
    );
    Ok(())
}

#[test]
fn other_fields_and_numbers_as_ids_are_tolerated() -> TestResult {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":102290129340398,"time":1,"changes":[
        {"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":1}},
        {"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"9"},"messages":[{"from":"1","id":"w","timestamp":12,"type":"text","text":{"body":"ok"},"extra":{"x":[1,2]}}]}}]}]}"#;
    let n = parse_notification(body)?;
    assert_eq!(n.entry[0].id, "102290129340398");
    assert_eq!(
        n.entry[0].changes[0].field,
        "message_template_status_update"
    );
    let m = messages(&n);
    assert_eq!((m.len(), m[0].timestamp), (1, 12));
    Ok(())
}

#[test]
fn malformed_bodies_are_refused_with_a_reason() {
    let cases: [(&[u8], &str); 9] = [
        (b"", "NotJson"),
        (b"{", "NotJson"),
        (b"\xff\xfe", "NotJson"),
        (b"[]", "NotEnvelope"),
        (br#"{"entry":[]}"#, "NotEnvelope"),
        (br#"{"object":"whatsapp_business_account"}"#, "NotEnvelope"),
        (br#"{"object":"whatsapp_business_account","entry":[{"changes":[]}]}"#, "NotEnvelope"),
        (br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{}}]}]}"#, "NotEnvelope"),
        (br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":3}]}]}"#, "NotEnvelope"),
    ];
    for (body, kind) in cases {
        let got = parse_notification(body);
        let ok = match &got {
            Err(PayloadError::NotJson(_)) => kind == "NotJson",
            Err(PayloadError::NotEnvelope(why)) => kind == "NotEnvelope" && !why.is_empty(),
            Ok(_) => false,
        };
        assert!(ok, "{:?} -> {got:?}", String::from_utf8_lossy(body));
    }
    // Deep nesting hits serde_json's recursion limit instead of the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        parse_notification(deep.as_bytes()),
        Err(PayloadError::NotJson(_))
    ));
}

#[test]
fn huge_but_valid_body() -> TestResult {
    let mut body = Body::new("1");
    for i in 0..20_000 {
        body = body.message(
            MessageBuilder::text("34600000001", "mensaje largo ".repeat(5).as_str())
                .id(&format!("wamid.{i}")),
        );
    }
    let bytes = body.to_bytes();
    assert!(bytes.len() > 3_000_000);
    let started = std::time::Instant::now();
    let n = parse_notification(&bytes)?;
    assert_eq!(n.messages().count(), 20_000);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let long = "ñ".repeat(3_000_000);
    let n = parse_notification(
        &Body::new("1")
            .message(MessageBuilder::text("34600000001", &long))
            .to_bytes(),
    )?;
    assert!(matches!(&messages(&n)[0].content, Content::Text { body } if body.len() == 6_000_000));
    Ok(())
}

/// A deterministic linear congruential generator (Knuth's MMIX constants): fuzz-like input
/// without a new dependency, reproducible from the seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn arbitrary_bytes_never_panic() -> TestResult {
    let valid = std::fs::read(format!(
        "{}/tests/payloads/edit_revoke_system_unsupported.json",
        env!("CARGO_MANIFEST_DIR")
    ))?;
    for end in 0..=valid.len() {
        let _ = parse_notification(&valid[..end]);
    }
    let mut rng = Lcg(0x5eed_50b0_27e0);
    let mut parsed = 0;
    for _ in 0..3_000 {
        let mut body = valid.clone();
        for _ in 0..=(rng.next() % 4) {
            let at = (rng.next() as usize) % body.len();
            body[at] = (rng.next() & 0xff) as u8;
        }
        if parse_notification(&body).is_ok() {
            parsed += 1;
        }
    }
    // Most flips land in string values and whitespace: the body still parses.
    assert!(parsed > 0);
    for len in [1usize, 7, 64, 512] {
        for _ in 0..200 {
            let noise: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
            let _ = parse_notification(&noise);
        }
    }
    Ok(())
}
