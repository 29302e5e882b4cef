//! Evidence uploads (AUD-5, issue 16 item 1): multipart or base64 JSON,
//! type from the bytes, EXIF applied then stripped, the blob stored and the
//! event holding only ids, digests and sizes; wrong types, oversized files
//! and closed or foreign cases are refused with the one error shape and
//! leave neither an event nor a blob behind.

use std::io::Cursor;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As, TestApp};

use crate::api_flow::create_case;

veritrail_tests::both_backends!(
    an_upload_is_stored_upright_without_metadata_and_recorded_by_digest,
    refused_uploads_leave_no_event_and_no_blob,
);

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 160])
    });
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .expect("encode");
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn form(kind: &str, bytes: Vec<u8>, claimed: &str) -> reqwest::multipart::Form {
    let file = reqwest::multipart::Part::bytes(bytes)
        .file_name("photo")
        .mime_str(claimed)
        .expect("mime");
    reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part("file", file)
}

async fn upload(
    app: &TestApp,
    who: As<'_>,
    case: &str,
    body: reqwest::multipart::Form,
) -> (StatusCode, Value) {
    let response = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/evidence"),
            who,
        )
        .multipart(body)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// Every file under the app's media directory.
fn blobs(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(app.media.path(), &mut out);
    out
}

async fn an_upload_is_stored_upright_without_metadata_and_recorded_by_digest(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = create_case(&app, "acme", "EMP-UP").await;

    // A phone photo: stored sideways with EXIF orientation 6 and a camera make.
    let phone = veritrail_imaging::crafted::with_exif(&jpeg(64, 32), 6, "PhoneMaker");
    let (status, stored) = upload(
        &app,
        As::individual("acme"),
        &case,
        form("passport", phone.clone(), "application/pdf"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["content_type"], "image/jpeg");
    assert_eq!(
        (stored["width"].as_u64(), stored["height"].as_u64()),
        (Some(32), Some(64))
    );
    assert_eq!(
        stored["original_sha256"],
        hex::encode(Sha256::digest(&phone))
    );
    assert_eq!(stored["original_size_bytes"], phone.len());
    assert_eq!(stored["case_version"], 2);

    // Read back: the stored bytes, upright, without the EXIF block.
    let media_id = stored["media_id"].as_str().expect("id");
    let response = app
        .request(
            Method::GET,
            &format!("/verifications/{case}/evidence/{media_id}"),
            As::officer("acme"),
        )
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let bytes = response.bytes().await.expect("bytes");
    assert_eq!(hex::encode(Sha256::digest(&bytes)), stored["sha256"]);
    assert_eq!(
        bytes.len() as u64,
        stored["size_bytes"].as_u64().expect("size")
    );
    assert!(!contains(&bytes, b"Exif") && !contains(&bytes, b"PhoneMaker"));
    let header = veritrail_imaging::header(&bytes).expect("a JPEG");
    assert_eq!((header.width, header.height), (32, 64));

    // The same as base64 JSON: a PNG stays lossless.
    let png = veritrail_imaging::crafted::encoded(image::ImageFormat::Png);
    let response = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/evidence"),
            As::org("acme"),
        )
        .json(&json!({
            "kind": "selfie",
            "image_base64": base64::engine::general_purpose::STANDARD.encode(&png),
        }))
        .send()
        .await
        .expect("json upload");
    assert_eq!(response.status(), StatusCode::CREATED);
    let second: Value = response.json().await.expect("json");
    assert_eq!(second["content_type"], "image/png");
    assert_eq!(second["kind"], "selfie");

    // The events carry ids, digests and sizes; the officer's view lists them.
    let events = app.all_events().await;
    let uploaded: Vec<_> = events
        .iter()
        .filter(|e| e.event_type == "EvidenceUploaded")
        .collect();
    assert_eq!(uploaded.len(), 2);
    for event in &uploaded {
        assert!(event.payload.to_string().len() < 1_000, "{}", event.payload);
    }
    let (_, review) = get(&app, &format!("/admin/verifications/{case}")).await;
    let listed: Vec<&str> = review["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|m| m["media_id"].as_str())
        .collect();
    assert_eq!(listed, [media_id, second["media_id"].as_str().expect("id")]);
    assert_eq!(blobs(&app).len(), 2);

    // Another tenant sees neither the case nor its images.
    let response = app
        .request(
            Method::GET,
            &format!("/verifications/{case}/evidence/{media_id}"),
            As::officer("globex"),
        )
        .send()
        .await
        .expect("foreign");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let unknown = uuid::Uuid::now_v7();
    let (status, body) = get(&app, &format!("/verifications/{case}/evidence/{unknown}")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("media_not_found"))
    );
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app
        .request(Method::GET, path, As::officer("acme"))
        .send()
        .await
        .expect("get");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn refused_uploads_leave_no_event_and_no_blob(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = create_case(&app, "acme", "EMP-NO").await;
    let before = app.all_events().await.len();
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,".to_vec();
    let big = {
        let mut bytes = jpeg(16, 16);
        bytes.resize(10 * 1024 * 1024 + 1, 0);
        bytes
    };
    let cases = [
        // A GIF claiming to be a JPEG: the bytes decide.
        (
            form("passport", gif, "image/jpeg"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
        ),
        (
            form("passport", big, "image/jpeg"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
        ),
        (
            form("passport", Vec::new(), "image/jpeg"),
            StatusCode::BAD_REQUEST,
            "empty_image",
        ),
        (
            form("diploma", jpeg(8, 8), "image/jpeg"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            reqwest::multipart::Form::new().text("kind", "passport"),
            StatusCode::BAD_REQUEST,
            "malformed_multipart",
        ),
    ];
    for (body, status, code) in cases {
        let (got, error) = upload(&app, As::individual("acme"), &case, body).await;
        assert_eq!(
            (got, error["error"]["code"].as_str()),
            (status, Some(code)),
            "{error}"
        );
        assert!(error["error"]["trace_id"].is_string());
    }

    // Officers review evidence; they do not upload it.
    let (status, error) = upload(
        &app,
        As::officer("acme"),
        &case,
        form("passport", jpeg(8, 8), "image/jpeg"),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // A foreign tenant is refused before any work.
    let (status, _) = upload(
        &app,
        As::org("globex"),
        &case,
        form("passport", jpeg(8, 8), "image/jpeg"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A stale If-Match is refused when the event is appended, after the
    // blob was written: the blob is removed again.
    let response = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/evidence"),
            As::individual("acme"),
        )
        .header("If-Match", "\"7\"")
        .multipart(form("passport", jpeg(8, 8), "image/jpeg"))
        .send()
        .await
        .expect("stale upload");
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));
    // A closed case takes no more evidence.
    let cancel = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/cancel"),
            As::org("acme"),
        )
        .json(&json!({"reason": "duplicate request"}))
        .send()
        .await
        .expect("cancel");
    assert_eq!(cancel.status(), StatusCode::OK);
    let (status, error) = upload(
        &app,
        As::individual("acme"),
        &case,
        form("passport", jpeg(8, 8), "image/jpeg"),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("illegal_transition"))
    );
    let after: Vec<_> = app
        .all_events()
        .await
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(after.len(), before + 1, "only the cancellation: {after:?}");
    assert!(blobs(&app).is_empty(), "{:?}", blobs(&app));
}
