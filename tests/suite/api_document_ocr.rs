//! `POST /document/ocr` over HTTP with real Tesseract: a photographed page in,
//! normalised fields, validation, quality and hints out; bad uploads refused
//! with precise codes.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::mrz_eval::EvalSet;
use veritrail_tests::{spawn_app, As, TestApp};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn ocr(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app
        .request(Method::POST, "/document/ocr", As::org("acme"))
        .json(&body)
        .send()
        .await
        .expect("post");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photographed_page_is_read_validated_and_normalised() {
    let app = spawn_app(Backend::Sqlite).await;
    let set = EvalSet::from_env();
    // One passport and one ID card, each degraded and rotated.
    for format in ["TD3", "TD1"] {
        let item = set
            .level("full")
            .find(|t| t["format"] == format)
            .expect("an item of the format");
        let (status, body) = ocr(
            &app,
            json!({"image_front_base64": b64(&set.image(item)), "document_hint": "auto", "country_hint": "auto"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "pass", "{body}");
        assert_eq!(body["usage"]["module"], "ocr", "{body}");
        assert_eq!(body["usage"]["billed"], true, "{body}");
        let truth = &item["fields"];
        let fields = &body["fields"];
        assert_eq!(body["mrz"]["lines"], item["lines"]);
        assert_eq!(fields["document_number"], truth["document_number"]);
        assert_eq!(fields["birth_date"], truth["birth_date"]);
        assert_eq!(fields["expiry_date"], truth["expiry_date"]);
        assert_eq!(fields["nationality"]["alpha3"], truth["nationality"]);
        assert!(fields["nationality"]["alpha2"]
            .as_str()
            .is_some_and(|a| a.len() == 2));
        let expected_type = if format == "TD3" {
            "passport"
        } else {
            "id_card"
        };
        assert_eq!(body["detected"]["type"], expected_type);
        assert_eq!(body["detected"]["country"]["alpha3"], truth["nationality"]);
        assert!(body["detected"]["confidence"].as_f64().expect("confidence") > 0.5);
        assert_eq!(body["validation"]["document_valid"], true, "{body}");
        assert!(
            body["field_confidence"]["document_number"]
                .as_f64()
                .expect("per field")
                > 0.5
        );
        assert!(body["quality"]["sharpness"].as_f64().expect("sharpness") > 0.35);
        assert_eq!(body["quality"]["mrz_in_frame"], true);
        assert!(body["hints"].as_array().expect("hints").is_empty());
        let degrees = item["degradations"]["rotation_deg"]
            .as_f64()
            .expect("rotation");
        let skew = body["mrz"]["skew_degrees"].as_f64().expect("skew");
        assert!(
            (degrees + skew).abs() < 1.5,
            "rotated {degrees}°, levelled by {skew}°"
        );
    }
    // Documents checks change nothing in the store.
    assert!(app.all_events().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_is_read_when_the_front_has_no_mrz_and_a_page_without_one_needs_action() {
    let app = spawn_app(Backend::Sqlite).await;
    let set = EvalSet::from_env();
    let item = set
        .level("none")
        .find(|t| t["format"] == "TD1")
        .expect("an ID card");
    let mut blank = Vec::new();
    image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(640, 400, image::Luma([230u8])))
        .write_to(
            &mut std::io::Cursor::new(&mut blank),
            image::ImageFormat::Png,
        )
        .expect("encode");
    let (status, body) = ocr(
        &app,
        json!({"image_front_base64": b64(&blank), "image_back_base64": b64(&set.image(item))}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["detected"]["side"], "back");
    assert_eq!(body["mrz"]["lines"], item["lines"]);

    let (status, body) = ocr(&app, json!({"image_front_base64": b64(&blank)})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "requires_action");
    assert_eq!(body["detected"]["type"], "unknown");
    assert!(body["hints"][0]
        .as_str()
        .expect("a hint")
        .contains("no machine-readable zone"));

    // A wrong country hint is a failed check, not a silent pass.
    let (_, body) = ocr(
        &app,
        json!({"image_front_base64": b64(&set.image(item)), "country_hint": "USA"}),
    )
    .await;
    let hint_check = body["validation"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "country_hint")
        .cloned()
        .expect("country hint check");
    if item["fields"]["nationality"] != "USA" {
        assert_eq!(hint_check["status"], "fail", "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_get_precise_errors() {
    let app = spawn_app(Backend::Sqlite).await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"image_front_base64": ""}),
            StatusCode::BAD_REQUEST,
            "empty_image",
        ),
        (
            json!({"image_front_base64": "not base64 !!"}),
            StatusCode::BAD_REQUEST,
            "invalid_base64",
        ),
        (
            json!({"image_front_base64": b64(b"GIF89a\x01\x00\x01\x00")}),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        (
            json!({"image_front_base64": b64(b"%PDF-1.7 a document")}),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        (
            json!({"image_front_base64": b64(b"just some text")}),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        // A JPEG header with nothing behind it.
        (
            json!({"image_front_base64": b64(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10])}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_image",
        ),
        (
            json!({"image_front_base64": b64(&[0xFF, 0xD8, 0xFF, 0xE0]), "document_hint": "banknote"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"image_front_base64": b64(&[0xFF, 0xD8, 0xFF, 0xE0]), "country_hint": "XX"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"image": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = ocr(&app, body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert!(answer["error"]["trace_id"].is_string());
        if code == "unreadable_image" {
            // Our words, not the decoder's internals.
            assert_eq!(
                answer["error"]["message"],
                "image_front_base64 is refused: its header is damaged or truncated"
            );
        }
    }
    // Over 10 MB decoded (a valid JPEG prefix, then padding).
    let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, answer) = ocr(&app, json!({"image_front_base64": b64(&big)})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], "image_too_large");
    // Individuals do not call document checks directly.
    let response = app
        .request(Method::POST, "/document/ocr", As::individual("acme"))
        .json(&json!({"image_front_base64": ""}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(app.all_events().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_licence_without_an_mrz_is_read_from_its_printed_zone() {
    let app = spawn_app(Backend::Sqlite).await;
    let set = EvalSet::from_env();
    let item = set.level("licence").next().expect("a licence");
    let (status, body) = ocr(
        &app,
        json!({"image_front_base64": b64(&set.image(item)), "country_hint": "DEU"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["detected"]["type"], "driver_license", "{body}");
    assert_eq!(body["detected"]["country"]["alpha3"], "DEU");
    assert!(body["fields"].is_null());
    let printed = &body["printed_fields"];
    assert_eq!(printed["birth_date"], item["fields"]["birth_date"]);
    assert_eq!(printed["expiry_date"], item["fields"]["expiry_date"]);
    assert_eq!(printed["issue_date"], item["fields"]["issue_date"]);
    assert!(printed["text_lines"]
        .as_array()
        .is_some_and(|l| l.len() >= 5));
    let checks = body["validation"]["checks"].as_array().expect("checks");
    assert!(checks
        .iter()
        .any(|c| c["name"] == "not_expired" && c["status"] == "pass"));
}
