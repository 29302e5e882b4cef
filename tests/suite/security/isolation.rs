//! Tenant isolation as a property (AUTH-3): for any mix of another tenant's
//! real case ids, random ids and malformed ids, on every case endpoint a
//! caller of tenant B may use, B gets exactly the answer an unknown id gets —
//! 404, same code, same message — and tenant A's cases do not change.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{call, create_case, open_tenant, secure_app, token, world};
use veritrail_tests::TestApp;

/// (method, path template, acts as officer, body)
fn endpoints() -> Vec<(Method, &'static str, bool, Option<Value>)> {
    vec![
        (Method::GET, "/verifications/{id}", false, None),
        (
            Method::POST,
            "/verifications/{id}/cancel",
            false,
            Some(json!({"reason": "mine now"})),
        ),
        (
            Method::POST,
            "/verifications/{id}/retry",
            false,
            Some(json!({"check": "bankruptcy"})),
        ),
        (Method::POST, "/verifications/{id}/invitations", false, None),
        (Method::GET, "/admin/verifications/{id}", true, None),
        (
            Method::PATCH,
            "/admin/verifications/{id}",
            true,
            Some(json!({"status": "FAILED", "reason": "mine now"})),
        ),
        (Method::GET, "/admin/verifications/{id}/events", true, None),
        (
            Method::GET,
            "/admin/verifications/{id}/history?version=1",
            true,
            None,
        ),
    ]
}

async fn answer(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: &Option<Value>,
) -> (StatusCode, Value) {
    let mut request = call(app, method, path, token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_id_lets_another_tenant_read_change_or_detect_a_case() {
    let app = secure_app().await;
    let w = world(&app).await;
    let acme = token(&app, &w.org).await;
    let mut acme_ids = Vec::new();
    for subject in ["EMP-1", "EMP-2"] {
        let created: Value = create_case(&app, &acme, subject)
            .await
            .json()
            .await
            .expect("json");
        acme_ids.push(created["id"].as_str().expect("id").to_owned());
    }
    let (globex_org, globex_officer) = open_tenant(&app, &w.operator, "globex").await;
    let globex = token(&app, &globex_org).await;
    let globex_vo = token(&app, &globex_officer).await;
    let before = app.all_events().await.len();
    let endpoints = endpoints();
    let handle = tokio::runtime::Handle::current();

    // Which id: 0-1 one of acme's cases, 2 a random UUID, 3 a malformed id.
    let probe = prop::collection::vec((0usize..4, any::<u128>(), 0..endpoints.len()), 1..5);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&probe, |probes| {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                for (source, random, endpoint) in probes {
                    let id = match source {
                        0 | 1 => acme_ids[source].clone(),
                        2 => uuid::Uuid::from_u128(random).to_string(),
                        _ => format!("x{random:x}"),
                    };
                    let (method, template, officer, body) = &endpoints[endpoint];
                    let token = if *officer { &globex_vo } else { &globex };
                    let path = template.replace("{id}", &id);
                    let (status, seen) = answer(&app, token, method.clone(), &path, body).await;
                    let unknown = template.replace("{id}", &uuid::Uuid::now_v7().to_string());
                    let (unknown_status, expected) =
                        answer(&app, token, method.clone(), &unknown, body).await;
                    prop_assert_eq!(status, StatusCode::NOT_FOUND, "{} {}", method, path);
                    prop_assert_eq!(status, unknown_status);
                    prop_assert_eq!(&seen["error"]["code"], &expected["error"]["code"]);
                    prop_assert_eq!(&seen["error"]["message"], &expected["error"]["message"]);
                    prop_assert!(!seen.to_string().contains("EMP-"), "{}", seen);
                }
                Ok::<(), TestCaseError>(())
            })
        })
    });
    result.expect("tenant isolation holds for every probe");
    // Nothing tenant B tried changed anything.
    assert_eq!(app.all_events().await.len(), before);
    // And acme still reaches its own cases.
    let (status, _) = answer(
        &app,
        &acme,
        Method::GET,
        &format!("/verifications/{}", acme_ids[0]),
        &None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
