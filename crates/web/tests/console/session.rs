//! Signing in and staying signed in safely: sessions, refused passwords, the anti-forgery
//! token, the language cookie, slowed-down guessing and a password reset by e-mail.

use crate::{Desk, TestResult, desk_of, form, link_token};
use axum::http::{StatusCode, header};
use soporte_core::ticket::MessageKind;

soporte_store::on_both_databases!(
    desk_of;
    pages_need_a_session_and_logging_in_gives_one,
    wrong_passwords_and_disabled_agents_are_refused,
    state_changes_need_the_anti_forgery_token,
    the_language_can_be_switched,
    password_guessing_is_slowed_down_per_account,
    password_guesses_sent_at_once_are_counted_before_they_are_checked,
    a_forgotten_password_is_reset_by_a_link_sent_by_email,
);

async fn pages_need_a_session_and_logging_in_gives_one(desk: &Desk) -> TestResult {
    let anonymous = desk.send("GET", "/tickets/1", None, None, &[]).await?;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location, "/login?next=/tickets/1");
    let login = desk
        .send("GET", "/login?next=/tickets/1", None, None, &[])
        .await?;
    assert!(login.body.contains("id=\"login\""), "{}", login.body);
    assert!(login.body.contains("value=\"/tickets/1\""));
    let csp = login
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("script-src 'self'"), "{csp}");

    // One script and one style sheet, both from here.
    assert!(login.body.contains("src=\"/assets/console.js?v="));
    let script = desk
        .send("GET", "/assets/console.js", None, None, &[])
        .await?;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("htmx") && script.body.contains("#reply-body"));
    let css = desk
        .send("GET", "/assets/console.css", None, None, &[])
        .await?;
    assert!(css.body.contains("#checklist"));

    let browser = desk.log_in("ana@vendomia.com").await?;
    let who = desk.get(&browser, "/console/whoami").await?;
    assert!(who.body.contains("Ana Agente"), "{}", who.body);

    // Error pages carry the same protections as every page.
    let missing = desk.get(&browser, "/tickets/999999").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for name in [
        header::CONTENT_SECURITY_POLICY,
        header::X_CONTENT_TYPE_OPTIONS,
    ] {
        assert!(
            missing.headers.contains_key(&name),
            "{name} on an error page"
        );
    }

    // Logging out ends the session on the server, not just in the browser.
    let out = desk.post(&browser, "/logout", &[]).await?;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.set_cookie.iter().any(|c| c.contains("Max-Age=0")));
    let after = desk.get(&browser, "/inbox").await?;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    Ok(())
}

async fn wrong_passwords_and_disabled_agents_are_refused(desk: &Desk) -> TestResult {
    let wrong = desk
        .send(
            "POST",
            "/login",
            None,
            Some(form(&[("email", "ana@vendomia.com"), ("password", "otra")])),
            &[],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.set_cookie.is_empty());
    assert!(wrong.body.contains("no son correctos"), "{}", wrong.body);

    let browser = desk.log_in("bruno@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    desk.app
        .update_agent(
            bruno.id,
            &soporte_app::AgentUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .await?;
    let page = desk.get(&browser, "/inbox").await?;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "a disabled agent's session ends"
    );
    Ok(())
}

async fn state_changes_need_the_anti_forgery_token(desk: &Desk) -> TestResult {
    let id = desk
        .request(
            "Duda sobre facturas",
            "¿Dónde descargo la factura de octubre?",
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let path = format!("/tickets/{}/messages", id.0);
    let body = form(&[("_csrf", "forged"), ("kind", "note"), ("body", "hola")]);
    let forged = desk
        .send("POST", &path, Some(&browser.cookie), Some(body), &[])
        .await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Even with the right token, a request sent by another site is refused.
    let body = form(&[("_csrf", &browser.csrf), ("kind", "note"), ("body", "hola")]);
    let cross = desk
        .send(
            "POST",
            &path,
            Some(&browser.cookie),
            Some(body),
            &[("origin", "https://evil.example")],
        )
        .await?;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let detail = desk
        .app
        .ticket_detail(&desk.principal("ana@vendomia.com").await?, id)
        .await?;
    assert!(
        detail.messages.iter().all(|m| m.kind != MessageKind::Note),
        "nothing was added"
    );
    Ok(())
}

async fn the_language_can_be_switched(desk: &Desk) -> TestResult {
    let browser = desk.log_in("ana@vendomia.com").await?;
    let switch = desk
        .get(&browser, "/language?to=en&back=/inbox?view=all")
        .await?;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location, "/inbox?view=all");
    let lang = switch
        .set_cookie
        .first()
        .and_then(|c| c.split(';').next())
        .ok_or("no language cookie")?
        .to_string();
    let cookie = format!("{}; {lang}", browser.cookie);
    let english = desk.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Unassigned"));
    let elsewhere = desk
        .get(&browser, "/language?to=en&back=https://evil.example/")
        .await?;
    assert_eq!(elsewhere.location, "/inbox");
    // A tab that browsers drop would turn `/\t/evil.example` into `//evil.example`.
    let disguised = desk
        .get(&browser, "/language?to=es&back=/%09/evil.example/phish")
        .await?;
    assert_eq!(disguised.location, "/inbox");
    Ok(())
}

async fn password_guessing_is_slowed_down_per_account(desk: &Desk) -> TestResult {
    let attempt = |password: &'static str| async move {
        desk.send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", "bruno@vendomia.com"),
                ("password", password),
            ])),
            &[],
        )
        .await
    };
    for _ in 0..soporte_app::LOGIN_FAILURES_PER_ACCOUNT {
        assert_eq!(attempt("adivino").await?.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let blocked = attempt("contraseña larga 1").await?;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.set_cookie.is_empty());
    assert!(
        blocked.body.contains("Demasiados intentos"),
        "{}",
        blocked.body
    );
    // Other accounts are not locked out by it.
    desk.log_in("ana@vendomia.com").await?;
    Ok(())
}

