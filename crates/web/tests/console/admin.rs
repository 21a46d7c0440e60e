//! The administrator's pages about agents: roles and enabling, absences, new agents who
//! choose their own password, and the mail that needs a person.

use crate::{Desk, TestResult, desk_of, form, link_token};
use axum::http::StatusCode;

soporte_store::on_both_databases!(
    desk_of;
    administrators_manage_agents_and_see_mail_problems,
    absences_are_recorded_in_madrid_time,
    administrators_add_agents_who_then_choose_their_password,
);

async fn administrators_manage_agents_and_see_mail_problems(desk: &Desk) -> TestResult {
    let bruno_browser = desk.log_in("bruno@vendomia.com").await?;
    let refused = desk.get(&bruno_browser, "/admin/agents").await?;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "agents are not admins"
    );

    let ana_browser = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana_browser, "/admin/agents").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("bruno@vendomia.com"));
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let ana = desk.app.agent_by_email("ana@vendomia.com").await?;

    // Unticking "enabled" disables Bruno, and his open session ends with it.
    let saved = desk
        .post(
            &ana_browser,
            &format!("/admin/agents/{}", bruno.id.0),
            &[("role", "agent")],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(!desk.app.agent(bruno.id).await?.active);
    assert_eq!(
        desk.get(&bruno_browser, "/inbox").await?.status,
        StatusCode::SEE_OTHER
    );

    let myself = desk
        .post(
            &ana_browser,
            &format!("/admin/agents/{}", ana.id.0),
            &[("role", "agent")],
        )
        .await?;
    assert_eq!(
        myself.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no self-lockout"
    );
    assert!(desk.app.agent(ana.id).await?.is_admin());

    desk.app
        .intake_email(b"", &soporte_app::email::IntakeSource::Api)
        .await?;
    let mail = desk.get(&ana_browser, "/admin/mail").await?;
    assert_eq!(mail.status, StatusCode::OK);
    assert!(mail.body.contains("id=\"quarantine\""), "{}", mail.body);
    Ok(())
}

async fn absences_are_recorded_in_madrid_time(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let added = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/absences", bruno.id.0),
            &[("from", "2099-08-03T09:00"), ("until", "2099-08-17T18:00")],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let absences = desk.app.agent(bruno.id).await?.absences;
    assert_eq!(absences.len(), 1);
    assert_eq!(
        absences[0].starts_at.to_string(),
        "2099-08-03T07:00:00Z",
        "summer time"
    );
    let page = desk.get(&ana, "/admin/agents").await?;
    assert!(page.body.contains("03/08/2099 09:00"), "{}", page.body);
    let backwards = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/absences", bruno.id.0),
            &[("from", "2099-09-10T09:00"), ("until", "2099-09-01T09:00")],
        )
        .await?;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let removed = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/absences/0/remove", bruno.id.0),
            &[],
        )
        .await?;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(desk.app.agent(bruno.id).await?.absences.is_empty());
    Ok(())
}

async fn administrators_add_agents_who_then_choose_their_password(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let new_agent = [
        ("name", "Carla Ruiz"),
        ("email", "carla@vendomia.com"),
        ("phone", "+34 600 333 444"),
        ("whatsapp", ""),
        ("role", "agent"),
        ("type_usage", "1"),
        ("type_technical", "1"),
    ];
    let added = desk.post(&ana, "/admin/agents", &new_agent).await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = desk.get(&ana, &added.location).await?;
    assert!(page.body.contains("carla@vendomia.com."), "{}", page.body);
    let carla = desk.app.agent_by_email("carla@vendomia.com").await?;
    assert_eq!(carla.phone.as_deref(), Some("+34600333444"));
    assert_eq!(
        carla.types,
        [
            soporte_core::support::SupportType::Usage,
            soporte_core::support::SupportType::Technical
        ]
    );

    let again = desk.post(&ana, "/admin/agents", &new_agent).await?;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one agent per address"
    );
    assert!(again.body.contains("email"), "{}", again.body);
    let no_types = desk
        .post(
            &ana,
            "/admin/agents",
            &[
                ("name", "Dani"),
                ("email", "dani@vendomia.com"),
                ("role", "agent"),
            ],
        )
        .await?;
    assert_eq!(no_types.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The invitation carries a link that sets the password, once.
    let admin = desk.principal("ana@vendomia.com").await?;
    let invitation = desk
        .app
        .list_outbox(&admin, Some("pending"))
        .await?
        .into_iter()
        .find(|o| o.kind == "password_invitation")
        .ok_or("no invitation queued")?;
    assert_eq!(invitation.recipient, "carla@vendomia.com");
    assert!(
        invitation.email.text.contains("72 horas"),
        "{}",
        invitation.email.text
    );
    let token = link_token(&invitation.email.text)?;
    let chosen = desk
        .send(
            "POST",
            "/password/reset",
            None,
            Some(form(&[
                ("token", &token),
                ("password", "contraseña larga 1"),
                ("again", "contraseña larga 1"),
            ])),
            &[],
        )
        .await?;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    let carla_session = desk.log_in("carla@vendomia.com").await?;
    assert_eq!(
        desk.get(&carla_session, "/inbox").await?.status,
        StatusCode::OK
    );

    // Her phone changes: the acknowledgement's urgent phone follows.
    let details = desk
        .post(
            &ana,
            &format!("/admin/agents/{}/details", carla.id.0),
            &[
                ("name", "Carla Ruiz Gil"),
                ("phone", "+34 600 555 666"),
                ("whatsapp", "+34 600 555 666"),
                ("type_usage", "1"),
            ],
        )
        .await?;
    assert_eq!(details.status, StatusCode::SEE_OTHER, "{}", details.body);
    let carla = desk.app.agent(carla.id).await?;
    assert_eq!(carla.name, "Carla Ruiz Gil");
    assert_eq!(carla.phone.as_deref(), Some("+34600555666"));
    assert_eq!(carla.types, [soporte_core::support::SupportType::Usage]);

    let resend = desk
        .post(&ana, &format!("/admin/agents/{}/invite", carla.id.0), &[])
        .await?;
    assert_eq!(resend.status, StatusCode::SEE_OTHER);
    let bruno = desk.log_in("bruno@vendomia.com").await?;
    let forbidden = desk.post(&bruno, "/admin/agents", &new_agent).await?;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    Ok(())
}
