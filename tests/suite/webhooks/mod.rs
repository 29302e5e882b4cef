//! Webhooks (issue 18) against a real local receiver over HTTP, with an
//! injected clock: time is moved, never slept. Signatures are checked with
//! the independent `standardwebhooks` package (scripts/check/verify_webhooks.py).

mod api;
mod delivery;
mod failures;

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::webhooks::WebhookSettings;
use veritrail_domain::FixedClock;
use veritrail_event_store::Backend;
use veritrail_processors::webhooks::{Dispatcher, Outcome};
use veritrail_processors::{ProcessorConfig, Processors};
use veritrail_tests::webhook_receiver::Delivery;
use veritrail_tests::{spawn_app_with, AppOptions, As, TestApp};

use crate::api_flow::{create_case, submit};

pub const TENANT: &str = "acme";

/// An app on `backend` whose webhooks follow `clock`.
pub async fn app_with(
    backend: Backend,
    clock: &Arc<FixedClock>,
    settings: WebhookSettings,
) -> TestApp {
    spawn_app_with(
        backend,
        AppOptions {
            clock: Some(clock.clone()),
            webhooks: settings,
            ..AppOptions::default()
        },
    )
    .await
}

/// Test settings: loopback receivers allowed, the defaults otherwise.
pub fn settings() -> WebhookSettings {
    WebhookSettings {
        webhook_allow_private_targets: true,
        ..WebhookSettings::default()
    }
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()))
}

/// Registers an endpoint for `types` (empty: all); its id and secret.
pub async fn endpoint(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let response = app
        .request(Method::POST, "/webhooks/endpoints", As::org(TENANT))
        .json(&json!({"url": url, "event_types": types, "description": "ours"}))
        .send()
        .await
        .expect("create an endpoint");
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    let secret = body["secret"].as_str().expect("the secret").to_owned();
    (body["id"].as_str().expect("id").to_owned(), secret)
}

pub async fn get(app: &TestApp, path: &str) -> Value {
    let response = app
        .request(Method::GET, path, As::org(TENANT))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.expect("json")
}

/// The endpoint's messages, newest first.
pub async fn messages(app: &TestApp, endpoint: &str) -> Vec<Value> {
    let body = get(app, &format!("/webhooks/endpoints/{endpoint}/messages")).await;
    body["messages"].as_array().expect("messages").clone()
}

/// A second instance's processors (workers unused): the webhook feed and
/// dispatcher are driven by hand.
pub fn processors(app: &TestApp, name: &str) -> Processors {
    let config = ProcessorConfig {
        poll: Duration::from_millis(50),
        public_url: "https://verify.example.com".to_owned(),
        ..ProcessorConfig::default()
    };
    Processors::new(app.test_db.db.clone(), app.services.clone(), config, name)
}

/// Feeds the log into the outbox, then sends everything due once.
pub async fn pump(processors: &Processors, dispatcher: &Dispatcher) -> Vec<Outcome> {
    processors
        .webhook_feed()
        .catch_up()
        .await
        .expect("the webhook feed");
    dispatcher.drain().await.expect("the dispatcher")
}

pub fn dispatcher(processors: &Processors) -> Dispatcher {
    processors.dispatcher().expect("a dispatcher")
}

/// A case opened, submitted, both checks verified by an officer and
/// completed: five webhook events.
pub async fn decided_case(app: &TestApp, subject: &str) -> String {
    let id = create_case(app, TENANT, subject).await;
    submit(app, TENANT, &id).await;
    for check in ["professional_registration", "bankruptcy"] {
        let path = format!("/admin/verifications/{id}/checks/{check}/review");
        let response = app
            .request(Method::POST, &path, As::officer(TENANT))
            .json(&json!({"outcome": "verified", "score": 90}))
            .send()
            .await
            .expect("review");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let decided = app
        .request(
            Method::PATCH,
            &format!("/admin/verifications/{id}"),
            As::officer(TENANT),
        )
        .json(&json!({"status": "COMPLETED", "outcome": "PASS"}))
        .send()
        .await
        .expect("decide");
    assert_eq!(decided.status(), StatusCode::OK);
    id
}

/// What the reference library says of `deliveries` signed with `secret`:
/// (matched, verified in full, failures).
pub fn reference_check(deliveries: &[Delivery], secret: &str) -> (u64, u64, Vec<Value>) {
    let python = std::env::var("VERITRAIL_WEBHOOK_PYTHON").expect(
        "VERITRAIL_WEBHOOK_PYTHON: the standardwebhooks venv's python (scripts/lib/webhooks.sh, run by scripts/test.sh)",
    );
    let input: Vec<Value> = deliveries
        .iter()
        .map(|d| json!({"secret": secret, "id": d.id, "timestamp": d.timestamp, "signature": d.signature, "body": d.body}))
        .collect();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/check/verify_webhooks.py"
    );
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the reference checker");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(json!(input).to_string().as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("the checker's answer");
    assert!(output.status.success(), "the checker failed");
    let answer: Value = serde_json::from_slice(&output.stdout).expect("json");
    (
        answer["matched"].as_u64().expect("matched"),
        answer["verified"].as_u64().expect("verified"),
        answer["failures"].as_array().expect("failures").clone(),
    )
}
