//! The operator back office (PLAT-7): plans and limits, the tenant view,
//! and rotating the token signing key.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{call, secure_app, token, world};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_set_plans_and_see_tenants_without_secrets() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;

    let tenant: Value = call(&app, Method::GET, "/operator/tenants/acme", &w.operator)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tenant["plan"], "enterprise");
    assert_eq!(tenant["limits"]["requests_per_minute"], 600);
    assert_eq!(tenant["clients"].as_array().expect("clients").len(), 2);
    let text = tenant.to_string();
    assert!(!text.contains(&w.org.client_secret) && !text.contains("argon2"));
    assert_eq!(tenant["usage"]["tenant"], "acme");

    // The list of tenants, for operators only, without secrets.
    let list = call(&app, Method::GET, "/operator/tenants", &w.operator)
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), StatusCode::OK);
    let list: Value = list.json().await.expect("json");
    let acme = list
        .as_array()
        .expect("tenants")
        .iter()
        .find(|t| t["tenant_id"] == "acme")
        .expect("acme listed");
    assert_eq!(acme["plan"], "enterprise");
    assert_eq!(acme["active_clients"], 2);
    assert!(!list.to_string().contains(&w.org.client_secret));
    let refused = call(&app, Method::GET, "/operator/tenants", &org)
        .send()
        .await
        .expect("list");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // A plan with overrides; 0 means unlimited.
    let response = call(&app, Method::PUT, "/operator/tenants/acme/plan", &w.operator)
        .json(&json!({"plan": "pro", "limits": {"requests_per_day": 0, "monthly_quotas": {"liveness": 42}}}))
        .send()
        .await
        .expect("plan");
    assert_eq!(response.status(), StatusCode::OK);
    let limits: Value = response.json().await.expect("json");
    assert_eq!(limits["requests_per_minute"], 60);
    assert_eq!(limits["requests_per_day"], Value::Null);
    assert_eq!(limits["monthly_quotas"]["liveness"], 42);
    assert_eq!(limits["monthly_quotas"]["ocr"], 5000);
    let events = app.all_events().await;
    assert!(events.iter().any(|e| e.event_type == "PlanChanged"));

    // Bad plans, modules and tenants; other roles.
    for (path, body, status) in [
        (
            "/operator/tenants/acme/plan",
            json!({"plan": "gold"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/operator/tenants/acme/plan",
            json!({"plan": "pro", "limits": {"monthly_quotas": {"teleport": 1}}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/operator/tenants/nobody/plan",
            json!({"plan": "pro"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = call(&app, Method::PUT, path, &w.operator)
            .json(&body)
            .send()
            .await
            .expect("plan");
        assert_eq!(response.status(), status, "{body}");
        let error: Value = response.json().await.expect("json");
        assert!(error["error"]["code"].is_string());
    }
    let response = call(&app, Method::PUT, "/operator/tenants/acme/plan", &org)
        .json(&json!({"plan": "enterprise"}))
        .send()
        .await
        .expect("plan");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = call(&app, Method::GET, "/operator/tenants/acme", &org)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let changes = app
        .all_events()
        .await
        .iter()
        .filter(|e| e.event_type == "PlanChanged")
        .count();
    assert_eq!(changes, 1, "refused changes wrote nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_signing_key_signs_new_tokens_while_old_ones_still_verify() {
    let app = secure_app().await;
    let w = world(&app).await;
    let before = token(&app, &w.org).await;
    let kid_of = |t: &str| -> String {
        jsonwebtoken::decode_header(t)
            .expect("header")
            .kid
            .expect("kid")
    };
    let old_kid = kid_of(&before);
    let response = call(
        &app,
        Method::POST,
        "/operator/signing-keys/rotate",
        &w.operator,
    )
    .send()
    .await
    .expect("rotate");
    assert_eq!(response.status(), StatusCode::OK);
    let rotated: Value = response.json().await.expect("json");
    let new_kid = rotated["kid"].as_str().expect("kid").to_owned();
    assert_ne!(new_kid, old_kid);
    let published: Vec<&str> = rotated["published"]
        .as_array()
        .expect("published")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(published.contains(&old_kid.as_str()) && published.contains(&new_kid.as_str()));

    let after = token(&app, &w.org).await;
    assert_eq!(kid_of(&after), new_kid);
    let jwks: Value = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.address))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()));
    // Both the token from before the rotation and the new one are accepted.
    for t in [&before, &after] {
        let response = call(&app, Method::GET, "/usage", t)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Only operators rotate.
    let org = token(&app, &w.org).await;
    let response = call(&app, Method::POST, "/operator/signing-keys/rotate", &org)
        .send()
        .await
        .expect("rotate");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_cannot_revoke_their_last_operator_client() {
    let app = secure_app().await;
    let operator = super::bootstrap_operator(&app).await;
    let bearer = token(&app, &operator).await;
    let revoke = |client_id: &str| {
        call(
            &app,
            Method::POST,
            &format!("/operator/tenants/platform/clients/{client_id}/revoke"),
            &bearer,
        )
    };
    let before = app.all_events().await.len();
    let response = revoke(&operator.client_id).send().await.expect("revoke");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "last_operator_client", "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("register another operator client")));
    assert_eq!(app.all_events().await.len(), before, "nothing recorded");
    // The token still works, and with a second operator client the first goes.
    let second = super::bootstrap_operator(&app).await;
    let response = revoke(&operator.client_id).send().await.expect("revoke");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let second_bearer = token(&app, &second).await;
    let response = call(
        &app,
        Method::POST,
        &format!(
            "/operator/tenants/platform/clients/{}/revoke",
            second.client_id
        ),
        &second_bearer,
    )
    .send()
    .await
    .expect("revoke");
    assert_eq!(response.status(), StatusCode::CONFLICT);
}
