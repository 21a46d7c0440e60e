//! Search.

use crate::*;

soporte_store::on_both_databases!(
    store_of;
    search_finds_tickets_by_any_form_of_their_words,
);

async fn search_finds_tickets_by_any_form_of_their_words(store: &Arc<dyn Store>) -> TestResult {
    use soporte_core::search::query_groups;
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let mut warranty = ticket(
        "No puedo publicar la página de garantía",
        Requester::Existing(luis.id),
    );
    warranty.body_text = "Al pulsar Publicar sale un error.".into();
    let warranty = store.create_ticket(&warranty).await?;
    let mut invoice = ticket("Factura duplicada", Requester::Existing(luis.id));
    invoice.body_text = "Me han cobrado dos veces la facturación de octubre.".into();
    let invoice = store.create_ticket(&invoice).await?;

    let found = |q: &'static str| async move {
        store
            .search_tickets(&query_groups(q), 10)
            .await
            .map(|v| v.into_iter().map(|t| t.id).collect::<Vec<_>>())
    };
    assert_eq!(
        found("pagina garantia").await?,
        [warranty.id],
        "accents aside"
    );
    assert_eq!(found("facturas").await?, [invoice.id], "inflections aside");
    assert_eq!(
        found("PUBLICAR error").await?,
        [warranty.id],
        "subject and text together"
    );
    assert!(found("pedido").await?.is_empty());
    assert!(found("\"; DROP TABLE tickets; --").await?.is_empty());
    assert!(found("").await?.is_empty());

    // A later message is searchable; an automatic one is not.
    store
        .add_message(
            invoice.id,
            &NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(luis.id),
                channel: Channel::Email,
                body_text: "Adjunto el extracto del banco.".into(),
                body_html: None,
                channel_message_id: None,
                attachments: vec![],
                extra: MessageExtra::default(),
            },
        )
        .await?;
    store
        .add_message(
            warranty.id,
            &NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(luis.id),
                channel: Channel::Email,
                body_text: "Estoy de vacaciones hasta el lunes.".into(),
                body_html: None,
                channel_message_id: None,
                attachments: vec![],
                extra: MessageExtra {
                    automatic: Some(soporte_core::email::AutomaticKind::AutoReply),
                    ..MessageExtra::default()
                },
            },
        )
        .await?;
    assert_eq!(found("extracto banco").await?, [invoice.id]);
    assert!(found("vacaciones").await?.is_empty());

    // Merged into the invoice, the warranty request's words find the invoice, and a message
    // added to it afterwards is searchable beside them.
    store
        .merge_tickets(warranty.id, invoice.id, Actor::System)
        .await?;
    assert_eq!(found("garantia").await?, [invoice.id]);
    assert_eq!(found("facturas").await?, [invoice.id]);
    store
        .add_message(
            invoice.id,
            &NewMessage {
                kind: MessageKind::Inbound,
                author: Actor::Contact(luis.id),
                channel: Channel::Email,
                body_text: "Les mando también el recibo de noviembre.".into(),
                body_html: None,
                channel_message_id: None,
                attachments: vec![],
                extra: MessageExtra::default(),
            },
        )
        .await?;
    assert_eq!(found("recibo noviembre").await?, [invoice.id]);
    assert_eq!(found("publicar").await?, [invoice.id]);
    Ok(())
}
