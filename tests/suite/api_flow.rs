//! The seed 000 flow over HTTP, on both backends: the organisation creates,
//! the individual submits, the officer reviews and decides, the organisation
//! reads the final status.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As, TestApp};

veritrail_tests::both_backends!(
    seed_000_flow_ends_completed_for_the_organisation,
    seed_000_flow_can_end_failed_with_a_reason,
    a_second_create_for_the_same_subject_returns_the_active_case,
    retry_cancel_and_recreate_work_over_http,
    concurrent_if_match_writers_exactly_one_wins,
);

pub async fn create_case(app: &TestApp, tenant: &str, subject: &str) -> String {
    let response = app
        .request(Method::POST, "/verifications", As::org(tenant))
        .json(&json!({
            "subject": {"id": subject, "display_name": "Jane Citizen"},
            "requested_checks": ["professional_registration", "bankruptcy"],
            "entities": ["company-1"]
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "PENDING_ORG");
    assert_eq!(
        location,
        format!("/verifications/{}", body["id"].as_str().expect("id"))
    );
    let id = body["id"].as_str().expect("id").to_owned();
    // The answer is rendered from the case as the request wrote it, not
    // replayed: it must equal the case as the store gives it back.
    let stored: Value = app
        .request(
            Method::GET,
            &format!("/admin/verifications/{id}"),
            As::officer(tenant),
        )
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    for field in [
        "status",
        "checks",
        "subject",
        "entities",
        "version",
        "opened_at",
    ] {
        assert_eq!(body[field], stored[field], "{field}");
    }
    id
}

pub fn submission() -> Value {
    json!({
        "given_names": "Jane",
        "family_name": "Citizen",
        "date_of_birth": "1988-02-29",
        "nationality": "AUS",
        "email": "jane@example.com",
        "evidence": [],
        "declared_income": {"amount": "84500.00", "currency": "AUD"}
    })
}

pub async fn submit(app: &TestApp, tenant: &str, id: &str) {
    let response = app
        .request(
            Method::PUT,
            &format!("/verifications/{id}/data"),
            As::individual(tenant),
        )
        .json(&submission())
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "PENDING_ADMIN");
}

async fn review(app: &TestApp, id: &str, check: &str, body: Value) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/admin/verifications/{id}/checks/{check}/review"),
        As::officer("acme"),
    )
    .json(&body)
    .send()
    .await
    .expect("review")
}

async fn seed_000_flow_ends_completed_for_the_organisation(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-0042").await;
    submit(&app, "acme", &id).await;

    // The officer sees everything that was submitted.
    let admin: Value = app
        .request(
            Method::GET,
            &format!("/admin/verifications/{id}"),
            As::officer("acme"),
        )
        .send()
        .await
        .expect("admin get")
        .json()
        .await
        .expect("json");
    assert_eq!(admin["submission"]["family_name"], "Citizen");
    assert_eq!(admin["submission"]["declared_income"]["amount"], "84500.00");
    assert!(admin["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .all(|c| c["state"] == "submitted"));

    // Completing before the checks are judged is refused, naming them.
    let early = app
        .request(
            Method::PATCH,
            &format!("/admin/verifications/{id}"),
            As::officer("acme"),
        )
        .json(&json!({"status": "COMPLETED", "outcome": "PASS"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let error: Value = early.json().await.expect("json");
    assert_eq!(error["error"]["code"], "checks_outstanding");

    // The officer judges the evidence, bypasses one check with a comment, decides.
    let reviewed = review(
        &app,
        &id,
        "professional_registration",
        json!({"outcome": "verified", "score": 95}),
    )
    .await;
    assert_eq!(reviewed.status(), StatusCode::OK);
    let bypassed = app
        .request(
            Method::POST,
            &format!("/admin/verifications/{id}/checks/bankruptcy/bypass"),
            As::officer("acme"),
        )
        .json(&json!({"comment": "insolvency register checked by phone"}))
        .send()
        .await
        .expect("bypass");
    assert_eq!(bypassed.status(), StatusCode::OK);
    let decided = app
        .request(
            Method::PATCH,
            &format!("/admin/verifications/{id}"),
            As::officer("acme"),
        )
        .json(&json!({"status": "COMPLETED", "outcome": "PASS"}))
        .send()
        .await
        .expect("decide");
    assert_eq!(decided.status(), StatusCode::OK);

    // The organisation reads the final status.
    let final_view = app
        .request(
            Method::GET,
            &format!("/verifications/{id}"),
            As::org("acme"),
        )
        .send()
        .await
        .expect("get");
    assert_eq!(final_view.status(), StatusCode::OK);
    let etag = final_view.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = final_view.json().await.expect("json");
    assert_eq!(body["status"], "COMPLETED");
    assert_eq!(body["outcome"], "PASS");
    assert_eq!(body["decided_by"], json!({"kind": "officer", "id": "vo-1"}));
    let bankruptcy = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "bankruptcy")
        .expect("bankruptcy check");
    assert_eq!(bankruptcy["state"], "bypassed");
    assert_eq!(
        bankruptcy["bypass_comment"],
        "insolvency register checked by phone"
    );
    assert!(
        body.get("submission").is_none(),
        "organisations do not get the PII view"
    );

    // Every step is an event with its actor; the ETag is the stream version.
    let events: Vec<_> = app
        .all_events()
        .await
        .into_iter()
        .filter(|e| e.aggregate_id == id)
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "CaseOpened",
            "DataSubmitted",
            "CheckStarted",
            "CheckResultRecorded",
            "CheckBypassed",
            "CaseCompleted"
        ]
    );
    assert_eq!(etag, format!("\"{}\"", events.len()));
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e.metadata["actor_kind"].as_str().expect("actor kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "organisation",
            "individual",
            "officer",
            "officer",
            "officer",
            "officer"
        ]
    );
    assert!(events
        .iter()
        .all(|e| e.tenant_id.as_deref() == Some("acme")));
}

async fn seed_000_flow_can_end_failed_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-0043").await;
    submit(&app, "acme", &id).await;
    let failed = review(
        &app,
        &id,
        "professional_registration",
        json!({"outcome": "failed", "reason": "registration expired"}),
    )
    .await;
    assert_eq!(failed.status(), StatusCode::OK);
    let decided = app
        .request(
            Method::PATCH,
            &format!("/admin/verifications/{id}"),
            As::officer("acme"),
        )
        .json(&json!({"status": "FAILED", "reason": "Expired registration"}))
        .send()
        .await
        .expect("decide");
    assert_eq!(decided.status(), StatusCode::OK);
    let body: Value = app
        .request(
            Method::GET,
            &format!("/verifications/{id}"),
            As::org("acme"),
        )
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(body["status"], "FAILED");
    assert_eq!(body["reason"], "Expired registration");
}

