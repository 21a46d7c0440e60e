//! Calls put together from the phone system's events: each event taken in once, the first
//! events of one call arriving together, and a call recorded on one request only.

use crate::*;
use jiff::{SignedDuration, Timestamp};
use soporte_core::phone::{CallOutcome, CallProgress, CtiEvent, EventEffect, NumberingPlan};

soporte_store::on_both_databases!(
    store_of;
    an_event_posted_twice_is_taken_in_once,
    first_events_of_one_call_arriving_together_make_one_call,
    a_call_is_recorded_on_one_request_with_its_entry,
    calls_are_listed_newest_first_by_what_they_are,
);

fn event(kind: &str, call_id: &str, extra: &[(&str, &str)]) -> CtiEvent {
    let mut fields: Vec<(String, String)> = [
        ("event", kind),
        ("callId", call_id),
        ("direction", "in"),
        ("from", "+34 600 111 222"),
        ("to", "+34 910 000 001"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    fields.dedup();
    CtiEvent::from_fields(&fields, NumberingPlan::SPAIN).unwrap_or_else(|e| panic!("{e}"))
}

fn taken(event: &CtiEvent, at: Timestamp) -> NewCallEvent<'_> {
    NewCallEvent {
        event,
        received_at: at,
        rejected: false,
        agent: None,
        answered_by: None,
        contact: None,
    }
}

async fn an_event_posted_twice_is_taken_in_once(store: &Arc<dyn Store>) -> TestResult {
    let now = Timestamp::now();
    let ring = event("newCall", "c-1", &[]);
    let (call, effect) = store.record_call_event(&taken(&ring, now)).await?;
    assert_eq!(effect, Some(EventEffect::Rang));
    assert_eq!(call.record.progress(), CallProgress::Ringing);
    let (again, effect) = store
        .record_call_event(&taken(&ring, now + SignedDuration::from_secs(1)))
        .await?;
    assert_eq!(effect, None, "the same event again changes nothing");
    assert_eq!(again, call);

    let hang = event("hangup", "c-1", &[("cause", "cancel")]);
    let (ended, effect) = store
        .record_call_event(&taken(&hang, now + SignedDuration::from_secs(20)))
        .await?;
    assert_eq!(effect, Some(EventEffect::Ended(CallOutcome::Missed)));
    assert_eq!(store.call(call.id).await?, Some(ended));
    Ok(())
}

async fn first_events_of_one_call_arriving_together_make_one_call(
    store: &Arc<dyn Store>,
) -> TestResult {
    let now = Timestamp::now();
    let ring = event("newCall", "c-2", &[]);
    let answer = event("answer", "c-2", &[("answeringNumber", "201")]);
    let hang = event("hangup", "c-2", &[("cause", "normalClearing")]);
    let (first, second, third) = (
        taken(&ring, now),
        taken(&answer, now + SignedDuration::from_secs(3)),
        taken(&hang, now + SignedDuration::from_secs(60)),
    );
    let (a, b, c) = tokio::join!(
        store.record_call_event(&first),
        store.record_call_event(&second),
        store.record_call_event(&third),
    );
    let ids: HashSet<CallId> = [a?.0.id, b?.0.id, c?.0.id].into_iter().collect();
    assert_eq!(ids.len(), 1, "one call");
    let calls = store
        .list_calls(&CallQuery {
            limit: 10,
            ..CallQuery::default()
        })
        .await?;
    assert_eq!(calls.len(), 1);
    let call = &calls[0].record;
    assert_eq!(call.outcome(), Some(CallOutcome::Answered));
    assert_eq!(call.answered_by, vec!["201".to_string()]);
    assert!(call.started_at <= call.answered_at.unwrap_or(now) && call.ended_at.is_some());
    Ok(())
}

async fn a_call_is_recorded_on_one_request_with_its_entry(store: &Arc<dyn Store>) -> TestResult {
    let luis = store
        .create_contact(&new_contact("luis@tienda.es", None))
        .await?;
    let now = Timestamp::now();
    let ring = event("newCall", "c-3", &[]);
    let (call, _) = store.record_call_event(&taken(&ring, now)).await?;
    let ticket = store
        .create_ticket(&ticket("Llamada", Requester::Existing(luis.id)))
        .await?;
    let entry = |text: &str| NewMessage {
        kind: MessageKind::Call,
        author: Actor::System,
        channel: Channel::Phone,
        body_text: text.into(),
        body_html: None,
        channel_message_id: None,
        attachments: vec![],
        extra: MessageExtra::call_entry(call.id),
    };
    let (_, message) = store
        .add_message(ticket.id, &entry("Llamada entrante"))
        .await?;
    let recorded = store.call(call.id).await?;
    assert_eq!(recorded.as_ref().and_then(|c| c.ticket), Some(ticket.id));
    assert_eq!(recorded.and_then(|c| c.message), Some(message.id));

    // A second entry for the same call is refused, and leaves no message behind.
    let before = store.ticket_messages(ticket.id).await?.len();
    let again = store.add_message(ticket.id, &entry("Otra vez")).await;
    assert!(again.is_err(), "a call is recorded once");
    assert_eq!(store.ticket_messages(ticket.id).await?.len(), before);
    Ok(())
}

async fn calls_are_listed_newest_first_by_what_they_are(store: &Arc<dyn Store>) -> TestResult {
    let start = Timestamp::now();
    for i in 0..4 {
        let at = start + SignedDuration::from_secs(i * 10);
        let call_id = format!("l-{i}");
        store
            .record_call_event(&taken(&event("newCall", &call_id, &[]), at))
            .await?;
        if i % 2 == 0 {
            let hang = event("hangup", &call_id, &[("cause", "busy")]);
            store
                .record_call_event(&taken(&hang, at + SignedDuration::from_secs(5)))
                .await?;
        }
    }
    let query = |q: CallQuery| async move {
        let calls = store.list_calls(&CallQuery { limit: 10, ..q }).await?;
        Ok::<Vec<String>, StoreError>(calls.into_iter().map(|c| c.record.call_id).collect())
    };
    assert_eq!(
        query(CallQuery::default()).await?,
        ["l-3", "l-2", "l-1", "l-0"]
    );
    let busy = CallQuery {
        outcome: Some(CallOutcome::Busy),
        ..CallQuery::default()
    };
    assert_eq!(query(busy).await?, ["l-2", "l-0"]);
    let ringing = CallQuery {
        progress: Some(CallProgress::Ringing),
        customer_number: Some("+34600111222".into()),
        ..CallQuery::default()
    };
    assert_eq!(query(ringing).await?, ["l-3", "l-1"]);
    let window = CallQuery {
        since: Some(start + SignedDuration::from_secs(10)),
        until: Some(start + SignedDuration::from_secs(30)),
        ..CallQuery::default()
    };
    assert_eq!(query(window).await?, ["l-2", "l-1"]);
    let l2 = store
        .list_calls(&CallQuery {
            limit: 2,
            ..CallQuery::default()
        })
        .await?;
    let after = l2.last().map(|c| (c.record.started_at, c.id));
    let page_two = CallQuery {
        after,
        ..CallQuery::default()
    };
    assert_eq!(query(page_two).await?, ["l-1", "l-0"]);
    Ok(())
}
