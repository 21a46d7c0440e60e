//! The Graph API client against the stand-in Graph API.

use std::time::Duration;

use serde_json::json;
use soporte_whatsapp::graph::sha256_matches;
use soporte_whatsapp::{
    Failure, GraphClient, GraphConfig, GraphError, GraphStandIn, OutgoingMessage, Retry,
    StandInConfig,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "EAAtestTOKEN";
const VERSION: &str = "v26.0";
const PHONE: &str = "106540352242922";

async fn setup(
    timeout: Duration,
) -> Result<(GraphStandIn, GraphClient), Box<dyn std::error::Error>> {
    let standin = GraphStandIn::start(StandInConfig::new(TOKEN, VERSION)).await?;
    let client = client_for(&standin, TOKEN, timeout)?;
    Ok((standin, client))
}

fn client_for(
    standin: &GraphStandIn,
    token: &str,
    timeout: Duration,
) -> Result<GraphClient, GraphError> {
    GraphClient::new(GraphConfig {
        graph_url: standin.url(),
        api_version: VERSION.into(),
        access_token: token.into(),
        timeout,
    })
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[tokio::test]
async fn send_text_and_reply_with_context() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    let sent = client
        .send(
            PHONE,
            &OutgoingMessage::text("+34 612 345 678", "Hola, ¿en qué podemos ayudarle?"),
        )
        .await?;
    assert!(sent.wamid.starts_with("wamid."));
    assert_eq!(sent.wa_id.as_deref(), Some("34612345678"));
    let reply = client
        .send(
            PHONE,
            &OutgoingMessage::text("34612345678", "Ya está: https://example.com")
                .with_preview_url()
                .reply_to("wamid.IN1"),
        )
        .await?;
    assert_ne!(reply.wamid, sent.wamid);
    let recorded = standin.sent();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].phone_number_id, PHONE);
    assert_eq!(recorded[0].wamid, sent.wamid);
    assert_eq!(
        recorded[0].body,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+34 612 345 678",
            "type": "text",
            "text": { "body": "Hola, ¿en qué podemos ayudarle?", "preview_url": false },
        })
    );
    assert_eq!(
        recorded[1].body["context"],
        json!({ "message_id": "wamid.IN1" })
    );
    assert_eq!(recorded[1].body["text"]["preview_url"], json!(true));
    Ok(())
}

#[tokio::test]
async fn send_template() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    let message = OutgoingMessage::template(
        "34612345678",
        "seguimiento_ticket",
        "es",
        vec!["Marta".into(), "4521".into()],
    );
    client.send(PHONE, &message).await?;
    let body = &standin.sent()[0].body;
    assert_eq!(body["type"], "template");
    assert_eq!(
        body["template"],
        json!({
            "name": "seguimiento_ticket",
            "language": { "code": "es" },
            "components": [{ "type": "body", "parameters": [
                { "type": "text", "text": "Marta" },
                { "type": "text", "text": "4521" },
            ]}],
        })
    );
    Ok(())
}

#[tokio::test]
async fn upload_then_send_image_and_document() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    let png = b"\x89PNG\r\n\x1a\nnot really a picture".to_vec();
    let media_id = client
        .upload_media(PHONE, png.clone(), "image/png", "captura.png")
        .await?;
    let uploads = standin.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].media_id, media_id);
    assert_eq!(uploads[0].bytes, png);
    assert_eq!(uploads[0].mime_type, "image/png");
    assert_eq!(uploads[0].filename.as_deref(), Some("captura.png"));
    assert_eq!(uploads[0].content_type.as_deref(), Some("image/png"));
    client
        .send(
            PHONE,
            &OutgoingMessage::image("34612345678", &media_id, Some("Su captura".into())),
        )
        .await?;
    client
        .send(
            PHONE,
            &OutgoingMessage::document("34612345678", &media_id, Some("informe.pdf".into()), None),
        )
        .await?;
    let sent = standin.sent();
    assert_eq!(
        sent[0].body["image"],
        json!({ "id": media_id, "caption": "Su captura" })
    );
    assert_eq!(
        sent[1].body["document"],
        json!({ "id": media_id, "filename": "informe.pdf" })
    );
    // What was uploaded can be fetched back, checksum and all.
    assert_eq!(client.fetch_media(&media_id, 1 << 20).await?.bytes, png);
    Ok(())
}

