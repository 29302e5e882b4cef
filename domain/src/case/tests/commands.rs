//! Given / when / then, one or more per command.

use super::*;

fn framework() -> TestFramework<VerificationCase> {
    TestFramework::with(CaseServices::new(Arc::new(FixedClock::new(T0))))
}

#[test]
fn opening_a_case_records_subject_checks_entities_and_time() {
    framework()
        .given_no_previous_events()
        .when(cmd(open_action()))
        .then_expect_events(vec![opened()]);
}

#[test]
fn opening_dedupes_entities_and_keeps_the_restart_context() {
    let restart = RestartContext {
        previous_case: replacement_id(),
        trigger: RestartTrigger::PreviousAbandoned,
        comment: Some(comment("never uploaded a document")),
        previous_attempt_abandoned: true,
    };
    let entity = EntityId::parse("company-1").expect("valid");
    framework()
        .given_no_previous_events()
        .when(cmd(CaseAction::Open(OpenCase {
            case_id: case_id(),
            subject: subject(),
            checks: RequestedChecks::parse(checks()).expect("valid"),
            entities: vec![entity.clone(), entity.clone()],
            restart: Some(restart.clone()),
        })))
        .then_expect_events(vec![CaseEvent::CaseOpened {
            case_id: case_id(),
            tenant: tenant(),
            subject: subject(),
            checks: checks(),
            entities: vec![entity],
            restart: Some(restart),
            opened_at: T0,
        }]);
}

#[test]
fn a_case_cannot_restart_itself() {
    let mut open = match open_action() {
        CaseAction::Open(open) => open,
        _ => unreachable!(),
    };
    open.restart = Some(RestartContext {
        previous_case: case_id(),
        trigger: RestartTrigger::OfficerRequest,
        comment: None,
        previous_attempt_abandoned: false,
    });
    framework()
        .given_no_previous_events()
        .when(cmd(CaseAction::Open(open)))
        .then_expect_error(CaseError::RestartOfSelf);
}

#[test]
fn evidence_must_name_the_cases_own_uploads() {
    let stranger = MediaId::from_uuid(Uuid::from_u128(99));
    let mut data = submission();
    data.evidence[0].media_id = stranger;
    framework()
        .given(vec![opened(), uploaded()])
        .when(cmd(CaseAction::SubmitData(data)))
        .then_expect_error(CaseError::UnknownMedia { media_id: stranger });
    framework()
        .given(vec![
            opened(),
            uploaded(),
            submitted(),
            started(CheckKind::Document),
            action_requested(CheckKind::Document, T0 + Duration::days(1)),
        ])
        .when(cmd(CaseAction::Resubmit {
            check: CheckKind::Document,
            evidence: vec![Evidence {
                kind: EvidenceKind::Passport,
                media_id: stranger,
            }],
        }))
        .then_expect_error(CaseError::UnknownMedia { media_id: stranger });
}

#[test]
fn submitting_data_moves_the_case_to_pending_admin_and_checks_to_submitted() {
    let events = framework()
        .given(vec![opened(), uploaded()])
        .when(cmd(CaseAction::SubmitData(submission())))
        .inspect_result()
        .expect("legal");
    assert_eq!(events, vec![submitted()]);
    let mut all = vec![opened()];
    all.extend(events);
    let case = replay(&all);
    let opened = case.opened().expect("opened");
    assert_eq!(opened.status, CaseStatus::PendingAdmin);
    assert!(opened
        .checks
        .values()
        .all(|c| c.state == CheckState::Submitted));
}

#[test]
fn a_date_of_birth_in_the_future_is_refused() {
    let mut data = submission();
    data.date_of_birth = date!(2030 - 01 - 01);
    framework()
        .given(vec![opened()])
        .when(cmd(CaseAction::SubmitData(data)))
        .then_expect_error(CaseError::DateOfBirthInFuture);
}

#[test]
fn starting_a_check_records_its_attempt() {
    framework()
        .given(vec![opened(), submitted()])
        .when(vo(CaseAction::StartCheck {
            check: CheckKind::Document,
        }))
        .then_expect_events(vec![CaseEvent::CheckStarted {
            check: CheckKind::Document,
            attempt: 1,
            run: None,
        }]);
}

