//! Read endpoints over HTTP: the review queue, the audit trail, time travel.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_domain::case::VerificationCase;
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As, TestApp};

use crate::api_flow::{create_case, submit};

async fn get(app: &TestApp, path: &str, who: As<'_>) -> (StatusCode, Value) {
    let response = app
        .request(Method::GET, path, who)
        .send()
        .await
        .expect("get");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn fail(app: &TestApp, id: &str) {
    let r = app
        .request(
            Method::PATCH,
            &format!("/admin/verifications/{id}"),
            As::officer("acme"),
        )
        .json(&json!({"status": "FAILED", "reason": "no documents"}))
        .send()
        .await
        .expect("fail");
    assert_eq!(r.status(), StatusCode::OK);
}

async fn the_review_queue_filters_sorts_and_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut pending = Vec::new();
    for i in 0..5 {
        let id = create_case(&app, "acme", &format!("EMP-Q{i}")).await;
        if i % 2 == 0 {
            submit(&app, "acme", &id).await;
            pending.push(id);
        } else if i == 3 {
            fail(&app, &id).await;
        }
    }
    create_case(&app, "globex", "EMP-OTHER").await;

    let (status, page) = get(
        &app,
        "/admin/verifications?status=PENDING_ADMIN",
        As::officer("acme"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        pending.iter().map(String::as_str).collect::<Vec<_>>(),
        "oldest first"
    );
    assert!(page["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|i| i["check_outcome"] == "pending"));

    // Paging with limit 2 visits every case of the tenant once, newest first.
    let mut seen = Vec::new();
    let mut path = "/admin/verifications?limit=2&sort=-opened_at".to_owned();
    loop {
        let (status, page) = get(&app, &path, As::officer("acme")).await;
        assert_eq!(status, StatusCode::OK);
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| {
            let at = i["opened_at"].as_str().expect("time");
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .expect("RFC 3339")
        }));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/admin/verifications?limit=2&sort=-opened_at&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "globex's case is not in acme's queue");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(seen, sorted);

    // Assignment: one pending case goes to vo-7; the rest stay unassigned.
    let assigned = app
        .request(
            Method::POST,
            &format!("/admin/verifications/{}/assign", pending[0]),
            As::officer("acme"),
        )
        .json(&json!({"reviewer": "vo-7"}))
        .send()
        .await
        .expect("assign");
    assert_eq!(assigned.status(), StatusCode::OK);
    let body: Value = assigned.json().await.expect("json");
    assert_eq!(body["reviewer"], "vo-7");
    let (_, mine) = get(
        &app,
        "/admin/verifications?assignee=vo-7",
        As::officer("acme"),
    )
    .await;
    let mine: Vec<&str> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(mine, [pending[0].as_str()]);
    let (_, free) = get(
        &app,
        "/admin/verifications?assignee=none&status=PENDING_ADMIN",
        As::officer("acme"),
    )
    .await;
    assert_eq!(
        free["items"].as_array().expect("items").len(),
        pending.len() - 1
    );

    let (_, failed) = get(
        &app,
        "/admin/verifications?status=FAILED",
        As::officer("acme"),
    )
    .await;
    assert_eq!(failed["items"].as_array().expect("items").len(), 1);
    let (_, by_entity) = get(
        &app,
        "/admin/verifications?entity=company-1",
        As::officer("acme"),
    )
    .await;
    assert_eq!(by_entity["items"].as_array().expect("items").len(), 5);
    // Paging by entity (read from the links' own index) visits the same
    // cases once each, in the same order, oldest and newest first.
    for sort in ["opened_at", "-opened_at"] {
        let base = format!("/admin/verifications?entity=company-1&sort={sort}");
        let (_, whole) = get(&app, &base, As::officer("acme")).await;
        let ids = |page: &serde_json::Value| -> Vec<String> {
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned())
                .collect()
        };
        let mut paged = Vec::new();
        let mut path = format!("{base}&limit=2");
        loop {
            let (status, page) = get(&app, &path, As::officer("acme")).await;
            assert_eq!(status, StatusCode::OK);
            paged.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("{base}&limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(paged, ids(&whole), "{sort}");
        assert_eq!(paged.len(), 5);
    }
    let (_, old) = get(
        &app,
        "/admin/verifications?older_than_hours=1",
        As::officer("acme"),
    )
    .await;
    assert!(old["items"].as_array().expect("items").is_empty());

    // Officers see their tenant only; operators may look across.
    let (status, body) = get(
        &app,
        "/admin/verifications?tenant=globex",
        As::officer("acme"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden"))
    );
    let operator = As {
        tenant: "acme",
        kind: "operator",
        id: "ops-1",
    };
    let (_, all) = get(&app, "/admin/verifications?tenant=*", operator).await;
    assert_eq!(all["items"].as_array().expect("items").len(), 6);
    let (status, body) = get(
        &app,
        "/admin/verifications?status=DONE",
        As::officer("acme"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("validation_failed"))
    );
    let (status, _) = get(&app, "/admin/verifications", As::org("acme")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_audit_trail_shows_who_did_what_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-A").await;
    submit(&app, "acme", &id).await;
    fail(&app, &id).await;
    // The audit projection runs on its own; wait for it through the API.
    let mut trail = Value::Null;
    for _ in 0..500 {
        let (status, body) = get(
            &app,
            &format!("/admin/verifications/{id}/events"),
            As::officer("acme"),
        )
        .await;
        if status == StatusCode::OK && body.as_array().is_some_and(|a| a.len() == 3) {
            trail = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let trail = trail.as_array().expect("the trail of three events");
    let types: Vec<&str> = trail
        .iter()
        .map(|e| e["event_type"].as_str().expect("type"))
        .collect();
    assert_eq!(types, ["CaseOpened", "DataSubmitted", "CaseFailed"]);
    assert_eq!(trail[2]["actor_kind"], "officer");
    assert_eq!(trail[2]["summary"], "CaseFailed reason=no documents");

    let (_, global) = get(&app, "/admin/audit?limit=2", As::officer("acme")).await;
    let items = global["items"].as_array().expect("items");
    assert_eq!(items[0]["event_type"], "CaseFailed", "newest first");
    let cursor = global["next_cursor"].as_str().expect("more pages");
    let (_, next) = get(
        &app,
        &format!("/admin/audit?limit=10&cursor={cursor}"),
        As::officer("acme"),
    )
    .await;
    // 1 subject assignment + 3 case events + the individual's invitation.
    assert_eq!(
        items.len() + next["items"].as_array().expect("items").len(),
        5
    );
    let (_, by_actor) = get(
        &app,
        "/admin/audit?actor_kind=individual",
        As::officer("acme"),
    )
    .await;
    let by_actor = by_actor["items"].as_array().expect("items");
    assert_eq!(by_actor.len(), 1);
    assert_eq!(by_actor[0]["event_type"], "DataSubmitted");
    let (_, foreign) = get(
        &app,
        &format!("/admin/verifications/{id}/events"),
        As::officer("globex"),
    )
    .await;
    assert_eq!(foreign["error"]["code"], "case_not_found");
}

async fn the_last_active_case_prefers_a_passed_one(backend: Backend) {
    let app = spawn_app(backend).await;
    // First case for EMP-L fails; the second is still open: the open one is the most recent.
    let first = create_case(&app, "acme", "EMP-L").await;
    fail(&app, &first).await;
    let second = create_case(&app, "acme", "EMP-L").await;
    let (status, body) = get(
        &app,
        "/verifications/last-active?subject=EMP-L",
        As::org("acme"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], second.as_str());
    // Pass the first case of another subject on the same entity; it wins for the entity.
    let passed = create_case(&app, "acme", "EMP-P").await;
    submit(&app, "acme", &passed).await;
    for check in ["professional_registration", "bankruptcy"] {
        let r = app
            .request(
                Method::POST,
                &format!("/admin/verifications/{passed}/checks/{check}/review"),
                As::officer("acme"),
            )
            .json(&json!({"outcome": "verified"}))
            .send()
            .await
            .expect("review");
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = app
        .request(
            Method::PATCH,
            &format!("/admin/verifications/{passed}"),
            As::officer("acme"),
        )
        .json(&json!({"status": "COMPLETED", "outcome": "PASS"}))
        .send()
        .await
        .expect("complete");
    assert_eq!(r.status(), StatusCode::OK);
    let newest = create_case(&app, "acme", "EMP-N").await;
    let (_, body) = get(
        &app,
        "/verifications/last-active?entity=company-1",
        As::org("acme"),
    )
    .await;
    assert_eq!(
        body["id"],
        passed.as_str(),
        "a passed case wins over the newer {newest}"
    );
    let (status, _) = get(
        &app,
        "/verifications/last-active?subject=NOBODY",
        As::org("acme"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, "/verifications/last-active", As::org("acme")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(
        &app,
        "/verifications/last-active?subject=EMP-L",
        As::org("globex"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant sees nothing");
}

async fn time_travel_equals_replaying_the_first_n_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-T").await;
    submit(&app, "acme", &id).await;
    fail(&app, &id).await;
    let stream = app
        .test_db
        .db
        .read_stream("VerificationCase", &id)
        .await
        .expect("stream");
    assert_eq!(stream.len(), 3);
    let upcasters = veritrail_domain::case::upcasters();
    let mut replayed = VerificationCase::default();
    for (n, event) in stream.iter().enumerate() {
        cqrs_es::Aggregate::apply(&mut replayed, event.decode(&upcasters).expect("decode"));
        let (status, body) = get(
            &app,
            &format!("/admin/verifications/{id}/history?version={}", n + 1),
            As::officer("acme"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["version"], n + 1);
        assert_eq!(body["status"], replayed.status().expect("opened").as_str());
        assert_eq!(
            body["submission"].is_null(),
            replayed.opened().expect("opened").submission.is_none()
        );
    }
    // By time: before the decision the case was still under review.
    let at = stream[1]
        .recorded_at
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let (_, body) = get(
        &app,
        &format!("/admin/verifications/{id}/history?at={at}"),
        As::officer("acme"),
    )
    .await;
    assert_eq!(body["status"], "PENDING_ADMIN");
    let (status, _) = get(
        &app,
        &format!("/admin/verifications/{id}/history"),
        As::officer("acme"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A version the case has not reached is refused, never answered with
    // the latest one.
    let beyond = stream.len() + 1;
    let (status, body) = get(
        &app,
        &format!("/admin/verifications/{id}/history?version={beyond}"),
        As::officer("acme"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["field"], "version");
}

/// An unknown event type is refused with the list of known ones, not
/// answered with an empty page.
async fn an_unknown_event_type_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = get(&app, "/admin/audit?event_type=Nope", As::officer("acme")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let reason = body["error"]["details"]["reason"].as_str().expect("reason");
    assert!(reason.contains("CaseOpened"), "{reason}");
    let (status, _) = get(
        &app,
        "/admin/audit?event_type=CaseOpened",
        As::officer("acme"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// Seed 002: the same person onboarding a second company gets the active
/// case back, which now affects both companies; asking for checks the
/// active case lacks is refused (nothing is added silently, nothing written).
async fn get_or_request_links_a_second_entity_and_refuses_missing_checks(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-TWO").await;
    let again = |body: Value| {
        let app = &app;
        async move {
            let response = app
                .request(Method::POST, "/verifications", As::org("acme"))
                .json(&body)
                .send()
                .await
                .expect("post");
            let status = response.status();
            (status, response.json::<Value>().await.expect("json"))
        }
    };
    let (status, body) = again(json!({
        "subject": {"id": "EMP-TWO"},
        "requested_checks": ["professional_registration", "bankruptcy"],
        "entities": ["company-2"]
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["entities"], json!(["company-1", "company-2"]));
    for entity in ["company-1", "company-2"] {
        let (status, found) = get(
            &app,
            &format!("/verifications/last-active?entity={entity}"),
            As::org("acme"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{entity}: {found}");
        assert_eq!(found["id"], id.as_str(), "{entity}");
    }
    let (_, before) = get(
        &app,
        &format!("/admin/verifications/{id}"),
        As::officer("acme"),
    )
    .await;
    let (status, body) = again(json!({
        "subject": {"id": "EMP-TWO"},
        "requested_checks": ["bankruptcy", "kya"],
        "entities": ["company-3"]
    }))
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "active_case_lacks_checks");
    assert_eq!(body["error"]["details"]["checks"], json!(["kya"]));
    assert_eq!(body["error"]["details"]["case_id"], id.as_str());
    let (_, after) = get(
        &app,
        &format!("/admin/verifications/{id}"),
        As::officer("acme"),
    )
    .await;
    assert_eq!(before["version"], after["version"], "nothing written");
}

/// A read-model row that does not decode is an error, loudly: never shown
/// as another status, never a check silently dropped.
async fn a_corrupt_read_model_row_is_an_error_not_a_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-CORRUPT").await;
    let (status, body) = get(&app, &format!("/verifications/{id}"), As::org("acme")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let db = &app.test_db.db;
    let case = veritrail_event_store::sql::Param::Text(id.clone());
    for sql in [
        "UPDATE case_checks SET state = 'half_done' WHERE case_id = $1",
        "UPDATE case_status SET status = 'SOMETHING_ELSE' WHERE case_id = $1",
    ] {
        let changed = veritrail_event_store::sql::execute(db, sql, std::slice::from_ref(&case))
            .await
            .expect("damage the read model");
        assert!(changed >= 1, "{sql}");
        let (status, body) = get(&app, &format!("/verifications/{id}"), As::org("acme")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{sql}: {body}");
        assert_eq!(body["error"]["code"], "internal_error");
    }
}

veritrail_tests::both_backends!(
    get_or_request_links_a_second_entity_and_refuses_missing_checks,
    an_unknown_event_type_is_refused,
    a_corrupt_read_model_row_is_an_error_not_a_default,
    the_last_active_case_prefers_a_passed_one,
    the_review_queue_filters_sorts_and_pages,
    the_audit_trail_shows_who_did_what_newest_first,
    time_travel_equals_replaying_the_first_n_events,
);