#[tokio::test]
async fn mark_read() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    client.mark_read(PHONE, "wamid.IN9").await?;
    let marks = standin.read_marks();
    assert_eq!(marks.len(), 1);
    assert_eq!(
        (
            marks[0].phone_number_id.as_str(),
            marks[0].message_id.as_str()
        ),
        (PHONE, "wamid.IN9")
    );
    assert!(standin.sent().is_empty());
    Ok(())
}

#[tokio::test]
async fn media_fetch_checksum_and_size_cap() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    let bytes = vec![7u8; 10_000];
    let id = standin.add_media(bytes.clone(), "application/pdf");
    let info = client.media_info(&id).await?;
    assert_eq!(
        (info.id.as_str(), info.mime_type.as_str(), info.file_size),
        (id.as_str(), "application/pdf", Some(10_000))
    );
    assert!(sha256_matches(&bytes, &info.sha256));
    let fetched = client.fetch_media(&id, 10_000).await?;
    assert_eq!(fetched.bytes, bytes);
    let too_small = client.fetch_media(&id, 9_999).await;
    assert!(
        matches!(too_small, Err(GraphError::TooLarge { limit: 9_999 })),
        "{too_small:?}"
    );
    let url = client.media_info(&id).await?.url;
    assert!(matches!(
        client.download(&url, 100).await,
        Err(GraphError::TooLarge { .. })
    ));

    standin.corrupt_media(&id);
    let err = client
        .fetch_media(&id, 1 << 20)
        .await
        .err()
        .ok_or("corrupt media accepted")?;
    assert!(matches!(err, GraphError::MediaChecksum { .. }), "{err:?}");
    assert_eq!(err.retry(), Retry::Later);
    Ok(())
}

#[tokio::test]
async fn expired_url_is_refetched() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    let id = standin.add_media(b"voice note".to_vec(), "audio/ogg");
    let old = client.media_info(&id).await?.url;
    standin.expire_media_urls();
    let err = client
        .download(&old, 1 << 20)
        .await
        .err()
        .ok_or("expired URL served")?;
    assert!(
        matches!(
            err,
            GraphError::Api(ref api) if api.status == 404 && api.code.is_none()
        ),
        "{err:?}"
    );
    // fetch_media asks for a fresh URL on every attempt.
    assert_eq!(client.fetch_media(&id, 1 << 20).await?.bytes, b"voice note");
    Ok(())
}

#[tokio::test]
async fn short_url_lifetime_expires_by_itself() -> TestResult {
    let mut config = StandInConfig::new(TOKEN, VERSION);
    config.url_lifetime = Duration::from_millis(50);
    let standin = GraphStandIn::start(config).await?;
    let client = client_for(&standin, TOKEN, secs(5))?;
    let id = standin.add_media(b"x".to_vec(), "image/jpeg");
    let url = client.media_info(&id).await?.url;
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(matches!(
        client.download(&url, 10).await,
        Err(GraphError::Api(api)) if api.status == 404
    ));
    Ok(())
}

#[tokio::test]
async fn unknown_media_id_is_graphs_object_error() -> TestResult {
    let (_standin, client) = setup(secs(5)).await?;
    let err = client
        .media_info("999")
        .await
        .err()
        .ok_or("unknown media found")?;
    let GraphError::Api(api) = &err else {
        return Err(format!("{err:?}").into());
    };
    assert_eq!(
        (api.status, api.code, api.subcode, api.kind.as_deref()),
        (400, Some(100), Some(33), Some("GraphMethodException"))
    );
    assert_eq!(err.retry(), Retry::Never);
    assert!(matches!(
        client.media_info("../messages").await,
        Err(GraphError::InvalidArgument(_))
    ));
    Ok(())
}

