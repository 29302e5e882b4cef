//! OpenAPI 3.1 generated from the code, served at `/openapi.json`, and
//! Swagger UI at `/docs` from files vendored in `command-api/assets/`
//! (swagger-ui-dist, Apache-2.0), so the docs work offline.

use actix_web::{web, HttpResponse};
use utoipa::OpenApi;

use super::{admin, auth, cases, dashboards, documents, health, ocr, queries};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Veritrail",
        description = "Event-sourced identity-verification cases: organisations open cases, \
individuals submit data, verification officers decide. Every change is an immutable event.\n\n\
Errors always look like `{\"error\":{\"code\",\"message\",\"details\",\"trace_id\"}}`. \
Every POST/PUT/PATCH accepts `Idempotency-Key`; responses carry an `ETag` that \
`If-Match` can demand.\n\n\
Until authentication lands, the caller is named by the development headers \
`X-Tenant-Id`, `X-Actor-Kind` (organisation, individual, officer, operator) and `X-Actor-Id`.",
        license(name = "Apache-2.0")
    ),
    paths(
        cases::create,
        cases::get,
        cases::submit_data,
        cases::retry,
        cases::cancel,
        cases::recreate,
        cases::resubmit,
        admin::get,
        admin::decide,
        admin::assign,
        admin::bypass,
        admin::review,
        admin::request_action,
        queries::last_active,
        queries::queue,
        queries::audit,
        queries::case_events,
        queries::history,
        dashboards::overview,
        dashboards::by_region,
        dashboards::by_country,
        dashboards::funnel,
        dashboards::financial,
        dashboards::timeline,
        documents::validate_document,
        ocr::read_document,
        auth::token,
        auth::jwks,
        auth::create_tenant,
        auth::create_client,
        auth::rotate_secret,
        auth::revoke_client,
        health::live,
        health::ready,
    ),
    tags(
        (name = "verifications", description = "Organisations and individuals"),
        (name = "admin", description = "Verification officers"),
        (name = "documents", description = "Document checks, callable on their own (CHK-12)"),
        (name = "dashboards", description = "Analytics from the read models (seed 004)"),
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "OAuth 2.0 client credentials and the token signing keys"),
        (name = "operator", description = "Tenants and API clients (operators)"),
    )
)]
pub struct ApiDoc;

/// The spec as pretty JSON (also written to `schemas/openapi.json`).
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}

pub async fn spec() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_json())
}

const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Veritrail API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
  </script>
</body>
</html>"##;

pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

pub async fn bundle() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(web::Bytes::from_static(include_bytes!(
            "../../assets/swagger-ui/swagger-ui-bundle.js"
        )))
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(web::Bytes::from_static(include_bytes!(
            "../../assets/swagger-ui/swagger-ui.css"
        )))
}
