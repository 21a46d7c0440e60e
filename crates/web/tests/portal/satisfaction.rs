//! Asking how a solved request went: the e-mail an agent's solving sends, with its
//! single-use rating link; rating on the request's page; once per request; shown to the
//! agent; and turned off by configuration.

use crate::{Portal, TestResult, link_token, portal_of};
use axum::http::StatusCode;
use soporte_core::ticket::EventKind;

soporte_store::on_both_databases!(
    portal_of;
    an_agent_solving_a_request_emails_a_single_use_rating_link,
    a_signed_in_customer_rates_a_solved_request_once,
);

async fn an_agent_solving_a_request_emails_a_single_use_rating_link(portal: &Portal) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "No se publica la tienda",
            "En Tienda, al pulsar Publicar sale un error.",
        )
        .await?;
    let ana = portal.console().await?;
    let solve = |status: &'static str| {
        let ana = &ana;
        async move {
            portal
                .post(
                    Some(ana),
                    &format!("/tickets/{}/properties", ticket.0),
                    &[
                        ("status", status),
                        ("priority", "normal"),
                        ("type", ""),
                        ("assignee", ""),
                    ],
                )
                .await
        }
    };
    let solved = solve("solved").await?;
    assert_eq!(solved.status, StatusCode::SEE_OTHER, "{}", solved.body);
    let emails = portal
        .emails("luis@tienda.es", "portal_satisfaction")
        .await?;
    assert_eq!(emails.len(), 1, "one rating e-mail");
    let email = &emails[0];
    assert!(email.subject.contains(&number), "{}", email.subject);
    assert!(
        email.text.contains("No se publica la tienda"),
        "{}",
        email.text
    );
    assert!(email.to[0].contains("luis@tienda.es"));
    let history = portal.store.ticket_events(ticket).await?;
    assert!(
        history
            .iter()
            .any(|e| e.kind == EventKind::SatisfactionAsked)
    );
    let token = link_token(&email.text)?;

    // The link opens the rating form, signing nobody in.
    let opened = portal
        .get(None, &format!("/portal/link?token={token}"))
        .await?;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert!(
        opened.body.contains("id=\"rating-form\""),
        "{}",
        opened.body
    );
    assert!(opened.body.contains(&number));
    assert!(opened.set_cookie.is_empty(), "no session");
    let as_sign_in = portal
        .post(None, "/portal/link", &[("token", &token)])
        .await?;
    assert_eq!(as_sign_in.status, StatusCode::GONE, "it is no sign-in link");
    assert!(as_sign_in.set_cookie.is_empty());

    // From another site, or with a rating that is not 1 to 5, nothing is kept.
    let forged = portal
        .send(
            "POST",
            "/portal/rating",
            None,
            Some((
                "application/x-www-form-urlencoded".into(),
                format!("token={token}&rating=5").into_bytes(),
            )),
            &[("origin", "https://evil.example")],
        )
        .await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    for bad in ["0", "6", "", "cinco"] {
        let refused = portal
            .post(
                None,
                "/portal/rating",
                &[("token", &token), ("rating", bad)],
            )
            .await?;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(refused.body.contains("Elija una valoración de 1 a 5"));
    }
    assert_eq!(portal.store.ticket_satisfaction(ticket).await?, None);

    let rated = portal
        .post(
            None,
            "/portal/rating",
            &[
                ("token", &token),
                ("rating", "4"),
                ("comment", "Rápido, aunque tuve que insistir."),
            ],
        )
        .await?;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert!(rated.body.contains("Gracias por su valoración"));
    let kept = portal
        .store
        .ticket_satisfaction(ticket)
        .await?
        .ok_or("no rating kept")?;
    assert_eq!(
        (kept.rating, kept.comment.as_str(), kept.contact),
        (4, "Rápido, aunque tuve que insistir.", portal.luis.id)
    );

    // The link works once.
    let again = portal
        .post(
            None,
            "/portal/rating",
            &[("token", &token), ("rating", "1")],
        )
        .await?;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("ya estaba valorada"), "{}", again.body);
    let reopened_link = portal
        .get(None, &format!("/portal/link?token={token}"))
        .await?;
    assert_eq!(reopened_link.status, StatusCode::GONE);
    assert!(!reopened_link.body.contains("id=\"rating-form\""));
    assert_eq!(
        portal
            .store
            .ticket_satisfaction(ticket)
            .await?
            .map(|s| s.rating),
        Some(4)
    );

    // The agent sees it on the ticket's page, and the customer is asked only once.
    let page = portal
        .get(Some(&ana), &format!("/tickets/{}", ticket.0))
        .await?;
    assert!(
        page.body.contains("Valoración del cliente"),
        "{}",
        page.body
    );
    assert!(page.body.contains("4 de 5"));
    assert!(page.body.contains("Rápido, aunque tuve que insistir."));
    solve("open").await?;
    solve("solved").await?;
    assert_eq!(
        portal
            .emails("luis@tienda.es", "portal_satisfaction")
            .await?
            .len(),
        1,
        "asked once per request"
    );
    Ok(())
}

