//! Bad input and illegal transitions over HTTP: each gets its 4xx in the one
//! error shape, and the store is unchanged.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As, TestApp};

use crate::api_flow::create_case;

/// Checks the one error shape and that `trace_id` is the response's request id.
pub(crate) async fn assert_error(
    response: reqwest::Response,
    status: StatusCode,
    code: &str,
) -> Value {
    assert_eq!(response.status(), status, "expected {code}");
    let request_id = response
        .headers()
        .get("x-request-id")
        .expect("x-request-id header")
        .to_str()
        .expect("ascii")
        .to_owned();
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.expect("json error body");
    let error = body["error"].as_object().expect("error object");
    let keys: Vec<&str> = error.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4, "{body}");
    for key in ["code", "message", "details", "trace_id"] {
        assert!(error.contains_key(key), "{key} missing in {body}");
    }
    assert_eq!(error["code"], code, "{body}");
    assert!(!error["message"].as_str().expect("message").is_empty());
    assert_eq!(error["trace_id"], request_id.as_str());
    body
}

pub(crate) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    who: As<'_>,
    body: Option<Value>,
) -> reqwest::Response {
    let request = app.request(method, path, who);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    request.send().await.expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_errors_use_the_one_shape_and_change_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let id = create_case(&app, "acme", "EMP-1").await;
    let before = app.all_events().await;
    let url = |p: &str| format!("{}{}", app.address, p);
    let org = As::org("acme");

    let malformed = app
        .request(Method::POST, "/verifications", org)
        .header("content-type", "application/json")
        .body("{\"subject\": ")
        .send()
        .await
        .expect("send");
    assert_error(malformed, StatusCode::BAD_REQUEST, "malformed_json").await;

    let wrong_type = app
        .request(Method::POST, "/verifications", org)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("send");
    assert_error(
        wrong_type,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;

    let huge = json!({"subject": {"id": "x"}, "requested_checks": ["document"], "entities": ["a".repeat(300 * 1024)]});
    let too_large = app
        .request(Method::POST, "/verifications", org)
        .json(&huge)
        .send()
        .await
        .expect("send");
    assert_error(
        too_large,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;

    // A struct written as the array of its fields is not an object: serde
    // would read `["duplicate request"]` as a cancellation with that reason.
    for (path, body) in [
        (
            format!("/verifications/{id}/cancel"),
            json!(["duplicate request"]),
        ),
        ("/verifications".to_owned(), json!([])),
        (
            format!("/verifications/{id}/cancel"),
            json!("duplicate request"),
        ),
    ] {
        let refused = send(&app, Method::POST, &path, org, Some(body.clone())).await;
        assert_error(refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }

    let wrong_shape = send(
        &app,
        Method::POST,
        "/verifications",
        org,
        Some(json!({"subject": "EMP-1"})),
    )
    .await;
    assert_error(
        wrong_shape,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;

    let unknown_field = send(
        &app,
        Method::POST,
        "/verifications",
        org,
        Some(json!({"subject": {"id": "E"}, "requested_checks": ["document"], "tenant": "globex"})),
    )
    .await;
    assert_error(
        unknown_field,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;

    let unknown_check = send(
        &app,
        Method::POST,
        "/verifications",
        org,
        Some(json!({"subject": {"id": "E"}, "requested_checks": ["telepathy"]})),
    )
    .await;
    assert_error(
        unknown_check,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;

    let no_checks = send(
        &app,
        Method::POST,
        "/verifications",
        org,
        Some(json!({"subject": {"id": "E"}, "requested_checks": []})),
    )
    .await;
    let body = assert_error(
        no_checks,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["error"]["details"]["field"], "requested_checks");

    let bad_subject = send(
        &app,
        Method::POST,
        "/verifications",
        org,
        Some(json!({"subject": {"id": "has space"}, "requested_checks": ["document"]})),
    )
    .await;
    let body = assert_error(
        bad_subject,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["error"]["details"]["field"], "subject.id");

    let mut data = crate::api_flow::submission();
    data["date_of_birth"] = json!("29/02/1988");
    let bad_date = send(
        &app,
        Method::PUT,
        &format!("/verifications/{id}/data"),
        As::individual("acme"),
        Some(data),
    )
    .await;
    let body = assert_error(
        bad_date,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["error"]["details"]["field"], "date_of_birth");

    let mut data = crate::api_flow::submission();
    data["declared_income"] = json!({"amount": "12.5e3", "currency": "AUD"});
    let bad_money = send(
        &app,
        Method::PUT,
        &format!("/verifications/{id}/data"),
        As::individual("acme"),
        Some(data),
    )
    .await;
    assert_error(
        bad_money,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    // Codes that are shaped right but name nothing real.
    for (field, value) in [
        ("nationality", json!("XXX")),
        ("nationality", json!("QQQ")),
        (
            "declared_income",
            json!({"amount": "100", "currency": "XYZ"}),
        ),
    ] {
        let mut data = crate::api_flow::submission();
        data[field] = value.clone();
        let refused = send(
            &app,
            Method::PUT,
            &format!("/verifications/{id}/data"),
            As::individual("acme"),
            Some(data),
        )
        .await;
        let body = assert_error(
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(
            body["error"]["details"]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with(field)),
            "{field}={value}: {body}"
        );
    }

    let mut data = crate::api_flow::submission();
    data["email"] = json!("not-an-email");
    let bad_email = send(
        &app,
        Method::PUT,
        &format!("/verifications/{id}/data"),
        As::individual("acme"),
        Some(data),
    )
    .await;
    assert_error(
        bad_email,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    let unknown_route = app
        .client
        .get(url("/no/such/route"))
        .send()
        .await
        .expect("send");
    assert_error(unknown_route, StatusCode::NOT_FOUND, "route_not_found").await;

    let wrong_method = app
        .client
        .delete(url(&format!("/verifications/{id}")))
        .send()
        .await
        .expect("send");
    assert_eq!(wrong_method.headers()["allow"], "GET");
    assert_error(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    // An unserved method is a 405 before anything looks at its Idempotency-Key.
    let wrong_method = app
        .client
        .put(url(&format!("/verifications/{id}/cancel")))
        .header("Idempotency-Key", "")
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(wrong_method.headers()["allow"], "POST");
    let body = assert_error(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    assert_eq!(body["error"]["details"]["allowed"], "POST");

    let bad_identity = app
        .client
        .get(url(&format!("/verifications/{id}")))
        .header("X-Tenant-Id", "NOT A TENANT")
        .send()
        .await
        .expect("send");
    assert_error(bad_identity, StatusCode::UNAUTHORIZED, "invalid_identity").await;

    let bad_if_match = app
        .request(Method::POST, &format!("/verifications/{id}/cancel"), org)
        .header("If-Match", "version-one")
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .expect("send");
    assert_error(bad_if_match, StatusCode::BAD_REQUEST, "invalid_if_match").await;

    assert_eq!(app.all_events().await, before, "nothing was appended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_other_tenants_and_wrong_roles_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let id = create_case(&app, "acme", "EMP-2").await;
    let before = app.all_events().await;

    for path in [
        "/verifications/0192f3a0-0000-7000-8000-00000000abcd".to_owned(),
        "/verifications/not-a-uuid".to_owned(),
        format!("/verifications/{id}").replace("acme", "x"),
    ] {
        let response = send(&app, Method::GET, &path, As::org("acme"), None).await;
        if path.contains(&id) {
            assert_eq!(response.status(), StatusCode::OK);
        } else {
            assert_error(response, StatusCode::NOT_FOUND, "case_not_found").await;
        }
    }

    // Another tenant cannot read or change the case, nor tell that it exists.
    let foreign_read = send(
        &app,
        Method::GET,
        &format!("/verifications/{id}"),
        As::org("globex"),
        None,
    )
    .await;
    assert_error(foreign_read, StatusCode::NOT_FOUND, "case_not_found").await;
    let foreign_cancel = send(
        &app,
        Method::POST,
        &format!("/verifications/{id}/cancel"),
        As::org("globex"),
        Some(json!({"reason": "hostile"})),
    )
    .await;
    assert_error(foreign_cancel, StatusCode::NOT_FOUND, "case_not_found").await;
    let foreign_admin = send(
        &app,
        Method::GET,
        &format!("/admin/verifications/{id}"),
        As::officer("globex"),
        None,
    )
    .await;
    assert_error(foreign_admin, StatusCode::NOT_FOUND, "case_not_found").await;

    // Roles: an organisation is not an officer; an officer does not submit data.
    let org_decides = send(
        &app,
        Method::PATCH,
        &format!("/admin/verifications/{id}"),
        As::org("acme"),
        Some(json!({"status": "FAILED", "reason": "x"})),
    )
    .await;
    assert_error(org_decides, StatusCode::FORBIDDEN, "forbidden").await;
    let officer_submits = send(
        &app,
        Method::PUT,
        &format!("/verifications/{id}/data"),
        As::officer("acme"),
        Some(crate::api_flow::submission()),
    )
    .await;
    assert_error(officer_submits, StatusCode::FORBIDDEN, "forbidden").await;

    assert_eq!(app.all_events().await, before, "nothing was appended");
}
