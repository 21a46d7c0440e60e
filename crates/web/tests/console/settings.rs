//! The administrator's settings pages: the rules in force, the texts of outgoing mail and
//! the mailboxes mail is taken from.

use crate::{Desk, TestResult, borrowed, desk_of, hidden_value};
use axum::http::StatusCode;
use soporte_app::{App, AppSettings};
use soporte_core::ids::TicketId;
use soporte_core::ticket::TicketPrefix;
use soporte_store::DiskBlobStore;
use std::sync::Arc;

soporte_store::on_both_databases!(
    desk_of;
    administrators_change_the_rules_and_every_instance_follows,
    mail_texts_are_edited_with_a_preview_and_broken_ones_refused,
    mailboxes_are_managed_without_ever_showing_their_passwords,
);

/// Whether the checklist of the ticket still asks where the problem happens.
async fn location_missing(desk: &Desk, id: TicketId) -> Result<bool, Box<dyn std::error::Error>> {
    let admin = desk.principal("ana@vendomia.com").await?;
    let ticket = desk.app.ticket(&admin, id).await?;
    let checklist = ticket.policy.checklist.ok_or("no checklist")?;
    Ok(checklist
        .missing()
        .any(|item| item == soporte_core::policy::checklist::ChecklistItem::Location))
}

async fn administrators_change_the_rules_and_every_instance_follows(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana, "/admin/policy").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("value=\"Europe/Madrid\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Sitios Web\""),
        "the policy's product areas"
    );
    assert!(page.body.contains("Valores de soporte.toml"));
    let complaint = "al guardar una cita sale un error y se pierde. Les adjunto captura. Pasa desde ayer a las 10:00.";
    let before = desk
        .request(
            "No se guardan las citas",
            &format!("En Reservas: {complaint}"),
        )
        .await?;
    assert!(
        location_missing(desk, before).await?,
        "Reservas is not an area yet"
    );

    // A new product area, named as customers say it: new requests that name it are complete.
    let mut areas: Vec<(String, String)> = Vec::new();
    for i in 0.. {
        let Some(name) = hidden_value(&page.body, &format!("area_name_{i}")) else {
            break;
        };
        let synonyms = hidden_value(&page.body, &format!("area_synonyms_{i}")).unwrap_or_default();
        areas.push((format!("area_name_{i}"), name));
        areas.push((format!("area_synonyms_{i}"), synonyms));
    }
    let n = areas.len() / 2;
    areas.push((format!("area_name_{n}"), "Reservas".into()));
    areas.push((
        format!("area_synonyms_{n}"),
        "citas, agenda de citas".into(),
    ));
    let pairs = borrowed(&areas);
    let saved = desk
        .post(&ana, "/admin/policy/product-areas", &pairs)
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = desk.get(&ana, &saved.location).await?;
    assert!(page.body.contains("Guardado.") && page.body.contains("value=\"Reservas\""));
    assert!(
        page.body.contains("Cambiado desde la consola: Ana Agente"),
        "{}",
        page.body
    );
    let after = desk
        .request(
            "No se guardan las citas",
            &format!("En Reservas: {complaint}"),
        )
        .await?;
    assert!(
        !location_missing(desk, after).await?,
        "Reservas is an area now"
    );

    // SLA targets: a shorter urgent first response is in force at once; a resolution
    // shorter than the first response is refused with what was typed kept.
    let mut sla: Vec<(String, String)> = Vec::new();
    for t in ["administrative", "usage", "technical", "unclassified"] {
        for level in ["normal", "urgent"] {
            for field in ["first_response", "resolution"] {
                let key = format!("{t}.{level}.{field}");
                let value = hidden_value(&page.body, &key).ok_or("no SLA field")?;
                sla.push((key, value));
            }
        }
    }
    let with = |key: &str, value: &str| -> Vec<(String, String)> {
        sla.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == key {
                        value.to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    };
    let faster = with("usage.urgent.first_response", "30m");
    let pairs = borrowed(&faster);
    let saved = desk.post(&ana, "/admin/policy/sla", &pairs).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        desk.app.settings().policy.sla.usage.urgent.first_response,
        jiff::SignedDuration::from_mins(30)
    );
    let backwards = with("technical.normal.resolution", "1h");
    let pairs = borrowed(&backwards);
    let refused = desk.post(&ana, "/admin/policy/sla", &pairs).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("sla.technical.normal.resolution"),
        "{}",
        refused.body
    );
    assert_eq!(
        hidden_value(&refused.body, "technical.normal.resolution").as_deref(),
        Some("1h"),
        "what was typed is kept"
    );
    assert_eq!(
        desk.app.settings().policy.sla.usage.urgent.first_response,
        jiff::SignedDuration::from_mins(30),
        "a refused save changes nothing"
    );

    // The calendar: hours per weekday and holidays.
    let saved = desk
        .post(
            &ana,
            "/admin/policy/calendar",
            &[
                ("time_zone", "Europe/Madrid"),
                ("monday", "08:00-15:00"),
                ("tuesday", "08:00-15:00"),
                ("wednesday", "08:00-15:00"),
                ("thursday", "08:00-15:00"),
                ("friday", "08:00-14:00"),
                ("saturday", ""),
                ("sunday", ""),
                ("holidays", "2026-12-25\r\n2027-01-01"),
            ],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let calendar = desk.app.settings().policy.calendar.clone();
    assert_eq!(calendar.week[4].len(), 1, "Friday is one span now");
    assert_eq!(calendar.holidays.len(), 2);
    let refused = desk
        .post(
            &ana,
            "/admin/policy/calendar",
            &[("time_zone", "Europe/Madrid"), ("monday", "9 a 5")],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("calendar.monday[0]"),
        "{}",
        refused.body
    );

    // Another instance on the same database follows on its next reload.
    let other = App::new(
        desk.app_store(),
        Arc::new(DiskBlobStore::new(desk._blobs.path())?),
        AppSettings::new(
            TicketPrefix::parse("VND")?,
            "Vendomia",
            "soporte@vendomia.com",
        ),
    );
    assert!(
        other.reload_settings().await?,
        "the saved sections are read"
    );
    assert_eq!(
        other.settings().policy.sla.usage.urgent.first_response,
        jiff::SignedDuration::from_mins(30)
    );
    assert!(
        other
            .settings()
            .policy
            .product_areas
            .iter()
            .any(|a| a.name == "Reservas")
    );

    // Going back to the file's values.
    let restored = desk.post(&ana, "/admin/settings/sla/restore", &[]).await?;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(
        desk.app.settings().policy.sla,
        desk.app.file_settings().policy.sla
    );
    assert!(other.reload_settings().await?);
    assert_eq!(
        other.settings().policy.sla,
        desk.app.file_settings().policy.sla
    );

    let bruno = desk.log_in("bruno@vendomia.com").await?;
    assert_eq!(
        desk.get(&bruno, "/admin/policy").await?.status,
        StatusCode::FORBIDDEN
    );
    let forbidden = desk.post(&bruno, "/admin/policy/sla", &pairs).await?;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    Ok(())
}

