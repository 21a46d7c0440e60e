//! Media customers send is never lost: the message is there at once with its file
//! pending, the file is fetched (a fresh URL each attempt), checked against its sha256,
//! retried while the Graph API fails, and shown lost, with the reason, only when Meta no
//! longer has it.

use super::super::*;

async fn fetch(
    desk: &Desk,
) -> Result<soporte_app::whatsapp::MediaReport, Box<dyn std::error::Error>> {
    Ok(desk.app.fetch_whatsapp_media(&desk.cloud, 16).await?)
}

pub async fn media_is_fetched_checked_and_retried_until_it_arrives(desk: &Desk) -> TestResult {
    let photo: &[u8] = b"\xff\xd8\xff\xe0 una foto del error";
    let media_id = desk.graph.add_media(photo, "image/jpeg");
    desk.receive(&from_customer(
        MessageBuilder::image(CUSTOMER, &media_id, "image/jpeg", &sha256_base64(photo))
            .caption("sale esto al publicar")
            .id("wamid.IMG")
            .name("Luis Pérez")
            .timestamp(unix(10)),
    ))
    .await?;
    let pending = &desk.ticket().await?["messages"][0];
    assert_eq!(
        pending["whatsapp"]["media"][0]["status"], "pending",
        "{pending}"
    );
    assert!(pending["attachments"].as_array().is_some_and(Vec::is_empty));

    // The Graph API is down twice, then serves bytes that do not match: still pending.
    desk.graph
        .fail_next(2, soporte_whatsapp::Failure::Status(500));
    assert_eq!(fetch(desk).await?.retried, 1);
    assert_eq!(fetch(desk).await?.retried, 1);
    desk.graph.corrupt_media(&media_id);
    assert_eq!(fetch(desk).await?.retried, 1);
    let still = &desk.ticket().await?["messages"][0];
    assert_eq!(
        still["whatsapp"]["media"][0]["status"], "pending",
        "{still}"
    );
    assert!(
        still["whatsapp"]["media"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("sha256")),
        "{still}"
    );
    assert!(
        still["attachments"].as_array().is_some_and(Vec::is_empty),
        "bad bytes are never stored"
    );

    // Meta serves the true file again, at a new URL: it arrives.
    desk.graph.repair_media(&media_id);
    desk.graph.expire_media_urls();
    assert_eq!(fetch(desk).await?.stored, 1);
    assert_eq!(
        fetch(desk).await?,
        Default::default(),
        "nothing left to fetch"
    );
    let ticket = desk.ticket().await?;
    let message = &ticket["messages"][0];
    assert_eq!(
        message["whatsapp"]["media"][0]["status"], "stored",
        "{message}"
    );
    let attachment = &message["attachments"][0];
    assert_eq!(attachment["media_type"], "image/jpeg");
    let id = attachment["id"].as_i64().ok_or("no attachment id")?;
    let file = desk.get(&format!("/api/v1/attachments/{id}")).await?;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, photo);
    Ok(())
}

pub async fn media_meta_no_longer_has_is_shown_lost_with_the_reason(desk: &Desk) -> TestResult {
    // A media id the Graph API does not know (expired, or never stored): 400, code 100.
    desk.receive(&from_customer(
        MessageBuilder::document(CUSTOMER, "999000111", "factura.pdf", "application/pdf", "")
            .id("wamid.DOC")
            .name("Luis Pérez")
            .timestamp(unix(10)),
    ))
    .await?;
    let report = fetch(desk).await?;
    assert_eq!(report.lost, 1, "{report:?}");
    let message = &desk.ticket().await?["messages"][0];
    let media = &message["whatsapp"]["media"][0];
    assert_eq!(media["status"], "lost", "{message}");
    assert!(
        media["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{media}"
    );
    assert_eq!(
        message["text"], "[Documento: factura.pdf]",
        "the message itself is kept"
    );
    Ok(())
}