#[tokio::test]
async fn wrong_or_expired_token_means_reconnect() -> TestResult {
    let (standin, client) = setup(secs(5)).await?;
    let wrong = client_for(&standin, "EAAwrong", secs(5))?;
    let err = wrong
        .send(PHONE, &OutgoingMessage::text("1", "x"))
        .await
        .err()
        .ok_or("wrong token accepted")?;
    assert!(
        matches!(
            err,
            GraphError::Api(ref api) if api.status == 401 && api.code == Some(190)
        ),
        "{err:?}"
    );
    assert_eq!(err.retry(), Retry::Reconnect);
    // The token appears nowhere in the error or the client's Debug.
    assert!(!format!("{err:?} {err} {wrong:?}").contains("EAAwrong"));

    let id = standin.add_media(b"m".to_vec(), "image/jpeg");
    let url = client.media_info(&id).await?.url;
    standin.set_token("EAArotated");
    assert_eq!(
        client.media_info(&id).await.err().map(|e| e.retry()),
        Some(Retry::Reconnect)
    );
    // The download URL needs the bearer too.
    assert_eq!(
        client.download(&url, 10).await.err().map(|e| e.retry()),
        Some(Retry::Reconnect)
    );
    assert!(standin.sent().is_empty());
    Ok(())
}