#[test]
fn recording_a_failed_result_keeps_the_reason() {
    framework()
        .given(vec![opened(), submitted(), started(CheckKind::Document)])
        .when(vo(CaseAction::RecordCheckResult {
            check: CheckKind::Document,
            result: CheckResult::Failed {
                reason: reason("document expired"),
                score: Score::new(12),
            },
        }))
        .then_expect_events(vec![failed(CheckKind::Document)]);
}

#[test]
fn requesting_action_sets_a_deadline_from_the_injected_clock() {
    framework()
        .given(vec![opened(), submitted(), started(CheckKind::Document)])
        .when(vo(CaseAction::RequestAction {
            check: CheckKind::Document,
            hint: Hint::parse("MRZ cut off at the bottom").expect("valid"),
            respond_within: Duration::days(3),
        }))
        .then_expect_events(vec![action_requested(
            CheckKind::Document,
            T0 + Duration::days(3),
        )]);
}

#[test]
fn a_non_positive_response_period_is_refused() {
    framework()
        .given(vec![opened(), submitted(), started(CheckKind::Document)])
        .when(vo(CaseAction::RequestAction {
            check: CheckKind::Document,
            hint: Hint::parse("retake").expect("valid"),
            respond_within: Duration::ZERO,
        }))
        .then_expect_error(CaseError::NonPositiveResponsePeriod);
}

#[test]
fn resubmitting_answers_a_requested_action() {
    let evidence = submission().evidence;
    framework()
        .given(vec![
            opened(),
            uploaded(),
            submitted(),
            started(CheckKind::Document),
            action_requested(CheckKind::Document, T0 + Duration::days(1)),
        ])
        .when(cmd(CaseAction::Resubmit {
            check: CheckKind::Document,
            evidence: evidence.clone(),
        }))
        .then_expect_events(vec![CaseEvent::CheckResubmitted {
            check: CheckKind::Document,
            evidence,
        }]);
}

#[test]
fn a_check_cannot_expire_before_its_deadline() {
    let deadline = T0 + Duration::days(1);
    framework()
        .given(vec![
            opened(),
            submitted(),
            started(CheckKind::Document),
            action_requested(CheckKind::Document, deadline),
        ])
        .when(vo(CaseAction::ExpireCheck {
            check: CheckKind::Document,
        }))
        .then_expect_error(CaseError::ActionDeadlineNotReached {
            check: CheckKind::Document,
            deadline,
        });
}

#[test]
fn a_check_expires_once_its_deadline_passed() {
    framework()
        .given(vec![
            opened(),
            submitted(),
            started(CheckKind::Document),
            action_requested(CheckKind::Document, T0),
        ])
        .when(vo(CaseAction::ExpireCheck {
            check: CheckKind::Document,
        }))
        .then_expect_events(vec![CaseEvent::CheckExpired {
            check: CheckKind::Document,
        }]);
}

#[test]
fn retrying_a_failed_check_starts_a_new_attempt() {
    framework()
        .given(vec![
            opened(),
            submitted(),
            started(CheckKind::Document),
            failed(CheckKind::Document),
        ])
        .when(cmd(CaseAction::RetryCheck {
            check: CheckKind::Document,
        }))
        .then_expect_events(vec![CaseEvent::CheckRetried {
            check: CheckKind::Document,
            attempt: 2,
        }]);
}

#[test]
fn retries_stop_at_the_attempt_limit() {
    let doc = CheckKind::Document;
    let mut history = vec![opened(), submitted()];
    for attempt in 1..=MAX_CHECK_ATTEMPTS {
        history.push(CaseEvent::CheckStarted {
            check: doc,
            attempt,
            run: None,
        });
        history.push(failed(doc));
        if attempt < MAX_CHECK_ATTEMPTS {
            history.push(CaseEvent::CheckRetried {
                check: doc,
                attempt: attempt + 1,
            });
        }
    }
    framework()
        .given(history)
        .when(cmd(CaseAction::RetryCheck { check: doc }))
        .then_expect_error(CaseError::RetryLimitReached {
            check: doc,
            attempts: MAX_CHECK_ATTEMPTS,
        });
}

#[test]
fn bypassing_records_who_and_why() {
    framework()
        .given(vec![
            opened(),
            submitted(),
            started(CheckKind::Document),
            failed(CheckKind::Document),
        ])
        .when(vo(CaseAction::BypassCheck {
            check: CheckKind::Document,
            comment: comment("checked in person"),
        }))
        .then_expect_events(vec![bypassed(CheckKind::Document)]);
}

