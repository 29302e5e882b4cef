//! Idempotency keys left "in progress" by a process that died (kill -9) are
//! taken over by the next retry within seconds, and that retry continues the
//! interrupted request: what it committed is answered, not committed again;
//! what it did not commit runs once. The dead process is simulated exactly
//! as it leaves the database: its key row names an owner that no longer
//! heartbeats, and the request's events (if it got that far) carry its id.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use veritrail_event_store::{Backend, EventDatabase};
use veritrail_tests::{spawn_app, As, TestApp};

use crate::api_flow::submission;

pub(crate) fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{method}\n{path}\n").as_bytes());
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// The row a process leaves when it dies while running request `request_id`.
pub(crate) async fn abandoned_key(
    app: &TestApp,
    actor: &str,
    key: &str,
    hash: &str,
    request_id: Uuid,
    owner: &str,
) {
    let EventDatabase::Postgres(pool) = &app.test_db.db else {
        unreachable!("PostgreSQL suite")
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sqlx::query(
        "INSERT INTO idempotency_keys (tenant_id, actor_id, idempotency_key, request_hash, created_at, expires_at, owner, request_id)
         VALUES ('acme', $1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(actor)
    .bind(key)
    .bind(hash)
    .bind(now)
    .bind(now + 86_400)
    .bind(owner)
    .bind(request_id.to_string())
    .execute(pool)
    .await
    .expect("abandoned key");
}

/// A JSON request with exactly these body bytes (the fingerprint's input).
pub(crate) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    who: As<'_>,
    (name, value): (&str, &str),
    body: &[u8],
) -> reqwest::Response {
    app.request(method, path, who)
        .header(name, value)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("send")
}

fn count(events: &[veritrail_event_store::RecordedEvent], kind: &str) -> usize {
    events.iter().filter(|e| e.event_type == kind).count()
}

async fn workflow_used(app: &TestApp) -> Value {
    let usage = app.usage("acme").await;
    usage["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .find(|m| m["module"] == "workflow")
        .map(|m| m["used"].clone())
        .unwrap_or(Value::Null)
}

/// A create of `subject` that committed (and billed) under a request whose
/// key `key` was then left in progress by `owner`; its case and body.
async fn committed_create(
    app: &TestApp,
    subject: &str,
    key: &str,
    owner: &str,
) -> (Value, Vec<u8>) {
    let body = serde_json::to_vec(&json!({
        "subject": {"id": subject}, "requested_checks": ["bankruptcy"]
    }))
    .expect("json");
    let interrupted = Uuid::now_v7();
    let first = send(
        app,
        Method::POST,
        "/verifications",
        As::org("acme"),
        ("X-Request-Id", &interrupted.to_string()),
        &body,
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let case: Value = first.json().await.expect("json");
    let hash = fingerprint("POST", "/verifications", &body);
    abandoned_key(app, "org-client", key, &hash, interrupted, owner).await;
    (case, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_committed_before_the_crash_is_answered_not_repeated() {
    let app = spawn_app(Backend::Postgres).await;
    let (case, body) = committed_create(&app, "EMP-crash-1", "create-1", "killed-process").await;
    let before = app.all_events().await;

    let retry = send(
        &app,
        Method::POST,
        "/verifications",
        As::org("acme"),
        ("Idempotency-Key", "create-1"),
        &body,
    )
    .await;
    assert_eq!(
        retry.status(),
        StatusCode::CREATED,
        "the answer the caller never got"
    );
    let answer: Value = retry.json().await.expect("json");
    assert_eq!(answer["id"], case["id"]);
    assert!(
        answer["invitation"]["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("vti_")),
        "the caller gets an invitation token: {answer}"
    );
    let after = app.all_events().await;
    assert_eq!(count(&after, "CaseOpened"), 1, "opened once");
    assert_eq!(
        count(&after, "CaseAssigned"),
        count(&before, "CaseAssigned")
    );
    assert_eq!(workflow_used(&app).await, json!(1), "billed once");
    // The key is now complete: a further retry replays the stored answer.
    let again = send(
        &app,
        Method::POST,
        "/verifications",
        As::org("acme"),
        ("Idempotency-Key", "create-1"),
        &body,
    )
    .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_committed_before_the_crash_is_not_decided_again() {
    let app = spawn_app(Backend::Postgres).await;
    let id = crate::api_flow::create_case(&app, "acme", "EMP-crash-2").await;
    let path = format!("/verifications/{id}/data");
    let body = serde_json::to_vec(&submission()).expect("json");
    let interrupted = Uuid::now_v7();
    let first = send(
        &app,
        Method::PUT,
        &path,
        As::individual("acme"),
        ("X-Request-Id", &interrupted.to_string()),
        &body,
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let version = first.headers()["etag"].clone();
    let hash = fingerprint("PUT", &path, &body);
    abandoned_key(
        &app,
        "invitation-1",
        "submit-1",
        &hash,
        interrupted,
        "killed-process",
    )
    .await;
    let before = app.all_events().await.len();
    // Submitting twice is illegal: only continuing the request answers 200.
    let retry = send(
        &app,
        Method::PUT,
        &path,
        As::individual("acme"),
        ("Idempotency-Key", "submit-1"),
        &body,
    )
    .await;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(retry.headers()["etag"], version);
    assert_eq!(app.all_events().await.len(), before, "nothing appended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_committed_nothing_runs_once_and_a_live_owner_is_waited_for() {
    let app = spawn_app(Backend::Postgres).await;
    let body = serde_json::to_vec(&json!({
        "subject": {"id": "EMP-crash-3"}, "requested_checks": ["bankruptcy"]
    }))
    .expect("json");
    let hash = fingerprint("POST", "/verifications", &body);
    // Died before committing anything.
    abandoned_key(
        &app,
        "org-client",
        "create-3",
        &hash,
        Uuid::now_v7(),
        "killed-process",
    )
    .await;
    let retry = send(
        &app,
        Method::POST,
        "/verifications",
        As::org("acme"),
        ("Idempotency-Key", "create-3"),
        &body,
    )
    .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(count(&app.all_events().await, "CaseOpened"), 1);

    // A key whose owner still heartbeats is in progress: 409, retry later.
    let EventDatabase::Postgres(pool) = &app.test_db.db else {
        unreachable!("PostgreSQL suite")
    };
    let now_ms = veritrail_projections::millis(time::OffsetDateTime::now_utc());
    sqlx::query("INSERT INTO instances (process_id, instance_id, started_at, heartbeat_ms) VALUES ('busy', 'other:1', 0, $1)")
        .bind(now_ms)
        .execute(pool)
        .await
        .expect("live instance");
    abandoned_key(
        &app,
        "org-client",
        "create-4",
        &hash,
        Uuid::now_v7(),
        "busy",
    )
    .await;
    let busy = send(
        &app,
        Method::POST,
        "/verifications",
        As::org("acme"),
        ("Idempotency-Key", "create-4"),
        &body,
    )
    .await;
    assert_eq!(busy.status(), StatusCode::CONFLICT);
    assert_eq!(busy.headers()["retry-after"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_say_whether_a_read_will_see_them() {
    let app = spawn_app(Backend::Postgres).await;
    let response = app
        .request(Method::POST, "/verifications", As::org("acme"))
        .json(&json!({"subject": {"id": "EMP-ryw"}, "requested_checks": ["bankruptcy"]}))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-read-consistency"], "read-your-writes");
}

/// A key this very process left in progress (its request ended with a 5xx
/// after committing, and marking the key failed) is continued by the retry,
/// not refused as in progress forever (found by the fault suite).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_this_process_abandoned_is_continued_by_the_retry() {
    let app = spawn_app(Backend::Postgres).await;
    let EventDatabase::Postgres(pool) = &app.test_db.db else {
        unreachable!("PostgreSQL suite")
    };
    let me: String = sqlx::query_scalar("SELECT process_id FROM instances")
        .fetch_one(pool)
        .await
        .expect("this process heartbeats");
    let (case, body) = committed_create(&app, "EMP-crash-5", "create-5", &me).await;
    let retry = send(
        &app,
        Method::POST,
        "/verifications",
        As::org("acme"),
        ("Idempotency-Key", "create-5"),
        &body,
    )
    .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    let answer: Value = retry.json().await.expect("json");
    assert_eq!(answer["id"], case["id"]);
    assert_eq!(count(&app.all_events().await, "CaseOpened"), 1);
}
