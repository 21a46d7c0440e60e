//! The company's logo and colours from configuration, on the portal's pages and in the
//! e-mails it sends.

use crate::{PNG, Portal, TestResult};
use axum::http::{StatusCode, header};
use soporte_app::portal::{Brand, Logo};
use soporte_store::testkit::TestDb;

soporte_store::on_both_databases!(
    branded;
    pages_and_emails_carry_the_company_s_logo_and_colours,
);

async fn branded(db: &TestDb) -> Result<Portal, Box<dyn std::error::Error>> {
    let mut brand = Brand::with_colours("#0b6e4f", "#f5f5f0")?;
    brand.logo = Some(Logo::from_bytes(PNG.to_vec())?);
    Portal::with_settings(db, |settings| settings.portal.brand = brand).await
}

async fn pages_and_emails_carry_the_company_s_logo_and_colours(portal: &Portal) -> TestResult {
    let front = portal.get(None, "/portal/").await?;
    assert!(
        front
            .body
            .contains("<img class=\"logo\" src=\"/portal/brand/logo?v="),
        "{}",
        front.body
    );
    assert!(
        front.body.contains("Vendomia"),
        "the company's name beside it"
    );
    let css_path = front
        .body
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with("/portal/assets/brand.css"))
        .ok_or("no brand style sheet")?
        .to_string();
    let css = portal.get(None, &css_path).await?;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--accent: #0b6e4f"), "{}", css.body);
    assert!(css.body.contains("--accent-ink: #ffffff"));
    assert!(css.body.contains("--top: #f5f5f0"));
    assert!(
        css.body.contains("--top-ink: #1b2230"),
        "dark text on a light band"
    );

    let logo = portal.get(None, "/portal/brand/logo?v=1").await?;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(
        logo.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(
        logo.headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()),
        Some(PNG.len().to_string().as_str()),
        "the configured file's bytes"
    );

    // The sign-in e-mail: the same words as text, and an HTML version in the colours,
    // under the logo (loaded from the portal's public address).
    portal
        .post(None, "/portal/sign-in/link", &[("email", "luis@tienda.es")])
        .await?;
    let sent = portal.emails("luis@tienda.es", "portal_sign_in").await?;
    let email = sent.last().ok_or("no sign-in e-mail")?;
    assert!(email.text.contains("/portal/link?token="));
    let html = email.html.as_deref().ok_or("no HTML version")?;
    assert!(
        html.contains(
            "src=\"https:&#x2f;&#x2f;soporte.vendomia.test&#x2f;portal&#x2f;brand&#x2f;logo?v="
        ),
        "{html}"
    );
    assert!(html.contains("background:#0b6e4f;color:#ffffff"), "{html}");
    assert!(html.contains("Entrar en el portal"));
    assert!(html.contains("soporte@vendomia.com"));
    Ok(())
}

mod unbranded {
    use crate::{TestResult, portal_of};
    use axum::http::StatusCode;

    soporte_store::on_both_databases!(
        portal_of;
        without_a_logo_none_is_shown_or_served,
    );

    async fn without_a_logo_none_is_shown_or_served(portal: &crate::Portal) -> TestResult {
        let front = portal.get(None, "/portal/").await?;
        assert!(!front.body.contains("class=\"logo\""));
        let logo = portal.get(None, "/portal/brand/logo").await?;
        assert_eq!(logo.status, StatusCode::NOT_FOUND);
        let css = portal.get(None, "/portal/assets/brand.css").await?;
        assert!(css.body.contains("--accent: #1a56b0"), "{}", css.body);
        Ok(())
    }
}
