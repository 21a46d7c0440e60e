//! Who among a customer's people sees which request: each contact their own, the account's
//! manager all of the account's, nobody another account's; and who may name the manager.

use crate::{Api, Reply, TestResult, api_of, assert_problem, id};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use soporte_app::TokenOwner;
use soporte_core::auth::TokenScope;
use soporte_core::ids::AgentId;

soporte_store::on_both_databases!(
    api_of;
    each_contact_sees_their_own_requests_and_the_manager_the_accounts,
    only_the_team_names_an_accounts_manager,
);

/// A contact's token and the contact it speaks for.
struct Customer {
    contact: i64,
    token: String,
}

impl Customer {
    async fn new(api: &Api, fields: Value) -> Result<Self, Box<dyn std::error::Error>> {
        let created = api.post("/api/v1/contacts", fields).await?;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
        let contact = id(&created);
        let token = api
            .post(
                &format!("/api/v1/contacts/{contact}/tokens"),
                json!({"label": "portal"}),
            )
            .await?
            .json["token"]
            .as_str()
            .ok_or("no token")?
            .to_string();
        Ok(Self { contact, token })
    }

    async fn call(
        &self,
        api: &Api,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        api.call(method, path, Some(&self.token), body).await
    }

    async fn get(&self, api: &Api, path: &str) -> Result<Reply, Box<dyn std::error::Error>> {
        self.call(api, "GET", path, None).await
    }

    /// The ids of the tickets this customer's list shows, sorted.
    async fn listed(&self, api: &Api, query: &str) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
        let reply = self.get(api, &format!("/api/v1/tickets{query}")).await?;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        let mut ids: Vec<i64> = reply.json["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["id"].as_i64())
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    async fn opens(&self, api: &Api, subject: &str) -> Result<i64, Box<dyn std::error::Error>> {
        let reply = self
            .call(
                api,
                "POST",
                "/api/v1/tickets",
                Some(json!({"subject": subject, "body": "Hola"})),
            )
            .await?;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
        Ok(id(&reply))
    }
}

/// A ticket an agent opens for `requester_email` with a file; its id and the file's.
async fn ticket_with_file(
    api: &Api,
    requester_email: &str,
) -> Result<(i64, i64), Box<dyn std::error::Error>> {
    let boundary = "soporteboundary";
    let mut body = Vec::new();
    for (name, value) in [
        ("subject", "Factura con error"),
        ("body", "Adjunto la factura"),
        ("requester_email", requester_email),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"factura.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 nómina\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/tickets")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.admin))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))?;
    let created = api.send(request).await?;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let ticket = id(&created);
    let detail = api.get(&format!("/api/v1/tickets/{ticket}")).await?;
    let file = detail.json["messages"][0]["attachments"][0]["id"]
        .as_i64()
        .ok_or("no attachment")?;
    Ok((ticket, file))
}

