//! Writing a request on the guided form: the policy's types and areas, the checklist
//! filling in as the customer writes, and sending it complete or not.

use crate::{PNG, Portal, TestResult, multipart, portal_of};
use axum::http::StatusCode;
use soporte_core::policy::checklist::ChecklistItem;
use soporte_core::support::{Channel, Priority, SupportType};

soporte_store::on_both_databases!(
    portal_of;
    the_form_offers_the_policys_types_and_areas,
    the_checklist_fills_in_as_the_customer_writes,
    a_complete_request_goes_in_with_its_screenshot,
    an_incomplete_request_goes_in_all_the_same,
    bad_input_keeps_what_was_typed_and_writes_nothing,
);

async fn the_form_offers_the_policys_types_and_areas(portal: &Portal) -> TestResult {
    let luis = portal.sign_in(&portal.luis).await?;
    let form = portal.get(Some(&luis), "/portal/requests/new").await?;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for words in [
        "Administrativo",
        "Facturas, rectificaciones y gestiones de la cuenta.",
        "Uso de la herramienta",
        "Técnico",
        "que lo decida el soporte",
        "<option value=\"Sitios Web\">Sitios Web</option>",
        "En Sitios Web, estoy creando la página",
        "id=\"checklist\"",
        "src=\"/portal/assets/portal.js?v=",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }
    let script = portal.get(None, "/portal/assets/portal.js").await?;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("DataTransfer"));
    Ok(())
}

/// Sends the new-request form as the browser does (multipart, with its files).
async fn send_request(
    portal: &Portal,
    b: &crate::Browser,
    body: (String, Vec<u8>),
) -> crate::Fallible<crate::Page> {
    portal
        .send("POST", "/portal/requests", Some(&b.cookie), Some(body), &[])
        .await
}

/// The live panel for these form fields.
async fn check(
    portal: &Portal,
    b: &crate::Browser,
    fields: &[(&str, &str)],
) -> crate::Fallible<String> {
    let page = portal
        .post(Some(b), "/portal/requests/new/check", fields)
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    Ok(page.body)
}

fn given(panel: &str, item: ChecklistItem) -> bool {
    panel.contains(&format!(
        "class=\"item given\" data-item=\"{}\"",
        item.as_str()
    ))
}

async fn the_checklist_fills_in_as_the_customer_writes(portal: &Portal) -> TestResult {
    let luis = portal.sign_in(&portal.luis).await?;
    let empty = check(
        portal,
        &luis,
        &[("subject", "Error"), ("description", "No va")],
    )
    .await?;
    assert!(!given(&empty, ChecklistItem::Location), "{empty}");
    assert!(
        empty.contains("Elija la sección"),
        "a hint for what is wanted: {empty}"
    );
    assert!(empty.contains("Puede enviarla aunque falte algo"));

    let written = check(
        portal,
        &luis,
        &[
            ("type", "usage"),
            ("subject", "Error: se duplican los textos"),
            (
                "description",
                "Es un error: estoy creando la página de garantía y cuando añado un elemento de texto se añaden dos elementos de golpe en lugar de uno.",
            ),
            ("area", "Sitios Web"),
            ("place", "página «Política de Garantía»"),
            ("when", "al añadir un elemento de texto"),
            ("pictures", "1"),
        ],
    )
    .await?;
    for item in [
        ChecklistItem::Location,
        ChecklistItem::Screenshot,
        ChecklistItem::AccountUser,
    ] {
        assert!(given(&written, item), "{item:?}: {written}");
    }
    assert!(
        written.contains("garantía"),
        "the words that give it: {written}"
    );
    Ok(())
}

