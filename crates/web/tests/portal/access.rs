//! Who sees what, as a matrix: every portal route against an anonymous visitor, a contact
//! of account A (Luis), the manager of A (Carmen), and a contact of account B (Bea), on a
//! request of another contact of A (Marta).

use crate::{Browser, PNG, Portal, TestResult, portal_of};
use axum::http::StatusCode;
use soporte_app::MessageInput;
use soporte_core::ticket::MessageKind;

soporte_store::on_both_databases!(
    portal_of;
    every_route_answers_each_visitor_as_the_rules_say,
    internal_notes_never_reach_a_customer,
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visitor {
    Anonymous,
    ContactOfA,
    ManagerOfA,
    ContactOfB,
}

/// What a visitor gets: the page, a redirect to sign in, or "not found".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Shown,
    Done,
    SignIn,
    NotFound,
}

fn outcome(status: StatusCode, location: &str) -> Outcome {
    match status {
        StatusCode::OK => Outcome::Shown,
        StatusCode::SEE_OTHER if location.starts_with("/portal/?next=") => Outcome::SignIn,
        StatusCode::SEE_OTHER => Outcome::Done,
        StatusCode::NOT_FOUND => Outcome::NotFound,
        other => panic!("unexpected {other} (to {location})"),
    }
}

async fn every_route_answers_each_visitor_as_the_rules_say(portal: &Portal) -> TestResult {
    let (marta_ticket, number) = portal
        .request_of(
            &portal.marta,
            "No se publica la tienda",
            "Al pulsar Publicar da error.",
        )
        .await?;
    let (_, message) = portal
        .app
        .add_message(
            &portal.agent().await?,
            marta_ticket,
            &MessageInput {
                kind: Some(MessageKind::Inbound),
                body: "Adjunto la captura.".into(),
                attachments: vec![soporte_app::Upload {
                    filename: "captura.png".into(),
                    media_type: "image/png".into(),
                    bytes: PNG.to_vec(),
                }],
                ..MessageInput::default()
            },
        )
        .await?;
    let attachment = message.attachments.first().ok_or("no attachment")?.id.0;

    let luis = portal.sign_in(&portal.luis).await?;
    let carmen = portal.sign_in(&portal.carmen).await?;
    let bea = portal.sign_in(&portal.bea).await?;
    let browser = |v: Visitor| -> Option<&Browser> {
        match v {
            Visitor::Anonymous => None,
            Visitor::ContactOfA => Some(&luis),
            Visitor::ManagerOfA => Some(&carmen),
            Visitor::ContactOfB => Some(&bea),
        }
    };
    use Outcome::*;
    use Visitor::*;
    let visitors = [Anonymous, ContactOfA, ManagerOfA, ContactOfB];
    let request_page = format!("/portal/requests/{number}");
    let attachment_path = format!("/portal/attachments/{attachment}");
    let reads: [(&str, [Outcome; 4]); 5] = [
        ("/portal/requests", [SignIn, Shown, Shown, Shown]),
        (
            "/portal/requests?closed=true",
            [SignIn, Shown, Shown, Shown],
        ),
        (request_page.as_str(), [SignIn, NotFound, Shown, NotFound]),
        (
            attachment_path.as_str(),
            [SignIn, NotFound, Shown, NotFound],
        ),
        ("/portal/password", [SignIn, Shown, Shown, Shown]),
    ];
    for (path, expected) in reads {
        for (visitor, want) in visitors.iter().zip(expected) {
            let page = portal.get(browser(*visitor), path).await?;
            assert_eq!(
                outcome(page.status, &page.location),
                want,
                "GET {path} as {visitor:?}: {}",
                page.body
            );
        }
    }
    // Marta's request is in the manager's list only.
    for (visitor, listed) in [(ContactOfA, false), (ManagerOfA, true), (ContactOfB, false)] {
        let list = portal.get(browser(visitor), "/portal/requests").await?;
        assert_eq!(
            list.body.contains(&number),
            listed,
            "{visitor:?}: {}",
            list.body
        );
    }
    let manager_list = portal.get(Some(&carmen), "/portal/requests").await?;
    assert!(
        manager_list.body.contains("Marta Ruiz"),
        "the manager sees who asked"
    );
    assert!(manager_list.body.contains("Solicitudes de la cuenta"));

    // Replying: only who may see it.
    for (visitor, want) in visitors.iter().zip([SignIn, NotFound, Done, NotFound]) {
        let page = match browser(*visitor) {
            Some(b) => portal.reply(b, &number, "Sigue igual.", &[]).await?,
            None => {
                portal
                    .post(
                        None,
                        &format!("{request_page}/replies"),
                        &[("body", "Hola")],
                    )
                    .await?
            }
        };
        assert_eq!(
            outcome(page.status, &page.location),
            want,
            "reply as {visitor:?}: {}",
            page.body
        );
    }
    let messages = portal.store.ticket_messages(marta_ticket).await?;
    let replies = messages
        .iter()
        .filter(|m| m.body_text == "Sigue igual.")
        .count();
    assert_eq!(replies, 1, "only the manager's reply was written");
    // A number that does not exist reads like another account's.
    let missing = portal
        .get(Some(&luis), "/portal/requests/VND-999999")
        .await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let garbage = portal
        .get(Some(&luis), "/portal/requests/%3Cscript%3E")
        .await?;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    Ok(())
}

async fn internal_notes_never_reach_a_customer(portal: &Portal) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "Factura duplicada",
            "Me han cobrado dos veces la factura de noviembre.",
        )
        .await?;
    let (_, note) = portal
        .app
        .add_message(
            &portal.agent().await?,
            ticket,
            &MessageInput {
                kind: Some(MessageKind::Note),
                body: "NOTA INTERNA: cliente moroso".into(),
                attachments: vec![soporte_app::Upload {
                    filename: "interno.png".into(),
                    media_type: "image/png".into(),
                    bytes: PNG.to_vec(),
                }],
                ..MessageInput::default()
            },
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let page = portal
        .get(Some(&luis), &format!("/portal/requests/{number}"))
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Me han cobrado dos veces"));
    assert!(!page.body.contains("NOTA INTERNA"), "{}", page.body);
    assert!(!page.body.contains("interno.png"));
    let attachment = note.attachments.first().ok_or("no attachment")?.id.0;
    let file = portal
        .get(Some(&luis), &format!("/portal/attachments/{attachment}"))
        .await?;
    assert_eq!(file.status, StatusCode::NOT_FOUND);
    Ok(())
}