#[tokio::test]
async fn injected_failures_are_classified() -> TestResult {
    let (standin, client) = setup(secs(2)).await?;
    let text = OutgoingMessage::text("34612345678", "hola");
    let cases = [
        (Failure::Status(502), Retry::Later),
        (Failure::Status(500), Retry::Later),
        (Failure::EmptyStatus(503), Retry::Later),
        (Failure::EmptyStatus(429), Retry::Later),
        (Failure::EmptyStatus(404), Retry::Never),
        (Failure::Timeout, Retry::Later),
        (Failure::CloseConnection, Retry::Later),
        (graph(400, 130429, "(#130429) Rate limit hit"), Retry::Later),
        (
            graph(
                400,
                131056,
                "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            ),
            Retry::Later,
        ),
        (
            graph(400, 131048, "(#131048) Spam rate limit hit"),
            Retry::Later,
        ),
        (
            graph(400, 80007, "(#80007) Rate limit issues"),
            Retry::Later,
        ),
        (
            graph(400, 4, "(#4) Application request limit reached"),
            Retry::Later,
        ),
        (
            graph(500, 131000, "(#131000) Something went wrong"),
            Retry::Later,
        ),
        (
            graph(400, 131047, "(#131047) Re-engagement message"),
            Retry::Never,
        ),
        (
            graph(400, 131026, "(#131026) Message undeliverable"),
            Retry::Never,
        ),
        (
            graph(
                400,
                132001,
                "(#132001) Template name does not exist in the translation",
            ),
            Retry::Never,
        ),
        (
            graph(400, 132000, "(#132000) Number of parameters does not match"),
            Retry::Never,
        ),
        (graph(400, 100, "(#100) Invalid parameter"), Retry::Never),
        (
            graph(
                401,
                190,
                "Error validating access token: Session has expired",
            ),
            Retry::Reconnect,
        ),
    ];
    let mut seen = standin.requests_seen();
    for (failure, expected) in cases {
        standin.fail_next(1, failure.clone());
        let err = client
            .send(PHONE, &text)
            .await
            .err()
            .ok_or(format!("{failure:?} succeeded"))?;
        assert_eq!(err.retry(), expected, "{failure:?} -> {err:?}");
        if let Failure::GraphError {
            code,
            http_status,
            message,
            ..
        } = &failure
        {
            let GraphError::Api(api) = &err else {
                return Err(format!("{err:?}").into());
            };
            assert_eq!((api.status, api.code), (*http_status, Some(*code)));
            assert_eq!(api.details.as_deref(), Some(message.as_str()));
            assert!(api.fbtrace_id.is_some());
        }
        if failure == Failure::Timeout {
            assert_eq!(err, GraphError::Timeout);
        }
        seen += 1;
        assert_eq!(standin.requests_seen(), seen);
    }
    assert!(standin.sent().is_empty());
    // Injected failures are used up: the next request goes through.
    client.send(PHONE, &text).await?;
    standin.fail_next(2, Failure::Status(500));
    assert!(client.send(PHONE, &text).await.is_err());
    assert!(client.send(PHONE, &text).await.is_err());
    client.send(PHONE, &text).await?;
    assert_eq!(standin.sent().len(), 2);
    Ok(())
}

fn graph(http_status: u16, code: i64, message: &str) -> Failure {
    Failure::GraphError {
        http_status,
        code,
        subcode: Some(2494055),
        message: message.into(),
    }
}

#[tokio::test]
async fn connection_refused_is_retried_later() -> TestResult {
    let standin = GraphStandIn::start(StandInConfig::new(TOKEN, VERSION)).await?;
    let client = client_for(&standin, TOKEN, secs(2))?;
    drop(standin);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = client
        .send(PHONE, &OutgoingMessage::text("1", "x"))
        .await
        .err()
        .ok_or("sent to nobody")?;
    assert!(
        matches!(err, GraphError::Connect(_) | GraphError::Transport(_)),
        "{err:?}"
    );
    assert_eq!(err.retry(), Retry::Later);
    Ok(())
}

#[tokio::test]
async fn standin_validates_like_meta() -> TestResult {
    let standin = GraphStandIn::start(StandInConfig::new(TOKEN, VERSION)).await?;
    let http = reqwest::Client::new();
    let url = format!("{}/{VERSION}/{PHONE}/messages", standin.url());
    let post = |body: serde_json::Value| http.post(&url).bearer_auth(TOKEN).json(&body).send();
    let cases = [
        (
            json!({ "to": "1", "type": "text", "text": { "body": "x" } }),
            100,
        ),
        (
            json!({ "messaging_product": "sms", "to": "1", "text": { "body": "x" } }),
            100,
        ),
        (
            json!({ "messaging_product": "whatsapp", "type": "text", "text": { "body": "x" } }),
            100,
        ),
        (
            json!({ "messaging_product": "whatsapp", "to": "1", "type": "image" }),
            131008,
        ),
        (
            json!({ "messaging_product": "whatsapp", "to": "1", "type": "template", "template": { "name": "t" } }),
            131008,
        ),
        (
            json!({ "messaging_product": "whatsapp", "to": "1", "type": "template", "template": { "language": { "code": "es" } } }),
            131008,
        ),
        (
            json!({ "messaging_product": "whatsapp", "to": "1", "text": { "body": "x" }, "context": {} }),
            131008,
        ),
        (
            json!({ "messaging_product": "whatsapp", "status": "read" }),
            100,
        ),
    ];
    for (body, code) in cases {
        let response = post(body.clone()).await?;
        assert_eq!(response.status().as_u16(), 400, "{body}");
        let answer: serde_json::Value = response.json().await?;
        assert_eq!(answer["error"]["code"], json!(code), "{body} -> {answer}");
        assert_eq!(
            answer["error"]["error_data"]["messaging_product"],
            "whatsapp"
        );
    }
    // `type` defaults to text, as documented.
    let ok: serde_json::Value =
        post(json!({ "messaging_product": "whatsapp", "to": "34 600", "text": { "body": "x" } }))
            .await?
            .json()
            .await?;
    assert_eq!(
        ok["contacts"],
        json!([{ "input": "34 600", "wa_id": "34600" }])
    );
    assert!(
        ok["messages"][0]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("wamid."))
    );
    assert_eq!(standin.sent().len(), 1);
    Ok(())
}
