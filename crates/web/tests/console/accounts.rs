//! Accounts and their people: their agents, their details, contacts and addresses.

use crate::{Desk, TestResult, desk_of};
use axum::http::StatusCode;

soporte_store::on_both_databases!(
    desk_of;
    administrators_give_accounts_their_agents,
    accounts_and_their_people_are_kept_up_to_date,
    a_contact_is_marked_as_the_accounts_manager,
);

async fn administrators_give_accounts_their_agents(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let bruno_id = bruno.id.0.to_string();
    let created = desk
        .post(
            &ana,
            "/admin/accounts",
            &[
                ("name", "Tienda Luis"),
                ("plan", "Pro"),
                ("domains", "tienda.es, tienda.com"),
                ("personal_agent", &bruno_id),
                ("backup_agent", ""),
            ],
        )
        .await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let accounts = desk
        .app
        .list_accounts(&soporte_app::PageRequest::default())
        .await?;
    let account = accounts.first().ok_or("no account")?;
    assert_eq!(account.personal_agent_id, Some(bruno.id));
    let mut domains = account.email_domains.clone();
    domains.sort();
    assert_eq!(domains, ["tienda.com", "tienda.es"]);
    let page = desk.get(&ana, "/admin/accounts").await?;
    assert!(page.body.contains("Tienda Luis") && page.body.contains("tienda.es"));

    // The personal agent becomes the backup, and nobody the personal one.
    let moved = desk
        .post(
            &ana,
            &format!("/admin/accounts/{}", account.id.0),
            &[("personal_agent", ""), ("backup_agent", &bruno_id)],
        )
        .await?;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    let account = desk.app.account(&admin, account.id).await?;
    assert_eq!(account.personal_agent_id, None);
    assert_eq!(account.backup_agent_id, Some(bruno.id));

    let agent = desk.log_in("bruno@vendomia.com").await?;
    assert_eq!(
        desk.get(&agent, "/admin/accounts").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

async fn accounts_and_their_people_are_kept_up_to_date(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let created = desk
        .post(
            &ana,
            "/admin/accounts",
            &[("name", "Tienda Luis"), ("domains", "tienda.es")],
        )
        .await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let accounts = desk
        .app
        .list_accounts(&soporte_app::PageRequest::default())
        .await?;
    let account = accounts.first().ok_or("no account")?.id;
    let path = format!("/admin/accounts/{}", account.0);

    let bruno_id = bruno.id.0.to_string();
    let details = desk
        .post(
            &ana,
            &format!("{path}/details"),
            &[
                ("name", "Tienda Luis SL"),
                ("tax_id", "B12345674"),
                ("plan", "Premium"),
                ("domains", "tienda.es, tienda.com"),
                ("personal_agent", &bruno_id),
                ("backup_agent", ""),
            ],
        )
        .await?;
    assert_eq!(details.status, StatusCode::SEE_OTHER, "{}", details.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    let saved = desk.app.account(&admin, account).await?;
    assert_eq!(saved.name, "Tienda Luis SL");
    assert_eq!(saved.plan.as_deref(), Some("Premium"));
    assert_eq!(saved.personal_agent_id, Some(bruno.id));

    let account_text = account.0.to_string();
    let added = desk
        .post(
            &ana,
            "/admin/contacts",
            &[
                ("name", "Marta Gil"),
                ("emails", "marta@tienda.es, compras@tienda.es"),
                ("phones", "+34 611 222 333"),
                ("account", &account_text),
                ("back", &format!("{path}#contacts")),
            ],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let marta = desk.app.contact_by_email("compras@tienda.es").await?;
    assert_eq!(marta.account_id, Some(account));
    let page = desk.get(&ana, &path).await?;
    assert!(
        page.body.contains("marta@tienda.es, compras@tienda.es"),
        "{}",
        page.body
    );

    let nobody = desk
        .post(
            &ana,
            "/admin/contacts",
            &[("name", "Sin datos"), ("account", &account_text)],
        )
        .await?;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains("value=\"Sin datos\""), "kept as typed");

    // Someone who wrote from a free-mail address is put into the account.
    desk.app
        .create_contact(&soporte_app::ContactInput {
            name: "Luis Pérez".into(),
            emails: vec!["luis.perez@gmail.com".into()],
            ..soporte_app::ContactInput::default()
        })
        .await?;
    let found = desk
        .get(&ana, "/admin/contacts?email=luis.perez@gmail.com")
        .await?;
    assert!(found.body.contains("Luis Pérez"), "{}", found.body);
    let luis = desk.app.contact_by_email("luis.perez@gmail.com").await?;
    let moved = desk
        .post(
            &ana,
            &format!("/admin/contacts/{}", luis.id.0),
            &[
                ("name", "Luis Pérez"),
                ("emails", "luis.perez@gmail.com"),
                ("phones", ""),
                ("account", &format!("#{account_text}")),
                ("back", "/admin/contacts"),
            ],
        )
        .await?;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        desk.app
            .contact_by_email("luis.perez@gmail.com")
            .await?
            .account_id,
        Some(account)
    );
    let nowhere = desk
        .post(
            &ana,
            &format!("/admin/contacts/{}", luis.id.0),
            &[
                ("name", "Luis Pérez"),
                ("emails", "luis.perez@gmail.com"),
                ("account", "999999"),
            ],
        )
        .await?;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let away = desk
        .post(
            &ana,
            &format!("/admin/contacts/{}", luis.id.0),
            &[
                ("name", "Luis"),
                ("emails", "luis.perez@gmail.com"),
                ("back", "https://evil.example/"),
            ],
        )
        .await?;
    assert_eq!(away.location, "/admin/contacts", "never sent off-site");

    let agent = desk.log_in("bruno@vendomia.com").await?;
    assert_eq!(desk.get(&agent, &path).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(
        desk.get(&agent, "/admin/contacts").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

/// The table row of one contact in a page of people.
fn contact_row(body: &str, contact: i64) -> Result<&str, Box<dyn std::error::Error>> {
    let start = body
        .find(&format!("data-contact-id=\"{contact}\""))
        .ok_or("the contact is not listed")?;
    let row = &body[start..];
    Ok(&row[..row.find("</tr>").ok_or("an unclosed row")?])
}

async fn a_contact_is_marked_as_the_accounts_manager(desk: &Desk) -> TestResult {
    let ana = desk.log_in("ana@vendomia.com").await?;
    let account = desk
        .app
        .create_account(&soporte_app::AccountInput {
            name: "Tienda Luis".into(),
            email_domains: vec!["tienda.es".into()],
            ..soporte_app::AccountInput::default()
        })
        .await?
        .id;
    let marta = desk
        .app
        .create_contact(&soporte_app::ContactInput {
            account_id: Some(account),
            name: "Marta Gil".into(),
            emails: vec!["marta@tienda.es".into()],
            ..soporte_app::ContactInput::default()
        })
        .await?
        .id;
    let path = format!("/admin/accounts/{}", account.0);
    let badge = "<span class=\"badge manager\">Responsable</span>";
    let page = desk.get(&ana, &path).await?;
    let row = contact_row(&page.body, marta.0)?;
    assert!(
        row.contains("Responsable de la cuenta (ve todas las solicitudes de la cuenta)"),
        "{row}"
    );
    assert!(!row.contains("checked") && !row.contains(badge), "{row}");

    let account_text = account.0.to_string();
    let save = |manager: Option<&'static str>, account: String| {
        let mut fields = vec![
            ("name".to_string(), "Marta Gil".to_string()),
            ("emails".to_string(), "marta@tienda.es".to_string()),
            ("phones".to_string(), String::new()),
            ("account".to_string(), account),
            ("back".to_string(), format!("{path}#contacts")),
        ];
        if let Some(value) = manager {
            fields.push(("account_manager".to_string(), value.to_string()));
        }
        fields
    };
    let contact_path = format!("/admin/contacts/{}", marta.0);
    let ticked = save(Some("1"), account_text.clone());
    let saved = desk
        .post(&ana, &contact_path, &crate::borrowed(&ticked))
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let admin = desk.principal("ana@vendomia.com").await?;
    assert!(desk.app.contact(&admin, marta).await?.account_manager);
    let page = desk.get(&ana, &path).await?;
    let row = contact_row(&page.body, marta.0)?;
    assert!(row.contains(badge) && row.contains(" checked"), "{row}");
    let directory = desk.get(&ana, "/admin/contacts").await?;
    assert!(
        contact_row(&directory.body, marta.0)?.contains(badge),
        "the directory of people shows it too"
    );
    let switch = desk.get(&ana, "/language?to=en&back=/inbox").await?;
    let lang = switch
        .set_cookie
        .first()
        .and_then(|c| c.split(';').next())
        .ok_or("no language cookie")?;
    let english = desk
        .send(
            "GET",
            &path,
            Some(&format!("{}; {lang}", ana.cookie)),
            None,
            &[],
        )
        .await?;
    let row = contact_row(&english.body, marta.0)?;
    assert!(
        row.contains("<span class=\"badge manager\">Manager</span>")
            && row.contains("Account manager (sees all of the account&#39;s requests)"),
        "{row}"
    );

    let unticked = save(None, account_text.clone());
    let saved = desk
        .post(&ana, &contact_path, &crate::borrowed(&unticked))
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(!desk.app.contact(&admin, marta).await?.account_manager);
    let page = desk.get(&ana, &path).await?;
    let row = contact_row(&page.body, marta.0)?;
    assert!(!row.contains(badge) && !row.contains(" checked"), "{row}");

    // Out of the account, the box ticked or not, Marta manages nothing.
    desk.post(&ana, &contact_path, &crate::borrowed(&ticked))
        .await?;
    let out = save(Some("1"), String::new());
    let saved = desk
        .post(&ana, &contact_path, &crate::borrowed(&out))
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let marta_now = desk.app.contact(&admin, marta).await?;
    assert_eq!(marta_now.account_id, None);
    assert!(!marta_now.account_manager);

    // A new person can be added as the manager straight away; without an account, not.
    let added = desk
        .post(
            &ana,
            "/admin/contacts",
            &[
                ("name", "Luis Pérez"),
                ("emails", "luis@tienda.es"),
                ("account", &account_text),
                ("account_manager", "1"),
                ("back", &format!("{path}#contacts")),
            ],
        )
        .await?;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(
        desk.app
            .contact_by_email("luis@tienda.es")
            .await?
            .account_manager
    );
    let refused = desk
        .post(
            &ana,
            "/admin/contacts",
            &[
                ("name", "Pepe"),
                ("emails", "pepe@gmail.com"),
                ("account_manager", "1"),
                ("back", "/admin/contacts"),
            ],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("account_manager"), "{}", refused.body);
    assert!(refused.body.contains("value=\"Pepe\""), "kept as typed");
    Ok(())
}
