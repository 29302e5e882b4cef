//! Notifications (issue 18 item 4) and reminders (item 5) against a real
//! SMTP server (aiosmtpd from PyPI), with an injected clock: time is moved,
//! never slept. What arrived is read back by Python's `email` package.

mod mail;
mod reminders;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_domain::case::ReminderPolicy;
use veritrail_processors::notices::{NoticeSender, SmtpMailer};
use veritrail_processors::{ProcessorConfig, Processors};
use veritrail_tests::{As, TestApp};

use crate::webhooks::TENANT;

/// Opens a case for `subject`, emailed at `email` when given; its id and
/// the invitation token the organisation was given.
pub async fn open_case(app: &TestApp, subject: &str, email: Option<&str>) -> (String, String) {
    let mut person = json!({"id": subject, "display_name": "Jane Citizen"});
    if let Some(email) = email {
        person["email"] = json!(email);
    }
    let response = app
        .request(Method::POST, "/verifications", As::org(TENANT))
        .json(&json!({
            "subject": person,
            "requested_checks": ["professional_registration", "bankruptcy"],
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    let token = body["invitation"]["token"].as_str().expect("a token");
    (
        body["id"].as_str().expect("id").to_owned(),
        token.to_owned(),
    )
}

/// A sender through the SMTP server at `url`.
pub fn sender(processors: &Processors, url: &str) -> NoticeSender {
    let mailer = SmtpMailer::new(url, "Acme KYC <kyc@veritrail.test>").expect("a mailer");
    processors.notice_sender(Arc::new(mailer))
}

/// The tenant's notices, newest first.
pub async fn notices(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app
        .request(
            Method::GET,
            &format!("/notifications{query}"),
            As::org(TENANT),
        )
        .send()
        .await
        .expect("notices");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["notices"].as_array().expect("notices").clone()
}

pub async fn put_settings(app: &TestApp, settings: Value) -> (StatusCode, Value) {
    let response = app
        .request(Method::PUT, "/notifications/settings", As::org(TENANT))
        .json(&settings)
        .send()
        .await
        .expect("settings");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// An instance's processors, driven by hand: links to
/// `https://verify.example.com`, reminders after 2 days, daily, at most 2.
pub fn processors(app: &TestApp, name: &str) -> Processors {
    let config = ProcessorConfig {
        public_url: "https://verify.example.com".to_owned(),
        invitation_url: "https://verify.example.com/invitations".to_owned(),
        reminders: ReminderPolicy {
            after: time::Duration::days(2),
            interval: time::Duration::days(1),
            max: 2,
        },
        ..ProcessorConfig::default()
    };
    Processors::new(app.test_db.db.clone(), app.services.clone(), config, name)
}
