//! Reminders (issue 18 item 5, CASE-9): a case waiting for its individual
//! is reminded after its age, once per interval, up to the maximum — once
//! each, whichever of two instances fires — and the individual gets each
//! reminder by email; a submitted case is not reminded.

use serde_json::json;
use veritrail_event_store::Backend;
use veritrail_processors::notices::Sent;
use veritrail_processors::timers::Fired;
use veritrail_tests::smtp::MailServer;

use super::{open_case, processors, sender};
use crate::api_flow::submit;
use crate::pipeline::events_of;
use crate::timers::fire_on_both;
use crate::webhooks::{app_with, clock, settings, TENANT};

#[tokio::test]
async fn a_waiting_individual_is_reminded_daily_after_two_days_at_most_twice() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let server = MailServer::start().await;
    let (waiting, _) = open_case(&app, "EMP-SLOW", Some("jane@example.com")).await;
    let (done, _) = open_case(&app, "EMP-QUICK", Some("john@example.com")).await;
    submit(&app, TENANT, &done).await;

    let (a, b) = (
        processors(&app, "instance-a"),
        processors(&app, "instance-b"),
    );
    let (first, second) = (a.timer_worker(), b.timer_worker());
    let sender = sender(&a, &server.url());
    let mut sent = Vec::new();
    // Time passes; the feeds, the timers (on both instances) and the sender
    // keep up as they do when running. What the timers did.
    let mut step = async |hours: i64| {
        clock.advance(time::Duration::hours(hours));
        a.timer_feed().catch_up().await.expect("the timer feed");
        let fired = fire_on_both(&first, &second).await;
        a.timer_feed().catch_up().await.expect("the timer feed");
        a.notice_feed().catch_up().await.expect("the notice feed");
        sent.extend(sender.send_due().await.expect("send"));
        fired
    };
    assert!(step(0).await.is_empty());
    assert!(step(47).await.is_empty(), "too young");
    // Two days old: the waiting case is reminded once; the submitted one is not.
    assert_eq!(step(1).await, vec![Fired::Fired, Fired::Obsolete]);
    assert!(step(12).await.is_empty(), "a day apart");
    assert_eq!(step(12).await, vec![Fired::Fired]);
    // The maximum is reached: nothing more is scheduled or sent.
    assert!(step(24 * 5).await.is_empty());

    let reminded = events_of(&app, &waiting, "IndividualReminded").await;
    let numbers: Vec<_> = reminded.iter().map(|e| e["number"].clone()).collect();
    assert_eq!(numbers, vec![json!(1), json!(2)]);
    assert!(events_of(&app, &done, "IndividualReminded")
        .await
        .is_empty());

    // Two invitations and two reminders (no officers: their notices are skipped).
    assert_eq!(
        sent.iter().filter(|s| **s == Sent::Sent).count(),
        4,
        "{sent:?}"
    );
    let reminders: Vec<_> = server
        .messages()
        .into_iter()
        .filter(|m| m["subject"] == "Reminder: your identity verification for acme")
        .collect();
    assert_eq!(reminders.len(), 2);
    assert!(reminders
        .iter()
        .all(|m| m["to"] == json!(["jane@example.com"])));
}

#[tokio::test]
async fn an_organisation_reminds_by_hand_within_the_same_limits() {
    use reqwest::{Method, StatusCode};
    use serde_json::Value;
    use veritrail_tests::As;

    let clock = clock();
    let app = app_with(Backend::Sqlite, &clock, settings()).await;
    let (case, _) = open_case(&app, "EMP-HAND", Some("jane@example.com")).await;
    let remind = async || {
        let path = format!("/verifications/{case}/remind");
        let response = app
            .request(Method::POST, &path, As::org(TENANT))
            .send()
            .await
            .expect("remind");
        let status = response.status();
        (status, response.json::<Value>().await.expect("json"))
    };
    // At once, whatever the case's age.
    let (status, body) = remind().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    // Not twice within the interval (a day by default).
    let (status, body) = remind().await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "reminder_not_due", "{body}");
    let next_at = body["error"]["details"]["next_at"]
        .as_str()
        .expect("next_at");
    let format = time::format_description::well_known::Rfc3339;
    assert!(
        time::OffsetDateTime::parse(next_at, &format).is_ok(),
        "{next_at}"
    );
    // Submitted: nothing waits for the individual.
    submit(&app, TENANT, &case).await;
    let (status, body) = remind().await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "nothing_to_remind", "{body}");
    let reminded = events_of(&app, &case, "IndividualReminded").await;
    assert_eq!(reminded.len(), 1);
}