async fn a_complete_request_goes_in_with_its_screenshot(portal: &Portal) -> TestResult {
    let luis = portal.sign_in(&portal.luis).await?;
    let body = multipart(
        &[
            ("_csrf", &luis.csrf),
            ("type", "usage"),
            ("subject", "Se duplican los textos"),
            (
                "description",
                "Estoy creando la página de garantía y cuando añado un elemento de texto se añaden dos elementos de golpe en lugar de uno.",
            ),
            ("area", "Sitios Web"),
            ("place", "página «Política de Garantía»"),
            ("when", "cada vez que pulso Añadir texto"),
            ("urgent", "yes"),
            ("urgency_reason", "la tienda abre mañana"),
        ],
        &[("files", "captura.png", "image/png", PNG)],
    );
    let sent = send_request(portal, &luis, body).await?;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let number = sent
        .location
        .trim_start_matches("/portal/requests/")
        .trim_end_matches("?created=true")
        .to_string();
    let id = portal.app.ticket_reference(&number).ok_or("no number")?;
    let ticket = portal.store.ticket(id).await?.ok_or("no ticket")?;
    assert_eq!(ticket.channel, Channel::Portal);
    assert_eq!(ticket.requester_id, portal.luis.id);
    assert_eq!(ticket.support_type, Some(SupportType::Usage));
    assert_eq!(ticket.priority, Priority::Urgent);
    assert_eq!(ticket.product_area.as_deref(), Some("Sitios Web"));
    let checklist = ticket.policy.checklist.ok_or("no checklist")?;
    let missing: Vec<_> = checklist.missing().collect();
    assert!(!missing.contains(&ChecklistItem::Screenshot), "{missing:?}");
    assert!(!missing.contains(&ChecklistItem::Location), "{missing:?}");
    let messages = portal.store.ticket_messages(id).await?;
    assert!(
        messages[0]
            .body_text
            .contains("Dónde: Sitios Web, página «Política de Garantía»")
    );
    assert!(
        messages[0]
            .body_text
            .contains("Urgente: la tienda abre mañana")
    );
    assert_eq!(messages[0].attachments.len(), 1);
    let page = portal.get(Some(&luis), &sent.location).await?;
    assert!(page.body.contains("Solicitud enviada"), "{}", page.body);
    assert!(
        portal
            .last_email("luis@tienda.es", "acknowledgement")
            .await?
            .is_some(),
        "acknowledged by e-mail"
    );
    Ok(())
}

async fn an_incomplete_request_goes_in_all_the_same(portal: &Portal) -> TestResult {
    let bea = portal.sign_in(&portal.bea).await?;
    let body = multipart(
        &[
            ("_csrf", &bea.csrf),
            ("subject", "No funciona"),
            ("description", "No me deja."),
        ],
        &[],
    );
    let sent = send_request(portal, &bea, body).await?;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let number = sent
        .location
        .trim_start_matches("/portal/requests/")
        .trim_end_matches("?created=true");
    let id = portal.app.ticket_reference(number).ok_or("no number")?;
    let ticket = portal.store.ticket(id).await?.ok_or("no ticket")?;
    let checklist = ticket.policy.checklist.ok_or("no checklist")?;
    assert!(
        !checklist.complete,
        "it went in incomplete, with its checklist"
    );
    Ok(())
}

async fn bad_input_keeps_what_was_typed_and_writes_nothing(portal: &Portal) -> TestResult {
    let luis = portal.sign_in(&portal.luis).await?;
    let before = portal.store.count_tickets(&Default::default()).await?;
    let disguised = multipart(
        &[
            ("_csrf", &luis.csrf),
            ("subject", "Captura"),
            (
                "description",
                "Descripción <script>alert(1)</script> que no se pierde",
            ),
        ],
        &[(
            "files",
            "captura.jpg",
            "image/jpeg",
            b"MZ\x90\x00 not a picture",
        )],
    );
    let refused = send_request(portal, &luis, disguised).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("«captura.jpg» no es una imagen"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("Descripción &#60;script&#62;alert(1)&#60;/script&#62; que no se pierde")
    );
    let no_subject = multipart(
        &[
            ("_csrf", &luis.csrf),
            ("subject", " "),
            ("description", "Algo"),
        ],
        &[],
    );
    let refused = send_request(portal, &luis, no_subject).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Escriba un asunto"),
        "{}",
        refused.body
    );
    let unknown_area = multipart(
        &[
            ("_csrf", &luis.csrf),
            ("subject", "Algo"),
            ("description", "Algo pasa"),
            ("area", "Sección inventada"),
        ],
        &[],
    );
    let refused = send_request(portal, &luis, unknown_area).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = multipart(
        &[("_csrf", "x"), ("subject", "Algo"), ("description", "Algo")],
        &[],
    );
    let refused = send_request(portal, &luis, forged).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        portal.store.count_tickets(&Default::default()).await?,
        before,
        "nothing was written"
    );
    Ok(())
}
