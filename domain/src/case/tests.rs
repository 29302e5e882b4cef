//! Tests of the case aggregate: the full transition tables, given/when/then
//! per command, and property tests over random command sequences.

use std::sync::Arc;

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::actor::{Actor, ActorKind};
use crate::clock::FixedClock;
use crate::ids::{ActorId, CaseId, EntityId, MediaId, SubjectId, TenantId};
use crate::text::{Comment, Hint, PersonName, Reason};

const T0: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);

fn tenant() -> TenantId {
    TenantId::parse("acme").expect("valid")
}

fn other_tenant() -> TenantId {
    TenantId::parse("globex").expect("valid")
}

fn actor(kind: ActorKind, id: &str) -> Actor {
    Actor::new(kind, ActorId::parse(id).expect("valid"))
}

fn org() -> Actor {
    actor(ActorKind::Organisation, "org-client-1")
}

fn officer() -> Actor {
    actor(ActorKind::Officer, "vo-7")
}

fn case_id() -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0xC0FFEE))
}

fn replacement_id() -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0xBEEF))
}

fn subject() -> Subject {
    Subject {
        id: SubjectId::parse("emp-001").expect("valid"),
        display_name: Some(PersonName::parse("Jane Doe").expect("valid")),
    }
}

fn checks() -> Vec<CheckKind> {
    vec![CheckKind::Document, CheckKind::Liveness]
}

fn submission() -> Submission {
    Submission {
        given_names: PersonName::parse("Jane").expect("valid"),
        family_name: PersonName::parse("Doe").expect("valid"),
        date_of_birth: date!(1990 - 04 - 01),
        nationality: Some(CountryCode::parse("AUS").expect("valid")),
        email: Some(EmailAddress::parse("jane@example.com").expect("valid")),
        evidence: vec![Evidence {
            kind: EvidenceKind::Passport,
            media_id: MediaId::from_uuid(Uuid::from_u128(1)),
        }],
        declared_income: None,
        requested_amount: None,
    }
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).expect("valid")
}

fn comment(text: &str) -> Comment {
    Comment::parse(text).expect("valid")
}

fn cmd(action: CaseAction) -> CaseCommand {
    CaseCommand::new(tenant(), org(), action)
}

fn vo(action: CaseAction) -> CaseCommand {
    CaseCommand::new(tenant(), officer(), action)
}

fn open_action() -> CaseAction {
    CaseAction::Open(OpenCase {
        case_id: case_id(),
        subject: subject(),
        checks: RequestedChecks::parse(checks()).expect("valid"),
        entities: vec![EntityId::parse("company-1").expect("valid")],
        restart: None,
    })
}

// ---- events used to build fixtures ----

fn opened() -> CaseEvent {
    CaseEvent::CaseOpened {
        case_id: case_id(),
        tenant: tenant(),
        subject: subject(),
        checks: checks(),
        entities: vec![EntityId::parse("company-1").expect("valid")],
        restart: None,
        opened_at: T0,
    }
}

fn submitted() -> CaseEvent {
    CaseEvent::DataSubmitted {
        submission: submission(),
        submitted_at: T0,
    }
}

fn started(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckStarted { check, attempt: 1 }
}

fn verified(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckResultRecorded {
        check,
        result: CheckResult::Verified {
            score: Score::new(97),
        },
    }
}

fn failed(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckResultRecorded {
        check,
        result: CheckResult::Failed {
            reason: reason("document expired"),
            score: Score::new(12),
        },
    }
}

fn action_requested(check: CheckKind, deadline: OffsetDateTime) -> CaseEvent {
    CaseEvent::CheckActionRequested {
        check,
        hint: Hint::parse("MRZ cut off at the bottom").expect("valid"),
        deadline,
    }
}

fn bypassed(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckBypassed {
        check,
        by: officer(),
        comment: comment("checked in person"),
    }
}

fn replay(events: &[CaseEvent]) -> VerificationCase {
    let mut case = VerificationCase::default();
    for event in events {
        case.apply(event.clone());
    }
    case
}

