//! The webhook endpoints API: the catalogue, registration with a secret
//! shown once, changes, tenants kept apart, operators, refused targets
//! (SSRF) and refused input leave nothing behind.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::webhooks::WebhookSettings;
use veritrail_event_store::Backend;
use veritrail_tests::As;

use super::*;

veritrail_tests::both_backends!(endpoints_are_managed_per_tenant);

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    who: As<'_>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.request(method, path, who);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let body = if status == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        response.json().await.expect("json")
    };
    (status, body)
}

async fn endpoints_are_managed_per_tenant(backend: Backend) {
    let clock = clock();
    let app = app_with(backend, &clock, settings()).await;
    let (status, catalogue) = send(
        &app,
        Method::GET,
        "/webhooks/event-types",
        As::org(TENANT),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = catalogue["event_types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    for wanted in [
        "case.opened",
        "case.submitted",
        "check.completed",
        "check.action_required",
        "case.decided",
        "check.expired",
        "check.escalated",
        "case.reminded",
        "case.cancelled",
        "case.recreated",
        "quota.threshold_reached",
    ] {
        assert!(names.contains(&wanted), "{wanted}");
    }

    let body = json!({"url": "http://127.0.0.1:9/hooks", "event_types": ["case.decided"], "description": "ERP"});
    let (status, created) = send(
        &app,
        Method::POST,
        "/webhooks/endpoints",
        As::org(TENANT),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(created["secret"]
        .as_str()
        .expect("secret")
        .starts_with("whsec_"));
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/webhooks/endpoints/{id}");
    let (_, shown) = send(&app, Method::GET, &path, As::org(TENANT), None).await;
    assert!(shown.get("secret").is_none(), "the secret is shown once");
    assert_eq!(shown["event_types"], json!(["case.decided"]));

    // Changes: event types and enabled; unknown types are refused.
    let (status, changed) = send(
        &app,
        Method::PATCH,
        &path,
        As::org(TENANT),
        Some(json!({"event_types": [], "enabled": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            changed["enabled"].clone(),
            changed["disabled_reason"].clone()
        ),
        (json!(false), json!("manual"))
    );
    let (status, error) = send(
        &app,
        Method::PATCH,
        &path,
        As::org(TENANT),
        Some(json!({"event_types": ["case.exploded"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["details"]["field"], "event_types");
    assert!(error["error"]["trace_id"].is_string());
    let (status, _) = send(
        &app,
        Method::PATCH,
        &path,
        As::org(TENANT),
        Some(json!({"colour": "red"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another tenant sees nothing of it.
    let (status, _) = send(&app, Method::GET, &path, As::org("globex"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        As::org("globex"),
        None,
    )
    .await;
    assert_eq!(theirs["endpoints"], json!([]));
    let (status, _) = send(&app, Method::DELETE, &path, As::org("globex"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Individuals and officers do not manage webhooks.
    let (status, _) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        As::individual(TENANT),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Deleted: gone from the list, its secrets shredded.
    let (status, _) = send(&app, Method::DELETE, &path, As::org(TENANT), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, ours) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        As::org(TENANT),
        None,
    )
    .await;
    assert_eq!(ours["endpoints"], json!([]));
    let (status, _) = send(&app, Method::GET, &path, As::org(TENANT), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let left: Vec<(String,)> = veritrail_event_store::sql::fetch(
        &app.test_db.db,
        "SELECT secret_id FROM webhook_secrets",
        &[],
    )
    .await
    .expect("secrets");
    assert!(left.is_empty());
}

#[tokio::test]
async fn private_targets_are_refused_and_nothing_is_recorded() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, WebhookSettings::default()).await;
    for url in [
        "https://127.0.0.1/hooks",
        "https://localhost:8443/hooks",
        "https://10.0.0.7/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "http://hooks.example.com/plain-http",
        "https://user:secret@hooks.example.com/",
        "not a url",
    ] {
        let (status, error) = send(
            &app,
            Method::POST,
            "/webhooks/endpoints",
            As::org(TENANT),
            Some(json!({"url": url})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(error["error"]["details"]["field"], "url", "{url}");
    }
    let (_, listed) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        As::org(TENANT),
        None,
    )
    .await;
    assert_eq!(listed["endpoints"], json!([]));
    let events = app
        .test_db
        .db
        .read_all(veritrail_event_store::GlobalPosition::START, 100)
        .await
        .expect("log");
    assert!(events
        .iter()
        .all(|e| e.aggregate_type != "WebhookEndpoints"));
}

#[tokio::test]
async fn operators_manage_a_named_tenants_endpoints_on_its_audit_trail() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    app.register_tenant(TENANT).await;
    let operator = As {
        tenant: "platform",
        kind: "operator",
        id: "op-1",
    };
    let body = json!({"url": "http://127.0.0.1:9/hooks"});
    let (status, created) = send(
        &app,
        Method::POST,
        "/webhooks/endpoints?tenant=acme",
        operator,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, ours) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        As::org(TENANT),
        None,
    )
    .await;
    assert_eq!(ours["endpoints"][0]["id"], created["id"]);
    let (status, _) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints?tenant=nobody",
        operator,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &app,
        Method::GET,
        "/webhooks/endpoints?tenant=acme",
        As::org("globex"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let events = app
        .test_db
        .db
        .read_all(veritrail_event_store::GlobalPosition::START, 1000)
        .await
        .expect("log");
    assert!(events
        .iter()
        .any(|e| e.event_type == "OperatorRead" && e.tenant_id.as_deref() == Some(TENANT)));
}