async fn a_signed_in_customer_rates_a_solved_request_once(portal: &Portal) -> TestResult {
    let (ticket, number) = portal
        .request_of(
            &portal.luis,
            "Cambio de logo",
            "En Sitios Web quiero cambiar el logo.",
        )
        .await?;
    let luis = portal.sign_in(&portal.luis).await?;
    let carmen = portal.sign_in(&portal.carmen).await?;
    let marta = portal.sign_in(&portal.marta).await?;
    let path = format!("/portal/requests/{number}");
    let open = portal.get(Some(&luis), &path).await?;
    assert!(!open.body.contains("id=\"rating-form\""), "not while open");
    let early = portal
        .post(Some(&luis), &format!("{path}/rating"), &[("rating", "5")])
        .await?;
    assert_ne!(early.status, StatusCode::SEE_OTHER, "not while open");

    portal
        .post(Some(&luis), &format!("{path}/solved"), &[])
        .await?;
    assert!(
        portal
            .emails("luis@tienda.es", "portal_satisfaction")
            .await?
            .is_empty(),
        "who solved it themselves is asked on the page, not by e-mail"
    );
    let solved = portal.get(Some(&luis), &path).await?;
    assert!(
        solved.body.contains("id=\"rating-form\""),
        "{}",
        solved.body
    );
    assert!(solved.body.contains("¿Cómo le hemos atendido?"));

    let stranger = portal
        .post(Some(&marta), &format!("{path}/rating"), &[("rating", "1")])
        .await?;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let invalid = portal
        .post(Some(&luis), &format!("{path}/rating"), &[("rating", "9")])
        .await?;
    let shown = portal.get(Some(&luis), &invalid.location).await?;
    assert!(
        shown.body.contains("Elija una valoración de 1 a 5"),
        "{}",
        shown.body
    );
    assert_eq!(portal.store.ticket_satisfaction(ticket).await?, None);

    let rated = portal
        .post(
            Some(&luis),
            &format!("{path}/rating"),
            &[("rating", "5"), ("comment", "Perfecto")],
        )
        .await?;
    assert_eq!(rated.status, StatusCode::SEE_OTHER);
    let page = portal.get(Some(&luis), &rated.location).await?;
    assert!(page.body.contains("Gracias por su valoración"));
    assert!(page.body.contains("5 de 5"));
    assert!(page.body.contains("Perfecto"));
    assert!(!page.body.contains("id=\"rating-form\""), "asked once");

    // The account's manager sees it rated; a second rating does not replace the first.
    let second = portal
        .post(Some(&carmen), &format!("{path}/rating"), &[("rating", "1")])
        .await?;
    let page = portal.get(Some(&carmen), &second.location).await?;
    assert!(page.body.contains("ya estaba valorada"), "{}", page.body);
    assert_eq!(
        portal
            .store
            .ticket_satisfaction(ticket)
            .await?
            .map(|s| s.rating),
        Some(5)
    );
    Ok(())
}

/// With `portal.satisfaction = false`.
mod turned_off {
    use crate::{Portal, TestResult};
    use axum::http::StatusCode;
    use soporte_core::ticket::Status;
    use soporte_store::testkit::TestDb;

    soporte_store::on_both_databases!(
        off;
        with_ratings_turned_off_nobody_is_asked,
    );

    async fn off(db: &TestDb) -> Result<Portal, Box<dyn std::error::Error>> {
        Portal::with_settings(db, |settings| settings.portal.satisfaction = false).await
    }

    async fn with_ratings_turned_off_nobody_is_asked(portal: &Portal) -> TestResult {
        let (ticket, number) = portal
            .request_of(&portal.luis, "Factura", "Necesito la factura de marzo.")
            .await?;
        portal
            .app
            .update_ticket(
                &portal.agent().await?,
                ticket,
                &soporte_app::TicketUpdate {
                    status: Some(Status::Solved),
                    ..Default::default()
                },
            )
            .await?;
        assert!(
            portal
                .emails("luis@tienda.es", "portal_satisfaction")
                .await?
                .is_empty()
        );
        let luis = portal.sign_in(&portal.luis).await?;
        let path = format!("/portal/requests/{number}");
        let page = portal.get(Some(&luis), &path).await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("id=\"rating-form\""));
        let refused = portal
            .post(Some(&luis), &format!("{path}/rating"), &[("rating", "5")])
            .await?;
        assert_ne!(refused.status, StatusCode::SEE_OTHER);
        assert_eq!(portal.store.ticket_satisfaction(ticket).await?, None);
        Ok(())
    }
}
