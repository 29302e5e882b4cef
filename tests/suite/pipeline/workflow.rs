//! `POST /kyc/verify` (seed 003 §8.5): one request, a 202 with the job,
//! and the decision polled at `GET /kyc/verify/{id}`; a bad image or a
//! subject with an active case is refused whole, leaving no event and no
//! blob.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, spawn_app_with, AppOptions, As};

use super::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn request(subject: &str, selfie: &[u8]) -> Value {
    let (passport, truth) = passport("obama.jpg");
    let fields = &truth["fields"];
    json!({
        "subject": {"id": subject},
        "individual": {
            "given_names": fields["given_names"],
            "family_name": fields["surname"],
            "date_of_birth": fields["birth_date"],
            "nationality": fields["nationality"],
            "email": "holder@gmx.net",
        },
        "document": {"kind": "passport", "front_base64": b64(&passport)},
        "selfie_base64": b64(selfie),
    })
}

async fn post(app: &TestApp, body: &Value) -> reqwest::Response {
    app.request(Method::POST, "/kyc/verify", As::org(TENANT))
        .json(body)
        .send()
        .await
        .expect("verify")
}

fn files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn one_request_is_verified_and_its_decision_polled() {
    let options = AppOptions {
        processors: true,
        ..AppOptions::default()
    };
    let app = spawn_app_with(Backend::Postgres, options).await;
    let response = post(&app, &request("KYC-1", &photo("obama2.jpg"))).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let job: Value = response.json().await.expect("json");
    assert_eq!(
        location,
        format!("/kyc/verify/{}", job["job_id"].as_str().expect("id"))
    );
    assert!(["queued", "processing"].contains(&job["status"].as_str().expect("status")));
    assert_eq!(
        job["case"]["status"], "PENDING_ADMIN",
        "submitted with the request"
    );
    assert!(
        job["case"]["invitation"]["token"].is_string(),
        "for retakes"
    );

    let mut polled = Value::Null;
    for _ in 0..600 {
        polled = app
            .request(Method::GET, &location, As::org(TENANT))
            .send()
            .await
            .expect("poll")
            .json()
            .await
            .expect("json");
        if polled["status"] == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(polled["status"], "completed", "{polled}");
    assert_eq!(polled["decision"], "accepted");
    assert_eq!(polled["case"]["status"], "COMPLETED");
    assert!(polled["score"]["total"].as_u64().expect("total") >= 80);
    assert_eq!(
        polled["score"]["factors"]
            .as_array()
            .expect("factors")
            .len(),
        4
    );
    // The organisation was billed one workflow and each module once.
    for module in [
        Module::Workflow,
        Module::Liveness,
        Module::Ocr,
        Module::FaceMatch,
    ] {
        assert_eq!(billed(&app, module).await, 1, "{module:?}");
    }
}

#[tokio::test]
async fn a_refused_request_leaves_no_event_and_no_blob() {
    let app = spawn_app(Backend::Sqlite).await;
    let before = app.all_events().await.len();
    // A GIF is not accepted, whatever it is called.
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let response = post(&app, &request("KYC-2", &gif)).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["details"]["field"], "selfie_base64", "{body}");
    // More than 10 MB.
    let huge = vec![0xFFu8; 10 * 1024 * 1024 + 1];
    let response = post(&app, &request("KYC-2", &huge)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.all_events().await.len(), before);
    assert_eq!(files(app.media.path()), 0);

    // A subject with an active case: 409, and the images are not kept.
    let case = open(&app, "KYC-3", &ALL_CHECKS).await;
    let before = app.all_events().await.len();
    let response = post(&app, &request("KYC-3", &photo("obama2.jpg"))).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "active_case_exists");
    assert_eq!(body["error"]["details"]["case_id"], case.as_str());
    assert_eq!(app.all_events().await.len(), before);
    assert_eq!(files(app.media.path()), 0);
}

