//! `veritrail demo` (issue 13 item 3): real tenants with working clients
//! whose credentials are printed and kept in a file, cases spread over the
//! last 90 days at every stage with data that fits each tenant, the next
//! command printed, and a second run that changes nothing.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use veritrail::demo::{CredentialsFile, DemoOptions};
use veritrail_event_store::{Backend, GlobalPosition};
use veritrail_tests::{spawn_app_with, AppOptions, TestApp};

async fn token(app: &TestApp, client_id: &str, secret: &str) -> String {
    let response = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app
        .client
        .get(format!("{}{}", app.address, path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_gives_real_credentials_and_ninety_days_of_cases() {
    let options = AppOptions {
        dev_identity_headers: false,
        ..AppOptions::default()
    };
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let dir = tempfile::tempdir().expect("dir");
    let demo = DemoOptions {
        credentials_file: dir.path().join("demo-credentials.json"),
        base_url: app.address.clone(),
        secrets_key: None,
    };
    let summary = veritrail::demo::load(app.test_db.db.clone(), &demo)
        .await
        .expect("demo");
    for status in ["PENDING_ORG", "PENDING_ADMIN", "COMPLETED", "FAILED"] {
        assert!(summary.contains(status), "{status} in\n{summary}");
    }

    // The credentials file (owner-only) holds both tenants' clients, as printed.
    let kept: CredentialsFile =
        serde_json::from_slice(&std::fs::read(&demo.credentials_file).expect("file"))
            .expect("json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&demo.credentials_file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    assert_eq!(
        kept.keys().map(String::as_str).collect::<Vec<_>>(),
        ["acme-hr", "northwind-bank"]
    );
    let hr = &kept["acme-hr"];
    let bank = &kept["northwind-bank"];
    assert!(summary.contains(&hr.officer.client_secret), "{summary}");
    let next = format!("{}/oauth2/token", app.address);
    assert!(summary.contains(&next), "the next command: {summary}");

    // Those credentials work; the officer sees its tenant's queue.
    let hr_officer = token(&app, &hr.officer.client_id, &hr.officer.client_secret).await;
    let bank_officer = token(&app, &bank.officer.client_id, &bank.officer.client_secret).await;
    token(
        &app,
        &hr.organisation.client_id,
        &hr.organisation.client_secret,
    )
    .await;
    app.wait_for_projections().await;
    let queue = get(&app, "/admin/verifications?limit=200", &hr_officer).await;
    let items = queue["items"].as_array().expect("items");
    assert!(items.len() >= 12, "{queue}");
    let mine = format!("/admin/verifications?assignee={}", hr.officer.client_id);
    assert_eq!(
        get(&app, &mine, &hr_officer).await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let old = get(
        &app,
        "/admin/verifications?older_than_hours=720",
        &hr_officer,
    )
    .await;
    assert!(
        !old["items"].as_array().expect("items").is_empty(),
        "ageing"
    );

    // Cases were opened and decided over the last 90 days, not all today.
    let timeline = get(&app, "/admin/dashboard/timeline?days=90", &bank_officer).await;
    let days = timeline.as_array().expect("days");
    let opened_days = days
        .iter()
        .filter(|d| d["opened"].as_i64() > Some(0))
        .count();
    let decided_days = days
        .iter()
        .filter(|d| d["approved"].as_i64() > Some(0) || d["rejected"].as_i64() > Some(0))
        .count();
    assert!(opened_days >= 8 && decided_days >= 5, "{timeline}");

    // Money fits the tenant: none for HR, euros for the bank.
    let hr_money = get(&app, "/admin/dashboard/financial", &hr_officer).await;
    assert!(
        hr_money.as_array().expect("metrics").is_empty(),
        "{hr_money}"
    );
    let bank_money = get(&app, "/admin/dashboard/financial", &bank_officer).await;
    let currencies: BTreeSet<&str> = bank_money
        .as_array()
        .expect("metrics")
        .iter()
        .filter_map(|m| m["currency"].as_str())
        .collect();
    assert_eq!(currencies, BTreeSet::from(["EUR"]), "{bank_money}");

    // Running it again adds nothing and keeps the credentials.
    let events = app
        .test_db
        .db
        .read_all(GlobalPosition::START, 100_000)
        .await
        .expect("read");
    let again = veritrail::demo::load(app.test_db.db.clone(), &demo)
        .await
        .expect("demo again");
    let after = app
        .test_db
        .db
        .read_all(GlobalPosition::START, 100_000)
        .await
        .expect("read");
    assert_eq!(after.len(), events.len());
    assert!(again.contains(&hr.officer.client_secret));
}
