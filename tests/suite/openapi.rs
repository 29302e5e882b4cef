//! The OpenAPI document is generated from the code; `schemas/openapi.json`
//! must match it (run with `UPDATE_SCHEMAS=1` to rewrite it), and the
//! interactive docs are served offline.

use reqwest::StatusCode;
use veritrail_event_store::Backend;
use veritrail_tests::spawn_app;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/openapi.json");

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = veritrail_command_api::http::openapi_json() + "\n";
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write schemas/openapi.json");
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/openapi.json is stale: run `UPDATE_SCHEMAS=1 bash scripts/test.sh openapi`"
    );
    let spec: serde_json::Value = serde_json::from_str(&generated).expect("valid JSON");
    assert_eq!(spec["openapi"], "3.1.0");
    for path in [
        "/verifications",
        "/verifications/{id}/data",
        "/admin/verifications/{id}",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(spec["components"]["schemas"].get("ErrorBody").is_some());
    the_case_and_the_document_checks_keep_their_own_shapes(&spec);
    // Requirement ids and seed references are for us, not for API users;
    // operation ids are unique (links and generated clients resolve them:
    // a shared `get` once sent the contract run's links to the wrong route).
    let mut ids = std::collections::BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let id = operation["operationId"].as_str().expect("an operationId");
            assert!(
                ids.insert(id.to_owned()),
                "{method} {path}: operationId {id} repeated"
            );
            let text = format!("{} {}", operation["summary"], operation["description"]);
            for internal in ["CASE-", "READ-", "CHK-", "AUTH-", "AUD-", "seed 0"] {
                assert!(!text.contains(internal), "{method} {path}: {text}");
            }
        }
    }
}

/// Two types once shared the schema name `CheckView`, so the case's
/// `checks` were documented with the document check's shape.
fn the_case_and_the_document_checks_keep_their_own_shapes(spec: &serde_json::Value) {
    let schemas = &spec["components"]["schemas"];
    let target = |reference: &serde_json::Value| {
        let name = reference["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .expect("a $ref");
        schemas[name].clone()
    };
    let required = |schema: &serde_json::Value| -> Vec<String> {
        serde_json::from_value(schema["required"].clone()).unwrap_or_default()
    };
    let case_check = target(&schemas["VerificationView"]["properties"]["checks"]["items"]);
    assert!(
        ["check", "state", "attempt"]
            .iter()
            .all(|f| required(&case_check).contains(&(*f).to_owned())),
        "{case_check}"
    );
    let validation = target(&schemas["DocumentValidationView"]["properties"]["checks"]["items"]);
    assert!(
        ["name", "status"]
            .iter()
            .all(|f| required(&validation).contains(&(*f).to_owned())),
        "{validation}"
    );
    assert_ne!(case_check, validation);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_and_the_interactive_docs_are_served_without_network() {
    let app = spawn_app(Backend::Sqlite).await;
    let spec = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("spec");
    assert_eq!(spec.status(), StatusCode::OK);
    let served: serde_json::Value = spec.json().await.expect("json");
    let generated: serde_json::Value =
        serde_json::from_str(&veritrail_command_api::http::openapi_json()).expect("json");
    assert_eq!(served, generated);

    let page = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .expect("docs");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("/docs/swagger-ui-bundle.js") && html.contains("/openapi.json"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets"
    );
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"] {
        let response = app
            .client
            .get(format!("{}{asset}", app.address))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(
            response.bytes().await.expect("bytes").len() > 10_000,
            "{asset}"
        );
    }
    let ready = app
        .client
        .get(format!("{}/health/ready", app.address))
        .send()
        .await
        .expect("ready");
    assert_eq!(ready.status(), StatusCode::OK);
    let live = app
        .client
        .get(format!("{}/health/live", app.address))
        .send()
        .await
        .expect("live");
    assert_eq!(live.status(), StatusCode::OK);
}
