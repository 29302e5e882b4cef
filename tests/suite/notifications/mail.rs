//! Notices reach the individual and the officers by SMTP, rendered from the
//! tenant's templates, once each — and survive a mail server that is down.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_processors::notices::Sent;
use veritrail_tests::smtp::{free_port, MailServer};
use veritrail_tests::As;

use super::{notices, open_case, processors, put_settings, sender};
use crate::api_flow::submit;
use crate::webhooks::{app_with, clock, settings, TENANT};

fn with_subject<'a>(messages: &'a [Value], subject: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| m["subject"] == subject)
        .unwrap_or_else(|| panic!("no message {subject:?} in {messages:?}"))
}

#[tokio::test]
async fn the_individual_and_the_officers_are_emailed_once_from_the_tenants_templates() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let server = MailServer::start().await;
    let (status, view) = put_settings(
        &app,
        json!({
            "officers": ["review@acme.test"],
            "templates": {"invitation": {
                "subject": "Acme: verify {{name}}",
                "body": "Hi {{name}}, start at {{link}} before {{expires_at}}."
            }}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["templates"]["invitation"]["custom"], true);
    assert_eq!(view["templates"]["reminder"]["custom"], false);

    let (case, token) = open_case(&app, "EMP-MAIL", Some("jane@example.com")).await;
    submit(&app, TENANT, &case).await;
    let path = format!("/admin/verifications/{case}/checks/bankruptcy/request-action");
    let body = json!({"hint": "upload the full certificate", "respond_within_hours": 24});
    let response = app
        .request(Method::POST, &path, As::officer(TENANT))
        .json(&body)
        .send()
        .await
        .expect("request action");
    assert_eq!(response.status(), StatusCode::OK);
    // A case without an address: only its officers' notice is queued.
    let (quiet, _) = open_case(&app, "EMP-QUIET", None).await;
    submit(&app, TENANT, &quiet).await;

    let a = processors(&app, "instance-a");
    a.notice_feed().catch_up().await.expect("the notice feed");
    let sender = sender(&a, &server.url());
    assert_eq!(sender.send_due().await.expect("send"), vec![Sent::Sent; 4]);
    assert!(sender.send_due().await.expect("send").is_empty(), "once");

    let messages = server.messages();
    assert_eq!(messages.len(), 4, "{messages:?}");
    let invitation = with_subject(&messages, "Acme: verify Jane Citizen");
    assert_eq!(invitation["to"], json!(["jane@example.com"]));
    assert_eq!(invitation["from"], "\"Acme KYC\" <kyc@veritrail.test>");
    // The link carries the very token the organisation was given.
    let link = format!("https://verify.example.com/invitations?token={token}");
    let text = invitation["body"].as_str().expect("body");
    assert!(
        text.starts_with(&format!("Hi Jane Citizen, start at {link} before ")),
        "{text}"
    );
    let action = with_subject(&messages, "Action needed on your identity verification");
    assert_eq!(action["to"], json!(["jane@example.com"]));
    let text = action["body"].as_str().expect("body");
    assert!(
        text.contains("bankruptcy check: upload the full certificate"),
        "{text}"
    );
    assert!(text.contains(&link), "{text}");
    for id in [&case, &quiet] {
        let review = with_subject(&messages, &format!("Case {id} is ready for review"));
        assert_eq!(review["to"], json!(["review@acme.test"]));
        let body = review["body"].as_str().expect("body");
        assert!(body.contains(&format!(
            "https://verify.example.com/admin/verifications/{id}"
        )));
    }
    let mut ids: Vec<&str> = messages
        .iter()
        .filter_map(|m| m["message_id"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "a message id per notice");

    let log = notices(&app, &format!("?case_id={case}")).await;
    let kinds: Vec<(&str, &str)> = log
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap_or(""),
                n["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{log:?}");
    for kind in ["invitation", "new_submission", "action_requested"] {
        assert!(kinds.contains(&(kind, "sent")), "{kind} in {kinds:?}");
    }
    assert_eq!(notices(&app, &format!("?case_id={quiet}")).await.len(), 1);
}

#[tokio::test]
async fn a_notice_waits_for_a_mail_server_that_is_down() {
    // On the embedded store, where `serve` runs with no server.
    let clock = clock();
    let app = app_with(Backend::Sqlite, &clock, settings()).await;
    let port = free_port();
    let (case, _) = open_case(&app, "EMP-DOWN", Some("jane@example.com")).await;
    let a = processors(&app, "instance-a");
    a.notice_feed().catch_up().await.expect("the notice feed");
    let sender = sender(&a, &format!("smtp://127.0.0.1:{port}"));
    assert_eq!(sender.send_due().await.expect("send"), vec![Sent::Retrying]);
    let log = notices(&app, "").await;
    assert_eq!(log[0]["state"], "pending");
    assert_eq!(log[0]["attempts"], 1);
    assert!(log[0]["last_error"].is_string());
    assert!(
        sender.send_due().await.expect("send").is_empty(),
        "not due yet"
    );

    let server = MailServer::start_on(port).await;
    clock.advance(time::Duration::minutes(2));
    assert_eq!(sender.send_due().await.expect("send"), vec![Sent::Sent]);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["to"], json!(["jane@example.com"]));
    let log = notices(&app, &format!("?case_id={case}")).await;
    assert_eq!(log[0]["state"], "sent");
    assert_eq!(log[0]["recipients"], "jane@example.com");
}

#[tokio::test]
async fn settings_refuse_bad_templates_and_addresses_and_change_nothing() {
    let clock = clock();
    let app = app_with(Backend::Sqlite, &clock, settings()).await;
    let before: Value = app
        .request(Method::GET, "/notifications/settings", As::org(TENANT))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    for (bad, field) in [
        (json!({"officers": ["not-an-address"]}), "officers"),
        (
            json!({"officers": ["a@acme.test", "a@ACME.test"]}),
            "officers",
        ),
        (
            json!({"templates": {"new_submission": {"subject": "Hi {{name}}", "body": "x"}}}),
            "templates.new_submission",
        ),
        (
            json!({"templates": {"reminder": {"subject": "two\nlines", "body": "x"}}}),
            "templates.reminder",
        ),
    ] {
        let (status, body) = put_settings(&app, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"]["details"]["field"], field, "{body}");
    }
    let (status, body) = put_settings(&app, json!({"templates": {"sms": {}}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let after: Value = app
        .request(Method::GET, "/notifications/settings", As::org(TENANT))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(before, after);
    assert_eq!(after["notify_individuals"], true);
    let other = app
        .request(Method::GET, "/notifications/settings", As::officer(TENANT))
        .send()
        .await
        .expect("get");
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
}
