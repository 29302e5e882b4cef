//! What goes wrong: a receiver that answers 410 Gone disables its endpoint;
//! a message failing every attempt of its window is dead-lettered (an
//! event) and can be redelivered; an endpoint failing for days is disabled;
//! a dispatcher killed mid-backoff or mid-attempt loses nothing; two
//! dispatchers never send a message twice.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::webhooks::WebhookSettings;
use veritrail_domain::Clock as _;
use veritrail_event_store::Backend;
use veritrail_processors::webhooks::{Dispatcher, Outcome};
use veritrail_tests::webhook_receiver::Receiver;
use veritrail_tests::As;

use super::*;

/// Stored events of one type (any stream).
async fn stored(app: &TestApp, event_type: &str) -> Vec<Value> {
    let events = app
        .test_db
        .db
        .read_all(veritrail_event_store::GlobalPosition::START, 10_000)
        .await
        .expect("the log");
    events
        .into_iter()
        .filter(|e| e.event_type == event_type)
        .map(|e| e.payload)
        .collect()
}

#[tokio::test]
async fn a_410_disables_the_endpoint_and_stops_its_messages() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    let (endpoint, _) = endpoint(&app, &receiver.url, &[]).await;
    let processors = processors(&app, "hooks-gone");
    let dispatcher = dispatcher(&processors);
    receiver.answer(410);
    decided_case(&app, "EMP-GONE").await;
    processors.webhook_feed().catch_up().await.expect("feed");
    // The first 410 disables the endpoint; what was claimed with it is dropped.
    let outcomes = dispatcher.drain().await.expect("drain");
    assert!(
        outcomes.iter().all(|o| *o == Outcome::Dropped),
        "{outcomes:?}"
    );
    processors.webhook_feed().catch_up().await.expect("feed");
    let view = get(&app, &format!("/webhooks/endpoints/{endpoint}")).await;
    assert_eq!(view["enabled"], false);
    assert_eq!(view["disabled_reason"], "gone");
    let disabled = stored(&app, "WebhookEndpointDisabled").await;
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0]["WebhookEndpointDisabled"]["reason"], "gone");
    let listed = messages(&app, &endpoint).await;
    assert!(listed.iter().all(|m| m["state"] == "failed"), "{listed:?}");
    // A disabled endpoint gets nothing new, and cannot be redelivered to.
    create_case(&app, TENANT, "EMP-GONE-2").await;
    assert!(pump(&processors, &dispatcher).await.is_empty());
    assert_eq!(messages(&app, &endpoint).await.len(), listed.len());
    let refused = app
        .request(
            Method::POST,
            &format!("/webhooks/endpoints/{endpoint}/redeliver-failed"),
            As::org(TENANT),
        )
        .json(&json!({"since": "2000-01-01T00:00:00Z"}))
        .send()
        .await
        .expect("redeliver");
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let error: Value = refused.json().await.expect("json");
    assert_eq!(error["error"]["code"], "endpoint_disabled");
}

#[tokio::test]
async fn a_message_failing_its_whole_window_is_dead_lettered_then_redelivered() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    let (endpoint, _) = endpoint(&app, &receiver.url, &["case.opened"]).await;
    let processors = processors(&app, "hooks-dead");
    let dispatcher = dispatcher(&processors);
    receiver.answer(500);
    let started = clock.now();
    create_case(&app, TENANT, "EMP-DEAD").await;
    let mut outcomes = Vec::new();
    for _ in 0..36 {
        outcomes.extend(pump(&processors, &dispatcher).await);
        clock.advance(time::Duration::hours(1));
    }
    // Eight attempts over about a day, the last one gives up.
    assert_eq!(outcomes.len(), 8, "{outcomes:?}");
    assert_eq!(outcomes[7], Outcome::DeadLettered);
    let listed = messages(&app, &endpoint).await;
    assert_eq!(listed[0]["state"], "failed");
    assert_eq!(listed[0]["attempts"], 8);
    let id = listed[0]["id"].as_str().expect("id").to_owned();
    let detail = get(
        &app,
        &format!("/webhooks/endpoints/{endpoint}/messages/{id}"),
    )
    .await;
    let attempts = detail["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 8);
    assert!(attempts.iter().all(|a| a["status"] == 500));
    let letters = stored(&app, "WebhookMessageDeadLettered").await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["WebhookMessageDeadLettered"]["attempts"], 8);
    assert_eq!(
        letters[0]["WebhookMessageDeadLettered"]["event_type"],
        "case.opened"
    );

    // Back up: "redeliver everything failed since" sends it again.
    receiver.answer(200);
    let since = started
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let redelivered = app
        .request(
            Method::POST,
            &format!("/webhooks/endpoints/{endpoint}/redeliver-failed"),
            As::org(TENANT),
        )
        .json(&json!({"since": since}))
        .send()
        .await
        .expect("redeliver");
    assert_eq!(redelivered.status(), StatusCode::ACCEPTED);
    assert_eq!(
        redelivered.json::<Value>().await.expect("json")["queued"],
        1
    );
    assert_eq!(
        pump(&processors, &dispatcher).await,
        vec![Outcome::Delivered]
    );
    // And one message by hand: the same webhook-id again.
    let one = app
        .request(
            Method::POST,
            &format!("/webhooks/endpoints/{endpoint}/messages/{id}/redeliver"),
            As::org(TENANT),
        )
        .send()
        .await
        .expect("redeliver one");
    assert_eq!(one.status(), StatusCode::ACCEPTED);
    assert_eq!(
        pump(&processors, &dispatcher).await,
        vec![Outcome::Delivered]
    );
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 2);
    assert!(accepted.iter().all(|d| d.id == id));
    assert_eq!(
        receiver.processed_ids().len(),
        1,
        "one event, processed once"
    );
    let detail = get(
        &app,
        &format!("/webhooks/endpoints/{endpoint}/messages/{id}"),
    )
    .await;
    assert_eq!(detail["message"]["total_attempts"], 10);
    assert_eq!(detail["message"]["state"], "delivered");
}