async fn password_guesses_sent_at_once_are_counted_before_they_are_checked(
    desk: &Desk,
) -> TestResult {
    let guesses = (0..30).map(|_| {
        desk.send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", "bruno@vendomia.com"),
                ("password", "adivino"),
            ])),
            &[],
        )
    });
    let mut checked = 0;
    let mut refused = 0;
    for answer in futures_util::future::join_all(guesses).await {
        match answer?.status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("a guess was answered {other}"),
        }
    }
    assert_eq!(
        (checked, refused),
        (
            soporte_app::LOGIN_FAILURES_PER_ACCOUNT,
            30 - soporte_app::LOGIN_FAILURES_PER_ACCOUNT
        ),
        "only the allowed number of guesses may reach the password check"
    );
    // The right password is refused too until the window has passed.
    let blocked = desk
        .send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", "bruno@vendomia.com"),
                ("password", "contraseña larga 1"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

async fn a_forgotten_password_is_reset_by_a_link_sent_by_email(desk: &Desk) -> TestResult {
    let old_session = desk.log_in("bruno@vendomia.com").await?;
    let ask = |email: &'static str| async move {
        desk.send(
            "POST",
            "/password/forgot",
            None,
            Some(form(&[("email", email)])),
            &[],
        )
        .await
    };
    let known = ask("bruno@vendomia.com").await?;
    let unknown = ask("nadie@vendomia.com").await?;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        known.body, unknown.body,
        "whether an address is an agent's is not told"
    );

    let admin = desk.principal("ana@vendomia.com").await?;
    let queued = desk.app.list_outbox(&admin, Some("pending")).await?;
    let resets: Vec<_> = queued
        .iter()
        .filter(|o| o.kind == "password_reset")
        .collect();
    assert_eq!(resets.len(), 1, "one link, for the agent only");
    assert_eq!(resets[0].recipient, "bruno@vendomia.com");
    let token = link_token(&resets[0].email.text)?;
    assert!(
        resets[0]
            .email
            .text
            .contains("http://127.0.0.1:8080/password/reset?token=")
    );

    let page = desk
        .send(
            "GET",
            &format!("/password/reset?token={token}"),
            None,
            None,
            &[],
        )
        .await?;
    assert!(page.body.contains("id=\"reset\""));
    let differ = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "nueva clave 2026"),
                ("again", "otra cosa 2026"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "nueva clave 2026"),
                ("again", "nueva clave 2026"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Contraseña cambiada"));
    assert_eq!(
        desk.get(&old_session, "/inbox").await?.status,
        StatusCode::SEE_OTHER,
        "sessions opened with the old password end"
    );
    let login = desk
        .send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", "bruno@vendomia.com"),
                ("password", "nueva clave 2026"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let again = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "otra clave 2027"),
                ("again", "otra clave 2027"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a link works once"
    );
    assert!(again.body.contains("caducado o ya se usó"));
    Ok(())
}