/// The events that bring a case into `status` (Document is the check under test).
fn history_in(status: Option<CaseStatus>) -> Vec<CaseEvent> {
    let doc = CheckKind::Document;
    let live = CheckKind::Liveness;
    match status {
        None => vec![],
        Some(CaseStatus::PendingOrg) => vec![opened()],
        Some(CaseStatus::PendingAdmin) => vec![opened(), submitted()],
        Some(CaseStatus::Completed) => vec![
            opened(),
            submitted(),
            bypassed(doc),
            bypassed(live),
            CaseEvent::CaseCompleted {
                by: officer(),
                outcome: Outcome::Pass,
            },
        ],
        Some(CaseStatus::Failed) => vec![
            opened(),
            submitted(),
            CaseEvent::CaseFailed {
                by: officer(),
                reason: reason("expired registration"),
            },
        ],
        Some(CaseStatus::Cancelled) => vec![
            opened(),
            CaseEvent::CaseCancelled {
                by: org(),
                reason: reason("employee left"),
                replaced_by: None,
            },
        ],
    }
}

/// The check-level events that put Document into `state` within PENDING_ADMIN.
fn check_history(state: CheckState) -> Vec<CaseEvent> {
    let doc = CheckKind::Document;
    let past = T0 - Duration::hours(1);
    match state {
        CheckState::Requested | CheckState::Submitted => vec![],
        CheckState::Processing => vec![started(doc)],
        CheckState::Verified => vec![started(doc), verified(doc)],
        CheckState::Failed => vec![started(doc), failed(doc)],
        CheckState::RequiresAction => vec![started(doc), action_requested(doc, past)],
        CheckState::Resubmitted => vec![
            started(doc),
            action_requested(doc, past),
            CaseEvent::CheckResubmitted {
                check: doc,
                evidence: submission().evidence,
            },
        ],
        CheckState::Expired => vec![
            started(doc),
            action_requested(doc, past),
            CaseEvent::CheckExpired { check: doc },
        ],
        CheckState::Bypassed => vec![bypassed(doc)],
    }
}

/// One instance of every command; check-level ones target Document.
fn every_action() -> Vec<CaseAction> {
    let doc = CheckKind::Document;
    vec![
        open_action(),
        CaseAction::SubmitData(submission()),
        CaseAction::StartCheck { check: doc },
        CaseAction::RecordCheckResult {
            check: doc,
            result: CheckResult::Verified { score: None },
        },
        CaseAction::RequestAction {
            check: doc,
            hint: Hint::parse("retake the photo in daylight").expect("valid"),
            respond_within: Duration::days(7),
        },
        CaseAction::Resubmit {
            check: doc,
            evidence: submission().evidence,
        },
        CaseAction::ExpireCheck { check: doc },
        CaseAction::RetryCheck { check: doc },
        CaseAction::Decide(Decision::Complete {
            outcome: Outcome::Pass,
        }),
        CaseAction::Decide(Decision::Fail {
            reason: reason("expired registration"),
        }),
        CaseAction::BypassCheck {
            check: doc,
            comment: comment("verified by phone"),
        },
        CaseAction::AssignReviewer {
            reviewer: ActorId::parse("vo-9").expect("valid"),
        },
        CaseAction::Cancel {
            reason: reason("duplicate request"),
        },
        CaseAction::CancelForRecreation {
            reason: reason("restart after abandonment"),
            replacement: replacement_id(),
        },
    ]
}

/// The state a check must be in for a check-level command to be legal there.
fn enabling_check_state(command: CommandName) -> CheckState {
    match command {
        CommandName::StartCheck => CheckState::Submitted,
        CommandName::RecordCheckResult => CheckState::Processing,
        CommandName::RequestAction => CheckState::Processing,
        CommandName::Resubmit | CommandName::ExpireCheck => CheckState::RequiresAction,
        CommandName::RetryCheck => CheckState::Failed,
        _ => CheckState::Submitted,
    }
}

