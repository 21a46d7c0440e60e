//! Missed calls become call-back tasks with their own SLA; an answered outgoing call to the
//! number settles them.

use super::*;

soporte_store::on_both_databases!(
    pbx_of;
    a_missed_call_opens_one_call_back_task_for_the_called_agent,
    an_answered_call_back_settles_the_task,
    the_backup_gets_the_task_while_the_agent_is_away,
    withheld_and_answered_calls_open_no_task,
);

async fn call_backs(p: &Pbx) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
    let list = p.api.get("/api/v1/tickets?channel=phone&limit=200").await?;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    Ok(list.json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| !t["call_back"].is_null())
        .collect())
}

async fn miss(p: &Pbx, call_id: &str, cause: &str) -> TestResult {
    p.event(&with(&incoming("newCall", call_id), &[])).await?;
    p.event(&with(&incoming("hangup", call_id), &[("cause", cause)]))
        .await
}

async fn a_missed_call_opens_one_call_back_task_for_the_called_agent(p: &Pbx) -> TestResult {
    miss(p, "mc-1", "cancel").await?;
    let tasks = call_backs(p).await?;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = &tasks[0];
    assert_eq!(task["subject"], "Devolver llamada a Lucía Gómez");
    assert_eq!(task["call_back"], CUSTOMER);
    assert_eq!(task["assignee_id"], p.ana);
    assert_eq!(task["requester_id"], p.lucia);
    // Its own target: one business hour for both clocks.
    let due = |k: &str| {
        task["sla"][k]
            .as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    };
    assert!(due("first_response_due").is_some());
    assert_eq!(due("first_response_due"), due("resolution_due"), "{task}");
    let call = p.call("mc-1").await?;
    assert_eq!(
        call["ticket_id"], task["id"],
        "the call is recorded on its task"
    );
    let detail = p
        .api
        .get(&format!("/api/v1/tickets/{}", task["id"]))
        .await?;
    let first = &detail.json["messages"][0];
    assert_eq!(first["kind"], "call");
    assert!(
        first["text"].as_str().is_some_and(|b| b
            .contains("Llamada entrante de Lucía Gómez (+34 600 111 222)")
            && b.contains("Nadie la atendió")),
        "{first}"
    );

    // She tries again, and the line is busy: the same task, with both calls.
    miss(p, "mc-2", "busy").await?;
    let tasks = call_backs(p).await?;
    assert_eq!(tasks.len(), 1);
    let detail = p
        .api
        .get(&format!("/api/v1/tickets/{}", tasks[0]["id"]))
        .await?;
    let entries = detail.json["messages"]
        .as_array()
        .map_or(0, |m| m.iter().filter(|m| m["kind"] == "call").count());
    assert_eq!(entries, 2);
    // The sweep finds nothing left to do.
    assert_eq!(p.api.app.sweep_missed_calls().await?, 0);
    Ok(())
}

async fn an_answered_call_back_settles_the_task(p: &Pbx) -> TestResult {
    miss(p, "cb-1", "noAnswer").await?;
    let task = call_backs(p).await?.remove(0);
    // Ana calls back; nobody picks up first: the task stays.
    let out = |event: &str, call_id: &str| {
        vec![
            ("event", event.to_string()),
            ("from", ANA_PHONE.to_string()),
            ("to", "600 111 222".to_string()),
            ("direction", "out".to_string()),
            ("callId", call_id.to_string()),
            ("user", "Ana Ruiz".to_string()),
        ]
    };
    for (event, cause) in [("newCall", None), ("hangup", Some("noAnswer"))] {
        let mut fields = out(event, "cb-out-1");
        if let Some(cause) = cause {
            fields.push(("cause", cause.to_string()));
        }
        let reply = p.form(&with(&fields, &[])).await?;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let still = p
        .api
        .get(&format!("/api/v1/tickets/{}", task["id"]))
        .await?;
    assert_eq!(still.json["status"], "new", "{}", still.json);
    // Then she reaches her.
    for (event, extra) in [
        ("newCall", vec![]),
        ("answer", vec![("answeringNumber", "600111222")]),
        ("hangup", vec![("cause", "normalClearing")]),
    ] {
        let fields = out(event, "cb-out-2");
        let reply = p.form(&with(&fields, &extra)).await?;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let done = p
        .api
        .get(&format!("/api/v1/tickets/{}", task["id"]))
        .await?;
    assert_eq!(done.json["status"], "solved", "{}", done.json);
    let call = p.call("cb-out-2").await?;
    assert_eq!(
        call["ticket_id"], task["id"],
        "the call back is recorded on the task"
    );
    // A new missed call opens a new task.
    miss(p, "cb-2", "cancel").await?;
    let open: Vec<Value> = call_backs(p)
        .await?
        .into_iter()
        .filter(|t| t["status"] != "solved")
        .collect();
    assert_eq!(open.len(), 1);
    assert_ne!(open[0]["id"], task["id"]);
    Ok(())
}

async fn the_backup_gets_the_task_while_the_agent_is_away(p: &Pbx) -> TestResult {
    let account = p.account;
    let patched = p
        .api
        .patch(
            &format!("/api/v1/accounts/{account}"),
            json!({"backup_agent_id": p.luis}),
        )
        .await?;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.json);
    let now = jiff::Timestamp::now();
    let away = p
        .api
        .patch(
            &format!("/api/v1/agents/{}", p.ana),
            json!({"absences": [{"starts_at": (now - jiff::SignedDuration::from_hours(1)).to_string(),
                                 "ends_at": (now + jiff::SignedDuration::from_hours(8)).to_string()}]}),
        )
        .await?;
    assert_eq!(away.status, StatusCode::OK, "{}", away.json);
    miss(p, "bk-1", "cancel").await?;
    let task = call_backs(p).await?.remove(0);
    assert_eq!(task["assignee_id"], p.luis, "{task}");
    Ok(())
}

async fn withheld_and_answered_calls_open_no_task(p: &Pbx) -> TestResult {
    p.event(&[
        ("event", "newCall"),
        ("from", "anonymous"),
        ("to", ANA_PHONE),
        ("direction", "in"),
        ("callId", "w-1"),
    ])
    .await?;
    p.event(&[
        ("event", "hangup"),
        ("direction", "in"),
        ("callId", "w-1"),
        ("cause", "cancel"),
    ])
    .await?;
    p.event(&with(&incoming("newCall", "a-1"), &[])).await?;
    p.event(&with(&incoming("answer", "a-1"), &[])).await?;
    p.event(&with(
        &incoming("hangup", "a-1"),
        &[("cause", "normalClearing")],
    ))
    .await?;
    p.event(&with(&incoming("newCall", "f-1"), &[])).await?;
    p.event(&with(&incoming("hangup", "f-1"), &[("cause", "forwarded")]))
        .await?;
    assert!(call_backs(p).await?.is_empty());
    assert_eq!(p.api.app.sweep_missed_calls().await?, 0);
    Ok(())
}
