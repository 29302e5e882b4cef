//! Decompression bombs (hostile headers declaring up to 50,000² pixels) sent
//! to every endpoint that reads images are refused from the header with
//! 413 `image_dimensions_too_large`, before any decoding, billing or event.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_imaging::crafted::{encoded, jpeg_bomb, png_bomb, webp_bomb};
use veritrail_tests::{spawn_app, As};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_image_endpoint_refuses_bombs_of_each_format_from_the_header() {
    let app = spawn_app(Backend::Postgres).await;
    let small = b64(&encoded(image::ImageFormat::Png));
    let bombs = [
        ("png", b64(&png_bomb(50_000, 50_000))),
        ("png-20k", b64(&png_bomb(20_000, 20_000))),
        ("jpeg", b64(&jpeg_bomb(65_000, 65_000))),
        ("webp", b64(&webp_bomb())),
    ];
    let before = app.all_events().await.len();
    for (format, bomb) in &bombs {
        let calls = [
            (
                "/face/match",
                json!({"image_selfie_base64": small, "image_document_base64": bomb}),
                "image_document_base64",
            ),
            (
                "/liveness/analyze",
                json!({"image_live_base64": bomb}),
                "image_live_base64",
            ),
            (
                "/document/ocr",
                json!({"image_front_base64": bomb}),
                "image_front_base64",
            ),
            (
                "/document/ocr",
                json!({"image_front_base64": small, "image_back_base64": bomb}),
                "image_back_base64",
            ),
        ];
        for (path, body, field) in calls {
            let response = app
                .request(Method::POST, path, As::org("acme"))
                .json(&body)
                .send()
                .await
                .expect("send");
            assert_eq!(
                response.status(),
                StatusCode::PAYLOAD_TOO_LARGE,
                "{format} to {path}"
            );
            let body: Value = response.json().await.expect("json");
            assert_eq!(
                body["error"]["code"], "image_dimensions_too_large",
                "{format} to {path}: {body}"
            );
            assert_eq!(body["error"]["details"]["field"], field, "{body}");
            assert_eq!(
                body["error"]["details"]["max_pixels"],
                veritrail_imaging::MAX_PIXELS,
                "{body}"
            );
        }
    }
    // Nothing billed, nothing recorded, and the service still answers.
    let usage = app.usage("acme").await;
    let modules = usage["modules"].as_array().expect("modules");
    assert!(
        !modules.is_empty() && modules.iter().all(|m| m["used"] == 0),
        "refused calls are not billed: {usage}"
    );
    assert_eq!(app.all_events().await.len(), before);
    let live = app
        .client
        .get(format!("{}/health/live", app.address))
        .send()
        .await
        .expect("health");
    assert_eq!(live.status(), StatusCode::OK);
}
