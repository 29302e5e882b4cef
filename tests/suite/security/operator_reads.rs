//! Operators read across tenants the same way everywhere (issue 13 item 9):
//! `?tenant=` names the tenant on the queue, the audit trail, the dashboards
//! and a single case's reads; only operators may use it; a tenant that does
//! not exist is a 404; and every such read is recorded on the audit trail of
//! the tenant read, naming the operator and what was read.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{call, create_case, secure_app, token, world};

async fn get(app: &veritrail_tests::TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let response = call(app, Method::GET, path, token)
        .send()
        .await
        .expect("get");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_open_other_tenants_cases_and_every_such_read_is_audited() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;
    let officer = token(&app, &w.officer).await;
    let created: Value = create_case(&app, &org, "EMP-1")
        .await
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    app.wait_for_projections().await;

    // Without naming the tenant, the operator's own tenant is read: 404.
    let (status, _) = get(&app, &format!("/admin/verifications/{id}"), &w.operator).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Named, every read of the case answers, like the queue's ?tenant=.
    let queue = get(&app, "/admin/verifications?tenant=acme", &w.operator).await;
    assert_eq!(queue.0, StatusCode::OK);
    assert_eq!(queue.1["items"][0]["id"], id.as_str());
    let reads = [
        (format!("/verifications/{id}?tenant=acme"), "status"),
        (format!("/admin/verifications/{id}?tenant=acme"), "review"),
        (
            format!("/admin/verifications/{id}/events?tenant=acme"),
            "events",
        ),
        (
            format!("/admin/verifications/{id}/history?version=1&tenant=acme"),
            "history",
        ),
    ];
    for (path, _) in &reads {
        let (status, body) = get(&app, path, &w.operator).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, case) = get(&app, &reads[1].0, &w.operator).await;
    assert_eq!(case["id"], id.as_str());

    // Each read is on acme's audit trail, by the operator, saying what.
    app.wait_for_projections().await;
    let (_, trail) = get(
        &app,
        "/admin/audit?event_type=OperatorRead&limit=200",
        &officer,
    )
    .await;
    let summaries: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .inspect(|e| assert_eq!(e["actor_kind"], "operator", "{e}"))
        .map(|e| e["summary"].as_str().expect("summary"))
        .collect();
    assert!(
        summaries.iter().any(|s| s.contains("review queue")),
        "{summaries:?}"
    );
    for (_, what) in &reads {
        let expected = format!("{what} of case {id}");
        assert!(
            summaries.iter().any(|s| s.contains(&expected)),
            "{expected} not in {summaries:?}"
        );
    }

    // Reading every tenant is recorded on the operator's own tenant.
    let (status, _) = get(&app, "/admin/dashboard/overview?tenant=*", &w.operator).await;
    assert_eq!(status, StatusCode::OK);
    let events = app.all_events().await;
    let everywhere = events
        .iter()
        .filter(|e| e.event_type == "OperatorRead" && e.tenant_id.as_deref() == Some("platform"))
        .count();
    assert_eq!(everywhere, 1);

    // A tenant that does not exist; a case is one tenant's; not operators.
    let (status, body) = get(&app, "/admin/verifications?tenant=nobody", &w.operator).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = get(&app, &format!("/verifications/{id}?tenant=*"), &w.operator).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(&app, &format!("/verifications/{id}?tenant=globex"), &org).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&app, &format!("/verifications/{id}?tenant=acme"), &org).await;
    assert_eq!(status, StatusCode::OK, "naming one's own tenant is allowed");
    let recorded = app
        .all_events()
        .await
        .iter()
        .filter(|e| e.event_type == "OperatorRead")
        .count();
    let before = events
        .iter()
        .filter(|e| e.event_type == "OperatorRead")
        .count();
    assert_eq!(recorded, before, "refused reads record nothing");
}
