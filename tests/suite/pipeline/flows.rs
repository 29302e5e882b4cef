//! The decisions the pipeline makes on real photos: a genuine applicant is
//! accepted, someone else's selfie rejected with the face explanation, a
//! blurry document sent back with a hint and accepted once retaken.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_domain::tenant::Module;
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As};

use super::*;

veritrail_tests::both_backends!(
    a_genuine_applicant_is_accepted_with_every_factor_explained,
    someone_elses_selfie_is_rejected_with_the_face_explanation,
);

async fn a_genuine_applicant_is_accepted_with_every_factor_explained(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = submitted_case(&app, "APPLICANT-1", "obama2.jpg").await;
    let processors = processors(&app, "test", Duration::from_secs(30));
    assert_eq!(process(&processors).await, 1);

    let view = review_view(&app, &case).await;
    assert_eq!(view["status"], "COMPLETED", "{view}");
    assert_eq!(view["decided_by"]["kind"], "system");
    for name in ALL_CHECKS {
        assert_eq!(check(&view, name)["state"], "verified", "{name}: {view}");
    }
    let score = &view["score"];
    assert_eq!(score["verdict"], "accepted");
    assert!(score["total"].as_u64().expect("total") >= 80, "{score}");
    assert_eq!(score["factors"].as_array().expect("factors").len(), 4);
    let face = score["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .find(|f| f["check"] == "face_match")
        .expect("face factor");
    assert!(
        face["explanation"]
            .as_str()
            .expect("text")
            .contains("threshold"),
        "{face}"
    );
    // Every module ran once and was billed once; a second pass changes nothing.
    for module in [Module::Liveness, Module::Ocr, Module::FaceMatch] {
        assert_eq!(billed(&app, module).await, 1, "{module:?}");
    }
    let events = app.all_events().await.len();
    assert_eq!(process(&processors).await, 0);
    assert_eq!(app.all_events().await.len(), events);
}

async fn someone_elses_selfie_is_rejected_with_the_face_explanation(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = submitted_case(&app, "APPLICANT-2", "biden.jpg").await;
    process(&processors(&app, "test", Duration::from_secs(30))).await;

    let view = review_view(&app, &case).await;
    assert_eq!(view["status"], "FAILED", "{view}");
    assert_eq!(check(&view, "face_match")["state"], "failed");
    let reason = view["reason"].as_str().expect("reason");
    assert!(
        reason.contains("face_match") && reason.contains("similarity") && reason.contains('<'),
        "{reason}"
    );
    assert_eq!(view["score"]["verdict"], "rejected");
}

#[tokio::test]
async fn a_blurry_document_is_sent_back_with_a_hint_and_accepted_once_retaken() {
    let app = spawn_app(Backend::Postgres).await;
    let case = open(&app, "APPLICANT-3", &ALL_CHECKS).await;
    let (sharp, truth) = passport("obama.jpg");
    let blurred = {
        let image = image::load_from_memory(&sharp).expect("decode").to_rgb8();
        jpeg(&image::imageops::blur(&image, 6.0))
    };
    let document = upload(&app, &case, "passport", blurred).await;
    let selfie = upload(&app, &case, "selfie", photo("obama2.jpg")).await;
    let evidence = json!([
        {"kind": "passport", "media_id": document},
        {"kind": "selfie", "media_id": selfie},
    ]);
    submit(&app, &case, &truth, evidence).await;
    let processors = processors(&app, "test", Duration::from_secs(30));
    process(&processors).await;

    let view = review_view(&app, &case).await;
    assert_eq!(view["status"], "PENDING_ADMIN", "{view}");
    let doc = check(&view, "document");
    assert_eq!(doc["state"], "requires_action", "{view}");
    assert!(doc["hint"].as_str().is_some_and(|h| !h.is_empty()), "{doc}");
    assert!(view["score"].is_null(), "not scored while waiting: {view}");

    // The individual retakes the photo and resubmits it for the document.
    let retaken = upload(&app, &case, "passport", sharp).await;
    let response = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/checks/document/resubmit"),
            As::individual(TENANT),
        )
        .json(&json!({"evidence": [{"kind": "passport", "media_id": retaken}]}))
        .send()
        .await
        .expect("resubmit");
    assert_eq!(response.status(), StatusCode::OK);
    process(&processors).await;
    let view: Value = review_view(&app, &case).await;
    assert_eq!(view["status"], "COMPLETED", "{view}");
    assert_eq!(check(&view, "document")["state"], "verified");
    // The blurry photo and the retake were each read, and billed, once.
    assert_eq!(billed(&app, Module::Ocr).await, 2);
}

#[tokio::test]
async fn kya_judges_the_phone_and_its_country_against_the_declared_one() {
    let app = spawn_app(Backend::Postgres).await;
    let mut cases = Vec::new();
    for (subject, phone) in [
        ("PHONE-FR", "+33 6 12 34 56 78"),
        ("PHONE-AU", "+61 412 345 678"),
    ] {
        let case = open(&app, subject, &["kya"]).await;
        let body = json!({
            "given_names": "Jane", "family_name": "Citizen", "date_of_birth": "1988-02-29",
            "nationality": "AUS", "email": "jane@gmx.net", "phone": phone,
        });
        let (status, answer) = put_data(&app, &case, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        cases.push(case);
    }
    // Not E.164: refused at submission.
    let case = open(&app, "PHONE-BAD", &["kya"]).await;
    let body = json!({
        "given_names": "Jane", "family_name": "Citizen", "date_of_birth": "1988-02-29",
        "phone": "0612345678",
    });
    let (status, answer) = put_data(&app, &case, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    let processors = processors(&app, "instance-a", Duration::from_secs(30));
    process(&processors).await;
    let finding = |view: &Value, name: &str| -> Value {
        view["findings"][0]["details"]
            .as_array()
            .expect("details")
            .iter()
            .find(|d| d["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {view}"))
    };
    let french = review_view(&app, &cases[0]).await;
    assert_eq!(finding(&french, "phone")["passed"], true, "{french}");
    assert_eq!(
        finding(&french, "country_coherence")["passed"],
        false,
        "{french}"
    );
    assert_eq!(check(&french, "kya")["state"], "failed", "{french}");
    let australian = review_view(&app, &cases[1]).await;
    assert_eq!(
        finding(&australian, "country_coherence")["passed"],
        true,
        "{australian}"
    );
    assert_eq!(
        check(&australian, "kya")["state"],
        "verified",
        "{australian}"
    );
}