async fn put_workflow(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let response = app
        .request(Method::PUT, "/workflow", As::org(TENANT))
        .json(body)
        .send()
        .await
        .expect("workflow");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

fn workflow(weights: Value, accept_at: u8, review_at: u8) -> Value {
    json!({
        "order": ["document", "face_match"],
        "mandatory_checks": ["face_match"],
        "mandatory_fields": ["email", "nationality"],
        "weights": weights,
        "accept_at": accept_at,
        "review_at": review_at,
        "face_match_threshold": null,
        "respond_within_hours": 48,
        "check_timeout_secs": 60,
    })
}

#[tokio::test]
async fn a_tenants_workflow_is_versioned_and_judges_its_cases() {
    let app = spawn_app(Backend::Postgres).await;
    app.register_tenant(TENANT).await;
    let default: Value = app
        .request(Method::GET, "/workflow", As::org(TENANT))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(default["version"], 0);
    assert_eq!(default["weights"]["face_match"], 40);
    assert_eq!(
        default["order"],
        json!(["liveness", "document", "face_match", "kya"])
    );

    // Refused whole, the version unchanged.
    let good = workflow(json!({"face_match": 60, "document": 40}), 90, 50);
    for (field, bad) in [
        ("order", json!({"order": ["compliance"]})),
        ("weights", json!({"weights": {"document": 101}})),
        (
            "mandatory_checks",
            json!({"mandatory_checks": ["liveness"]}),
        ),
        ("respond_within_hours", json!({"respond_within_hours": 0})),
    ] {
        let mut body = good.clone();
        for (k, v) in bad.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, answer) = put_workflow(&app, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        assert_eq!(answer["error"]["details"]["field"], field, "{answer}");
    }
    let (status, first) = put_workflow(&app, &good).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["version"], 1);

    // Mandatory fields: a submission without a nationality is refused.
    let mut body = request("WF-0", &photo("obama2.jpg"));
    body["individual"]
        .as_object_mut()
        .expect("object")
        .remove("nationality");
    let before = app.all_events().await.len();
    let response = post(&app, &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(
        answer["error"]["details"]["field"], "nationality",
        "{answer}"
    );
    assert_eq!(app.all_events().await.len(), before);

    // The workflow's checks, order, weights and version decide a case.
    let processors = processors(&app, "test", Duration::from_secs(30));
    let response = post(&app, &request("WF-1", &photo("obama2.jpg"))).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let job: Value = response.json().await.expect("json");
    let checks: Vec<&str> = job["case"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["check"].as_str())
        .collect();
    assert_eq!(checks, ["document", "face_match"]);
    process(&processors).await;
    let case = job["job_id"].as_str().expect("id");
    let view = review_view(&app, case).await;
    assert_eq!(view["status"], "COMPLETED", "{view}");
    assert_eq!(view["score"]["policy_version"], 1);
    assert!(
        view["score"]["total"].as_u64().expect("total") >= 90,
        "{view}"
    );
    for findings in view["findings"].as_array().expect("findings") {
        assert_eq!(findings["policy_version"], 1, "{findings}");
    }

    // Version 2 weighs the face lightly, but a failed mandatory face match
    // still rejects a case whose score alone would pass.
    let (_, second) = put_workflow(
        &app,
        &workflow(json!({"face_match": 10, "document": 90}), 50, 40),
    )
    .await;
    assert_eq!(second["version"], 2);
    let response = post(&app, &request("WF-2", &photo("biden.jpg"))).await;
    let job: Value = response.json().await.expect("json");
    process(&processors).await;
    let view = review_view(&app, job["job_id"].as_str().expect("id")).await;
    assert_eq!(view["status"], "FAILED", "{view}");
    assert_eq!(view["score"]["policy_version"], 2);
    assert_eq!(view["score"]["verdict"], "rejected");
    assert!(
        view["score"]["total"].as_u64().expect("total") >= 50,
        "{view}"
    );
}
