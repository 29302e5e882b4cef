//! The verification pipeline end to end (issue 16): from the individual's
//! submission to the system's decision, on the real service (HTTP, the
//! processors in-process with their default settings, PostgreSQL) and the
//! real models, with a genuine applicant (passport and selfie of the same
//! person). Printed next to its ceiling measured in the same run: the same
//! checks called directly on the same images, one after the other.
//! `bash scripts/bench-pipeline.sh [CASES]`.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::checks::document::DocumentEvidence;
use veritrail_application::checks::face_match::FaceEvidence;
use veritrail_application::checks::liveness::LivenessEvidence;
use veritrail_application::RequestContext;
use veritrail_domain::{Actor, TenantId};
use veritrail_event_store::Backend;
use veritrail_tests::fixtures::{jpeg, passport};
use veritrail_tests::{face_eval, spawn_app_with, AppOptions, As, TestApp};

const TENANT: &str = "bench";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    (
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[ms.len() - 1],
    )
}

fn print(name: &str, ms: Vec<f64>) -> f64 {
    let n = ms.len();
    let (p50, p95, max) = summary(ms);
    println!("{name:<44} n={n:<3} p50 {p50:7.0} ms  p95 {p95:7.0} ms  max {max:7.0} ms");
    p50
}

/// A case with the passport and the selfie uploaded, ready to submit:
/// its id and the submission.
async fn prepared(
    app: &TestApp,
    n: usize,
    document: &[u8],
    selfie: &[u8],
    truth: &Value,
) -> (String, Value) {
    let response = app
        .request(Method::POST, "/verifications", As::org(TENANT))
        .json(&json!({
            "subject": {"id": format!("bench-{n}")},
            "requested_checks": ["liveness", "document", "face_match", "kya"],
        }))
        .send()
        .await
        .expect("open");
    assert_eq!(response.status(), StatusCode::CREATED);
    let case = response.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let doc = app
        .upload_jpeg(TENANT, &case, "passport", document.to_vec())
        .await;
    let face = app
        .upload_jpeg(TENANT, &case, "selfie", selfie.to_vec())
        .await;
    let fields = &truth["fields"];
    let submission = json!({
        "given_names": fields["given_names"],
        "family_name": fields["surname"],
        "date_of_birth": fields["birth_date"],
        "nationality": fields["nationality"],
        "email": "holder@gmx.net",
        "evidence": [{"kind": "passport", "media_id": doc}, {"kind": "selfie", "media_id": face}],
    });
    (case, submission)
}

async fn submit(app: &TestApp, case: &str, submission: &Value) {
    let response = app
        .request(
            Method::PUT,
            &format!("/verifications/{case}/data"),
            As::individual(TENANT),
        )
        .json(submission)
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), StatusCode::OK);
}

/// Waits until the case is scored (the decision is in the same commit);
/// its status.
async fn decided(app: &TestApp, case: &str) -> String {
    loop {
        let view: Value = app
            .request(
                Method::GET,
                &format!("/admin/verifications/{case}"),
                As::officer(TENANT),
            )
            .send()
            .await
            .expect("view")
            .json()
            .await
            .expect("json");
        if !view["score"].is_null() {
            return view["status"].as_str().unwrap_or_default().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The checks alone: document, face match and passive liveness on the same
/// images, one after the other, straight through the application.
async fn checks_alone(app: &TestApp, document: &[u8], selfie: &[u8]) -> f64 {
    let tenant = TenantId::parse(TENANT).expect("tenant");
    let ctx = RequestContext::new(tenant, Actor::system());
    let started = Instant::now();
    let checks = &app.services.checks;
    let evidence = DocumentEvidence {
        front: document.to_vec(),
        back: None,
        document_hint: Some("passport".to_owned()),
        country_hint: None,
    };
    checks.document(&ctx, evidence).await.expect("document");
    let faces = FaceEvidence {
        selfie: selfie.to_vec(),
        document: document.to_vec(),
    };
    checks.face_match(&ctx, faces).await.expect("face match");
    let image = selfie.to_vec();
    let field = "selfie".to_owned();
    checks
        .liveness(&ctx, LivenessEvidence::Passive { field, image })
        .await
        .expect("liveness");
    started.elapsed().as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20);
    let options = AppOptions {
        processors: true,
        ..AppOptions::default()
    };
    let app = spawn_app_with(Backend::Postgres, options).await;
    let (document, truth) = passport("obama.jpg");
    let selfie = jpeg(&face_eval::load("obama2.jpg"));

    // Warm the engines (first OCR and inference runs load models).
    checks_alone(&app, &document, &selfie).await;
    let mut alone = Vec::new();
    for _ in 0..cases {
        alone.push(checks_alone(&app, &document, &selfie).await);
    }
    let ceiling = print("checks alone (document, face, liveness)", alone);

    // One case at a time: the latency of the pipeline itself.
    let mut latency = Vec::new();
    let mut outcomes = Vec::new();
    for n in 0..cases {
        let (case, submission) = prepared(&app, n, &document, &selfie, &truth).await;
        let started = Instant::now();
        submit(&app, &case, &submission).await;
        outcomes.push(decided(&app, &case).await);
        latency.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let p50 = print("pipeline, one case at a time", latency);
    println!(
        "  overhead over the checks alone: {:.0} ms at p50 ({:.0} %); outcomes: {} completed of {}",
        p50 - ceiling,
        100.0 * (p50 - ceiling) / ceiling,
        outcomes.iter().filter(|o| *o == "COMPLETED").count(),
        outcomes.len()
    );

    // A burst: every case submitted at once.
    let mut ready = Vec::new();
    for n in 0..cases {
        ready.push(prepared(&app, cases + n, &document, &selfie, &truth).await);
    }
    let started = Instant::now();
    let runs = ready.into_iter().map(|(case, submission)| {
        let app = &app;
        async move {
            let submitted = Instant::now();
            submit(app, &case, &submission).await;
            decided(app, &case).await;
            submitted.elapsed().as_secs_f64() * 1000.0
        }
    });
    let burst = futures::future::join_all(runs).await;
    let wall = started.elapsed().as_secs_f64();
    print(&format!("pipeline, burst of {cases}"), burst);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let best = cores as f64 * 1000.0 / ceiling;
    println!(
        "  throughput {:.2} cases/s; ceiling {:.2} cases/s ({cores} cores each running the checks alone); {:.0} % of it",
        cases as f64 / wall,
        best,
        100.0 * cases as f64 / wall / best
    );
    Ok(())
}
