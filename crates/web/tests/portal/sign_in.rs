//! Signing in without a password to remember: one-time links that tell no one who is a
//! customer, work once and expire; a password the customer may choose; and the limits on
//! asking and guessing.

use crate::{Fallible, Portal, TestResult, hidden_value, link_token, portal_of};
use axum::http::{StatusCode, header};
use jiff::{SignedDuration, Timestamp};
use soporte_app::email::Language;
use soporte_app::portal::{LINKS_PER_ADDRESS, LINKS_PER_CLIENT, PortalLinkPurpose};
use soporte_app::{AppError, hash_token};

soporte_store::on_both_databases!(
    portal_of;
    a_link_signs_in_once_and_tells_no_one_who_is_a_customer,
    used_expired_and_forged_links_offer_a_new_one,
    the_portal_session_is_apart_from_the_console_and_the_api,
    a_customer_may_choose_a_password_and_sign_in_with_it,
    asking_for_links_is_limited_per_address_and_per_client,
    an_agent_invites_a_contact_from_the_console,
    signing_out_ends_the_session,
);

async fn a_link_signs_in_once_and_tells_no_one_who_is_a_customer(portal: &Portal) -> TestResult {
    let front = portal.get(None, "/portal/").await?;
    assert_eq!(front.status, StatusCode::OK);
    assert!(front.body.contains("id=\"link-form\""), "{}", front.body);
    assert!(front.body.contains("lang=\"es\""));

    let known = portal
        .post(None, "/portal/sign-in/link", &[("email", "Luis@Tienda.es")])
        .await?;
    let unknown = portal
        .post(
            None,
            "/portal/sign-in/link",
            &[("email", "nadie@tienda.es")],
        )
        .await?;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (known.status, known.body.clone()),
        "the page answers the same whether the address is a customer's or not"
    );
    assert_eq!(
        portal
            .last_email("nadie@tienda.es", "portal_sign_in")
            .await?,
        None
    );
    let text = portal
        .last_email("luis@tienda.es", "portal_sign_in")
        .await?
        .ok_or("no e-mail for Luis")?;
    assert!(
        text.contains("https://soporte.vendomia.test/portal/link?token="),
        "{text}"
    );
    assert!(text.contains("15 minutos"), "{text}");
    let token = link_token(&text)?;

    // Opening the link only shows a button: a mail scanner following it spends nothing.
    let landing = portal
        .get(None, &format!("/portal/link?token={token}"))
        .await?;
    assert_eq!(landing.status, StatusCode::OK);
    assert_eq!(
        landing
            .headers
            .get(header::REFERRER_POLICY)
            .and_then(|v| v.to_str().ok()),
        Some("same-origin"),
        "the secret never reaches another site"
    );
    assert_eq!(hidden_value(&landing.body, "token"), Some(token.clone()));
    assert!(landing.set_cookie.is_empty());

    let opened = portal
        .post(None, "/portal/link", &[("token", &token)])
        .await?;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location, "/portal/requests");
    let cookie = opened
        .set_cookie
        .iter()
        .find(|c| c.starts_with("soporte_portal="))
        .ok_or("no portal cookie")?;
    for part in ["HttpOnly", "SameSite=Lax", "Path=/portal"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap_or_default();
    let list = portal
        .send("GET", "/portal/requests", Some(session), None, &[])
        .await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Luis Pérez"), "{}", list.body);

    let again = portal
        .post(None, "/portal/link", &[("token", &token)])
        .await?;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");
    assert!(again.set_cookie.is_empty());
    Ok(())
}

