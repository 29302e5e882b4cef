//! Processor runs and the score: a run that lost its check records
//! nothing, and a score decides only what it may.

use super::*;
use crate::scoring::{self, CheckScore};

fn as_system(action: CaseAction) -> CaseCommand {
    CaseCommand::new(tenant(), Actor::system(), action)
}

fn finish(run: &str, score: u8) -> CaseAction {
    CaseAction::FinishRun {
        check: CheckKind::Document,
        run: run.to_owned(),
        finish: RunFinish::Result {
            result: CheckResult::Verified {
                score: Score::new(score),
            },
            details: vec![],
            policy_version: 3,
        },
    }
}

#[test]
fn a_taken_over_run_cannot_record_and_the_new_run_does_once() {
    let mut case = replay(&[opened(), submitted(), started(CheckKind::Document)]);
    let takeover = CaseAction::StartRun {
        check: CheckKind::Document,
        run: "run-2".to_owned(),
    };
    for event in case.decide(as_system(takeover), T0).expect("takeover") {
        case.apply(event);
    }
    let record = &case.opened().expect("opened").checks[&CheckKind::Document];
    assert_eq!((record.runs, record.run.as_deref()), (1, Some("run-2")));
    // The first run comes back late.
    assert_eq!(
        case.decide(as_system(finish(RUN, 90)), T0),
        Err(CaseError::StaleRun {
            check: CheckKind::Document,
            run: RUN.to_owned()
        })
    );
    for event in case
        .decide(as_system(finish("run-2", 90)), T0)
        .expect("record")
    {
        case.apply(event);
    }
    let record = &case.opened().expect("opened").checks[&CheckKind::Document];
    assert_eq!(
        (record.state, record.policy_version),
        (CheckState::Verified, Some(3))
    );
    // Recorded once: the same run cannot record again.
    assert!(matches!(
        case.decide(as_system(finish("run-2", 90)), T0),
        Err(CaseError::StaleRun { .. })
    ));
}

#[test]
fn an_officers_manual_check_is_never_taken_over() {
    let manual = CaseEvent::CheckStarted {
        check: CheckKind::Document,
        attempt: 1,
        run: None,
    };
    let case = replay(&[opened(), submitted(), manual]);
    let start = CaseAction::StartRun {
        check: CheckKind::Document,
        run: "run-9".to_owned(),
    };
    assert!(matches!(
        case.decide(as_system(start), T0),
        Err(CaseError::IllegalCheckTransition { .. })
    ));
}

fn card(document: u8, liveness: u8) -> scoring::ScoreCard {
    let results = [
        CheckScore {
            check: CheckKind::Document,
            score: Score::clamped(document),
            explanation: format!("document {document}"),
        },
        CheckScore {
            check: CheckKind::Liveness,
            score: Score::clamped(liveness),
            explanation: format!("liveness {liveness}"),
        },
    ];
    scoring::score(&Default::default(), &checks(), &results)
}

fn score(card: scoring::ScoreCard) -> CaseAction {
    CaseAction::RecordScore {
        card,
        policy_version: 0,
    }
}

#[test]
fn an_accepted_score_completes_only_a_case_whose_checks_are_cleared() {
    let pending = replay(&[opened(), submitted(), verified(CheckKind::Document)]);
    let events = pending
        .decide(as_system(score(card(95, 95))), T0)
        .expect("scored");
    assert_eq!(events.len(), 1, "liveness is not cleared: scored only");
    let cleared = replay(&[
        opened(),
        submitted(),
        verified(CheckKind::Document),
        verified(CheckKind::Liveness),
    ]);
    let events = cleared
        .decide(as_system(score(card(95, 95))), T0)
        .expect("scored");
    assert!(matches!(
        &events[..],
        [CaseEvent::CaseScored { .. }, CaseEvent::CaseCompleted { by, .. }] if *by == Actor::system()
    ));
}

#[test]
fn a_rejected_score_fails_the_case_naming_what_cost_most() {
    let case = replay(&[opened(), submitted()]);
    let events = case
        .decide(as_system(score(card(90, 5))), T0)
        .expect("scored");
    let [CaseEvent::CaseScored { card, .. }, CaseEvent::CaseFailed { reason, .. }] = &events[..]
    else {
        panic!("scored and failed: {events:?}");
    };
    assert_eq!(card.verdict, scoring::Verdict::Rejected);
    assert!(
        reason.as_str().starts_with(&format!(
            "score {}/100, rejected: liveness: liveness 5",
            card.total
        )),
        "{reason}"
    );
}
