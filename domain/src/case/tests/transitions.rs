//! Every command in every state: exactly the legal transitions succeed.

use super::*;

/// One instance of every command; check-level ones target Document.
fn every_action() -> Vec<CaseAction> {
    let doc = CheckKind::Document;
    vec![
        open_action(),
        CaseAction::AttachEvidence(stored_media(7)),
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
        CaseAction::EscalateCheck {
            check: doc,
            attempt: 1,
        },
        CaseAction::RetryCheck { check: doc },
        CaseAction::RemindIndividual {
            policy: ReminderPolicy {
                after: Duration::ZERO,
                interval: Duration::ZERO,
                max: 3,
            },
        },
        CaseAction::StartRun {
            check: doc,
            run: "run-2".to_owned(),
        },
        CaseAction::FinishRun {
            check: doc,
            run: RUN.to_owned(),
            finish: RunFinish::Result {
                result: CheckResult::Verified { score: None },
                details: Vec::new(),
                policy_version: 1,
            },
        },
        CaseAction::RecordProviderReport {
            check: doc,
            source: ReportSource::Run(RUN.to_owned()),
            report: ProviderReport {
                provider: "screening".to_owned(),
                reference: "p-1".to_owned(),
                status: ProviderStatus::Submitted,
                score: None,
                reason: None,
                details: Vec::new(),
            },
        },
        CaseAction::RecordScore {
            // Nothing weighed: a review, so the score alone is recorded.
            card: crate::scoring::score(&Default::default(), &[CheckKind::Compliance], &[]),
            policy_version: 1,
        },
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
        CaseAction::LinkEntities {
            entities: vec![crate::EntityId::parse("company-9").expect("valid")],
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
        CommandName::StartCheck | CommandName::StartRun => CheckState::Submitted,
        CommandName::RecordCheckResult
        | CommandName::FinishRun
        | CommandName::RecordProviderReport
        | CommandName::EscalateCheck => CheckState::Processing,
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
        CommandName::AttachEvidence => &[PendingOrg, PendingAdmin],
        CommandName::StartCheck
        | CommandName::RecordCheckResult
        | CommandName::RequestAction
        | CommandName::Resubmit
        | CommandName::ExpireCheck
        | CommandName::EscalateCheck
        | CommandName::RetryCheck
        | CommandName::StartRun
        | CommandName::FinishRun
        | CommandName::RecordProviderReport
        | CommandName::RecordScore => &[PendingAdmin],
        CommandName::Complete => &[PendingAdmin],
        CommandName::Fail
        | CommandName::Cancel
        | CommandName::BypassCheck
        | CommandName::AssignReviewer
        | CommandName::LinkEntities
        | CommandName::RemindIndividual => &[PendingOrg, PendingAdmin],
        CommandName::CancelForRecreation => &[PendingOrg, PendingAdmin, Failed],
    }
}

/// The event type a legal command emits.
fn emitted(command: CommandName) -> &'static str {
    match command {
        CommandName::Open => "CaseOpened",
        CommandName::SubmitData => "DataSubmitted",
        CommandName::AttachEvidence => "EvidenceUploaded",
        CommandName::StartCheck | CommandName::StartRun => "CheckStarted",
        CommandName::RecordCheckResult | CommandName::FinishRun => "CheckResultRecorded",
        CommandName::RecordScore => "CaseScored",
        CommandName::RecordProviderReport => "CheckProviderUpdated",
        CommandName::RequestAction => "CheckActionRequested",
        CommandName::Resubmit => "CheckResubmitted",
        CommandName::ExpireCheck => "CheckExpired",
        CommandName::EscalateCheck => "CheckEscalated",
        CommandName::RetryCheck => "CheckRetried",
        CommandName::RemindIndividual => "IndividualReminded",
        CommandName::Complete => "CaseCompleted",
        CommandName::Fail => "CaseFailed",
        CommandName::BypassCheck => "CheckBypassed",
        CommandName::AssignReviewer => "ReviewerAssigned",
        CommandName::LinkEntities => "EntitiesLinked",
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
            // After submission, a reminder needs a check that waits for the individual.
            if wants_check_state && name == CommandName::RemindIndividual {
                history.extend(check_history(CheckState::RequiresAction));
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
    assert_eq!(tried, 6 * 22);
}

/// The check-level specification, written out independently of the aggregate.
fn legal_check_states(command: CommandName) -> &'static [CheckState] {
    use CheckState::*;
    match command {
        CommandName::StartCheck => &[Submitted, Resubmitted],
        // A run takes over a check another run holds (`check_history`'s is run-1).
        CommandName::StartRun => &[Submitted, Resubmitted, Processing],
        CommandName::RecordCheckResult
        | CommandName::FinishRun
        | CommandName::RecordProviderReport
        | CommandName::EscalateCheck => &[Processing],
        CommandName::RequestAction => &[Submitted, Resubmitted, Processing, Failed],
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
            } else if matches!(
                name,
                CommandName::FinishRun | CommandName::RecordProviderReport
            ) {
                // A run that no longer holds the check is stale, whatever its state.
                assert_eq!(
                    result,
                    Err(CaseError::StaleRun {
                        check: CheckKind::Document,
                        run: RUN.to_owned()
                    }),
                    "{name:?} with check {state}"
                );
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
    assert_eq!(tried, 11 * 8);
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
