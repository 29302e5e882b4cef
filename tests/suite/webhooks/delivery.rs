//! Delivery: a receiver that is down and comes back processes every event
//! exactly once (deduplicating by `webhook-id`), each signed so that the
//! reference library verifies it; a rotated secret signs beside the old one
//! until the overlap ends.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_processors::webhooks::Outcome;
use veritrail_tests::webhook_receiver::Receiver;
use veritrail_tests::As;

use super::*;

veritrail_tests::both_backends!(a_receiver_down_then_back_processes_every_event_once);

async fn a_receiver_down_then_back_processes_every_event_once(backend: Backend) {
    let clock = clock();
    let app = app_with(backend, &clock, settings()).await;
    let receiver = Receiver::start().await;
    let (endpoint, secret) = endpoint(&app, &receiver.url, &[]).await;
    let processors = processors(&app, "hooks-a");
    let dispatcher = dispatcher(&processors);
    receiver.answer(503);
    let case = decided_case(&app, "EMP-HOOK-1").await;

    // Down: every message is tried once and waits for its next attempt.
    let first = pump(&processors, &dispatcher).await;
    assert_eq!(first, vec![Outcome::Retrying; 5], "{first:?}");
    let listed = messages(&app, &endpoint).await;
    assert_eq!(listed.len(), 5);
    for message in &listed {
        assert_eq!(message["state"], "pending");
        assert_eq!(message["attempts"], 1);
        assert_eq!(message["last_status"], 503);
        assert!(message["next_attempt_at"].is_string());
    }
    let one = listed[0]["id"].as_str().expect("id");
    let detail = get(
        &app,
        &format!("/webhooks/endpoints/{endpoint}/messages/{one}"),
    )
    .await;
    assert_eq!(detail["attempts"][0]["status"], 503);
    assert_eq!(detail["attempts"][0]["response_excerpt"], "answered 503");
    // Nothing is due before the first delay (79 s ± 20 %) has passed.
    assert!(pump(&processors, &dispatcher).await.is_empty());
    clock.advance(time::Duration::seconds(100));
    assert_eq!(
        pump(&processors, &dispatcher).await,
        vec![Outcome::Retrying; 5]
    );

    // Back: the next round delivers everything, once.
    receiver.answer(200);
    clock.advance(time::Duration::minutes(6));
    assert_eq!(
        pump(&processors, &dispatcher).await,
        vec![Outcome::Delivered; 5]
    );
    assert!(pump(&processors, &dispatcher).await.is_empty());
    clock.advance(time::Duration::days(2));
    assert!(
        pump(&processors, &dispatcher).await.is_empty(),
        "nothing is sent twice"
    );

    let listed = messages(&app, &endpoint).await;
    let ids: BTreeSet<String> = listed
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(receiver.processed_ids(), ids);
    assert_eq!(receiver.accepted().len(), 5, "each message accepted once");
    assert_eq!(
        receiver.deliveries().len(),
        15,
        "two failed rounds and one good one"
    );
    let mut bodies: Vec<Value> = receiver.accepted().iter().map(|d| d.json()).collect();
    bodies.sort_by_key(|b| b["data"]["version"].as_i64());
    let types: Vec<&str> = bodies
        .iter()
        .map(|b| b["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        [
            "case.opened",
            "case.submitted",
            "check.completed",
            "check.completed",
            "case.decided"
        ]
    );
    for body in &bodies {
        assert_eq!(body["data"]["case_id"], case.as_str());
        assert_eq!(
            body["data"]["link"],
            format!("https://verify.example.com/verifications/{case}")
        );
        for personal in ["Jane", "Citizen", "jane@example.com", "1988"] {
            assert!(!body.to_string().contains(personal), "{personal} in {body}");
        }
    }
    assert_eq!(bodies[0]["data"]["status"], "PENDING_ORG");
    assert_eq!(bodies[1]["data"]["status"], "PENDING_ADMIN");
    assert_eq!(bodies[2]["data"]["outcome"], "verified");
    assert_eq!(bodies[4]["data"]["status"], "COMPLETED");
    assert_eq!(bodies[4]["data"]["outcome"], "PASS");
    assert!(bodies[4]["data"]["version"].as_i64() > bodies[3]["data"]["version"].as_i64());

    // Every request, the refused ones too, is signed as the reference signs.
    let (matched, verified, failures) = reference_check(&receiver.deliveries(), &secret);
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(matched, 15);
    assert!(
        verified >= 5,
        "the first round is within the tolerance: {verified}"
    );
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    let (endpoint, old) = endpoint(&app, &receiver.url, &["case.opened"]).await;
    let processors = processors(&app, "hooks-rotation");
    let dispatcher = dispatcher(&processors);

    let rotated = app
        .request(
            Method::POST,
            &format!("/webhooks/endpoints/{endpoint}/rotate-secret"),
            As::org(TENANT),
        )
        .json(&json!({"previous_valid_for_secs": 3600}))
        .send()
        .await
        .expect("rotate");
    assert_eq!(rotated.status(), reqwest::StatusCode::OK);
    let rotated: Value = rotated.json().await.expect("json");
    let new = rotated["secret"]
        .as_str()
        .expect("the new secret")
        .to_owned();
    assert_ne!(new, old);
    assert_eq!(rotated["secrets"].as_array().expect("secrets").len(), 2);
    assert!(rotated["secrets"][0]["valid_until"].is_string());
    assert!(rotated["secrets"][1]["valid_until"].is_null());

    // During the overlap: two signatures, each verified by its secret.
    create_case(&app, TENANT, "EMP-ROT-1").await;
    assert_eq!(
        pump(&processors, &dispatcher).await,
        vec![Outcome::Delivered]
    );
    let during = receiver.accepted();
    assert_eq!(during[0].signature.split(' ').count(), 2);
    for secret in [&old, &new] {
        let (matched, verified, failures) = reference_check(&during, secret);
        assert_eq!((matched, verified), (1, 1), "{failures:?}");
    }

    // After it: the new secret alone.
    clock.advance(time::Duration::hours(2));
    create_case(&app, TENANT, "EMP-ROT-2").await;
    assert_eq!(
        pump(&processors, &dispatcher).await,
        vec![Outcome::Delivered]
    );
    let after = &receiver.accepted()[1..];
    assert_eq!(after[0].signature.split(' ').count(), 1);
    assert_eq!(reference_check(after, &new).0, 1);
    assert_eq!(reference_check(after, &old).0, 0);
    assert_eq!(receiver.accepted().len(), 2);
}