/// The case-level specification, written out independently of the aggregate.
fn legal_case_statuses(command: CommandName) -> &'static [CaseStatus] {
    use CaseStatus::*;
    match command {
        CommandName::Open => &[],
        CommandName::SubmitData => &[PendingOrg],
        CommandName::StartCheck
        | CommandName::RecordCheckResult
        | CommandName::RequestAction
        | CommandName::Resubmit
        | CommandName::ExpireCheck
        | CommandName::RetryCheck => &[PendingAdmin],
        CommandName::Complete => &[PendingAdmin],
        CommandName::Fail
        | CommandName::Cancel
        | CommandName::BypassCheck
        | CommandName::AssignReviewer => &[PendingOrg, PendingAdmin],
        CommandName::CancelForRecreation => &[PendingOrg, PendingAdmin, Failed],
    }
}

/// The event type a legal command emits.
fn emitted(command: CommandName) -> &'static str {
    match command {
        CommandName::Open => "CaseOpened",
        CommandName::SubmitData => "DataSubmitted",
        CommandName::StartCheck => "CheckStarted",
        CommandName::RecordCheckResult => "CheckResultRecorded",
        CommandName::RequestAction => "CheckActionRequested",
        CommandName::Resubmit => "CheckResubmitted",
        CommandName::ExpireCheck => "CheckExpired",
        CommandName::RetryCheck => "CheckRetried",
        CommandName::Complete => "CaseCompleted",
        CommandName::Fail => "CaseFailed",
        CommandName::BypassCheck => "CheckBypassed",
        CommandName::AssignReviewer => "ReviewerAssigned",
        CommandName::Cancel | CommandName::CancelForRecreation => "CaseCancelled",
    }
}

#[test]
fn every_command_in_every_case_status_succeeds_exactly_when_the_table_allows() {
    use cqrs_es::DomainEvent;
    let mut tried = 0;
    for status in std::iter::once(None).chain(CaseStatus::ALL.into_iter().map(Some)) {
        for action in every_action() {
            let name = action.name();
            let mut history = history_in(status);
            // In the status where the command is legal, put its check where it can act.
            let wants_check_state = status == Some(CaseStatus::PendingAdmin);
            if wants_check_state && action.check().is_some() {
                history.extend(check_history(enabling_check_state(name)));
            }
            if status == Some(CaseStatus::PendingAdmin) && name == CommandName::Complete {
                history.extend([bypassed(CheckKind::Document), bypassed(CheckKind::Liveness)]);
            }
            let case = replay(&history);
            let result = case.decide(cmd(action), T0);
            tried += 1;
            match status {
                None if name == CommandName::Open => {
                    let events = result.expect("opening a new case is legal");
                    assert_eq!(events.len(), 1);
                    assert_eq!(events[0].event_type(), "CaseOpened");
                }
                None => assert_eq!(result, Err(CaseError::NotFound), "{name:?} on no case"),
                Some(_) if name == CommandName::Open => {
                    assert_eq!(result, Err(CaseError::AlreadyOpened), "open on {status:?}")
                }
                Some(status) if legal_case_statuses(name).contains(&status) => {
                    let events = result.unwrap_or_else(|e| {
                        panic!("{name:?} in {status} should succeed, got {e:?}")
                    });
                    assert_eq!(events.len(), 1, "{name:?} in {status}");
                    assert_eq!(
                        events[0].event_type(),
                        emitted(name),
                        "{name:?} in {status}"
                    );
                }
                Some(status) => assert_eq!(
                    result,
                    Err(CaseError::IllegalTransition {
                        command: name,
                        status
                    }),
                    "{name:?} in {status}"
                ),
            }
        }
    }
    assert_eq!(tried, 6 * 14);
}

