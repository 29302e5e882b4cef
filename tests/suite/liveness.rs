//! Liveness on real models: APCER/BPCER on the generated presentations, and
//! the challenge flow over HTTP (issue, answer once, replays and attacks
//! refused, passive single-frame answers).

use std::io::Cursor;

use base64::Engine as _;
use image::RgbImage;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_face::liveness::{self, Step};
use veritrail_tests::{face_eval, liveness_eval, spawn_app, As, TestApp};

fn engine() -> veritrail_face::FaceEngine {
    veritrail_face::FaceEngine::load(&veritrail_face::model_dir(), 1).expect("face models")
}

fn b64(image: &RgbImage) -> String {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .expect("encode");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn no_attack_passes_and_the_genuine_selfies_do() {
    let engine = engine();
    let presentations = liveness_eval::presentations(&engine);
    let mut results = Vec::new();
    for p in &presentations {
        let live = match engine.frames(&p.frames) {
            Ok(frames) => liveness::verdict(Some(&p.steps), &frames).is_live,
            Err(_) => false,
        };
        results.push((p.kind, live));
        if p.kind == "genuine" && (p.person == "obama" || p.person == "biden") {
            assert!(live, "{}'s genuine presentation was refused", p.person);
        }
    }
    for kind in liveness_eval::KINDS.iter().skip(1) {
        let (accepted, total) = liveness_eval::error_rate(&results, kind);
        assert!(total >= 5, "{kind}: {total} presentations");
        assert_eq!(
            accepted, 0,
            "APCER of {kind}: {accepted} / {total} accepted as live"
        );
    }
    let (refused, total) = liveness_eval::error_rate(&results, "genuine");
    // Measured 3 of 5 (docs/accuracy.md): the 2-D head-movement stand-in
    // on small, compressed or scanned photos; must not get worse.
    assert!(refused <= 3, "BPCER {refused} / {total}");
}

#[test]
fn every_step_is_recognised_on_the_clear_selfies() {
    // Challenges are random: each step must work, not just one sequence.
    let engine = engine();
    for name in ["obama.jpg", "biden.jpg"] {
        let photo = face_eval::load(name);
        let frames = liveness_eval::genuine_frames(&engine, &photo, &Step::ALL);
        let frames = engine.frames(&frames).expect("frames");
        let verdict = liveness::verdict(Some(&Step::ALL), &frames);
        assert!(verdict.is_live, "{name}: {:?}", verdict.reasons);
    }
}

async fn post(app: &TestApp, path: &str, tenant: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .request(Method::POST, path, As::org(tenant))
        .json(body)
        .send()
        .await
        .expect("send");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn challenge(app: &TestApp, tenant: &str) -> (String, String, Vec<Step>) {
    let (status, c) = post(app, "/liveness/challenge", tenant, &json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let steps: Vec<Step> = c["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| Step::parse(s["step"].as_str().expect("step")).expect("known step"))
        .collect();
    assert_eq!(steps.len(), 3);
    assert_eq!(c["frames_expected"], 4);
    assert!(c["steps"][0]["instruction"].is_string());
    (
        c["challenge_id"].as_str().expect("id").to_owned(),
        c["nonce"].as_str().expect("nonce").to_owned(),
        steps,
    )
}

fn answer(id: &str, nonce: &str, frames: &[RgbImage]) -> Value {
    json!({"challenge_id": id, "nonce": nonce, "frames": frames.iter().map(b64).collect::<Vec<_>>()})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_is_answered_once_and_attacks_are_refused() {
    let app = spawn_app(Backend::Postgres).await;
    let engine = engine();
    let photo = face_eval::load("obama.jpg");

    // A genuine answer.
    let (id, nonce, steps) = challenge(&app, "acme").await;
    let frames = liveness_eval::genuine_frames(&engine, &photo, &steps);
    let (status, verdict) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["is_live"], true, "{verdict}");
    assert_eq!(verdict["spoof_type"], "none");
    assert!(verdict["confidence"].as_f64().expect("confidence") >= 0.8);
    assert_eq!(verdict["frames"].as_array().expect("frames").len(), 4);
    assert_eq!(
        verdict["usage"],
        json!({"module": "liveness", "billed": true})
    );
    // The same answer again: the challenge is spent.
    let (status, error) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "challenge_used");

    // Another tenant cannot use a challenge; a wrong nonce burns it.
    let (id, nonce, steps) = challenge(&app, "acme").await;
    let frames = liveness_eval::genuine_frames(&engine, &photo, &steps);
    let (status, error) = post(
        &app,
        "/liveness/analyze",
        "globex",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["code"], "challenge_not_found");
    let (status, error) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, "00", &frames),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "challenge_nonce_mismatch");
    let (status, _) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // A screen replaying the right movements: caught by its moiré.
    let (id, nonce, steps) = challenge(&app, "acme").await;
    let frames: Vec<RgbImage> = liveness_eval::genuine_frames(&engine, &photo, &steps)
        .iter()
        .map(liveness_eval::screen)
        .collect();
    let (status, verdict) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict["is_live"], false);
    assert_eq!(verdict["spoof_type"], "screen", "{verdict}");
    // A still photo for every frame: the movements are missing.
    let (id, nonce, _) = challenge(&app, "acme").await;
    let still = vec![photo.clone(); 4];
    let (status, verdict) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &still),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict["is_live"], false);
    let codes: Vec<&str> = verdict["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"step_not_performed"), "{verdict}");

    // A frame without a face names the frame; nothing is spent by bad uploads.
    let (id, nonce, steps) = challenge(&app, "acme").await;
    let mut frames = liveness_eval::genuine_frames(&engine, &photo, &steps);
    frames[2] = RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 90]));
    let (status, error) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "no_face");
    assert_eq!(error["error"]["details"]["frame"], 2);
    let (id, nonce, _) = challenge(&app, "acme").await;
    let (status, error) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &json!({"challenge_id": id, "nonce": nonce, "frames": ["bm90IGFuIGltYWdl"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{error}");
    let frames = liveness_eval::genuine_frames(&engine, &photo, &[Step::TurnLeft]);
    let (status, _) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &answer(&id, &nonce, &frames),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the bad upload did not spend the challenge"
    );

    // Malformed requests.
    for body in [
        json!({}),
        json!({"image_live_base64": b64(&photo), "challenge_id": "x", "nonce": "y", "frames": []}),
        json!({"challenge_id": "x", "nonce": "y", "frames": vec![b64(&photo); 6]}),
        json!({"image_live_base64": b64(&photo), "hints": "pose"}),
    ] {
        let (status, error) = post(&app, "/liveness/analyze", "acme", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    }
    assert!(
        app.all_events().await.is_empty(),
        "liveness writes no events"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_selfie_gets_a_passive_verdict_that_says_its_limits() {
    let app = spawn_app(Backend::Sqlite).await;
    let photo = face_eval::load("obama.jpg");
    let (status, verdict) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &json!({"image_live_base64": b64(&photo), "hints": {"pose": true, "blink": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{verdict}");
    assert_eq!(verdict["is_live"], true);
    assert!(verdict["confidence"].as_f64().expect("confidence") <= 0.6);
    assert!(verdict["reasons"].to_string().contains("no_challenge"));
    assert!(verdict["challenge"].is_null());
    let (status, verdict) = post(
        &app,
        "/liveness/analyze",
        "acme",
        &json!({"image_live_base64": b64(&liveness_eval::print(&photo))}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict["is_live"], false);
    assert_eq!(verdict["spoof_type"], "paper", "{verdict}");
}

#[test]
fn a_mirrored_answer_is_the_same_answer_but_a_half_mirrored_one_is_not() {
    let engine = engine();
    let photo = face_eval::load("obama.jpg");
    let steps = [Step::TurnLeft, Step::TurnRight];
    let frames = liveness_eval::genuine_frames(&engine, &photo, &steps);
    // What a front camera that mirrors its pictures saves: every turn reads
    // the other way round, consistently.
    let mirrored: Vec<RgbImage> = frames
        .iter()
        .map(image::imageops::flip_horizontal)
        .collect();
    let judged = engine.frames(&mirrored).expect("frames");
    let verdict = liveness::verdict(Some(&steps), &judged);
    assert!(verdict.is_live, "{:?}", verdict.reasons);
    // One turn mirrored and the other not is no reading of the sequence.
    let half = vec![frames[0].clone(), mirrored[1].clone(), frames[2].clone()];
    let judged = engine.frames(&half).expect("frames");
    let verdict = liveness::verdict(Some(&steps), &judged);
    assert!(!verdict.is_live);
}
