//! HMAC request signing (AUTH-2, seed 003 §17): the signature is computed
//! here independently of the service's code, from the seed's formula.

use reqwest::{Method, StatusCode};
use ring::{digest, hmac};
use serde_json::{json, Value};
use veritrail_application::auth::Credentials;

use super::{call, secure_app, world};
use veritrail_tests::TestApp;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// hex(hmac_sha256(secret, ts + "\n" + METHOD + "\n" + path + "\n" + hex(sha256(body))))
fn signature(secret: &str, ts: &str, method: &str, path: &str, body: &[u8]) -> String {
    let body_hash = hex(digest::digest(&digest::SHA256, body).as_ref());
    let text = format!("{ts}\n{method}\n{path}\n{body_hash}");
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hex(hmac::sign(&key, text.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Signed {
    ts: String,
    sign: String,
}

fn sign(c: &Credentials, ts: i64, method: &str, path: &str, body: &[u8]) -> Signed {
    let ts = ts.to_string();
    let sign = signature(&c.client_secret, &ts, method, path, body);
    Signed { ts, sign }
}

async fn send(
    app: &TestApp,
    c: &Credentials,
    method: Method,
    path: &str,
    body: &[u8],
    signed: &Signed,
) -> (StatusCode, Value) {
    let response = app
        .client
        .request(method, format!("{}{}", app.address, path))
        .header("X-API-KEY", &c.client_id)
        .header("X-API-TIMESTAMP", &signed.ts)
        .header("X-API-SIGN", &signed.sign)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("send");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_requests_work_and_tampered_stale_or_replayed_ones_do_not() {
    let app = secure_app().await;
    let w = world(&app).await;
    let body = serde_json::to_vec(&json!({
        "subject": {"id": "EMP-9", "display_name": "Jane Citizen"},
        "requested_checks": ["bankruptcy"],
    }))
    .expect("json");

    // A signed create works and acts as the organisation client.
    let signed = sign(&w.org, now(), "POST", "/verifications", &body);
    let (status, created) =
        send(&app, &w.org, Method::POST, "/verifications", &body, &signed).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();

    // The same signature again: replayed, even though it is otherwise valid.
    let (status, error) = send(&app, &w.org, Method::POST, "/verifications", &body, &signed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&error), "replayed_signature");
    assert!(error["error"]["trace_id"].is_string());

    // A different body under a signature made for another body.
    let other = br#"{"subject":{"id":"EMP-10","display_name":"Mallory"},"requested_checks":["bankruptcy"]}"#;
    let signed = sign(&w.org, now(), "POST", "/verifications", &body);
    let (status, error) = send(&app, &w.org, Method::POST, "/verifications", other, &signed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&error), "invalid_signature");

    // Signed with the wrong method or path.
    let signed = sign(&w.org, now(), "GET", "/verifications", &body);
    let (status, _) = send(&app, &w.org, Method::POST, "/verifications", &body, &signed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Six minutes early or late: stale, whatever the signature.
    for skew in [-360, 360] {
        let signed = sign(&w.org, now() + skew, "POST", "/verifications", &body);
        let (status, error) =
            send(&app, &w.org, Method::POST, "/verifications", &body, &signed).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(code(&error), "stale_timestamp", "{error}");
    }
    // Four minutes off is within the tolerance.
    let path = format!("/verifications/{id}");
    let signed = sign(&w.org, now() - 240, "GET", &path, b"");
    let (status, case) = send(&app, &w.org, Method::GET, &path, b"", &signed).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    assert_eq!(case["id"], id.as_str());

    // The query string is part of the signed path.
    let queue = "/admin/verifications?status=PENDING_ORG";
    let signed = sign(&w.officer, now(), "GET", queue, b"");
    let (status, listed) = send(&app, &w.officer, Method::GET, queue, b"", &signed).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert!(listed.to_string().contains(&id));
    // A read signed over the path alone is accepted (some clients do so)…
    let signed = sign(&w.officer, now(), "GET", "/admin/verifications", b"");
    let (status, _) = send(&app, &w.officer, Method::GET, queue, b"", &signed).await;
    assert_eq!(status, StatusCode::OK);
    // … but a signature over another query is not.
    let signed = sign(
        &w.officer,
        now(),
        "GET",
        "/admin/verifications?status=FAILED",
        b"",
    );
    let (status, _) = send(&app, &w.officer, Method::GET, queue, b"", &signed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A write must sign its whole target.
    let cancel = format!("/verifications/{id}/cancel?force=1");
    let body_cancel = br#"{"reason":"test"}"#;
    let signed = sign(
        &w.org,
        now(),
        "POST",
        &format!("/verifications/{id}/cancel"),
        body_cancel,
    );
    let (status, _) = send(&app, &w.org, Method::POST, &cancel, body_cancel, &signed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A key signing with another client's secret, an unknown key, missing headers.
    let forged = Credentials {
        client_id: w.org.client_id.clone(),
        client_secret: w.officer.client_secret.clone(),
    };
    let signed = sign(&forged, now(), "GET", &path, b"");
    let (status, error) = send(&app, &w.org, Method::GET, &path, b"", &signed).await;
    assert_eq!(
        (status, code(&error)),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );
    let stranger = Credentials {
        client_id: "acme.000000000000000000".into(),
        client_secret: w.org.client_secret.clone(),
    };
    let signed = sign(&stranger, now(), "GET", &path, b"");
    let (status, error) = send(&app, &stranger, Method::GET, &path, b"", &signed).await;
    assert_eq!(
        (status, code(&error)),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );
    let response = app
        .client
        .get(format!("{}{}", app.address, path))
        .header("X-API-KEY", &w.org.client_id)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let error: Value = response.json().await.expect("json");
    assert_eq!(code(&error), "missing_signature");

    // Signed requests obey roles like tokens do: an organisation is no officer.
    let signed = sign(&w.org, now(), "GET", "/admin/verifications", b"");
    let (status, _) = send(
        &app,
        &w.org,
        Method::GET,
        "/admin/verifications",
        b"",
        &signed,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nothing the refused requests carried reached the store.
    let events = app.all_events().await;
    let cases = events
        .iter()
        .filter(|e| e.aggregate_type == "VerificationCase")
        .count();
    assert_eq!(cases, 1, "only the one signed create opened a case");
    assert!(!events
        .iter()
        .any(|e| e.payload.to_string().contains("Mallory")));
}

/// A poller repeating the same GET in the same second: with second
/// timestamps the second request is a replay (and says how to avoid it);
/// millisecond timestamps or a signed `X-API-NONCE` keep them apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_requests_in_one_second_are_kept_apart_by_a_nonce_or_milliseconds() {
    let app = secure_app().await;
    let w = world(&app).await;
    let path = "/usage";
    let get = |ts: String, nonce: Option<&str>| {
        let text = match nonce {
            Some(n) => format!(
                "{ts}\n{n}\nGET\n{path}\n{}",
                hex(digest::digest(&digest::SHA256, b"").as_ref())
            ),
            None => format!(
                "{ts}\nGET\n{path}\n{}",
                hex(digest::digest(&digest::SHA256, b"").as_ref())
            ),
        };
        let key = hmac::Key::new(hmac::HMAC_SHA256, w.org.client_secret.as_bytes());
        let sign = hex(hmac::sign(&key, text.as_bytes()).as_ref());
        let mut request = app
            .client
            .get(format!("{}{path}", app.address))
            .header("X-API-KEY", &w.org.client_id)
            .header("X-API-TIMESTAMP", ts)
            .header("X-API-SIGN", sign);
        if let Some(n) = nonce {
            request = request.header("X-API-NONCE", n);
        }
        async move {
            let response = request.send().await.expect("send");
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let second = now().to_string();
    assert_eq!(get(second.clone(), None).await.0, StatusCode::OK);
    let (status, body) = get(second.clone(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "replayed_signature");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("X-API-NONCE") && message.contains("milliseconds"),
        "{message}"
    );

    for nonce in ["poll-1", "poll-2"] {
        assert_eq!(
            get(second.clone(), Some(nonce)).await.0,
            StatusCode::OK,
            "{nonce}"
        );
    }
    assert_eq!(
        code(&get(second.clone(), Some("poll-1")).await.1),
        "replayed_signature"
    );
    assert_eq!(
        code(&get(second, Some("no spaces!")).await.1),
        "invalid_nonce"
    );

    let millis = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    for offset in 0..2 {
        let ts = (millis + offset).to_string();
        assert_eq!(get(ts, None).await.0, StatusCode::OK, "ms {offset}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_secrets_sign_during_the_overlap_and_revocation_stops_signing() {
    let app = secure_app().await;
    let w = world(&app).await;
    let rotated: Value = call(
        &app,
        Method::POST,
        &format!("/operator/tenants/acme/clients/{}/rotate", w.org.client_id),
        &w.operator,
    )
    .json(&json!({"overlap_hours": 1}))
    .send()
    .await
    .expect("rotate")
    .json()
    .await
    .expect("json");
    let new = Credentials {
        client_id: w.org.client_id.clone(),
        client_secret: rotated["client_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    };
    for c in [&w.org, &new] {
        let signed = sign(c, now(), "GET", "/usage", b"");
        let (status, usage) = send(&app, c, Method::GET, "/usage", b"", &signed).await;
        assert_eq!(status, StatusCode::OK, "{usage}");
        assert_eq!(usage["tenant"], "acme");
    }
    let response = call(
        &app,
        Method::POST,
        &format!("/operator/tenants/acme/clients/{}/revoke", w.org.client_id),
        &w.operator,
    )
    .send()
    .await
    .expect("revoke");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for c in [&w.org, &new] {
        let signed = sign(c, now(), "GET", "/usage", b"");
        let (status, _) = send(&app, c, Method::GET, "/usage", b"", &signed).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Revocation shredded the sealed copies of both secrets.
    assert_eq!(sealed_rows(&app, &w.org.client_id).await, 0);
    // The events hold references only, never the secrets.
    for e in app.all_events().await {
        let text = e.payload.to_string();
        assert!(!text.contains(&new.client_secret) && !text.contains(&w.org.client_secret));
    }
}

async fn sealed_rows(app: &TestApp, client_id: &str) -> i64 {
    let veritrail_event_store::EventDatabase::Postgres(pool) = &app.test_db.db else {
        panic!("the security suite runs on PostgreSQL");
    };
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM api_secrets WHERE client_id = $1")
        .bind(client_id)
        .fetch_one(pool)
        .await
        .expect("count");
    n
}