async fn each_contact_sees_their_own_requests_and_the_manager_the_accounts(
    api: &Api,
) -> TestResult {
    let a = id(&api
        .post(
            "/api/v1/accounts",
            json!({"name": "Tienda A", "email_domains": ["a.es"]}),
        )
        .await?);
    let b = id(&api
        .post(
            "/api/v1/accounts",
            json!({"name": "Tienda B", "email_domains": ["b.es"]}),
        )
        .await?);
    let a1 = Customer::new(
        api,
        json!({"account_id": a, "name": "Ana", "emails": ["a1@a.es"]}),
    )
    .await?;
    let a2 = Customer::new(
        api,
        json!({"account_id": a, "name": "Alba", "emails": ["a2@a.es"], "account_manager": false}),
    )
    .await?;
    let m = Customer::new(
        api,
        json!({"account_id": a, "name": "Mar", "emails": ["m@a.es"], "account_manager": true}),
    )
    .await?;
    let b1 = Customer::new(
        api,
        json!({"account_id": b, "name": "Berta", "emails": ["b1@b.es"]}),
    )
    .await?;
    let a1_contact = api.get(&format!("/api/v1/contacts/{}", a1.contact)).await?;
    assert_eq!(a1_contact.json["account_manager"], false, "not by default");
    let m_contact = api.get(&format!("/api/v1/contacts/{}", m.contact)).await?;
    assert_eq!(m_contact.json["account_manager"], true);

    let of_a1 = a1.opens(api, "Mi pedido").await?;
    let (of_a2, a2_file) = ticket_with_file(api, "a2@a.es").await?;
    let of_m = m.opens(api, "Alta de usuarios").await?;
    let of_b1 = b1.opens(api, "Otra empresa").await?;
    let (of_b1_with_file, b1_file) = ticket_with_file(api, "b1@b.es").await?;

    // A contact who is not the manager: their own requests only.
    assert_eq!(a1.listed(api, "").await?, [of_a1]);
    assert_eq!(a1.listed(api, &format!("?account_id={a}")).await?, [of_a1]);
    assert_eq!(a2.listed(api, "").await?, [of_a2]);
    for (method, path, body) in [
        ("GET", format!("/api/v1/tickets/{of_a2}"), None),
        ("GET", format!("/api/v1/tickets/{of_m}"), None),
        ("GET", format!("/api/v1/attachments/{a2_file}"), None),
        (
            "POST",
            format!("/api/v1/tickets/{of_a2}/messages"),
            Some(json!({"body": "¿Puedo añadir algo?"})),
        ),
        ("GET", format!("/api/v1/contacts/{}", a2.contact), None),
        ("GET", format!("/api/v1/contacts/{}", m.contact), None),
    ] {
        let reply = a1.call(api, method, &path, body).await?;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
    }
    let herself = a1
        .get(api, &format!("/api/v1/contacts/{}", a1.contact))
        .await?;
    assert_eq!(herself.status, StatusCode::OK, "{}", herself.json);
    assert_eq!(
        a2.get(api, &format!("/api/v1/attachments/{a2_file}"))
            .await?
            .status,
        StatusCode::OK,
        "the requester downloads their own file"
    );

    // The manager: every request of the account, and its people.
    assert_eq!(m.listed(api, "").await?, {
        let mut all = [of_a1, of_a2, of_m];
        all.sort_unstable();
        all
    });
    let read = m.get(api, &format!("/api/v1/tickets/{of_a2}")).await?;
    assert_eq!(read.status, StatusCode::OK, "{}", read.json);
    assert_eq!(read.json["subject"], "Factura con error");
    let download = m
        .get(api, &format!("/api/v1/attachments/{a2_file}"))
        .await?;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, "%PDF-1.4 nómina".as_bytes());
    let answered = m
        .call(
            api,
            "POST",
            &format!("/api/v1/tickets/{of_a1}/messages"),
            Some(json!({"body": "Lo reviso yo también"})),
        )
        .await?;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.json);
    let colleague = m
        .get(api, &format!("/api/v1/contacts/{}", a2.contact))
        .await?;
    assert_eq!(colleague.status, StatusCode::OK, "{}", colleague.json);
    // ...and nothing of another account.
    assert_eq!(
        m.listed(api, &format!("?account_id={b}")).await?,
        Vec::<i64>::new()
    );
    for path in [
        format!("/api/v1/tickets/{of_b1}"),
        format!("/api/v1/attachments/{b1_file}"),
        format!("/api/v1/contacts/{}", b1.contact),
        format!("/api/v1/accounts/{b}"),
    ] {
        assert_problem(
            &m.get(api, &path).await?,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }

    // The other account's contact sees nothing of the first.
    let mut own = [of_b1, of_b1_with_file];
    own.sort_unstable();
    assert_eq!(b1.listed(api, "").await?, own);
    assert_eq!(
        b1.listed(api, &format!("?account_id={a}")).await?,
        Vec::<i64>::new()
    );
    for path in [
        format!("/api/v1/tickets/{of_a1}"),
        format!("/api/v1/tickets/{of_a2}"),
        format!("/api/v1/tickets/{of_m}"),
        format!("/api/v1/attachments/{a2_file}"),
        format!("/api/v1/contacts/{}", m.contact),
    ] {
        assert_problem(
            &b1.get(api, &path).await?,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }

    // Someone with no account sees what they asked for, and no manager sees it.
    let walk_in = Customer::new(api, json!({"name": "Pepe", "emails": ["pepe@gmail.com"]})).await?;
    let of_walk_in = walk_in.opens(api, "Sin cuenta").await?;
    assert_eq!(walk_in.listed(api, "").await?, [of_walk_in]);
    assert_problem(
        &walk_in
            .get(api, &format!("/api/v1/tickets/{of_a1}"))
            .await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert!(!m.listed(api, "").await?.contains(&of_walk_in));
    Ok(())
}

async fn only_the_team_names_an_accounts_manager(api: &Api) -> TestResult {
    let a = id(&api
        .post(
            "/api/v1/accounts",
            json!({"name": "Tienda A", "email_domains": ["a.es"]}),
        )
        .await?);
    let b = id(&api
        .post(
            "/api/v1/accounts",
            json!({"name": "Tienda B", "email_domains": ["b.es"]}),
        )
        .await?);
    let a1 = Customer::new(
        api,
        json!({"account_id": a, "name": "Ana", "emails": ["a1@a.es"]}),
    )
    .await?;
    let a2 = Customer::new(
        api,
        json!({"account_id": a, "name": "Alba", "emails": ["a2@a.es"]}),
    )
    .await?;
    let of_a2 = a2.opens(api, "Mi pedido").await?;
    let path = format!("/api/v1/contacts/{}", a1.contact);

    // A customer cannot make themselves the manager: the endpoint is not theirs.
    let refused = a1
        .call(api, "PATCH", &path, Some(json!({"account_manager": true})))
        .await?;
    assert_problem(&refused, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(api.get(&path).await?.json["account_manager"], false);
    assert_eq!(a1.listed(api, "").await?, Vec::<i64>::new());

    let agent = id(&api
        .post(
            "/api/v1/agents",
            json!({"email": "bea@vendomia.com", "name": "Bea"}),
        )
        .await?);
    let agent_token = api
        .app
        .issue_token(TokenOwner::Agent(AgentId(agent)), TokenScope::Agent, "")
        .await?
        .plaintext;
    assert_problem(
        &api.call(
            "PATCH",
            &path,
            Some(&agent_token),
            Some(json!({"account_manager": true})),
        )
        .await?,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    let named = api.patch(&path, json!({"account_manager": true})).await?;
    assert_eq!(named.status, StatusCode::OK, "{}", named.json);
    assert_eq!(named.json["account_manager"], true);
    assert_eq!(api.get(&path).await?.json["account_manager"], true);
    assert_eq!(
        a1.listed(api, "").await?,
        [of_a2],
        "the next call already sees the account's requests"
    );

    // Other fields leave the flag alone; a move to another account ends it.
    let renamed = api.patch(&path, json!({"name": "Ana María"})).await?;
    assert_eq!(renamed.json["account_manager"], true);
    let moved = api.patch(&path, json!({"account_id": b})).await?;
    assert_eq!(moved.json["account_id"], b);
    assert_eq!(moved.json["account_manager"], false);
    let back = api
        .patch(&path, json!({"account_id": a, "account_manager": true}))
        .await?;
    assert_eq!(back.json["account_manager"], true);

    // Taking them out of the account clears the flag in the same change.
    let alone = api.patch(&path, json!({"account_id": null})).await?;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.json);
    assert_eq!(alone.json["account_id"], Value::Null);
    assert_eq!(alone.json["account_manager"], false);
    assert_problem(
        &a1.get(api, &format!("/api/v1/tickets/{of_a2}")).await?,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    // Nobody manages an account they are not in.
    let without_account = api.patch(&path, json!({"account_manager": true})).await?;
    assert_problem(
        &without_account,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(without_account.json["field"], "account_manager");
    let new_without_account = api
        .post(
            "/api/v1/contacts",
            json!({"name": "Pepe", "emails": ["pepe@gmail.com"], "account_manager": true}),
        )
        .await?;
    assert_problem(
        &new_without_account,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(new_without_account.json["field"], "account_manager");
    assert_problem(
        &api.patch(&path, json!({"account_manager": "yes"})).await?,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    );

    // The OpenAPI document describes the field.
    let spec = api.call("GET", "/api/v1/openapi.json", None, None).await?;
    let schemas = &spec.json["components"]["schemas"];
    assert_eq!(
        schemas["ContactOut"]["properties"]["account_manager"]["type"],
        "boolean"
    );
    assert!(
        schemas["ContactOut"]["required"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("account_manager")))
    );
    for body in ["ContactCreate", "ContactPatchBody"] {
        assert!(
            schemas[body]["properties"]["account_manager"].is_object(),
            "{body}: {}",
            schemas[body]
        );
        assert!(
            !schemas[body]["required"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("account_manager"))),
            "{body}: optional"
        );
    }
    Ok(())
}
