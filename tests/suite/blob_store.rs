//! The S3-compatible blob store (issue 16 item 1) against a real local
//! S3-compatible server (moto, from PyPI): the store's contract, and the
//! service keeping uploads in a bucket — read back by digest, nothing left
//! behind by a refused upload, nothing written to the media directory.

use std::io::Cursor;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use veritrail_application::media::{BlobStore, S3Blobs, S3Settings};
use veritrail_event_store::Backend;
use veritrail_tests::{s3_url, spawn_app_with, AppOptions, As};

use crate::api_flow::create_case;

/// A fresh bucket on the test server.
async fn bucket() -> String {
    let name = format!("vt-{}", uuid::Uuid::new_v4().simple());
    let response = reqwest::Client::new()
        .put(format!("{}/{name}", s3_url()))
        .send()
        .await
        .expect("create the bucket");
    assert!(response.status().is_success(), "{}", response.status());
    name
}

/// Every key in `bucket`.
async fn keys(bucket: &str) -> Vec<String> {
    let listing = reqwest::Client::new()
        .get(format!("{}/{bucket}?list-type=2", s3_url()))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text");
    listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split("</Key>").next())
        .map(str::to_owned)
        .collect()
}

fn settings(bucket: &str) -> S3Settings {
    S3Settings {
        bucket: bucket.to_owned(),
        endpoint: s3_url(),
        region: "us-east-1".to_owned(),
        allow_http: true,
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
    }
}

#[tokio::test]
async fn the_s3_store_keeps_gets_and_deletes_blobs() {
    let bucket = bucket().await;
    let blobs = S3Blobs::new(&settings(&bucket)).expect("client");
    assert_eq!(blobs.get("t/c/m").await.expect("get"), None);
    blobs.put("t/c/m", b"bytes".to_vec()).await.expect("put");
    assert_eq!(
        blobs.get("t/c/m").await.expect("get"),
        Some(b"bytes".to_vec())
    );
    assert_eq!(keys(&bucket).await, ["t/c/m"]);
    blobs.delete("t/c/m").await.expect("delete");
    blobs.delete("t/c/m").await.expect("deleting twice is fine");
    assert_eq!(blobs.get("t/c/m").await.expect("get"), None);
    assert!(blobs.put("../escape", Vec::new()).await.is_err());
    assert!(keys(&bucket).await.is_empty());
    // A bucket that does not exist is an error, not an empty answer.
    let missing = S3Blobs::new(&settings("vt-no-such-bucket")).expect("client");
    assert!(missing.put("t/c/m", b"x".to_vec()).await.is_err());
}

fn jpeg() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .expect("encode");
    bytes
}

async fn upload(app: &veritrail_tests::TestApp, case: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let file = reqwest::multipart::Part::bytes(bytes)
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .text("kind", "passport")
        .part("file", file);
    let response = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/evidence"),
            As::individual("acme"),
        )
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn the_service_keeps_uploads_in_the_bucket() {
    let bucket = bucket().await;
    let options = AppOptions {
        s3_bucket: Some(bucket.clone()),
        ..AppOptions::default()
    };
    let app = spawn_app_with(Backend::Postgres, options).await;
    let case = create_case(&app, "acme", "EMP-S3").await;

    let (status, stored) = upload(&app, &case, jpeg()).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let media_id = stored["media_id"].as_str().expect("id");
    assert_eq!(keys(&bucket).await, [format!("acme/{case}/{media_id}")]);
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
    let bytes = response.bytes().await.expect("bytes");
    assert_eq!(hex::encode(Sha256::digest(&bytes)), stored["sha256"]);

    // A file that is not an image: refused, nothing more in the bucket.
    let (status, body) = upload(&app, &case, b"%PDF-1.7 not an image".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(keys(&bucket).await.len(), 1);
    // The local media directory is not used.
    assert_eq!(std::fs::read_dir(app.media.path()).expect("dir").count(), 0);
}
