//! `POST /document/validate` over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::macros::date;
use veritrail_domain::mrz::{render, Format, MrzInput, Sex};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As};

fn id_card() -> Vec<String> {
    render(&MrzInput {
        format: Format::Td1,
        document_code: "ID".into(),
        issuing_state: "FRA".into(),
        surname: "DUBOIS MARTIN".into(),
        given_names: "JEAN LUC".into(),
        document_number: "X4RTBPFW4".into(),
        nationality: "FRA".into(),
        birth_date: date!(1990 - 03 - 15),
        sex: Sex::Male,
        expiry_date: date!(2033 - 03 - 14),
        optional_data: String::new(),
        optional_data_2: String::new(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_validated_with_named_checks_and_normalised_fields() {
    let app = spawn_app(Backend::Sqlite).await;
    let post = |body: Value| {
        app.request(Method::POST, "/document/validate", As::org("acme"))
            .json(&body)
            .send()
    };
    let lines = id_card();
    let ok = post(json!({
        "mrz": lines,
        "printed": {"surname": "Dubois-Martin", "given_names": "Jean-Luc", "birth_date": "1990-03-15",
                    "document_number": "X4RTBPFW4", "nationality": "FRA", "sex": "M"}
    }))
    .await
    .expect("post");
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.expect("json");
    assert_eq!(body["document_valid"], true, "{body}");
    assert_eq!(body["confidence"], 1.0);
    assert_eq!(body["fields"]["format"], "TD1");
    assert_eq!(body["fields"]["document_type"], "id_card");
    assert_eq!(body["fields"]["birth_date"], "1990-03-15");
    assert_eq!(
        body["fields"]["nationality"],
        json!({"alpha3": "FRA", "alpha2": "FR"})
    );
    assert_eq!(body["fields"]["surname"], "DUBOIS MARTIN");

    let tampered = lines.join("\n").replacen("X4RTBPFW4", "X4RTBPFW5", 1);
    let bad: Value = post(json!({"mrz": tampered}))
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(bad["document_valid"], false);
    let failed: Vec<&str> = bad["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        failed,
        ["mrz_checksum_document_number", "mrz_checksum_composite"]
    );

    let garbage: Value = post(json!({"mrz": "not an mrz"}))
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(garbage["checks"][0]["name"], "mrz_structure");
    assert!(garbage["fields"].is_null());

    let missing = post(json!({"printed": {}})).await.expect("post");
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_date = post(json!({"mrz": lines, "printed": {"birth_date": "15/03/1990"}}))
        .await
        .expect("post");
    assert_eq!(bad_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let individual = app
        .request(Method::POST, "/document/validate", As::individual("acme"))
        .json(&json!({"mrz": lines}))
        .send()
        .await
        .expect("post");
    assert_eq!(individual.status(), StatusCode::FORBIDDEN);
}