/// The check-level specification, written out independently of the aggregate.
fn legal_check_states(command: CommandName) -> &'static [CheckState] {
    use CheckState::*;
    match command {
        CommandName::StartCheck => &[Submitted, Resubmitted],
        CommandName::RecordCheckResult => &[Processing],
        CommandName::RequestAction => &[Processing, Failed],
        CommandName::Resubmit | CommandName::ExpireCheck => &[RequiresAction],
        CommandName::RetryCheck => &[Failed, Expired],
        CommandName::BypassCheck => &[
            Requested,
            Submitted,
            Processing,
            Failed,
            RequiresAction,
            Resubmitted,
            Expired,
        ],
        _ => &[],
    }
}

#[test]
fn every_check_command_in_every_check_state_succeeds_exactly_when_the_table_allows() {
    use cqrs_es::DomainEvent;
    let mut tried = 0;
    // `requested` only exists before submission, where check commands other
    // than bypass are refused at case level (covered above).
    let states = CheckState::ALL
        .into_iter()
        .filter(|s| *s != CheckState::Requested);
    for state in states {
        for action in every_action().into_iter().filter(|a| a.check().is_some()) {
            let name = action.name();
            let mut history = history_in(Some(CaseStatus::PendingAdmin));
            history.extend(check_history(state));
            let case = replay(&history);
            assert_eq!(
                case.opened().expect("opened").checks[&CheckKind::Document].state,
                state,
                "fixture for {state}"
            );
            let result = case.decide(vo(action), T0);
            tried += 1;
            if legal_check_states(name).contains(&state) {
                let events = result
                    .unwrap_or_else(|e| panic!("{name:?} with check {state} should pass: {e:?}"));
                assert_eq!(events[0].event_type(), emitted(name));
                let mut after = case.clone();
                after.apply(events[0].clone());
                assert_ne!(after, case, "{name:?} must change the case");
            } else {
                assert_eq!(
                    result,
                    Err(CaseError::IllegalCheckTransition {
                        command: name,
                        check: CheckKind::Document,
                        state
                    }),
                    "{name:?} with check {state}"
                );
            }
        }
    }
    assert_eq!(tried, 8 * 7);
}

#[test]
fn a_check_that_was_not_requested_is_refused_by_name() {
    let case = replay(&history_in(Some(CaseStatus::PendingAdmin)));
    let result = case.decide(
        vo(CaseAction::StartCheck {
            check: CheckKind::FaceMatch,
        }),
        T0,
    );
    assert_eq!(
        result,
        Err(CaseError::CheckNotRequested {
            check: CheckKind::FaceMatch
        })
    );
}

#[test]
fn another_tenant_sees_no_case_at_all() {
    for status in CaseStatus::ALL {
        let case = replay(&history_in(Some(status)));
        for action in every_action()
            .into_iter()
            .filter(|a| a.name() != CommandName::Open)
        {
            let result = case.decide(CaseCommand::new(other_tenant(), org(), action), T0);
            assert_eq!(result, Err(CaseError::NotFound));
        }
    }
}