#[tokio::test]
async fn an_endpoint_failing_for_days_is_disabled() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    let (endpoint, _) = endpoint(&app, &receiver.url, &["case.opened"]).await;
    let processors = processors(&app, "hooks-failing");
    let dispatcher = dispatcher(&processors);
    receiver.answer(503);
    for day in 0..6 {
        create_case(&app, TENANT, &format!("EMP-DAY-{day}")).await;
        for _ in 0..3 {
            pump(&processors, &dispatcher).await;
            clock.advance(time::Duration::hours(8));
        }
        let view = get(&app, &format!("/webhooks/endpoints/{endpoint}")).await;
        assert_eq!(view["enabled"], day < 5, "day {day}: {view}");
    }
    processors.webhook_feed().catch_up().await.expect("feed");
    let view = get(&app, &format!("/webhooks/endpoints/{endpoint}")).await;
    assert_eq!(view["disabled_reason"], "failing");
    assert!(view["disabled_detail"]
        .as_str()
        .expect("detail")
        .contains("days"));
}

#[tokio::test]
async fn a_dispatcher_killed_mid_backoff_or_mid_attempt_loses_nothing() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    let (endpoint, _) = endpoint(&app, &receiver.url, &[]).await;
    let processors = processors(&app, "hooks-kill");
    receiver.answer(503);
    decided_case(&app, "EMP-KILL").await;
    {
        // Mid-backoff: the first dispatcher failed once, then died.
        let first = dispatcher(&processors);
        assert_eq!(pump(&processors, &first).await, vec![Outcome::Retrying; 5]);
    }
    create_case(&app, TENANT, "EMP-KILL-2").await;
    processors.webhook_feed().catch_up().await.expect("feed");
    // Mid-attempt: a dispatcher claimed the new message and died holding it.
    let claimed = app
        .services
        .webhooks
        .outbox
        .claim(
            "dead-instance",
            veritrail_event_store::sql::millis(clock.now()),
            60_000,
            10,
        )
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);

    // Another instance takes over once the delays and the lease have passed.
    receiver.answer(200);
    clock.advance(time::Duration::minutes(2));
    let second = Dispatcher::new(
        app.services.webhooks.clone(),
        "instance-2",
        std::time::Duration::from_millis(50),
    )
    .expect("a dispatcher");
    assert_eq!(
        pump(&processors, &second).await,
        vec![Outcome::Delivered; 6]
    );
    assert_eq!(receiver.processed_ids().len(), 6);
    assert_eq!(receiver.accepted().len(), 6);
    let listed = messages(&app, &endpoint).await;
    assert!(listed.iter().all(|m| m["state"] == "delivered"));
}

#[tokio::test]
async fn two_dispatchers_never_send_a_message_twice() {
    let clock = clock();
    let settings = WebhookSettings {
        webhook_concurrency: 1,
        ..settings()
    };
    let app = app_with(Backend::Postgres, &clock, settings).await;
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &[]).await;
    let processors = processors(&app, "hooks-two");
    for n in 0..8 {
        create_case(&app, TENANT, &format!("EMP-TWO-{n}")).await;
    }
    processors.webhook_feed().catch_up().await.expect("feed");
    let webhooks = Arc::clone(&app.services.webhooks);
    let poll = std::time::Duration::from_millis(10);
    let a = Dispatcher::new(webhooks.clone(), "a", poll).expect("a");
    let b = Dispatcher::new(webhooks, "b", poll).expect("b");
    let (from_a, from_b) = tokio::join!(a.drain(), b.drain());
    let (from_a, from_b) = (from_a.expect("a"), from_b.expect("b"));
    assert_eq!(from_a.len() + from_b.len(), 8);
    assert_eq!(receiver.deliveries().len(), 8);
    assert_eq!(receiver.processed_ids().len(), 8);
}