async fn a_second_create_for_the_same_subject_returns_the_active_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-7").await;
    let again = app
        .request(Method::POST, "/verifications", As::org("acme"))
        // Any of the active case's checks (asking for others is refused:
        // read_api's get-or-request test).
        .json(&json!({"subject": {"id": "EMP-7"}, "requested_checks": ["bankruptcy"]}))
        .send()
        .await
        .expect("create again");
    assert_eq!(again.status(), StatusCode::OK);
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["id"], id.as_str());
}

async fn retry_cancel_and_recreate_work_over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-8").await;
    submit(&app, "acme", &id).await;
    review(
        &app,
        &id,
        "bankruptcy",
        json!({"outcome": "failed", "reason": "name mismatch"}),
    )
    .await;
    let retried = app
        .request(
            Method::POST,
            &format!("/verifications/{id}/retry"),
            As::org("acme"),
        )
        .json(&json!({"check": "bankruptcy"}))
        .send()
        .await
        .expect("retry");
    assert_eq!(retried.status(), StatusCode::OK);
    let body: Value = retried.json().await.expect("json");
    let check = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "bankruptcy")
        .expect("check")
        .clone();
    assert_eq!(
        (check["state"].clone(), check["attempt"].clone()),
        (json!("submitted"), json!(2))
    );

    let recreated = app
        .request(Method::POST, &format!("/verifications/{id}/recreate"), As::org("acme"))
        .json(&json!({"reason": "wrong person invited", "trigger": "organisation_request", "comment": "new email"}))
        .send()
        .await
        .expect("recreate");
    assert_eq!(recreated.status(), StatusCode::CREATED);
    let new_case: Value = recreated.json().await.expect("json");
    assert_ne!(new_case["id"], id.as_str());
    assert_eq!(new_case["restart"]["previous_case"], id.as_str());
    assert_eq!(new_case["restart"]["trigger"], "organisation_request");
    assert_eq!(new_case["restart"]["previous_attempt_abandoned"], false);
    let old: Value = app
        .request(
            Method::GET,
            &format!("/verifications/{id}"),
            As::org("acme"),
        )
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(old["status"], "CANCELLED");
    assert_eq!(old["replaced_by"], new_case["id"]);

    let new_id = new_case["id"].as_str().expect("id");
    let cancelled = app
        .request(
            Method::POST,
            &format!("/verifications/{new_id}/cancel"),
            As::org("acme"),
        )
        .json(&json!({"reason": "position withdrawn"}))
        .send()
        .await
        .expect("cancel");
    assert_eq!(cancelled.status(), StatusCode::OK);
    let body: Value = cancelled.json().await.expect("json");
    assert_eq!(
        (body["status"].clone(), body["reason"].clone()),
        (json!("CANCELLED"), json!("position withdrawn"))
    );
}

async fn concurrent_if_match_writers_exactly_one_wins(backend: Backend) {
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let id = create_case(&app, "acme", "EMP-race").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(6));
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (app, barrier, id) = (app.clone(), barrier.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            app.request(
                Method::POST,
                &format!("/verifications/{id}/cancel"),
                As::org("acme"),
            )
            .header("If-Match", "\"1\"")
            .json(&json!({"reason": format!("writer {i}")}))
            .send()
            .await
            .expect("cancel")
            .status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(
        *s,
        StatusCode::OK | StatusCode::PRECONDITION_FAILED | StatusCode::CONFLICT
    )));
    let version = app
        .test_db
        .db
        .stream_version("VerificationCase", &id)
        .await
        .expect("version");
    assert_eq!(version, 2);

    // A stale If-Match afterwards is refused with 412 and appends nothing.
    let stale = app
        .request(
            Method::POST,
            &format!("/verifications/{id}/retry"),
            As::org("acme"),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"check": "bankruptcy"}))
        .send()
        .await
        .expect("stale");
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let error: Value = stale.json().await.expect("json");
    assert_eq!(error["error"]["code"], "precondition_failed");
    assert_eq!(error["error"]["details"]["current"], 2);
    assert_eq!(
        app.test_db
            .db
            .stream_version("VerificationCase", &id)
            .await
            .expect("version"),
        2
    );
}
