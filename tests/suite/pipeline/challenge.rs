//! Active liveness in a case: the individual takes a challenge, uploads
//! its frames as `liveness_frame` evidence and names the challenge in the
//! submission (taken there, once, within its expiry); the processors judge
//! the frames against the steps asked, on the real models.

use image::RgbImage;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_face::liveness::Step;
use veritrail_tests::{face_eval, liveness_eval, spawn_app, As, TestApp};

use super::*;

async fn challenge(app: &TestApp) -> (String, String, Vec<Step>) {
    let response = app
        .request(Method::POST, "/liveness/challenge", As::individual(TENANT))
        .json(&json!({}))
        .send()
        .await
        .expect("challenge");
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "individuals take challenges"
    );
    let c: Value = response.json().await.expect("json");
    let steps = c["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| Step::parse(s["step"].as_str().expect("step")).expect("known step"))
        .collect();
    (
        c["challenge_id"].as_str().expect("id").to_owned(),
        c["nonce"].as_str().expect("nonce").to_owned(),
        steps,
    )
}

/// Uploads `frames` as liveness frames; their evidence entries, in order.
async fn frames(app: &TestApp, case: &str, frames: &[RgbImage]) -> Vec<Value> {
    let mut evidence = Vec::new();
    for frame in frames {
        let id = upload(app, case, "liveness_frame", jpeg(frame)).await;
        evidence.push(json!({"kind": "liveness_frame", "media_id": id}));
    }
    evidence
}

async fn submit_with(
    app: &TestApp,
    case: &str,
    evidence: &[Value],
    challenge: &(String, String, Vec<Step>),
) -> (StatusCode, Value) {
    let body = json!({
        "given_names": "Barack",
        "family_name": "Obama",
        "date_of_birth": "1961-08-04",
        "evidence": evidence,
        "liveness_challenge": {"challenge_id": challenge.0, "nonce": challenge.1},
    });
    put_data(app, case, &body).await
}

#[tokio::test]
async fn a_case_answers_a_challenge_and_its_frames_prove_liveness() {
    let app = spawn_app(Backend::Postgres).await;
    let engine =
        veritrail_face::FaceEngine::load(&veritrail_face::model_dir(), 1).expect("face models");
    let photo = face_eval::load("obama.jpg");
    let taken = challenge(&app).await;
    let genuine = liveness_eval::genuine_frames(&engine, &photo, &taken.2);

    let case = open(&app, "subject-challenge", &["liveness"]).await;
    let evidence = frames(&app, &case, &genuine).await;
    // Too few frames: refused, nothing recorded, the challenge not spent.
    let (status, body) = submit_with(&app, &case, &evidence[..3], &taken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["field"], "evidence", "{body}");
    assert!(events_of(&app, &case, "DataSubmitted").await.is_empty());
    let (status, body) = submit_with(&app, &case, &evidence, &taken).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let submitted = events_of(&app, &case, "DataSubmitted").await;
    let recorded = &submitted[0]["submission"]["liveness_challenge"];
    assert_eq!(recorded["challenge_id"], taken.0.as_str());
    assert_eq!(recorded["steps"].as_array().map(Vec::len), Some(3));
    assert!(
        !submitted[0].to_string().contains(&taken.1),
        "the nonce is not kept"
    );

    // The challenge is spent: another case cannot answer it again.
    let other = open(&app, "subject-challenge-2", &["liveness"]).await;
    let replay = frames(&app, &other, &genuine).await;
    let (status, body) = submit_with(&app, &other, &replay, &taken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["details"]["field"], "liveness_challenge",
        "{body}"
    );

    // A still photo for every frame answers no movement: not live.
    let still = challenge(&app).await;
    let photo_attack = vec![genuine[0].clone(); 4];
    let (status, body) = submit_with(
        &app,
        &other,
        &frames(&app, &other, &photo_attack).await,
        &still,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let processors = processors(&app, "instance-a", Duration::from_secs(30));
    process(&processors).await;
    let view = review_view(&app, &case).await;
    let liveness = check(&view, "liveness");
    assert_eq!(liveness["state"], "verified", "{view}");
    assert!(
        liveness["score"].as_u64().is_some_and(|s| s > 60),
        "an answered challenge proves more than a selfie can: {view}"
    );
    let findings = view["findings"].to_string();
    assert!(findings.contains("active challenge answered"), "{findings}");
    let attacked = review_view(&app, &other).await;
    assert_ne!(
        check(&attacked, "liveness")["state"],
        "verified",
        "{attacked}"
    );
}
