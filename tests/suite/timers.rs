//! Durable timers (issue 18 item 5) on an injected clock: an action the
//! individual does not take expires at its deadline, once, whichever of two
//! instances fires it; an answered one does not; the expiry reaches the
//! organisation as a webhook.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_event_store::Backend;
use veritrail_processors::timers::{Fired, TimerWorker, Timers};
use veritrail_processors::webhooks::Outcome;
use veritrail_processors::Processors;
use veritrail_tests::webhook_receiver::Receiver;
use veritrail_tests::As;

use crate::api_flow::{create_case, submit};
use crate::pipeline::events_of;
use crate::webhooks::{app_with, clock, dispatcher, endpoint, processors, pump, settings, TENANT};

async fn post(app: &veritrail_tests::TestApp, path: &str, who: As<'_>, body: Value) {
    let response = app
        .request(Method::POST, path, who)
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
}

/// An instance's processors with reminders off.
fn without_reminders(app: &veritrail_tests::TestApp, name: &str) -> Processors {
    let mut config = processors(app, name).config().clone();
    config.reminders.max = 0;
    Processors::new(app.test_db.db.clone(), app.services.clone(), config, name)
}

/// Both instances fire what is due at the same moment; every outcome.
pub async fn fire_on_both(a: &TimerWorker, b: &TimerWorker) -> Vec<Fired> {
    let (from_a, from_b) = tokio::join!(a.fire_due(), b.fire_due());
    let mut outcomes = from_a.expect("a");
    outcomes.extend(from_b.expect("b"));
    outcomes.sort_by_key(|o| format!("{o:?}"));
    outcomes
}

#[tokio::test]
async fn an_unanswered_action_expires_once_at_its_deadline_on_two_instances() {
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &["check.expired"]).await;
    let case = create_case(&app, TENANT, "EMP-TIMER").await;
    submit(&app, TENANT, &case).await;
    for check in ["bankruptcy", "professional_registration"] {
        let path = format!("/admin/verifications/{case}/checks/{check}/request-action");
        let body = json!({"hint": "upload the full certificate", "respond_within_hours": 24});
        post(&app, &path, As::officer(TENANT), body).await;
    }
    // The individual answers one of the two requests.
    let path = format!("/verifications/{case}/checks/professional_registration/resubmit");
    post(&app, &path, As::individual(TENANT), json!({"evidence": []})).await;

    let (a, b) = (
        without_reminders(&app, "instance-a"),
        without_reminders(&app, "instance-b"),
    );
    a.timer_feed().catch_up().await.expect("the timer feed");
    let scheduled = Timers::new(app.test_db.db.clone())
        .of_case(&case)
        .await
        .expect("timers");
    // Two expiries (reminders are off here: none is scheduled).
    assert_eq!(scheduled.len(), 2, "{scheduled:?}");
    let (first, second) = (a.timer_worker(), b.timer_worker());
    assert!(
        first.fire_due().await.expect("fire").is_empty(),
        "not due yet"
    );
    clock.advance(time::Duration::hours(23));
    assert!(
        second.fire_due().await.expect("fire").is_empty(),
        "not due yet"
    );

    // Past the deadline both instances look at once: each timer fires once.
    clock.advance(time::Duration::hours(2));
    assert_eq!(
        fire_on_both(&first, &second).await,
        vec![Fired::Fired, Fired::Obsolete]
    );
    assert!(first.fire_due().await.expect("fire").is_empty());
    assert!(second.fire_due().await.expect("fire").is_empty());

    let expired = events_of(&app, &case, "CheckExpired").await;
    assert_eq!(expired, vec![json!({"check": "bankruptcy"})]);
    let states: BTreeMap<String, String> = Timers::new(app.test_db.db.clone())
        .of_case(&case)
        .await
        .expect("timers")
        .into_iter()
        .map(|t| (t.target, t.state))
        .collect();
    assert_eq!(states["bankruptcy"], "fired");
    assert_eq!(states["professional_registration"], "obsolete");

    // The organisation hears of it.
    assert_eq!(pump(&a, &dispatcher(&a)).await, vec![Outcome::Delivered]);
    let body = receiver.accepted()[0].json();
    assert_eq!(body["type"], "check.expired");
    assert_eq!(body["data"]["check"], "bankruptcy");
}

#[tokio::test]
async fn a_check_processing_past_the_limit_is_escalated_once() {
    use veritrail_domain::case::{CaseAction, CheckKind, CheckResult};
    let clock = clock();
    let app = app_with(Backend::Postgres, &clock, settings()).await;
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &["check.escalated"]).await;
    let case = create_case(&app, TENANT, "EMP-SLOW").await;
    submit(&app, TENANT, &case).await;
    let officer = veritrail_tests::fixtures::officer(TENANT);
    let id = case.parse().expect("case id");
    for check in [CheckKind::Bankruptcy, CheckKind::ProfessionalRegistration] {
        let start = CaseAction::StartCheck { check };
        app.services
            .cases
            .execute(&officer, id, start)
            .await
            .expect("start");
    }
    // One check finishes within the limit; the other hangs.
    let result = CaseAction::RecordCheckResult {
        check: CheckKind::ProfessionalRegistration,
        result: CheckResult::Verified { score: None },
    };
    app.services
        .cases
        .execute(&officer, id, result)
        .await
        .expect("result");

    let (a, b) = (
        processors(&app, "instance-a"),
        processors(&app, "instance-b"),
    );
    a.timer_feed().catch_up().await.expect("the timer feed");
    let (first, second) = (a.timer_worker(), b.timer_worker());
    clock.advance(time::Duration::minutes(14));
    assert!(
        first.fire_due().await.expect("fire").is_empty(),
        "within the limit"
    );
    clock.advance(time::Duration::minutes(2));
    assert_eq!(
        fire_on_both(&first, &second).await,
        vec![Fired::Fired, Fired::Obsolete]
    );
    assert!(first.fire_due().await.expect("fire").is_empty());

    let escalated = events_of(&app, &case, "CheckEscalated").await;
    assert_eq!(
        escalated,
        vec![json!({"check": "bankruptcy", "attempt": 1})]
    );
    assert_eq!(pump(&a, &dispatcher(&a)).await, vec![Outcome::Delivered]);
    let body = receiver.accepted()[0].json();
    assert_eq!(body["type"], "check.escalated");
    assert_eq!(body["data"]["check"], "bankruptcy");
    assert_eq!(body["data"]["status"], "PENDING_ADMIN");
}
