//! The inbox: each view's count and list, search, and chosen tickets changed together.

use crate::{Desk, TestResult, desk_of};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use soporte_core::support::Priority;
use tower::ServiceExt;

soporte_store::on_both_databases!(
    desk_of;
    the_inbox_counts_and_lists_each_view,
    search_finds_tickets_by_number_and_by_words,
    chosen_tickets_change_together,
);

async fn the_inbox_counts_and_lists_each_view(desk: &Desk) -> TestResult {
    let first = desk
        .request("No puedo publicar la página", "Sale un error al publicar.")
        .await?;
    desk.request("Cambio de plan", "Quiero cambiar al plan anual.")
        .await?;
    let ana = desk.principal("ana@vendomia.com").await?;
    let me = desk.app.agent_by_email("ana@vendomia.com").await?;
    desk.app
        .update_ticket(
            &ana,
            first,
            &soporte_app::TicketUpdate {
                assignee_id: Some(Some(me.id)),
                priority: Some(Priority::Urgent),
                ..Default::default()
            },
        )
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;

    let mine = desk.get(&browser, "/inbox?view=mine").await?;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.body
            .contains(&format!("data-ticket-id=\"{}\"", first.0))
    );
    assert!(!mine.body.contains("Cambio de plan"), "only Ana's tickets");
    let count = |body: &str, view: &str| -> Option<i64> {
        let at = body.find(&format!("href=\"/inbox?view={view}\""))?;
        let rest = &body[at..];
        let start = rest.find("<span class=\"count\">")? + 20;
        rest[start..].split('<').next()?.trim().parse().ok()
    };
    assert_eq!(count(&mine.body, "urgent"), Some(1));
    assert_eq!(count(&mine.body, "all"), Some(2));

    let all = desk
        .get(&browser, "/inbox?view=all&sort=created_asc")
        .await?;
    assert!(
        all.body.contains("<td>Luis Pérez</td>"),
        "the requester is shown"
    );
    let a = all.body.find("No puedo publicar").ok_or("first missing")?;
    let b = all.body.find("Cambio de plan").ok_or("second missing")?;
    assert!(a < b, "oldest first");

    // The live inbox refreshes its body alone, told by server-sent events.
    let partial = desk.get(&browser, "/inbox?view=all&partial=true").await?;
    assert!(partial.body.contains("id=\"tickets\"") && !partial.body.contains("<html"));
    assert!(all.body.contains("data-live=\"/inbox/events\""));
    let events = desk
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/inbox/events")
                .header(header::HOST, "desk.test")
                .header(header::COOKIE, &browser.cookie)
                .body(Body::empty())?,
        )
        .await?;
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(
        events
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );

    let unknown = desk.get(&browser, "/inbox?view=everything").await?;
    assert_eq!(
        unknown.status,
        StatusCode::OK,
        "an unknown view falls back to mine"
    );
    Ok(())
}

async fn search_finds_tickets_by_number_and_by_words(desk: &Desk) -> TestResult {
    let warranty = desk
        .request(
            "No puedo publicar la página de garantía",
            "Sale un error al publicar.",
        )
        .await?;
    let invoice = desk
        .request("Factura duplicada", "Me cobraron dos veces.")
        .await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let by_word = desk.get(&browser, "/search?q=pagina+garantia").await?;
    assert_eq!(by_word.status, StatusCode::OK);
    assert!(
        by_word
            .body
            .contains(&format!("data-ticket-id=\"{}\"", warranty.0))
    );
    assert!(
        !by_word
            .body
            .contains(&format!("data-ticket-id=\"{}\"", invoice.0))
    );
    assert!(
        by_word.body.contains("value=\"pagina garantia\""),
        "the query stays in the box"
    );
    let by_number = desk
        .get(&browser, &format!("/search?q=vnd-{:06}", invoice.0))
        .await?;
    assert!(
        by_number
            .body
            .contains(&format!("data-ticket-id=\"{}\"", invoice.0))
    );
    let nothing = desk.get(&browser, "/search?q=zzzz").await?;
    assert!(nothing.body.contains("Ninguna solicitud coincide"));
    Ok(())
}

async fn chosen_tickets_change_together(desk: &Desk) -> TestResult {
    let first = desk.request("Primera", "No carga la tienda.").await?;
    let second = desk.request("Segunda", "No carga el blog.").await?;
    let untouched = desk.request("Tercera", "Otra cosa.").await?;
    let browser = desk.log_in("ana@vendomia.com").await?;
    let inbox = desk.get(&browser, "/inbox?view=all").await?;
    assert!(inbox.body.contains("form=\"bulk\""), "rows can be chosen");
    let bruno = desk.app.agent_by_email("bruno@vendomia.com").await?;
    let body = format!(
        "_csrf={}&back=%2Finbox%3Fview%3Dall&assignee={}&status=pending&ids={}&ids={}",
        browser.csrf, bruno.id.0, first.0, second.0
    );
    let done = desk
        .send(
            "POST",
            "/inbox/bulk",
            Some(&browser.cookie),
            Some(body),
            &[],
        )
        .await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location, "/inbox?view=all");
    let ana = desk.principal("ana@vendomia.com").await?;
    for id in [first, second] {
        let t = desk.app.ticket(&ana, id).await?;
        assert_eq!(t.assignee_id, Some(bruno.id));
        assert_eq!(t.status, soporte_core::ticket::Status::Pending);
    }
    let t = desk.app.ticket(&ana, untouched).await?;
    assert_ne!(t.status, soporte_core::ticket::Status::Pending);

    let forged = format!("_csrf=x&status=closed&ids={}", untouched.0);
    let refused = desk
        .send(
            "POST",
            "/inbox/bulk",
            Some(&browser.cookie),
            Some(forged),
            &[],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    Ok(())
}
