use std::collections::BTreeMap;

use super::*;

fn tenant() -> TenantId {
    TenantId::parse("acme").expect("valid")
}

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("valid")
}

#[test]
fn templates_refuse_what_their_kind_does_not_offer() {
    let kind = NoticeKind::NewSubmission;
    assert!(Template::parse(kind, "Case {{case_id}}", "See {{link}}").is_ok());
    assert!(matches!(
        Template::parse(kind, "Case {{case_id}}", "Hello {{name}}"),
        Err(TemplateError::UnknownVariable { name, .. }) if name == "name"
    ));
    assert_eq!(
        Template::parse(kind, "Case {{case_id", "x"),
        Err(TemplateError::Unclosed)
    );
    assert_eq!(
        Template::parse(kind, "two\nlines", "x"),
        Err(TemplateError::BadSubject)
    );
    assert_eq!(
        Template::parse(kind, "ok", "  "),
        Err(TemplateError::BadBody)
    );
}

#[test]
fn every_default_template_uses_only_its_kinds_variables() {
    for kind in NoticeKind::ALL {
        let default = kind.default_template();
        assert_eq!(
            Template::parse(kind, &default.subject, &default.body),
            Ok(default.clone()),
            "{kind}"
        );
        assert!(
            default.body.contains("{{link}}"),
            "{kind} links to the case"
        );
    }
}

#[test]
fn rendering_fills_values_and_keeps_the_subject_on_one_line() {
    let template = Template::parse(
        NoticeKind::Reminder,
        "Hi {{ name }}",
        "{{name}}: reminder {{number}} of {{organisation}}",
    )
    .expect("valid");
    let values = BTreeMap::from([
        ("name", "Jane\r\nBcc: x@evil.test".to_owned()),
        ("number", "2".to_owned()),
    ]);
    let (subject, body) = template.render(&values);
    assert_eq!(subject, "Hi JaneBcc: x@evil.test");
    assert_eq!(body, "Jane\r\nBcc: x@evil.test: reminder 2 of ");
}

#[test]
fn settings_change_once_and_refuse_duplicates() {
    let settings = NoticeSettings {
        notify_individuals: false,
        officers: vec![email("vo@acme.test")],
        templates: BTreeMap::new(),
    };
    let aggregate = NotificationSettings::default();
    let replace = |settings: NoticeSettings| NotificationCommand::Replace {
        tenant: tenant(),
        settings,
    };
    let events = aggregate.decide(replace(settings.clone())).expect("legal");
    assert_eq!(events.len(), 1);
    let mut changed = aggregate.clone();
    changed.apply(events[0].clone());
    assert_eq!(changed.settings, settings);
    assert_eq!(changed.decide(replace(settings.clone())), Ok(vec![]));
    let twice = NoticeSettings {
        officers: vec![email("vo@acme.test"), email("vo@ACME.test")],
        ..settings
    };
    assert_eq!(
        aggregate.decide(replace(twice)),
        Err(NotificationError::DuplicateOfficer(
            "vo@acme.test".to_owned()
        ))
    );
    assert_eq!(
        NoticeSettings::default().template(NoticeKind::Escalation),
        NoticeKind::Escalation.default_template()
    );
}