async fn used_expired_and_forged_links_offer_a_new_one(portal: &Portal) -> TestResult {
    let forged = portal
        .get(None, "/portal/link?token=not-a-real-token")
        .await?;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert!(forged.body.contains("no es válido"), "{}", forged.body);
    assert!(
        forged.body.contains("id=\"link-form\""),
        "offers a new link"
    );
    let empty = portal.post(None, "/portal/link", &[("token", "")]).await?;
    assert_eq!(empty.status, StatusCode::NOT_FOUND);
    let huge = portal
        .post(None, "/portal/link", &[("token", &"x".repeat(10_000))])
        .await?;
    assert_eq!(huge.status, StatusCode::NOT_FOUND);

    // A link past its 15 minutes.
    let secret = "caducado-hace-tiempo";
    let past = Timestamp::now() - SignedDuration::from_mins(20);
    portal
        .store
        .create_portal_link(
            &soporte_store::NewPortalLink {
                token_hash: hash_token(secret),
                purpose: PortalLinkPurpose::SignIn,
                contact: portal.luis.id,
                ticket: None,
                created_at: past,
                expires_at: past + SignedDuration::from_mins(15),
            },
            None,
            past,
        )
        .await?;
    let expired = portal
        .get(None, &format!("/portal/link?token={secret}"))
        .await?;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("caducado"), "{}", expired.body);
    assert!(expired.body.contains("id=\"link-form\""));
    let spent = portal
        .post(None, "/portal/link", &[("token", secret)])
        .await?;
    assert_eq!(spent.status, StatusCode::GONE);
    assert!(spent.set_cookie.is_empty(), "an expired link opens nothing");
    Ok(())
}

async fn the_portal_session_is_apart_from_the_console_and_the_api(portal: &Portal) -> TestResult {
    let luis = portal.sign_in(&portal.luis).await?;
    let session = luis.cookie.trim_start_matches("soporte_portal=");
    // Not an API credential…
    let api = portal
        .send(
            "GET",
            "/api/v1/tickets",
            None,
            None,
            &[("authorization", &format!("Bearer {session}"))],
        )
        .await?;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    // …nor a console session.
    let console = portal
        .send(
            "GET",
            "/inbox",
            Some(&format!("soporte_session={session}")),
            None,
            &[],
        )
        .await?;
    assert_eq!(console.status, StatusCode::SEE_OTHER);
    assert!(console.location.starts_with("/login"));
    // A form without the anti-forgery token, or from another site, changes nothing.
    let no_token = portal
        .send(
            "POST",
            "/portal/password",
            Some(&luis.cookie),
            Some((
                "application/x-www-form-urlencoded".into(),
                b"password=una+contrase%C3%B1a+larga".to_vec(),
            )),
            &[],
        )
        .await?;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let cross_site = portal
        .send(
            "POST",
            "/portal/password",
            Some(&luis.cookie),
            Some((
                "application/x-www-form-urlencoded".into(),
                format!("_csrf={}&password=una+contrase%C3%B1a+larga", luis.csrf).into_bytes(),
            )),
            &[("origin", "https://evil.example")],
        )
        .await?;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    let user = portal.app.portal_session(session).await?;
    assert!(!portal.app.has_portal_password(&user).await?);
    Ok(())
}

async fn a_customer_may_choose_a_password_and_sign_in_with_it(portal: &Portal) -> TestResult {
    let luis = portal.sign_in(&portal.luis).await?;
    let other_device = portal.sign_in(&portal.luis).await?;
    let short = portal
        .post(Some(&luis), "/portal/password", &[("password", "corta")])
        .await?;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = portal
        .post(
            Some(&luis),
            "/portal/password",
            &[("password", "mi contraseña del portal")],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Contraseña guardada"));
    let still = portal.get(Some(&luis), "/portal/requests").await?;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "the session that chose it stays"
    );
    let ended = portal.get(Some(&other_device), "/portal/requests").await?;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "other sessions end");

    let wrong = portal
        .post(
            None,
            "/portal/sign-in/password",
            &[("email", "luis@tienda.es"), ("password", "no es esta")],
        )
        .await?;
    let unknown = portal
        .post(
            None,
            "/portal/sign-in/password",
            &[("email", "nadie@tienda.es"), ("password", "no es esta")],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.body.replace("nadie@tienda.es", "X"),
        wrong.body.replace("luis@tienda.es", "X"),
        "a wrong password reads as an unknown address"
    );
    let right = portal
        .post(
            None,
            "/portal/sign-in/password",
            &[
                ("email", "luis@tienda.es"),
                ("password", "mi contraseña del portal"),
                ("next", "/portal/password"),
            ],
        )
        .await?;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.location, "/portal/password");
    assert!(
        right
            .set_cookie
            .iter()
            .any(|c| c.starts_with("soporte_portal="))
    );

    // Guessing stops after five wrong passwords, even with the right one.
    for _ in 0..5 {
        portal
            .post(
                None,
                "/portal/sign-in/password",
                &[("email", "luis@tienda.es"), ("password", "adivinanza")],
            )
            .await?;
    }
    let blocked = portal
        .post(
            None,
            "/portal/sign-in/password",
            &[
                ("email", "luis@tienda.es"),
                ("password", "mi contraseña del portal"),
            ],
        )
        .await?;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers.contains_key(header::RETRY_AFTER));
    Ok(())
}

