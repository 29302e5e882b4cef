//! Authentication over real HTTP with real tokens (issue "Auth and tenancy",
//! first step): operators open tenants and register clients, clients get
//! Ed25519-signed JWTs from `/oauth2/token`, every endpoint checks role and
//! scope, bad tokens are refused, secrets rotate with an overlap, and one
//! tenant cannot see another's cases. Development headers are off here.

mod access;
mod hmac;
mod invitations;
mod isolation;
mod limits;
mod operator;
mod operator_reads;
mod tokens;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::auth::Credentials;
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app_with, AppOptions, TestApp};

async fn secure_app() -> TestApp {
    spawn_app_with(
        Backend::Postgres,
        AppOptions {
            dev_identity_headers: false,
            ..AppOptions::default()
        },
    )
    .await
}

/// A secure app whose request limits follow `clock`.
async fn secure_app_at(clock: std::sync::Arc<veritrail_domain::FixedClock>) -> TestApp {
    spawn_app_with(
        Backend::Postgres,
        AppOptions {
            dev_identity_headers: false,
            clock: Some(clock),
            ..AppOptions::default()
        },
    )
    .await
}

/// `veritrail bootstrap`: the platform tenant and an operator client.
async fn bootstrap_operator(app: &TestApp) -> Credentials {
    veritrail::bootstrap::operator(&app.test_db.db, "platform", None)
        .await
        .expect("bootstrap")
}

/// A form body: name/value pairs.
type Form<'a> = Vec<(&'a str, &'a str)>;

async fn token_response(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .form(form)
        .send()
        .await
        .expect("token request");
    (response.status(), response.json().await.expect("json"))
}

async fn token(app: &TestApp, c: &Credentials) -> String {
    let (status, body) = token_response(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().expect("token").to_owned()
}

fn call(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, format!("{}{}", app.address, path))
        .bearer_auth(token)
}

/// An operator token, a tenant, and an organisation and an officer client in it.
struct World {
    operator: String,
    org: Credentials,
    officer: Credentials,
}

/// A tenant on the enterprise plan (limits far above what a test sends)
/// with an organisation and an officer client.
async fn open_tenant(app: &TestApp, operator: &str, tenant: &str) -> (Credentials, Credentials) {
    open_tenant_with(app, operator, tenant, json!({"plan": "enterprise"})).await
}

/// A tenant with `plan` (`{"plan", "limits"}`) and an organisation and an
/// officer client.
async fn open_tenant_with(
    app: &TestApp,
    operator: &str,
    tenant: &str,
    plan: Value,
) -> (Credentials, Credentials) {
    let mut body = json!({"tenant_id": tenant, "name": "Acme", "country": "FRA", "support_email": "help@acme.test"});
    if let (Some(body), Some(plan)) = (body.as_object_mut(), plan.as_object()) {
        body.extend(plan.clone());
    }
    let response = call(app, Method::POST, "/operator/tenants", operator)
        .json(&body)
        .send()
        .await
        .expect("create tenant");
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut clients = Vec::new();
    for role in ["organisation", "officer"] {
        let response = call(
            app,
            Method::POST,
            &format!("/operator/tenants/{tenant}/clients"),
            operator,
        )
        .json(&json!({"role": role}))
        .send()
        .await
        .expect("create client");
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.expect("json");
        clients.push(Credentials {
            client_id: body["client_id"].as_str().expect("id").to_owned(),
            client_secret: body["client_secret"].as_str().expect("secret").to_owned(),
        });
    }
    let officer = clients.pop().expect("officer");
    (clients.pop().expect("org"), officer)
}

async fn world(app: &TestApp) -> World {
    let operator = token(app, &bootstrap_operator(app).await).await;
    let (org, officer) = open_tenant(app, &operator, "acme").await;
    World {
        operator,
        org,
        officer,
    }
}

async fn create_case(app: &TestApp, token: &str, subject: &str) -> reqwest::Response {
    call(app, Method::POST, "/verifications", token)
        .json(&json!({
            "subject": {"id": subject, "display_name": "Jane Citizen"},
            "requested_checks": ["bankruptcy"],
        }))
        .send()
        .await
        .expect("create")
}
