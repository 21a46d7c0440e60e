//! Agents, accounts and contacts.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    agents_are_unique_by_email_and_editable,
    accounts_own_their_domains,
    account_import_is_all_or_nothing,
    contacts_are_found_by_any_of_their_emails,
    an_account_manager_belongs_to_the_account,
);

async fn agents_are_unique_by_email_and_editable(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Admin))
        .await?;
    assert_eq!(store.agent(ana.id).await?, Some(ana.clone()));
    assert_eq!(
        store
            .agent_by_email("ana@vendomia.com")
            .await?
            .map(|a| a.id),
        Some(ana.id)
    );
    match store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await
    {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "email"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let away = Absence {
        starts_at: "2026-08-01T00:00:00Z".parse()?,
        ends_at: "2026-08-15T00:00:00Z".parse()?,
    };
    let patch = AgentPatch {
        role: Some(Role::Agent),
        absences: Some(vec![away.clone()]),
        whatsapp: Some(Some("+34600999888".into())),
        password_hash: Some("$argon2id$fake".into()),
        ..AgentPatch::default()
    };
    let updated = store.update_agent(ana.id, &patch).await?;
    assert_eq!(updated.role, Role::Agent);
    assert_eq!(store.agent(ana.id).await?, Some(updated));
    assert_eq!(
        store.agent_password_hash(ana.id).await?.as_deref(),
        Some("$argon2id$fake")
    );
    assert_eq!(store.count_agents().await?, 1);
    assert!(matches!(
        store
            .update_agent(AgentId(999), &AgentPatch::default())
            .await,
        Err(StoreError::NotFound {
            entity: "agent",
            id: 999
        })
    ));
    Ok(())
}

async fn accounts_own_their_domains(store: &Arc<dyn Store>) -> TestResult {
    let ana = store
        .create_agent(&agent("ana@vendomia.com", Role::Agent))
        .await?;
    let mut new = account("Tienda Ejemplo SL", &["tienda-ejemplo.es"]);
    new.personal_agent_id = Some(ana.id);
    new.tax_id = Some("B12345674".into());
    let shop = store.create_account(&new).await?;
    assert_eq!(store.account(shop.id).await?, Some(shop.clone()));
    assert_eq!(
        store
            .account_by_domain("tienda-ejemplo.es")
            .await?
            .map(|a| a.id),
        Some(shop.id)
    );

    let clash = store
        .create_account(&account("Otra", &["tienda-ejemplo.es"]))
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict { ref field, .. }) if field == "email_domains"),
        "{clash:?}"
    );
    let mut same_tax = account("Otra", &[]);
    same_tax.tax_id = Some("B12345674".into());
    assert!(
        matches!(store.create_account(&same_tax).await, Err(StoreError::Conflict { ref field, .. }) if field == "tax_id")
    );
    let mut ghost_agent = account("Otra", &[]);
    ghost_agent.personal_agent_id = Some(AgentId(424242));
    assert!(matches!(
        store.create_account(&ghost_agent).await,
        Err(StoreError::Invalid(_))
    ));

    let moved = store
        .update_account(
            shop.id,
            &AccountPatch {
                email_domains: Some(vec!["ejemplo.com".into()]),
                ..AccountPatch::default()
            },
        )
        .await?;
    assert_eq!(moved.email_domains, ["ejemplo.com"]);
    assert_eq!(store.account_by_domain("tienda-ejemplo.es").await?, None);
    assert_eq!(
        store.account_by_domain("ejemplo.com").await?.map(|a| a.id),
        Some(shop.id)
    );
    // The freed domain can now go to someone else.
    store
        .create_account(&account("Otra", &["tienda-ejemplo.es"]))
        .await?;
    assert_eq!(store.list_accounts(&PageRequest::default()).await?.len(), 2);
    Ok(())
}

async fn account_import_is_all_or_nothing(store: &Arc<dyn Store>) -> TestResult {
    store
        .create_account(&account("Existente", &["existente.es"]))
        .await?;
    let rows = [
        account("Uno", &["uno.es"]),
        account("Dos", &["existente.es"]),
    ];
    match store.create_accounts(&rows).await {
        Err(StoreError::Conflict { field, .. }) => assert_eq!(field, "[1].email_domains"),
        other => panic!("expected conflict on row 1, got {other:?}"),
    }
    assert_eq!(
        store.account_by_domain("uno.es").await?,
        None,
        "row 0 must not be half-imported"
    );
    let ids = store
        .create_accounts(&[account("Uno", &["uno.es"]), account("Dos", &["dos.es"])])
        .await?;
    assert_eq!(ids.len(), 2);
    assert_eq!(store.list_accounts(&PageRequest::default()).await?.len(), 3);
    Ok(())
}

