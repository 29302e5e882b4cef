//! Webhook delivery (issue 18 item 7) on the real service and PostgreSQL,
//! to a local receiver over HTTP:
//! - throughput: a backlog of messages drained by one dispatcher
//!   (`webhook_concurrency` at once), printed next to its ceiling in the
//!   same run — the same bodies POSTed straight to the receiver with the
//!   same concurrency and no signing, outbox or log;
//! - latency: from the commit of the event (the API's answer to the request
//!   that opened a case) to the receiver's arrival, with the feed and the
//!   dispatcher running as in `veritrail serve` (default poll 200 ms).
//!
//! `bash scripts/bench-webhooks.sh [MESSAGES]`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_processors::{ProcessorConfig, Processors};
use veritrail_tests::webhook_receiver::Receiver;
use veritrail_tests::{spawn_app_with, AppOptions, As, TestApp};

const TENANT: &str = "bench";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn open(app: &TestApp, subject: String) -> (String, Instant) {
    let response = app
        .request(Method::POST, "/verifications", As::org(TENANT))
        .json(&json!({"subject": {"id": subject}, "requested_checks": ["kya"]}))
        .send()
        .await
        .expect("open");
    let committed = Instant::now();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    (body["id"].as_str().expect("id").to_owned(), committed)
}

async fn register(app: &TestApp, url: &str) {
    let response = app
        .request(Method::POST, "/webhooks/endpoints", As::org(TENANT))
        .json(&json!({"url": url, "event_types": ["case.opened"]}))
        .send()
        .await
        .expect("endpoint");
    assert_eq!(response.status(), StatusCode::CREATED);
}

fn processors(app: &TestApp, name: &str) -> Processors {
    let config = ProcessorConfig {
        public_url: "https://verify.example.com".into(),
        ..ProcessorConfig::default()
    };
    Processors::new(app.test_db.db.clone(), app.services.clone(), config, name)
}

/// Backlog drained by one dispatcher, then the same bodies sent raw.
async fn throughput(messages: usize) {
    let app = spawn_app_with(Backend::Postgres, AppOptions::default()).await;
    let receiver = Receiver::start().await;
    register(&app, &receiver.url).await;
    let opening = futures::stream::iter(0..messages)
        .map(|n| open(&app, format!("t-{n}")))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(opening.len(), messages);
    let processors = processors(&app, "bench-throughput");
    processors.webhook_feed().catch_up().await.expect("feed");
    let dispatcher = processors.dispatcher().expect("dispatcher");
    let started = Instant::now();
    let sent = dispatcher.drain().await.expect("drain");
    let ours = messages as f64 / started.elapsed().as_secs_f64();
    assert_eq!(sent.len(), messages);
    assert_eq!(receiver.processed_ids().len(), messages);

    let bodies: Vec<String> = receiver.accepted().into_iter().map(|d| d.body).collect();
    let client = reqwest::Client::new();
    let concurrency = app.services.webhooks.settings.webhook_concurrency;
    let started = Instant::now();
    futures::stream::iter(bodies)
        .map(|body| {
            let request = client.post(&receiver.url).body(body);
            async move { request.send().await.expect("raw post").status() }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    let raw = messages as f64 / started.elapsed().as_secs_f64();
    println!("throughput, {messages} messages, {concurrency} at once:");
    println!("  dispatcher (claim, sign, POST, log, settle) {ours:8.0} deliveries/s");
    println!("  ceiling: the same POSTs, raw                {raw:8.0} requests/s");
    println!(
        "  ratio                                       {:8.1} %",
        100.0 * ours / raw
    );
}

/// Commit → arrival with the feed and dispatcher running in the background.
async fn latency(cases: usize) {
    let app = spawn_app_with(Backend::Postgres, AppOptions::default()).await;
    let receiver = Receiver::start().await;
    register(&app, &receiver.url).await;
    let processors = processors(&app, "bench-latency");
    let tasks = processors.spawn();
    let mut committed = HashMap::new();
    for n in 0..cases {
        let (case, at) = open(&app, format!("l-{n}")).await;
        committed.insert(case, at);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.processed_ids().len() < cases && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for task in tasks {
        task.abort();
    }
    let mut ms: Vec<f64> = receiver
        .accepted()
        .iter()
        .map(|d| {
            let case = d.json()["data"]["case_id"]
                .as_str()
                .expect("case")
                .to_owned();
            let at = committed[&case];
            d.received_at.saturating_duration_since(at).as_secs_f64() * 1000.0
        })
        .collect();
    assert_eq!(ms.len(), cases, "every event delivered");
    ms.sort_by(f64::total_cmp);
    println!(
        "latency, commit → arrival, {cases} cases one at a time (poll {} ms): p50 {:.0} ms  p99 {:.0} ms  max {:.0} ms",
        ProcessorConfig::default().poll.as_millis(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let messages: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    throughput(messages).await;
    latency(200).await;
}
