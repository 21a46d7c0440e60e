//! Two-step sign-in in the console: setting it up (QR code, key, a first code, recovery
//! codes once), a login that asks for a code before any session exists, codes that work
//! once, the throttle on guessed codes, turning it off, and administrators requiring it.

use crate::{Browser, Desk, Page, TestResult, desk_of, form};
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use soporte_app::two_factor::code_at;

soporte_store::on_both_databases!(
    desk_of;
    two_step_sign_in_is_set_up_and_then_asked_for_at_login,
    guessed_codes_are_throttled,
    administrators_can_require_two_step_sign_in,
);

const PASSWORD: &str = "contraseña larga 1";

/// The value of cookie `name` set by a response, if it sets it.
fn set_cookie_value(page: &Page, name: &str) -> Option<String> {
    page.set_cookie.iter().find_map(|c| {
        c.split(';')
            .next()
            .and_then(|pair| pair.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    })
}

/// The text between `start` and the next `<` after it.
fn text_after(body: &str, start: &str) -> Option<String> {
    let at = body.find(start)? + start.len();
    body[at..].split('<').next().map(str::to_string)
}

fn recovery_codes(body: &str) -> Vec<String> {
    let Some(list) = body.split("<ol class=\"codes\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ol>").next().unwrap_or_default();
    list.split("<code>")
        .skip(1)
        .filter_map(|c| c.split("</code>").next())
        .map(str::to_string)
        .collect()
}

fn next_code(key: &str) -> Result<String, soporte_app::AppError> {
    code_at(key, Timestamp::now() + SignedDuration::from_secs(30))
}

impl Desk {
    /// Posts the login form; returns the answer.
    async fn password(&self, email: &str) -> Result<Page, Box<dyn std::error::Error>> {
        self.send(
            "POST",
            "/login",
            None,
            Some(form(&[
                ("email", email),
                ("password", PASSWORD),
                ("next", "/inbox"),
            ])),
            &[],
        )
        .await
    }

    /// Logs in up to the code: the pending login's cookie.
    async fn pending(&self, email: &str) -> Result<String, Box<dyn std::error::Error>> {
        let page = self.password(email).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location, "/login/code?next=/inbox");
        assert_eq!(
            set_cookie_value(&page, "soporte_session"),
            None,
            "no session before the code"
        );
        let pending = set_cookie_value(&page, "soporte_login").ok_or("no pending login")?;
        Ok(format!("soporte_login={pending}"))
    }

    async fn send_code(
        &self,
        pending: &str,
        code: &str,
    ) -> Result<Page, Box<dyn std::error::Error>> {
        self.send(
            "POST",
            "/login/code",
            Some(pending),
            Some(form(&[("code", code), ("next", "/inbox")])),
            &[],
        )
        .await
    }

    /// Sets two-step sign-in up from the console page; returns the key and the codes.
    async fn enrol(
        &self,
        b: &Browser,
    ) -> Result<(String, Vec<String>), Box<dyn std::error::Error>> {
        let started = self.post(b, "/account/two-factor/start", &[]).await?;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        let page = self.get(b, "/account/two-factor").await?;
        assert!(page.body.contains("<svg"), "a QR code: {}", page.body);
        let key = text_after(&page.body, "<code id=\"two-factor-key\">").ok_or("no key")?;
        let confirmed = self
            .post(
                b,
                "/account/two-factor/confirm",
                &[("code", &code_at(&key, Timestamp::now())?)],
            )
            .await?;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        Ok((key, recovery_codes(&confirmed.body)))
    }
}

