//! Every illegal transition over HTTP gets its 4xx in the one error shape and
//! leaves the store unchanged, on both backends.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_tests::{spawn_app, As};

use crate::api_errors::{assert_error, send};
use crate::api_flow::{create_case, submit};

/// One illegal request: who, what, and the expected refusal.
struct Illegal {
    method: Method,
    path: &'static str,
    who: As<'static>,
    body: Value,
    status: StatusCode,
    code: &'static str,
}

async fn every_illegal_transition_is_refused_and_leaves_the_stream_unchanged(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = As::org("acme");
    let vo = As::officer("acme");
    let ind = As::individual("acme");

    // A case waiting for data…
    let pending = create_case(&app, "acme", "EMP-pending").await;
    // …one under review…
    let review = create_case(&app, "acme", "EMP-review").await;
    submit(&app, "acme", &review).await;
    // …and one completed.
    let done = create_case(&app, "acme", "EMP-done").await;
    submit(&app, "acme", &done).await;
    for check in ["professional_registration", "bankruptcy"] {
        let r = send(
            &app,
            Method::POST,
            &format!("/admin/verifications/{done}/checks/{check}/review"),
            vo,
            Some(json!({"outcome": "verified"})),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = send(
        &app,
        Method::PATCH,
        &format!("/admin/verifications/{done}"),
        vo,
        Some(json!({"status": "COMPLETED", "outcome": "PASS"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    let table = [
        // On the pending case.
        (
            "pending",
            Illegal {
                method: Method::PATCH,
                path: "/admin/verifications/{id}",
                who: vo,
                body: json!({"status": "COMPLETED", "outcome": "PASS"}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "pending",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/retry",
                who: org,
                body: json!({"check": "bankruptcy"}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "pending",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/checks/bankruptcy/resubmit",
                who: ind,
                body: json!({"evidence": []}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "pending",
            Illegal {
                method: Method::POST,
                path: "/admin/verifications/{id}/checks/document/bypass",
                who: vo,
                body: json!({"comment": "x"}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "check_not_requested",
            },
        ),
        // On the case under review.
        (
            "review",
            Illegal {
                method: Method::PUT,
                path: "/verifications/{id}/data",
                who: ind,
                body: crate::api_flow::submission(),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/retry",
                who: org,
                body: json!({"check": "bankruptcy"}),
                status: StatusCode::CONFLICT,
                code: "illegal_check_transition",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/checks/bankruptcy/resubmit",
                who: ind,
                body: json!({"evidence": []}),
                status: StatusCode::CONFLICT,
                code: "illegal_check_transition",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::PATCH,
                path: "/admin/verifications/{id}",
                who: vo,
                body: json!({"status": "COMPLETED", "outcome": "PASS"}),
                status: StatusCode::CONFLICT,
                code: "checks_outstanding",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::PATCH,
                path: "/admin/verifications/{id}",
                who: vo,
                body: json!({"status": "FAILED"}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::PATCH,
                path: "/admin/verifications/{id}",
                who: vo,
                body: json!({"status": "COMPLETED"}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/cancel",
                who: org,
                body: json!({"reason": "   "}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::POST,
                path: "/admin/verifications/{id}/checks/telepathy/bypass",
                who: vo,
                body: json!({"comment": "x"}),
                status: StatusCode::NOT_FOUND,
                code: "not_found",
            },
        ),
        (
            "review",
            Illegal {
                method: Method::POST,
                path: "/admin/verifications/{id}/checks/bankruptcy/request-action",
                who: vo,
                body: json!({"hint": "retake", "respond_within_hours": 0}),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
            },
        ),
        // On the completed case.
        (
            "done",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/cancel",
                who: org,
                body: json!({"reason": "too late"}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "done",
            Illegal {
                method: Method::PATCH,
                path: "/admin/verifications/{id}",
                who: vo,
                body: json!({"status": "FAILED", "reason": "changed my mind"}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "done",
            Illegal {
                method: Method::POST,
                path: "/admin/verifications/{id}/checks/bankruptcy/bypass",
                who: vo,
                body: json!({"comment": "x"}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "done",
            Illegal {
                method: Method::POST,
                path: "/verifications/{id}/recreate",
                who: org,
                body: json!({"reason": "again", "trigger": "organisation_request"}),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
        (
            "done",
            Illegal {
                method: Method::PUT,
                path: "/verifications/{id}/data",
                who: ind,
                body: crate::api_flow::submission(),
                status: StatusCode::CONFLICT,
                code: "illegal_transition",
            },
        ),
    ];
    let before = app.all_events().await;
    for (which, illegal) in table {
        let id = match which {
            "pending" => &pending,
            "review" => &review,
            _ => &done,
        };
        let path = illegal.path.replace("{id}", id);
        let response = send(
            &app,
            illegal.method.clone(),
            &path,
            illegal.who,
            Some(illegal.body),
        )
        .await;
        assert_error(response, illegal.status, illegal.code).await;
    }
    assert_eq!(
        app.all_events().await,
        before,
        "no refusal appended anything"
    );
}

veritrail_tests::both_backends!(
    action_can_be_requested_on_submitted_evidence_and_expiry_waits_for_the_deadline,
    every_illegal_transition_is_refused_and_leaves_the_stream_unchanged,
);

/// Every documented path of a check is reachable over HTTP: an officer asks
/// for better evidence on a check that is merely submitted, the individual
/// answers, and an unanswered request cannot be expired before its deadline.
async fn action_can_be_requested_on_submitted_evidence_and_expiry_waits_for_the_deadline(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let id = create_case(&app, "acme", "EMP-ACTION").await;
    submit(&app, "acme", &id).await;
    let post = |path: String, who: As<'static>, body: serde_json::Value| {
        let app = &app;
        async move {
            let response = app
                .request(Method::POST, &path, who)
                .json(&body)
                .send()
                .await
                .expect("send");
            let status = response.status();
            (
                status,
                response.json::<serde_json::Value>().await.expect("json"),
            )
        }
    };
    let check = |body: &serde_json::Value| {
        body["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["check"] == "bankruptcy")
            .cloned()
            .expect("bankruptcy")
    };
    let (status, body) = post(
        format!("/admin/verifications/{id}/checks/bankruptcy/request-action"),
        As::officer("acme"),
        json!({"hint": "upload the full certificate", "respond_within_hours": 24}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(check(&body)["state"], "requires_action");
    assert_eq!(check(&body)["hint"], "upload the full certificate");

    let (status, body) = post(
        format!("/admin/verifications/{id}/checks/bankruptcy/expire"),
        As::officer("acme"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "deadline_not_reached");

    // Evidence must be an upload of this case.
    let (status, body) = post(
        format!("/verifications/{id}/checks/bankruptcy/resubmit"),
        As::individual("acme"),
        json!({"evidence": [{"kind": "certificate", "media_id": "0192f3a0-0000-7000-8000-000000000002"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "media_not_found");
    let png = veritrail_imaging::crafted::encoded(image::ImageFormat::Png);
    let image_base64 = base64::engine::general_purpose::STANDARD.encode(png);
    let (status, upload) = post(
        format!("/verifications/{id}/evidence"),
        As::individual("acme"),
        json!({"kind": "certificate", "image_base64": image_base64}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{upload}");
    let (status, body) = post(
        format!("/verifications/{id}/checks/bankruptcy/resubmit"),
        As::individual("acme"),
        json!({"evidence": [{"kind": "certificate", "media_id": upload["media_id"]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(check(&body)["state"], "resubmitted");
}
