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
