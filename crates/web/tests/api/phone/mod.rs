//! `/webhooks/cti/{token}` as a phone system calls it, scripted: the event sequences a PBX
//! posts for answered, missed, busy, transferred and parallel calls, posted twice and out
//! of order, in each body format Zammad's generic CTI accepts; and `/api/v1/calls`.

mod call_backs;
mod hostile;
mod sequences;

use super::*;
use serde_json::json;
use soporte_app::phone::PhoneSettings;

const TOKEN: &str = "cti-0123456789abcdef0123456789";
/// Ana's own phone: calls to it are hers.
const ANA_PHONE: &str = "+34910000001";
const CUSTOMER: &str = "+34600111222";
const BLOCKED: &str = "+34699999999";

struct Pbx {
    api: Api,
    ana: i64,
    luis: i64,
    lucia: i64,
    account: i64,
}

async fn pbx_of(db: &TestDb) -> Result<Pbx, Box<dyn std::error::Error>> {
    let api = Api::with_settings(db, |settings| {
        let mut phone = PhoneSettings::new(TOKEN);
        phone.blocked_numbers = vec![BLOCKED.to_string()];
        phone.outbound_caller_id = Some("+34910000000".into());
        settings.phone = Some(phone);
    })
    .await?;
    let agent = |email: &str, name: &str, phone: &str| json!({"email": email, "name": name, "phone": phone, "types": ["usage", "administrative"]});
    let ana = api
        .post(
            "/api/v1/agents",
            agent("ana@vendomia.com", "Ana Ruiz", ANA_PHONE),
        )
        .await?;
    assert_eq!(ana.status, StatusCode::CREATED, "{}", ana.json);
    let luis = api
        .post(
            "/api/v1/agents",
            agent("luis@vendomia.com", "Luis Gil", "+34910000002"),
        )
        .await?;
    assert_eq!(luis.status, StatusCode::CREATED, "{}", luis.json);
    let account = api
        .post(
            "/api/v1/accounts",
            json!({"name": "Ferretería Gómez", "personal_agent_id": id(&ana)}),
        )
        .await?;
    let lucia = api
        .post(
            "/api/v1/contacts",
            json!({"account_id": id(&account), "name": "Lucía Gómez",
                   "emails": ["lucia@ferreteriagomez.es"], "phones": ["600 111 222"]}),
        )
        .await?;
    assert_eq!(lucia.status, StatusCode::CREATED, "{}", lucia.json);
    Ok(Pbx {
        ana: id(&ana),
        luis: id(&luis),
        lucia: id(&lucia),
        account: id(&account),
        api,
    })
}

impl Pbx {
    /// Posts form fields as a PBX's `curl --data` does.
    async fn form(&self, fields: &[(&str, &str)]) -> Result<Reply, Box<dyn std::error::Error>> {
        self.form_to(TOKEN, fields).await
    }

    async fn form_to(
        &self,
        token: &str,
        fields: &[(&str, &str)],
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.raw(
            token,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
    }

    async fn json(&self, body: Value) -> Result<Reply, Box<dyn std::error::Error>> {
        self.raw(TOKEN, "application/json", body.to_string().into_bytes())
            .await
    }

    /// Posts `multipart/form-data`, as `curl --form` does.
    async fn multipart(
        &self,
        fields: &[(&str, &str)],
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        let boundary = "pbx-boundary-7MA4YWxk";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.raw(
            TOKEN,
            &format!("multipart/form-data; boundary={boundary}"),
            body.into_bytes(),
        )
        .await
    }

    async fn raw(
        &self,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Reply, Box<dyn std::error::Error>> {
        let request = Request::builder()
            .method("POST")
            .uri(format!("/webhooks/cti/{token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))?;
        self.api.send(request).await
    }

    /// Posts one event and expects it taken (200, `{}`).
    async fn event(&self, fields: &[(&str, &str)]) -> TestResult {
        let reply = self.form(fields).await?;
        assert_eq!(reply.status, StatusCode::OK, "{fields:?}: {}", reply.json);
        assert_eq!(reply.json, json!({}), "{fields:?}");
        Ok(())
    }

    async fn calls(&self, query: &str) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
        let list = self.api.get(&format!("/api/v1/calls{query}")).await?;
        assert_eq!(list.status, StatusCode::OK, "{}", list.json);
        Ok(list.json["items"].as_array().cloned().unwrap_or_default())
    }

    /// The one call with this PBX id.
    async fn call(&self, call_id: &str) -> Result<Value, Box<dyn std::error::Error>> {
        let calls = self.calls("?limit=200").await?;
        let found: Vec<&Value> = calls.iter().filter(|c| c["call_id"] == call_id).collect();
        assert_eq!(found.len(), 1, "{call_id}: {calls:?}");
        Ok(found[0].clone())
    }
}

/// A call's events as a PBX posts them, with the customer calling Ana's line.
fn incoming(event: &str, call_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("event", event.to_string()),
        ("from", "0034 600 111 222".to_string()),
        ("to", "+34 910 000 001".to_string()),
        ("direction", "in".to_string()),
        ("callId", call_id.to_string()),
        ("user[]", "Ana Ruiz".to_string()),
    ]
}

fn with<'a>(
    base: &'a [(&'static str, String)],
    extra: &[(&'static str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(extra.iter().copied())
        .collect()
}
