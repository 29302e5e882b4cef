//! Rate limits, daily caps and monthly quotas (AUTH-5): 429 with
//! `Retry-After` and `RateLimit-*` headers, recovery, metered usage and the
//! 80 % / 100 % quota events.

use std::sync::Arc;

use veritrail_domain::FixedClock;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{call, open_tenant_with, secure_app, secure_app_at, token, world};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_minute_limit_answers_429_with_retry_after_and_recovers() {
    // The limits follow an injected clock: no request refills the budget
    // while the burst is spent, and recovery needs no sleep.
    let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
    let app = secure_app_at(clock.clone()).await;
    let w = world(&app).await;
    // The default plan: 60 requests a minute per client.
    let (org, _) = open_tenant_with(&app, &w.operator, "small", json!({})).await;
    let org = token(&app, &org).await;
    for i in 0..60 {
        let response = call(&app, Method::GET, "/usage", &org)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK, "request {i}");
        assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("60"));
        assert_eq!(
            header(&response, "ratelimit-policy").as_deref(),
            Some("60;w=60")
        );
        let remaining: u32 = header(&response, "ratelimit-remaining")
            .expect("remaining")
            .parse()
            .expect("number");
        assert_eq!(remaining, 59 - i, "request {i}");
    }
    // Then, at the same instant, refused.
    let refused = call(&app, Method::GET, "/usage", &org)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = header(&refused, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert_eq!(retry_after, 1, "one request a second refills");
    assert_eq!(
        header(&refused, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["details"]["limit"], 60);
    assert!(body["error"]["trace_id"].is_string());

    // Another client of another tenant is not affected.
    let other = token(&app, &w.org).await;
    let response = call(&app, Method::GET, "/usage", &other)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);

    // After Retry-After the client is served again.
    let response = call(&app, Method::GET, "/usage", &org)
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "no time passed"
    );
    clock.advance(time::Duration::seconds(
        i64::try_from(retry_after).expect("small"),
    ));
    let response = call(&app, Method::GET, "/usage", &org)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_cap_refuses_until_midnight_utc() {
    let app = secure_app().await;
    let w = world(&app).await;
    let (org, _) = open_tenant_with(
        &app,
        &w.operator,
        "capped",
        json!({"plan": "pro", "limits": {"requests_per_day": 3}}),
    )
    .await;
    let org = token(&app, &org).await;
    for _ in 0..3 {
        let response = call(&app, Method::GET, "/usage", &org)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = call(&app, Method::GET, "/usage", &org)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = header(&response, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    let now = time::OffsetDateTime::now_utc();
    let to_midnight = 86_400
        - i64::from(now.time().hour()) * 3600
        - i64::from(now.time().minute()) * 60
        - i64::from(now.time().second());
    assert!(
        (retry_after - to_midnight).abs() <= 2,
        "{retry_after} vs {to_midnight}"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "daily_limit_reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billed_calls_are_metered_and_the_quota_alerts_at_80_and_100_percent() {
    let app = secure_app().await;
    let w = world(&app).await;
    let (org, _) = open_tenant_with(
        &app,
        &w.operator,
        "metered",
        json!({"plan": "sandbox", "limits": {"requests_per_minute": 600, "monthly_quotas": {"validate": 5}}}),
    )
    .await;
    let org = token(&app, &org).await;
    let mrz = json!({"mrz": ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]});
    let validate = |body: Value| {
        call(&app, Method::POST, "/document/validate", &org)
            .json(&body)
            .send()
    };
    // A refused call (bad input) is not billed.
    let bad = validate(json!({"mrz": 5})).await.expect("send");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for i in 1..=5 {
        let response = validate(mrz.clone()).await.expect("send");
        assert_eq!(response.status(), StatusCode::OK, "call {i}");
    }
    // The sixth is over the quota.
    let over = validate(mrz.clone()).await.expect("send");
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = header(&over, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(retry_after > 0 && retry_after <= 31 * 86_400);
    let body: Value = over.json().await.expect("json");
    assert_eq!(body["error"]["code"], "quota_exceeded");
    assert_eq!(body["error"]["details"]["module"], "validate");
    assert_eq!(body["error"]["details"]["quota"], 5);

    // Usage: five billed calls of five; other modules untouched.
    let usage: Value = call(&app, Method::GET, "/usage", &org)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let module = |name: &str| {
        usage["modules"]
            .as_array()
            .expect("modules")
            .iter()
            .find(|m| m["module"] == name)
            .cloned()
            .expect(name)
    };
    assert_eq!(module("validate")["used"], 5);
    assert_eq!(module("validate")["quota"], 5);
    assert_eq!(module("validate")["percent"], 100.0);
    assert_eq!(module("ocr")["used"], 0);
    assert_eq!(module("ocr")["quota"], 100, "the sandbox plan's default");

    // One alert at 80 % (the 4th call) and one at 100 % (the 5th), each once.
    let events = app.all_events().await;
    let alerts: Vec<(u64, u64)> = events
        .iter()
        .filter(|e| e.event_type == "QuotaThresholdReached" && e.aggregate_id == "metered")
        .map(|e| {
            let a = &e.payload["QuotaThresholdReached"];
            (
                a["percent"].as_u64().expect("percent"),
                a["used"].as_u64().expect("used"),
            )
        })
        .collect();
    assert_eq!(alerts, vec![(80, 4), (100, 5)]);

    // Each billed call is a usage event row; the counter agrees with them.
    let veritrail_event_store::EventDatabase::Postgres(pool) = &app.test_db.db else {
        panic!("the security suite runs on PostgreSQL");
    };
    let (rows,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM usage_events WHERE tenant_id = 'metered' AND module = 'validate'",
    )
    .fetch_one(pool)
    .await
    .expect("count");
    assert_eq!(rows, 5);
    // Usage events are append-only, like the event log.
    let update = sqlx::query("UPDATE usage_events SET module = 'ocr' WHERE tenant_id = 'metered'")
        .execute(pool)
        .await;
    assert!(update.is_err());

    // The operator raises the quota: calls are served again at once.
    let response = call(&app, Method::PUT, "/operator/tenants/metered/plan", &w.operator)
        .json(&json!({"plan": "sandbox", "limits": {"requests_per_minute": 600, "monthly_quotas": {"validate": 10}}}))
        .send()
        .await
        .expect("plan");
    assert_eq!(response.status(), StatusCode::OK);
    let response = validate(mrz).await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
}