async fn contacts_are_found_by_any_of_their_emails(store: &Arc<dyn Store>) -> TestResult {
    let shop = store
        .create_account(&account("Tienda", &["tienda.es"]))
        .await?;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", Some(shop.id)))
        .await?;
    assert_eq!(store.contact(luis.id).await?, Some(luis.clone()));
    assert!(matches!(
        store.create_contact(&new_contact("luis@tienda.es", None)).await,
        Err(StoreError::Conflict { ref field, .. }) if field == "emails"
    ));
    let patch = ContactPatch {
        emails: Some(vec!["luis@tienda.es".into(), "luis.perez@gmail.com".into()]),
        ..ContactPatch::default()
    };
    store.update_contact(luis.id, &patch).await?;
    assert_eq!(
        store
            .contact_by_email("luis.perez@gmail.com")
            .await?
            .map(|c| c.id),
        Some(luis.id)
    );
    store
        .create_contact(&new_contact("marta@otra.es", None))
        .await?;
    let of_shop = store
        .list_contacts(Some(shop.id), &PageRequest::default())
        .await?;
    assert_eq!(of_shop.iter().map(|c| c.id).collect::<Vec<_>>(), [luis.id]);
    assert_eq!(
        store
            .list_contacts(None, &PageRequest::default())
            .await?
            .len(),
        2
    );
    let bad_account = ContactPatch {
        account_id: Some(Some(AccountId(777))),
        ..ContactPatch::default()
    };
    assert!(matches!(
        store.update_contact(luis.id, &bad_account).await,
        Err(StoreError::Invalid(_))
    ));
    Ok(())
}

async fn an_account_manager_belongs_to_the_account(store: &Arc<dyn Store>) -> TestResult {
    let shop = store
        .create_account(&account("Tienda", &["tienda.es"]))
        .await?;
    let other = store.create_account(&account("Otra", &["otra.es"])).await?;
    let mut new = new_contact("marta@tienda.es", Some(shop.id));
    new.account_manager = true;
    let marta = store.create_contact(&new).await?;
    assert!(marta.account_manager);
    assert_eq!(store.contact(marta.id).await?, Some(marta.clone()));
    assert_eq!(
        store.contact_by_email("marta@tienda.es").await?,
        Some(marta.clone()),
        "the lookups read the flag too"
    );
    let listed = store
        .list_contacts(Some(shop.id), &PageRequest::default())
        .await?;
    assert_eq!(listed, std::slice::from_ref(&marta));

    let mut loner = new_contact("pepe@gmail.com", None);
    loner.account_manager = true;
    assert!(
        matches!(store.create_contact(&loner).await, Err(StoreError::Invalid(ref v)) if v.field == "account_manager"),
        "nobody manages an account they are not in"
    );
    assert_eq!(store.contact_by_email("pepe@gmail.com").await?, None);

    let set = |manager: bool| ContactPatch {
        account_manager: Some(manager),
        ..ContactPatch::default()
    };
    assert!(
        !store
            .update_contact(marta.id, &set(false))
            .await?
            .account_manager
    );
    assert!(
        store
            .update_contact(marta.id, &set(true))
            .await?
            .account_manager
    );

    // Keeping the account (named again in the patch) keeps the flag.
    let same = ContactPatch {
        account_id: Some(Some(shop.id)),
        ..ContactPatch::default()
    };
    assert!(store.update_contact(marta.id, &same).await?.account_manager);

    // Moving to another account ends managing the old one, unless the patch says so.
    let moved = ContactPatch {
        account_id: Some(Some(other.id)),
        ..ContactPatch::default()
    };
    let marta_moved = store.update_contact(marta.id, &moved).await?;
    assert_eq!(marta_moved.account_id, Some(other.id));
    assert!(!marta_moved.account_manager);
    let back_as_manager = ContactPatch {
        account_id: Some(Some(shop.id)),
        account_manager: Some(true),
        ..ContactPatch::default()
    };
    assert!(
        store
            .update_contact(marta.id, &back_as_manager)
            .await?
            .account_manager
    );

    // Leaving the account clears the flag in the same update.
    let removed = ContactPatch {
        account_id: Some(None),
        ..ContactPatch::default()
    };
    let marta_alone = store.update_contact(marta.id, &removed).await?;
    assert_eq!(marta_alone.account_id, None);
    assert!(!marta_alone.account_manager);
    assert_eq!(store.contact(marta.id).await?, Some(marta_alone.clone()));

    let refused = store.update_contact(marta.id, &set(true)).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(ref v)) if v.field == "account_manager"),
        "{refused:?}"
    );
    let both = ContactPatch {
        account_id: Some(None),
        account_manager: Some(true),
        ..ContactPatch::default()
    };
    assert!(matches!(
        store.update_contact(marta.id, &both).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store.contact(marta.id).await?,
        Some(marta_alone),
        "a refused change writes nothing"
    );
    Ok(())
}
