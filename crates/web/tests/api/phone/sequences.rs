//! Realistic event sequences, and the call log they leave.

use super::*;

soporte_store::on_both_databases!(
    pbx_of;
    an_answered_call_is_logged_with_who_and_how_long,
    missed_and_busy_calls_have_their_outcome,
    a_transferred_call_keeps_everyone_who_answered,
    duplicates_and_out_of_order_events_make_one_call,
    parallel_calls_each_keep_their_own_events,
    every_body_format_of_the_documentation_is_taken,
    a_blocked_caller_is_rejected_and_an_outgoing_call_gets_its_caller_id,
    a_shared_number_names_no_single_customer,
    the_call_log_filters_and_pages,
);

async fn an_answered_call_is_logged_with_who_and_how_long(p: &Pbx) -> TestResult {
    let ring = incoming("newCall", "call-1");
    p.event(&with(&ring, &[])).await?;
    let ringing = p.call("call-1").await?;
    assert_eq!(ringing["progress"], "ringing");
    assert_eq!(ringing["agent_id"], p.ana, "calls to Ana's line are hers");
    assert_eq!(
        ringing["contact_id"], p.lucia,
        "the caller is found by her number"
    );
    assert_eq!(ringing["customer_number"], CUSTOMER);
    assert_eq!(ringing["from"], CUSTOMER);
    assert_eq!(ringing["to"], ANA_PHONE);
    assert_eq!(ringing["users"], json!(["Ana Ruiz"]));
    assert!(ringing["outcome"].is_null());

    p.event(&with(
        &incoming("answer", "call-1"),
        &[("answeringNumber", "ana@vendomia.com")],
    ))
    .await?;
    assert_eq!(p.call("call-1").await?["progress"], "talking");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    p.event(&with(
        &incoming("hangup", "call-1"),
        &[("cause", "normalClearing")],
    ))
    .await?;
    let call = p.call("call-1").await?;
    assert_eq!(call["progress"], "ended");
    assert_eq!(call["outcome"], "answered");
    assert_eq!(call["cause"], "normalClearing");
    assert_eq!(call["answered_by"], json!(["ana@vendomia.com"]));
    assert_eq!(call["answered_by_agent_id"], p.ana);
    assert!(
        call["duration_seconds"].as_i64().is_some_and(|s| s >= 1),
        "{call}"
    );
    let started = call["started_at"].as_str().unwrap_or_default();
    let answered = call["answered_at"].as_str().unwrap_or_default();
    let ended = call["ended_at"].as_str().unwrap_or_default();
    let t = |s: &str| s.parse::<jiff::Timestamp>().ok();
    assert!(
        t(started) <= t(answered) && t(answered) < t(ended),
        "{call}"
    );
    let one = p.api.get(&format!("/api/v1/calls/{}", call["id"])).await?;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json["call_id"], "call-1");
    Ok(())
}

async fn missed_and_busy_calls_have_their_outcome(p: &Pbx) -> TestResult {
    for (call_id, cause, outcome) in [
        ("m-cancel", "cancel", "missed"),
        ("m-noanswer", "noAnswer", "missed"),
        ("m-congestion", "congestion", "missed"),
        ("m-notfound", "notFound", "missed"),
        ("m-busy", "busy", "busy"),
        ("m-forwarded", "forwarded", "forwarded"),
    ] {
        p.event(&with(&incoming("newCall", call_id), &[])).await?;
        p.event(&with(&incoming("hangup", call_id), &[("cause", cause)]))
            .await?;
        let call = p.call(call_id).await?;
        assert_eq!(call["outcome"], outcome, "{cause}");
        assert!(call["answered_at"].is_null() && call["duration_seconds"].is_null());
    }
    Ok(())
}

async fn a_transferred_call_keeps_everyone_who_answered(p: &Pbx) -> TestResult {
    p.event(&with(&incoming("newCall", "t-1"), &[])).await?;
    p.event(&with(
        &incoming("answer", "t-1"),
        &[("answeringNumber", "+34 910 000 001")],
    ))
    .await?;
    p.event(&with(
        &incoming("answer", "t-1"),
        &[("answeringNumber", "luis@vendomia.com")],
    ))
    .await?;
    p.event(&with(
        &incoming("hangup", "t-1"),
        &[("cause", "normalClearing")],
    ))
    .await?;
    let call = p.call("t-1").await?;
    assert_eq!(
        call["answered_by"],
        json!(["+34 910 000 001", "luis@vendomia.com"])
    );
    assert_eq!(call["answered_by_agent_id"], p.luis, "the last to answer");
    assert_eq!(call["agent_id"], p.ana, "still Ana's call");
    assert_eq!(call["outcome"], "answered");
    let lists_luis = p.calls(&format!("?agent_id={}", p.luis)).await?;
    assert_eq!(
        lists_luis.len(),
        1,
        "an agent's calls include those they answered"
    );
    Ok(())
}

