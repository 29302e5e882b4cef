//! Properties over random command sequences.

use super::*;

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
