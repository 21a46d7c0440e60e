//! Every portal form, sent what no browser sends: empty, random bytes, text that is not
//! UTF-8, broken multipart, the wrong content type, fields repeated thousands of times,
//! long values. Each is refused with a page (4xx) or taken as harmless input, never a
//! server error, and nothing reaches the request it was aimed at.

use crate::{Portal, TestResult, portal_of};
use axum::http::StatusCode;

soporte_store::on_both_databases!(
    portal_of;
    no_form_input_makes_the_portal_fail_or_write,
);

/// A small deterministic generator, so that a failure can be replayed.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() & 0xff) as u8).collect()
    }
}

/// Bodies no browser sends, each with its content type.
fn hostile_bodies(csrf: &str) -> Vec<(String, Vec<u8>)> {
    let form = "application/x-www-form-urlencoded".to_string();
    let boundary = "b0undary";
    let multipart = format!("multipart/form-data; boundary={boundary}");
    let mut random = Bytes(0x5eed_cafe_f00d_beef);
    let mut bodies = vec![
        (form.clone(), Vec::new()),
        (form.clone(), b"%%%&&&===%zz%".to_vec()),
        (form.clone(), vec![0xff, 0xfe, b'=', 0xc3, 0x28]),
        (
            form.clone(),
            format!("_csrf={csrf}&rating=5&rating=1&token=&email=%00").into_bytes(),
        ),
        (
            form.clone(),
            format!("_csrf={csrf}&{}", "body=x&".repeat(20_000)).into_bytes(),
        ),
        (
            form.clone(),
            format!("_csrf={csrf}&comment={}", "ñ".repeat(200_000)).into_bytes(),
        ),
        ("application/json".into(), br#"{"rating": 5}"#.to_vec()),
        ("text/plain".into(), random.take(512)),
        (multipart.clone(), Vec::new()),
        (multipart.clone(), b"--b0undary\r\nno headers\r\n".to_vec()),
        (
            multipart.clone(),
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../etc/passwd\"\r\nContent-Type: image/png\r\n\r\nnot a png"
            )
            .into_bytes(),
        ),
        ("multipart/form-data".into(), b"--x\r\n\r\n".to_vec()),
    ];
    for size in [1, 64, 4096] {
        bodies.push((form.clone(), random.take(size)));
        bodies.push((multipart.clone(), random.take(size)));
    }
    bodies
}

async fn no_form_input_makes_the_portal_fail_or_write(portal: &Portal) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "No se publica la tienda",
            "En Tienda, al pulsar Publicar sale un error.",
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let before = portal.store.ticket_messages(ticket).await?.len();
    let routes = [
        "/portal/sign-in/link".to_string(),
        "/portal/sign-in/password".into(),
        "/portal/link".into(),
        "/portal/rating".into(),
        "/portal/password".into(),
        "/portal/requests".into(),
        "/portal/requests/new/check".into(),
        format!("/portal/requests/{number}/replies"),
        format!("/portal/requests/{number}/missing"),
        format!("/portal/requests/{number}/rating"),
        format!("/portal/requests/{number}/reopen"),
        "/portal/requests/VND-999999/replies".into(),
        "/portal/requests/..%2F..%2Fetc/replies".into(),
    ];
    for route in &routes {
        for (content_type, body) in hostile_bodies(&luis.csrf) {
            for cookie in [None, Some(luis.cookie.as_str())] {
                let page = portal
                    .send(
                        "POST",
                        route,
                        cookie,
                        Some((content_type.clone(), body.clone())),
                        &[],
                    )
                    .await?;
                assert!(
                    page.status < StatusCode::INTERNAL_SERVER_ERROR,
                    "POST {route} ({content_type}, {} bytes, signed in: {}): {}\n{}",
                    body.len(),
                    cookie.is_some(),
                    page.status,
                    page.body
                );
            }
        }
    }
    let after = portal.store.ticket_messages(ticket).await?;
    assert_eq!(after.len(), before, "nothing joined the request");
    let still = portal.store.ticket(ticket).await?.ok_or("gone")?;
    assert_ne!(still.status, soporte_core::ticket::Status::Solved);
    assert_eq!(portal.store.ticket_satisfaction(ticket).await?, None);
    Ok(())
}