#[tokio::test]
async fn every_kind_of_change_reaches_the_organisation() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    app.register_tenant(TENANT).await;
    let operator = As {
        tenant: "platform",
        kind: "operator",
        id: "op-1",
    };
    let plan = app
        .request(Method::PUT, &format!("/operator/tenants/{TENANT}/plan"), operator)
        .json(&json!({"plan": "sandbox", "limits": {"requests_per_minute": 600, "monthly_quotas": {"workflow": 5}}}))
        .send()
        .await
        .expect("plan");
    assert_eq!(plan.status(), reqwest::StatusCode::OK);
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &[]).await;
    let processors = processors(&app, "hooks-kinds");
    let dispatcher = dispatcher(&processors);

    let case = create_case(&app, TENANT, "EMP-KINDS").await;
    submit(&app, TENANT, &case).await;
    let asked = app
        .request(
            Method::POST,
            &format!("/admin/verifications/{case}/checks/bankruptcy/request-action"),
            As::officer(TENANT),
        )
        .json(&json!({"hint": "upload the full certificate", "respond_within_hours": 24}))
        .send()
        .await
        .expect("request action");
    assert_eq!(asked.status(), reqwest::StatusCode::OK);
    let recreated = app
        .request(
            Method::POST,
            &format!("/verifications/{case}/recreate"),
            As::org(TENANT),
        )
        .json(&json!({"reason": "wrong person invited", "trigger": "organisation_request"}))
        .send()
        .await
        .expect("recreate");
    assert_eq!(recreated.status(), reqwest::StatusCode::CREATED);
    let replacement = recreated.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for n in 0..3 {
        create_case(&app, TENANT, &format!("EMP-KINDS-{n}")).await;
    }
    pump(&processors, &dispatcher).await;

    let bodies: Vec<Value> = receiver.accepted().iter().map(|d| d.json()).collect();
    let of = |kind: &str| -> Vec<&Value> { bodies.iter().filter(|b| b["type"] == kind).collect() };
    let action = of("check.action_required");
    assert_eq!(action.len(), 1);
    assert_eq!(action[0]["data"]["check"], "bankruptcy");
    assert!(action[0]["data"]["deadline"].is_string());
    assert!(
        !action[0].to_string().contains("certificate"),
        "officers' words stay out"
    );
    let cancelled = of("case.cancelled");
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["data"]["replaced_by"], replacement.as_str());
    assert_eq!(cancelled[0]["data"]["status"], "CANCELLED");
    let again = of("case.recreated");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["data"]["case_id"], replacement.as_str());
    assert_eq!(again[0]["data"]["previous_case_id"], case.as_str());
    assert_eq!(of("case.opened").len(), 4);
    let quota = of("quota.threshold_reached");
    let percents: BTreeSet<i64> = quota
        .iter()
        .map(|b| b["data"]["percent"].as_i64().expect("percent"))
        .collect();
    assert_eq!(percents, BTreeSet::from([80, 100]));
    assert!(quota
        .iter()
        .all(|b| b["data"]["module"] == "workflow" && b["data"]["quota"] == 5));
    assert_eq!(receiver.processed_ids().len(), bodies.len());
}
