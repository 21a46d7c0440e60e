//! Requests the HTTP parser itself refuses, before any handler runs, sent over a real
//! connection: they too are answered with a problem document.

use super::*;
use soporte_store::testkit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `request` as raw bytes to a served instance and reads the whole answer.
async fn exchange(request: Vec<u8>) -> Result<(String, Value), Box<dyn std::error::Error>> {
    let db = testkit::sqlite().await?;
    let api = Api::new(&db).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(soporte_web::serve(
        listener,
        api.app.clone(),
        &WebConfig {
            max_body_bytes: BODY_LIMIT,
        },
        async {
            let _ = stopped.await;
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream.write_all(&request).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await??;
    let _ = stop.send(());
    let _ = server.await;
    let text = String::from_utf8(answer)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no head")?;
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    Ok((head.to_string(), json))
}

fn assert_problem_on_the_wire(head: &str, json: &Value, status: u16, code: &str) {
    assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    assert_eq!(json["code"], code, "{json}");
    assert_eq!(json["status"], status, "{json}");
}

#[tokio::test]
async fn a_100_kb_address_is_refused_with_a_problem() -> TestResult {
    let mut request = b"GET /api/v1/tickets?q=".to_vec();
    request.extend(std::iter::repeat_n(b'a', 100 * 1024));
    request.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let (head, json) = exchange(request).await?;
    assert_problem_on_the_wire(&head, &json, 414, "uri_too_long");
    Ok(())
}

#[tokio::test]
async fn a_request_line_that_is_not_http_is_refused_with_a_problem() -> TestResult {
    let (head, json) = exchange(b"GET /\x01 nonsense\r\n\r\n".to_vec()).await?;
    assert_problem_on_the_wire(&head, &json, 400, "bad_request");
    Ok(())
}

#[tokio::test]
async fn headers_over_the_buffer_are_refused_with_a_problem() -> TestResult {
    let mut request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for i in 0..200 {
        request.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "b".repeat(4000)).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let (head, json) = exchange(request).await?;
    assert_problem_on_the_wire(&head, &json, 431, "headers_too_large");
    Ok(())
}

#[tokio::test]
async fn ordinary_requests_on_the_same_server_are_untouched() -> TestResult {
    let (head, json) =
        exchange(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".to_vec())
            .await?;
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert_eq!(json["status"], "ok");
    Ok(())
}
