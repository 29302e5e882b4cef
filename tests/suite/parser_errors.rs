//! Even the HTTP parser's own refusals carry the one error shape (issue 12
//! item 6): an over-long URI, too many headers, an oversized head, a client
//! too slow to send its head. Raw TCP, because an HTTP client library would
//! refuse to send most of these.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, TestApp};

/// Sends `request` (possibly incomplete) and reads the answer until the
/// server closes the connection; returns the status and the JSON body.
async fn exchange(app: &TestApp, request: &[u8]) -> (u16, String, Value) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connect");
    // The server may answer (and close) before it has read everything.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes");
    // Closing with part of the request unread makes the kernel reset the
    // connection after the answer: what arrived before counts.
    if let Err(error) = read {
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
        assert!(!answer.is_empty(), "reset before any answer");
    }
    let text = String::from_utf8(answer).expect("utf8");
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let status = head[9..12].parse().expect("status");
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, head.to_ascii_lowercase(), body)
}

fn assert_shape(body: &Value, code: &str) {
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(error["details"].is_null());
    assert!(error["trace_id"].as_str().is_some_and(|t| t.len() == 36));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_parser_s_refusals_carry_the_error_shape() {
    let app = spawn_app(Backend::Sqlite).await;

    let long_uri = format!(
        "GET /verifications/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let (status, head, body) = exchange(&app, long_uri.as_bytes()).await;
    assert_eq!(status, 400);
    assert!(head.contains("content-type: application/json"));
    assert_shape(&body, "malformed_request");

    let mut many = String::from("GET /health/live HTTP/1.1\r\nHost: x\r\n");
    for i in 0..120 {
        many.push_str(&format!("X-Filler-{i}: {i}\r\n"));
    }
    many.push_str("\r\n");
    let (status, _, body) = exchange(&app, many.as_bytes()).await;
    assert_eq!(status, 431);
    assert_shape(&body, "request_headers_too_large");

    let huge = format!(
        "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(140_000)
    );
    let (status, _, body) = exchange(&app, huge.as_bytes()).await;
    assert_eq!(status, 431);
    assert_shape(&body, "request_headers_too_large");

    let started = Instant::now();
    let (status, _, body) = exchange(&app, b"GET /health/live HTTP/1.1\r\nHost: x\r\n").await;
    assert_eq!(status, 408);
    assert_shape(&body, "request_timeout");
    assert!(started.elapsed() < Duration::from_secs(15));

    // A well-formed request on the same server is untouched.
    let (status, _, _) = exchange(
        &app,
        b"GET /no/such/route HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 404);
}
