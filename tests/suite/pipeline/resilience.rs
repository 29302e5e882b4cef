//! Processing survives redelivery, crashes and other instances: a check's
//! result is recorded once and billed once whatever happens, and a case
//! whose processing keeps failing is handed to an officer, never left
//! processing silently (CASE-9).

use std::time::Duration;

use veritrail_domain::tenant::Module;
use veritrail_event_store::sql::{execute, Param};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, spawn_app_with, AppOptions};

use super::*;

veritrail_tests::both_backends!(
    a_redelivered_submission_changes_nothing,
    a_case_that_keeps_failing_is_parked_and_handed_to_an_officer,
);

/// Exactly one result per check, and each module billed `times`.
async fn recorded_once(app: &TestApp, case: &str, times: u64) {
    let results = events_of(app, case, "CheckResultRecorded").await;
    for name in ALL_CHECKS {
        let of_check = results.iter().filter(|r| r["check"] == name).count();
        assert_eq!(of_check, 1, "results of {name}: {results:?}");
    }
    for module in [Module::Liveness, Module::Ocr, Module::FaceMatch] {
        assert_eq!(billed(app, module).await, times, "{module:?}");
    }
}

async fn a_redelivered_submission_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = submitted_case(&app, "REDELIVERED", "obama2.jpg").await;
    let processors = processors(&app, "test", Duration::from_secs(30));
    process(&processors).await;
    let before = app.all_events().await.len();
    // The feed reads the whole log again: every trigger is delivered twice.
    execute(
        &app.test_db.db,
        "UPDATE projection_checkpoints SET last_tx = 0, last_position = 0 WHERE name = $1",
        &[Param::Text("pipeline_feed".into())],
    )
    .await
    .expect("rewind the feed");
    assert_eq!(process(&processors).await, 1, "the job runs again");
    assert_eq!(app.all_events().await.len(), before, "and records nothing");
    recorded_once(&app, &case, 1).await;
    assert_eq!(review_view(&app, &case).await["status"], "COMPLETED");
}

#[tokio::test]
async fn a_processor_killed_mid_check_is_taken_over_without_a_second_result_or_bill() {
    let app = spawn_app(Backend::Postgres).await;
    let case = submitted_case(&app, "KILLED", "obama2.jpg").await;
    let lease = Duration::from_secs(1);
    let first = processors(&app, "first", lease);
    first.feed().catch_up().await.expect("feed");
    // The first instance dies as soon as its first check has started.
    let dying = first.clone();
    let pass = tokio::spawn(async move { dying.work_once("first/worker").await });
    loop {
        if !events_of(&app, &case, "CheckStarted").await.is_empty() {
            pass.abort();
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let _ = pass.await;
    // Nobody else may take the case while the dead worker's lease lasts.
    let second = processors(&app, "second", lease);
    assert_eq!(second.drain().await.expect("drain"), 0);
    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    assert_eq!(second.drain().await.expect("drain"), 1);

    let started = events_of(&app, &case, "CheckStarted").await;
    let taken_over = started
        .iter()
        .filter(|s| s["check"] == started[0]["check"])
        .count();
    assert_eq!(
        taken_over, 2,
        "the started check was taken over: {started:?}"
    );
    assert_ne!(started[0]["run"], started[1]["run"]);
    recorded_once(&app, &case, 1).await;
    assert_eq!(review_view(&app, &case).await["status"], "COMPLETED");
}

#[tokio::test]
async fn two_instances_share_the_cases_and_never_run_a_check_twice() {
    let app = spawn_app(Backend::Postgres).await;
    let mut cases = Vec::new();
    for i in 0..4 {
        cases.push(submitted_case(&app, &format!("SHARED-{i}"), "obama2.jpg").await);
    }
    let (a, b) = (
        processors(&app, "a", Duration::from_secs(30)),
        processors(&app, "b", Duration::from_secs(30)),
    );
    a.feed().catch_up().await.expect("feed");
    let (done_a, done_b) = tokio::join!(a.drain(), b.drain());
    let (done_a, done_b) = (done_a.expect("a"), done_b.expect("b"));
    assert_eq!(done_a + done_b, 4, "a {done_a}, b {done_b}");
    for case in &cases {
        let started = events_of(&app, case, "CheckStarted").await;
        assert_eq!(started.len(), 4, "one run per check: {started:?}");
        assert_eq!(review_view(&app, case).await["status"], "COMPLETED");
    }
    for module in [Module::Liveness, Module::Ocr, Module::FaceMatch] {
        assert_eq!(billed(&app, module).await, 4, "{module:?}");
    }
}

#[tokio::test]
async fn the_service_processes_submissions_on_its_own() {
    let options = AppOptions {
        processors: true,
        ..AppOptions::default()
    };
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let case = submitted_case(&app, "IN-PROCESS", "obama2.jpg").await;
    let mut status = Value::Null;
    for _ in 0..600 {
        status = review_view(&app, &case).await["status"].clone();
        if status == "COMPLETED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "COMPLETED");
}

async fn a_case_that_keeps_failing_is_parked_and_handed_to_an_officer(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = submitted_case(&app, "BROKEN-STORE", "obama2.jpg").await;
    // The media store fails (a file where the tenant's directory was).
    let tenant_dir = app.media.path().join(TENANT);
    std::fs::rename(&tenant_dir, app.media.path().join("moved")).expect("move");
    std::fs::write(&tenant_dir, b"not a directory").expect("block");
    let processors = processors(&app, "test", Duration::from_secs(30));
    processors.feed().catch_up().await.expect("feed");
    let mut job = None;
    for _ in 0..100 {
        processors.drain().await.expect("drain");
        job = processors.jobs().get(&case).await.expect("job");
        if job.as_ref().is_some_and(|j| j.state == "parked") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let job = job.expect("a job");
    assert_eq!((job.state.as_str(), job.failures), ("parked", 5), "{job:?}");
    assert!(job.last_error.is_some());

    let view = review_view(&app, &case).await;
    assert_eq!(
        view["status"], "PENDING_ADMIN",
        "held for an officer: {view}"
    );
    for name in ALL_CHECKS {
        let state = &check(&view, name)["state"];
        assert_ne!(state, "processing", "{name} left processing: {view}");
        assert_ne!(state, "submitted", "{name} left waiting: {view}");
    }
    let liveness = check(&view, "liveness");
    assert!(
        liveness["reason"]
            .as_str()
            .is_some_and(|r| r.contains("processing failed repeatedly")),
        "{liveness}"
    );
    assert_eq!(view["score"]["verdict"], "review", "{view}");
    assert_eq!(
        billed(&app, Module::Liveness).await,
        0,
        "nothing ran, nothing billed"
    );
}