async fn duplicates_and_out_of_order_events_make_one_call(p: &Pbx) -> TestResult {
    // The hang-up first, then the answer, then the ring, each posted twice.
    let hangup = incoming("hangup", "o-1");
    let answer = incoming("answer", "o-1");
    let ring = incoming("newCall", "o-1");
    for fields in [
        with(&hangup, &[("cause", "normalClearing")]),
        with(&hangup, &[("cause", "normalClearing")]),
        with(&answer, &[("answeringNumber", "ana@vendomia.com")]),
        with(&answer, &[("answeringNumber", "ana@vendomia.com")]),
        with(&ring, &[]),
        with(&ring, &[]),
    ] {
        p.event(&fields).await?;
    }
    let call = p.call("o-1").await?;
    assert_eq!(call["outcome"], "answered");
    assert_eq!(call["answered_by"], json!(["ana@vendomia.com"]));
    assert_eq!(
        call["duration_seconds"], 0,
        "the answer is placed at the hang-up"
    );
    let t = |k: &str| {
        call[k]
            .as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    };
    assert!(t("started_at") <= t("answered_at") && t("answered_at") <= t("ended_at"));

    // The same event posted many times at once is taken in once.
    let ring = incoming("newCall", "o-2");
    let hang = incoming("hangup", "o-2");
    let ring = with(&ring, &[]);
    let hang = with(&hang, &[("cause", "cancel")]);
    let posts = (0..10).map(|i| p.form(if i < 5 { &ring } else { &hang }));
    for reply in futures_util::future::join_all(posts).await {
        assert_eq!(reply?.status, StatusCode::OK);
    }
    let call = p.call("o-2").await?;
    assert_eq!(call["outcome"], "missed");
    Ok(())
}

async fn parallel_calls_each_keep_their_own_events(p: &Pbx) -> TestResult {
    let ids: Vec<String> = (0..24).map(|i| format!("par-{i}")).collect();
    let script = |call_id: &str, i: usize| -> Vec<Vec<(&'static str, String)>> {
        let mut events = vec![incoming("newCall", call_id)];
        if !i.is_multiple_of(3) {
            let mut answer = incoming("answer", call_id);
            answer.push(("answeringNumber", "luis@vendomia.com".into()));
            events.push(answer);
        }
        let mut hangup = incoming("hangup", call_id);
        hangup.push((
            "cause",
            if i.is_multiple_of(3) {
                "cancel"
            } else {
                "normalClearing"
            }
            .into(),
        ));
        events.push(hangup);
        events
    };
    // Every call's events in order, all calls at once.
    let runs = ids.iter().enumerate().map(|(i, call_id)| {
        let events = script(call_id, i);
        async move {
            for fields in &events {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let reply = p.form(&fields).await?;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
            }
            Ok::<(), Box<dyn std::error::Error>>(())
        }
    });
    for run in futures_util::future::join_all(runs).await {
        run?;
    }
    let calls = p.calls("?limit=200").await?;
    assert_eq!(calls.len(), ids.len());
    for (i, call_id) in ids.iter().enumerate() {
        let call = p.call(call_id).await?;
        let expected = if i.is_multiple_of(3) {
            "missed"
        } else {
            "answered"
        };
        assert_eq!(call["outcome"], expected, "{call}");
    }
    Ok(())
}

async fn every_body_format_of_the_documentation_is_taken(p: &Pbx) -> TestResult {
    // JSON, as the documentation recommends: `user` a list, or one name.
    let reply = p
        .json(
            json!({"event": "newCall", "from": "600111222", "to": "910000001",
                     "direction": "in", "callId": "j-1", "user": ["Ana Ruiz", "Luis Gil"]}),
        )
        .await?;
    assert_eq!(
        (reply.status, reply.json.clone()),
        (StatusCode::OK, json!({}))
    );
    let reply = p
        .json(
            json!({"event": "hangup", "from": "600111222", "to": "910000001",
                     "direction": "in", "callId": "j-1", "user": "Ana Ruiz", "cause": "cancel"}),
        )
        .await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let call = p.call("j-1").await?;
    assert_eq!(call["users"], json!(["Ana Ruiz", "Luis Gil"]));
    assert_eq!(call["outcome"], "missed");

    // `curl --form 'event="newCall"'`, quotes and all.
    let reply = p
        .multipart(&[
            ("event", "\"newCall\""),
            ("from", "\"600111222\""),
            ("to", "\"910000001\""),
            ("direction", "\"in\""),
            ("callId", "\"f-1\""),
            ("user[]", "\"Ana Ruiz\""),
        ])
        .await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let call = p.call("f-1").await?;
    assert_eq!(call["users"], json!(["Ana Ruiz"]));
    assert_eq!(call["agent_id"], p.ana);
    Ok(())
}