async fn asking_for_links_is_limited_per_address_and_per_client(portal: &Portal) -> TestResult {
    for _ in 0..LINKS_PER_ADDRESS {
        let sent = portal
            .post(None, "/portal/sign-in/link", &[("email", "luis@tienda.es")])
            .await?;
        assert_eq!(sent.status, StatusCode::OK);
    }
    let refused = portal
        .post(None, "/portal/sign-in/link", &[("email", "luis@tienda.es")])
        .await?;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    let unknown_refused = {
        for _ in 0..LINKS_PER_ADDRESS {
            portal
                .post(
                    None,
                    "/portal/sign-in/link",
                    &[("email", "nadie@tienda.es")],
                )
                .await?;
        }
        portal
            .post(
                None,
                "/portal/sign-in/link",
                &[("email", "nadie@tienda.es")],
            )
            .await?
    };
    assert_eq!(
        unknown_refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown address is limited alike, so the limit tells nothing"
    );
    let invalid = portal
        .post(
            None,
            "/portal/sign-in/link",
            &[("email", "no es un correo")],
        )
        .await?;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);

    // One client asking for many addresses (in-process requests carry no client address,
    // so the use case is asked directly).
    let client: std::net::IpAddr = "192.0.2.44".parse()?;
    for i in 0..LINKS_PER_CLIENT {
        portal
            .app
            .request_portal_link(
                &format!("persona{i}@tienda.es"),
                Some(client),
                Language::Spanish,
            )
            .await?;
    }
    let flood = portal
        .app
        .request_portal_link("luis2@tienda.es", Some(client), Language::Spanish)
        .await;
    assert!(
        matches!(flood, Err(AppError::RateLimited { .. })),
        "{flood:?}"
    );
    Ok(())
}

async fn an_agent_invites_a_contact_from_the_console(portal: &Portal) -> TestResult {
    let login = portal
        .send(
            "POST",
            "/login",
            None,
            Some((
                "application/x-www-form-urlencoded".into(),
                crate::form(&[
                    ("email", "ana@vendomia.com"),
                    ("password", "contraseña larga 1"),
                ])
                .into_bytes(),
            )),
            &[],
        )
        .await?;
    let cookie = login
        .set_cookie
        .first()
        .ok_or("no console session")?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    let contacts = portal
        .send("GET", "/admin/contacts", Some(&cookie), None, &[])
        .await?;
    let csrf = hidden_value(&contacts.body, "_csrf").ok_or("no token")?;
    let invited = portal
        .send(
            "POST",
            &format!("/admin/contacts/{}/invite", portal.marta.id.0),
            Some(&cookie),
            Some((
                "application/x-www-form-urlencoded".into(),
                crate::form(&[("_csrf", &csrf)]).into_bytes(),
            )),
            &[],
        )
        .await?;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let text = portal
        .last_email("marta@tienda.es", "portal_invitation")
        .await?
        .ok_or("no invitation")?;
    assert!(text.contains("Ana Agente le invita"), "{text}");
    assert!(text.contains("7 días"), "{text}");
    let token = link_token(&text)?;
    let opened = portal
        .post(None, "/portal/link", &[("token", &token)])
        .await?;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert!(
        opened
            .set_cookie
            .iter()
            .any(|c| c.starts_with("soporte_portal="))
    );
    Ok(())
}

async fn signing_out_ends_the_session(portal: &Portal) -> TestResult {
    let bea = portal.sign_in(&portal.bea).await?;
    let out = portal.post(Some(&bea), "/portal/sign-out", &[]).await?;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location, "/portal/");
    let after = portal.get(Some(&bea), "/portal/requests").await?;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location, "/portal/?next=/portal/requests");
    Ok(())
}

#[allow(dead_code)]
fn _fallible_is_used(_: Fallible<()>) {}
