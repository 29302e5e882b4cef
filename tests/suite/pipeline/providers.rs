//! External check providers (CHK-11) against a local stub provider over
//! real HTTP: a workflow routes checks to providers; the request carries
//! the individual and the check's images under an idempotency key; the
//! answer comes by poll or by signed callback; every provider status is an
//! event visible on the check; a killed run resumes without submitting
//! again; a silent provider expires and the case goes to an officer.

use std::time::Duration;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use veritrail_application::providers::{sign, ProviderSettings};
use veritrail_event_store::Backend;
use veritrail_tests::provider_stub::{ProviderStub, StubMode};
use veritrail_tests::{spawn_app_with, AppOptions, As, TestApp};

use super::*;

const SECRET: &str = "callback-secret-1";

fn settings(
    name: &str,
    stub: &ProviderStub,
    poll_secs: u32,
    timeout_secs: u32,
) -> ProviderSettings {
    ProviderSettings {
        name: name.to_owned(),
        url: stub.url.clone(),
        token: format!("token-of-{name}"),
        callback_secret: SECRET.to_owned(),
        timeout_secs,
        poll_interval_secs: poll_secs,
        send_evidence: true,
    }
}

/// An app knowing `providers`, with the tenant registered.
async fn app_with(providers: Vec<ProviderSettings>) -> TestApp {
    let app = spawn_app_with(
        Backend::Postgres,
        AppOptions {
            providers,
            ..AppOptions::default()
        },
    )
    .await;
    app.register_tenant(TENANT).await;
    app
}