async fn mail_texts_are_edited_with_a_preview_and_broken_ones_refused(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let page = desk.get(&ana, "/admin/templates").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("[VND-000123] Hemos recibido su solicitud: No se publica la tienda"),
        "the preview fills in example values: {}",
        page.body
    );
    let broken = desk
        .post(&ana, "/admin/templates", &[("reply_footer", "{{ agent ")])
        .await?;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        broken.body.contains("templates.reply_footer"),
        "{}",
        broken.body
    );
    assert!(
        broken.body.contains(">{{ agent </textarea>"),
        "kept as typed: {}",
        broken.body
    );

    let saved = desk
        .post(
            &ana,
            "/admin/templates",
            &[(
                "acknowledgement_subject",
                "[{{ number }}] Recibido: {{ subject }}",
            )],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    desk.request("No puedo publicar", "Al publicar la tienda sale un error.")
        .await?;
    let admin = desk.principal("ana@vendomia.com").await?;
    let outbox = desk.app.list_outbox(&admin, None).await?;
    assert!(
        outbox
            .iter()
            .any(|o| o.email.subject.ends_with("] Recibido: No puedo publicar")),
        "the acknowledgement uses the new text: {:?}",
        outbox.iter().map(|o| &o.email.subject).collect::<Vec<_>>()
    );
    let page = desk.get(&ana, "/admin/templates").await?;
    assert!(page.body.contains("Cambiado desde la consola"));
    Ok(())
}

async fn mailboxes_are_managed_without_ever_showing_their_passwords(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let watcher = desk.app.watch_settings();
    let page = desk.get(&ana, "/admin/mailboxes").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mailbox = |original: &'static str, name: &'static str, password: &'static str| {
        vec![
            ("original", original),
            ("name", name),
            ("host", "imap.vendomia.com"),
            ("port", "993"),
            ("security", "tls"),
            ("username", "ventas@vendomia.com"),
            ("password", password),
            ("folder", "INBOX"),
            ("processed_folder", "Procesados"),
            ("poll_seconds", "60"),
        ]
    };
    let added = desk
        .post(
            &ana,
            "/admin/mailboxes",
            &mailbox("", "ventas", "secreto-imap"),
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(watcher.has_changed()?, "the mailbox workers are told");
    let saved = desk.app.settings().console.mailboxes.clone();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].password, "secreto-imap");
    assert_eq!(saved[0].processed_folder.as_deref(), Some("Procesados"));
    let row = desk
        .store
        .settings()
        .await?
        .into_iter()
        .find(|r| r.name == "mailboxes")
        .map(|r| r.value)
        .unwrap_or_default();
    assert!(
        row.contains("\"password\":\"v1:") && !row.contains("secreto-imap"),
        "the database keeps the password sealed: {row}"
    );
    let page = desk.get(&ana, "/admin/mailboxes").await?;
    assert!(page.body.contains("data-mailbox=\"ventas\""));
    assert!(
        !page.body.contains("secreto-imap"),
        "a password is never shown"
    );

    // Saved again without a password: the password stays.
    let changed = desk
        .post(&ana, "/admin/mailboxes", &mailbox("ventas", "ventas", ""))
        .await?;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        desk.app.settings().console.mailboxes[0].password,
        "secreto-imap"
    );

    let second = desk
        .post(&ana, "/admin/mailboxes", &mailbox("", "ventas", "otro"))
        .await?;
    assert_eq!(
        second.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "names are unique"
    );
    assert!(second.body.contains("mailboxes[1].name"), "{}", second.body);
    let no_password = desk
        .post(&ana, "/admin/mailboxes", &mailbox("", "compras", ""))
        .await?;
    assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_password.body.contains("mailboxes[1].password"),
        "{}",
        no_password.body
    );
    assert!(
        no_password.body.contains("value=\"compras\""),
        "kept as typed"
    );
    let mut bad_port = mailbox("", "compras", "x");
    bad_port[3] = ("port", "imap");
    let refused = desk.post(&ana, "/admin/mailboxes", &bad_port).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let deleted = desk
        .post(&ana, "/admin/mailboxes/delete", &[("original", "ventas")])
        .await?;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(desk.app.settings().console.mailboxes.is_empty());
    Ok(())
}
