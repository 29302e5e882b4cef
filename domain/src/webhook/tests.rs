use cqrs_es::Aggregate;
use time::macros::datetime;

use super::*;

fn settings(url: &str, types: &[&str]) -> EndpointSettings {
    EndpointSettings {
        url: url.to_owned(),
        description: String::new(),
        event_types: types.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn given(commands: Vec<WebhookCommand>) -> WebhookEndpoints {
    let mut endpoints = WebhookEndpoints::default();
    for command in commands {
        for event in endpoints.decide(command).expect("decided") {
            endpoints.apply(event);
        }
    }
    endpoints
}

fn create(id: &str) -> WebhookCommand {
    WebhookCommand::Create {
        tenant: TenantId::parse("acme").expect("tenant"),
        endpoint_id: id.to_owned(),
        settings: settings("https://hooks.acme.test/a", &["case.decided"]),
        secret_id: format!("{id}-s1"),
    }
}

#[test]
fn an_endpoint_is_created_once_with_known_event_types() {
    let endpoints = given(vec![create("e1")]);
    let endpoint = endpoints.get("e1").expect("created");
    assert!(endpoint.enabled());
    assert!(endpoint.settings.wants("case.decided"));
    assert!(!endpoint.settings.wants("case.opened"));
    assert_eq!(
        endpoints.decide(create("e1")),
        Err(WebhookError::AlreadyExists)
    );
    let unknown = WebhookCommand::Create {
        tenant: TenantId::parse("acme").expect("tenant"),
        endpoint_id: "e2".into(),
        settings: settings("https://x.test", &["case.exploded"]),
        secret_id: "s".into(),
    };
    assert_eq!(
        endpoints.decide(unknown),
        Err(WebhookError::UnknownEventType("case.exploded".into()))
    );
    assert!(settings("https://x.test", &[]).wants("quota.threshold_reached"));
}

#[test]
fn a_tenant_has_a_bounded_number_of_endpoints() {
    let endpoints = given(
        (0..MAX_ENDPOINTS)
            .map(|i| create(&format!("e{i}")))
            .collect(),
    );
    assert_eq!(
        endpoints.decide(create("one-more")),
        Err(WebhookError::TooMany)
    );
}

#[test]
fn rotation_keeps_the_previous_secret_until_the_given_time_and_ends_older_ones() {
    let until = datetime!(2026-12-04 10:00 UTC);
    let rotate = |secret: &str| WebhookCommand::RotateSecret {
        endpoint_id: "e1".into(),
        secret_id: secret.into(),
        previous_valid_until: until,
    };
    let endpoints = given(vec![create("e1"), rotate("s2"), rotate("s3")]);
    let secrets = &endpoints.get("e1").expect("e1").secrets;
    assert_eq!(secrets.len(), 2);
    assert_eq!(secrets[0].secret_id, "s2");
    assert!(secrets[0].signs_at(datetime!(2026-12-04 09:59 UTC)));
    assert!(!secrets[0].signs_at(until));
    assert_eq!(secrets[1].secret_id, "s3");
    assert!(secrets[1].signs_at(datetime!(2099-01-01 0:00 UTC)));
}

#[test]
fn disabling_is_recorded_once_and_enabling_clears_it() {
    let disable = || WebhookCommand::Disable {
        endpoint_id: "e1".into(),
        reason: DisableReason::Gone,
        detail: "410".into(),
    };
    let endpoints = given(vec![create("e1"), disable()]);
    assert!(!endpoints.get("e1").expect("e1").enabled());
    assert_eq!(endpoints.decide(disable()), Ok(vec![]));
    let enable = WebhookCommand::Enable {
        endpoint_id: "e1".into(),
    };
    let enabled = given(vec![create("e1"), disable(), enable.clone()]);
    assert!(enabled.get("e1").expect("e1").enabled());
    assert_eq!(enabled.decide(enable), Err(WebhookError::AlreadyEnabled));
}

#[test]
fn an_unchanged_update_records_nothing_and_a_deleted_endpoint_is_gone() {
    let endpoints = given(vec![create("e1")]);
    let same = WebhookCommand::Update {
        endpoint_id: "e1".into(),
        settings: settings("https://hooks.acme.test/a", &["case.decided"]),
    };
    assert_eq!(endpoints.decide(same), Ok(vec![]));
    let deleted = given(vec![
        create("e1"),
        WebhookCommand::Delete {
            endpoint_id: "e1".into(),
        },
    ]);
    assert!(deleted.get("e1").is_none());
    let missing = WebhookCommand::Delete {
        endpoint_id: "e1".into(),
    };
    assert_eq!(deleted.decide(missing), Err(WebhookError::NotFound));
}

#[test]
fn a_message_is_dead_lettered_once() {
    let mut letter = WebhookDeadLetter::default();
    let record = DeadLetterCommand::Record {
        endpoint_id: "e1".into(),
        event_type: "case.decided".into(),
        attempts: 8,
        last_error: "503".into(),
    };
    let events = letter.decide(record.clone());
    assert_eq!(events.len(), 1);
    for event in events {
        letter.apply(event);
    }
    assert!(letter.decide(record).is_empty());
}