async fn a_blocked_caller_is_rejected_and_an_outgoing_call_gets_its_caller_id(
    p: &Pbx,
) -> TestResult {
    let blocked = [
        ("event", "newCall"),
        ("from", "699 99 99 99"),
        ("to", "910000001"),
        ("direction", "in"),
        ("callId", "b-1"),
    ];
    let reply = p.form(&blocked).await?;
    assert_eq!(reply.json, json!({"action": "reject", "reason": "busy"}));
    // The PBX posts it again: the same answer.
    let again = p.form(&blocked).await?;
    assert_eq!(again.json, json!({"action": "reject", "reason": "busy"}));
    p.event(&[
        ("event", "hangup"),
        ("direction", "in"),
        ("callId", "b-1"),
        ("cause", "busy"),
    ])
    .await?;
    assert_eq!(p.call("b-1").await?["outcome"], "rejected");

    let out = p
        .form(&[
            ("event", "newCall"),
            ("from", "+34910000001"),
            ("to", "600 111 222"),
            ("direction", "out"),
            ("callId", "out-1"),
            ("user", "Ana Ruiz"),
        ])
        .await?;
    assert_eq!(
        out.json,
        json!({"action": "dial", "caller_id": "+34910000000", "number": "600 111 222"})
    );
    let call = p.call("out-1").await?;
    assert_eq!(call["direction"], "out");
    assert_eq!(call["customer_number"], CUSTOMER);
    assert_eq!(call["agent_id"], p.ana, "Ana placed it");
    assert_eq!(call["contact_id"], p.lucia);
    Ok(())
}

async fn a_shared_number_names_no_single_customer(p: &Pbx) -> TestResult {
    let other = p
        .api
        .post(
            "/api/v1/contacts",
            json!({"name": "Pedro Gómez", "phones": ["+34 600 111 222"]}),
        )
        .await?;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.json);
    p.event(&with(&incoming("newCall", "s-1"), &[])).await?;
    let call = p.call("s-1").await?;
    assert!(
        call["contact_id"].is_null(),
        "two people share the number: {call}"
    );
    assert_eq!(call["customer_number"], CUSTOMER);
    let candidates = p
        .api
        .app
        .callers_by_number(Some(&soporte_core::phone::CallNumber::International(
            CUSTOMER.into(),
        )))
        .await?;
    let names: Vec<&str> = candidates
        .candidates
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, vec!["Lucía Gómez", "Pedro Gómez"]);
    Ok(())
}

async fn the_call_log_filters_and_pages(p: &Pbx) -> TestResult {
    for i in 0..5 {
        let call_id = format!("l-{i}");
        p.event(&with(&incoming("newCall", &call_id), &[])).await?;
        let cause = if i % 2 == 0 { "cancel" } else { "busy" };
        p.event(&with(&incoming("hangup", &call_id), &[("cause", cause)]))
            .await?;
    }
    let out = p
        .form(&[
            ("event", "newCall"),
            ("from", "+34910000002"),
            ("to", "+44 20 7946 0958"),
            ("direction", "out"),
            ("callId", "l-out"),
            ("user", "Luis Gil"),
        ])
        .await?;
    assert_eq!(out.status, StatusCode::OK, "{}", out.json);
    assert_eq!(p.calls("?outcome=missed").await?.len(), 3);
    assert_eq!(p.calls("?outcome=busy").await?.len(), 2);
    assert_eq!(p.calls("?direction=out").await?.len(), 1);
    assert_eq!(p.calls("?progress=ringing").await?.len(), 1);
    assert_eq!(
        p.calls("?number=600%2011%2012%2022").await?.len(),
        5,
        "however written"
    );
    assert_eq!(p.calls("?number=%2B442079460958").await?.len(), 1);
    assert_eq!(p.calls(&format!("?agent_id={}", p.luis)).await?.len(), 1);
    assert_eq!(p.calls(&format!("?contact_id={}", p.lucia)).await?.len(), 5);
    // Missed and busy calls are recorded on their call-back task; the ringing one is not.
    assert_eq!(p.calls("?unrecorded=true").await?.len(), 1);

    // Pages of two, newest first, each call once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/calls?limit=2&cursor={c}"),
            None => "/api/v1/calls?limit=2".to_string(),
        };
        let page = p.api.get(&path).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        for item in page.json["items"].as_array().cloned().unwrap_or_default() {
            seen.push(item["call_id"].as_str().unwrap_or_default().to_string());
        }
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[0], "l-out");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6);

    for (query, field) in [
        ("?outcome=lost", "outcome"),
        ("?direction=up", "direction"),
        ("?number=abc", "number"),
        ("?number=201", "number"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?cursor=xyz", "cursor"),
        ("?since=yesterday", "since"),
        ("?colour=red", ""),
    ] {
        let reply = p.api.get(&format!("/api/v1/calls{query}")).await?;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.json
        );
        if !field.is_empty() {
            assert!(
                reply.json.to_string().contains(field),
                "{query}: {}",
                reply.json
            );
        }
    }
    // Customers never see the call log.
    let token = p
        .api
        .post(&format!("/api/v1/contacts/{}/tokens", p.lucia), json!({}))
        .await?;
    let customer = token.json["token"].as_str().unwrap_or_default().to_string();
    let reply = p
        .api
        .call("GET", "/api/v1/calls", Some(&customer), None)
        .await?;
    assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
    Ok(())
}