async fn put_workflow(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app
        .request(Method::PUT, "/workflow", As::org(TENANT))
        .json(&body)
        .send()
        .await
        .expect("workflow");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

fn workflow(order: Value, providers: Value, weights: Value, mandatory: Value) -> Value {
    json!({
        "order": order,
        "mandatory_checks": mandatory,
        "weights": weights,
        "accept_at": 80,
        "review_at": 60,
        "face_match_threshold": null,
        "respond_within_hours": 48,
        "check_timeout_secs": 60,
        "providers": providers,
    })
}

/// Opens a case for `checks` and submits the passport holder's data with
/// the passport as evidence; the case id and the passport's bytes.
async fn submitted(app: &TestApp, subject: &str, checks: &[&str]) -> (String, Vec<u8>) {
    let case = open(app, subject, checks).await;
    let (passport, truth) = passport("obama.jpg");
    let document = upload(app, &case, "passport", passport.clone()).await;
    let evidence = json!([{"kind": "passport", "media_id": document}]);
    submit(app, &case, &truth, evidence).await;
    (case, passport)
}

async fn case_status(app: &TestApp, case: &str) -> String {
    review_view(app, case).await["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn statuses(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            e["report"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn callback(app: &TestApp, provider: &str, body: &Value, secret: &str) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).expect("json");
    app.client
        .post(format!("{}/providers/{provider}/callbacks", app.address))
        .header("Veritrail-Provider-Signature", sign(secret, &bytes))
        .header("Content-Type", "application/json")
        .body(bytes)
        .send()
        .await
        .expect("callback")
}

#[tokio::test]
async fn providers_run_routed_checks_by_poll_and_their_states_are_on_the_check() {
    let docs = ProviderStub::start(StubMode::Immediate(json!({
        "status": "verified", "score": 95,
        "details": [{"name": "mrz", "passed": true, "detail": "check digits verify"}],
    })));
    let screening = ProviderStub::start(StubMode::PollThen {
        pending: 1,
        answer: json!({"status": "failed", "score": 5, "reason": "listed on a sanctions list"}),
    });
    let app = app_with(vec![
        settings("docs", &docs, 1, 60),
        settings("screening", &screening, 1, 60),
    ])
    .await;
    // Routing to a provider nobody configured is refused.
    let (status, body) = put_workflow(
        &app,
        workflow(
            json!(["compliance"]),
            json!({"compliance": "nobody"}),
            json!({"compliance": 100}),
            json!([]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["field"], "providers", "{body}");
    let (status, body) = put_workflow(
        &app,
        workflow(
            json!(["document"]),
            json!({"compliance": "screening"}),
            json!({"document": 100}),
            json!([]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = put_workflow(
        &app,
        workflow(
            json!(["document", "compliance"]),
            json!({"document": "docs", "compliance": "screening"}),
            json!({"document": 50, "compliance": 50}),
            json!(["compliance"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["providers"]["compliance"], "screening");

    let (case, passport) =
        submitted(&app, "subject-provider-poll", &["document", "compliance"]).await;
    let processors = processors(&app, "instance-a", Duration::from_secs(30));
    process(&processors).await;

    // The document provider got the individual and the passport as stored.
    let sent = docs.received();
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some("Bearer token-of-docs")
    );
    let reference = request.body["reference"].as_str().expect("reference");
    assert!(
        reference.contains(&case) && reference.ends_with("/document/1"),
        "{reference}"
    );
    assert_eq!(request.idempotency_key.as_deref(), Some(reference));
    assert_eq!(request.body["check"], "document");
    assert!(request.body["callback_url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/providers/docs/callbacks")));
    let images = request.body["evidence"].as_array().expect("evidence");
    assert_eq!(images.len(), 1);
    assert_eq!(images[0]["kind"], "passport");
    let image = base64::engine::general_purpose::STANDARD
        .decode(images[0]["data"].as_str().expect("data"))
        .expect("base64");
    image::load_from_memory(&image).expect("a real image");
    assert_ne!(
        Sha256::digest(&image),
        Sha256::digest(&passport),
        "the stored (re-encoded) image is sent"
    );
    // Screening got the subject and no images.
    let sent = screening.received();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].body["evidence"]
        .as_array()
        .is_some_and(Vec::is_empty));
    assert!(sent[0].body["subject"]["family_name"].is_string());
    assert!(screening.polls() >= 2, "answered on the second poll");

    // Every provider status is an event, and the last is on the check.
    let updates = events_of(&app, &case, "CheckProviderUpdated").await;
    let of = |check: &str| -> Vec<Value> {
        updates
            .iter()
            .filter(|e| e["check"] == check)
            .cloned()
            .collect()
    };
    assert_eq!(statuses(&of("document")), ["verified"]);
    assert_eq!(
        statuses(&of("compliance")),
        ["submitted", "processing", "failed"]
    );
    let view = review_view(&app, &case).await;
    assert_eq!(check(&view, "document")["state"], "verified", "{view}");
    assert_eq!(check(&view, "compliance")["state"], "failed", "{view}");
    let findings = view["findings"].as_array().expect("findings");
    let compliance = findings
        .iter()
        .find(|f| f["check"] == "compliance")
        .expect("compliance findings");
    assert_eq!(compliance["provider"]["name"], "screening");
    assert_eq!(compliance["provider"]["status"], "failed");
    assert_eq!(compliance["provider"]["reference"], "p-1");
    // A mandatory check failed on the provider's verdict: rejected.
    assert_eq!(view["status"], "FAILED", "{view}");
    assert!(
        view["reason"]
            .as_str()
            .is_some_and(|r| r.contains("sanctions")),
        "{view}"
    );
}

#[tokio::test]
async fn a_callback_answers_once_and_a_killed_run_resumes_without_submitting_again() {
    let screening = ProviderStub::start(StubMode::Pending);
    let app = app_with(vec![settings("screening", &screening, 0, 120)]).await;
    let (status, body) = put_workflow(
        &app,
        workflow(
            json!(["compliance"]),
            json!({"compliance": "screening"}),
            json!({"compliance": 100}),
            json!([]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (case, _) = submitted(&app, "subject-provider-callback", &["compliance"]).await;

    // The first instance hands the check over, then dies while it waits.
    let first = processors(&app, "instance-a", Duration::from_secs(2));
    let waiting = tokio::spawn(async move { process(&first).await });
    let mut handed_over = false;
    for _ in 0..100 {
        if !events_of(&app, &case, "CheckProviderUpdated")
            .await
            .is_empty()
        {
            handed_over = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(handed_over, "the check was handed to the provider");
    waiting.abort();
    let reference = screening.received()[0].body["reference"]
        .as_str()
        .expect("reference")
        .to_owned();

    let answer = json!({"id": "p-1", "reference": reference, "status": "verified", "score": 90});
    // Unsigned, wrongly signed, unknown provider, unknown request: refused.
    let response = callback(&app, "screening", &answer, "not-the-secret").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = callback(&app, "nobody", &answer, SECRET).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let other = json!({"id": "p-9", "reference": reference, "status": "verified"});
    let response = callback(&app, "screening", &other, SECRET).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "provider_report_not_awaited");
    let garbled = json!({"id": "p-1", "reference": "nonsense", "status": "verified"});
    let response = callback(&app, "screening", &garbled, SECRET).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The answer is recorded once; a redelivery is acknowledged.
    for recorded in [true, false] {
        let response = callback(&app, "screening", &answer, SECRET).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["recorded"], recorded);
    }
    let response = callback(
        &app,
        "screening",
        &json!({"id": "p-1", "reference": reference, "status": "failed"}),
        SECRET,
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "an answer is not changed"
    );

    // A second instance takes over once the lease lapses and finishes the
    // run from the recorded answer, without a second request.
    let second = processors(&app, "instance-b", Duration::from_secs(2));
    let mut status = String::new();
    for _ in 0..50 {
        // The job is in the list already; the second instance only works it.
        second.drain().await.expect("drain");
        status = case_status(&app, &case).await;
        if status != "PENDING_ADMIN" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, "COMPLETED", "accepted on the provider's verdict");
    assert_eq!(screening.received().len(), 1, "submitted once");
    let updates = events_of(&app, &case, "CheckProviderUpdated").await;
    assert_eq!(statuses(&updates), ["submitted", "verified"]);
    assert_eq!(events_of(&app, &case, "CheckResultRecorded").await.len(), 1);
}

#[tokio::test]
async fn a_provider_that_never_answers_expires_and_an_officer_decides() {
    let silent = ProviderStub::start(StubMode::Pending);
    let app = app_with(vec![settings("slow", &silent, 1, 5)]).await;
    let (status, body) = put_workflow(
        &app,
        workflow(
            json!(["compliance"]),
            json!({"compliance": "slow"}),
            json!({"compliance": 100}),
            json!(["compliance"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (case, _) = submitted(&app, "subject-provider-silent", &["compliance"]).await;
    let processors = processors(&app, "instance-a", Duration::from_secs(30));
    process(&processors).await;

    let updates = events_of(&app, &case, "CheckProviderUpdated").await;
    assert_eq!(statuses(&updates), ["submitted", "processing", "expired"]);
    let view = review_view(&app, &case).await;
    let compliance = check(&view, "compliance");
    assert_eq!(compliance["state"], "failed", "{view}");
    assert!(
        compliance["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no answer within 5 s")),
        "{view}"
    );
    // The provider's failure is not the individual's: an officer decides.
    assert_eq!(view["status"], "PENDING_ADMIN", "{view}");
    assert!(silent.polls() >= 3, "it was polled while waiting");
}