#[test]
fn a_check_can_be_bypassed_before_submission_and_stays_bypassed() {
    let mut case = replay(&[opened(), bypassed(CheckKind::Document)]);
    case.apply(submitted());
    let checks = &case.opened().expect("opened").checks;
    assert_eq!(checks[&CheckKind::Document].state, CheckState::Bypassed);
    assert_eq!(checks[&CheckKind::Liveness].state, CheckState::Submitted);
}

#[test]
fn completing_needs_every_check_verified_or_bypassed() {
    framework()
        .given(vec![
            opened(),
            submitted(),
            started(CheckKind::Document),
            verified(CheckKind::Document),
        ])
        .when(vo(CaseAction::Decide(Decision::Complete {
            outcome: Outcome::Pass,
        })))
        .then_expect_error(CaseError::ChecksOutstanding {
            checks: vec![CheckKind::Liveness],
        });
}

#[test]
fn completing_with_all_checks_cleared_passes_the_case() {
    framework()
        .given(vec![
            opened(),
            submitted(),
            started(CheckKind::Document),
            verified(CheckKind::Document),
            bypassed(CheckKind::Liveness),
        ])
        .when(vo(CaseAction::Decide(Decision::Complete {
            outcome: Outcome::Pass,
        })))
        .then_expect_events(vec![CaseEvent::CaseCompleted {
            by: officer(),
            outcome: Outcome::Pass,
        }]);
}

#[test]
fn failing_a_case_before_submission_is_allowed() {
    framework()
        .given(vec![opened()])
        .when(vo(CaseAction::Decide(Decision::Fail {
            reason: reason("individual unreachable"),
        })))
        .then_expect_events(vec![CaseEvent::CaseFailed {
            by: officer(),
            reason: reason("individual unreachable"),
        }]);
}

#[test]
fn assigning_a_reviewer_records_who_assigned_and_repeating_it_is_a_no_op() {
    let reviewer = ActorId::parse("vo-9").expect("valid");
    let assigned = CaseEvent::ReviewerAssigned {
        reviewer: reviewer.clone(),
        by: officer(),
    };
    framework()
        .given(vec![opened(), submitted()])
        .when(vo(CaseAction::AssignReviewer {
            reviewer: reviewer.clone(),
        }))
        .then_expect_events(vec![assigned.clone()]);
    framework()
        .given(vec![opened(), submitted(), assigned])
        .when(vo(CaseAction::AssignReviewer { reviewer }))
        .then_expect_events(vec![]);
}

#[test]
fn cancelling_records_the_mandatory_reason() {
    framework()
        .given(vec![opened(), submitted()])
        .when(cmd(CaseAction::Cancel {
            reason: reason("employee withdrew"),
        }))
        .then_expect_events(vec![CaseEvent::CaseCancelled {
            by: org(),
            reason: reason("employee withdrew"),
            replaced_by: None,
        }]);
}

#[test]
fn a_failed_case_can_be_cancelled_for_recreation_but_not_by_itself() {
    let failed_case = history_in(Some(CaseStatus::Failed));
    framework()
        .given(failed_case.clone())
        .when(vo(CaseAction::CancelForRecreation {
            reason: reason("abandoned"),
            replacement: replacement_id(),
        }))
        .then_expect_events(vec![CaseEvent::CaseCancelled {
            by: officer(),
            reason: reason("abandoned"),
            replaced_by: Some(replacement_id()),
        }]);
    framework()
        .given(failed_case)
        .when(vo(CaseAction::CancelForRecreation {
            reason: reason("abandoned"),
            replacement: case_id(),
        }))
        .then_expect_error(CaseError::ReplacementIsSelf);
}

#[test]
fn events_serialise_with_stable_names_and_versions() {
    use cqrs_es::DomainEvent;
    let json = serde_json::to_value(opened()).expect("serialises");
    assert!(json.get("CaseOpened").is_some());
    assert_eq!(opened().event_version(), "1.1");
    assert_eq!(submitted().event_version(), "1.0");
    let back: CaseEvent = serde_json::from_value(json).expect("deserialises");
    assert_eq!(back, opened());
}
