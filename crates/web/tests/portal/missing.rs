//! "Add what is missing" from the acknowledgement: its link signs the customer in on that
//! request, with a slot for exactly each missing item, and what they add fills the
//! checklist in.

use crate::{PNG, Portal, TestResult, link_token, multipart, portal_of};
use axum::http::StatusCode;
use soporte_core::policy::checklist::ChecklistItem;

soporte_store::on_both_databases!(
    portal_of;
    the_acknowledgements_link_opens_the_request_with_a_slot_per_missing_item,
    a_complete_request_gets_no_link,
);

async fn the_acknowledgements_link_opens_the_request_with_a_slot_per_missing_item(
    portal: &Portal,
) -> TestResult {
    let (id, number) = portal
        .request_of(
            &portal.luis,
            "Error",
            "Me sale un error y no puedo seguir trabajando con la herramienta.",
        )
        .await?;
    let before = portal
        .store
        .ticket(id)
        .await?
        .and_then(|t| t.policy.checklist)
        .ok_or("no checklist")?;
    let wanted: Vec<ChecklistItem> = before.missing().collect();
    assert!(wanted.contains(&ChecklistItem::Screenshot), "{wanted:?}");
    assert!(wanted.contains(&ChecklistItem::Location), "{wanted:?}");
    let ack = portal
        .last_email("luis@tienda.es", "acknowledgement")
        .await?
        .ok_or("no acknowledgement")?;
    assert!(ack.contains("Puede añadirlo aquí"), "{ack}");
    let token = link_token(&ack)?;
    // The conversation agents read keeps no usable link: it would sign them in as Luis.
    let kept = portal.store.ticket_messages(id).await?;
    assert!(kept.iter().all(|m| !m.body_text.contains(&token)));
    assert!(
        kept.iter().any(|m| m
            .body_text
            .contains("[enlace personal al portal, enviado al cliente]")),
        "{kept:?}"
    );

    let landing = portal
        .get(None, &format!("/portal/link?token={token}"))
        .await?;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(
        landing.body.contains("añadir lo que falta"),
        "{}",
        landing.body
    );
    let opened = portal
        .post(None, "/portal/link", &[("token", &token)])
        .await?;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location, format!("/portal/requests/{number}"));
    let cookie = opened
        .set_cookie
        .iter()
        .find(|c| c.starts_with("soporte_portal="))
        .ok_or("no session")?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    let page = portal
        .send("GET", &opened.location, Some(&cookie), None, &[])
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    for item in ChecklistItem::ALL {
        let slot = format!("class=\"slot\" data-item=\"{}\"", item.as_str());
        assert_eq!(
            page.body.contains(&slot),
            wanted.contains(item),
            "a slot for exactly each missing item ({item:?}): {}",
            page.body
        );
    }
    let csrf = crate::hidden_value(&page.body, "_csrf").ok_or("no token")?;
    let body = multipart(
        &[
            ("_csrf", &csrf),
            ("area", "Tienda"),
            ("place", "la página de pago"),
        ],
        &[("files", "captura.png", "image/png", PNG)],
    );
    let added = portal
        .send(
            "POST",
            &format!("/portal/requests/{number}/missing"),
            Some(&cookie),
            Some(body),
            &[],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let after = portal
        .store
        .ticket(id)
        .await?
        .and_then(|t| t.policy.checklist)
        .ok_or("no checklist")?;
    let still: Vec<ChecklistItem> = after.missing().collect();
    assert!(!still.contains(&ChecklistItem::Screenshot), "{still:?}");
    assert!(!still.contains(&ChecklistItem::Location), "{still:?}");
    let messages = portal.store.ticket_messages(id).await?;
    let last = messages.last().ok_or("no message")?;
    assert!(
        last.body_text.contains("Dónde: Tienda, la página de pago"),
        "{}",
        last.body_text
    );
    assert_eq!(last.attachments.len(), 1);
    let page = portal
        .send("GET", &added.location, Some(&cookie), None, &[])
        .await?;
    assert!(page.body.contains("lo hemos añadido"), "{}", page.body);
    assert!(
        !page.body.contains("data-item=\"location\""),
        "the slot is gone once given"
    );

    // Nothing typed adds nothing.
    let empty = multipart(&[("_csrf", &csrf)], &[]);
    let refused = portal
        .send(
            "POST",
            &format!("/portal/requests/{number}/missing"),
            Some(&cookie),
            Some(empty),
            &[],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        portal.store.ticket_messages(id).await?.len(),
        messages.len()
    );
    // The link was single-use.
    let again = portal
        .post(None, "/portal/link", &[("token", &token)])
        .await?;
    assert_eq!(again.status, StatusCode::GONE);
    Ok(())
}

async fn a_complete_request_gets_no_link(portal: &Portal) -> TestResult {
    let (id, _) = portal
        .request_of(
            &portal.luis,
            "Se duplican los textos",
            "En Sitios Web, estoy creando la página 'Política de Garantía' y cuando añado un elemento de texto se añaden dos elementos de golpe en lugar de uno. Pasa desde esta mañana al pulsar Añadir; adjunto captura.",
        )
        .await?;
    let checklist = portal
        .store
        .ticket(id)
        .await?
        .and_then(|t| t.policy.checklist)
        .ok_or("no checklist")?;
    let ack = portal
        .last_email("luis@tienda.es", "acknowledgement")
        .await?
        .ok_or("no acknowledgement")?;
    assert_eq!(
        ack.contains("/portal/link?token="),
        !checklist.complete,
        "a link only when something is missing: {ack}"
    );
    Ok(())
}
