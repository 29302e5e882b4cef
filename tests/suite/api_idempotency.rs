//! Idempotency-Key (CASE-10): retries replay, never re-append.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, spawn_app_with, AppOptions, As};

use crate::api_flow::{create_case, submission};

async fn a_retried_request_replays_its_response_and_appends_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let create = json!({"subject": {"id": "EMP-idem"}, "requested_checks": ["document"]});
    let first = app
        .request(Method::POST, "/verifications", As::org("acme"))
        .header("Idempotency-Key", "create-emp-idem-1")
        .json(&create)
        .send()
        .await
        .expect("first");
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_location = first.headers()["location"].clone();
    let first_body: Value = first.json().await.expect("json");
    let events_after_first = app.all_events().await;

    let retry = app
        .request(Method::POST, "/verifications", As::org("acme"))
        .header("Idempotency-Key", "create-emp-idem-1")
        .json(&create)
        .send()
        .await
        .expect("retry");
    assert_eq!(
        retry.status(),
        StatusCode::CREATED,
        "the original status, not 200"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["location"], first_location);
    let retry_body: Value = retry.json().await.expect("json");
    assert_eq!(retry_body, first_body);
    assert_eq!(app.all_events().await, events_after_first);

    // A submission retried with its key replays 200 instead of a 409.
    let id = first_body["id"].as_str().expect("id");
    let path = format!("/verifications/{id}/data");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .request(Method::PUT, &path, As::individual("acme"))
            .header("Idempotency-Key", "submit-1")
            .json(&submission())
            .send()
            .await
            .expect("submit");
        statuses.push(response.status());
    }
    assert_eq!(statuses, [StatusCode::OK; 3]);
    let submitted = app
        .all_events()
        .await
        .iter()
        .filter(|e| e.event_type == "DataSubmitted")
        .count();
    assert_eq!(submitted, 1);

    // The same key with another body, or on another route, is refused.
    let mut other = submission();
    other["family_name"] = json!("Someone-Else");
    let reused = app
        .request(Method::PUT, &path, As::individual("acme"))
        .header("Idempotency-Key", "submit-1")
        .json(&other)
        .send()
        .await
        .expect("reuse");
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = reused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "idempotency_key_reused");

    // Keys are per caller: another client may use the same key for its own request.
    let other_client = app
        .request(
            Method::POST,
            "/verifications",
            As {
                tenant: "acme",
                kind: "organisation",
                id: "other-client",
            },
        )
        .header("Idempotency-Key", "create-emp-idem-1")
        .json(&json!({"subject": {"id": "EMP-other"}, "requested_checks": ["document"]}))
        .send()
        .await
        .expect("other client");
    assert_eq!(other_client.status(), StatusCode::CREATED);

    // Refusals are remembered too: the retry gets the same 4xx.
    let cancel = |reason: &str| {
        app.request(
            Method::POST,
            &format!("/verifications/{id}/cancel"),
            As::org("acme"),
        )
        .header("Idempotency-Key", "cancel-blank")
        .json(&json!({"reason": reason}))
    };
    let first = cancel(" ").send().await.expect("cancel");
    let again = cancel(" ").send().await.expect("cancel");
    assert_eq!(first.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
}

async fn concurrent_requests_with_one_key_run_once(backend: Backend) {
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let id = create_case(&app, "acme", "EMP-dup").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, barrier, id) = (app.clone(), barrier.clone(), id.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                app.request(
                    Method::PUT,
                    &format!("/verifications/{id}/data"),
                    As::individual("acme"),
                )
                .header("Idempotency-Key", "same-key")
                .json(&submission())
                .send()
                .await
                .expect("submit")
                .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    // Each got the result (200) or was told the first is still running (409).
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| matches!(*s, StatusCode::OK | StatusCode::CONFLICT)),
        "{statuses:?}"
    );
    let submitted = app
        .all_events()
        .await
        .iter()
        .filter(|e| e.event_type == "DataSubmitted")
        .count();
    assert_eq!(submitted, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_key_is_forgotten() {
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            idempotency_ttl_hours: 0,
            ..AppOptions::default()
        },
    )
    .await;
    let id = create_case(&app, "acme", "EMP-exp").await;
    let path = format!("/verifications/{id}/data");
    let send = || {
        app.request(Method::PUT, &path, As::individual("acme"))
            .header("Idempotency-Key", "k")
            .json(&submission())
            .send()
    };
    assert_eq!(send().await.expect("first").status(), StatusCode::OK);
    // With a zero lifetime the key is gone: the retry runs again and is refused.
    let second = send().await.expect("second");
    assert_eq!(second.status(), StatusCode::CONFLICT);
    assert!(second.headers().get("idempotent-replayed").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_key_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .request(Method::POST, "/verifications", As::org("acme"))
        .header("Idempotency-Key", "x".repeat(300))
        .json(&json!({"subject": {"id": "E"}, "requested_checks": ["document"]}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_idempotency_key");
    assert!(app.all_events().await.is_empty());
}

veritrail_tests::both_backends!(
    a_retried_request_replays_its_response_and_appends_nothing,
    concurrent_requests_with_one_key_run_once,
);
