//! What a wrong address or a broken event gets: a clear refusal, nothing written, never
//! a server error.

use super::*;

soporte_store::on_both_databases!(
    pbx_of;
    a_wrong_token_is_an_unknown_address_and_writes_nothing,
    malformed_events_are_refused_whole_with_the_field_named,
);

async fn a_wrong_token_is_an_unknown_address_and_writes_nothing(p: &Pbx) -> TestResult {
    let ring = incoming("newCall", "w-1");
    let ring = with(&ring, &[]);
    for token in [
        "",
        "x",
        "cti-0123456789abcdef012345678",
        "cti-0123456789abcdef01234567890",
    ] {
        let reply = p.form_to(token, &ring).await?;
        assert!(
            reply.status == StatusCode::NOT_FOUND || reply.status == StatusCode::METHOD_NOT_ALLOWED,
            "{token:?}: {}",
            reply.status
        );
    }
    let reply = p.form_to("not-the-token-at-all-0000000", &ring).await?;
    assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
    assert!(p.calls("").await?.is_empty());
    Ok(())
}

async fn malformed_events_are_refused_whole_with_the_field_named(p: &Pbx) -> TestResult {
    let huge = "6".repeat(10 * 1024);
    let long_id = "c".repeat(201);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "event"),
        (
            vec![("event", "ring"), ("direction", "in"), ("callId", "h")],
            "event",
        ),
        (
            vec![
                ("event", "newCall"),
                ("direction", "in"),
                ("from", "600111222"),
                ("to", "910000001"),
            ],
            "callId",
        ),
        (
            vec![
                ("event", "newCall"),
                ("callId", "h"),
                ("from", "600111222"),
                ("to", "910000001"),
            ],
            "direction",
        ),
        (
            vec![
                ("event", "newCall"),
                ("callId", "h"),
                ("direction", "in"),
                ("from", &huge),
                ("to", "910000001"),
            ],
            "from",
        ),
        (
            vec![
                ("event", "newCall"),
                ("callId", "h"),
                ("direction", "in"),
                ("from", "600111222"),
            ],
            "to",
        ),
        (
            vec![
                ("event", "newCall"),
                ("callId", "h"),
                ("direction", "in"),
                ("from", "600111222"),
                ("to", "¿quién?"),
            ],
            "to",
        ),
        (
            vec![
                ("event", "hangup"),
                ("callId", "h"),
                ("direction", "in"),
                ("cause", "explosion"),
            ],
            "cause",
        ),
        (
            vec![
                ("event", "answer"),
                ("callId", &long_id),
                ("direction", "in"),
            ],
            "callId",
        ),
        (
            vec![
                ("event", "answer"),
                ("callId", "h"),
                ("direction", "in"),
                ("direction", "out"),
            ],
            "direction",
        ),
    ];
    for (fields, field) in cases {
        let reply = p.form(&fields).await?;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "cti_event_invalid");
        assert!(
            reply.json["detail"]
                .as_str()
                .unwrap_or_default()
                .starts_with(field),
            "{fields:?}: {}",
            reply.json
        );
    }
    // Bodies that are not an event at all.
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"[1, 2, 3]".to_vec()),
        (
            "application/json",
            b"{\"event\": {\"nested\": true}}".to_vec(),
        ),
        ("application/json", b"{\"event\": ".to_vec()),
        ("application/json", vec![0xff, 0xfe, 0x00]),
        (
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, 0x00, b'=', 0x80],
        ),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()),
        ("multipart/form-data", b"no boundary".to_vec()),
        (
            "application/x-www-form-urlencoded",
            "event=newCall&".repeat(5000).into_bytes(),
        ),
        ("application/x-www-form-urlencoded", vec![b'a'; 70 * 1024]),
    ];
    for (content_type, body) in bodies {
        let reply = p.raw(TOKEN, content_type, body).await?;
        assert!(
            reply.status.is_client_error(),
            "{content_type}: {} {}",
            reply.status,
            reply.json
        );
        assert_eq!(
            reply.content_type, "application/problem+json",
            "{content_type}"
        );
    }
    let xml = p
        .raw(TOKEN, "application/xml", b"<event/>".to_vec())
        .await?;
    assert_problem(
        &xml,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert!(p.calls("").await?.is_empty(), "nothing was written");
    Ok(())
}
