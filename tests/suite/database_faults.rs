//! A database that cannot serve is a clear 503 with `Retry-After`, never a
//! 500, and nothing is half-written (issue 12 item 10). Here: the database
//! turned read-only (as a full disk or a failover replica leaves it), then
//! writable again. Restarts and kill -9 under load are in tests/fault/.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As, TestApp};

/// Sets the test database's default read-only mode and makes every other
/// session reconnect to pick it up.
async fn read_only(app: &TestApp, on: bool) {
    use sqlx::Connection as _;
    // Its own connection, outside the application's pool, whose every
    // session is ended so that it reconnects with the new default.
    let mut admin = sqlx::PgConnection::connect(&app.test_db.url)
        .await
        .expect("connect");
    let setting = if on { "on" } else { "off" };
    sqlx::query("SET default_transaction_read_only = off")
        .execute(&mut admin)
        .await
        .expect("a writable admin session");
    sqlx::query(&format!(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = {setting}', current_database()); END $$"
    ))
    .execute(&mut admin)
    .await
    .expect("alter database");
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .await
    .expect("terminate sessions");
    admin.close().await.expect("close");
}

async fn create(app: &TestApp, subject: &str) -> reqwest::Response {
    app.request(Method::POST, "/verifications", As::org("acme"))
        .header("Idempotency-Key", format!("create-{subject}"))
        .json(&json!({"subject": {"id": subject}, "requested_checks": ["bankruptcy"]}))
        .send()
        .await
        .expect("send")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_answers_503_and_writes_nothing() {
    let app = spawn_app(Backend::Postgres).await;
    let first = create(&app, "EMP-ro-1").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let case: Value = first.json().await.expect("json");
    app.wait_for_projections().await;
    let before = app.all_events().await.len();

    read_only(&app, true).await;
    for attempt in 0..3 {
        let refused = create(&app, "EMP-ro-2").await;
        assert_eq!(
            refused.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "attempt {attempt}"
        );
        assert_eq!(refused.headers()["retry-after"], "2");
        let body: Value = refused.json().await.expect("json");
        assert_eq!(body["error"]["code"], "database_unavailable");
        assert_eq!(body["error"]["details"]["retryable"], true);
    }
    // Reads still work.
    let read = app
        .request(
            Method::GET,
            &format!("/verifications/{}", case["id"].as_str().expect("id")),
            As::org("acme"),
        )
        .send()
        .await
        .expect("read");
    assert_eq!(read.status(), StatusCode::OK);

    read_only(&app, false).await;
    assert_eq!(app.all_events().await.len(), before, "nothing was written");
    // The same key, retried once the database is writable again, opens the case.
    let retried = create(&app, "EMP-ro-2").await;
    assert_eq!(retried.status(), StatusCode::CREATED);
}

/// A key whose request ended while the database was away cannot be marked
/// abandoned then; the heartbeat writes the mark once it is back, and
/// another instance's retry continues the request instead of waiting for
/// this (living) instance forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mark_that_failed_is_written_when_the_database_is_back() {
    use veritrail_application::idempotency::{IdempotencyStore, Reservation};
    let app = spawn_app(Backend::Postgres).await;
    let ttl = time::Duration::hours(24);
    let here = IdempotencyStore::new(app.test_db.db.clone(), ttl);
    let there = IdempotencyStore::new(app.test_db.db.clone(), ttl);
    let now = time::OffsetDateTime::now_utc();
    here.heartbeat("here:1", now).await.expect("heartbeat");
    there.heartbeat("there:1", now).await.expect("heartbeat");
    let request = uuid::Uuid::now_v7();
    let claim = here.claim("acme", "org", "k1").expect("claim");
    let reserved = here
        .reserve(&claim, "acme", "org", "k1", "hash", request, now)
        .await
        .expect("reserve");
    assert!(matches!(reserved, Reservation::Reserved));

    read_only(&app, true).await;
    assert!(here.abandon("acme", "org", "k1").await.is_err());
    drop(claim);
    read_only(&app, false).await;

    // Until the mark is written, another instance sees a living owner.
    let other = there.claim("acme", "org", "k1").expect("claim");
    let waiting = there
        .reserve(
            &other,
            "acme",
            "org",
            "k1",
            "hash",
            uuid::Uuid::now_v7(),
            now,
        )
        .await
        .expect("reserve");
    assert!(matches!(waiting, Reservation::InProgress { .. }));

    here.retry_abandons().await;
    let continued = there
        .reserve(
            &other,
            "acme",
            "org",
            "k1",
            "hash",
            uuid::Uuid::now_v7(),
            now,
        )
        .await
        .expect("reserve");
    match continued {
        Reservation::Recovered { request_id } => assert_eq!(request_id, request),
        other => panic!("expected the request to be continued, got {other:?}"),
    }
}
