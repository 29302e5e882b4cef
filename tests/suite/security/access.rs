//! Who reaches what: the role and scope table, secret rotation and
//! revocation, and tenant isolation.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::auth::Credentials;

use super::{call, create_case, open_tenant, secure_app, token, token_response, world};

/// Route matching comes before authentication: a path no route serves is a
/// 404 `route_not_found` without credentials too (not a 401), and a key on
/// the public token endpoint is no internal error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_are_not_found_before_any_credentials_are_asked() {
    let app = secure_app().await;
    for path in ["/", "/metrics", "/invitation", "/verifications/x/nothing"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "route_not_found", "{path}");
    }
    // A known route still asks for credentials.
    let response = app
        .client
        .get(format!("{}/verifications/some-id", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .header("Idempotency-Key", "token-1")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "no client: 401, not 500"
    );
}

/// A case is assigned only to an active officer of its tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_officer_of_the_tenant_can_be_assigned_a_case() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;
    let officer = token(&app, &w.officer).await;
    let created = create_case(&app, &org, "EMP-ASSIGN").await;
    let id = created.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let assign = |reviewer: &str| {
        call(
            &app,
            Method::POST,
            &format!("/admin/verifications/{id}/assign"),
            &officer,
        )
        .json(&json!({ "reviewer": reviewer }))
    };
    for stranger in ["somebody-else", w.org.client_id.as_str()] {
        let response = assign(stranger).send().await.expect("send");
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{stranger}"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["details"]["field"], "reviewer");
    }
    let response = assign(&w.officer.client_id).send().await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["reviewer"], w.officer.client_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_reaches_exactly_the_endpoints_its_scope_allows() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;
    let officer = token(&app, &w.officer).await;
    let created = create_case(&app, &org, "EMP-1").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mrz = json!({"mrz": ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]});
    // (method, path, body, roles allowed) — the scope table of docs/security.md.
    // Operators act across tenants on the officer endpoints (platform support).
    let table: Vec<(Method, String, Option<Value>, &[&str])> = vec![
        (
            Method::GET,
            format!("/verifications/{id}"),
            None,
            &["org", "officer"],
        ),
        (
            Method::GET,
            "/admin/verifications".into(),
            None,
            &["officer", "operator"],
        ),
        (
            Method::GET,
            "/admin/audit".into(),
            None,
            &["officer", "operator"],
        ),
        (
            Method::GET,
            "/admin/dashboard/overview".into(),
            None,
            &["officer", "operator"],
        ),
        (
            Method::GET,
            format!("/admin/verifications/{id}/events"),
            None,
            &["officer"],
        ),
        (
            Method::POST,
            "/document/validate".into(),
            Some(mrz),
            &["org", "officer", "operator"],
        ),
        (
            Method::POST,
            "/operator/tenants".into(),
            Some(
                json!({"tenant_id": "t-x", "name": "X", "country": "DEU", "support_email": "a@x.test"}),
            ),
            &["operator"],
        ),
        (
            Method::POST,
            format!("/verifications/{id}/invitations"),
            None,
            &["org", "officer"],
        ),
        (Method::GET, "/usage".into(), None, &["org", "operator"]),
        (
            Method::GET,
            "/operator/tenants/acme".into(),
            None,
            &["operator"],
        ),
        (
            Method::PUT,
            "/operator/tenants/acme/plan".into(),
            Some(json!({"plan": "enterprise"})),
            &["operator"],
        ),
        (
            Method::POST,
            "/operator/signing-keys/rotate".into(),
            None,
            &["operator"],
        ),
    ];
    for (method, path, body, allowed) in table {
        for (role, token) in [
            ("org", &org),
            ("officer", &officer),
            ("operator", &w.operator),
        ] {
            let mut request = call(&app, method.clone(), &path, token);
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request.send().await.expect("send");
            let status = response.status();
            if allowed.contains(&role) {
                assert!(
                    status.is_success() || status == StatusCode::CONFLICT,
                    "{role} {method} {path}: {status} {}",
                    response.text().await.unwrap_or_default()
                );
            } else {
                // The operator is of another tenant: the case is not there at all.
                let expected = if role == "operator" && path.contains(&id) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(status, expected, "{role} {method} {path}");
                let body: Value = response.json().await.expect("json");
                assert!(body["error"]["code"].is_string());
            }
        }
    }
    // A token with no scope acts as nobody.
    let (status, body) = token_response(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &w.org.client_id),
            ("client_secret", &w.org.client_secret),
            ("scope", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scopeless = body["access_token"].as_str().expect("token");
    let refused = create_case(&app, scopeless, "EMP-2").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_overlaps_and_a_revoked_client_is_shut_out() {
    let app = secure_app().await;
    let w = world(&app).await;
    let rotate = |overlap: u32| {
        call(
            &app,
            Method::POST,
            &format!("/operator/tenants/acme/clients/{}/rotate", w.org.client_id),
            &w.operator,
        )
        .json(&json!({"overlap_hours": overlap}))
        .send()
    };
    let response = rotate(1).await.expect("rotate");
    assert_eq!(response.status(), StatusCode::OK);
    let second: Value = response.json().await.expect("json");
    let second = Credentials {
        client_id: w.org.client_id.clone(),
        client_secret: second["client_secret"].as_str().expect("secret").to_owned(),
    };
    assert_ne!(second.client_secret, w.org.client_secret);
    // During the overlap both work.
    token(&app, &w.org).await;
    token(&app, &second).await;
    // Rotating again with no overlap ends both older secrets at once.
    let third: Value = rotate(0).await.expect("rotate").json().await.expect("json");
    let third = Credentials {
        client_id: w.org.client_id.clone(),
        client_secret: third["client_secret"].as_str().expect("secret").to_owned(),
    };
    for old in [&w.org, &second] {
        let (status, body) = token_response(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &old.client_id),
                ("client_secret", &old.client_secret),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    token(&app, &third).await;
    // Revoked: no more tokens.
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
    let (status, _) = token_response(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &third.client_id),
            ("client_secret", &third.client_secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Every change is an event on the tenant's stream, without secrets in clear.
    let events = app.all_events().await;
    let tenant_events: Vec<_> = events
        .iter()
        .filter(|e| e.aggregate_type == "Tenant")
        .collect();
    assert!(tenant_events.len() >= 7, "{}", tenant_events.len());
    for e in &tenant_events {
        let text = e.payload.to_string();
        for secret in [
            &w.org.client_secret,
            &second.client_secret,
            &third.client_secret,
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret in clear in {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tenant_cannot_read_or_detect_another_tenants_cases() {
    let app = secure_app().await;
    let w = world(&app).await;
    let (globex_org, globex_officer) = open_tenant(&app, &w.operator, "globex").await;
    let acme = token(&app, &w.org).await;
    let globex = token(&app, &globex_org).await;
    let globex_vo = token(&app, &globex_officer).await;
    let id = create_case(&app, &acme, "EMP-1")
        .await
        .json::<Value>()
        .await
        .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let unknown = uuid::Uuid::now_v7().to_string();
    for (token, path) in [
        (&globex, format!("/verifications/{id}")),
        (&globex_vo, format!("/admin/verifications/{id}")),
        (&globex_vo, format!("/admin/verifications/{id}/events")),
    ] {
        let foreign = call(&app, Method::GET, &path, token)
            .send()
            .await
            .expect("send");
        let missing = call(&app, Method::GET, &path.replace(&id, &unknown), token)
            .send()
            .await
            .expect("send");
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.status(), foreign.status());
        // Not even the error tells them apart.
        let a: Value = foreign.json().await.expect("json");
        let b: Value = missing.json().await.expect("json");
        assert_eq!(a["error"]["code"], b["error"]["code"]);
        assert_eq!(a["error"]["message"], b["error"]["message"]);
    }
    let queue: Value = call(&app, Method::GET, "/admin/verifications", &globex_vo)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(!queue.to_string().contains(&id), "{queue}");
}
