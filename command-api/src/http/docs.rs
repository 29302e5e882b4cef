//! The OpenAPI document served at `/openapi.json`, and Swagger UI at
//! `/docs` from files vendored in `command-api/assets/` (swagger-ui-dist,
//! Apache-2.0), so the docs work offline.

use actix_web::{web, HttpResponse};

use super::openapi::openapi_json;

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
