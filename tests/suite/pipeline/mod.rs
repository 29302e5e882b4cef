//! The verification pipeline end to end (issue 16): evidence uploaded to a
//! case, the processors running liveness, the document, the face match and
//! KYA on real models and real photos, the score, and the decision it
//! makes — with redelivery, a killed processor and a second instance.

mod challenge;
mod flows;
mod providers;
mod resilience;
mod workflow;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_domain::tenant::{Module, Period};
use veritrail_domain::TenantId;
use veritrail_processors::{ProcessorConfig, Processors};
use veritrail_tests::{face_eval, As, TestApp};

pub const TENANT: &str = "acme";

pub use veritrail_tests::fixtures::{jpeg, passport};

pub fn photo(name: &str) -> Vec<u8> {
    jpeg(&face_eval::load(name))
}

/// Opens a case asking for the four automatic checks; its id.
pub async fn open(app: &TestApp, subject: &str, checks: &[&str]) -> String {
    let response = app
        .request(Method::POST, "/verifications", As::org(TENANT))
        .json(&json!({
            "subject": {"id": subject},
            "requested_checks": checks,
        }))
        .send()
        .await
        .expect("open");
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

pub const ALL_CHECKS: [&str; 4] = ["liveness", "document", "face_match", "kya"];

/// Uploads one image as the individual; its media id.
pub async fn upload(app: &TestApp, case: &str, kind: &str, bytes: Vec<u8>) -> String {
    app.upload_jpeg(TENANT, case, kind, bytes).await
}

/// `PUT /verifications/{case}/data` as the individual; the answer.
pub async fn put_data(app: &TestApp, case: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .request(
            Method::PUT,
            &format!("/verifications/{case}/data"),
            As::individual(TENANT),
        )
        .json(body)
        .send()
        .await
        .expect("submit");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// Submits the passport holder's data with the uploads as evidence.
pub async fn submit(app: &TestApp, case: &str, truth: &Value, evidence: Value) {
    let fields = &truth["fields"];
    let body = json!({
        "given_names": fields["given_names"],
        "family_name": fields["surname"],
        "date_of_birth": fields["birth_date"],
        "nationality": fields["nationality"],
        "email": "holder@gmx.net",
        "evidence": evidence,
    });
    let (status, answer) = put_data(app, case, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// A case of the passport holder (Obama's portrait) with `selfie`, submitted.
pub async fn submitted_case(app: &TestApp, subject: &str, selfie: &str) -> String {
    let case = open(app, subject, &ALL_CHECKS).await;
    let (passport, truth) = passport("obama.jpg");
    let document = upload(app, &case, "passport", passport).await;
    let selfie = upload(app, &case, "selfie", photo(selfie)).await;
    let evidence = json!([
        {"kind": "passport", "media_id": document},
        {"kind": "selfie", "media_id": selfie},
    ]);
    submit(app, &case, &truth, evidence).await;
    case
}

/// The officer's view of the case.
pub async fn review_view(app: &TestApp, case: &str) -> Value {
    let response = app
        .request(
            Method::GET,
            &format!("/admin/verifications/{case}"),
            As::officer(TENANT),
        )
        .send()
        .await
        .expect("view");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// Processors over the app's services, driven by the test.
pub fn processors(app: &TestApp, name: &str, lease: Duration) -> Processors {
    Processors::new(
        app.test_db.db.clone(),
        app.services.clone(),
        ProcessorConfig {
            workers: 1,
            lease,
            poll: Duration::from_millis(50),
            max_failures: 5,
            backoff: Duration::from_millis(10),
            escalate_after: Duration::from_secs(900),
            ..ProcessorConfig::default()
        },
        name,
    )
}

/// Feeds the jobs and works them off.
pub async fn process(processors: &Processors) -> usize {
    processors.feed().catch_up().await.expect("feed");
    processors.drain().await.expect("drain")
}

/// How many calls of `module` the tenant was billed this month.
pub async fn billed(app: &TestApp, module: Module) -> u64 {
    let tenant = TenantId::parse(TENANT).expect("tenant");
    let now = time::OffsetDateTime::now_utc();
    let usage = app
        .services
        .metering
        .usage(&tenant, Period::of(now))
        .await
        .expect("usage");
    usage
        .iter()
        .find(|u| u.module == module)
        .map_or(0, |u| u.used)
}

/// The case's events of one type, as JSON payloads.
pub async fn events_of(app: &TestApp, case: &str, kind: &str) -> Vec<Value> {
    app.all_events()
        .await
        .into_iter()
        .filter(|e| e.aggregate_id == case && e.event_type == kind)
        .map(|e| e.payload[kind].clone())
        .collect()
}

pub fn check<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {view}"))
}
