use super::*;

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("an email")
}

fn genuine<'a>(mail: &'a EmailAddress) -> KyaInput<'a> {
    KyaInput {
        email: Some(mail),
        email_domain_has_mx: Some(true),
        phone: Some("+49 30 901820"),
        declared_nationality: Some(CountryCode::parse("DEU").expect("a country")),
        document_nationality: Some("DEU"),
        declared_given_names: "Lukas",
        declared_family_name: "Müller",
        document_given_names: Some("LUKAS"),
        document_family_name: Some("MUELLER"),
    }
}

fn finding(report: &KyaReport, name: &str) -> Finding {
    report
        .items
        .iter()
        .find(|i| i.name == name)
        .map(|i| i.finding)
        .unwrap_or_else(|| panic!("no item {name}"))
}

#[test]
fn a_coherent_profile_passes_every_item() {
    let mail = email("lukas.mueller@posteo.de");
    let report = assess(&genuine(&mail));
    assert!(
        report.items.iter().all(|i| i.finding == Finding::Pass),
        "{report:?}"
    );
    assert_eq!(report.score.value(), 100);
}

#[test]
fn incoherent_data_fails_with_reasons_and_lookups_not_made_are_not_failures() {
    let mail = email("lukas@mail.example");
    let mut input = genuine(&mail);
    input.email_domain_has_mx = None;
    input.phone = Some("+33 6 12 34 56 78");
    input.document_family_name = Some("SCHNEIDER");
    let report = assess(&input);
    assert_eq!(finding(&report, "email_domain"), Finding::Fail);
    assert_eq!(finding(&report, "email_mx"), Finding::NotChecked);
    assert_eq!(finding(&report, "phone"), Finding::Pass);
    assert_eq!(finding(&report, "country_coherence"), Finding::Fail);
    let countries = report.items.iter().find(|i| i.name == "country_coherence");
    assert!(countries.is_some_and(|i| i.reason.contains("phone country FRA")));
    assert_eq!(finding(&report, "name_coherence"), Finding::Fail);
    let names = report.items.iter().find(|i| i.name == "name_coherence");
    assert!(names.is_some_and(|i| i.reason.contains("similarity")));
    // Not-checked items do not count: email, phone pass; three fail.
    assert!(report.score.value() < 60, "{report:?}");
}

#[test]
fn nothing_to_compare_is_not_checked() {
    let input = KyaInput {
        declared_given_names: "Ana",
        declared_family_name: "Sousa",
        ..KyaInput::default()
    };
    let report = assess(&input);
    for name in ["email", "phone", "country_coherence", "name_coherence"] {
        assert_eq!(finding(&report, name), Finding::NotChecked, "{name}");
    }
    assert_eq!(report.score.value(), 0);
}