async fn two_step_sign_in_is_set_up_and_then_asked_for_at_login(desk: &Desk) -> TestResult {
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let page = desk.get(&bruno, "/account/two-factor").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Verificación en dos pasos"));
    assert!(page.body.contains("Desactivada"));

    desk.post(&bruno, "/account/two-factor/start", &[]).await?;
    let setup = desk.get(&bruno, "/account/two-factor").await?;
    assert!(setup.body.contains("<svg") && setup.body.contains("role=\"img\""));
    let key = text_after(&setup.body, "<code id=\"two-factor-key\">").ok_or("no key")?;
    assert_eq!(key.len(), 32, "{key}");
    let wrong = desk
        .post(&bruno, "/account/two-factor/confirm", &[("code", "000000")])
        .await?;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("El código no es correcto"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains(&key), "the same key is shown again");
    let enrolment_code = code_at(&key, Timestamp::now())?;
    let confirmed = desk
        .post(
            &bruno,
            "/account/two-factor/confirm",
            &[("code", &enrolment_code)],
        )
        .await?;
    let codes = recovery_codes(&confirmed.body);
    assert_eq!(codes.len(), 10, "{}", confirmed.body);
    let again = desk.get(&bruno, "/account/two-factor").await?;
    assert!(again.body.contains("Activada"));
    assert!(
        !again.body.contains(&codes[0]),
        "recovery codes are shown once"
    );
    desk.post(&bruno, "/logout", &[]).await?;

    // The password alone gives no session; the pending login opens no page.
    let pending = desk.pending("bruno@vendomia.com").await?;
    let token = pending.trim_start_matches("soporte_login=");
    for cookie in [pending.clone(), format!("soporte_session={token}")] {
        let inbox = desk.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
        assert_eq!(inbox.status, StatusCode::SEE_OTHER, "{cookie}");
        assert!(inbox.location.starts_with("/login"), "{}", inbox.location);
    }
    let ask = desk
        .send("GET", "/login/code?next=/inbox", Some(&pending), None, &[])
        .await?;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("autocomplete=\"one-time-code\""));

    // The code that confirmed the set-up was used already.
    let replayed = desk.send_code(&pending, &enrolment_code).await?;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    assert!(replayed.body.contains("El código no es correcto"));
    let code = next_code(&key)?;
    let signed_in = desk.send_code(&pending, &code).await?;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location, "/inbox");
    let session = set_cookie_value(&signed_in, "soporte_session").ok_or("no session")?;
    assert!(
        signed_in
            .set_cookie
            .iter()
            .any(|c| c.starts_with("soporte_login=;") && c.contains("Max-Age=0")),
        "the pending login's cookie is dropped: {:?}",
        signed_in.set_cookie
    );
    let cookie = format!("soporte_session={session}");
    let inbox = desk.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
    assert_eq!(inbox.status, StatusCode::OK);
    let used = desk.send_code(&pending, &next_code(&key)?).await?;
    assert!(
        used.body.contains("vuelva a entrar"),
        "a pending login ends with its session"
    );

    // The same code on a new login is refused; a recovery code works, once.
    let second = desk.pending("bruno@vendomia.com").await?;
    assert_eq!(
        desk.send_code(&second, &code).await?.status,
        StatusCode::UNAUTHORIZED
    );
    let recovered = desk.send_code(&second, &codes[4]).await?;
    assert_eq!(
        recovered.status,
        StatusCode::SEE_OTHER,
        "{}",
        recovered.body
    );
    let third = desk.pending("bruno@vendomia.com").await?;
    assert_eq!(
        desk.send_code(&third, &codes[4]).await?.status,
        StatusCode::UNAUTHORIZED
    );

    // Turning it off takes the password and a code.
    let session = set_cookie_value(&recovered, "soporte_session").ok_or("no session")?;
    let cookie = format!("soporte_session={session}");
    let inbox = desk.send("GET", "/inbox", Some(&cookie), None, &[]).await?;
    let browser = Browser {
        csrf: crate::hidden_value(&inbox.body, "_csrf").ok_or("no token")?,
        cookie,
    };
    let refused = desk
        .post(
            &browser,
            "/account/two-factor/disable",
            &[("password", "otra"), ("code", &codes[5])],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("La contraseña no es correcta"));
    let off = desk
        .post(
            &browser,
            "/account/two-factor/disable",
            &[("password", PASSWORD), ("code", &codes[5])],
        )
        .await?;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    let page = desk.get(&browser, &off.location).await?;
    assert!(page.body.contains("Desactivada"), "{}", page.body);
    let plain = desk.password("bruno@vendomia.com").await?;
    assert_eq!(plain.location, "/inbox", "the password is enough again");
    Ok(())
}

async fn guessed_codes_are_throttled(desk: &Desk) -> TestResult {
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let (key, _) = desk.enrol(&bruno).await?;
    let pending = desk.pending("bruno@vendomia.com").await?;
    for guess in ["111111", "222222", "333333", "444444", "555555"] {
        let page = desk.send_code(&pending, guess).await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{guess}");
    }
    let held = desk.send_code(&pending, &next_code(&key)?).await?;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
    assert!(held.body.contains("Demasiados intentos"));
    assert_eq!(set_cookie_value(&held, "soporte_session"), None);
    Ok(())
}

async fn administrators_can_require_two_step_sign_in(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana, "/admin/agents").await?;
    assert!(page.body.contains("Exigir la verificación en dos pasos"));
    let forbidden = {
        let bruno = desk.log_in("bruno@vendomia.com").await?;
        desk.post(&bruno, "/admin/two-factor", &[("required", "1")])
            .await?
    };
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let saved = desk
        .post(&ana, "/admin/two-factor", &[("required", "1")])
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(desk.app.two_factor_required());

    // An agent without it is sent to set it up right after the password…
    let login = desk.password("bruno@vendomia.com").await?;
    let session = set_cookie_value(&login, "soporte_session").ok_or("no session")?;
    let cookie = format!("soporte_session={session}");
    for path in ["/inbox", "/tickets/1", "/admin/agents", "/console/whoami"] {
        let page = desk.send("GET", path, Some(&cookie), None, &[]).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location, "/account/two-factor", "{path}");
    }
    let setup = desk
        .send("GET", "/account/two-factor", Some(&cookie), None, &[])
        .await?;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("Los administradores exigen"));
    let bruno = Browser {
        csrf: crate::hidden_value(&setup.body, "_csrf").ok_or("no token")?,
        cookie,
    };
    // …and can use the console once it is set up.
    desk.enrol(&bruno).await?;
    assert_eq!(desk.get(&bruno, "/inbox").await?.status, StatusCode::OK);

    // The rule holds for administrators' open sessions too.
    let blocked = desk.get(&ana, "/admin/agents").await?;
    assert_eq!(blocked.location, "/account/two-factor");
    desk.enrol(&ana).await?;
    let agents = desk.get(&ana, "/admin/agents").await?;
    assert_eq!(agents.status, StatusCode::OK);
    assert!(
        agents
            .body
            .contains("name=\"required\" value=\"1\" checked")
    );
    assert!(agents.body.contains("/two-factor/reset"));

    // Bruno lost his phone and codes: an administrator removes it; he must set it up again.
    let bruno_id = desk.app.agent_by_email("bruno@vendomia.com").await?.id;
    let reset = desk
        .post(
            &ana,
            &format!("/admin/agents/{bruno_id}/two-factor/reset"),
            &[],
        )
        .await?;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    assert_eq!(
        desk.get(&bruno, "/inbox").await?.location,
        "/account/two-factor"
    );
    Ok(())
}
