//! Agents, accounts and contacts, and the tickets an account's personal agent gets.

use crate::{Api, TestResult, api_of, assert_problem, id};
use axum::http::StatusCode;
use serde_json::{Value, json};
use soporte_app::TokenOwner;
use soporte_core::auth::TokenScope;

soporte_store::on_both_databases!(
    api_of;
    directory_is_created_read_and_changed,
    tickets_go_to_the_personal_agent,
);

async fn directory_is_created_read_and_changed(api: &Api) -> TestResult {
    let agent = api
        .post("/api/v1/agents", json!({"email": "Ana@Vendomia.com", "name": "Ana", "phone": "600 111 222", "role": "agent", "types": ["usage"]}))
        .await?;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.json);
    assert_eq!(agent.json["email"], "ana@vendomia.com");
    assert_eq!(agent.json["phone"], "+34600111222");
    let ana = id(&agent);

    let account = api
        .post("/api/v1/accounts", json!({"name": "Tienda Ejemplo SL", "tax_id": "B12345674", "plan": "Pro", "email_domains": ["tienda.es"], "personal_agent_id": ana}))
        .await?;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.json);
    let shop = id(&account);
    let contact = api
        .post("/api/v1/contacts", json!({"account_id": shop, "name": "Luis", "emails": ["luis@tienda.es"], "phones": ["+34 911 234 567"]}))
        .await?;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.json);

    let got = api.get(&format!("/api/v1/accounts/{shop}")).await?;
    assert_eq!(got.json["personal_agent_id"], ana);
    let changed = api
        .patch(
            &format!("/api/v1/accounts/{shop}"),
            json!({"plan": null, "email_domains": ["tienda.es", "tienda.com"]}),
        )
        .await?;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);
    assert_eq!(changed.json["plan"], Value::Null);
    assert_eq!(
        changed.json["tax_id"], "B12345674",
        "absent fields stay as they were"
    );
    let away = api
        .patch(&format!("/api/v1/agents/{ana}"), json!({"absences": [{"starts_at": "2026-12-24T00:00:00Z", "ends_at": "2027-01-07T00:00:00Z"}]}))
        .await?;
    assert_eq!(away.json["absences"][0]["ends_at"], "2027-01-07T00:00:00Z");

    assert_eq!(
        api.get("/api/v1/accounts")
            .await?
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.get(&format!("/api/v1/contacts?account_id={shop}"))
            .await?
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.get("/api/v1/agents")
            .await?
            .json
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let duplicate = api
        .post(
            "/api/v1/accounts",
            json!({"name": "Otra", "email_domains": ["tienda.es"]}),
        )
        .await?;
    assert_problem(&duplicate, StatusCode::CONFLICT, "conflict");
    assert_eq!(duplicate.json["field"], "email_domains");
    let bad_tax = api
        .post(
            "/api/v1/accounts",
            json!({"name": "Otra", "tax_id": "B12345670"}),
        )
        .await?;
    assert_problem(
        &bad_tax,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(bad_tax.json["field"], "tax_id");

    // An agent token reads the directory but cannot change it.
    let agent_token = api
        .app
        .issue_token(
            TokenOwner::Agent(soporte_core::ids::AgentId(ana)),
            TokenScope::Agent,
            "",
        )
        .await?
        .plaintext;
    let refused = api
        .call(
            "POST",
            "/api/v1/accounts",
            Some(&agent_token),
            Some(json!({"name": "X"})),
        )
        .await?;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.call("GET", "/api/v1/accounts", Some(&agent_token), None)
            .await?
            .status,
        StatusCode::OK
    );
    // The last admin cannot demote themselves.
    let me = api.get("/api/v1/agents").await?.json[0]["id"]
        .as_i64()
        .unwrap_or_default();
    assert_problem(
        &api.patch(&format!("/api/v1/agents/{me}"), json!({"role": "agent"}))
            .await?,
        StatusCode::CONFLICT,
        "conflict",
    );
    Ok(())
}

async fn tickets_go_to_the_personal_agent(api: &Api) -> TestResult {
    let ana = id(&api
        .post(
            "/api/v1/agents",
            json!({"email": "ana@vendomia.com", "name": "Ana"}),
        )
        .await?);
    let bea = id(&api
        .post(
            "/api/v1/agents",
            json!({"email": "bea@vendomia.com", "name": "Bea"}),
        )
        .await?);
    let shop = id(&api.post("/api/v1/accounts", json!({"name": "Tienda", "email_domains": ["tienda.es"], "personal_agent_id": ana, "backup_agent_id": bea})).await?);
    let t = api.post("/api/v1/tickets", json!({"subject": "Factura", "body": "Necesito la factura rectificativa", "requester_email": "nueva@tienda.es"})).await?;
    assert_eq!(t.json["account_id"], shop, "matched by the e-mail domain");
    assert_eq!(t.json["assignee_id"], ana);
    let events = api
        .get(&format!("/api/v1/tickets/{}/events", id(&t)))
        .await?;
    assert_eq!(events.json[1]["change"]["reason"], "personal agent");

    api.patch(&format!("/api/v1/agents/{ana}"), json!({"absences": [{"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2100-01-01T00:00:00Z"}]})).await?;
    let during_absence = api
        .post(
            "/api/v1/tickets",
            json!({"subject": "Otra", "body": "x", "requester_email": "nueva@tienda.es"}),
        )
        .await?;
    assert_eq!(during_absence.json["assignee_id"], bea);
    let reassigned = api
        .patch(
            &format!("/api/v1/tickets/{}", id(&during_absence)),
            json!({"assignee_id": null}),
        )
        .await?;
    assert_eq!(reassigned.json["assignee_id"], Value::Null);
    assert_problem(
        &api.patch(
            &format!("/api/v1/tickets/{}", id(&t)),
            json!({"assignee_id": 4242}),
        )
        .await?,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    Ok(())
}
