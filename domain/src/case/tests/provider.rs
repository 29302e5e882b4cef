//! An external provider's reports on a run: the run hands the check over,
//! the provider's callback may only speak of that request, repeats record
//! nothing, and a final answer is never changed.

use super::*;

fn report(reference: &str, status: ProviderStatus) -> ProviderReport {
    ProviderReport {
        provider: "screening".to_owned(),
        reference: reference.to_owned(),
        status,
        score: None,
        reason: None,
        details: vec![],
    }
}

fn by(source: ReportSource, report: ProviderReport) -> CaseCommand {
    CaseCommand::new(
        tenant(),
        Actor::system(),
        CaseAction::RecordProviderReport {
            check: CheckKind::Document,
            source,
            report,
        },
    )
}

fn run() -> ReportSource {
    ReportSource::Run(RUN.to_owned())
}

fn apply(case: &mut VerificationCase, command: CaseCommand, at: OffsetDateTime) -> usize {
    let events = case.decide(command, at).expect("accepted");
    let n = events.len();
    for event in events {
        case.apply(event);
    }
    n
}

fn provider_of(case: &VerificationCase) -> ProviderRun {
    case.opened().expect("opened").checks[&CheckKind::Document]
        .provider
        .clone()
        .expect("a provider run")
}

#[test]
fn a_run_hands_over_and_the_callback_answers_once() {
    let mut case = replay(&[opened(), submitted(), started(CheckKind::Document)]);
    // Before the run handed it over, no callback is awaited.
    assert_eq!(
        case.decide(
            by(
                ReportSource::Callback,
                report("p-1", ProviderStatus::Verified)
            ),
            T0
        ),
        Err(CaseError::ProviderNotAwaited {
            check: CheckKind::Document
        })
    );
    assert_eq!(
        apply(
            &mut case,
            by(run(), report("p-1", ProviderStatus::Submitted)),
            T0
        ),
        1
    );
    let later = T0 + Duration::minutes(1);
    assert_eq!(
        apply(
            &mut case,
            by(run(), report("p-1", ProviderStatus::Submitted)),
            later
        ),
        0
    );
    // A callback about another request is refused.
    assert!(matches!(
        case.decide(
            by(
                ReportSource::Callback,
                report("p-2", ProviderStatus::Verified)
            ),
            later
        ),
        Err(CaseError::ProviderNotAwaited { .. })
    ));
    let mut answer = report("p-1", ProviderStatus::Failed);
    answer.reason = Some("listed on a sanctions list".to_owned());
    assert_eq!(
        apply(&mut case, by(ReportSource::Callback, answer.clone()), later),
        1
    );
    let held = provider_of(&case);
    assert_eq!(
        (held.run_number, held.since),
        (1, T0),
        "the limit counts from the hand-over"
    );
    assert_eq!(held.report, answer);
    // The same answer again (a redelivered callback) records nothing…
    assert_eq!(
        apply(&mut case, by(ReportSource::Callback, answer), later),
        0
    );
    // …and a different one is refused.
    assert_eq!(
        case.decide(
            by(
                ReportSource::Callback,
                report("p-1", ProviderStatus::Verified)
            ),
            later
        ),
        Err(CaseError::ProviderAnswered {
            check: CheckKind::Document,
            status: ProviderStatus::Failed
        })
    );
}

#[test]
fn only_the_run_holding_the_check_hands_it_over() {
    let case = replay(&[opened(), submitted(), started(CheckKind::Document)]);
    let other = ReportSource::Run("run-9".to_owned());
    assert!(matches!(
        case.decide(by(other, report("p-1", ProviderStatus::Submitted)), T0),
        Err(CaseError::StaleRun { .. })
    ));
    // Nor may a run report on a check it does not run.
    let idle = replay(&[opened(), submitted()]);
    assert!(matches!(
        idle.decide(by(run(), report("p-1", ProviderStatus::Submitted)), T0),
        Err(CaseError::StaleRun { .. })
    ));
}

#[test]
fn a_status_never_goes_back() {
    let mut case = replay(&[opened(), submitted(), started(CheckKind::Document)]);
    apply(
        &mut case,
        by(run(), report("p-1", ProviderStatus::Processing)),
        T0,
    );
    assert!(matches!(
        case.decide(
            by(
                ReportSource::Callback,
                report("p-1", ProviderStatus::Submitted)
            ),
            T0
        ),
        Err(CaseError::ProviderAnswered { .. })
    ));
    assert_eq!(
        apply(
            &mut case,
            by(run(), report("p-1", ProviderStatus::Expired)),
            T0
        ),
        1
    );
    assert_eq!(provider_of(&case).report.status, ProviderStatus::Expired);
}