// ---- given / when / then, one or more per command ----

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
fn submitting_data_moves_the_case_to_pending_admin_and_checks_to_submitted() {
    let events = framework()
        .given(vec![opened()])
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
        .then_expect_events(vec![started(CheckKind::Document)]);
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

// ---- properties over random command sequences ----

fn check_kind() -> impl Strategy<Value = CheckKind> {
    prop_oneof![Just(CheckKind::Document), Just(CheckKind::Liveness)]
}

fn arbitrary_action() -> impl Strategy<Value = CaseAction> {
    prop_oneof![
        Just(open_action()),
        Just(CaseAction::SubmitData(submission())),
        check_kind().prop_map(|check| CaseAction::StartCheck { check }),
        (check_kind(), any::<bool>()).prop_map(|(check, ok)| CaseAction::RecordCheckResult {
            check,
            result: if ok {
                CheckResult::Verified { score: None }
            } else {
                CheckResult::Failed {
                    reason: reason("mismatch"),
                    score: None,
                }
            },
        }),
        (check_kind(), 1i64..48).prop_map(|(check, hours)| CaseAction::RequestAction {
            check,
            hint: Hint::parse("retake").expect("valid"),
            respond_within: Duration::hours(hours),
        }),
        check_kind().prop_map(|check| CaseAction::Resubmit {
            check,
            evidence: vec![]
        }),
        check_kind().prop_map(|check| CaseAction::ExpireCheck { check }),
        check_kind().prop_map(|check| CaseAction::RetryCheck { check }),
        check_kind().prop_map(|check| CaseAction::BypassCheck {
            check,
            comment: comment("ok")
        }),
        Just(CaseAction::Decide(Decision::Complete {
            outcome: Outcome::Pass
        })),
        Just(CaseAction::Decide(Decision::Fail {
            reason: reason("no")
        })),
        Just(CaseAction::Cancel {
            reason: reason("stop")
        }),
        prop_oneof![Just("vo-1"), Just("vo-2")].prop_map(|id| CaseAction::AssignReviewer {
            reviewer: ActorId::parse(id).expect("valid")
        }),
        Just(CaseAction::CancelForRecreation {
            reason: reason("again"),
            replacement: replacement_id(),
        }),
    ]
}

fn assert_invariants(case: &VerificationCase) {
    let Some(opened) = case.opened() else { return };
    for record in opened.checks.values() {
        assert!(record.attempt >= 1 && record.attempt <= MAX_CHECK_ATTEMPTS);
        // Before submission a check is only requested (or waived); after, never.
        if opened.submission.is_none() {
            assert!(matches!(
                record.state,
                CheckState::Requested | CheckState::Bypassed
            ));
        } else {
            assert_ne!(record.state, CheckState::Requested);
        }
        assert_eq!(
            record.state == CheckState::Bypassed,
            record.bypass.is_some()
        );
        if record.state == CheckState::RequiresAction {
            assert!(record.action_deadline.is_some());
        }
    }
    if opened.status == CaseStatus::PendingOrg {
        assert!(opened.submission.is_none());
    }
    if opened.status == CaseStatus::Completed {
        assert!(opened.checks.values().all(|c| c.state.is_cleared()));
        assert_eq!(opened.outcome, Some(Outcome::Pass));
    }
    if matches!(opened.status, CaseStatus::Failed | CaseStatus::Cancelled) {
        assert!(opened.reason.is_some());
    }
    assert_eq!(opened.checks.len(), checks().len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_command_sequences_keep_the_invariants_and_replay_identically(
        steps in prop::collection::vec((arbitrary_action(), 0i64..36), 1..60)
    ) {
        let mut case = VerificationCase::default();
        let mut log: Vec<CaseEvent> = Vec::new();
        let mut now = T0;
        for (action, hours) in steps {
            now += Duration::hours(hours);
            let before = case.clone();
            let status_before = case.status();
            match case.decide(cmd(action), now) {
                Ok(events) => {
                    for event in events {
                        // Persisted form round-trips exactly.
                        let json = serde_json::to_string(&event).expect("serialises");
                        let back: CaseEvent = serde_json::from_str(&json).expect("deserialises");
                        prop_assert_eq!(&back, &event);
                        case.apply(event.clone());
                        log.push(event);
                    }
                }
                Err(_) => prop_assert_eq!(&case, &before),
            }
            // Terminal statuses are final, except FAILED → CANCELLED on recreation.
            match (status_before, case.status()) {
                (Some(CaseStatus::Completed), after) => prop_assert_eq!(after, Some(CaseStatus::Completed)),
                (Some(CaseStatus::Cancelled), after) => prop_assert_eq!(after, Some(CaseStatus::Cancelled)),
                (Some(CaseStatus::Failed), after) => prop_assert!(matches!(
                    after, Some(CaseStatus::Failed) | Some(CaseStatus::Cancelled)
                )),
                _ => {}
            }
            assert_invariants(&case);
        }
        prop_assert_eq!(replay(&log), case.clone());
        // The aggregate's own serialised form (snapshots) round-trips too.
        let snapshot = serde_json::to_value(&case).expect("serialises");
        let restored: VerificationCase = serde_json::from_value(snapshot).expect("deserialises");
        prop_assert_eq!(restored, case);
    }
}
